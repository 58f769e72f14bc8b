//! Canonical headers: names lowercased and sorted, values trimmed and
//! folded, and the signed-headers list.

use core::ops::Range;

use super::header_value::canonical_header_value;
use super::{Auth, write_payload_hash};
use crate::bytes::{cmp_bytes, same_short};
use crate::encode::{self, Sink};
use crate::error::{Error, excerpt};
use crate::request::{Parts, Payload};
use crate::syntax;
use crate::wire;

/// Header names the signer writes itself; a caller may not set them.
pub(crate) const RESERVED_HEADERS: [&str; 6] = [
    wire::header::HOST,
    wire::header::AUTHORIZATION,
    wire::header::X_AMZ_DATE,
    wire::header::X_AMZ_SECURITY_TOKEN,
    wire::header::X_AMZ_S3SESSION_TOKEN,
    wire::header::X_AMZ_CONTENT_SHA256,
];

pub(crate) struct HeaderEntry {
    /// Lowercase, in the side buffer.
    pub(crate) name: Range<usize>,
    pub(crate) value: Range<usize>,
    /// Nothing in the name to encode in a query.
    pub(crate) plain: bool,
    /// Sorted, the name is the one before's: its value joins that line.
    pub(crate) repeat: bool,
}

pub(crate) fn check_host(host: &str) -> Result<(), Error> {
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

/// Canonicalizes the caller's headers plus the signer's own into `side`,
/// returning them sorted by name (stable, so repeated headers keep their
/// order).
pub(crate) fn canonical_headers(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    side: &mut Vec<u8>,
    aux: &mut Vec<u8>,
    entries: &mut Vec<HeaderEntry>,
) -> Result<(), Error> {
    let received = matches!(auth, Auth::Received { .. });
    if !received {
        push_raw(side, entries, wire::header::HOST, req.host.as_bytes());
    }
    for &(name, value) in req.headers {
        let form = check_header_name(name, !received)?;
        let n = side.len();
        side.extend_from_slice(name.as_bytes());
        if !form.plain {
            side[n..].make_ascii_lowercase();
        }
        let v = side.len();
        canonical_header_value(value, side).map_err(|reason| Error::InvalidHeaderValue {
            name: excerpt(&name.to_ascii_lowercase()),
            reason,
        })?;
        entries.push(HeaderEntry {
            name: n..v,
            value: v..side.len(),
            plain: form.plain_lowered,
            repeat: false,
        });
    }
    if let Auth::Header {
        amz_date,
        token,
        token_kind,
        content_sha256,
        region_set,
    } = auth
    {
        push_raw(side, entries, wire::header::X_AMZ_DATE, amz_date.as_bytes());
        if let Some(region_set) = region_set {
            // SigV4a writes the region set itself.
            let name = wire::header::X_AMZ_REGION_SET.as_bytes();
            if entries.iter().any(|e| &side[e.name.clone()] == name) {
                return Err(Error::ReservedHeader {
                    name: wire::header::X_AMZ_REGION_SET.to_owned(),
                });
            }
            push_raw(
                side,
                entries,
                wire::header::X_AMZ_REGION_SET,
                region_set.as_bytes(),
            );
        }
        if let Some(token) = token {
            push_raw(side, entries, token_kind.header(), token.as_bytes());
        }
        if *content_sha256 {
            aux.clear();
            write_payload_hash(&req.payload, aux);
            push_raw(side, entries, wire::header::X_AMZ_CONTENT_SHA256, aux);
        }
    }
    entries.sort_by(|a, b| cmp_bytes(&side[a.name.clone()], &side[b.name.clone()]));
    // Repeated names are next to each other now.
    for i in 1..entries.len() {
        let repeat = same_short(
            &side[entries[i - 1].name.clone()],
            &side[entries[i].name.clone()],
        );
        entries[i].repeat = repeat;
    }
    Ok(())
}

/// A header name must be a token; one the signer writes itself is rejected
/// unless the headers are a received request's. Returns how it is written.
pub(crate) fn check_header_name(
    name: &str,
    signer_writes: bool,
) -> Result<syntax::HeaderName, Error> {
    let Some(plain) = syntax::header_name(name.as_bytes()) else {
        return Err(Error::InvalidHeaderName {
            name: excerpt(name),
        });
    };
    if let Some(reserved) = RESERVED_HEADERS
        .iter()
        .filter(|_| signer_writes)
        .find(|r| r.eq_ignore_ascii_case(name))
    {
        return Err(Error::ReservedHeader {
            name: (*reserved).to_owned(),
        });
    }
    Ok(plain)
}

/// The most caller headers query signing sorts on the stack; more go through
/// the side buffer.
pub(crate) const INLINE_HEADERS: usize = 16;

/// Query signing's headers, `host` and the caller's, borrowed and sorted by
/// lowercase name (stably, so repeated headers keep their order), then
/// written straight into the canonical request.
pub(crate) struct InlineHeaders<'a> {
    host: &'a str,
    headers: &'a [(&'a str, &'a str)],
    /// The sort order: 0 is `host`, `i + 1` is `headers[i]`.
    order: [u8; INLINE_HEADERS + 1],
    /// Bit `i + 1` (and bit 0, `host`): the name is written as it is.
    plain: u32,
    /// Bit `i` (in sorted order): the name is the one before's.
    repeat: u32,
}

