//! Signing a streaming upload: the request's headers, signed with the
//! streaming payload mode, and an encoder seeded with their signature.

use crate::credentials::Credentials;
use crate::error::Error;
use crate::request::{Payload, SignableRequest};
use crate::sign::{AuthorizationHeaders, Signer};
use crate::signature::Signature;
use crate::time::SigningTime;

use super::chunk_signature::ChunkSigner;
use super::encoder::ChunkEncoder;
use super::mode::{DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE, StreamingPayload, header};

/// A streaming upload to sign: how its body is sent, how many payload
/// bytes it carries and the chunk size it is sent in (64 KiB unless set).
///
/// [`sign`](Self::sign) signs the request with an `Authorization` header
/// and returns the headers to send with the encoder for the body; see the
/// [module documentation](super) for an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamingUpload {
    payload: StreamingPayload,
    decoded_length: u64,
    chunk_size: usize,
}

impl StreamingUpload {
    /// An upload of `decoded_length` payload bytes (what
    /// `x-amz-decoded-content-length` declares), sent as `payload`.
    #[must_use]
    pub fn new(payload: StreamingPayload, decoded_length: u64) -> Self {
        StreamingUpload {
            payload,
            decoded_length,
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }

    /// Sets the chunk size the body will be sent in (default
    /// [`DEFAULT_CHUNK_SIZE`], 64 KiB; signed chunks need at least
    /// [`MIN_CHUNK_SIZE`]). It only sets the `Content-Length`: every chunk
    /// but the last must then have this size.
    #[must_use]
    pub fn chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = size;
        self
    }

    /// The payload mode.
    pub fn payload(&self) -> StreamingPayload {
        self.payload
    }

    /// The encoded body's length: the `Content-Length` to send.
    pub fn encoded_length(&self) -> Option<u64> {
        self.payload
            .encoded_length(self.decoded_length, self.chunk_size)
    }

    /// Signs `request` (method, host, target, the caller's headers) as a
    /// streaming upload: `x-amz-content-sha256` names the mode, and
    /// `content-encoding: aws-chunked`, `x-amz-decoded-content-length` and,
    /// with a trailer, `x-amz-trailer` are added and signed. The request's
    /// own payload setting is replaced.
    ///
    /// Fails as [`Signer::sign_headers`] does, with
    /// [`Error::ReservedHeader`] if the request already sets one of the
    /// added headers, and with [`Error::InvalidStreamingUpload`] if the
    /// chunk size is under the minimum or the encoded length overflows.
    pub fn sign<'c>(
        &self,
        signer: &Signer,
        request: &SignableRequest<'_>,
        credentials: &'c Credentials,
        time: SigningTime,
    ) -> Result<SignedUpload<'c>, Error> {
        let trailer = self.payload.trailer().map(|c| c.header_name());
        if let Some((name, _)) = request.headers().iter().find(|(name, _)| {
            [
                header::CONTENT_ENCODING,
                header::DECODED_CONTENT_LENGTH,
                header::TRAILER,
            ]
            .iter()
            .any(|added| added.eq_ignore_ascii_case(name))
        }) {
            return Err(Error::ReservedHeader {
                name: name.to_ascii_lowercase(),
            });
        }
        if self.payload.signs_chunks() && self.chunk_size < MIN_CHUNK_SIZE {
            return Err(Error::InvalidStreamingUpload {
                reason: "signed chunks must hold at least 8192 bytes",
            });
        }
        let content_length = self.encoded_length().ok_or(Error::InvalidStreamingUpload {
            reason: "a chunk size of 0, or an encoded length over 2^64",
        })?;
        let decoded_length = self.decoded_length.to_string();
        let mut signable = request
            .clone()
            .header(header::CONTENT_ENCODING, header::AWS_CHUNKED)
            .header(header::DECODED_CONTENT_LENGTH, &decoded_length)
            .payload(Payload::Streaming(self.payload));
        if let Some(trailer) = trailer {
            signable = signable.header(header::TRAILER, trailer);
        }
        let authorization = signer.sign_headers(&signable, credentials, time)?;
        let key = signer.key_cache().get(credentials, signer.scope(time));
        let chain = ChunkSigner::with_cached_key(&key, time, authorization.signature());
        Ok(SignedUpload {
            authorization,
            trailer,
            decoded_length,
            content_length,
            encoder: ChunkEncoder::new(chain, self.payload, self.decoded_length),
        })
    }
}

/// A signed streaming upload: the headers to send, the `Content-Length`,
/// and the encoder for the body, seeded with the request's signature.
///
/// `Debug` redacts the signature and the session token.
#[derive(Debug)]
pub struct SignedUpload<'c> {
    authorization: AuthorizationHeaders<'c>,
    trailer: Option<&'static str>,
    decoded_length: String,
    content_length: u64,
    encoder: ChunkEncoder,
}

impl<'c> SignedUpload<'c> {
    /// The signer's headers (`authorization`, `x-amz-date`,
    /// `x-amz-content-sha256`, `x-amz-security-token`).
    pub fn authorization(&self) -> &AuthorizationHeaders<'c> {
        &self.authorization
    }

    /// The request's signature: the seed of the chunk signatures.
    pub fn seed_signature(&self) -> Signature {
        self.authorization.signature()
    }

    /// The `Content-Length` of the encoded body, when sent in chunks of the
    /// upload's chunk size (each one but the last).
    pub fn content_length(&self) -> u64 {
        self.content_length
    }

    /// Every header to add to the request, as `(lowercase name, value)`:
    /// the signer's, `content-encoding`, `x-amz-decoded-content-length` and
    /// `x-amz-trailer` where there is one. Send `Content-Length` (see
    /// [`content_length`](Self::content_length)) too, unless the request
    /// signed its own.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.authorization.iter().chain(
            [
                Some((header::CONTENT_ENCODING, header::AWS_CHUNKED)),
                Some((header::DECODED_CONTENT_LENGTH, self.decoded_length.as_str())),
                self.trailer.map(|t| (header::TRAILER, t)),
            ]
            .into_iter()
            .flatten(),
        )
    }

    /// The encoder for the body.
    pub fn encoder(&mut self) -> &mut ChunkEncoder {
        &mut self.encoder
    }

    /// The encoder for the body, by value.
    #[must_use]
    pub fn into_encoder(self) -> ChunkEncoder {
        self.encoder
    }
}
