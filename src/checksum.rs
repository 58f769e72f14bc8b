//! Checksums S3 checks on uploads: CRC32, CRC32C, CRC64/NVME, SHA-1 and
//! SHA-256, sent base64-encoded as `x-amz-checksum-<name>`.
//!
//! One module serves both places they travel: a header signed into a
//! presigned PUT or UploadPart
//! ([`ObjectRequest::checksum`](crate::s3::ObjectRequest::checksum)), and
//! the trailer of a streaming upload ([`crate::chunked`]).
//!
//! - [`ChecksumAlgorithm`]: the five algorithms and their wire names;
//! - [`Checksum`]: a finished value, computed from bytes
//!   ([`Checksum::compute`]) or given in base64 ([`Checksum::from_base64`],
//!   which checks its length for the algorithm);
//! - [`ChecksumHasher`]: a checksum computed over data that arrives in
//!   pieces.
//!
//! # The empty-body trap
//!
//! A checksum computed before the body exists is the checksum of zero
//! bytes, and an upload signed with it fails for every non-empty body
//! (other SDKs have shipped exactly this). So an empty-body checksum is
//! never made by accident here: [`Checksum::compute`] refuses empty input
//! and [`Checksum::from_base64`] refuses the empty-body value, both with
//! [`Error::EmptyBodyChecksum`]. A zero-byte upload asks for it by name,
//! [`Checksum::of_empty_body`], and a request signed with it also signs
//! `content-length: 0`, so the URL says what it can upload.
//!
//! The CRCs come from `crc32fast`, `crc32c` and `crc64fast-nvme`: each
//! computes with the CPU's carry-less multiply or CRC instructions where it
//! has them and falls back to tables elsewhere. SHA-1 and SHA-256 are
//! RustCrypto's `sha1` and `sha2`.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::error::{Error, excerpt};

/// A checksum algorithm S3 knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, the one of zip and Ethernet): `x-amz-checksum-crc32`.
    Crc32,
    /// CRC-32C (Castagnoli): `x-amz-checksum-crc32c`.
    Crc32c,
    /// CRC-64/NVME: `x-amz-checksum-crc64nvme`.
    Crc64Nvme,
    /// SHA-1: `x-amz-checksum-sha1`.
    Sha1,
    /// SHA-256: `x-amz-checksum-sha256`.
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in S3's order of listing.
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// The header that carries it (lowercase), as named in `x-amz-trailer`.
    pub const fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// Its name in `x-amz-sdk-checksum-algorithm` and S3's API
    /// (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`).
    pub const fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The algorithm a header name stands for (any case).
    pub fn from_header_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.header_name().eq_ignore_ascii_case(name))
    }

    /// The algorithm an S3 name stands for (`CRC32`, ..., any case).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// The length of its value in bytes: 4 for the CRC-32s, 8 for
    /// CRC-64/NVME, 20 for SHA-1, 32 for SHA-256.
    pub const fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// The length of its base64 value: 8, 8, 12, 28 and 44 characters.
    pub const fn base64_len(self) -> usize {
        self.digest_len().div_ceil(3) * 4
    }
}

