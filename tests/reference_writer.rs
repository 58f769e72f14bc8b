//! The crate's canonical-request writer against the plain reference
//! (`common::reference`), on arbitrary requests: S3 object keys of any
//! Unicode (`/`, spaces, `+`, `%`, `~`, dot segments), extra query
//! parameters, 0 to 20 extra headers (both sides of the stack-sorted
//! limit, repeated names in any case) and session tokens, through
//! `s3::Bucket` / `ObjectRequest` and through `Signer` with header and
//! query signing, in S3 and standard path modes.
//!
//! For each request the crate's canonical request must equal the
//! reference's, and the signature it puts in the URL or the
//! `Authorization` header must equal the reference's signature.
//!
//! Failure persistence is off so that a failing run writes no files;
//! proptest prints the shrunk input instead.

mod common;

use std::time::Duration;

use proptest::prelude::*;

use common::reference::{self, Signing};
use presign::s3::{Addressing, Bucket, Endpoint};
use presign::{
    Credentials, Error, Method, Payload, Region, Service, SessionTokenMode, SignableRequest,
    SignatureLocation, Signer, SigningTime,
};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Query parameters the signer writes itself; a caller's are refused.
const RESERVED_QUERY: [&str; 8] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-S3session-Token",
    "X-Amz-Security-Token",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
];

/// Headers the signer writes itself; a caller's are refused.
const RESERVED_HEADERS: [&str; 6] = [
    "host",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-s3session-token",
    "x-amz-content-sha256",
];

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Characters for keys and query text: the ones encoders get wrong, plain
/// ones, and any Unicode scalar value.
fn key_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            '/', ' ', '+', '%', '~', '.', '-', '_', '?', '#', '&', '=', ';', ':', '@', '$', '!',
            '*', '\'', '(', ')', ',', '[', ']', '"', '\\', '^', '`', '{', '}', '|', '<', '>',
        ]),
        4 => prop::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                .chars()
                .collect::<Vec<_>>(),
        ),
        2 => prop::sample::select(vec![
            'é', 'ü', 'ሴ', '€', '😀', '\u{a0}', '\u{3000}', '\u{feff}', '\u{fffd}', '\u{10ffff}',
        ]),
        1 => any::<char>(),
    ]
}

/// Fragments that look like escapes (valid, lowercase, broken) and dot
/// segments.
fn key_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => key_char().prop_map(String::from),
        1 => prop::sample::select(vec![
            "%20", "%2F", "%2f", "%25", "%2B", "%zz", "%4", "%E1%88%B4", "%e1%88%b4", "%FF",
            "..", ".", "/./", "/../", "//", "+", "~",
        ])
        .prop_map(String::from),
    ]
}

fn text(fragments: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(key_fragment(), fragments).prop_map(|v| v.concat())
}

/// A non-empty S3 object key.
fn object_key() -> impl Strategy<Value = String> {
    text(1..24)
}

/// A query parameter name: arbitrary text, or one near (or equal to) the
/// signer's `X-Amz-*` names so that caller parameters sort among them.
fn query_name() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => text(1..8),
        6 => prop::sample::select(vec![
            "X-Amz-Beta", "X-Amz-Zeta", "X-Amz-E", "X-Amz-Sf", "X-Amz-Date-", "x-amz-meta",
            "0", "A", "z", "uploads", "versionId",
        ])
        .prop_map(String::from),
        1 => prop::sample::select(vec!["X-Amz-Date", "x-amz-signature"]).prop_map(String::from),
    ]
}

/// A header name (a token), sometimes a repeated or reserved one.
fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        25 => "[!#$%&'*+.^_`|~A-Za-z0-9-]{1,12}",
        15 => prop::sample::select(vec![
            "Content-Type", "content-type", "CONTENT-TYPE", "x-amz-meta-a", "X-Amz-Meta-A",
            "x-amz-acl", "Range", "a", "A", "z", "~",
        ])
        .prop_map(String::from),
        1 => prop::sample::select(vec!["Host", "X-Amz-Date", "authorization"])
            .prop_map(String::from),
    ]
}

/// A valid header value: no ASCII control character but tab; spaces and
/// tabs anywhere (leading, trailing, in runs), and non-ASCII text.
fn header_value() -> impl Strategy<Value = String> {
    let value_char = prop_oneof![
        3 => prop::sample::select(vec![' ', ' ', '\t', ',', ';', '"', '=']),
        3 => key_char(),
    ];
    prop::collection::vec(value_char, 0..20).prop_map(|v| {
        v.into_iter()
            .filter(|c| !c.is_ascii_control() || *c == '\t')
            .collect::<String>()
    })
}

fn header_list() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((header_name(), header_value()), 0..=20)
}

