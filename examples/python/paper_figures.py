"""The paper's headline experiment from Python, notebook style (run cell by cell, or whole):

    make build
    PYTHONPATH=build/python /usr/bin/python3 examples/python/paper_figures.py [OUT_DIR]

Loads the 19-country world (EK data in ../shared/data, or $HAT_DATA_DIR), solves its baseline,
cuts every US import cost by 10% and plots US households' welfare by expenditure quintile, in
partial and general equilibrium, to OUT_DIR/welfare_by_quintile.svg (.png, .csv). About 15 s on
2 cores. See docs/python.md.
"""

# %% Set-up
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

import hat

root = Path(__file__).resolve().parents[2]
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/python")
out.mkdir(parents=True, exist_ok=True)

# %% The 19-country world (TFP and trade costs from the EK data's gravity fit). To calibrate it
# to the data's moments first (several minutes), use instead
#     world = hat.calibrate(root / "examples" / "ek19_baseline.toml").world
world = hat.World.from_toml(root / "examples" / "ek19_gravity.toml")
baseline = world.solve()
print(f"baseline: {baseline.status}, R = {baseline.R:.6f}, beta = {baseline.beta:.6f}")
print(baseline.home_shares.sort_values().head())

# %% A 10% cut of all US import costs (examples/shock_us_all.toml), welfare of US households.
cf = hat.counterfactual(world, {"importer": "USA", "exporter": "*", "factor": 0.9},
                        country="USA", name="us_all")
print(cf.summary.query("measure in ['mean_ev', 'mean_ce', 'acr']"))

# %% Welfare by expenditure quintile (consumption equivalent, %), PE against GE.
g = cf.welfare_groups
g = g[(g.grouping == "expenditure") & (g.measure == "ce")]
table = g.pivot(index="bin_1", columns="scenario", values="value")[["pe", "ge"]] * 100
table.index.name = "quintile_1"  # 1 = poorest
table.to_csv(out / "welfare_by_quintile.csv")
ax = table.rename(columns={"pe": "partial equilibrium (W, R fixed)",
                           "ge": "general equilibrium"}).plot.bar(rot=0)
ax.set_xlabel("expenditure quintile (1 = poorest)")
ax.set_ylabel("consumption equivalent (%)")
ax.set_title("US households: 10% cut of all US import costs")
ax.set_ylim(0, 1.3 * table.to_numpy().max())  # room for the legend above the bars
ax.legend(loc="upper left")
plt.tight_layout()
plt.savefig(out / "welfare_by_quintile.svg")
plt.savefig(out / "welfare_by_quintile.png", dpi=100)
print(table)
print(f"figure written to {out / 'welfare_by_quintile.svg'}")