impl<'a> InlineHeaders<'a> {
    /// Checks the caller's header names and sorts them with `host`.
    pub(crate) fn new(host: &'a str, headers: &'a [(&'a str, &'a str)]) -> Result<Self, Error> {
        let mut this = InlineHeaders {
            host,
            headers: &headers[..headers.len().min(INLINE_HEADERS)],
            order: [0; INLINE_HEADERS + 1],
            plain: 1,
            repeat: 0,
        };
        for (n, &(name, _)) in this.headers.iter().enumerate() {
            let plain = check_header_name(name, true)?.plain;
            this.plain |= u32::from(plain) << (n + 1);
            let mut i = n + 1;
            while i > 0 && {
                let (other, other_plain) = (this.item(i - 1).0, this.is_plain(i - 1));
                // Two lowercase names compare as they are.
                if plain && other_plain {
                    cmp_bytes(other.as_bytes(), name.as_bytes()).is_gt()
                } else {
                    lowercase_cmp(other, name).is_gt()
                }
            } {
                this.order[i] = this.order[i - 1];
                i -= 1;
            }
            this.order[i] = n as u8 + 1;
        }
        // Repeated names are next to each other now.
        for i in 1..this.len() {
            let (a, b) = (this.item(i - 1).0.as_bytes(), this.item(i).0.as_bytes());
            let same = if this.is_plain(i - 1) && this.is_plain(i) {
                same_short(a, b)
            } else {
                a.eq_ignore_ascii_case(b)
            };
            this.repeat |= u32::from(same) << i;
        }
        Ok(this)
    }

    /// The `i`-th header in sorted order.
    pub(crate) fn item(&self, i: usize) -> (&'a str, &'a str) {
        match self.order[i] {
            0 => (wire::header::HOST, self.host),
            n => self.headers[n as usize - 1],
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.headers.len() + 1
    }

    /// Whether the `i`-th header's name (sorted) is written as it is.
    fn is_plain(&self, i: usize) -> bool {
        self.plain & (1 << self.order[i]) != 0
    }

    /// The headers in sorted order.
    fn lines(&self) -> impl Iterator<Item = HeaderLine<'a>> + '_ {
        (0..self.len()).map(|i| {
            let (name, value) = self.item(i);
            HeaderLine {
                name: name.as_bytes(),
                lowercase: self.is_plain(i),
                plain: self.is_plain(i),
                repeat: self.repeat & (1 << i) != 0,
                value: match self.order[i] {
                    // The signer's `host`: checked, and already canonical.
                    0 => HeaderValue::Canonical(value.as_bytes()),
                    _ => HeaderValue::Raw(value),
                },
            }
        })
    }
}

/// A header on its way into the canonical request.
#[derive(Clone, Copy)]
struct HeaderLine<'a> {
    /// The name (a token): lowercased as it is written, unless it is
    /// known to be lowercase already.
    name: &'a [u8],
    lowercase: bool,
    /// Lowercase, with nothing to encode in a query either.
    plain: bool,
    /// The name is the one before's (the headers are sorted).
    repeat: bool,
    value: HeaderValue<'a>,
}

impl HeaderLine<'_> {
    #[inline]
    fn write_name(&self, query_encoded: bool, out: &mut Vec<u8>) {
        if self.plain || (self.lowercase && !query_encoded) {
            out.put(self.name);
        } else {
            write_lowercase_name(self.name, query_encoded, out);
        }
    }
}

