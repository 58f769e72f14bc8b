//! Property tests of the verifier: whatever the crate signs verifies, and a
//! one-character change to the signature, a signed query parameter's value,
//! a signed header's value, the path, the method or the host never does,
//! unless the change leaves the request the same to a server (an oracle
//! written here, independently of the crate, decides that: `%2f` for
//! `%2F`, a tab for a space in a header, a dot segment for a slash on a
//! service that normalizes paths). Errors never show the secret, the
//! session token or the expected signature.
//!
//! Requests: S3 presigned through `Bucket` (virtual-hosted, path-style, a
//! custom endpoint with a port) and header-signed through a `Signer` for
//! `s3` (with `x-amz-content-sha256`); other services presigned and
//! header-signed through a `Signer` (their body hash signed). Keys, query
//! names and values and header values are arbitrary Unicode.
//!
//! A changed *character* is a changed byte for ASCII and one to four
//! changed bytes otherwise (the request pieces are `&str`).
//!
//! Failure persistence is off so that a failing run writes no files.

use std::time::Duration;

use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::sample::Index;

use presign::encode;
use presign::s3::{Addressing, Bucket, Endpoint};
use presign::verify::{ReceivedRequest, Verified, Verifier, VerifyError};

/// What a verified request says, owned (a [`Verified`] borrows the request).
#[derive(Debug, Clone)]
struct Summary {
    access_key_id: String,
    region: String,
    signed_headers: Vec<String>,
    signed_at: SigningTime,
    expires_at: Option<SigningTime>,
}

impl Summary {
    fn of(v: Verified<'_>) -> Self {
        Summary {
            access_key_id: v.access_key_id().to_owned(),
            region: v.region().to_owned(),
            signed_headers: v.signed_headers().iter().map(str::to_owned).collect(),
            signed_at: v.signed_at(),
            expires_at: v.expires_at(),
        }
    }
}
use presign::{
    Credentials, Method, PathMode, Payload, Region, Service, SignableRequest, Signer, SigningTime,
};

const ACCESS_KEY_ID: &str = "AKIDPROPTEST";
/// 2026-05-24T12:00:00Z.
const BASE_TIME: i64 = 1_779_624_000;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `Bucket` presign, virtual-hosted on AWS.
    S3Virtual,
    /// `Bucket` presign, path-style on AWS.
    S3Path,
    /// `Bucket` presign on `http://127.0.0.1:9000` (path-style, a port).
    S3Custom,
    /// `Signer` for `s3`, `Authorization` header and `x-amz-content-sha256`.
    S3Header,
    /// `Signer` for another service, presigned, body hash signed.
    OtherPresigned,
    /// `Signer` for another service, `Authorization` header.
    OtherHeader,
}

impl Kind {
    fn header_signed(self) -> bool {
        matches!(self, Kind::S3Header | Kind::OtherHeader)
    }
    fn s3(self) -> bool {
        !matches!(self, Kind::OtherPresigned | Kind::OtherHeader)
    }
}

#[derive(Debug, Clone)]
struct Spec {
    kind: Kind,
    method: Method<'static>,
    region: &'static str,
    service: &'static str,
    /// The S3 key; for other services, the path's segments.
    key: String,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    secret: String,
    token: Option<String>,
    signed_at: i64,
    expires: u64,
}

impl Spec {
    fn credentials(&self) -> Credentials {
        let c = Credentials::new(ACCESS_KEY_ID, self.secret.as_str()).expect("credentials");
        match &self.token {
            Some(t) => c.with_session_token(t.as_str()).expect("token"),
            None => c,
        }
    }

    fn time(&self) -> SigningTime {
        SigningTime::from_unix_timestamp(self.signed_at).expect("time")
    }

    fn path_mode(&self) -> PathMode {
        if self.kind.s3() {
            PathMode::S3
        } else {
            PathMode::Standard
        }
    }

    fn verifier(&self) -> Verifier<impl Fn(&str) -> Option<Credentials> + use<>> {
        let known = self.credentials();
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .service(Service::new(self.service).expect("service"))
            .accept_region(Region::new(self.region).expect("region"))
    }

