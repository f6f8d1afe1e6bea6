// Deterministic fuzz test of the config readers and solvers (issue #18). Every shipped example
// in examples/ is mutated the way a hostile but realistic user would (a key deleted, a wrong
// type, a wrong length, a negative/zero/NaN/inf/huge/tiny number, a truncated file, a
// duplicated key, a table header deleted), with a fixed seed. Each mutated config runs
// in-process through the library code of its command; solves are kept small (iteration and
// evaluation caps, a coarse world grid) and the 19-country configs run their readers only.
// The outcome must be one of the command-line tool's classes:
//   0 (a converged answer, every number finite), 2 (InputError, one line), 3 (a solver that
//   did not converge: a report that is not "converged", or NumericalError);
// any other exception fails the test (a crash would end the test binary). A sample of ~20
// configs also runs through the binary: exit 0, 2 (one line on stderr) or 3, never a signal,
// and no NaN/inf written into the outputs. The per-command outcome table goes to stdout.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>

#include "hat/analysis/shocks.hpp"
#include "hat/core/error.hpp"
#include "hat/data/data_table.hpp"
#include "hat/estimation/world_from_data.hpp"
#include "hat/household/config.hpp"
#include "hat/io/config.hpp"
#include "hat/models/dynamic.hpp"
#include "hat/models/dynamic_study.hpp"
#include "hat/world/config.hpp"
#include "output_checks.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using hat::test::has_nonfinite_text;
using hat::test::read_text;

