#include "datasets/raw_tree.h"

#include <algorithm>
#include <filesystem>

#include "textq/error.h"

namespace fs = std::filesystem;

namespace textq::datasets {

namespace {
constexpr size_t kMaxFiles = 1u << 20;
}

bool is_image_name(const std::string& n) {
  for (const char* s : {".png", ".PNG", ".jpg", ".JPG", ".jpeg", ".JPEG"}) {
    const size_t l = std::char_traits<char>::length(s);
    if (n.size() > l && n.compare(n.size() - l, l, s) == 0) return true;
  }
  return false;
}

std::vector<std::string> sorted_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    out.push_back(e.path().filename().string());
    if (out.size() > kMaxFiles) throw Error(ErrorKind::InvalidFile, dir + ": more than 2^20 files");
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string file_stem(const std::string& name) {
  const size_t k = name.find_last_of('.');
  return k == std::string::npos ? name : name.substr(0, k);
}

}  // namespace textq::datasets
