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

use std::borrow::Cow;

use core::fmt;
use core::ops::Range;

use crate::encode::{self, PathMode, Sink};
use crate::error::{Error, excerpt};
use crate::mac::sha256;
use crate::request::{Payload, is_tchar};
use crate::signature::hex64;
use crate::string_to_sign::ALGORITHM;
use crate::time::AmzDate;
use zeroize::Zeroize;

/// The payload hash S3 presigned URLs use.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Header names the signer writes itself; a caller may not set them.
const RESERVED_HEADERS: [&str; 5] = [
    "host",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// Query parameters query signing writes itself, in canonical order.
pub(crate) const RESERVED_QUERY: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-Security-Token",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
];

/// What the signer adds to the request, by where the signature goes.
pub(crate) enum Auth<'a> {
    /// Header signing: `x-amz-date`, and optionally a signed
    /// `x-amz-security-token` and `x-amz-content-sha256`.
    Header {
        amz_date: &'a AmzDate,
        token: Option<&'a str>,
        content_sha256: bool,
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
    },
}

/// Where the pieces landed in the buffer, for building the outputs.
///
/// (With [`Auth::Received`] the canonical request is rebuilt from a request
/// as a server received it, to verify its signature.)
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

impl Layout {
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

struct HeaderEntry {
    name: Range<usize>,
    value: Range<usize>,
}

struct Param {
    name: Range<usize>,
    value: Range<usize>,
}

/// Reusable buffers for canonicalization: the canonical request itself, and
/// a side buffer for header and query pieces that are sorted before they are
/// written. Reused across calls, so steady-state signing does not allocate
/// for them; cleared (and zeroed, as they may hold a session token) after
/// every use.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) buf: Vec<u8>,
    side: Vec<u8>,
    aux: Vec<u8>,
    headers: Vec<HeaderEntry>,
    params: Vec<Param>,
    /// Whether the buffers hold a session token or caller header values
    /// (which may be secrets, such as an SSE-C key).
    sensitive: bool,
    /// The digits of the last `X-Amz-Expires` written (it rarely changes).
    expires: Option<(u64, Digits)>,
}

impl Scratch {
    /// Records that the buffers now hold a secret, so that they are zeroed
    /// when wiped.
    pub(crate) fn mark_sensitive(&mut self) {
        self.sensitive = true;
    }

    fn is_clear(&self) -> bool {
        self.buf.is_empty()
            && self.side.is_empty()
            && self.aux.is_empty()
            && self.headers.is_empty()
            && self.params.is_empty()
            && !self.sensitive
    }

