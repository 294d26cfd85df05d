// Folds a 1x1 convolution into the linear Conv/ConvTranspose that feeds it
// (docs/quantization.md §5: `quantize` folds the head by default,
// `--fold-pointwise` every such pair; the oneDNN backend folds FP32 pairs
// whose 1x1 makes a graph output, docs/backends.md). With no activation or
// residual between them, B(A(x)) is one convolution with A's window and
// weights B·W_A, bias B·b_A + b_B: exact in real arithmetic, and the
// intermediate map (TextSnake: the 32-channel full-resolution output of
// neck.up_block0.deconv, read only by the head's 1x1 out_conv) never exists.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace textq {

struct FoldedPair {
  std::string producer, pointwise;  // node names; the fused node keeps the producer's name
};

// Folds every pair (A, B) of an FP32 graph where: A is a Conv/ConvTranspose
// with groups 1, no activation and no residual, whose output is not a graph
// output and is read only by B, as B's source; B is a Conv 1x1 with stride 1,
// no padding, no dilation, groups 1 and no residual; and the fused node has no
// more multiply-accumulates per output pixel than the two (B's OC <= A's OC).
// The fused node takes A's name and window, B's output value and activation;
// A's output value is removed (value ids renumbered). Products summed in
// double, stored f32. Pairs are folded from the first node on; `folded` (if
// given) receives the pairs. `accept` (if given) further limits the pairs to
// those it returns true for (A, B).
using FoldFilter = std::function<bool(const Node& producer, const Node& pointwise)>;
Graph fold_pointwise_convs(const Graph& graph, std::vector<FoldedPair>* folded = nullptr, bool only_if_cheaper = true,
                           const FoldFilter& accept = nullptr);

}  // namespace textq