impl fmt::Display for ChecksumAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A checksum being computed over data that arrives in pieces (a streaming
/// upload's trailer, a file read in blocks).
///
/// It computes the checksum of exactly what it was given, zero bytes
/// included: the result of a hasher that saw no bytes is the empty-body
/// checksum, marked as such (see [`Checksum::is_empty_body`]).
#[derive(Clone)]
pub struct ChecksumHasher {
    state: State,
    fed: bool,
}

#[derive(Clone)]
enum State {
    Crc32(crc32fast::Hasher),
    Crc32c(u32),
    Crc64Nvme(crc64fast_nvme::Digest),
    Sha1(Sha1),
    Sha256(Sha256),
}

impl ChecksumHasher {
    /// A checksum of nothing yet.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => State::Crc32(crc32fast::Hasher::new()),
            ChecksumAlgorithm::Crc32c => State::Crc32c(0),
            ChecksumAlgorithm::Crc64Nvme => State::Crc64Nvme(crc64fast_nvme::Digest::new()),
            ChecksumAlgorithm::Sha1 => State::Sha1(Sha1::new()),
            ChecksumAlgorithm::Sha256 => State::Sha256(Sha256::new()),
        };
        ChecksumHasher { state, fed: false }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match self.state {
            State::Crc32(_) => ChecksumAlgorithm::Crc32,
            State::Crc32c(_) => ChecksumAlgorithm::Crc32c,
            State::Crc64Nvme(_) => ChecksumAlgorithm::Crc64Nvme,
            State::Sha1(_) => ChecksumAlgorithm::Sha1,
            State::Sha256(_) => ChecksumAlgorithm::Sha256,
        }
    }

    /// Adds the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.fed |= !data.is_empty();
        match &mut self.state {
            State::Crc32(h) => h.update(data),
            State::Crc32c(crc) => *crc = crc32c::crc32c_append(*crc, data),
            State::Crc64Nvme(h) => h.write(data),
            State::Sha1(h) => h.update(data),
            State::Sha256(h) => h.update(data),
        }
    }

    /// The checksum of everything added.
    pub fn finish(self) -> Checksum {
        let algorithm = self.algorithm();
        let mut raw = [0u8; 32];
        let raw: &[u8] = match self.state {
            State::Crc32(h) => {
                raw[..4].copy_from_slice(&h.finalize().to_be_bytes());
                &raw[..4]
            }
            State::Crc32c(crc) => {
                raw[..4].copy_from_slice(&crc.to_be_bytes());
                &raw[..4]
            }
            State::Crc64Nvme(h) => {
                raw[..8].copy_from_slice(&h.sum64().to_be_bytes());
                &raw[..8]
            }
            State::Sha1(h) => {
                raw[..20].copy_from_slice(&h.finalize());
                &raw[..20]
            }
            State::Sha256(h) => {
                raw.copy_from_slice(&h.finalize());
                &raw[..]
            }
        };
        Checksum::from_digest(algorithm, raw, !self.fed)
    }
}

impl fmt::Debug for ChecksumHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ChecksumHasher")
            .field(&self.algorithm())
            .finish()
    }
}

/// A finished checksum: its algorithm and its base64 value (checked for
/// the algorithm), on the stack.
///
/// Two checksums are equal when their algorithms and values are.
#[derive(Clone, Copy)]
pub struct Checksum {
    algorithm: ChecksumAlgorithm,
    text: [u8; 44],
    len: u8,
    empty_body: bool,
}

impl Checksum {
    /// The checksum of `data`, which must not be empty.
    ///
    /// Fails with [`Error::EmptyBodyChecksum`] for empty `data`: a body not
    /// read yet is the usual cause. For a zero-byte upload, use
    /// [`of_empty_body`](Self::of_empty_body).
    ///
    /// ```
    /// use presign::checksum::{Checksum, ChecksumAlgorithm};
    ///
    /// let c = Checksum::compute(ChecksumAlgorithm::Crc32, b"123456789")?;
    /// assert_eq!(c.as_str(), "y/Q5Jg==");
    /// assert!(Checksum::compute(ChecksumAlgorithm::Crc32, b"").is_err());
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn compute(algorithm: ChecksumAlgorithm, data: &[u8]) -> Result<Checksum, Error> {
        if data.is_empty() {
            return Err(Error::EmptyBodyChecksum {
                algorithm: algorithm.name(),
            });
        }
        let mut h = ChecksumHasher::new(algorithm);
        h.update(data);
        Ok(h.finish())
    }

    /// The checksum of a zero-byte body, asked for by name. A request
    /// signed with it also signs `content-length: 0`.
    pub fn of_empty_body(algorithm: ChecksumAlgorithm) -> Checksum {
        ChecksumHasher::new(algorithm).finish()
    }

