// A ConvTranspose whose kernel equals its stride, without padding (the DB
// heads' k2 s2 upsampling): its phases do not overlap and each is a 1x1 conv,
// so one 1x1 conv with s_h·s_w·OC output channels computes them all, reading
// the input once, and one strided reorder ("pixel shuffle") moves channel
// (ry·s_w + rx)·OC + oc to output pixel (s_h·y + ry, s_w·x + rx). As s_h·s_w
// separate phase convs (lower_deconv_phases.cpp) the input was read once per
// phase and a narrow OC padded per phase: PP-OCRv4's 24 -> 1 head took four
// 0.58 ms convs for 22.6 M multiply-accumulates.
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

namespace {

// [s_h·s_w·OC, IC, 1, 1] from PyTorch [IC, OC, s_h, s_w] (T: float or int8_t).
template <class T>
Tensor stacked_phase_weights(const Tensor& weight) {
  const int64_t ic = weight.dim(0), oc = weight.dim(1), sh = weight.dim(2), sw = weight.dim(3);
  Tensor out(weight.dtype(), {sh * sw * oc, ic, 1, 1});
  const T* src = weight.data<T>();
  T* dst = out.data<T>();
  for (int64_t i = 0; i < ic; ++i)
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t ry = 0; ry < sh; ++ry)
        for (int64_t rx = 0; rx < sw; ++rx) dst[((ry * sw + rx) * oc + o) * ic + i] = src[((i * oc + o) * sh + ry) * sw + rx];
  return out;
}

// The per-OC vector v repeated once per phase.
std::vector<float> repeated(const std::vector<float>& v, int64_t times) {
  std::vector<float> out;
  for (int64_t t = 0; t < times; ++t) out.insert(out.end(), v.begin(), v.end());
  return out;
}

}  // namespace

bool PlanBuilder::lower_deconv_pixel_shuffle(size_t ni, const ConvQuant& cq) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  const int sh = w.stride_h, sw = w.stride_w;
  if (!tuning_.deconv_pixel_shuffle || n.has_residual() || w.groups != 1 || w.dilation_h != 1 || w.dilation_w != 1 ||
      w.kernel_h != sh || w.kernel_w != sw || sh * sw < 2 || w.pad_top || w.pad_left || w.pad_bottom || w.pad_right ||
      w.output_padding_h || w.output_padding_w || dst_shape[2] != src_shape[2] * sh || dst_shape[3] != src_shape[3] * sw)
    return false;
  // The output is a strided view of the conv's result: plain layouts only.
  const Tag tag = activation_tag(plan_->values[static_cast<size_t>(n.inputs[0])].get_desc());
  if (tag != Tag::nhwc && tag != Tag::nchw) return false;

  const int64_t phases = int64_t{sh} * sw, ic = n.weight.dim(0), oc = n.weight.dim(1);
  const int64_t h = src_shape[2], wd = src_shape[3], batch = src_shape[0];
  ConvQuant q = cq;  // per-OC parameters once per phase
  q.oscales = repeated(cq.oscales, phases);
  Tensor bias;
  if (!cq.bias.empty()) {
    bias = Tensor(DType::f32, {phases * oc});
    for (int64_t p = 0; p < phases; ++p) std::copy_n(cq.bias.data<float>(), oc, bias.data<float>() + p * oc);
  }
  const memory::desc src_md(to_dims(src_shape), cq.src_dt, tag);
  const memory::desc bias_md = bias.empty() ? memory::desc() : memory::desc({phases * oc}, Dt::f32, Tag::x);
  const memory::desc conv_dst_md({batch, phases * oc, h, wd}, cq.dst_dt, tag);
  dnnl::post_ops ops;
  if (n.activation == Activation::Relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md,
                                    memory::desc({phases * oc, ic, 1, 1}, cq.wei_dt, Tag::any), bias_md, conv_dst_md,
                                    {1, 1}, {0, 0}, {0, 0});
  const dnnl::convolution_forward::primitive_desc pd(d, conv_attr(q, ops), ctx_.engine);
  if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0) return false;  // the phase convs may do better

  std::unordered_map<int, memory> args;
  args[DNNL_ARG_SRC] = value_as(n.inputs[0], src_md, cq.src_scale);
  Tensor stacked = cq.int8 ? stacked_phase_weights<int8_t>(n.weight) : stacked_phase_weights<float>(n.weight);
  const memory user_wei(memory::desc(to_dims(stacked.shape()), to_dt(stacked.dtype()), Tag::oihw), ctx_.engine,
                        stacked.raw());
  args[DNNL_ARG_WEIGHTS] = weights_.get(ni, 1 + static_cast<int>(phases), user_wei, pd.weights_desc(), ctx_, stacked);
  if (!bias.empty()) {
    plan_->keep.push_back(bias);
    args[DNNL_ARG_BIAS] = memory(bias_md, ctx_.engine, const_cast<void*>(bias.raw()));
  }
  const int temp = plan_->buffers.acquire(pd.dst_desc().get_size());
  const memory conv_out = bound_memory(pd.dst_desc(), temp);
  args[DNNL_ARG_DST] = conv_out;
  add_step(dnnl::convolution_forward(pd), std::move(args));

  // Both sides as [N, OC, H, s_h, W, s_w] with their own strides.
  const memory::desc out_md(to_dims(dst_shape), cq.dst_dt, tag);
  define_value(n.output, out_md);
  const dnnl_dims_t& cs = pd.dst_desc().data.format_desc.blocking.strides;
  const dnnl_dims_t& os = out_md.data.format_desc.blocking.strides;
  const memory::dims dims{batch, oc, h, sh, wd, sw};
  const memory::desc from(dims, cq.dst_dt, memory::dims{cs[0], cs[1], cs[2], sw * oc * cs[1], cs[3], oc * cs[1]});
  const memory::desc to(dims, cq.dst_dt, memory::dims{os[0], os[1], sh * os[2], os[2], sw * os[3], os[3]});
  const memory from_mem = bound_memory(from, temp);
  const memory to_mem = bound_memory(to, main_buffer_[static_cast<size_t>(n.output)]);
  add_step(dnnl::reorder(from_mem, to_mem), {{DNNL_ARG_FROM, from_mem}, {DNNL_ARG_TO, to_mem}});
  plan_->buffers.release(temp);
  plan_->scales[static_cast<size_t>(n.output)] = cq.dst_scale;
  plan_->nodes[ni].impl = std::string("pixel_shuffle:") + pd.impl_info_str();
  return true;
}

}  // namespace textq::onednn
