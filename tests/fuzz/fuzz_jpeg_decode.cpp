// libFuzzer target: jpeg_decode (entry point and invariants in fuzz_entries.h).
#include "fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  textq::fuzz::run_jpeg_decode(data, size);
  return 0;
}
