//! The positions of a few special bytes in a text, found eight bytes at a
//! time: a query or a credential is mostly long runs of other bytes (an
//! access key id, a signature, a kilobyte token), and the verifier only
//! stops at the separators and escapes.

/// An iterator over the positions of the bytes of `set` in a text.
pub(crate) struct Specials<'a, const N: usize> {
    words: &'a [[u8; 8]],
    tail: [u8; 8],
    set: [u8; N],
    /// The next word's index.
    next: usize,
    /// One bit (the top of its byte) per special byte left in the current
    /// word.
    mask: u64,
    base: usize,
}

impl<'a, const N: usize> Specials<'a, N> {
    /// The positions in `b` of the bytes of `set`, which must not hold
    /// zero (the tail is padded with it).
    pub(crate) fn new(b: &'a [u8], set: [u8; N]) -> Self {
        debug_assert!(!set.contains(&0));
        let (words, rest) = b.as_chunks::<8>();
        // (Byte by byte: a copy of up to seven bytes is not worth a call
        // to memcpy.)
        let tail = rest
            .iter()
            .rev()
            .fold(0u64, |word, &b| word << 8 | u64::from(b))
            .to_le_bytes();
        Specials {
            words,
            tail,
            set,
            next: 0,
            mask: 0,
            base: 0,
        }
    }

    /// The top bit of each byte of `w` that is in the set.
    #[inline(always)]
    fn mask(&self, w: u64) -> u64 {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        // A byte of `x` is zero exactly where `w` has `t` (no carries
        // cross bytes: each sum is at most 0xfe).
        let zero = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
        self.set
            .iter()
            .fold(0, |m, &t| m | zero(w ^ (ONES * u64::from(t))))
    }
}

impl<const N: usize> Iterator for Specials<'_, N> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let word = match self.words.get(self.next) {
                Some(word) => *word,
                // (The tail is zero-padded: zero is not special.)
                None if self.next == self.words.len() => self.tail,
                None => return None,
            };
            self.base = self.next * 8;
            self.next += 1;
            self.mask = self.mask(u64::from_le_bytes(word));
        }
        let at = self.base + (self.mask.trailing_zeros() / 8) as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_byte_is_found_wherever_it_is() {
        for b in 1..=255u8 {
            for len in [1, 7, 8, 9, 16, 21] {
                for at in 0..len {
                    let mut text = vec![b'a'; len];
                    text[at] = b;
                    let found: Vec<usize> = Specials::new(&text, [b'/', b'%']).collect();
                    let expected = if b"/%".contains(&b) { vec![at] } else { vec![] };
                    assert_eq!(found, expected, "{b:#x} at {at} of {len}");
                }
            }
        }
        let all: Vec<usize> = Specials::new(b"a/b%2F//c", [b'/', b'%']).collect();
        assert_eq!(all, [1, 3, 6, 7]);
    }
}
