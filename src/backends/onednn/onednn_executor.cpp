// The oneDNN Executor: verifies the graph, keeps a small LRU of per-shape
// plans, runs their steps node by node, and converts outputs (and observed
// values) back to plain NCHW f32 (dequantizing INT8 values).
#include "backends/onednn/onednn_executor.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <list>

#include "backends/onednn/epilogue.h"
#include "backends/onednn/plan_builder.h"
#include "ir/fold_pointwise.h"
#include "ir/pool_before_pointwise.h"
#include "ir/residual_gate.h"

namespace textq {

namespace onednn {
namespace {

// Plans hold their activation buffers (~0.5 GB at 736x1280), so only a few
// shapes are kept; a dataset with varying sizes rebuilds (oneDNN's own
// primitive cache still makes that cheap) but packed weights are kept.
constexpr size_t kMaxCachedPlans = 4;

// oneDNN's isa values are feature bit sets: a CPU has `want` when its effective
// isa holds all of want's bits (AMX includes BF16, BF16 includes VNNI).
bool isa_has(dnnl::cpu_isa want) {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  return (isa & static_cast<unsigned>(want)) == static_cast<unsigned>(want);
}

bool bf16_supported() { return isa_has(dnnl::cpu_isa::avx512_core_bf16); }

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

// Whether fusing epilogues (epilogue.h) can change anything: a conv with a
// chain after it, or an Add / Mul (a chain, or an integer dst for INT8 readers).
bool has_epilogue(const Graph& graph) {
  const auto readers = graph.readers();
  for (size_t ni = 0; ni < graph.nodes.size(); ++ni) {
    const OpKind op = graph.nodes[ni].op;
    if (op == OpKind::Add || op == OpKind::Mul) return true;
    if (!find_conv_epilogue(graph, ni, readers).nodes.empty()) return true;
  }
  return false;
}

// Whether an INT8 conv's only reader is a max pool (the stem), which the
// unobserved plan may run inside the conv's step (OneDnnTuning::int8_stem_kernel).
bool has_int8_conv_pool(const Graph& graph) {
  const auto readers = graph.readers();
  for (const Node& n : graph.nodes) {
    const auto& r = readers[static_cast<size_t>(n.output)];
    if (n.op == OpKind::Conv && n.quant.enabled && r.size() == 1 && graph.nodes[r[0]].op == OpKind::MaxPool &&
        !graph.is_output(n.output))
      return true;
  }
  return false;
}

class OneDnnExecutor final : public Executor {
 public:
  OneDnnExecutor(const Graph& graph, const ExecOptions& options, const OneDnnTuning& tuning)
      : options_(options), tuning_(tuning) {
    graph.verify();
    if (options.bf16 && !bf16_supported())
      throw Error(ErrorKind::UnsupportedModel, "oneDNN backend: bf16 precision needs a CPU with AVX-512 BF16 or AMX; "
                                               "this one runs " + std::string(isa_name()));
    for (const Node& n : graph.nodes)
      if (n.quant.enabled) {
        conv_quant(n);  // refuses bad INT8 parameters now rather than at the first run
        has_int8_ = true;
      }
    as_given_.graph = graph;
    // Unobserved runs take a faster variant when there is anything to fold or fuse.
    std::vector<FoldedPair> folded;
    Graph fast;
    if (tuning.fold_output_pointwise)
      fast = fold_pointwise_convs(graph, &folded, true, [&graph](const Node&, const Node& pointwise) {
        return graph.is_output(pointwise.output);
      });
    if (folded.empty()) fast = graph;
    std::vector<std::string> pools;
    if (tuning.pool_before_pointwise) fast = pool_before_pointwise(fast, &pools);
    const bool conv_binary = tuning.fuse_epilogues && tuning.conv_binary_epilogues;
    if (conv_binary) fast = fold_residual_gates(fast);
    const bool fuse = tuning.fuse_epilogues && has_epilogue(fast);
    const bool fuse_pools = tuning.int8_stem_kernel && has_int8_conv_pool(fast);
    folded_pointwise_ = static_cast<int>(folded.size());
    pools_before_pointwise_ = static_cast<int>(pools.size());
    if (!folded.empty() || !pools.empty() || fuse || fuse_pools) {
      fast_ = std::make_unique<Variant>();
      fast_->graph = fuse && tuning.sink_binary_chains ? sink_binary_chains(fast, conv_binary) : std::move(fast);
      fast_->fuse_epilogues = fuse;
      fast_->fuse_pools = fuse_pools;
    }
  }

