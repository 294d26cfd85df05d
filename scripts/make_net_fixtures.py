#!/usr/bin/python3
"""Makes the TextSnake network fixtures (checkpoints + inputs + PyTorch outputs).

  /usr/bin/python3 scripts/make_net_fixtures.py --out tests/data/network
      small checkpoints committed for tests/golden/network (< 3 MB in total)
  /usr/bin/python3 scripts/make_net_fixtures.py --r50-full DIR
      a full ResNet-50 (width 64, caffe, bbox_head) TextSnake checkpoint and
      two inputs (256x384 and 736x1184 = the padded 1178x736 of a 480x300
      image), used by tests/slow/network_r50 at test time (too big to commit),
      plus the committed demo checkpoint's output on a 736x1280 input

Outputs come from scripts/textsnake_torch.py (PyTorch 1.13, float32, CPU), an
implementation independent of textq's C++ graph builder and kernels.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textsnake_torch as ts  # noqa: E402

# name: (depth, width, neck_out, style, prefix, legacy pickle format, input sizes)
SMALL = {
    'r50w4_caffe_0x': (50, 4, 4, 'caffe', 'bbox_head', False, ['1x64x96', '1x96x128', '1x32x192']),
    'r18w4_caffe_1x': (18, 4, 4, 'caffe', 'det_head', True, ['2x32x64', '1x64x96']),
    'r50w2_pytorch_0x': (50, 2, 4, 'pytorch', 'bbox_head', False, ['1x64x96']),
}


def make_input(n, h, w, seed, valid_h=None, valid_w=None):
    """Values in the range of a normalised image; zero padding at the
    bottom/right as MMOCR's Pad (valid_h/valid_w = size before padding)."""
    rng = np.random.RandomState(seed)
    x = rng.uniform(-2.1, 2.6, size=(n, 3, h, w)).astype(np.float32)
    # Smooth it a little so it looks more like an image than white noise.
    x = (x + np.roll(x, 1, axis=2) + np.roll(x, 1, axis=3)) / 3
    x = x.astype(np.float32)
    if valid_h is None:
        valid_h, valid_w = h - h // 10, w - w // 12
    x[:, :, valid_h:, :] = 0
    x[:, :, :, valid_w:] = 0
    return x


def parse_size(s):
    n, h, w = (int(v) for v in s.split('x'))
    return n, h, w


def make_small(out):
    os.makedirs(out, exist_ok=True)
    inputs = {}
    manifest = {}
    for seed, (name, (depth, width, neck_out, style, prefix, legacy, sizes)) in enumerate(SMALL.items()):
        ckpt = os.path.join(out, name + '.pth')
        model = ts.make_checkpoint(ckpt, depth, width, neck_out, style, prefix, seed=100 + seed, legacy=legacy)
        model = ts.load_model(ckpt, style)  # round-trip through torch.load
        outs = []
        for s in sizes:
            if s not in inputs:
                n, h, w = parse_size(s)
                inputs[s] = make_input(n, h, w, seed=len(inputs))
                np.save(os.path.join(out, 'input_%s.npy' % s), inputs[s])
            y = ts.forward(model, inputs[s])
            np.save(os.path.join(out, '%s_out_%s.npy' % (name, s)), y)
            outs.append(dict(input='input_%s.npy' % s, output='%s_out_%s.npy' % (name, s),
                             abs_max=float(np.abs(y).max()), abs_mean=float(np.abs(y).mean())))
        manifest[name] = dict(depth=depth, width=width, neck_out=neck_out, style=style, head_prefix=prefix,
                              legacy_format=legacy, runs=outs)
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print('wrote %s: %.2f MB' % (out, total / 1e6))


def make_r50(out):
    os.makedirs(out, exist_ok=True)
    ckpt = os.path.join(out, 'r50.pth')
    ts.make_checkpoint(ckpt, 50, 64, 32, 'caffe', 'bbox_head', seed=7)
    model = ts.load_model(ckpt, 'caffe')
    runs = [(256, 384, 240, 370), (736, 1184, 736, 1178)]  # (Hp, Wp, valid h, valid w)
    for i, (h, w, vh, vw) in enumerate(runs):
        x = make_input(1, h, w, seed=50 + i, valid_h=vh, valid_w=vw)
        np.save(os.path.join(out, 'input_%dx%d.npy' % (h, w)), x)
        y = ts.forward(model, x)
        np.save(os.path.join(out, 'out_%dx%d.npy' % (h, w)), y)
        print('%dx%d: |out| max %.3f mean %.4f' % (h, w, np.abs(y).max(), np.abs(y).mean()))
    # The committed demo checkpoint (demo/textsnake_demo.pth) at the demo's bench size.
    demo = ts.load_model(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'demo', 'textsnake_demo.pth'))
    x = make_input(1, 736, 1280, seed=60)
    np.save(os.path.join(out, 'demo_input_736x1280.npy'), x)
    y = ts.forward(demo, x)
    np.save(os.path.join(out, 'demo_out_736x1280.npy'), y)
    print('demo 736x1280: |out| max %.3f mean %.4f' % (np.abs(y).max(), np.abs(y).mean()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', help='folder for the small committed fixtures')
    ap.add_argument('--r50-full', help='folder for the full ResNet-50 fixture (slow test)')
    a = ap.parse_args()
    torch.set_num_threads(2)
    if not a.out and not a.r50_full:
        ap.error('give --out and/or --r50-full')
    if a.out:
        make_small(a.out)
    if a.r50_full:
        make_r50(a.r50_full)
    return 0


if __name__ == '__main__':
    sys.exit(main())
