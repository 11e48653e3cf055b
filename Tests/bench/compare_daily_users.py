"""`make bench`'s cross-check: do plateau and DuckDB count the same daily proxy users?

Usage: python3 compare_daily_users.py PLATEAU_SNAPSHOT.json DUCKDB_DAILY_USERS.csv

Compares the per-(day, business unit) `proxy.users` series of a `plateau snapshot --format json`
(schema plateau.snapshot/1) with DuckDB's (day, department, users) rows. Prints one line; exits 0
when every cell agrees, 1 when some differ, 2 when the snapshot cannot be read that way.
"""
import csv
import json
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: compare_daily_users.py PLATEAU_SNAPSHOT.json DUCKDB_DAILY_USERS.csv", file=sys.stderr)
        return 64
    try:
        snapshot = json.load(open(sys.argv[1]))
        plateau = {(d["date"], s["bu"]): d["value"]
                   for s in snapshot["series"] if s["metric"] == "proxy.users" and s["bu"] != "ALL"
                   for d in s["days"]}
    except (KeyError, TypeError, ValueError) as e:
        print(f"cross-check skipped: no proxy.users series in the snapshot ({type(e).__name__}: {e})")
        return 2
    duck = {(r["day"], r["department"]): int(r["users"]) for r in csv.DictReader(open(sys.argv[2]))}
    # A cell missing on one side (DuckDB has no row for a day without users) counts as 0.
    keys = sorted(set(plateau) | set(duck))
    diff = [k for k in keys if (plateau.get(k) or 0) != (duck.get(k) or 0)]
    if not diff:
        print(f"cross-check: plateau and DuckDB agree on all {len(keys)} (day, BU) proxy-user counts")
        return 0
    shown = ", ".join(f"{d} {bu}: plateau {plateau.get((d, bu))}, DuckDB {duck.get((d, bu))}" for d, bu in diff[:3])
    print(f"cross-check: {len(diff)} of {len(keys)} (day, BU) proxy-user counts differ (e.g. {shown})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
