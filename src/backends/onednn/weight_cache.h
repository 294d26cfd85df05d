// Packed (reordered) weights, made once per node and oneDNN layout. A new
// input shape usually asks for the same layout, so the packed copy is reused
// across shapes; a different layout gets its own copy.
#pragma once

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "backends/onednn/onednn_common.h"

namespace textq::onednn {

class WeightCache {
 public:
  // `user` holds the weights in the IR layout; returns them in `want`,
  // reordering (and waiting for it) only the first time this pair is asked
  // for. `part` tells apart several weight sets of one node (deconv phases).
  // `owner` keeps alive a derived tensor that `user` points into.
  memory get(size_t node_index, int part, const memory& user, const memory::desc& want, Context& ctx,
             const Tensor& owner = Tensor());
  // The entry made for (node_index, part, want), if any (lets a caller skip
  // deriving `user` again for a new input shape).
  std::optional<memory> find(size_t node_index, int part, const memory::desc& want) const;
  size_t total_bytes() const;

 private:
  struct Entry {
    memory::desc desc;
    memory mem;
    Tensor owner;
  };
  std::map<std::pair<size_t, int>, std::vector<Entry>> entries_;
};

}  // namespace textq::onednn
