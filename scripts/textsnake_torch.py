#!/usr/bin/python3
"""PyTorch oracle for textq's TextSnake graph (written for textq from the spec,
/work/shared/spec/textsnake.md sections 2-3; not MMOCR's code).

ResNet (mmdet naming; depth 18/34/50/101/152; any base width; style 'caffe'
= stride on the Bottleneck's 1x1 conv1, 'pytorch' = on its 3x3 conv2)
+ FPN_UNet(in_channels = backbone channels, out_channels)
+ TextSnake head (out_conv 1x1 -> 5 channels, raw output).
State_dict names equal MMOCR's (head prefix bbox_head for 0.x, det_head for 1.x).

Sub-commands (run with /usr/bin/python3):
  keys      [--depth 50 --width 64 --neck-out 32 --prefix bbox_head]
            print "name shape dtype" lines; --check-spec also asserts the
            spec's counts for depth 50 width 64 (346 entries, parameter totals)
  make      --out CKPT [--depth --width --neck-out --style --prefix --seed]
            random model with non-trivial BN statistics, saved as
            torch.save({'meta': {...}, 'state_dict': OrderedDict}) (MMOCR layout)
  export-onnx --ckpt CKPT --out MODEL.onnx [--opset 11] [--size HxW] [--style caffe|pytorch]
            the plain network as MMDeploy exports it for end2end.onnx
            (torch.onnx.export, raw head maps as the output, dynamic N, H, W;
            with --size, a fixed 1x3xHxW input, for engines that want one: bench/)
  forward   --ckpt CKPT --input IN.npy --out OUT.npy [--style caffe|pytorch]
            raw head output (N,5,H,W) float32; the architecture is read from
            the state_dict shapes, the style from the option or meta['textq_arch']
"""
import argparse
import collections
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCKS = {18: ('basic', (2, 2, 2, 2)), 34: ('basic', (3, 4, 6, 3)),
          50: ('bottleneck', (3, 4, 6, 3)), 101: ('bottleneck', (3, 4, 23, 3)),
          152: ('bottleneck', (3, 8, 36, 3))}


def conv_bn(cin, cout, k, stride, pad):
    return (nn.Conv2d(cin, cout, k, stride=stride, padding=pad, bias=False),
            nn.BatchNorm2d(cout, eps=1e-5))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride, style, downsample):
        super().__init__()
        # BasicBlock ignores the style: the stride is always on conv1 (3x3).
        self.conv1, self.bn1 = conv_bn(inplanes, planes, 3, stride, 1)
        self.conv2, self.bn2 = conv_bn(planes, planes, 3, 1, 1)
        self.downsample = downsample

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        idt = x if self.downsample is None else self.downsample(x)
        return F.relu(y + idt)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride, style, downsample):
        super().__init__()
        s1, s2 = (stride, 1) if style == 'caffe' else (1, stride)
        self.conv1, self.bn1 = conv_bn(inplanes, planes, 1, s1, 0)
        self.conv2, self.bn2 = conv_bn(planes, planes, 3, s2, 1)
        self.conv3, self.bn3 = conv_bn(planes, planes * 4, 1, 1, 0)
        self.downsample = downsample

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        idt = x if self.downsample is None else self.downsample(x)
        return F.relu(y + idt)


class ResNet(nn.Module):
    def __init__(self, depth=50, width=64, style='caffe'):
        super().__init__()
        kind, counts = BLOCKS[depth]
        block = Bottleneck if kind == 'bottleneck' else BasicBlock
        self.conv1, self.bn1 = conv_bn(3, width, 7, 2, 3)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        inplanes = width
        self.out_channels = []
        for i, n in enumerate(counts):
            planes = width * 2 ** i
            stride = 1 if i == 0 else 2
            layers = []
            for b in range(n):
                s = stride if b == 0 else 1
                ds = None
                if b == 0 and (s != 1 or inplanes != planes * block.expansion):
                    ds = nn.Sequential(*conv_bn(inplanes, planes * block.expansion, 1, s, 0))
                layers.append(block(inplanes, planes, s, style, ds))
                inplanes = planes * block.expansion
            setattr(self, 'layer%d' % (i + 1), nn.Sequential(*layers))
            self.out_channels.append(inplanes)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        outs = []
        for i in range(4):
            x = getattr(self, 'layer%d' % (i + 1))(x)
            outs.append(x)
        return outs


class UpBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1x1 = nn.Conv2d(cin, cin, 1)
        self.conv3x3 = nn.Conv2d(cin, cout, 3, padding=1)
        self.deconv = nn.ConvTranspose2d(cout, cout, 4, stride=2, padding=1)

    def forward(self, x):
        return self.deconv(F.relu(self.conv3x3(F.relu(self.conv1x1(x)))))


class FPNUNet(nn.Module):
    def __init__(self, in_channels, out_channels=32):
        super().__init__()
        bo = [out_channels] + [min(out_channels * 2 ** i, 256) for i in range(4)]
        bi = [bo[1]] + [in_channels[i] + bo[i + 2] for i in range(3)] + [in_channels[3]]
        self.up4 = nn.ConvTranspose2d(bi[4], bo[4], 4, stride=2, padding=1)
        for i in (3, 2, 1, 0):
            setattr(self, 'up_block%d' % i, UpBlock(bi[i], bo[i]))

    def forward(self, feats):
        c2, c3, c4, c5 = feats
        x = F.relu(self.up4(c5))
        x = F.relu(self.up_block3(torch.cat([x, c4], 1)))
        x = F.relu(self.up_block2(torch.cat([x, c3], 1)))
        x = F.relu(self.up_block1(torch.cat([x, c2], 1)))
        return self.up_block0(x)


class Head(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.out_conv = nn.Conv2d(cin, 5, 1)

    def forward(self, x):
        return self.out_conv(x)


class TextSnake(nn.Module):
    def __init__(self, depth=50, width=64, neck_out=32, style='caffe', prefix='bbox_head'):
        super().__init__()
        self.backbone = ResNet(depth, width, style)
        self.neck = FPNUNet(self.backbone.out_channels, neck_out)
        self.head_name = prefix
        setattr(self, prefix, Head(neck_out))

    def forward(self, x):
        return getattr(self, self.head_name)(self.neck(self.backbone(x)))


def arch_from_state_dict(sd):
    """depth, width, neck_out, prefix from names and shapes (same rules as the C++ builder)."""
    prefix = 'bbox_head' if 'bbox_head.out_conv.weight' in sd else 'det_head'
    width = sd['backbone.conv1.weight'].shape[0]
    bottleneck = 'backbone.layer1.0.conv3.weight' in sd
    counts = []
    for s in range(1, 5):
        n = 0
        while 'backbone.layer%d.%d.conv1.weight' % (s, n) in sd:
            n += 1
        counts.append(n)
    depth = [d for d, (k, c) in BLOCKS.items()
             if (k == 'bottleneck') == bottleneck and tuple(counts) == c][0]
    return dict(depth=depth, width=width, neck_out=sd[prefix + '.out_conv.weight'].shape[1], prefix=prefix)


def randomize(model, seed):
    """Seeded weights: He-scaled convs, non-zero biases, non-trivial BN stats
    chosen so activations stay O(1) through a deep ResNet."""
    g = torch.Generator().manual_seed(seed)

    def rnd(shape, lo, hi):
        return torch.rand(shape, generator=g) * (hi - lo) + lo

    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                fan_in = m.weight[0].numel() if isinstance(m, nn.Conv2d) else \
                    m.weight.shape[0] * m.weight.shape[2] * m.weight.shape[3] / 4
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(rnd(m.bias.shape, -0.1, 0.1))
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(rnd(c, -0.3, 0.3))
                m.running_var.copy_(rnd(c, 0.5, 2.0))
                last = name.endswith('bn3') or name.endswith('downsample.1') or \
                    (name.endswith('bn2') and isinstance(model.backbone.layer1[0], BasicBlock))
                m.weight.copy_(rnd(c, 0.2, 0.5) if last else rnd(c, 0.6, 1.4))
                m.bias.copy_(rnd(c, -0.2, 0.2))
                m.num_batches_tracked.fill_(int(torch.randint(1, 100000, (1,), generator=g)))
        head = getattr(model, model.head_name).out_conv
        head.bias.copy_(torch.tensor([0.0, -1.0, 0.05, -0.05, 2.0]))


def make_checkpoint(path, depth, width, neck_out, style, prefix, seed, legacy=False):
    model = TextSnake(depth, width, neck_out, style, prefix).eval()
    randomize(model, seed)
    meta = {'textq_arch': dict(depth=depth, width=width, neck_out=neck_out, style=style,
                               prefix=prefix, seed=seed)}
    torch.save({'meta': meta, 'state_dict': model.state_dict()}, path,
               _use_new_zipfile_serialization=not legacy)
    return model


def load_model(ckpt, style=None):
    obj = torch.load(ckpt, map_location='cpu')
    sd = obj['state_dict']
    arch = arch_from_state_dict(sd)
    meta = obj.get('meta') or {}
    if style is None:
        style = (meta.get('textq_arch') or {}).get('style', 'caffe')
    model = TextSnake(arch['depth'], arch['width'], arch['neck_out'], style, arch['prefix'])
    model.load_state_dict(sd, strict=True)
    return model.eval()


def forward(model, x):
    with torch.no_grad():
        return model(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))).numpy()


