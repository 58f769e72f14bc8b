//! Step 1 of the pipeline: SigV4 URI encoding.
//!
//! SigV4 encodes every byte except the RFC 3986 unreserved set
//! (`A-Z a-z 0-9 - . _ ~`) as `%XY` with uppercase hex. A space is always
//! `%20`, never `+`. In paths `/` is kept; in query names and values it is
//! encoded.
//!
//! Two path modes exist, and [`PathMode`] names them:
//! - [`PathMode::S3`]: the path is encoded exactly once and never normalized,
//!   so `//`, `.` and `..` in object keys are kept.
//! - [`PathMode::Standard`] (every other service): dot segments and duplicate
//!   slashes are removed and the already-encoded path is encoded a second time.
//!
//! ```
//! use presign::encode;
//!
//! assert_eq!(encode::query_component("a b+c/d~"), "a%20b%2Bc%2Fd~");
//! assert_eq!(encode::path("/photos/summer vacation/ሴ.jpg"), "/photos/summer%20vacation/%E1%88%B4.jpg");
//! ```

use percent_encoding::percent_decode;

/// How the path of a request becomes the canonical URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathMode {
    /// Amazon S3 (and S3-compatible stores): the path is percent-decoded once
    /// and encoded once, never normalized. `//`, `.` and `..` are kept,
    /// because they are part of object keys.
    S3,
    /// Every other AWS service: remove dot segments (RFC 3986 5.2.4) and
    /// duplicate slashes, then encode the path as sent on the wire once more
    /// ("double encoding": `%3A` becomes `%253A`).
    Standard,
}

impl PathMode {
    /// The mode AWS uses for a service: [`PathMode::S3`] for the S3
    /// services ([`Service::is_s3_like`](crate::Service::is_s3_like)),
    /// [`PathMode::Standard`] for anything else.
    pub fn for_service(service: &str) -> Self {
        if crate::wire::is_s3_like(service) {
            PathMode::S3
        } else {
            PathMode::Standard
        }
    }
}

/// Where encoded bytes go: the canonical request's buffer, or a string to
/// sign on the stack.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
    fn put_byte(&mut self, b: u8) {
        self.put(&[b]);
    }
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    #[inline]
    fn put_byte(&mut self, b: u8) {
        self.push(b);
    }
}

/// Whether `b` is written as it is: the unreserved set, and `/` too when
/// `slash` (paths). Comparisons only, no table, and `|` rather than `||`
/// (no branches): over a whole chunk they compile to a few vector
/// instructions, where a table lookup stays one load per byte.
#[inline(always)]
const fn kept(b: u8, slash: bool) -> bool {
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    letter | digit | (b == b'-') | (b == b'.') | (b == b'_') | (b == b'~') | (slash & (b == b'/'))
}

/// Byte classes for byte-at-a-time loops (where a lookup beats the
/// comparisons): 1 = unreserved, 2 = `/`, 0 = must be encoded.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if kept(b, false) {
            1
        } else if kept(b, true) {
            2
        } else {
            0
        };
        i += 1;
    }
    t
};

const KEEP_QUERY: u8 = 1;
const KEEP_PATH: u8 = 3;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Every byte as the encoder writes it, in the low bytes of a little-endian
/// `u32` (the byte itself, or `%XY`), with how many of them count (1 or 3)
/// in the top byte: a byte is encoded with one load and one 4-byte store,
/// without a branch.
const fn slots(slash: bool) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if kept(i as u8, slash) {
            i as u32 | 1 << 24
        } else {
            b'%' as u32
                | (HEX_UPPER[i >> 4] as u32) << 8
                | (HEX_UPPER[i & 15] as u32) << 16
                | 3 << 24
        };
        i += 1;
    }
    t
}

static QUERY_SLOTS: [u32; 256] = slots(false);
static PATH_SLOTS: [u32; 256] = slots(true);

/// Bytes the encoder looks at in one step.
const CHUNK: usize = 16;
/// The window a step writes into before trimming it: 16 bytes that all need
/// escaping take 48, written as 4-byte slots; sized so that a slot written
/// at any offset below 64 fits.
const STEP_ROOM: usize = 64 + 4;

