//! A presigned query as received, read in one pass: the `X-Amz-*` claims it
//! carries, and whether it is already canonical (then the canonical request
//! takes it as it is, less the signature).
//!
//! Every SigV4 signer sends a canonical query: sorted, each parameter
//! `name=value` with uppercase escapes of exactly the bytes that must be
//! escaped. Such a query is its own canonical form once `X-Amz-Signature`
//! (and a token added after signing) is left out, so the verifier neither
//! decodes, re-encodes nor sorts it. Any other query is canonicalized the
//! general way, as S3 reads it (`+` is a space); the tests check that the
//! two agree.

use core::ops::Range;

use super::VerifyError;
use super::claims::{Claims, Raw, need};
use crate::bytes::{cmp_bytes, same_short};
use crate::encode;
use crate::request::ReceivedQuery;
use crate::wire;

/// The `X-Amz-*` parameters a presigned query may carry, each at most once,
/// in the order of [`Found`]'s slots.
const QUERY_NAMES: [&str; 10] = [
    wire::query::X_AMZ_ALGORITHM,
    wire::query::X_AMZ_CREDENTIAL,
    wire::query::X_AMZ_DATE,
    wire::query::X_AMZ_SIGNED_HEADERS,
    wire::query::X_AMZ_SIGNATURE,
    wire::query::X_AMZ_EXPIRES,
    wire::query::X_AMZ_SECURITY_TOKEN,
    wire::query::X_AMZ_CONTENT_SHA256,
    wire::query::X_AMZ_REGION_SET,
    wire::query::X_AMZ_S3SESSION_TOKEN,
];
const SIGNATURE: usize = 4;
const TOKEN: usize = 6;

/// The slot of a parameter name, compared as S3 compares it: decoded
/// (`X-Amz-Date` and `X%2DAmz-Date` are one parameter), case-sensitive.
fn claim_slot(name: &[u8], escaped: bool) -> Option<usize> {
    if escaped {
        let raw = Raw::query(core::str::from_utf8(name).ok()?);
        return QUERY_NAMES.iter().position(|n| raw.decodes_to(n));
    }
    // One candidate by length and first letter after `X-Amz-`, then
    // one comparison (no name is looked at twice).
    let slot = match (name.len(), name.get(6)?) {
        (15, b'A') => 0,
        (16, b'C') => 1,
        (10, b'D') => 2,
        (19, b'S') => 3,
        (15, b'S') => 4,
        (13, b'E') => 5,
        (20, b'S') => 6,
        (20, b'C') => 7,
        (16, b'R') => 8,
        (21, b'S') => 9,
        _ => return None,
    };
    same_short(QUERY_NAMES[slot].as_bytes(), name).then_some(slot)
}

/// How many bytes [`classify`] looks at together.
const CHUNK: usize = 32;

/// Classifies a chunk of a query: one bit per special byte (`&`, `=`, `%`,
/// `+`: separators, escapes, and a space to S3), and whether every byte is
/// unreserved or one of `%`, `=` and `&` (the bytes of a query as a signer
/// writes it). Lane by lane into a byte each, then packed, so that it
/// vectorizes.
#[inline(always)]
fn classify(chunk: &[u8; CHUNK]) -> (u32, bool) {
    #[inline(always)]
    fn class(b: u8) -> u8 {
        let special = (b == b'&') | (b == b'=') | (b == b'%') | (b == b'+');
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        let signers = letter
            | digit
            | (b == b'-')
            | (b == b'.')
            | (b == b'_')
            | (b == b'~')
            | (b == b'%')
            | (b == b'=')
            | (b == b'&');
        u8::from(special) | u8::from(!signers) << 1
    }
    let mut classes = [0u8; CHUNK];
    for (class_of, &b) in classes.iter_mut().zip(chunk) {
        *class_of = class(b);
    }
    let mut specials = 0u32;
    let mut others = 0u64;
    for (k, word) in classes.as_chunks::<8>().0.iter().enumerate() {
        let word = u64::from_le_bytes(*word);
        others |= word & 0x0202_0202_0202_0202;
        // Bit 0 of byte i to bit i (no two partial products collide).
        let bits = (word & 0x0101_0101_0101_0101).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        specials |= (bits as u32) << (8 * k);
    }
    (specials, others == 0)
}

/// The positions of the special bytes of `b` (see [`classify`]), and
/// whether all its bytes are a signer's.
struct QuerySpecials<'a> {
    chunks: core::slice::Iter<'a, [u8; CHUNK]>,
    /// The last chunk, if the text does not end on a chunk: its last
    /// `CHUNK` bytes (overlapping the chunk before, whose bytes are
    /// dropped from its mask) or, for a short text, the text padded with
    /// a letter; and where it starts.
    tail: Option<([u8; CHUNK], usize)>,
    base: usize,
    mask: u32,
    signers: bool,
    /// Where the whole chunks end.
    end: usize,
}

