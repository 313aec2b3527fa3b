#!/usr/bin/env python3
"""The pandas reference for gaptrack's gap report benchmark.

Reads a CSV with columns `score,disadvantaged` (one row per student, `disadvantaged` is t/f or
1/0) and prints, as JSON, the DfE disadvantage gap index and the mean score gap, computed the
same way gaptrack does:

- percentile rank = average rank (ties share the mean of their ranks) / cohort size;
- gap index = 20 x (mean percentile rank of others - mean percentile rank of disadvantaged)
  (DfE, "Key stage 4 performance: methodology", disadvantage gap index);
- mean score gap = mean(others) - mean(disadvantaged).

Timing covers reading the CSV and computing, as a data analyst would run it.
"""
import json
import sys
import time

import pandas as pd


def main(path: str) -> None:
    started = time.perf_counter()
    frame = pd.read_csv(path, dtype={"score": "float64", "disadvantaged": "string"})
    flags = frame["disadvantaged"].str.lower().isin(["t", "true", "1", "y"])
    ranks = frame["score"].rank(method="average") / len(frame)
    index = 20.0 * (ranks[~flags].mean() - ranks[flags].mean())
    score_gap = frame.loc[~flags, "score"].mean() - frame.loc[flags, "score"].mean()
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "students": int(len(frame)),
        "disadvantaged": int(flags.sum()),
        "gap_index": float(index),
        "mean_score_gap": float(score_gap),
        "seconds": elapsed,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
