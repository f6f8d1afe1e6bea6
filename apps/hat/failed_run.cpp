// Outputs of a run that failed numerically before it had results: a manifest marked "failed".
#include <fstream>
#include <sstream>

#include "common.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"

namespace hat::cli {

void write_failed_run(const std::string& out, const std::string& command, const std::string& config,
                      const std::string& message) {
  if (out.empty()) return;
  nlohmann::json man = io::manifest(command);
  std::ifstream in(config, std::ios::binary);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    io::manifest_add_input(man, config, ss.str());
  }
  man["status"] = "failed";
  man["message"] = message;
  man["files"] = {"manifest.json"};
  io::OutputDir dir(out);
  dir.keep_existing("checkpoint.json");  // a calibration's checkpoint survives its failure
  dir.add_json("manifest.json", man);
  dir.commit();
}

}  // namespace hat::cli