impl<'a> QuerySpecials<'a> {
    fn new(b: &'a [u8]) -> Self {
        let (chunks, rest) = b.as_chunks::<CHUNK>();
        let tail = match b.last_chunk::<CHUNK>() {
            _ if rest.is_empty() => None,
            // (Read in place: a copy of the last bytes would be read
            // back before its stores land.)
            Some(last) => Some((*last, b.len() - CHUNK)),
            None => {
                let mut tail = [b'a'; CHUNK];
                tail[..rest.len()].copy_from_slice(rest);
                Some((tail, 0))
            }
        };
        QuerySpecials {
            chunks: chunks.iter(),
            tail,
            // (The first chunk is read on the first call.)
            base: 0usize.wrapping_sub(CHUNK),
            mask: 0,
            signers: true,
            end: chunks.len() * CHUNK,
        }
    }
}

impl Iterator for QuerySpecials<'_> {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            // The next chunk, and the bits of the bytes it holds that an
            // earlier chunk did not.
            let (chunk, keep) = match self.chunks.next() {
                Some(chunk) => {
                    self.base = self.base.wrapping_add(CHUNK);
                    (*chunk, u32::MAX)
                }
                None => {
                    let (chunk, base) = self.tail.take()?;
                    self.base = base;
                    (chunk, u32::MAX.wrapping_shl((self.end - base) as u32))
                }
            };
            let (mask, signers) = classify(&chunk);
            self.mask = mask & keep;
            self.signers &= signers;
        }
        let at = self.base + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// A parameter being read: where it starts, its `=`, and whether its name
/// or value has anything to decode.
struct Piece {
    start: usize,
    eq: Option<usize>,
    name_escaped: bool,
    value_escaped: bool,
}

impl Piece {
    fn at(start: usize) -> Self {
        Piece {
            start,
            eq: None,
            name_escaped: false,
            value_escaped: false,
        }
    }
}

/// A presigned query, scanned.
pub(crate) struct QueryScan<'r> {
    query: &'r str,
    found: [Option<Raw<'r>>; 10],
    /// Whether the query, less the left-out parameters, is canonical.
    canonical: bool,
    /// The left-out parameters (`name=value`, without separators), in order.
    skip: [Range<usize>; 2],
    skipped: usize,
}

impl<'r> QueryScan<'r> {
    /// Scans `query` once. A claim that appears twice is an error; so is
    /// nothing else here (a query without `X-Amz-Algorithm` is simply not
    /// presigned).
    pub(crate) fn new(query: &'r str, token_unsigned: bool) -> Result<Self, VerifyError> {
        let mut scan = QueryScan::unread(query);
        scan.read(token_unsigned)?;
        Ok(scan)
    }

    /// A scan of `query` not yet [read](Self::read).
    pub(crate) fn unread(query: &'r str) -> Self {
        QueryScan {
            query,
            found: [None; 10],
            canonical: !query.is_empty(),
            skip: [0..0, 0..0],
            skipped: 0,
        }
    }

    /// [`new`](Self::new), in place (the scan is a few hundred bytes,
    /// not worth moving).
    pub(crate) fn read(&mut self, token_unsigned: bool) -> Result<(), VerifyError> {
        let scan = self;
        let b = scan.query.as_bytes();
        // The last parameter the sort order was checked against.
        let mut previous = None;
        let mut piece = Piece::at(0);
        let mut specials = QuerySpecials::new(b);
        for i in specials.by_ref() {
            match b[i] {
                b'&' => {
                    scan.end_piece(&piece, i, &mut previous, token_unsigned)?;
                    piece = Piece::at(i + 1);
                }
                b'=' if piece.eq.is_none() => piece.eq = Some(i),
                // A second `=` is part of the value, and not canonical.
                b'=' => scan.canonical = false,
                c => {
                    if c == b'+' || !encode::canonical_escape(b.get(i + 1..i + 3)) {
                        scan.canonical = false;
                    }
                    if piece.eq.is_none() {
                        piece.name_escaped = true;
                    } else {
                        piece.value_escaped = true;
                    }
                }
            }
        }
        // Only the bytes a signer writes, or the query is not canonical
        // (and the other bytes do not matter otherwise).
        scan.canonical &= specials.signers;
        scan.end_piece(&piece, b.len(), &mut previous, token_unsigned)
    }

