#include "importers/pytorch/torch_rebuild.h"

#include <cctype>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "textq/error.h"

namespace textq {

namespace {

const char* kAllowedHint = "(only torch tensor rebuild, storages and OrderedDict are)";

struct Walker {
  const PickleVm& vm;
  const std::string& where;

  [[noreturn]] void fail(uint64_t offset, const std::string& rule, ErrorKind kind = ErrorKind::InvalidFile) const {
    throw Error(kind, where + " offset " + std::to_string(offset) + ": " + rule);
  }

  // An opaque object on the way to the weights is refused, naming its GLOBAL.
  void require_not_opaque(ObjId id, const std::string& path) const {
    const PyObj& o = vm.obj(id);
    if (o.kind != PyKind::Opaque) return;
    const std::string& n = o.s;
    if (n.rfind("torch.", 0) == 0 && n.size() > 7 && n.compare(n.size() - 7, 7, "Storage") == 0)
      fail(o.offset, "storage type " + n + " (at " + path + ") is not supported", ErrorKind::UnsupportedModel);
    fail(o.offset, "GLOBAL " + n + " is not allowed at " + path + " " + kAllowedHint);
  }

  const PyObj& expect(ObjId id, PyKind kind, const std::string& path, const char* what) const {
    require_not_opaque(id, path);
    const PyObj& o = vm.obj(id);
    if (o.kind != kind) fail(o.offset, path + " is not " + what);
    return o;
  }

  int64_t expect_int(ObjId id, const std::string& path) const {
    const PyObj& o = vm.obj(id);
    require_not_opaque(id, path);
    if (o.kind == PyKind::BigInt) fail(o.offset, path + " does not fit in int64");
    if (o.kind != PyKind::Int) fail(o.offset, path + " is not an int");
    return o.i;
  }

  Shape expect_int_tuple(ObjId id, const std::string& path) const {
    const PyObj& t = expect(id, PyKind::Tuple, path, "a tuple of ints");
    if (t.items.size() > kPthMaxRank)
      fail(t.offset, path + " has " + std::to_string(t.items.size()) + " dimensions, more than the limit of " + std::to_string(kPthMaxRank));
    Shape s;
    for (size_t i = 0; i < t.items.size(); ++i) s.push_back(expect_int(t.items[i], path + "[" + std::to_string(i) + "]"));
    return s;
  }
};

bool checked_mul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }
bool checked_add(int64_t a, int64_t b, int64_t* out) { return !__builtin_add_overflow(a, b, out); }

// Copies a strided view of `src` (element size `esize`) into contiguous `dst`.
void gather_strided(uint8_t* dst, const uint8_t* src, size_t esize, const Shape& size, const Shape& stride, int64_t numel) {
  const size_t rank = size.size();
  std::vector<int64_t> idx(rank, 0);
  int64_t src_elem = 0;
  for (int64_t n = 0; n < numel; ++n) {
    std::memcpy(dst + static_cast<size_t>(n) * esize, src + static_cast<size_t>(src_elem) * esize, esize);
    for (size_t d = rank; d-- > 0;) {  // odometer increment, last dim fastest
      src_elem += stride[d];
      if (++idx[d] < size[d]) break;
      src_elem -= stride[d] * size[d];
      idx[d] = 0;
    }
  }
}

class Rebuilder {
 public:
  Rebuilder(const PickleVm& vm, const std::string& where, const StorageLoader& load) : w_{vm, where}, load_(load) {}

  Tensor tensor(ObjId id, const std::string& path, bool allow_parameter = true) {
    w_.require_not_opaque(id, path);
    const PyObj& o = w_.vm.obj(id);
    if (o.kind != PyKind::Call) w_.fail(o.offset, path + " is a " + kind_desc(o) + ", not a tensor");
    const PyObj& callee = w_.vm.obj(o.items[0]);
    const PyObj& args = w_.vm.obj(o.items[1]);
    switch (callee.global) {
      case GlobalKind::RebuildTensorV2:
        if (args.items.size() < 6 || args.items.size() > 7)
          w_.fail(o.offset, path + ": _rebuild_tensor_v2 takes 6 or 7 arguments, got " + std::to_string(args.items.size()));
        check_hooks(args.items[5], path);
        if (args.items.size() == 7) check_plain(args.items[6], path + " metadata", 0);
        return from_storage(args, path, o.offset);
      case GlobalKind::RebuildTensor:
        if (args.items.size() != 4)
          w_.fail(o.offset, path + ": _rebuild_tensor takes 4 arguments, got " + std::to_string(args.items.size()));
        return from_storage(args, path, o.offset);
      case GlobalKind::RebuildParameter:
        if (!allow_parameter) w_.fail(o.offset, path + ": a Parameter wrapping a Parameter");
        if (args.items.size() != 3)
          w_.fail(o.offset, path + ": _rebuild_parameter takes 3 arguments, got " + std::to_string(args.items.size()));
        check_hooks(args.items[2], path);
        return tensor(args.items[0], path, false);
      default:
        w_.fail(o.offset, path + " is a call of " + callee.s + ", not a tensor");
    }
  }

