#!/usr/bin/env python3
"""An independent count of the CTO's figures in logs written by `plateau generate`.

It shares no code with plateau: plain Python reading the files as a vendor's export would be
read, counting per local day in Europe/Paris, ALL business units together. It prints, for each
metric, the median over business days before the crisis (2020-01-13 .. 2020-02-28) and on the
plateau (2020-04-14 .. 2020-05-08), and the VPN peaks of the saturation week.

    python3 Tests/figures/check_figures.py DIR
"""
import csv, glob, gzip, io, json, os, re, statistics, sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone, date
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
HOLIDAYS = {date(2020, 4, 13), date(2020, 5, 1)}

def opener(path):
    return io.TextIOWrapper(gzip.open(path), encoding="utf-8-sig", newline="") if path.endswith(".gz") \
        else open(path, encoding="utf-8-sig", newline="")

def files(root, pattern):
    return sorted(glob.glob(os.path.join(root, pattern)) + glob.glob(os.path.join(root, pattern + ".gz")))

def paris_day(dt):
    return dt.astimezone(PARIS).date()


def parse_iso(s):
    s = s.replace("Z", "+00:00")
    if "." in s:
        head, rest = s.split(".", 1)
        frac = re.match(r"\d+", rest).group(0)
        s = head + "." + frac[:6].ljust(6, "0") + rest[len(frac):]
    return datetime.fromisoformat(s)

