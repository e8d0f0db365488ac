#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of tests/bench/dperf/run.sh: parse dperf's, ptcp-server's and
ptcp-churn's output, judge one open-loop step, build the JSON lines and
print the markdown table. Standard library only.

  report.py step --case a|b --target CPS --slow-start S --duration D
            --client LOG --server LOG            -> one JSON object
  report.py churn --case c|d --duration D --json FILE --err FILE
            --server LOG                         -> one JSON object
  report.py ramp --case a|b --round N --steps FILE [--note TEXT]
                                                 -> one JSON line (a run)
  report.py table RAW.jsonl                      -> markdown on stdout
"""
import argparse
import json
import re
import statistics
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
PAIR = re.compile(r"([A-Za-z][A-Za-z0-9()]*)\s+(-?[\d,]+(?:\.\d+)?)\b")
# dperf's retransmissions of its own segments (ackRt re-ACKs a segment
# the peer retransmitted: that one is counted on the peer's side)
DPERF_RT = ("synRt", "finRt", "pushRt")
# ptcp's retransmissions (a server never sends a SYN, but count it anyway)
PTCP_RT = ("tcp_rexmt", "tcp_synack_rexmt", "tcp_fin_rexmt", "tcp_syn_rexmt")
# ptcp-server counters worth a look under an open-loop client
PTCP_KEEP = ("tcp_passive_open", "tcp_segs_out", "tx_drop_full",
             "tx_drop_nombuf", "tcp_rto", "tcp_rexmt", "tcp_synack_rexmt",
             "tcp_fin_rexmt", "tcp_syn_backlog_full", "tcp_syncookie_sent",
             "tcp_syncookie_ok", "tcp_syncookie_bad", "tcp_conn_cap",
             "tcp_tw_cap", "tcp_dup_data", "tcp_out_of_window",
             "tcp_no_conn_rst", "tcp_rst_rx", "tcp_shutdown_rst",
             "tcp_timeout_drop", "rx_pkts", "tx_pkts")


def num(v):
    v = v.replace(",", "")
    return float(v) if "." in v else int(v)


def parse_dperf(path):
    """dperf's stdout: the per-second blocks ("seconds N") and the
    "Total Numbers:" block, each a dict of its name/value pairs."""
    secs, total, cur, errors = [], None, None, []
    try:
        f = open(path, errors="replace")
    except OSError:
        return secs, total, ["no log"]
    with f:
        for line in f:
            line = ANSI.sub("", line)
            if line.startswith("Error") or "error" in line.split(":")[0]:
                errors.append(line.strip())
            m = re.match(r"\s*seconds\s+(\d+)", line)
            if m:
                cur = {}
                secs.append(cur)
            elif line.startswith("Total Numbers"):
                cur = total = {}
                continue
            if cur is None:
                continue
            for k, v in PAIR.findall(line):
                cur[k] = num(v)
    return secs, total, errors


def parse_ptcp_server(path):
    """ptcp-server's summary at exit: counters, service lines, mbufs."""
    out = {"counters": {}, "services": {}, "exited": False}
    try:
        f = open(path, errors="replace")
    except OSError:
        return out
    section = None
    with f:
        for line in f:
            if line.startswith("ptcp-server: stopping; counters:"):
                section = "counters"
                out["exited"] = True
                continue
            if line.startswith("ptcp-server: services:"):
                section = "services"
                continue
            m = re.match(r"ptcp-server: mbufs in use at stop: (\d+)", line)
            if m:
                out["mbufs_in_use"] = int(m.group(1))
            if not line.startswith("  "):
                section = None if line.startswith("ptcp-server:") else section
                continue
            if section == "counters":
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit():
                    out["counters"][parts[0]] = int(parts[1])
            elif section == "services":
                parts = line.split()
                if parts:
                    out["services"][parts[0]] = {
                        k: num(v) for k, v in PAIR.findall(" ".join(parts[1:]))}
    return out


