// base64, HTML escaping and number formatting of the report.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "report/base64.h"
#include "report/html_text.h"

namespace {

using namespace textq::report;

TEST(ReportBase64, Rfc4648TestVectors) {  // RFC 4648 section 10
  EXPECT_EQ(base64_encode(std::string("")), "");
  EXPECT_EQ(base64_encode(std::string("f")), "Zg==");
  EXPECT_EQ(base64_encode(std::string("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(std::string("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(std::string("foob")), "Zm9vYg==");
  EXPECT_EQ(base64_encode(std::string("fooba")), "Zm9vYmE=");
  EXPECT_EQ(base64_encode(std::string("foobar")), "Zm9vYmFy");
}

TEST(ReportBase64, HighBytesUseTheLastTwoSymbols) {
  const uint8_t b[] = {0xFB, 0xFF, 0xBF, 0x00, 0x10, 0x83};
  EXPECT_EQ(base64_encode(b, 3), "+/+/");
  EXPECT_EQ(base64_encode(b + 3, 3), "ABCD");
  EXPECT_EQ(base64_encode(b, 6), "+/+/ABCD");
  const uint8_t ff[] = {0xFF, 0xFF};
  EXPECT_EQ(base64_encode(ff, 2), "//8=");
}

TEST(ReportHtml, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain text, 1.0 \xC3\x97 2"), "plain text, 1.0 \xC3\x97 2");  // UTF-8 passes through
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");  // not idempotent: escapes exactly once per call
}

TEST(ReportHtml, FormatFixedNeverPrintsNan) {
  EXPECT_EQ(format_fixed(0.80753, 4), "0.8075");
  EXPECT_EQ(format_fixed(-1.5, 1), "-1.5");
  EXPECT_EQ(format_fixed(std::nan(""), 3), "\xE2\x80\x93");
  EXPECT_EQ(format_fixed(1.0 / 0.0, 3), "\xE2\x80\x93");
}

}  // namespace
