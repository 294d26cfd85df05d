#include "runtime/executor.h"

#include "backends/onednn/onednn_executor.h"
#include "backends/reference/reference_executor.h"
#include "textq/error.h"

namespace textq {

const char* backend_kind_name(BackendKind kind) {
  switch (kind) {
    case BackendKind::Reference: return "reference";
    case BackendKind::OneDnn: return "onednn";
  }
  return "?";
}

std::unique_ptr<Executor> make_executor(const Graph& graph, BackendKind kind, const ExecOptions& options) {
  switch (kind) {
    case BackendKind::Reference:
      if (options.bf16)
        throw Error(ErrorKind::InvalidArgument, "bf16 precision runs on the onednn backend only (the reference backend computes f32)");
      return make_reference_executor(graph, options);
    case BackendKind::OneDnn: return make_onednn_executor(graph, options);
  }
  throw Error(ErrorKind::InvalidArgument,
              "make_executor: unknown backend kind " + std::to_string(static_cast<int>(kind)));
}

}  // namespace textq
