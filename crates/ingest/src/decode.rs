//! Text decoding: which encoding a file is in, whether it said so (a byte-order mark),
//! and how many bytes could not be decoded.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use std::borrow::Cow;

/// A decoded text input and what the decoder found out about it.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// The text (borrowed when the input was valid UTF-8 without a BOM).
    pub text: Cow<'a, str>,
    /// The encoding the bytes were read as.
    pub encoding: &'static Encoding,
    /// Whether a byte-order mark declared the encoding.
    pub bom: bool,
    /// How the encoding was decided: `declared by a byte-order mark`, `valid UTF-8`,
    /// `UTF-16 byte pattern` or `statistical guess`.
    pub how: &'static str,
    /// Whether some bytes were malformed in that encoding (each became U+FFFD).
    pub malformed: bool,
}

/// Decodes `bytes`: a BOM first (UTF-8, UTF-16 LE/BE), then UTF-16 without a BOM (every
/// other byte zero in mostly-ASCII text), then valid UTF-8, then the encoding chardetng
/// finds most likely (Windows-1252 for most Western files).
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let (text, malformed) = encoding.decode_without_bom_handling(rest);
        return Decoded { text, encoding, bom: true, how: "declared by a byte-order mark", malformed };
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, malformed) = encoding.decode_without_bom_handling(bytes);
        return Decoded { text, encoding, bom: false, how: "UTF-16 byte pattern", malformed };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded { text: Cow::Borrowed(text), encoding: UTF_8, bom: false, how: "valid UTF-8", malformed: false };
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, malformed) = encoding.decode_without_bom_handling(bytes);
    Decoded { text, encoding, bom: false, how: "statistical guess", malformed }
}

/// UTF-16 without a BOM shows as every other byte zero in ASCII-heavy text.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd_zero * 10 > pairs * 8 && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 > pairs * 8 && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Whether `bytes` look like text rather than a binary format: no NUL bytes in the
/// first 8 KiB unless the text is UTF-16.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() || utf16_without_bom(bytes).is_some() {
        return true;
    }
    let head = &bytes[..bytes.len().min(8192)];
    !head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_and_how_they_were_found() {
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode("Kunde;Müller Söhne;Straße;Bäckerei Öztürk GmbH;Größe");
        let cases: Vec<(Vec<u8>, &str, &str, bool, &str)> = vec![
            (b"\xEF\xBB\xBFa,b".to_vec(), "a,b", "UTF-8", true, "declared by a byte-order mark"),
            (b"\xFF\xFEa\x00,\x00b\x00".to_vec(), "a,b", "UTF-16LE", true, "declared by a byte-order mark"),
            (b"\xFE\xFF\x00a\x00,\x00b".to_vec(), "a,b", "UTF-16BE", true, "declared by a byte-order mark"),
            (b"a\x00,\x00b\x00c\x00\n\x00".to_vec(), "a,bc\n", "UTF-16LE", false, "UTF-16 byte pattern"),
            (b"\x00a\x00,\x00b\x00c\x00\n".to_vec(), "a,bc\n", "UTF-16BE", false, "UTF-16 byte pattern"),
            (b"a,b\n".to_vec(), "a,b\n", "UTF-8", false, "valid UTF-8"),
            (latin.into_owned(), "Kunde;Müller Söhne;Straße;Bäckerei Öztürk GmbH;Größe", "windows-1252", false, "statistical guess"),
        ];
        for (bytes, text, encoding, bom, how) in cases {
            let d = decode(&bytes);
            assert_eq!((d.text.as_ref(), d.encoding.name(), d.bom, d.how), (text, encoding, bom, how), "{bytes:?}");
            assert!(!d.malformed);
        }
        assert!(decode(b"\xFF\xFEa\x00b").malformed, "odd UTF-16 length is reported");
    }

    #[test]
    fn text_or_binary() {
        for (bytes, text) in [(&b"a,b\n"[..], true), (b"\xFF\xFEa\x00", true), (b"PK\x03\x04\x00\x00", false), (b"", true)] {
            assert_eq!(looks_like_text(bytes), text, "{bytes:?}");
        }
    }
}
