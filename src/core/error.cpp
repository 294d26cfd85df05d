#include "textq/error.h"

namespace textq {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument: return "invalid argument";
    case ErrorKind::InvalidFile: return "invalid file";
    case ErrorKind::UnsupportedModel: return "unsupported";
    case ErrorKind::Io: return "i/o error";
    case ErrorKind::Internal: return "internal error";
  }
  return "error";
}

int error_kind_exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument: return 1;
    case ErrorKind::InvalidFile: return 2;
    case ErrorKind::Io: return 2;
    case ErrorKind::UnsupportedModel: return 3;
    case ErrorKind::Internal: return 4;
  }
  return 4;
}

}  // namespace textq
