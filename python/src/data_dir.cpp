// The extension's choice of data directory: the data_dir argument over $HAT_DATA_DIR, as on
// the command line (see common.hpp).
#include <cstdlib>

#include "common.hpp"

namespace hat::python {

data::DataDirArg data_dir_arg(const std::string& given) {
  return data::choose_data_dir(given, std::getenv("HAT_DATA_DIR"));
}

}  // namespace hat::python
