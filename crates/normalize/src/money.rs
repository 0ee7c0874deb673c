//! Amounts as people write them: `$125,000`, `12.500,00 €`, `(1,200)`, `12.5k`, `GBP 900`.

use rust_decimal::Decimal;
use std::str::FromStr;

/// A parsed amount and the currency its text named, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAmount {
    /// The number.
    pub value: Decimal,
    /// ISO code named by a symbol or code in the text.
    pub currency: Option<String>,
}

const SYMBOLS: &[(&str, &str)] = &[("US$", "USD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"), ("₹", "INR"), ("CHF", "CHF")];

/// ISO codes recognized inside an amount's text (`EUR 900`, `900 GBP`).
const CODES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "INR", "BRL", "MXN", "SGD", "HKD", "CNY", "SEK", "NOK", "DKK", "PLN", "ZAR",
    "CZK", "HUF",
];

/// Whether `text` is one of the ISO currency codes Watershed recognizes in amounts and headers.
pub fn is_currency_code(text: &str) -> bool {
    CODES.iter().any(|c| c.eq_ignore_ascii_case(text))
}

/// Whether a column writes decimals with a comma (`12.500,00`, `1,5`): decided from
/// all its values so that `1.250` is read the same way in every row.
pub fn infer_decimal_comma<'a>(values: impl IntoIterator<Item = &'a str>) -> bool {
    let (comma, point) = decimal_votes(values);
    comma > point
}

/// How many of `values` read as decimal comma and as decimal point. Votes of parts of
/// a column add up.
pub(crate) fn decimal_votes<'a>(values: impl IntoIterator<Item = &'a str>) -> (usize, usize) {
    let (mut comma, mut point) = (0usize, 0usize);
    for v in values {
        // Positions within the value's digits, points and commas (without collecting them).
        let (mut len, mut last_comma, mut last_point) = (0usize, None, None);
        for c in v.chars() {
            match c {
                ',' => last_comma = Some(len),
                '.' => last_point = Some(len),
                c if c.is_ascii_digit() => {}
                _ => continue,
            }
            len += 1;
        }
        match (last_comma, last_point) {
            (Some(c), Some(p)) if c > p => comma += 1,
            (Some(_), Some(_)) => point += 1,
            (Some(c), None) if len - c - 1 != 3 => comma += 1,
            (None, Some(p)) if len - p - 1 != 3 => point += 1,
            _ => {}
        }
    }
    (comma, point)
}

