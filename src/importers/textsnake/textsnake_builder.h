// Builds the textq Graph of MMOCR's TextSnake (ResNet + FPN_UNet + TextSnakeHead)
// from a checkpoint's state_dict. The architecture is read from the tensor
// names and shapes (ResNet depth from the block counts, base width from
// backbone.conv1.weight, FPN_UNet widths from the backbone); what cannot be read
// from the weights (the ResNet style) is an option. BatchNorm is folded into the
// convolutions; residual add + ReLU and the neck's ReLUs are fused into convs.
// See docs/textsnake_network.md.
#pragma once

#include <string>
#include <vector>

#include "importers/pytorch/state_dict.h"
#include "ir/graph.h"

namespace textq {

// Where the stride of a Bottleneck sits: on conv1 (caffe, MMOCR's TextSnake
// config) or on conv2 (pytorch / torchvision). Identical weights either way.
enum class ResNetStyle { Caffe, Pytorch };
const char* resnet_style_name(ResNetStyle style);

struct TextSnakeBuildOptions {
  ResNetStyle style = ResNetStyle::Caffe;
  // 0 expects the head prefix "bbox_head." (MMOCR 0.x), 1 expects "det_head."
  // (MMOCR 1.x). Either prefix is accepted; ArchInfo says which one was found.
  int mmocr_version = 0;
};

struct ArchInfo {
  int depth = 0;                      // 18, 34, 50, 101 or 152
  bool bottleneck = false;            // Bottleneck (conv1/2/3) vs BasicBlock (conv1/2)
  int base_width = 0;                 // stem channels = planes of layer1
  std::vector<int> blocks;            // blocks per stage, e.g. {3, 4, 6, 3}
  ResNetStyle style = ResNetStyle::Caffe;
  std::vector<int64_t> backbone_channels;  // C2..C5 channels (= FPN_UNet in_channels)
  int neck_out_channels = 0;          // FPN_UNet out_channels
  std::string head_prefix;            // "bbox_head" or "det_head", as found
  int mmocr_version_found = 0;        // 0 for bbox_head, 1 for det_head
  bool head_prefix_as_expected = true;  // false when it differs from options.mmocr_version
  int num_tensors_used = 0;           // float tensors consumed (num_batches_tracked excluded)
  int num_ignored = 0;                // num_batches_tracked entries skipped
  std::string summary() const;        // "ResNet-50 (Bottleneck, caffe, width 64) + FPN_UNet(out 32) + bbox_head"
};

// Throws Error(UnsupportedModel) when the state_dict is not a TextSnake of a
// supported shape: the message lists missing keys, unexpected keys and wrong
// shapes (expected vs got, summarised when many), or, for another model,
// "not a TextSnake checkpoint: expected keys like ...; found ...".
// Throws Error(InvalidFile) for non-finite / negative BN variances.
Graph build_textsnake_graph(const StateDict& state_dict, const TextSnakeBuildOptions& options, ArchInfo* out = nullptr);

}  // namespace textq
