#!/usr/bin/env python3
"""Baseline: the bare consolidation of a generated Watershed program in pandas.

What a RevOps team would write in a notebook instead of running Watershed, measured by
bench/run.sh beside `watershed run`. Given a program folder made by
`watershed generate`, it:

1. Reads the opportunity sources, each with its layout written out by hand (no
   detection), every cell as text:
   * CRM exports `inbox/crm/*.csv` (the full export and the delta, in file-name order);
   * the channel sheet `inbox/sheets/*.csv` (USD amounts like "$125,000", US dates);
   * the partner files `inbox/partners/*`: Northwind's XLSX workbook (title rows
     above the header; read with pandas' `calamine` engine, `--xlsx-engine openpyxl`
     for the default reader), Contoso's UTF-16 TSV, Bauer's Windows-1252 `;` file with
     decimal commas and day-first dates, Fabrikam's UTF-8-with-BOM file with "£"
     amounts and day-first dates, Tailspin's CSV with comment lines, a TOTAL row and a
     footnote.
2. Maps partner names/aliases -> partner id, product names/SKUs -> product id and
   family, countries -> region, per-source stage text -> canonical stage, through the
   mapping tables, on Watershed's normalized key (baseline_common.normalize_key).
3. Drops the rows Watershed quarantines: unknown or ambiguous partner, product, country
   or stage; missing customer; amount or close date that does not parse; created date
   present but unparsable; negative amount; no FX rate; bad role or split.
4. Converts amounts to the reporting currency at the rate of the close date's month
   (mappings/fx_rates.csv), rounded to the cent half away from zero, in integers.
5. CRM: rows with the same Opportunity ID are versions (the newest Last Modified Date
   wins, then the later file/line); one row per partner gives the partner links (role
   and split from that partner's newest row). Sheet and partner-file rows that quote a
   CRM id present in the CRM are duplicates and dropped; every other row is its own
   deal, sourced by its partner with split 1. No scored (fuzzy) matching.
6. Computes the opportunity-family KPIs of one fiscal quarter per partner of
   mappings/partners.csv, as DESIGN.md's metric catalog defines them (credited amount
   = amount x split; pipeline as of --as-of; targets from inbox/targets), and writes
   the same columns as `watershed kpis --format csv` (partner_id, period, revenue ...
   sales_cycle_days). Money is summed exactly in integer micro-units.

Phase timings go to stderr as one JSON line (`{"baseline": "pandas", ...}`).
`--exclude-keys FILE` drops deals by key (`crm:<id>`, `sheets:<Ref>`,
`partner_files:<Deal #>`) before the KPIs; bench/compare_kpis.py uses it to replay
Watershed's scored merges on this consolidation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baseline_common as bc  # noqa: E402

STD = ["ext", "partner", "customer", "country", "product", "amount", "currency", "stage", "created", "close",
       "crm_ref", "role", "split", "modified"]

# How to open each partner file (its layout is bc.PARTNER_FILES).
OPEN_PARTNER_FILE = {
    bc.NORTHWIND_FILE: dict(kind="xlsx", amount="number", date="excel"),
    "contoso_deals.tsv": dict(kind="csv", sep="\t", encoding="utf-16"),
    "bauer_systemhaus_export.csv": dict(kind="csv", sep=";", encoding="cp1252"),
    "fabrikam_pipeline.csv": dict(kind="csv", sep=",", encoding="utf-8-sig"),
    "tailspin_q_report.csv": dict(kind="csv", sep=",", encoding="utf-8", comment="#"),
}


def read_text_table(path: Path, usecols, sep=",", encoding="utf-8", comment=None, engine="c") -> pd.DataFrame:
    """Every cell as text, nothing read as NaN. The big plain CSVs use engine="pyarrow"
    (multi-threaded; about 3x faster than the C parser on the CRM export); the partner
    files keep the C parser, which handles comment lines and short lines."""
    if engine == "pyarrow":
        return pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False, engine="pyarrow",
                           usecols=list(usecols))
    return pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False, comment=comment,
                       skip_blank_lines=True, on_bad_lines="skip", usecols=list(usecols))


def standardize(df: pd.DataFrame, cols: dict, fixed: dict, source: str, file_no: int) -> pd.DataFrame:
    out = pd.DataFrame({f: (df[cols[f]] if f in cols else None) for f in STD})
    if "modified" not in cols:  # typed, so that concatenating with the CRM keeps datetimes
        out["modified"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us]")
    for f, v in fixed.items():
        out[f] = v
    out["source"] = source
    out["file_no"] = file_no
    out["line"] = np.arange(len(out))
    return out


def parse_amount(s: pd.Series, style: str) -> pd.Series:
    """Amount text -> float in the row's currency (NaN when it is not a number)."""
    if style == "number":
        return pd.to_numeric(s, errors="coerce")
    t = s
    for symbol in ("$", "£", "€", " ", "\u00a0"):  # literal replaces stay in Arrow; a regex falls back to Python
        t = t.str.replace(symbol, "", regex=False)
    if style == "decimal_comma":
        t = t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        t = t.str.replace(",", "", regex=False)
    return pd.to_numeric(t, errors="coerce")


