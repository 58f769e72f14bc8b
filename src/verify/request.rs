//! The request as a server received it.

use core::fmt;

use super::VerifyError;
use crate::request::Payload;

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
    pub(super) const fn new() -> Self {
        HeaderList::Inline([("", ""); INLINE_HEADERS], 0)
    }

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
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.push_header(name, value);
        self
    }

    /// [`header`](Self::header), in place.
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
    pub fn headers(&self) -> &[(&'a str, &'a str)] {
        self.headers.as_slice()
    }

    pub(super) fn values<'h>(&'h self, name: &'h str) -> impl Iterator<Item = &'a str> + 'h {
        self.headers()
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The one value of a header, if present; an error if repeated.
    pub(super) fn single(&self, name: &'static str) -> Result<Option<&'a str>, VerifyError> {
        let mut values = self.values(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(VerifyError::MalformedParameter {
                name,
                reason: "appears more than once",
            });
        }
        Ok(first.map(str::trim))
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