def ptcp_summary(srv):
    c = srv["counters"]
    keep = {k: c.get(k, 0) for k in PTCP_KEEP}
    keep["rexmt_all"] = sum(c.get(k, 0) for k in PTCP_RT)
    keep["segs_out"] = c.get("tcp_segs_out", 0)
    return keep


def cmd_step(a):
    secs, tot, errors = parse_dperf(a.client)
    r = {"case": a.case, "target": a.target, "client_rc": a.client_rc,
         "server_rc": a.server_rc}
    if tot is None:
        r.update(error="dperf client printed no totals",
                 client_errors=errors[-3:], passed=False, achieved=0)
        print(json.dumps(r))
        return
    held = secs[a.slow_start:a.slow_start + a.duration]
    key = "http2XX" if "http2XX" in tot else "skClose"
    vals = [s.get(key, 0) for s in held]
    achieved = statistics.mean(vals) if vals else 0.0
    c_rt = sum(tot.get(k, 0) for k in DPERF_RT)
    c_tx = tot.get("tcpTx", 0)
    if a.case == "a":
        _, stot, _ = parse_dperf(a.server)
        stot = stot or {}
        s_rt = sum(stot.get(k, 0) for k in DPERF_RT)
        s_tx = stot.get("tcpTx", 0)
        server = {k: stot.get(k, 0) for k in (
            "tcpTx", "tcpRx", "synRt", "finRt", "pushRt", "ackRt",
            "tcpDrop", "dropTx", "skOpen", "skClose", "skErr", "http2XX")}
        server["exited"] = bool(stot)
    else:
        srv = parse_ptcp_server(a.server)
        server = ptcp_summary(srv)
        server["exited"] = srv["exited"]
        server["http"] = srv["services"].get("http", {})
        server["closed"] = srv["services"].get("closed", {})
        s_rt, s_tx = server["rexmt_all"], server["segs_out"]
    segs = c_tx + s_tx
    rt_pct = 100.0 * (c_rt + s_rt) / segs if segs else 100.0
    failed = int(tot.get("skErr", 0))
    unfinished = int(tot.get("skCon", 0))
    http_err = int(tot.get("httpErr", 0))
    reasons = []
    if len(held) < a.duration:
        reasons.append("only %d of %d held seconds" % (len(held), a.duration))
    if failed:
        reasons.append("%d failed" % failed)
    if http_err:
        reasons.append("%d HTTP errors" % http_err)
    if unfinished:
        reasons.append("%d unfinished at exit" % unfinished)
    if rt_pct >= a.max_rexmt_pct:
        reasons.append("retransmitted %.3f %%" % rt_pct)
    if achieved < a.min_held * a.target:
        reasons.append("achieved %.0f < %.0f %% of target" %
                       (achieved, 100 * a.min_held))
    r.update(passed=not reasons, why=reasons, achieved=round(achieved, 1),
             held_s=len(held), failed=failed, http_err=http_err,
             unfinished=unfinished, rexmt_pct=round(rt_pct, 4),
             client_rexmt=c_rt, client_tcp_tx=c_tx, server_rexmt=s_rt,
             server_tcp_tx=s_tx,
             client={k: tot.get(k, 0) for k in (
                 "skOpen", "skClose", "skErr", "skCon", "http2XX", "httpErr",
                 "synRt", "finRt", "ackRt", "pushRt", "tcpDrop", "dropTx",
                 "tcpTx", "tcpRx", "rstRx", "rstTx")},
             server=server)
    print(json.dumps(r))


PROG = re.compile(r"^\s*([\d.]+) s\s+cps\s+(\d+)\s+est\s+\d+\s+ok\s+(\d+)")
TWCAP = re.compile(r"tcp_tw_cap (\d+)")