namespace {

constexpr std::uint64_t kSeed = 20261204;

// ---- mutations -------------------------------------------------------------------------

struct KeyRange {
  std::string key;
  size_t first, last;  // line range of `key = value` (multi-line arrays included)
  std::string value;   // the value text (lines joined with '\n', comment stripped)
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string l;
  while (std::getline(ss, l)) lines.push_back(l);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

std::string strip_comment(const std::string& l) {
  bool quoted = false;
  for (size_t i = 0; i < l.size(); ++i) {
    if (l[i] == '"') quoted = !quoted;
    if (l[i] == '#' && !quoted) return l.substr(0, i);
  }
  return l;
}

std::vector<KeyRange> find_keys(const std::vector<std::string>& lines) {
  static const std::regex key_re(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$)");
  std::vector<KeyRange> keys;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    const std::string l = strip_comment(lines[i]);
    if (!std::regex_match(l, m, key_re)) continue;
    KeyRange k{m[1].str(), i, i, m[2].str()};
    int depth = 0;
    for (char c : k.value) depth += (c == '[') - (c == ']');
    while (depth > 0 && k.last + 1 < lines.size()) {
      const std::string more = strip_comment(lines[++k.last]);
      k.value += "\n" + more;
      for (char c : more) depth += (c == '[') - (c == ']');
    }
    keys.push_back(k);
  }
  return keys;
}

// Numeric tokens of a value: (offset, length).
std::vector<std::pair<size_t, size_t>> numbers_in(const std::string& v) {
  static const std::regex num_re(R"([-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+))");
  std::vector<std::pair<size_t, size_t>> out;
  bool quoted = false;
  for (auto it = std::sregex_iterator(v.begin(), v.end(), num_re); it != std::sregex_iterator();
       ++it) {
    const size_t pos = static_cast<size_t>(it->position(0));
    quoted = std::count(v.begin(), v.begin() + static_cast<long>(pos), '"') % 2 == 1;
    if (!quoted) out.push_back({pos, static_cast<size_t>(it->length(0))});
  }
  return out;
}

struct Mutation {
  std::string text;
  std::string what;  // short description, for failure messages
};

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}
  size_t pick(size_t n) { return n ? static_cast<size_t>(rng_() % n) : 0; }

  Mutation mutate(const std::string& text) {
    std::vector<std::string> lines = split_lines(text);
    const std::vector<KeyRange> keys = find_keys(lines);
    const int kind = static_cast<int>(pick(8));
    if (keys.empty() || kind == 6) {  // truncated file
      const size_t cut = pick(text.size());
      return {text.substr(0, cut), "truncated at byte " + std::to_string(cut)};
    }
    const KeyRange& k = keys[pick(keys.size())];
    auto replace_value = [&](const std::string& v, const std::string& what) {
      std::vector<std::string> out(lines.begin(), lines.begin() + static_cast<long>(k.first));
      out.push_back(k.key + " = " + v);
      out.insert(out.end(), lines.begin() + static_cast<long>(k.last + 1), lines.end());
      return Mutation{join_lines(out), k.key + ": " + what};
    };
    switch (kind) {
      case 0: {  // delete the key
        lines.erase(lines.begin() + static_cast<long>(k.first),
                    lines.begin() + static_cast<long>(k.last + 1));
        return {join_lines(lines), "deleted " + k.key};
      }
      case 1: {  // wrong type
        static const char* types[] = {"\"oops\"",   "true",           "[1, 2]", "{ a = 1 }",
                                      "1979-05-27", "[\"a\", \"b\"]", "[[1.0]]"};
        const std::string v = types[pick(std::size(types))];
        return replace_value(v, "wrong type " + v);
      }
      case 2: {  // wrong length
        std::string v = k.value;
        const size_t close = v.rfind(']');
        if (v.empty() || v[0] != '[' || close == std::string::npos)
          return replace_value("[" + v + ", " + v + "]", "scalar made an array");
        const size_t comma = v.rfind(',', close);
        if (pick(2) == 0 && comma != std::string::npos) {
          v.erase(comma, close - comma);  // drop the last element
          return replace_value(v, "last element dropped");
        }
        const size_t open = v.find_last_of('[', close);
        const std::string elem = v.substr(open + 1, close - open - 1);
        v.insert(close, elem.empty() ? std::string("1")
                                     : ", " + elem.substr(elem.rfind(',') == std::string::npos
                                                              ? 0
                                                              : elem.rfind(',') + 1));
        return replace_value(v, "element appended");
      }
      case 3:
      case 4: {  // a number replaced by a hostile one
        const auto nums = numbers_in(k.value);
        static const char* bad[] = {"-1",     "0",          "nan", "inf", "-inf", "1e308", "-1e308",
                                    "1e-308", "4294967297", "0.5", "2",   "1e6",  "1e-6",  "-0.0"};
        const std::string b = bad[pick(std::size(bad))];
        if (nums.empty()) return replace_value(b, "= " + b);
        const auto [pos, len] = nums[pick(nums.size())];
        std::string v = k.value;
        const std::string old = v.substr(pos, len);
        std::string repl = b;
        if (pick(3) == 0) {  // extreme but legal: the same number scaled
          const double x = std::strtod(old.c_str(), nullptr);
          repl = fmt_double(x * (pick(2) ? 1e3 : 1e-3));
        }
        v.replace(pos, len, repl);
        return replace_value(v, old + " -> " + repl);
      }
      case 5: {  // duplicate key
        std::vector<std::string> out(lines.begin(), lines.begin() + static_cast<long>(k.last + 1));
        out.insert(out.end(), lines.begin() + static_cast<long>(k.first),
                   lines.begin() + static_cast<long>(k.last + 1));
        out.insert(out.end(), lines.begin() + static_cast<long>(k.last + 1), lines.end());
        return {join_lines(out), "duplicated " + k.key};
      }
      default: {  // a table header deleted (its keys move into the previous table)
        std::vector<size_t> headers;
        for (size_t i = 0; i < lines.size(); ++i)
          if (!lines[i].empty() && lines[i][0] == '[') headers.push_back(i);
        if (headers.empty()) return replace_value("", "empty value");
        const size_t h = headers[pick(headers.size())];
        const std::string name = lines[h];
        lines.erase(lines.begin() + static_cast<long>(h));
        return {join_lines(lines), "deleted header " + name};
      }
    }
  }

 private:
  static std::string fmt_double(double x) {
    std::ostringstream o;
    o.precision(17);
    o << x;
    std::string s = o.str();
    if (s.find_first_of(".eEni") == std::string::npos) s += ".0";
    return s;
  }
  std::mt19937_64 rng_;
};

