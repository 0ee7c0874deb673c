//! Allocation-free formatting helpers: civil dates, money, ids and seeded sub-generators.

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) const fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// (year, month, day) of a day number produced by [`days_from_civil`].
pub(crate) const fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The generator's "today": 2026-11-15.
pub(crate) const NOW: i32 = days_from_civil(2026, 11, 15);
/// The date of the first (full) CRM export.
pub(crate) const CRM_EXPORT: i32 = days_from_civil(2026, 11, 1);
/// First day of the program (FY2025-Q1).
pub(crate) const PROGRAM_START: i32 = days_from_civil(2025, 1, 1);
/// Number of fiscal quarters the program spans.
pub(crate) const QUARTERS: usize = 8;
/// First month of the fx table, as (year, month).
pub(crate) const FX_FIRST: (i32, u32) = (2024, 10);
/// Number of months in the fx table (2024-10 … 2027-06).
pub(crate) const FX_MONTHS: usize = 33;

/// First day of program quarter `q` (0 = FY2025-Q1).
pub(crate) const fn quarter_start(q: usize) -> i32 {
    days_from_civil(2025 + (q / 4) as i32, 1 + 3 * (q % 4) as u32, 1)
}

/// Program quarter (0..8) containing `day`, if any.
pub(crate) fn quarter_of(day: i32) -> Option<usize> {
    let (y, m, _) = civil_from_days(day);
    if !(2025..=2026).contains(&y) {
        return None;
    }
    Some(((y - 2025) * 4) as usize + ((m - 1) / 3) as usize)
}

/// `FY2026-Q3` style name of program quarter `q`.
pub(crate) fn quarter_name(q: usize) -> String {
    format!("FY{}-Q{}", 2025 + q / 4, q % 4 + 1)
}

/// Index of `day`'s month in the fx table, clamped to the table.
pub(crate) fn fx_month_index(day: i32) -> usize {
    let (y, m, _) = civil_from_days(day);
    let idx = (y - FX_FIRST.0) * 12 + m as i32 - FX_FIRST.1 as i32;
    idx.clamp(0, FX_MONTHS as i32 - 1) as usize
}

/// Appends `n` zero-padded to at least `width` digits.
pub(crate) fn push_num(s: &mut String, n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let digits = buf.len() - i;
    for _ in digits..width {
        s.push('0');
    }
    for &b in &buf[i..] {
        s.push(b as char);
    }
}

/// Date layouts used by the sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateFmt {
    /// `2026-03-31`
    Iso,
    /// `03/31/2026`
    Us,
    /// `31.03.2026`
    De,
    /// `31/03/2026`
    Uk,
}

/// Appends `day` in the given layout.
pub(crate) fn push_date(s: &mut String, day: i32, f: DateFmt) {
    let (y, m, d) = civil_from_days(day);
    let y = y.max(0) as u64;
    match f {
        DateFmt::Iso => {
            push_num(s, y, 4);
            s.push('-');
            push_num(s, m.into(), 2);
            s.push('-');
            push_num(s, d.into(), 2);
        }
        DateFmt::Us => {
            push_num(s, m.into(), 2);
            s.push('/');
            push_num(s, d.into(), 2);
            s.push('/');
            push_num(s, y, 4);
        }
        DateFmt::De | DateFmt::Uk => {
            let sep = if f == DateFmt::De { '.' } else { '/' };
            push_num(s, d.into(), 2);
            s.push(sep);
            push_num(s, m.into(), 2);
            s.push(sep);
            push_num(s, y, 4);
        }
    }
}

/// Appends an ISO datetime `2026-03-04T10:15:00` (`secs` = seconds after midnight).
pub(crate) fn push_datetime(s: &mut String, day: i32, secs: u32) {
    push_date(s, day, DateFmt::Iso);
    s.push('T');
    push_num(s, u64::from(secs / 3600 % 24), 2);
    s.push(':');
    push_num(s, u64::from(secs / 60 % 60), 2);
    s.push(':');
    push_num(s, u64::from(secs % 60), 2);
}

/// Appends the month `YYYY-MM` of `day`.
pub(crate) fn push_month(s: &mut String, day: i32) {
    let (y, m, _) = civil_from_days(day);
    push_num(s, y.max(0) as u64, 4);
    s.push('-');
    push_num(s, m.into(), 2);
}

/// Appends an amount given in cents.
///
/// `group` is the thousands separator (none if `None`); `dec` the decimal separator, or
/// `None` to write whole units (rounded half up).
pub(crate) fn push_money(s: &mut String, cents: i64, group: Option<char>, dec: Option<char>) {
    if cents < 0 {
        s.push('-');
    }
    let c = cents.unsigned_abs();
    let (units, frac) = match dec {
        Some(_) => (c / 100, c % 100),
        None => ((c + 50) / 100, 0),
    };
    match group {
        None => push_num(s, units, 1),
        Some(g) => {
            let mut parts = [0u64; 7];
            let mut n = 0;
            let mut v = units;
            loop {
                parts[n] = v % 1000;
                n += 1;
                v /= 1000;
                if v == 0 || n == parts.len() {
                    break;
                }
            }
            for i in (0..n).rev() {
                if i == n - 1 {
                    push_num(s, parts[i], 1);
                } else {
                    s.push(g);
                    push_num(s, parts[i], 3);
                }
            }
        }
    }
    if let Some(d) = dec {
        s.push(d);
        push_num(s, frac, 2);
    }
}