#[derive(Clone, Copy)]
enum HeaderValue<'a> {
    /// As given: trimmed and folded as it is written.
    Raw(&'a str),
    /// Canonical already.
    Canonical(&'a [u8]),
}

/// The request's headers, sorted by lowercase name (stably, so repeated
/// headers keep their order): borrowed and sorted on the stack for query
/// signing's few headers, or canonicalized into the side buffer.
pub(crate) enum SortedHeaders<'a> {
    Inline(InlineHeaders<'a>),
    /// Entries of the side buffer, which the writers are handed.
    Side(&'a [HeaderEntry]),
}

impl SortedHeaders<'_> {
    /// Writes `name:value` lines, repeated names joined with `,`, each line
    /// ending in `\n`.
    pub(crate) fn write_lines(&self, side: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        match self {
            SortedHeaders::Inline(h) => write_lines(h.lines(), out),
            SortedHeaders::Side(entries) => write_lines(side_lines(entries, side), out),
        }
    }

    /// Writes the unique names joined by `;` (query-encoded: `%3B`, with
    /// the names encoded too, for `X-Amz-SignedHeaders`).
    pub(crate) fn write_names(&self, side: &[u8], query_encoded: bool, out: &mut Vec<u8>) {
        match self {
            SortedHeaders::Inline(h) => write_names(h.lines(), query_encoded, out),
            SortedHeaders::Side(entries) => {
                write_names(side_lines(entries, side), query_encoded, out)
            }
        }
    }

    /// Writes what follows the canonical query string's line: the header
    /// lines, a blank line, the signed header names and the payload hash.
    /// Returns where the names and the hash are.
    pub(crate) fn write_tail(
        &self,
        side: &[u8],
        payload: &Payload<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(Range<usize>, Range<usize>), Error> {
        self.write_lines(side, out)?;
        out.put_byte(b'\n');
        let names = out.len();
        self.write_names(side, false, out);
        let signed_headers = names..out.len();
        out.put_byte(b'\n');
        let hash = out.len();
        write_payload_hash(payload, out);
        Ok((signed_headers, hash..out.len()))
    }
}

fn side_lines<'a>(
    entries: &'a [HeaderEntry],
    side: &'a [u8],
) -> impl Iterator<Item = HeaderLine<'a>> + 'a {
    entries.iter().map(|e| HeaderLine {
        name: &side[e.name.clone()],
        lowercase: true,
        plain: e.plain,
        repeat: e.repeat,
        value: HeaderValue::Canonical(&side[e.value.clone()]),
    })
}

/// The one header-line writer: sorted headers as `name:value` lines.
fn write_lines<'a>(
    headers: impl Iterator<Item = HeaderLine<'a>>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let mut first = true;
    for h in headers {
        if h.repeat {
            out.put_byte(b',');
        } else {
            if !first {
                out.put_byte(b'\n');
            }
            h.write_name(false, out);
            out.put_byte(b':');
        }
        match h.value {
            HeaderValue::Canonical(value) => out.put(value),
            HeaderValue::Raw(value) => {
                canonical_header_value(value, out).map_err(|reason| Error::InvalidHeaderValue {
                    name: excerpt(&String::from_utf8_lossy(h.name).to_ascii_lowercase()),
                    reason,
                })?
            }
        }
        first = false;
    }
    if !first {
        out.put_byte(b'\n');
    }
    Ok(())
}

/// The one signed-headers writer: the unique names of sorted headers.
fn write_names<'a>(
    headers: impl Iterator<Item = HeaderLine<'a>>,
    query_encoded: bool,
    out: &mut Vec<u8>,
) {
    let mut first = true;
    for h in headers.filter(|h| !h.repeat) {
        // (Two writes of a known length: no call to copy one byte.)
        match (first, query_encoded) {
            (true, _) => {}
            (false, true) => out.put(b"%3B"),
            (false, false) => out.put_byte(b';'),
        }
        h.write_name(query_encoded, out);
        first = false;
    }
}

/// Compares two names as their lowercase forms.
pub(crate) fn lowercase_cmp(a: &str, b: &str) -> core::cmp::Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

/// Writes a header name (a token) lowercased, query-encoded if asked.
fn write_lowercase_name(name: &[u8], query_encoded: bool, out: &mut Vec<u8>) {
    if name
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
    {
        // Already lowercase, and unreserved.
        out.put(name);
    } else {
        for b in name.iter().map(|b| b.to_ascii_lowercase()) {
            if query_encoded {
                encode::write_query_component(&[b], out);
            } else {
                out.put_byte(b);
            }
        }
    }
}

pub(crate) fn push_raw(
    side: &mut Vec<u8>,
    entries: &mut Vec<HeaderEntry>,
    name: &str,
    value: &[u8],
) {
    let n = side.len();
    side.extend_from_slice(name.as_bytes());
    let v = side.len();
    side.extend_from_slice(value);
    // (The signer's own names: lowercase, nothing to encode.)
    entries.push(HeaderEntry {
        name: n..v,
        value: v..side.len(),
        plain: true,
        repeat: false,
    });
}
