//! Matching keys: the form in which names are compared.
//!
//! NFKC, accents transliterated, case-folded, punctuation removed, `&` read as "and",
//! a leading "the" and trailing legal suffixes (Inc, LLC, Ltd, GmbH, S.A., Pty, …)
//! dropped, whitespace collapsed. "Northwind Traders, Inc." and "NORTHWIND TRADERS"
//! have the same key.

use unicode_normalization::UnicodeNormalization;

/// Legal-form tokens removed from the end of a name (after punctuation is removed).
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "pty",
    "pvt",
    "plc",
    "as",
    "asa",
    "corp",
    "corporation",
    "co",
    "company",
    "oy",
    "ab",
    "kk",
    "sl",
    "se",
    "ug",
    "mbh",
];

/// The matching key of `text`. Empty when nothing meaningful is left.
pub fn normalize_key(text: &str) -> String {
    let folded: String = text.nfkc().collect::<String>();
    let ascii = deunicode::deunicode(&folded).to_lowercase();
    let mut cleaned = String::with_capacity(ascii.len());
    for ch in ascii.chars() {
        match ch {
            'a'..='z' | '0'..='9' => cleaned.push(ch),
            '.' | '\'' => {}
            '&' | '+' => cleaned.push_str(" and "),
            _ => cleaned.push(' '),
        }
    }
    let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
    if tokens.len() > 1 && tokens[0] == "the" {
        tokens.remove(0);
    }
    while tokens.len() > 1 {
        let last = tokens[tokens.len() - 1];
        if LEGAL_SUFFIXES.contains(&last) || last == "and" {
            tokens.pop();
        } else {
            break;
        }
    }
    tokens.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let cases = [
            ("Northwind Traders, Inc.", "northwind traders"),
            ("NORTHWIND TRADERS LLC", "northwind traders"),
            ("The Northwind Traders", "northwind traders"),
            ("Müller & Söhne AG", "muller and sohne"),
            ("Bauer Systemhaus GmbH & Co. KG", "bauer systemhaus"),
            ("Société Générale d'Intégration S.A.", "societe generale dintegration"),
            ("Fabrikam Solutions Pty Ltd", "fabrikam solutions"),
            ("  Contoso\tConsulting  ", "contoso consulting"),
            ("ＡＣＭＥ Corp.", "acme"),
            ("Inc", "inc"),
            ("A.S. Holdings AS", "as holdings"),
            ("", ""),
            ("---", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_key(input), expected, "{input:?}");
        }
    }
}
