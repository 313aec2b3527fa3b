#!/usr/bin/env python3
"""Checks that pandas and gaptrack give the same gap figures for the same rows.

usage: agreement.py PANDAS.json GAPTRACK_FIGURES.csv REPORT.json TERM

- PANDAS.json: gap_pandas.py's output for the exported rows (one entry per assessment point);
- GAPTRACK_FIGURES.csv: gaptrack's unrounded figures for the same points, from the report's own
  SQL (benchmarks/report_rows.sql): group sizes, gap index and mean score gap;
- REPORT.json: `gaptrack report gap --format json` for the same cohort and TERM, whose figures
  are published rounded (GapTrackReports.FigureUnit: gap index and score points to 2 decimals).

Group sizes must be equal and the unrounded figures within 1e-9 (absolute); each published gap
index and mean score gap (the term's own, and the gap index of every term of the trend) must be
the pandas value rounded to 2 decimals, give or take the last bits of a sum (1e-9). Prints a
JSON verdict; exits non-zero if they disagree.
"""
import csv
import json
import sys

TOLERANCE = 1e-9
PUBLISHED_DECIMALS = 2


def main(pandas_path, figures_path, report_path, term):
    with open(pandas_path) as handle:
        pandas = {entry["point"]: entry for entry in json.load(handle)["points"]}
    with open(figures_path) as handle:
        gaptrack = {int(row["point"]): row for row in csv.DictReader(handle)}
    with open(report_path) as handle:
        report = json.load(handle)

    problems = []
    worst = 0.0
    if set(pandas) != set(gaptrack):
        problems.append(f"assessment points differ: pandas {sorted(pandas)}, gaptrack {sorted(gaptrack)}")
    for point in sorted(set(pandas) & set(gaptrack)):
        ours, theirs = gaptrack[point], pandas[point]
        for group in ("disadvantaged", "others"):
            if int(ours[group]) != theirs[group]:
                problems.append(f"point {point}: {group} {ours[group]} in gaptrack, {theirs[group]} in pandas")
        for figure in ("gap_index", "mean_score_gap"):
            if ours[figure] == "" or figure not in theirs:
                continue
            difference = abs(float(ours[figure]) - theirs[figure])
            worst = max(worst, difference)
            if difference > TOLERANCE:
                problems.append(f"point {point}: {figure} {ours[figure]} in gaptrack, {theirs[figure]!r} in pandas")

    # The published (rounded) figures: the term's attainment table and the gap index trend.
    published = 0

    def check_published(where, shown, exact):
        nonlocal published
        published += 1
        if abs(shown - exact) > 0.5 * 10 ** -PUBLISHED_DECIMALS + TOLERANCE:
            problems.append(f"{where}: published {shown}, pandas {exact!r}")

    def point_of(term_name, subject, assessment=None):
        matches = [p for p, row in gaptrack.items() if row["term"] == term_name and row["subject"] == subject
                   and (assessment is None or row["assessment"] == assessment)]
        return matches[0] if len(matches) == 1 else None

    for entry in report.get("attainment", []):
        point = point_of(term, entry["subject"], entry["assessment"])
        if point is None or point not in pandas:
            problems.append(f"the report's {entry['subject']} {entry['assessment']} has no single matching point")
            continue
        for key, figure in (("gapIndex", "gap_index"), ("meanScoreGap", "mean_score_gap")):
            value = (entry.get(key) or {}).get("value")
            if isinstance(value, (int, float)):
                check_published(f"{term} {entry['subject']} {key}", value, pandas[point][figure])
    for series in report.get("trend", []):
        if not series.get("id", "").startswith("gap_index:"):
            continue
        subject = series["id"].split(":", 1)[1]
        for entry in series.get("points", []):
            point = point_of(entry["term"], subject)
            value = (entry.get("value") or {}).get("value")
            if point is not None and point in pandas and isinstance(value, (int, float)):
                check_published(f"trend {entry['term']} {subject} gap index", value, pandas[point]["gap_index"])

    verdict = {
        "points": len(set(pandas) & set(gaptrack)),
        "max_difference": worst,
        "tolerance": TOLERANCE,
        "published_figures_checked": published,
        "published_match": not any("published" in problem for problem in problems),
        "agree": not problems,
        "problems": problems[:20],
    }
    print(json.dumps(verdict, indent=2))
    return 0 if not problems else 1


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.split("\n\n")[1])
    sys.exit(main(*sys.argv[1:]))
