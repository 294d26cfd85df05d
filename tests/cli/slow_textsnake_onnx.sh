#!/bin/sh
# MMDeploy-style end2end ONNX of the demo TextSnake (the plain network with the
# raw maps as output, exported by torch.onnx.export through
# scripts/textsnake_torch.py export-onnx) converted by `textq convert` must give
# the same maps (max abs <= 1e-4) and the same polygons as `textq convert` of
# the .pth, on the 10 demo test images. Needs /usr/bin/python3 with torch and
# onnx (make deps-python); label slow. Usage: sh tests/cli/slow_textsnake_onnx.sh TEXTQ
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
tmp = sys.argv[1]
worst = 0.0
for f in sorted(glob.glob(os.path.join(tmp, "maps_pth", "*.output.npy"))):
    a, b = np.load(f), np.load(f.replace("maps_pth", "maps_onnx"))
    assert a.shape == b.shape, (f, a.shape, b.shape)
    worst = max(worst, float(np.abs(a - b).max()))
pa = json.load(open(os.path.join(tmp, "pth.json")))["predictions"]
pb = json.load(open(os.path.join(tmp, "onnx.json")))["predictions"]
npoly = sum(len(p["polygons"]) for p in pa)
same = all(x["polygons"] == y["polygons"] for x, y in zip(pa, pb)) and len(pa) == len(pb)
dscore = max(abs(s - t) for x, y in zip(pa, pb) for s, t in zip(x["scores"], y["scores"]))
print(f"{len(pa)} images: raw maps max abs {worst:.3g}; {npoly} polygons, identical: {same}; scores max abs {dscore:.3g}")
sys.exit(0 if same and worst <= 1e-4 and dscore <= 1e-4 else 1)
PY
