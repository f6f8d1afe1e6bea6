// Process-wide allocator settings for programs that solve many models in a row.
#pragma once

namespace hat {

// Keeps freed memory inside the process: with glibc, blocks up to 32 MiB come from the heap
// instead of fresh mmap() regions, and the heap is not trimmed back to the system below 1 GiB
// of free space. Repeated solves (world and calibration loops, benchmarks) then reuse pages
// that are already mapped instead of taking a page fault on every page of every new array,
// which costs about a quarter of a household solve on a virtual machine. The hat tool and the
// benchmarks call it at start-up; a program linking the library may call it once. Results do
// not depend on it. Returns false where the allocator offers no such setting.
bool keep_freed_memory();

}  // namespace hat
