// Layout constants of the textq model file (docs/formats.md, "textq model").
// [preamble: magic, u32 version, u64 header length][JSON header][pad to 64]
// [tensor data, each tensor 64-byte aligned; the file ends at data_start + data_size]
#pragma once

#include <cstddef>
#include <cstdint>

namespace textq {

constexpr char kModelMagic[8] = {'T', 'E', 'X', 'T', 'Q', 'M', 'D', 'L'};
// Version 1: TextSnake ops (Conv .. Relu), MMOCR pre-processing, TextSnake
// decoder. Version 2 adds the ONNX-import ops (Sigmoid .. Pad, ir/ops.def), the
// per-node "attrs" object and the pre-processing/decoder "kind" (mmocr |
// paddle_det_resize, textsnake | db). The writer stamps the lowest version that
// holds the model, so a plain TextSnake model still loads in a version-1 reader.
constexpr uint32_t kModelFormatVersion = 2;
constexpr size_t kModelPreambleSize = 8 + 4 + 8;
constexpr uint64_t kModelAlignment = 64;
constexpr uint64_t kModelMaxHeaderBytes = uint64_t(64) << 20;
constexpr size_t kModelMaxTensors = 100000;
constexpr size_t kModelMaxNodes = 100000;
constexpr size_t kModelMaxValues = 1000000;
constexpr size_t kModelMaxRank = 8;

inline uint64_t model_align(uint64_t x) { return (x + kModelAlignment - 1) / kModelAlignment * kModelAlignment; }

// FNV-1a 64 of a tensor's bytes (the per-tensor checksum).
uint64_t fnv1a64(const void* data, size_t size);

}  // namespace textq
