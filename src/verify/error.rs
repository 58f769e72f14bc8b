//! Why a request did not verify.

use crate::chunked::ChunkedError;
use crate::error::Error;

/// Why a request did not verify. Each variant names the check that failed;
/// none carries the expected signature or any secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The request carries no SigV4 signature at all.
    #[error("not signed: no {expected}")]
    NotSigned {
        /// What was looked for.
        expected: &'static str,
    },
    /// A required parameter or header is missing.
    #[error("missing parameter {name}")]
    MissingParameter {
        /// Its name.
        name: &'static str,
    },
    /// A parameter or header is malformed or repeated.
    #[error("malformed {name}: {reason}")]
    MalformedParameter {
        /// Its name.
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The request carries both a presigned query and an `Authorization`
    /// header (S3: "only one auth mechanism allowed").
    #[error(
        "more than one authentication mechanism: a presigned query and an authorization header"
    )]
    AmbiguousAuthentication,
    /// The algorithm is not `AWS4-HMAC-SHA256`.
    #[error("unsupported algorithm {algorithm:?}")]
    UnsupportedAlgorithm {
        /// The algorithm given (truncated).
        algorithm: String,
    },
    /// The credential scope does not match the request or the server.
    #[error("scope mismatch: {reason}")]
    ScopeMismatch {
        /// What does not match.
        reason: String,
    },
    /// The request is dated in the future beyond the allowed clock skew.
    #[error("not yet valid: signed at {signed_at}, more than {max_skew} s after now ({now})")]
    NotYetValid {
        /// The request's `X-Amz-Date`.
        signed_at: String,
        /// The verification time.
        now: String,
        /// The allowed skew, in seconds.
        max_skew: u64,
    },
    /// The request's validity ended before now.
    #[error("expired at {expired_at} (now {now})")]
    Expired {
        /// When it stopped being valid.
        expired_at: String,
        /// The verification time.
        now: String,
    },
    /// A header-signed request's date is too far from now (either way).
    #[error("request time too skewed: signed at {signed_at}, now {now}, allowed {max_skew} s")]
    RequestTimeTooSkewed {
        /// The request's date.
        signed_at: String,
        /// The verification time.
        now: String,
        /// The allowed skew, in seconds.
        max_skew: u64,
    },
    /// `X-Amz-Expires` is above the server's maximum.
    #[error("expiry too long: {seconds} s, the maximum is {max} s")]
    ExpiryTooLong {
        /// The requested expiry.
        seconds: u64,
        /// The maximum accepted.
        max: u64,
    },
    /// `X-Amz-Expires` is below the minimum of 1 s.
    #[error("expiry too short: {seconds} s, the minimum is {min} s")]
    ExpiryTooShort {
        /// The requested expiry.
        seconds: u64,
        /// The minimum accepted.
        min: u64,
    },
    /// `host` is not among the signed headers.
    #[error("the host header is not signed")]
    HostNotSigned,
    /// The request's `host` is not one the verifier accepts (a request
    /// signed for another server that shares the keys).
    #[error("host {host:?} is not accepted")]
    HostNotAccepted {
        /// The host received (truncated).
        host: String,
    },
    /// A signed header is not in the request.
    #[error("signed header {name:?} is missing from the request")]
    MissingSignedHeader {
        /// The header (truncated).
        name: String,
    },
    /// An `x-amz-*` header is present but not signed. S3 refuses such a
    /// request ("there were headers present in the request which were not
    /// signed"): an unsigned `x-amz-copy-source` would turn an upload link
    /// into a copy of any object the signer can read.
    #[error("header {name:?} is present but not signed")]
    UnsignedHeader {
        /// The header, lowercase (truncated).
        name: String,
    },
    /// The lookup knows no such access key.
    #[error("unknown access key {access_key_id:?}")]
    UnknownAccessKey {
        /// The access key id given (truncated).
        access_key_id: String,
    },
    /// The credentials require a session token the request does not carry.
    #[error("missing session token")]
    MissingSecurityToken,
    /// The request's session token is not the one of its credentials.
    #[error("session token mismatch")]
    SecurityTokenMismatch,
    /// An unsupported `x-amz-content-sha256` (a streaming mode in a
    /// presigned query, say), or a body given for a streaming request.
    #[error("unsupported payload signing {value:?}")]
    UnsupportedPayload {
        /// The value given (truncated).
        value: String,
    },
    /// The body does not hash to the signed `x-amz-content-sha256` (or
    /// `X-Amz-Content-Sha256`).
    #[error("the body does not match the signed x-amz-content-sha256")]
    PayloadHashMismatch,
    /// The signature does not match the request.
    #[error("signature mismatch")]
    SignatureMismatch,
    /// A streaming request's headers or body are wrong: a bad
    /// `x-amz-decoded-content-length`, a missing `content-encoding:
    /// aws-chunked`, a chunk that does not verify...
    #[error(transparent)]
    Chunked(#[from] ChunkedError),
    /// The request could not be canonicalized (bad path, header, ...).
    #[error(transparent)]
    MalformedRequest(#[from] Error),
    /// A POST policy is malformed (bad base64, JSON or condition).
    #[error("malformed policy: {reason}")]
    MalformedPolicy {
        /// What is wrong.
        reason: String,
    },
    /// A POST upload violates a policy condition.
    #[error("policy condition failed on {field:?}: {reason}")]
    PolicyViolation {
        /// The field (or `content-length` for the size).
        field: String,
        /// What failed.
        reason: &'static str,
    },
    /// A POST form field is not covered by the policy.
    #[error("form field {field:?} is not covered by the policy")]
    FieldNotInPolicy {
        /// The field (truncated).
        field: String,
    },
}
