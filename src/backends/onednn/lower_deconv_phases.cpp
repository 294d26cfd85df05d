// Strided ConvTranspose as stride x stride dense convolutions ("sub-pixel"
// form). Output row oy = s*m + r only ever sees kernel rows ky = (r+p) mod s
// + s*j, so each output phase (ry, rx) is an ordinary stride-1 conv over the
// input with a (K/s)x(K/s) slice of the kernel; its result is interleaved into
// the output by a strided reorder. oneDNN 2.6's deconvolution runs as a
// backward-data conv at ~20-40 GFLOP/s on TextSnake's k4 s2 layers (worse
// with 32 channels); the phase convs reach the brgemm kernels' speed. INT8
// nodes split the same way (s8 phase weights, the node's output scales and
// bias / m): each phase is an ordinary INT8 conv and the interleave a copy of
// integers. In nhwc the interleave is our pixel copy (concat_channels.h),
// 2-5x faster than oneDNN's strided reorder.
#include <omp.h>

#include "backends/onednn/concat_channels.h"
#include "backends/onednn/plan_builder.h"

namespace textq::onednn {

namespace {

// One output phase along one axis.
struct PhaseAxis {
  int taps = 0;       // kernel taps of the phase conv (K / s)
  int pad_lo = 0, pad_hi = 0;
  int64_t out = 0;    // rows of this phase in the output
  int first_k = 0;    // kernel index used by tap 0; tap a uses first_k - s*a
};

// Returns false when this phase cannot be expressed with non-negative pads.
bool phase_axis(int64_t in, int64_t out_total, int k, int s, int p, int r, PhaseAxis* a) {
  a->taps = k / s;
  const int r_mod = (r + p) % s, q = (r + p) / s;
  a->out = (out_total - r + s - 1) / s;
  a->pad_lo = a->taps - 1 - q;
  a->pad_hi = static_cast<int>(a->out - 1 - in + a->taps - a->pad_lo);
  a->first_k = r_mod + s * (a->taps - 1);
  return a->out > 0 && a->pad_lo >= 0 && a->pad_hi >= 0;
}

// Phase weights [OC, IC, taps_h, taps_w] from PyTorch [IC, OC, KH, KW] (T: float or int8_t).
template <class T>
Tensor phase_weights(const Tensor& weight, const PhaseAxis& pr, const PhaseAxis& pc, int sh, int sw) {
  const int64_t ic = weight.dim(0), oc = weight.dim(1), kh = weight.dim(2), kw = weight.dim(3);
  Tensor pw(weight.dtype(), {oc, ic, pr.taps, pc.taps});
  const T* wsrc = weight.data<T>();
  T* wdst = pw.data<T>();
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t i = 0; i < ic; ++i)
      for (int a = 0; a < pr.taps; ++a)
        for (int b = 0; b < pc.taps; ++b) {
          const int64_t ky = pr.first_k - sh * a, kx = pc.first_k - sw * b;
          wdst[((o * ic + i) * pr.taps + a) * pc.taps + b] = wsrc[((i * oc + o) * kh + ky) * kw + kx];
        }
  return pw;
}

}  // namespace

