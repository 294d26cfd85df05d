#include "importers/textsnake/textsnake_arch.h"

#include <algorithm>
#include <set>

#include "textq/error.h"

namespace textq {
namespace {

constexpr int kNumStages = 4;
constexpr int kMaxBlocksPerStage = 64;  // ResNet-152 has 36
constexpr int kHeadOutChannels = 5;     // text, center, sin, cos, radius

bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// "a, b, c ... and N more" for error messages.
std::string list_some(const std::vector<std::string>& items, size_t max_items = 8) {
  std::string s;
  for (size_t i = 0; i < items.size() && i < max_items; ++i) s += (i ? ", " : "") + items[i];
  if (items.size() > max_items) s += " ... and " + std::to_string(items.size() - max_items) + " more";
  return s;
}

// "N keys, prefixes backbone.(318) neck.(26); e.g. a, b, c" — what we found.
std::string describe_found(const TensorIndex& index) {
  std::map<std::string, int> prefixes;
  std::vector<std::string> names;
  for (const auto& kv : index) {
    const size_t dot = kv.first.find('.');
    prefixes[dot == std::string::npos ? kv.first : kv.first.substr(0, dot + 1)]++;
    names.push_back(kv.first);
  }
  std::string s = std::to_string(index.size()) + " tensors";
  if (index.empty()) return s;
  s += " with prefixes";
  int shown = 0;
  for (const auto& kv : prefixes) {
    if (shown++ == 8) { s += " ..."; break; }
    s += " " + kv.first + "(" + std::to_string(kv.second) + ")";
  }
  return s + "; e.g. " + list_some(names, 6);
}

int depth_from_blocks(bool bottleneck, const std::vector<int>& b) {
  struct Known { int depth; bool bottleneck; std::vector<int> blocks; };
  static const Known known[] = {
      {18, false, {2, 2, 2, 2}}, {34, false, {3, 4, 6, 3}}, {50, true, {3, 4, 6, 3}},
      {101, true, {3, 4, 23, 3}}, {152, true, {3, 8, 36, 3}}};
  for (const Known& k : known)
    if (k.bottleneck == bottleneck && k.blocks == b) return k.depth;
  return 0;
}

}  // namespace

const char* resnet_style_name(ResNetStyle style) { return style == ResNetStyle::Caffe ? "caffe" : "pytorch"; }

std::string ArchInfo::summary() const {
  return "ResNet-" + std::to_string(depth) + " (" + (bottleneck ? "Bottleneck" : "BasicBlock") + ", " +
         resnet_style_name(style) + " style, base width " + std::to_string(base_width) + ") + FPN_UNet(out " +
         std::to_string(neck_out_channels) + ") + " + head_prefix + " (MMOCR " + std::to_string(mmocr_version_found) +
         ".x names)";
}

TensorIndex index_state_dict(const StateDict& state_dict) {
  TensorIndex index;
  for (const auto& kv : state_dict.entries) {
    if (!index.emplace(kv.first, &kv.second).second)
      throw Error(ErrorKind::InvalidFile, "state_dict: key " + kv.first + " appears twice");
  }
  return index;
}

ArchInfo detect_textsnake_arch(const TensorIndex& index, const TextSnakeBuildOptions& options) {
  const bool has_bbox = index.count("bbox_head.out_conv.weight") > 0;
  const bool has_det = index.count("det_head.out_conv.weight") > 0;
  if (!index.count("backbone.conv1.weight") || !index.count("neck.up4.weight") || (!has_bbox && !has_det)) {
    throw Error(ErrorKind::UnsupportedModel,
                "not a TextSnake checkpoint: expected keys like backbone.conv1.weight, neck.up4.weight, "
                "bbox_head.out_conv.weight (or det_head.out_conv.weight); found " + describe_found(index));
  }
  if (has_bbox && has_det)
    throw Error(ErrorKind::UnsupportedModel,
                "TextSnake checkpoint has both bbox_head.out_conv.weight and det_head.out_conv.weight; expected one head");
  if (options.mmocr_version != 0 && options.mmocr_version != 1)
    throw Error(ErrorKind::InvalidArgument,
                "mmocr_version must be 0 or 1, got " + std::to_string(options.mmocr_version));

  ArchInfo arch;
  arch.style = options.style;
  arch.head_prefix = has_bbox ? "bbox_head" : "det_head";
  arch.mmocr_version_found = has_bbox ? 0 : 1;
  arch.head_prefix_as_expected = arch.mmocr_version_found == options.mmocr_version;

  const Tensor& stem = *index.at("backbone.conv1.weight");
  if (stem.rank() != 4 || stem.dim(0) < 1 || stem.dim(0) > 4096)
    throw Error(ErrorKind::UnsupportedModel, "backbone.conv1.weight: expected shape [width, 3, 7, 7] with 1 <= width <= 4096, got " +
                                                 shape_str(stem.shape()));
  arch.base_width = static_cast<int>(stem.dim(0));
  arch.bottleneck = index.count("backbone.layer1.0.conv3.weight") > 0;

  // Blocks per stage = number of consecutive block indices with a conv1 weight.
  for (int s = 1; s <= kNumStages; ++s) {
    int n = 0;
    while (n < kMaxBlocksPerStage &&
           index.count("backbone.layer" + std::to_string(s) + "." + std::to_string(n) + ".conv1.weight"))
      ++n;
    arch.blocks.push_back(n);
  }
  arch.depth = depth_from_blocks(arch.bottleneck, arch.blocks);
  if (arch.depth == 0) {
    std::string b;
    for (int n : arch.blocks) b += (b.empty() ? "" : ", ") + std::to_string(n);
    throw Error(ErrorKind::UnsupportedModel,
                std::string("TextSnake backbone: ResNet blocks per stage (") + b + ") with " +
                    (arch.bottleneck ? "Bottleneck (conv1/conv2/conv3)" : "BasicBlock (conv1/conv2)") +
                    " blocks match no supported depth (BasicBlock: 18 = 2,2,2,2; 34 = 3,4,6,3; Bottleneck: 50 = 3,4,6,3; "
                    "101 = 3,4,23,3; 152 = 3,8,36,3)");
  }
  const int expansion = arch.bottleneck ? 4 : 1;
  for (int s = 0; s < kNumStages; ++s)
    arch.backbone_channels.push_back(static_cast<int64_t>(arch.base_width) * (1 << s) * expansion);

  const Tensor& head = *index.at(arch.head_prefix + ".out_conv.weight");
  if (head.rank() != 4 || head.dim(1) < 1 || head.dim(1) > 4096)
    throw Error(ErrorKind::UnsupportedModel, arch.head_prefix + ".out_conv.weight: expected shape [5, C, 1, 1], got " +
                                                 shape_str(head.shape()));
  arch.neck_out_channels = static_cast<int>(head.dim(1));
  return arch;
}

std::vector<ExpectedTensor> expected_textsnake_tensors(const ArchInfo& a) {
  std::vector<ExpectedTensor> out;
  auto conv = [&](const std::string& name, int64_t oc, int64_t ic, int64_t k, bool bias) {
    out.push_back({name + ".weight", {oc, ic, k, k}});
    if (bias) out.push_back({name + ".bias", {oc}});
  };
  auto bn = [&](const std::string& name, int64_t c) {
    for (const char* f : {".weight", ".bias", ".running_mean", ".running_var"}) out.push_back({name + f, {c}});
  };
  const int64_t W = a.base_width;
  conv("backbone.conv1", W, 3, 7, false);
  bn("backbone.bn1", W);
  int64_t inplanes = W;
  const int expansion = a.bottleneck ? 4 : 1;
  for (int s = 0; s < kNumStages; ++s) {
    const int64_t planes = W << s;
    const int stride = s == 0 ? 1 : 2;
    for (int b = 0; b < a.blocks[s]; ++b) {
      const std::string p = "backbone.layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
      if (a.bottleneck) {
        conv(p + "conv1", planes, inplanes, 1, false);
        bn(p + "bn1", planes);
        conv(p + "conv2", planes, planes, 3, false);
        bn(p + "bn2", planes);
        conv(p + "conv3", planes * 4, planes, 1, false);
        bn(p + "bn3", planes * 4);
      } else {
        conv(p + "conv1", planes, inplanes, 3, false);
        bn(p + "bn1", planes);
        conv(p + "conv2", planes, planes, 3, false);
        bn(p + "bn2", planes);
      }
      if (b == 0 && (stride != 1 || inplanes != planes * expansion)) {
        conv(p + "downsample.0", planes * expansion, inplanes, 1, false);
        bn(p + "downsample.1", planes * expansion);
      }
      inplanes = planes * expansion;
    }
  }
  // FPN_UNet channel bookkeeping (MMOCR fpn_unet.py).
  const int64_t O = a.neck_out_channels;
  const std::vector<int64_t>& in = a.backbone_channels;
  std::vector<int64_t> bo{O};
  for (int i = 0; i < 4; ++i) bo.push_back(std::min<int64_t>(O << i, 256));
  const std::vector<int64_t> bi{bo[1], in[0] + bo[2], in[1] + bo[3], in[2] + bo[4], in[3]};
  out.push_back({"neck.up4.weight", {bi[4], bo[4], 4, 4}});
  out.push_back({"neck.up4.bias", {bo[4]}});
  for (int i = 3; i >= 0; --i) {
    const std::string p = "neck.up_block" + std::to_string(i) + ".";
    conv(p + "conv1x1", bi[i], bi[i], 1, true);
    conv(p + "conv3x3", bo[i], bi[i], 3, true);
    out.push_back({p + "deconv.weight", {bo[i], bo[i], 4, 4}});
    out.push_back({p + "deconv.bias", {bo[i]}});
  }
  conv(a.head_prefix + ".out_conv", kHeadOutChannels, O, 1, true);
  return out;
}

void check_textsnake_tensors(const TensorIndex& index, const ArchInfo& arch, ArchInfo* counts) {
  const std::vector<ExpectedTensor> expected = expected_textsnake_tensors(arch);
  std::set<std::string> expected_names;
  std::vector<std::string> missing, wrong;
  for (const ExpectedTensor& e : expected) {
    expected_names.insert(e.name);
    auto it = index.find(e.name);
    if (it == index.end()) {
      missing.push_back(e.name);
      continue;
    }
    const Tensor& t = *it->second;
    if (t.shape() != e.shape || t.dtype() != DType::f32)
      wrong.push_back(e.name + " expected f32 " + shape_str(e.shape) + " got " + dtype_name(t.dtype()) + " " +
                      shape_str(t.shape()));
  }
  std::vector<std::string> unexpected;
  int ignored = 0;
  for (const auto& kv : index) {
    if (expected_names.count(kv.first)) continue;
    // BN's step counter carries no inference information.
    if (ends_with(kv.first, ".num_batches_tracked") &&
        expected_names.count(kv.first.substr(0, kv.first.size() - 20) + ".running_var")) {
      ++ignored;
      continue;
    }
    unexpected.push_back(kv.first);
  }
  if (!missing.empty() || !unexpected.empty() || !wrong.empty()) {
    std::string msg = "TextSnake checkpoint does not match the detected architecture " + arch.summary() + ":";
    if (!missing.empty()) msg += " " + std::to_string(missing.size()) + " missing key(s): " + list_some(missing) + ";";
    if (!unexpected.empty())
      msg += " " + std::to_string(unexpected.size()) + " unexpected key(s): " + list_some(unexpected) + ";";
    if (!wrong.empty()) msg += " " + std::to_string(wrong.size()) + " wrong shape(s)/dtype(s): " + list_some(wrong, 5) + ";";
    msg.pop_back();
    throw Error(ErrorKind::UnsupportedModel, msg);
  }
  if (counts) {
    counts->num_tensors_used = static_cast<int>(expected.size());
    counts->num_ignored = ignored;
  }
}

}  // namespace textq
