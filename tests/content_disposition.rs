//! `ContentDisposition` values parse back, as RFC 6266 user agents read
//! them, to the name given: `filename*` (RFC 8187: `UTF-8''` and
//! percent-encoded bytes) when present, else the quoted `filename`; and the
//! ASCII fallback is always a safe quoted string. The parser here is written
//! from the RFCs, independently of the crate.

use proptest::prelude::*;

use presign::s3::ContentDisposition;

/// The parameters of a disposition value: `; name=value`, the value a
/// token or a quoted string (which may hold `;`).
fn params(rest: &str) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    let mut rest = rest;
    while !rest.is_empty() {
        rest = rest.strip_prefix("; ").expect("; between parameters");
        let (name, tail) = rest.split_once('=').expect("name=value");
        if let Some(quoted) = tail.strip_prefix('"') {
            let end = quoted.find('"').expect("a closing quote");
            out.push((name.to_owned(), quoted[..end].to_owned(), true));
            rest = &quoted[end + 1..];
        } else {
            let end = tail.find(';').unwrap_or(tail.len());
            out.push((name.to_owned(), tail[..end].to_owned(), false));
            rest = &tail[end..];
        }
    }
    out
}

/// What an RFC 6266 user agent takes as the file name: `filename*` first.
fn parse(value: &str) -> (String, Option<String>, String) {
    let end = value.find(';').unwrap_or(value.len());
    let kind = value[..end].to_owned();
    let (mut fallback, mut extended) = (None, None);
    for (name, v, quoted) in params(&value[end..]) {
        match name.as_str() {
            "filename" => {
                assert!(quoted, "{value}");
                // A quoted-string without escapes: no `\` inside.
                assert!(!v.contains('\\'), "{value}");
                fallback = Some(v);
            }
            "filename*" => {
                assert!(!quoted, "{value}");
                let encoded = v.strip_prefix("UTF-8''").expect("UTF-8''");
                let mut bytes = Vec::new();
                let mut rest = encoded.as_bytes();
                while let Some((&b, tail)) = rest.split_first() {
                    if b == b'%' {
                        let hex = std::str::from_utf8(&tail[..2]).unwrap();
                        bytes.push(u8::from_str_radix(hex, 16).unwrap());
                        rest = &tail[2..];
                    } else {
                        // RFC 8187 attr-char only.
                        assert!(
                            b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b),
                            "{value}"
                        );
                        bytes.push(b);
                        rest = tail;
                    }
                }
                extended = Some(String::from_utf8(bytes).expect("UTF-8"));
            }
            other => panic!("unexpected parameter {other} in {value}"),
        }
    }
    let fallback = fallback.expect("a filename");
    (kind, extended, fallback)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_name_parses_back(name in "\\PC{1,40}|[ -~]{1,40}|[\\u{0}-\\u{7f}]{1,20}") {
        let value = ContentDisposition::attachment(&name).unwrap().to_string();
        // One header line: visible ASCII and spaces only.
        prop_assert!(value.bytes().all(|b| (b' '..=b'~').contains(&b)), "{}", value);
        let (kind, extended, fallback) = parse(&value);
        prop_assert_eq!(kind, "attachment");
        // The name a user agent uses is the one given.
        let used = extended.clone().unwrap_or_else(|| fallback.clone());
        prop_assert_eq!(&used, &name);
        // The fallback keeps every safe character, in place.
        prop_assert_eq!(fallback.chars().count(), name.chars().count());
        prop_assert!(!fallback.contains(['/', '%']));
        // filename* only when the fallback differs.
        prop_assert_eq!(extended.is_some(), fallback != name);
    }
}

#[test]
fn inline_names_too() {
    let value = ContentDisposition::inline_named("Ünïcode ✓.txt")
        .unwrap()
        .to_string();
    let (kind, extended, _) = parse(&value);
    assert_eq!(kind, "inline");
    assert_eq!(extended.as_deref(), Some("Ünïcode ✓.txt"));
}
