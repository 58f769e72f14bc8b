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

/// The length of what [`write_json_string`] writes for `s`, quotes
/// included.
pub(super) fn json_string_len(s: &str) -> usize {
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' => 2,
            ' '..='~' => 1,
            c => 6 * c.len_utf16(),
        })
        .sum::<usize>()
}

/// What [`write_json_string`] writes between the quotes.
#[inline]
pub(super) fn write_json_string_body(s: &str, out: &mut String) {
    // Nearly every policy text is printable ASCII other than `"` and `\`,
    // and is copied whole.
    if plain_run(s.as_bytes()) == s.len() {
        out.push_str(s);
    } else {
        write_escaped(s, out);
    }
}

/// [`write_json_string_body`] of a text with something to escape.
fn write_escaped(s: &str, out: &mut String) {
    // Runs that need no escaping are copied whole; only the rest is looked
    // at a character at a time.
    let mut rest = s;
    while !rest.is_empty() {
        let run = plain_run(rest.as_bytes());
        out.push_str(rest.get(..run).unwrap_or_default());
        rest = rest.get(run..).unwrap_or_default();
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

/// Whether a byte is written as it is: printable ASCII other than `"` and
/// `\`.
const fn is_plain(b: u8) -> bool {
    matches!(b, b' '..=b'~') && b != b'"' && b != b'\\'
}

/// The length of the run of [plain](is_plain) bytes `bytes` starts with,
/// looked at eight bytes at a time.
#[inline]
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` that is zero. Above a zero byte the
    // subtraction's borrow can flag more, but never below the first, which
    // is all `trailing_zeros` reads.
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // Below 0x20 (as for `zero`), 0x80 and above, DEL, `"` and `\`.
        let special = (w.wrapping_sub(ONES * 0x20) & !w & HIGH)
            | (w & HIGH)
            | zero(w ^ (ONES * 0x7f))
            | zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')));
        if special != 0 {
            return i + (special.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + bytes[i..]
        .iter()
        .position(|&b| !is_plain(b))
        .unwrap_or(bytes.len() - i)
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
            assert_eq!(json_string_len(s), out.len(), "{s:?}");
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        }
    }

    #[test]
    fn plain_runs_end_at_the_first_byte_to_escape() {
        let slow = |b: &[u8]| b.iter().position(|&c| !is_plain(c)).unwrap_or(b.len());
        for len in 0..20 {
            for at in 0..len {
                for special in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    // What follows the first byte to escape must not matter.
                    if at + 1 < len {
                        bytes[at + 1] = 0;
                    }
                    assert_eq!(plain_run(&bytes), slow(&bytes), "{bytes:?}");
                }
            }
            assert_eq!(plain_run(&vec![b'~'; len]), len);
        }
    }
}
