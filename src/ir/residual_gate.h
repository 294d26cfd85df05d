// A gated residual x + x * g rewritten as x * (g + 1): squeeze-excitation
// tails with a skip (PP-OCRv4's RSE layers) then read x once, through one
// multiply that can run as a post-op of the conv making x. Exact in real
// arithmetic; f32 rounds x + x*g and x*(1 + g) differently (within an ulp
// or two of the result).
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace textq {

// Rewrites every Add (no activation) of a value x and of a Mul(x, g) read by
// nothing else (not a graph output), x being read by these two only (and not
// a graph output), into Mul(x, g1) with g1 = Affine(g; 1, 1),
// a new scalar Affine node named "<mul>.plus_one" placed right before the
// Mul. The Mul keeps its name and place and makes the Add's output value; the
// Add goes. x may sit on either side of both ops. `rewritten` (if given)
// receives the Adds' names.
Graph fold_residual_gates(const Graph& graph, std::vector<std::string>* rewritten = nullptr);

}  // namespace textq
