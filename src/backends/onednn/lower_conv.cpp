// Conv and ConvTranspose lowering, FP32 and INT8: src/weights/dst in
// format_tag::any (or the producer's layout), bias plain, residual as a `sum`
// post-op (dst pre-filled with the residual, in place when the residual dies
// here), then ReLU as an eltwise post-op, then (unobserved runs) the
// elementwise chain after the conv (epilogue.h). INT8 specifics
// (conv_quant.h): s8 weights packed once, u8/s8 src read straight from an
// INT8 producer with the same scale, per-OC output scales, u8/s8/f32 dst.
#include "backends/onednn/conv_quant.h"
#include "backends/onednn/epilogue.h"
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

// The implementation of d whose name starts with `prefix` (e.g. "jit_int8_1x1:"),
// or `fallback` when oneDNN has none for it.
dnnl::convolution_forward::primitive_desc impl_or(const char* prefix, const dnnl::convolution_forward::desc& d,
                                                  const dnnl::primitive_attr& attr, const dnnl::engine& engine,
                                                  const dnnl::convolution_forward::primitive_desc& fallback) {
  dnnl::convolution_forward::primitive_desc it(d, attr, engine);
  do {
    if (std::string(it.impl_info_str()).rfind(prefix, 0) == 0) return it;
  } while (it.next_impl());
  return fallback;
}

}  // namespace

