// Architecture detection and the expected tensor list of a TextSnake
// checkpoint (internal to the TextSnake importer).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "importers/textsnake/textsnake_builder.h"

namespace textq {

using TensorIndex = std::map<std::string, const Tensor*>;

struct ExpectedTensor {
  std::string name;
  Shape shape;
};

// Name -> tensor of a state_dict; throws on duplicate names.
TensorIndex index_state_dict(const StateDict& state_dict);

// Reads depth, width, style option, neck width and head prefix from the names
// and a few shapes. Throws Error(UnsupportedModel) for another model.
ArchInfo detect_textsnake_arch(const TensorIndex& index, const TextSnakeBuildOptions& options);

// Every float tensor the architecture needs, in MMOCR's state_dict order
// (num_batches_tracked omitted).
std::vector<ExpectedTensor> expected_textsnake_tensors(const ArchInfo& arch);

// Compares the state_dict with the expected list; throws one
// Error(UnsupportedModel) listing missing / unexpected / wrong-shape tensors.
void check_textsnake_tensors(const TensorIndex& index, const ArchInfo& arch, ArchInfo* counts);

}  // namespace textq
