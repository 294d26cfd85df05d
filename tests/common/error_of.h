// The message of the textq::Error that fn() throws, or "" when it throws none:
// tests of bad input check the one line a user would read.
#pragma once

#include <functional>
#include <string>

#include "textq/error.h"

namespace textq::test {

inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace textq::test
