#!/bin/sh
# Regenerates every fixture of src/textdet's tests from independent references.
#   MMOCR_SRC=/work/mmocr_src/v0.6.1 MMOCR1_SRC=/work/mmocr_src/v1.0.1 \
#   sh scripts/make_textdet_goldens.sh [SHARED_DIR=/work/shared] [RANDOM_CKPT]
# Run from the project root with /usr/bin/python3 (numpy 1.24, skimage 0.19,
# opencv 4.6, torch 1.13). RANDOM_CKPT is the harness's random 0.x checkpoint
# (`textsnake_model.py init --seed 0`); made in a temp dir if not given.
# Outputs: tests/data/textdet/ (inputs) and tests/golden/textdet/ (expected).
set -eu
PY=${PY:-/usr/bin/python3}
SHARED=${1:-/work/shared}
REF=$SHARED/ref
DATA=tests/data/textdet
GOLD=tests/golden/textdet
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$DATA" "$GOLD"
: "${MMOCR_SRC:?set MMOCR_SRC}" "${MMOCR1_SRC:?set MMOCR1_SRC}"

echo "== unit goldens (numpy argsort / sum, skimage skeletonize)"
$PY scripts/textdet_goldens.py units --out "$GOLD"

echo "== real images (copied byte for byte) + a grey PNG"
cp "$SHARED/data/mmocr-demo/demo_text_det.jpg" \
   "$SHARED/data/icdar2015-toy/imgs/test/img_1.jpg" "$SHARED/data/totaltext/imgs/img3.jpg" "$DATA/"
chmod 644 "$DATA"/*.jpg
$PY -c "
import cv2, numpy as np
y, x = np.mgrid[0:45, 0:70]
cv2.imwrite('$DATA/grey_70x45.png', ((x * 3 + y * 5) % 256).astype(np.uint8))"

echo "== harness preprocessing (0.x and 1.x) of those images"
$PY scripts/textdet_goldens.py preprocess --ref "$REF" --out "$GOLD" \
    "$DATA/demo_text_det.jpg" "$DATA/img_1.jpg" \
    "$DATA/img3.jpg" "$DATA/grey_70x45.png"
$PY scripts/textdet_goldens.py sizes --ref "$REF" --out "$GOLD"

echo "== synthetic map + MMOCR decode (shared golden, copied)"
cp "$SHARED/golden/textsnake/pp_synth.pred.npy" "$DATA/pp_synth.pred.npy"
cp "$SHARED/golden/textsnake/pp_synth.json.meta.json" "$DATA/pp_synth.meta.json"
cp "$SHARED/golden/textsnake/pp_synth.json" "$GOLD/pp_synth.json"
chmod 644 "$DATA/pp_synth.pred.npy" "$DATA/pp_synth.meta.json" "$GOLD/pp_synth.json"
$PY "$REF/postprocess_ref.py" --pred "$DATA/pp_synth.pred.npy" --meta "$DATA/pp_synth.meta.json" \
    --out "$GOLD/pp_synth_norescale.json" --mmocr 0 --no-rescale > "$TMP/log"
head -n 1 "$TMP/log"

echo "== random-weight model map (harness forward on a 128x256 crop of its demo input)"
CKPT=${2:-}
if [ -z "$CKPT" ]; then
  CKPT=$TMP/ts_random_0x.pth
  $PY "$REF/textsnake_model.py" init --out "$CKPT" --seed 0
fi
$PY "$REF/textsnake_model.py" make-image --out "$TMP/demo.png"
$PY "$REF/textsnake_model.py" preprocess --image "$TMP/demo.png" --mmocr 0 \
    --out-npy "$TMP/input0.npy" --out-meta "$TMP/meta0.json" > /dev/null
$PY -c "
import numpy as np
x = np.load('$TMP/input0.npy')
np.save('$TMP/crop.npy', np.ascontiguousarray(x[:, :, 64:192, 96:352]))"
$PY "$REF/textsnake_model.py" forward --ckpt "$CKPT" --input "$TMP/crop.npy" \
    --out "$DATA/rand128x256.pred.npy" --mmocr 0 --threads 1
# ori_shape: the crop rescaled by the demo image's factors (300/736, 480/1178)
echo '{"ori_shape": [52, 104], "img_shape": [128, 256], "note": "random-weight model, 128x256 crop of the harness demo input"}' \
    > "$DATA/rand128x256.meta.json"
# Default threshold 0.2 finds nothing on this crop; 0.16 finds 34 instances.
for c in 0.16 0.2; do
  $PY "$REF/postprocess_ref.py" --pred "$DATA/rand128x256.pred.npy" --meta "$DATA/rand128x256.meta.json" \
      --out "$GOLD/rand128x256_c$c.json" --min-center-region-confidence $c > "$TMP/log"
  head -n 2 "$TMP/log"
done
echo "== saturated tie map (every disk score is 1.0f: NumPy's tie order decides the merges)"
$PY scripts/textdet_goldens.py tiemap --out-npy "$DATA/tie64x128.pred.npy" \
    --out-meta "$DATA/tie64x128.meta.json"
$PY "$REF/postprocess_ref.py" --pred "$DATA/tie64x128.pred.npy" --meta "$DATA/tie64x128.meta.json" \
    --out "$GOLD/tie64x128.json" > "$TMP/log"
head -n 2 "$TMP/log"

# Drop what the tests do not read (absolute paths of this run, the 0.x
# boundary_result = polygons + scores again) to keep the fixtures small.
$PY -c "
import json, glob
for p in glob.glob('$GOLD/pp_*.json') + glob.glob('$GOLD/rand*.json') + glob.glob('$GOLD/tie*.json'):
    d = json.load(open(p)); d.pop('pred', None); d.pop('meta', None)
    d.get('mmocr0', {}).pop('boundary_result', None)
    json.dump(d, open(p, 'w'), indent=None, separators=(',', ':'))"
du -sh "$DATA" "$GOLD"
