#include "importers/onnx/ir_fusion.h"

#include <cmath>

#include "textq/error.h"

namespace textq {

namespace {

// Node liveness, producers and reader counts over a graph being rewritten.
// Nodes are never moved while rewriting (dead ones are skipped); compact()
// drops them at the end.
class Rewriter {
 public:
  explicit Rewriter(Graph& g) : g_(g) {
    const size_t nv = static_cast<size_t>(g_.num_values());
    dead_.assign(g_.nodes.size(), false);
    producer_.assign(nv, -1);
    readers_.assign(nv, 0);
    is_output_.assign(nv, false);
    for (size_t i = 0; i < g_.nodes.size(); ++i) revive(i);
    for (int v : g_.outputs) is_output_[static_cast<size_t>(v)] = true, ++readers_[static_cast<size_t>(v)];
  }

  Graph& graph() { return g_; }
  bool dead(size_t i) const { return dead_[i]; }
  size_t index(const Node* n) const { return static_cast<size_t>(n - g_.nodes.data()); }
  Node* producer(int v) {
    const int p = producer_[static_cast<size_t>(v)];
    return p < 0 || dead_[static_cast<size_t>(p)] ? nullptr : &g_.nodes[static_cast<size_t>(p)];
  }
  // Exactly one node input reads v and v is not a graph output.
  bool sole_reader(int v) const { return readers_[static_cast<size_t>(v)] == 1 && !is_output_[static_cast<size_t>(v)]; }
  int readers(int v) const { return readers_[static_cast<size_t>(v)]; }
  bool is_output(int v) const { return is_output_[static_cast<size_t>(v)]; }

  // Removes node i (its reads stop counting).
  void kill(size_t i) {
    dead_[i] = true;
    for (int v : g_.nodes[i].inputs) --readers_[static_cast<size_t>(v)];
  }
  // Re-registers node i after its inputs/output were rewritten (call kill first).
  void revive(size_t i) {
    dead_[i] = false;
    for (int v : g_.nodes[i].inputs) ++readers_[static_cast<size_t>(v)];
    producer_[static_cast<size_t>(g_.nodes[i].output)] = static_cast<int>(i);
  }

  // Drops dead nodes and nodes nothing reads (repeatedly), then renumbers the
  // values so every id is used.
  void compact() {
    bool changed = true;
    while (changed) {
      changed = false;
      for (size_t i = g_.nodes.size(); i-- > 0;)
        if (!dead_[i] && readers_[static_cast<size_t>(g_.nodes[i].output)] == 0) kill(i), changed = true;
    }
    std::vector<Node> nodes;
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      if (!dead_[i]) nodes.push_back(std::move(g_.nodes[i]));
    std::vector<int> remap(static_cast<size_t>(g_.num_values()), -1);
    std::vector<std::string> names;
    auto map = [&](int v) {
      int& r = remap[static_cast<size_t>(v)];
      if (r < 0) r = static_cast<int>(names.size()), names.push_back(g_.value_names[static_cast<size_t>(v)]);
      return r;
    };
    g_.input = map(g_.input);
    for (Node& n : nodes) {
      for (int& v : n.inputs) v = map(v);
      n.output = map(n.output);
    }
    for (int& v : g_.outputs) v = map(v);
    g_.nodes = std::move(nodes);
    g_.value_names = std::move(names);
  }