    /// The request target a client sends for a `Signer` request: the path
    /// (S3: `/` and the key encoded once; others: each segment encoded once)
    /// and the query encoded.
    fn wire_target(&self) -> String {
        let mut t = if self.kind.s3() {
            format!("/{}", encode::path(&self.key))
        } else {
            let segments: Vec<String> = self.segments.iter().map(|s| encode::path(s)).collect();
            format!("/{}", segments.join("/"))
        };
        for (i, (n, v)) in self.query.iter().enumerate() {
            t.push(if i == 0 { '?' } else { '&' });
            t.push_str(&encode::query_component(n));
            t.push('=');
            t.push_str(&encode::query_component(v));
        }
        t
    }

    /// Signs the request as the crate's users would, and returns what the
    /// client sends.
    fn sign(&self) -> Sent {
        let creds = self.credentials();
        let time = self.time();
        let expires = Duration::from_secs(self.expires);
        let region = Region::new(self.region).expect("region");
        let extra: Vec<(String, String)> = self.headers.clone();
        match self.kind {
            Kind::S3Virtual | Kind::S3Path | Kind::S3Custom => {
                let mut bucket = Bucket::new("examplebucket", region).expect("bucket");
                bucket = match self.kind {
                    Kind::S3Virtual => bucket.addressing(Addressing::VirtualHosted),
                    Kind::S3Path => bucket.addressing(Addressing::Path),
                    _ => bucket.endpoint(Endpoint::custom("http://127.0.0.1:9000").expect("url")),
                }
                .expect("bucket");
                let mut req = bucket.object_request(self.method, &self.key);
                for (n, v) in &self.query {
                    req = req.query(n, v.as_str());
                }
                for (n, v) in &self.headers {
                    req = req.header(n, v);
                }
                let url = req.presign(&creds, time, expires).expect("presign");
                let rest = url.as_str().split_once("://").expect("scheme").1;
                let slash = rest.find('/').expect("a path");
                Sent::new(
                    self,
                    &rest[..slash],
                    rest[slash..].to_owned(),
                    extra,
                    None,
                    url.signature().to_string(),
                )
            }
            Kind::OtherPresigned => {
                let host = format!("{}.{}.amazonaws.com", self.service, self.region);
                let target = self.wire_target();
                let signer = Signer::new(region, Service::new(self.service).expect("service"));
                let mut req = SignableRequest::new(self.method, &host, &target)
                    .payload(Payload::Bytes(&self.body));
                for (n, v) in &self.headers {
                    req = req.header(n, v);
                }
                let p = signer
                    .presign(&req, &creds, time, expires)
                    .expect("presign");
                Sent::new(
                    self,
                    &host,
                    p.uri().to_owned(),
                    extra,
                    Some(self.body.clone()),
                    p.signature().to_string(),
                )
            }
            Kind::S3Header | Kind::OtherHeader => {
                let s3 = self.kind == Kind::S3Header;
                let host = if s3 {
                    format!("examplebucket.s3.{}.amazonaws.com", self.region)
                } else {
                    format!("{}.{}.amazonaws.com", self.service, self.region)
                };
                let target = self.wire_target();
                let signer = Signer::new(region, Service::new(self.service).expect("service"))
                    .sign_content_sha256(s3);
                let mut req = SignableRequest::new(self.method, &host, &target)
                    .payload(Payload::Bytes(&self.body));
                for (n, v) in &self.headers {
                    req = req.header(n, v);
                }
                let signed = signer.sign_headers(&req, &creds, time).expect("sign");
                let mut headers = extra;
                for (n, v) in signed.iter() {
                    headers.push((n.to_owned(), v.to_owned()));
                }
                // With x-amz-content-sha256 the hash travels in the header;
                // otherwise the server hashes the body it received.
                let body = (!s3).then(|| self.body.clone());
                Sent::new(
                    self,
                    &host,
                    target,
                    headers,
                    body,
                    signed.signature().to_string(),
                )
            }
        }
    }
}

