// main() of the Google Benchmark programs: the process keeps freed memory (as the hat tool
// does, see hat/core/memory.hpp), then the usual benchmark driver runs.
#pragma once

#include <benchmark/benchmark.h>

#include "hat/core/memory.hpp"

#define HAT_BENCHMARK_MAIN()                                          \
  int main(int argc, char** argv) {                                   \
    hat::keep_freed_memory();                                         \
    benchmark::Initialize(&argc, argv);                               \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
    benchmark::RunSpecifiedBenchmarks();                              \
    benchmark::Shutdown();                                            \
    return 0;                                                         \
  }
