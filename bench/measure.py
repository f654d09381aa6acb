#!/usr/bin/env python3
"""bench/measure.py: the timing half of bench/run.sh (see there).

Reads a plan (JSON) written by run.sh and, for each case, runs the tap and
its COPY counterpart alternately: one warm-up run of each first (not
counted), which also checks the output (the tap's RECORD lines must equal
the table's rows, COPY's lines likewise), then RUNS timed rounds of
tap, COPY.  Timed runs write to /dev/null.

Per run: wall seconds (fork to exit), the child's own user/sys CPU and
peak RSS (GNU time: the child's rusage, nothing else counted), the bytes
it wrote on stdout (/proc/PID/io wchar of time, which includes the child
it reaped, read while time is a zombie, minus what went to stderr and to
time's output file), and the CPU the server backend used for it (the
postmaster's cutime+cstime: it reaps backends).

A case may name extra COPY variants (e.g. the tap's exact statement),
run in the same rounds and shown as extra rows. A case may also compare
the tap with itself: "tap_sides" names the sides that are tap runs
(checked by RECORD lines and METRIC record_count), "expect" gives each
side's expected record count (default: the case's rows), and "setup" is a
list of commands run once before the case's warm-up (e.g. a first sync
that writes the state a later run starts from, then a change to the
table).

Writes OUT/runs.jsonl (every run, warm-ups included), OUT/summary.json and
OUT/summary.txt, and prints the table.  Exits 1 when a check fails.
"""
import json
import os
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
RECORD = b'{"type":"RECORD"'
TIME = "/usr/bin/time"   # GNU time


class CheckFailed(Exception):
    pass


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return set(f.read().split())
    except OSError:
        return None


def reaped_cpu(pid):
    """cutime + cstime of pid in seconds: CPU of its children it has reaped."""
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    # after "pid (comm) ": state is field 3, so cutime (16) is index 13
    return (int(fields[13]) + int(fields[14])) / CLK_TCK


def busy_cpu():
    """Seconds of CPU the whole machine has been busy (all CPUs), and idle."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    busy = v[0] + v[1] + v[2] + v[5] + v[6]
    return busy / CLK_TCK, (v[3] + v[4]) / CLK_TCK, v[7] / CLK_TCK


def wait_quiet(max_wait, window=0.5, limit=0.05):
    """Waits (at most max_wait seconds) until the machine has been idle for
    a window: less than limit of one CPU busy.  Returns seconds waited."""
    if max_wait <= 0:
        return 0.0
    t0 = time.monotonic()
    while True:
        b0 = busy_cpu()[0]
        time.sleep(window)
        if (busy_cpu()[0] - b0) / window < limit:
            return time.monotonic() - t0
        if time.monotonic() - t0 >= max_wait:
            return time.monotonic() - t0


def wait_backends_gone(pm, before, timeout=5.0):
    """Waits until the postmaster has reaped the backend of the last run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = children_of(pm)
        if now is None:
            time.sleep(0.3)
            return
        if now <= before:
            return
        time.sleep(0.01)


def stderr_metric_records(path):
    """Sum of the tap's METRIC record_count values on stderr."""
    total = 0
    with open(path, errors="replace") as f:
        for line in f:
            i = line.find("METRIC: ")
            if i < 0:
                continue
            try:
                m = json.loads(line[i + 8:])
            except ValueError:
                continue
            if m.get("metric") == "record_count":
                total += int(m.get("value", 0))
    return total


