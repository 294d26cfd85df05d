// Small file helpers shared by every reader and writer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace textq {

// Whole file into memory; throws Error(Io) "cannot open FILE: reason".
// max_bytes guards against absurd inputs (Error(InvalidFile) past it).
std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes = (1ull << 34));
std::string read_file_text(const std::string& path, uint64_t max_bytes = (1ull << 31));

// Writes through `write(tmp_path)` to "<path>.tmp-<pid>" and renames it over
// `path` only if write returns normally; on any exception the temporary is
// removed and the old file is left untouched.
void write_file_atomic(const std::string& path, const std::function<void(const std::string& tmp_path)>& write);
void write_text_atomic(const std::string& path, const std::string& text);

}  // namespace textq
