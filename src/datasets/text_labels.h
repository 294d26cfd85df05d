// Line-oriented label files: CTW1500 test txt (MMOCR's 28 ints + "####text"),
// the original CTW1500 32-integer offset format, the 28-integer + "CARE"
// variant (TIoU-metric test_gt_v1), Total-Text txt (x1,y1,...,xn,yn,text) and
// ICDAR2015 txt (x1,...,y4,text, optional UTF-8 BOM). Each malformed line is an
// Error(InvalidFile) "<file>:<line>: <rule>".
#pragma once

#include <string>
#include <vector>

#include "datasets/annotation.h"

namespace textq::datasets {

// Lines as Python's text mode yields them (\n, \r\n or \r end a line), with
// the trailing newline removed. Checks UTF-8.
std::vector<std::string> split_label_lines(const std::string& text, const std::string& file);

// CTW1500 txt; every line is one of
//   28 ints, "####<text>"  (MMOCR test labels; ignore = text == "###")
//   28 ints, "CARE"         (test_gt_v1; no transcription, not ignored)
//   32 ints                 (original: xmin,ymin,xmax,ymax + 14 offset pairs)
// Fields after the 29th are dropped, as MMOCR does (commas cut the text).
std::vector<TextInstance> parse_ctw1500_txt(const std::string& text, const std::string& file);

// Total-Text txt: leading integer fields are the polygon (an even count,
// >= 3 points), the rest (re-joined with ',') the transcription; "###" = ignore.
std::vector<TextInstance> parse_totaltext_txt(const std::string& text, const std::string& file);

// ICDAR2015 txt: 8 numbers then the transcription (may contain commas);
// "###" = ignore. A leading UTF-8 BOM is skipped.
std::vector<TextInstance> parse_icdar2015_txt(const std::string& text, const std::string& file);

}  // namespace textq::datasets
