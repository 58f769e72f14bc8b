//! The streaming payload modes (what `x-amz-content-sha256` says about an
//! `aws-chunked` body), the header names that go with them, and the length
//! of an encoded body.

use super::error::ChunkedError;
use crate::checksum::ChecksumAlgorithm;
use crate::error::excerpt;

/// Header names and values of a streaming upload, spelled in one place.
pub mod header {
    /// `content-encoding`, whose value must include `aws-chunked`.
    pub const CONTENT_ENCODING: &str = crate::wire::header::CONTENT_ENCODING;
    /// The `content-encoding` value of a streaming upload.
    pub const AWS_CHUNKED: &str = crate::wire::header::AWS_CHUNKED;
    /// `x-amz-content-sha256`, which names the streaming mode.
    pub const CONTENT_SHA256: &str = crate::wire::header::X_AMZ_CONTENT_SHA256;
    /// `x-amz-decoded-content-length`: the length of the payload itself,
    /// without the chunk framing.
    pub const DECODED_CONTENT_LENGTH: &str = crate::wire::header::X_AMZ_DECODED_CONTENT_LENGTH;
    /// `x-amz-trailer`: the header the trailer will carry.
    pub const TRAILER: &str = crate::wire::header::X_AMZ_TRAILER;
    /// `x-amz-trailer-signature`: the trailer line that signs the trailer.
    pub const TRAILER_SIGNATURE: &str = crate::wire::header::X_AMZ_TRAILER_SIGNATURE;
}

/// `x-amz-content-sha256` of signed chunks without a trailer.
pub const STREAMING_PAYLOAD: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `x-amz-content-sha256` of signed chunks with a signed trailer.
pub const STREAMING_PAYLOAD_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// `x-amz-content-sha256` of unsigned chunks with an unsigned trailer.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// The smallest chunk S3 accepts before the last chunk with data: 8 KiB.
/// The encoder refuses shorter signed chunks, and the decoder too unless
/// told otherwise ([`ChunkDecoder::min_chunk_size`](super::ChunkDecoder::min_chunk_size)).
pub const MIN_CHUNK_SIZE: usize = 8192;

/// The chunk size AWS SDKs use, and this crate's default: 64 KiB.
pub const DEFAULT_CHUNK_SIZE: usize = 65_536;

/// How an `aws-chunked` body is signed: the value of `x-amz-content-sha256`,
/// with the trailer's checksum where there is one.
///
/// ```
/// use presign::chunked::{ChecksumAlgorithm, StreamingPayload};
///
/// let payload = StreamingPayload::from_headers(
///     "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
///     Some("x-amz-checksum-crc32c"),
/// )?;
/// assert_eq!(payload, StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32c));
/// assert_eq!(payload.content_sha256(), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
/// // The S3 documentation's example: 66560 bytes in 64 KiB chunks.
/// assert_eq!(StreamingPayload::Signed.encoded_length(66_560, 65_536), Some(66_824));
/// # Ok::<(), presign::chunked::ChunkedError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamingPayload {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: every chunk signed, chained
    /// from the request's seed signature; no trailer.
    Signed,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: every chunk signed,
    /// then a trailer carrying this checksum of the payload, signed with
    /// `x-amz-trailer-signature`.
    SignedWithTrailer(ChecksumAlgorithm),
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: chunks without signatures,
    /// then an unsigned trailer carrying this checksum. Only the request's
    /// headers are signed; the checksum (a CRC is no signature) is all that
    /// covers the body.
    UnsignedWithTrailer(ChecksumAlgorithm),
}

