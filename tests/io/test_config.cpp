// io/config: strict TOML access. Every error names the file, table and key; unknown keys are
// errors; integers are range-checked before any narrowing.
#include <gtest/gtest.h>

#include <string>

#include "error_of.hpp"
#include "hat/core/error.hpp"
#include "hat/io/config.hpp"

using hat::InputError;
using hat::io::ConfigFile;

using hat::test::error_of;

TEST(Config, ReadsValuesAndNamesTheKeyInErrors) {
  const ConfigFile f = ConfigFile::parse(
      "top = 1.5\n[model]\ngamma = 2\nname = \"x\"\nlist = [1, 2.5]\nm = [[1, 2], [3, 4]]\n",
      "c.toml");
  const auto root = f.root();
  EXPECT_EQ(root.number("top"), 1.5);
  const auto model = root.table("model");
  EXPECT_EQ(model.number("gamma"), 2.0);  // an integer where a number is expected
  EXPECT_EQ(model.string("name"), "x");
  EXPECT_EQ(model.numbers("list"), (std::vector<double>{1.0, 2.5}));
  EXPECT_EQ(model.matrix("m")(1, 0), 3.0);
  const std::string m = error_of([&] { model.number("name"); });
  EXPECT_NE(m.find("c.toml"), std::string::npos) << m;
  EXPECT_NE(m.find("name"), std::string::npos) << m;
  EXPECT_NE(error_of([&] { model.number("missing"); }).find("missing"), std::string::npos);
  EXPECT_TRUE(root.table("absent").empty());
}

TEST(Config, UnknownKeysAreErrors) {
  const ConfigFile f = ConfigFile::parse("[model]\ngamma = 2\ngamam = 3\n", "typo.toml");
  const auto model = f.root().table("model");
  model.number("gamma");
  const std::string m = error_of([&] { model.reject_unknown(); });
  EXPECT_NE(m.find("gamam"), std::string::npos) << m;
  EXPECT_NE(m.find("typo.toml"), std::string::npos) << m;
}

TEST(Config, IntegersAreRangeCheckedBeforeNarrowing) {
  const ConfigFile f = ConfigFile::parse("a = 4294967396\nb = 7\nc = 1.5\n", "n.toml");
  const auto r = f.root();
  const std::string m = error_of([&] { r.integer_in("a", 100, 2, 20000, "memory grows with it"); });
  EXPECT_NE(m.find("20000"), std::string::npos) << m;
  EXPECT_NE(m.find("memory grows with it"), std::string::npos) << m;
  EXPECT_EQ(r.integer_in("b", 0, 1, 10), 7);
  EXPECT_EQ(r.integer_in("absent", 5, 1, 10), 5);
  EXPECT_NE(error_of([&] { r.integer("c"); }), "");
}

TEST(Config, MalformedTomlAndMissingFilesAreOneLineErrors) {
  const std::string m = error_of([] { ConfigFile::parse("a = [1, 2\n", "broken.toml"); });
  EXPECT_NE(m.find("broken.toml"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_NE(error_of([] { ConfigFile::load("/nonexistent/x.toml"); }).find("x.toml"),
            std::string::npos);
  const ConfigFile dup = ConfigFile::parse("x = 1\n", "ok.toml");
  EXPECT_NE(error_of([] { ConfigFile::parse("x = 1\nx = 2\n", "dup.toml"); }), "");
  (void)dup;
}
