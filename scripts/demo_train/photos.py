"""Labelled real photos for fine-tuning (tests/data/photos layout, see its
README): every MMOCR 1.x detection json (`data_list` with `instances`:
`polygon`, `ignore`) and every Total-Text label file `poly_gt_<stem>.txt`
(`x1,y1,...,xn,yn,transcription`, `###` = ignore) found under the folder.
Images are looked up next to their labels (json: by the basename of
`img_path`). Folders without labels (mmocr-demo/) contribute nothing.

Each item: (BGR image, text polygons, split indices, ignore polygons); the
text polygons are reordered by `sides.find_sides` so that poly[:k] and
poly[k:] are the two long sides.
"""
import json
import os

import cv2
import numpy as np

from .sides import find_sides


def _read_image(path):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f'{path}: cannot read image')
    return img


def _item(img, polys, ignores):
    sided = [find_sides(p) for p in polys]
    return (img, [p for p, _ in sided], [k for _, k in sided],
            [np.asarray(p, np.float64) for p in ignores])


def read_mmocr1_json(path):
    with open(path) as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or 'data_list' not in doc:
        return []
    items = []
    root = os.path.dirname(path)
    for i, entry in enumerate(doc['data_list']):
        polys, ignores = [], []
        for j, inst in enumerate(entry['instances']):
            pts = np.array(inst['polygon'], np.float64)
            if len(pts) % 2 or len(pts) < 8:
                raise ValueError(f'{path}: data_list[{i}].instances[{j}]: '
                                 f'polygon needs an even count of >= 8 numbers')
            (ignores if inst.get('ignore', False) else polys).append(
                pts.reshape(-1, 2))
        img = _read_image(os.path.join(root, os.path.basename(entry['img_path'])))
        items.append(_item(img, polys, ignores))
    return items


def read_totaltext_txt(path, image_path):
    polys, ignores = [], []
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            fields = line.split(',')
            try:  # the last field is the transcription, all before it x,y
                pts = np.array([float(v) for v in fields[:-1]], np.float64)
            except ValueError:
                raise ValueError(f'{path}:{ln}: expected x1,y1,...,xn,yn,text')
            if len(pts) % 2 or len(pts) < 8:
                raise ValueError(f'{path}:{ln}: need an even count of >= 8 '
                                 f'coordinates before the transcription')
            (ignores if fields[-1] == '###' else polys).append(pts.reshape(-1, 2))
    return [_item(_read_image(image_path), polys, ignores)]


def load_photos(root):
    """All labelled photos under root, in sorted path order."""
    items = []
    for d, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(d, name)
            if name.endswith('.json'):
                items += read_mmocr1_json(path)
            elif name.startswith('poly_gt_') and name.endswith('.txt'):
                stem = name[len('poly_gt_'):-len('.txt')]
                items += read_totaltext_txt(path, os.path.join(d, stem + '.jpg'))
    if not items:
        raise ValueError(f'{root}: no labelled photos (MMOCR 1.x json or '
                         f'poly_gt_*.txt)')
    return items