def main(root):
    users = defaultdict(set); meetings = defaultdict(set); minutes = defaultdict(list); maxp = defaultdict(int)
    seen = set()
    for path in files(root, "teams/callrecords/*.json*"):
        for line in opener(path):
            line = line.strip()
            if not line: continue
            try: obj = json.loads(line)
            except json.JSONDecodeError: continue
            for r in obj.get("value", [obj]) if isinstance(obj, dict) else obj:
                if r.get("type") != "groupCall" or r["id"] in seen: continue
                seen.add(r["id"])
                start, end = parse_iso(r["startDateTime"]), parse_iso(r["endDateTime"])
                d = paris_day(start)
                parts = r.get("participants") or r.get("participants_v2")
                ids = {(p.get("user") or {}).get("id") or p.get("id") for p in parts}
                users[d] |= ids
                meetings[d].add(r["id"])
                minutes[d].append((end - start).total_seconds() / 60)
                maxp[d] = max(maxp[d], len(ids))
    africa_count = defaultdict(int)
    for path in files(root, "teams/activity/*.csv"):
        for row in csv.DictReader(opener(path)):
            if int(row["Meeting Count"]) > 0 or int(row["Meetings Attended Count"]) > 0:
                users[date.fromisoformat(row["Last Activity Date"])].add(row["User Id"])
            africa_count[date.fromisoformat(row["Last Activity Date"])] += int(row["Meetings Organized Count"])

    remote = defaultdict(set)
    def nss_time(s):
        return datetime.strptime(s, "%a %b %d %H:%M:%S %Y").replace(tzinfo=timezone.utc)
    for path in files(root, "proxy/*.csv"):
        for row in csv.DictReader(opener(path)):
            try: t = nss_time(row["datetime"])
            except ValueError: continue
            if row["user"] and row["location"] == "Road Warrior":
                remote[paris_day(t)].add(row["user"].lower())
    for path in files(root, "proxy/*.jsonl"):
        for line in opener(path):
            e = json.loads(line)["event"]
            if e["login"] not in ("", "unknown", "Not available") and e["location"] == "Road Warrior":
                remote[paris_day(nss_time(e["time"]))].add(e["login"].lower())

    zpa = defaultdict(set)
    for path in files(root, "zpa/user-status-*.jsonl"):
        for line in opener(path):
            try: r = json.loads(line)
            except json.JSONDecodeError: continue
            if r["Username"].startswith("ZPA "): continue
            start = parse_iso(r["TimestampAuthentication"])
            end = parse_iso(r["TimestampUnAuthentication"]) if r["TimestampUnAuthentication"] else start
            d = paris_day(start)
            while d <= paris_day(end):
                zpa[d].add(r["Username"].lower()); d += timedelta(days=1)

    vdi = defaultdict(set)
    for path in files(root, "vdi/*.csv"):
        for row in csv.DictReader(opener(path)):
            try: s = datetime.fromisoformat(row["start"])
            except ValueError: continue
            e = datetime.fromisoformat(row["end"]) if row["end"] else s
            d = paris_day(s)
            while d <= paris_day(e):
                vdi[d].add(row["user"].lower()); d += timedelta(days=1)

    # Citrix ADC ICA connections (generate --vpn-vendor mixed): ICASTART's startTime, and the
    # ICAEND_CONNSTAT's endTime of the same connectionId (GMT stamps, month first).
    ica_start, ica_end = {}, {}
    gmt = lambda v: datetime.strptime(v, "%m/%d/%Y:%H:%M:%S GMT").replace(tzinfo=timezone.utc)
    for path in files(root, "vdi/*.log"):
        for line in opener(path):
            f = dict(re.findall(r"(username:domainname|startTime|endTime|connectionId) \"?([^\"]*?)\"? (?:- |$)", line.rstrip("\n") + " "))
            if "connectionId" not in f: continue
            if " ICASTART " in line: ica_start[f["connectionId"]] = (f["username:domainname"].split(":")[0], gmt(f["startTime"]))
            elif " ICAEND_CONNSTAT " in line: ica_end[f["connectionId"]] = (f["username:domainname"].split(":")[0], gmt(f["startTime"]), gmt(f["endTime"]))
    for conn in set(ica_start) | set(ica_end):
        user, s, e = ica_end[conn] if conn in ica_end else ica_start[conn] + (ica_start[conn][1],)
        d = paris_day(s)
        while d <= paris_day(e):
            vdi[d].add(user.lower()); d += timedelta(days=1)

    # VPN peak: +1 at each 113039, -1 at each SSL 113019, swept in time order across devices.
    # The other vendors of generate --vpn-vendor (local wall clocks, as the ASA's): GlobalProtect
    # gateway-connected / gateway-logout (CSV field 7), FortiGate tunnel-up / tunnel-down
    # (date= time=), Pulse "Session started" / "Session ended" (the body's time), OpenVPN
    # "Peer Connection Initiated" / "client-instance exiting" (the syslog stamp).
    events = []
    stamp = re.compile(r"^(?:<\d+>)?([A-Z][a-z]{2}) +(\d+) (?:(\d{4}) )?(\d\d):(\d\d):(\d\d)")
    months = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
    refused = defaultdict(int)
    for path in files(root, "vpn/*.log"):
        for line in opener(path):
            if ",GLOBALPROTECT," in line:
                f = line.split(",")
                t = datetime.strptime(f[6], "%Y/%m/%d %H:%M:%S")
                if f[8] == "gateway-connected": events.append((t, 1))
                elif f[8] == "gateway-logout": events.append((t, -1))
                continue
            if 'subtype="vpn"' in line:
                kv = dict(re.findall(r'(\w+)="?([^" ]*)', line))
                t = datetime.strptime(kv["date"] + " " + kv["time"], "%Y-%m-%d %H:%M:%S")
                if kv["action"] == "tunnel-up": events.append((t, 1))
                elif kv["action"] == "tunnel-down": events.append((t, -1))
                continue
            if "PulseSecure:" in line:
                t = datetime.strptime(line.split(" - - - ", 1)[1][:19], "%Y-%m-%d %H:%M:%S")
                if "VPN Tunneling: Session started" in line: events.append((t, 1))
                elif "VPN Tunneling: Session ended" in line: events.append((t, -1))
                continue
            if " openvpn[" in line:
                m = stamp.match(line)
                mon, day, year, hh, mm, ss = m.groups()
                t = datetime(int(year or 2020), months[mon], int(day), int(hh), int(mm), int(ss))
                if "Peer Connection Initiated" in line: events.append((t, 1))
                elif "client-instance exiting" in line: events.append((t, -1))
                continue
            m = stamp.match(line)
            if not m: continue
            mon, day, year, hh, mm, ss = m.groups()
            t = datetime(int(year or 2020), months[mon], int(day), int(hh), int(mm), int(ss))
            if "-113039:" in line: events.append((t, 1))
            elif "-113019:" in line and "LAN-to-LAN" not in line: events.append((t, -1))
            elif "-113029:" in line: refused[t.date()] += 1
    events.sort(key=lambda e: (e[0], e[1]))
    open_, peak = 0, defaultdict(int)
    for t, delta in events:
        open_ += delta
        peak[t.date()] = max(peak[t.date()], open_)

    def business(d): return d.weekday() < 5 and d not in HOLIDAYS
    before = [date(2020, 1, 13) + timedelta(days=i) for i in range(47)]
    during = [date(2020, 4, 14) + timedelta(days=i) for i in range(25)]
    def med(series, days): 
        vals = [series(d) for d in days if business(d)]
        return statistics.median(vals) if vals else float("nan")
    rows = [
        ("meetings.users", lambda d: len(users[d])),
        ("meetings.count", lambda d: len(meetings[d]) + africa_count[d]),
        ("proxy.remote_users", lambda d: len(remote[d])),
        ("private_access.users", lambda d: len(zpa[d])),
        ("vpn.peak_sessions", lambda d: peak[d]),
        ("vdi.users", lambda d: len(vdi[d])),
        ("meetings.median_minutes", lambda d: statistics.median(minutes[d]) if minutes[d] else 0),
        ("meetings.max_participants", lambda d: maxp[d]),
    ]
    print(f"{'metric (ALL, business days)':32} {'before':>10} {'plateau':>10} {'ratio':>7}")
    for name, f in rows:
        b, p = med(f, before), med(f, during)
        print(f"{name:32} {b:10.1f} {p:10.1f} {p / b if b else float('nan'):7.2f}")
    print("max participants over the plateau:", max(maxp[d] for d in during))
    wk = [date(2020, 3, 9) + timedelta(days=i) for i in range(5)]
    print("VPN peak, week of 2020-03-09:", [peak[d] for d in wk], "refused:", [refused[d] for d in wk])
    print("VPN peak, week of 2020-03-16:", [peak[d + timedelta(days=7)] for d in wk])

if __name__ == "__main__":
    main(sys.argv[1])