    /// Takes in the parameter `piece` that ends at `end`.
    #[inline(always)]
    fn end_piece(
        &mut self,
        piece: &Piece,
        end: usize,
        previous: &mut Option<(Range<usize>, Range<usize>)>,
        token_unsigned: bool,
    ) -> Result<(), VerifyError> {
        let b = self.query.as_bytes();
        let start = piece.start;
        let (name, value) = match piece.eq {
            Some(e) => (start..e, e + 1..end),
            None => (start..end, end..end),
        };
        if piece.eq.is_none() || name.is_empty() {
            self.canonical = false;
        }
        // (Empty pieces, `a&&b`, are nothing.)
        if end == start {
            return Ok(());
        }
        let slot = claim_slot(&b[name.clone()], piece.name_escaped);
        let left_out = slot == Some(SIGNATURE) || (token_unsigned && slot == Some(TOKEN));
        if left_out {
            if let Some(range) = self.skip.get_mut(self.skipped) {
                *range = start..end;
                self.skipped += 1;
            }
        } else {
            if let Some((n, v)) = previous
                && cmp_bytes(&b[n.clone()], &b[name.clone()])
                    .then_with(|| cmp_bytes(&b[v.clone()], &b[value.clone()]))
                    .is_gt()
            {
                self.canonical = false;
            }
            *previous = Some((name, value.clone()));
        }
        if let Some(slot) = slot {
            if self.found[slot].is_some() {
                return Err(VerifyError::MalformedParameter {
                    name: QUERY_NAMES[slot],
                    reason: "appears more than once",
                });
            }
            self.found[slot] = Some(Raw {
                text: &self.query[value],
                encoded: piece.value_escaped,
            });
        }
        Ok(())
    }

    /// Whether the query carries a presigned signature at all.
    pub(crate) fn is_presigned(&self) -> bool {
        self.found[0].is_some()
    }

    /// The claims of a presigned query.
    pub(crate) fn claims(&self) -> Result<Claims<'r>, VerifyError> {
        let [
            algorithm,
            credential,
            date,
            signed_headers,
            signature,
            expires,
            token,
            content_sha256,
            _region_set,
            s3_session_token,
        ] = self.found;
        let Some(algorithm) = algorithm else {
            return Err(VerifyError::NotSigned {
                expected: "X-Amz-Algorithm query parameter",
            });
        };
        Ok(Claims {
            algorithm,
            credential: need(credential, wire::query::X_AMZ_CREDENTIAL)?,
            date: need(date, wire::query::X_AMZ_DATE)?,
            signed_headers: need(signed_headers, wire::query::X_AMZ_SIGNED_HEADERS)?,
            signature: need(signature, wire::query::X_AMZ_SIGNATURE)?,
            expires,
            token,
            s3_session_token,
            content_sha256,
            query: self.received(),
            #[cfg(feature = "sigv4a")]
            region_set: _region_set,
        })
    }

    /// The query for the canonical request: as received when it is
    /// canonical already, to be canonicalized otherwise.
    pub(crate) fn received(&self) -> ReceivedQuery<'r> {
        if self.canonical {
            ReceivedQuery::Canonical {
                query: self.query,
                skip: self.skip.clone(),
                skipped: self.skipped,
            }
        } else {
            ReceivedQuery::Raw(self.query)
        }
    }
}