/// A request as the client sends it.
#[derive(Debug, Clone)]
struct Sent {
    header_signed: bool,
    path_mode: PathMode,
    method: String,
    target: String,
    /// `host` first, then the caller's headers, then the signer's.
    headers: Vec<(String, String)>,
    /// The body, when the verifier must hash it.
    body: Option<Vec<u8>>,
    /// The correct signature.
    signature: String,
    /// The names of the signed headers (lowercase).
    signed: Vec<String>,
}

impl Sent {
    fn new(
        spec: &Spec,
        host: &str,
        target: String,
        extra: Vec<(String, String)>,
        body: Option<Vec<u8>>,
        signature: String,
    ) -> Sent {
        let mut headers = vec![("host".to_owned(), host.to_owned())];
        headers.extend(extra);
        let mut signed: Vec<String> = spec
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .chain(["host".to_owned()])
            .collect();
        if spec.kind.header_signed() {
            signed.push("x-amz-date".to_owned());
            if spec.token.is_some() {
                signed.push("x-amz-security-token".to_owned());
            }
            if spec.kind == Kind::S3Header {
                signed.push("x-amz-content-sha256".to_owned());
            }
        }
        signed.sort();
        signed.dedup();
        Sent {
            header_signed: spec.kind.header_signed(),
            path_mode: spec.path_mode(),
            method: spec.method.as_str().to_owned(),
            target,
            headers,
            body,
            signature,
            signed,
        }
    }

    fn verify<L: Fn(&str) -> Option<Credentials>>(
        &self,
        verifier: &Verifier<L>,
        now: SigningTime,
    ) -> Result<Summary, VerifyError> {
        let mut req = ReceivedRequest::new(&self.method, &self.target);
        for (n, v) in &self.headers {
            req = req.header(n, v);
        }
        if let Some(body) = &self.body {
            req = req.payload(Payload::Bytes(body));
        }
        if self.header_signed {
            verifier.verify_authorization(&req, now).map(Summary::of)
        } else {
            verifier.verify_presigned(&req, now).map(Summary::of)
        }
    }
}

// ---------------------------------------------------------------------------
// The oracle: when two requests are the same to a server
// ---------------------------------------------------------------------------

/// The request target as a server understands it: the path (S3: decoded;
/// other services: dot segments and empty segments removed, not decoded)
/// and the query as a sorted list of decoded pairs without the signature.
/// `None` when no server could accept it (a control character or `#`, a
/// path not starting with `/`).
type TargetKey = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>);

fn target_key(target: &str, mode: PathMode) -> Option<TargetKey> {
    if target.bytes().any(|b| b.is_ascii_control() || b == b'#') {
        return None;
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if !path.starts_with('/') {
        return None;
    }
    let path = match mode {
        PathMode::S3 => percent_decode_str(path).collect(),
        _ => normalize(path).into_bytes(),
    };
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode_str(n).collect(),
                percent_decode_str(v).collect(),
            )
        })
        .filter(|(n, _)| n != b"X-Amz-Signature")
        .collect();
    pairs.sort();
    Some((path, pairs))
}

/// RFC 3986 dot-segment removal, with empty segments dropped too; a path
/// ending in `/`, `/.` or `/..` keeps a trailing slash.
fn normalize(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut kept: Vec<&str> = Vec::new();
    for s in &segments {
        match *s {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            s => kept.push(s),
        }
    }
    let trailing = matches!(segments.last(), Some(&("" | "." | "..")));
    let mut out = String::new();
    for s in kept {
        out.push('/');
        out.push_str(s);
    }
    if out.is_empty() || trailing {
        out.push('/');
    }
    out
}

