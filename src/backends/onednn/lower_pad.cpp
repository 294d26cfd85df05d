// Pad lowering (oneDNN 2.6 has no pad primitive): two concats with constant
// bands, first along W ([left | x | right]) then along H ([top | . | bottom]),
// in plain f32 NCHW. The bands are filled with the pad value once per shape
// plan (kept in plan->keep). Importers fold the zero pads that precede a conv
// or pool into its window, so this runs only for a standalone Pad.
#include <algorithm>

#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

void PlanBuilder::lower_pad(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  const int in = n.inputs[0];
  const Shape x = plan_->shapes[static_cast<size_t>(in)];
  memory cur = value_as(in, plain_nchw(x));
  Shape cur_shape = x;
  auto band = [&](Shape shape) {
    Tensor t(DType::f32, shape);
    std::fill(t.data<float>(), t.data<float>() + t.numel(), n.attrs.alpha);
    plan_->keep.push_back(t);
    return memory(plain_nchw(shape), ctx_.engine, t.raw());
  };
  // axis 3 (W) then axis 2 (H); the last concat writes the node's value.
  const bool do_w = w.pad_left > 0 || w.pad_right > 0, do_h = w.pad_top > 0 || w.pad_bottom > 0;
  for (int axis : {3, 2}) {
    const int lo = axis == 3 ? w.pad_left : w.pad_top, hi = axis == 3 ? w.pad_right : w.pad_bottom;
    if (lo == 0 && hi == 0) continue;
    std::vector<memory> parts;
    Shape s = cur_shape;
    if (lo > 0) s[static_cast<size_t>(axis)] = lo, parts.push_back(band(s));
    parts.push_back(cur);
    if (hi > 0) s[static_cast<size_t>(axis)] = hi, parts.push_back(band(s));
    Shape out_shape = cur_shape;
    out_shape[static_cast<size_t>(axis)] += lo + hi;
    std::vector<memory::desc> mds;
    std::unordered_map<int, memory> args;
    for (size_t i = 0; i < parts.size(); ++i) {
      mds.push_back(parts[i].get_desc());
      args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = parts[i];
    }
    dnnl::concat::primitive_desc pd(plain_nchw(out_shape), axis, mds, ctx_.engine);
    plan_->nodes[ni].impl = pd.impl_info_str();
    const bool last = axis == 2 || !do_h;
    memory dst;
    if (last) {
      dst = define_value(n.output, pd.dst_desc());
    } else {  // the W-padded intermediate: its own buffer, released once the H concat is planned
      const int buffer = plan_->buffers.acquire(pd.dst_desc().get_size());
      extra_buffers_[static_cast<size_t>(n.output)].push_back(buffer);
      dst = bound_memory(pd.dst_desc(), buffer);
    }
    args[DNNL_ARG_DST] = dst;
    add_step(dnnl::concat(pd), std::move(args));
    cur = dst;
    cur_shape = out_shape;
  }
  if (!do_w && !do_h) add_reorder(cur, define_value(n.output, plain_nchw(x)));
}

}  // namespace textq::onednn
