// Text that goes into HTML: escaping and number formatting shared by the
// page builder and the SVG plots.
#pragma once

#include <string>
#include <string_view>

namespace textq::report {

// Escapes & < > " ' so the result is safe both as element text and inside a
// double- or single-quoted attribute.
std::string html_escape(std::string_view text);

// Fixed-point with `digits` decimals; "–" (en dash) for NaN/inf, so a missing
// number never prints as "nan" in the page.
std::string format_fixed(double v, int digits);

}  // namespace textq::report
