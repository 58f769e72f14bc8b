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

/// SHA-256 of `data`, into a fixed array.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut state = IV;
    finish(&mut state, 0, data, Wipe::No)
}

/// SHA-256 of the concatenation of `pieces`, without concatenating them.
///
/// The 64-byte block that collects the bytes across a piece boundary may
/// hold part of a session token; it is cleared before returning.
pub(crate) fn sha256_pieces(pieces: &[&[u8]]) -> [u8; 32] {
    let mut state = IV;
    let mut block = [0u8; 64];
    let mut filled = 0;
    let mut total = 0u64;
    for &piece in pieces {
        total += piece.len() as u64;
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
        }
        let (blocks, rest) = piece.as_chunks::<64>();
        if !blocks.is_empty() {
            compress256(&mut state, blocks);
        }
        block[..rest.len()].copy_from_slice(rest);
        filled = rest.len();
    }
    let out = finish(
        &mut state,
        total - filled as u64,
        &block[..filled],
        Wipe::Yes,
    );
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
    /// bytes: with it, [`mac_from`](Self::mac_from) signs any message that
    /// starts with that block for one compression less. As secret as the key.
    pub(crate) fn inner_after(&self, block: &[u8; 64]) -> [u32; 8] {
        let mut state = self.inner;
        compress256(&mut state, core::slice::from_ref(block));
        state
    }

    /// HMAC-SHA256 of a message whose first block `state` has absorbed (see
    /// [`inner_after`](Self::inner_after)); `rest` is the remainder.
    #[inline]
    pub(crate) fn mac_from(&self, mut state: [u32; 8], rest: &[u8]) -> [u8; 32] {
        let inner_hash = finish(&mut state, 128, rest, Wipe::No);
        state = self.outer;
        finish(&mut state, 64, &inner_hash, Wipe::No)
    }
}

impl Drop for HmacState {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
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
    fn a_saved_first_block_gives_the_same_mac() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 5 + 7) as u8).collect();
        let state = HmacState::new(b"key");
        for len in 64..300 {
            let msg = &data[..len];
            let first: &[u8; 64] = msg[..64].try_into().unwrap();
            let mid = state.inner_after(first);
            assert_eq!(
                state.mac_from(mid, &msg[64..]),
                reference(b"key", msg),
                "{len}"
            );
        }
    }

    #[test]
    fn pieces_hash_like_their_concatenation() {
        let data: Vec<u8> = (0..500u32).map(|i| (i * 13 + 1) as u8).collect();
        for a in (0..200).step_by(7) {
            for b in [0, 1, 55, 63, 64, 65, 128, 199] {
                for c in [0, 1, 9, 64, 70] {
                    let whole = &data[..a + b + c];
                    let (x, rest) = whole.split_at(a);
                    let (y, z) = rest.split_at(b);
                    let d: [u8; 32] = Sha256::digest(whole).into();
                    assert_eq!(sha256_pieces(&[x, y, z]), d, "{a} {b} {c}");
                }
            }
        }
    }
}
