//! The JSON string writer the policy document, a condition's `Display` and
//! [`PresignedPost::to_json`](super::PresignedPost::to_json) share.

use core::fmt::Write as _;

/// Writes `s` as a JSON string that is pure ASCII: quotes, backslashes and
/// control characters escaped, everything outside ASCII as `\uXXXX` (with
/// surrogate pairs), so the policy survives any transport unchanged.
pub(super) fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii_control() || !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_ascii_and_round_trip() {
        for s in ["plain", "q\"uote\\back", "ctl\u{1}\n\t\r", "ü€😀", ""] {
            let mut out = String::new();
            write_json_string(s, &mut out);
            assert!(out.is_ascii());
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        }
    }
}
