//! The request as a server received it.

use core::fmt;

use super::VerifyError;
use crate::request::Payload;
use crate::wire;

/// The headers a [`ReceivedRequest`] keeps inline before it allocates.
const INLINE_HEADERS: usize = 16;

/// A list of borrowed headers: inline up to [`INLINE_HEADERS`], on the heap
/// beyond. (Inline on purpose: building a request allocates nothing.)
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
pub(super) enum HeaderList<'a> {
    Inline([(&'a str, &'a str); INLINE_HEADERS], usize),
    Heap(Vec<(&'a str, &'a str)>),
    /// The caller's own list, borrowed (nothing copied).
    Borrowed(&'a [(&'a str, &'a str)]),
}

impl<'a> HeaderList<'a> {
    #[inline]
    pub(super) const fn new() -> Self {
        HeaderList::Inline([("", ""); INLINE_HEADERS], 0)
    }

    #[inline(always)]
    pub(super) fn push(&mut self, header: (&'a str, &'a str)) {
        match self {
            HeaderList::Inline(items, len) if *len < INLINE_HEADERS => {
                items[*len] = header;
                *len += 1;
            }
            HeaderList::Inline(items, len) => {
                let mut heap = Vec::with_capacity(2 * INLINE_HEADERS);
                heap.extend_from_slice(&items[..*len]);
                heap.push(header);
                *self = HeaderList::Heap(heap);
            }
            HeaderList::Heap(heap) => heap.push(header),
            HeaderList::Borrowed(list) => {
                let mut heap = Vec::with_capacity(list.len() + INLINE_HEADERS);
                heap.extend_from_slice(list);
                heap.push(header);
                *self = HeaderList::Heap(heap);
            }
        }
    }

    #[inline]
    pub(super) fn as_slice(&self) -> &[(&'a str, &'a str)] {
        match self {
            HeaderList::Inline(items, len) => &items[..*len],
            HeaderList::Heap(heap) => heap,
            HeaderList::Borrowed(list) => list,
        }
    }
}

/// A request as the server received it: method, request target (path and
/// raw query exactly as on the wire), headers (with `host`), and, when the
/// server has it, the body.
///
/// Building one allocates nothing for up to 16 headers given one by one,
/// or for any number given as a slice with
/// [`with_headers`](Self::with_headers).
#[derive(Clone)]
pub struct ReceivedRequest<'a> {
    pub(super) method: &'a str,
    pub(super) path: &'a str,
    pub(super) query: &'a str,
    pub(super) headers: HeaderList<'a>,
    pub(super) payload: Option<Payload<'a>>,
}

impl<'a> ReceivedRequest<'a> {
    /// A request's method and target (`/path?query`, as received).
    #[must_use]
    #[inline]
    pub fn new(method: &'a str, target: &'a str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        ReceivedRequest {
            method,
            path,
            query,
            headers: HeaderList::new(),
            payload: None,
        }
    }

    /// A header the request carried (include `host`, and every other
    /// header: an unsigned `x-amz-*` header the verifier is not told about
    /// cannot be refused).
    #[must_use]
    #[inline(always)]
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.push_header(name, value);
        self
    }

    /// [`header`](Self::header), in place.
    #[inline(always)]
    pub fn push_header(&mut self, name: &'a str, value: &'a str) {
        self.headers.push((name, value));
    }

    /// Every header the request carried, as `(name, value)` pairs, borrowed
    /// rather than copied (replaces any given before; include `host`).
    #[must_use]
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = HeaderList::Borrowed(headers);
        self
    }

    /// The body as received (or its SHA-256), when the server has it.
    ///
    /// When the signature covers a body hash (`x-amz-content-sha256`, an
    /// `X-Amz-Content-Sha256` query parameter), the body must hash to it or
    /// the request is refused with [`VerifyError::PayloadHashMismatch`].
    /// Without such a hash, this is the payload the signature was computed
    /// over: for services other than S3 the body's hash is part of the
    /// signature (an empty body is assumed when none is given), while S3
    /// presigned URLs sign `UNSIGNED-PAYLOAD` and the body is ignored.
    #[must_use]
    pub fn payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = Some(payload);
        self
    }

    /// The headers, as given.
    #[inline]
    pub fn headers(&self) -> &[(&'a str, &'a str)] {
        self.headers.as_slice()
    }

    /// The headers the verifier reads, found in one pass.
    #[inline]
    pub(super) fn read_headers(&self) -> ReadHeaders<'a> {
        let mut read = ReadHeaders {
            seen: [Seen::Absent; READ.len()],
        };
        for &(name, value) in self.headers() {
            // (Compared by length first: most names are none of these.)
            if let Some(slot) = READ
                .iter()
                .position(|r| r.len() == name.len() && r.eq_ignore_ascii_case(name))
            {
                let seen = &mut read.seen[slot];
                *seen = match seen {
                    Seen::Absent => Seen::Once(value),
                    _ => Seen::Repeated,
                };
            }
        }
        read
    }
}