    /// Clears every buffer, keeping their capacity; zeroes them first when
    /// they held anything sensitive.
    ///
    /// The buffers outlive the call (they are reused), so a plain `memset`
    /// made observable with `black_box` does the job of `zeroize`'s
    /// byte-by-byte volatile writes, which cost more than the hashing
    /// itself on a presign.
    pub(crate) fn wipe(&mut self) {
        for bytes in [&mut self.buf, &mut self.side, &mut self.aux] {
            if self.sensitive && !bytes.is_empty() {
                bytes.fill(0);
                core::hint::black_box(&mut bytes[..]);
            }
            bytes.clear();
        }
        self.headers.clear();
        self.params.clear();
        self.sensitive = false;
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
    /// A raw query string as sent on the wire (decoded, then re-encoded).
    Raw(&'a str),
    /// Decoded `(name, value)` pairs, encoded once.
    Pairs(&'a [(&'a str, QueryValue<'a>)]),
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

/// Writes the canonical request for `req` into `scratch.buf`.
pub(crate) fn write(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    scratch: &mut Scratch,
) -> Result<Layout, Error> {
    write_with(req, auth, scratch, true)
}

/// [`write`], with the straight-line S3 presign path allowed or not (the
/// tests compare the two).
fn write_with(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    scratch: &mut Scratch,
    plain_path: bool,
) -> Result<Layout, Error> {
    // `with_scratch` hands the buffers over wiped; anyone else gets them
    // wiped here.
    if !scratch.is_clear() {
        scratch.wipe();
    }
    // (Query signing never writes the token into the buffers.)
    scratch.sensitive =
        !req.headers.is_empty() || matches!(auth, Auth::Header { token: Some(_), .. });
    let Scratch {
        buf,
        side,
        aux,
        headers,
        params,
        expires,
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
        && let Some(layout) = write_plain_presign(req, auth, expires_text.as_bytes(), buf)?
    {
        return Ok(layout);
    }
    // Room for everything up front: a buffer that grew would leave a copy
    // of what it held (a session token, say) in the memory it freed.
    let hint = size_hint(req, auth);
    buf.reserve(hint);
    // Query signing with a few caller headers (every S3 presign in
    // practice) sorts borrowed headers on the stack and writes them once;
    // anything else is canonicalized into the side buffer first.
    let inline = match auth {
        Auth::Query { .. } if req.headers.len() <= INLINE_HEADERS => {
            Some(InlineHeaders::new(req.host, req.headers)?)
        }
        _ => {
            // The side buffer holds header values and query parameters:
            // the same bound.
            side.reserve(hint);
            canonical_headers(req, auth, side, aux, headers)?;
            None
        }
    };
    let headers = &*headers;

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
        plain_path,
        auth,
        expires_text.as_bytes(),
        inline.as_ref(),
        headers,
        side,
        params,
        buf,
    )?;
    let query = query_start..buf.len();
    buf.put_byte(b'\n');

    // Headers, then the signed header list.
    if let Some(inline) = &inline {
        let (signed_headers, payload_hash) = inline.write_tail(&req.payload, buf)?;
        return Ok(Layout {
            path,
            query,
            signed_headers,
            payload_hash,
            token_at,
        });
    }
    for (i, h) in headers.iter().enumerate() {
        let same_as_prev = i > 0 && side[headers[i - 1].name.clone()] == side[h.name.clone()];
        if same_as_prev {
            buf.put_byte(b',');
        } else {
            if i > 0 {
                buf.put_byte(b'\n');
            }
            buf.put(&side[h.name.clone()]);
            buf.put_byte(b':');
        }
        buf.put(&side[h.value.clone()]);
    }
    if !headers.is_empty() {
        buf.put_byte(b'\n');
    }
    buf.put_byte(b'\n');
    let sh_start = buf.len();
    write_signed_headers(headers, side, false, buf);
    let signed_headers = sh_start..buf.len();
    buf.put_byte(b'\n');

    // Payload hash.
    let ph_start = buf.len();
    write_payload_hash(&req.payload, buf);
    let payload_hash = ph_start..buf.len();

    Ok(Layout {
        path,
        query,
        signed_headers,
        payload_hash,
        token_at,
    })
}

/// The common S3 presign, written in a straight line: an object (or bucket)
/// path, no caller query parameters and at most [`INLINE_HEADERS`] caller
/// headers, so the query is the signer's six (five without a token).
/// `Ok(None)` for anything else, which [`write`] then handles in general.
/// Writes the same bytes as the general path (a unit test compares them).
fn write_plain_presign(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    expires_text: &[u8],
    buf: &mut Vec<u8>,
) -> Result<Option<Layout>, Error> {
    let (
        Auth::Query {
            query_head,
            amz_date,
            token_encoded,
            ..
        },
        PathSource::S3Object {
            prefix,
            bucket,
            key,
        },
        QuerySource::Pairs([]),
        Payload::Unsigned,
    ) = (auth, &req.path, &req.query, &req.payload)
    else {
        return Ok(None);
    };
    if req.headers.len() > INLINE_HEADERS {
        return Ok(None);
    }
    // Caller headers, checked and sorted before anything is written.
    let inline = match req.headers {
        [] => None,
        headers => Some(InlineHeaders::new(req.host, headers)?),
    };
    const SIGNED_HOST: &[u8] = b"&X-Amz-SignedHeaders=host\nhost:";
    const TAIL: &[u8] = b"\n\nhost\nUNSIGNED-PAYLOAD";
    buf.reserve(
        req.method.len()
            + prefix.len() * 3
            + bucket.map_or(0, str::len)
            + key.map_or(0, |k| 3 * k.len())
            + query_head.len()
            + 60
            + SIGNED_HOST.len()
            + req.host.len()
            + TAIL.len()
            // The hash padding, written in place after the request.
            + 72
            + req
                .headers
                .iter()
                .map(|(n, v)| 4 * n.len() + v.len() + 2)
                .sum::<usize>(),
    );
    buf.put(req.method.as_bytes());
    buf.put_byte(b'\n');
    let path_start = buf.len();
    write_s3_path(prefix, *bucket, *key, buf);
    let path = path_start..buf.len();
    buf.put_byte(b'\n');
    let query_start = buf.len();
    buf.put(query_head.as_bytes());
    buf.put(amz_date.as_bytes());
    buf.put(b"&X-Amz-Expires=");
    buf.put(expires_text);
    let mut token_at = None;
    if token_encoded.is_some() {
        buf.put(b"&X-Amz-Security-Token=");
        token_at = Some(buf.len());
    }
    let Some(inline) = inline else {
        // Only `host`: constant text around the host.
        buf.put(SIGNED_HOST);
        let query = query_start..buf.len() - "\nhost:".len();
        buf.put(req.host.as_bytes());
        buf.put(TAIL);
        let end = buf.len();
        return Ok(Some(Layout {
            path,
            query,
            signed_headers: end - "host\nUNSIGNED-PAYLOAD".len()..end - "\nUNSIGNED-PAYLOAD".len(),
            payload_hash: end - UNSIGNED_PAYLOAD.len()..end,
            token_at,
        }));
    };
    buf.put(b"&X-Amz-SignedHeaders=");
    inline.write_signed(true, buf);
    let query = query_start..buf.len();
    buf.put_byte(b'\n');
    let (signed_headers, payload_hash) = inline.write_tail(&req.payload, buf)?;
    Ok(Some(Layout {
        path,
        query,
        signed_headers,
        payload_hash,
        token_at,
    }))
}

/// The canonical URI of an S3 request: the endpoint's path prefix (wire
/// form), `/bucket` when path-style, then `/` and the key encoded once; `/`
/// alone for a virtual-hosted bucket.
fn write_s3_path(prefix: &str, bucket: Option<&str>, key: Option<&str>, buf: &mut Vec<u8>) {
    if !prefix.is_empty() {
        encode::write_requoted_path(prefix.as_bytes(), buf);
    }
    if let Some(bucket) = bucket {
        buf.put_byte(b'/');
        buf.put(bucket.as_bytes());
    }
    match key {
        Some(key) => {
            buf.put_byte(b'/');
            encode::write_path(key.as_bytes(), buf);
        }
        None if bucket.is_none() => buf.put_byte(b'/'),
        None => {}
    }
}

/// A capacity hint for a canonical request: every byte of caller input may
/// become `%XY`, plus room for the signer's parameters, the host and the
/// payload hash, so the buffer is reserved once (it still grows if a header
/// value is longer than the hint allows).
fn size_hint(req: &Parts<'_>, auth: &Auth<'_>) -> usize {
    let path = match req.path {
        PathSource::Wire { path, .. } => path.len() + 1,
        PathSource::S3Object {
            prefix,
            bucket,
            key,
        } => prefix.len() + bucket.map_or(0, |b| b.len() + 1) + key.map_or(1, |k| k.len() + 1),
    };
    let query = match req.query {
        QuerySource::Raw(raw) => raw.len() + 1,
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
            ..
        } => 160 + credential.len() + token_encoded.map_or(0, str::len),
        // The signer's header lines and their names in the signed list.
        Auth::Header { token, .. } => 256 + token.map_or(0, str::len),
        Auth::Received { .. } => 0,
    };
    3 * (path + query + headers) + signer + req.method.len() + req.host.len() + 256
}

pub(crate) fn write_payload_hash<S: Sink + ?Sized>(payload: &Payload<'_>, out: &mut S) {
    match payload {
        Payload::Bytes(b) => out.put(&hex64(&sha256(b))),
        Payload::Sha256(h) => out.put(&hex64(h)),
        Payload::Unsigned => out.put(UNSIGNED_PAYLOAD.as_bytes()),
        Payload::Streaming(p) => out.put(p.content_sha256().as_bytes()),
    }
}

/// Writes the unique header names joined by `;`, or, for the
/// `X-Amz-SignedHeaders` query value, query-encoded (`;` is `%3B`, and so on
/// for the other token characters that are not unreserved).
fn write_signed_headers(
    headers: &[HeaderEntry],
    side: &[u8],
    query_encoded: bool,
    out: &mut Vec<u8>,
) {
    for (i, h) in headers.iter().enumerate() {
        let name = &side[h.name.clone()];
        if i > 0 {
            if side[headers[i - 1].name.clone()] == *name {
                continue;
            }
            out.put(if query_encoded { b"%3B" } else { b";" });
        }
        if query_encoded {
            encode::write_query_component(name, out);
        } else {
            out.put(name);
        }
    }
}

fn check_host(host: &str) -> Result<(), Error> {
    /// Bytes a host may not contain: controls, space, `/ ? # @ \\`.
    static BAD: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 0x20 {
            t[i] = true;
            i += 1;
        }
        t[0x7f] = true;
        t[b' ' as usize] = true;
        t[b'/' as usize] = true;
        t[b'?' as usize] = true;
        t[b'#' as usize] = true;
        t[b'@' as usize] = true;
        t[b'\\' as usize] = true;
        t
    };
    let reason = if host.is_empty() {
        Some("empty")
    } else if host.bytes().any(|b| BAD[b as usize]) {
        Some("contains whitespace, a control character or one of / ? # @ \\")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidHost {
            host: excerpt(host),
            reason,
        }),
        None => Ok(()),
    }
}

fn check_path(path: &str) -> Result<(), Error> {
    if !path.starts_with('/') {
        return Err(Error::InvalidPath {
            reason: "must start with '/'",
        });
    }
    if path.bytes().any(|b| b.is_ascii_control() || b == b'#') {
        return Err(Error::InvalidPath {
            reason: "contains a control character or '#'",
        });
    }
    Ok(())
}

/// Canonicalizes the caller's headers plus the signer's own into `side`,
/// returning them sorted by name (stable, so repeated headers keep their
/// order).
fn canonical_headers(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    side: &mut Vec<u8>,
    aux: &mut Vec<u8>,
    entries: &mut Vec<HeaderEntry>,
) -> Result<(), Error> {
    let received = matches!(auth, Auth::Received { .. });
    if !received {
        push_raw(side, entries, "host", req.host.as_bytes());
    }
    for &(name, value) in req.headers {
        check_header_name(name, !received)?;
        let n = side.len();
        side.extend_from_slice(name.as_bytes());
        side[n..].make_ascii_lowercase();
        let v = side.len();
        canonical_header_value(value, side).map_err(|reason| Error::InvalidHeaderValue {
            name: excerpt(&name.to_ascii_lowercase()),
            reason,
        })?;
        entries.push(HeaderEntry {
            name: n..v,
            value: v..side.len(),
        });
    }
    if let Auth::Header {
        amz_date,
        token,
        content_sha256,
    } = auth
    {
        push_raw(side, entries, "x-amz-date", amz_date.as_bytes());
        if let Some(token) = token {
            push_raw(side, entries, "x-amz-security-token", token.as_bytes());
        }
        if *content_sha256 {
            aux.clear();
            write_payload_hash(&req.payload, aux);
            push_raw(side, entries, "x-amz-content-sha256", aux);
        }
    }
    entries.sort_by(|a, b| side[a.name.clone()].cmp(&side[b.name.clone()]));
    Ok(())
}

/// A header name must be a token; one the signer writes itself is rejected
/// unless the headers are a received request's.
fn check_header_name(name: &str, signer_writes: bool) -> Result<(), Error> {
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(Error::InvalidHeaderName {
            name: excerpt(name),
        });
    }
    if let Some(reserved) = RESERVED_HEADERS
        .iter()
        .filter(|_| signer_writes)
        .find(|r| r.eq_ignore_ascii_case(name))
    {
        return Err(Error::ReservedHeader {
            name: (*reserved).to_owned(),
        });
    }
    Ok(())
}

