#!/usr/bin/env python3
"""Baseline: the bare consolidation of a generated Watershed program as a DuckDB SQL job.

What a data team would write in SQL instead of running Watershed, measured by
bench/run.sh beside `watershed run`. The consolidation is SQL run by DuckDB (in
memory, default threads); Python only drives it. Given a program folder made by
`watershed generate`, it:

1. Reads the mapping tables (mappings/*.csv) with read_csv and keys every name with a
   SQL macro `nkey` that mirrors Watershed's matching key (crates/normalize/src/key.rs):
   NFC, `strip_accents` (DuckDB has no NFKC; ß is spelled out), lower case, `.` and `'`
   removed, `&`/`+` read as "and", other punctuation a space, a leading "the" and
   trailing legal suffixes dropped. A key mapping to several partners/products is
   ambiguous and left out (Watershed quarantines such rows).
2. Reads the opportunity sources natively with read_csv, each layout written out by
   hand: the CRM exports `inbox/crm/*.csv` (full + delta), the channel sheet, and the
   partner files — Contoso's UTF-16 TSV (`encoding='utf-16'`), Bauer's Windows-1252
   `;` file (read as `encoding='latin-1'`, which differs from Windows-1252 only in
   0x80-0x9F, unused by the fields read here), Fabrikam's UTF-8-with-BOM file,
   Tailspin's CSV with `#` comment lines (its TOTAL row and footnote fail the partner
   lookup like any other unknown partner). DuckDB cannot read XLSX without its `excel`
   extension, which is downloaded at run time and not reachable here, so Northwind's
   workbook is read by pandas (engine `calamine`) and handed to DuckDB as a data frame;
   that conversion is inside the measured time.
3. Maps partner, product, country (region) and per-source stage through the keyed
   mapping tables (joins on the distinct raw texts), drops the rows Watershed
   quarantines (unknown/ambiguous partner, product, country or stage; missing customer;
   unparsable amount or close date; created date present but unparsable; negative
   amount; no FX rate; bad role or split), converts amounts to the reporting currency at
   the close month's rate (mappings/fx_rates.csv), rounded to the cent half away from
   zero in integer arithmetic.
4. CRM rows with the same Opportunity ID are versions: the newest Last Modified Date
   wins (then the later file); one row per partner gives the partner links (role and
   split from that partner's newest row). Sheet and partner-file rows quoting a CRM id
   present in the CRM are duplicates and dropped (anti-join); every other row is its own
   deal, sourced by its partner with split 1. No scored (fuzzy) matching.
5. Computes the opportunity-family KPIs of one fiscal quarter per partner with
   conditional sums in SQL (credited amount = amount x split, in integer micro-units),
   and writes the same columns as `watershed kpis --format csv` via
   baseline_common.write_kpis (ratios in Decimal, 2 decimals half-to-even; targets from
   inbox/targets).

Phase timings go to stderr as one JSON line (`{"baseline": "duckdb", ...}`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baseline_common as bc  # noqa: E402

SUFFIXES = "|".join(sorted(bc.LEGAL_SUFFIXES | {"and"}, key=len, reverse=True))

MACROS = rf"""
CREATE MACRO nkey(t) AS regexp_replace(regexp_replace(trim(regexp_replace(
    replace(replace(replace(replace(lower(strip_accents(replace(nfc_normalize(coalesce(t, '')), 'ß', 'ss'))),
        '.', ''), '''', ''), '&', ' and '), '+', ' and '),
    '[^a-z0-9]+', ' ', 'g')), '^the (.)', '\1'), '^(.+?)(?: (?:{SUFFIXES}))+$', '\1');
CREATE MACRO is_missing(t) AS coalesce(lower(trim(t)), '') IN ('', '-', 'null', 'n/a', '#n/a');
"""

# read_csv options of each delimited partner file (its layout is bc.PARTNER_FILES; the
# Northwind workbook goes through pandas).
READ_CSV_OPTIONS = {
    "contoso_deals.tsv": "delim='\\t', encoding='utf-16'",
    "bauer_systemhaus_export.csv": "delim=';', encoding='latin-1'",
    "fabrikam_pipeline.csv": "delim=','",
    "tailspin_q_report.csv": "delim=',', comment='#', null_padding=true",
}

FIELDS = ["ext", "partner", "customer", "country", "product", "amount", "currency", "stage", "created", "close",
          "crm_ref", "role", "split", "modified"]


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def amount_sql(col: str, style: str) -> str:
    t = f"regexp_replace({col}, '[$£€\\s]', '', 'g')"
    if style == "decimal_comma":
        t = f"replace(replace({t}, '.', ''), ',', '.')"
    elif style != "plain":
        t = f"replace({t}, ',', '')"
    return f"TRY_CAST({t} AS DECIMAL(18,2))"


def select_sql(src: str, source: str, file_no: int, cols: dict, amount: str, date: str, currency: str | None) -> str:
    """One source file as the standard columns, amounts and dates parsed."""
    def c(f):
        return f"CAST({ident(cols[f])} AS VARCHAR)" if f in cols else "NULL::VARCHAR"
    cur = q(currency) if currency else c("currency")
    # Only the texts the consolidation still needs stay texts; the rest is typed or a flag.
    parts = [
        f"{q(source)} AS source", f"{file_no} AS file_no", f"{c('ext')} AS ext", f"{c('partner')} AS partner",
        f"is_missing({c('customer')}) AS customer_missing", f"{c('country')} AS country",
        f"{c('product')} AS product", f"{amount_sql(c('amount'), amount)} AS amount",
        f"upper(trim({cur})) AS currency", f"{c('stage')} AS stage",
        f"is_missing({c('created')}) AS created_missing",
        f"{c('crm_ref')} AS crm_ref", f"lower(trim(coalesce({c('role')}, ''))) AS role_l",
        f"trim(coalesce({c('split')}, '')) AS split_t",
    ]
    if date == "native":
        parts += [f"TRY_CAST({ident(cols['created'])} AS DATE) AS created",
                  f"TRY_CAST({ident(cols['close'])} AS DATE) AS close"]
    else:
        parts += [f"try_strptime({c('created')}, {q(date)})::DATE AS created",
                  f"try_strptime({c('close')}, {q(date)})::DATE AS close"]
    parts.append(f"try_strptime({c('modified')}, '%Y-%m-%dT%H:%M:%S') AS modified" if "modified" in cols
                 else "NULL::TIMESTAMP AS modified")
    return f"SELECT {', '.join(parts)} FROM {src}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bc.add_common_args(ap)
    ap.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's, all cores)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    prog = args.program.resolve()
    currency, _, period, start, end, prev_start, prev_end, as_of, ytd_start, ytd_end = bc.window(prog, args.period, args.as_of)

    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    con.execute(MACROS)
    m = prog / "mappings"
    rc = lambda name: f"read_csv({q(str(m / name))}, all_varchar=true, header=true)"  # noqa: E731
    con.execute(f"""
        CREATE TABLE partner_key AS
        SELECT key, any_value(partner_id) AS partner_id FROM (
            SELECT nkey(partner_id) AS key, partner_id FROM {rc('partners.csv')}
            UNION SELECT nkey(name), partner_id FROM {rc('partners.csv')}
            UNION SELECT nkey(alias), partner_id FROM {rc('partner_aliases.csv')}
        ) WHERE key <> '' GROUP BY key HAVING count(DISTINCT partner_id) = 1;
        CREATE TABLE product_key AS
        SELECT key, any_value(product_id) AS product_id FROM (
            SELECT nkey(product_id) AS key, product_id FROM {rc('products.csv')}
            UNION SELECT nkey(name), product_id FROM {rc('products.csv')}
            UNION SELECT nkey(alias), product_id FROM {rc('product_aliases.csv')}
        ) WHERE key <> '' GROUP BY key HAVING count(DISTINCT product_id) = 1;
        CREATE TABLE product_family AS SELECT product_id, family FROM {rc('products.csv')};
        CREATE TABLE region_key AS
        SELECT key, any_value(region) AS region FROM (
            SELECT nkey(alias) AS key, region FROM {rc('regions.csv')}
            UNION SELECT nkey(region), region FROM {rc('regions.csv')}
        ) WHERE key <> '' GROUP BY key HAVING count(DISTINCT region) = 1;
        CREATE TABLE stage_map AS SELECT source, nkey(raw_stage) AS key, stage FROM {rc('stages.csv')};
        CREATE TABLE canonical_stage AS SELECT nkey(s) AS key, s AS stage FROM (VALUES ('prospecting'),
            ('qualification'), ('proposal'), ('negotiation'), ('closed_won'), ('closed_lost')) v(s);
        CREATE TABLE fx AS SELECT upper(trim(currency)) AS currency,
            CAST(replace(left(trim(month), 7), '-', '') AS INTEGER) AS ym,
            CAST(round(CAST(rate AS DECIMAL(18,8)) * {bc.MICRO}) AS BIGINT) AS rate_micro
            FROM {rc('fx_rates.csv')};
    """)

    # The sources, one SELECT each, as the standard columns.
    selects = []
    file_no = 0
    for path in sorted((prog / "inbox" / "crm").glob("*.csv")):
        cols = dict(bc.CRM_COLUMNS)
        src = f"read_csv({q(str(path))}, all_varchar=true, header=true)"
        selects.append(select_sql(src, "crm", file_no, cols, "plain", "%Y-%m-%d", None))
        file_no += 1
    for path in sorted((prog / "inbox" / "sheets").glob("*.csv")):
        cols = dict(bc.SHEET_COLUMNS)
        src = f"read_csv({q(str(path))}, all_varchar=true, header=true)"
        selects.append(select_sql(src, "sheets", file_no, cols, "grouped", "%m/%d/%Y", "USD"))
        file_no += 1
    northwind = None
    for path in sorted((prog / "inbox" / "partners").glob("*")):
        if path.name == bc.NORTHWIND_FILE:
            spec = bc.PARTNER_FILES[bc.NORTHWIND_FILE]
            northwind = pd.read_excel(path, engine="calamine", header=spec["header_row"], dtype=object)
            northwind = northwind.dropna(how="all")
            for col in northwind.columns:
                if col not in ("Deal Value", "Expected Close", "Opened"):
                    northwind[col] = northwind[col].where(northwind[col].notna(), None).astype("string")
            northwind["Deal Value"] = pd.to_numeric(northwind["Deal Value"], errors="coerce")
            for col in ("Expected Close", "Opened"):
                northwind[col] = pd.to_datetime(northwind[col], errors="coerce")
            con.register("northwind_df", northwind)
            selects.append(select_sql("northwind_df", "partner_files", file_no, spec["cols"], "plain",
                                      "native", None))
        elif path.name in READ_CSV_OPTIONS:
            spec = bc.PARTNER_FILES[path.name]
            src = f"read_csv({q(str(path))}, all_varchar=true, header=true, {READ_CSV_OPTIONS[path.name]})"
            selects.append(select_sql(src, "partner_files", file_no, spec["cols"], spec["amount"], spec["date"],
                                      spec["currency"]))
        else:
            print(f"baseline_duckdb: no layout for {path.name}; skipped", file=sys.stderr)
            continue
        file_no += 1
    con.execute("CREATE TABLE raw AS " + " UNION ALL BY NAME ".join(selects))
    t1 = time.perf_counter()

    rep = q(currency)
    con.execute(f"""
        CREATE TABLE partner_lookup AS
            SELECT d.partner, k.partner_id FROM (SELECT DISTINCT coalesce(partner, '') AS partner FROM raw) d
            LEFT JOIN partner_key k ON k.key = nkey(d.partner);
        CREATE TABLE product_lookup AS
            SELECT d.product, k.product_id FROM (SELECT DISTINCT coalesce(product, '') AS product FROM raw) d
            LEFT JOIN product_key k ON k.key = nkey(d.product);
        CREATE TABLE region_lookup AS
            SELECT d.country, k.region FROM (SELECT DISTINCT coalesce(country, '') AS country FROM raw) d
            LEFT JOIN region_key k ON k.key = nkey(d.country);
        CREATE TABLE stage_lookup AS
            SELECT d.source, d.stage, coalesce(s.stage, w.stage, c.stage) AS stage_c
            FROM (SELECT DISTINCT source, coalesce(stage, '') AS stage FROM raw) d
            LEFT JOIN stage_map s ON s.source = d.source AND s.key = nkey(d.stage)
            LEFT JOIN stage_map w ON w.source = '*' AND w.key = nkey(d.stage)
            LEFT JOIN canonical_stage c ON c.key = nkey(d.stage);

        CREATE TABLE good AS
        WITH n AS (
            SELECT r.*, pl.partner_id, prl.product_id, rl.region, sl.stage_c,
                   CASE WHEN r.currency IS NULL OR r.currency = '' OR r.currency = {rep} THEN {bc.MICRO}
                        ELSE fx.rate_micro END AS rate_micro
            FROM raw r
            LEFT JOIN partner_lookup pl ON pl.partner = coalesce(r.partner, '')
            LEFT JOIN product_lookup prl ON prl.product = coalesce(r.product, '')
            LEFT JOIN region_lookup rl ON rl.country = coalesce(r.country, '')
            LEFT JOIN stage_lookup sl ON sl.source = r.source AND sl.stage = coalesce(r.stage, '')
            LEFT JOIN fx ON fx.currency = r.currency AND fx.ym = year(r.close) * 100 + month(r.close)
        ), s AS (
            SELECT *, TRY_CAST(rtrim(split_t, '%') AS DECIMAL(18,6)) AS split_n FROM n
        ), v AS (
            SELECT *, CASE WHEN split_t = '' THEN 1
                           WHEN split_t LIKE '%\\%%' ESCAPE '\\' OR split_n > 1 THEN split_n / 100
                           ELSE split_n END AS share
            FROM s
        )
        SELECT source, file_no, ext, crm_ref, partner_id, stage_c, created, close, modified,
               role_l <> 'influenced' AS sourced,
               CAST(round(share * 10000) AS BIGINT) AS split_e4,
               (CAST(amount * 100 AS BIGINT) * rate_micro + {bc.MICRO // 2}) // {bc.MICRO} AS amount_cents
        FROM v
        WHERE partner_id IS NOT NULL AND NOT customer_missing AND stage_c IS NOT NULL
          AND close IS NOT NULL AND (created_missing OR created IS NOT NULL)
          AND amount IS NOT NULL AND amount >= 0 AND rate_micro IS NOT NULL
          AND (is_missing(product) OR product_id IS NOT NULL)
          AND (is_missing(country) OR region IS NOT NULL)
          AND role_l IN ('', 'sourced', 'influenced') AND share > 0 AND share <= 1;

        CREATE TABLE crm_deals AS
        SELECT * EXCLUDE (rn) FROM (
            SELECT *, row_number() OVER (PARTITION BY ext ORDER BY modified DESC NULLS LAST, file_no DESC) AS rn
            FROM good WHERE source = 'crm') WHERE rn = 1;
        CREATE TABLE deals AS
            SELECT 'crm:' || ext AS key, amount_cents, stage_c, created, close FROM crm_deals
            UNION ALL
            SELECT source || ':' || ext, amount_cents, stage_c, created, close FROM good g
            WHERE source <> 'crm' AND (is_missing(crm_ref) OR trim(crm_ref) NOT IN (SELECT ext FROM crm_deals));
        CREATE TABLE links AS
            SELECT 'crm:' || ext AS key, partner_id, sourced, split_e4 FROM (
                SELECT *, row_number() OVER (PARTITION BY ext, partner_id
                                             ORDER BY modified DESC NULLS LAST, file_no DESC) AS rn
                FROM good WHERE source = 'crm') WHERE rn = 1
            UNION ALL
            SELECT source || ':' || ext, partner_id, true, 10000 FROM good
            WHERE source <> 'crm' AND (is_missing(crm_ref) OR trim(crm_ref) NOT IN (SELECT ext FROM crm_deals));
    """)
    t2 = time.perf_counter()

    d = lambda x: q(x.isoformat()) + "::DATE"  # noqa: E731
    result = con.execute(f"""
        WITH j AS (
            SELECT l.partner_id, l.sourced, CAST(o.amount_cents AS BIGINT) * l.split_e4 AS credited,
                   o.stage_c, o.created, o.close,
                   o.close BETWEEN {d(start)} AND {d(end)} AS in_p,
                   o.stage_c = 'closed_won' AS won, o.stage_c = 'closed_lost' AS lost
            FROM links l JOIN deals o USING (key)
        ), k AS (
            SELECT *, NOT won AND NOT lost AND (created IS NULL OR created <= {d(as_of)}) AS open FROM j
        )
        SELECT partner_id,
            sum(CASE WHEN won AND in_p THEN credited ELSE 0 END) AS revenue,
            sum(CASE WHEN won AND in_p AND sourced THEN credited ELSE 0 END) AS revenue_sourced,
            sum(CASE WHEN won AND in_p AND NOT sourced THEN credited ELSE 0 END) AS revenue_influenced,
            sum(CASE WHEN won AND close BETWEEN {d(prev_start)} AND {d(prev_end)} THEN credited ELSE 0 END)
                AS revenue_prev,
            sum(CASE WHEN won AND close BETWEEN {d(ytd_start)} AND {d(ytd_end)} THEN credited ELSE 0 END)
                AS revenue_ytd,
            sum(CASE WHEN open THEN credited ELSE 0 END) AS pipeline_value,
            sum(CASE WHEN open AND sourced THEN credited ELSE 0 END) AS pipeline_sourced,
            sum(CASE WHEN open AND NOT sourced THEN credited ELSE 0 END) AS pipeline_influenced,
            count(*) FILTER (WHERE open) AS pipeline_count,
            count(*) FILTER (WHERE won AND in_p) AS won_count,
            count(*) FILTER (WHERE lost AND in_p) AS lost_count,
            count(*) FILTER (WHERE in_p) AS closing_count,
            coalesce(sum(date_diff('day', created, close)) FILTER (WHERE won AND in_p AND created IS NOT NULL), 0)
                AS cycle_sum,
            count(*) FILTER (WHERE won AND in_p AND created IS NOT NULL) AS cycle_n
        FROM k GROUP BY partner_id
    """)
    names = [c[0] for c in result.description]
    agg = {r[0]: dict(zip(names[1:], r[1:])) for r in result.fetchall()}
    idx = bc.Indexes(prog, currency)
    targets = bc.read_targets(prog, idx, period)
    text = bc.write_kpis(args.out, period, idx.partner_ids, agg, targets)
    if args.out is None:
        sys.stdout.write(text)
    t3 = time.perf_counter()
    counts = con.execute("SELECT (SELECT count(*) FROM raw), (SELECT count(*) FROM deals), "
                         "(SELECT count(*) FROM links)").fetchone()
    print(json.dumps({"baseline": "duckdb", "rows_read": counts[0], "deals": counts[1], "links": counts[2],
                      "read_s": round(t1 - t0, 3), "consolidate_s": round(t2 - t1, 3),
                      "kpis_s": round(t3 - t2, 3)}), file=sys.stderr)


if __name__ == "__main__":
    main()
