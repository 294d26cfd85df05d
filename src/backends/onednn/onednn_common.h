// Small helpers shared by the oneDNN backend files: the engine/stream pair,
// dims conversion, and turning dnnl::error into textq::Error.
#pragma once

#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "textq/error.h"
#include "textq/tensor.h"

namespace textq::onednn {

using dnnl::memory;
using Tag = dnnl::memory::format_tag;
using Dt = dnnl::memory::data_type;

// One CPU engine and one in-order stream per executor.
struct Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

// "oneDNN unimplemented (could not create a primitive descriptor ...)".
std::string describe_dnnl_error(const dnnl::error& e);

// Runs fn(); a dnnl::error escaping it becomes
// Error(Internal, "oneDNN backend: node <name>: <what>: oneDNN <status> (...)").
template <class Fn>
auto guard_node(const std::string& node_name, const char* what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    throw Error(ErrorKind::Internal,
                "oneDNN backend: node " + node_name + ": " + what + ": " + describe_dnnl_error(e));
  }
}

memory::dims to_dims(const Shape& shape);
Shape to_shape(const memory::dims& dims);
// Plain NCHW f32 descriptor of a 4-D shape.
memory::desc plain_nchw(const Shape& shape);
// The activation layout of a 4-D descriptor when it is one this backend
// meets (nchw, nhwc, nChw8c, nChw16c); Tag::undef otherwise.
Tag activation_tag(const memory::desc& md);
// `md` with another data type: same layout when it is a known activation
// layout, format_tag::any otherwise.
memory::desc with_type(const memory::desc& md, Dt dt);
// oneDNN data type of a textq activation/weight type (f32, u8, i8 -> s8).
Dt to_dt(DType type);
// A reorder attribute multiplying by `scale` (none when scale == 1).
dnnl::primitive_attr scale_attr(float scale);

}  // namespace textq::onednn
