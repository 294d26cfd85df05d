#include "importers/pytorch/state_dict.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/sha256.h"
#include "importers/pytorch/pth_readers.h"
#include "textq/error.h"

namespace textq {

const Tensor* StateDict::find(const std::string& name) const {
  for (const auto& e : entries)
    if (e.first == name) return &e.second;
  return nullptr;
}

StateDict load_pth(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorKind::Io, "cannot open " + path + ": " + std::strerror(errno));
  unsigned char head[4] = {0, 0, 0, 0};
  size_t n = std::fread(head, 1, 4, f);
  std::fclose(f);
  if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return load_pth_zip(path);
  if (n >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5) return load_pth_legacy(path);
  if (n >= 2 && head[0] == 'P' && head[1] == 'K')
    return load_pth_zip(path);  // a zip that does not start with a local header; let libzip judge
  throw Error(ErrorKind::InvalidFile, path + ": not a PyTorch checkpoint (neither a zip archive nor a legacy pickle)");
}

std::string sha256_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorKind::Io, "cannot open " + path + ": " + std::strerror(errno));
  Sha256 h;
  std::vector<unsigned char> buf(1 << 16);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) h.update(buf.data(), n);
  bool err = std::ferror(f);
  std::fclose(f);
  if (err) throw Error(ErrorKind::Io, "cannot read " + path + ": " + std::strerror(errno));
  return h.hex_digest();
}

}  // namespace textq