bool PlanBuilder::lower_deconv_phases(size_t ni, const ConvQuant& cq) {
  const Node& n = graph_.nodes[ni];
  const Window2d& w = n.window;
  if (n.has_residual() || w.groups != 1 || w.dilation_h != 1 || w.dilation_w != 1 || w.output_padding_h != 0 ||
      w.output_padding_w != 0 || w.stride_h < 2 || w.stride_w < 2 || w.kernel_h % w.stride_h != 0 ||
      w.kernel_w % w.stride_w != 0 || w.pad_top != w.pad_bottom || w.pad_left != w.pad_right)
    return false;
  const Shape& src_shape = plan_->shapes[static_cast<size_t>(n.inputs[0])];
  const Shape& dst_shape = plan_->shapes[static_cast<size_t>(n.output)];
  const int sh = w.stride_h, sw = w.stride_w;
  std::vector<PhaseAxis> rows(static_cast<size_t>(sh)), cols(static_cast<size_t>(sw));
  for (int r = 0; r < sh; ++r)
    if (!phase_axis(src_shape[2], dst_shape[2], w.kernel_h, sh, w.pad_top, r, &rows[static_cast<size_t>(r)])) return false;
  for (int r = 0; r < sw; ++r)
    if (!phase_axis(src_shape[3], dst_shape[3], w.kernel_w, sw, w.pad_left, r, &cols[static_cast<size_t>(r)])) return false;

  // The producer's layout must be plain (nhwc or nchw): the interleave is a
  // strided view of the output, which blocked layouts cannot express.
  // An INT8 node reads it in its src type (the producer's integers when type
  // and scale match, else a quantizing reorder added below).
  const Tag tag = activation_tag(plan_->values[static_cast<size_t>(n.inputs[0])].get_desc());
  if (tag != Tag::nhwc && tag != Tag::nchw) return false;
  const memory::desc src_md(to_dims(src_shape), cq.src_dt, tag);

  const int64_t ic = n.weight.dim(0), oc = n.weight.dim(1);
  const memory::desc bias_md = cq.bias.empty() ? memory::desc() : memory::desc({oc}, Dt::f32, Tag::x);
  dnnl::post_ops ops;
  if (n.activation == Activation::Relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  const dnnl::primitive_attr attr = conv_attr(cq, ops);

  // First every primitive descriptor (a oneDNN refusal leaves no trace in the
  // plan, so the caller can fall back), then the memories and steps.
  struct Phase {
    int ry, rx;
    memory::dims dims;
    Tensor weights;  // [OC, IC, taps_h, taps_w] from PyTorch [IC, OC, KH, KW], f32 or s8
    dnnl::convolution_forward::primitive_desc pd;
  };
  std::vector<Phase> phases;
  for (int ry = 0; ry < sh; ++ry) {
    for (int rx = 0; rx < sw; ++rx) {
      const PhaseAxis& pr = rows[static_cast<size_t>(ry)];
      const PhaseAxis& pc = cols[static_cast<size_t>(rx)];
      const Tensor pw = cq.int8 ? phase_weights<int8_t>(n.weight, pr, pc, sh, sw)
                                : phase_weights<float>(n.weight, pr, pc, sh, sw);
      const memory::dims dims{dst_shape[0], oc, pr.out, pc.out};
      dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                        src_md, memory::desc({oc, ic, pr.taps, pc.taps}, cq.wei_dt, Tag::any),
                                        bias_md, memory::desc(dims, cq.dst_dt, tag), {1, 1}, {pr.pad_lo, pc.pad_lo},
                                        {pr.pad_hi, pc.pad_hi});
      dnnl::convolution_forward::primitive_desc pd(d, attr, ctx_.engine);
      if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0) return false;  // the deconv primitive is better
      phases.push_back({ry, rx, dims, pw, pd});
    }
  }

  const memory src = value_as(n.inputs[0], src_md, cq.src_scale);
  if (!cq.bias.empty()) plan_->keep.push_back(cq.bias);
  // The whole output in the source's layout; each phase fills a strided view.
  const memory::desc out_md(to_dims(dst_shape), cq.dst_dt, tag);
  const memory out = define_value(n.output, out_md);
  const int buffer = main_buffer_[static_cast<size_t>(n.output)];
  const dnnl_dims_t& st = out_md.data.format_desc.blocking.strides;  // plain layout: element strides
  // Each phase conv writes the layout it was given (`tag`), so in nhwc our copy takes every phase.
  const bool copy_kernel = tag == Tag::nhwc && tuning_.phase_copy_kernel && concat_channels_supported();
  const size_t elem = memory::data_type_size(cq.dst_dt);
  const int threads = omp_get_max_threads();  // the executor set the team size before planning
  for (Phase& ph : phases) {
    std::unordered_map<int, memory> args;
    args[DNNL_ARG_SRC] = src;
    const memory user_wei(memory::desc(to_dims(ph.weights.shape()), to_dt(ph.weights.dtype()), Tag::oihw), ctx_.engine,
                          ph.weights.raw());
    args[DNNL_ARG_WEIGHTS] = weights_.get(ni, 1 + ph.ry * sw + ph.rx, user_wei, ph.pd.weights_desc(), ctx_, ph.weights);
    if (!cq.bias.empty()) args[DNNL_ARG_BIAS] = memory(bias_md, ctx_.engine, const_cast<void*>(cq.bias.raw()));
    const int temp = plan_->buffers.acquire(ph.pd.dst_desc().get_size());
    const memory phase_out = bound_memory(ph.pd.dst_desc(), temp);
    args[DNNL_ARG_DST] = phase_out;
    add_step(dnnl::convolution_forward(ph.pd), std::move(args));

    // Rows ry, ry+s, ... and columns rx, rx+s, ... of the output: in nhwc
    // our pixel copy, else a strided reorder.
    const dnnl_dim_t first = ph.ry * st[2] + ph.rx * st[3];
    if (copy_kernel) {
      const memory::dims d = ph.dims;
      Step step;
      step.run = [phase_out, out, d, elem, first, st0 = st[0], row = st[2] * sh, px = st[3] * sw, threads] {
        copy_pixels_strided(phase_out.get_data_handle(), d[0], d[2], d[3], static_cast<size_t>(d[1]) * elem,
                            static_cast<uint8_t*>(out.get_data_handle()) + static_cast<size_t>(first) * elem,
                            static_cast<size_t>(st0) * elem, static_cast<size_t>(row) * elem,
                            static_cast<size_t>(px) * elem, threads);
      };
      plan_->steps.push_back(std::move(step));
    } else {
      memory::desc view(ph.dims, cq.dst_dt, memory::dims{st[0], st[1], st[2] * sh, st[3] * sw});
      view.data.offset0 = first;
      const memory out_view = bound_memory(view, buffer);
      add_step(dnnl::reorder(phase_out, out_view), {{DNNL_ARG_FROM, phase_out}, {DNNL_ARG_TO, out_view}});
    }
    plan_->buffers.release(temp);  // steps run in order: the next phase may reuse it
  }
  plan_->scales[static_cast<size_t>(n.output)] = cq.dst_scale;
  plan_->nodes[ni].impl = std::string("phases:") + phases.front().pd.impl_info_str() +
                          (copy_kernel ? " + copy_pixels:avx512" : "");
  return true;
}

}  // namespace textq::onednn
