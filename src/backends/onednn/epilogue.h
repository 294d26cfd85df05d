// Elementwise nodes run as post-ops of the node before them
// (OneDnnTuning::fuse_epilogues): a conv's chain of unary ops, or an Add /
// Mul's chain of Adds. ONNX detectors put chains such as
// Conv -> HardSwish -> Affine between their convolutions (PP-LCNetV3's
// learnable affine blocks); run node by node, every link reads and writes the
// whole map in f32, and an INT8 reader then quantizes it again. As post-ops
// the chain costs nothing extra, and when every reader of its result is an
// INT8 conv taking the same type and scale, the fused conv writes those
// integers directly (a final eltwise_linear by 1 / scale, then oneDNN's
// round-and-saturate: the reader's own quantizing reorder, moved). The same
// holds for a squeeze-excitation tail, x * gate + x (+ the FPN's upsampled
// map): one binary primitive with binary_add post-ops instead of two or three
// passes; or, when the gate does not depend on x (the pool moved before a
// 1x1, ir/pool_before_pointwise.h), x * (gate + 1) + up as binary post-ops
// of the conv making x (OneDnnTuning::conv_binary_epilogues).
#pragma once

#include <unordered_map>
#include <vector>

#include "backends/onednn/onednn_common.h"
#include "ir/graph.h"

namespace textq::onednn {

struct Epilogue {
  std::vector<size_t> nodes;  // absorbed node indices, in graph order; a prefix of k writes nodes[k-1]'s output
  std::vector<int> operands;  // per link: its other input (Add, Mul), or -1 (unary links)
};

// The longest chain after node ni: each link is an FP32 Sigmoid, HardSigmoid,
// HardSwish, Clip or Affine, or (with `binary_links`) a Mul or an Add without
// activation whose other input is made before node ni and is not the chain's
// own value; each link the only reader of the value before it, which is not a
// graph output; neither is the chain's result. Empty (no nodes) when ni is
// not a Conv without residual or nothing follows it that way. Whether a
// binary link's operand has a shape a post-op can read is the lowering's
// call. `readers` is graph.readers().
Epilogue find_conv_epilogue(const Graph& graph, size_t ni, const std::vector<std::vector<size_t>>& readers,
                            bool binary_links = false);

// The chain after the Add or Mul node ni: each link an Add without
// activation, the only reader of the value before it (not a graph output),
// whose other input is made before node ni (the fused primitive runs where
// ni is) and is not the chain's own value; the chain's result is not a graph
// output. Empty when ni is neither or nothing follows it that way.
Epilogue find_binary_epilogue(const Graph& graph, size_t ni, const std::vector<std::vector<size_t>>& readers);

// The graph with each Add / Mul whose output is read only by an Add (no
// activation, two inputs, not a graph output) moved to just before that Add,
// from the last such node back so whole chains move together. A fused chain
// can only take operands made before its head: PP-OCRv4's squeeze-excitation
// tails x * gate + x meet the FPN's upsampled map, made much later, in one
// more Add; sunk next to it the three run as one binary primitive (which
// writes the next INT8 conv's integers) instead of two passes over the map.
// The order stays topological: a moved node's inputs exist where it was, and
// nothing between the two places reads its output.
// With `convs`, a Conv without residual whose output is read only by a Mul
// or an Add (not a graph output) moves to just before it too, so that the
// Mul / Add's other operand exists when the conv runs it as a post-op.
Graph sink_binary_chains(const Graph& graph, bool convs = false);

// Appends the post-ops of e.nodes[0, links) to `ops`, the result multiplied
// by `result_multiplier` (1 / the readers' scale for an integer dst, else 1).
// A per-channel Affine becomes binary_mul + binary_add post-ops by
// [1, C, 1, 1] operands, which are added to `args` under their post-op index,
// pointing into the node's tensors (which go into `keep`, so they live as long
// as the plan). A Mul or Add link becomes a binary post-op reading
// operand_mds[k]; its post-op index goes to binary_index[k] (-1 for the
// other links) for the caller to bind the operand. False when oneDNN 2.6
// would compute them wrongly (more than one eltwise_linear): then use a
// shorter prefix.
bool append_epilogue_post_ops(const Graph& graph, const Epilogue& e, size_t links, float result_multiplier,
                              const dnnl::engine& engine, dnnl::post_ops& ops, std::unordered_map<int, memory>& args,
                              std::vector<Tensor>& keep, const std::vector<memory::desc>& operand_mds = {},
                              std::vector<int>* binary_index = nullptr);

}  // namespace textq::onednn
