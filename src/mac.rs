//! HMAC-SHA256 at the block level, on top of `sha2`'s compression function.
//!
//! A keyed HMAC state is the SHA-256 state after absorbing the key's ipad
//! block and the state after absorbing its opad block. Keeping both lets
//! every later MAC skip those two compressions: a string to sign of up to 55
//! bytes past one block costs two compressions for the inner hash and one for
//! the outer. Keeping the states in our own type also lets us zeroize them,
//! which a generic HMAC implementation does not do.

use sha2::block_api::compress256;
use zeroize::Zeroize;

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The hex SHA-256 of the empty string: an empty body's payload hash, and
/// the fifth line of every chunk's string to sign.
pub(crate) const EMPTY_SHA256_HEX: &[u8; 64] =
    b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The SHA-256 of the empty string: the data hash of the final chunk.
pub(crate) const EMPTY_SHA256: [u8; 32] = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// SHA-256 of `data`, into a fixed array.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut state = IV;
    finish(&mut state, 0, data, Wipe::No)
}

/// Pads the message `data[..len]` in place (which `state` continues after
/// `prefix_len` bytes, a multiple of 64) and compresses it, padding and all,
/// with one call of the compression function instead of two. `data` needs
/// room past `len` for the padding: up to 72 bytes. Returns the digest, or
/// `None` (and leaves `state` alone) without that room.
pub(crate) fn finish_in_place(
    state: &mut [u32; 8],
    prefix_len: u64,
    data: &mut [u8],
    len: usize,
) -> Option<[u8; 32]> {
    let padded = (len + 9).div_ceil(64) * 64;
    let message = data.get_mut(..padded)?;
    message[len] = 0x80;
    message[len + 1..padded - 8].fill(0);
    let bits = (prefix_len + len as u64).wrapping_mul(8);
    message[padded - 8..].copy_from_slice(&bits.to_be_bytes());
    let (blocks, _) = message.as_chunks::<64>();
    compress256(state, blocks);
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state.iter()) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    Some(out)
}

/// SHA-256 of the bytes in `buf`, padded in place at its end (so the hash
/// takes one call of the compression function) and truncated back.
pub(crate) fn sha256_in_place(buf: &mut Vec<u8>) -> [u8; 32] {
    let len = buf.len();
    buf.resize(len + 72, 0);
    let mut state = IV;
    let hash = finish_in_place(&mut state, 0, buf, len);
    buf.truncate(len);
    // The room is always there; the fallback is never taken.
    hash.unwrap_or_else(|| sha256(buf))
}

/// SHA-256 of `buf[..at]`, then `insert`, then `buf[at..]`, without copying
/// `insert` (a session token) into `buf`. The part of `buf` after the last
/// block boundary is padded in place at its end (and `buf` truncated back),
/// as in [`sha256_in_place`].
///
/// The 64-byte block that collects the bytes across the splice may hold
/// part of `insert`; it is cleared before returning.
pub(crate) fn sha256_spliced(buf: &mut Vec<u8>, at: usize, insert: &[u8]) -> [u8; 32] {
    let len = buf.len();
    let at = at.min(len);
    let mut state = IV;
    let mut block = [0u8; 64];
    let mut filled = 0;
    // Bytes compressed so far (whole blocks).
    let mut absorbed = 0u64;
    for piece in [&buf[..at], insert] {
        let mut piece = piece;
        if filled > 0 {
            let take = piece.len().min(64 - filled);
            block[filled..filled + take].copy_from_slice(&piece[..take]);
            filled += take;
            piece = &piece[take..];
            if filled < 64 {
                continue;
            }
            compress256(&mut state, core::slice::from_ref(&block));
            absorbed += 64;
        }
        let (blocks, rest) = piece.as_chunks::<64>();
        if !blocks.is_empty() {
            compress256(&mut state, blocks);
            absorbed += 64 * blocks.len() as u64;
        }
        block[..rest.len()].copy_from_slice(rest);
        filled = rest.len();
    }
    // The tail: complete the pending block from its start, then hash the
    // rest of it where it lies.
    let tail_len = len - at;
    let take = tail_len.min(64 - filled) * usize::from(filled > 0);
    block[filled..filled + take].copy_from_slice(&buf[at..at + take]);
    filled += take;
    let out = if filled == 64 || filled == 0 {
        if filled == 64 {
            compress256(&mut state, core::slice::from_ref(&block));
            absorbed += 64;
        }
        let start = at + take;
        buf.resize(len + 72, 0);
        let hash = finish_in_place(&mut state, absorbed, &mut buf[start..], len - start);
        buf.truncate(len);
        // The room is always there; the fallback (which copies the last
        // block) is never taken, and would give the same hash.
        hash.unwrap_or_else(|| finish(&mut state, absorbed, &buf[start..], Wipe::No))
    } else {
        // The whole tail fit in the pending block.
        finish(&mut state, absorbed, &block[..filled], Wipe::Yes)
    };
    block.fill(0);
    core::hint::black_box(&mut block);
    out
}