/// A header value as signed: trimmed, runs of space, tab, CR and LF
/// collapsed to one space; `None` with any other control character.
fn header_key(value: &str) -> Option<String> {
    if value
        .chars()
        .any(|c| c.is_ascii_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return None;
    }
    Some(
        value
            .split([' ', '\t', '\r', '\n'])
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Part {
    Signature,
    QueryValue,
    HeaderValue,
    Path,
    Method,
    Host,
}

/// What a mutation did, for the oracle.
enum Outcome {
    /// Nothing to mutate (no such part, or an empty one).
    Skipped,
    /// A change the verifier must reject.
    MustFail(Sent),
    /// A change that may verify only if the request is the same to a server.
    MayPass { sent: Sent, same: bool },
}

/// Replaces the character at `index` (modulo the length) of `text[range]`
/// with `with`; `None` if that range is empty or `with` is the same.
fn replace_char(
    text: &str,
    range: std::ops::Range<usize>,
    index: Index,
    with: char,
) -> Option<(String, char)> {
    let piece = &text[range.clone()];
    let chars: Vec<(usize, char)> = piece.char_indices().collect();
    if chars.is_empty() {
        return None;
    }
    let (at, old) = chars[index.index(chars.len())];
    if old == with {
        return None;
    }
    let start = range.start + at;
    let mut out = String::with_capacity(text.len() + 4);
    out.push_str(&text[..start]);
    out.push(with);
    out.push_str(&text[start + old.len_utf8()..]);
    Some((out, old))
}

fn mutate(sent: &Sent, part: Part, which: Index, at: Index, with: char) -> Outcome {
    let mut m = sent.clone();
    match part {
        Part::Signature => {
            let (text, range) = if sent.header_signed {
                let i = m
                    .headers
                    .iter()
                    .position(|(n, _)| n == "authorization")
                    .expect("authorization");
                let v = &m.headers[i].1;
                let start = v.find("Signature=").expect("Signature=") + "Signature=".len();
                (v.clone(), start..v.len())
            } else {
                let start = m.target.find("X-Amz-Signature=").expect("X-Amz-Signature")
                    + "X-Amz-Signature=".len();
                (m.target.clone(), start..m.target.len())
            };
            let Some((changed, old)) = replace_char(&text, range, at, with) else {
                return Outcome::Skipped;
            };
            if old.eq_ignore_ascii_case(&with) {
                // The same hex digit in upper case: the verifier compares
                // signatures case-insensitively (accepted; see the report).
                return Outcome::Skipped;
            }
            if sent.header_signed {
                let i = m
                    .headers
                    .iter()
                    .position(|(n, _)| n == "authorization")
                    .expect("auth");
                m.headers[i].1 = changed;
            } else {
                m.target = changed;
            }
            Outcome::MustFail(m)
        }
        Part::QueryValue => {
            let Some(q) = m.target.find('?') else {
                return Outcome::Skipped;
            };
            // The value ranges of the query's parameters but the signature.
            let mut values = Vec::new();
            let mut offset = q + 1;
            for piece in m.target[q + 1..].split('&') {
                if let Some(eq) = piece.find('=') {
                    let name = &piece[..eq];
                    if name != "X-Amz-Signature" && eq + 1 < piece.len() {
                        values.push(offset + eq + 1..offset + piece.len());
                    }
                }
                offset += piece.len() + 1;
            }
            if values.is_empty() {
                return Outcome::Skipped;
            }
            let range = values[which.index(values.len())].clone();
            let Some((changed, _)) = replace_char(&m.target, range, at, with) else {
                return Outcome::Skipped;
            };
            m.target = changed;
            may_pass_target(sent, m)
        }
        Part::Path => {
            let end = m.target.find('?').unwrap_or(m.target.len());
            let Some((changed, _)) = replace_char(&m.target, 0..end, at, with) else {
                return Outcome::Skipped;
            };
            m.target = changed;
            may_pass_target(sent, m)
        }
        Part::Method => {
            let len = m.method.len();
            let Some((changed, _)) = replace_char(&m.method, 0..len, at, with) else {
                return Outcome::Skipped;
            };
            m.method = changed;
            Outcome::MustFail(m)
        }
        Part::HeaderValue | Part::Host => {
            // Signed headers other than host, or host itself.
            let candidates: Vec<usize> = m
                .headers
                .iter()
                .enumerate()
                .filter(|(_, (n, v))| {
                    let n = n.to_ascii_lowercase();
                    let is_host = n == "host";
                    !v.is_empty()
                        && sent.signed.contains(&n)
                        && (is_host == matches!(part, Part::Host))
                })
                .map(|(i, _)| i)
                .collect();
            if candidates.is_empty() {
                return Outcome::Skipped;
            }
            let i = candidates[which.index(candidates.len())];
            let old = m.headers[i].1.clone();
            let Some((changed, _)) = replace_char(&old, 0..old.len(), at, with) else {
                return Outcome::Skipped;
            };
            m.headers[i].1 = changed.clone();
            let same = match (header_key(&old), header_key(&changed)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            };
            Outcome::MayPass { sent: m, same }
        }
    }
}

fn may_pass_target(original: &Sent, m: Sent) -> Outcome {
    let same = match (
        target_key(&original.target, original.path_mode),
        target_key(&m.target, m.path_mode),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    Outcome::MayPass { sent: m, same }
}

/// Checks that an error shows none of the secrets.
fn check_hygiene(e: &VerifyError, spec: &Spec, signature: &str) -> Result<(), TestCaseError> {
    for text in [e.to_string(), format!("{e:?}")] {
        prop_assert!(!text.contains(&spec.secret), "the secret in {text:?}");
        if let Some(t) = &spec.token {
            prop_assert!(!text.contains(t.as_str()), "the token in {text:?}");
            prop_assert!(
                !text.contains(&encode::query_component(t)),
                "the encoded token in {text:?}"
            );
        }
        prop_assert!(!text.contains(signature), "the signature in {text:?}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(vec![
        Kind::S3Virtual,
        Kind::S3Path,
        Kind::S3Custom,
        Kind::S3Header,
        Kind::OtherPresigned,
        Kind::OtherHeader,
    ])
}

/// Text that makes encoders and parsers work: any Unicode, or a mix of the
/// characters with meaning in URLs.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..max).prop_map(|v| v.into_iter().collect()),
        prop::collection::vec(
            prop::sample::select(vec![
                'a', 'Z', '0', '~', '-', '.', '_', '/', '%', '?', '#', '&', '=', '+', ' ', ';',
                ',', ':', '@', '$', '!', '*', '\'', '(', ')', '[', ']', 'é', 'ሴ', '😀', '\u{0}',
                '\n',
            ]),
            0..max
        )
        .prop_map(|v| v.into_iter().collect()),
    ]
}

/// A header value the signer accepts: no control character but tab.
fn header_value() -> impl Strategy<Value = String> {
    text(16).prop_map(|s| {
        s.chars()
            .map(|c| if c.is_control() && c != '\t' { 'x' } else { c })
            .collect()
    })
}

const RESERVED_HEADERS: [&str; 5] = [
    "host",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Content-Type".to_owned()),
        Just("x-amz-meta-a".to_owned()),
        Just("X-Amz-Meta-A".to_owned()),
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}",
    ]
    .prop_filter("not a header the signer writes", |n| {
        !RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(n))
    })
}