void PlanBuilder::lower_conv(size_t ni) {
  const Node& n = graph_.nodes[ni];
  const bool deconv = n.op == OpKind::ConvTranspose;
  const Window2d& w = n.window;
  if (deconv && (w.output_padding_h > w.pad_bottom || w.output_padding_w > w.pad_right))
    // oneDNN would need a negative right pad, which it rejects.
    throw Error(ErrorKind::UnsupportedModel, "oneDNN backend: node " + n.name +
                                                 ": ConvTranspose output_padding larger than the bottom/right pad is "
                                                 "not supported (oneDNN 2.6 rejects negative padding)");
  if (!deconv && lower_winograd(ni)) return;  // FP32 (bf16) 3x3 stride 1 (lower_winograd.cpp)
  const ConvQuant cq = conv_types(n);
  // Strided deconvs preferably run as phase convs (lower_deconv_phases.cpp);
  // it declines (without touching the plan) when the shape or layout does not fit.
  if (deconv && n.inputs[0] != graph_.input &&
      (lower_deconv_k4s2_int8(ni, cq) || lower_deconv_winograd(ni) || lower_deconv_pixel_shuffle(ni, cq) ||
       lower_deconv_phases(ni, cq)))
    return;
  if (!deconv && lower_conv_int8_narrow(ni, cq)) return;  // INT8, 8 or 24 output channels
  if (!deconv && lower_conv_int8_stem(ni, cq)) return;    // INT8, 3 input channels 7x7 (+ max pool)
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  const WeightLayout wl = weight_layout(n);
  const int64_t oc = dst_shape[1];

  // The residual. The sum post-op reads the dst buffer as `sum_dt` and adds
  // sum_scale * it; the buffer is filled with the residual (as fill_dt, times
  // fill_factor) before the conv, or taken over from the residual in place.
  //  - FP32 node / INT8 with f32 dst: the residual's real values in f32, sum 1.
  //  - INT8 with u8/s8 dst, integer residual: its integers as they are, summed
  //    with its own data type and scale residual_scale / dst_scale.
  //  - INT8 with u8/s8 dst, f32 residual ("staged"): quantizing the residual
  //    into the dst type could clip it (a negative residual in a u8 dst), so
  //    the conv writes f32 (oscale m) with an f32 sum and a reorder then
  //    quantizes with 1 / dst_scale.
  Dt conv_dst_dt = cq.dst_dt, fill_dt = cq.dst_dt, sum_dt = Dt::undef;
  float sum_scale = 1.f, fill_factor = 1.f;
  bool staged = false;
  ConvQuant conv_q = cq;
  if (n.has_residual()) {
    const size_t r = static_cast<size_t>(n.inputs[1]);
    const Dt rdt = plan_->values[r].get_desc().data_type();
    const float rscale = plan_->scales[r];
    if (cq.dst_dt == Dt::f32) {
      fill_dt = Dt::f32, fill_factor = rscale;
    } else if (rdt != Dt::f32) {
      fill_dt = rdt, sum_scale = rscale / cq.dst_scale;
      if (rdt != cq.dst_dt) sum_dt = rdt;
    } else {
      staged = true;
      conv_dst_dt = fill_dt = Dt::f32;
      for (float& s : conv_q.oscales) s *= cq.dst_scale;  // back to m[oc]: the f32 dst holds real values
    }
  }
  // A fresh post-op list each time: dnnl::post_ops copies share one list.
  auto base_post_ops = [&] {
    dnnl::post_ops ops;
    if (n.has_residual()) ops.append_sum(sum_scale, sum_dt);
    if (n.activation == Activation::Relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    return ops;
  };

  const memory::desc src_any(to_dims(src_shape), cq.src_dt, Tag::any);
  const memory::desc wei_any(wl.dims, cq.wei_dt, Tag::any);
  const memory::desc bias_md = cq.bias.empty() ? memory::desc() : memory::desc({oc}, Dt::f32, Tag::x);
  const memory::dims strides{w.stride_h, w.stride_w};
  const memory::dims dilates{w.dilation_h - 1, w.dilation_w - 1};  // oneDNN counts the gaps
  const memory::dims pad_l{w.pad_top, w.pad_left};
  // PyTorch's output_padding extends the bottom/right edge: a smaller right pad in oneDNN terms.
  const memory::dims pad_r{w.pad_bottom - (deconv ? w.output_padding_h : 0),
                           w.pad_right - (deconv ? w.output_padding_w : 0)};
  const auto prop = dnnl::prop_kind::forward_inference;

  // 1x1 convs with a residual (the Bottleneck conv3s): oneDNN 2.6 picks
  // brgconv_1x1, whose sum post-op is slow where the residual is large; its
  // jit 1x1 kernels run the same formula faster (docs/backends.md):
  //  - INT8: jit_int8_1x1, 1.5-4x faster alone (R50 shapes, 2 threads); same integers (tests/unit/onednn);
  //  - bf16: jit_bf16_1x1, 2.1x at 184x320 64->256, 1.5x at 92x160, ~1x deeper.
  // FP32 keeps brgconv_1x1 (its jit_1x1 was no faster). INT8 1x1s without a
  // residual go to jit_int8_1x1 too: on Zen 5 it is faster where the input
  // has few channels or the conv has a stride (R50's downsamples 10-25 %).
  const bool one_by_one = !deconv && w.kernel_h == 1 && w.kernel_w == 1 && w.groups == 1;
  const bool residual_1x1 = one_by_one && n.has_residual();
  const char* preferred_impl = nullptr;
  if (residual_1x1 && cq.int8 && tuning_.jit_int8_residual_1x1) preferred_impl = "jit_int8_1x1:";
  if (one_by_one && !residual_1x1 && cq.int8 && tuning_.jit_int8_plain_1x1) preferred_impl = "jit_int8_1x1:";
  if (residual_1x1 && !cq.int8 && cq.src_dt == Dt::bf16 && tuning_.jit_bf16_residual_1x1) preferred_impl = "jit_bf16_1x1:";
  // INT8 dense convs with a window and a few output channels (not a multiple
  // of 16): brgconv pads them to its block, jit_int8 runs them ~15 % faster.
  const bool dense_int8_conv = cq.int8 && !deconv && w.groups == 1;
  const bool narrow_int8 = dense_int8_conv && (w.kernel_h > 1 || w.kernel_w > 1) && oc % 16 != 0;
  if (narrow_int8 && tuning_.jit_int8_narrow_oc) preferred_impl = "jit_int8:";
  // INT8 3x3s with at most 128 input channels that do not reduce channels
  // much (IC <= 2 OC: R50's layer1 / layer2 conv2s, the neck's 32 -> 32):
  // jit_int8 is 2-5 % faster on Zen 5. brgconv keeps the neck's 320 / 640 /
  // 1280 -> 32 / 64 / 128 (4-7 % faster there) and the deeper conv2s (even).
  const int64_t ic = src_shape[1];
  const bool square_3x3 = dense_int8_conv && w.kernel_h == 3 && w.kernel_w == 3 && ic <= 128 && ic <= 2 * oc;
  if (square_3x3 && tuning_.jit_int8_3x3) preferred_impl = "jit_int8:";
  const dnnl::algorithm direct = deconv ? dnnl::algorithm::deconvolution_direct : dnnl::algorithm::convolution_direct;
  const memory::desc producer_md = plan_->values[static_cast<size_t>(n.inputs[0])].get_desc();

  // Picks the primitive for dst type dst_dt and attribute attr. Candidates in
  // order of preference; the first oneDNN accepts with a non-reference kernel
  // wins (the last one is taken whatever it is, unless `fast_only`: then no
  // primitive, and nothing thrown, when only a reference kernel would do):
  //  1. direct, reading the producer's layout as is (no reorder; keeps nhwc or
  //     nChw16c flowing through the graph);
  //  2. direct with format_tag::any (oneDNN's own preference, maybe a reorder).
  // The graph input is plain nchw, which no fast kernel reads: it always takes 2.
  dnnl::primitive prim;
  memory::desc src_md, wei_md, dst_md;
  auto select = [&](Dt dst_dt, const dnnl::primitive_attr& attr, bool fast_only) {
    const memory::desc dst_any(to_dims(dst_shape), dst_dt, Tag::any);
    struct Candidate {
      memory::desc src, dst;
    };
    std::vector<Candidate> candidates;
    if (n.inputs[0] != graph_.input) {
      // dst in the producer's layout too: a deconv given nhwc src and `any` dst
      // would pick nChw16c dst, which its nhwc kernel refuses.
      const Tag tag = activation_tag(producer_md);
      const memory::desc src = producer_md.data_type() == cq.src_dt ? producer_md : with_type(producer_md, cq.src_dt);
      candidates.push_back({src, tag == Tag::undef ? dst_any : memory::desc(to_dims(dst_shape), dst_dt, tag)});
    }
    if (n.inputs[0] == graph_.input && !cq.int8 && nhwc_from_input_) {
      candidates.push_back({memory::desc(to_dims(src_shape), cq.src_dt, Tag::nhwc),
                            memory::desc(to_dims(dst_shape), dst_dt, Tag::nhwc)});
    }
    candidates.push_back({src_any, dst_any});
    for (size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      const bool last = i + 1 == candidates.size();
      try {
        std::string impl;
        if (deconv) {
          dnnl::deconvolution_forward::desc d(prop, direct, c.src, wei_any, bias_md, c.dst, strides, dilates, pad_l,
                                              pad_r);
          dnnl::deconvolution_forward::primitive_desc pd(d, attr, ctx_.engine);
          impl = pd.impl_info_str();
          if ((!last || fast_only) && impl.rfind("ref", 0) == 0) continue;
          prim = dnnl::deconvolution_forward(pd);
          src_md = pd.src_desc(), wei_md = pd.weights_desc(), dst_md = pd.dst_desc();
        } else {
          dnnl::convolution_forward::desc d(prop, direct, c.src, wei_any, bias_md, c.dst, strides, dilates, pad_l,
                                            pad_r);
          dnnl::convolution_forward::primitive_desc pd(d, attr, ctx_.engine);
          if (preferred_impl) pd = impl_or(preferred_impl, d, attr, ctx_.engine, pd);
          impl = pd.impl_info_str();
          if ((!last || fast_only) && impl.rfind("ref", 0) == 0) continue;
          prim = dnnl::convolution_forward(pd);
          src_md = pd.src_desc(), wei_md = pd.weights_desc(), dst_md = pd.dst_desc();
        }
        plan_->nodes[ni].impl = impl;
        return true;
      } catch (const dnnl::error& e) {
        if (e.status != dnnl_unimplemented || (last && !fast_only)) throw;  // unimplemented: try the next candidate
      }
    }
    return false;
  };

  // Elementwise nodes after the conv as post-ops (epilogue.h): the
  // longest prefix of the chain that oneDNN runs on a non-reference kernel.
  // Only on top of an f32 (bf16) dst: after an integer dst the unfused chain
  // would see rounded values.
  std::unordered_map<int, memory> args;
  size_t out = static_cast<size_t>(n.output);
  float out_scale = cq.dst_scale;
  const Epilogue epi = fuse_epilogues_ && conv_dst_dt != Dt::u8 && conv_dst_dt != Dt::s8
                           ? find_conv_epilogue(graph_, ni, readers_, tuning_.conv_binary_epilogues)
                           : Epilogue{};
  // A Mul / Add link's operand: a [1, C, 1, 1] gate read plain (broadcast
  // over the map; one image only), or a map of the conv's own shape in the
  // plain layout the conv writes. The chain stops before any other.
  std::vector<memory::desc> operand_mds;
  size_t max_links = epi.nodes.size();
  const Tag out_tag = n.inputs[0] != graph_.input ? activation_tag(producer_md) : Tag::undef;
  for (size_t k = 0; k < epi.nodes.size() && k < max_links; ++k) {
    operand_mds.emplace_back();
    if (epi.operands[k] < 0) continue;
    const Shape& os = plan_->shapes[static_cast<size_t>(epi.operands[k])];
    if (dst_shape[0] == 1 && os == Shape{1, dst_shape[1], 1, 1})
      operand_mds[k] = plain_nchw(os);
    else if (os == dst_shape && (out_tag == Tag::nhwc || out_tag == Tag::nchw))
      operand_mds[k] = memory::desc(to_dims(os), Dt::f32, out_tag);
    else
      max_links = k;
  }
  bool fused = false;
  std::vector<int> binary_index;
  for (size_t links = max_links; links > 0 && !fused; --links) {
    const int result = graph_.nodes[epi.nodes[links - 1]].output;
    Dt dt = conv_dst_dt;
    float scale = 1.f;
    if (cq.int8)
      if (const auto want = int8_readers_type(result)) dt = want->first, scale = want->second;
    dnnl::post_ops eops = base_post_ops();
    std::unordered_map<int, memory> eargs;
    std::vector<Tensor> ekeep;
    // An integer dst: the readers' quantization (times 1 / scale, then oneDNN's round and saturate).
    if (!append_epilogue_post_ops(graph_, epi, links, 1.f / scale, ctx_.engine, eops, eargs, ekeep, operand_mds,
                                  &binary_index) ||
        !select(dt, conv_attr(conv_q, eops), true))
      continue;
    fused = true;
    for (size_t k = 0; k < links; ++k) {
      fused_into_[epi.nodes[k]] = static_cast<int>(ni);
      if (binary_index[k] >= 0)  // converted (a reorder step before the conv) only now that the chain is kept
        eargs[DNNL_ARG_ATTR_MULTIPLE_POST_OP(binary_index[k]) | DNNL_ARG_SRC_1] =
            value_as(epi.operands[k], operand_mds[k]);
    }
    args = std::move(eargs);
    plan_->keep.insert(plan_->keep.end(), ekeep.begin(), ekeep.end());
    out = static_cast<size_t>(result), out_scale = scale;
  }
  if (!fused) select(conv_dst_dt, conv_attr(conv_q, base_post_ops()), false);

  args[DNNL_ARG_SRC] = value_as(n.inputs[0], src_md, cq.src_scale);  // quantizes / dequantizes if needed
  const memory user_wei(memory::desc(wl.dims, to_dt(n.weight.dtype()), wl.user_tag), ctx_.engine,
                        const_cast<void*>(n.weight.raw()));  // read only
  args[DNNL_ARG_WEIGHTS] = weights_.get(ni, 0, user_wei, wei_md, ctx_);
  if (!cq.bias.empty()) {
    plan_->keep.push_back(cq.bias);
    args[DNNL_ARG_BIAS] = memory(bias_md, ctx_.engine, const_cast<void*>(cq.bias.raw()));
  }

  memory conv_dst;
  int staging = -1;
  if (n.has_residual()) {
    const int residual = n.inputs[1];
    const memory& res_mem = plan_->values[static_cast<size_t>(residual)];
    const memory::desc fill_md = retype(dst_md, fill_dt);
    if (!staged && residual != n.inputs[0] && can_overwrite(residual, ni) && res_mem.get_desc() == fill_md &&
        fill_factor == 1.f) {
      // The sum post-op accumulates into dst: let dst take over the residual's buffer.
      const int buffer = main_buffer_[static_cast<size_t>(residual)];
      main_buffer_[static_cast<size_t>(residual)] = -1;
      main_buffer_[out] = buffer;
      conv_dst = fill_md == dst_md ? res_mem : bound_memory(dst_md, buffer);
      plan_->values[out] = conv_dst;
    } else {
      if (staged) {
        staging = plan_->buffers.acquire(dst_md.get_size());
        conv_dst = bound_memory(dst_md, staging);
      } else {
        conv_dst = define_value(n.output, dst_md);
      }
      const int buffer = staged ? staging : main_buffer_[out];
      // Copy (convert, dequantize) the residual into dst.
      add_reorder(res_mem, fill_md == dst_md ? conv_dst : bound_memory(fill_md, buffer), fill_factor);
    }
  } else {
    conv_dst = define_value(static_cast<int>(out), dst_md);
  }
  args[DNNL_ARG_DST] = conv_dst;
  add_step(prim, std::move(args));
  if (staged) {
    add_reorder(conv_dst, define_value(n.output, retype(dst_md, cq.dst_dt)), 1.f / cq.dst_scale);
    plan_->buffers.release(staging);
  }
  plan_->scales[out] = out_scale;
}

}  // namespace textq::onednn
