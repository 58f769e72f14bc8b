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
use super::claims::{Claims, Raw};
use super::specials::Specials;
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
/// The bytes that structure a query: separators, escapes, and `+` (a
/// space to S3).
const QUERY_SPECIALS: [u8; 4] = [b'&', b'=', b'%', b'+'];
const TOKEN: usize = 6;

/// The slot of a parameter name, compared as S3 compares it: decoded
/// (`X-Amz-Date` and `X%2DAmz-Date` are one parameter), case-sensitive.
fn claim_slot(name: &[u8], escaped: bool) -> Option<usize> {
    if escaped {
        let raw = Raw::query(core::str::from_utf8(name).ok()?);
        return QUERY_NAMES.iter().position(|n| raw.decodes_to(n));
    }
    // (Compared by length first: a name of another length costs nothing.)
    QUERY_NAMES.iter().position(|n| n.as_bytes() == name)
}

/// Whether every byte is unreserved or one of `%`, `=` and `&`: the bytes
/// of a query as a signer writes it. Arithmetic rather than a table, so
/// that the check vectorizes.
fn only_query_bytes(bytes: &[u8]) -> bool {
    #[inline(always)]
    fn ok(b: u8) -> bool {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        letter
            | digit
            | (b == b'-')
            | (b == b'.')
            | (b == b'_')
            | (b == b'~')
            | (b == b'%')
            | (b == b'=')
            | (b == b'&')
    }
    let (chunks, rest) = bytes.as_chunks::<32>();
    chunks
        .iter()
        .all(|chunk| chunk.iter().fold(true, |all, &b| all & ok(b)))
        && rest.iter().all(|&b| ok(b))
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
        let b = query.as_bytes();
        let mut scan = QueryScan {
            query,
            found: [None; 10],
            canonical: !b.is_empty(),
            skip: [0..0, 0..0],
            skipped: 0,
        };
        // Only the bytes a signer writes, or the query is not canonical
        // (and the bytes not looked at below do not matter otherwise).
        scan.canonical &= only_query_bytes(b);
        // The last parameter the sort order was checked against.
        let mut previous = None;
        let mut piece = Piece::at(0);
        for i in Specials::new(b, QUERY_SPECIALS) {
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
        scan.end_piece(&piece, b.len(), &mut previous, token_unsigned)?;
        Ok(scan)
    }

    /// Takes in the parameter `piece` that ends at `end`.
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
                && (&b[n.clone()], &b[v.clone()]) > (&b[name.clone()], &b[value.clone()])
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
        let algorithm = algorithm.ok_or(VerifyError::NotSigned {
            expected: "X-Amz-Algorithm query parameter",
        })?;
        fn need<'r>(v: Option<Raw<'r>>, name: &'static str) -> Result<Raw<'r>, VerifyError> {
            v.ok_or(VerifyError::MissingParameter { name })
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{Auth, Scratch, write};
    use crate::encode::PathMode;
    use crate::request::Payload;
    use crate::request::{Parts, PathSource, QuerySource};

    #[test]
    fn specials_are_found_wherever_they_are() {
        // Every byte, at every place in a word and in the tail.
        for b in 0..=255u8 {
            for len in [1, 7, 8, 9, 16, 21] {
                for at in 0..len {
                    let mut text = vec![b'a'; len];
                    text[at] = b;
                    let found: Vec<usize> = Specials::new(&text, QUERY_SPECIALS).collect();
                    let expected = if b"&=%+".contains(&b) {
                        vec![at]
                    } else {
                        vec![]
                    };
                    assert_eq!(found, expected, "{b:#x} at {at} of {len}");
                }
            }
        }
        let all: Vec<usize> = Specials::new(b"a=b&c%2B+&&==", QUERY_SPECIALS).collect();
        assert_eq!(all, [1, 3, 5, 8, 9, 10, 11, 12]);
        assert_eq!(Specials::new(b"", QUERY_SPECIALS).count(), 0);
    }

    #[test]
    fn query_bytes_are_the_unreserved_ones_and_three_separators() {
        for b in 0..=255u8 {
            let expected = encode::is_unreserved(b) || b"%=&".contains(&b);
            assert_eq!(only_query_bytes(&[b]), expected, "{b:#x}");
            let mut long = [b'a'; 70];
            long[b as usize % 70] = b;
            assert_eq!(only_query_bytes(&long), expected, "{b:#x} in a long run");
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
