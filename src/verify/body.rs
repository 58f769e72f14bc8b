//! What a signature says about the request body: the payload line of the
//! canonical request, and what is left for the caller to check.

use subtle::ConstantTimeEq;

use super::VerifyError;
use crate::canonical::UNSIGNED_PAYLOAD;
use crate::chunked::StreamingPayload;
use crate::error::excerpt;
use crate::mac::{EMPTY_SHA256, sha256};
use crate::request::Payload;

/// What a verified request's signature says about its body, and so what the
/// caller still has to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyCheck {
    /// The body given with [`ReceivedRequest::payload`](super::ReceivedRequest::payload) is the one signed:
    /// nothing is left to check.
    Verified,
    /// The signature covers a body with this SHA-256, which the verifier
    /// has not seen: hash the body as it arrives and compare
    /// ([`Verified::check_body_sha256`](super::Verified::check_body_sha256)) before acting on it. (For a
    /// service other than S3 with no body given, this is the hash of the
    /// empty body.)
    Sha256([u8; 32]),
    /// `UNSIGNED-PAYLOAD`: the signature does not cover the body (S3
    /// presigned URLs). Limit what the body can do by other means.
    Unsigned,
    /// A streaming (`aws-chunked`) body, each chunk signed in a chain from
    /// the request's signature (or, for `STREAMING-UNSIGNED-PAYLOAD-TRAILER`,
    /// checked by its trailer's checksum): decode it with the decoder
    /// [`Verifier::chunk_decoder`](super::Verifier::chunk_decoder) returns,
    /// which hands out only checked bytes.
    Streaming(StreamingPayload),
}

/// `x-amz-content-sha256` (or the `X-Amz-Content-Sha256` parameter): a hex
/// SHA-256 or `UNSIGNED-PAYLOAD`, or, when `trailer` is given (header
/// signing: the `x-amz-trailer` header, if any), a streaming mode.
pub(super) fn parse_content_sha256(
    value: &str,
    name: &'static str,
    trailer: Option<Option<&str>>,
) -> Result<Payload<'static>, VerifyError> {
    if value == UNSIGNED_PAYLOAD {
        return Ok(Payload::Unsigned);
    }
    if let Some(trailer) = trailer.filter(|_| StreamingPayload::is_streaming(value)) {
        return StreamingPayload::from_headers(value, trailer)
            .map(Payload::Streaming)
            .map_err(VerifyError::Chunked);
    }
    if value.starts_with("STREAMING-") {
        return Err(VerifyError::UnsupportedPayload {
            value: excerpt(value),
        });
    }
    // Lowercase hex only: the canonical request carries the text as sent.
    let bad = VerifyError::MalformedParameter {
        name,
        reason: "not a lowercase hex SHA-256 or UNSIGNED-PAYLOAD",
    };
    // Each digit's value and whether it is one, without a branch per
    // digit (the error is the same whichever digit is wrong).
    let digit = |b: u8| {
        let (d, a) = (b.wrapping_sub(b'0'), b.wrapping_sub(b'a'));
        if d < 10 {
            (d, true)
        } else {
            (a.wrapping_add(10), a < 6)
        }
    };
    let (pairs, rest) = value.as_bytes().as_chunks::<2>();
    if pairs.len() != 32 || !rest.is_empty() {
        return Err(bad);
    }
    let mut hash = [0u8; 32];
    let mut all = true;
    for (out, &[h, l]) in hash.iter_mut().zip(pairs) {
        let ((h, h_ok), (l, l_ok)) = (digit(h), digit(l));
        *out = h << 4 | (l & 0x0f);
        all &= h_ok & l_ok;
    }
    if !all {
        return Err(bad);
    }
    Ok(Payload::Sha256(hash))
}

/// The payload line of the canonical request, and what is left to check of
/// the body: from the signed hash (`signed`), else from the body the caller
/// gave, else an empty body.
#[inline]
pub(super) fn payload_line<'p>(
    signed: Option<Payload<'static>>,
    given: Option<Payload<'p>>,
) -> Result<(Payload<'p>, BodyCheck), VerifyError> {
    Ok(match signed {
        Some(Payload::Sha256(hash)) => {
            let body = match given {
                Some(Payload::Bytes(bytes)) => Some(sha256(bytes)),
                Some(Payload::Sha256(given)) => Some(given),
                _ => None,
            };
            let check = match body {
                Some(body) if bool::from(body.ct_eq(&hash)) => BodyCheck::Verified,
                Some(_) => return Err(VerifyError::PayloadHashMismatch),
                None => BodyCheck::Sha256(hash),
            };
            (Payload::Sha256(hash), check)
        }
        // A streaming body is checked by the chunk decoder, not here.
        Some(Payload::Streaming(p)) => match given {
            None => (Payload::Streaming(p), BodyCheck::Streaming(p)),
            Some(_) => {
                return Err(VerifyError::UnsupportedPayload {
                    value: p.content_sha256().to_owned(),
                });
            }
        },
        Some(_) => (Payload::Unsigned, BodyCheck::Unsigned),
        None => match given {
            Some(Payload::Unsigned) => (Payload::Unsigned, BodyCheck::Unsigned),
            // Its chunks are not checked here: not a body that verifies.
            Some(Payload::Streaming(p)) => {
                return Err(VerifyError::UnsupportedPayload {
                    value: p.content_sha256().to_owned(),
                });
            }
            // The signature is over this body's hash: checking it checks
            // the body.
            Some(given) => (given, BodyCheck::Verified),
            None => (Payload::Bytes(b""), BodyCheck::Sha256(EMPTY_SHA256)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_sha256_is_lowercase_hex_only() {
        let name = "x-amz-content-sha256";
        let good = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(
            parse_content_sha256(good, name, None),
            Ok(Payload::Sha256(EMPTY_SHA256))
        );
        // Every byte at every place: a hex digit as the simple decoding
        // reads it, or refused.
        for at in [0, 1, 30, 63] {
            for b in 0..=255u8 {
                let mut text = good.as_bytes().to_vec();
                text[at] = b;
                let Ok(text) = String::from_utf8(text) else {
                    continue;
                };
                let parsed = parse_content_sha256(&text, name, None);
                match b {
                    b'0'..=b'9' | b'a'..=b'f' => {
                        let expected = hex::decode(&text).unwrap();
                        assert_eq!(parsed, Ok(Payload::Sha256(expected.try_into().unwrap())));
                    }
                    _ => assert!(parsed.is_err(), "{b:#x} at {at}"),
                }
            }
        }
        for bad in ["", "e3b0", &good.to_uppercase(), &format!("{good}0")] {
            assert!(parse_content_sha256(bad, name, None).is_err(), "{bad}");
        }
        assert_eq!(
            parse_content_sha256(UNSIGNED_PAYLOAD, name, None),
            Ok(Payload::Unsigned)
        );
    }
}
