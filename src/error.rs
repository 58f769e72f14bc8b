//! The crate's error type.
//!
//! Every variant names what was wrong (which parameter, which limit) and never
//! carries a secret: secret keys, session tokens, derived keys and header
//! values are left out of every message, since a header value may itself be a
//! credential.

/// Everything that can go wrong while building or signing a request.
///
/// Messages are lowercase and name the offending input. They never contain a
/// secret access key, a session token, a derived key or a header value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The access key id is empty or contains a character that would break the
    /// credential scope (`/`, `,`, whitespace, control or non-ASCII characters).
    #[error("invalid access key id: {reason}")]
    InvalidAccessKeyId {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The secret access key is empty.
    #[error("invalid secret access key: {reason}")]
    InvalidSecretKey {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The session token is empty or contains a control character.
    #[error("invalid session token: {reason}")]
    InvalidSessionToken {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A region name is empty, too long, or has a character outside
    /// `A-Z a-z 0-9 - _ .`.
    #[error("invalid region {region:?}: {reason}")]
    InvalidRegion {
        /// The rejected region (truncated to 64 bytes).
        region: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A service name is empty, too long, or has a character outside
    /// `A-Z a-z 0-9 - _ .`.
    #[error("invalid service {service:?}: {reason}")]
    InvalidService {
        /// The rejected service (truncated to 64 bytes).
        service: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The HTTP method is empty or not an RFC 9110 token.
    #[error("invalid http method {method:?}: expected a token such as GET or PUT")]
    InvalidMethod {
        /// The rejected method (truncated to 64 bytes).
        method: String,
    },

    /// The host is empty or contains characters not allowed in a host.
    #[error("invalid host {host:?}: {reason}")]
    InvalidHost {
        /// The rejected host (truncated to 64 bytes).
        host: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The request path does not start with `/` or contains a control
    /// character, `?` or `#`.
    #[error("invalid path: {reason}")]
    InvalidPath {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The raw query string contains a control character, a space or `#`.
    #[error("invalid query string: {reason}")]
    InvalidQuery {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A header name is empty or not an RFC 9110 token.
    #[error("invalid header name {name:?}: expected a token")]
    InvalidHeaderName {
        /// The rejected name (truncated to 64 bytes).
        name: String,
    },

    /// A header value contains a control character other than a folded line
    /// break. The value itself is never shown: it may be a credential.
    #[error("invalid value for header {name:?}: {reason}")]
    InvalidHeaderValue {
        /// The header whose value was rejected (lowercase).
        name: String,
        /// What is wrong with the value.
        reason: &'static str,
    },

    /// The caller set a header that the signer writes itself (`host`,
    /// `authorization`, `x-amz-date`, `x-amz-security-token`,
    /// `x-amz-content-sha256`).
    #[error("header {name:?} is set by the signer and cannot be given")]
    ReservedHeader {
        /// The rejected header name (lowercase).
        name: String,
    },

    /// The caller set a query parameter that query signing writes itself
    /// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
    /// `X-Amz-SignedHeaders`, `X-Amz-Security-Token`, `X-Amz-Signature`).
    #[error("query parameter {name:?} is set by the signer and cannot be given")]
    ReservedQueryParameter {
        /// The rejected parameter name, as given (truncated to 64 bytes).
        name: String,
    },

    /// A payload hash is not 64 hexadecimal digits.
    #[error("invalid payload hash: expected 64 hexadecimal digits")]
    InvalidPayloadHash,

    /// A date or time string could not be parsed.
    #[error("invalid {what} {input:?}: expected {expected}")]
    InvalidDate {
        /// Which kind of date was being parsed (`x-amz-date`, `scope date`).
        what: &'static str,
        /// The rejected input (truncated to 64 bytes).
        input: String,
        /// The format that was expected.
        expected: &'static str,
    },

    /// A signing time, or a time computed from it (a POST policy's
    /// expiration), outside the years 0000 to 9999, which SigV4's four-digit
    /// year cannot represent.
    #[error("signing time out of range: {reason}")]
    TimeOutOfRange {
        /// What is out of range.
        reason: &'static str,
    },

    /// A bucket name is empty, longer than 255 characters, or has a character
    /// outside `A-Z a-z 0-9 . _ -`.
    #[error("invalid bucket name {bucket:?}: {reason}")]
    InvalidBucketName {
        /// The rejected name (truncated to 64 bytes).
        bucket: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// An S3 endpoint URL could not be used.
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The rejected endpoint (truncated to 64 bytes).
        endpoint: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The requested addressing style cannot be used with this bucket or
    /// endpoint (virtual-hosted with a name that is not DNS-compatible,
    /// transfer acceleration in a partition without it, ...).
    #[error("cannot address bucket {bucket:?} this way: {reason}")]
    UnsupportedAddressing {
        /// The bucket (truncated to 64 bytes).
        bucket: String,
        /// Why not.
        reason: &'static str,
    },

    /// A directory bucket (S3 Express One Zone) name that is not
    /// `BASE--ZONEID--x-s3` with a valid base and zone id.
    #[error("invalid directory bucket name {bucket:?}: {reason}")]
    InvalidDirectoryBucketName {
        /// The rejected name (truncated to 64 bytes).
        bucket: String,
        /// What is wrong with it (the zone id, the base, the length...).
        reason: &'static str,
    },

    /// The body of a `CreateSession` answer could not be read as session
    /// credentials: malformed XML, a missing or repeated element, or an
    /// `<Error>` answer (its code is named). Never holds a value read.
    #[error("invalid createsession response: {reason}")]
    InvalidCreateSessionResponse {
        /// What is wrong.
        reason: String,
    },

    /// An S3 object key is empty.
    #[error("invalid object key: empty")]
    EmptyKey,

    /// An S3 ARN (access point, Object Lambda access point, Outposts access
    /// point or Multi-Region Access Point) could not be parsed: a missing
    /// part, an account id that is not 12 digits, a name with a character
    /// DNS does not allow, a resource that is not an access point...
    #[error("invalid s3 arn {arn:?}: {reason}")]
    InvalidArn {
        /// The rejected ARN (truncated to 64 bytes).
        arn: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A valid S3 ARN cannot be used with the chosen endpoint or addressing:
    /// FIPS or dual-stack where its kind of access point has none, transfer
    /// acceleration, a custom endpoint, path-style addressing, a POST
    /// policy.
    #[error("cannot use s3 arn {arn:?} this way: {reason}")]
    UnsupportedArn {
        /// The ARN (truncated to 64 bytes).
        arn: String,
        /// Why not.
        reason: &'static str,
    },

    /// An ARN names another AWS partition than the configured region's (an
    /// `aws` ARN with a `cn-*` region, ...): requests cannot cross
    /// partitions.
    #[error(
        "s3 arn {arn:?} is in partition {arn_partition:?}, but region {region:?} is in partition {region_partition:?}"
    )]
    ArnPartitionMismatch {
        /// The ARN (truncated to 64 bytes).
        arn: String,
        /// The ARN's partition.
        arn_partition: String,
        /// The configured region.
        region: String,
        /// The configured region's partition.
        region_partition: &'static str,
    },

    /// What was asked needs a cargo feature this build of the crate does
    /// not have (a Multi-Region Access Point needs `sigv4a`).
    #[error("{needed_for} needs the presign crate feature {feature:?}, which is not enabled")]
    FeatureDisabled {
        /// The cargo feature.
        feature: &'static str,
        /// What needs it.
        needed_for: &'static str,
    },

    /// The credentials expire before the presigned URL would, so the URL
    /// would stop working early. Shorten the expiry, refresh the
    /// credentials, or ask for clamping.
    #[error(
        "credentials expire {credentials_remaining} s after the signing time, before the requested expiry of {expires_in} s"
    )]
    CredentialsExpireFirst {
        /// The requested expiry, in seconds.
        expires_in: u64,
        /// Seconds from the signing time until the credentials expire.
        credentials_remaining: i64,
    },

    /// The credentials had already expired at the signing time.
    #[error("credentials expired {expired_for} s before the signing time")]
    CredentialsExpired {
        /// Seconds between their expiry and the signing time.
        expired_for: i64,
    },

    /// A POST policy condition is malformed (bad JSON, an unknown operator,
    /// a field without `$`, a negative size) or the conditions contradict
    /// each other (min above max, two different exact values for a field).
    #[error("invalid post policy: {reason}")]
    InvalidPolicy {
        /// What is wrong, naming the field or operator.
        reason: String,
    },

    /// A POST form field that signing writes itself (`key`, `bucket`,
    /// `policy`, `file`, `x-amz-algorithm`, `x-amz-credential`,
    /// `x-amz-date`, `x-amz-security-token`, `x-amz-signature`) was set by
    /// hand.
    #[error("form field {name:?} is set by the signer and cannot be given")]
    ReservedPostField {
        /// The reserved field (lowercase).
        name: String,
    },

    /// A streaming (`aws-chunked`) upload cannot be signed this way: it was
    /// presigned, its chunk size is under the minimum, or its encoded
    /// length overflows.
    #[error("invalid streaming upload: {reason}")]
    InvalidStreamingUpload {
        /// What is wrong.
        reason: &'static str,
    },

    /// No SigV4a key could be derived from the credentials: every one of the
    /// 254 tries of the derivation gave a number out of range (in practice
    /// this never happens).
    #[error("no sigv4a key could be derived from the credentials")]
    KeyDerivationFailed,

    /// The expiry of a presigned request is outside the allowed range.
    #[error("expiry of {seconds} s is out of range: expected {min} to {max} s")]
    ExpiresOutOfRange {
        /// The requested expiry, in whole seconds.
        seconds: u64,
        /// The smallest allowed expiry, in seconds.
        min: u64,
        /// The largest allowed expiry, in seconds.
        max: u64,
    },

    /// A checksum value that is not canonical padded base64 of the
    /// algorithm's length.
    #[error("invalid {algorithm} checksum {value:?}: {reason}")]
    InvalidChecksum {
        /// The algorithm (`CRC32`, `SHA256`, ...).
        algorithm: &'static str,
        /// The rejected value (truncated to 64 bytes).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A checksum of zero bytes where a body was meant: computed from empty
    /// input or given as the empty-body value. An upload signed with it
    /// fails for any body; `Checksum::of_empty_body` makes one on purpose.
    #[error(
        "the {algorithm} checksum of an empty body, which fails any upload with a body: use Checksum::of_empty_body for a zero-byte upload"
    )]
    EmptyBodyChecksum {
        /// The algorithm (`CRC32`, `SHA256`, ...).
        algorithm: &'static str,
    },
}

/// Truncates caller input kept in an error message to 64 bytes (at a
/// character boundary), so a huge input does not make a huge error.
/// The group an [`Error`] belongs to: where a caller branches (a bad
/// request is the caller's bug, bad credentials are a configuration
/// problem, an expiry may be retried with a shorter one...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request: method, host, path, query, headers, payload hash,
    /// region or service.
    Request,
    /// The credentials themselves: access key id, secret, session token.
    Credentials,
    /// Times and expiries: a date that does not parse or is out of range,
    /// an expiry out of range, credentials that expire first or have
    /// expired.
    Expiry,
    /// S3 addressing: bucket names, endpoints, object keys.
    S3,
    /// An S3 POST policy.
    Policy,
}

impl Error {
    /// The group this error belongs to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidAccessKeyId { .. }
            | Error::InvalidSecretKey { .. }
            | Error::InvalidSessionToken { .. }
            | Error::KeyDerivationFailed
            | Error::InvalidCreateSessionResponse { .. } => ErrorKind::Credentials,
            Error::InvalidRegion { .. }
            | Error::InvalidService { .. }
            | Error::InvalidMethod { .. }
            | Error::InvalidHost { .. }
            | Error::InvalidPath { .. }
            | Error::InvalidQuery { .. }
            | Error::InvalidHeaderName { .. }
            | Error::InvalidHeaderValue { .. }
            | Error::ReservedHeader { .. }
            | Error::ReservedQueryParameter { .. }
            | Error::InvalidPayloadHash
            | Error::InvalidStreamingUpload { .. }
            | Error::InvalidChecksum { .. }
            | Error::EmptyBodyChecksum { .. } => ErrorKind::Request,
            Error::InvalidDate { .. }
            | Error::TimeOutOfRange { .. }
            | Error::CredentialsExpireFirst { .. }
            | Error::CredentialsExpired { .. }
            | Error::ExpiresOutOfRange { .. } => ErrorKind::Expiry,
            Error::InvalidBucketName { .. }
            | Error::InvalidEndpoint { .. }
            | Error::UnsupportedAddressing { .. }
            | Error::InvalidArn { .. }
            | Error::UnsupportedArn { .. }
            | Error::ArnPartitionMismatch { .. }
            | Error::FeatureDisabled { .. }
            | Error::InvalidDirectoryBucketName { .. }
            | Error::EmptyKey => ErrorKind::S3,
            Error::InvalidPolicy { .. } | Error::ReservedPostField { .. } => ErrorKind::Policy,
        }
    }
}

pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 64;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end + 3);
    out.push_str(&s[..end]);
    out.push_str("...");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_truncates_at_char_boundary() {
        let long = "é".repeat(100);
        let e = excerpt(&long);
        assert!(e.len() <= 67);
        assert!(e.ends_with("..."));
        assert_eq!(excerpt("short"), "short");
    }

    #[test]
    fn messages_are_lowercase_and_name_the_input() {
        let e = Error::ExpiresOutOfRange {
            seconds: 0,
            min: 1,
            max: 604_800,
        };
        assert_eq!(
            e.to_string(),
            "expiry of 0 s is out of range: expected 1 to 604800 s"
        );
        let e = Error::ReservedHeader {
            name: "authorization".into(),
        };
        assert_eq!(
            e.to_string(),
            "header \"authorization\" is set by the signer and cannot be given"
        );
    }
}
