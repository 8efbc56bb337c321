"""Check that a run's CSV files read cleanly in pandas, as an analyst would open them.

Usage: python3 tests/python/check_csv_pandas.py OUTPUT_DIR
Exits non-zero (with a message) on any problem.
"""
import json
import sys
from pathlib import Path

import pandas as pd

out = Path(sys.argv[1])
summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))

# Plain read_csv, no encoding argument: the byte-order mark must not leak into the first header.
targets = pd.read_csv(out / "targets.csv")
quantiles = pd.read_csv(out / "quantiles.csv")

assert targets.columns[0] == "id", f"first column is {targets.columns[0]!r}"
assert list(quantiles.columns) == [
    "indicator", "year", "observed", "mean", "sd",
    "p05", "p10", "p25", "p50", "p75", "p90", "p95",
], list(quantiles.columns)
assert len(targets) == len(summary["targets"]), (len(targets), len(summary["targets"]))
assert targets["probability"].between(0, 1).all()
assert (targets["ci_lower"] <= targets["probability"]).all()
assert (targets["probability"] <= targets["ci_upper"]).all()
for column in ["probability", "ci_lower", "ci_upper", "threshold", "p50"]:
    assert pd.api.types.is_float_dtype(targets[column]), (column, targets[column].dtype)
assert pd.api.types.is_integer_dtype(quantiles["year"])
# Chinese labels survive the round trip.
zh = [t["label_zh"] for t in summary["targets"] if t.get("label_zh")]
assert list(targets["label_zh"].dropna()) == zh
# Quantiles are monotone in every row.
cols = ["p05", "p10", "p25", "p50", "p75", "p90", "p95"]
assert (quantiles[cols].diff(axis=1).iloc[:, 1:] >= 0).all().all()
print(f"pandas {pd.__version__}: {len(targets)} targets, {len(quantiles)} quantile rows read cleanly")
