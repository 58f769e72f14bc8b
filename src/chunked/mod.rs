//! Streaming uploads: `aws-chunked` bodies, signed chunk by chunk.
//!
//! A client that cannot hash its body before sending it (a stream, a pipe,
//! a file still being written) signs the request's headers with
//! `x-amz-content-sha256: STREAMING-...` instead of the body's hash, and
//! sends the body `aws-chunked`: each chunk framed with its size and a
//! signature chained from the previous one, the first from the request's
//! own signature (the seed). A trailer may follow with a checksum of the
//! whole payload, itself signed.
//!
//! | `x-amz-content-sha256` | chunks | trailer |
//! |---|---|---|
//! | `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` | signed | none |
//! | `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` | signed | checksum, signed |
//! | `STREAMING-UNSIGNED-PAYLOAD-TRAILER` | unsigned | checksum, unsigned |
//!
//! The pieces, as everywhere in this crate, do no I/O:
//!
//! - [`StreamingPayload`]: the mode, its wire strings, and the encoded
//!   length of a body (the `Content-Length`);
//! - [`StreamingUpload`]: signs the request (the seed) and returns the
//!   headers to send and a [`ChunkEncoder`];
//! - [`ChunkEncoder`]: frames and signs the body, one chunk per call, into
//!   the caller's buffer;
//! - [`ChunkDecoder`]: the server side, fed the body in pieces of any size;
//!   it hands out a chunk's bytes only once its signature is checked, and
//!   checks the length, the final chunk, the trailer's checksum and its
//!   signature. A server that verifies requests gets one from
//!   [`Verifier::chunk_decoder`](crate::verify::Verifier::chunk_decoder)
//!   once the request's headers verified;
//! - [`ChunkSigner`]: the chain of chunk signatures both of them drive;
//! - [`ChecksumAlgorithm`]: CRC32, CRC32C, CRC64/NVME, SHA-1 or SHA-256
//!   trailers (the [`checksum`](crate::checksum) module, shared with
//!   presigned uploads).
//!
//! # Example
//!
//! ```
//! use presign::chunked::{
//!     Checksum, ChecksumAlgorithm, ChunkDecoder, ChunkSigner, StreamingPayload, StreamingUpload,
//! };
//! use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let signer = Signer::new(Region::new("us-east-1")?, Service::s3());
//! let time = SigningTime::parse_amz_date("20260524T120000Z")?; // SigningTime::now() in production
//! let body = b"a body that arrives as a stream";
//!
//! // The client: sign the request, then encode the body chunk by chunk.
//! let payload = StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32c);
//! let request = SignableRequest::new(Method::PUT, "examplebucket.s3.amazonaws.com", "/stream.txt");
//! let mut upload = StreamingUpload::new(payload, body.len() as u64).sign(&signer, &request, &creds, time)?;
//! for (name, value) in upload.headers() {
//!     println!("{name}: {value}"); // and Content-Length: upload.content_length()
//! }
//! let seed = upload.seed_signature();
//! let mut wire = Vec::new();
//! let encoder = upload.encoder();
//! encoder.encode_chunk(body, &mut wire)?; // one chunk per call, 64 KiB each but the last
//! encoder.finish(&mut wire)?;             // the final chunk and the signed trailer
//! assert_eq!(wire.len() as u64, upload.content_length());
//!
//! // The server: once the request's signature is verified, decode the body
//! // with the same key, time, scope and seed.
//! let key = signer.key_cache().get(&creds, signer.scope(time));
//! let chain = ChunkSigner::with_cached_key(&key, time, seed);
//! let mut decoder = ChunkDecoder::new(chain, payload, body.len() as u64);
//! let mut received = Vec::new();
//! for piece in wire.chunks(7) {
//!     decoder.feed(piece, &mut received)?; // checked chunks only
//! }
//! let done = decoder.finish()?; // complete: length, final chunk, checksum, signatures
//! assert_eq!(received, body);
//! assert_eq!(done.checksum(), Some(Checksum::compute(ChecksumAlgorithm::Crc32c, body)?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod chunk_signature;
mod decoder;
mod encoder;
mod error;
mod mode;
mod upload;

pub use crate::checksum::{Checksum, ChecksumAlgorithm, ChecksumHasher};
pub use chunk_signature::{CHUNK_ALGORITHM, ChunkSigner, ChunkStringToSign, TRAILER_ALGORITHM};
pub use decoder::{ChunkDecoder, DEFAULT_MAX_CHUNK_SIZE, DecodedBody};
pub use encoder::{CRLF, ChunkEncoder, ChunkHeader};
pub use error::ChunkedError;
pub use mode::{
    DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE, STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER,
    STREAMING_UNSIGNED_PAYLOAD_TRAILER, StreamingPayload, header, parse_decoded_length,
};
pub use upload::{SignedUpload, StreamingUpload};