fn query_pair() -> impl Strategy<Value = (String, String)> {
    (text(10), text(12)).prop_filter("a name the signer does not write", |(n, _)| {
        !n.is_empty() && !n.to_ascii_lowercase().starts_with("x-amz-")
    })
}

/// The character a mutation writes.
fn replacement() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            'a', 'f', 'A', 'F', '0', '9', 'z', '%', '/', '.', '?', '#', '&', '=', '+', ' ',
            '\t', '\n', '\u{0}', '~', ';', ',', 'é', '😀',
        ]),
        1 => any::<char>(),
    ]
}

fn part() -> impl Strategy<Value = Part> {
    prop::sample::select(vec![
        Part::Signature,
        Part::QueryValue,
        Part::HeaderValue,
        Part::Path,
        Part::Method,
        Part::Host,
    ])
}

prop_compose! {
    fn spec()(
        kind in kind(),
        method in prop::sample::select(vec![
            Method::GET, Method::PUT, Method::HEAD, Method::DELETE, Method::POST, Method::PATCH,
        ]),
        region in prop::sample::select(vec!["us-east-1", "eu-west-1", "ap-southeast-2"]),
        service in prop::sample::select(vec!["execute-api", "sts", "lambda", "service"]),
        key in text(24).prop_filter("a key", |k| !k.is_empty()),
        segments in prop::collection::vec(
            prop_oneof![
                4 => text(8).prop_map(|s| s.replace('/', "_")),
                1 => prop::sample::select(vec![".", "..", ""]).prop_map(str::to_owned),
            ],
            0..4,
        ),
        query in prop::collection::vec(query_pair(), 0..4),
        headers in prop::collection::vec((header_name(), header_value()), 0..4),
        body in prop::collection::vec(any::<u8>(), 0..32),
        secret in "[ -~]{20,40}",
        token in prop::option::of("[A-Za-z0-9+/=]{20,60}"),
        signed_at in BASE_TIME..BASE_TIME + 400 * 86_400,
        expires in 1u64..=604_800,
    ) -> Spec {
        Spec {
            kind,
            method,
            region,
            service: if kind.s3() { "s3" } else { service },
            key,
            segments,
            query,
            headers,
            body,
            secret,
            token,
            signed_at,
            expires,
        }
    }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(384))]

    /// Signed then verified at any moment of its validity: Ok, and the
    /// result says who signed what.
    #[test]
    fn signed_requests_verify(spec in spec(), when in 0.0f64..=1.0) {
        let sent = spec.sign();
        let verifier = spec.verifier();
        let (offset, expires_at) = if spec.kind.header_signed() {
            ((when * 1800.0) as i64 - 900, None)
        } else {
            let e = spec.expires as i64;
            ((when * e as f64) as i64, Some(spec.signed_at + e))
        };
        let now = SigningTime::from_unix_timestamp(spec.signed_at + offset).expect("time");
        let v = sent.verify(&verifier, now);
        prop_assert!(v.is_ok(), "{:?} for {:?}", v, sent);
        let v = v.expect("checked");
        prop_assert_eq!(&v.access_key_id, ACCESS_KEY_ID);
        prop_assert_eq!(&v.region, spec.region);
        prop_assert_eq!(&v.signed_headers, &sent.signed);
        prop_assert_eq!(v.signed_at, spec.time());
        prop_assert_eq!(
            v.expires_at.map(|t| t.unix_timestamp()),
            expires_at
        );
    }

    /// One character changed: never Ok, unless the oracle says the request
    /// is the same to a server; no error shows a secret.
    #[test]
    fn one_changed_character_fails(
        spec in spec(),
        part in part(),
        which in any::<Index>(),
        at in any::<Index>(),
        with in replacement(),
    ) {
        let sent = spec.sign();
        let verifier = spec.verifier();
        let now = spec.time();
        prop_assert!(sent.verify(&verifier, now).is_ok());
        match mutate(&sent, part, which, at, with) {
            Outcome::Skipped => {}
            Outcome::MustFail(m) => {
                let r = m.verify(&verifier, now);
                prop_assert!(r.is_err(), "{:?} verified: {:?}", part, m);
                check_hygiene(&r.expect_err("checked"), &spec, &sent.signature)?;
            }
            Outcome::MayPass { sent: m, same } => match m.verify(&verifier, now) {
                Ok(_) => prop_assert!(same, "{:?} changed yet verified: {:?}", part, m),
                Err(e) => {
                    prop_assert!(!same, "{:?}: an equivalent request failed with {:?}: {:?}", part, e, m);
                    check_hygiene(&e, &spec, &sent.signature)?;
                }
            },
        }
    }

    /// Every part, every position: each hex digit of the signature replaced
    /// by every other lowercase hex digit fails (a cheap exhaustive check
    /// of the comparison), and so does a signature one digit shorter or
    /// longer.
    #[test]
    fn every_signature_digit_matters(spec in spec(), at in any::<Index>()) {
        let sent = spec.sign();
        let verifier = spec.verifier();
        let now = spec.time();
        let i = at.index(64);
        for d in "0123456789abcdef".chars() {
            let Outcome::MustFail(m) = mutate_signature_at(&sent, i, d) else { continue };
            prop_assert!(matches!(m.verify(&verifier, now), Err(VerifyError::SignatureMismatch)));
        }
        for m in [resize_signature(&sent, false), resize_signature(&sent, true)] {
            let r = m.verify(&verifier, now);
            prop_assert!(r.is_err(), "{:?}", m);
        }
    }

    /// The wrong secret, an unknown key, the wrong or a missing token: each
    /// fails, naming no secret.
    #[test]
    fn wrong_credentials_fail_without_leaking(spec in spec()) {
        let sent = spec.sign();
        let now = spec.time();
        let mut other_secret = spec.clone();
        other_secret.secret.push('x');
        let r = sent.verify(&other_secret.verifier(), now);
        prop_assert_eq!(r.clone().map(|_| ()), Err(VerifyError::SignatureMismatch));
        check_hygiene(&r.expect_err("checked"), &spec, &sent.signature)?;

        let nobody = Verifier::new(|_: &str| None)
            .service(Service::new(spec.service).expect("service"));
        let r = sent.verify(&nobody, now);
        let is_unknown = matches!(r, Err(VerifyError::UnknownAccessKey { .. }));
        prop_assert!(is_unknown, "{:?}", r);

        let mut token_changed = spec.clone();
        token_changed.token = match &spec.token {
            Some(t) => Some(format!("{t}A")),
            None => Some("AQoDYXdzEXAMPLEtoken".to_owned()),
        };
        let r = sent.verify(&token_changed.verifier(), now);
        let expected = if spec.token.is_some() {
            VerifyError::SecurityTokenMismatch
        } else {
            VerifyError::MissingSecurityToken
        };
        prop_assert_eq!(r.clone().map(|_| ()), Err(expected));
        check_hygiene(&r.expect_err("checked"), &spec, &sent.signature)?;
    }
}