/// SHA-256 of secret `data` (a key): the copy of its tail and the working
/// state are zeroized afterwards.
pub(crate) fn sha256_secret(data: &[u8]) -> [u8; 32] {
    let mut state = IV;
    let out = finish(&mut state, 0, data, Wipe::Yes);
    state.zeroize();
    out
}

/// Whether [`finish`] zeroizes its copy of the message's tail.
#[derive(PartialEq, Eq)]
enum Wipe {
    Yes,
    No,
}

/// Absorbs `msg` into `state` (which has already absorbed `prefix_len` bytes,
/// a multiple of 64), pads, and returns the digest. Leaves `state` scrambled.
fn finish(state: &mut [u32; 8], prefix_len: u64, msg: &[u8], wipe: Wipe) -> [u8; 32] {
    let (blocks, rest) = msg.as_chunks::<64>();
    if !blocks.is_empty() {
        compress256(state, blocks);
    }
    let mut tail = [[0u8; 64]; 2];
    let flat = tail.as_flattened_mut();
    flat[..rest.len()].copy_from_slice(rest);
    flat[rest.len()] = 0x80;
    let n = if rest.len() < 56 { 1 } else { 2 };
    let bits = (prefix_len + msg.len() as u64).wrapping_mul(8);
    flat[n * 64 - 8..n * 64].copy_from_slice(&bits.to_be_bytes());
    compress256(state, &tail[..n]);
    if wipe == Wipe::Yes {
        // A plain fill made observable with `black_box`, as for the scratch
        // buffers: `zeroize`'s byte-by-byte volatile stores would cost as much
        // as a compression on every presign with a token.
        tail.as_flattened_mut().fill(0);
        core::hint::black_box(&mut tail);
    }
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state.iter()) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// A keyed HMAC-SHA256: the inner and outer states after the pad blocks.
/// Zeroized on drop.
#[derive(Clone)]
pub(crate) struct HmacState {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacState {
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            let mut h = sha256_secret(key);
            block[..32].copy_from_slice(&h);
            h.zeroize();
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut pads = [[0u8; 64]; 1];
        let mut inner = IV;
        let mut outer = IV;
        for (p, k) in pads[0].iter_mut().zip(block.iter()) {
            *p = k ^ 0x36;
        }
        compress256(&mut inner, &pads);
        for (p, k) in pads[0].iter_mut().zip(block.iter()) {
            *p = k ^ 0x5c;
        }
        compress256(&mut outer, &pads);
        block.zeroize();
        pads[0].zeroize();
        HmacState { inner, outer }
    }

    /// HMAC-SHA256 of `msg` under this key.
    ///
    /// Nothing here needs wiping: the keyed states are only read, and what
    /// the working copies end up holding is the inner hash and the MAC.
    #[inline]
    pub(crate) fn mac(&self, msg: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let inner_hash = finish(&mut state, 64, msg, Wipe::No);
        state = self.outer;
        finish(&mut state, 64, &inner_hash, Wipe::No)
    }
}

impl HmacState {
    /// The inner hash state after absorbing `block`, a message's first 64
    /// bytes: with it, [`mac_in_place`](Self::mac_in_place) signs any message that
    /// starts with that block for one compression less. As secret as the key.
    pub(crate) fn inner_after(&self, block: &[u8; 64]) -> [u32; 8] {
        let mut state = self.inner;
        compress256(&mut state, core::slice::from_ref(block));
        state
    }

    /// HMAC-SHA256 of a message whose first `prefix_len` bytes (past the
    /// pad block) `state` has absorbed, `data[..len]` being the rest, padded
    /// in place (see [`finish_in_place`]). `None` without room for the
    /// padding.
    pub(crate) fn mac_in_place(
        &self,
        mut state: [u32; 8],
        prefix_len: u64,
        data: &mut [u8],
        len: usize,
    ) -> Option<[u8; 32]> {
        let inner_hash = finish_in_place(&mut state, 64 + prefix_len, data, len)?;
        state = self.outer;
        Some(finish(&mut state, 64, &inner_hash, Wipe::No))
    }
}