    /// A checksum given as base64 (from a client that computed it).
    ///
    /// Fails with [`Error::InvalidChecksum`] unless `base64` is canonical,
    /// padded standard base64 of exactly the algorithm's length (4 bytes
    /// for the CRC-32s, 8 for CRC-64/NVME, 20 for SHA-1, 32 for SHA-256),
    /// and with [`Error::EmptyBodyChecksum`] for the checksum of an empty
    /// body: use [`of_empty_body`](Self::of_empty_body) when that is meant.
    ///
    /// ```
    /// use presign::Error;
    /// use presign::checksum::{Checksum, ChecksumAlgorithm};
    ///
    /// let c = Checksum::from_base64(ChecksumAlgorithm::Sha256, "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=")?;
    /// assert_eq!(c.algorithm(), ChecksumAlgorithm::Sha256);
    /// // A CRC32 value given for SHA-256: the length tells.
    /// assert!(matches!(
    ///     Checksum::from_base64(ChecksumAlgorithm::Sha256, "y/Q5Jg=="),
    ///     Err(Error::InvalidChecksum { .. })
    /// ));
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn from_base64(algorithm: ChecksumAlgorithm, base64: &str) -> Result<Checksum, Error> {
        let invalid = |reason: &'static str| Error::InvalidChecksum {
            algorithm: algorithm.name(),
            value: excerpt(base64),
            reason,
        };
        if base64.len() != algorithm.base64_len() {
            return Err(invalid(match algorithm {
                ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => {
                    "expected 8 base64 characters (4 bytes)"
                }
                ChecksumAlgorithm::Crc64Nvme => "expected 12 base64 characters (8 bytes)",
                ChecksumAlgorithm::Sha1 => "expected 28 base64 characters (20 bytes)",
                ChecksumAlgorithm::Sha256 => "expected 44 base64 characters (32 bytes)",
            }));
        }
        let mut raw = [0u8; 33];
        // STANDARD decodes only canonical, padded base64.
        let n = STANDARD
            .decode_slice(base64, &mut raw)
            .map_err(|_| invalid("not canonical padded base64"))?;
        if n != algorithm.digest_len() {
            return Err(invalid("the decoded length does not fit the algorithm"));
        }
        let checksum = Checksum::from_digest(algorithm, &raw[..n], false);
        if checksum == Checksum::of_empty_body(algorithm) {
            return Err(Error::EmptyBodyChecksum {
                algorithm: algorithm.name(),
            });
        }
        Ok(checksum)
    }

    fn from_digest(algorithm: ChecksumAlgorithm, raw: &[u8], empty_body: bool) -> Checksum {
        let mut text = [0u8; 44];
        // At most 32 bytes always fit in 44 base64 characters.
        let len = STANDARD.encode_slice(raw, &mut text).unwrap_or(0);
        Checksum {
            algorithm,
            text,
            len: len as u8,
            empty_body,
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The base64 value, as sent in the header or trailer (and returned by
    /// S3).
    pub fn as_str(&self) -> &str {
        // Only base64 characters are written.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The base64 value as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }

    /// Whether this is the checksum of a zero-byte body made on purpose
    /// ([`of_empty_body`](Self::of_empty_body), or a hasher given no
    /// bytes).
    pub fn is_empty_body(&self) -> bool {
        self.empty_body
    }
}

impl PartialEq for Checksum {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm == other.algorithm && self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Checksum {}

impl core::hash::Hash for Checksum {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.algorithm.hash(state);
        self.as_bytes().hash(state);
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.header_name(), self.as_str())
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(algorithm: ChecksumAlgorithm, data: &[u8]) -> Checksum {
        Checksum::compute(algorithm, data).unwrap()
    }

    /// Check values from the algorithms' specifications, not from this
    /// code: the CRC catalogue's `check` (the CRC of "123456789") for
    /// CRC-32/ISO-HDLC, CRC-32/ISCSI and CRC-64/NVME, and the FIPS 180
    /// example digests of "abc" for SHA-1 and SHA-256.
    #[test]
    fn check_values_of_each_algorithm() {
        let nine = b"123456789";
        let crc32 = of(ChecksumAlgorithm::Crc32, nine);
        assert_eq!(
            crc32.as_str(),
            STANDARD.encode(0xCBF4_3926u32.to_be_bytes())
        );
        let crc32c = of(ChecksumAlgorithm::Crc32c, nine);
        assert_eq!(
            crc32c.as_str(),
            STANDARD.encode(0xE306_9283u32.to_be_bytes())
        );
        let crc64 = of(ChecksumAlgorithm::Crc64Nvme, nine);
        assert_eq!(
            crc64.as_str(),
            STANDARD.encode(0xAE8B_1486_0A79_9888u64.to_be_bytes())
        );
        let sha1 = of(ChecksumAlgorithm::Sha1, b"abc");
        assert_eq!(
            sha1.as_str(),
            STANDARD.encode(hex::decode("a9993e364706816aba3e25717850c26c9cd0d89d").unwrap())
        );
        let sha256 = of(ChecksumAlgorithm::Sha256, b"abc");
        assert_eq!(
            sha256.as_str(),
            STANDARD.encode(
                hex::decode("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                    .unwrap()
            )
        );
        for c in [crc32, crc32c, crc64, sha1, sha256] {
            assert_eq!(c.as_str().len(), c.algorithm().base64_len());
            assert!(!c.is_empty_body());
            assert_eq!(Checksum::from_base64(c.algorithm(), c.as_str()), Ok(c));
        }
    }

    #[test]
    fn empty_body_checksums_are_asked_for_by_name() {
        // SHA-256 and SHA-1 of nothing (FIPS 180 / RFC 3174 well-known
        // values); the CRCs of nothing are 0.
        let empty = [
            (ChecksumAlgorithm::Crc32, "AAAAAA=="),
            (ChecksumAlgorithm::Crc32c, "AAAAAA=="),
            (ChecksumAlgorithm::Crc64Nvme, "AAAAAAAAAAA="),
            (ChecksumAlgorithm::Sha1, "2jmj7l5rSw0yVb/vlWAYkK/YBwk="),
            (
                ChecksumAlgorithm::Sha256,
                "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            ),
        ];
        for (algorithm, text) in empty {
            let named = Checksum::of_empty_body(algorithm);
            assert_eq!(named.as_str(), text);
            assert!(named.is_empty_body());
            let err = Error::EmptyBodyChecksum {
                algorithm: algorithm.name(),
            };
            assert_eq!(Checksum::compute(algorithm, b""), Err(err.clone()));
            assert_eq!(Checksum::from_base64(algorithm, text), Err(err));
            assert!(ChecksumHasher::new(algorithm).finish().is_empty_body());
            let mut fed_nothing = ChecksumHasher::new(algorithm);
            fed_nothing.update(b"");
            assert!(fed_nothing.finish().is_empty_body());
        }
    }

    #[test]
    fn values_of_the_wrong_shape_are_refused() {
        let bad = |a, s: &str| {
            assert!(
                matches!(
                    Checksum::from_base64(a, s),
                    Err(Error::InvalidChecksum { .. })
                ),
                "{a:?} {s:?}"
            );
        };
        bad(ChecksumAlgorithm::Crc32, "");
        bad(ChecksumAlgorithm::Crc32, "y/Q5Jg="); // short
        bad(ChecksumAlgorithm::Crc32, "y/Q5Jg=x"); // padding then data
        bad(ChecksumAlgorithm::Crc32, "y/Q5Jh=="); // non-canonical last bits
        bad(ChecksumAlgorithm::Crc32, "y_Q5Jg=="); // URL-safe alphabet
        bad(ChecksumAlgorithm::Crc32, "y/Q5JgAA"); // 6 bytes in 8 characters
        bad(ChecksumAlgorithm::Crc64Nvme, "y/Q5Jg=="); // a CRC32 value
        bad(
            ChecksumAlgorithm::Sha1,
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        );
        bad(ChecksumAlgorithm::Sha256, "ü".repeat(22).as_str());
        let e = Checksum::from_base64(ChecksumAlgorithm::Sha256, "y/Q5Jg==").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid SHA256 checksum \"y/Q5Jg==\": expected 44 base64 characters (32 bytes)"
        );
    }

    #[test]
    fn pieces_give_the_checksum_of_the_whole() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 + 7) as u8).collect();
        for algorithm in ChecksumAlgorithm::ALL {
            let whole = of(algorithm, &data);
            let mut pieces = ChecksumHasher::new(algorithm);
            for piece in data.chunks(777) {
                pieces.update(piece);
            }
            assert_eq!(pieces.finish(), whole, "{algorithm:?}");
            assert_eq!(
                ChecksumAlgorithm::from_header_name(&algorithm.header_name().to_uppercase()),
                Some(algorithm)
            );
            assert_eq!(
                ChecksumAlgorithm::from_name(&algorithm.name().to_lowercase()),
                Some(algorithm)
            );
        }
        assert_eq!(
            ChecksumAlgorithm::from_header_name("x-amz-checksum-md5"),
            None
        );
    }
}
