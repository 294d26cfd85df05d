// The two container formats of torch.save(); both end in extract_state_dict().
#pragma once

#include <string>

#include "importers/pytorch/state_dict.h"

namespace textq {

constexpr uint64_t kPthMaxPickleBytes = uint64_t(256) << 20;  // data.pkl of a zip checkpoint

StateDict load_pth_zip(const std::string& path);     // torch >= 1.6 (zip archive)
StateDict load_pth_legacy(const std::string& path);  // _use_new_zipfile_serialization=False

}  // namespace textq
