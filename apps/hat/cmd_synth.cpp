// `hat synth-world --countries N --seed S --out DIR`: a synthetic world for benchmarks and tests.
#include <fmt/format.h>

#include <cstdint>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "hat/io/manifest.hpp"
#include "hat/io/output.hpp"
#include "hat/world/synth.hpp"

namespace hat::cli {

namespace {

struct SynthArgs {
  int countries = 0;
  std::uint64_t seed = 1;
  std::string out;
  bool json = false;
};

void run_synth(const SynthArgs& args) {
  const world::SynthWorld w = world::synth_world(args.countries, args.seed);
  io::OutputDir out(args.out);
  out.add("world.toml", world::synth_world_toml(w, args.seed, "trade_costs.csv"));
  out.add("trade_costs.csv", world::synth_trade_costs_csv(w));
  out.add("pairs.csv", world::synth_pairs_csv(w, args.seed));
  out.add("calibrate.toml", world::synth_calibration_toml(w, args.seed, "pairs.csv"));
  nlohmann::json man = io::manifest("synth-world");
  man["status"] = "ok";
  man["countries"] = args.countries;
  man["seed"] = args.seed;
  man["files"] = out.names();
  out.add_json("manifest.json", man);
  out.commit();
  if (args.json)
    print_json({{"countries", args.countries}, {"seed", args.seed}, {"files", out.names()}});
  else
    fmt::print("synthetic {}-country world (seed {}) written to {}/world.toml\n", args.countries,
               args.seed, args.out);
}

}  // namespace

void register_synth(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* sub = app.add_subcommand(
      "synth-world",
      "Write a synthetic world (random TFP, labour, distance-based trade costs) for hat solve");
  sub->add_option("--countries", args->countries, "number of countries (2 to 1000)")
      ->required()
      ->check(CLI::Range(2, 1000));
  sub->add_option("--seed", args->seed, "random seed >= 0 (the same seed gives the same world)")
      ->check(CLI::Validator(  // the unsigned parse would wrap -1 to 2^64 - 1
          [](std::string& v) { return v.starts_with('-') ? "must be >= 0, got " + v : ""; }, "",
          "NonNegativeSeed"));
  sub->add_option("--out", args->out,
                  "output directory (world.toml, trade_costs.csv, pairs.csv, calibrate.toml)")
      ->required();
  sub->add_flag("--json", args->json, "print a JSON summary on stdout");
  sub->callback([args]() { run_synth(*args); });
}

}  // namespace hat::cli
