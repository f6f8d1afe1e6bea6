// The command line's choice of data directory: --data over $HAT_DATA_DIR (see common.hpp).
#include <cstdlib>

#include "common.hpp"

namespace hat::cli {

data::DataDirArg data_dir_arg(const std::string& option) {
  return data::choose_data_dir(option, std::getenv("HAT_DATA_DIR"));
}

}  // namespace hat::cli