/// The most caller headers query signing sorts on the stack; more go through
/// the side buffer.
const INLINE_HEADERS: usize = 8;

/// Query signing's headers, `host` and the caller's, borrowed and sorted by
/// lowercase name (stably, so repeated headers keep their order), then
/// written straight into the canonical request.
pub(crate) struct InlineHeaders<'a> {
    host: &'a str,
    headers: &'a [(&'a str, &'a str)],
    /// The sort order: 0 is `host`, `i + 1` is `headers[i]`.
    order: [u8; INLINE_HEADERS + 1],
}

impl<'a> InlineHeaders<'a> {
    /// Checks the caller's header names and sorts them with `host`.
    pub(crate) fn new(host: &'a str, headers: &'a [(&'a str, &'a str)]) -> Result<Self, Error> {
        let mut this = InlineHeaders {
            host,
            headers: &headers[..headers.len().min(INLINE_HEADERS)],
            order: [0; INLINE_HEADERS + 1],
        };
        for (n, &(name, _)) in this.headers.iter().enumerate() {
            check_header_name(name, true)?;
            let mut i = n + 1;
            while i > 0 && lowercase_cmp(this.item(i - 1).0, name).is_gt() {
                this.order[i] = this.order[i - 1];
                i -= 1;
            }
            this.order[i] = n as u8 + 1;
        }
        Ok(this)
    }

