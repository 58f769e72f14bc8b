//! Canonical headers: names lowercased and sorted, values trimmed and
//! folded, and the signed-headers list.

use core::ops::Range;

use super::{Auth, write_payload_hash};
use crate::encode::{self, Sink};
use crate::error::{Error, excerpt};
use crate::request::{Parts, Payload, is_tchar};

/// Header names the signer writes itself; a caller may not set them.
pub(crate) const RESERVED_HEADERS: [&str; 5] = [
    "host",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

pub(crate) struct HeaderEntry {
    pub(crate) name: Range<usize>,
    pub(crate) value: Range<usize>,
}

/// Writes the unique header names joined by `;`, or, for the
/// `X-Amz-SignedHeaders` query value, query-encoded (`;` is `%3B`, and so on
/// for the other token characters that are not unreserved).
pub(crate) fn write_signed_headers(
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
pub(crate) fn check_header_name(name: &str, signer_writes: bool) -> Result<(), Error> {
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
pub(crate) const INLINE_HEADERS: usize = 8;

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
    pub(crate) fn item(&self, i: usize) -> (&'a str, &'a str) {
        match self.order[i] {
            0 => ("host", self.host),
            n => self.headers[n as usize - 1],
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.headers.len() + 1
    }

    /// Whether the `i`-th header (sorted) repeats the name before it.
    pub(crate) fn repeats(&self, i: usize) -> bool {
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
    pub(crate) fn write_tail(
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
pub(crate) fn lowercase_cmp(a: &str, b: &str) -> core::cmp::Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

/// Writes a header name (a token) lowercased, query-encoded if asked.
pub(crate) fn write_lowercase_name(name: &str, query_encoded: bool, out: &mut Vec<u8>) {
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
