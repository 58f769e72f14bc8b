//! The output of query signing: a presigned request target or URL.

use core::fmt;
use std::time::Duration;

use crate::signature::Signature;
use crate::wire;

/// What query signing reports besides the text it wrote.
pub(crate) struct PresignInfo {
    /// Where the query starts in the text (after `?`).
    pub(crate) query_start: usize,
    pub(crate) signature: Signature,
    /// The expiry in seconds (shorter than asked only when clamped).
    pub(crate) expires: u64,
}

/// A presigned request target or URL: the text, where its query starts, the
/// signature and the expiry. [`PresignedRequest`] and
/// [`PresignedUrl`](crate::s3::PresignedUrl) share it: one query view, one
/// redaction.
#[derive(Clone)]
pub(crate) struct PresignedText {
    text: String,
    query_start: usize,
    signature: Signature,
    expires_in: u64,
}

impl PresignedText {
    pub(crate) fn new(text: String, query_start: usize, info: PresignInfo) -> Self {
        PresignedText {
            text,
            query_start,
            signature: info.signature,
            expires_in: info.expires,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn into_string(self) -> String {
        self.text
    }

    /// Everything before `?`.
    pub(crate) fn before_query(&self) -> &str {
        self.text
            .get(..self.query_start.saturating_sub(1))
            .unwrap_or_default()
    }

    /// The query, without `?`.
    pub(crate) fn query(&self) -> &str {
        self.text.get(self.query_start..).unwrap_or_default()
    }

    pub(crate) fn signature(&self) -> Signature {
        self.signature
    }

    pub(crate) fn expires_in(&self) -> Duration {
        Duration::from_secs(self.expires_in)
    }

    /// Each query parameter as `(name, value)`, still percent-encoded.
    pub(crate) fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query()
            .split('&')
            .map(|p| p.split_once('=').unwrap_or((p, "")))
    }

    /// The text with the session token and the signature redacted: what
    /// `Debug` shows.
    pub(crate) fn redacted(&self) -> String {
        let mut shown = String::with_capacity(self.text.len());
        shown.push_str(self.before_query());
        shown.push('?');
        for (i, (name, value)) in self.query_pairs().enumerate() {
            if i > 0 {
                shown.push('&');
            }
            shown.push_str(name);
            shown.push('=');
            let secret = name == wire::query::X_AMZ_SECURITY_TOKEN
                || name == wire::query::X_AMZ_S3SESSION_TOKEN
                || name == wire::query::X_AMZ_SIGNATURE;
            shown.push_str(if secret { "<redacted>" } else { value });
        }
        shown
    }

    pub(crate) fn expires_secs(&self) -> u64 {
        self.expires_in
    }
}

/// A presigned request: the path and query to send, with the signature in
/// the query string.
///
/// A presigned URL is a bearer credential until it expires: hand it only to
/// whom it is for. `Debug` redacts the session token and the signature.
#[derive(Clone)]
pub struct PresignedRequest(pub(crate) PresignedText);

impl PresignedRequest {
    /// The request target: path, `?`, query.
    pub fn uri(&self) -> &str {
        self.0.as_str()
    }

    /// The path part of [`uri`](Self::uri).
    pub fn path(&self) -> &str {
        self.0.before_query()
    }

    /// The query part of [`uri`](Self::uri), without `?`.
    pub fn query(&self) -> &str {
        self.0.query()
    }

    /// The signature.
    pub fn signature(&self) -> Signature {
        self.0.signature()
    }

    /// How long the request is valid, from the signing time.
    pub fn expires_in(&self) -> Duration {
        self.0.expires_in()
    }

    /// The request target, by value.
    #[must_use]
    pub fn into_uri(self) -> String {
        self.0.into_string()
    }

    /// Each query parameter as `(name, value)`, still percent-encoded.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.query_pairs()
    }
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedRequest")
            .field("uri", &self.0.redacted())
            .field("expires_in", &self.0.expires_secs())
            .finish()
    }
}
