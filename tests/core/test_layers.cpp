// The library's layers (README.md, Layout): a folder of include/hat/ or src/ includes only its
// own folder and folders of lower layers, so the include graph between folders is a DAG.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// Lowest first; folders of one rank may not include each other. A new folder needs a rank here
// and a place in README.md's Layout.
struct Layer {
  const char* folder;
  int rank;
};
constexpr Layer kLayers[] = {
    {"core", 0},   {"numerics", 1},   {"io", 1},         {"household", 2},   {"distribution", 3},
    {"world", 4},  {"data", 5},       {"estimation", 6}, {"calibration", 7}, {"analysis", 7},
    {"models", 7}, {"transition", 8}, {"reports", 9},
};

int rank_of(const std::string& folder) {
  for (const Layer& l : kLayers)
    if (folder == l.folder) return l.rank;
  return -1;
}

// One line per include of a folder that is not below the including file's folder
// ("src/world/config.cpp:11: world includes estimation"), and per folder without a layer.
std::vector<std::string> layer_violations(const fs::path& root) {
  static const std::regex include_re(R"(^\s*#\s*include\s*[<"]hat/([A-Za-z0-9_]+)/)");
  std::vector<std::string> out;
  for (const fs::path& base : {root / "include" / "hat", root / "src"}) {
    if (!fs::is_directory(base)) continue;
    for (const fs::directory_entry& dir : fs::directory_iterator(base)) {
      if (!dir.is_directory()) continue;
      const std::string from = dir.path().filename().string();
      const std::string where = fs::relative(dir.path(), root).string();
      if (rank_of(from) < 0) {
        out.push_back(where + ": folder '" + from + "' has no layer (tests/core/test_layers.cpp)");
        continue;
      }
      for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir.path())) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path());
        std::string line;
        std::smatch m;
        for (int n = 1; std::getline(in, line); ++n) {
          if (!std::regex_search(line, m, include_re)) continue;
          const std::string to = m[1].str();
          if (to == from || (rank_of(to) >= 0 && rank_of(to) < rank_of(from))) continue;
          out.push_back(fs::relative(e.path(), root).string() + ":" + std::to_string(n) + ": " +
                        from + " includes " + to);
        }
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

}  // namespace

// The project itself: every include points downwards.
TEST(Layers, IncludesPointDownwards) {
  const std::vector<std::string> v = layer_violations(hat::test::source_dir());
  std::string all;
  for (const std::string& s : v) all += s + "\n";
  EXPECT_TRUE(v.empty()) << all;
  // The scan found the tree (a wrong root would pass vacuously).
  EXPECT_TRUE(fs::is_regular_file(fs::path(hat::test::source_dir()) / "src/world/config.cpp"));
}

// The check fails on the include issue 17 removed (the world config running the gravity
// regression), on includes within one rank and upwards, and on a folder without a layer.
TEST(Layers, CatchesUpwardIncludes) {
  const fs::path root = hat::test::tmp_path("layers");
  fs::remove_all(root);
  write_file(root / "include/hat/world/world.hpp",
             "#include \"hat/core/error.hpp\"\n#include \"hat/world/system.hpp\"\n");
  write_file(root / "src/world/config.cpp",
             "#include \"hat/world/config.hpp\"\n#include \"hat/household/config.hpp\"\n"
             "#include \"hat/estimation/gravity.hpp\"\n");
  write_file(root / "src/numerics/x.cpp", "  #  include <hat/io/csv.hpp>\n");
  write_file(root / "include/hat/core/y.hpp", "#include \"hat/numerics/grid.hpp\"\n");
  write_file(root / "src/data/z.cpp", "#include \"hat/newlayer/a.hpp\"\n");
  write_file(root / "src/newlayer/a.cpp", "#include \"hat/core/error.hpp\"\n");
  const std::vector<std::string> expected = {
      "include/hat/core/y.hpp:1: core includes numerics",
      "src/data/z.cpp:1: data includes newlayer",
      "src/newlayer: folder 'newlayer' has no layer (tests/core/test_layers.cpp)",
      "src/numerics/x.cpp:1: numerics includes io",
      "src/world/config.cpp:3: world includes estimation",
  };
  EXPECT_EQ(layer_violations(root), expected);
  fs::remove_all(root);
}
