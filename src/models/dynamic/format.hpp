// Number formatting for the dynamic module's error messages.
#pragma once

#include <cstdio>
#include <string>

namespace hat::dynamic {

// Six significant digits, as in "%.6g".
inline std::string num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace hat::dynamic
