// MaxPool, Concat and Relu lowering. These read their sources in the
// layout the producers chose (no reorder), so blocked layouts flow through.
// INT8 values: MaxPool runs on the integers (max commutes with a positive
// scale); Concat works in the type and scale its INT8 readers take (inputs
// with another scale are requantized into it), else in the inputs' shared
// type and scale, else in f32; in nhwc it copies with our own loop
// (concat_channels.h). Relu works in f32 (Add: lower_binary.cpp).
#include <omp.h>

#include "backends/onednn/concat_channels.h"
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

void PlanBuilder::lower_max_pool(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  const memory& src = plan_->values[static_cast<size_t>(n.inputs[0])];
  const memory::desc dst_any(to_dims(plan_->shapes[static_cast<size_t>(n.output)]), src.get_desc().data_type(),
                             Tag::any);
  // Floor mode is what oneDNN computes; padded cells are excluded from the max.
  dnnl::pooling_v2_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, src.get_desc(),
                                   dst_any, {w.stride_h, w.stride_w}, {w.kernel_h, w.kernel_w},
                                   {w.dilation_h - 1, w.dilation_w - 1}, {w.pad_top, w.pad_left},
                                   {w.pad_bottom, w.pad_right});
  dnnl::pooling_v2_forward::primitive_desc pd(d, ctx_.engine);
  plan_->nodes[ni].impl = pd.impl_info_str();
  memory dst = define_value(n.output, pd.dst_desc());
  plan_->scales[static_cast<size_t>(n.output)] = plan_->scales[static_cast<size_t>(n.inputs[0])];
  add_step(dnnl::pooling_v2_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
}

