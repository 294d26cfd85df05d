#!/bin/sh
# MMDeploy-style end2end ONNX of the demo TextSnake (the plain network with the
# raw maps as output, exported by torch.onnx.export through
# scripts/textsnake_torch.py export-onnx) converted by `textq convert` must give
# the same maps (max abs <= 1e-4) and the same polygons as `textq convert` of
# the .pth, on the 60 demo test images. torch.onnx folds BatchNorm into the
# conv weights with its own float rounding and `convert` folds the .pth's in
# its own, so the two maps differ by ~1e-5 (7.6e-6 on the reference backend)
# and a contour can move by a pixel where the score map crosses a threshold
# (seen on an AVX2 CPU: one polygon of 304 with 350 vertices against 348):
# "the same polygons" is the same count per image, scores within 1e-4 and
# each polygon's IoU with its counterpart >= 0.99. Needs /usr/bin/python3 with
# torch, onnx and shapely (make deps-python); label slow.
# Usage: sh tests/cli/slow_textsnake_onnx.sh TEXTQ
set -eu
TEXTQ=${1:?usage: slow_textsnake_onnx.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 scripts/textsnake_torch.py export-onnx --ckpt demo/textsnake_demo.pth --out "$TMP/end2end.onnx"
"$TEXTQ" convert "$TMP/end2end.onnx" -o "$TMP/onnx.textq"
"$TEXTQ" -q convert demo/textsnake_demo.pth -o "$TMP/pth.textq"
IMGS=$(ls demo/ctw1500/test_images/*.jpg)
"$TEXTQ" -q detect "$TMP/pth.textq" $IMGS -o "$TMP/pth.json" --save-maps "$TMP/maps_pth"
"$TEXTQ" -q detect "$TMP/onnx.textq" $IMGS -o "$TMP/onnx.json" --save-maps "$TMP/maps_onnx"
/usr/bin/python3 - "$TMP" <<'PY'
import glob, json, os, sys
import numpy as np
from shapely.geometry import Polygon
tmp = sys.argv[1]
worst = 0.0
for f in sorted(glob.glob(os.path.join(tmp, "maps_pth", "*.output.npy"))):
    a, b = np.load(f), np.load(f.replace("maps_pth", "maps_onnx"))
    assert a.shape == b.shape, (f, a.shape, b.shape)
    worst = max(worst, float(np.abs(a - b).max()))
pa = json.load(open(os.path.join(tmp, "pth.json")))["predictions"]
pb = json.load(open(os.path.join(tmp, "onnx.json")))["predictions"]
npoly = sum(len(p["polygons"]) for p in pa)
counts = len(pa) == len(pb) and all(len(x["polygons"]) == len(y["polygons"]) for x, y in zip(pa, pb))
def iou(p, q):
    a = Polygon(list(zip(p[0::2], p[1::2]))).buffer(0)
    b = Polygon(list(zip(q[0::2], q[1::2]))).buffer(0)
    union = a.union(b).area
    return a.intersection(b).area / union if union > 0 else 1.0
pairs = [(p, q) for x, y in zip(pa, pb) for p, q in zip(x["polygons"], y["polygons"])]
identical = sum(p == q for p, q in pairs)
min_iou = min((iou(p, q) for p, q in pairs), default=1.0)
dscore = max((abs(s - t) for x, y in zip(pa, pb) for s, t in zip(x["scores"], y["scores"])), default=0.0)
print(f"{len(pa)} images: raw maps max abs {worst:.3g}; {npoly} polygons, same counts: {counts}, "
      f"{identical} identical, min IoU {min_iou:.4f}; scores max abs {dscore:.3g}")
sys.exit(0 if counts and min_iou >= 0.99 and worst <= 1e-4 and dscore <= 1e-4 else 1)
PY
