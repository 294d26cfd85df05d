// Simplifications of an imported graph, each exact up to f32 rounding
// (docs/onnx_import.md, "Simplifications"):
//  1. an Affine (BatchNormalization, constant Mul/Add/Sub/Div) right after a
//     Conv/ConvTranspose whose output nothing else reads folds into its
//     weights and bias: w' = w * a[oc], b' = b * a[oc] + s[oc];
//  2. an Add of a conv output nothing else reads and another tensor becomes
//     the conv's residual input; then a Relu after a Conv/ConvTranspose/Add
//     whose output nothing else reads becomes that node's activation;
//  3. x * Clip(x + 3, 0, 6) / 6 and x * HardSigmoid(x; 1/6, 1/2) become one
//     HardSwish node;
//  4. consecutive Affine nodes merge into one;
//  5. an Affine whose every reader is an unpadded Conv folds into those convs
//     (zero padding would make the shift wrong at the border, so padded convs
//     keep it): w' = w * a[ic], b' = b + sum w * s[ic];
//  6. nodes whose output nothing reads are dropped and value ids compacted.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace textq {

// Rewrites `graph` in place; returns one line per simplification that fired,
// e.g. "12 Affine (BatchNormalization / constant Mul, Add, Sub, Div) folded into the preceding conv".
std::vector<std::string> simplify_imported_graph(Graph& graph);

}  // namespace textq