impl StreamingPayload {
    /// The `x-amz-content-sha256` value.
    pub const fn content_sha256(self) -> &'static str {
        match self {
            StreamingPayload::Signed => STREAMING_PAYLOAD,
            StreamingPayload::SignedWithTrailer(_) => STREAMING_PAYLOAD_TRAILER,
            StreamingPayload::UnsignedWithTrailer(_) => STREAMING_UNSIGNED_PAYLOAD_TRAILER,
        }
    }

    /// The trailer's checksum, if the body has a trailer.
    pub const fn trailer(self) -> Option<ChecksumAlgorithm> {
        match self {
            StreamingPayload::Signed => None,
            StreamingPayload::SignedWithTrailer(c) | StreamingPayload::UnsignedWithTrailer(c) => {
                Some(c)
            }
        }
    }

    /// Whether each chunk (and the trailer) carries a signature.
    pub const fn signs_chunks(self) -> bool {
        !matches!(self, StreamingPayload::UnsignedWithTrailer(_))
    }

    /// Whether an `x-amz-content-sha256` value announces a streaming body
    /// (`STREAMING-...`), supported or not.
    pub fn is_streaming(content_sha256: &str) -> bool {
        content_sha256.starts_with("STREAMING-")
    }

    /// The mode a request declares with its `x-amz-content-sha256` and
    /// `x-amz-trailer` headers (the latter `None` when absent).
    ///
    /// Fails with [`ChunkedError::UnsupportedPayload`] for any other value
    /// (SigV4a's ECDSA modes included), and with
    /// [`ChunkedError::UnsupportedTrailer`] when `x-amz-trailer` is missing
    /// for a trailer mode, present without one, or names a checksum other
    /// than CRC32, CRC32C or SHA-256.
    pub fn from_headers(content_sha256: &str, trailer: Option<&str>) -> Result<Self, ChunkedError> {
        let with_trailer: fn(ChecksumAlgorithm) -> Self = match content_sha256 {
            STREAMING_PAYLOAD => {
                return match trailer {
                    None => Ok(StreamingPayload::Signed),
                    Some(name) => Err(ChunkedError::UnsupportedTrailer {
                        name: excerpt(name),
                        reason: "the payload mode has no trailer",
                    }),
                };
            }
            STREAMING_PAYLOAD_TRAILER => StreamingPayload::SignedWithTrailer,
            STREAMING_UNSIGNED_PAYLOAD_TRAILER => StreamingPayload::UnsignedWithTrailer,
            other => {
                return Err(ChunkedError::UnsupportedPayload {
                    value: excerpt(other),
                });
            }
        };
        let name = trailer.ok_or(ChunkedError::UnsupportedTrailer {
            name: String::new(),
            reason: "missing, but the payload mode has a trailer",
        })?;
        let algorithm = ChecksumAlgorithm::from_header_name(name.trim()).ok_or_else(|| {
            ChunkedError::UnsupportedTrailer {
                name: excerpt(name),
                reason: "expected x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 or -sha256",
            }
        })?;
        Ok(with_trailer(algorithm))
    }

    /// The length of the encoded body (the `Content-Length` to send) for
    /// `decoded_length` payload bytes sent in chunks of `chunk_size` bytes,
    /// the last one shorter; `None` if `chunk_size` is 0 or the length
    /// overflows.
    ///
    /// Only a body sent in chunks of exactly `chunk_size` (but the last)
    /// has this length.
    pub fn encoded_length(self, decoded_length: u64, chunk_size: usize) -> Option<u64> {
        let size = u64::try_from(chunk_size).ok().filter(|&s| s > 0)?;
        let (full, last) = (decoded_length / size, decoded_length % size);
        let per_chunk = |n: u64| self.framing(n).checked_add(n);
        let mut total = per_chunk(size)?.checked_mul(full)?;
        if last > 0 {
            total = total.checked_add(per_chunk(last)?)?;
        }
        total.checked_add(self.framing(0) + self.trailer_length())
    }

    /// The framing around a chunk of `n` bytes: its header line and, for a
    /// data chunk, the CRLF after the data.
    pub(crate) const fn framing(self, n: u64) -> u64 {
        let header = hex_digits(n) as u64 + 2;
        let signature = if self.signs_chunks() {
            CHUNK_SIGNATURE_EXT.len() as u64 + 64
        } else {
            0
        };
        header + signature + if n > 0 { 2 } else { 0 }
    }

    /// What follows the final chunk's header: the trailer lines, if any,
    /// and the empty line that ends the body.
    const fn trailer_length(self) -> u64 {
        let lines = match self {
            StreamingPayload::Signed => 0,
            StreamingPayload::SignedWithTrailer(c) => {
                checksum_line(c) + header::TRAILER_SIGNATURE.len() + 1 + 64 + 2
            }
            StreamingPayload::UnsignedWithTrailer(c) => checksum_line(c),
        };
        lines as u64 + 2
    }
}