/// Encodes `bytes` onto `out`. `keep` is the bitmask of [`CLASS`]es
/// written as they are: [`KEEP_QUERY`] (unreserved only) or [`KEEP_PATH`]
/// (also `/`).
///
/// Most bytes of real keys and values are kept, and an escape is rarely
/// alone (a space, a UTF-8 sequence): so the input is checked 16 bytes at a
/// time with comparisons that vectorize, 8 clean bytes are copied at once,
/// and only the 8-byte halves that need escaping are written byte by byte,
/// from a table and without branches (a branch per escape mispredicts too
/// often on such input), as are the last 15 bytes or fewer. Each step writes
/// into a window of [`STEP_ROOM`] zeroed bytes and trims it, so that it
/// takes fixed-size copies, not calls to `memcpy`.
///
/// It never grows `out` by more than its output (the canonical request is
/// reserved up front, so that it never moves with a secret in it): a step
/// runs only when `out` has the room for its window, and the rest is then
/// encoded a byte at a time. A window can leave up to [`STEP_ROOM`] bytes
/// of this input's encoding in `out`'s spare capacity, past its length.
///
/// Not inlined, so that whether `/` is kept stays a run-time flag: with it
/// a constant, LLVM (rustc 1.95) compiled the query mode's check into 4-
/// and 2-byte vectors and scalar code, about eight times the instructions
/// of the 16-byte vector code both modes get this way.
#[inline(never)]
fn encode_into(bytes: &[u8], keep: u8, out: &mut Vec<u8>) {
    let slash = keep & 2 != 0;
    let slots = if slash { &PATH_SLOTS } else { &QUERY_SLOTS };
    let (chunks, rest) = bytes.as_chunks::<CHUNK>();
    for (i, chunk) in chunks.iter().enumerate() {
        if out.capacity() - out.len() < STEP_ROOM {
            return encode_bytewise(&bytes[i * CHUNK..], slots, out);
        }
        let escape = escapes(chunk, slash);
        if escape == 0 {
            out.extend_from_slice(chunk);
            continue;
        }
        let halves = [escape as u64, (escape >> 64) as u64];
        in_window(chunk, slots, out, |window| {
            let mut n = 0;
            for (half, escape) in chunk.as_chunks::<8>().0.iter().zip(halves) {
                if escape == 0 {
                    window[n..n + 8].copy_from_slice(half);
                    n += 8;
                } else {
                    n = write_slots(half, slots, window, n);
                }
            }
            n
        });
    }
    if rest.is_empty() {
        return;
    }
    if out.capacity() - out.len() < STEP_ROOM {
        return encode_bytewise(rest, slots, out);
    }
    in_window(rest, slots, out, |window| {
        write_slots(rest, slots, window, 0)
    });
}

/// Which bytes of `chunk` must be escaped: a byte each, 1 or 0, read as one
/// little-endian number.
#[inline(always)]
fn escapes(chunk: &[u8; CHUNK], slash: bool) -> u128 {
    let mut escape = [0u8; CHUNK];
    for (e, &b) in escape.iter_mut().zip(chunk) {
        *e = u8::from(!kept(b, slash));
    }
    u128::from_le_bytes(escape)
}

/// Adds a window of [`STEP_ROOM`] zeroed bytes to `out`, which has the room
/// for it; `write` encodes `bytes` (at most 16) into it and says how much of
/// it to keep.
#[inline(always)]
fn in_window(
    bytes: &[u8],
    slots: &[u32; 256],
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut [u8; STEP_ROOM]) -> usize,
) {
    let start = out.len();
    // (A constant-size copy is a few stores; `resize` would call `memset`.)
    out.extend_from_slice(&[0; STEP_ROOM]);
    if let Some(window) = out[start..].first_chunk_mut::<STEP_ROOM>() {
        let n = write(window);
        out.truncate(start + n);
    } else {
        // (Not reached: the window was just added.)
        out.truncate(start);
        encode_bytewise(bytes, slots, out);
    }
}

/// Writes `bytes` (8, or the last 15 or fewer) encoded into `window` from
/// `n` (at most 24) on, each as its 4-byte slot, and returns where the next
/// byte goes.
#[inline(always)]
fn write_slots(
    bytes: &[u8],
    slots: &[u32; 256],
    window: &mut [u8; STEP_ROOM],
    mut n: usize,
) -> usize {
    for &b in bytes {
        let slot = slots[usize::from(b)];
        // `n` is at most 45 here, so `& 63` does not change it; it lets the
        // compiler see that the slot fits and leave out the bounds check.
        let at = n & 63;
        window[at..at + 4].copy_from_slice(&slot.to_le_bytes());
        n += (slot >> 24) as usize;
    }
    n
}

