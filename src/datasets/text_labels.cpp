#include "datasets/text_labels.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "datasets/python_json.h"
#include "textq/error.h"

namespace textq::datasets {
namespace {

constexpr size_t kMaxLines = 1u << 20;
constexpr size_t kMaxCoords = 1u << 20;  // per polygon, as the json readers

[[noreturn]] void bad_line(const std::string& file, size_t line, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, file + ":" + std::to_string(line) + ": " + rule);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t k = s.find(sep, start);
    out.push_back(s.substr(start, k == std::string::npos ? std::string::npos : k - start));
    if (k == std::string::npos) break;
    start = k + 1;
  }
  return out;
}

std::string strip(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// Python int(): optional surrounding whitespace and sign, then digits.
bool parse_int(const std::string& field, long long* out) {
  const std::string s = strip(field);
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i == s.size() || s.size() - i > 15) return false;
  for (size_t k = i; k < s.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
  *out = std::strtoll(s.c_str(), nullptr, 10);
  return true;
}

// A decimal number (ICDAR labels are ints, but accept floats).
bool parse_number(const std::string& field, double* out) {
  const std::string s = strip(field);
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno != 0 || !std::isfinite(v)) return false;
  // strtod also takes hex, inf and nan spellings; allow plain decimals only
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return false;
  *out = v;
  return true;
}

std::vector<double> int_fields(const std::vector<std::string>& f, size_t n, const std::string& file, size_t line) {
  std::vector<double> v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    long long x;
    if (!parse_int(f[i], &x))
      bad_line(file, line, "field " + std::to_string(i + 1) + " \"" + f[i].substr(0, 20) + "\" is not an integer");
    v.push_back(static_cast<double>(x));
  }
  return v;
}

}  // namespace

std::vector<std::string> split_label_lines(const std::string& text, const std::string& file) {
  check_utf8(text, file);
  std::vector<std::string> lines;
  size_t i = 0;
  while (i < text.size()) {
    size_t k = text.find_first_of("\r\n", i);
    if (k == std::string::npos) {
      lines.push_back(text.substr(i));
      break;
    }
    lines.push_back(text.substr(i, k - i));
    i = (text[k] == '\r' && k + 1 < text.size() && text[k + 1] == '\n') ? k + 2 : k + 1;
    if (lines.size() > kMaxLines) throw Error(ErrorKind::InvalidFile, file + ": more than 2^20 lines");
  }
  return lines;
}

std::vector<TextInstance> parse_ctw1500_txt(const std::string& text, const std::string& file) {
  std::vector<TextInstance> out;
  const auto lines = split_label_lines(text, file);
  for (size_t n = 0; n < lines.size(); ++n) {
    const size_t ln = n + 1;
    const std::string line = strip(lines[n]);
    if (line.empty()) bad_line(file, ln, "empty line (MMOCR's parser fails on it)");
    const auto f = split(line, ',');
    TextInstance inst;
    long long dummy;
    if (f.size() == 32 && parse_int(f[28], &dummy)) {
      // Original format: box, then 14 (dx, dy) offsets from (xmin, ymin).
      const auto v = int_fields(f, 32, file, ln);
      for (int k = 0; k < 14; ++k) {
        inst.polygon.push_back(v[0] + v[4 + 2 * k]);
        inst.polygon.push_back(v[1] + v[5 + 2 * k]);
      }
    } else {
      if (f.size() < 29)
        bad_line(file, ln, "has " + std::to_string(f.size()) +
                               " fields; expected 28 integers and a transcription (####text or CARE), or 32 integers");
      inst.polygon = int_fields(f, 28, file, ln);
      const std::string& t = f[28];
      if (!t.empty() && t[0] == '#') {
        inst.text = t.size() > 4 ? t.substr(4) : std::string();  // MMOCR: strs[28][4:]
        inst.ignore = *inst.text == "###";
      } else if (t == "CARE") {
        inst.ignore = false;
      } else {
        bad_line(file, ln, "field 29 \"" + t.substr(0, 20) + "\" must start with '#' (####text) or be CARE");
      }
    }
    out.push_back(std::move(inst));
  }
  return out;
}

std::vector<TextInstance> parse_totaltext_txt(const std::string& text, const std::string& file) {
  std::vector<TextInstance> out;
  const auto lines = split_label_lines(text, file);
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string line = strip(lines[n]);
    if (line.empty()) continue;
    const auto f = split(line, ',');
    TextInstance inst;
    size_t k = 0;
    long long x;
    while (k < f.size() && parse_int(f[k], &x)) {
      if (inst.polygon.size() > kMaxCoords) bad_line(file, n + 1, "more than 2^20 coordinates");
      inst.polygon.push_back(static_cast<double>(x));
      ++k;
    }
    if (inst.polygon.size() % 2 != 0) {  // an odd count: the last number is the transcription
      inst.polygon.pop_back();
      --k;
    }
    if (inst.polygon.size() < 6)
      bad_line(file, n + 1, "only " + std::to_string(inst.polygon.size() / 2) + " points; a polygon needs at least 3");
    std::string t;
    for (size_t i = k; i < f.size(); ++i) t += (i > k ? "," : "") + f[i];
    inst.text = t;
    inst.ignore = t == "###";
    out.push_back(std::move(inst));
  }
  return out;
}

std::vector<TextInstance> parse_icdar2015_txt(const std::string& text, const std::string& file) {
  std::string body = text;
  if (body.compare(0, 3, "\xEF\xBB\xBF") == 0) body = body.substr(3);
  std::vector<TextInstance> out;
  const auto lines = split_label_lines(body, file);
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string line = strip(lines[n]);
    if (line.empty()) continue;
    const auto f = split(line, ',');
    if (f.size() < 9)
      bad_line(file, n + 1, "has " + std::to_string(f.size()) + " fields; expected x1,y1,...,x4,y4,transcription");
    TextInstance inst;
    for (size_t i = 0; i < 8; ++i) {
      double v;
      if (!parse_number(f[i], &v))
        bad_line(file, n + 1, "field " + std::to_string(i + 1) + " \"" + f[i].substr(0, 20) + "\" is not a number");
      inst.polygon.push_back(v);
      if (v != std::floor(v)) inst.polygon_is_int = false;
    }
    std::string t;
    for (size_t i = 8; i < f.size(); ++i) t += (i > 8 ? "," : "") + f[i];
    inst.text = t;
    inst.ignore = t == "###";
    out.push_back(std::move(inst));
  }
  return out;
}

}  // namespace textq::datasets
