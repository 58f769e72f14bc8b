//! A presigned S3 URL, and the key shapes HTTP clients rewrite.

use core::fmt;
use std::time::Duration;

use crate::request::Method;
use crate::sign::PresignedText;
use crate::signature::Signature;
use crate::wire;

/// A presigned S3 URL.
///
/// Until it expires it is a bearer credential: whoever holds it can do what
/// it was signed for. `Debug` redacts the signature and any session token;
/// there is no `Display`, so printing it is always a deliberate
/// [`as_str`](Self::as_str).
#[derive(Clone)]
pub struct PresignedUrl {
    pub(super) url: PresignedText,
    pub(super) method: Method<'static>,
    /// A SigV4a URL's signature (a Multi-Region Access Point's); `url`'s
    /// own signature is then unused.
    pub(super) v4a_signature: Option<String>,
}

impl PresignedUrl {
    /// The URL.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The URL, by value.
    #[must_use]
    pub fn into_string(self) -> String {
        self.url.into_string()
    }

    /// The HTTP method the URL was signed for.
    pub fn method(&self) -> &'static str {
        self.method.as_str()
    }

    /// The signature: SigV4's HMAC, or for a Multi-Region Access Point
    /// (feature `sigv4a`) SigV4a's ECDSA signature.
    pub fn signature(&self) -> UrlSignature {
        match &self.v4a_signature {
            Some(der_hex) => UrlSignature::V4a(der_hex.clone()),
            None => UrlSignature::V4(self.url.signature()),
        }
    }

    /// The signing algorithm: `AWS4-HMAC-SHA256`, or
    /// `AWS4-ECDSA-P256-SHA256` (SigV4a) for a Multi-Region Access Point.
    pub fn algorithm(&self) -> &'static str {
        match self.v4a_signature {
            Some(_) => wire::ALGORITHM_V4A,
            None => wire::ALGORITHM,
        }
    }

    /// How long the URL is valid from its signing time (shorter than asked
    /// only when clamped to the credentials' expiry).
    pub fn expires_in(&self) -> Duration {
        self.url.expires_in()
    }

    /// Each query parameter as `(name, value)`, still percent-encoded.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.url.query_pairs()
    }
}

impl fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedUrl")
            .field("method", &self.method)
            .field("url", &self.url.redacted())
            .field("expires_in", &self.url.expires_secs())
            .finish()
    }
}

/// The signature of a [`PresignedUrl`]: SigV4's 32-byte HMAC, or a SigV4a
/// ECDSA signature. `Display` writes it as in the URL (lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlSignature {
    /// A SigV4 (`AWS4-HMAC-SHA256`) signature.
    V4(Signature),
    /// A SigV4a (`AWS4-ECDSA-P256-SHA256`) signature: a DER-encoded ECDSA
    /// P-256 signature in lowercase hex (its length varies).
    V4a(String),
}

impl UrlSignature {
    /// The SigV4 signature, if this is one.
    pub fn as_v4(&self) -> Option<Signature> {
        match self {
            UrlSignature::V4(s) => Some(*s),
            UrlSignature::V4a(_) => None,
        }
    }
}

impl fmt::Display for UrlSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlSignature::V4(s) => fmt::Display::fmt(s, f),
            UrlSignature::V4a(hex) => f.write_str(hex),
        }
    }
}

/// Why an S3 key may not survive an HTTP client unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyWarning {
    /// The key starts with `/`, so its URL path has `//`, which some clients
    /// and proxies merge.
    LeadingSlash,
    /// The key has a `.` or `..` segment, which most HTTP clients and
    /// browsers remove (RFC 3986 dot-segment removal) before sending.
    DotSegment,
}

impl fmt::Display for KeyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyWarning::LeadingSlash => {
                "the key starts with '/', and some HTTP clients merge the resulting '//'"
            }
            KeyWarning::DotSegment => {
                "the key has a '.' or '..' segment, which many HTTP clients remove before sending"
            }
        })
    }
}

/// Checks a key for shapes many HTTP clients rewrite. The crate signs such
/// keys exactly as given; a client that rewrites the path gets a 403.
///
/// ```
/// use presign::s3::{key_warning, KeyWarning};
///
/// assert_eq!(key_warning("photos/cat.jpg"), None);
/// assert_eq!(key_warning("a/../b"), Some(KeyWarning::DotSegment));
/// assert_eq!(key_warning("/rooted"), Some(KeyWarning::LeadingSlash));
/// ```
pub fn key_warning(key: &str) -> Option<KeyWarning> {
    if key.starts_with('/') {
        Some(KeyWarning::LeadingSlash)
    } else if key.split('/').any(|s| s == "." || s == "..") {
        Some(KeyWarning::DotSegment)
    } else {
        None
    }
}
