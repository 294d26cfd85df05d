#include "datasets/python_json.h"

#include <cstdio>

#include "textq/error.h"

namespace textq::datasets {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i,
// or -1 if the bytes are not valid UTF-8.
long decode_utf8(const std::string& s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  int n;
  long cp;
  if (c < 0x80) { ++i; return c; }
  if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
  else return -1;
  if (i + n >= s.size()) return -1;  // truncated sequence
  for (int k = 1; k <= n; ++k) {
    const unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (d & 0x3F);
  }
  static const long kMin[4] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;  // overlong / surrogate
  i += n + 1;
  return cp;
}

void put_u(std::string& out, long cp) {
  char buf[24];  // "\\u" + 4 hex digits (cp <= 0xFFFF here); sized for any long so gcc sees no truncation
  std::snprintf(buf, sizeof buf, "\\u%04lx", cp);
  out += buf;
}

void dump_string(const std::string& s, bool ensure_ascii, std::string& out) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    const long cp = decode_utf8(s, i);
    if (cp < 0) throw Error(ErrorKind::InvalidArgument, "string is not valid UTF-8: " + s.substr(0, 40));
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp < 0x20) {
      put_u(out, cp);
    } else if (ensure_ascii && cp > 0x7E) {
      if (cp >= 0x10000) {  // surrogate pair, as Python writes it
        const long v = cp - 0x10000;
        put_u(out, 0xD800 | (v >> 10));
        put_u(out, 0xDC00 | (v & 0x3FF));
      } else {
        put_u(out, cp);
      }
    } else {
      out.append(s, start, i - start);
    }
  }
  out += '"';
}

void dump(const nlohmann::ordered_json& v, bool ensure_ascii, std::string& out) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        dump_string(it.key(), ensure_ascii, out);
        out += ": ";
        dump(it.value(), ensure_ascii, out);
      }
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      for (size_t k = 0; k < v.size(); ++k) {
        if (k) out += ", ";
        dump(v[k], ensure_ascii, out);
      }
      out += ']';
      return;
    }
    case nlohmann::json::value_t::string:
      dump_string(v.get_ref<const std::string&>(), ensure_ascii, out);
      return;
    default:  // numbers, booleans, null: nlohmann's forms match Python's
      out += v.dump();
      return;
  }
}

}  // namespace

std::string python_json_dumps(const nlohmann::ordered_json& value, bool ensure_ascii) {
  std::string out;
  dump(value, ensure_ascii, out);
  return out;
}

void check_utf8(const std::string& s, const std::string& where) {
  size_t i = 0;
  while (i < s.size())
    if (decode_utf8(s, i) < 0)
      throw Error(ErrorKind::InvalidFile, where + ": byte " + std::to_string(i) + " is not valid UTF-8");
}

}  // namespace textq::datasets