    /// The `i`-th header in sorted order.
    fn item(&self, i: usize) -> (&'a str, &'a str) {
        match self.order[i] {
            0 => ("host", self.host),
            n => self.headers[n as usize - 1],
        }
    }

    fn len(&self) -> usize {
        self.headers.len() + 1
    }

    /// Whether the `i`-th header (sorted) repeats the name before it.
    fn repeats(&self, i: usize) -> bool {
        i > 0 && self.item(i - 1).0.eq_ignore_ascii_case(self.item(i).0)
    }

    /// Writes `name:value` lines, repeated names joined with `,`, each line
    /// ending in `\n`.
    pub(crate) fn write_lines(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.headers.is_empty() {
            out.put(b"host:");
            out.put(self.host.as_bytes());
            out.put_byte(b'\n');
            return Ok(());
        }
        for i in 0..self.len() {
            let (name, value) = self.item(i);
            if self.repeats(i) {
                out.put_byte(b',');
            } else {
                if i > 0 {
                    out.put_byte(b'\n');
                }
                write_lowercase_name(name, false, out);
                out.put_byte(b':');
            }
            if self.order[i] == 0 {
                // The signer's `host`: checked, and already canonical.
                out.put(value.as_bytes());
            } else {
                canonical_header_value(value, out).map_err(|reason| Error::InvalidHeaderValue {
                    name: excerpt(&name.to_ascii_lowercase()),
                    reason,
                })?;
            }
        }
        out.put_byte(b'\n');
        Ok(())
    }

