//! The request to sign: method, host, path and query, headers and payload.

use core::fmt;

use std::borrow::Cow;

use core::ops::Range;

use crate::chunked::StreamingPayload;
use crate::encode::PathMode;
use crate::encode::{Digits, Sink};
use crate::error::{Error, excerpt};
use crate::syntax::is_tchar;

/// An HTTP method, checked to be an RFC 9110 token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Method<'a>(&'a str);

impl Method<'static> {
    /// `GET`
    pub const GET: Method<'static> = Method("GET");
    /// `PUT`
    pub const PUT: Method<'static> = Method("PUT");
    /// `POST`
    pub const POST: Method<'static> = Method("POST");
    /// `HEAD`
    pub const HEAD: Method<'static> = Method("HEAD");
    /// `DELETE`
    pub const DELETE: Method<'static> = Method("DELETE");
    /// `PATCH`
    pub const PATCH: Method<'static> = Method("PATCH");
    /// `OPTIONS`
    pub const OPTIONS: Method<'static> = Method("OPTIONS");
}

impl<'a> Method<'a> {
    /// Any method name. Fails with [`Error::InvalidMethod`] when it is empty
    /// or not a token. Methods are case-sensitive and signed as given.
    pub fn new(method: &'a str) -> Result<Self, Error> {
        if !method.is_empty() && method.bytes().all(is_tchar) {
            Ok(Method(method))
        } else {
            Err(Error::InvalidMethod {
                method: excerpt(method),
            })
        }
    }

    /// The method name.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

impl fmt::Debug for Method<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for Method<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// What the signature says about the request body.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload<'a> {
    /// The body's bytes, hashed with SHA-256 when signing. The default is an
    /// empty body.
    Bytes(&'a [u8]),
    /// The SHA-256 of the body, computed by the caller.
    Sha256([u8; 32]),
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature (what S3
    /// presigned URLs use).
    Unsigned,
    /// `STREAMING-...`: the body is sent `aws-chunked`, each chunk signed
    /// after the request (see [`chunked`](crate::chunked)). Header signing
    /// only; [`StreamingUpload`](crate::chunked::StreamingUpload) adds the
    /// headers that go with it.
    Streaming(StreamingPayload),
}

impl Payload<'_> {
    /// A payload given by its SHA-256 as 64 hex digits (either case).
    pub fn sha256_hex(hash: &str) -> Result<Payload<'static>, Error> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(hash, &mut out).map_err(|_| Error::InvalidPayloadHash)?;
        Ok(Payload::Sha256(out))
    }
}

impl Default for Payload<'_> {
    fn default() -> Self {
        Payload::Bytes(b"")
    }
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Payload::Sha256(h) => write!(f, "Sha256({})", hex::encode(h)),
            Payload::Unsigned => f.write_str("Unsigned"),
            Payload::Streaming(p) => write!(f, "Streaming({})", p.content_sha256()),
        }
    }
}

/// An HTTP request to sign, borrowing its parts from the caller.
///
/// The target is the path and optional query exactly as they go on the
/// wire (`/path?query`). Headers are added with [`header`](Self::header);
/// `host` comes from the constructor and the signer adds its own headers
/// (`x-amz-date`, `x-amz-security-token`, `x-amz-content-sha256`).
///
/// ```
/// use presign::{Method, SignableRequest};
///
/// let req = SignableRequest::new(Method::GET, "example.amazonaws.com", "/?Param1=value1")
///     .header("My-Header1", "value1");
/// assert_eq!(req.path(), "/");
/// assert_eq!(req.query(), "Param1=value1");
/// ```
#[derive(Clone)]
pub struct SignableRequest<'a> {
    pub(crate) method: Method<'a>,
    pub(crate) host: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: Vec<(&'a str, &'a str)>,
    /// `None` until [`payload`](Self::payload) is called: the signer then
    /// picks what its service reads (see `SignatureLocation::default_payload`).
    pub(crate) payload: Option<Payload<'a>>,
}

impl<'a> SignableRequest<'a> {
    /// A request with a method, the `host` header value (host, and port if
    /// not the scheme's default) and the request target: the path, starting
    /// with `/`, then optionally `?` and the raw query.
    #[must_use]
    pub fn new(method: Method<'a>, host: &'a str, target: &'a str) -> Self {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, q),
            None => (target, ""),
        };
        SignableRequest {
            method,
            host,
            path,
            query,
            headers: Vec::new(),
            payload: None,
        }
    }

    /// Adds a header to sign. Repeated names are joined with `,` in the order
    /// given; names are case-insensitive.
    #[must_use]
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sets what the signature says about the body. By default, an empty
    /// body, except in a presigned URL for an S3 service, which signs
    /// `UNSIGNED-PAYLOAD`: S3 reads every presigned URL that way, so a URL
    /// signed over an empty body's hash would be refused.
    #[must_use]
    pub fn payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = Some(payload);
        self
    }

    /// The method.
    pub fn method(&self) -> Method<'a> {
        self.method
    }

    /// The host.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The path, as given.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The raw query, without `?` (empty if none).
    pub fn query(&self) -> &'a str {
        self.query
    }

    /// The headers added with [`header`](Self::header), in order.
    pub fn headers(&self) -> &[(&'a str, &'a str)] {
        &self.headers
    }
}