/// A session token as STS hands them out, and then some: visible ASCII.
fn session_tokens() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[!-~]{1,64}")
}

fn secrets() -> impl Strategy<Value = String> {
    "[!-~]{1,40}"
}

fn access_key_ids() -> impl Strategy<Value = String> {
    "[A-Z0-9]{16,20}"
}

fn amz_dates() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "20150830T123600Z",
        "20130524T000000Z",
        "20260101T235959Z",
        "20991231T000001Z",
    ])
}

fn regions() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["us-east-1", "eu-west-1", "ap-southeast-2"])
}

fn methods() -> impl Strategy<Value = Method<'static>> {
    prop::sample::select(vec![
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::HEAD,
        Method::DELETE,
        Method::new("PROPFIND").unwrap(),
        Method::new("get").unwrap(),
    ])
}

fn credentials(akid: &str, secret: &str, token: Option<&str>, s3_session: bool) -> Credentials {
    let creds = Credentials::new(akid, secret).expect("credentials");
    match token {
        Some(token) if s3_session => creds
            .with_s3_express_session_token(token)
            .expect("session token"),
        Some(token) => creds.with_session_token(token).expect("session token"),
        None => creds,
    }
}

/// Whether signing refused a caller header or query parameter because the
/// signer writes that name itself; any other error fails the property.
fn refused_reserved(
    e: &Error,
    headers: &[(String, String)],
    query_names: &[String],
) -> Result<(), TestCaseError> {
    match e {
        Error::ReservedHeader { .. } => {
            let reserved = headers
                .iter()
                .any(|(n, _)| RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(n)));
            prop_assert!(reserved, "ReservedHeader without one: {:?}", headers);
        }
        Error::ReservedQueryParameter { .. } => {
            let reserved = query_names
                .iter()
                .any(|n| RESERVED_QUERY.iter().any(|r| r.eq_ignore_ascii_case(n)));
            prop_assert!(
                reserved,
                "ReservedQueryParameter without one: {:?}",
                query_names
            );
        }
        other => prop_assert!(false, "unexpected error {:?}", other),
    }
    Ok(())
}

fn x_amz_signature<'a>(mut pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Option<&'a str> {
    pairs.find(|(n, _)| *n == "X-Amz-Signature").map(|(_, v)| v)
}

// ---------------------------------------------------------------------------
// S3 presigned URLs: Bucket / ObjectRequest
// ---------------------------------------------------------------------------

/// Where the bucket lives: 0 virtual-hosted on AWS, 1 path-style on AWS,
/// 2 a custom endpoint with a path prefix (path-style).
fn bucket(addressing: u8, region: &str) -> Bucket {
    let region = Region::new(region).expect("region");
    let bucket = Bucket::new("examplebucket", region).expect("bucket");
    match addressing {
        0 => bucket.addressing(Addressing::VirtualHosted),
        1 => bucket.addressing(Addressing::Path),
        _ => bucket.endpoint(Endpoint::custom("http://127.0.0.1:9000/store/v%7e1+é/").unwrap()),
    }
    .expect("addressing")
}

