#include "backends/onednn/plan_builder.h"

#include <algorithm>
#include <climits>

#include <omp.h>

#include "backends/onednn/epilogue.h"
#include "backends/onednn/quantize_planes.h"

namespace textq::onednn {

PlanBuilder::PlanBuilder(const Graph& graph, Context& ctx, WeightCache& weights, const OneDnnTuning& tuning, bool bf16,
                         bool fuse_epilogues, bool fuse_pools)
    : graph_(graph), ctx_(ctx), weights_(weights), tuning_(tuning), bf16_(bf16), fuse_epilogues_(fuse_epilogues),
      fuse_pools_(fuse_pools), nhwc_from_input_(tuning.nhwc_before_avx512 && !__builtin_cpu_supports("avx512f")),
      deconv_winograd_(tuning.deconv_winograd_before_avx512 && !__builtin_cpu_supports("avx512f")) {}

bool PlanBuilder::node_bf16(const Node& n) const {
  // The conv reading the graph input stays f32: rounding the image to bf16
  // was the largest single error of bf16 mode (the head's max logit error
  // 0.59 -> 0.24 on the demo test set) and that conv is a small part of the time.
  return bf16_ && n.inputs[0] != graph_.input;
}

bool PlanBuilder::is_graph_output(int value) const { return graph_.is_output(value); }

bool PlanBuilder::passes_integers(const Node& n) const {
  if (!fuse_epilogues_ || is_graph_output(n.output)) return false;
  return n.op == OpKind::Concat || (n.op == OpKind::Resize && n.attrs.resize_mode == ResizeMode::Nearest);
}

std::optional<std::pair<Dt, float>> PlanBuilder::int8_readers_type(int value) const {
  std::optional<std::pair<Dt, float>> type;
  for (size_t r : readers_[static_cast<size_t>(value)]) {
    const Node& n = graph_.nodes[r];
    std::optional<std::pair<Dt, float>> t;
    if (passes_integers(n)) {
      t = int8_readers_type(n.output);
      if (!t) return std::nullopt;
    } else {
      if ((n.op != OpKind::Conv && n.op != OpKind::ConvTranspose) || !n.quant.enabled || n.inputs[0] != value ||
          (n.has_residual() && n.inputs[1] == value))
        return std::nullopt;
      t = std::pair<Dt, float>{to_dt(n.quant.src_type), n.quant.src_scale};
    }
    if (type && *type != *t) return std::nullopt;
    type = t;
  }
  return type;
}

ConvQuant PlanBuilder::conv_types(const Node& n) const {
  ConvQuant cq = conv_quant(n);
  if (node_bf16(n) && !cq.int8) {
    cq.src_dt = cq.wei_dt = cq.dst_dt = Dt::bf16;  // bias stays f32
    // A graph output (the head's logits) is written in f32 by the conv's f32
    // accumulator instead of being rounded to bf16 first.
    if (is_graph_output(n.output)) cq.dst_dt = Dt::f32;
  }
  return cq;
}

void PlanBuilder::mark_deep_values(const Shape& input_shape) {
  // A value is "deep" once the graph has reached 1/16 of the input's
  // resolution on its way there: ResNet stage 3 onward and the whole
  // upsampling neck after it.
  const std::vector<Shape>& shapes = plan_->shapes;
  deep_.assign(shapes.size(), false);
  const bool spatial = input_shape.size() == 4;
  for (const Node& n : graph_.nodes) {
    bool deep = false;
    for (int v : n.inputs) deep = deep || deep_[static_cast<size_t>(v)];
    const Shape& out = shapes[static_cast<size_t>(n.output)];
    if (spatial && out.size() == 4 && out[2] * 16 <= input_shape[2] && out[3] * 16 <= input_shape[3]) deep = true;
    deep_[static_cast<size_t>(n.output)] = deep;
  }
}

std::unique_ptr<ShapePlan> PlanBuilder::build(const Shape& input_shape) {
  plan_ = std::make_unique<ShapePlan>();
  ShapePlan& p = *plan_;
  p.input_shape = input_shape;
  p.shapes = graph_.infer_shapes(input_shape);  // throws InvalidArgument for a bad shape
  const size_t nv = static_cast<size_t>(graph_.num_values());
  p.values.assign(nv, memory());
  p.scales.assign(nv, 1.f);
  p.nodes.assign(graph_.nodes.size(), NodePlan());
  p.observer_reorders.assign(graph_.nodes.size(), std::nullopt);
  p.output_direct.assign(graph_.outputs.size(), false);  // set by the lowering of a node that writes one
  mark_deep_values(input_shape);

  readers_ = graph_.readers();
  fused_into_.assign(graph_.nodes.size(), -1);
  last_use_.assign(nv, -1);
  for (size_t ni = 0; ni < graph_.nodes.size(); ++ni)
    for (int v : graph_.nodes[ni].inputs) last_use_[static_cast<size_t>(v)] = static_cast<int>(ni);
  for (int v : graph_.outputs) last_use_[static_cast<size_t>(v)] = INT_MAX;
  main_buffer_.assign(nv, -1);
  extra_buffers_.assign(nv, {});
  converted_.assign(nv, {});
  bindings_.clear();

  const Shape& in_shape = p.shapes[static_cast<size_t>(graph_.input)];
  p.input_user = memory(plain_nchw(in_shape), ctx_.engine, DNNL_MEMORY_NONE);
  p.values[static_cast<size_t>(graph_.input)] = p.input_user;

  for (size_t ni = 0; ni < graph_.nodes.size(); ++ni) {
    const Node& n = graph_.nodes[ni];
    current_node_ = ni;
    p.nodes[ni].first_step = p.steps.size();
    if (fused_into_[ni] >= 0) {  // runs inside an earlier node's step: post-ops (epilogue.h) or a stem's pool
      p.nodes[ni].fused_into = fused_into_[ni];
      p.nodes[ni].impl = std::string(n.op == OpKind::MaxPool ? "fused into " : "post-op of ") +
                         graph_.nodes[static_cast<size_t>(fused_into_[ni])].name;
      p.nodes[ni].end_step = p.steps.size();
      release_dead_inputs(ni);
      continue;
    }
    guard_node(n.name, op_kind_name(n.op), [&] {
      switch (n.op) {
        case OpKind::Conv:
        case OpKind::ConvTranspose: lower_conv(ni); break;
        case OpKind::MaxPool: lower_max_pool(ni); break;
        case OpKind::Concat: lower_concat(ni); break;
        case OpKind::Add: lower_add(ni); break;
        case OpKind::Relu: lower_relu(ni); break;
        case OpKind::Sigmoid:
        case OpKind::HardSigmoid:
        case OpKind::HardSwish:
        case OpKind::Clip:
        case OpKind::Affine: lower_eltwise(ni); break;
        case OpKind::Mul: lower_mul(ni); break;
        case OpKind::AveragePool:
        case OpKind::GlobalAveragePool: lower_avg_pool(ni); break;
        case OpKind::Resize: lower_resize(ni); break;
        case OpKind::Pad: lower_pad(ni); break;
      }
    });
    if (!input_kernel_.empty()) p.nodes[ni].impl = input_kernel_ + " + " + p.nodes[ni].impl, input_kernel_.clear();
    p.nodes[ni].end_step = p.steps.size();
    release_dead_inputs(ni);
  }

  // Graph outputs leave as plain NCHW f32 (the caller's tensors, handle set per run).
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    const int v = graph_.outputs[i];
    const memory& src = p.values[static_cast<size_t>(v)];
    if (p.output_direct[i]) {  // written straight into the caller's tensor
      p.output_reorders.emplace_back();
      p.output_plain.emplace_back();
      continue;
    }
    memory dst(plain_nchw(p.shapes[static_cast<size_t>(v)]), ctx_.engine, DNNL_MEMORY_NONE);
    const float scale = p.scales[static_cast<size_t>(v)];  // integer outputs leave dequantized
    p.output_reorders.push_back(guard_node(graph_.value_names[static_cast<size_t>(v)], "output reorder", [&] {
      return dnnl::reorder(dnnl::reorder::primitive_desc(ctx_.engine, src.get_desc(), ctx_.engine, dst.get_desc(),
                                                         scale_attr(scale)));
    }));
    p.output_plain.push_back(dst);
  }

