//! The encoder: frames and signs an `aws-chunked` body, one chunk per call.
//!
//! ```text
//! <hex size>;chunk-signature=<signature>\r\n<data>\r\n     each data chunk
//! 0;chunk-signature=<signature>\r\n                        the final chunk
//! x-amz-checksum-crc32c:<base64>\r\n                       the trailer, if any
//! x-amz-trailer-signature:<signature>\r\n                  (signed trailers)
//! \r\n                                                     the end
//! ```
//!
//! Unsigned chunks (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) drop the
//! `;chunk-signature=...` extensions and the trailer signature.

use crate::encode::Sink;
use crate::mac::{EMPTY_SHA256, sha256};
use crate::signature::{Signature, hex64};

use super::chunk_signature::{ChunkSigner, StackText};
use super::error::ChunkedError;
use super::mode::{CHUNK_SIGNATURE_EXT, MIN_CHUNK_SIZE, StreamingPayload, header};
use crate::checksum::{Checksum, ChecksumAlgorithm, ChecksumHasher};

/// The line that ends every chunk's data, and the body.
pub const CRLF: &[u8; 2] = b"\r\n";

/// The longest chunk header: 16 hex digits, the extension, a signature and
/// CRLF.
const HEADER_CAP: usize = 16 + CHUNK_SIGNATURE_EXT.len() + 64 + 2;

/// Frames and signs an `aws-chunked` body: feed it the payload one chunk at
/// a time and it writes each framed chunk, then [`finish`](Self::finish)
/// writes the final chunk and the trailer.
///
/// Each call is one chunk: the encoder keeps no data, and with an output
/// buffer that has room (reused from chunk to chunk) it allocates nothing.
/// Signed chunks before the last one with data must hold at least
/// [`MIN_CHUNK_SIZE`] bytes; the body must be exactly the declared length.
/// For a `Content-Length` that matches
/// [`StreamingPayload::encoded_length`], send chunks of one size (the last
/// one shorter).
///
/// Get one from [`StreamingUpload::sign`](super::StreamingUpload::sign),
/// which signs the request and seeds it; [`new`](Self::new) takes a chain
/// seeded by hand. [`chunk_header`](Self::chunk_header) frames a chunk
/// without copying its data, for writers that send several buffers.
#[derive(Debug)]
pub struct ChunkEncoder {
    signer: Option<ChunkSigner>,
    payload: StreamingPayload,
    checksum: Option<ChecksumHasher>,
    declared: u64,
    encoded: u64,
    chunks: u64,
    finished: bool,
}

impl ChunkEncoder {
    /// An encoder for `decoded_length` bytes of payload sent as `payload`,
    /// signing with `signer` (seeded with the request's signature; unused
    /// for unsigned chunks).
    pub fn new(signer: ChunkSigner, payload: StreamingPayload, decoded_length: u64) -> Self {
        ChunkEncoder {
            signer: payload.signs_chunks().then_some(signer),
            payload,
            checksum: payload.trailer().map(ChecksumHasher::new),
            declared: decoded_length,
            encoded: 0,
            chunks: 0,
            finished: false,
        }
    }

    /// An encoder for unsigned chunks with a `checksum` trailer
    /// (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`), which needs no key.
    pub fn unsigned(checksum: ChecksumAlgorithm, decoded_length: u64) -> Self {
        ChunkEncoder {
            signer: None,
            payload: StreamingPayload::UnsignedWithTrailer(checksum),
            checksum: Some(ChecksumHasher::new(checksum)),
            declared: decoded_length,
            encoded: 0,
            chunks: 0,
            finished: false,
        }
    }

    /// The payload mode.
    pub fn payload(&self) -> StreamingPayload {
        self.payload
    }

    /// The payload bytes still to encode.
    pub fn remaining(&self) -> u64 {
        self.declared - self.encoded
    }

    /// The last signature written (the seed before the first chunk); `None`
    /// for unsigned chunks.
    pub fn previous_signature(&self) -> Option<Signature> {
        self.signer.as_ref().map(ChunkSigner::previous_signature)
    }

    /// Appends `data` to `out` as one framed, signed chunk. Empty `data`
    /// writes nothing (the empty chunk is the final one, written by
    /// [`finish`](Self::finish)).
    ///
    /// Fails, writing nothing, when `data` would take the body past its
    /// declared length, or is a signed chunk under [`MIN_CHUNK_SIZE`] that
    /// is not the last one with data.
    pub fn encode_chunk(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), ChunkedError> {
        if data.is_empty() {
            return self.check_open();
        }
        let header = self.chunk_header(data)?;
        out.reserve(header.as_bytes().len() + data.len() + CRLF.len());
        out.put(header.as_bytes());
        out.put(data);
        out.put(CRLF);
        Ok(())
    }