    /// Writes what follows the canonical query string's line: the header
    /// lines, a blank line, the signed header names and the payload hash.
    /// Returns where the names and the hash are.
    fn write_tail(
        &self,
        payload: &Payload<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(Range<usize>, Range<usize>), Error> {
        self.write_lines(out)?;
        out.put_byte(b'\n');
        let names = out.len();
        self.write_signed(false, out);
        let signed_headers = names..out.len();
        out.put_byte(b'\n');
        let hash = out.len();
        write_payload_hash(payload, out);
        Ok((signed_headers, hash..out.len()))
    }

    /// Writes the unique names joined by `;` (query-encoded: `%3B`, with the
    /// names encoded too).
    pub(crate) fn write_signed(&self, query_encoded: bool, out: &mut Vec<u8>) {
        if self.headers.is_empty() {
            out.put(b"host");
            return;
        }
        for i in 0..self.len() {
            if self.repeats(i) {
                continue;
            }
            if i > 0 {
                out.put(if query_encoded { b"%3B" } else { b";" });
            }
            write_lowercase_name(self.item(i).0, query_encoded, out);
        }
    }
}

/// Compares two names as their lowercase forms.
fn lowercase_cmp(a: &str, b: &str) -> core::cmp::Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

/// Writes a header name (a token) lowercased, query-encoded if asked.
fn write_lowercase_name(name: &str, query_encoded: bool, out: &mut Vec<u8>) {
    if name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        // Already lowercase, and unreserved.
        out.put(name.as_bytes());
    } else {
        for b in name.bytes().map(|b| b.to_ascii_lowercase()) {
            if query_encoded {
                encode::write_query_component(&[b], out);
            } else {
                out.put_byte(b);
            }
        }
    }
}

fn push_raw(side: &mut Vec<u8>, entries: &mut Vec<HeaderEntry>, name: &str, value: &[u8]) {
    let n = side.len();
    side.extend_from_slice(name.as_bytes());
    let v = side.len();
    side.extend_from_slice(value);
    entries.push(HeaderEntry {
        name: n..v,
        value: v..side.len(),
    });
}

