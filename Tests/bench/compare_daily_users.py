"""`make bench`'s cross-check: do plateau and DuckDB count the same daily users?

Usage: python3 compare_daily_users.py [--metric M] [--summary] PLATEAU_SNAPSHOT.json DUCKDB_DAILY_USERS.csv

Compares the per-(day, business unit) series of metric M (default `proxy.users`; the call
records' is `meetings.users`) of a `plateau snapshot --format json` (schema plateau.snapshot/1)
with DuckDB's (day, department, users) rows. Prints one line (with --summary, a short one for a
table cell: `all 494 agree`, `3/494 differ`, `no series`); exits 0 when every cell agrees, 1
when some differ, 2 when the snapshot cannot be read that way.
"""
import csv
import json
import sys


def main() -> int:
    args = sys.argv[1:]
    metric, summary = "proxy.users", False
    while args and args[0].startswith("--"):
        if args[0] == "--metric" and len(args) > 1:
            metric, args = args[1], args[2:]
        elif args[0] == "--summary":
            summary, args = True, args[1:]
        else:
            break
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    try:
        snapshot = json.load(open(args[0]))
        plateau = {(d["date"], s["bu"]): d["value"]
                   for s in snapshot["series"] if s["metric"] == metric and s["bu"] != "ALL"
                   for d in s["days"]}
        if not plateau:
            raise KeyError(metric)
    except (OSError, KeyError, TypeError, ValueError) as e:
        print("no series" if summary else f"cross-check skipped: no {metric} series in the snapshot ({type(e).__name__}: {e})")
        return 2
    duck = {(r["day"], r["department"]): int(r["users"]) for r in csv.DictReader(open(args[1]))}
    # A cell missing on one side (DuckDB has no row for a day without users) counts as 0.
    keys = sorted(set(plateau) | set(duck))
    diff = [k for k in keys if (plateau.get(k) or 0) != (duck.get(k) or 0)]
    if not diff:
        print(f"all {len(keys)} agree" if summary else f"cross-check: plateau and DuckDB agree on all {len(keys)} (day, BU) {metric} counts")
        return 0
    shown = ", ".join(f"{d} {bu}: plateau {plateau.get((d, bu))}, DuckDB {duck.get((d, bu))}" for d, bu in diff[:3])
    print(f"{len(diff)}/{len(keys)} differ" if summary else f"cross-check: {len(diff)} of {len(keys)} (day, BU) {metric} counts differ (e.g. {shown})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
