#!/usr/bin/env python3
"""Convert the demo dataset with MMOCR's *own* CTW1500 converters (0.x
tools/data/textdet/ctw1500_converter.py, 1.x CTW1500AnnParser +
TextDetPacker), run through the reference harness (shared/ref/ctw1500_demo.py
workers). Proves the raw layout is what MMOCR expects and gives reference
jsons for textq's own `dataset` conversion.

  MMOCR_SRC=/work/mmocr_src/v0.6.1 MMOCR1_SRC=/work/mmocr_src/v1.0.1 \
  /usr/bin/python3 scripts/demo_data/mmocr_convert.py --demo demo --out build-demo/mmocr_json

The MMOCR layout is built with symlinks: training split = the calibration
root (demo/ctw1500_calib, train format), test split = demo/ctw1500.
Outputs OUT/instances_training.json, OUT/instances_test.json (0.x) and
OUT/textdet_train.json, OUT/textdet_test.json (1.x); the converters sort
nothing themselves, the harness sorts file names.
"""
import argparse
import os
import subprocess
import sys


def link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.lexists(dst):
        os.remove(dst)
    os.symlink(os.path.abspath(src), dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--demo', default='demo')
    ap.add_argument('--out', required=True)
    ap.add_argument('--ref-dir', default='/work/shared/ref')
    a = ap.parse_args()
    os.environ.setdefault('MMOCR_SRC', '/work/mmocr_src/v0.6.1')
    os.environ.setdefault('MMOCR1_SRC', '/work/mmocr_src/v1.0.1')
    root = os.path.abspath(a.out)
    calib = os.path.join(a.demo, 'ctw1500_calib')
    test = os.path.join(a.demo, 'ctw1500')
    link(os.path.join(calib, 'train_images'), os.path.join(root, 'imgs/training'))
    link(os.path.join(calib, 'ctw1500_train_labels'),
         os.path.join(root, 'annotations/training'))
    link(os.path.join(test, 'test_images'), os.path.join(root, 'imgs/test'))
    link(os.path.join(test, 'ctw1500_test_labels'),
         os.path.join(root, 'annotations/test'))
    link(os.path.join(calib, 'train_images'), os.path.join(root, 'textdet_imgs/train'))
    link(os.path.join(test, 'test_images'), os.path.join(root, 'textdet_imgs/test'))
    script = os.path.join(a.ref_dir, 'ctw1500_demo.py')
    for v in ('0', '1'):
        subprocess.run([sys.executable, script, '--out', root, '--_worker', v],
                       check=True)


if __name__ == '__main__':
    main()