fn mutate_signature_at(sent: &Sent, i: usize, d: char) -> Outcome {
    let digits: Vec<char> = sent.signature.chars().collect();
    if digits[i] == d {
        return Outcome::Skipped;
    }
    let mut changed = digits;
    changed[i] = d;
    replace_signature(sent, &changed.into_iter().collect::<String>())
}

fn resize_signature(sent: &Sent, longer: bool) -> Sent {
    let s = if longer {
        format!("{}0", sent.signature)
    } else {
        sent.signature[..63].to_owned()
    };
    match replace_signature(sent, &s) {
        Outcome::MustFail(m) => m,
        _ => unreachable!(),
    }
}

fn replace_signature(sent: &Sent, with: &str) -> Outcome {
    let mut m = sent.clone();
    if sent.header_signed {
        for (n, v) in &mut m.headers {
            if n == "authorization" {
                *v = v.replace(&sent.signature, with);
            }
        }
    } else {
        m.target = m.target.replace(
            &format!("X-Amz-Signature={}", sent.signature),
            &format!("X-Amz-Signature={with}"),
        );
    }
    Outcome::MustFail(m)
}

/// The oracle itself, on known cases.
#[test]
fn oracle_knows_equivalent_requests() {
    assert_eq!(normalize("/a/./b/../c//d/"), "/a/c/d/");
    assert_eq!(normalize("/a/."), "/a/");
    assert_eq!(normalize("/.."), "/");
    assert_eq!(normalize("/"), "/");
    assert_eq!(normalize("//a"), "/a");
    let key = |t: &str, m| target_key(t, m);
    assert_eq!(
        key("/a%2fb?x=%3b", PathMode::S3),
        key("/a%2Fb?x=%3B", PathMode::S3)
    );
    assert_eq!(key("/a%2Fb", PathMode::S3), key("/a/b", PathMode::S3));
    assert_ne!(
        key("/a%2fb", PathMode::Standard),
        key("/a%2Fb", PathMode::Standard)
    );
    assert_eq!(
        key("/a/./b", PathMode::Standard),
        key("/a///b", PathMode::Standard)
    );
    assert_eq!(
        key("/a/.", PathMode::Standard),
        key("/a/?", PathMode::Standard)
    );
    assert_eq!(key("/a#", PathMode::S3), None);
    assert_eq!(header_key(" a \t b\n"), Some("a b".to_owned()));
    assert_eq!(header_key("a\u{1}"), None);
}
