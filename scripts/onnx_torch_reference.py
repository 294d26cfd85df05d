#!/usr/bin/python3
"""Independent reference runtime for ONNX detectors: interprets the ONNX
graph node by node with torch.nn.functional (written for textq from the ONNX
operator specification; shares no code with textq's C++ importer or kernels).

Why not another runtime: OpenCV DNN 4.6 (python3-opencv) refuses the
three-input Clip of opset 11, and onnx 1.12 (python3-onnx) has no reference
evaluator. This interpreter covers the operators textq's importer accepts
(docs/onnx_import.md); anything else raises.

Sub-commands (run with /usr/bin/python3; needs python3-torch, python3-onnx,
python3-opencv, python3-numpy):
  run     --model M.onnx --input IN.npy --out OUT.npy
          first graph output for an NCHW float32 input
  goldens --model M.onnx --out DIR --limit 320 --stride 2 PHOTO...
          for every photo: PaddleOCR-style input (resize so the long side is
          at most LIMIT and each side a multiple of 32, cv2.INTER_LINEAR, BGR,
          (x / 255 - mean) / std in float32), the model's output subsampled
          every STRIDE pixels -> DIR/<stem>.npy, and DIR/manifest.json with
          the resized size, the sha256 of the resized uint8 BGR bytes (so a
          test can check it rebuilt the same input) and full-map statistics.
"""
import argparse
import hashlib
import json
import os
import sys

import cv2
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def coords(out_len, in_len, scale, mode):
    """ONNX Resize: input coordinate of every output index (float64)."""
    o = np.arange(out_len, dtype=np.float64)
    if mode == "half_pixel":
        return (o + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (o + 0.5) / scale - 0.5 if out_len > 1 else np.zeros(out_len)
    if mode == "align_corners":
        return o * (in_len - 1) / (out_len - 1) if out_len > 1 else np.zeros(out_len)
    if mode == "asymmetric":
        return o / scale
    raise ValueError("coordinate_transformation_mode " + mode)


def nearest_index(x, rule, in_len):
    if rule == "floor":
        i = np.floor(x)
    elif rule == "ceil":
        i = np.ceil(x)
    elif rule == "round_prefer_ceil":
        i = np.floor(x + 0.5)
    else:  # round_prefer_floor
        i = np.ceil(x - 0.5)
    return torch.from_numpy(np.clip(i, 0, in_len - 1).astype(np.int64))


def resize(x, a, scales=None, sizes=None, legacy=False):
    n, c, h, w = x.shape
    if sizes is not None:
        oh, ow = int(sizes[2]), int(sizes[3])
        sh, sw = oh / h, ow / w
    else:
        sh, sw = float(scales[2]), float(scales[3])
        oh, ow = int(np.floor(h * sh)), int(np.floor(w * sw))
    mode = a.get("mode", b"nearest").decode()
    cmode = "asymmetric" if legacy else a.get("coordinate_transformation_mode", b"half_pixel").decode()
    if mode == "nearest":
        rule = "floor" if legacy else a.get("nearest_mode", b"round_prefer_floor").decode()
        iy = nearest_index(coords(oh, h, sh, cmode), rule, h)
        ix = nearest_index(coords(ow, w, sw, cmode), rule, w)
        return x[:, :, iy][:, :, :, ix]
    if mode in ("linear", "bilinear"):
        if cmode in ("half_pixel", "pytorch_half_pixel") and oh > 1 and ow > 1 and abs(sh - oh / h) < 1e-6 and abs(sw - ow / w) < 1e-6:
            return F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)
        if cmode == "align_corners":
            return F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=True)
        # general: explicit bilinear with clamped coordinates
        def axis(out_len, in_len, s):
            xs = np.clip(coords(out_len, in_len, s, cmode), 0, in_len - 1)
            x0 = np.floor(xs).astype(np.int64)
            x1 = np.minimum(x0 + 1, in_len - 1)
            l1 = torch.from_numpy((xs - x0).astype(np.float32))
            return torch.from_numpy(x0), torch.from_numpy(x1), l1
        y0, y1, ly = axis(oh, h, sh)
        x0, x1, lx = axis(ow, w, sw)
        top = x[:, :, y0]
        bot = x[:, :, y1]
        lx = lx.view(1, 1, 1, -1)
        ly = ly.view(1, 1, -1, 1)
        t = top[:, :, :, x0] * (1 - lx) + top[:, :, :, x1] * lx
        b = bot[:, :, :, x0] * (1 - lx) + bot[:, :, :, x1] * lx
        return t * (1 - ly) + b * ly
    raise ValueError("Resize mode " + mode)


