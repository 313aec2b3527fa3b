#!/usr/bin/env python3
"""Turns one run of benchmarks/run.sh into its summary table and benchmarks/results/latest.json.

Reads, from the run's work folder: runs.txt (one line per timed run: label, wall-clock
seconds, peak resident memory in KB), facts.txt (key value lines), agreement.json (from
agreement.py) and, when the service was benchmarked, service.json. Each timing is the best
(shortest) of its repetitions; memory is the largest peak seen. The targets are those listed in
BENCHMARKS.md and are judged here, in the benchmark, never in a unit test.

Where gaptrack caches the report's data, the gap report's speed targets are judged twice, on
rows labelled COLD (report_SIZE: computed from the data with --recompute) and WARM
(report_SIZE_warm: the same report asked again with nothing changed, served from the cache), so
that a cached time is never read as a computation. Peak memory is the cold runs'. A warm report
whose JSON differs from the cold one's is a MISS whatever its time.
"""
import datetime
import json
import os
import sys


def read_runs(path):
    runs = {}
    with open(path) as lines:
        for line in lines:
            label, seconds, rss = line.split()
            entry = runs.setdefault(label, {"seconds": [], "peak_rss_kb": 0})
            entry["seconds"].append(float(seconds))
            entry["peak_rss_kb"] = max(entry["peak_rss_kb"], int(rss))
    for entry in runs.values():
        entry["best_seconds"] = min(entry["seconds"])
    return runs


def read_facts(path):
    facts = {}
    with open(path) as lines:
        for line in lines:
            key, _, value = line.rstrip("\n").partition(" ")
            facts[key] = value
    return facts