impl<'a> SignableRequest<'a> {
    /// The payload given, else `default`.
    pub(crate) fn payload_or(&self, default: Payload<'static>) -> Payload<'a> {
        self.payload.unwrap_or(default)
    }

    /// The parts the canonical request is built from, with `payload` (the
    /// one given, or the signer's default).
    pub(crate) fn parts(&'a self, mode: PathMode, payload: Payload<'a>) -> Parts<'a> {
        Parts {
            method: self.method.as_str(),
            host: self.host,
            host_checked: false,
            path: PathSource::Wire {
                path: self.path,
                mode,
            },
            query: QuerySource::Raw(self.query),
            headers: &self.headers,
            payload,
        }
    }
}

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values and the query may carry credentials: show names only.
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .field("payload", &self.payload)
            .finish()
    }
}

/// Where the canonical URI comes from.
pub(crate) enum PathSource<'a> {
    /// A path as sent on the wire, canonicalized according to `mode`.
    Wire { path: &'a str, mode: PathMode },
    /// An S3 object: an endpoint path prefix (wire form, may be empty), the
    /// bucket for path-style addressing, and the raw object key, encoded
    /// exactly once and never decoded (`None` for a request on the bucket).
    S3Object {
        prefix: &'a str,
        bucket: Option<&'a str>,
        key: Option<&'a str>,
    },
}

/// Where the caller's query parameters come from.
pub(crate) enum QuerySource<'a> {
    /// A raw query string to sign (decoded, then re-encoded).
    Raw(&'a str),
    /// A query as a server received it (with [`Auth::Received`]).
    Received(ReceivedQuery<'a>),
    /// Decoded `(name, value)` pairs, encoded once.
    Pairs(&'a [(&'a str, QueryValue<'a>)]),
}

/// A received query, as the verifier found it.
#[derive(Clone)]
pub(crate) enum ReceivedQuery<'a> {
    /// Canonical already (sorted, each parameter `name=value` escaped
    /// exactly as the signer escapes it): its own canonical form less the
    /// `skipped` ranges of `skip` (`name=value` pieces, in order: the
    /// signature, and a token added after signing).
    Canonical {
        query: &'a str,
        skip: [Range<usize>; 2],
        skipped: usize,
    },
    /// Anything else: read as S3 reads it (`+` is a space), re-encoded and
    /// sorted.
    Raw(&'a str),
}

impl ReceivedQuery<'_> {
    /// Writes a canonical query less its skipped pieces: the runs between
    /// them, joined by `&`.
    pub(crate) fn write_canonical(&self, out: &mut Vec<u8>) {
        let ReceivedQuery::Canonical {
            query,
            skip,
            skipped,
        } = self
        else {
            return;
        };
        let b = query.as_bytes();
        let start = out.len();
        let mut from = 0;
        for cut in skip.iter().take(*skipped).chain([&(b.len()..b.len())]) {
            let run = b.get(from..cut.start).unwrap_or_default();
            // Each run, trimmed of the separators next to a cut piece.
            let run = run.strip_prefix(b"&").unwrap_or(run);
            let run = run.strip_suffix(b"&").unwrap_or(run);
            if !run.is_empty() {
                if out.len() > start {
                    out.put_byte(b'&');
                }
                out.put(run);
            }
            from = cut.end;
        }
    }
}

/// A decoded query parameter value: text, or a number kept as its digits
/// (so that a part number or `max-keys` needs no allocation).
#[derive(Clone)]
pub(crate) enum QueryValue<'a> {
    Text(Cow<'a, str>),
    Number(Digits),
}

impl QueryValue<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            QueryValue::Text(text) => text,
            QueryValue::Number(digits) => digits.as_str(),
        }
    }
}

impl Default for QueryValue<'_> {
    fn default() -> Self {
        QueryValue::Text(Cow::Borrowed(""))
    }
}

impl fmt::Debug for QueryValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Everything the canonical request is built from.
pub(crate) struct Parts<'a> {
    pub(crate) method: &'a str,
    pub(crate) host: &'a str,
    /// Whether `host` was validated already (an S3 bucket's host is, when
    /// the bucket is built), so signing need not scan it again.
    pub(crate) host_checked: bool,
    pub(crate) path: PathSource<'a>,
    pub(crate) query: QuerySource<'a>,
    pub(crate) headers: &'a [(&'a str, &'a str)],
    pub(crate) payload: Payload<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_tokens() {
        assert_eq!(Method::new("PROPFIND").unwrap().as_str(), "PROPFIND");
        for bad in ["", "GET /", "GE\nT", "GÉT"] {
            assert!(matches!(Method::new(bad), Err(Error::InvalidMethod { .. })));
        }
    }

    #[test]
    fn payload_hash_must_be_hex() {
        assert!(
            Payload::sha256_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .is_ok()
        );
        assert_eq!(
            Payload::sha256_hex("xyz").unwrap_err(),
            Error::InvalidPayloadHash
        );
    }

    #[test]
    fn debug_hides_header_values_and_query() {
        let r = SignableRequest::new(Method::GET, "h", "/?X-Amz-Security-Token=SECRET")
            .header("x-token", "SECRET");
        assert!(!format!("{r:?}").contains("SECRET"));
    }
}
