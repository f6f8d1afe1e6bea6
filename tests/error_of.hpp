// The message of the hat::InputError a callable throws ("" if it throws none), for tests of
// one-line error messages.
#pragma once

#include <string>

#include "hat/core/error.hpp"

namespace hat::test {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace hat::test
