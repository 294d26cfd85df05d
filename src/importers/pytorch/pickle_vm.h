// A whitelist unpickler for the pickles torch.save() writes (protocol 2..5).
// Nothing is ever executed: objects live in an arena (no recursion on free,
// cycles are harmless), known callables become inert Call records that the
// torch layer (torch_rebuild.*) interprets, and any other GLOBAL becomes an
// Opaque object that stays opaque when called, built or filled. Whether an
// Opaque object is acceptable is decided by whoever walks the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bounded_reader.h"
#include "textq/tensor.h"

namespace textq {

using ObjId = uint32_t;

enum class PyKind : uint8_t {
  None, Bool, Int, BigInt, Float, Str, Bytes, Tuple, List, Dict, Set,
  Global,   // a whitelisted callable or class (see GlobalKind)
  Opaque,   // anything else: a non-whitelisted global, or the result of using one
  Call,     // items = {callee Global, args Tuple}; interpreted by the torch layer
  PersId,   // items = {persistent id}; a BINPERSID reference to a storage
};

enum class GlobalKind : uint8_t { RebuildTensorV2, RebuildTensor, RebuildParameter, OrderedDict, Storage };

struct PyObj {
  PyKind kind = PyKind::None;
  GlobalKind global = GlobalKind::Storage;  // kind == Global
  DType storage_dtype = DType::f32;         // global == Storage
  int64_t i = 0;                            // Bool, Int
  double f = 0;                             // Float
  std::string s;  // Str, Bytes, BigInt (little-endian two's complement), Global/Opaque qualified name
  std::vector<ObjId> items;  // Tuple/List/Set; Dict: k0, v0, k1, v1...; Call: callee, args; PersId: pid
  uint64_t offset = 0;       // pickle offset of the opcode that made it (Opaque: of its GLOBAL)
  uint32_t depth = 0;        // container nesting depth, bounded by kPickleMaxDepth
};

// Bounds (documented in docs/formats.md).
constexpr size_t kPickleMaxObjects = size_t(1) << 21;
constexpr size_t kPickleMaxMemo = size_t(1) << 20;
constexpr size_t kPickleMaxStack = size_t(1) << 20;
constexpr uint32_t kPickleMaxDepth = 1000;
constexpr uint64_t kPickleMaxString = uint64_t(64) << 20;

class PickleVm {
 public:
  // Runs one pickle starting at the reader's position, leaving the reader
  // just after its STOP. Returns the root object. Objects of several pickles
  // (legacy files hold five) accumulate in one arena.
  ObjId load(BoundedReader& in);

  const PyObj& obj(ObjId id) const { return objs_[id]; }
  size_t num_objects() const { return objs_.size(); }
  // Qualified names of the storage types, e.g. "torch.FloatStorage" -> f32.
  static bool storage_dtype_from_name(const std::string& qualified, DType* dtype);

 private:
  ObjId make(PyKind kind, uint64_t offset);
  ObjId make_global(const std::string& module, const std::string& name, uint64_t offset);
  ObjId pop();
  ObjId top();
  void push(ObjId id);
  size_t pop_mark();
  void add_child(ObjId parent, ObjId child);
  void set_items(ObjId dict, size_t from);
  ObjId call(ObjId callee, ObjId args, uint64_t offset);

  BoundedReader* in_ = nullptr;
  uint64_t op_offset_ = 0;
  std::vector<PyObj> objs_;
  std::vector<ObjId> stack_;
  std::vector<size_t> marks_;
  std::vector<ObjId> memo_;  // index = memo key; kNoObj for unused slots
};

}  // namespace textq
