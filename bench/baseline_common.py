"""Shared pieces of the two benchmark baselines (baseline_pandas.py, baseline_duckdb.py).

Only what is not the consolidation itself lives here, so that both baselines read the
program's settings and print their KPI table the same way Watershed does:

* `program_settings(dir)`: reporting currency and fiscal-year start month from
  watershed.toml (stdlib tomllib).
* `quarter_bounds(period, start_month)`: start and end date of a fiscal quarter
  (`FY2026-Q3`; the fiscal year is named by the calendar year it ends in).
* `normalize_key(text)`: the matching key Watershed uses for partner, product, region
  and stage names (crates/normalize/src/key.rs): NFKC, accents stripped (NFKD without
  combining marks plus a few letters deunicode spells out: ß, æ, ø, œ, ł, đ, þ),
  lower case, `.` and `'` removed, `&`/`+` read as "and", other punctuation a space, a
  leading "the" and trailing legal suffixes (Inc, LLC, Ltd, GmbH, ...) dropped.
* `is_missing(text)`: DESIGN's empty markers (empty, NULL, N/A, -, #N/A).
* `mapping_indexes(dir)`: the mapping tables as dicts keyed by `normalize_key`.
  A key that maps to several partners (or products) is ambiguous and left out, as
  Watershed quarantines such rows instead of guessing.
* `write_kpis(rows, ...)`: the KPI CSV. Money is carried exactly as an integer of
  micro-units (1e-6 of the reporting currency) and ratios are computed with Python's
  Decimal, then every value is rounded to 2 decimals half-to-even and printed without
  trailing zeros, as `watershed kpis --format csv` prints them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import tomllib
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import NamedTuple

# The opportunity-family columns of `watershed kpis --format csv`, in catalog order.
KPI_COLUMNS = [
    "revenue",
    "revenue_sourced",
    "revenue_influenced",
    "revenue_prev",
    "revenue_ytd",
    "target",
    "growth_pct",
    "attainment_pct",
    "pipeline_count",
    "pipeline_value",
    "pipeline_sourced",
    "pipeline_influenced",
    "coverage_pct",
    "avg_deal_size",
    "won_count",
    "lost_count",
    "win_rate_pct",
    "conversion_rate_pct",
    "sales_cycle_days",
]
MONEY_COLUMNS = [
    "revenue",
    "revenue_sourced",
    "revenue_influenced",
    "revenue_prev",
    "revenue_ytd",
    "target",
    "pipeline_value",
    "pipeline_sourced",
    "pipeline_influenced",
    "avg_deal_size",
]
COUNT_COLUMNS = ["pipeline_count", "won_count", "lost_count"]

# The partner files: which header feeds which field, and how amounts, dates and the currency
# are written (how to open each file is each tool's own). Northwind's workbook holds numbers
# and Excel dates, which each tool converts its own way.
NORTHWIND_FILE = "northwind_deals.xlsx"
PARTNER_FILES = {
    NORTHWIND_FILE: dict(header_row=3, currency=None,
                         cols=dict(partner="Reseller", customer="End Customer", amount="Deal Value",
                                   currency="Currency", close="Expected Close", created="Opened",
                                   stage="Phase", crm_ref="CRM Ref", ext="Deal #", product="Product SKU",
                                   country="Country")),
    "contoso_deals.tsv": dict(amount="plain", date="%Y-%m-%d", currency=None,
                              cols=dict(partner="Partner", customer="Customer", amount="Amount", currency="Currency",
                                        close="Close", created="Created", stage="Stage", crm_ref="SFDC ID",
                                        ext="Deal Number", product="Product", country="Country")),
    "bauer_systemhaus_export.csv": dict(amount="decimal_comma", date="%d.%m.%Y", currency="EUR",
                                        cols=dict(partner="Partner", customer="Kunde", amount="Betrag (EUR)",
                                                  close="Abschlussdatum", created="Erstellt", stage="Status",
                                                  crm_ref="CRM-ID", ext="Deal-Nr.", product="Produkt",
                                                  country="Land")),
    "fabrikam_pipeline.csv": dict(amount="grouped", date="%d/%m/%Y", currency="GBP",
                                  cols=dict(partner="Partner", customer="Client", amount="Value (GBP)",
                                            close="Close Date", created="Created", stage="Stage",
                                            crm_ref="Salesforce Opportunity", ext="Our Ref", product="Product",
                                            country="Country")),
    "tailspin_q_report.csv": dict(amount="grouped", date="%m/%d/%Y", currency="USD",
                                  cols=dict(partner="Partner Name", customer="Customer Name", amount="Amount (USD)",
                                            close="Close Date", created="Created Date", stage="Stage",
                                            crm_ref="CRM Opportunity ID", ext="Deal ID", product="Product",
                                            country="Customer Country")),
}

# The layouts of the CRM exports and the channel sheet: standard column -> the file's header.
CRM_COLUMNS = dict(ext="Opportunity ID", partner="Partner Account", customer="Account Name",
                   country="Billing Country", product="Product", amount="Amount", currency="Currency",
                   stage="Stage", created="Created Date", close="Close Date", role="Partner Role",
                   split="Partner Split", modified="Last Modified Date")
SHEET_COLUMNS = dict(ext="Ref", partner="Partner", customer="Customer", country="Country", product="Product",
                     amount="Deal Size", stage="Status", created="Created", close="Close", crm_ref="SFDC ID")

# Micro-units per unit of the reporting currency: amounts are integers of 1e-6.
MICRO = 1_000_000

LEGAL_SUFFIXES = frozenset(
    "inc incorporated llc llp lp ltd limited gmbh ag kg sa sas sarl srl spa bv nv pty pvt plc "
    "as asa corp corporation co company oy ab kk sl se ug mbh".split()
)
_SPELLED = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
                          "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH"})
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def normalize_key(text: str) -> str:
    """Watershed's matching key of `text` (see the module docstring)."""
    s = unicodedata.normalize("NFKC", text).translate(_SPELLED)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()
    s = s.replace(".", "").replace("'", "").replace("&", " and ").replace("+", " and ")
    tokens = _NOT_KEY.sub(" ", s).split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    while len(tokens) > 1 and (tokens[-1] in LEGAL_SUFFIXES or tokens[-1] == "and"):
        tokens.pop()
    return " ".join(tokens)