  std::vector<Tensor> run(const Tensor& input, const NodeObserver* observer) override {
    if (input.dtype() != DType::f32 || input.rank() != 4)
      throw Error(ErrorKind::InvalidArgument, std::string("oneDNN backend: input must be a 4-D NCHW f32 tensor, got ") +
                                                  dtype_name(input.dtype()) + " " + shape_str(input.shape()));
    if (options_.threads > 0) omp_set_num_threads(options_.threads);  // before any primitive is made
    // An observer sees every node of the graph as given; unobserved runs take the fast variant.
    Variant& variant = observer || !fast_ ? as_given_ : *fast_;
    const Graph& graph = variant.graph;
    last_ = &variant;
    ShapePlan& plan = plan_for(variant, input.shape());
    plan.input_user.set_data_handle(const_cast<void*>(input.raw()));  // read only

    // Outputs our kernels write in the caller's layout go straight into the
    // returned tensors, allocated when their node is about to run.
    std::vector<Tensor> outputs(graph.outputs.size());
    auto allocate_direct_outputs = [&](size_t ni) {
      for (size_t i = 0; i < graph.outputs.size(); ++i) {
        const int v = graph.outputs[i];
        if (!plan.output_direct[i] || graph.nodes[ni].output != v) continue;
        outputs[i] = output_tensor(plan, i, v);  // the kernel writes all
        plan.values[static_cast<size_t>(v)].set_data_handle(outputs[i].raw());
      }
    };

    const bool timed = options_.verbose;
    profile_.assign(graph.nodes.size(), NodeProfile());
    for (size_t ni = 0; ni < graph.nodes.size(); ++ni) {
      const Node& n = graph.nodes[ni];
      const NodePlan& np = plan.nodes[ni];
      profile_[ni].name = n.name;
      profile_[ni].impl = np.impl;
      const double t0 = timed ? now_ms() : 0.0;
      allocate_direct_outputs(ni);
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
      if (observer) (*observer)(n, to_plain(graph, plan, ni));
    }

    for (size_t i = 0; i < graph.outputs.size(); ++i) {
      if (plan.output_direct[i]) continue;
      const int v = graph.outputs[i];
      Tensor out = output_tensor(plan, i, v);  // the reorder writes all
      guard_node(graph.value_names[static_cast<size_t>(v)], "output reorder", [&] {
        plan.output_plain[i].set_data_handle(out.raw());
        plan.output_reorders[i].execute(ctx_.stream, plan.values[static_cast<size_t>(v)], plan.output_plain[i]);
        ctx_.stream.wait();
      });
      outputs[i] = out;
    }
    return outputs;
  }

  std::vector<NodeProfile> profile() const override { return profile_; }

  std::string describe() const override {
    const dnnl_version_t* v = dnnl::version();
    return "onednn (oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
           std::to_string(v->patch) + (has_int8_ ? ", f32 + int8" : ", f32") + ", threads " +
           (options_.threads > 0 ? std::to_string(options_.threads) : std::string("default")) +
           (options_.bf16 ? ", bf16" : "") + (tuning_.winograd ? "" : ", no winograd") +
           (folded_pointwise_ > 0 ? ", output 1x1 folded" : "") +
           (pools_before_pointwise_ > 0 ? ", pools before 1x1" : "") +
           (fast_ && fast_->fuse_epilogues ? ", epilogues fused" : "") + ")";
  }

