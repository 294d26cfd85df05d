#include "backends/onednn/weight_cache.h"

namespace textq::onednn {

memory WeightCache::get(size_t node_index, int part, const memory& user, const memory::desc& want, Context& ctx,
                        const Tensor& owner) {
  std::vector<Entry>& list = entries_[{node_index, part}];
  for (const Entry& e : list)
    if (e.desc == want) return e.mem;
  if (user.get_desc() == want) {
    list.push_back({want, user, owner});  // already in the wanted layout: use the IR buffer directly
    return user;
  }
  memory packed(want, ctx.engine);  // owned by oneDNN, zero padded
  memory src = user;  // a handle copy; execute() wants non-const handles
  dnnl::reorder(src, packed).execute(ctx.stream, src, packed);
  ctx.stream.wait();
  list.push_back({want, packed, Tensor()});
  return packed;
}

std::optional<memory> WeightCache::find(size_t node_index, int part, const memory::desc& want) const {
  const auto it = entries_.find({node_index, part});
  if (it != entries_.end())
    for (const Entry& e : it->second)
      if (e.desc == want) return e.mem;
  return std::nullopt;
}

size_t WeightCache::total_bytes() const {
  size_t sum = 0;
  for (const auto& [key, list] : entries_)
    for (const Entry& e : list) sum += e.desc.get_size();
  return sum;
}

}  // namespace textq::onednn
