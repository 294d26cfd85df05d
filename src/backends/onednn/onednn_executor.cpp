// The oneDNN Executor: verifies the graph, keeps a small LRU of per-shape
// plans, runs their steps node by node, and converts outputs (and observed
// values) back to plain NCHW f32 (dequantizing INT8 values).
#include "backends/onednn/onednn_executor.h"

#include <omp.h>

#include <chrono>
#include <list>

#include "backends/onednn/plan_builder.h"

namespace textq {

namespace onednn {
namespace {

// Plans hold their activation buffers (~0.5 GB at 736x1280), so only a few
// shapes are kept; a dataset with varying sizes rebuilds (oneDNN's own
// primitive cache still makes that cheap) but packed weights are kept.
constexpr size_t kMaxCachedPlans = 4;

bool bf16_supported() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto want = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
  return (isa & want) == want;  // the isa values are feature bit sets (AMX includes BF16)
}

const char* isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx2: return "avx2";
    default: return "no AVX-512 BF16";
  }
}

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class OneDnnExecutor final : public Executor {
 public:
  OneDnnExecutor(const Graph& graph, const ExecOptions& options, const OneDnnTuning& tuning)
      : graph_(graph), options_(options), tuning_(tuning), weights_() {
    graph_.verify();
    if (options.bf16 && !bf16_supported())
      throw Error(ErrorKind::UnsupportedModel, "oneDNN backend: bf16 precision needs a CPU with AVX-512 BF16 or AMX; "
                                               "this one runs " + std::string(isa_name()));
    for (const Node& n : graph_.nodes)
      if (n.quant.enabled) {
        conv_quant(n);  // refuses bad INT8 parameters now rather than at the first run
        has_int8_ = true;
      }
  }

  std::vector<Tensor> run(const Tensor& input, const NodeObserver* observer) override {
    if (input.dtype() != DType::f32 || input.rank() != 4)
      throw Error(ErrorKind::InvalidArgument, std::string("oneDNN backend: input must be a 4-D NCHW f32 tensor, got ") +
                                                  dtype_name(input.dtype()) + " " + shape_str(input.shape()));
    if (options_.threads > 0) omp_set_num_threads(options_.threads);  // before any primitive is made
    ShapePlan& plan = plan_for(input.shape());
    plan.input_user.set_data_handle(const_cast<void*>(input.raw()));  // read only

    const bool timed = options_.verbose;
    profile_.assign(graph_.nodes.size(), NodeProfile());
    for (size_t ni = 0; ni < graph_.nodes.size(); ++ni) {
      const Node& n = graph_.nodes[ni];
      const NodePlan& np = plan.nodes[ni];
      profile_[ni].name = n.name;
      profile_[ni].impl = np.impl;
      const double t0 = timed ? now_ms() : 0.0;
      guard_node(n.name, "execute", [&] {
        for (size_t s = np.first_step; s < np.end_step; ++s) {
          Step& step = plan.steps[s];
          if (step.run)
            step.run();  // oneDNN's CPU primitives run synchronously: the order holds
          else
            step.prim.execute(ctx_.stream, step.args);
        }
        if (timed || observer) ctx_.stream.wait();
      });
      if (timed) profile_[ni].ms = now_ms() - t0;
      if (observer) (*observer)(n, to_plain(plan, ni));
    }

    std::vector<Tensor> outputs;
    for (size_t i = 0; i < graph_.outputs.size(); ++i) {
      const int v = graph_.outputs[i];
      Tensor out = Tensor::uninitialized(DType::f32, plan.shapes[static_cast<size_t>(v)]);  // the reorder writes all
      guard_node(graph_.value_names[static_cast<size_t>(v)], "output reorder", [&] {
        plan.output_plain[i].set_data_handle(out.raw());
        plan.output_reorders[i].execute(ctx_.stream, plan.values[static_cast<size_t>(v)], plan.output_plain[i]);
        ctx_.stream.wait();
      });
      outputs.push_back(out);
    }
    return outputs;
  }

  std::vector<NodeProfile> profile() const override { return profile_; }

  std::string describe() const override {
    const dnnl_version_t* v = dnnl::version();
    return "onednn (oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
           std::to_string(v->patch) + (has_int8_ ? ", f32 + int8" : ", f32") + ", threads " +
           (options_.threads > 0 ? std::to_string(options_.threads) : std::string("default")) +
           (options_.bf16 ? ", bf16" : "") + (tuning_.winograd ? "" : ", no winograd") + ")";
  }

  OneDnnStats stats() const {
    OneDnnStats s;
    s.plans_built = plans_built_;
    s.plans_cached = static_cast<int>(plans_.size());
    s.activation_bytes = plans_.empty() ? 0 : plans_.front()->buffers.total_bytes();
    s.packed_weight_bytes = weights_.total_bytes();
    if (!plans_.empty())
      for (const NodePlan& np : plans_.front()->nodes) s.layout_reorders += np.reorders;
    return s;
  }

 private:
  ShapePlan& plan_for(const Shape& shape) {
    for (auto it = plans_.begin(); it != plans_.end(); ++it) {
      if ((*it)->input_shape != shape) continue;
      plans_.splice(plans_.begin(), plans_, it);  // most recently used first
      return *plans_.front();
    }
    PlanBuilder builder(graph_, ctx_, weights_, tuning_, options_.bf16);
    plans_.push_front(builder.build(shape));
    ++plans_built_;
    if (plans_.size() > kMaxCachedPlans) plans_.pop_back();
    return *plans_.front();
  }

  // Node ni's output as a fresh plain NCHW f32 tensor, dequantized (the observer's slow path).
  Tensor to_plain(ShapePlan& plan, size_t ni) {
    const Node& n = graph_.nodes[ni];
    const size_t v = static_cast<size_t>(n.output);
    Tensor out(DType::f32, plan.shapes[v]);
    guard_node(n.name, "observer reorder", [&] {
      memory dst(plain_nchw(plan.shapes[v]), ctx_.engine, out.raw());
      if (!plan.observer_reorders[ni])
        plan.observer_reorders[ni] = dnnl::reorder(dnnl::reorder::primitive_desc(
            ctx_.engine, plan.values[v].get_desc(), ctx_.engine, dst.get_desc(), scale_attr(plan.scales[v])));
      plan.observer_reorders[ni]->execute(ctx_.stream, plan.values[v], dst);
      ctx_.stream.wait();
    });
    return out;
  }

  Graph graph_;  // a copy: tensors share their buffers with the caller's graph
  ExecOptions options_;
  OneDnnTuning tuning_;
  Context ctx_;
  WeightCache weights_;
  std::list<std::unique_ptr<ShapePlan>> plans_;
  int plans_built_ = 0;
  bool has_int8_ = false;
  std::vector<NodeProfile> profile_;
};

}  // namespace
}  // namespace onednn

std::unique_ptr<Executor> make_onednn_executor(const Graph& graph, const ExecOptions& options,
                                               const OneDnnTuning& tuning) {
  return std::make_unique<onednn::OneDnnExecutor>(graph, options, tuning);
}

OneDnnStats onednn_stats(const Executor& executor) {
  const auto* e = dynamic_cast<const onednn::OneDnnExecutor*>(&executor);
  if (!e) throw Error(ErrorKind::InvalidArgument, "onednn_stats: the executor is not a oneDNN executor");
  return e->stats();
}

}  // namespace textq
