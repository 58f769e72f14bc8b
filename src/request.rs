//! The request to sign: method, host, path and query, headers and payload.

use core::fmt;

use crate::canonical::{Parts, PathSource, QuerySource};
use crate::chunked::StreamingPayload;
use crate::encode::PathMode;
use crate::error::{Error, excerpt};

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

/// RFC 9110 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
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
    pub(crate) payload: Payload<'a>,
}

impl<'a> SignableRequest<'a> {
    /// A request with a method, the `host` header value (host, and port if
    /// not the scheme's default) and the request target: the path, starting
    /// with `/`, then optionally `?` and the raw query.
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
            payload: Payload::default(),
        }
    }

    /// Adds a header to sign. Repeated names are joined with `,` in the order
    /// given; names are case-insensitive.
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sets what the signature says about the body (default: empty body).
    pub fn payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = payload;
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
    /// The parts the canonical request is built from.
    pub(crate) fn parts(&'a self, mode: PathMode) -> Parts<'a> {
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
            payload: self.payload,
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
