//! Step 3 of the pipeline: the canonical request.
//!
//! ```text
//! <method>
//! <canonical URI>
//! <canonical query string>
//! <canonical headers, one "name:value\n" each>
//!
//! <signed headers, ';'-separated>
//! <payload hash>
//! ```
//!
//! Everything is written into one caller-provided buffer. Header names are
//! lowercased, values trimmed with inner runs of whitespace (including folded
//! line breaks) collapsed to one space, repeated headers joined with `,` in
//! the order given, and the headers sorted by name. Query names and values
//! are decoded, encoded again with the unreserved set only, and sorted by
//! name, then value.
//!
//! One seam: `write` takes the straight-line S3 presign writer
//! (`canonical/plain.rs`) when the request is one, and the general writer
//! otherwise, which puts the path (`path.rs`), the query (`query.rs`) and
//! the headers (`headers.rs`, their values `header_value.rs`) into reusable
//! buffers (`scratch.rs`).

mod header_value;
mod headers;
mod path;
mod plain;
mod query;
mod received;
mod scratch;
#[cfg(test)]
mod tests;

use core::fmt;
use core::ops::Range;

use crate::credentials::TokenKind;
use crate::encode::{self, Digits, PathMode, Sink, itoa_u64};
use crate::error::Error;
use crate::mac::{EMPTY_SHA256_HEX, sha256, sha256_in_place, sha256_spliced};
use crate::request::{Parts, PathSource, Payload, QuerySource, ReceivedQuery};
use crate::signature::hex64;
use crate::time::AmzDate;
use zeroize::Zeroize;

pub use header_value::header_value;
pub(crate) use headers::{INLINE_HEADERS, InlineHeaders};
use headers::{SortedHeaders, canonical_headers, check_host};
use path::{check_path, write_s3_path};
use plain::write_plain_presign;
use query::write_query;
use received::write_received_plain;
pub(crate) use scratch::{Scratch, ThreadScratch};

/// The payload hash S3 presigned URLs use.
pub const UNSIGNED_PAYLOAD: &str = crate::wire::UNSIGNED_PAYLOAD;

/// What the signer adds to the request, by where the signature goes.
pub(crate) enum Auth<'a> {
    /// Header signing: `x-amz-date`, and optionally a signed session token
    /// and `x-amz-content-sha256`.
    Header {
        amz_date: &'a AmzDate,
        token: Option<&'a str>,
        /// Which header carries the token.
        token_kind: TokenKind,
        content_sha256: bool,
        /// SigV4a: the region set, signed as `x-amz-region-set` (`None`
        /// for SigV4).
        region_set: Option<&'a str>,
    },
    /// Verification: the request as received already carries every
    /// `X-Amz-*` parameter and header; its headers are exactly the signed
    /// ones (with `host` among them), and the query's `X-Amz-Signature` is
    /// left out, as is `X-Amz-Security-Token` when it was added after
    /// signing.
    Received { token_unsigned: bool },
    /// Query signing: the `X-Amz-*` parameters other than the signature.
    Query {
        /// `X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Date=`, from the
        /// cached key.
        query_head: &'a str,
        /// The `X-Amz-Credential` value, query-encoded.
        credential: &'a str,
        amz_date: &'a AmzDate,
        expires: u64,
        /// The token, already query-encoded, when it is signed.
        token_encoded: Option<&'a str>,
        /// Which parameter carries the token.
        token_kind: TokenKind,
        /// SigV4a: the region set, query-encoded, signed as
        /// `X-Amz-Region-Set` (`None` for SigV4). `query_head` then names
        /// SigV4a's algorithm and its region-less scope.
        region_set: Option<&'a str>,
    },
}

