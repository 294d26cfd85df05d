// The OpenMP wait policy textq runs with. libgomp's default lets a thread
// that reaches a barrier spin before it sleeps; on a shared machine the
// spinning thread takes the core its partner needs, and every primitive (a
// barrier each) waits for a descheduled thread: INT8 R50 took 2.5-3.2 s
// instead of 1.0-1.2 s with OMP_WAIT_POLICY=PASSIVE at load average 11-13
// (docs/backends.md, "Threads"). libgomp reads the variable once, when it is
// loaded, so setting it needs a fresh start of the program.
#pragma once

namespace textq::cli {

// PASSIVE alone puts a thread to sleep (futex) at every barrier and wakes it
// for the next primitive: ~6 % of all CPU time in kernel futex calls in a
// profile of PP-OCRv4's eval, whose ~150 primitives run ~0.1 ms each. A
// spin of 1000 rounds first (libgomp's default is 300000) keeps the partner
// awake between back-to-back primitives and is too short to matter when the
// cores are shared: PP-OCRv4 INT8 544x960 20.4-28.2 -> 16.7-17.2 ms on a
// quiet machine, no worse with 2 or 6 busy loops beside (docs/backends.md).
inline constexpr const char* kSpinCount = "1000";

// When OMP_WAIT_POLICY is unset: sets it to PASSIVE, and GOMP_SPINCOUNT to
// kSpinCount unless the user set it, then re-executes the program with the
// same arguments (returns only if that fails, leaving the default policy).
// A policy set by the user is kept as it is, with nothing else changed.
void ensure_omp_wait_policy(char** argv);

}  // namespace textq::cli
