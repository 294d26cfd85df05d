// A GlobalAveragePool of a linear 1x1 convolution's output computed on the
// convolution's input instead: mean(W x + b) = W mean(x) + b. Squeeze-
// excitation blocks after a 1x1 conv (PP-OCRv4's neck: 12 -> 96 channels at
// a quarter of the input's resolution) then average the narrow input, not
// the wide f32 output, and the gate no longer waits for that output. Exact in
// real arithmetic; the f32 sums round differently.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace textq {

// Rewrites every GlobalAveragePool G whose input is made by a Conv C with a
// 1x1 kernel, stride 1, no padding, no dilation, groups 1, no residual and no
// activation: G becomes GlobalAveragePool(C's input) -> an FP32 1x1 Conv with
// C's weights and bias making G's output. C stays for its other readers (or
// goes unread). An INT8 C qualifies only when its input is made by an INT8
// node writing exactly the integers C reads (same type and scale), so that
// mean(x) is the mean C's integers stand for; its new twin has the weights
// dequantized (w_q * weight scale). `rewritten` (if given) receives the
// names of the pools. The new nodes are named "<pool>.input_mean" and
// "<pool>.pointwise".
Graph pool_before_pointwise(const Graph& graph, std::vector<std::string>* rewritten = nullptr);

}  // namespace textq