/// A query as the verifier reads it: taken as it is when canonical.
#[cfg(test)]
pub(crate) fn scan_query(query: &str) -> ReceivedQuery<'_> {
    QueryScan::new(query, false).map_or(ReceivedQuery::Raw(query), |scan| scan.received())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{Auth, Scratch, write};
    use crate::encode::PathMode;
    use crate::request::Payload;
    use crate::request::{Parts, PathSource, QuerySource};

    fn specials(text: &[u8]) -> (Vec<usize>, bool) {
        let mut found = QuerySpecials::new(text);
        let at = found.by_ref().collect();
        (at, found.signers)
    }

    #[test]
    fn specials_are_found_wherever_they_are() {
        // Every byte, at every place in a chunk and in the tail.
        for b in 0..=255u8 {
            let signers = encode::is_unreserved(b) || b"%=&".contains(&b);
            for len in [1, 7, 8, 9, 31, 32, 33, 64, 70] {
                for at in 0..len {
                    let mut text = vec![b'a'; len];
                    text[at] = b;
                    let expected = if b"&=%+".contains(&b) {
                        vec![at]
                    } else {
                        vec![]
                    };
                    assert_eq!(
                        specials(&text),
                        (expected, signers),
                        "{b:#x} at {at} of {len}"
                    );
                }
            }
        }
        let all = specials(b"a=b&c%2B+&&==");
        assert_eq!(all, (vec![1, 3, 5, 8, 9, 10, 11, 12], false));
        let long: Vec<u8> = b"&a%".iter().copied().cycle().take(100).collect();
        let expected: Vec<usize> = (0..100).filter(|i| i % 3 != 1).collect();
        assert_eq!(specials(&long), (expected, true));
        assert_eq!(specials(b""), (vec![], true));
    }

    #[test]
    fn claim_slots_are_the_names_exactly() {
        for (i, name) in QUERY_NAMES.iter().enumerate() {
            assert_eq!(claim_slot(name.as_bytes(), false), Some(i), "{name}");
            let longer = format!("{name}x");
            assert_eq!(claim_slot(longer.as_bytes(), false), None, "{longer}");
            assert_eq!(claim_slot(&name.as_bytes()[1..], false), None, "{name}");
        }
        for other in ["", "X-Amz-", "X-Amz-Foo", "x-amz-date", "Date", "X-Amz-Dat"] {
            assert_eq!(claim_slot(other.as_bytes(), false), None, "{other}");
        }
    }

    #[test]
    fn claims_are_found_by_their_decoded_names() {
        let scan = QueryScan::new(
            "X-Amz-Algorithm=A&X%2DAmz-Date=D&a=b&X-Amz-Signature=S&x-amz-expires=1",
            false,
        )
        .unwrap();
        assert_eq!(scan.found[0].unwrap().text, "A");
        assert_eq!(scan.found[2].unwrap().text, "D");
        assert_eq!(scan.found[4].unwrap().text, "S");
        // Names are case-sensitive, as S3 reads them.
        assert!(scan.found[5].is_none());
        let twice = QueryScan::new("X-Amz-Date=1&X-Amz-Date=2", false);
        assert!(matches!(
            twice,
            Err(VerifyError::MalformedParameter {
                name: "X-Amz-Date",
                ..
            })
        ));
        assert!(!QueryScan::new("a=b", false).unwrap().is_presigned());
    }

    #[test]
    fn a_canonical_query_is_taken_less_the_signature() {
        let as_is = |query: &str, token_unsigned: bool| {
            let scan = QueryScan::new(query, token_unsigned).unwrap();
            let mut out = Vec::new();
            match scan.received() {
                q @ ReceivedQuery::Canonical { .. } => q.write_canonical(&mut out),
                ReceivedQuery::Raw(_) => return None,
            }
            Some(String::from_utf8(out).unwrap())
        };
        assert_eq!(
            as_is("X-Amz-Date=1&X-Amz-Signature=s&a=b", false).as_deref(),
            Some("X-Amz-Date=1&a=b")
        );
        assert_eq!(
            as_is("X-Amz-Signature=s&X-Amz-Security-Token=t&a=b", true).as_deref(),
            Some("a=b")
        );
        assert_eq!(
            as_is("a=b&X-Amz-Signature=s&X-Amz-Security-Token=t", true).as_deref(),
            Some("a=b")
        );
        assert_eq!(as_is("X-Amz-Signature=s", false).as_deref(), Some(""));
        for not_canonical in [
            "b=1&a=2", "a=%2f", "a=%41", "a+b=1", "a", "a=1&&b=2", "a=b=c",
        ] {
            assert_eq!(as_is(not_canonical, false), None, "{not_canonical}");
        }
    }

    proptest::proptest! {
        // A received query taken as it is (when already canonical) is
        // exactly what the general path makes of it.
        #[test]
        fn a_query_taken_as_is_equals_the_general_path(
            pieces in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Date", "a", "b", "a-b",
                        "A", "%41", "x%2Fy", "x%2fy", "c+d", "e~", "",
                    ]),
                    proptest::option::of(proptest::sample::select(vec![
                        "", "1", "v%20w", "v+w", "%7E", "~", "%2B", "a=b", "%zz", "Z", "%C3%A9",
                        "0123456789abcdef0123456789abcdef", "0123456789abcdef%2F",
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
            // (Repeated claims are refused before any canonical request.)
            let Ok(scan) = QueryScan::new(&query, token_unsigned) else {
                return Ok(());
            };
            let write_with = |source: QuerySource<'_>| {
                let parts = Parts {
                    method: "GET",
                    host: "",
                    host_checked: true,
                    path: PathSource::Wire { path: "/", mode: PathMode::S3 },
                    query: source,
                    headers: &[("host", "example.com")],
                    payload: Payload::Unsigned,
                };
                let mut scratch = Scratch::default();
                write(&parts, &Auth::Received { token_unsigned }, &mut scratch).map(|()| {
                    String::from_utf8_lossy(&scratch.buf[scratch.layout.query.clone()]).into_owned()
                })
            };
            let fast = write_with(QuerySource::Received(scan.received()));
            let general = write_with(QuerySource::Received(ReceivedQuery::Raw(&query)));
            proptest::prop_assert_eq!(&fast, &general, "{}", query);
        }
    }
}
