//! Trailer checksums: CRC32, CRC32C and SHA-256 of the decoded payload,
//! sent base64-encoded as `x-amz-checksum-<name>:<value>`.
//!
//! The CRCs come from `crc32fast` and `crc32c`: both compute with the CPU's
//! CRC instructions where it has them (PCLMULQDQ or SSE 4.2 on x86-64, the
//! CRC extension on AArch64) and fall back to tables elsewhere. SHA-256 is
//! the `sha2` crate the rest of the signer uses.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// A checksum a trailer can carry. S3 also knows CRC64/NVME and SHA-1,
/// which this crate does not compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC, the one of zip and Ethernet): `x-amz-checksum-crc32`.
    Crc32,
    /// CRC-32C (Castagnoli): `x-amz-checksum-crc32c`.
    Crc32c,
    /// SHA-256: `x-amz-checksum-sha256`.
    Sha256,
}

impl ChecksumAlgorithm {
    /// The header that carries it (lowercase), as named in `x-amz-trailer`.
    pub const fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The algorithm a header name stands for (any case).
    #[must_use]
    pub fn from_header_name(name: &str) -> Option<Self> {
        [
            ChecksumAlgorithm::Crc32,
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Sha256,
        ]
        .into_iter()
        .find(|c| c.header_name().eq_ignore_ascii_case(name))
    }

    /// The length of its base64 value: 8 for the CRCs, 44 for SHA-256.
    pub const fn base64_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 8,
            ChecksumAlgorithm::Sha256 => 44,
        }
    }

    /// The checksum of `data`, in one call.
    ///
    /// ```
    /// use presign::chunked::ChecksumAlgorithm;
    ///
    /// // The S3 documentation's trailer example: 66560 bytes of 'a'.
    /// let value = ChecksumAlgorithm::Crc32c.checksum(&[b'a'; 66_560]);
    /// assert_eq!(value.as_str(), "sOO8/Q==");
    /// ```
    #[must_use]
    pub fn checksum(self, data: &[u8]) -> ChecksumValue {
        let mut c = Checksum::new(self);
        c.update(data);
        c.finish()
    }
}

/// A checksum being computed over data that arrives in pieces.
#[derive(Clone)]
pub struct Checksum {
    state: State,
}

#[derive(Clone)]
enum State {
    Crc32(crc32fast::Hasher),
    Crc32c(u32),
    Sha256(Sha256),
}

impl Checksum {
    /// A checksum of nothing yet.
    #[must_use]
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => State::Crc32(crc32fast::Hasher::new()),
            ChecksumAlgorithm::Crc32c => State::Crc32c(0),
            ChecksumAlgorithm::Sha256 => State::Sha256(Sha256::new()),
        };
        Checksum { state }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match self.state {
            State::Crc32(_) => ChecksumAlgorithm::Crc32,
            State::Crc32c(_) => ChecksumAlgorithm::Crc32c,
            State::Sha256(_) => ChecksumAlgorithm::Sha256,
        }
    }

    /// Adds the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Crc32(h) => h.update(data),
            State::Crc32c(crc) => *crc = crc32c::crc32c_append(*crc, data),
            State::Sha256(h) => h.update(data),
        }
    }

    /// The checksum of everything added.
    #[must_use]
    pub fn finish(self) -> ChecksumValue {
        let algorithm = self.algorithm();
        let mut raw = [0u8; 32];
        let raw = match self.state {
            State::Crc32(h) => {
                raw[..4].copy_from_slice(&h.finalize().to_be_bytes());
                &raw[..4]
            }
            State::Crc32c(crc) => {
                raw[..4].copy_from_slice(&crc.to_be_bytes());
                &raw[..4]
            }
            State::Sha256(h) => {
                raw.copy_from_slice(&h.finalize());
                &raw[..]
            }
        };
        let mut text = [0u8; 44];
        // 4 or 32 bytes always fit in 44 base64 characters.
        let len = STANDARD.encode_slice(raw, &mut text).unwrap_or(0);
        ChecksumValue {
            algorithm,
            text,
            len: len as u8,
        }
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Checksum").field(&self.algorithm()).finish()
    }
}

/// A finished checksum: its algorithm and its base64 text, on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ChecksumValue {
    algorithm: ChecksumAlgorithm,
    text: [u8; 44],
    len: u8,
}

impl ChecksumValue {
    /// The algorithm.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    /// The base64 value, as sent in the trailer (and returned by S3).
    pub fn as_str(&self) -> &str {
        // Only base64 characters are written.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The base64 value as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }
}

impl fmt::Debug for ChecksumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.header_name(), self.as_str())
    }
}

impl fmt::Display for ChecksumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_of_each_algorithm() {
        // The CRC catalogue's check input, "123456789".
        let data = b"123456789";
        let crc32 = ChecksumAlgorithm::Crc32.checksum(data);
        assert_eq!(
            crc32.as_bytes(),
            STANDARD.encode(0xCBF4_3926u32.to_be_bytes()).as_bytes()
        );
        let crc32c = ChecksumAlgorithm::Crc32c.checksum(data);
        assert_eq!(
            crc32c.as_str(),
            STANDARD.encode(0xE306_9283u32.to_be_bytes())
        );
        let sha = ChecksumAlgorithm::Sha256.checksum(b"");
        assert_eq!(sha.as_str(), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        for c in [crc32, crc32c, sha] {
            assert_eq!(c.as_str().len(), c.algorithm().base64_len());
        }
    }

    #[test]
    fn pieces_give_the_checksum_of_the_whole() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 + 7) as u8).collect();
        for algorithm in [
            ChecksumAlgorithm::Crc32,
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Sha256,
        ] {
            let whole = algorithm.checksum(&data);
            let mut pieces = Checksum::new(algorithm);
            for piece in data.chunks(777) {
                pieces.update(piece);
            }
            assert_eq!(pieces.finish(), whole, "{algorithm:?}");
            assert_eq!(
                ChecksumAlgorithm::from_header_name(&algorithm.header_name().to_uppercase()),
                Some(algorithm)
            );
        }
        assert_eq!(
            ChecksumAlgorithm::from_header_name("x-amz-checksum-sha1"),
            None
        );
    }
}