 private:
  std::string kind_desc(const PyObj& o) const {
    switch (o.kind) {
      case PyKind::None: return "None";
      case PyKind::Bool: return "bool";
      case PyKind::Int: case PyKind::BigInt: return "int";
      case PyKind::Float: return "float";
      case PyKind::Str: return "str";
      case PyKind::Bytes: return "bytes";
      case PyKind::Tuple: return "tuple";
      case PyKind::List: return "list";
      case PyKind::Dict: return "dict";
      case PyKind::Set: return "set";
      case PyKind::Global: return "reference to " + o.s;
      case PyKind::PersId: return "bare storage";
      default: return "object";
    }
  }

  void check_hooks(ObjId id, const std::string& path) {
    const PyObj& h = w_.expect(id, PyKind::Dict, path + " backward_hooks", "an OrderedDict");
    if (!h.items.empty()) w_.fail(h.offset, path + ": tensors with backward hooks are not supported");
  }

  // Plain data only (no opaque objects, no calls), bounded depth.
  void check_plain(ObjId id, const std::string& path, uint32_t depth) {
    if (depth > kPickleMaxDepth) w_.fail(w_.vm.obj(id).offset, path + ": nesting deeper than " + std::to_string(kPickleMaxDepth) + " levels (limit)");
    w_.require_not_opaque(id, path);
    const PyObj& o = w_.vm.obj(id);
    if (o.kind == PyKind::Call || o.kind == PyKind::PersId || o.kind == PyKind::Global)
      w_.fail(o.offset, path + " holds a " + kind_desc(o) + " where plain data is expected");
    for (ObjId c : o.items) check_plain(c, path, depth + 1);
  }

  const uint8_t* storage(const StorageRef& ref) {
    return load_(ref);
  }

  Tensor from_storage(const PyObj& args, const std::string& path, uint64_t call_offset) {
    const PyObj& pid = w_.expect(args.items[0], PyKind::PersId, path + " storage", "a storage (persistent id)");
    StorageRef ref = parse_storage_pid(w_.vm, args.items[0], w_.where);
    (void)pid;
    int64_t offset = w_.expect_int(args.items[1], path + " storage_offset");
    Shape size = w_.expect_int_tuple(args.items[2], path + " size");
    Shape stride = w_.expect_int_tuple(args.items[3], path + " stride");
    if (size.size() != stride.size())
      w_.fail(call_offset, path + ": size " + shape_str(size) + " and stride " + shape_str(stride) + " differ in rank");
    int64_t numel = 0;
    try {
      numel = shape_numel(size);
    } catch (const Error& e) {
      w_.fail(call_offset, path + ": " + e.what());
    }
    const size_t esize = dtype_size(ref.dtype);
    if (static_cast<uint64_t>(numel) > kPthMaxTensorBytes / esize)
      w_.fail(call_offset, path + ": size " + shape_str(size) + " needs more than the cap of " + std::to_string(kPthMaxTensorBytes) + " bytes");
    for (int64_t s : stride)
      if (s < 0) w_.fail(call_offset, path + ": negative stride in " + shape_str(stride));
    if (offset < 0) w_.fail(call_offset, path + ": negative storage offset " + std::to_string(offset));
    // The view must lie inside the storage (or the legacy storage view).
    const int64_t avail = ref.view_numel >= 0 ? ref.view_numel : ref.numel;
    if (numel == 0) {
      if (offset > avail)
        w_.fail(call_offset, path + ": storage offset " + std::to_string(offset) + " is past the end of a storage of " + std::to_string(avail) + " elements");
    } else {
      int64_t last = offset;
      for (size_t d = 0; d < size.size(); ++d) {
        int64_t span;
        if (!checked_mul(size[d] - 1, stride[d], &span) || !checked_add(last, span, &last))
          w_.fail(call_offset, path + ": the extent of size " + shape_str(size) + " stride " + shape_str(stride) + " overflows int64");
      }
      if (last >= avail)
        w_.fail(call_offset, path + ": storage offset " + std::to_string(offset) + " with size " + shape_str(size) + " and stride " +
                                 shape_str(stride) + " reaches element " + std::to_string(last) + ", past the end of a storage of " +
                                 std::to_string(avail) + " elements");
    }
    Tensor t(ref.dtype, size);
    if (numel == 0) return t;
    for (size_t d = 0; d < size.size(); ++d)
      if (size[d] == 1) stride[d] = 0;  // never stepped; keeps the odometer arithmetic in range
    const uint8_t* base = storage(ref) + static_cast<size_t>(ref.view_offset + offset) * esize;
    bool contiguous = true;
    int64_t expect = 1;
    for (size_t d = size.size(); d-- > 0;) {
      if (size[d] != 1 && stride[d] != expect) contiguous = false;  // size-1 dims may have any stride
      expect *= size[d];
    }
    if (contiguous) std::memcpy(t.raw(), base, t.nbytes());
    else gather_strided(static_cast<uint8_t*>(t.raw()), base, esize, size, stride, numel);
    return t;
  }

  Walker w_;
  const StorageLoader& load_;
};

}  // namespace

