#!/usr/bin/env python3
"""Generate the textq demo dataset in the raw SCUT-CTW1500 layout.

  /usr/bin/python3 scripts/demo_data/generate.py --out DIR [--splits train,test,calib]

DIR/ctw1500/train_images/0001.jpg ...      DIR/ctw1500/ctw1500_train_labels/0001.xml ...
DIR/ctw1500/test_images/1001.jpg ...       DIR/ctw1500/ctw1500_test_labels/0001001.txt ...
DIR/ctw1500_calib/train_images/0001.jpg ...DIR/ctw1500_calib/ctw1500_train_labels/0001.xml ...
(the calibration split is a second CTW1500 root holding only a train split)

Each split has its own seed (base seed + split offset) and image i uses
numpy.random.default_rng([seed, i]), so splits are independent and any image
can be regenerated alone. Needs numpy, OpenCV, PIL (python3-pil) and the
DejaVu fonts (fonts-dejavu-core, fonts-dejavu-extra). JPEG quality 85.
"""
import argparse
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from demo_data.ctw1500_writer import txt_label, xml_label  # noqa: E402
from demo_data.scene import make_scene  # noqa: E402

SPLITS = {  # name: (root, kind, count, first image number, seed offset)
    'train': ('ctw1500', 'train', 400, 1, 0),
    'test': ('ctw1500', 'test', 60, 1001, 1),
    'calib': ('ctw1500_calib', 'train', 32, 1, 2),
}


def write_split(out, name, seed, count=None):
    root, kind, n, first, off = SPLITS[name]
    n = count or n
    img_dir = os.path.join(out, root, f'{kind}_images')
    lab_dir = os.path.join(out, root, f'ctw1500_{kind}_labels')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(lab_dir, exist_ok=True)
    n_inst = 0
    for i in range(n):
        rng = np.random.default_rng([seed + off, i])
        img, inst = make_scene(rng)
        n_inst += len(inst)
        stem = f'{first + i:04d}'
        cv2.imwrite(os.path.join(img_dir, stem + '.jpg'), img,
                    [cv2.IMWRITE_JPEG_QUALITY, 85])
        if kind == 'train':
            with open(os.path.join(lab_dir, stem + '.xml'), 'w') as f:
                f.write(xml_label(stem + '.jpg', inst))
        else:
            with open(os.path.join(lab_dir, '000' + stem + '.txt'), 'w') as f:
                f.write(txt_label(inst))
    print(f'{name}: {n} images, {n_inst} text lines -> {img_dir}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--splits', default='train,test,calib')
    ap.add_argument('--seed', type=int, default=20240501)
    ap.add_argument('--count', type=int, default=None,
                    help='override the image count (for quick looks)')
    a = ap.parse_args()
    for name in a.splits.split(','):
        write_split(a.out, name, a.seed, a.count)


if __name__ == '__main__':
    main()
