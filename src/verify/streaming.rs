//! The body of a verified streaming (`aws-chunked`) upload.

use super::{BodyCheck, CredentialsLookup, Verified, Verifier, VerifyError};
use crate::chunked::{ChunkDecoder, ChunkSigner, ChunkedError, parse_decoded_length};
use crate::scope::{Region, Scope};
use crate::wire;

impl<L: CredentialsLookup> Verifier<L> {
    /// The decoder for a verified streaming (`aws-chunked`) request's body:
    /// feed it the body as it arrives; it hands out only checked bytes (see
    /// [`ChunkDecoder`]). The request must say `content-encoding:
    /// aws-chunked` and declare its `x-amz-decoded-content-length`, both
    /// signed, as S3 requires.
    ///
    /// Fails with [`VerifyError::UnsupportedPayload`] if the request is not
    /// a streaming one ([`Verified::body`] says what it is) and
    /// [`VerifyError::Chunked`] for a missing or malformed header.
    pub fn chunk_decoder(&self, verified: &Verified<'_>) -> Result<ChunkDecoder, VerifyError> {
        let (BodyCheck::Streaming(payload), Some(seed)) = (verified.body(), verified.signature)
        else {
            return Err(VerifyError::UnsupportedPayload {
                value: format!("{:?}", verified.body()),
            });
        };
        let signed = |name: &'static str| {
            let mut values = verified
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v);
            match (values.next(), values.next()) {
                (Some(v), None) if verified.signed_headers.contains(name) => Ok(v),
                _ => Err(VerifyError::Chunked(ChunkedError::MissingHeader { name })),
            }
        };
        let encoding = signed(wire::header::CONTENT_ENCODING)?;
        if !encoding
            .split(',')
            .any(|e| e.trim().eq_ignore_ascii_case(wire::header::AWS_CHUNKED))
        {
            return Err(VerifyError::Chunked(ChunkedError::MissingHeader {
                name: wire::header::CONTENT_ENCODING,
            }));
        }
        let decoded_length =
            parse_decoded_length(signed(wire::header::X_AMZ_DECODED_CONTENT_LENGTH)?)?;
        let creds = self.credentials(verified.access_key_id())?;
        let region = Region::new(verified.region())?;
        let scope = Scope::new(verified.signed_at.scope_date(), &region, &self.service);
        let key = self.cache.get(&creds, scope);
        let chain = ChunkSigner::with_cached_key(&key, verified.signed_at, seed);
        Ok(ChunkDecoder::new(chain, payload, decoded_length))
    }
}