def run_one(argv, env, errpath, pm, verify=False, quiet_wait=0.0):
    """Runs argv under GNU time; returns a dict of measurements.  verify:
    stdout through a counting reader (bytes, RECORD lines, lines) instead
    of /dev/null.

    GNU time, not this process's wait4: a child forked from Python starts
    with Python's resident set, and ru_maxrss keeps that high-water mark
    across execve; time's own child is forked from a ~2 MiB process."""
    waited = wait_quiet(quiet_wait)
    before = children_of(pm)
    cpu0 = reaped_cpu(pm)
    busy0 = busy_cpu()
    timepath = errpath + ".time"
    targv = [TIME, "-f", "%e %U %S %M %F %R %c %w", "-o", timepath] + list(argv)
    with open(errpath, "wb") as err:
        t0 = time.perf_counter()
        if verify:
            p = subprocess.Popen(targv, stdout=subprocess.PIPE, stderr=err, env=env)
            nbytes = nrec = nlines = 0
            tail = b""
            keep = len(RECORD) - 1
            while True:
                chunk = p.stdout.read1(1 << 20)
                if not chunk:
                    break
                nbytes += len(chunk)
                nlines += chunk.count(b"\n")
                nrec += (tail + chunk).count(RECORD)
                tail = (tail + chunk)[-keep:]
            p.stdout.close()
        else:
            with open(os.devnull, "wb") as null:
                p = subprocess.Popen(targv, stdout=null, stderr=err, env=env)
        os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
        t1 = time.perf_counter()
        busy1 = busy_cpu()
        wchar = None
        try:
            # time's counters include the child it waited for
            with open(f"/proc/{p.pid}/io") as f:
                for line in f:
                    k, v = line.split(":")
                    if k == "wchar":
                        wchar = int(v)
        except OSError:
            pass
        _, status, _ = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    if before is not None:
        wait_backends_gone(pm, before)
    else:
        time.sleep(0.3)
    cpu1 = reaped_cpu(pm)
    errbytes = os.path.getsize(errpath)
    timebytes = os.path.getsize(timepath)
    with open(timepath) as f:
        last = f.read().strip().splitlines()[-1].split()
    e, u, sy, m, majf, minf, invcs, vcs = last
    r = {
        "exit": p.returncode,
        "wall_s": t1 - t0,
        "time_wall_s": float(e),
        "user_s": float(u),
        "sys_s": float(sy),
        "cpu_s": float(u) + float(sy),
        "maxrss_kib": int(m),
        "majflt": int(majf),
        "minflt": int(minf),
        "nivcsw": int(invcs),
        "nvcsw": int(vcs),
        "server_cpu_s": cpu1 - cpu0,
        # everything busy on the machine during the run, and what of it
        # was neither the client nor its backend (other people's work)
        "machine_busy_s": busy1[0] - busy0[0],
        "steal_s": busy1[2] - busy0[2],
        "other_cpu_s": (busy1[0] - busy0[0]) - (float(u) + float(sy))
                       - (cpu1 - cpu0),
        "stderr_bytes": errbytes,
        "waited_quiet_s": waited,
    }
    if verify:
        r.update(out_bytes=nbytes, records=nrec, lines=nlines)
    elif wchar is not None:
        r["out_bytes"] = wchar - errbytes - timebytes
    return r


def quiet(r):
    """The run had the machine to itself: other work under 10 % of a CPU
    (0.05 s: the clock-tick counters are coarse)."""
    return r["other_cpu_s"] < max(0.1 * r["wall_s"], 0.05)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def check_run(case, who, r, errpath):
    if r["exit"] != 0:
        with open(errpath, errors="replace") as f:
            tail = f.read()[-2000:]
        raise CheckFailed(f"{case['name']}: {who} exited {r['exit']}:\n{tail}")


def sides_of(case):
    """(key, label, argv) of each side of a case: the tap, the COPY it is
    compared with, and any extra COPY variants (informational)."""
    labels = case.get("labels", {})
    out = [("tap", labels.get("tap", "tap"), case["tap"]),
           ("copy", labels.get("copy", "COPY/psql"), case["copy"])]
    for x in case.get("extra", []):
        out.append((x["key"], x["label"], x["argv"]))
    return out