/// Parses an amount. With `decimal_comma`, `,` is the decimal separator and `.` groups thousands.
pub fn parse_amount(text: &str, decimal_comma: bool) -> Result<ParsedAmount, String> {
    let original = text.trim();
    // Plain digits with at most a decimal point (no sign, symbol, grouping or suffix):
    // the general path below would read exactly this text, so read it directly.
    let plain_point = |b: u8| b.is_ascii_digit() || (b == b'.' && !decimal_comma);
    if !original.is_empty()
        && original.bytes().all(plain_point)
        && original.bytes().filter(|b| *b == b'.').count() <= 1
        && let Ok(value) = Decimal::from_str(original)
    {
        return Ok(ParsedAmount { value, currency: None });
    }
    let fail = || format!("`{original}` is not an amount");
    let mut t = original.replace(['\u{a0}', '\u{202f}', ' ', '\''], "");
    if t.is_empty() {
        return Err("empty amount".into());
    }
    let mut negative = false;
    if t.starts_with('(') && t.ends_with(')') {
        negative = true;
        t = t[1..t.len() - 1].to_string();
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.to_string();
    }
    let mut currency = None;
    for (sym, code) in SYMBOLS {
        if let Some(rest) = t.strip_prefix(sym).or_else(|| t.strip_suffix(sym)) {
            currency = Some(code.to_string());
            t = rest.to_string();
            break;
        }
    }
    if currency.is_none() && t.len() > 3 {
        // `get` rather than indexing: three bytes may end inside a multi-byte character.
        let (head, tail) = (t.get(..3).unwrap_or(""), t.get(t.len() - 3..).unwrap_or(""));
        if is_currency_code(head) {
            currency = Some(head.to_ascii_uppercase());
            t = t[3..].to_string();
        } else if is_currency_code(tail) {
            currency = Some(tail.to_ascii_uppercase());
            t = t[..t.len() - 3].to_string();
        }
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.to_string();
    }
    let mut multiplier = Decimal::ONE;
    if let Some(last) = t.chars().last() {
        let m = match last {
            'k' | 'K' => Some(Decimal::from(1_000)),
            'm' | 'M' => Some(Decimal::from(1_000_000)),
            _ => None,
        };
        if let Some(m) = m {
            multiplier = m;
            t.pop();
        }
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
        return Err(fail());
    }
    let plain: String = if decimal_comma { t.replace('.', "").replace(',', ".") } else { t.replace(',', "") };
    if plain.matches('.').count() > 1 {
        return Err(fail());
    }
    let value = Decimal::from_str(&plain).map_err(|_| fail())? * multiplier;
    Ok(ParsedAmount { value: if negative { -value } else { value }, currency })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn plain_amounts_read_directly_as_the_general_path_reads_them() {
        for v in ["12500.00", "0.5", "100", "007", "1.", ".5", "123456789012345678.25", "1.000"] {
            let direct = parse_amount(v, false).unwrap();
            let general = parse_amount(&format!("${v}"), false).unwrap();
            assert_eq!((direct.value.to_string(), direct.value.scale()), (general.value.to_string(), general.value.scale()), "{v}");
            assert_eq!(direct.currency, None);
        }
        // With decimal commas a point groups thousands: not the direct path.
        assert_eq!(parse_amount("1.000", true).unwrap().value, Decimal::from(1000));
        assert_eq!(parse_amount("1000", true).unwrap().value, Decimal::from(1000));
    }

    #[test]
    fn amounts() {
        type Case<'a> = (&'a str, bool, Option<(&'a str, Option<&'a str>)>);
        let cases: &[Case] = &[
            ("125000", false, Some(("125000", None))),
            ("125000.50", false, Some(("125000.50", None))),
            ("$125,000", false, Some(("125000", Some("USD")))),
            ("£12,500.00", false, Some(("12500.00", Some("GBP")))),
            ("12.500,00", true, Some(("12500.00", None))),
            ("12.500,00 €", true, Some(("12500.00", Some("EUR")))),
            ("1,5", true, Some(("1.5", None))),
            ("(1,200)", false, Some(("-1200", None))),
            ("-$300", false, Some(("-300", Some("USD")))),
            ("12.5k", false, Some(("12500", None))),
            ("1.2M", false, Some(("1200000", None))),
            ("EUR 900", false, Some(("900", Some("EUR")))),
            ("900 GBP", false, Some(("900", Some("GBP")))),
            ("1 234 567,89", true, Some(("1234567.89", None))),
            ("TBD", false, None),
            ("", false, None),
            ("1.2.3", false, None),
            ("12abc", false, None),
            ("KrügerLogistik", false, None),
            ("€", false, None),
            ("1 Müß", false, None),
        ];
        for (text, comma, expected) in cases {
            let got = parse_amount(text, *comma).ok().map(|p| (p.value, p.currency));
            let want = expected.map(|(v, c)| (dec(v), c.map(str::to_string)));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn decimal_comma_is_a_column_decision() {
        let cases: &[(&[&str], bool)] = &[
            (&["12.500,00", "900,00"], true),
            (&["12,500.00", "900.00"], false),
            (&["$125,000", "$12,500"], false),
            (&["1,5", "2,25"], true),
            (&["125000", "900"], false),
        ];
        for (values, expected) in cases {
            assert_eq!(infer_decimal_comma(values.iter().copied()), *expected, "{values:?}");
        }
    }
}