def cmd_churn(a):
    r = {"case": a.case, "client_rc": a.client_rc, "server_rc": a.server_rc}
    summary = None
    try:
        with open(a.json, errors="replace") as f:
            for line in f:
                if line.startswith("{"):
                    summary = json.loads(line)
    except (OSError, ValueError):
        summary = None
    prog, tw_cap_warn, warnings = [], None, []
    try:
        with open(a.err, errors="replace") as f:
            for line in f:
                m = PROG.match(line)
                if m:
                    prog.append((float(m.group(1)), int(m.group(2)),
                                 int(m.group(3))))
                    continue
                m = TWCAP.search(line)
                if m:
                    tw_cap_warn = max(tw_cap_warn or 0, int(m.group(1)))
                if line.startswith("ptcp-churn:") or "ptcp.tcp:" in line:
                    warnings.append(line.strip())
    except OSError:
        pass
    # The rate over the measured seconds: ok at the last progress line
    # within --duration over its time. ptcp-churn's own cps_avg divides by
    # an elapsed time that also holds the stop grace and the drain.
    inside = [p for p in prog if p[0] <= a.duration + 0.5]
    cps = inside[-1][2] / inside[-1][0] if inside else 0.0
    r["cps"] = round(cps, 1)
    r["progress_s"] = len(inside)
    if summary is None:
        r["error"] = "no JSON summary from ptcp-churn"
    else:
        tcp = summary.get("tcp", {})
        # tcp_tw_cap: from the summary once ptcp-churn reports it, else
        # from its "TIME-WAIT cap reached" warning, else 0
        if "tcp_tw_cap" in tcp:
            r["tw_cap"], r["tw_cap_from"] = tcp["tcp_tw_cap"], "summary"
        elif "tcp_tw_cap" in summary:
            r["tw_cap"], r["tw_cap_from"] = summary["tcp_tw_cap"], "summary"
        elif tw_cap_warn is not None:
            r["tw_cap"], r["tw_cap_from"] = tw_cap_warn, "warning"
        else:
            r["tw_cap"], r["tw_cap_from"] = 0, "no cap warning"
        r["time_wait"] = summary.get("time_wait")
        r["failed"] = summary.get("failed")
        r["cps_avg"] = summary.get("cps_avg")
        r["summary"] = summary
    r["warnings"] = warnings[-5:]
    if a.case == "c":
        srv = parse_ptcp_server(a.server)
        r["server"] = ptcp_summary(srv)
        r["server"]["exited"] = srv["exited"]
        r["server"]["http"] = srv["services"].get("http", {})
    else:
        _, stot, _ = parse_dperf(a.server)
        stot = stot or {}
        r["server"] = {k: stot.get(k, 0) for k in (
            "tcpTx", "tcpRx", "synRt", "finRt", "pushRt", "ackRt", "tcpDrop",
            "dropTx", "skOpen", "skClose", "skErr", "httpGet", "http2XX")}
    print(json.dumps(r))


def cmd_ramp(a):
    """One open-loop run: its steps, the highest target that passed (the
    figure is the rate achieved at that step) and the first step above it
    that failed."""
    steps = []
    with open(a.steps) as f:
        for line in f:
            if line.strip():
                steps.append(json.loads(line))
    passed = [s for s in steps if s.get("passed")]
    best = max(passed, key=lambda s: s["target"]) if passed else None
    above = [s for s in steps if not s.get("passed") and not s.get("error")
             and (best is None or s["target"] > best["target"])]
    fail = min(above, key=lambda s: s["target"]) if above else None
    errs = [s["error"] for s in steps if s.get("error")]
    r = {"kind": "run", "round": a.round, "case": a.case,
         "cps": best["achieved"] if best else 0,
         "best_target": best["target"] if best else 0,
         "best_step": best, "fail_step": fail,
         "steps": steps}
    notes = [n for n in (a.note or []) if n]
    if errs:
        notes.append("step error: " + errs[-1])
    if notes:
        r["error"] = "; ".join(notes)
    if not best:
        r["note"] = "no step passed: below the lowest target tried"
    if a.loadavg:
        r["loadavg"] = a.loadavg
    print(json.dumps(r))