 private:
  Graph& g_;
  std::vector<int> producer_, readers_;
  std::vector<bool> dead_, is_output_;
};

bool is_conv(const Node& n) { return n.op == OpKind::Conv || n.op == OpKind::ConvTranspose; }

// Per-channel constant c of an Affine tensor ([1] applies to every channel).
float per(const Tensor& t, int64_t c) { return t.data<float>()[t.numel() == 1 ? 0 : c]; }

bool is_scalar_affine(const Node& n, float scale, float shift, float rel_tol = 0.f) {
  if (n.op != OpKind::Affine || n.weight.numel() != 1) return false;
  const float a = n.weight.data<float>()[0], b = n.bias.data<float>()[0];
  return std::fabs(a - scale) <= rel_tol * std::fabs(scale) && b == shift;
}

// 1. Affine after a conv into its weights and bias.
int fold_affine_into_producer(Rewriter& r) {
  int count = 0;
  Graph& g = r.graph();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& a = g.nodes[i];
    if (r.dead(i) || a.op != OpKind::Affine) continue;
    Node* p = r.producer(a.inputs[0]);
    if (!p || !is_conv(*p) || p->activation != Activation::None || p->has_residual() || !r.sole_reader(a.inputs[0])) continue;
    const int64_t oc = p->out_channels();
    if (a.weight.numel() != 1 && a.weight.numel() != oc) continue;  // a shape error: infer_shapes reports it
    Tensor w = p->weight.clone();
    float* wp = w.data<float>();
    if (p->op == OpKind::Conv) {  // [OC, IC/G, KH, KW]
      const int64_t block = w.numel() / oc;
      for (int64_t o = 0; o < oc; ++o)
        for (int64_t k = 0; k < block; ++k) wp[o * block + k] *= per(a.weight, o);
    } else {  // [IC, OC/G, KH, KW]: (ic, j) feeds output channel group(ic) * OC/G + j
      const int64_t ic = w.dim(0), ocg = w.dim(1), kk = w.dim(2) * w.dim(3), icg = ic / p->window.groups;
      for (int64_t c = 0; c < ic; ++c)
        for (int64_t j = 0; j < ocg; ++j)
          for (int64_t k = 0; k < kk; ++k) wp[(c * ocg + j) * kk + k] *= per(a.weight, (c / icg) * ocg + j);
    }
    Tensor b(DType::f32, {oc});
    for (int64_t o = 0; o < oc; ++o)
      b.data<float>()[o] = (p->bias.empty() ? 0.f : p->bias.data<float>()[o]) * per(a.weight, o) + per(a.bias, o);
    const size_t pi = r.index(p);
    r.kill(i);
    r.kill(pi);
    p->weight = w;
    p->bias = b;
    p->output = a.output;
    r.revive(pi);
    ++count;
  }
  return count;
}

// 2a. Add(conv(x), r) -> conv(x) with residual r, placed at the Add (r is
//     produced before the Add, maybe after the conv).
int fuse_residual_add(Rewriter& r) {
  int count = 0;
  Graph& g = r.graph();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (r.dead(i) || g.nodes[i].op != OpKind::Add || g.nodes[i].activation != Activation::None) continue;
    for (int side = 0; side < 2; ++side) {
      const Node& add = g.nodes[i];
      const int u = add.inputs[static_cast<size_t>(side)], other = add.inputs[static_cast<size_t>(1 - side)];
      Node* p = r.producer(u);
      if (!p || !is_conv(*p) || p->activation != Activation::None || p->has_residual() || !r.sole_reader(u) || other == u)
        continue;
      Node fused = *p;
      fused.inputs = {p->inputs[0], other};
      fused.output = add.output;
      r.kill(r.index(p));
      r.kill(i);
      g.nodes[i] = fused;
      r.revive(i);
      ++count;
      break;
    }
  }
  return count;
}

// 2b. Relu into the producer's activation.
int fuse_relu(Rewriter& r) {
  int count = 0;
  Graph& g = r.graph();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (r.dead(i) || n.op != OpKind::Relu) continue;
    Node* p = r.producer(n.inputs[0]);
    if (!p || !(is_conv(*p) || p->op == OpKind::Add) || p->activation != Activation::None || !r.sole_reader(n.inputs[0])) continue;
    const size_t pi = r.index(p);
    r.kill(i);
    r.kill(pi);
    p->activation = Activation::Relu;
    p->output = n.output;
    r.revive(pi);
    ++count;
  }
  return count;
}

// 3. HardSwish, matched at the Mul: x * HardSigmoid(x; 1/6, 1/2), or
//    x * Clip(x + 3, 0, 6) followed by an Affine 1/6 (the "/ 6").
int fuse_hardswish(Rewriter& r) {
  int count = 0;
  Graph& g = r.graph();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (r.dead(i) || g.nodes[i].op != OpKind::Mul) continue;
    for (int side = 0; side < 2; ++side) {
      const Node& m = g.nodes[i];
      const int x = m.inputs[static_cast<size_t>(side)], gate = m.inputs[static_cast<size_t>(1 - side)];
      Node* gp = r.producer(gate);
      if (!gp || !r.sole_reader(gate)) continue;
      if (gp->op == OpKind::HardSigmoid && gp->inputs[0] == x && std::fabs(gp->attrs.alpha - 1.f / 6.f) <= 1e-6f &&
          gp->attrs.beta == 0.5f) {
        r.kill(r.index(gp));
        r.kill(i);
        g.nodes[i].op = OpKind::HardSwish;
        g.nodes[i].inputs = {x};
        r.revive(i);
        ++count;
        break;
      }
      if (gp->op != OpKind::Clip || gp->attrs.alpha != 0.f || gp->attrs.beta != 6.f) continue;
      Node* plus3 = r.producer(gp->inputs[0]);
      if (!plus3 || !is_scalar_affine(*plus3, 1.f, 3.f) || plus3->inputs[0] != x || !r.sole_reader(gp->inputs[0])) continue;
      if (!r.sole_reader(m.output)) continue;
      size_t d = 0;
      bool found = false;
      for (size_t j = i + 1; j < g.nodes.size() && !found; ++j)
        if (!r.dead(j) && g.nodes[j].inputs.size() == 1 && g.nodes[j].inputs[0] == m.output) d = j, found = true;
      if (!found || !is_scalar_affine(g.nodes[d], 1.f / 6.f, 0.f, 1e-6f)) continue;
      r.kill(r.index(plus3));
      r.kill(r.index(gp));
      r.kill(i);
      r.kill(d);
      Node& hs = g.nodes[d];
      hs.op = OpKind::HardSwish;
      hs.inputs = {x};
      hs.weight = Tensor();
      hs.bias = Tensor();
      r.revive(d);
      ++count;
      break;
    }
  }
  return count;
}

