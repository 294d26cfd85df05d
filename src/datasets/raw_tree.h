// Small helpers shared by the raw-dataset readers (CTW1500, ICDAR2015):
// which files are images, a folder's files in a fixed order, file stems.
#pragma once

#include <string>
#include <vector>

namespace textq::datasets {

// *.png, *.jpg, *.jpeg in lower or upper case.
bool is_image_name(const std::string& name);
// The names of the regular files in `dir`, sorted bytewise (refuses more than 2^20 files).
std::vector<std::string> sorted_files(const std::string& dir);
// The name without its last extension ("img_1.jpg" -> "img_1").
std::string file_stem(const std::string& name);

}  // namespace textq::datasets
