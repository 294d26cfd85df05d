#!/bin/sh
# Installs textq's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are skipped, so a second run is quick.
# Usage: scripts/install_deps.sh [--python] [--browser] [--fuzz] [--test]
#   --python   the tools that make golden data and train the demo model
#   --browser  headless Chromium, for the test that renders the HTML report
#   --fuzz     clang with libFuzzer, for `make fuzz`
#   --test     pytest, Dask distributed and OpenCV's Python module, for the Python tests of `make test`
set -eu

build_pkgs="build-essential cmake pkg-config libdnnl-dev libopencv-dev libjpeg-dev libgeos-dev libzip-dev \
libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev \
libonnx-dev libprotobuf-dev protobuf-compiler libpolyclipping-dev pybind11-dev python3-dev python3-numpy"
python_pkgs="python3-torch python3-onnx python3-numpy python3-opencv python3-shapely python3-skimage python3-pil \
python3-scipy python3-pyclipper fonts-dejavu-core fonts-dejavu-extra"

browser_pkgs="chromium"
# the Python module's tests (pytest) and the Dask example's test
test_pkgs="python3-pytest python3-distributed python3-opencv"
fuzz_pkgs="clang libclang-rt-14-dev"

want="$build_pkgs"
for arg in "$@"; do
  case "$arg" in
    --python) want="$want $python_pkgs" ;;
    --browser) want="$want $browser_pkgs" ;;
    --fuzz) want="$want $fuzz_pkgs" ;;
    --test) want="$want $test_pkgs" ;;
    *) echo "install_deps: unknown option $arg (expected --python, --browser, --fuzz or --test)" >&2; exit 1 ;;
  esac
done

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install_deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
