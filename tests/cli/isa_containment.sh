#!/bin/sh
# AVX-512 code runs only behind a CPU check. The kernel files compiled with
# AVX-512 flags (CMakeLists.txt) also instantiate inline functions of shared
# headers; if the linker kept such a file's copy of one (an ordinary weak
# definition), baseline code would execute AVX-512 instructions on a CPU
# without them (SIGILL, and only on such a CPU). So every function of the
# linked program (and of libtextq.so next to it; the Python module links the
# same objects but is stripped, so its functions cannot be told apart) that
# holds an AVX-512 instruction must be private to its file (anonymous namespace), a
# multiversioned clone (`[clone .avx512…]`, chosen by the loader), or one of
# the kernel entry points below, which their callers reach only after the
# check (`*_supported()`, `winograd_f43_run`). AVX-512 instructions: any
# zmm, opmask (k0-k7) or xmm/ymm 16-31 operand, or an EVEX-only mnemonic.
# Needs objdump (binutils).
# Usage: sh tests/cli/isa_containment.sh path/to/textq
set -u
TEXTQ=${1:?usage: isa_containment.sh TEXTQ_BINARY}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/cli/lib/checks.sh
command -v objdump > /dev/null || fail "objdump not found (binutils)"

ENTRY_POINTS='winograd_f43_run_avx512|winograd_f43_run_bf16|winograd_f43_run_bf16_gemm|conv_int8_stem_run|conv_int8_narrow_run|deconv_k4s2_int8_run|concat_channels|copy_pixels_strided|quantize_planes'
AVX512='%zmm|%k[0-7]|%[xy]mm(1[6-9]|2[0-9]|3[01])|vpternlog|vpermt2|vpermi2|vpdpbusd|vpdpwssd|vdpbf16ps|vcvtne2?ps2bf16|vpmovu?s?[dwq][bwd] |vpcompress|vpexpand|vpconflict|vplzcnt|vpbroadcastm|vpmullq|vpsraq|vpabsq|vp(max|min)[su]q|vrcp14|vrsqrt14|vscalef|vgetexp|vgetmant|vfpclass|vrange|vreduce|v(extract|insert)[fi]64x|vshuf[fi](32x4|64x2)|valign[dq]'

binaries="$TEXTQ"
dir=$(dirname "$TEXTQ")
[ -f "$dir/libtextq.so" ] && binaries="$binaries $dir/libtextq.so"
for b in $binaries; do
  objdump -d --no-show-raw-insn -C "$b" > "$TMP/dis" || fail "objdump -d $b"
  # One line per function that holds an AVX-512 instruction: its demangled name.
  awk -v pat="$AVX512" '/^[0-9a-f]+ <.*>:$/ { fn = $0; seen = 0; next }
                        !seen && $0 ~ pat { sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn); print fn; seen = 1 }' \
    "$TMP/dis" > "$TMP/with_avx512"
  [ -s "$TMP/with_avx512" ] || fail "$b: no function with AVX-512 instructions found: is the pattern still right?"
  grep -v -E "\(anonymous namespace\)|\[clone \.avx512|^textq::onednn::($ENTRY_POINTS)\(" "$TMP/with_avx512" \
    > "$TMP/outside" || true
  [ -s "$TMP/outside" ] && fail "$b: AVX-512 instructions outside the checked kernels (callable on any CPU): $(head -n 5 "$TMP/outside" | tr '\n' ';')"
  echo "$b: $(wc -l < "$TMP/with_avx512") functions with AVX-512 instructions, all behind a CPU check"
done