impl Drop for HmacState {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// Room a message needs after it for its SHA-256 padding: the `0x80` byte,
/// up to 63 zeros and the 8-byte length.
pub(crate) const PADDING_ROOM: usize = 72;

/// A short message (a string to sign) on the stack, with room after it for
/// its padding, so that MACing it pads in place and takes one call of the
/// compression function. `N` includes [`PADDING_ROOM`].
#[derive(Clone, Copy)]
pub(crate) struct Padded<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Padded<N> {
    pub(crate) const fn new() -> Self {
        Padded {
            buf: [0; N],
            len: 0,
        }
    }

    /// Appends `bytes`; a message longer than `N - PADDING_ROOM` (never
    /// written: every piece is bounded) is truncated rather than a panic.
    #[inline]
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        let end = (self.len + bytes.len()).min(N - PADDING_ROOM);
        let n = end - self.len;
        self.buf[self.len..end].copy_from_slice(&bytes[..n]);
        self.len = end;
    }

    /// Appends a piece of known length (copied without a call), if it fits.
    #[inline(always)]
    pub(crate) fn push_array<const M: usize>(&mut self, bytes: &[u8; M]) {
        if let Some(room) = self
            .buf
            .get_mut(self.len..self.len + M)
            .filter(|_| self.len + M <= N - PADDING_ROOM)
        {
            room.copy_from_slice(bytes);
            self.len += M;
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Writes `bytes` over the message's last `M` bytes (nothing if it is
    /// shorter).
    #[inline(always)]
    pub(crate) fn overwrite_end<const M: usize>(&mut self, bytes: &[u8; M]) {
        if let Some(end) = self.buf[..self.len].last_chunk_mut::<M>() {
            *end = *bytes;
        }
    }
}

/// The inner HMAC state after the first 64-byte block of a message, kept
/// for the next messages that start with the same block (a string to sign
/// starts with the algorithm, the `X-Amz-Date` and the scope: the same for
/// every request one key signs in one second). It saves one compression a
/// MAC. As secret as the key; zeroized when replaced or dropped.
#[derive(Default)]
pub(crate) struct FirstBlockState {
    state: Option<[u32; 8]>,
}

impl FirstBlockState {
    /// Forgets the saved state: the next message starts another block.
    pub(crate) fn forget(&mut self) {
        if let Some(state) = self.state.as_mut() {
            state.zeroize();
        }
        self.state = None;
    }
}

impl Drop for FirstBlockState {
    fn drop(&mut self) {
        self.forget();
    }
}

impl HmacState {
    /// HMAC-SHA256 of `msg`, padded in place. `first` holds (or receives)
    /// the inner state after `msg`'s first block, which the caller vouches
    /// is the same block as last time unless it called
    /// [`forget`](FirstBlockState::forget). Only a message whose first block
    /// is followed by at least 64 more bytes saves it (a string to sign
    /// ends in a 64-digit hash that differs between requests).
    pub(crate) fn mac_padded<const N: usize>(
        &self,
        msg: &mut Padded<N>,
        first: &mut FirstBlockState,
    ) -> [u8; 32] {
        let len = msg.len;
        let mac = match msg.buf.split_first_chunk_mut::<64>() {
            Some((block, rest)) if len >= 128 => {
                let state = *first.state.get_or_insert_with(|| self.inner_after(block));
                self.mac_in_place(state, 64, rest, len - 64)
            }
            _ => self.mac_in_place(self.inner, 0, &mut msg.buf, len),
        };
        // The room is always there; the fallback is never taken.
        mac.unwrap_or_else(|| self.mac(&msg.buf[..len]))
    }
}

/// One-shot HMAC-SHA256.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    HmacState::new(key).mac(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::{Digest, Sha256};

    #[test]
    fn the_empty_hash_is_the_empty_hash() {
        assert_eq!(&crate::signature::hex64(&EMPTY_SHA256), EMPTY_SHA256_HEX);
        assert_eq!(sha256(b""), EMPTY_SHA256);
    }

    fn reference(key: &[u8], msg: &[u8]) -> [u8; 32] {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
        m.update(msg);
        m.finalize().into_bytes().into()
    }

    // RFC 4231 test case 2.
    #[test]
    fn rfc4231_case_2() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn matches_reference_at_every_length_boundary() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for key_len in [0, 1, 32, 63, 64, 65, 131] {
            for msg_len in 0..200 {
                let (k, m) = (&data[..key_len], &data[50..50 + msg_len]);
                assert_eq!(hmac_sha256(k, m), reference(k, m), "{key_len} {msg_len}");
            }
        }
        for len in 0..300 {
            let d: [u8; 32] = Sha256::digest(&data[..len]).into();
            assert_eq!(sha256(&data[..len]), d, "{len}");
        }
    }

