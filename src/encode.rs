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

/// Byte classes: 1 = unreserved, 2 = `/`, 0 = must be encoded.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_' || b == b'~' {
            t[i] = 1;
        }
        i += 1;
    }
    t[b'/' as usize] = 2;
    t
};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Encodes `bytes` into `out`. `keep` is the bitmask of byte classes written
/// as they are: 1 for the query (unreserved only), 3 for paths (also `/`).
#[inline]
fn encode_into<S: Sink + ?Sized>(bytes: &[u8], keep: u8, out: &mut S) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if CLASS[b as usize] & keep == 0 {
            if start < i {
                out.put(&bytes[start..i]);
            }
            out.put(&[
                b'%',
                HEX_UPPER[(b >> 4) as usize],
                HEX_UPPER[(b & 15) as usize],
            ]);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.put(&bytes[start..]);
    }
}

const KEEP_QUERY: u8 = 1;
const KEEP_PATH: u8 = 3;

/// Encodes a query name or value: everything but unreserved bytes.
#[inline]
pub(crate) fn write_query_component<S: Sink + ?Sized>(bytes: &[u8], out: &mut S) {
    encode_into(bytes, KEEP_QUERY, out);
}

/// Encodes a path: everything but unreserved bytes and `/`.
#[inline]
pub(crate) fn write_path<S: Sink + ?Sized>(bytes: &[u8], out: &mut S) {
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

/// Whether `bytes` is a query component exactly as the signer writes one:
/// unreserved bytes, and `%XY` escapes (uppercase) of the bytes that must be
/// escaped. Requoting such a component (as a form component too: it has no
/// `+`) gives it back unchanged.
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
    bytes.len()
        + 2 * bytes
            .iter()
            .filter(|&&b| CLASS[b as usize] & KEEP_QUERY == 0)
            .count()
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
