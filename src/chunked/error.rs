//! What can go wrong while encoding or decoding an `aws-chunked` body.

/// An `aws-chunked` body (or the headers that declare one) that cannot be
/// encoded or decoded.
///
/// Chunks are counted from 0 in the order they are sent; the final,
/// zero-length chunk has the next index after the last data chunk.
/// Messages are lowercase and name what failed (which chunk, which limit);
/// they never contain a key, an expected signature or body bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChunkedError {
    /// A chunk header is not `hex-size;chunk-signature=<64 hex>\r\n` (or,
    /// for unsigned chunks, `hex-size\r\n`).
    #[error("chunk {chunk}: malformed chunk header: {reason}")]
    MalformedChunkHeader {
        /// The chunk's index.
        chunk: u64,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A chunk declares more bytes than the decoder accepts in one chunk
    /// (see [`ChunkDecoder::max_chunk_size`](super::ChunkDecoder::max_chunk_size)).
    #[error("chunk {chunk}: size {size} is over the limit of {max} bytes")]
    ChunkTooLarge {
        /// The chunk's index.
        chunk: u64,
        /// The size declared (so far, for a size still being read).
        size: u64,
        /// The limit.
        max: usize,
    },

    /// A chunk that is not the last one with data is shorter than the
    /// minimum (8 KiB for signed chunks, as S3 requires).
    #[error(
        "chunk {chunk}: {size} bytes is under the minimum of {min} bytes for a chunk that is not the last"
    )]
    ChunkTooSmall {
        /// The chunk's index.
        chunk: u64,
        /// Its size.
        size: u64,
        /// The minimum.
        min: usize,
    },

    /// A chunk's data is not followed by CRLF: the chunk is longer than its
    /// header says, or the CRLF is missing.
    #[error("chunk {chunk}: the data is not followed by CRLF (longer than declared, or no CRLF)")]
    MissingCrlf {
        /// The chunk's index.
        chunk: u64,
    },

    /// A chunk's signature is not the one its data, the previous signature
    /// and the signing key give. Its bytes were not handed out.
    #[error("chunk {chunk}: the chunk signature does not match")]
    ChunkSignatureMismatch {
        /// The chunk's index.
        chunk: u64,
    },

    /// The chunks hold more bytes than `x-amz-decoded-content-length`
    /// declares.
    #[error(
        "chunk {chunk} brings the body to {total} bytes, over the declared length of {declared}"
    )]
    DecodedLengthExceeded {
        /// The chunk's index.
        chunk: u64,
        /// The length the body would have with that chunk.
        total: u64,
        /// The declared length.
        declared: u64,
    },

    /// The body ended (its final chunk came, or the encoder was finished)
    /// with fewer bytes than declared.
    #[error("the body ends after {received} bytes, not the declared length of {declared}")]
    DecodedLengthMismatch {
        /// The bytes received (or encoded).
        received: u64,
        /// The declared length.
        declared: u64,
    },

    /// A trailer line is malformed or missing, or a line follows where the
    /// body should end.
    #[error("malformed trailer: {reason}")]
    MalformedTrailer {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The trailer carries another header than the one `x-amz-trailer`
    /// declared.
    #[error("unexpected trailer {name:?}: expected {expected:?}")]
    UnexpectedTrailer {
        /// The name received (truncated to 64 bytes).
        name: String,
        /// The name declared.
        expected: &'static str,
    },

    /// The trailer's checksum is not the checksum of the decoded body.
    #[error("the trailer {name} does not match the body")]
    ChecksumMismatch {
        /// The checksum header (`x-amz-checksum-crc32c`, ...).
        name: &'static str,
    },

    /// The trailer's `x-amz-trailer-signature` does not match.
    #[error("the trailer signature does not match")]
    TrailerSignatureMismatch,

    /// Bytes follow the end of the body (the empty line after the final
    /// chunk and its trailer).
    #[error("bytes after the end of the aws-chunked body")]
    TrailingBytes,

    /// The body stopped before its end: [`finish`](super::ChunkDecoder::finish)
    /// was called with the body incomplete.
    #[error("the body ends early, in chunk {chunk}'s {part}")]
    Truncated {
        /// The chunk being read (for the trailer: the final chunk's index).
        chunk: u64,
        /// Where it stopped: `header`, `data` or `trailer`.
        part: &'static str,
    },

    /// `x-amz-content-sha256` is not a streaming payload this crate
    /// handles (SigV4a's `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD`, or not
    /// a streaming value at all).
    #[error("unsupported streaming payload {value:?}")]
    UnsupportedPayload {
        /// The value given (truncated to 64 bytes).
        value: String,
    },

    /// `x-amz-trailer` names a header this crate cannot check, or is
    /// missing, present or malformed against the payload mode.
    #[error("unsupported x-amz-trailer {name:?}: {reason}")]
    UnsupportedTrailer {
        /// The value given (truncated to 64 bytes; empty when missing).
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },

    /// A header a streaming request needs is missing, repeated or not
    /// signed (`content-encoding: aws-chunked`,
    /// `x-amz-decoded-content-length`).
    #[error("missing, repeated or unsigned header {name}")]
    MissingHeader {
        /// The header.
        name: &'static str,
    },

    /// `x-amz-decoded-content-length` is not a decimal number of bytes.
    #[error("malformed x-amz-decoded-content-length: expected a decimal number of bytes")]
    MalformedDecodedLength,

    /// The encoder was used after [`finish`](super::ChunkEncoder::finish).
    #[error("the body is already finished")]
    AlreadyFinished,
}