def main():
    plan = json.load(open(sys.argv[1]))
    out = plan["out"]
    pm = plan["postmaster_pid"]
    K = plan["runs"]
    QW = float(plan.get("quiet_wait", 0))
    env = dict(os.environ)
    logdir = os.path.join(out, "stderr")
    os.makedirs(logdir, exist_ok=True)
    rawf = open(os.path.join(out, "runs.jsonl"), "w")
    summary = {"cases": [], "memory": []}

    def record(case, who, idx, r):
        row = {"case": case, "who": who, "run": idx}
        row.update(r)
        rawf.write(json.dumps(row) + "\n")
        rawf.flush()

    def progress(msg):
        print(msg, file=sys.stderr, flush=True)

    for case in plan["cases"]:
        name = case["name"]
        sides = sides_of(case)
        taps = set(case.get("tap_sides", [])) | {"tap"}
        for cmd in case.get("setup", []):
            progress(f"# {name}: setup: {cmd[-1][:100]}")
            subprocess.run(cmd, check=True, env=env)
        res = {k: [] for k, _, _ in sides}
        warm = {}
        # one warm-up per side, which also checks the output
        for who, _, argv in sides:
            errpath = os.path.join(logdir, f"{case['id']}-{who}-warmup.err")
            r = run_one(argv, env, errpath, pm, verify=True, quiet_wait=QW)
            record(name, who, "warmup", r)
            check_run(case, who, r, errpath)
            rows = expected_rows(case, who)
            if who in taps and r["records"] != rows:
                raise CheckFailed(f"{name}: the tap wrote {r['records']} RECORD "
                                  f"lines, the table has {rows} rows")
            if who not in taps and r["lines"] != rows:
                raise CheckFailed(f"{name}: {who} wrote {r['lines']} lines, the "
                                  f"table has {rows} rows")
            progress(f"# {name}: warm-up {who}: {r['wall_s']:.2f} s, "
                     f"{r['out_bytes']} bytes"
                     + (f", {r['records']} RECORD lines" if who in taps else
                        f", {r['lines']} lines"))
            warm[who] = r
        # timed rounds: tap, COPY (, extras), alternating
        for i in range(1, K + 1):
            for who, _, argv in sides:
                errpath = os.path.join(logdir, f"{case['id']}-{who}-{i}.err")
                r = run_one(argv, env, errpath, pm, quiet_wait=QW)
                record(name, who, i, r)
                check_run(case, who, r, errpath)
                if who in taps:
                    rows = expected_rows(case, who)
                    n = stderr_metric_records(errpath)
                    r["metric_records"] = n
                    if n != rows:
                        raise CheckFailed(f"{name} run {i}: the tap's METRIC "
                                          f"record_count sums to {n}, not {rows}")
                res[who].append(r)
                progress(f"# {name}: run {i} {who}: {r['wall_s']:.2f} s wall, "
                         f"{r['cpu_s']:.2f} s CPU, {r['maxrss_kib'] / 1024:.1f} MiB, "
                         f"server {r['server_cpu_s']:.2f} s, "
                         f"other {r['other_cpu_s']:.2f} s")
        summary["cases"].append(summarize(case, sides, res, warm))

    for m in plan.get("memory", []):
        peaks = []
        for i in range(1, m["runs"] + 1):
            errpath = os.path.join(logdir, f"{m['id']}-{i}.err")
            r = run_one(m["tap"], env, errpath, pm, quiet_wait=QW)
            record(m["name"], "tap", i, r)
            check_run(m, "tap", r, errpath)
            n = stderr_metric_records(errpath)
            if n != m["rows"]:
                raise CheckFailed(f"{m['name']} run {i}: METRIC record_count "
                                  f"sums to {n}, not {m['rows']}")
            peaks.append(r["maxrss_kib"])
            progress(f"# {m['name']}: run {i}: {r['wall_s']:.2f} s, "
                     f"{r['cpu_s']:.2f} s CPU, "
                     f"peak RSS {r['maxrss_kib'] / 1024:.2f} MiB")
        summary["memory"].append({"name": m["name"], "rows": m["rows"],
                                  "peak_rss_kib": peaks})
    rawf.close()

    text = render(plan, summary)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0


def expected_rows(case, who):
    """Records (tap) or lines (COPY) a side must write."""
    return case.get("expect", {}).get(who, case["rows"])