proptest! {
    #![proptest_config(config(512))]

    /// An S3 presign (`ObjectRequest`) and the reference agree on the
    /// canonical request and the signature; the URL is the origin, the
    /// reference's canonical path and query, and that signature.
    #[test]
    fn s3_presign_equals_the_reference(
        key in prop::option::weighted(0.9, object_key()),
        query in prop_oneof![
            2 => Just(Vec::new()),
            3 => prop::collection::vec((query_name(), text(0..8)), 1..6),
        ],
        headers in header_list(),
        token in session_tokens(),
        method in methods(),
        addressing in 0u8..3,
        region in regions(),
        akid in access_key_ids(),
        secret in secrets(),
        amz_date in amz_dates(),
        expires in 1u64..=604_800,
    ) {
        let bucket = bucket(addressing, region);
        let creds = credentials(&akid, &secret, token.as_deref(), false);
        let time = SigningTime::parse_amz_date(amz_date).unwrap();
        let expires_in = Duration::from_secs(expires);
        let mut request = match &key {
            Some(key) => bucket.object_request(method, key),
            None => bucket.bucket_request(method),
        };
        for (name, value) in &query {
            request = request.query(name, value.as_str());
        }
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        let canonical = match request.canonical_request(&creds, time, expires_in) {
            Ok(c) => c,
            Err(e) => {
                let names: Vec<String> = query.iter().map(|(n, _)| n.clone()).collect();
                return refused_reserved(&e, &headers, &names);
            }
        };
        let url = request.presign(&creds, time, expires_in).unwrap();

        // The reference takes the request as it goes on the wire: the
        // bucket's path (prefix, and the bucket when path-style), then the
        // key encoded once; the parameters encoded; `host` and the headers.
        let base_url = bucket.base_url();
        let (_, authority_and_path) = base_url.split_once("://").unwrap();
        let base_path = authority_and_path.strip_prefix(bucket.host()).unwrap();
        let path = match &key {
            Some(key) => format!("{base_path}/{}", reference::uri_encode(key.as_bytes(), true)),
            None if base_path.is_empty() => "/".to_owned(),
            None => base_path.to_owned(),
        };
        let encoded: Vec<String> = query
            .iter()
            .map(|(n, v)| {
                let n = reference::uri_encode(n.as_bytes(), false);
                format!("{n}={}", reference::uri_encode(v.as_bytes(), false))
            })
            .collect();
        let target = format!("{path}?{}", encoded.join("&"));
        let mut all_headers = vec![("host", bucket.host())];
        all_headers.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let signing = Signing {
            access_key_id: &akid,
            secret: &secret,
            token: token.as_deref(),
            // (S3 Express sessions sign for directory buckets only.)
            s3_session_token: false,
            amz_date,
            region,
            service: "s3",
            s3_mode: true,
        };
        let r = signing.presign(method.as_str(), &target, &all_headers, "UNSIGNED-PAYLOAD", expires);

        prop_assert_eq!(canonical.as_str(), r.canonical_request.as_str());
        prop_assert_eq!(url.signature().to_string(), r.signature.clone());
        prop_assert_eq!(x_amz_signature(url.query_pairs()), Some(r.signature.as_str()));
        let lines: Vec<&str> = r.canonical_request.split('\n').collect();
        let origin = &base_url[..base_url.len() - base_path.len()];
        let expected_url = format!(
            "{origin}{}?{}&X-Amz-Signature={}",
            lines[1], lines[2], r.signature
        );
        prop_assert_eq!(url.as_str(), expected_url.as_str());
    }
}

// ---------------------------------------------------------------------------
// Signer with SignableRequest: header signing and query signing
// ---------------------------------------------------------------------------

/// A path as sent on the wire: `/` and segments, dot segments, empty ones
/// and escapes among them (no `?`, `#` or control character, which a
/// request target cannot carry in its path).
fn wire_path() -> impl Strategy<Value = String> {
    prop::collection::vec(text(0..5), 1..6).prop_map(|segments| {
        let path = format!("/{}", segments.join("/"));
        path.replace(|c: char| c.is_ascii_control() || c == '#' || c == '?', "")
    })
}

/// A raw query as sent: `name=value` pieces (a name alone, empty pieces,
/// `+`, escapes in any case, raw Unicode), without `#` or controls.
fn raw_query() -> impl Strategy<Value = Option<String>> {
    let piece = prop_oneof![
        3 => (query_name(), text(0..6)).prop_map(|(n, v)| format!("{n}={v}")),
        1 => query_name(),
        1 => Just(String::new()),
    ];
    prop::option::weighted(
        0.7,
        prop::collection::vec(piece, 1..6).prop_map(|pieces| {
            pieces
                .join("&")
                .replace(|c: char| c.is_ascii_control() || c == '#', "")
        }),
    )
}

/// What the signature says about the body, and its hash as the canonical
/// request's last line.
fn payload() -> impl Strategy<Value = (u8, Vec<u8>)> {
    (0u8..3, prop::collection::vec(any::<u8>(), 0..64))
}