/// `name:value\r\n` of a checksum trailer.
const fn checksum_line(c: ChecksumAlgorithm) -> usize {
    c.header_name().len() + 1 + c.base64_len() + 2
}

/// The chunk extension before a chunk's signature.
pub(crate) const CHUNK_SIGNATURE_EXT: &[u8] = b";chunk-signature=";

/// The number of hex digits of `n` (1 for 0).
pub(crate) const fn hex_digits(n: u64) -> usize {
    if n == 0 {
        1
    } else {
        (u64::BITS - n.leading_zeros()).div_ceil(4) as usize
    }
}

/// Parses an `x-amz-decoded-content-length` value: decimal digits only, at
/// most 19 of them (so any value fits in a `u64`).
pub fn parse_decoded_length(value: &str) -> Result<u64, ChunkedError> {
    if value.is_empty() || value.len() > 19 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ChunkedError::MalformedDecodedLength);
    }
    value
        .parse()
        .map_err(|_| ChunkedError::MalformedDecodedLength)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digits_counts_like_format() {
        for n in [0u64, 1, 15, 16, 255, 256, 65_535, 65_536, u64::MAX] {
            assert_eq!(hex_digits(n), format!("{n:x}").len(), "{n}");
        }
    }

    #[test]
    fn modes_round_trip_through_their_headers() {
        for payload in [
            StreamingPayload::Signed,
            StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32),
            StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Sha256),
            StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32c),
        ] {
            let trailer = payload.trailer().map(|c| c.header_name());
            assert_eq!(
                StreamingPayload::from_headers(payload.content_sha256(), trailer),
                Ok(payload)
            );
            assert!(StreamingPayload::is_streaming(payload.content_sha256()));
        }
    }

    #[test]
    fn headers_that_do_not_fit_are_refused() {
        let refused = [
            (STREAMING_PAYLOAD, Some("x-amz-checksum-crc32")),
            (STREAMING_PAYLOAD_TRAILER, None),
            (
                STREAMING_UNSIGNED_PAYLOAD_TRAILER,
                Some("x-amz-checksum-md5"),
            ),
            ("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", None),
            ("UNSIGNED-PAYLOAD", None),
        ];
        for (value, trailer) in refused {
            assert!(
                StreamingPayload::from_headers(value, trailer).is_err(),
                "{value} {trailer:?}"
            );
        }
    }

    #[test]
    fn decoded_lengths_are_plain_digits() {
        assert_eq!(parse_decoded_length("66560"), Ok(66_560));
        assert_eq!(parse_decoded_length("0"), Ok(0));
        for bad in ["", "-1", "+1", "1e3", " 1", "12345678901234567890", "0x10"] {
            assert_eq!(
                parse_decoded_length(bad),
                Err(ChunkedError::MalformedDecodedLength),
                "{bad}"
            );
        }
    }

    #[test]
    fn encoded_length_of_the_s3_examples() {
        // Signed: 65536 + 1024 + 0 bytes, the documentation's Content-Length.
        assert_eq!(
            StreamingPayload::Signed.encoded_length(66_560, 65_536),
            Some(66_824)
        );
        // An empty body is the final chunk alone.
        assert_eq!(StreamingPayload::Signed.encoded_length(0, 65_536), Some(86));
        let crc = ChecksumAlgorithm::Crc32;
        assert_eq!(
            StreamingPayload::UnsignedWithTrailer(crc).encoded_length(0, 8192),
            Some(3 + "x-amz-checksum-crc32:AAAAAA==\r\n".len() as u64 + 2)
        );
        assert_eq!(StreamingPayload::Signed.encoded_length(1, 0), None);
        assert_eq!(StreamingPayload::Signed.encoded_length(u64::MAX, 1), None);
    }
}