def pads2d(p):
    """ONNX [top, left, bottom, right] -> F.pad order (left, right, top, bottom)."""
    return (p[1], p[3], p[0], p[2])


def run(model, x):
    g = model.graph
    opset = max([o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] or [1])
    env = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}
    inputs = [i.name for i in g.input if i.name not in env]
    env[inputs[0]] = torch.from_numpy(x)
    for node in g.node:
        a = attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            y = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
        elif op in ("Identity", "Dropout"):
            y = ins[0]
        elif op == "Conv":
            p = a.get("pads", [0, 0, 0, 0])
            xin = F.pad(ins[0], pads2d(p)) if any(p) else ins[0]
            y = F.conv2d(xin, ins[1], ins[2] if len(ins) > 2 else None, stride=a.get("strides", [1, 1]),
                         dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
        elif op == "ConvTranspose":
            p = a.get("pads", [0, 0, 0, 0])
            assert p[0] == p[2] and p[1] == p[3], "asymmetric deconv pads"
            y = F.conv_transpose2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=a.get("strides", [1, 1]),
                                   padding=(p[0], p[1]), output_padding=a.get("output_padding", [0, 0]),
                                   groups=a.get("group", 1), dilation=a.get("dilations", [1, 1]))
        elif op == "BatchNormalization":
            y = F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], training=False, eps=a.get("epsilon", 1e-5))
        elif op == "Relu":
            y = F.relu(ins[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(ins[0])
        elif op == "HardSigmoid":
            y = torch.clamp(ins[0] * a.get("alpha", 0.2) + a.get("beta", 0.5), 0, 1)
        elif op == "HardSwish":
            y = F.hardswish(ins[0])
        elif op == "Clip":
            if opset < 11:
                lo, hi = a.get("min", -3.4e38), a.get("max", 3.4e38)
            else:
                lo = float(ins[1]) if len(ins) > 1 and ins[1] is not None else -3.4e38
                hi = float(ins[2]) if len(ins) > 2 and ins[2] is not None else 3.4e38
            y = torch.clamp(ins[0], lo, hi)
        elif op in ("Add", "Sub", "Mul", "Div"):
            f = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": torch.div}[op]
            y = f(ins[0], ins[1])
        elif op == "Concat":
            y = torch.cat(ins, dim=a["axis"])
        elif op == "MaxPool":
            p = a.get("pads", [0, 0, 0, 0])
            assert p[0] == p[2] and p[1] == p[3]
            y = F.max_pool2d(ins[0], a["kernel_shape"], a.get("strides", [1, 1]), (p[0], p[1]), a.get("dilations", [1, 1]))
        elif op == "AveragePool":
            p = a.get("pads", [0, 0, 0, 0])
            assert p[0] == p[2] and p[1] == p[3]
            y = F.avg_pool2d(ins[0], a["kernel_shape"], a.get("strides", [1, 1]), (p[0], p[1]),
                             count_include_pad=bool(a.get("count_include_pad", 0)))
        elif op == "GlobalAveragePool":
            y = ins[0].mean(dim=(2, 3), keepdim=True)
        elif op == "Pad":
            if opset < 11:
                p, v = a["pads"], a.get("value", 0.0)
            else:
                p = ins[1].tolist()
                v = float(ins[2]) if len(ins) > 2 and ins[2] is not None else 0.0
            y = F.pad(ins[0], (p[3], p[7], p[2], p[6]), value=v)
        elif op == "Resize":
            if opset < 11:
                y = resize(ins[0], a, scales=ins[1].numpy(), legacy=True)
            else:
                sizes = ins[3] if len(ins) > 3 and ins[3] is not None and ins[3].numel() else None
                scales = ins[2] if sizes is None else None
                y = resize(ins[0], a, scales=None if scales is None else scales.numpy(),
                           sizes=None if sizes is None else sizes.numpy())
        elif op == "Upsample":
            sc = a["scales"] if opset < 9 else ins[1].numpy()
            y = resize(ins[0], a, scales=sc, legacy=True)
        elif op in ("Shape",):
            y = torch.tensor(list(ins[0].shape), dtype=torch.int64)
        elif op in ("Gather",):
            y = torch.index_select(ins[0], a.get("axis", 0), ins[1].reshape(-1)).reshape(ins[1].shape)
        elif op in ("Unsqueeze",):
            axes = a.get("axes") if opset < 13 else ins[1].tolist()
            y = ins[0]
            for ax in sorted(axes):
                y = y.unsqueeze(ax)
        elif op == "Cast":
            y = ins[0].to(torch.float32 if a["to"] in (1, 11, 10) else torch.int64)
        elif op in ("Reshape",):
            y = ins[0].reshape([int(v) for v in ins[1].tolist()])
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = y
    return env[g.output[0].name].numpy()


def paddle_input(path, limit):
    img = cv2.imread(path, cv2.IMREAD_COLOR)  # BGR
    h, w = img.shape[:2]
    ratio = float(limit) / max(h, w) if max(h, w) > limit else 1.0
    rh = max(int(round(int(h * ratio) / 32) * 32), 32)
    rw = max(int(round(int(w * ratio) / 32) * 32), 32)
    small = cv2.resize(img, (rw, rh), interpolation=cv2.INTER_LINEAR)
    x = (small.astype(np.float32) / np.float32(255) - MEAN) / STD  # float32 throughout
    return small, np.ascontiguousarray(x.transpose(2, 0, 1)[None]).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--model", required=True)
    r.add_argument("--input", required=True)
    r.add_argument("--out", required=True)
    gd = sub.add_parser("goldens")
    gd.add_argument("--model", required=True)
    gd.add_argument("--out", required=True)
    gd.add_argument("--limit", type=int, default=320)
    gd.add_argument("--stride", type=int, default=2)
    gd.add_argument("photos", nargs="+")
    args = ap.parse_args()
    torch.set_grad_enabled(False)
    model = onnx.load(args.model)
    if args.cmd == "run":
        np.save(args.out, run(model, np.load(args.input).astype(np.float32)))
        return
    os.makedirs(args.out, exist_ok=True)
    entries = []
    for p in args.photos:
        small, x = paddle_input(p, args.limit)
        y = run(model, x)
        stem = os.path.splitext(os.path.basename(p))[0]
        np.save(os.path.join(args.out, stem + ".npy"), np.ascontiguousarray(y[:, :, ::args.stride, ::args.stride]))
        entries.append({"photo": p, "golden": stem + ".npy", "height": int(x.shape[2]), "width": int(x.shape[3]),
                        "input_sha256": hashlib.sha256(small.tobytes()).hexdigest(),
                        "output_mean": float(y.astype(np.float64).mean()), "output_max": float(y.max()),
                        "output_min": float(y.min())})
        print(f"{p}: input {x.shape[2]}x{x.shape[3]}, output mean {entries[-1]['output_mean']:.6f}", file=sys.stderr)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"model": os.path.basename(args.model), "limit": args.limit, "stride": args.stride,
                   "mean": MEAN.tolist(), "std": STD.tolist(), "photos": entries}, f, indent=1)


if __name__ == "__main__":
    main()
