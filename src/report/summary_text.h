// The report's summary table as plain text, for the terminal (make demo).
#pragma once

#include <string>

#include "report/html_report.h"

namespace textq::report {

// model · file size · recall · precision · hmean (best thr) · ms/image · images/s
// for FP32 and INT8, then a row of INT8-vs-FP32 ratios / deltas.
std::string summary_table_text(const ReportPage& page);

}  // namespace textq::report
