#!/usr/bin/env python3
"""FP32 hmean of the demo TextSnake on the demo test split, measured with
MMOCR's own code (through the reference harness, shared/ref):

  MMOCR_SRC=/work/mmocr_src/v0.6.1 MMOCR1_SRC=/work/mmocr_src/v1.0.1 \
  /usr/bin/python3 scripts/demo_train/eval_demo.py --ckpt demo/textsnake_demo.pth \
      --data demo/ctw1500 --out-dir build-demo/eval [--ref-dir /work/shared/ref]

- pre-processing: the harness's MMOCR 0.x test pipeline (resize keep-ratio
  into 1333x736, normalise, pad to /32);
- network: our ResNet (the harness's ResNet-50 has fixed widths) followed by
  MMOCR's *own* FPN_UNet and TextSnakeHead classes, loaded strictly from the
  checkpoint (this also proves the neck/head key names and shapes);
- decoding: MMOCR 0.x `TextSnakeHead.get_boundary` (rescale=True);
- metric: shared/ref/hmean_ref.py (MMOCR 0.x eval_hmean sweep and 1.x
  HmeanIOUMetric) on GT converted from the raw txt labels like MMOCR 0.x's
  ctw1500_converter (segmentation, Shapely bbox/area, iscrowd 0).
Writes OUT/preds.json, OUT/instances_test.json, OUT/hmean.txt.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import time

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from demo_train.model import ResNet  # noqa: E402


def read_test_gt(root):
    """0.x instances_test.json equivalent for root/test_images."""
    from shapely.geometry import Polygon
    images, anns = [], []
    names = sorted(os.listdir(os.path.join(root, 'test_images')))
    for i, name in enumerate(names):
        stem = os.path.splitext(name)[0]
        img = cv2.imread(os.path.join(root, 'test_images', name),
                         cv2.IMREAD_UNCHANGED)
        images.append(dict(file_name='test/' + name, height=img.shape[0],
                           width=img.shape[1], segm_file=f'test/000{stem}.txt',
                           id=i))
        with open(os.path.join(root, 'ctw1500_test_labels', f'000{stem}.txt')) as f:
            for line in f:
                fields = line.strip().split(',')
                seg = [int(v) for v in fields[:28]]
                p = Polygon(np.array(seg).reshape(-1, 2))
                x0, y0, x1, y1 = p.bounds
                anns.append(dict(iscrowd=0, category_id=1,
                                 bbox=[x0, y0, x1 - x0, y1 - y0], area=p.area,
                                 text=fields[28][4:], segmentation=[seg],
                                 image_id=i, id=len(anns)))
    return dict(images=images, categories=[dict(id=1, name='text')],
                annotations=anns), names


def oracle_map(root, name, meta):
    """Targets of the GT polygons at network-input scale as a 'perfect'
    raw output: +-10 logits, unit sin/cos, radius."""
    from demo_train.targets import make_targets
    stem = os.path.splitext(name)[0]
    oh, ow = meta['ori_shape']
    ih, iw = meta['img_shape']
    ph, pw = meta['pad_shape']
    polys = []
    with open(os.path.join(root, 'ctw1500_test_labels', f'000{stem}.txt')) as f:
        for line in f:
            seg = [int(v) for v in line.split(',')[:28]]
            polys.append(np.array(seg, np.float64).reshape(-1, 2) *
                         np.array([iw / ow, ih / oh]))
    text, center, radius, sin_m, cos_m, _ = make_targets(ph, pw, polys)
    out = np.stack([text * 20.0 - 10, center * 20.0 - 10, sin_m,
                    np.where(center > 0, cos_m, 1.0), radius])
    return out[None].astype(np.float32)


class HarnessNet(torch.nn.Module):
    def __init__(self, ns, sd):
        super().__init__()
        width = sd['backbone.conv1.weight'].shape[0]
        neck_out = sd['bbox_head.out_conv.weight'].shape[1]
        self.backbone = ResNet(width)
        self.neck = ns.FPN_UNet(in_channels=self.backbone.out_channels,
                                out_channels=neck_out)
        self.bbox_head = ns.TextSnakeHead(
            in_channels=neck_out,
            postprocessor=dict(type='TextSnakePostprocessor',
                               text_repr_type='poly'))
        missing, unexpected = self.load_state_dict(sd, strict=True)
        assert not missing and not unexpected

    def forward(self, x):
        return self.bbox_head(self.neck(self.backbone(x)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--data', required=True, help='CTW1500 root with test_images/')
    ap.add_argument('--out-dir', required=True)
    ap.add_argument('--ref-dir', default='/work/shared/ref')
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--oracle', action='store_true',
                    help='decode the training targets instead of the network '
                         'output (upper bound of the representation)')
    a = ap.parse_args()
    os.environ.setdefault('MMOCR_SRC', '/work/mmocr_src/v0.6.1')
    os.environ.setdefault('MMOCR1_SRC', '/work/mmocr_src/v1.0.1')
    sys.path.insert(0, a.ref_dir)
    import mmocr_loader
    from textsnake_model import preprocess
    torch.set_num_threads(a.threads)
    os.makedirs(a.out_dir, exist_ok=True)

    ns = mmocr_loader.load(0)
    sd = torch.load(a.ckpt, map_location='cpu')['state_dict']
    net = HarnessNet(ns, collections.OrderedDict(sd)).eval()
    gt, names = read_test_gt(a.data)
    if a.limit:
        names = names[:a.limit]
        keep = {i for i in range(a.limit)}
        gt['images'] = [g for g in gt['images'] if g['id'] in keep]
        gt['annotations'] = [g for g in gt['annotations'] if g['image_id'] in keep]
    preds = {}
    t_net = t_dec = 0.0
    for name in names:
        img = cv2.imread(os.path.join(a.data, 'test_images', name),
                         cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
        x, meta = preprocess(img, 0)
        t0 = time.time()
        if a.oracle:
            out = torch.from_numpy(oracle_map(a.data, name, meta))
        else:
            with torch.no_grad():
                out = net(torch.from_numpy(x))
        t1 = time.time()
        sf = np.array(meta['scale_factor'], np.float32)
        res = net.bbox_head.get_boundary(out, [dict(scale_factor=sf, filename=name)], True)
        t2 = time.time()
        t_net += t1 - t0
        t_dec += t2 - t1
        bl = res['boundary_result']
        preds[name] = dict(polygons=[[float(v) for v in b[:-1]] for b in bl],
                           scores=[float(b[-1]) for b in bl])
    print(f'{len(names)} images: network {t_net:.1f}s, MMOCR decode {t_dec:.1f}s',
          flush=True)
    pj = os.path.join(a.out_dir, 'preds.json')
    gj = os.path.join(a.out_dir, 'instances_test.json')
    with open(pj, 'w') as f:
        json.dump(preds, f)
    with open(gj, 'w') as f:
        json.dump(gt, f)
    r = subprocess.run([sys.executable, os.path.join(a.ref_dir, 'hmean_ref.py'),
                        '--gt', gj, '--pred', pj, '--mmocr', 'both'],
                       capture_output=True, text=True, check=True)
    with open(os.path.join(a.out_dir, 'hmean.txt'), 'w') as f:
        f.write(r.stdout)
    print(r.stdout)


if __name__ == '__main__':
    main()
