// A two-country config of the dynamic trade model (docs/dynamic.md) for the command-line tests.
#pragma once

#include <string>

namespace hat::test {

inline std::string dynamic_two_country(int periods) {
  return std::string(R"(
[model]
sigma = 3.0
chi = 1.0
delta = 0.1
beta = 0.95
gamma = 2.0
b = 0.02
[countries]
names = ["A", "B"]
labor = [1.0, 1.5]
[trade_costs]
matrix = [[1.0, 1.5], [1.5, 1.0]]
[shock]
trade_cost_factor = 0.9
[transition]
)") +
         "periods = " + std::to_string(periods) + "\n";
}

}  // namespace hat::test
