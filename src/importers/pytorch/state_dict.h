// What the .pth reader produces: the checkpoint's state_dict, in file order.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "textq/tensor.h"

namespace textq {

struct StateDict {
  std::vector<std::pair<std::string, Tensor>> entries;  // in the pickle's insertion order

  const Tensor* find(const std::string& name) const;
  bool contains(const std::string& name) const { return find(name) != nullptr; }
};

// Reads a torch.save() checkpoint (zip format of torch >= 1.6, or the legacy
// pre-1.6 format) without Python and without executing anything. The
// state_dict is taken from top-level key "state_dict" (or the top-level dict
// itself when it maps names to tensors). Non-whitelisted objects under other
// keys (e.g. "meta") are kept opaque; a non-whitelisted GLOBAL on the path to
// a tensor is refused by name. Throws Error(InvalidFile / UnsupportedModel / Io)
// naming the file and the rule.
StateDict load_pth(const std::string& path);

// SHA-256 of a file, lowercase hex (used to record the source checkpoint).
std::string sha256_file(const std::string& path);

}  // namespace textq
