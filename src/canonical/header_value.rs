//! Canonical header values: trimmed, with runs of whitespace (and folded
//! lines) collapsed to one space; most values are their own canonical form,
//! which is checked eight bytes at a time.

use crate::error::{Error, excerpt};

/// A header value in canonical form: trimmed, with every run of whitespace
/// (including the line breaks of folded lines) collapsed to one space.
///
/// ```
/// assert_eq!(presign::canonical::header_value("x", "  a   b\n  c ")?, "a b c");
/// # Ok::<(), presign::Error>(())
/// ```
///
/// Fails with [`Error::InvalidHeaderValue`] (naming `name`, never showing the
/// value) on a control character other than tab, CR or LF.
pub fn header_value(name: &str, value: &str) -> Result<String, Error> {
    let mut out = Vec::with_capacity(value.len());
    canonical_header_value(value, &mut out).map_err(|reason| Error::InvalidHeaderValue {
        name: excerpt(&name.to_ascii_lowercase()),
        reason,
    })?;
    // Only whole UTF-8 sequences and single spaces are written.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// Whether a header value is its own canonical form: no control character
/// (tab included), no space at either end, no two spaces in a row. Eight
/// bytes at a time: a value is mostly runs of other bytes.
pub(super) fn is_canonical_value(bytes: &[u8]) -> bool {
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let (words, rest) = bytes.as_chunks::<8>();
    // The last word: the last eight bytes, overlapping words already
    // checked (every pair of bytes it holds is checked again, and the pair
    // across its start was checked before), or a short value padded with a
    // byte that is neither space nor control.
    let last = match bytes.last_chunk::<8>() {
        Some(last) if !rest.is_empty() => *last,
        Some(_) => return words.iter().fold(Check::default(), Check::word).ok(),
        None => {
            let mut tail = [b'a'; 8];
            for (t, &b) in tail.iter_mut().zip(rest) {
                *t = b;
            }
            tail
        }
    };
    let check = words.iter().fold(Check::default(), Check::word);
    Check {
        space_before: 0,
        ..check
    }
    .word(&last)
    .ok()
}

/// [`is_canonical_value`]'s state over the words of a value.
#[derive(Default, Clone, Copy)]
struct Check {
    /// Whether the byte before the next word is a space (in the top bit).
    space_before: u64,
    /// The top bit of every byte found wrong.
    bad: u64,
}

impl Check {
    #[inline(always)]
    fn word(self, w: &[u8; 8]) -> Check {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        // The top bit of each byte of `x` that is zero, exactly (no carry
        // crosses a byte).
        let zero = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
        let w = u64::from_le_bytes(*w);
        // Bytes below 0x20 (exact where the byte's top bit is clear, which
        // the `!w` keeps), and DEL.
        let control = (w.wrapping_sub(ONES * 0x20) & !w & HIGH) | zero(w ^ (ONES * 0x7f));
        let space = zero(w ^ (ONES * u64::from(b' ')));
        // A space whose next byte is a space too.
        let double = space & ((space << 8) | self.space_before);
        Check {
            space_before: space >> 56,
            bad: self.bad | control | double,
        }
    }

    fn ok(self) -> bool {
        self.bad == 0
    }
}

/// Writes a header value trimmed, with every run of whitespace (space, tab,
/// and the CR/LF of folded lines) collapsed to one space. Rejects other
/// control characters.
pub(crate) fn canonical_header_value(value: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
    // Most values (hosts, dates, hashes, tokens, `text/plain;
    // charset=utf-8`) are their own canonical form: no control character,
    // no space at either end, no two spaces in a row.
    let bytes = value.as_bytes();
    if is_canonical_value(bytes) {
        out.extend_from_slice(bytes);
        return Ok(());
    }
    // Otherwise, each run between whitespace is copied whole, with one
    // space between runs.
    let mut run = None;
    let mut wrote = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                if let Some(start) = run.take() {
                    if wrote {
                        out.push(b' ');
                    }
                    out.extend_from_slice(&bytes[start..i]);
                    wrote = true;
                }
            }
            0..=0x1f | 0x7f => return Err("contains a control character"),
            _ => {
                if run.is_none() {
                    run = Some(i);
                }
            }
        }
    }
    if let Some(start) = run {
        if wrote {
            out.push(b' ');
        }
        out.extend_from_slice(&bytes[start..]);
    }
    Ok(())
}
