#!/bin/sh
# Regenerates tests/data/eval/ (MMOCR hmean-iou goldens) and the dataset
# converter goldens under tests/data/datasets/ from the reference harness.
#   sh scripts/make_eval_goldens.sh
# Needs MMOCR source checkouts (MMOCR_SRC = v0.6.1, MMOCR1_SRC = v1.0.1) and
# the shared harness/data (REF_DIR, DATA_DIR, GOLDEN_DIR; defaults below).
set -e
cd "$(dirname "$0")/.."
export MMOCR_SRC=${MMOCR_SRC:-/work/mmocr_src/v0.6.1}
export MMOCR1_SRC=${MMOCR1_SRC:-/work/mmocr_src/v1.0.1}
export REF_DIR=${REF_DIR:-/work/shared/ref}
export DATA_DIR=${DATA_DIR:-/work/shared/data}
export GOLDEN_DIR=${GOLDEN_DIR:-/work/shared/golden}
PY=${PY:-/usr/bin/python3}
# ctw1500-mini: raw layout + the real converters' outputs (shared/golden).
rm -rf tests/data/datasets/ctw1500-mini
mkdir -p tests/data/datasets
cp -r "$GOLDEN_DIR/ctw1500-mini" tests/data/datasets/ctw1500-mini
chmod -R u+w tests/data/datasets/ctw1500-mini
$PY scripts/make_eval_goldens.py

