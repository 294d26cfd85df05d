// Zip checkpoints: "<archive>/data.pkl" + "<archive>/data/<key>" storages.
#include <zip.h>

#include <map>
#include <memory>
#include <vector>

#include "core/bounded_reader.h"
#include "importers/pytorch/pickle_vm.h"
#include "importers/pytorch/pth_readers.h"
#include "importers/pytorch/torch_rebuild.h"
#include "textq/error.h"

namespace textq {

namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

class ZipArchive {
 public:
  explicit ZipArchive(const std::string& path) : path_(path) {
    int code = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!z) {
      zip_error_t err;
      zip_error_init_with_code(&err, code);
      std::string msg = zip_error_strerror(&err);
      zip_error_fini(&err);
      ErrorKind kind = code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_NOENT ? ErrorKind::Io : ErrorKind::InvalidFile;
      throw Error(kind, path + ": not a readable zip archive (libzip: " + msg + ")");
    }
    zip_.reset(z);
    zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      zip_stat_init(&st);
      if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE))
        fail_entry("#" + std::to_string(i), "cannot read the entry's header (libzip: " + std::string(zip_strerror(z)) + ")");
      std::string name = st.name;
      check_name(name);
      if (!entries_.emplace(name, Entry{static_cast<zip_uint64_t>(i), st.size}).second)
        fail_entry(name, "duplicate entry name");
    }
  }

  [[noreturn]] void fail_entry(const std::string& name, const std::string& rule) const {
    throw Error(ErrorKind::InvalidFile, path_ + ": zip entry " + name + ": " + rule);
  }

  bool has(const std::string& name) const { return entries_.count(name) != 0; }
  uint64_t declared_size(const std::string& name) const { return entries_.at(name).size; }

  // Reads a whole entry, refusing before allocation when its declared size is over `cap`.
  std::vector<uint8_t> read(const std::string& name, uint64_t cap) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw Error(ErrorKind::InvalidFile, path_ + ": zip entry " + name + " is missing");
    const uint64_t size = it->second.size;
    if (size > cap)
      fail_entry(name, "declared uncompressed size " + std::to_string(size) + " exceeds the cap of " + std::to_string(cap) + " bytes");
    zip_file_t* f = zip_fopen_index(zip_.get(), it->second.index, 0);
    if (!f) fail_entry(name, "cannot open (libzip: " + std::string(zip_strerror(zip_.get())) + ")");
    std::vector<uint8_t> out(static_cast<size_t>(size));
    uint64_t got = 0;
    while (got < size) {
      zip_int64_t n = zip_fread(f, out.data() + got, size - got);
      if (n < 0) {
        std::string msg = zip_file_strerror(f);
        zip_fclose(f);
        fail_entry(name, "read failed (libzip: " + msg + ")");
      }
      if (n == 0) break;
      got += static_cast<uint64_t>(n);
    }
    // One more read must hit the end: this also makes libzip check the CRC.
    uint8_t extra;
    zip_int64_t n = got == size ? zip_fread(f, &extra, 1) : 0;
    std::string msg = n < 0 ? zip_file_strerror(f) : "";
    zip_fclose(f);
    if (n < 0) fail_entry(name, "read failed (libzip: " + msg + ")");
    if (got != size || n > 0)
      fail_entry(name, "holds a different number of bytes than its declared size " + std::to_string(size));
    return out;
  }

  // The single top-level folder torch.save() puts everything under.
  std::string archive_prefix() const {
    std::string prefix;
    for (const auto& e : entries_) {
      const std::string& n = e.first;
      size_t slash = n.find('/');
      if (slash == std::string::npos || slash == 0) fail_entry(n, "is not inside the archive's top-level folder");
      std::string p = n.substr(0, slash + 1);
      if (prefix.empty()) prefix = p;
      else if (p != prefix) fail_entry(n, "is outside the top-level folder " + prefix + " (a checkpoint has exactly one)");
    }
    if (prefix.empty()) throw Error(ErrorKind::InvalidFile, path_ + ": the zip archive is empty");
    return prefix;
  }

 private:
  struct Entry {
    zip_uint64_t index;
    uint64_t size;
  };

  void check_name(const std::string& name) const {
    if (name.empty()) fail_entry("(empty)", "empty entry name");
    if (name[0] == '/' || name[0] == '\\' || (name.size() > 1 && name[1] == ':'))
      fail_entry(name, "absolute path in an entry name is not allowed");
    if (name.find('\\') != std::string::npos) fail_entry(name, "backslash in an entry name is not allowed");
    size_t start = 0;
    for (;;) {
      size_t end = name.find('/', start);
      std::string part = name.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (part == "..") fail_entry(name, "'..' in an entry name is not allowed");
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }

  std::string path_;
  std::unique_ptr<zip_t, ZipCloser> zip_;
  std::map<std::string, Entry> entries_;
};

}  // namespace

StateDict load_pth_zip(const std::string& path) {
  ZipArchive zip(path);
  const std::string prefix = zip.archive_prefix();
  const std::string pkl_name = prefix + "data.pkl";
  if (!zip.has(pkl_name)) throw Error(ErrorKind::InvalidFile, path + ": zip archive has no " + pkl_name + " (not a torch.save checkpoint)");
  if (zip.has(prefix + "byteorder")) {
    std::vector<uint8_t> b = zip.read(prefix + "byteorder", 16);
    std::string order(b.begin(), b.end());
    if (order != "little")
      throw Error(ErrorKind::UnsupportedModel, path + ": zip entry " + prefix + "byteorder: '" + order + "' byte order is not supported (only little)");
  }
  std::vector<uint8_t> pkl = zip.read(pkl_name, kPthMaxPickleBytes);
  const std::string where = path + ": " + pkl_name;
  BoundedReader in(pkl.data(), pkl.size(), where);
  PickleVm vm;
  ObjId root = vm.load(in);
  if (!in.at_end()) in.fail("trailing bytes after the pickle's STOP");

  std::map<std::string, std::vector<uint8_t>> cache;  // storages shared by several tensors load once
  std::map<std::string, DType> dtypes;
  StorageLoader loader = [&](const StorageRef& ref) -> const uint8_t* {
    auto d = dtypes.emplace(ref.key, ref.dtype);
    if (d.first->second != ref.dtype)
      throw Error(ErrorKind::InvalidFile, where + " offset " + std::to_string(ref.pickle_offset) + ": storage '" + ref.key +
                                              "' is used with two dtypes");
    auto it = cache.find(ref.key);
    const std::string name = prefix + "data/" + ref.key;
    const uint64_t need = static_cast<uint64_t>(ref.numel) * dtype_size(ref.dtype);  // bounded by parse_storage_pid
    if (it == cache.end()) {
      if (!zip.has(name)) zip.fail_entry(name, "is missing (referenced at " + pkl_name + " offset " + std::to_string(ref.pickle_offset) + ")");
      if (zip.declared_size(name) != need)
        zip.fail_entry(name, "declared uncompressed size " + std::to_string(zip.declared_size(name)) + " but the storage needs " +
                                 std::to_string(need) + " bytes (" + std::to_string(ref.numel) + " x " + dtype_name(ref.dtype) + ")");
      it = cache.emplace(ref.key, zip.read(name, need)).first;
    } else if (it->second.size() != need) {
      zip.fail_entry(name, "storage is referenced with two different sizes");
    }
    return it->second.data();
  };
  return extract_state_dict(vm, root, where, loader);
}

}  // namespace textq
