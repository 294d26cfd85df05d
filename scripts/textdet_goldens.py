#!/usr/bin/env python3
"""Goldens for src/textdet, made with the independent references MMOCR's
decoder relies on (NumPy, scikit-image) and the reference harness's
pre-processing (shared/ref/textsnake_model.py, mmcv/torch arithmetic).
Run through scripts/make_textdet_goldens.sh; needs /usr/bin/python3 with
numpy 1.24, scikit-image 0.19, opencv 4.6.

  textdet_goldens.py units --out DIR           skeleton/argsort/sum goldens
  textdet_goldens.py preprocess --ref REF --out DIR IMG...
                                               harness preprocess stats
  textdet_goldens.py sizes --ref REF --out DIR rescale_size on many sizes
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np


def bits01(a):
    return ''.join('1' if v else '0' for v in np.asarray(a).ravel())


def skeleton_cases(rng):
    from skimage.morphology import skeletonize
    cases = []
    for t in range(128):
        h, w = int(rng.integers(3, 44)), int(rng.integers(3, 44))
        kind = t % 4
        if kind == 0:  # random noise
            m = (rng.random((h, w)) < rng.uniform(0.3, 0.9)).astype(np.uint8)
        elif kind == 1:  # dilated noise: blobs with holes
            m = (rng.random((h, w)) < rng.uniform(0.2, 0.6)).astype(np.uint8)
            m = cv2.dilate(m, np.ones((3, 3), np.uint8))
        elif kind == 2:  # thick curves like text centre regions
            m = np.zeros((h, w), np.uint8)
            pts = rng.integers(0, [w, h], (4, 2)).astype(np.int32)
            cv2.polylines(m, [pts], False, 1, int(rng.integers(1, 6)))
        else:  # filled shapes touching the border
            m = np.zeros((h, w), np.uint8)
            cv2.circle(m, (int(rng.integers(0, w)), int(rng.integers(0, h))),
                       int(rng.integers(1, 20)), 1, -1)
            cv2.rectangle(m, (int(rng.integers(0, w)), int(rng.integers(0, h))),
                          (int(rng.integers(0, w)), int(rng.integers(0, h))), 1, -1)
        sk = skeletonize(m)
        cases.append(dict(rows=h, cols=w, mask=bits01(m), skeleton=bits01(sk)))
    return cases


def argsort_cases(rng):
    cases = []
    for t in range(128):
        n = int(rng.integers(1, 120)) if t % 5 else int(rng.integers(120, 500))
        k = t % 8
        if k == 0:
            v = rng.random(n).astype(np.float32).astype(np.float64)
        elif k == 1:  # few distinct values: many ties
            v = rng.integers(0, int(rng.integers(1, 6)), n).astype(np.float64)
        elif k == 2:
            v = rng.integers(0, int(rng.integers(1, 40)), n).astype(np.float64)
        elif k == 3:  # float32-rounded scores near 1 (saturated sigmoid)
            v = np.minimum(1.0, rng.random(n) * 0.1 + 0.95).astype(np.float32)
            v = v.astype(np.float64)
        elif k == 4:
            v = np.sort(rng.integers(0, 50, n)).astype(np.float64)
        elif k == 5:
            v = np.sort(rng.integers(0, 50, n))[::-1].astype(np.float64)
        elif k == 6:  # organ pipe / sawtooth
            half = np.arange(n // 2 + 1, dtype=np.float64)
            v = np.concatenate([half, half[::-1]])[:n] if t % 16 < 8 else \
                (np.arange(n) % int(rng.integers(2, 20))).astype(np.float64)
        else:  # with NaN and infinities
            v = rng.integers(0, 10, n).astype(np.float64)
            v[rng.random(n) < 0.1] = np.nan
            v[rng.random(n) < 0.05] = np.inf
            v[rng.random(n) < 0.05] = -np.inf
        order = np.argsort(v)  # default kind, as merge_disks calls it
        vals = [None if np.isnan(x) else (
            'inf' if x == np.inf else '-inf' if x == -np.inf else float(x))
            for x in v]
        cases.append(dict(values=vals, argsort=[int(i) for i in order]))
    return cases


MASK64 = (1 << 64) - 1


def lcg_array(seed, n, zero16):
    """Deterministic float32 array, re-generated bit-for-bit by the C++ test:
    value = (state >> 40) / 2^24 * 2^(((state >> 32) & 7) - 3), zeroed when
    ((state >> 20) & 15) < zero16."""
    out = np.empty(n, np.float32)
    s = seed & MASK64
    for i in range(n):
        s = (s * 6364136223846793005 + 1442695040888963407) & MASK64
        if ((s >> 20) & 15) < zero16:
            out[i] = 0.0
        else:
            out[i] = np.float32((s >> 40) / float(1 << 24)) * np.float32(
                2.0 ** (((s >> 32) & 7) - 3))
    return out


def sum_cases(rng):
    cases = []
    sizes = [1, 7, 8, 9, 127, 128, 129, 1000, 8191, 8192, 8193, 20000,
             65536 + 13, 100003]
    for t, n in enumerate(sizes + [int(x) for x in rng.integers(1, 50000, 8)]):
        seed, zero16 = int(rng.integers(0, 1 << 62)), int(t % 12)
        a = lcg_array(seed, n, zero16)
        s = np.sum(a)  # the call MMOCR makes (float32 array, all axes)
        cases.append(dict(seed=seed, n=n, zero16=zero16,
                          sum_bits=int(np.float32(s).view(np.uint32)),
                          sum=float(s)))
    return cases


def cmd_units(a):
    rng = np.random.default_rng(20240601)
    os.makedirs(a.out, exist_ok=True)
    for name, fn in (('skeletonize', skeleton_cases),
                     ('argsort', argsort_cases), ('sum_f32', sum_cases)):
        doc = dict(generator=f'scripts/textdet_goldens.py units ({name})',
                   numpy=np.__version__, cases=fn(rng))
        if name == 'skeletonize':
            import skimage
            doc['skimage'] = skimage.__version__
        with open(os.path.join(a.out, name + '.json'), 'w') as f:
            json.dump(doc, f, separators=(',', ':'))
        print(f'{name}: {len(doc["cases"])} cases')


def cmd_preprocess(a):
    rng = np.random.default_rng(7)
    res = dict(generator='scripts/textdet_goldens.py preprocess, via '
               'shared/ref/textsnake_model.py preprocess', images={})
    with tempfile.TemporaryDirectory() as tmp:
        for img in a.images:
            entry = {}
            for v in (0, 1):
                npy, meta = os.path.join(tmp, 'x.npy'), os.path.join(tmp, 'm.json')
                subprocess.run([sys.executable, os.path.join(a.ref, 'textsnake_model.py'),
                                'preprocess', '--image', img, '--mmocr', str(v),
                                '--out-npy', npy, '--out-meta', meta],
                               check=True, capture_output=True)
                x = np.load(npy)[0]
                m = json.load(open(meta))
                c, h, w = x.shape
                idx = np.stack([rng.integers(0, c, 200), rng.integers(0, h, 200),
                                rng.integers(0, w, 200)], 1)
                m.update(
                    shape=[c, h, w],
                    # per row: sum over channels and columns, in float64
                    row_sums=[float(s) for s in
                              np.sum(x.astype(np.float64), axis=(0, 2))],
                    max=float(x.max()), min=float(x.min()),
                    mean=float(x.astype(np.float64).mean()),
                    samples=[[int(i), int(j), int(k), float(x[i, j, k])] for i, j, k in idx])
                entry[f'mmocr{v}'] = m
            res['images'][os.path.basename(img)] = entry
            print(img, entry['mmocr0']['shape'])
    with open(os.path.join(a.out, 'preprocess.json'), 'w') as f:
        json.dump(res, f, separators=(',', ':'))


def cmd_sizes(a):
    sys.path.insert(0, a.ref)
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'tm', os.path.join(a.ref, 'textsnake_model.py'))
    # only rescale_size is needed; avoid importing the MMOCR loader
    src = open(os.path.join(a.ref, 'textsnake_model.py')).read()
    start = src.index('def rescale_size')
    ns = {'IMG_SCALE': (1333, 736)}
    exec(src[start:src.index('\ndef ', start + 5)], ns)
    rng = np.random.default_rng(3)
    cases = [[480, 300], [500, 375], [1280, 720], [400, 1200], [2000, 500],
             [736, 736], [1, 1], [1333, 736], [736, 1333], [3000, 10]]
    cases += [[int(w), int(h)] for w, h in rng.integers(1, 5000, (300, 2))]
    out = [dict(w=w, h=h, new=list(ns['rescale_size'](w, h))) for w, h in cases]
    with open(os.path.join(a.out, 'sizes.json'), 'w') as f:
        json.dump(dict(generator='textsnake_model.rescale_size (harness)',
                       cases=out), f, separators=(',', ':'))
    print(f'sizes: {len(out)} cases')


def cmd_tiemap(a):
    """Saturated logits (+-30): T = S = 1.0f exactly on every centre pixel, so
    every disk score ties and the merge result depends on NumPy's argsort tie
    order. Curved bands with noisy radius/direction so the ties matter."""
    h, w = 64, 128
    rng = np.random.default_rng(11)
    text = np.full((h, w), -30.0, np.float32)
    cen = np.full((h, w), -30.0, np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    for y0, amp, half in ((20, 5.0, 9), (48, 3.0, 7)):
        yc = y0 + amp * np.sin(xx / 17.0)
        band = (np.abs(yy - yc) < half) & (xx > 6) & (xx < w - 6)
        core = (np.abs(yy - yc) < half * 0.35) & (xx > 10) & (xx < w - 10)
        text[band] = 30.0
        cen[core] = 30.0
    slope = np.arctan(amp * np.cos(xx / 17.0) / 17.0)
    sin = (np.sin(slope) + rng.normal(0, 0.05, (h, w))).astype(np.float32)
    cos = (np.cos(slope) + rng.normal(0, 0.05, (h, w))).astype(np.float32)
    # radii > 17 px: (r_i + r_j) * 0.03 >= 1, so disks one pixel apart merge
    # and the tie order decides which centre leads each group
    rad = (19.0 + rng.normal(0, 1.5, (h, w))).astype(np.float32)
    pred = np.stack([text, cen, sin, cos, rad])[None].astype(np.float32)
    np.save(a.out_npy, pred)
    with open(a.out_meta, 'w') as f:
        json.dump(dict(ori_shape=[40, 100], img_shape=[h, w],
                       note='saturated tie map, textdet_goldens.py tiemap'), f)
    print('tie map', pred.shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('units')
    p.add_argument('--out', required=True)
    p = sub.add_parser('preprocess')
    p.add_argument('--ref', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('images', nargs='+')
    p = sub.add_parser('sizes')
    p.add_argument('--ref', required=True)
    p.add_argument('--out', required=True)
    p = sub.add_parser('tiemap')
    p.add_argument('--out-npy', required=True)
    p.add_argument('--out-meta', required=True)
    a = ap.parse_args()
    {'units': cmd_units, 'preprocess': cmd_preprocess, 'sizes': cmd_sizes,
     'tiemap': cmd_tiemap}[a.cmd](a)


if __name__ == '__main__':
    main()