/// Where the pieces landed in the buffer, for building the outputs.
///
/// (With [`Auth::Received`] the canonical request is rebuilt from a request
/// as a server received it, to verify its signature.)
#[derive(Clone, Default)]
pub(crate) struct Layout {
    pub(crate) path: Range<usize>,
    pub(crate) query: Range<usize>,
    pub(crate) signed_headers: Range<usize>,
    pub(crate) payload_hash: Range<usize>,
    /// With query signing and a signed session token: where the encoded
    /// token belongs in the buffer. It is not copied in; the canonical
    /// request is the buffer with the token spliced in there (see
    /// [`Layout::spliced`]), so a kilobyte token is neither copied into the
    /// scratch buffer nor wiped from it, and reaches the URL straight from
    /// the credentials.
    pub(crate) token_at: Option<usize>,
}

impl Auth<'_> {
    /// A presigned request's expiry in seconds (0 for the other forms).
    pub(crate) fn expires(&self) -> u64 {
        match self {
            Auth::Query { expires, .. } => *expires,
            Auth::Header { .. } | Auth::Received { .. } => 0,
        }
    }

    /// The region set SigV4a signs (`None` for SigV4).
    pub(crate) fn region_set(&self) -> Option<&str> {
        match self {
            Auth::Header { region_set, .. } | Auth::Query { region_set, .. } => *region_set,
            Auth::Received { .. } => None,
        }
    }

    /// The algorithm's name: SigV4's, or SigV4a's with a region set.
    pub(crate) fn algorithm(&self) -> &'static str {
        match self.region_set() {
            Some(_) => crate::wire::ALGORITHM_V4A,
            None => crate::wire::ALGORITHM,
        }
    }

    /// The encoded session token that query signing splices into the
    /// canonical request (see [`Layout::spliced`]).
    pub(crate) fn signed_token(&self) -> Option<&str> {
        match self {
            Auth::Query { token_encoded, .. } => *token_encoded,
            Auth::Header { .. } | Auth::Received { .. } => None,
        }
    }
}

impl Layout {
    pub(crate) const EMPTY: Layout = Layout {
        path: 0..0,
        query: 0..0,
        signed_headers: 0..0,
        payload_hash: 0..0,
        token_at: None,
    };

    /// The SHA-256 of the canonical request in `buf`, with `token` spliced
    /// in at [`token_at`](Self::token_at): `buf` is padded in place (and
    /// restored), and the token is hashed where it lies.
    pub(crate) fn sha256(&self, buf: &mut Vec<u8>, token: Option<&str>) -> [u8; 32] {
        match (self.token_at, token) {
            (Some(at), Some(token)) => sha256_spliced(buf, at, token.as_bytes()),
            _ => sha256_in_place(buf),
        }
    }

    /// The canonical request in `buf` as up to three pieces, with `token`
    /// spliced in at [`token_at`](Self::token_at).
    pub(crate) fn spliced<'a>(&self, buf: &'a [u8], token: Option<&'a str>) -> [&'a [u8]; 3] {
        match (self.token_at, token) {
            (Some(at), Some(token)) if at <= buf.len() => {
                let (head, tail) = buf.split_at(at);
                [head, token.as_bytes(), tail]
            }
            _ => [buf, &[], &[]],
        }
    }
}

/// Writes the canonical request for `req` into `scratch.buf`, and where
/// its pieces landed into `scratch.layout`.
///
/// (The layout stays in the scratch buffers rather than being returned: a
/// [`Layout`] returned through memory was copied with wide loads right
/// after its fields were stored one by one, and each such copy stalled the
/// presign for longer than writing it took. Inlined, with the straight-line
/// writer, into the signer's one call.)
#[inline(always)]
pub(crate) fn write(req: &Parts<'_>, auth: &Auth<'_>, scratch: &mut Scratch) -> Result<(), Error> {
    write_with(req, auth, scratch, true)
}

