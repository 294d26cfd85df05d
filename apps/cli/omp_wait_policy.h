// The OpenMP wait policy textq runs with. libgomp's default lets a thread
// that reaches a barrier spin before it sleeps; on a shared machine the
// spinning thread takes the core its partner needs, and every primitive (a
// barrier each) waits for a descheduled thread: INT8 R50 took 2.5-3.2 s
// instead of 1.0-1.2 s with OMP_WAIT_POLICY=PASSIVE at load average 11-13
// (docs/backends.md, "Threads"). libgomp reads the variable once, when it is
// loaded, so setting it needs a fresh start of the program.
#pragma once

namespace textq::cli {

// When OMP_WAIT_POLICY is unset: sets it to PASSIVE and re-executes the
// program with the same arguments (returns only if that fails, leaving the
// default policy). A value set by the user is kept as it is.
void ensure_omp_wait_policy(char** argv);

}  // namespace textq::cli
