#!/usr/bin/env python3
"""The pandas reference for gaptrack's gap report benchmark (benchmarks/run.sh).

Reads a CSV with a header and the columns `point,score,disadvantaged` (one row per result:
the assessment point it belongs to, the score, and whether the student is disadvantaged, as
PostgreSQL writes a boolean: t or f; `point` may be left out for a single assessment) and
prints, as JSON, for every assessment point, the group sizes, the DfE disadvantage gap index
and the mean score gap, computed the way gaptrack does:

- percentile rank = average rank within the point (ties share the mean of their ranks)
  divided by the number of results at the point (docs/methodology.md §5.1);
- gap index = 20 x (mean percentile rank of others - mean percentile rank of disadvantaged)
  (DfE, "Key stage 4 performance: methodology", the disadvantage gap index);
- mean score gap = mean score of others - mean score of disadvantaged.

`seconds` covers reading the CSV and computing, as an analyst would run it; starting Python and
importing pandas are left out (about half a second), which favours pandas.
"""
import json
import sys
import time

import pandas as pd


def gap_figures(path: str) -> dict:
    started = time.perf_counter()
    frame = pd.read_csv(
        path,
        dtype={"point": "int64", "score": "float64"},
        true_values=["t", "true", "1"],
        false_values=["f", "false", "0"],
    )
    if "point" not in frame.columns:
        frame["point"] = 0
    frame["disadvantaged"] = frame["disadvantaged"].astype(bool)
    by_point = frame.groupby("point", sort=True)
    frame["pct"] = by_point["score"].rank(method="average") / by_point["score"].transform("size")
    means = frame.groupby(["point", "disadvantaged"])[["score", "pct"]].agg(["mean", "size"])
    elapsed = time.perf_counter() - started

    points = []
    for point in sorted(frame["point"].unique()):
        row = {"point": int(point)}
        for flag, name in ((True, "disadvantaged"), (False, "others")):
            key = (point, flag)
            row[name] = int(means.loc[key, ("score", "size")]) if key in means.index else 0
        if row["disadvantaged"] and row["others"]:
            d, o = means.loc[(point, True)], means.loc[(point, False)]
            row["gap_index"] = float(20.0 * (o[("pct", "mean")] - d[("pct", "mean")]))
            row["mean_score_gap"] = float(o[("score", "mean")] - d[("score", "mean")])
        points.append(row)
    return {"results": int(len(frame)), "points": points, "seconds": elapsed}


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gap_pandas.py RESULTS.csv [OUT.json]  (RESULTS.csv: columns point,score,disadvantaged)")
    text = json.dumps(gap_figures(sys.argv[1]), indent=2)
    if len(sys.argv) == 3:
        with open(sys.argv[2], "w") as out:
            out.write(text + "\n")
    else:
        print(text)