  p.buffers.allocate();
  for (auto& [mem, buffer] : bindings_) mem.set_data_handle(p.buffers.data(buffer));
  bindings_.clear();
  return std::move(plan_);
}

memory PlanBuilder::bound_memory(const memory::desc& md, int buffer) {
  memory m(md, ctx_.engine, DNNL_MEMORY_NONE);
  bindings_.emplace_back(m, buffer);
  return m;
}

memory PlanBuilder::scratch_memory(size_t bytes) {
  const int buffer = plan_->buffers.acquire(bytes);
  memory m = bound_memory(memory::desc({static_cast<int64_t>(bytes)}, Dt::u8, Tag::x), buffer);
  plan_->buffers.release(buffer);  // steps run in order: later nodes may reuse it
  return m;
}

memory PlanBuilder::packed_weights(size_t ni, const memory::desc& md, const std::function<Tensor()>& pack) {
  if (std::optional<memory> cached = weights_.find(ni, 0, md)) return *cached;
  const Tensor packed = pack();
  return weights_.get(ni, 0, memory(md, ctx_.engine, const_cast<void*>(packed.raw())), md, ctx_, packed);
}

memory PlanBuilder::define_value(int value, const memory::desc& md) {
  const int buffer = plan_->buffers.acquire(md.get_size());
  main_buffer_[static_cast<size_t>(value)] = buffer;
  memory m = bound_memory(md, buffer);
  plan_->values[static_cast<size_t>(value)] = m;
  return m;
}