  OneDnnStats stats() const {
    OneDnnStats s;
    s.plans_built = plans_built_;
    const Variant& last = last_ ? *last_ : as_given_;
    s.plans_cached = static_cast<int>(as_given_.plans.size() + (fast_ ? fast_->plans.size() : 0));
    s.activation_bytes = last.plans.empty() ? 0 : last.plans.front()->buffers.total_bytes();
    s.packed_weight_bytes = as_given_.weights.total_bytes() + (fast_ ? fast_->weights.total_bytes() : 0);
    if (!last.plans.empty())
      for (const NodePlan& np : last.plans.front()->nodes) {
        s.layout_reorders += np.reorders;
        s.fused_epilogue_nodes += np.fused_into >= 0 ? 1 : 0;
      }
    s.folded_pointwise = folded_pointwise_;
    s.pools_before_pointwise = pools_before_pointwise_;
    return s;
  }

 private:
  // One graph with its packed weights and per-shape plans (node indices key the weights).
  struct Variant {
    Graph graph;  // a copy: tensors share their buffers with the caller's graph
    bool fuse_epilogues = false;  // plans run elementwise chains as post-ops (epilogue.h)
    bool fuse_pools = false;      // plans may run a max pool inside the INT8 stem conv before it
    WeightCache weights;
    std::list<std::unique_ptr<ShapePlan>> plans;  // most recently used first
  };

  // Graph output i (value v) of this run: an earlier run's tensor the caller
  // has let go of, else a new one.
  static Tensor output_tensor(ShapePlan& plan, size_t i, int v) {
    while (plan.output_pools.size() <= i) plan.output_pools.emplace_back(3);
    return plan.output_pools[i].take(DType::f32, plan.shapes[static_cast<size_t>(v)]);
  }

  ShapePlan& plan_for(Variant& v, const Shape& shape) {
    for (auto it = v.plans.begin(); it != v.plans.end(); ++it) {
      if ((*it)->input_shape != shape) continue;
      v.plans.splice(v.plans.begin(), v.plans, it);  // most recently used first
      return *v.plans.front();
    }
    PlanBuilder builder(v.graph, ctx_, v.weights, tuning_, options_.bf16, v.fuse_epilogues, v.fuse_pools);
    v.plans.push_front(builder.build(shape));
    ++plans_built_;
    if (v.plans.size() > kMaxCachedPlans) v.plans.pop_back();
    return *v.plans.front();
  }

  // Node ni's output as a fresh plain NCHW f32 tensor, dequantized (the observer's slow path).
  Tensor to_plain(const Graph& graph, ShapePlan& plan, size_t ni) {
    const Node& n = graph.nodes[ni];
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

  ExecOptions options_;
  OneDnnTuning tuning_;
  Context ctx_;
  Variant as_given_;                  // observed runs (calibration, --dump) and graphs with nothing to fold or fuse
  // Unobserved runs when OneDnnTuning::fold_output_pointwise folded a pair,
  // pool_before_pointwise moved a pool or fuse_epilogues finds a chain to fuse.
  std::unique_ptr<Variant> fast_;
  const Variant* last_ = nullptr;     // the variant of the last run
  int plans_built_ = 0;
  int folded_pointwise_ = 0;        // OneDnnTuning::fold_output_pointwise pairs in fast_
  int pools_before_pointwise_ = 0;  // OneDnnTuning::pool_before_pointwise pools in fast_
  bool has_int8_ = false;
  std::vector<NodeProfile> profile_;
};

}  // namespace
}  // namespace onednn

bool onednn_int8_sums_exact() {
  return onednn::isa_has(dnnl::cpu_isa::avx512_core_vnni) || onednn::isa_has(dnnl::cpu_isa::avx2_vnni);
}

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