    #[test]
    fn mac_in_place_matches_the_reference() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 3 + 1) as u8).collect();
        let key = HmacState::new(b"key");
        for len in 0..250 {
            let mut room = data[..len].to_vec();
            room.resize(len + 72, 0);
            let whole = key.mac_in_place(key.inner, 0, &mut room, len);
            assert_eq!(whole, Some(reference(b"key", &data[..len])), "{len}");
            if len >= 64 {
                let first: &[u8; 64] = data[..64].try_into().unwrap();
                let mut rest = data[64..len].to_vec();
                rest.resize(len - 64 + 72, 0);
                let mid = key.inner_after(first);
                let saved = key.mac_in_place(mid, 64, &mut rest, len - 64);
                assert_eq!(saved, Some(reference(b"key", &data[..len])), "{len}");
            }
        }
    }

    #[test]
    fn padded_messages_mac_like_the_reference_with_and_without_a_saved_block() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 5 + 2) as u8).collect();
        let key = HmacState::new(b"key");
        for len in 0..250 {
            let mut msg = Padded::<{ 250 + PADDING_ROOM }>::new();
            msg.push(&data[..len]);
            assert_eq!(msg.as_bytes(), &data[..len]);
            let mut first = FirstBlockState::default();
            let expected = reference(b"key", &data[..len]);
            assert_eq!(
                key.mac_padded(&mut msg.clone(), &mut first),
                expected,
                "{len}"
            );
            // Again with the saved block (same first block, other tail).
            let mut other = data[..len].to_vec();
            if let Some(last) = other.last_mut().filter(|_| len > 64) {
                *last ^= 1;
            }
            let mut msg = Padded::<{ 250 + PADDING_ROOM }>::new();
            msg.push(&other);
            assert_eq!(
                key.mac_padded(&mut msg, &mut first),
                reference(b"key", &other),
                "{len}"
            );
        }
        // Longer than the room: truncated, not a panic.
        let mut msg = Padded::<{ 8 + PADDING_ROOM }>::new();
        msg.push(b"0123456789");
        assert_eq!(msg.as_bytes(), b"01234567");
    }

    #[test]
    fn padding_in_place_hashes_like_the_reference() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 11 + 5) as u8).collect();
        for len in 0..200 {
            let mut room = data[..len].to_vec();
            room.resize(len + 72, 0xAA);
            let mut state = IV;
            let d: [u8; 32] = Sha256::digest(&data[..len]).into();
            assert_eq!(
                finish_in_place(&mut state, 0, &mut room, len),
                Some(d),
                "{len}"
            );
            // Without the room, nothing happens.
            let mut state = IV;
            let mut tight = data[..len].to_vec();
            assert_eq!(
                finish_in_place(&mut state, 0, &mut tight, len),
                None,
                "{len}"
            );
            assert_eq!(state, IV);
        }
    }

    #[test]
    fn a_splice_hashes_like_the_concatenation() {
        let data: Vec<u8> = (0..600u32).map(|i| (i * 13 + 1) as u8).collect();
        for a in (0..200).step_by(7) {
            for b in [0, 1, 55, 63, 64, 65, 128, 199] {
                for c in [0, 1, 9, 63, 64, 70, 130] {
                    let whole = &data[..a + b + c];
                    let (head, rest) = whole.split_at(a);
                    let (insert, tail) = rest.split_at(b);
                    let mut buf = [head, tail].concat();
                    let d: [u8; 32] = Sha256::digest(whole).into();
                    assert_eq!(sha256_spliced(&mut buf, a, insert), d, "{a} {b} {c}");
                    assert_eq!(buf, [head, tail].concat(), "buffer restored");
                }
            }
        }
    }
}
