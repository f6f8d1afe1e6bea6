// The command-line contract (docs/cli.md): every command's manifest.json has the common keys
// (schema_version, command, version, argv, status, solvers, timings, inputs with SHA-256, files
// with SHA-256), and the checksums it records are those of the files written beside it; one
// vocabulary: status words, `solvers` as named reports, timings named *_seconds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hat/core/sha256.hpp"
#include "manifest_checks.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::hat_binary;
using hat::test::run;
using hat::test::tmp_path;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void expect_contract(const fs::path& out, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(fs::exists(out / "manifest.json"));
  const auto m = nlohmann::json::parse(slurp(out / "manifest.json"));
  for (const char* k : {"schema_version", "command", "version", "argv", "status", "solvers",
                        "timings", "inputs", "files"})
    EXPECT_TRUE(m.contains(k)) << k;
  EXPECT_FALSE(m.contains("solver"));
  // 2: 1-based index columns named <name>_1; 3: one status vocabulary, named solver reports,
  // timings named *_seconds
  EXPECT_EQ(m["schema_version"], 3);
  EXPECT_TRUE(m["argv"].is_array() && !m["argv"].empty());
  hat::test::expect_manifest_vocabulary(m, what);
  for (const auto& in : m["inputs"]) {
    EXPECT_EQ(in["sha256"].get<std::string>().size(), 64u) << in.dump();
    if (in.contains("content")) {
      EXPECT_EQ(in["sha256"], hat::sha256_hex(in["content"].get<std::string>()));
    }
  }
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(out))
    if (e.is_regular_file() && e.path() != out / "manifest.json") ++files;
  EXPECT_EQ(m["files"].size(), files);
  for (const auto& f : m["files"]) {
    const fs::path p = out / f["name"].get<std::string>();
    ASSERT_TRUE(fs::exists(p)) << p;
    EXPECT_EQ(f["sha256"], hat::sha256_hex(slurp(p))) << p;
    EXPECT_EQ(f["bytes"].get<size_t>(), fs::file_size(p)) << p;
  }
}

}  // namespace

// FIPS 180-4 / NIST CSHS example vectors.
TEST(Sha256, NistVectors) {
  EXPECT_EQ(hat::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hat::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hat::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hat::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(CliContract, EveryManifestHasTheCommonKeys) {
  const std::string ex = hat::test::source_dir() + "/examples/";
  const std::string world =
      hat::test::write_tmp("contract_world.toml", hat::test::kTwoCountryWorld);
  const std::string shock = " --shock importer=AAA,exporter=BBB,factor=0.9";
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"household", "household " + ex + "household.toml"},
      {"solve", "solve " + world},
      {"residuals", "residuals " + world},
      {"counterfactual", "counterfactual " + world + shock},
      {"elasticity", "elasticity " + world + " --country AAA"},
      {"planner", "planner " + world + " --country AAA"},
      {"transition", "transition " + world + shock + " --periods 60 --no-elasticities"},
      {"dynamic", "dynamic steady-state " + ex + "dynamic_krugman.toml"},
      {"dynamic_gft", "dynamic gft " + ex + "dynamic_krugman.toml"},
      {"synth", "synth-world --countries 3"},
  };
  for (const auto& [name, args] : runs) {
    const fs::path out = tmp_path("contract_" + name);
    fs::remove_all(out);
    const int rc = run(hat_binary() + " " + args + " --out " + out.string());
    if (rc != 0) {
      ADD_FAILURE() << name << " exited " << rc << ": " << hat::test::last_stderr();
      continue;
    }
    expect_contract(out, name);
    fs::remove_all(out);
  }
}

TEST(CliContract, DataCommandManifestsHaveTheCommonKeys) {
  const std::string data = hat::test::data_dir();
  if (data.empty()) {
    if (hat::test::in_ci()) FAIL() << "EK data missing (../shared/data)";
    GTEST_SKIP() << "EK data not found";
  }
  for (const std::string& cmd : {std::string("gravity"), std::string("ek estimate")}) {
    const fs::path out = tmp_path("contract_data");
    fs::remove_all(out);
    ASSERT_EQ(run(hat_binary() + " " + cmd + " --data " + data + " --out " + out.string()), 0)
        << cmd << ": " << hat::test::last_stderr();
    expect_contract(out, cmd);
    fs::remove_all(out);
  }
}

// One contract for the options (docs/cli.md): every command lists --out, --json, --quiet and
// --threads in its help, and iteration controls have one spelling.
TEST(CliContract, EveryCommandTakesTheCommonOptions) {
  for (const char* cmd :
       {"household", "solve", "residuals", "counterfactual", "calibrate", "elasticity", "planner",
        "transition", "gravity", "ek estimate", "ek counterfactual", "dynamic gft",
        "dynamic steady-state", "dynamic transition", "replicate waugh", "synth-world"}) {
    SCOPED_TRACE(cmd);
    std::string help;
    EXPECT_EQ(run(hat_binary() + " " + cmd + " --help", &help), 0);
    for (const char* opt : {"--out", "--json", "--quiet", "--threads"})
      EXPECT_NE(help.find(opt), std::string::npos) << opt << "\n" << help;
    for (const char* old : {"--tol ", "--max-iter "})
      EXPECT_EQ(help.find(old), std::string::npos) << old;
  }
}

// --quiet silences progress lines in a command that declares no flag of its own, and a bad
// --threads value is bad input there too.
TEST(CliContract, QuietAndThreadsMeanTheSameEverywhere) {
  const std::string cfg = hat::test::source_dir() + "/examples/dynamic_krugman.toml";
  const std::string out = tmp_path("contract_dynamic_out");
  EXPECT_EQ(run(hat_binary() + " dynamic steady-state " + cfg + " --out " + out), 0);
  EXPECT_NE(hat::test::last_stderr().find("[hat] "), std::string::npos);
  EXPECT_EQ(
      run(hat_binary() + " dynamic steady-state " + cfg + " --out " + out + " --quiet --threads 1"),
      0);
  EXPECT_EQ(hat::test::last_stderr(), "");
  EXPECT_EQ(run(hat_binary() + " dynamic steady-state " + cfg + " --out " + out + " --threads -1"),
            2);
  EXPECT_NE(hat::test::last_stderr().find("--threads"), std::string::npos);
}

// A solver that stops short is exit status 3 with a warning that --quiet does not silence
// (docs/cli.md: warnings, e.g. a solve that did not converge, are still printed).
TEST(CliContract, NonConvergenceIsSaidEvenWithQuiet) {
  std::ifstream in(hat::test::source_dir() + "/examples/household.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string cfg = text.str();
  const size_t at = cfg.find("[income]");
  ASSERT_NE(at, std::string::npos);
  cfg.insert(at, "max_iterations = 2\n");
  const std::string path = hat::test::write_tmp("contract_capped_household.toml", cfg);
  const std::string out = tmp_path("contract_capped_out");
  EXPECT_EQ(run(hat_binary() + " household " + path + " --quiet --out " + out), 3);
  EXPECT_NE(hat::test::last_stderr().find("did not converge (exit status 3)"), std::string::npos)
      << hat::test::last_stderr();
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(out) / "manifest.json"));
}
