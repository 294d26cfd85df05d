// textq errors: one exception type with a kind and a context chain.
// Library code throws; only the CLI catches (apps/cli/main.cpp) and maps the
// kind to an exit code. Messages say what failed, where, the offending value
// and the rule, on one line.
#pragma once

#include <stdexcept>
#include <string>

namespace textq {

enum class ErrorKind {
  InvalidArgument,   // a wrong flag, option value or API argument
  InvalidFile,       // a file that breaks its format's rules
  UnsupportedModel,  // a well-formed file we do not handle (another model, dtype, version)
  Io,                // missing/unreadable/unwritable file
  Internal,          // a bug or a backend failure
};

const char* error_kind_name(ErrorKind kind);

// Exit codes of the CLI: 0 ok, 1 usage, 2 bad input, 3 unsupported, 4 internal.
int error_kind_exit_code(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }
  // Returns a copy whose message is "context: <message>" (llama.cpp-style rethrow).
  Error with_context(const std::string& context) const {
    return Error(kind_, context + ": " + what());
  }

 private:
  ErrorKind kind_;
};

// Runs fn(); an Error escaping it is rethrown with `context` prepended.
template <class Fn>
auto with_error_context(const std::string& context, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error& e) {
    throw e.with_context(context);
  }
}

}  // namespace textq
