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
    // Plain ASCII (below DEL) is its own NFKC form and its own transliteration: only
    // the case folding is left, done in the cleaning pass without the copies.
    let cleaned = if text.bytes().all(|b| b < 0x7F) {
        clean(text.bytes().map(|b| char::from(b.to_ascii_lowercase())), text.len())
    } else {
        let folded: String = text.nfkc().collect::<String>();
        let ascii = deunicode::deunicode(&folded).to_lowercase();
        clean(ascii.chars(), ascii.len())
    };
    // The words, without a leading "the" and trailing legal forms (one word always stays).
    let count = cleaned.split_whitespace().count();
    let skip = usize::from(count > 1 && cleaned.split_whitespace().next() == Some("the"));
    let mut keep = count - skip;
    for last in cleaned.split_whitespace().rev() {
        if keep > 1 && (LEGAL_SUFFIXES.contains(&last) || last == "and") {
            keep -= 1;
        } else {
            break;
        }
    }
    // Already single-spaced with nothing dropped: the cleaned text is the key.
    if keep == count && !cleaned.starts_with(' ') && !cleaned.ends_with(' ') && !cleaned.contains("  ") {
        return cleaned;
    }
    let mut key = String::with_capacity(cleaned.len());
    for word in cleaned.split_whitespace().skip(skip).take(keep) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    key
}

/// Letters and digits kept, `.` and `'` dropped, `&` and `+` read as "and", anything
/// else a space.
fn clean(chars: impl Iterator<Item = char>, len: usize) -> String {
    let mut cleaned = String::with_capacity(len);
    for ch in chars {
        match ch {
            'a'..='z' | '0'..='9' => cleaned.push(ch),
            '.' | '\'' => {}
            '&' | '+' => cleaned.push_str(" and "),
            _ => cleaned.push(' '),
        }
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general path (NFKC, transliteration, Unicode lowercase) for any text.
    fn general(text: &str) -> String {
        let folded: String = text.nfkc().collect::<String>();
        let ascii = deunicode::deunicode(&folded).to_lowercase();
        let cleaned = clean(ascii.chars(), ascii.len());
        let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
        if tokens.len() > 1 && tokens[0] == "the" {
            tokens.remove(0);
        }
        while tokens.len() > 1 && (LEGAL_SUFFIXES.contains(&tokens[tokens.len() - 1]) || tokens[tokens.len() - 1] == "and") {
            tokens.pop();
        }
        tokens.join(" ")
    }

    #[test]
    fn the_ascii_shortcut_gives_the_general_result() {
        let mut texts: Vec<String> = (0u8..0x7F).map(|b| format!("A{}b C", char::from(b))).collect();
        texts.extend(
            [
                "Northwind Traders, Inc.",
                "THE ACME & Co",
                "x+y",
                "  Tab\tSep  ",
                "O'Brien S.A.",
                "P001",
                "closed_won",
                "Closed Won",
                "",
                "the",
                "The Inc",
                "the the inc llc",
                "and and",
                "A &",
                "& Co",
                "  the  ",
                "x  y",
                " x",
                "x ",
                "Acme GmbH & Co. KG",
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(normalize_key(t), general(t), "{t:?}");
        }
    }

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