def fmt_int(x):
    return "{:,.0f}".format(x)


def cmd_table(a):
    runs = [json.loads(l) for l in open(a.raw) if l.strip()]
    meta = next((r for r in runs if r.get("kind") == "meta"), {})
    runs = [r for r in runs if r.get("kind") == "run"]
    by = {k: {} for k in "abcd"}
    for r in runs:
        by[r["case"]][r["round"]] = r
    rounds = sorted({r["round"] for r in runs})

    def val(case, rnd):
        r = by[case].get(rnd)
        if r is None or r.get("error") and not r.get("cps"):
            return None
        return float(r.get("cps") or 0)

    def row(name, vals, fmt):
        v = [x for x in vals if x is not None]
        cells = [fmt(x) if x is not None else "-" for x in vals]
        st = ([fmt(statistics.median(v)), fmt(min(v)), fmt(max(v))]
              if v else ["-"] * 3)
        print("| %s | %s | %s |" % (name, " | ".join(cells), " | ".join(st)))

    names = {
        "a": "(a) dperf → dperf, open loop, highest rate held",
        "b": "(b) dperf → ptcp-server, open loop, highest rate held",
        "c": "(c) ptcp-churn → ptcp-server, closed loop, %s concurrent"
             % meta.get("concurrency", "?"),
        "d": "(d) ptcp-churn → dperf, closed loop, %s concurrent"
             % meta.get("concurrency", "?"),
    }
    print()
    print("dperf side by side: HTTP GET, %s-byte body, net_memif, client "
          "core 0, server core 1, %s s per run (open loop: per step, after "
          "dperf's %s s slow start); conn/s"
          % (meta.get("body", "?"), meta.get("duration", "?"),
             meta.get("slow_start", "?")))
    print()
    print("| conn/s | %s | median | min | max |" %
          " | ".join("round %d" % r for r in rounds))
    print("|---|%s---:|---:|---:|" % ("---:|" * len(rounds)))
    for case in "abcd":
        if by[case]:
            row(names[case], [val(case, r) for r in rounds], fmt_int)

    def ratio(x, y):
        return [val(x, r) / val(y, r)
                if val(x, r) is not None and val(y, r) else None
                for r in rounds]
    if by["a"] and by["c"]:
        row("ratio (c)/(a)", ratio("c", "a"), lambda x: "%.2f" % x)
    if by["a"] and by["b"]:
        row("ratio (b)/(a)", ratio("b", "a"), lambda x: "%.2f" % x)
    print()
    for case in "ab":
        for rnd in rounds:
            r = by[case].get(rnd)
            if r is None:
                continue
            steps = ", ".join(
                "%s %s%s" % (fmt_int(s["target"]),
                             "ok" if s.get("passed") else "FAIL",
                             "" if s.get("passed") else
                             " (" + "; ".join(s.get("why") or
                                              [s.get("error", "?")]) + ")")
                for s in r.get("steps", []))
            print("- %s round %d: best target %s, held %s; steps: %s%s"
                  % (case, rnd, fmt_int(r.get("best_target", 0)),
                     fmt_int(r.get("cps", 0)), steps,
                     "; " + r["error"] if r.get("error") else ""))
    for rnd in rounds:
        r = by["b"].get(rnd)
        if r is None:
            continue
        for label, s in (("best step", r.get("best_step")),
                         ("first failing step", r.get("fail_step"))):
            if not s:
                continue
            sv = s.get("server", {})
            print("- b round %d, ptcp-server at exit, %s (%s): %s" % (
                rnd, label, fmt_int(s["target"]), ", ".join(
                    "%s %s" % (k, sv.get(k, 0)) for k in (
                        "tx_drop_full", "tcp_rto", "tcp_rexmt",
                        "tcp_synack_rexmt", "tcp_fin_rexmt",
                        "tcp_syn_backlog_full", "tcp_syncookie_ok",
                        "tcp_conn_cap", "tcp_shutdown_rst"))))
    print()
    for case in "cd":
        for rnd in rounds:
            r = by[case].get(rnd)
            if r is None:
                continue
            s = r.get("summary", {})
            print("- %s round %d: ok %s failed %s, cps_avg (ptcp-churn's own, "
                  "elapsed incl. stop grace and drain) %s, time_wait %s, "
                  "tcp_tw_cap %s (%s), tcp_tw_reuse_connect %s%s"
                  % (case, rnd, s.get("ok"), s.get("failed"),
                     fmt_int(s.get("cps_avg") or 0), r.get("time_wait"),
                     r.get("tw_cap"), r.get("tw_cap_from"),
                     s.get("tcp", {}).get("tcp_tw_reuse_connect"),
                     "; " + r["error"] if r.get("error") else ""))
    print()
    tw = []
    for rnd in rounds:
        r = by["c"].get(rnd)
        if r is not None:
            tw.append(r.get("tw_cap") == 0 and (r.get("time_wait") or 0) > 0
                      and not r.get("error"))
    if tw:
        print("TIME-WAIT on every ptcp connection of (c): %s (the client "
              "closes first; tcp_tw_cap 0 and TIME-WAIT entries held in "
              "every round)" % ("yes" if all(tw) else "NO"))
    if by["d"]:
        print("(d): dperf's server sends its FIN with the response and "
              "keeps no TIME-WAIT; ptcp-churn (--closer server) closes "
              "second: no TIME-WAIT on either side.")
    if by["a"] or by["b"]:
        print("(a), (b): dperf's client closes first and keeps no "
              "TIME-WAIT; no TIME-WAIT on either side.")
    bad = []
    for r in runs:
        for s in r.get("steps") or [r]:
            for side in ("client", "server"):
                rc = s.get(side + "_rc", 0)
                if rc not in (0, -1) and not (side == "client" and
                                              rc == 1 and r["case"] in "cd"):
                    bad.append("%s round %d%s: %s exited %d%s" % (
                        r["case"], r["round"],
                        " step %s" % s["target"] if "target" in s else "",
                        side, rc, " (crashed: SIGSEGV)" if rc == 139 else
                        " (killed after the grace)" if rc == 137 else ""))
    if bad:
        print()
        print("Processes that did not exit cleanly (their summaries may be "
              "missing): " + "; ".join(bad))
    print()
    print("raw: %s" % a.raw)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("step")
    s.add_argument("--case", required=True)
    s.add_argument("--target", type=int, required=True)
    s.add_argument("--slow-start", type=int, required=True)
    s.add_argument("--duration", type=int, required=True)
    s.add_argument("--client", required=True)
    s.add_argument("--server", required=True)
    s.add_argument("--max-rexmt-pct", type=float, default=0.1)
    s.add_argument("--min-held", type=float, default=0.98)
    s.add_argument("--client-rc", type=int, default=0)
    s.add_argument("--server-rc", type=int, default=0)
    c = sub.add_parser("churn")
    c.add_argument("--case", required=True)
    c.add_argument("--duration", type=float, required=True)
    c.add_argument("--json", required=True)
    c.add_argument("--err", required=True)
    c.add_argument("--server", required=True)
    c.add_argument("--client-rc", type=int, default=0)
    c.add_argument("--server-rc", type=int, default=0)
    m = sub.add_parser("ramp")
    m.add_argument("--case", required=True)
    m.add_argument("--round", type=int, required=True)
    m.add_argument("--steps", required=True)
    m.add_argument("--note", action="append")
    m.add_argument("--loadavg")
    t = sub.add_parser("table")
    t.add_argument("raw")
    a = p.parse_args()
    {"step": cmd_step, "churn": cmd_churn, "ramp": cmd_ramp,
     "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
