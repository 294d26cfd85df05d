// A small XML reader for label files (CTW1500 train annotations): elements,
// attributes, text, comments, CDATA, the five named entities and character
// references. No DTDs, namespaces or encodings other than UTF-8. Text of an
// element follows ElementTree: the characters before its first child, or
// "none" when there are none.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace textq::datasets {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::optional<std::string> text;  // ElementTree's .text
  std::vector<std::unique_ptr<XmlElement>> children;
};

// Throws Error(InvalidFile) "<file>:<line>: <rule>" on malformed input.
std::unique_ptr<XmlElement> parse_xml(const std::string& text, const std::string& file);

}  // namespace textq::datasets