def parse_date(s: pd.Series, fmt: str) -> pd.Series:
    if fmt == "excel":
        return pd.to_datetime(s, errors="coerce")
    return pd.to_datetime(s, format=fmt, errors="coerce")


def read_sources(program: Path, xlsx_engine: str) -> pd.DataFrame:
    frames = []
    file_no = 0
    # CRM exports: dates ISO, amounts plain, currency column.
    for path in sorted((program / "inbox" / "crm").glob("*.csv")):
        cols = dict(bc.CRM_COLUMNS)
        df = read_text_table(path, cols.values(), engine="pyarrow")
        std = standardize(df, cols, {}, "crm", file_no)
        std["amount"] = parse_amount(std["amount"], "plain")
        std["created_raw"] = std["created"]
        std["created"] = parse_date(std["created"], "%Y-%m-%d")
        std["close_raw"] = std["close"]
        std["close"] = parse_date(std["close"], "%Y-%m-%d")
        std["modified"] = pd.to_datetime(std["modified"], format="%Y-%m-%dT%H:%M:%S", errors="coerce")
        frames.append(std)
        file_no += 1
    # The channel sheet: USD, US dates.
    for path in sorted((program / "inbox" / "sheets").glob("*.csv")):
        cols = dict(bc.SHEET_COLUMNS)
        df = read_text_table(path, cols.values(), engine="pyarrow")
        std = standardize(df, cols, {"currency": "USD"}, "sheets", file_no)
        std["amount"] = parse_amount(std["amount"], "grouped")
        std["created_raw"] = std["created"]
        std["created"] = parse_date(std["created"], "%m/%d/%Y")
        std["close_raw"] = std["close"]
        std["close"] = parse_date(std["close"], "%m/%d/%Y")
        frames.append(std)
        file_no += 1
    # Partner files, each with its own layout.
    for path in sorted((program / "inbox" / "partners").glob("*")):
        if path.name not in bc.PARTNER_FILES:
            print(f"baseline_pandas: no layout for {path.name}; skipped", file=sys.stderr)
            continue
        spec = {**bc.PARTNER_FILES[path.name], **OPEN_PARTNER_FILE[path.name]}
        if spec["kind"] == "xlsx":
            df = pd.read_excel(path, engine=xlsx_engine, header=spec["header_row"], dtype=object)
            df = df.dropna(how="all")
            for c in df.columns:
                if c not in (spec["cols"]["amount"], spec["cols"]["close"], spec["cols"]["created"]):
                    df[c] = df[c].where(df[c].notna(), "").astype(str)
        else:
            df = read_text_table(path, spec["cols"].values(), sep=spec["sep"], encoding=spec["encoding"],
                                 comment=spec.get("comment"))
        fixed = {"currency": spec["currency"]} if spec["currency"] else {}
        std = standardize(df, spec["cols"], fixed, "partner_files", file_no)
        std["amount"] = parse_amount(std["amount"], spec["amount"])
        std["created_raw"] = std["created"]
        std["created"] = parse_date(std["created"], spec["date"])
        std["close_raw"] = std["close"]
        std["close"] = parse_date(std["close"], spec["date"])
        frames.append(std)
        file_no += 1
    rows = pd.concat(frames, ignore_index=True)
    return rows


def missing(s: pd.Series) -> pd.Series:
    t = s.fillna("").astype(str).str.strip()
    return t.eq("") | t.eq("-") | t.str.lower().isin(["null", "n/a", "#n/a"])


def map_unique(s: pd.Series, fn) -> pd.Series:
    """Applies `fn` once per distinct value (mapping-table lookups on a few thousand texts)."""
    uniques = s.dropna().unique()
    return s.map({u: fn(u) for u in uniques})


