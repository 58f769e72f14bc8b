//! The canonical request's unit tests.

use super::header_value::{canonical_header_value, is_canonical_value};
use super::*;
use crate::credentials::TokenKind;
use crate::request::{Method, SignableRequest};
use crate::time::SigningTime;

fn write(
    req: &SignableRequest<'_>,
    mode: PathMode,
    auth: &Auth<'_>,
    scratch: &mut Scratch,
) -> Result<Layout, Error> {
    super::write(
        &req.parts(mode, req.payload_or(Default::default())),
        auth,
        scratch,
    )?;
    Ok(scratch.layout.clone())
}

/// The `X-Amz-Date` of the CRT suite's requests.
fn crt_date() -> AmzDate {
    SigningTime::parse_amz_date("20150830T123600Z")
        .unwrap()
        .amz_date()
}

/// Header signing at `date`, nothing else signed.
fn header_auth(date: &AmzDate) -> Auth<'_> {
    Auth::Header {
        amz_date: date,
        token: None,
        token_kind: TokenKind::Security,
        content_sha256: false,
        region_set: None,
    }
}

fn header_mode(req: &SignableRequest<'_>, mode: PathMode) -> String {
    let date = crt_date();
    let mut scratch = Scratch::default();
    write(req, mode, &header_auth(&date), &mut scratch).unwrap();
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
    assert!(header_mode(&req, PathMode::Standard).contains("my-header1:value2,value2,value1\n"));
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
fn a_value_is_its_own_canonical_form_exactly_when_the_naive_check_says_so() {
    let naive = |b: &[u8]| {
        b.iter().all(|&c| c >= b' ' && c != 0x7f)
            && b.first() != Some(&b' ')
            && b.last() != Some(&b' ')
            && !b.windows(2).any(|w| w == b"  ")
    };
    // Every byte at every place, around word boundaries.
    for len in 0..=26 {
        for at in 0..len {
            for c in 0..=255u8 {
                let mut v = vec![b'x'; len];
                v[at] = c;
                assert_eq!(is_canonical_value(&v), naive(&v), "{c:#x} at {at} of {len}");
            }
            // Two spaces in a row starting here, and a space after a
            // high byte (a borrow must not cross bytes).
            let mut v = vec![b'x'; len + 1];
            v[at] = b' ';
            v[at + 1] = b' ';
            assert_eq!(is_canonical_value(&v), naive(&v), "two spaces at {at}");
            let mut v = vec![0xc3; len + 1];
            v[at] = 0x1f;
            assert!(!is_canonical_value(&v));
        }
    }
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
    let date = crt_date();
    let auth = header_auth(&date);
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

/// The straight-line S3 presign writes exactly what the general writer
/// writes (which sorts these few headers on the stack, as the next test
/// checks against the side buffer), with the same layout, for every shape
/// it takes.
#[test]
fn plain_presign_writer_matches_the_general_writer() {
    let amz_date = crate::time::SigningTime::parse_amz_date("20260524T120000Z")
        .unwrap()
        .amz_date();
    let head = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=";
    for prefix in ["", "/base", "/a%20b/c"] {
        for bucket in [None, Some("my.bucket")] {
            for key in [None, Some("photos/a b/ü+%.jpg"), Some("//x/../y")] {
                for (token, token_kind) in [
                    (None, TokenKind::Security),
                    (Some("FQoG%2Bz%3D%3D"), TokenKind::Security),
                    (Some("FQoG%2Bz%3D%3D"), TokenKind::S3Session),
                ] {
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
                            token_kind,
                            region_set: None,
                        };
                        let (mut fast, mut general) = (Scratch::default(), Scratch::default());
                        write_with(&parts, &auth, &mut fast, true).unwrap();
                        write_with(&parts, &auth, &mut general, false).unwrap();
                        let (a, b) = (&fast.layout, &general.layout);
                        let what = format!(
                            "{prefix} {bucket:?} {key:?} {token:?} {token_kind:?} {method} {headers:?}"
                        );
                        assert_eq!(
                            String::from_utf8_lossy(&fast.buf),
                            String::from_utf8_lossy(&general.buf),
                            "{what}"
                        );
                        assert_eq!(
                            (
                                a.path.clone(),
                                a.query.clone(),
                                a.signed_headers.clone(),
                                a.payload_hash.clone(),
                                a.token_at
                            ),
                            (
                                b.path.clone(),
                                b.query.clone(),
                                b.signed_headers.clone(),
                                b.payload_hash.clone(),
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

/// Headers sorted on the stack and headers canonicalized into the side
/// buffer go through the one header writer to the same bytes.
#[test]
fn inline_and_side_buffer_headers_write_the_same_lines() {
    use super::headers::{InlineHeaders, SortedHeaders, canonical_headers};
    let host = "s3.example.com:9000";
    let cases: [&[(&str, &str)]; 5] = [
        &[],
        &[("Content-Type", " image/jpeg ")],
        &[
            ("x-amz-meta-b", "2"),
            ("Cache-Control", "max-age=60"),
            ("X-Amz-Meta-B", "1  \t 2"),
        ],
        &[("zz", "a\r\n  b"), ("aa", ""), ("Zz", "c"), ("m", "  ")],
        &[
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "4"),
            ("A", "5"),
            ("e", "6"),
            ("f", "7"),
            ("g", "8"),
        ],
    ];
    for headers in cases {
        let mut inline_out = Vec::new();
        let inline = SortedHeaders::Inline(InlineHeaders::new(host, headers).unwrap());
        let a = inline
            .write_tail(&[], &Payload::Unsigned, &mut inline_out)
            .unwrap();
        let mut names = Vec::new();
        inline.write_names(&[], true, &mut names);

        let all: Vec<(&str, &str)> = [("host", host)]
            .into_iter()
            .chain(headers.iter().copied())
            .collect();
        let parts = Parts {
            method: "GET",
            host,
            host_checked: true,
            path: PathSource::Wire {
                path: "/",
                mode: PathMode::S3,
            },
            query: QuerySource::Pairs(&[]),
            headers: &all,
            payload: Payload::Unsigned,
        };
        let mut s = Scratch::default();
        canonical_headers(
            &parts,
            &Auth::Received {
                token_unsigned: false,
            },
            &mut s.side,
            &mut s.aux,
            &mut s.headers,
        )
        .unwrap();
        let side = SortedHeaders::Side(&s.headers);
        let mut side_out = Vec::new();
        let b = side
            .write_tail(&s.side, &Payload::Unsigned, &mut side_out)
            .unwrap();
        let mut side_names = Vec::new();
        side.write_names(&s.side, true, &mut side_names);
        assert_eq!(
            String::from_utf8_lossy(&inline_out),
            String::from_utf8_lossy(&side_out),
            "{headers:?}"
        );
        assert_eq!((a, names), (b, side_names), "{headers:?}");
    }
}

/// Header signing takes a raw query that is canonical already as it is;
/// every query over a small alphabet canonicalizes exactly as decoding,
/// encoding and sorting it would.
#[test]
fn a_canonical_raw_query_is_taken_as_is() {
    fn naive(query: &str) -> String {
        let mut pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (n, v) = p.split_once('=').unwrap_or((p, ""));
                let code = |s: &str| encode::query_component(&encode::decode(s).unwrap());
                (code(n), code(v))
            })
            .collect();
        pairs.sort();
        let pairs: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
        pairs.join("&")
    }
    let alphabet = ["a", "b", "B", "-", "=", "&", "%41", "~"];
    let mut queries = vec![String::new()];
    for _ in 0..5 {
        let longer: Vec<String> = queries
            .iter()
            .flat_map(|q| alphabet.iter().map(move |c| format!("{q}{c}")))
            .collect();
        queries.extend(longer);
        queries.dedup();
    }
    for q in queries
        .iter()
        .chain(&["Action=ListUsers&Version=2010-05-08".to_owned()])
    {
        let target = format!("/?{q}");
        let req = SignableRequest::new(Method::GET, "h", &target);
        let canonical = header_mode(&req, PathMode::Standard);
        let line = canonical.lines().nth(2).unwrap();
        assert_eq!(line, naive(q), "{q:?}");
    }
    // A reserved name is refused, whatever its case.
    let date = crt_date();
    let auth = header_auth(&date);
    for q in ["/?X-Amz-Date=1", "/?a=1&x-amz-signature=2"] {
        let req = SignableRequest::new(Method::GET, "h", q);
        let e = write(&req, PathMode::Standard, &auth, &mut Scratch::default());
        assert!(
            matches!(e, Err(Error::ReservedQueryParameter { .. })),
            "{q}"
        );
    }
}

/// The fast check for a canonical raw query, as it was first written: one
/// pass per condition.
fn is_canonical_raw_by_definition(raw: &str) -> bool {
    let b = raw.as_bytes();
    if !b
        .iter()
        .all(|&c| encode::is_unreserved(c) || c == b'=' || c == b'&')
    {
        return false;
    }
    let mut previous: Option<(&[u8], &[u8])> = None;
    for piece in b.split(|&c| c == b'&') {
        let Some(eq) = piece.iter().position(|&c| c == b'=') else {
            return false;
        };
        let (name, value) = (&piece[..eq], &piece[eq + 1..]);
        if name.is_empty()
            || value.contains(&b'=')
            || name
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"x-amz-"))
        {
            return false;
        }
        if previous.is_some_and(|p| p > (name, value)) {
            return false;
        }
        previous = Some((name, value));
    }
    true
}

fn regex(r: &str) -> proptest::string::RegexGeneratorStrategy<String> {
    proptest::string::string_regex(r).unwrap()
}

proptest::proptest! {
    // The one-pass check says what the definition says, on queries made of
    // the bytes that matter (and sorted ones, which it accepts).
    #[test]
    fn the_canonical_raw_query_check_is_its_definition(
        pieces in proptest::collection::vec(
            (
                proptest::prop_oneof![
                    6 => regex("[abA]{1,2}"),
                    1 => regex("x-amz-a|X-Amz-b|[ab~-]{0,3}|a[=%+& ]"),
                ],
                proptest::prop_oneof![6 => regex("[ab]{0,2}"), 1 => regex("[ab=%&+]{1,2}")],
            ),
            0..5,
        ),
        sort in proptest::bool::ANY,
    ) {
        let mut pieces = pieces;
        if sort {
            pieces.sort();
        }
        let raw = pieces
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        for raw in [raw.as_str(), &raw.replace('=', "")] {
            proptest::prop_assert_eq!(
                super::query::is_canonical_raw(raw),
                is_canonical_raw_by_definition(raw),
                "{:?}",
                raw
            );
        }
    }
}
