//! Byte-string comparisons for short names, inline: eight bytes at a time
//! instead of a call to `memcmp` each.

use core::cmp::Ordering;

/// `a.cmp(b)`, comparing eight bytes at a time as big-endian numbers.
#[inline]
pub(crate) fn cmp_bytes(mut a: &[u8], mut b: &[u8]) -> Ordering {
    while let (Some((x, a_rest)), Some((y, b_rest))) =
        (a.split_first_chunk::<8>(), b.split_first_chunk::<8>())
    {
        if x != y {
            return u64::from_be_bytes(*x).cmp(&u64::from_be_bytes(*y));
        }
        (a, b) = (a_rest, b_rest);
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// `a == b`, inline for texts of up to 24 bytes (names, algorithms,
/// scope parts): a byte at a time below eight, three overlapping
/// eight-byte words up to 24; longer texts are compared as usual.
#[inline]
pub(crate) fn same_short(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |t: &[u8], at: usize| t.get(at..).and_then(|t| t.first_chunk::<8>().copied());
    match a.len() {
        0..8 => a.iter().zip(b).all(|(x, y)| x == y),
        8..=24 => {
            let (mid, last) = ((a.len() - 8) / 2, a.len() - 8);
            // The last word first: names sorted next to each other
            // (`x-amz-meta-*`) mostly differ at their ends.
            word(a, last) == word(b, last)
                && word(a, 0) == word(b, 0)
                && word(a, mid) == word(b, mid)
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_agree_with_the_slices() {
        let texts: Vec<Vec<u8>> = (0..30)
            .flat_map(|len| {
                let base: Vec<u8> = (0..len).map(|i| b'a' + (i % 7) as u8).collect();
                let mut variants = vec![base.clone()];
                for at in 0..len {
                    let mut v = base.clone();
                    v[at] = b'Z';
                    variants.push(v);
                    let mut v = base.clone();
                    v[at] = 0xff;
                    variants.push(v);
                }
                variants
            })
            .collect();
        for a in &texts {
            for b in &texts {
                assert_eq!(cmp_bytes(a, b), a.cmp(b), "{a:?} {b:?}");
                assert_eq!(same_short(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }
}