def consolidate(rows: pd.DataFrame, idx: bc.Indexes):
    """Normalized, valid rows -> (deals, links)."""
    rows["partner_id"] = map_unique(rows["partner"].fillna(""), lambda t: idx.partner.get(bc.normalize_key(t)))
    rows["product_id"] = map_unique(rows["product"].fillna(""), lambda t: idx.product.get(bc.normalize_key(t)))
    rows["product_family"] = rows["product_id"].map(idx.product_family)
    rows["region"] = map_unique(rows["country"].fillna(""), lambda t: idx.region.get(bc.normalize_key(t)))
    rows["stage_c"] = map_unique(rows["source"] + "\x1f" + rows["stage"].fillna(""),
                                 lambda t: idx.stage(*t.split("\x1f", 1)))
    rows["currency"] = rows["currency"].fillna(idx.reporting_currency).astype(str).str.strip().str.upper()
    rows.loc[rows["currency"].eq(""), "currency"] = idx.reporting_currency

    # Role and split (CRM only): sourced unless stated; split 1 unless stated.
    role = rows["role"].fillna("").astype(str).str.strip().str.lower()
    role_ok = role.isin(["", "sourced", "influenced"])
    split_text = rows["split"].fillna("").astype(str).str.strip()
    pct = split_text.str.endswith("%")
    split_num = pd.to_numeric(split_text.str.rstrip("%").str.strip(), errors="coerce")
    share = np.where(pct | (split_num > 1), split_num / 100, split_num)
    share = pd.Series(share, index=rows.index)
    split_ok = split_text.eq("") | ((share > 0) & (share <= 1))
    rows["sourced"] = ~role.eq("influenced")
    rows["split_e4"] = np.where(split_text.eq(""), 10_000, np.round(share.fillna(0) * 10_000)).astype("int64")

    # FX at the close month's rate, in micro-units of the reporting currency per unit:
    # looked up on an integer key (currency code x 1e6 + yyyymm).
    cur_code, cur_names = pd.factorize(rows["currency"])
    ymi = (rows["close"].dt.year * 100 + rows["close"].dt.month).fillna(0).astype("int64").to_numpy()
    code_of = {c: i for i, c in enumerate(cur_names)}
    fx = {code_of[c] * 1_000_000 + int(ym.replace("-", "")): r for c, ym, r in idx.fx_table() if c in code_of}
    rate = pd.Series(cur_code.astype("int64") * 1_000_000 + ymi).map(fx)
    rate[(rows["currency"] == idx.reporting_currency).to_numpy()] = bc.MICRO
    rows["rate_micro"] = rate.to_numpy()

    ok = (
        rows["partner_id"].notna()
        & ~missing(rows["customer"])
        & rows["stage_c"].notna()
        & rows["close"].notna()
        & (missing(rows["created_raw"]) | rows["created"].notna())
        & rows["amount"].notna() & (rows["amount"] >= 0)
        & rows["rate_micro"].notna()
        & (missing(rows["product"]) | rows["product_id"].notna())
        & (missing(rows["country"]) | rows["region"].notna())
        & role_ok & split_ok
    )
    keep = ["source", "file_no", "line", "ext", "crm_ref", "partner_id", "stage_c", "created", "close", "amount",
            "rate_micro", "sourced", "split_e4", "modified"]
    good = rows.loc[ok, keep]
    cents = np.round(good["amount"].to_numpy(dtype="float64") * 100).astype("int64")
    q = cents * good["rate_micro"].to_numpy(dtype="int64")
    good = good.assign(amount_cents=(q + bc.MICRO // 2) // bc.MICRO)  # half away from zero (amounts >= 0)

    # CRM: versions by Opportunity ID, partner links by (id, partner).
    crm = good[good["source"].eq("crm")].sort_values(["modified", "file_no", "line"], na_position="first")
    crm_deals = crm.drop_duplicates("ext", keep="last")
    crm_links = crm.drop_duplicates(["ext", "partner_id"], keep="last")
    # Other sources: rows quoting a known CRM id are duplicates of it (an anti-join).
    other = good[~good["source"].eq("crm")]
    other = other.assign(crm_ref=other["crm_ref"].fillna("").astype(str).str.strip())
    quoted = other.merge(crm_deals[["ext"]].rename(columns={"ext": "crm_ref"}), on="crm_ref", how="left",
                         indicator=True)["_merge"].eq("both").to_numpy()
    other = other[~quoted]
    fallback = other["source"] + ":" + other["file_no"].astype(str) + ":" + other["line"].astype(str)
    other_key = (other["source"] + ":" + other["ext"]).where(~missing(other["ext"]), fallback)

    cols = ["key", "amount_cents", "stage_c", "created", "close"]
    deals = pd.concat([
        crm_deals.assign(key="crm:" + crm_deals["ext"])[cols],
        other.assign(key=other_key)[cols],
    ], ignore_index=True)
    links = pd.concat([
        crm_links.assign(key="crm:" + crm_links["ext"])[["key", "partner_id", "sourced", "split_e4"]],
        other.assign(key=other_key, sourced=True, split_e4=10_000)[["key", "partner_id", "sourced", "split_e4"]],
    ], ignore_index=True)
    return deals, links


def kpis(deals: pd.DataFrame, links: pd.DataFrame, start, end, prev_start, prev_end, ytd_start, ytd_end, as_of):
    d = links.merge(deals, on="key", how="inner")
    credited = d["amount_cents"].to_numpy(dtype="int64") * d["split_e4"].to_numpy(dtype="int64")  # micro-units
    close, created = d["close"], d["created"]
    won, lost = d["stage_c"].eq("closed_won"), d["stage_c"].eq("closed_lost")
    in_p = close.between(pd.Timestamp(start), pd.Timestamp(end))
    in_prev = close.between(pd.Timestamp(prev_start), pd.Timestamp(prev_end))
    in_ytd = close.between(pd.Timestamp(ytd_start), pd.Timestamp(ytd_end))
    open_ = ~won & ~lost & (created.isna() | (created <= pd.Timestamp(as_of)))
    src = d["sourced"].astype(bool)
    cyc = won & in_p & created.notna()
    m = pd.DataFrame({
        "partner_id": d["partner_id"],
        "revenue": np.where(won & in_p, credited, 0),
        "revenue_sourced": np.where(won & in_p & src, credited, 0),
        "revenue_influenced": np.where(won & in_p & ~src, credited, 0),
        "revenue_prev": np.where(won & in_prev, credited, 0),
        "revenue_ytd": np.where(won & in_ytd, credited, 0),
        "pipeline_value": np.where(open_, credited, 0),
        "pipeline_sourced": np.where(open_ & src, credited, 0),
        "pipeline_influenced": np.where(open_ & ~src, credited, 0),
        "pipeline_count": open_.astype("int64"),
        "won_count": (won & in_p).astype("int64"),
        "lost_count": (lost & in_p).astype("int64"),
        "closing_count": in_p.astype("int64"),
        "cycle_sum": np.where(cyc, (close - created).dt.days.fillna(0).astype("int64"), 0),
        "cycle_n": cyc.astype("int64"),
    })
    agg = m.groupby("partner_id", sort=False).sum()
    return {pid: row for pid, row in zip(agg.index, agg.to_dict("records"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bc.add_common_args(ap)
    ap.add_argument("--xlsx-engine", default="calamine", choices=["calamine", "openpyxl"])
    ap.add_argument("--exclude-keys", type=Path, help="file of deal keys to leave out (one per line)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    w = bc.window(args.program, args.period, args.as_of)
    idx = bc.Indexes(args.program, w.currency)
    rows = read_sources(args.program, args.xlsx_engine)
    t1 = time.perf_counter()
    deals, links = consolidate(rows, idx)
    if args.exclude_keys:
        drop = set(args.exclude_keys.read_text().split())
        deals = deals[~deals["key"].isin(drop)]
        links = links[~links["key"].isin(drop)]
    t2 = time.perf_counter()
    agg = kpis(deals, links, w.start, w.end, w.prev_start, w.prev_end, w.ytd_start, w.ytd_end, w.as_of)
    targets = bc.read_targets(args.program, idx, w.period)
    text = bc.write_kpis(args.out, w.period, idx.partner_ids, agg, targets)
    if args.out is None:
        sys.stdout.write(text)
    t3 = time.perf_counter()
    print(json.dumps({"baseline": "pandas", "rows_read": int(len(rows)), "deals": int(len(deals)),
                      "links": int(len(links)), "read_s": round(t1 - t0, 3), "consolidate_s": round(t2 - t1, 3),
                      "kpis_s": round(t3 - t2, 3)}), file=sys.stderr)


if __name__ == "__main__":
    main()
