// Error types. InputError carries a one-line message that names the file and field at fault;
// the command-line tool prints it and exits non-zero.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>

namespace hat {

// Bad user input: malformed files, wrong dimensions, impossible parameters.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A numerical method could not produce a trustworthy answer.
class NumericalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Option checks (the validate() of an Options struct) as a list: InputError("<Struct>.<field>
// must be ...") unless ok.
inline void check_option(bool ok, const char* field, const char* must) {
  if (!ok) throw InputError(std::string(field) + " must be " + must);
}
inline bool positive_finite(double v) {
  return std::isfinite(v) && v > 0;
}

}  // namespace hat