def summarize(case, sides, res, warm):
    s = {"name": case["name"], "id": case["id"], "rows": case["rows"],
         "kind": case.get("kind", ""), "sides": []}
    for who, label, _ in sides:
        runs = res[who]
        wall = median([r["wall_s"] for r in runs])
        outb = median([r.get("out_bytes", warm[who]["out_bytes"]) for r in runs])
        s[who] = {
            "label": label,
            "runs": len(runs),
            "wall_s": wall,
            "wall_min_s": min(r["wall_s"] for r in runs),
            "wall_max_s": max(r["wall_s"] for r in runs),
            "rows_sent": expected_rows(case, who),
            "rows_per_s": expected_rows(case, who) / wall,
            "out_bytes": outb,
            "mb_per_s": outb / wall / 1e6,
            "cpu_s": median([r["cpu_s"] for r in runs]),
            "user_s": median([r["user_s"] for r in runs]),
            "sys_s": median([r["sys_s"] for r in runs]),
            "peak_rss_mib": median([r["maxrss_kib"] for r in runs]) / 1024,
            "peak_rss_max_mib": max(r["maxrss_kib"] for r in runs) / 1024,
            "server_cpu_s": median([r["server_cpu_s"] for r in runs]),
            "other_cpu_s": median([r["other_cpu_s"] for r in runs]),
            "quiet_walls": [r["wall_s"] for r in runs
                            if quiet(r)],
            # per-round ratio: each tap run against the COPY run next to it
            "ratio_to_tap": [t["wall_s"] / c["wall_s"]
                             for t, c in zip(res["tap"], runs)],
        }
        s["sides"].append(who)
    s["ratio"] = s["tap"]["wall_s"] / s["copy"]["wall_s"]
    s["ratio_paired_median"] = median(s["copy"]["ratio_to_tap"])
    s["tap_cpu_us_per_row"] = s["tap"]["cpu_s"] / case["rows"] * 1e6
    return s


