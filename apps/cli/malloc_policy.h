// How textq's allocator keeps freed memory. Each image of a batch (detect,
// eval, quantize's calibration) allocates the same large buffers again: the
// network's input and output (12 + 19 MB at 736x1312), the decoder's and
// OpenCV's masks. glibc returns such blocks to the kernel on free (mmap'd
// above its adaptive threshold, or trimmed off the heap top), so the next
// image page-faults them back in, zeroed, one 4 KiB page at a time; on this
// VM that was ~1 s of system time per 20 R50 images, taken from the cores the
// network runs on. Keeping them in the process (a fixed mmap threshold of
// 32 MiB, glibc's largest, and no heap trimming) took sys time 0.93-1.11 s ->
// 0.73-0.83 s and end-to-end images/s +2.7 % (docs/backends.md, "End to end").
// Process-wide, so the CLI sets it; a program embedding the library can make
// the same mallopt calls or export GLIBC_TUNABLES.
#pragma once

namespace textq::cli {

void keep_freed_buffers();

}  // namespace textq::cli