/// [`encode_into`] a byte at a time, for a buffer without room to spare.
fn encode_bytewise(bytes: &[u8], slots: &[u32; 256], out: &mut Vec<u8>) {
    for &b in bytes {
        let [first, hi, lo, len] = slots[usize::from(b)].to_le_bytes();
        if len == 1 {
            out.push(first);
        } else {
            out.extend_from_slice(&[first, hi, lo]);
        }
    }
}

/// Encodes a query name or value: everything but unreserved bytes.
#[inline]
pub(crate) fn write_query_component(bytes: &[u8], out: &mut Vec<u8>) {
    encode_into(bytes, KEEP_QUERY, out);
}

/// Encodes a path: everything but unreserved bytes and `/`.
#[inline]
pub(crate) fn write_path(bytes: &[u8], out: &mut Vec<u8>) {
    encode_into(bytes, KEEP_PATH, out);
}

/// Percent-decodes `bytes` and writes them encoded again as a query
/// component. `+` is a literal plus sign, not a space (RFC 3986).
#[inline]
pub(crate) fn write_requoted_query_component<S: Sink + ?Sized>(bytes: &[u8], out: &mut S) {
    requote_into(bytes, KEEP_QUERY, false, out);
}

/// Percent-decodes `bytes` the way S3 and HTML form decoders read a
/// received query (`+` is a space) and writes them encoded again as a query
/// component: `c++%2F` becomes `c%20%20%2F`.
#[inline]
pub(crate) fn write_requoted_form_component<S: Sink + ?Sized>(bytes: &[u8], out: &mut S) {
    requote_into(bytes, KEEP_QUERY, true, out);
}

/// Whether `b` is unreserved (written as is in a query component).
#[inline]
pub(crate) fn is_unreserved(b: u8) -> bool {
    CLASS[b as usize] & KEEP_QUERY != 0
}