def render(plan, summary):
    L = []
    L.append(f"tap-postgres benchmark: {plan['describe']}")
    L.append(f"medians of {plan['runs']} alternating runs per side after one "
             f"warm-up each; MB = 10^6 bytes; CPU = the client process's "
             f"user+sys; server = its backend's CPU")
    L.append("other s: CPU the rest of the machine used during the run "
             "(other processes, interrupts); near 0 on a quiet machine")
    L.append("")
    hdr = (f"{'case':<40} {'wall s':>7} {'rows/s':>10} {'MB/s':>7} "
           f"{'CPU s':>6} {'usr/sys':>10} {'RSS MiB':>8} {'server s':>8} "
           f"{'tap/COPY':>8} {'tap µs/row':>10} {'other s':>7}")
    L.append(hdr)
    L.append("-" * len(hdr))
    for c in summary["cases"]:
        for who in c["sides"]:
            m = c[who]
            label = f"{c['name']} {m['label']}"
            if who == "tap":
                ratio = f"{c['ratio']:.3f}"
            elif who == "copy":
                ratio = ""
            else:
                ratio = f"({c['tap']['wall_s'] / m['wall_s']:.3f})"
            usrsys = f"{m['user_s']:.2f}/{m['sys_s']:.2f}"
            per = f"{c['tap_cpu_us_per_row']:.3f}" if who == "tap" else ""
            L.append(f"{label:<40} {m['wall_s']:>7.3f} {m['rows_per_s']:>10,.0f} "
                     f"{m['mb_per_s']:>7.1f} {m['cpu_s']:>6.2f} {usrsys:>10} "
                     f"{m['peak_rss_mib']:>8.1f} {m['server_cpu_s']:>8.2f} "
                     f"{ratio:>8} {per:>10} {m['other_cpu_s']:>7.2f}")
    L.append("")
    if any(len(c["sides"]) > 2 for c in summary["cases"]):
        L.append("(x): tap wall / that row's wall; \"tap's SQL\" is the tap's "
                 "kind of COPY statement (a TID range scan) run by psql")
    L.append("wall s min..max per side: " + "; ".join(
        f"{c['name']}: " + ", ".join(
            f"{c[w]['label']} {c[w]['wall_min_s']:.3f}..{c[w]['wall_max_s']:.3f}"
            for w in c["sides"]) for c in summary["cases"]))
    for c in summary["cases"]:
        if any(c[w]["rows_sent"] != c["rows"] for w in c["sides"]):
            L.append(f"rows sent, {c['name']}: " + ", ".join(
                f"{c[w]['label']} {c[w]['rows_sent']:,}" for w in c["sides"])
                + f" (table: {c['rows']:,} rows)")
    L.append("tap/COPY, median of the per-round ratios: " + "; ".join(
        f"{c['name']} {c['ratio_paired_median']:.3f}" for c in summary["cases"]))
    L.append("output bytes per run: " + "; ".join(
        f"{c['name']}: " + ", ".join(
            f"{c[w]['label']} {c[w]['out_bytes']:,.0f}" for w in c["sides"])
        for c in summary["cases"]))
    qparts = []
    for c in summary["cases"]:
        qt, qc = c["tap"]["quiet_walls"], c["copy"]["quiet_walls"]
        if qt and qc:
            qparts.append(f"{c['name']}: tap {median(qt):.3f} s ({len(qt)} runs), "
                          f"COPY {median(qc):.3f} s ({len(qc)}), ratio "
                          f"{median(qt) / median(qc):.3f}")
        else:
            qparts.append(f"{c['name']}: too few quiet runs")
    L.append("quiet runs only (other work < 10 % of a CPU): " + "; ".join(qparts))
    noisy = [c["name"] for c in summary["cases"]
             if any(c[w]["other_cpu_s"] > max(0.1 * c[w]["wall_s"], 0.05)
                    for w in c["sides"])]
    if noisy:
        L.append("WARNING: other work used more than 10 % of a CPU during: "
                 + ", ".join(noisy) + " (the machine was not quiet; the "
                 "wall times and ratios are unreliable)")
    if summary["memory"]:
        L.append("")
        L.append("flat memory (tap FULL_TABLE of events-shaped tables, peak RSS per run):")
        peaks = []
        for m in summary["memory"]:
            p = [k / 1024 for k in m["peak_rss_kib"]]
            peaks.append(max(p))
            L.append(f"  {m['rows']:>10,} rows: peak RSS {', '.join(f'{x:.2f}' for x in p)} MiB"
                     f" (max {max(p):.2f})")
        lo, hi = min(peaks), max(peaks)
        flat = (hi - lo) / lo * 100 if lo else float("nan")
        ok = hi < 20 and flat <= 10
        L.append(f"  max peak {hi:.2f} MiB, spread {flat:.1f} % -> "
                 f"{'MET' if ok else 'NOT MET'} (target: < 20 MiB and within 10 %)")
    L.append("")
    L.append("targets:")
    for c in summary["cases"]:
        r = c["ratio"]
        if c["kind"] in ("full", "incremental"):
            verdict = ("MET (stretch 1.1x met too)" if r <= 1.1 else
                       "MET (stretch 1.1x not met)" if r <= 1.25 else "NOT MET")
            L.append(f"  {c['name']}: tap/COPY wall {r:.3f} <= 1.25 -> {verdict}")
    for c in summary["cases"]:
        if c["kind"] == "parallel" and "2 conns" in c["name"]:
            r = c["ratio"]
            L.append(f"  {c['name']}: tap/COPY wall {r:.3f} <= 0.6 -> "
                     f"{'MET' if r <= 0.6 else 'NOT MET'}")
        if c["kind"] == "small":
            t = c["tap"]["wall_s"]
            L.append(f"  {c['name']}: tap wall {t:.3f} s <= 0.4 -> "
                     f"{'MET' if t <= 0.4 else 'NOT MET'}")
        if c["kind"] == "xmin":
            L.append(f"  {c['name']}: later run / FULL_TABLE wall {c['ratio']:.3f}, "
                     f"server CPU {c['tap']['server_cpu_s']:.2f} s vs "
                     f"{c['copy']['server_cpu_s']:.2f} s, rows sent "
                     f"{c['tap']['rows_sent']:,} vs {c['copy']['rows_sent']:,}")
    for c in summary["cases"]:
        if c["kind"] == "full":
            u = c["tap_cpu_us_per_row"]
            L.append(f"  {c['name']}: tap CPU {u:.3f} µs/row < 1 -> "
                     f"{'MET' if u < 1 else 'NOT MET'}")
    L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as e:
        print(f"bench: CHECK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
