// Conv and ConvTranspose lowering: src/weights/dst in format_tag::any, bias
// plain, residual as a `sum` post-op (dst pre-filled with the residual, in
// place when the residual dies here), then ReLU as an eltwise post-op.
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

namespace {

struct WeightLayout {
  memory::dims dims;  // oneDNN order: [OC, IC, KH, KW] or [G, OC/G, IC/G, KH, KW]
  Tag user_tag;       // how the IR tensor is laid out in those dims
};

// IR conv weights are PyTorch [OC, IC/G, KH, KW]; deconv weights are PyTorch
// [IC, OC/G, KH, KW], i.e. oneDNN's iohw (giohw with groups): no copy needed
// to describe them, the packing reorder does the transpose.
WeightLayout weight_layout(const Node& n) {
  const Shape& w = n.weight.shape();
  const int64_t g = n.window.groups;
  if (n.op == OpKind::Conv) {
    if (g == 1) return {{w[0], w[1], w[2], w[3]}, Tag::oihw};
    return {{g, w[0] / g, w[1], w[2], w[3]}, Tag::goihw};
  }
  if (g == 1) return {{w[1], w[0], w[2], w[3]}, Tag::iohw};
  return {{g, w[1], w[0] / g, w[2], w[3]}, Tag::giohw};
}

bool winograd_candidate(const Node& n) {
  const Window2d& w = n.window;
  return n.op == OpKind::Conv && w.kernel_h == 3 && w.kernel_w == 3 && w.stride_h == 1 && w.stride_w == 1 &&
         w.dilation_h == 1 && w.dilation_w == 1 && w.groups == 1;
}

}  // namespace