void PlanBuilder::lower_concat(size_t ni) {
  const Node& n = graph_.nodes[ni];
  // The destination in the first source's layout. nhwc, or nchw with a
  // source to convert: each source into its channel slice, below. Otherwise
  // oneDNN's concat, every source converted to the destination type and
  // scale first.
  const memory::desc first = plan_->values[static_cast<size_t>(n.inputs[0])].get_desc();
  const Tag tag = activation_tag(first);
  // Target type and scale: the one every INT8 reader wants (an input with
  // another scale, e.g. a backbone stage output that keeps its own scale for
  // the next stage, is requantized on the way in: the reader would do the
  // same); else the inputs' own when they all share it; else f32.
  Dt dt = Dt::f32;
  float scale = 1.f;
  if (const auto want = int8_readers_type(n.output)) {
    dt = want->first;
    scale = want->second;
  } else {
    bool same = true;
    for (int v : n.inputs)
      same = same && plan_->values[static_cast<size_t>(v)].get_desc().data_type() == first.data_type() &&
             plan_->scales[static_cast<size_t>(v)] == plan_->scales[static_cast<size_t>(n.inputs[0])];
    if (same) {
      dt = first.data_type();
      scale = plan_->scales[static_cast<size_t>(n.inputs[0])];
    }
  }
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  bool convert = false;  // some input needs another type or scale
  for (int v : n.inputs)
    convert = convert || plan_->values[static_cast<size_t>(v)].get_desc().data_type() != dt ||
              plan_->scales[static_cast<size_t>(v)] != scale;
  const bool copy_kernel = tag == Tag::nhwc && tuning_.concat_copy_kernel && concat_channels_supported();
  if ((convert || copy_kernel) && (tag == Tag::nhwc || tag == Tag::nchw)) {
    // Plain layout: an input to convert is reordered straight into its
    // channel slice of the output, converting type and scale on the way (one
    // pass, where dnnl::concat needs a converted copy first); in nhwc the
    // others are copied by concat_channels, faster than both oneDNN's strided
    // reorders and its `simple:any` concat (in nchw a slice is one block and
    // oneDNN's concat copies it well).
    const memory::desc out_md(to_dims(dst_shape), dt, tag);
    const memory out = define_value(n.output, out_md);
    const int buffer = main_buffer_[static_cast<size_t>(n.output)];
    const size_t elem = out_md.get_size() / static_cast<size_t>(shape_numel(dst_shape));
    int64_t channel = 0;
    std::vector<std::pair<memory, size_t>> copied;  // inputs already in dt and scale, dense nhwc: channel offset
    std::string impl;
    for (int v : n.inputs) {
      const Shape& shape = plan_->shapes[static_cast<size_t>(v)];
      const memory& src = plan_->values[static_cast<size_t>(v)];
      if (copy_kernel && src.get_desc() == memory::desc(to_dims(shape), dt, Tag::nhwc) &&
          plan_->scales[static_cast<size_t>(v)] == scale) {
        copied.emplace_back(src, static_cast<size_t>(channel));
        channel += shape[1];
        continue;
      }
      const memory slice = bound_memory(out_md.submemory_desc(to_dims(shape), {0, channel, 0, 0}), buffer);
      const dnnl::reorder::primitive_desc pd(ctx_.engine, src.get_desc(), ctx_.engine, slice.get_desc(),
                                             scale_attr(plan_->scales[static_cast<size_t>(v)] / scale));
      if (impl.empty()) impl = std::string("slices:") + pd.impl_info_str();
      add_step(dnnl::reorder(pd), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, slice}});
      channel += shape[1];
    }
    if (!copied.empty()) {
      // Inputs in the output's type and scale: copied pixel by pixel into their slices.
      const int64_t pixels = dst_shape[0] * dst_shape[2] * dst_shape[3];
      const size_t row = static_cast<size_t>(dst_shape[1]) * elem;
      const int threads = omp_get_max_threads();  // the executor set the team size before planning
      Step step;
      step.run = [copied, pixels, row, elem, out, threads] {
        std::vector<ConcatPart> parts;
        for (const auto& [mem, ch] : copied)
          parts.push_back({mem.get_data_handle(), static_cast<size_t>(mem.get_desc().dims()[1]) * elem, ch * elem});
        concat_channels(parts, pixels, out.get_data_handle(), row, threads);
      };
      plan_->steps.push_back(std::move(step));
      impl = impl.empty() ? "copy_channels:avx512" : impl + " + copy_channels:avx512";
    }
    plan_->nodes[ni].impl = impl;
    plan_->scales[static_cast<size_t>(n.output)] = scale;
    return;
  }
  std::vector<memory::desc> src_mds;
  std::unordered_map<int, memory> args;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const int v = n.inputs[i];
    memory m = plan_->values[static_cast<size_t>(v)];
    if (tag != Tag::undef)  // nChw8c / nChw16c: all sources in it (mixed layouts take oneDNN's slow path)
      m = value_as(v, memory::desc(to_dims(plan_->shapes[static_cast<size_t>(v)]), dt, tag), scale);
    else if (m.get_desc().data_type() != dt || plan_->scales[static_cast<size_t>(v)] != scale)
      m = value_as(v, retype(m.get_desc(), dt), scale);  // re/de-quantize in its own layout
    src_mds.push_back(m.get_desc());
    args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = m;
  }
  const memory::desc dst_md(to_dims(dst_shape), dt, tag == Tag::undef ? Tag::any : tag);
  dnnl::concat::primitive_desc pd(dst_md, 1, src_mds, ctx_.engine);
  plan_->nodes[ni].impl = pd.impl_info_str();
  args[DNNL_ARG_DST] = define_value(n.output, pd.dst_desc());
  plan_->scales[static_cast<size_t>(n.output)] = scale;
  add_step(dnnl::concat(pd), std::move(args));
}

void PlanBuilder::lower_relu(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const int in = n.inputs[0];
  const memory src = value_as(in, retype(plan_->values[static_cast<size_t>(in)].get_desc(), Dt::f32));
  dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_relu, src.get_desc(), 0.f,
                                0.f);
  dnnl::eltwise_forward::primitive_desc pd(d, ctx_.engine);
  plan_->nodes[ni].impl = pd.impl_info_str();
  memory dst = define_value(n.output, pd.dst_desc());
  add_step(dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
}

}  // namespace textq::onednn