/// [`write`], with the straight-line S3 presign path allowed or not (the
/// tests compare the two).
#[inline(always)]
pub(crate) fn write_with(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    scratch: &mut Scratch,
    plain_path: bool,
) -> Result<(), Error> {
    // `ThreadScratch` hands the buffers over wiped; anyone else gets them
    // wiped here.
    if !scratch.is_clear() {
        scratch.wipe();
    }
    // (Query signing never writes the token into the buffers.)
    scratch.sensitive =
        !req.headers.is_empty() || matches!(auth, Auth::Header { token: Some(_), .. });
    let Scratch {
        buf,
        expires,
        layout,
        ..
    } = scratch;
    let expires_text = match auth {
        Auth::Query { expires: n, .. } => match *expires {
            Some((m, digits)) if m == *n => digits,
            _ => {
                let digits = itoa_u64(*n);
                *expires = Some((*n, digits));
                digits
            }
        },
        Auth::Header { .. } | Auth::Received { .. } => Digits::NONE,
    };

    if !req.host_checked {
        check_host(req.host)?;
    }
    if plain_path
        && (write_plain_presign(req, auth, expires_text.as_bytes(), buf, layout)?
            || write_received_plain(req, auth, buf, layout)?)
    {
        return Ok(());
    }
    write_general(req, auth, expires_text, scratch)
}

/// The general writer: any path, query and headers.
#[inline(never)]
fn write_general(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    expires_text: Digits,
    scratch: &mut Scratch,
) -> Result<(), Error> {
    let Scratch {
        buf,
        side,
        aux,
        headers,
        params,
        layout,
        ..
    } = scratch;
    // Room for everything up front: a buffer that grew would leave a copy
    // of what it held (a session token, say) in the memory it freed.
    let hint = size_hint(req, auth);
    buf.reserve(hint);
    // Query signing with a few caller headers (every S3 presign in
    // practice) sorts borrowed headers on the stack and writes them once;
    // anything else is canonicalized into the side buffer first.
    let sorted = match auth {
        Auth::Query { .. } if req.headers.len() <= INLINE_HEADERS => {
            SortedHeaders::Inline(InlineHeaders::new(req.host, req.headers)?)
        }
        _ => {
            // The side buffer holds header values and query parameters:
            // the same bound.
            side.reserve(hint);
            canonical_headers(req, auth, side, aux, headers)?;
            SortedHeaders::Side(headers)
        }
    };

    // Method and path.
    buf.put(req.method.as_bytes());
    buf.put_byte(b'\n');
    let path_start = buf.len();
    match req.path {
        PathSource::Wire { path, mode } => {
            check_path(path)?;
            match mode {
                PathMode::S3 => encode::write_requoted_path(path.as_bytes(), buf),
                PathMode::Standard => {
                    aux.clear();
                    encode::normalize_path_into(path.as_bytes(), aux);
                    encode::write_path(aux, buf);
                }
            }
        }
        PathSource::S3Object {
            prefix,
            bucket,
            key,
        } => write_s3_path(prefix, bucket, key, buf),
    }
    let path = path_start..buf.len();
    buf.put_byte(b'\n');

    // Query.
    let query_start = buf.len();
    let token_at = write_query(
        &req.query,
        auth,
        expires_text.as_bytes(),
        &sorted,
        side,
        params,
        buf,
    )?;
    let query = query_start..buf.len();
    buf.put_byte(b'\n');

    // Headers, the signed header list, the payload hash.
    let (signed_headers, payload_hash) = sorted.write_tail(side, &req.payload, buf)?;
    *layout = Layout {
        path,
        query,
        signed_headers,
        payload_hash,
        token_at,
    };
    Ok(())
}