// ---- in-process runs -----------------------------------------------------------------------

enum Outcome { kOk = 0, kBadInput = 2, kNotConverged = 3 };

// An answer that claims convergence but holds a non-finite number.
struct NonFinite : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void require_finite(bool ok, const std::string& what) {
  if (!ok) throw NonFinite("converged with a non-finite " + what);
}

// `hat household`: solve, distribution, aggregates, Euler errors (iterations capped).
Outcome run_household(const hat::io::ConfigFile& f) {
  using namespace hat::household;
  HouseholdConfig hc = read_household_config(f);
  hc.solve.max_iterations = std::min(hc.solve.max_iterations, 400);
  hc.distribution.max_iterations = std::min(hc.distribution.max_iterations, 20000);
  const HouseholdSolution sol = solve_household(hc.problem, hc.solve);
  if (sol.report.status == hat::SolverStatus::Failed) return kNotConverged;
  const StationaryDistribution d = stationary_distribution(hc.problem, sol, hc.distribution);
  if (d.report.status == hat::SolverStatus::Failed) return kNotConverged;
  const Aggregates ag = aggregate(hc.problem, sol, d.mass);
  euler_errors(hc.problem, sol);  // may be -inf (no unconstrained point): written as missing
  if (!sol.report.converged() || !d.report.converged()) return kNotConverged;
  require_finite(
      sol.c.allFinite() && sol.a_next.allFinite() && sol.V.allFinite() && sol.pi.allFinite(),
      "household policy");
  require_finite(d.mass.allFinite(), "distribution");
  require_finite(std::isfinite(ag.assets) && ag.expenditure_share.allFinite(), "aggregate");
  return kOk;
}

void require_finite(const hat::world::Evaluation& ev) {
  require_finite(ev.residuals.allFinite() && ev.imports.allFinite() && ev.output.allFinite() &&
                     ev.prices.W.allFinite() && ev.prices.R.allFinite(),
                 "world evaluation");
}

// `hat solve` and `hat residuals` on a coarse grid with an evaluation cap.
Outcome run_world(const hat::io::ConfigFile& f) {
  using namespace hat::world;
  WorldConfig wc = hat::estimation::read_world_config(f, hat::test::data_dir());
  wc.world.assets = std::min(wc.world.assets, 30);
  wc.options.max_evaluations = std::min(wc.options.max_evaluations, 25);
  Prices p = wc.start;
  if (!wc.world.has_tariffs()) p.tau.setZero();
  const Evaluation ev = residuals_at(wc.world, p, wc.options);
  if (!ev.ok) return kNotConverged;
  require_finite(ev);
  const Equilibrium eq = solve_equilibrium(wc.world, wc.start, wc.options);
  if (!eq.report.converged()) return kNotConverged;
  require_finite(eq.state);
  return kOk;
}

// `hat calibrate`, readers only (a solve of the 19-country world takes minutes).
Outcome run_calibrate_readers(const hat::io::ConfigFile& f) {
  hat::io::ConfigTable ct = f.root().table("calibration");  // as cmd_calibrate reads it
  if (!(ct.number("moment_tolerance", 1e-6) > 0)) ct.fail("moment_tolerance", "must be > 0");
  ct.integer_in("max_evaluations", 500, 1, 1000000);
  if (!(ct.number("fd_step", 1e-6) > 0)) ct.fail("fd_step", "must be > 0");
  ct.reject_unknown();
  hat::estimation::read_world_config(f, hat::test::data_dir());
  hat::data::read_data_table(f, hat::test::data_dir());
  return kOk;
}

// `hat residuals` / `hat counterfactual` on the 19-country world, readers only.
Outcome run_world_readers(const hat::io::ConfigFile& f) {
  hat::estimation::read_world_config(f, hat::test::data_dir());
  return kOk;
}

