// Exceptions inside OpenMP parallel loops. An exception must not leave a parallel region (the
// runtime calls std::terminate), so each loop body runs through ParallelErrors::run, which keeps
// the exception of the lowest iteration index; rethrow() raises it on the calling thread after
// the loop. Keeping the lowest index (not the first in time) makes the error that is reported
// independent of the thread count and the schedule.
//
//   hat::ParallelErrors errors;
//   #pragma omp parallel for
//   for (int i = 0; i < n; ++i)
//     errors.run(i, [&] { body(i); });
//   errors.rethrow();
#pragma once

#include <exception>
#include <limits>
#include <utility>

namespace hat {

class ParallelErrors {
 public:
  template <typename F>
  void run(long index, F&& body) noexcept {
    try {
      std::forward<F>(body)();
    } catch (...) {
      keep(index, std::current_exception());
    }
  }
  bool failed() const { return static_cast<bool>(first_); }
  // Rethrows the kept exception, if any, on the calling thread (outside the parallel region).
  void rethrow() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  void keep(long index, std::exception_ptr e) noexcept {
#pragma omp critical(hat_parallel_errors)
    {
      if (!first_ || index < index_) {
        first_ = std::move(e);
        index_ = index;
      }
    }
  }
  std::exception_ptr first_;
  long index_ = std::numeric_limits<long>::max();
};

}  // namespace hat