def is_missing(text) -> bool:
    """DESIGN's missing-value markers."""
    if text is None:
        return True
    t = str(text).strip()
    return t == "" or t == "-" or t.lower() in ("null", "n/a", "#n/a")


def program_settings(program: Path) -> tuple[str, int]:
    """(reporting currency, fiscal-year start month) from watershed.toml."""
    with open(program / "watershed.toml", "rb") as f:
        cfg = tomllib.load(f)
    p = cfg.get("program", {})
    return str(p.get("reporting_currency", "USD")).upper(), int(p.get("fiscal_year_start_month", 1))


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    m = year * 12 + (month - 1) + n
    return m // 12, m % 12 + 1


def quarter_bounds(period: str, start_month: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal quarter `FY2026-Q3`."""
    m = re.fullmatch(r"FY(\d{4})-Q([1-4])", period.strip().upper())
    if not m:
        raise SystemExit(f"period `{period}` is not like FY2026-Q3")
    fy, q = int(m.group(1)), int(m.group(2))
    y0 = fy if start_month == 1 else fy - 1
    y, mo = _add_months(y0, start_month, 3 * (q - 1))
    ny, nmo = _add_months(y, mo, 3)
    return dt.date(y, mo, 1), dt.date(ny, nmo, 1) - dt.timedelta(days=1)


def previous_period(period: str) -> str:
    fy, q = int(period[2:6]), int(period[-1])
    return f"FY{fy - 1}-Q4" if q == 1 else f"FY{fy}-Q{q - 1}"


def year_start(period: str, start_month: int) -> dt.date:
    return quarter_bounds(f"FY{period[2:6]}-Q1", start_month)[0]


def default_as_of(period: str, start_month: int) -> dt.date:
    """End of the period, or today while it is running (as `watershed kpis` does)."""
    start, end = quarter_bounds(period, start_month)
    today = dt.date.today()
    return today if start <= today <= end else end


class Window(NamedTuple):
    """What both baselines compute their KPIs over: the program's currency and calendar,
    the quarter, the one before, the as-of date and the year to date."""

    currency: str
    start_month: int
    period: str
    start: dt.date
    end: dt.date
    prev_start: dt.date
    prev_end: dt.date
    as_of: dt.date
    ytd_start: dt.date
    ytd_end: dt.date


def window(program: Path, period_text: str, as_of_text: str | None) -> Window:
    """The KPI window of `period_text` (e.g. FY2026-Q3) as of `as_of_text` (YYYY-MM-DD, or
    the default as-of date of the period), with the program's settings."""
    currency, start_month = program_settings(program)
    period = period_text.upper()
    start, end = quarter_bounds(period, start_month)
    prev_start, prev_end = quarter_bounds(previous_period(period), start_month)
    as_of = dt.date.fromisoformat(as_of_text) if as_of_text else default_as_of(period, start_month)
    return Window(currency, start_month, period, start, end, prev_start, prev_end, as_of,
                  year_start(period, start_month), min(end, as_of))


def add_common_args(ap: argparse.ArgumentParser) -> None:
    """The arguments both baselines take: the program, --period, --as-of and --out."""
    ap.add_argument("program", type=Path, help="program folder made by `watershed generate`")
    ap.add_argument("--period", default="FY2026-Q3")
    ap.add_argument("--as-of", help="YYYY-MM-DD (default: end of the period, or today while it runs)")
    ap.add_argument("--out", type=Path, help="KPI CSV to write (default: stdout)")


class Indexes:
    """The mapping tables keyed by normalized text."""

    def __init__(self, program: Path, reporting_currency: str):
        m = program / "mappings"
        self.reporting_currency = reporting_currency
        partners: dict[str, set[str]] = {}
        self.partner_ids: list[str] = []

        def add(index: dict[str, set[str]], text: str, value: str) -> None:
            k = normalize_key(text)
            if k:
                index.setdefault(k, set()).add(value)

        for r in _rows(m / "partners.csv"):
            self.partner_ids.append(r["partner_id"])
            add(partners, r["partner_id"], r["partner_id"])
            add(partners, r["name"], r["partner_id"])
        for r in _rows(m / "partner_aliases.csv"):
            add(partners, r["alias"], r["partner_id"])
        products: dict[str, set[str]] = {}
        self.product_family: dict[str, str] = {}
        for r in _rows(m / "products.csv"):
            add(products, r["product_id"], r["product_id"])
            add(products, r["name"], r["product_id"])
            self.product_family[r["product_id"]] = r.get("family") or ""
        for r in _rows(m / "product_aliases.csv"):
            add(products, r["alias"], r["product_id"])
        regions: dict[str, set[str]] = {}
        for r in _rows(m / "regions.csv"):
            add(regions, r["alias"], r["region"])
            add(regions, r["region"], r["region"])
        # Unique keys only: an ambiguous key is quarantined by Watershed, dropped here.
        self.partner = {k: next(iter(v)) for k, v in partners.items() if len(v) == 1}
        self.product = {k: next(iter(v)) for k, v in products.items() if len(v) == 1}
        self.region = {k: next(iter(v)) for k, v in regions.items() if len(v) == 1}
        self.stages: dict[tuple[str, str], str] = {}
        for r in _rows(m / "stages.csv"):
            self.stages[(r["source"], normalize_key(r["raw_stage"]))] = r["stage"]
        self.canonical_stages = {
            normalize_key(s): s
            for s in ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")
        }
        # (CURRENCY, "YYYY-MM") -> rate in micro-units of the reporting currency per unit.
        self.fx: dict[tuple[str, str], int] = {}
        for r in _rows(m / "fx_rates.csv"):
            self.fx[(r["currency"].strip().upper(), r["month"].strip()[:7])] = int(
                (Decimal(r["rate"].strip()) * MICRO).to_integral_value()
            )

    def stage(self, source: str, raw: str):
        """Canonical stage of `source`'s raw stage text (own mapping, `*`, canonical names)."""
        k = normalize_key(raw)
        return self.stages.get((source, k)) or self.stages.get(("*", k)) or self.canonical_stages.get(k)

    def fx_table(self):
        """The FX table as rows (currency, month, rate_micro), the reporting currency at 1."""
        return list((c, mth, r) for (c, mth), r in self.fx.items())


def _rows(path: Path):
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def read_targets(program: Path, idx: Indexes, period: str) -> dict[str, Decimal]:
    """Targets of `period` per partner id from inbox/targets/*.csv (the last row wins)."""
    out: dict[str, Decimal] = {}
    for path in sorted((program / "inbox" / "targets").glob("*.csv")):
        for r in _rows(path):
            pid = idx.partner.get(normalize_key(r.get("partner_id", "")))
            if pid is None or (r.get("period") or "").strip().upper() != period:
                continue
            try:
                out[pid] = Decimal(r["amount"].replace(",", "").replace("$", "").strip())
            except Exception:
                continue
    return out


def _money(micro: int) -> Decimal:
    return Decimal(micro) / MICRO


def _text(value) -> str:
    """Like Watershed's machine_text: 2 decimals half-to-even, no trailing zeros."""
    if value is None:
        return ""
    d = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN).normalize()
    s = format(d, "f")
    return "0" if s in ("-0", "0") else s


