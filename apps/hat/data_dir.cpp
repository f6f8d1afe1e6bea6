// The command line's choice of data directory: --data over $HAT_DATA_DIR (see common.hpp).
#include <cstdlib>

#include "common.hpp"

namespace hat::cli {

data::DataDirArg data_dir_arg(const std::string& option) {
  if (!option.empty()) return {option, "--data"};
  if (const char* env = std::getenv("HAT_DATA_DIR"); env && *env) return {env, "HAT_DATA_DIR"};
  return {};
}

}  // namespace hat::cli
