#!/usr/bin/env python3
"""Turns one run of benchmarks/many-schools.sh into its table and a JSON file.

Reads runs.txt and facts.txt from the run's work folder (the format of benchmarks/summary.py).
Each measure is the best (shortest) of its repetitions at 1 school and at N schools; the target
(BENCHMARKS.md, "Many schools") is N/1 <= 1.2. The report after another school's imports is judged
by whether it was served from the cache (its stored entry unchanged), not by its time. A report whose JSON at N differs from the one at 1
school, or a warm report whose JSON differs from the cold one, is a MISS whatever its time: the
other schools must change neither the figures nor the cache's answer.
"""
import datetime
import json
import os
import sys

from summary import read_facts, read_runs

LIMIT = 1.2


def main(work, output):
    runs = read_runs(os.path.join(work, "runs.txt"))
    facts = read_facts(os.path.join(work, "facts.txt"))
    schools = int(facts["schools"])

    def best(label):
        return runs[label]["best_seconds"] if label in runs else None

    rows = []

    def compare(name, one, many, note="", broken=None, timed=True):
        first, last = best(one), best(many)
        if first is None or last is None:
            rows.append({"measure": name, "at_1": first, "at_n": last, "ratio": None, "result": "not measured",
                         "note": note})
            return
        ratio = last / first
        passed = (ratio <= LIMIT or not timed) and not broken
        rows.append({"measure": name, "at_1": first, "at_n": last, "ratio": ratio,
                     "result": "PASS" if passed else "MISS", "note": broken or note})

    for report in ("gap", "termly"):
        differs = facts.get(f"differs_{report}") == "yes"
        compare(f"report {report}, cold (--recompute)", f"report_{report}_1", f"report_{report}_n",
                f"best of {facts.get('repeat')}; same JSON at 1 and at {schools}",
                f"its JSON at {schools} schools DIFFERS from the one at 1" if differs else None)
        warm_differs = [at for at in ("1", "n") if facts.get(f"warm_differs_{report}_{at}") == "yes"]
        compare(f"report {report}, warm (from the cache)", f"report_{report}_1_warm", f"report_{report}_n_warm",
                "same JSON as the cold run",
                "a warm JSON DIFFERS from the cold one" if warm_differs else None)
    for kind in ("students", "support", "markers", "assessments", "attendance", "calendar"):
        compare(f"import {kind}", f"import_{kind}_1", f"import_{kind}_n",
                "at N: the same file for a school more" + (" (its terms hold every school's marks)"
                                                           if kind == "attendance" else ""))
    compare("demo load of a whole school", "load_school_2", "load_school_n", "the 2nd school against the last")
    recomputed = facts.get("recomputed_gap_after_other_import") == "yes"
    differs = facts.get("differs_gap_after_other_import") == "yes"
    compare(f"gap report after another school's imports, against warm at {schools}", "report_gap_n_warm",
            "report_gap_after_other_import", "served from the cache (its entry unchanged), same JSON",
            "COMPUTED AGAIN: another school's imports made its entry stale" if recomputed
            else "its JSON DIFFERS from the one before the imports" if differs else None, timed=False)

    width = max(len(row["measure"]) for row in rows)
    print(f"{schools} schools in one database ({facts.get('database_mb', '?')} MB, "
          f"{int(facts.get('attendance_marks', '0')):,} attendance marks); gaptrack {facts.get('build')} build, "
          f"commit {facts.get('gaptrack_commit')}, {facts.get('cpus')} cores, PostgreSQL {facts.get('server')}")
    print(f"{'measure':<{width}}  {'1 school':>9}  {f'{schools} schools':>11}  {'ratio':>6}  result  note")
    print("-" * (width + 60))
    for row in rows:
        def seconds(value):
            return "-" if value is None else f"{value:.3f}"
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        print(f"{row['measure']:<{width}}  {seconds(row['at_1']):>9}  {seconds(row['at_n']):>11}  {ratio:>6}  "
              f"{row['result']:<6}  {row['note']}")
    others = runs.get("load_other", {}).get("seconds", [])
    loads = [best("load_school_2")] + others + [best("load_school_n")]
    loads = [value for value in loads if value is not None]
    if loads:
        print(f"demo load per school (s): min {min(loads):.2f}, mean {sum(loads) / len(loads):.2f}, max {max(loads):.2f}; "
              f"whole run {int(facts.get('elapsed_seconds', '0')) / 60:.1f} min")

    document = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "schools": schools, "limit": LIMIT, "summary": rows, "runs": runs, "facts": facts,
    }
    with open(output, "w") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
        handle.write("\n")
    print(f"written to {output}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