memory PlanBuilder::value_as(int value, const memory::desc& want, float want_scale) {
  const size_t v = static_cast<size_t>(value);
  const memory& have = plan_->values.at(v);
  // x / x == 1 exactly, so a producer with the consumer's scale needs no rescaling.
  const float factor = plan_->scales[v] / want_scale;
  if (have.get_desc() == want && factor == 1.f) return have;
  for (const Converted& c : converted_[v])
    if (c.mem.get_desc() == want && c.factor == factor) return c.mem;
  const int buffer = plan_->buffers.acquire(want.get_size());
  extra_buffers_[v].push_back(buffer);
  memory copy = bound_memory(want, buffer);
  add_reorder(have, copy, factor);
  converted_[v].push_back({copy, factor});
  return copy;
}

void PlanBuilder::add_step(const dnnl::primitive& prim, std::unordered_map<int, memory> args) {
  plan_->steps.push_back(Step{prim, std::move(args), {}});
}

void PlanBuilder::add_reorder(const memory& src, const memory& dst, float scale) {
  plan_->nodes[current_node_].reorders++;
  const memory::desc& from = src.get_desc();
  const memory::desc& to = dst.get_desc();
  const memory::dims dims = from.dims();
  if (tuning_.quantize_planes_kernel && quantize_planes_supported() && dims.size() == 4 && dims[1] >= 1 &&
      dims[1] <= 4 && from == memory::desc(dims, Dt::f32, Tag::nchw) &&
      (to == memory::desc(dims, Dt::u8, Tag::nhwc) || to == memory::desc(dims, Dt::s8, Tag::nhwc))) {
    const bool is_signed = to.data_type() == Dt::s8;
    const int threads = omp_get_max_threads();  // the executor set the team size before planning
    Step step;
    step.run = [src, dst, dims, scale, is_signed, threads] {
      quantize_planes(static_cast<const float*>(src.get_data_handle()), dims[0], dims[1], dims[2], dims[3], scale,
                      is_signed, dst.get_data_handle(), threads);
    };
    plan_->steps.push_back(std::move(step));
    input_kernel_ = "quantize_planes:avx512";  // shown before the node's own kernel in its profile
    return;
  }
  const dnnl::reorder::primitive_desc pd(ctx_.engine, src.get_desc(), ctx_.engine, dst.get_desc(), scale_attr(scale));
  add_step(dnnl::reorder(pd), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
}

bool PlanBuilder::can_overwrite(int value, size_t ni) const {
  const size_t v = static_cast<size_t>(value);
  return main_buffer_[v] >= 0 && last_use_[v] == static_cast<int>(ni);
}

void PlanBuilder::release_dead_inputs(size_t ni) {
  for (int value : graph_.nodes[ni].inputs) {
    const size_t v = static_cast<size_t>(value);
    if (last_use_[v] != static_cast<int>(ni)) continue;
    last_use_[v] = -1;  // release once even if the node reads the value twice
    if (main_buffer_[v] >= 0) plan_->buffers.release(main_buffer_[v]);
    for (int b : extra_buffers_[v]) plan_->buffers.release(b);
    main_buffer_[v] = -1;
    extra_buffers_[v].clear();
  }
}

}  // namespace textq::onednn