/// A capacity hint for a canonical request: every byte of caller input may
/// become `%XY`, plus room for the signer's parameters, the host and the
/// payload hash, so the buffer is reserved once (it still grows if a header
/// value is longer than the hint allows).
pub(crate) fn size_hint(req: &Parts<'_>, auth: &Auth<'_>) -> usize {
    let path = match req.path {
        PathSource::Wire { path, .. } => path.len() + 1,
        PathSource::S3Object {
            prefix,
            bucket,
            key,
        } => prefix.len() + bucket.map_or(0, |b| b.len() + 1) + key.map_or(1, |k| k.len() + 1),
    };
    let query = match req.query {
        QuerySource::Raw(raw)
        | QuerySource::Received(
            ReceivedQuery::Raw(raw) | ReceivedQuery::Canonical { query: raw, .. },
        ) => raw.len() + 1,
        QuerySource::Pairs(pairs) => pairs
            .iter()
            .map(|(n, v)| n.len() + v.as_str().len() + 2)
            .sum(),
    };
    let headers: usize = req
        .headers
        .iter()
        .map(|(n, v)| n.len() + v.len() + 2)
        .sum::<usize>()
        + 5;
    let signer = match auth {
        // Names, separators, algorithm, date and expiry digits.
        Auth::Query {
            credential,
            token_encoded,
            region_set,
            ..
        } => {
            160 + credential.len()
                + token_encoded.map_or(0, str::len)
                + region_set.map_or(0, |r| r.len() + 32)
        }
        // The signer's header lines and their names in the signed list.
        Auth::Header {
            token, region_set, ..
        } => 256 + token.map_or(0, str::len) + region_set.map_or(0, |r| r.len() + 40),
        Auth::Received { .. } => 0,
    };
    3 * (path + query + headers) + signer + req.method.len() + req.host.len() + 256
}

pub(crate) fn write_payload_hash<S: Sink + ?Sized>(payload: &Payload<'_>, out: &mut S) {
    match payload {
        // (An empty body, the usual case for header signing, has a known
        // hash.)
        Payload::Bytes([]) => out.put(EMPTY_SHA256_HEX),
        Payload::Bytes(b) => out.put(&hex64(&sha256(b))),
        Payload::Sha256(h) => out.put(&hex64(h)),
        Payload::Unsigned => out.put(UNSIGNED_PAYLOAD.as_bytes()),
        Payload::Streaming(p) => out.put(p.content_sha256().as_bytes()),
    }
}

/// A canonical request, as text.
///
/// Useful to compare against what a server computed when a signature does not
/// match. It may contain the session token (query signing signs it), so its
/// `Debug` shows only its length and hash; print [`as_str`](Self::as_str)
/// deliberately, never to logs. Its text is zeroed when it is dropped.
#[derive(Clone)]
pub struct CanonicalRequest {
    text: String,
}

impl CanonicalRequest {
    /// The canonical request of `parts` with what `auth` adds, as text (a
    /// signed session token spliced in): what the signers show for
    /// debugging.
    pub(crate) fn of(parts: &Parts<'_>, auth: &Auth<'_>) -> Result<Self, Error> {
        let mut s = ThreadScratch::take();
        write(parts, auth, &mut s)?;
        Ok(CanonicalRequest::from_bytes(
            s.layout.spliced(&s.buf, auth.signed_token()).concat(),
        ))
    }

    pub(crate) fn from_bytes(bytes: Vec<u8>) -> Self {
        // Every piece written is either validated UTF-8 input or ASCII, so
        // the bytes become the text in place; were they not, the lossy copy
        // replaces them and they are zeroed.
        let text = String::from_utf8(bytes).unwrap_or_else(|e| {
            let mut bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            bytes.zeroize();
            text
        });
        CanonicalRequest { text }
    }

    /// The canonical request text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Its SHA-256, the last line of the string to sign.
    pub fn sha256(&self) -> [u8; 32] {
        sha256(self.text.as_bytes())
    }
}

impl Drop for CanonicalRequest {
    fn drop(&mut self) {
        // It may hold the session token and caller header values.
        self.text.zeroize();
    }
}

impl fmt::Debug for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CanonicalRequest")
            .field("len", &self.text.len())
            .field("sha256", &hex::encode(self.sha256()))
            .finish_non_exhaustive()
    }
}
