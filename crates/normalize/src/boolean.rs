//! Yes/no values as people write them: `true`/`false`, `Y`/`N`, `1`/`0`, `x`, `ja`/`nein`, `oui`/`non`.

/// Parses a yes/no value (any case); `None` when the text is not one.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" | "x" | "ja" | "oui" => Some(true),
        "false" | "f" | "no" | "n" | "0" | "nein" | "non" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no() {
        for (text, value) in [
            ("TRUE", Some(true)),
            (" y ", Some(true)),
            ("x", Some(true)),
            ("Nein", Some(false)),
            ("0", Some(false)),
            ("maybe", None),
            ("", None),
        ] {
            assert_eq!(parse_bool(text), value, "{text}");
        }
    }
}