/// Whether the two bytes after a `%` make an escape exactly as the signer
/// writes one: uppercase hex digits of a byte that must be escaped.
#[inline]
pub(crate) fn canonical_escape(digits: Option<&[u8]>) -> bool {
    match digits {
        Some(&[h, l]) if !h.is_ascii_lowercase() && !l.is_ascii_lowercase() => {
            match (hex_value(h), hex_value(l)) {
                (Some(h), Some(l)) => !is_unreserved(h << 4 | l),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Decimal digits of a `u64`, on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    /// No digits: the expiry of a request signed in its headers.
    pub(crate) const NONE: Digits = Digits {
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

/// `n` in decimal.
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

#[cfg(test)]
/// Whether `bytes` is a query component exactly as the signer writes one:
/// unreserved bytes, and `%XY` escapes (uppercase) of the bytes that must be
/// escaped. Requoting such a component (as a form component too: it has no
/// `+`) gives it back unchanged.
pub(crate) fn is_canonical_query_component(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if is_unreserved(bytes[i]) {
            i += 1;
        } else if bytes[i] == b'%' && canonical_escape(bytes.get(i + 1..i + 3)) {
            i += 3;
        } else {
            return false;
        }
    }
    true
}

/// Percent-decodes a path and writes it encoded again, keeping `/`.
#[inline]
pub(crate) fn write_requoted_path<S: Sink + ?Sized>(bytes: &[u8], out: &mut S) {
    requote_into(bytes, KEEP_PATH, false, out);
}

pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Decodes `%XY` escapes and encodes the result again, in one pass: runs
/// that come out the same (unreserved bytes, and escapes of bytes that must
/// stay escaped, written in uppercase) are copied whole.
/// With `plus_is_space`, an unescaped `+` decodes to a space.
fn requote_into<S: Sink + ?Sized>(bytes: &[u8], keep: u8, plus_is_space: bool, out: &mut S) {
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // The common byte: kept as it is, nothing to write yet.
        if CLASS[b as usize] & keep != 0 {
            i += 1;
            continue;
        }
        let escape = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex_value(h)
                .zip(hex_value(l))
                .map(|(h, l)| (h << 4 | l, [h, l])),
            _ => None,
        };
        let (decoded, width) = match escape {
            Some((d, _)) => (d, 3),
            None if plus_is_space && b == b'+' => (b' ', 1),
            None => (b, 1),
        };
        let kept = CLASS[decoded as usize] & keep != 0;
        let unchanged = match escape {
            // An escape stays as is when its byte must be escaped and its
            // digits are already uppercase.
            Some(_) => {
                !kept && !bytes[i + 1].is_ascii_lowercase() && !bytes[i + 2].is_ascii_lowercase()
            }
            None => kept,
        };
        if !unchanged {
            if run < i {
                out.put(&bytes[run..i]);
            }
            if kept {
                out.put_byte(decoded);
            } else {
                out.put(&[
                    b'%',
                    HEX_UPPER[(decoded >> 4) as usize],
                    HEX_UPPER[(decoded & 15) as usize],
                ]);
            }
            run = i + width;
        }
        i += width;
    }
    if run < bytes.len() {
        out.put(&bytes[run..]);
    }
}

/// The length of `bytes` once encoded as a query component.
#[inline]
pub(crate) fn query_component_len(bytes: &[u8]) -> usize {
    bytes.len() + 2 * bytes.iter().filter(|&&b| !kept(b, false)).count()
}

/// Encodes a query parameter name or value the SigV4 way: every byte except
/// `A-Z a-z 0-9 - . _ ~` becomes `%XY`; a space is `%20`, `/` is `%2F`.
pub fn query_component(s: &str) -> String {
    let mut buf = Vec::with_capacity(query_component_len(s.as_bytes()));
    write_query_component(s.as_bytes(), &mut buf);
    // Only ASCII is ever written.
    String::from_utf8(buf).unwrap_or_default()
}

/// Encodes a path (for example `/` followed by an S3 object key) once, the
/// way S3 expects it: like [`query_component`] but `/` is kept.
pub fn path(s: &str) -> String {
    let mut buf = Vec::with_capacity(s.len());
    write_path(s.as_bytes(), &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// Percent-decodes `s` (`%XY` sequences only; `+` stays `+`). Returns `None`
/// when the result is not UTF-8.
pub fn decode(s: &str) -> Option<String> {
    percent_decode(s.as_bytes())
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Removes dot segments and duplicate slashes from an absolute path (the
/// [`PathMode::Standard`] normalization), writing the result into `out`.
///
/// `/a/b/../c` becomes `/a/c`; `//a//` becomes `/a/`; `/a/..` becomes `/`. A
/// path that ends in `/`, `/.` or `/..` keeps a trailing slash unless nothing
/// is left.
pub(crate) fn normalize_path_into(path: &[u8], out: &mut Vec<u8>) {
    let base = out.len();
    // Positions in `out` where each kept segment's leading '/' was written,
    // so `..` can truncate back to it.
    let mut starts: Vec<usize> = Vec::new();
    let mut ends_with_slash = false;
    for seg in path.split(|&b| b == b'/') {
        match seg {
            b"" => {
                ends_with_slash = true;
            }
            b"." => ends_with_slash = true,
            b".." => {
                if let Some(s) = starts.pop() {
                    out.truncate(s);
                }
                ends_with_slash = true;
            }
            _ => {
                starts.push(out.len());
                out.push(b'/');
                out.extend_from_slice(seg);
                ends_with_slash = false;
            }
        }
    }
    if out.len() == base || ends_with_slash {
        out.push(b'/');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &[u8]) -> String {
        let mut v = Vec::new();
        write_query_component(s, &mut v);
        String::from_utf8(v).unwrap()
    }

    fn norm(s: &str) -> String {
        let mut v = Vec::new();
        normalize_path_into(s.as_bytes(), &mut v);
        String::from_utf8(v).unwrap()
    }

    // AWS examples: the CRT suite's get-unreserved / get-utf8 / get-space and
    // the S3 documentation's `test$file.text` → `test%24file.text`.
    #[test]
    fn encodes_like_the_published_examples() {
        let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        assert_eq!(query_component(unreserved), unreserved);
        assert_eq!(path("/ሴ"), "/%E1%88%B4");
        assert_eq!(path("/example space/"), "/example%20space/");
        assert_eq!(path("/test$file.text"), "/test%24file.text");
        assert_eq!(query_component("$delete"), "%24delete");
        assert_eq!(
            query_component("AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"),
            "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request"
        );
        assert_eq!(query_component("host;x-amz-date"), "host%3Bx-amz-date");
        assert_eq!(q(b"\x00\xff"), "%00%FF");
        assert_eq!(
            query_component_len("a b/ሴ".as_bytes()),
            "a%20b%2F%E1%88%B4".len()
        );
    }

    #[test]
    fn requoting_equals_decoding_then_encoding() {
        let samples: [&[u8]; 9] = [
            b"",
            b"plain-text_~.",
            b"a%20b%2fc%2F%7e%41%zz%",
            b"%",
            b"%4",
            b"%e1%88%b4",
            b"/path%2Fwith/%25sign%25",
            b"\xff raw \x00 bytes+",
            b"%FF%ff%00",
        ];
        for sample in samples {
            for keep in [KEEP_QUERY, KEEP_PATH] {
                let mut fast = Vec::new();
                requote_into(sample, keep, false, &mut fast);
                let mut slow = Vec::new();
                for b in percent_decode(sample) {
                    encode_into(&[b], keep, &mut slow);
                }
                assert_eq!(fast, slow, "{:?}", String::from_utf8_lossy(sample));
            }
        }
    }

    proptest::proptest! {
        // The one-pass requote is exactly decode-then-encode, for any bytes
        // (biased towards escapes, valid or not).
        #[test]
        fn requoting_matches_the_two_pass_definition(
            input in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'%'),
                    proptest::sample::select(b"0123456789abcdefABCDEFgz/ +~".to_vec()),
                    proptest::num::u8::ANY,
                ],
                0..40,
            )
        ) {
            for keep in [KEEP_QUERY, KEEP_PATH] {
                let mut fast = Vec::new();
                requote_into(&input, keep, false, &mut fast);
                let mut slow = Vec::new();
                for b in percent_decode(&input) {
                    encode_into(&[b], keep, &mut slow);
                }
                proptest::prop_assert_eq!(fast, slow);
            }
            // Form decoding: `+` is a space, then the same definition.
            let mut fast = Vec::new();
            requote_into(&input, KEEP_QUERY, true, &mut fast);
            let plus_as_space: Vec<u8> =
                input.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
            let mut slow = Vec::new();
            for b in percent_decode(&plus_as_space) {
                encode_into(&[b], KEEP_QUERY, &mut slow);
            }
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn requotes_encoded_input_once() {
        let mut v = Vec::new();
        write_requoted_query_component(b"a%20b+c%2fd%zz%", &mut v);
        assert_eq!(String::from_utf8(v).unwrap(), "a%20b%2Bc%2Fd%25zz%25");
        // A received query, read as S3 reads it: `+` is a space, `%2B` a plus.
        let mut v = Vec::new();
        write_requoted_form_component(b"c++%2F%2B", &mut v);
        assert_eq!(String::from_utf8(v).unwrap(), "c%20%20%2F%2B");
        let mut v = Vec::new();
        write_requoted_path(b"/a%2Fb/%E1%88%B4 x", &mut v);
        assert_eq!(String::from_utf8(v).unwrap(), "/a/b/%E1%88%B4%20x");
    }

    proptest::proptest! {
        // A component is canonical exactly when requoting leaves it as is.
        #[test]
        fn canonical_components_are_the_fixed_points_of_requoting(
            input in proptest::collection::vec(
                proptest::sample::select(b"%0123456789abcdefABCDEF+ -_.~/=&z".to_vec()),
                0..16,
            )
        ) {
            let mut requoted = Vec::new();
            requote_into(&input, KEEP_QUERY, true, &mut requoted);
            proptest::prop_assert_eq!(is_canonical_query_component(&input), requoted == input);
        }
    }

    /// The definition, a byte at a time: the unreserved bytes (and `/` in
    /// paths) as they are, anything else as `%XY`.
    fn reference(bytes: &[u8], keep: u8) -> Vec<u8> {
        let mut out = Vec::new();
        for &b in bytes {
            let unreserved = b.is_ascii_alphanumeric() || b"-._~".contains(&b);
            if unreserved || (keep == KEEP_PATH && b == b'/') {
                out.push(b);
            } else {
                out.extend_from_slice(format!("%{b:02X}").as_bytes());
            }
        }
        out
    }

    /// Encodes after `prefix`, into a buffer with `spare` bytes of room
    /// beyond it, and checks the result against [`reference`]. With room for
    /// the whole output, the buffer must not move.
    fn check_encoding(bytes: &[u8], keep: u8, prefix: &[u8], spare: usize) {
        let expected = reference(bytes, keep);
        let mut out = Vec::with_capacity(prefix.len() + spare);
        out.extend_from_slice(prefix);
        let (at, capacity) = (out.as_ptr(), out.capacity());
        encode_into(bytes, keep, &mut out);
        assert_eq!(&out[..prefix.len()], prefix);
        assert_eq!(
            String::from_utf8_lossy(&out[prefix.len()..]),
            String::from_utf8_lossy(&expected),
            "{bytes:?}, keep {keep}, spare {spare}"
        );
        if spare >= expected.len() {
            assert_eq!((out.as_ptr(), out.capacity()), (at, capacity));
        }
    }

    /// Room: none (every byte through the byte-at-a-time path), exactly the
    /// output (chunks until the room runs short), and the worst case and more
    /// (chunks all the way).
    fn spares(bytes: &[u8], keep: u8) -> [usize; 4] {
        let exact = reference(bytes, keep).len();
        [0, exact, 3 * bytes.len(), 3 * bytes.len() + STEP_ROOM]
    }

    #[test]
    fn the_class_table_and_the_comparisons_agree() {
        for b in 0..=255u8 {
            for keep in [KEEP_QUERY, KEEP_PATH] {
                let by_table = CLASS[usize::from(b)] & keep != 0;
                assert_eq!(kept(b, keep == KEEP_PATH), by_table, "{b:#04x}");
                assert_eq!(reference(&[b], keep) == [b], by_table, "{b:#04x}");
            }
        }
    }

    // One byte to escape in a run of kept ones, at every position, for runs
    // around one and two chunks long (and a kept run with a `/` as the odd
    // byte out, which only the query escapes).
    #[test]
    fn one_escape_at_every_position_of_a_run() {
        for len in [
            1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK - 1,
            2 * CHUNK + 3,
            5 * CHUNK,
        ] {
            for at in 0..len {
                for odd in [b' ', b'/', b'%', 0x00, 0xE2, 0xFF] {
                    let mut run: Vec<u8> =
                        b"abcXYZ-019._~".iter().copied().cycle().take(len).collect();
                    run[at] = odd;
                    for keep in [KEEP_QUERY, KEEP_PATH] {
                        for spare in spares(&run, keep) {
                            check_encoding(&run, keep, b"GET\n/", spare);
                        }
                    }
                }
            }
        }
    }

    proptest::proptest! {
        // The chunked encoder is the byte-by-byte definition, on any bytes,
        // whatever room the buffer has.
        #[test]
        fn encoding_matches_the_reference_on_any_bytes(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..100),
            prefix in proptest::collection::vec(proptest::num::u8::ANY, 0..8),
            extra in 0usize..64,
        ) {
            for keep in [KEEP_QUERY, KEEP_PATH] {
                for spare in spares(&bytes, keep) {
                    check_encoding(&bytes, keep, &prefix, spare + extra);
                }
            }
        }

        // The same on input shaped like keys: long runs of kept bytes with a
        // few to escape, alone or together.
        #[test]
        fn encoding_matches_the_reference_on_key_like_bytes(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    12 => proptest::sample::select(b"abcdefxyzABCXYZ0189-._~".to_vec()),
                    2 => proptest::sample::select(b"/ %+".to_vec()),
                    1 => proptest::num::u8::ANY,
                ],
                0..300,
            ),
        ) {
            for keep in [KEEP_QUERY, KEEP_PATH] {
                for spare in spares(&bytes, keep) {
                    check_encoding(&bytes, keep, b"", spare);
                }
            }
            proptest::prop_assert_eq!(
                query_component_len(&bytes),
                reference(&bytes, KEEP_QUERY).len()
            );
        }
    }

    // The CRT suite's *-normalized cases.
    #[test]
    fn normalizes_like_the_crt_suite() {
        assert_eq!(norm("/example/.."), "/");
        assert_eq!(norm("/example1/example2/../.."), "/");
        assert_eq!(norm("/./"), "/");
        assert_eq!(norm("//"), "/");
        assert_eq!(norm("/./example"), "/example");
        assert_eq!(norm("//example//"), "/example/");
        assert_eq!(norm("/example space/"), "/example space/");
        assert_eq!(norm("/"), "/");
        assert_eq!(norm("/a/b/../c"), "/a/c");
        assert_eq!(norm("/a/b/.."), "/a/");
        assert_eq!(norm("/../../a"), "/a");
        assert_eq!(norm("/a/."), "/a/");
    }

    #[test]
    fn service_modes() {
        assert_eq!(PathMode::for_service("s3"), PathMode::S3);
        assert_eq!(PathMode::for_service("lambda"), PathMode::Standard);
    }
}
