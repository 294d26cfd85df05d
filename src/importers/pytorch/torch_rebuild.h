// Interprets the object tree of a torch.save() pickle: finds the state_dict,
// checks that nothing opaque lies on the way to it, and rebuilds each tensor
// from its storage (dtype from the storage type; offset, sizes and strides
// checked against the storage; strided views copied out contiguously).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "importers/pytorch/pickle_vm.h"
#include "importers/pytorch/state_dict.h"

namespace textq {

// Caps on what a checkpoint may ask us to allocate (docs/formats.md).
constexpr uint64_t kPthMaxStorageBytes = uint64_t(4) << 30;  // one storage
constexpr uint64_t kPthMaxTensorBytes = uint64_t(4) << 30;   // one materialised tensor
constexpr size_t kPthMaxRank = 16;

// A storage named by a persistent id ('storage', type, key, location, numel[, view]).
struct StorageRef {
  std::string key;
  DType dtype = DType::f32;
  int64_t numel = 0;        // elements of the whole storage
  int64_t view_offset = 0;  // legacy storage views: the view's first element and size
  int64_t view_numel = -1;  // -1: no view
  uint64_t pickle_offset = 0;
};

// Parses a persistent id object; throws naming `where` and the pickle offset.
StorageRef parse_storage_pid(const PickleVm& vm, ObjId pers_id, const std::string& where);

// Returns the storage's bytes (exactly numel * dtype_size, validated by the
// caller's container format), valid until the extraction returns.
using StorageLoader = std::function<const uint8_t*(const StorageRef&)>;

// `where` prefixes messages, e.g. "model.pth: data.pkl".
StateDict extract_state_dict(const PickleVm& vm, ObjId root, const std::string& where, const StorageLoader& load);

}  // namespace textq
