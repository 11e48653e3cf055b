"""DuckDB's side of `make bench`: daily distinct users per department over Zscaler NSS CSV logs.

Usage: python duckdb_daily_users.py 'DIR/proxy/*.csv' OUT.csv [THREADS]

The same question `plateau snapshot` answers for the proxy feed: per UTC day and department, how
many distinct users (case-insensitive), empty users left out. `datetime` reads like
"Mon Mar 23 09:14:02 2020" (UTC). Malformed lines (the generator plants a cut-short line and a
Feb 30 date) are skipped, as plateau skips them. The result goes to OUT.csv so that no work is
optimised away; its row count goes to stdout.
"""
import sys

import duckdb


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    glob, out = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) == 4 else 2

    def quote(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    con.execute(f"""
        COPY (
          SELECT CAST(try_strptime("datetime", '%a %b %d %H:%M:%S %Y') AS DATE) AS day,
                 department,
                 count(DISTINCT lower("user")) AS users
          FROM read_csv({quote(glob)}, header = true, all_varchar = true,
                        delim = ',', quote = '"', escape = '"', ignore_errors = true)
          WHERE "user" <> ''
          GROUP BY ALL
          HAVING day IS NOT NULL
          ORDER BY day, department
        ) TO {quote(out)} (HEADER, DELIMITER ',')
    """)
    rows = con.execute(f"SELECT count(*) FROM read_csv({quote(out)}, header = true)").fetchone()[0]
    print(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
