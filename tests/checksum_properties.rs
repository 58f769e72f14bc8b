//! Properties of the checksum helpers (`presign::checksum`): every
//! algorithm against a plain reference written here from its
//! specification (bitwise reflected CRCs with the CRC catalogue's
//! parameters, FIPS 180-4 SHA-1 and SHA-256), pieces against the whole, and
//! `from_base64` against arbitrary text (never a panic; only canonical
//! values of the right length accepted, and they round-trip).
//!
//! Failure persistence is off so that a failing run writes no files.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;

use presign::checksum::ChecksumHasher;
use presign::{Checksum, ChecksumAlgorithm, Error};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A reflected CRC with init and xorout all ones (CRC-32/ISO-HDLC,
/// CRC-32/ISCSI and CRC-64/NVME are all of this shape).
fn crc_reflected(data: &[u8], poly: u64, width: u32) -> u64 {
    let mask = if width == 64 {
        u64::MAX
    } else {
        (1 << width) - 1
    };
    let mut crc = mask;
    for &b in data {
        crc ^= u64::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ poly
            } else {
                crc >> 1
            };
        }
    }
    crc ^ mask
}

/// FIPS 180-4 padding: the message, 0x80, zeros, the bit length (64-bit BE).
fn padded(data: &[u8]) -> Vec<u8> {
    let mut m = data.to_vec();
    m.push(0x80);
    while m.len() % 64 != 56 {
        m.push(0);
    }
    m.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    m
}

fn sha1_reference(data: &[u8]) -> Vec<u8> {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    for block in padded(data).chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().flat_map(|x| x.to_be_bytes()).collect()
}

const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

fn sha256_reference(data: &[u8]) -> Vec<u8> {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    for block in padded(data).chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K256[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().flat_map(|x| x.to_be_bytes()).collect()
}

fn reference(algorithm: ChecksumAlgorithm, data: &[u8]) -> String {
    let raw = match algorithm {
        ChecksumAlgorithm::Crc32 => (crc_reflected(data, 0xEDB8_8320, 32) as u32)
            .to_be_bytes()
            .to_vec(),
        ChecksumAlgorithm::Crc32c => (crc_reflected(data, 0x82F6_3B78, 32) as u32)
            .to_be_bytes()
            .to_vec(),
        ChecksumAlgorithm::Crc64Nvme => crc_reflected(data, 0x9A6C_9329_AC4B_C9B5, 64)
            .to_be_bytes()
            .to_vec(),
        ChecksumAlgorithm::Sha1 => sha1_reference(data),
        ChecksumAlgorithm::Sha256 => sha256_reference(data),
        _ => unreachable!("a new algorithm needs a reference"),
    };
    STANDARD.encode(raw)
}

#[test]
fn the_references_meet_their_check_values() {
    let nine = b"123456789";
    assert_eq!(crc_reflected(nine, 0xEDB8_8320, 32), 0xCBF4_3926);
    assert_eq!(crc_reflected(nine, 0x82F6_3B78, 32), 0xE306_9283);
    assert_eq!(
        crc_reflected(nine, 0x9A6C_9329_AC4B_C9B5, 64),
        0xAE8B_1486_0A79_9888
    );
    assert_eq!(
        hex::encode(sha1_reference(b"abc")),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        hex::encode(sha256_reference(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

fn algorithm() -> impl Strategy<Value = ChecksumAlgorithm> {
    (0..ChecksumAlgorithm::ALL.len()).prop_map(|i| ChecksumAlgorithm::ALL[i])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_helper_matches_the_reference(
        algorithm in algorithm(),
        data in proptest::collection::vec(any::<u8>(), 1..600),
        cut in any::<proptest::sample::Index>(),
    ) {
        let expected = reference(algorithm, &data);
        let whole = Checksum::compute(algorithm, &data).expect("non-empty");
        prop_assert_eq!(whole.as_str(), expected.as_str());
        prop_assert!(!whole.is_empty_body());
        // In two pieces, cut anywhere.
        let at = cut.index(data.len() + 1);
        let mut h = ChecksumHasher::new(algorithm);
        h.update(&data[..at]);
        h.update(&data[at..]);
        prop_assert_eq!(h.finish(), whole);
        // The value round-trips through from_base64 (unless it happens to
        // be the empty-body value, which from_base64 refuses).
        match Checksum::from_base64(algorithm, whole.as_str()) {
            Ok(back) => prop_assert_eq!(back, whole),
            Err(Error::EmptyBodyChecksum { .. }) => {
                prop_assert_eq!(whole, Checksum::of_empty_body(algorithm));
            }
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn from_base64_never_panics_and_accepts_only_canonical_values(
        algorithm in algorithm(),
        text in "[A-Za-z0-9+/=_\\-ü ]{0,48}",
    ) {
        match Checksum::from_base64(algorithm, &text) {
            Ok(c) => {
                prop_assert_eq!(c.as_str(), text.as_str());
                let raw = STANDARD.decode(&text).expect("canonical");
                prop_assert_eq!(raw.len(), algorithm.digest_len());
            }
            Err(Error::InvalidChecksum { .. } | Error::EmptyBodyChecksum { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    #[test]
    fn any_value_of_the_right_length_is_accepted(
        algorithm in algorithm(),
        raw in proptest::collection::vec(any::<u8>(), 32),
    ) {
        let raw = &raw[..algorithm.digest_len()];
        let text = STANDARD.encode(raw);
        let empty = Checksum::of_empty_body(algorithm);
        match Checksum::from_base64(algorithm, &text) {
            Ok(c) => prop_assert_eq!(c.as_str(), text.as_str()),
            Err(Error::EmptyBodyChecksum { .. }) => prop_assert_eq!(empty.as_str(), text.as_str()),
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