def write_kpis(out: Path | None, period: str, partner_ids, agg: dict, targets: dict[str, Decimal]) -> str:
    """Writes (or returns) the KPI CSV. `agg[partner_id]` holds integer sums:
    revenue, revenue_sourced, revenue_influenced, revenue_prev, revenue_ytd,
    pipeline_value, pipeline_sourced, pipeline_influenced (micro-units), pipeline_count,
    won_count, lost_count, closing_count, cycle_sum, cycle_n. Missing partners are zeros."""
    lines = []
    header = ["partner_id", "period"] + KPI_COLUMNS
    for pid in partner_ids:
        a = agg.get(pid, {})
        g = lambda k: int(a.get(k, 0) or 0)  # noqa: E731
        revenue, prev = _money(g("revenue")), _money(g("revenue_prev"))
        pipeline_value, pipeline_count = _money(g("pipeline_value")), g("pipeline_count")
        won, lost, closing = g("won_count"), g("lost_count"), g("closing_count")
        target = targets.get(pid)
        pct = lambda n, d: None if d is None or d == 0 else Decimal(n) / Decimal(d) * 100  # noqa: E731
        row = {
            "revenue": revenue,
            "revenue_sourced": _money(g("revenue_sourced")),
            "revenue_influenced": _money(g("revenue_influenced")),
            "revenue_prev": prev,
            "revenue_ytd": _money(g("revenue_ytd")),
            "target": target,
            "growth_pct": pct(revenue - prev, prev),
            "attainment_pct": pct(revenue, target),
            "pipeline_count": pipeline_count,
            "pipeline_value": pipeline_value,
            "pipeline_sourced": _money(g("pipeline_sourced")),
            "pipeline_influenced": _money(g("pipeline_influenced")),
            "coverage_pct": pct(pipeline_value, target),
            "avg_deal_size": pipeline_value / pipeline_count if pipeline_count else None,
            "won_count": won,
            "lost_count": lost,
            "win_rate_pct": pct(won, won + lost),
            "conversion_rate_pct": pct(won, closing),
            "sales_cycle_days": Decimal(g("cycle_sum")) / g("cycle_n") if g("cycle_n") else None,
        }
        lines.append([pid, period] + [_text(row[c]) for c in KPI_COLUMNS])
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(lines)
    text = buf.getvalue()
    if out is not None:
        out.write_text(text, encoding="utf-8")
    return text