fn payload_of(kind: u8, bytes: &[u8]) -> (Payload<'_>, String) {
    match kind {
        0 => (Payload::Bytes(bytes), reference::sha256_hex(bytes)),
        1 => {
            let hash: [u8; 32] = core::array::from_fn(|i| bytes.get(i).copied().unwrap_or(i as u8));
            (Payload::Sha256(hash), reference::hex(&hash))
        }
        _ => (Payload::Unsigned, "UNSIGNED-PAYLOAD".to_owned()),
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// `Signer` (header signing and query signing, S3 and standard path
    /// modes, both session-token modes, with and without
    /// `x-amz-content-sha256`) and the reference agree on the canonical
    /// request, the string to sign and the signature.
    #[test]
    fn signer_equals_the_reference(
        path in wire_path(),
        query in raw_query(),
        headers in header_list(),
        token in session_tokens(),
        s3_session in any::<bool>(),
        token_after_signing in any::<bool>(),
        service in prop::sample::select(vec!["s3", "service", "execute-api"]),
        content_sha256 in any::<bool>(),
        (kind, body) in payload(),
        host in prop::sample::select(vec![
            "example.amazonaws.com",
            "examplebucket.s3.amazonaws.com",
            "localhost:9000",
            "[::1]:8080",
        ]),
        method in methods(),
        region in regions(),
        akid in access_key_ids(),
        secret in secrets(),
        amz_date in amz_dates(),
        expires in 1u64..=604_800,
    ) {
        let target = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let (payload, payload_hash) = payload_of(kind, &body);
        let mut req = SignableRequest::new(method, host, &target).payload(payload);
        for (name, value) in &headers {
            req = req.header(name, value);
        }
        let token_mode = if token_after_signing {
            SessionTokenMode::AddedAfterSigning
        } else {
            SessionTokenMode::Signed
        };
        let signer = Signer::new(Region::new(region).unwrap(), Service::new(service).unwrap())
            .session_token_mode(token_mode)
            .sign_content_sha256(content_sha256);
        let creds = credentials(&akid, &secret, token.as_deref(), s3_session);
        let time = SigningTime::parse_amz_date(amz_date).unwrap();
        let expires_in = Duration::from_secs(expires);

        let mut all_headers = vec![("host", host)];
        all_headers.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let signing = Signing {
            access_key_id: &akid,
            secret: &secret,
            token: token.as_deref().filter(|_| !token_after_signing),
            s3_session_token: s3_session,
            amz_date,
            region,
            service,
            s3_mode: service == "s3",
        };
        let m = method.as_str();

        // Header signing.
        let location = SignatureLocation::Headers;
        let canonical = match signer.canonical_request(&req, &creds, time, location) {
            Ok(c) => c,
            Err(e) => {
                let names: Vec<String> = query
                    .iter()
                    .flat_map(|q| q.split('&'))
                    .map(|p| p.split_once('=').map_or(p, |(n, _)| n))
                    .map(|n| String::from_utf8_lossy(&reference::percent_decode(n)).into_owned())
                    .collect();
                return refused_reserved(&e, &headers, &names);
            }
        };
        let r = signing.sign_headers(m, &target, &all_headers, &payload_hash, content_sha256);
        prop_assert_eq!(canonical.as_str(), r.canonical_request.as_str());
        let sts = signer.string_to_sign(&req, &creds, time, location).unwrap();
        prop_assert_eq!(sts.as_str(), r.string_to_sign.as_str());
        let signed = signer.sign_headers(&req, &creds, time).unwrap();
        prop_assert_eq!(signed.signature().to_string(), r.signature.clone());
        let tail = format!("Signature={}", r.signature);
        prop_assert!(signed.authorization().ends_with(&tail), "{}", signed.authorization());

        // Query signing.
        let location = SignatureLocation::Query { expires_in };
        let canonical = signer.canonical_request(&req, &creds, time, location).unwrap();
        let r = signing.presign(m, &target, &all_headers, &payload_hash, expires);
        prop_assert_eq!(canonical.as_str(), r.canonical_request.as_str());
        let sts = signer.string_to_sign(&req, &creds, time, location).unwrap();
        prop_assert_eq!(sts.as_str(), r.string_to_sign.as_str());
        let presigned = signer.presign(&req, &creds, time, expires_in).unwrap();
        prop_assert_eq!(presigned.signature().to_string(), r.signature.clone());
        prop_assert_eq!(x_amz_signature(presigned.query_pairs()), Some(r.signature.as_str()));
    }
}

/// The reference itself on the rules the vectors pin down one by one, so
/// that a mistake in it is found here and not only as a disagreement.
#[test]
fn reference_rules() {
    use reference::{canonical_query, canonical_uri, normalize_path, percent_decode, uri_encode};
    assert_eq!(
        uri_encode("a b+c/d~é".as_bytes(), false),
        "a%20b%2Bc%2Fd~%C3%A9"
    );
    assert_eq!(uri_encode(b"/a b/", true), "/a%20b/");
    assert_eq!(percent_decode("%41%2f%zz%4+%"), b"A/%zz%4+%");
    assert_eq!(normalize_path("/example/.."), "/");
    assert_eq!(normalize_path("//example//"), "/example/");
    assert_eq!(normalize_path("/a/b/.."), "/a/");
    assert_eq!(normalize_path("/a/."), "/a/");
    assert_eq!(normalize_path("/./example"), "/example");
    assert_eq!(canonical_uri("/a%3Ab/./c/", false), "/a%253Ab/c/");
    // Empty segments go before `..` applies (as botocore's normpath and
    // smithy-rs do): `..` takes back `a%3Ab`, not the empty segment.
    assert_eq!(canonical_uri("/a%3Ab//../c", false), "/c");
    assert_eq!(canonical_uri("/a%3Ab//../c", true), "/a%3Ab//../c");
    assert_eq!(canonical_uri("/test$file.text", true), "/test%24file.text");
    assert_eq!(
        canonical_query("b=2&a=&c&&a=1+1&%E1%88%B4=x"),
        "%E1%88%B4=x&a=&a=1%2B1&b=2&c="
    );
}