void PlanBuilder::lower_conv(size_t ni) {
  const Node& n = graph_.nodes[ni];
  if (n.quant.enabled)
    throw Error(ErrorKind::UnsupportedModel,
                "oneDNN backend: node " + n.name + ": INT8 nodes are not supported by the FP32 oneDNN executor");
  const bool deconv = n.op == OpKind::ConvTranspose;
  const Window2d& w = n.window;
  if (deconv && (w.output_padding_h > w.pad_bottom || w.output_padding_w > w.pad_right))
    // oneDNN would need a negative right pad, which it rejects.
    throw Error(ErrorKind::UnsupportedModel, "oneDNN backend: node " + n.name +
                                                 ": ConvTranspose output_padding larger than the bottom/right pad is "
                                                 "not supported (oneDNN 2.6 rejects negative padding)");
  // Strided deconvs preferably run as phase convs (lower_deconv_phases.cpp);
  // it declines (without touching the plan) when the shape or layout does not fit.
  if (deconv && n.inputs[0] != graph_.input && lower_deconv_phases(ni)) return;
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  const WeightLayout wl = weight_layout(n);
  const int64_t oc = dst_shape[1];

  const memory::desc src_any(to_dims(src_shape), Dt::f32, Tag::any);
  const memory::desc wei_any(wl.dims, Dt::f32, Tag::any);
  const memory::desc dst_any(to_dims(dst_shape), Dt::f32, Tag::any);
  const memory::desc bias_md = n.bias.empty() ? memory::desc() : memory::desc({oc}, Dt::f32, Tag::x);
  const memory::dims strides{w.stride_h, w.stride_w};
  const memory::dims dilates{w.dilation_h - 1, w.dilation_w - 1};  // oneDNN counts the gaps
  const memory::dims pad_l{w.pad_top, w.pad_left};
  // PyTorch's output_padding extends the bottom/right edge: a smaller right pad in oneDNN terms.
  const memory::dims pad_r{w.pad_bottom - (deconv ? w.output_padding_h : 0),
                           w.pad_right - (deconv ? w.output_padding_w : 0)};

  dnnl::post_ops ops;
  if (n.has_residual()) ops.append_sum(1.f);
  if (n.activation == Activation::Relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  const auto prop = dnnl::prop_kind::forward_inference;

  // Candidates in order of preference; the first oneDNN accepts with a
  // non-reference kernel wins (the last one is taken whatever it is):
  //  1. Winograd (opt-in) in whatever layout it wants;
  //  2. direct, reading the producer's layout as is (no reorder; keeps nhwc or
  //     nChw16c flowing through the graph);
  //  3. direct with format_tag::any (oneDNN's own preference, maybe a reorder).
  // The graph input is plain nchw, which no fast kernel reads: it always takes 3.
  const memory::desc producer_md = plan_->values[static_cast<size_t>(n.inputs[0])].get_desc();
  struct Candidate {
    dnnl::algorithm alg;
    memory::desc src, dst;
  };
  std::vector<Candidate> candidates;
  if (!deconv && tuning_.winograd && winograd_candidate(n))
    candidates.push_back({dnnl::algorithm::convolution_winograd, src_any, dst_any});
  const dnnl::algorithm direct = deconv ? dnnl::algorithm::deconvolution_direct : dnnl::algorithm::convolution_direct;
  if (n.inputs[0] != graph_.input) {
    // dst in the producer's layout too: a deconv given nhwc src and `any` dst
    // would pick nChw16c dst, which its nhwc kernel refuses.
    const Tag tag = activation_tag(producer_md);
    candidates.push_back({direct, producer_md, tag == Tag::undef ? dst_any : memory::desc(to_dims(dst_shape), Dt::f32, tag)});
  }
  candidates.push_back({direct, src_any, dst_any});

  dnnl::primitive prim;
  memory::desc src_md, wei_md, dst_md;
  for (size_t i = 0; i < candidates.size() && !prim; ++i) {
    const Candidate& c = candidates[i];
    const bool last = i + 1 == candidates.size();
    try {
      std::string impl;
      if (deconv) {
        dnnl::deconvolution_forward::desc d(prop, c.alg, c.src, wei_any, bias_md, c.dst, strides, dilates, pad_l,
                                            pad_r);
        dnnl::deconvolution_forward::primitive_desc pd(d, attr, ctx_.engine);
        impl = pd.impl_info_str();
        if (!last && impl.rfind("ref", 0) == 0) continue;
        prim = dnnl::deconvolution_forward(pd);
        src_md = pd.src_desc(), wei_md = pd.weights_desc(), dst_md = pd.dst_desc();
      } else {
        dnnl::convolution_forward::desc d(prop, c.alg, c.src, wei_any, bias_md, c.dst, strides, dilates, pad_l, pad_r);
        dnnl::convolution_forward::primitive_desc pd(d, attr, ctx_.engine);
        impl = pd.impl_info_str();
        if (!last && impl.rfind("ref", 0) == 0) continue;
        prim = dnnl::convolution_forward(pd);
        src_md = pd.src_desc(), wei_md = pd.weights_desc(), dst_md = pd.dst_desc();
      }
      plan_->nodes[ni].impl = impl;
    } catch (const dnnl::error& e) {
      if (last || e.status != dnnl_unimplemented) throw;  // unimplemented: try the next candidate
    }
  }

  std::unordered_map<int, memory> args;
  args[DNNL_ARG_SRC] = value_as(n.inputs[0], src_md);
  const memory user_wei(memory::desc(wl.dims, Dt::f32, wl.user_tag), ctx_.engine,
                        const_cast<void*>(n.weight.raw()));  // read only
  args[DNNL_ARG_WEIGHTS] = weights_.get(ni, 0, user_wei, wei_md, ctx_);
  if (!n.bias.empty()) args[DNNL_ARG_BIAS] = memory(bias_md, ctx_.engine, const_cast<void*>(n.bias.raw()));

  if (n.has_residual()) {
    const int residual = n.inputs[1];
    const memory& res_mem = plan_->values[static_cast<size_t>(residual)];
    if (residual != n.inputs[0] && can_overwrite(residual, ni) && res_mem.get_desc() == dst_md) {
      // The sum post-op accumulates into dst: let dst take over the residual's buffer.
      const int buffer = main_buffer_[static_cast<size_t>(residual)];
      main_buffer_[static_cast<size_t>(residual)] = -1;
      main_buffer_[static_cast<size_t>(n.output)] = buffer;
      plan_->values[static_cast<size_t>(n.output)] = res_mem;
    } else {
      add_reorder(res_mem, define_value(n.output, dst_md));  // copy (and convert) the residual into dst
    }
  } else {
    define_value(n.output, dst_md);
  }
  args[DNNL_ARG_DST] = plan_->values[static_cast<size_t>(n.output)];
  add_step(prim, std::move(args));
}

}  // namespace textq::onednn
