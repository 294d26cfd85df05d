"""Training samples for the demo TextSnake: raw CTW1500 train split (XML
labels) -> image rescaled to MMOCR's *test* scale (keep-ratio into
1333x736) times a random jitter -> TextSnake targets on the whole image ->
random crop biased towards text -> mild colour jitter -> MMOCR normalisation.
Real labelled photos (photos.py) go through the same `make_sample` with their
side splits and ignored polygons; the sixth target channel is the loss mask
(all ones for synthetic data and in the zero-padded part of a crop).
"""
import os
import xml.etree.ElementTree as ET

import cv2
import numpy as np

from .targets import make_targets

MEAN = np.array([123.675, 116.28, 103.53], np.float32)  # RGB
STD = np.array([58.395, 57.12, 57.375], np.float32)


def read_xml_polys(path):
    polys = []
    for box in ET.parse(path).getroot().iter('box'):
        segs = [int(v) for v in box[1].text.split(',')]
        polys.append(np.array(segs, np.float64).reshape(-1, 2))
    return polys


def load_split(root):
    """[(BGR image, [poly (14,2)])] for root/train_images + labels."""
    img_dir = os.path.join(root, 'train_images')
    lab_dir = os.path.join(root, 'ctw1500_train_labels')
    items = []
    for name in sorted(os.listdir(img_dir)):
        stem = os.path.splitext(name)[0]
        img = cv2.imread(os.path.join(img_dir, name), cv2.IMREAD_COLOR)
        items.append((img, read_xml_polys(os.path.join(lab_dir, stem + '.xml'))))
    return items


def test_scale_factor(h, w):
    return min(1333.0 / max(h, w), 736.0 / min(h, w))


def normalise(img_bgr):
    rgb = img_bgr[..., ::-1].astype(np.float32)
    return ((rgb - MEAN) / STD).transpose(2, 0, 1)


def make_sample(rng, img, polys, crop, scale_range, text_crop_prob=0.85,
                splits=None, ignores=()):
    h, w = img.shape[:2]
    f = test_scale_factor(h, w) * rng.uniform(*scale_range)
    nw, nh = max(8, int(w * f + 0.5)), max(8, int(h * f + 0.5))
    img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    sx, sy = nw / w, nh / h
    polys = [p * np.array([sx, sy]) for p in polys]
    ignores = [p * np.array([sx, sy]) for p in ignores]
    maps = make_targets(nh, nw, polys, splits, ignores)
    # crop position: around a random text point most of the time
    if polys and rng.random() < text_crop_prob:
        p = polys[int(rng.integers(len(polys)))]
        c = p.mean(0) + (p[int(rng.integers(len(p)))] - p.mean(0)) * rng.uniform(0, 1)
        x0 = int(c[0] - crop / 2 + rng.uniform(-crop / 4, crop / 4))
        y0 = int(c[1] - crop / 2 + rng.uniform(-crop / 4, crop / 4))
    else:
        x0 = int(rng.integers(0, max(1, nw - crop + 1)))
        y0 = int(rng.integers(0, max(1, nh - crop + 1)))
    x0 = int(np.clip(x0, 0, max(0, nw - crop)))
    y0 = int(np.clip(y0, 0, max(0, nh - crop)))

    def cut(a, fill=0):
        out = np.full((crop, crop) + a.shape[2:], fill, a.dtype)
        part = a[y0:y0 + crop, x0:x0 + crop]
        out[:part.shape[0], :part.shape[1]] = part
        return out, part.shape[:2]

    # photometric jitter (MMOCR uses brightness 32/255, saturation 0.5);
    # per-pixel operations, so applying them to the crop only is exact
    im = img[y0:y0 + crop, x0:x0 + crop].astype(np.float32)
    im = im * rng.uniform(0.8, 1.2) + rng.uniform(-32, 32)
    grey = im.mean(2, keepdims=True)
    im = grey + (im - grey) * rng.uniform(0.5, 1.5)
    im = np.clip(im, 0, 255).astype(np.uint8)
    part = normalise(im)                     # 3,h,w
    xc = np.zeros((3, crop, crop), np.float32)  # zero padding = MMOCR Pad
    xc[:, :part.shape[1], :part.shape[2]] = part
    # padding stays a counted background (mask 1), as before the mask existed
    maps = [cut(m, fill=1 if i == 5 else 0)[0] for i, m in enumerate(maps)]
    return xc, np.stack(maps).astype(np.float32)