def read_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def main(work, output):
    runs = read_runs(os.path.join(work, "runs.txt"))
    facts = read_facts(os.path.join(work, "facts.txt"))
    agreement = read_json(os.path.join(work, "agreement.json")) or {}
    service = read_json(os.path.join(work, "service.json"))
    small = facts.get("profile") == "small"
    sizes = sorted({int(label.split("_")[1]) for label in runs if label.startswith("report_")})
    cached = facts.get("report_cache") == "yes"
    medium, large = sizes[0], sizes[-1]

    def best(label):
        return runs[label]["best_seconds"] if label in runs else None

    rows = []

    def row(name, value, shown, target, passed, note=""):
        rows.append({"measure": name, "value": value, "shown": shown, "target": target,
                     "result": "n/a" if passed is None else ("PASS" if passed else "MISS"), "note": note})

    def not_measured(name, target, reason):
        rows.append({"measure": name, "value": None, "shown": "-", "target": target, "result": "not measured",
                     "note": reason})

    imported, copied = best("import_attendance"), best("copy_attendance")
    marks = int(facts.get("attendance_marks", "0"))
    row("attendance import (s)", imported, f"{imported:.3f}", "", None,
        f"{marks:,} marks, {marks / imported:,.0f} marks/s")
    row("psql \\copy, unindexed table (s)", copied, f"{copied:.3f}", "", None, f"{marks / copied:,.0f} rows/s")
    import_ratio = copied / imported
    row("import speed / \\copy speed", import_ratio, f"{import_ratio:.2f}x", ">= 0.9x", import_ratio >= 0.9,
        "a new term: bulk-loaded into a new partition")
    keyed = best("copy_attendance_keyed")
    if keyed is not None:
        row("psql \\copy, table with the import's key (s)", keyed, f"{keyed:.3f}", "", None, f"{marks / keyed:,.0f} rows/s")
        row("import speed / keyed \\copy speed", keyed / imported, f"{keyed / imported:.2f}x", "", None,
            "against a load that keeps a key, as the import does")
    shared, shared_copy = best("import_attendance_shared"), best("copy_attendance_shared")
    if shared is not None and shared_copy is not None:
        shared_marks = int(facts.get("attendance_marks_shared", "0"))
        row("attendance import, terms holding another school's and earlier weeks' marks (s)", shared, f"{shared:.3f}", "", None,
            f"{shared_marks:,} marks (the school's from the cut on), {shared_marks / shared:,.0f} marks/s")
        row("psql \\copy of that file, unindexed table (s)", shared_copy, f"{shared_copy:.3f}", "", None)
        row("import speed / \\copy speed, terms holding other marks", shared_copy / shared, f"{shared_copy / shared:.2f}x",
            ">= 0.9x", shared_copy / shared >= 0.9, "one term merged into the school's partition, one bulk-loaded beside another school's")
        shared_keyed = best("copy_attendance_keyed_shared")
        if shared_keyed is not None:
            row("import speed / keyed \\copy speed, terms holding other marks", shared_keyed / shared,
                f"{shared_keyed / shared:.2f}x", "", None, "against a load that keeps a key, as the import does")
    else:
        not_measured("import speed / \\copy speed, terms holding other marks", ">= 0.9x", "not run")

    report = best(f"report_{large}")
    pandas = best("pandas_compute")
    pandas_process = best("pandas")
    scan = best("count_scan")
    results = int(facts.get("ranked_results", "0"))
    cold = "COLD, computed (--recompute)" if cached else "COLD, computed (no report cache)"
    warm = "WARM, cached (nothing changed)"

    def count(label):
        return len(runs[label]["seconds"])

    def warm_check(label):
        """The warm row's verdict may stand only if the cached report is the computed one."""
        same = facts.get(f"{label}_warm_same") == "yes"
        return same, ("same JSON as the cold run" if same else "its JSON DIFFERS from the cold run's")

    row(f"gap report, {large:,} pupils, {cold} (s)", report, f"{report:.3f}", "< 1 s", report < 1.0,
        f"{results:,} results ranked at {facts.get('assessment_points', '?')} assessment points; "
        f"best of {count(f'report_{large}')}")
    warm_report = best(f"report_{large}_warm") if cached else None
    if warm_report is not None:
        same, said = warm_check(f"report_{large}")
        row(f"gap report, {large:,} pupils, {warm} (s)", warm_report, f"{warm_report:.3f}", "< 1 s",
            same and warm_report < 1.0, f"served from the report cache, best of {count(f'report_{large}_warm')}; {said}")
    termly = best(f"termly_{large}")
    if termly is not None:
        row(f"report termly, {large:,} pupils, {cold} (s)", termly, f"{termly:.3f}", "", None,
            "the gap report plus the automatic intervention impact sections; one run")
    medium_report = best(f"report_{medium}")
    row(f"gap report, {medium:,} pupils, {cold} (s)", medium_report, f"{medium_report:.3f}", "", None,
        f"best of {count(f'report_{medium}')}")
    medium_warm = best(f"report_{medium}_warm") if cached else None
    if medium_warm is not None:
        row(f"gap report, {medium:,} pupils, {warm} (s)", medium_warm, f"{medium_warm:.3f}", "", None,
            f"best of {count(f'report_{medium}_warm')}; {warm_check(f'report_{medium}')[1]}")
    row("pandas, same rows (s)", pandas, f"{pandas:.3f}", "", None,
        f"read CSV + compute; whole process {pandas_process:.3f} s")
    pandas_ratio = pandas / report
    row(f"pandas time / report time, {cold}", pandas_ratio, f"{pandas_ratio:.2f}x", ">= 5x", pandas_ratio >= 5.0)
    row(f"pandas time / report time, {cold}, near the scan limit", pandas_ratio, f"{pandas_ratio:.2f}x", ">= 2x",
        pandas_ratio >= 2.0, "at least twice as fast as pandas on the same rows")
    if warm_report is not None:
        warm_ratio = pandas / warm_report
        same, said = warm_check(f"report_{large}")
        row(f"pandas time / report time, {warm}", warm_ratio, f"{warm_ratio:.2f}x", ">= 5x", same and warm_ratio >= 5.0,
            "" if same else said)
    row("SELECT count(*), same points (s)", scan, f"{scan:.3f}", "", None,
        f"{int(facts.get('count_scan_rows', '0')):,} results at those points; psql process, bare scan")
    scan_ratio = report / scan
    row("cold report time / count(*) time", scan_ratio, f"{scan_ratio:.2f}x", "<= 3x", scan_ratio <= 3.0,
        "how many bare scans the computed report costs")

    worst = agreement.get("max_difference")
    if worst is not None:
        row("pandas v. gaptrack, max |difference|", worst, f"{worst:.1e}", "<= 1e-9", agreement.get("agree", False),
            f"gap index and mean score gap at {agreement.get('points', 0)} points; published figures "
            + ("match" if agreement.get("published_match") else "DIFFER"))

    for size in (medium, large):
        label = f"report_{size}"
        megabytes = runs[label]["peak_rss_kb"] / 1024
        row(f"report peak memory, {size:,} pupils (MB)", megabytes, f"{megabytes:.1f}", "< 100 MB", megabytes < 100,
            "the cold (computed) runs")

    if service:
        row("service: record support (requests/s)", service["requests_per_second"], f"{service['requests_per_second']:,.0f}",
            "", None, f"wrk, {service.get('connections', '?')} connections, {service.get('seconds', '?')} s")
        row("service: p99 latency (ms)", service["p99_ms"], f"{service['p99_ms']:.1f}", "< 20 ms", service["p99_ms"] < 20, "")
        tps = service.get("pgbench_tps")
        if tps:
            row("pgbench: the same insert (transactions/s)", tps, f"{tps:,.0f}", "", None,
                f"benchmarks/wrk/insert_support_record.sql, {service.get('connections', '?')} connections, service stopped")
            share = service["requests_per_second"] / tps
            row("service rate / pgbench rate", share, f"{share:.2f}x", ">= 0.5x", share >= 0.5,
                f"load average {service['load_average']} before wrk" if service.get("load_average") is not None else "")
            scoped = service.get("pgbench_scoped_tps")
            if scoped:
                row("pgbench: the same insert as the service stores it (transactions/s)", scoped, f"{scoped:,.0f}", "", None,
                    "benchmarks/wrk/insert_support_record_scoped.sql: role, scope and audit identity bound, as gaptrack_app")
        else:
            not_measured("service rate / pgbench rate", ">= 0.5x", "pgbench is not installed")
    else:
        row("service benchmark", None, "skipped", "", None, facts.get("service", "not run"))

    elapsed = int(facts.get("elapsed_seconds", "0"))
    cohorts = {size: facts.get(f"load_{size}", "loaded") for size in (medium, large)}
    spared = sorted({how for how in cohorts.values() if how != "loaded"})
    row("whole run (min)", elapsed / 60, f"{elapsed / 60:.1f}", "< 10 min (ideally)", None if spared else elapsed < 600,
        f"build excluded; cohorts {' and '.join(spared)} (--reuse), not loaded" if spared
        else "build excluded; includes generating and loading the data")

    if small:
        for entry in rows:
            if entry["result"] not in ("n/a", "not measured"):
                entry["result"] = "(small)"

    loads = {label: runs[label]["best_seconds"] for label in sorted(runs) if label.startswith("load_")}
    migrations = {label: runs[label]["best_seconds"] for label in sorted(runs) if label.startswith("migrate_")}
    width = max(len(entry["measure"]) for entry in rows)
    print(f"{'measure':<{width}}  {'value':>10}  {'target':<18}  result  note")
    print("-" * (width + 60))
    for entry in rows:
        print(f"{entry['measure']:<{width}}  {entry['shown']:>10}  {entry['target']:<18}  {entry['result']:<6}  {entry['note']}")
    print()
    for size, how in cohorts.items():
        if how == "loaded":
            took = ", ".join(f"{label.rsplit('_', 1)[1]} {seconds:.1f}" for label, seconds in loads.items()
                             if label.startswith(f"load_{size}_"))
            print(f"{size:,}-pupil cohort: loaded through gaptrack import (s): {took}")
        elif how == "migrated":
            print(f"{size:,}-pupil cohort: kept, MIGRATED with gaptrack migrate, not loaded: applied "
                  f"{facts.get(f'migrations_applied_{size}', '?')} in {migrations.get(f'migrate_{size}', 0):.1f} s, "
                  f"then VACUUM ANALYZE {migrations.get(f'migrate_{size}_analyze', 0):.1f} s")
        else:
            print(f"{size:,}-pupil cohort: kept and reused as it was (same data, no new migrations), not loaded")

    document = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "profile": facts.get("profile"),
        "machine": {"cpus": int(facts.get("cpus", "0")), "memory_mb": int(facts.get("memory_mb", "0")),
                    "postgresql": facts.get("server"), "pandas": facts.get("pandas")},
        "gaptrack_commit": facts.get("gaptrack_commit"),
        "repetitions": int(facts.get("repeat", "0")),
        "cohorts": {str(size): {"how": how, "migrations_applied": facts.get(f"migrations_applied_{size}", "")}
                    for size, how in cohorts.items()},
        "report_cache": {"recompute_flag": cached,
                         "warm_same_as_cold": {str(size): facts.get(f"report_{size}_warm_same") == "yes"
                                               for size in (medium, large)} if cached else None},
        "summary": [{key: value for key, value in entry.items() if key != "shown"} for entry in rows],
        "runs": runs,
        "facts": facts,
        "agreement": agreement,
        "service": service,
    }
    with open(output, "w") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
        handle.write("\n")
    print(f"written to {output}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