/// A header value in canonical form: trimmed, with every run of whitespace
/// (including the line breaks of folded lines) collapsed to one space.
///
/// ```
/// assert_eq!(presign::canonical::header_value("x", "  a   b\n  c ")?, "a b c");
/// # Ok::<(), presign::Error>(())
/// ```
///
/// Fails with [`Error::InvalidHeaderValue`] (naming `name`, never showing the
/// value) on a control character other than tab, CR or LF.
pub fn header_value(name: &str, value: &str) -> Result<String, Error> {
    let mut out = Vec::with_capacity(value.len());
    canonical_header_value(value, &mut out).map_err(|reason| Error::InvalidHeaderValue {
        name: excerpt(&name.to_ascii_lowercase()),
        reason,
    })?;
    // Only whole UTF-8 sequences and single spaces are written.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// Writes a header value trimmed, with every run of whitespace (space, tab,
/// and the CR/LF of folded lines) collapsed to one space. Rejects other
/// control characters.
pub(crate) fn canonical_header_value(value: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
    // Most values (hosts, dates, hashes, tokens) have no space or control
    // character: they are their own canonical form.
    if value.bytes().all(|b| b > b' ' && b != 0x7f) {
        out.extend_from_slice(value.as_bytes());
        return Ok(());
    }
    let mut pending_space = false;
    let mut wrote = false;
    for &b in value.as_bytes() {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => pending_space = wrote,
            0..=0x1f | 0x7f => return Err("contains a control character"),
            _ => {
                if pending_space {
                    out.push(b' ');
                    pending_space = false;
                }
                out.push(b);
                wrote = true;
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_query(
    query: &QuerySource<'_>,
    as_is_allowed: bool,
    auth: &Auth<'_>,
    expires_text: &[u8],
    inline: Option<&InlineHeaders<'_>>,
    headers: &[HeaderEntry],
    side: &mut Vec<u8>,
    params: &mut Vec<Param>,
    out: &mut Vec<u8>,
) -> Result<Option<usize>, Error> {
    let (received, token_unsigned) = match auth {
        Auth::Received { token_unsigned } => (true, *token_unsigned),
        _ => (false, false),
    };
    if received
        && as_is_allowed
        && let QuerySource::Raw(raw) = query
        && write_canonical_as_is(raw, token_unsigned, out)
    {
        return Ok(None);
    }
    let mut add = |side: &mut Vec<u8>, name: &[u8], value: &[u8], requote: bool| {
        // A received query is read as S3 reads it (`+` is a space); a
        // caller's raw query to sign keeps `+` as a plus (RFC 3986).
        let requote_one = |bytes: &[u8], side: &mut Vec<u8>| match (requote, received) {
            (true, true) => encode::write_requoted_form_component(bytes, side),
            (true, false) => encode::write_requoted_query_component(bytes, side),
            (false, _) => encode::write_query_component(bytes, side),
        };
        let n = side.len();
        requote_one(name, side);
        let v = side.len();
        requote_one(value, side);
        if received {
            // The signature is not part of what it signs, nor is a token
            // added after signing.
            let name = &side[n..v];
            if name == b"X-Amz-Signature" || (token_unsigned && name == b"X-Amz-Security-Token") {
                side.truncate(n);
                return Ok(());
            }
        } else if let Some(reserved) = RESERVED_QUERY
            .iter()
            .find(|r| r.as_bytes().eq_ignore_ascii_case(&side[n..v]))
        {
            return Err(Error::ReservedQueryParameter {
                name: (*reserved).to_owned(),
            });
        }
        params.push(Param {
            name: n..v,
            value: v..side.len(),
        });
        Ok(())
    };
    match query {
        QuerySource::Raw(raw) => {
            if raw.bytes().any(|b| b.is_ascii_control() || b == b'#') {
                return Err(Error::InvalidQuery {
                    reason: "contains a control character or '#'",
                });
            }
            for piece in raw.split('&').filter(|p| !p.is_empty()) {
                let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
                add(side, name.as_bytes(), value.as_bytes(), true)?;
            }
        }
        QuerySource::Pairs(pairs) => {
            for (name, value) in pairs.iter() {
                if name.is_empty() {
                    return Err(Error::InvalidQuery {
                        reason: "a parameter name is empty",
                    });
                }
                add(side, name.as_bytes(), value.as_str().as_bytes(), false)?;
            }
        }
    }
    // The caller's parameters, sorted by name then value...
    if params.len() > 1 {
        params.sort_by(|a, b| {
            side[a.name.clone()]
                .cmp(&side[b.name.clone()])
                .then_with(|| side[a.value.clone()].cmp(&side[b.value.clone()]))
        });
    }
    // ...merged with the signer's, which are already in order and written
    // straight into the output. No name can be equal: the caller's may not
    // be reserved ones.
    let mut token_at = None;
    if let Auth::Query {
        query_head,
        credential,
        amz_date,
        expires: _,
        token_encoded,
    } = auth
    {
        let name = |p: &Param| &side[p.name.clone()];
        let param = |p: &Param, out: &mut Vec<u8>| {
            out.put(&side[p.name.clone()]);
            out.put_byte(b'=');
            out.put(&side[p.value.clone()]);
        };
        // The usual case: the caller's parameters sort before or after all
        // of the signer's, which are then written as one run.
        let before = params.partition_point(|p| name(p) < RESERVED_QUERY[0].as_bytes());
        if params
            .get(before)
            .is_none_or(|p| name(p) > RESERVED_QUERY[5].as_bytes())
        {
            for p in &params[..before] {
                param(p, out);
                out.put_byte(b'&');
            }
            out.put(query_head.as_bytes());
            out.put(amz_date.as_bytes());
            out.put(b"&X-Amz-Expires=");
            out.put(expires_text);
            if token_encoded.is_some() {
                out.put(b"&X-Amz-Security-Token=");
                token_at = Some(out.len());
            }
            out.put(b"&X-Amz-SignedHeaders=");
            write_signed_headers_query(inline, headers, side, out);
            for p in &params[before..] {
                out.put_byte(b'&');
                param(p, out);
            }
            return Ok(token_at);
        }
        // Otherwise, interleaved by name.
        let mut user = params.iter().peekable();
        let mut first = true;
        let mut sep = |out: &mut Vec<u8>| {
            if !first {
                out.put_byte(b'&');
            }
            first = false;
        };
        for (i, signer_name) in RESERVED_QUERY[..6].iter().enumerate() {
            if i == 4 && token_encoded.is_none() {
                continue;
            }
            while let Some(p) = user.next_if(|p| name(p) < signer_name.as_bytes()) {
                sep(out);
                param(p, out);
            }
            sep(out);
            out.put(signer_name.as_bytes());
            out.put_byte(b'=');
            match i {
                0 => out.put(ALGORITHM.as_bytes()),
                1 => out.put(credential.as_bytes()),
                2 => out.put(amz_date.as_bytes()),
                3 => out.put(expires_text),
                4 => token_at = Some(out.len()),
                _ => write_signed_headers_query(inline, headers, side, out),
            }
        }
        for p in user {
            sep(out);
            param(p, out);
        }
        return Ok(token_at);
    }
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.put_byte(b'&');
        }
        out.put(&side[p.name.clone()]);
        out.put_byte(b'=');
        out.put(&side[p.value.clone()]);
    }
    Ok(None)
}

/// A received query that is already canonical (every SigV4 signer sends
/// one: sorted, each parameter `name=value` with uppercase escapes of
/// exactly the bytes that must be escaped) is its own canonical form, less
/// the signature (and a token added after signing): written as it is, with
/// no decoding, re-encoding or sorting. `false`, with nothing written, for
/// any other query, which the general path then canonicalizes (and the
/// tests check the two agree).
fn write_canonical_as_is(raw: &str, token_unsigned: bool, out: &mut Vec<u8>) -> bool {
    // Only unreserved bytes, escapes and separators (checked a chunk at a
    // time), every escape uppercase and of a byte that must be escaped...
    if raw.is_empty() || !encode::only_query_bytes(raw.as_bytes()) {
        return false;
    }
    let b = raw.as_bytes();
    if !raw
        .match_indices('%')
        .all(|(i, _)| encode::canonical_escape(b.get(i + 1..i + 3)))
    {
        return false;
    }
    // ...and each parameter `name=value`, sorted by name then value.
    let start = out.len();
    let mut previous: Option<(&str, &str)> = None;
    let mut at = 0;
    for piece in raw.split('&') {
        let canonical = piece
            .split_once('=')
            .filter(|(name, value)| !name.is_empty() && !value.contains('='));
        let Some((name, value)) = canonical else {
            out.truncate(start);
            return false;
        };
        let skipped =
            name == "X-Amz-Signature" || (token_unsigned && name == "X-Amz-Security-Token");
        if !skipped {
            if previous.is_some_and(|p| p > (name, value)) {
                out.truncate(start);
                return false;
            }
            previous = Some((name, value));
            if out.len() > start {
                out.put_byte(b'&');
            }
            out.put(&b[at..at + piece.len()]);
        }
        at += piece.len() + 1;
    }
    true
}

/// The `X-Amz-SignedHeaders` value: the query-encoded signed header names.
fn write_signed_headers_query(
    inline: Option<&InlineHeaders<'_>>,
    headers: &[HeaderEntry],
    side: &[u8],
    out: &mut Vec<u8>,
) {
    match inline {
        Some(inline) => inline.write_signed(true, out),
        None => write_signed_headers(headers, side, true, out),
    }
}

/// Decimal digits of a `u64`, on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    /// No digits (unused).
    const NONE: Digits = Digits {
        buf: [0; 20],
        start: 20,
    };

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits are written.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

pub(crate) fn itoa_u64(mut n: u64) -> Digits {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    Digits { buf, start: i }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, SignableRequest};
    use crate::time::SigningTime;

    fn write(
        req: &SignableRequest<'_>,
        mode: PathMode,
        auth: &Auth<'_>,
        scratch: &mut Scratch,
    ) -> Result<Layout, Error> {
        super::write(&req.parts(mode), auth, scratch)
    }

    fn header_mode(req: &SignableRequest<'_>, mode: PathMode) -> String {
        let date = SigningTime::parse_amz_date("20150830T123600Z")
            .unwrap()
            .amz_date();
        let mut scratch = Scratch::default();
        write(
            req,
            mode,
            &Auth::Header {
                amz_date: &date,
                token: None,
                content_sha256: false,
            },
            &mut scratch,
        )
        .unwrap();
        String::from_utf8(scratch.buf.clone()).unwrap()
    }

    // CRT suite, get-header-value-multiline, get-header-key-duplicate and
    // get-vanilla-query-order-encoded (header variants).
    #[test]
    fn canonicalizes_crt_headers_and_query() {
        let req = SignableRequest::new(Method::GET, "example.amazonaws.com", "/")
            .header("My-Header1", "value1\n  value2\n     value3");
        assert_eq!(
            header_mode(&req, PathMode::Standard),
            "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1 value2 value3\n\
             x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let req = SignableRequest::new(Method::GET, "example.amazonaws.com", "/")
            .header("My-Header1", "value2")
            .header("My-Header1", "value2")
            .header("My-Header1", "value1");
        assert!(
            header_mode(&req, PathMode::Standard).contains("my-header1:value2,value2,value1\n")
        );
        let req = SignableRequest::new(
            Method::GET,
            "example.amazonaws.com",
            "/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
        );
        assert!(
            header_mode(&req, PathMode::Standard)
                .starts_with("GET\n/\n%E1%88%B4=Value1&Param=Value2&Param-3=Value3\n")
        );
    }

    #[test]
    fn header_values_collapse_whitespace() {
        let mut v = Vec::new();
        canonical_header_value("  \"a   b \t  c\"  ", &mut v).unwrap();
        assert_eq!(v, b"\"a b c\"");
        let mut v = Vec::new();
        assert!(canonical_header_value("a\0b", &mut v).is_err());
    }

    #[test]
    fn path_modes_differ_as_published() {
        let req = SignableRequest::new(Method::GET, "h", "//example//a%3Ab/../c");
        assert!(header_mode(&req, PathMode::S3).starts_with("GET\n//example//a%3Ab/../c\n"));
        assert!(header_mode(&req, PathMode::Standard).starts_with("GET\n/example/c\n"));
        let req = SignableRequest::new(Method::GET, "h", "/a%3Ab");
        assert!(header_mode(&req, PathMode::Standard).starts_with("GET\n/a%253Ab\n"));
    }

    #[test]
    fn rejects_signer_owned_names() {
        let date = SigningTime::parse_amz_date("20150830T123600Z")
            .unwrap()
            .amz_date();
        let auth = Auth::Header {
            amz_date: &date,
            token: None,
            content_sha256: false,
        };
        let mut buf = Scratch::default();
        let req = SignableRequest::new(Method::GET, "h", "/").header("Authorization", "x");
        assert_eq!(
            write(&req, PathMode::S3, &auth, &mut buf).err(),
            Some(Error::ReservedHeader {
                name: "authorization".into()
            })
        );
        let req = SignableRequest::new(Method::GET, "h", "/?x-amz-signature=1");
        assert!(matches!(
            write(&req, PathMode::S3, &auth, &mut buf),
            Err(Error::ReservedQueryParameter { .. })
        ));
        let req = SignableRequest::new(Method::GET, "h", "relative");
        assert!(matches!(
            write(&req, PathMode::S3, &auth, &mut buf),
            Err(Error::InvalidPath { .. })
        ));
    }

    /// The straight-line S3 presign writes exactly what the general path
    /// writes, with the same layout, for every shape it takes.
    #[test]
    fn plain_presign_path_matches_the_general_path() {
        let amz_date = crate::time::SigningTime::parse_amz_date("20260524T120000Z")
            .unwrap()
            .amz_date();
        let head = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=";
        for prefix in ["", "/base", "/a%20b/c"] {
            for bucket in [None, Some("my.bucket")] {
                for key in [None, Some("photos/a b/ü+%.jpg"), Some("//x/../y")] {
                    for token in [None, Some("FQoG%2Bz%3D%3D")] {
                        for (method, headers) in [
                            ("GET", &[][..]),
                            ("PUT", &[("Content-Type", " image/jpeg ")][..]),
                            (
                                "PUT",
                                &[
                                    ("x-amz-meta-b", "2"),
                                    ("Cache-Control", "max-age=60"),
                                    ("x-amz-meta-B", "1  2"),
                                ][..],
                            ),
                        ] {
                            let parts = Parts {
                                method,
                                host: "s3.example.com:9000",
                                host_checked: true,
                                path: PathSource::S3Object {
                                    prefix,
                                    bucket,
                                    key,
                                },
                                query: QuerySource::Pairs(&[]),
                                headers,
                                payload: Payload::Unsigned,
                            };
                            let auth = Auth::Query {
                                query_head: head,
                                credential: &head[50..head.len() - 12],
                                amz_date: &amz_date,
                                expires: 3600,
                                token_encoded: token,
                            };
                            let (mut fast, mut general) = (Scratch::default(), Scratch::default());
                            let a = write_with(&parts, &auth, &mut fast, true).unwrap();
                            let b = write_with(&parts, &auth, &mut general, false).unwrap();
                            let what = format!(
                                "{prefix} {bucket:?} {key:?} {token:?} {method} {headers:?}"
                            );
                            assert_eq!(
                                String::from_utf8_lossy(&fast.buf),
                                String::from_utf8_lossy(&general.buf),
                                "{what}"
                            );
                            assert_eq!(
                                (
                                    a.path,
                                    a.query,
                                    a.signed_headers,
                                    a.payload_hash,
                                    a.token_at
                                ),
                                (
                                    b.path,
                                    b.query,
                                    b.signed_headers,
                                    b.payload_hash,
                                    b.token_at
                                ),
                                "{what}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn digits() {
        assert_eq!(itoa_u64(0).as_bytes(), b"0");
        assert_eq!(itoa_u64(604_800).as_bytes(), b"604800");
        assert_eq!(itoa_u64(u64::MAX).as_bytes(), b"18446744073709551615");
    }

    proptest::proptest! {
        // A received query written as it is (when already canonical) is
        // exactly what the general path makes of it, and any other query
        // goes the general way.
        #[test]
        fn a_received_query_as_is_equals_the_general_path(
            pieces in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Date", "a", "b", "a-b",
                        "A", "%41", "x%2Fy", "x%2fy", "c+d", "e~", "",
                    ]),
                    proptest::option::of(proptest::sample::select(vec![
                        "", "1", "v%20w", "v+w", "%7E", "~", "%2B", "a=b", "%zz", "Z", "%C3%A9",
                    ])),
                ),
                0..6,
            ),
            sorted in proptest::bool::ANY,
            token_unsigned in proptest::bool::ANY,
        ) {
            let mut pieces: Vec<String> = pieces
                .iter()
                .map(|(n, v)| match v {
                    Some(v) => format!("{n}={v}"),
                    None => (*n).to_owned(),
                })
                .collect();
            if sorted {
                pieces.sort();
            }
            let query = pieces.join("&");
            let parts = Parts {
                method: "GET",
                host: "",
                host_checked: true,
                path: PathSource::Wire { path: "/", mode: PathMode::S3 },
                query: QuerySource::Raw(&query),
                headers: &[("host", "example.com")],
                payload: Payload::Unsigned,
            };
            let auth = Auth::Received { token_unsigned };
            let (mut fast, mut general) = (Scratch::default(), Scratch::default());
            let a = write_with(&parts, &auth, &mut fast, true).map(|l| l.query);
            let b = write_with(&parts, &auth, &mut general, false).map(|l| l.query);
            proptest::prop_assert_eq!(&a, &b, "{}", query);
            proptest::prop_assert_eq!(
                String::from_utf8_lossy(&fast.buf),
                String::from_utf8_lossy(&general.buf),
                "{}", query
            );
        }
    }
}
