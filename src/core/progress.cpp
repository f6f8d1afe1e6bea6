// Progress reports (see progress.hpp).
#include "hat/core/progress.hpp"

#include <fmt/format.h>

#include "hat/core/interrupt.hpp"

namespace hat {

void report_stage(const ProgressCallback& callback, std::string_view solver,
                  std::string_view message) {
  Progress p;
  p.solver = solver;
  p.message = message;
  if (report(callback, p) == Control::kStop) throw Interrupted();
}

std::string evaluation_line(std::string_view prefix, const Progress& p) {
  return fmt::format("{}{}evaluation {:4d}  residual {:.3e}  elapsed {:.1f}s", prefix,
                     prefix.empty() ? "" : " ", p.iteration, p.residual, p.seconds);
}

}  // namespace hat
