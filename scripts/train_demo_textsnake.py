#!/usr/bin/env python3
"""Train the small demo TextSnake on the synthetic CTW1500-format demo data
(CPU, seeded) and save it in MMOCR 0.x checkpoint layout.

  nice -n 15 /usr/bin/python3 scripts/train_demo_textsnake.py \
      --data build-demo/demo_data/ctw1500 --out demo/textsnake_demo.pth

With --photos DIR (e.g. tests/data/photos) a share --photo-share of the
samples comes from labelled real photos (MMOCR 1.x json, Total-Text txt;
ignored regions masked out of the loss), at --photo-scale times the test
scale. Without --photos the synthetic recipe is unchanged (same random
stream, same losses).

Architecture: ResNet-50 layout (Bottleneck 3-4-6-3, style caffe) with base
width 8 + FPN_UNet(out_channels 16) + TextSnakeHead(16): the 346 state_dict
keys of MMOCR's TextSnake with smaller tensors. See docs/demo_model.md.
"""
import argparse
import collections
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_train.data import load_split, make_sample  # noqa: E402
from demo_train.photos import load_photos  # noqa: E402
from demo_train.loss import textsnake_loss  # noqa: E402
from demo_train.model import TextSnakeNet  # noqa: E402


def init_weights(model):
    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)
    head = model.bbox_head.out_conv
    torch.nn.init.normal_(head.weight, std=0.01)
    with torch.no_grad():  # priors: text/centre rare, radius ~ typical size
        head.bias.copy_(torch.tensor([-2.0, -3.0, 0.0, 1.0, 15.0]))


def lr_at(it, total, base):
    warm = 30
    if it < warm:
        return base * (it + 1) / warm
    return 1e-5 + (base - 1e-5) * 0.5 * (1 + math.cos(math.pi * (it - warm) / (total - warm)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='CTW1500 root with train_images/')
    ap.add_argument('--out', required=True)
    ap.add_argument('--iters', type=int, default=560)
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--crop', type=int, default=224)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--width', type=int, default=8)
    ap.add_argument('--neck', type=int, default=16)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--phase1', type=float, default=0.5,
                    help='fraction of iterations at reduced scale')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--text-crop-prob', type=float, default=0.85,
                    help='share of crops centred near a text line')
    ap.add_argument('--init-from', default=None,
                    help='start from this checkpoint (a second, fine-tuning '
                         'stage with its own schedule)')
    ap.add_argument('--photos', default=None,
                    help='folder of labelled real photos (tests/data/photos)')
    ap.add_argument('--photo-share', type=float, default=0.5,
                    help='fraction of samples drawn from --photos')
    ap.add_argument('--photo-scale', default='0.5,1.5',
                    help='photo scale range, relative to the test scale')
    ap.add_argument('--ckpt-dir', default=None,
                    help='also keep every saved checkpoint here as it_NNNN.pth')
    a = ap.parse_args()
    photo_scale = tuple(float(v) for v in a.photo_scale.split(','))

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    items = load_split(a.data)
    print(f'{len(items)} training images', flush=True)
    photos = load_photos(a.photos) if a.photos else []
    if photos:
        print(f'{len(photos)} labelled photos: '
              f'{sum(len(p[1]) for p in photos)} text polygons, '
              f'{sum(len(p[3]) for p in photos)} ignored', flush=True)
    model = TextSnakeNet(a.width, a.neck)
    init_weights(model)
    if a.init_from:
        model.load_state_dict(torch.load(a.init_from)['state_dict'])
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    t0 = time.time()
    avg = None
    for it in range(a.iters):
        # scale schedule: small scale first (more text per pixel of compute),
        # then the test scale, so radii are learned where they are used
        srange = (0.45, 0.8) if it < a.phase1 * a.iters else (0.8, 1.15)
        xs, ys = [], []
        for _ in range(a.batch):
            # the share draw only exists with photos: synthetic-only runs
            # keep the random stream of the original recipe
            if photos and rng.random() < a.photo_share:
                img, polys, splits, ignores = photos[int(rng.integers(len(photos)))]
                x, y = make_sample(rng, img, polys, a.crop, photo_scale,
                                   a.text_crop_prob, splits, ignores)
            else:
                img, polys = items[int(rng.integers(len(items)))]
                x, y = make_sample(rng, img, polys, a.crop, srange,
                                   a.text_crop_prob)
            xs.append(x)
            ys.append(y)
        x = torch.from_numpy(np.stack(xs))
        y = torch.from_numpy(np.stack(ys))
        for g in opt.param_groups:
            g['lr'] = lr_at(it, a.iters, a.lr)
        losses = textsnake_loss(model(x), y)
        loss = sum(losses.values())
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        vals = {k: float(v) for k, v in losses.items()}
        avg = vals if avg is None else {k: 0.9 * avg[k] + 0.1 * vals[k] for k in vals}
        if it % 10 == 0 or it == a.iters - 1:
            el = time.time() - t0
            print(f'it {it:4d} lr {lr_at(it, a.iters, a.lr):.2e} ' +
                  ' '.join(f'{k} {v:.3f}' for k, v in avg.items()) +
                  f'  {el:.0f}s', flush=True)
        if (it + 1) % 100 == 0 or it == a.iters - 1:
            save(model, a, it + 1, time.time() - t0)
    print(f'done in {time.time() - t0:.0f}s', flush=True)


def save(model, a, iters, seconds):
    sd = collections.OrderedDict((k, v.detach().clone())
                                 for k, v in model.state_dict().items())
    meta = {'note': 'textq demo TextSnake trained on synthetic data '
                    '(scripts/train_demo_textsnake.py); not an MMOCR model',
            'arch': f'ResNet-50 layout (caffe) base width {a.width}, '
                    f'FPN_UNet out_channels {a.neck}, TextSnakeHead',
            'seed': a.seed, 'iters': iters, 'batch': a.batch, 'crop': a.crop,
            'text_crop_prob': str(a.text_crop_prob), 'lr': str(a.lr),
            'init_from': os.path.basename(a.init_from or ''),
            'train_seconds': int(seconds)}
    if a.photos:
        meta.update({
            'note': 'textq demo TextSnake fine-tuned on synthetic data plus '
                    'labelled real photos (scripts/train_demo_textsnake.py '
                    '--photos); not an MMOCR model',
            'photos': a.photos, 'photo_share': str(a.photo_share),
            'photo_scale': a.photo_scale, 'phase1': str(a.phase1),
            'command': ' '.join(sys.argv)})
    tmp = a.out + '.tmp'
    torch.save({'meta': meta, 'state_dict': sd}, tmp)
    os.replace(tmp, a.out)
    if a.ckpt_dir:
        os.makedirs(a.ckpt_dir, exist_ok=True)
        torch.save({'meta': meta, 'state_dict': sd},
                   os.path.join(a.ckpt_dir, f'it_{iters:04d}.pth'))


if __name__ == '__main__':
    main()
