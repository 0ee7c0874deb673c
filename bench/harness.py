#!/usr/bin/env python3
"""Helper of bench/run.sh: records measurements, compares KPI tables, prints the report.

Subcommands (run.sh calls them; each reads and writes plain files):

* `as-of PROGRAM PERIOD` prints the end of PERIOD (the as-of date every tool is given,
  so that no result depends on today's date).
* `source-rows PROGRAM` prints how many opportunity source rows the program has (data
  rows of the CRM exports, the sheet and the partner files, bad rows included; blank,
  comment, title and total lines excluded), from truth/source_rows.csv. rows/s is this
  number over the median wall time, the same input for every tool.
* `record --tool T --time-file F --stderr-file E --out RESULTS.jsonl [--run I]` parses
  `/usr/bin/time -v` output (wall clock, user and system CPU, maximum resident set size)
  and the tool's stderr (Watershed's `watershed-stage: NAME MS ms` lines; the baselines'
  JSON phase line) and appends one JSON record. The 1-minute load average at the start
  of the run is taken from the environment variable BENCH_LOAD (set by run.sh).
* `compare --period P --as-of A --program DIR --kpis DIR --py PYTHON --out JSON` compares
  the KPI tables found in DIR (pandas.csv, duckdb.csv, watershed.csv): the same partners
  and, per partner, every opportunity-family column of `watershed kpis --format csv`;
  counts must be equal, money and percentages/ratios within 0.01 (all are printed with 2
  decimals). With a Watershed store it also explains a disagreement: the deals
  Watershed's scored matching merged away (match_decisions of the last run, keys that
  are not golden ids) are left out of the pandas consolidation (baseline_pandas.py
  --exclude-keys) and that table is compared with Watershed's again; and the deals
  merged away are checked against the generator's ground truth (truth/deals.csv): a
  merged-away key that is a deal's own key there was a distinct deal (a false merge).
* `report --results RESULTS.jsonl --compare JSON --meta JSON [--format table|json]`
  prints medians per tool (wall, CPU, peak RSS, rows/s, stage timings), the ratios
  Watershed / pandas and Watershed / DuckDB, and the KPI agreement.

Only the standard library is needed, except `compare`, which runs PYTHON (the
baselines' virtual environment) for the replay.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import baseline_common as bc  # noqa: E402

TOOL_ORDER = ["watershed", "watershed-rerun", "watershed-rebuild", "watershed-kpis", "pandas", "duckdb"]
TOOL_LABEL = {
    "watershed": "watershed run",
    "watershed-rerun": "watershed run (unchanged inputs)",
    "watershed-rebuild": "watershed run (rebuild: config changed)",
    "watershed-kpis": "watershed kpis (one quarter)",
    "pandas": "pandas baseline",
    "duckdb": "DuckDB baseline",
}


# ---------------------------------------------------------------- small commands

def cmd_as_of(args) -> None:
    _, start_month = bc.program_settings(Path(args.program))
    print(bc.quarter_bounds(args.period.upper(), start_month)[1].isoformat())


def cmd_source_rows(args) -> None:
    n = 0
    with open(Path(args.program) / "truth" / "source_rows.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["kind"] in ("deal", "bad"):
                n += 1
    print(n)


def parse_time_v(text: str) -> dict:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            value = line.rsplit(": ", 1)[1]
            parts = [float(p) for p in value.split(":")]
            secs = 0.0
            for p in parts:
                secs = secs * 60 + p
            out["wall_s"] = secs
        elif line.startswith("User time (seconds)"):
            out["user_s"] = float(line.rsplit(": ", 1)[1])
        elif line.startswith("System time (seconds)"):
            out["sys_s"] = float(line.rsplit(": ", 1)[1])
        elif line.startswith("Maximum resident set size (kbytes)"):
            out["max_rss_mb"] = int(line.rsplit(": ", 1)[1]) / 1024
        elif line.startswith("Exit status"):
            out["exit"] = int(line.rsplit(": ", 1)[1])
    return out


def cmd_record(args) -> None:
    rec = {"tool": args.tool, "run": args.run}
    rec.update(parse_time_v(Path(args.time_file).read_text(errors="replace")))
    rec["cpu_s"] = rec.get("user_s", 0.0) + rec.get("sys_s", 0.0)
    stages, phases = {}, {}
    for line in Path(args.stderr_file).read_text(errors="replace").splitlines():
        m = re.match(r"watershed-stage: (.+) (\d+) ms$", line.strip())
        if m:
            stages[m.group(1)] = stages.get(m.group(1), 0) + int(m.group(2)) / 1000
        elif line.startswith("{") and '"baseline"' in line:
            try:
                j = json.loads(line)
                phases = {k[:-2]: v for k, v in j.items() if k.endswith("_s")}
                rec["deals"] = j.get("deals")
            except json.JSONDecodeError:
                pass
    if stages:
        rec["stages"] = stages
    if phases:
        rec["phases"] = phases
    load = os.environ.get("BENCH_LOAD")
    if load:
        rec["load_1m"] = float(load)
    with open(args.out, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")
    print(f"  {TOOL_LABEL.get(args.tool, args.tool)}, run {args.run}: {rec.get('wall_s', float('nan')):.2f} s wall, "
          f"{rec['cpu_s']:.2f} s CPU, {rec.get('max_rss_mb', 0):.0f} MB peak RSS"
          + (f", load {rec['load_1m']:.1f}" if 'load_1m' in rec else ""), file=sys.stderr)


# ---------------------------------------------------------------- KPI comparison

def read_kpis(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return {r["partner_id"]: r for r in csv.DictReader(f)}


def diff_tables(a: dict, b: dict, limit: int = 8) -> dict:
    """Differences between two KPI tables (partner -> row) on the opportunity columns."""
    diffs, max_abs = [], {}
    partners = sorted(set(a) | set(b))
    differing = set()
    for pid in partners:
        ra, rb = a.get(pid), b.get(pid)
        if ra is None or rb is None:
            differing.add(pid)
            diffs.append({"partner_id": pid, "column": "(row)", "a": "present" if ra else "missing",
                          "b": "present" if rb else "missing"})
            continue
        for col in bc.KPI_COLUMNS:
            va, vb = (ra.get(col) or "").strip(), (rb.get(col) or "").strip()
            if va == vb:
                continue
            if va == "" or vb == "":
                ok = False
            else:
                d = abs(float(va) - float(vb))
                max_abs[col] = max(max_abs.get(col, 0.0), d)
                ok = d == 0 if col in bc.COUNT_COLUMNS else d <= 0.01 + 1e-9
            if not ok:
                differing.add(pid)
                diffs.append({"partner_id": pid, "column": col, "a": va, "b": vb})
    return {
        "agree": not differing,
        "partners": len(partners),
        "partners_differing": len(differing),
        "cells_differing": len(diffs),
        "columns_differing": sorted({d["column"] for d in diffs}),
        "first_differences": diffs[:limit],
        "max_abs_within_tolerance": {k: round(v, 6) for k, v in max_abs.items() if v > 0},
    }


def scored_merges(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        golden = {r[0] for r in con.execute("SELECT opportunity_id FROM opportunities")}
        run = con.execute("SELECT max(run_id) FROM match_decisions").fetchone()[0]
        if run is None:
            # No pair was scored (small programs): nothing merged, nothing to review.
            return {"merges": [], "absorbed": [], "review": 0, "golden": len(golden)}
        merges = con.execute(
            "SELECT left_key, right_key, score FROM match_decisions WHERE run_id = ? AND decision IN "
            "('merged', 'human_merged')", (run,)).fetchall()
        review = con.execute("SELECT count(*) FROM match_decisions WHERE run_id = ? AND decision = 'review'",
                             (run,)).fetchone()[0]
    finally:
        con.close()
    keys = {k for l_, r_, _ in merges for k in (l_, r_)}
    return {"merges": merges, "absorbed": sorted(k for k in keys if k not in golden), "review": review,
            "golden": len(golden)}


def truth_keys(program: Path) -> set[str]:
    keys = set()
    with open(program / "truth" / "deals.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            keys.add(f"{r['source']}:{r['external_id']}")
    return keys


def cmd_compare(args) -> None:
    kdir = Path(args.kpis)
    tables = {name: read_kpis(kdir / f"{name}.csv") for name in ("pandas", "duckdb", "watershed")
              if (kdir / f"{name}.csv").exists()}
    result: dict = {"pairs": {}, "tolerance": "counts exact; money, percentages and ratios within 0.01"}
    names = list(tables)
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            result["pairs"][f"{x} vs {y}"] = diff_tables(tables[x], tables[y])
    program = Path(args.program)
    truth = truth_keys(program)
    result["truth_deals"] = len(truth)
    db = program / "watershed.db"
    if "watershed" in tables and db.exists():
        sm = scored_merges(db)
        # A merged-away key that is a deal's own key in the ground truth was a real deal.
        real_deals_merged_away = sum(1 for k in sm["absorbed"] if k in truth)
        expl = {"scored_merges": len(sm["merges"]), "merged_away_keys": len(sm["absorbed"]),
                "real_deals_merged_away": real_deals_merged_away, "review_pairs": sm.get("review", 0),
                "golden_opportunities": sm.get("golden"), "truth_deals": len(truth)}
        if sm["absorbed"]:
            excl = kdir / "scored_merged_keys.txt"
            excl.write_text("\n".join(sm["absorbed"]) + "\n", encoding="utf-8")
            replay = kdir / "pandas_minus_scored_merges.csv"
            subprocess.run([args.py, str(HERE / "baseline_pandas.py"), str(program), "--period", args.period,
                            "--as-of", args.as_of, "--out", str(replay), "--exclude-keys", str(excl)],
                           check=True, stderr=subprocess.DEVNULL)
            expl["watershed_vs_pandas_minus_scored_merges"] = diff_tables(read_kpis(replay), tables["watershed"])
        result["watershed_explanation"] = expl
    Path(args.out).write_text(json.dumps(result, indent=2), encoding="utf-8")


# ---------------------------------------------------------------- report

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def agreement_text(tool: str, cmp: dict) -> str:
    pairs = cmp.get("pairs", {})

    def pair(a, b):
        return pairs.get(f"{a} vs {b}") or pairs.get(f"{b} vs {a}")
    if tool in ("pandas", "duckdb"):
        other = "duckdb" if tool == "pandas" else "pandas"
        p = pair(tool, other)
        w = pair(tool, "watershed")
        parts = []
        if p:
            parts.append(f"= {other}" if p["agree"] else f"≠ {other} ({p['partners_differing']} partners)")
        if w:
            parts.append("= watershed" if w["agree"] else f"≠ watershed ({w['partners_differing']} partners)")
        return ", ".join(parts) or "-"
    if tool == "watershed":
        w = pair("pandas", "watershed") or pair("duckdb", "watershed")
        if not w:
            return "-"
        if w["agree"]:
            return "= baselines"
        e = cmp.get("watershed_explanation", {})
        r = e.get("watershed_vs_pandas_minus_scored_merges")
        text = f"≠ baselines ({w['partners_differing']}/{w['partners']} partners)"
        if r is not None:
            text += "; = once its scored merges are applied" if r["agree"] else "; NOT explained by scored merges"
        return text
    return ""


def fmt(v, spec=".2f", dash="-"):
    return dash if v is None else format(v, spec)


def cmd_report(args) -> None:
    recs = [json.loads(line) for line in Path(args.results).read_text().splitlines() if line.strip()]
    cmp = json.loads(Path(args.compare).read_text()) if args.compare and Path(args.compare).exists() else {}
    meta = json.loads(Path(args.meta).read_text()) if args.meta else {}
    rows_in = meta.get("source_rows")
    tools = {}
    for t in TOOL_ORDER + sorted({r["tool"] for r in recs} - set(TOOL_ORDER)):
        rs = [r for r in recs if r["tool"] == t and r.get("exit", 0) == 0]
        if not rs:
            continue
        wall = med([r.get("wall_s") for r in rs])
        s = {
            "runs": len(rs),
            "wall_s_median": wall,
            "wall_s_min": min(r["wall_s"] for r in rs),
            "wall_s_max": max(r["wall_s"] for r in rs),
            "cpu_s_median": med([r.get("cpu_s") for r in rs]),
            "max_rss_mb_median": med([r.get("max_rss_mb") for r in rs]),
            "load_1m_median": med([r.get("load_1m") for r in rs]),
            "rows_per_s": (rows_in / wall) if rows_in and wall and t in ("watershed", "pandas", "duckdb") else None,
            "kpi_agreement": agreement_text(t, cmp),
        }
        stage_names = []
        for r in rs:
            for k in (r.get("stages") or r.get("phases") or {}):
                if k not in stage_names:
                    stage_names.append(k)
        if stage_names:
            key = "stages" if rs[0].get("stages") else "phases"
            s[key] = {k: med([(r.get(key) or {}).get(k) for r in rs]) for k in stage_names}
            if key == "stages" and wall is not None:
                s["stages"]["(outside stages)"] = max(0.0, wall - sum(v for v in s["stages"].values() if v))
        tools[t] = s
    ratios = {}
    if "watershed" in tools:
        w = tools["watershed"]
        for b in ("pandas", "duckdb"):
            if b in tools:
                x = tools[b]
                ratios[f"watershed/{b}"] = {
                    "wall": w["wall_s_median"] / x["wall_s_median"],
                    "cpu": w["cpu_s_median"] / x["cpu_s_median"] if x["cpu_s_median"] else None,
                    "peak_rss": w["max_rss_mb_median"] / x["max_rss_mb_median"],
                }
    out = {"meta": meta, "tools": tools, "ratios": ratios, "kpi_comparison": cmp}
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, indent=2), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(out, indent=2))
        return

    p = print
    p(f"\nWatershed benchmark — {meta.get('opportunities', '?'):,} opportunities "
      f"({rows_in:,} opportunity source rows, {meta.get('input_mb', 0):.0f} MB of opportunity files), "
      f"period {meta.get('period')} as of {meta.get('as_of')}")
    p(f"machine: {meta.get('cpus', '?')} CPUs, {meta.get('host', '')}; watershed {meta.get('watershed_version', '?')}; "
      f"duckdb {meta.get('duckdb', '?')}, pandas {meta.get('pandas', '?')}")
    header = ["tool", "runs", "median wall s", "min–max s", "median CPU s", "peak RSS MB", "rows/s", "load", "KPI agreement"]
    table = []
    for t, s in tools.items():
        table.append([
            TOOL_LABEL.get(t, t), str(s["runs"]), fmt(s["wall_s_median"]),
            f"{s['wall_s_min']:.2f}–{s['wall_s_max']:.2f}", fmt(s["cpu_s_median"]), fmt(s["max_rss_mb_median"], ".0f"),
            fmt(s["rows_per_s"], ",.0f"), fmt(s["load_1m_median"], ".1f"), s["kpi_agreement"],
        ])
    widths = [max(len(str(r[i])) for r in [header] + table) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(widths[i]) if i in (0, 8) else str(c).rjust(widths[i])  # noqa: E731
                                for i, c in enumerate(r))
    p()
    p(line(header))
    p("  ".join("-" * w for w in widths))
    for r in table:
        p(line(r))
    if ratios:
        p()
        for k, r in ratios.items():
            p(f"{k:18} wall ×{r['wall']:.2f}   CPU ×{fmt(r['cpu'])}   peak RSS ×{r['peak_rss']:.2f}")
    for t, s in tools.items():
        parts = s.get("stages") or s.get("phases")
        if parts:
            kind = "stages" if "stages" in s else "phases"
            total = s["wall_s_median"] or 1
            p(f"\n{TOOL_LABEL.get(t, t)} — median {kind} (s):")
            for k, v in parts.items():
                p(f"  {k:22} {fmt(v):>9}  {100 * (v or 0) / total:5.1f} %")
    deals = {t: med([r.get("deals") for r in recs if r["tool"] == t]) for t in ("pandas", "duckdb")}
    e = cmp.get("watershed_explanation") or {}
    counts = [f"{TOOL_LABEL[t].split()[0]} {int(v):,}" for t, v in deals.items() if v is not None]
    if e.get("golden_opportunities") is not None:
        counts.append(f"Watershed {e['golden_opportunities']:,} golden opportunities")
    if cmp.get("truth_deals") is not None:
        counts.append(f"ground truth {cmp['truth_deals']:,}")
    if counts:
        p("\nDeals after consolidation: " + ", ".join(counts) + ".")
    if cmp:
        p("\nKPI tables (" + cmp.get("tolerance", "") + "):")
        for name, d in cmp.get("pairs", {}).items():
            if d["agree"]:
                extra = ""
                if d["max_abs_within_tolerance"]:
                    extra = "  (max |Δ| within tolerance: " + ", ".join(
                        f"{k} {v}" for k, v in d["max_abs_within_tolerance"].items()) + ")"
                p(f"  {name}: AGREE on {d['partners']} partners × {len(bc.KPI_COLUMNS)} columns{extra}")
            else:
                p(f"  {name}: DISAGREE on {d['partners_differing']} of {d['partners']} partners "
                  f"({d['cells_differing']} cells; columns: {', '.join(d['columns_differing'])})")
                for x in d["first_differences"][:5]:
                    p(f"      {x['partner_id']} {x['column']}: {x['a']} vs {x['b']}")
        e = cmp.get("watershed_explanation")
        if e:
            p(f"  Watershed's scored matching decided 'merged' for {e['scored_merges']:,} pairs that share no key, "
              f"merging away {e['merged_away_keys']:,} deals ({e['review_pairs']:,} pairs left for review); "
              f"{e['real_deals_merged_away']:,} of those deals are distinct deals in the ground truth "
              f"(truth: {e['truth_deals']:,} deals; Watershed: {e['golden_opportunities']:,} golden opportunities).")
            r = e.get("watershed_vs_pandas_minus_scored_merges")
            if r is not None:
                if r["agree"]:
                    p("  With those deals left out of the pandas consolidation, the tables AGREE: every difference "
                      "is Watershed's scored matching, which the bare consolidation does not do.")
                else:
                    p(f"  With those deals left out of the pandas consolidation they still DISAGREE on "
                      f"{r['partners_differing']} partners:")
                    for x in r["first_differences"][:5]:
                        p(f"      {x['partner_id']} {x['column']}: pandas-minus-merges {x['a']} vs watershed {x['b']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("as-of")
    a.add_argument("program")
    a.add_argument("period")
    a = sub.add_parser("source-rows")
    a.add_argument("program")
    a = sub.add_parser("record")
    a.add_argument("--tool", required=True)
    a.add_argument("--run", type=int, default=1)
    a.add_argument("--time-file", required=True)
    a.add_argument("--stderr-file", required=True)
    a.add_argument("--out", required=True)
    a = sub.add_parser("compare")
    a.add_argument("--period", required=True)
    a.add_argument("--as-of", required=True)
    a.add_argument("--program", required=True)
    a.add_argument("--kpis", required=True)
    a.add_argument("--py", required=True)
    a.add_argument("--out", required=True)
    a = sub.add_parser("report")
    a.add_argument("--results", required=True)
    a.add_argument("--compare")
    a.add_argument("--meta")
    a.add_argument("--format", default="table", choices=["table", "json"])
    a.add_argument("--json-out")
    args = ap.parse_args()
    {"as-of": cmd_as_of, "source-rows": cmd_source_rows, "record": cmd_record, "compare": cmd_compare,
     "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
