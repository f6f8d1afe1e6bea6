// The [data] table reader: EK's files in place or a tidy pairs file.
#include "hat/data/data_table.hpp"

#include <filesystem>
#include <vector>

#include "hat/core/enum_names.hpp"
#include "hat/core/error.hpp"

namespace hat::data {

namespace {
// [data] set: the EK (2002) files in place, or a tidy pairs file.
enum class DataSet { Ek2002, Pairs };
constexpr EnumNames<DataSet, 2> kDataSetNames{
    {{{DataSet::Ek2002, "ek2002"}, {DataSet::Pairs, "pairs"}}}};
}  // namespace

DataTable read_data_table(const io::ConfigFile& f, const DataDirArg& data_dir) {
  io::ConfigTable dt = f.root().table("data");
  if (dt.empty()) throw InputError(f.path() + ": no [data] table");
  DataTable out;
  out.theta = dt.number("theta", 4.0);
  if (!(out.theta > 0)) dt.fail("theta", "must be > 0");
  if (dt.choice("set", kDataSetNames, DataSet::Ek2002) == DataSet::Ek2002) {
    std::string dir = dt.string("dir", "");
    std::string source = f.path() + ": " + dt.qualified("dir");
    if (!data_dir.dir.empty()) {
      dir = data_dir.dir;
      source = data_dir.source;
    } else if (!dir.empty() && std::filesystem::path(dir).is_relative()) {
      dir = (std::filesystem::path(f.directory()) / dir).string();
    }
    const std::string resolved = resolve_data_dir(dir, source);
    out.gravity = read_ek_gravity(resolved);
    out.labor = read_ek_labor(resolved);
  } else {
    std::filesystem::path p(dt.string("pairs"));
    if (p.is_relative()) p = std::filesystem::path(f.directory()) / p;
    std::vector<std::string> cov;
    if (dt.has("covariates")) {
      cov = dt.strings("covariates");
      if (cov.empty()) dt.fail("covariates", "list at least one column (or omit the key)");
    }
    out.gravity = read_gravity_pairs(p.string(), cov);
  }
  dt.reject_unknown();
  return out;
}

}  // namespace hat::data
