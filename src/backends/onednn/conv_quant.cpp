#include "backends/onednn/conv_quant.h"

#include <cmath>
#include <string>

namespace textq::onednn {

namespace {

void require(bool ok, const Node& n, const std::string& what) {
  if (!ok) throw Error(ErrorKind::InvalidFile, "oneDNN backend: node " + n.name + ": " + what);
}

bool good_scale(float s) { return std::isfinite(s) && s > 0.f && std::isnormal(s); }

}  // namespace

ConvQuant conv_quant(const Node& n) {
  ConvQuant q;
  q.bias = n.bias;
  if (!n.quant.enabled) return q;
  const QuantParams& p = n.quant;
  const int64_t oc = n.out_channels();
  require(n.weight.dtype() == DType::i8, n, "INT8 node weights must be s8");
  require(p.src_type == DType::u8 || p.src_type == DType::i8, n, "quant.src_type must be u8 or s8");
  require(p.dst_type == DType::u8 || p.dst_type == DType::i8 || p.dst_type == DType::f32, n,
          "quant.dst_type must be u8, s8 or f32");
  require(good_scale(p.src_scale), n, "quant.src_scale must be a positive normal float, got " + std::to_string(p.src_scale));
  if (p.dst_type != DType::f32)
    require(good_scale(p.dst_scale), n, "quant.dst_scale must be a positive normal float, got " + std::to_string(p.dst_scale));
  require(static_cast<int64_t>(p.weight_scales.size()) == oc, n,
          "quant.weight_scales has " + std::to_string(p.weight_scales.size()) + " entries, expected " + std::to_string(oc));
  q.int8 = true;
  q.src_dt = to_dt(p.src_type);
  q.wei_dt = Dt::s8;
  q.dst_dt = to_dt(p.dst_type);
  q.src_scale = p.src_scale;
  q.dst_scale = p.dst_type == DType::f32 ? 1.f : p.dst_scale;
  q.oscales.resize(static_cast<size_t>(oc));
  if (!n.bias.empty()) q.bias = Tensor(DType::f32, {oc});
  for (int64_t c = 0; c < oc; ++c) {
    const float ws = p.weight_scales[static_cast<size_t>(c)];
    require(good_scale(ws), n, "quant.weight_scales[" + std::to_string(c) + "] must be a positive normal float");
    const float m = p.src_scale * ws;  // f32 product, as the reference kernel
    require(good_scale(m), n, "src_scale * weight_scales[" + std::to_string(c) + "] is not a normal float");
    q.oscales[static_cast<size_t>(c)] = p.dst_type == DType::f32 ? m : m / p.dst_scale;
    if (!n.bias.empty()) q.bias.data<float>()[c] = n.bias.data<float>()[c] / m;
  }
  return q;
}

dnnl::primitive_attr conv_attr(const ConvQuant& q, const dnnl::post_ops& ops) {
  dnnl::primitive_attr attr;
  if (q.int8) attr.set_output_scales(1 << 1, q.oscales);  // per OC: dim 1 of [N, OC, H, W]
  attr.set_post_ops(ops);
  return attr;
}

memory::desc retype(const memory::desc& md, Dt dt) {
  memory::desc out = md;
  out.data.data_type = memory::convert_to_c(dt);
  return out;
}

std::vector<int32_t> s8_shift_compensation(const Tensor& weight) {
  const int64_t oc = weight.dim(0), per = weight.numel() / oc;
  const int8_t* w = weight.data<int8_t>();
  std::vector<int32_t> comp(static_cast<size_t>(oc), 0);
  for (int64_t k = 0; k < oc; ++k)
    for (int64_t i = 0; i < per; ++i) comp[static_cast<size_t>(k)] += 128 * w[k * per + i];
  return comp;
}

Int8KernelParams int8_kernel_params(const Node& n, const ConvQuant& cq) {
  const auto type = [](Dt dt) { return dt == Dt::u8 ? Int8Type::u8 : dt == Dt::s8 ? Int8Type::s8 : Int8Type::f32; };
  Int8KernelParams p;
  p.src_type = type(cq.src_dt), p.dst_type = type(cq.dst_dt);
  p.relu = n.activation == Activation::Relu;
  if (cq.src_dt == Dt::s8) p.comp = s8_shift_compensation(n.weight);
  p.oscale = cq.oscales;
  p.bias = cq.bias;
  return p;
}

}  // namespace textq::onednn
