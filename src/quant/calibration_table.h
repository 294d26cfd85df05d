// Result of calibration: per graph value, its observed range, the group it
// shares a scale with, the chosen threshold, the INT8 type and the scale.
// Printable as a text table (format_calibration_table).
#pragma once

#include <string>
#include <vector>

#include "quant/observer.h"
#include "textq/tensor.h"

namespace textq::quant {

struct ValueCalib {
  std::string name;          // graph value name
  int group = -1;            // scale-sharing group (concat inputs/output, maxpool in/out)
  bool observed = false;     // false for values never seen (should not happen)
  double min = 0, max = 0;   // over the calibration set
  double abs_max = 0;        // of the whole group
  double threshold = 0;      // of the whole group
  DType type = DType::i8;    // u8 when every source of the group ends in ReLU
  float scale = 0.f;         // threshold / qmax(type)
};

struct CalibrationTable {
  CalibMethod method = CalibMethod::Kl;
  int num_images = 0;
  std::vector<ValueCalib> values;  // indexed by value id
};

std::string format_calibration_table(const CalibrationTable& table);

}  // namespace textq::quant
