//! The JSON string writer the policy document, a condition's `Display` and
//! [`PresignedPost::to_json`](super::PresignedPost::to_json) share.

use core::fmt::Write as _;

/// Writes `s` as a JSON string that is pure ASCII: quotes, backslashes and
/// control characters escaped, everything outside ASCII as `\uXXXX` (with
/// surrogate pairs), so the policy survives any transport unchanged.
pub(super) fn write_json_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
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
    out.push('"');
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
