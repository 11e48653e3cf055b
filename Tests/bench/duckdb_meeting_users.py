"""DuckDB's side of `make bench` on call records: daily distinct meeting users per business unit.

Usage: python duckdb_meeting_users.py 'DIR/teams/callrecords/*.jsonl' DIRECTORY.csv OUT.csv [THREADS]

The question `plateau snapshot` answers as `meetings.users`: per UTC day of a `groupCall`'s
start, how many distinct participants, each in the business unit the directory gives them
(by user id or UPN, case-insensitive; UNASSIGNED when not in it). Participants are
`participants[].user.id` (v1) or `participants_v2[].id`, else `.identity.user.id` (v2).
Malformed records (the generator plants a truncated one) and records that end before they
start are skipped, as plateau skips them. The result goes to OUT.csv (day, department, users)
so that no work is optimised away; its row count goes to stdout.
"""
import sys

import duckdb


def main() -> int:
    if len(sys.argv) not in (4, 5):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    glob, directory, out = sys.argv[1], sys.argv[2], sys.argv[3]
    threads = int(sys.argv[4]) if len(sys.argv) == 5 else 2

    def quote(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    con.execute(f"""
        COPY (
          WITH people AS (
            SELECT row_number() OVER () AS person, lower(trim(user_id)) AS id, lower(trim(upn)) AS upn,
                   trim(business_unit) AS bu
            FROM read_csv({quote(directory)}, header = true, all_varchar = true)
          ),
          -- Both keys name the same person; a key seen twice keeps its first row.
          keys AS (
            SELECT k, arg_min(person, person) AS person, arg_min(bu, person) AS bu FROM (
              SELECT id AS k, person, bu FROM people WHERE id <> ''
              UNION ALL SELECT upn, person, bu FROM people WHERE upn <> ''
            ) GROUP BY k
          ),
          calls AS (
            SELECT startDateTime AS s, endDateTime AS e,
                   list_concat(coalesce([p.user.id FOR p IN participants], []),
                               coalesce([coalesce(nullif(trim(p.id), ''), p.identity.user.id) FOR p IN participants_v2], [])) AS ids
            FROM read_json({quote(glob)}, format = 'newline_delimited', ignore_errors = true,
                           columns = {{type: 'VARCHAR', startDateTime: 'VARCHAR', endDateTime: 'VARCHAR',
                                      participants: 'STRUCT("user" STRUCT(id VARCHAR))[]',
                                      participants_v2: 'STRUCT(id VARCHAR, identity STRUCT("user" STRUCT(id VARCHAR)))[]'}})
            WHERE lower(type) = 'groupcall'
          ),
          timed AS (
            SELECT TRY_CAST(s AS TIMESTAMPTZ) AS t0, TRY_CAST(e AS TIMESTAMPTZ) AS t1, ids FROM calls
          ),
          attendance AS (
            SELECT CAST(timezone('UTC', t0) AS DATE) AS day, lower(trim(unnest(ids))) AS k
            FROM timed WHERE t0 IS NOT NULL AND t1 >= t0
          )
          SELECT day, coalesce(keys.bu, 'UNASSIGNED') AS department,
                 count(DISTINCT coalesce(CAST(keys.person AS VARCHAR), attendance.k)) AS users
          FROM attendance LEFT JOIN keys USING (k)
          WHERE attendance.k IS NOT NULL AND attendance.k <> ''
          GROUP BY ALL
          ORDER BY day, department
        ) TO {quote(out)} (HEADER, DELIMITER ',')
    """)
    rows = con.execute(f"SELECT count(*) FROM read_csv({quote(out)}, header = true)").fetchone()[0]
    print(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