StorageRef parse_storage_pid(const PickleVm& vm, ObjId pers_id, const std::string& where) {
  Walker w{vm, where};
  const PyObj& p = vm.obj(pers_id);
  StorageRef ref;
  ref.pickle_offset = p.offset;
  if (p.kind != PyKind::PersId) w.fail(p.offset, "expected a storage persistent id");
  const PyObj& t = vm.obj(p.items[0]);
  if (t.kind == PyKind::Tuple && !t.items.empty() && vm.obj(t.items[0]).kind == PyKind::Str &&
      vm.obj(t.items[0]).s == "module")
    w.fail(p.offset, "persistent id 'module' (a pickled nn.Module) is not supported; save model.state_dict() instead",
           ErrorKind::UnsupportedModel);
  if (t.kind != PyKind::Tuple || (t.items.size() != 5 && t.items.size() != 6) ||
      vm.obj(t.items[0]).kind != PyKind::Str || vm.obj(t.items[0]).s != "storage")
    w.fail(p.offset, "persistent id is not ('storage', type, key, location, numel[, view])");
  const std::string path = "persistent id";
  w.require_not_opaque(t.items[1], path + " storage type");
  const PyObj& type = vm.obj(t.items[1]);
  if (type.kind != PyKind::Global || type.global != GlobalKind::Storage)
    w.fail(p.offset, "persistent id storage type is not a torch storage class");
  ref.dtype = type.storage_dtype;
  const PyObj& key = w.expect(t.items[2], PyKind::Str, path + " key", "a string");
  if (key.s.empty() || key.s.size() > 64)
    w.fail(p.offset, "storage key of " + std::to_string(key.s.size()) + " characters (1..64 allowed)");
  for (char c : key.s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      w.fail(p.offset, "storage key '" + key.s + "' has characters other than letters, digits and '_'");
  ref.key = key.s;
  w.expect(t.items[3], PyKind::Str, path + " location", "a string");
  ref.numel = w.expect_int(t.items[4], path + " numel");
  if (ref.numel < 0) w.fail(p.offset, "storage '" + ref.key + "' has a negative element count");
  if (static_cast<uint64_t>(ref.numel) > kPthMaxStorageBytes / dtype_size(ref.dtype))
    w.fail(p.offset, "storage '" + ref.key + "' of " + std::to_string(ref.numel) + " " + dtype_name(ref.dtype) +
                         " elements exceeds the cap of " + std::to_string(kPthMaxStorageBytes) + " bytes");
  if (t.items.size() == 6 && vm.obj(t.items[5]).kind != PyKind::None) {
    const PyObj& v = w.expect(t.items[5], PyKind::Tuple, path + " view", "a (key, offset, size) tuple");
    if (v.items.size() != 3) w.fail(p.offset, "storage view is not a (key, offset, size) tuple");
    ref.view_offset = w.expect_int(v.items[1], path + " view offset");
    ref.view_numel = w.expect_int(v.items[2], path + " view size");
    if (ref.view_offset < 0 || ref.view_numel < 0 || ref.view_offset > ref.numel || ref.view_numel > ref.numel - ref.view_offset)
      w.fail(p.offset, "storage view [" + std::to_string(ref.view_offset) + ", +" + std::to_string(ref.view_numel) +
                           ") is outside storage '" + ref.key + "' of " + std::to_string(ref.numel) + " elements");
  }
  return ref;
}

StateDict extract_state_dict(const PickleVm& vm, ObjId root, const std::string& where, const StorageLoader& load) {
  Walker w{vm, where};
  w.require_not_opaque(root, "the checkpoint root");
  const PyObj& r = vm.obj(root);
  if (r.kind != PyKind::Dict) w.fail(r.offset, "the checkpoint root is not a dict (a state_dict or {'state_dict': ...})");
  ObjId sd = root;
  bool bare = true;
  for (size_t i = 0; i + 1 < r.items.size(); i += 2) {
    const PyObj& k = vm.obj(r.items[i]);
    if (k.kind == PyKind::Str && k.s == "state_dict") {
      sd = r.items[i + 1];
      bare = false;
    }
  }
  const PyObj& d = w.expect(sd, PyKind::Dict, "checkpoint['state_dict']", "a dict");
  Rebuilder rebuild(vm, where, load);
  StateDict out;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i + 1 < d.items.size(); i += 2) {
    const PyObj& k = vm.obj(d.items[i]);
    if (k.kind != PyKind::Str) w.fail(k.offset, "a state_dict key is not a string");
    const std::string path = "state_dict['" + k.s + "']";
    if (!seen.insert(k.s).second) w.fail(k.offset, "duplicate key " + path);
    const PyObj& v = vm.obj(d.items[i + 1]);
    if (bare && v.kind != PyKind::Call && v.kind != PyKind::Opaque)
      w.fail(v.offset, "checkpoint['" + k.s + "'] is not a tensor, so this is not a bare state_dict, and there is no 'state_dict' key");
    out.entries.emplace_back(k.s, rebuild.tensor(d.items[i + 1], path));
  }
  return out;
}

}  // namespace textq