// 4. Affine(Affine(x)) -> one Affine.
int merge_affines(Rewriter& r) {
  int count = 0;
  Graph& g = r.graph();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& a2 = g.nodes[i];
    if (r.dead(i) || a2.op != OpKind::Affine) continue;
    Node* a1 = r.producer(a2.inputs[0]);
    if (!a1 || a1->op != OpKind::Affine || !r.sole_reader(a2.inputs[0])) continue;
    const int64_t n1 = a1->weight.numel(), n2 = a2.weight.numel();
    if (n1 != 1 && n2 != 1 && n1 != n2) continue;
    const int64_t n = std::max(n1, n2);
    Tensor w(DType::f32, {n}), b(DType::f32, {n});
    for (int64_t c = 0; c < n; ++c) {
      w.data<float>()[c] = per(a1->weight, c) * per(a2.weight, c);
      b.data<float>()[c] = per(a1->bias, c) * per(a2.weight, c) + per(a2.bias, c);
    }
    r.kill(r.index(a1));
    r.kill(i);
    a2.inputs = {a1->inputs[0]};
    a2.weight = w;
    a2.bias = b;
    r.revive(i);
    ++count;
  }
  return count;
}

// 5. Affine into its reading convs when all of them are unpadded Convs.
int fold_affine_into_readers(Rewriter& r) {
  int count = 0;
  Graph& g = r.graph();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& a = g.nodes[i];
    if (r.dead(i) || a.op != OpKind::Affine || r.is_output(a.output)) continue;
    std::vector<size_t> convs;
    bool ok = true;
    for (size_t j = i + 1; j < g.nodes.size() && ok; ++j) {
      if (r.dead(j)) continue;
      const Node& c = g.nodes[j];
      for (size_t k = 0; k < c.inputs.size(); ++k) {
        if (c.inputs[k] != a.output) continue;
        const Window2d& w = c.window;
        const int64_t ic = c.op == OpKind::Conv && c.weight.rank() == 4 ? c.weight.dim(1) * w.groups : -1;
        ok = ok && k == 0 && c.op == OpKind::Conv && w.pad_top + w.pad_left + w.pad_bottom + w.pad_right == 0 &&
             (a.weight.numel() == 1 || a.weight.numel() == ic);
        if (ok) convs.push_back(j);
      }
    }
    if (!ok || convs.empty() || static_cast<int>(convs.size()) != r.readers(a.output)) continue;
    for (size_t j : convs) {
      Node& c = g.nodes[j];
      const int64_t oc = c.weight.dim(0), icg = c.weight.dim(1), kk = c.weight.dim(2) * c.weight.dim(3);
      const int64_t ocg = oc / c.window.groups;
      Tensor w = c.weight.clone();
      Tensor b(DType::f32, {oc});
      const float* w0 = c.weight.data<float>();
      for (int64_t o = 0; o < oc; ++o) {
        double shift = 0.0;
        for (int64_t t = 0; t < icg; ++t) {
          const int64_t ch = (o / ocg) * icg + t;
          for (int64_t k = 0; k < kk; ++k) {
            const int64_t at = (o * icg + t) * kk + k;
            shift += static_cast<double>(w0[at]) * per(a.bias, ch);
            w.data<float>()[at] = w0[at] * per(a.weight, ch);
          }
        }
        b.data<float>()[o] = static_cast<float>((c.bias.empty() ? 0.0 : c.bias.data<float>()[o]) + shift);
      }
      r.kill(j);
      c.weight = w;
      c.bias = b;
      c.inputs[0] = a.inputs[0];
      r.revive(j);
    }
    r.kill(i);
    ++count;
  }
  return count;
}

}  // namespace

std::vector<std::string> simplify_imported_graph(Graph& graph) {
  Rewriter r(graph);
  std::vector<std::string> lines;
  auto note = [&](int n, const std::string& what) {
    if (n > 0) lines.push_back(std::to_string(n) + " " + what);
  };
  int folded = fold_affine_into_producer(r);
  note(fuse_residual_add(r), "Add of a conv output and another tensor made the conv's residual input");
  note(fuse_relu(r), "Relu fused into the preceding Conv/ConvTranspose/Add");
  note(fuse_hardswish(r), "hardswish patterns (x * Clip(x + 3, 0, 6) / 6, x * HardSigmoid(x)) replaced by HardSwish");
  note(merge_affines(r), "consecutive Affine pairs merged");
  folded += fold_affine_into_producer(r);
  note(folded, "Affine (BatchNormalization, constant Mul/Add/Sub/Div) folded into the preceding conv");
  note(fold_affine_into_readers(r), "Affine folded into the unpadded convs that read it");
  r.compact();
  return lines;
}

}  // namespace textq
