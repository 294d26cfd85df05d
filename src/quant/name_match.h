// "Did you mean" helper for layer names given on the command line.
#pragma once

#include <string>
#include <vector>

namespace textq::quant {

// Levenshtein distance (bytes).
size_t edit_distance(const std::string& a, const std::string& b);
// Up to `limit` candidates closest to `name` (substring matches first, then by
// edit distance, at most max(3, |name|/3) edits), in order of closeness.
std::vector<std::string> close_matches(const std::string& name, const std::vector<std::string>& candidates,
                                       size_t limit = 3);

}  // namespace textq::quant
