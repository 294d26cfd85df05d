#include "core/file_util.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "textq/error.h"

namespace textq {

std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorKind::Io, "cannot open " + path + ": " + std::strerror(errno));
  std::vector<uint8_t> out;
  if (std::fseek(f, 0, SEEK_END) == 0) {
    long size = std::ftell(f);
    if (size > 0 && static_cast<uint64_t>(size) > max_bytes) {
      std::fclose(f);
      throw Error(ErrorKind::InvalidFile, path + ": file is " + std::to_string(size) +
                                              " bytes, more than the limit of " + std::to_string(max_bytes));
    }
    if (size > 0) out.reserve(static_cast<size_t>(size));
    std::fseek(f, 0, SEEK_SET);
  }
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    out.insert(out.end(), buf, buf + n);
    if (out.size() > max_bytes) {
      std::fclose(f);
      throw Error(ErrorKind::InvalidFile, path + ": file is larger than the limit of " + std::to_string(max_bytes) + " bytes");
    }
  }
  bool err = std::ferror(f);
  std::fclose(f);
  if (err) throw Error(ErrorKind::Io, "cannot read " + path + ": " + std::strerror(errno));
  return out;
}

std::string read_file_text(const std::string& path, uint64_t max_bytes) {
  std::vector<uint8_t> b = read_file_bytes(path, max_bytes);
  return std::string(b.begin(), b.end());
}

void write_file_atomic(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  try {
    write(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    std::remove(tmp.c_str());
    throw Error(ErrorKind::Io, "cannot write " + path + ": " + std::strerror(e));
  }
}

void write_text_atomic(const std::string& path, const std::string& text) {
  write_file_atomic(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw Error(ErrorKind::Io, "cannot create " + path + ": " + std::strerror(errno));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw Error(ErrorKind::Io, "cannot write " + path + ": " + std::strerror(errno));
  });
}

}  // namespace textq