// `hat counterfactual --shocks FILE`: the experiment applied to the 19-country world.
Outcome run_shocks(const hat::io::ConfigFile& f, const hat::world::World* base) {
  const auto ex = hat::analysis::read_experiment(f.root(), "fuzz", f.path());
  if (base) hat::analysis::apply_shocks(*base, ex.shocks);
  return kOk;
}

// `hat dynamic steady-state` (and the gains formulas of `gft`).
Outcome run_dynamic(const hat::io::ConfigFile& f) {
  namespace dyn = hat::dynamic;
  const dyn::Config c = dyn::load_config(f);
  // As `hat dynamic steady-state` runs it (its errors name the config file).
  const dyn::SteadyState ss = dyn::run_steady_state_study(c, f.path()).steady_state;
  if (!ss.report.converged()) return kNotConverged;
  require_finite(ss.wages.allFinite() && ss.consumption.allFinite() && ss.mass.allFinite() &&
                     ss.flows.allFinite() && ss.shares.allFinite() && ss.value.allFinite(),
                 "steady state");
  const Eigen::VectorXd g = dyn::gains_formula(c.params, ss);
  require_finite(g.allFinite(), "gains formula");
  return kOk;
}

struct Example {
  std::string file, command;
  int mutations;  // more for the commands that solve in-process
};

const std::vector<Example>& examples() {
  static const std::vector<Example> ex = {
      {"household.toml", "household", 90},
      {"two_country.toml", "solve+residuals", 70},
      {"ek19_baseline.toml", "calibrate (readers)", 20},
      {"ek19_log.toml", "calibrate (readers)", 15},
      {"ek19_gravity.toml", "residuals (readers)", 20},
      {"shock_global.toml", "counterfactual --shocks", 10},
      {"shock_us_all.toml", "counterfactual --shocks", 10},
      {"shock_us_france.toml", "counterfactual --shocks", 10},
      {"shock_us_japan.toml", "counterfactual --shocks", 10},
      {"dynamic_krugman.toml", "dynamic steady-state", 40},
      {"dynamic_melitz.toml", "dynamic steady-state", 40},
      {"dynamic_customer_base.toml", "dynamic steady-state", 40},
      {"dynamic_blpn.toml", "dynamic steady-state", 25},
      {"dynamic_ek19.toml", "dynamic steady-state", 25}};
  return ex;
}

// Outcome classes of the reliability issue, counted per command.
struct Tally {
  int ok = 0;             // exit 0, clean (finite outputs, no stray stderr lines)
  int bad_input = 0;      // exit 2 with one line naming the problem
  int not_converged = 0;  // exit 3 with outputs marked as not converged
  int crash = 0;          // a signal, or an exception of the wrong kind escaping
  int hang = 0;           // killed by the time limit
  int nonfinite = 0;      // NaN or inf in outputs
  int other = 0;          // anything else (another exit code, a message of several lines, ...)
  int total() const { return ok + bad_input + not_converged + crash + hang + nonfinite + other; }
  void add(const Tally& t) {
    ok += t.ok;
    bad_input += t.bad_input;
    not_converged += t.not_converged;
    crash += t.crash;
    hang += t.hang;
    nonfinite += t.nonfinite;
    other += t.other;
  }
};

// The table of outcome counts per command (on stdout: shown by ctest --output-on-failure and
// when the test binary runs directly), with a total row.
void print_table(const std::string& title, const std::map<std::string, Tally>& table) {
  std::printf("\n%s\n", title.c_str());
  std::printf("| %-24s | %5s | %12s | %13s | %12s | %5s | %4s | %14s | %5s |\n", "command", "total",
              "exit 0 clean", "exit 2 1-line", "exit 3 marked", "crash", "hang", "NaN in outputs",
              "other");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  Tally all;
  auto row = [](const std::string& name, const Tally& t) {
    std::printf("| %-24s | %5d | %12d | %13d | %12d | %5d | %4d | %14d | %5d |\n", name.c_str(),
                t.total(), t.ok, t.bad_input, t.not_converged, t.crash, t.hang, t.nonfinite,
                t.other);
  };
  for (const auto& [cmd, t] : table) {
    row(cmd, t);
    all.add(t);
  }
  row("all", all);
}

}  // namespace

