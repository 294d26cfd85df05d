// What the machine offers, for benchmark records: ISA and thread count.
#pragma once

#include <string>

namespace textq {

// The ISA oneDNN dispatches to, e.g. "avx512_core_vnni" (from the oneDNN backend).
std::string cpu_isa_name();
// Threads a run will use: `requested` if > 0, else the OpenMP default.
int effective_threads(int requested);

}  // namespace textq
