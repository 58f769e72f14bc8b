//! A presigned S3 URL, and the key shapes HTTP clients rewrite.

use core::fmt;
use std::time::Duration;

use crate::request::Method;
use crate::sign::PresignedText;
use crate::signature::Signature;

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

    /// The signature.
    pub fn signature(&self) -> Signature {
        self.url.signature()
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