def check_spec_counts(model):
    """Spec section 2.3 / Appendix A facts for depth 50 width 64."""
    sd = model.state_dict()
    n_float = sum(1 for v in sd.values() if v.dtype == torch.float32)
    n_i64 = sum(1 for v in sd.values() if v.dtype == torch.int64)
    assert len(sd) == 346 and n_float == 293 and n_i64 == 53, (len(sd), n_float, n_i64)
    count = lambda p: sum(v.numel() for k, v in model.named_parameters() if k.startswith(p))
    assert count('backbone.') == 23508032, count('backbone.')
    assert count('neck.') == 12848096, count('neck.')
    assert count(model.head_name + '.') == 165
    stats = sum(v.numel() for k, v in sd.items() if 'running_' in k)
    assert stats == 53120, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    for name in ('keys', 'make'):
        p = sub.add_parser(name)
        p.add_argument('--depth', type=int, default=50, choices=sorted(BLOCKS))
        p.add_argument('--width', type=int, default=64)
        p.add_argument('--neck-out', type=int, default=32)
        p.add_argument('--style', default='caffe', choices=['caffe', 'pytorch'])
        p.add_argument('--prefix', default='bbox_head', choices=['bbox_head', 'det_head'])
        if name == 'keys':
            p.add_argument('--check-spec', action='store_true')
        else:
            p.add_argument('--out', required=True)
            p.add_argument('--seed', type=int, default=0)
            p.add_argument('--legacy-format', action='store_true')
    p = sub.add_parser('export-onnx')
    p.add_argument('--ckpt', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--opset', type=int, default=11)
    p.add_argument('--size', help='fixed HxW input instead of dynamic axes')
    p.add_argument('--style', choices=['caffe', 'pytorch'])
    p = sub.add_parser('forward')
    p.add_argument('--ckpt', required=True)
    p.add_argument('--input', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--style', choices=['caffe', 'pytorch'])
    a = ap.parse_args()
    torch.set_num_threads(2)

    if a.cmd == 'keys':
        model = TextSnake(a.depth, a.width, a.neck_out, a.style, a.prefix)
        if a.check_spec:
            check_spec_counts(model)
        for k, v in model.state_dict().items():
            print('%-48s %-22s %s' % (k, list(v.shape), str(v.dtype).replace('torch.', '')))
    elif a.cmd == 'export-onnx':
        model = load_model(a.ckpt, a.style)
        h, w = (int(v) for v in a.size.lower().split('x')) if a.size else (64, 96)
        dynamic = None if a.size else {'input': {0: 'n', 2: 'h', 3: 'w'}, 'output': {0: 'n', 2: 'h', 3: 'w'}}
        torch.onnx.export(model, torch.zeros(1, 3, h, w), a.out, opset_version=a.opset, input_names=['input'],
                          output_names=['output'], dynamic_axes=dynamic,
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    elif a.cmd == 'make':
        make_checkpoint(a.out, a.depth, a.width, a.neck_out, a.style, a.prefix, a.seed, a.legacy_format)
    else:
        out = forward(load_model(a.ckpt, a.style), np.load(a.input))
        np.save(a.out, out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
