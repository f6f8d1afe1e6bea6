#include "commands.hpp"
namespace hat::cli {
void register_household(CLI::App& app) {}
}  // namespace hat::cli