TEST(Fuzz, MutatedExamplesEndInExitClassesZeroTwoOrThree) {
  const fs::path dir = fs::path(hat::test::source_dir()) / "examples";
  const bool have_data = !hat::test::data_dir().empty();
  // The library calls below are given the data directory; the `hat` runs take it from here.
  if (have_data) ::setenv("HAT_DATA_DIR", hat::test::data_dir().c_str(), 0);
  // The 19-country world the shock files are applied to (unmutated).
  std::unique_ptr<hat::world::World> ek19;
  if (have_data)
    ek19 = std::make_unique<hat::world::World>(
        hat::estimation::read_world_config(
            hat::io::ConfigFile::load((dir / "ek19_gravity.toml").string()), hat::test::data_dir())
            .world);

  // Every example is covered by the list (a new example must be added to it).
  size_t shipped = 0;
  for (const auto& e : fs::directory_iterator(dir)) shipped += e.path().extension() == ".toml";
  EXPECT_EQ(shipped, examples().size()) << "add the new example to the fuzz test";

  Mutator mut(kSeed);
  std::map<std::string, Tally> table;
  std::vector<std::string> problems;
  int not_naming_file = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const Example& ex : examples()) {
    const fs::path path = dir / ex.file;
    const std::string original = read_text(path);
    ASSERT_FALSE(original.empty()) << path;
    for (int m = 0; m < ex.mutations; ++m) {
      const Mutation mu = mut.mutate(original);
      Tally& t = table[ex.command];
      const std::string where = ex.file + " [" + mu.what + "]";
      try {
        // Parsed under the example's own path, so relative data paths resolve.
        const hat::io::ConfigFile f = hat::io::ConfigFile::parse(mu.text, path.string());
        Outcome o = kOk;
        if (ex.command == "household")
          o = run_household(f);
        else if (ex.command == "solve+residuals")
          o = run_world(f);
        else if (ex.command == "calibrate (readers)")
          o = run_calibrate_readers(f);
        else if (ex.command == "residuals (readers)")
          o = run_world_readers(f);
        else if (ex.command == "counterfactual --shocks")
          o = run_shocks(f, ek19.get());
        else
          o = run_dynamic(f);
        (o == kOk ? t.ok : t.not_converged)++;
      } catch (const hat::InputError& e) {
        const std::string msg = e.what();
        const bool one_line = !msg.empty() && msg.find('\n') == std::string::npos;
        (one_line ? t.bad_input : t.other)++;
        if (!one_line) problems.push_back(where + ": bad-input message not one line: " + msg);
        if (msg.find(ex.file) == std::string::npos) {
          ++not_naming_file;
          std::printf("not naming the file: %s: %s\n", where.c_str(), msg.c_str());
        }
      } catch (const hat::NumericalError&) {
        ++t.not_converged;
      } catch (const NonFinite& e) {
        ++t.nonfinite;
        problems.push_back(where + ": " + e.what());
      } catch (const std::exception& e) {
        ++t.crash;  // through the binary: exit 4 or a terminate
        problems.push_back(where + ": unexpected exception: " + e.what());
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  int configs = 0;
  for (const Example& ex : examples()) configs += ex.mutations;
  char title[160];
  std::snprintf(title, sizeof title, "fuzz (seed %llu): %d mutated configs in-process, %.1f s",
                static_cast<unsigned long long>(kSeed), configs, seconds);
  print_table(title, table);
  std::printf("bad-input messages not naming the config file: %d\n", not_naming_file);
  EXPECT_EQ(not_naming_file, 0) << "every bad-input message names the config file";
  for (const auto& p : problems) ADD_FAILURE() << p;
}

// A sample of mutated configs through the binary: exit 0, 2 or 3 only (never a signal or
// another code), exit 2 with exactly one error line, no non-finite number in any output.
TEST(Fuzz, SampleThroughTheBinary) {
  struct Target {
    const char* example;
    const char* command;
    int count;
  };
  const Target targets[] = {
      {"household.toml", "household", 6},
      {"two_country.toml", "solve --quiet", 3},
      {"two_country.toml", "residuals", 2},
      {"two_country.toml",
       "counterfactual --quiet --shock importer=HOME,exporter=FOREIGN,factor=0.9", 2},
      {"two_country.toml", "elasticity --quiet --country HOME", 2},
      {"two_country.toml", "planner --quiet --country HOME", 2},
      {"dynamic_krugman.toml", "dynamic steady-state", 2},
      {"dynamic_melitz.toml", "dynamic gft", 2},
      {"dynamic_customer_base.toml", "dynamic transition", 2}};
  const fs::path dir = fs::path(hat::test::source_dir()) / "examples";
  Mutator mut(kSeed + 1);
  std::map<std::string, Tally> table;
  int k = 0;
  for (const Target& t : targets) {
    const std::string original = read_text(dir / t.example);
    for (int m = 0; m < t.count; ++m, ++k) {
      const Mutation mu = mut.mutate(original);
      const std::string cfg = hat::test::write_tmp("fuzz" + std::to_string(k) + ".toml", mu.text);
      const fs::path out = hat::test::tmp_path("fuzz_out" + std::to_string(k));
      fs::remove_all(out);
      // `timeout` turns a hang into a failure (exit 124) instead of a stuck suite.
      const int rc = hat::test::run("timeout 120 " + hat::test::hat_binary() + " " + t.command +
                                    " " + cfg + " --out " + out.string());
      const std::string err = hat::test::last_stderr();
      const std::string where = std::string(t.example) + " [" + mu.what + "] " + t.command;
      const std::string cmd(t.command);
      Tally& tally = table[cmd.substr(0, cmd.find(" --"))];
      EXPECT_TRUE(rc == 0 || rc == 2 || rc == 3) << where << ": exit " << rc << "\n" << err;
      int error_lines = 0, other_lines = 0;  // besides "[hat] " progress lines
      for (const std::string& l : split_lines(err)) {
        if (l.rfind("hat: ", 0) == 0)
          ++error_lines;
        else if (l.rfind("[hat] ", 0) != 0)
          ++other_lines;
      }
      if (rc == 2) {
        EXPECT_EQ(error_lines, 1) << where << "\n" << err;
      }
      EXPECT_EQ(other_lines, 0) << where << "\n" << err;
      const bool nonfinite = has_nonfinite_text(out);
      EXPECT_FALSE(nonfinite) << where;
      bool marked = false, manifest = false;
      if (rc == 0 || rc == 3) {
        manifest = fs::exists(out / "manifest.json");
        EXPECT_TRUE(manifest) << where;
        if (manifest) {
          const auto man = nlohmann::json::parse(std::ifstream(out / "manifest.json"));
          marked = man.value("status", "") != "converged";
          if (rc == 3) {
            EXPECT_TRUE(marked) << where;
          }
        }
      }
      // `timeout` exits 124 on a hang; a signal shows as 128 + n from the shell.
      (nonfinite                                           ? tally.nonfinite
       : rc == 124                                         ? tally.hang
       : rc > 128                                          ? tally.crash
       : rc == 0 && manifest && other_lines == 0           ? tally.ok
       : rc == 2 && error_lines == 1 && other_lines == 0   ? tally.bad_input
       : rc == 3 && manifest && marked && other_lines == 0 ? tally.not_converged
                                                           : tally.other)++;
      fs::remove_all(out);
      fs::remove(cfg);
    }
  }
  print_table("fuzz sample through the binary (seed " + std::to_string(kSeed + 1) + ")", table);
}