/// The headers the verifier reads, in the order of [`ReadHeaders`]' slots.
const READ: [&str; 8] = [
    wire::header::AUTHORIZATION,
    wire::header::X_AMZ_DATE,
    wire::header::X_AMZ_SECURITY_TOKEN,
    wire::header::X_AMZ_S3SESSION_TOKEN,
    wire::header::X_AMZ_CONTENT_SHA256,
    wire::header::X_AMZ_TRAILER,
    wire::header::X_AMZ_REGION_SET,
    wire::header::HOST,
];

/// A header as the verifier found it.
#[derive(Clone, Copy)]
enum Seen<'a> {
    Absent,
    Once(&'a str),
    Repeated,
}

/// The headers the verifier reads (any case), each looked up in one pass
/// over the request's headers rather than one pass each.
pub(super) struct ReadHeaders<'a> {
    seen: [Seen<'a>; READ.len()],
}

impl<'a> ReadHeaders<'a> {
    /// The one value of the header in `slot`, trimmed, if present; an error
    /// if repeated.
    fn single(&self, slot: usize) -> Result<Option<&'a str>, VerifyError> {
        match self.seen[slot] {
            Seen::Absent => Ok(None),
            Seen::Once(value) => Ok(Some(trim(value))),
            Seen::Repeated => Err(VerifyError::MalformedParameter {
                name: READ[slot],
                reason: "appears more than once",
            }),
        }
    }

    /// Whether an `Authorization` header is present (any number of times).
    pub(super) fn has_authorization(&self) -> bool {
        !matches!(self.seen[0], Seen::Absent)
    }

    pub(super) fn authorization(&self) -> Result<Option<&'a str>, VerifyError> {
        self.single(0)
    }

    pub(super) fn x_amz_date(&self) -> Result<Option<&'a str>, VerifyError> {
        self.single(1)
    }

    pub(super) fn security_token(&self) -> Result<Option<&'a str>, VerifyError> {
        self.single(2)
    }

    pub(super) fn s3session_token(&self) -> Result<Option<&'a str>, VerifyError> {
        self.single(3)
    }

    pub(super) fn content_sha256(&self) -> Result<Option<&'a str>, VerifyError> {
        self.single(4)
    }

    pub(super) fn trailer(&self) -> Result<Option<&'a str>, VerifyError> {
        self.single(5)
    }

    #[cfg(feature = "sigv4a")]
    pub(super) fn region_set(&self) -> Result<Option<&'a str>, VerifyError> {
        self.single(6)
    }

    pub(super) fn host(&self) -> Result<Option<&'a str>, VerifyError> {
        self.single(7)
    }
}

/// `str::trim`, without its Unicode tables when both ends are printable
/// ASCII (every value a signer sends).
pub(super) fn trim(s: &str) -> &str {
    let plain = |b: &u8| b.is_ascii_graphic();
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if plain(first) && plain(last) => s,
        _ => s.trim(),
    }
}

impl fmt::Debug for ReceivedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query and header values carry credentials: names only.
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field(
                "headers",
                &self.headers().iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .finish()
    }
}
