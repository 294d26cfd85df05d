// Legacy checkpoints (torch < 1.6, or _use_new_zipfile_serialization=False):
// five pickles back to back -- magic number, protocol version, sys info, the
// object, the sorted storage keys -- then per storage an int64 element count
// and its raw little-endian bytes.
#include <map>
#include <vector>

#include "core/bounded_reader.h"
#include "core/file_util.h"
#include "importers/pytorch/pickle_vm.h"
#include "importers/pytorch/pth_readers.h"
#include "importers/pytorch/torch_rebuild.h"
#include "textq/error.h"

namespace textq {

namespace {

// torch.serialization.MAGIC_NUMBER = 0x1950a86a20f9469cfc6c as LONG1 bytes (little-endian).
const uint8_t kMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kProtocolVersion = 1001;

const PyObj* dict_get(const PickleVm& vm, const PyObj& d, const std::string& key) {
  for (size_t i = 0; i + 1 < d.items.size(); i += 2) {
    const PyObj& k = vm.obj(d.items[i]);
    if (k.kind == PyKind::Str && k.s == key) return &vm.obj(d.items[i + 1]);
  }
  return nullptr;
}

}  // namespace

StateDict load_pth_legacy(const std::string& path) {
  const std::vector<uint8_t> file = read_file_bytes(path);
  BoundedReader in(file.data(), file.size(), path + ": legacy format");
  PickleVm vm;

  size_t at = in.offset();
  const PyObj& magic = vm.obj(vm.load(in));
  if (magic.kind != PyKind::BigInt || magic.s != std::string(reinterpret_cast<const char*>(kMagic), sizeof kMagic))
    in.fail_at(at, "not a PyTorch checkpoint (the legacy format's magic number is missing)");
  at = in.offset();
  const PyObj& proto = vm.obj(vm.load(in));
  if (proto.kind != PyKind::Int || proto.i != kProtocolVersion)
    throw Error(ErrorKind::UnsupportedModel, path + " offset " + std::to_string(at) + ": legacy protocol version " +
                                                 (proto.kind == PyKind::Int ? std::to_string(proto.i) : "?") + " is not supported (1001 is)");
  at = in.offset();
  const PyObj& info = vm.obj(vm.load(in));
  if (info.kind != PyKind::Dict) in.fail_at(at, "the sys_info pickle is not a dict");
  const PyObj* little = dict_get(vm, info, "little_endian");
  if (!little || little->kind != PyKind::Bool || little->i != 1)
    throw Error(ErrorKind::UnsupportedModel, path + " offset " + std::to_string(at) + ": checkpoint was not written on a little-endian machine");

  const size_t main_offset = in.offset();
  ObjId root = vm.load(in);
  const size_t main_end = in.offset();

  // Element type and count of every storage the main pickle references.
  std::map<std::string, StorageRef> refs;
  const std::string main_where = path + ": main pickle";  // offsets are file offsets
  (void)main_offset;
  for (size_t id = 0; id < vm.num_objects(); ++id) {
    if (vm.obj(static_cast<ObjId>(id)).kind != PyKind::PersId) continue;
    const PyObj& pid = vm.obj(vm.obj(static_cast<ObjId>(id)).items[0]);
    if (pid.kind == PyKind::Tuple && !pid.items.empty() && vm.obj(pid.items[0]).kind == PyKind::Str &&
        vm.obj(pid.items[0]).s == "module")
      continue;  // refused only if the state_dict reaches it
    StorageRef ref = parse_storage_pid(vm, static_cast<ObjId>(id), path);
    auto it = refs.emplace(ref.key, ref);
    if (it.first->second.dtype != ref.dtype || it.first->second.numel != ref.numel)
      in.fail_at(ref.pickle_offset, "storage '" + ref.key + "' is referenced with two different types or sizes");
  }

  at = in.offset();
  const PyObj& keys = vm.obj(vm.load(in));
  if (keys.kind != PyKind::List) in.fail_at(at, "the storage key list pickle is not a list");
  std::map<std::string, const uint8_t*> data;
  for (ObjId k : keys.items) {
    const PyObj& key = vm.obj(k);
    if (key.kind != PyKind::Str) in.fail_at(at, "a storage key is not a string");
    auto ref = refs.find(key.s);
    if (ref == refs.end()) in.fail_at(at, "storage '" + key.s + "' is listed but never referenced");
    if (data.count(key.s)) in.fail_at(at, "storage '" + key.s + "' is listed twice");
    const size_t rec = in.offset();
    int64_t count = in.i64le();
    if (count != ref->second.numel)
      in.fail_at(rec, "storage '" + key.s + "' holds " + std::to_string(count) + " elements but its persistent id says " +
                          std::to_string(ref->second.numel));
    const uint64_t nbytes = static_cast<uint64_t>(count) * dtype_size(ref->second.dtype);  // bounded by parse_storage_pid
    data[key.s] = in.bytes(nbytes);
  }
  (void)main_end;

  StorageLoader loader = [&](const StorageRef& ref) -> const uint8_t* {
    auto it = data.find(ref.key);
    if (it == data.end())
      throw Error(ErrorKind::InvalidFile, main_where + " offset " + std::to_string(ref.pickle_offset) + ": storage '" + ref.key +
                                              "' has no data in the file");
    return it->second;
  };
  return extract_state_dict(vm, root, main_where, loader);
}

}  // namespace textq
