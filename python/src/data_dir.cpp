// The extension's choice of data directory: the data_dir argument over $HAT_DATA_DIR, as on
// the command line (see common.hpp).
#include <cstdlib>

#include "common.hpp"

namespace hat::python {

data::DataDirArg data_dir_arg(const std::string& given) {
  if (!given.empty()) return {given, "--data"};
  if (const char* env = std::getenv("HAT_DATA_DIR"); env && *env) return {env, "HAT_DATA_DIR"};
  return {};
}

}  // namespace hat::python
