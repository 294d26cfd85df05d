#include "report/html_text.h"

#include <cmath>
#include <cstdio>

namespace textq::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_fixed(double v, int digits) {
  if (!std::isfinite(v)) return "\xE2\x80\x93";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits < 0 ? 0 : (digits > 12 ? 12 : digits), v);
  return buf;
}

}  // namespace textq::report
