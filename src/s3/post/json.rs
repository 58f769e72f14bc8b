//! The JSON string writer the policy document, a condition's `Display` and
//! [`PresignedPost::to_json`](super::PresignedPost::to_json) share.

use core::fmt::Write as _;

/// Writes `s` as a JSON string that is pure ASCII: quotes, backslashes and
/// control characters escaped, everything outside ASCII as `\uXXXX` (with
/// surrogate pairs), so the policy survives any transport unchanged.
pub(super) fn write_json_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    write_json_string_body(s, out);
    out.push('"');
}

/// [`write_json_string`] of `prefix` then `s` (a `starts-with` condition's
/// `$field`), without building the joined text.
pub(super) fn write_json_string_prefixed(prefix: char, s: &str, out: &mut String) {
    out.reserve(s.len() + 3);
    out.push('"');
    let mut buf = [0u8; 4];
    write_json_string_body(prefix.encode_utf8(&mut buf), out);
    write_json_string_body(s, out);
    out.push('"');
}

/// The escaped text, without quotes.
fn write_json_string_body(s: &str, out: &mut String) {
    // Runs of printable ASCII other than `"` and `\` (nearly every policy
    // value) are copied whole; only the rest is looked at a character at a
    // time.
    let mut rest = s;
    while !rest.is_empty() {
        let run = rest
            .bytes()
            .position(|b| !(b' '..=b'~').contains(&b) || b == b'"' || b == b'\\')
            .unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        let Some(c) = rest.chars().next() else { break };
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
        rest = &rest[c.len_utf8()..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_ascii_and_round_trip() {
        for s in [
            "plain",
            "q\"uote\\back",
            "ctl\u{1}\n\t\r\u{7f}",
            "ü€😀",
            "",
            "a\"",
            "\\b",
            "mixed ü and \"quotes\" ~",
        ] {
            let mut out = String::new();
            write_json_string(s, &mut out);
            assert!(out.is_ascii());
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        }
    }
}
