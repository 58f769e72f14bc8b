//! The reusable buffers canonicalization writes into.

use core::cell::Cell;
use core::ops::{Deref, DerefMut};

use super::Layout;
use super::headers::HeaderEntry;
use super::query::Param;
use crate::encode::Digits;

/// Reusable buffers for canonicalization: the canonical request itself, and
/// a side buffer for header and query pieces that are sorted before they are
/// written. Reused across calls, so steady-state signing does not allocate
/// for them; cleared (and zeroed, as they may hold a session token) after
/// every use.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) buf: Vec<u8>,
    pub(crate) side: Vec<u8>,
    pub(crate) aux: Vec<u8>,
    pub(crate) headers: Vec<HeaderEntry>,
    pub(crate) params: Vec<Param>,
    /// Whether the buffers hold a session token or caller header values
    /// (which may be secrets, such as an SSE-C key).
    pub(crate) sensitive: bool,
    /// The digits of the last `X-Amz-Expires` written (it rarely changes).
    pub(crate) expires: Option<(u64, Digits)>,
    /// Where the last canonical request's pieces are in `buf`.
    pub(crate) layout: Layout,
}

impl Scratch {
    const EMPTY: Scratch = Scratch {
        buf: Vec::new(),
        side: Vec::new(),
        aux: Vec::new(),
        headers: Vec::new(),
        params: Vec::new(),
        sensitive: false,
        expires: None,
        layout: Layout::EMPTY,
    };

    pub(crate) fn is_clear(&self) -> bool {
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

thread_local! {
    /// This thread's buffers, boxed, so that taking them out and putting
    /// them back moves one pointer.
    static SCRATCH: Cell<Option<Box<Scratch>>> = const { Cell::new(None) };
}

/// This thread's reusable buffers, taken for one signature or verification
/// and put back, wiped, when dropped. A nested or late (thread teardown)
/// taker gets fresh buffers.
pub(crate) struct ThreadScratch(Option<Box<Scratch>>);

impl ThreadScratch {
    pub(crate) fn take() -> Self {
        let scratch = SCRATCH.try_with(Cell::take).ok().flatten();
        ThreadScratch(Some(scratch.unwrap_or_default()))
    }
}

impl Deref for ThreadScratch {
    type Target = Scratch;

    fn deref(&self) -> &Scratch {
        // Always `Some` until dropped.
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl DerefMut for ThreadScratch {
    fn deref_mut(&mut self) -> &mut Scratch {
        self.0.get_or_insert_default()
    }
}

impl Drop for ThreadScratch {
    fn drop(&mut self) {
        if let Some(mut scratch) = self.0.take() {
            scratch.wipe();
            let _ = SCRATCH.try_with(|cell| cell.set(Some(scratch)));
        }
    }
}

static EMPTY: Scratch = Scratch::EMPTY;