/// Plain `125000.00`.
pub(crate) fn push_plain(s: &mut String, cents: i64) {
    push_money(s, cents, None, Some('.'));
}

const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SF_SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const B62_POW9: u128 = 13_537_086_546_263_552; // 62^9

/// Appends the Salesforce-style 18-character opportunity id number `n`.
///
/// `006` key prefix, pod `5g`, a reserved `0`, nine base-62 characters that are a
/// bijective scramble of `n`, and the 3-character case-checksum suffix.
pub(crate) fn push_sf_id(s: &mut String, n: u64) {
    let mut id = [0u8; 18];
    id[..6].copy_from_slice(b"0065g0");
    let mut x = (u128::from(n) * 2_654_435_761 + 91_234_567_891) % B62_POW9;
    for i in (6..15).rev() {
        id[i] = B62[(x % 62) as usize];
        x /= 62;
    }
    for chunk in 0..3 {
        let mut bits = 0usize;
        for i in 0..5 {
            if id[chunk * 5 + i].is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        id[15 + chunk] = SF_SUFFIX[bits];
    }
    for &b in &id {
        s.push(b as char);
    }
}

/// The Salesforce-style id of number `n` as a new string.
#[cfg(test)]
pub(crate) fn sf_id(n: u64) -> String {
    let mut s = String::with_capacity(18);
    push_sf_id(&mut s, n);
    s
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An independent, deterministic generator for (seed, purpose, index).
pub(crate) fn sub_rng(seed: u64, salt: u64, idx: u64) -> fastrand::Rng {
    fastrand::Rng::with_seed(splitmix(splitmix(seed ^ salt.wrapping_mul(0xA24B_AED4_963E_E407)) ^ idx))
}

/// A standard normal sample (Box–Muller).
pub(crate) fn normal(rng: &mut fastrand::Rng) -> f64 {
    let u1 = 1.0 - rng.f64();
    let u2 = rng.f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Uniform float in `[lo, hi)`.
pub(crate) fn uniform(rng: &mut fastrand::Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.f64()
}

/// Uniform integer in `[lo, hi]` (returns `lo` when the range is empty).
pub(crate) fn between(rng: &mut fastrand::Rng, lo: i64, hi: i64) -> i64 {
    if hi <= lo { lo } else { rng.i64(lo..=hi) }
}

/// Index drawn from a cumulative weight table (last entry = total weight).
pub(crate) fn pick_cumulative(rng: &mut fastrand::Rng, cum: &[f64]) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    if total <= 0.0 {
        return 0;
    }
    let x = rng.f64() * total;
    cum.partition_point(|&c| c <= x).min(cum.len() - 1)
}

/// Builds a cumulative table from weights.
pub(crate) fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w.max(0.0);
            acc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2024, 2, 29), (2025, 1, 1), (2026, 12, 31), (2000, 3, 1)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(quarter_of(days_from_civil(2026, 9, 30)), Some(6));
        assert_eq!(quarter_of(days_from_civil(2024, 12, 31)), None);
        assert_eq!(quarter_name(6), "FY2026-Q3");
        assert_eq!(quarter_start(7), days_from_civil(2026, 10, 1));
    }

    #[test]
    fn formats() {
        let day = days_from_civil(2026, 3, 4);
        let cases = [(DateFmt::Iso, "2026-03-04"), (DateFmt::Us, "03/04/2026"), (DateFmt::De, "04.03.2026"), (DateFmt::Uk, "04/03/2026")];
        for (f, want) in cases {
            let mut s = String::new();
            push_date(&mut s, day, f);
            assert_eq!(s, want);
        }
        let mut s = String::new();
        push_datetime(&mut s, day, 10 * 3600 + 15 * 60);
        assert_eq!(s, "2026-03-04T10:15:00");
        let money = [
            (1_250_000_i64, Some(','), None, "12,500"),
            (1_250_000, Some('.'), Some(','), "12.500,00"),
            (12_500_000_050, Some(','), Some('.'), "125,000,000.50"),
            (12_345, None, Some('.'), "123.45"),
            (12_350, None, None, "124"),
            (5, None, Some('.'), "0.05"),
        ];
        for (cents, g, d, want) in money {
            let mut s = String::new();
            push_money(&mut s, cents, g, d);
            assert_eq!(s, want);
        }
    }

    #[test]
    fn sf_ids_unique_and_shaped() {
        let mut seen = std::collections::BTreeSet::new();
        for n in 0..20_000 {
            let id = sf_id(n);
            assert_eq!(id.len(), 18);
            assert!(id.starts_with("0065g0"));
            assert!(seen.insert(id));
        }
    }
}
