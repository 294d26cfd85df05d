#include "omp_wait_policy.h"

#include <unistd.h>

#include <cstdlib>

namespace textq::cli {

void ensure_omp_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  // A short spin before sleeping (overwrite = 0: the user's count is kept).
  setenv("GOMP_SPINCOUNT", kSpinCount, 0);
  execv("/proc/self/exe", argv);  // only returns on failure: run on with the default policy
}

}  // namespace textq::cli
