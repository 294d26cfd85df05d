#include "datasets/xml_lite.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "textq/error.h"

namespace textq::datasets {
namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxElements = 1u << 22;

class Parser {
 public:
  Parser(const std::string& s, const std::string& file) : s_(s), file_(file) {}

  std::unique_ptr<XmlElement> document() {
    skip_misc();
    if (!starts("<")) fail("expected the root element");
    auto root = element(0);
    skip_misc();
    if (pos_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& rule) const {
    const size_t line = 1 + std::count(s_.begin(), s_.begin() + std::min(pos_, s_.size()), '\n');
    throw Error(ErrorKind::InvalidFile, file_ + ":" + std::to_string(line) + ": " + rule);
  }
  bool starts(const char* p) const { return s_.compare(pos_, std::char_traits<char>::length(p), p) == 0; }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void skip_until(const char* end, const char* what) {
    const size_t k = s_.find(end, pos_);
    if (k == std::string::npos) fail(std::string("unterminated ") + what);
    pos_ = k + std::char_traits<char>::length(end);
  }
  // Whitespace, comments, processing instructions, DOCTYPE outside elements.
  void skip_misc() {
    while (true) {
      skip_ws();
      if (starts("<?")) skip_until("?>", "processing instruction");
      else if (starts("<!--")) skip_until("-->", "comment");
      else if (starts("<!DOCTYPE")) skip_until(">", "DOCTYPE");
      else return;
    }
  }
  std::string name() {
    const size_t a = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                                s_[pos_] == '-' || s_[pos_] == '.' || s_[pos_] == ':' ||
                                static_cast<unsigned char>(s_[pos_]) >= 0x80))
      ++pos_;
    if (a == pos_) fail("expected a name");
    return s_.substr(a, pos_ - a);
  }
  void append_utf8(std::string& out, unsigned long cp) {
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("invalid character reference");
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) { out += char(0xC0 | cp >> 6); out += char(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) { out += char(0xE0 | cp >> 12); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
    else { out += char(0xF0 | cp >> 18); out += char(0x80 | ((cp >> 12) & 0x3F)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
  }
  // Decodes text up to (not including) any char of `stop`.
  std::string chars(const char* stop) {
    std::string out;
    while (pos_ < s_.size()) {
      // XML has no NUL character; strchr would also "find" it in `stop` and
      // return without consuming it, so the caller's loop would never end.
      if (s_[pos_] == '\0') fail("NUL byte (not allowed in XML)");
      if (std::strchr(stop, s_[pos_])) break;
      if (s_[pos_] != '&') { out += s_[pos_++]; continue; }
      const size_t semi = s_.find(';', pos_);
      if (semi == std::string::npos || semi - pos_ > 12) fail("unterminated entity reference");
      const std::string ent = s_.substr(pos_ + 1, semi - pos_ - 1);
      if (ent == "lt") out += '<';
      else if (ent == "gt") out += '>';
      else if (ent == "amp") out += '&';
      else if (ent == "quot") out += '"';
      else if (ent == "apos") out += '\'';
      else if (ent.size() > 1 && ent[0] == '#') {
        const bool hex = ent[1] == 'x';
        const std::string digits = ent.substr(hex ? 2 : 1);
        if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") != std::string::npos)
          fail("bad character reference &" + ent + ";");
        append_utf8(out, std::stoul(digits, nullptr, hex ? 16 : 10));
      } else {
        fail("undefined entity &" + ent + ";");
      }
      pos_ = semi + 1;
    }
    return out;
  }
  std::unique_ptr<XmlElement> element(int depth) {
    if (depth > kMaxDepth) fail("elements nested deeper than 64");
    if (++count_ > kMaxElements) fail("more than 2^22 elements");
    ++pos_;  // '<'
    auto e = std::make_unique<XmlElement>();
    e->name = name();
    while (true) {
      skip_ws();
      if (starts("/>")) { pos_ += 2; return e; }
      if (starts(">")) { ++pos_; break; }
      const std::string key = name();
      skip_ws();
      if (!starts("=")) fail("expected '=' after attribute " + key);
      ++pos_;
      skip_ws();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail("attribute value must be quoted");
      const char q[2] = {s_[pos_++], 0};
      std::string v = chars(q);
      if (pos_ >= s_.size()) fail("unterminated attribute value");
      ++pos_;
      if (!e->attrs.emplace(key, v).second) fail("duplicate attribute " + key);
    }
    std::string* tail = nullptr;  // text goes to e->text until the first child
    std::string text;
    bool have_text = false;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated element <" + e->name + ">");
      if (starts("</")) {
        pos_ += 2;
        if (name() != e->name) fail("closing tag does not match <" + e->name + ">");
        skip_ws();
        if (!starts(">")) fail("expected '>'");
        ++pos_;
        break;
      }
      if (starts("<!--")) { skip_until("-->", "comment"); continue; }
      if (starts("<?")) { skip_until("?>", "processing instruction"); continue; }
      if (starts("<![CDATA[")) {
        pos_ += 9;
        const size_t k = s_.find("]]>", pos_);
        if (k == std::string::npos) fail("unterminated CDATA");
        if (!tail) { text += s_.substr(pos_, k - pos_); have_text = true; }
        pos_ = k + 3;
        continue;
      }
      if (starts("<")) {
        if (!tail) tail = &text;  // later text is a child's tail, not ours
        e->children.push_back(element(depth + 1));
        continue;
      }
      std::string t = chars("<");
      if (!tail && !t.empty()) { text += t; have_text = true; }
    }
    if (have_text) e->text = text;
    return e;
  }

  const std::string& s_;
  const std::string& file_;
  size_t pos_ = 0;
  size_t count_ = 0;
};

}  // namespace

std::unique_ptr<XmlElement> parse_xml(const std::string& text, const std::string& file) {
  return Parser(text, file).document();
}

}  // namespace textq::datasets
