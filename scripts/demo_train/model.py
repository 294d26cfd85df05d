"""Small TextSnake (ResNet-50-style backbone of reduced width + FPN_UNet + head)
whose state_dict keys are exactly those of MMOCR 0.x's TextSnake
(`backbone.` / `neck.` / `bbox_head.`, 346 tensors); only the channel counts
are smaller. Written from the MMOCR/mmdet architecture description in
shared/spec/textsnake.md §2; no MMOCR code is imported here.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

STAGE_BLOCKS = (3, 4, 6, 3)  # depth 50


class Bottleneck(nn.Module):
    """mmdet Bottleneck, style='caffe': the stage stride sits on conv1 (1x1)."""

    def __init__(self, inplanes, planes, stride, with_downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if with_downsample:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        idt = x if self.downsample is None else self.downsample(x)
        return F.relu(out + idt)


class ResNet(nn.Module):
    """ResNet-50 layout with base width `width` (64 = the real model)."""

    def __init__(self, width):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        inplanes = width
        self.out_channels = []
        for i, n in enumerate(STAGE_BLOCKS):
            planes = width * 2 ** i
            stride = 1 if i == 0 else 2
            blocks = [Bottleneck(inplanes, planes, stride, True)]
            inplanes = planes * 4
            blocks += [Bottleneck(inplanes, planes, 1, False)
                       for _ in range(1, n)]
            self.add_module(f'layer{i + 1}', nn.Sequential(*blocks))
            self.out_channels.append(inplanes)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        outs = []
        for i in range(4):
            x = getattr(self, f'layer{i + 1}')(x)
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
    """MMOCR FPN_UNet channel rule: block outs [c, c, 2c, 4c, 8c] capped at
    256; block ins [outs[1], in0+outs[2], in1+outs[3], in2+outs[4], in3]."""

    def __init__(self, in_channels, out_channels=32):
        super().__init__()
        outs = [out_channels] + [min(out_channels * 2 ** i, 256)
                                 for i in range(4)]
        ins = [outs[1]] + [in_channels[i] + outs[i + 2]
                           for i in range(3)] + [in_channels[3]]
        self.up4 = nn.ConvTranspose2d(ins[4], outs[4], 4, stride=2, padding=1)
        self.up_block3 = UpBlock(ins[3], outs[3])
        self.up_block2 = UpBlock(ins[2], outs[2])
        self.up_block1 = UpBlock(ins[1], outs[1])
        self.up_block0 = UpBlock(ins[0], outs[0])

    def forward(self, feats):
        c2, c3, c4, c5 = feats
        x = F.relu(self.up4(c5))
        x = F.relu(self.up_block3(torch.cat([x, c4], 1)))
        x = F.relu(self.up_block2(torch.cat([x, c3], 1)))
        x = F.relu(self.up_block1(torch.cat([x, c2], 1)))
        return self.up_block0(x)


class TextSnakeHead(nn.Module):
    def __init__(self, in_channels=32):
        super().__init__()
        self.out_conv = nn.Conv2d(in_channels, 5, 1)

    def forward(self, x):
        return self.out_conv(x)


class TextSnakeNet(nn.Module):
    def __init__(self, width=16, neck_channels=32):
        super().__init__()
        self.backbone = ResNet(width)
        self.neck = FPNUNet(self.backbone.out_channels, neck_channels)
        self.bbox_head = TextSnakeHead(neck_channels)

    def forward(self, x):
        return self.bbox_head(self.neck(self.backbone(x)))