    /// Signs `data` as the next chunk and returns its header: send the
    /// header, then `data`, then [`CRLF`]. (Empty `data` is refused here:
    /// it would be the final chunk.)
    ///
    /// Fails as [`encode_chunk`](Self::encode_chunk) does.
    pub fn chunk_header(&mut self, data: &[u8]) -> Result<ChunkHeader, ChunkedError> {
        self.check_open()?;
        let size = data.len() as u64;
        let total = self.encoded.saturating_add(size);
        if data.is_empty() {
            return Err(ChunkedError::ChunkTooSmall {
                chunk: self.chunks,
                size,
                min: 1,
            });
        }
        if total > self.declared {
            return Err(ChunkedError::DecodedLengthExceeded {
                chunk: self.chunks,
                total,
                declared: self.declared,
            });
        }
        if self.signer.is_some() && data.len() < MIN_CHUNK_SIZE && total != self.declared {
            return Err(ChunkedError::ChunkTooSmall {
                chunk: self.chunks,
                size,
                min: MIN_CHUNK_SIZE,
            });
        }
        let signature = self.signer.as_mut().map(|s| s.sign_chunk(&sha256(data)));
        if let Some(c) = &mut self.checksum {
            c.update(data);
        }
        self.encoded = total;
        self.chunks += 1;
        Ok(ChunkHeader::new(size, signature))
    }

    /// Appends the final chunk and the trailer, which ends the body, and
    /// returns the trailer's checksum (`None` without a trailer).
    ///
    /// Fails, writing nothing, with
    /// [`DecodedLengthMismatch`](ChunkedError::DecodedLengthMismatch) if
    /// fewer bytes than declared were encoded (more chunks may follow), or
    /// if the body was already finished.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<Option<Checksum>, ChunkedError> {
        self.check_open()?;
        if self.encoded != self.declared {
            return Err(ChunkedError::DecodedLengthMismatch {
                received: self.encoded,
                declared: self.declared,
            });
        }
        self.finished = true;
        let final_signature = self.signer.as_mut().map(|s| s.sign_chunk(&EMPTY_SHA256));
        let header = ChunkHeader::new(0, final_signature);
        let value = self.checksum.take().map(ChecksumHasher::finish);
        out.reserve(header.as_bytes().len() + TRAILER_CAP);
        out.put(header.as_bytes());
        if let Some(value) = value {
            let mut line = StackText::<TRAILER_CAP>::new();
            line.put(value.algorithm().header_name().as_bytes());
            line.put(b":");
            line.put(value.as_bytes());
            line.put(b"\n");
            // `name:value\r\n` on the wire; the canonical trailer, signed,
            // ends each line with a bare `\n`.
            let text = line.as_bytes();
            out.put(&text[..text.len() - 1]);
            out.put(CRLF);
            if let Some(signer) = &mut self.signer {
                let signature = signer.sign_trailer(&sha256(text));
                out.put(header::TRAILER_SIGNATURE.as_bytes());
                out.put(b":");
                out.put(&hex64(signature.as_bytes()));
                out.put(CRLF);
            }
        }
        out.put(CRLF);
        Ok(value)
    }

    fn check_open(&self) -> Result<(), ChunkedError> {
        if self.finished {
            Err(ChunkedError::AlreadyFinished)
        } else {
            Ok(())
        }
    }
}

/// Room for the trailer lines: a checksum line, the signature line and the
/// last CRLF.
const TRAILER_CAP: usize = 24 + 44 + 3 + 24 + 64 + 4;

/// A chunk's header line, `<hex size>;chunk-signature=<signature>\r\n` (or
/// `<hex size>\r\n` unsigned), held on the stack.
#[derive(Clone, Copy)]
pub struct ChunkHeader(StackText<HEADER_CAP>);

impl ChunkHeader {
    fn new(size: u64, signature: Option<Signature>) -> Self {
        let mut w = StackText::<HEADER_CAP>::new();
        let mut digits = [0u8; 16];
        let n = super::mode::hex_digits(size);
        for (i, d) in digits[..n].iter_mut().rev().enumerate() {
            *d = b"0123456789abcdef"[((size >> (4 * i)) & 0xf) as usize];
        }
        w.put(&digits[..n]);
        if let Some(signature) = signature {
            w.put(CHUNK_SIGNATURE_EXT);
            w.put(&hex64(signature.as_bytes()));
        }
        w.put(CRLF);
        ChunkHeader(w)
    }

    /// The header's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl core::fmt::Debug for ChunkHeader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // A signature is not a secret.
        core::fmt::Debug::fmt(&String::from_utf8_lossy(self.as_bytes()), f)
    }
}
