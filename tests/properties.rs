//! Property tests for the public API: encoding, header canonicalization, the
//! signing-key cache, signing robustness and determinism, secret hygiene of
//! errors and `Debug` output, query-order independence and time round trips.
//!
//! Failure persistence is off so that a failing run writes no files; proptest
//! prints the shrunk input instead.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use proptest::sample::Index;
use sha2::Sha256;

use presign::canonical::header_value;
use presign::encode;
use presign::{
    Credentials, Error, KeyDerivation, Method, Region, Scope, ScopeDate, Service, SessionTokenMode,
    SignableRequest, SignatureLocation, Signer, SigningKey, SigningKeyCache, SigningTime,
};

// ---------------------------------------------------------------------------
// Helpers and strategies
// ---------------------------------------------------------------------------

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const UNRESERVED: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fn is_upper_hex(c: char) -> bool {
    c.is_ascii_digit() || ('A'..='F').contains(&c)
}

/// Checks that `s` is made of unreserved characters (and `/` if
/// `slash_allowed`) and `%XY` escapes with uppercase hex digits.
fn check_encoded(s: &str, slash_allowed: bool) -> Result<(), String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '%' {
            let ok =
                i + 2 < chars.len() && is_upper_hex(chars[i + 1]) && is_upper_hex(chars[i + 2]);
            if !ok {
                return Err(format!(
                    "'%' at {i} not followed by two uppercase hex digits"
                ));
            }
            i += 3;
            continue;
        }
        if c == '+' {
            return Err(format!("'+' at {i}"));
        }
        if !(is_unreserved(c) || (slash_allowed && c == '/')) {
            return Err(format!("{c:?} at {i} is not allowed"));
        }
        i += 1;
    }
    Ok(())
}

/// The characters that make encoders, query parsers and header
/// canonicalization work hard.
fn messy_char() -> impl Strategy<Value = char> {
    prop_oneof![
        5 => prop::sample::select(vec![
            '%', '&', '=', '/', '.', '?', '#', '+', ' ', '\t', '\r', '\n', '~', ';', ',', ':', '\\',
        ]),
        3 => prop::sample::select(UNRESERVED.chars().collect::<Vec<_>>()),
        2 => prop::char::range('\0', '\x7f'),
        1 => prop::sample::select(vec![
            '\u{80}', '\u{85}', '\u{a0}', 'é', 'ሴ', '\u{2028}', '\u{3000}', '\u{feff}', '\u{fffd}',
            '😀',
        ]),
        1 => any::<char>(),
    ]
}

/// Fragments that look like (broken) percent escapes, dot segments and
/// query separators.
fn messy_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => messy_char().prop_map(String::from),
        1 => prop::sample::select(vec![
            "%2F", "%2f", "%20", "%25", "%zz", "%", "%4", "%E1%88%B4", "%FF", "%C3", "%00", "%0A",
            "..", "/./", "/../", "//", "&&", "==", "a=b", "+", "%2B",
        ])
        .prop_map(String::from),
    ]
}

fn messy(max_fragments: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(messy_fragment(), 0..max_fragments).prop_map(|v| v.concat())
}

/// Either an arbitrary Unicode string or a messy one.
fn wild(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter),
        any::<String>(),
        messy(max),
    ]
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[A-Za-z0-9-]{1,12}",
        2 => "[!#$%&'*+.^_`|~A-Za-z0-9-]{1,8}",
        1 => prop::sample::select(vec![
            "host",
            "Authorization",
            "X-Amz-Date",
            "x-amz-security-token",
            "X-AMZ-CONTENT-SHA256",
            "x-amz-meta-a",
            "Content-Type",
        ])
        .prop_map(String::from),
        1 => wild(12),
    ]
}

fn method_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["GET", "PUT", "POST", "HEAD", "DELETE", "PROPFIND", "get"])
            .prop_map(String::from),
        2 => "[!#$%&'*+.^_`|~A-Za-z0-9-]{1,10}",
        1 => wild(10),
    ]
}

fn host_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "example.amazonaws.com",
            "examplebucket.s3.amazonaws.com",
            "localhost:9000",
            "[::1]:8080",
            "bücher.example",
        ])
        .prop_map(String::from),
        1 => wild(20),
    ]
}

/// Removes what signing rejects in a path or query: ASCII control
/// characters and `#`.
fn without_controls(s: String) -> String {
    s.replace(|c: char| c.is_ascii_control() || c == '#', "")
}

/// A request target: mostly `/` + messy path, optionally `?` + messy query
/// (most without the control characters signing rejects), sometimes
/// anything at all.
fn target_text() -> impl Strategy<Value = String> {
    let path_and_query = |clean: bool| {
        (messy(16), prop::option::of(messy(16))).prop_map(move |(p, q)| {
            let (p, q) = if clean {
                (without_controls(p), q.map(without_controls))
            } else {
                (p, q)
            };
            match q {
                Some(q) => format!("/{p}?{q}"),
                None => format!("/{p}"),
            }
        })
    };
    prop_oneof![
        6 => path_and_query(true),
        1 => path_and_query(false),
        1 => wild(30),
    ]
}

/// A header value: mostly without forbidden control characters (tab, CR
/// and LF stay), sometimes anything.
fn header_value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => wild(30).prop_map(|v| v.replace(is_forbidden_control, "")),
        1 => wild(30),
    ]
}

fn region() -> Region {
    Region::new("us-east-1").unwrap()
}

fn time() -> SigningTime {
    SigningTime::parse_amz_date("20150830T123600Z").unwrap()
}

fn signer(s3: bool) -> Signer {
    let service = if s3 {
        Service::s3()
    } else {
        Service::new("service").unwrap()
    };
    Signer::new(region(), service)
}

/// The same signer with a cache of its own, for comparing against.
fn signer_fresh(s3: bool) -> Signer {
    signer(s3).cache_capacity(1)
}

fn is_lower_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn mac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().into()
}

/// What a key signs, to tell keys apart without reading their bytes (a
/// `SigningKey` does not show them): equal MACs of this under two keys mean
/// equal keys.
const PROBE: &[u8] = b"AWS4-HMAC-SHA256\nprobe";

/// The signing key by the SigV4 definition, computed with the `hmac` crate.
fn reference_signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = mac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = mac(&k_date, region.as_bytes());
    let k_service = mac(&k_region, service.as_bytes());
    mac(&k_service, b"aws4_request")
}

/// A valid `YYYYMMDD` date from 1970-01-01 to 2100-12-31.
fn scope_date_text() -> impl Strategy<Value = String> {
    let first = time::Date::from_calendar_date(1970, time::Month::January, 1).unwrap();
    let last = time::Date::from_calendar_date(2100, time::Month::December, 31).unwrap();
    (first.to_julian_day()..=last.to_julian_day()).prop_map(|jd| {
        let d = time::Date::from_julian_day(jd).unwrap();
        format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day())
    })
}

/// The header names a request signs: the caller's (lowercased), `host`, and
/// `extra`, sorted and deduplicated, joined with `;`.
fn expected_signed_headers(names: &[String], extra: &[&str]) -> String {
    let mut set: BTreeSet<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    set.insert("host".to_owned());
    set.extend(extra.iter().map(|s| (*s).to_owned()));
    set.into_iter().collect::<Vec<_>>().join(";")
}

// ---------------------------------------------------------------------------
// 1-3. Encoding
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(1024))]

    /// 1. Output alphabet: unreserved bytes, `%XY` with uppercase hex, `/`
    /// only in paths; never `+`; `/` always encoded in query components.
    #[test]
    fn encoding_emits_only_the_sigv4_alphabet(s in wild(40)) {
        let q = encode::query_component(&s);
        if let Err(why) = check_encoded(&q, false) {
            prop_assert!(false, "query_component({:?}) = {:?}: {}", s, q, why);
        }
        prop_assert!(!q.contains('/'));
        prop_assert!(!q.contains('+'));
        let p = encode::path(&s);
        if let Err(why) = check_encoded(&p, true) {
            prop_assert!(false, "path({:?}) = {:?}: {}", s, p, why);
        }
        prop_assert!(!p.contains('+'));
        // `/` is kept in paths exactly where it was.
        prop_assert_eq!(p.matches('/').count(), s.matches('/').count());
        // Each input byte is either copied or becomes three output bytes.
        let escaped_q = s.bytes().filter(|&b| !is_unreserved(b as char)).count();
        prop_assert_eq!(q.len(), s.len() + 2 * escaped_q);
    }

    /// 2. Decoding inverts both encoders for any Unicode string.
    #[test]
    fn decoding_inverts_encoding(s in wild(40)) {
        prop_assert_eq!(encode::decode(&encode::query_component(&s)), Some(s.clone()));
        prop_assert_eq!(encode::decode(&encode::path(&s)), Some(s.clone()));
    }

    /// 3. Unreserved text is left alone (and `/` too, by `path`).
    #[test]
    fn unreserved_text_is_unchanged(
        s in prop::collection::vec(prop::sample::select(UNRESERVED.chars().collect::<Vec<_>>()), 0..60)
            .prop_map(String::from_iter),
        with_slashes in prop::collection::vec(
            prop::sample::select(format!("{UNRESERVED}/").chars().collect::<Vec<_>>()), 0..60)
            .prop_map(String::from_iter),
    ) {
        prop_assert_eq!(encode::query_component(&s), s.clone());
        prop_assert_eq!(encode::path(&s), s.clone());
        prop_assert_eq!(encode::path(&with_slashes), with_slashes.clone());
    }
}

// ---------------------------------------------------------------------------
// 4. Header value canonicalization
// ---------------------------------------------------------------------------

fn is_forbidden_control(c: char) -> bool {
    (c.is_ascii_control() && !matches!(c, '\t' | '\r' | '\n')) || c == '\x7f'
}

proptest! {
    #![proptest_config(config(1024))]

    /// 4. Canonical header values are a fixed point, trimmed, with single
    /// inner spaces and no tab/CR/LF; forbidden control characters give an
    /// error that does not show the value.
    #[test]
    fn header_values_canonicalize_idempotently(v in wild(40)) {
        let forbidden = v.chars().any(is_forbidden_control);
        match header_value("x-test", &v) {
            Ok(c) => {
                prop_assert!(!forbidden, "accepted {:?}", v);
                let again = header_value("x-test", &c);
                prop_assert_eq!(again.as_ref(), Ok(&c));
                prop_assert!(!c.starts_with(' ') && !c.ends_with(' '), "{:?} -> {:?}", v, c);
                prop_assert!(!c.contains("  "), "{:?} -> {:?}", v, c);
                prop_assert!(!c.contains(['\t', '\r', '\n']), "{:?} -> {:?}", v, c);
                // Model: split on HTTP whitespace, rejoin with one space.
                let model = v
                    .split([' ', '\t', '\r', '\n'])
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                prop_assert_eq!(c, model);
            }
            Err(e) => {
                prop_assert!(forbidden, "rejected {:?}: {}", v, e);
                prop_assert!(matches!(e, Error::InvalidHeaderValue { .. }), "{:?}", e);
                let escaped = format!("{v:?}");
                let escaped = &escaped[1..escaped.len() - 1];
                for shown in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
                    prop_assert!(!shown.contains(&v), "{:?} shows the value", shown);
                    prop_assert!(!shown.contains(escaped), "{:?} shows the value", shown);
                }
            }
        }
    }

    /// 4 (continued). A credential-like value next to a control character
    /// never shows up in the error.
    #[test]
    fn rejected_header_values_are_not_shown(
        secret in "[A-Za-z0-9/+]{16,40}",
        before in messy(4),
        after in messy(4),
        ctrl in prop::sample::select(vec!['\0', '\x01', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f']),
    ) {
        let v = format!("{before}{secret}{ctrl}{after}");
        let e = header_value("x-api-key", &v).unwrap_err();
        for shown in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
            prop_assert!(!shown.contains(&secret), "{:?} shows the value", shown);
        }
    }
}

// ---------------------------------------------------------------------------
// 5. Signing-key cache
// ---------------------------------------------------------------------------

/// A secret access key: 1 to 99 arbitrary Unicode scalar values.
fn secret_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 1..100).prop_map(String::from_iter)
}

/// A region or service name.
fn name_text() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,20}".prop_map(String::from)
}

proptest! {
    #![proptest_config(config(128))]

    /// 5. Every key the cache returns equals a freshly derived key and the
    /// SigV4 definition, through repeated gets and evictions. Lookups draw
    /// from small pools of secrets (all under one access key id), dates,
    /// regions and services, so entries that differ in one part only meet
    /// in the cache, and there are more of them than it holds.
    #[test]
    fn cached_keys_equal_fresh_keys(
        secrets in prop::collection::vec(secret_text(), 1..5),
        dates in prop::collection::vec(scope_date_text(), 1..4),
        regions in prop::collection::vec(name_text(), 1..4),
        services in prop::collection::vec(name_text(), 1..4),
        lookups in prop::collection::vec(any::<[Index; 4]>(), 1..64),
        capacity in 1usize..8,
    ) {
        let creds: Vec<Credentials> = secrets
            .iter()
            .map(|s| Credentials::new("AKIDEXAMPLE", s.clone()).unwrap())
            .collect();
        let scope_dates: Vec<ScopeDate> = dates.iter().map(|d| ScopeDate::parse(d).unwrap()).collect();
        let region_names: Vec<Region> = regions.iter().map(|r| Region::new(r.clone()).unwrap()).collect();
        let service_names: Vec<Service> = services.iter().map(|s| Service::new(s.clone()).unwrap()).collect();
        let cache = SigningKeyCache::new(capacity);
        let mut references = BTreeMap::new();
        // Every lookup, then every lookup again (most were evicted by then).
        for [a, b, c, d] in lookups.iter().chain(lookups.iter()) {
            let ix = (
                a.index(secrets.len()),
                b.index(dates.len()),
                c.index(regions.len()),
                d.index(services.len()),
            );
            let (i, j, k, l) = ix;
            let reference = *references.entry(ix).or_insert_with(|| {
                reference_signing_key(&secrets[i], &dates[j], &regions[k], &services[l])
            });
            let scope = Scope::new(scope_dates[j], &region_names[k], &service_names[l]);
            let what = (&secrets[i], &dates[j], &regions[k], &services[l]);
            let fresh = SigningKey::derive(creds[i].secret_access_key(), scope);
            let reference = mac(&reference, PROBE);
            prop_assert_eq!(*fresh.sign(PROBE).as_bytes(), reference, "derive disagrees with the HMAC chain for {:?}", what);
            let cached = cache.get(&creds[i], scope);
            prop_assert_eq!(*cached.sign(PROBE).as_bytes(), reference, "cache returned a wrong key for {:?}", what);
            let again = cache.get(&creds[i], scope);
            prop_assert_eq!(*again.sign(PROBE).as_bytes(), reference, "repeated get differs for {:?}", what);
            prop_assert!(cache.len() <= capacity);
        }
    }

    /// 5 (continued). Same access key id and scope, two secrets: each gets
    /// its own key, whatever the order and repetition.
    #[test]
    fn rotated_secret_never_gets_the_old_key(
        a_secret in secret_text(),
        b_secret in secret_text(),
        date in scope_date_text(),
        region in name_text(),
        service in name_text(),
        capacity in 1usize..4,
        pattern in prop::collection::vec(any::<bool>(), 1..12),
    ) {
        prop_assume!(a_secret != b_secret);
        let cache = SigningKeyCache::new(capacity);
        let (scope_date, region_name, service_name) = (
            ScopeDate::parse(&date).unwrap(),
            Region::new(region.clone()).unwrap(),
            Service::new(service.clone()).unwrap(),
        );
        let scope = Scope::new(scope_date, &region_name, &service_name);
        let ca = Credentials::new("AKIDEXAMPLE", a_secret.clone()).unwrap();
        let cb = Credentials::new("AKIDEXAMPLE", b_secret.clone()).unwrap();
        let ka = reference_signing_key(&a_secret, &date, &region, &service);
        let kb = reference_signing_key(&b_secret, &date, &region, &service);
        prop_assert_ne!(ka, kb);
        for use_b in pattern {
            let (creds, expected) = if use_b { (&cb, &kb) } else { (&ca, &ka) };
            let got = cache.get(creds, scope);
            prop_assert_eq!(*got.sign(PROBE).as_bytes(), mac(expected, PROBE));
        }
    }
}

// ---------------------------------------------------------------------------
// 6. Signing never panics, is deterministic, and writes well-formed output
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    /// 6. Arbitrary method, host, target, header names and values: both
    /// signing functions return `Ok` or `Err` (a panic fails the property),
    /// the signature is 64 lowercase hex digits, and signing again (with the
    /// same signer or a fresh one) gives the same result.
    #[test]
    fn signing_never_panics_and_is_deterministic(
        method in method_text(),
        host in host_text(),
        target in target_text(),
        headers in prop::collection::vec((header_name(), header_value_text()), 0..4),
        expires in prop_oneof![1u64..=604_800, 0u64..2_000_000],
        s3 in any::<bool>(),
        token in prop::option::of("[A-Za-z0-9/+=]{1,40}"),
    ) {
        let method = match Method::new(&method) {
            Ok(m) => m,
            Err(e) => {
                prop_assert!(matches!(e, Error::InvalidMethod { .. }), "{:?}", e);
                Method::GET
            }
        };
        let mut req = SignableRequest::new(method, &host, &target);
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        let mut creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        if let Some(t) = &token {
            creds = creds.with_session_token(t.clone()).unwrap();
        }
        let signer = signer(s3);
        let fresh = signer_fresh(s3);
        let expires = Duration::from_secs(expires);

        let h1 = signer.sign_headers(&req, &creds, time());
        let h2 = signer.sign_headers(&req, &creds, time());
        let h3 = fresh.sign_headers(&req, &creds, time());
        match (&h1, &h2, &h3) {
            (Ok(a), Ok(b), Ok(c)) => {
                let sig = a.signature().to_string();
                prop_assert!(is_lower_hex64(&sig), "{}", sig);
                let tail = format!("Signature={sig}");
                prop_assert!(a.authorization().ends_with(&tail), "{}", a.authorization());
                for other in [b, c] {
                    prop_assert_eq!(a.authorization(), other.authorization());
                    prop_assert_eq!(a.signature(), other.signature());
                    prop_assert_eq!(a.iter().collect::<Vec<_>>(), other.iter().collect::<Vec<_>>());
                }
            }
            (Err(a), Err(b), Err(c)) => {
                prop_assert_eq!(a, b);
                prop_assert_eq!(a, c);
            }
            _ => prop_assert!(false, "nondeterministic: {:?} / {:?} / {:?}", h1, h2, h3),
        }

        let p1 = signer.presign(&req, &creds, time(), expires);
        let p2 = signer.presign(&req, &creds, time(), expires);
        let p3 = fresh.presign(&req, &creds, time(), expires);
        match (&p1, &p2, &p3) {
            (Ok(a), Ok(b), Ok(c)) => {
                let sig = a.signature().to_string();
                prop_assert!(is_lower_hex64(&sig), "{}", sig);
                let tail = format!("X-Amz-Signature={sig}");
                prop_assert!(a.uri().ends_with(&tail), "{}", a.uri());
                prop_assert_eq!(format!("{}?{}", a.path(), a.query()), a.uri());
                for other in [b, c] {
                    prop_assert_eq!(a.uri(), other.uri());
                    prop_assert_eq!(a.signature(), other.signature());
                    prop_assert_eq!(a.expires_in(), other.expires_in());
                }
            }
            (Err(a), Err(b), Err(c)) => {
                prop_assert_eq!(a, b);
                prop_assert_eq!(a, c);
            }
            _ => prop_assert!(false, "nondeterministic: {:?} / {:?} / {:?}", p1, p2, p3),
        }
    }

    /// 6 (continued). For valid requests, what goes on the wire is what was
    /// signed: every presigned query name and value is SigV4-encoded (so a
    /// server canonicalizes it to the same text), `X-Amz-SignedHeaders`
    /// decodes to the signed header names, the query (minus the signature) is
    /// the canonical query string, and the `Authorization` header names the
    /// same headers.
    #[test]
    fn signed_output_is_well_formed(
        target in (messy(12), prop::option::of(messy(12))).prop_map(|(p, q)| {
            let p = without_controls(p).replace('?', "");
            match q {
                Some(q) => format!("/{p}?{}", without_controls(q)),
                None => format!("/{p}"),
            }
        }),
        headers in prop::collection::vec(
            ("[!#$%&'*+.^_`|~A-Za-z0-9-]{1,8}", "[ -~]{0,20}"), 0..4),
        s3 in any::<bool>(),
    ) {
        let mut req = SignableRequest::new(Method::PUT, "example.amazonaws.com", &target);
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        let signer = signer(s3);
        let names: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
        let presigned = match signer.presign(&req, &creds, time(), Duration::from_secs(3600)) {
            Ok(p) => p,
            // Reserved names (x-amz-date, host, ...) or query parameters.
            Err(Error::ReservedHeader { .. } | Error::ReservedQueryParameter { .. }) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("unexpected error {e:?}"))),
        };
        for (name, value) in presigned.query_pairs() {
            if let Err(why) = check_encoded(name, false) {
                prop_assert!(false, "query name {:?} in {:?}: {}", name, presigned.uri(), why);
            }
            if let Err(why) = check_encoded(value, false) {
                prop_assert!(false, "value of {:?} in {:?}: {}", name, presigned.uri(), why);
            }
        }
        let signed: Vec<&str> = presigned
            .query_pairs()
            .filter(|(n, _)| *n == "X-Amz-SignedHeaders")
            .map(|(_, v)| v)
            .collect();
        prop_assert_eq!(signed.len(), 1, "{}", presigned.uri());
        prop_assert_eq!(
            encode::decode(signed[0]),
            Some(expected_signed_headers(&names, &[])),
            "uri {}", presigned.uri()
        );
        let canonical = signer
            .canonical_request(&req, &creds, time(), SignatureLocation::Query {
                expires_in: Duration::from_secs(3600),
            })
            .unwrap();
        let lines: Vec<&str> = canonical.as_str().split('\n').collect();
        prop_assert_eq!(
            format!("{}&X-Amz-Signature={}", lines[2], presigned.signature()),
            presigned.query()
        );

        let headers_signed = signer.sign_headers(&req, &creds, time()).unwrap();
        // S3 signers sign the payload hash header by default.
        let own: &[&str] = if s3 {
            &["x-amz-content-sha256", "x-amz-date"]
        } else {
            &["x-amz-date"]
        };
        let expected = format!(
            ", SignedHeaders={}, ",
            expected_signed_headers(&names, own)
        );
        prop_assert!(
            headers_signed.authorization().contains(&expected),
            "{} lacks {}", headers_signed.authorization(), expected
        );
    }

    /// 6 (continued). Every header line of a canonical request is in
    /// canonical form, including the ones the signer adds itself (the
    /// session token), since the server canonicalizes what it receives.
    #[test]
    fn canonical_header_lines_are_canonical(
        token in "[ A-Za-z0-9/+=]{1,24}",
        headers in prop::collection::vec(("[a-z0-9-]{1,8}", "[ -~\t]{0,20}"), 0..3),
    ) {
        prop_assume!(headers.iter().all(|(n, _)| !n.starts_with("x-amz-") && n != "host"));
        let mut req = SignableRequest::new(Method::GET, "example.amazonaws.com", "/");
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        // A token with whitespace could not be signed as sent (servers trim
        // and collapse header values), so it is rejected up front.
        let creds = match Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            .unwrap()
            .with_session_token(token.clone())
        {
            Ok(creds) => creds,
            Err(e) => {
                prop_assert!(token.contains(' '), "{:?} rejected: {}", token, e);
                let is_token_error = matches!(e, presign::Error::InvalidSessionToken { .. });
                prop_assert!(is_token_error, "unexpected error {:?}", e);
                return Ok(());
            }
        };
        prop_assert!(!token.contains(' '));
        let canonical = signer(false)
            .canonical_request(&req, &creds, time(), SignatureLocation::Headers)
            .unwrap();
        let header_lines = canonical
            .as_str()
            .split('\n')
            .skip(3)
            .take_while(|l| !l.is_empty());
        for line in header_lines {
            let (name, value) = line.split_once(':').unwrap();
            let recanonicalized = header_value(name, value);
            prop_assert_eq!(
                recanonicalized.as_deref(),
                Ok(value),
                "line {:?} of {:?}", line, canonical.as_str()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 7. Errors and Debug never show the secret or the session token
// ---------------------------------------------------------------------------

fn hidden(what: &str, shown: &str, secrets: &[&str]) -> Result<(), TestCaseError> {
    for s in secrets {
        prop_assert!(!shown.contains(s), "{} shows a secret: {}", what, shown);
    }
    Ok(())
}

fn error_hidden(what: &str, e: &Error, secrets: &[&str]) -> Result<(), TestCaseError> {
    hidden(what, &e.to_string(), secrets)?;
    hidden(what, &format!("{e:?}"), secrets)?;
    hidden(what, &format!("{e:#?}"), secrets)
}

proptest! {
    #![proptest_config(config(128))]

    /// 7. No error and no `Debug` output shows the secret access key or the
    /// session token (the presigned URI itself does carry the token).
    #[test]
    fn errors_and_debug_never_show_secrets(
        secret in "[A-Za-z0-9]{20,40}",
        token in "[A-Za-z0-9]{20,60}",
        s3 in any::<bool>(),
        added_after in any::<bool>(),
    ) {
        let secrets = [secret.as_str(), token.as_str()];
        let creds = Credentials::new("AKIDEXAMPLE", secret.clone())
            .unwrap()
            .with_session_token(token.clone())
            .unwrap();
        let mode = if added_after {
            SessionTokenMode::AddedAfterSigning
        } else {
            SessionTokenMode::Signed
        };
        let signer = signer(s3).session_token_mode(mode);
        let t = time();
        let hour = Duration::from_secs(3600);

        // Constructor errors.
        error_hidden("bad access key id", &Credentials::new("AKID/X", secret.clone()).unwrap_err(), &secrets)?;
        error_hidden("empty access key id", &Credentials::new("", secret.clone()).unwrap_err(), &secrets)?;
        let e = Credentials::new("AKIDEXAMPLE", secret.clone())
            .unwrap()
            .with_session_token(format!("{token}\n"))
            .unwrap_err();
        error_hidden("bad token", &e, &secrets)?;
        error_hidden("bad method", &Method::new("GE T").unwrap_err(), &secrets)?;

        // Signing errors, each with the credentials in play.
        let secret_value_ctrl = format!("{secret}\u{0}{token}");
        let bad_requests: Vec<(&str, SignableRequest<'_>)> = vec![
            ("bad header name", SignableRequest::new(Method::GET, "h", "/").header("bad name", &secret)),
            ("bad header value", SignableRequest::new(Method::GET, "h", "/").header("x-key", &secret_value_ctrl)),
            ("reserved authorization", SignableRequest::new(Method::GET, "h", "/").header("Authorization", &secret)),
            ("reserved token header", SignableRequest::new(Method::GET, "h", "/").header("x-amz-security-token", &token)),
            ("bad path", SignableRequest::new(Method::GET, "h", "relative")),
            ("bad path #", SignableRequest::new(Method::GET, "h", "/a#b")),
            ("bad query", SignableRequest::new(Method::GET, "h", "/?a=\u{1}")),
            ("bad host", SignableRequest::new(Method::GET, "bad host", "/")),
        ];
        for (what, req) in &bad_requests {
            let e = signer.sign_headers(req, &creds, t).unwrap_err();
            error_hidden(what, &e, &secrets)?;
            let e = signer.presign(req, &creds, t, hour).unwrap_err();
            error_hidden(what, &e, &secrets)?;
            let e = signer.canonical_request(req, &creds, t, SignatureLocation::Headers).unwrap_err();
            error_hidden(what, &e, &secrets)?;
        }
        let ok = SignableRequest::new(Method::GET, "example.amazonaws.com", "/key").header("x-a", "b");
        for expires in [
            Duration::ZERO,
            Duration::from_millis(999),
            Duration::from_secs(604_801),
            Duration::from_secs(u64::MAX),
        ] {
            let e = signer.presign(&ok, &creds, t, expires).unwrap_err();
            prop_assert!(matches!(e, Error::ExpiresOutOfRange { .. }), "{:?}", e);
            error_hidden("bad expiry", &e, &secrets)?;
        }

        // Debug of everything that holds or derives from the secrets.
        hidden("Credentials", &format!("{creds:?} {creds:#?}"), &secrets)?;
        let signed = signer.sign_headers(&ok, &creds, t).unwrap();
        hidden("AuthorizationHeaders", &format!("{signed:?} {signed:#?}"), &secrets)?;
        let presigned = signer.presign(&ok, &creds, t, hour).unwrap();
        prop_assert!(presigned.uri().contains(&token), "the URI carries the token");
        hidden("PresignedRequest", &format!("{presigned:?} {presigned:#?}"), &secrets)?;
        let canonical = signer.canonical_request(&ok, &creds, t, SignatureLocation::Query { expires_in: hour }).unwrap();
        hidden("CanonicalRequest", &format!("{canonical:?}"), &secrets)?;
        let _ = signer.key_cache().get(&creds, signer.scope(t));
        hidden("Signer", &format!("{signer:?} {signer:#?}"), &secrets)?;
        let key = SigningKey::derive(&secret, signer.scope(t));
        let bytes = KeyDerivation::derive(&secret, signer.scope(t));
        hidden("SigningKey", &format!("{key:?}"), &[&hex::encode(bytes.k_signing())])?;
    }
}

// ---------------------------------------------------------------------------
// 8. Query parameter order does not matter
// ---------------------------------------------------------------------------

fn query_name_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9._~-]{1,8}",
        1 => messy(6).prop_map(|s| s.replace(|c: char| c.is_ascii_control() || "&=#".contains(c), "")),
    ]
    .prop_filter("names must be non-empty and not reserved", |n| {
        !n.is_empty() && !n.to_ascii_lowercase().starts_with("x-amz-")
    })
}

fn query_value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9._~-]{0,8}",
        messy(6).prop_map(|s| s.replace(|c: char| c.is_ascii_control() || "&#".contains(c), "")),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// 8. Permuting the `&`-separated pairs (distinct names) changes neither
    /// the canonical request nor the signature nor the presigned URI.
    #[test]
    fn query_order_does_not_matter(
        (pairs, shuffled) in prop::collection::btree_map(query_name_text(), prop::option::of(query_value_text()), 1..7)
            .prop_flat_map(|m| {
                let pairs: Vec<String> = m
                    .into_iter()
                    .map(|(n, v)| match v {
                        Some(v) => format!("{n}={v}"),
                        None => n,
                    })
                    .collect();
                (Just(pairs.clone()), Just(pairs).prop_shuffle())
            }),
        s3 in any::<bool>(),
    ) {
        let a = format!("/p?{}", pairs.join("&"));
        let b = format!("/p?{}", shuffled.join("&"));
        let ra = SignableRequest::new(Method::GET, "example.amazonaws.com", &a);
        let rb = SignableRequest::new(Method::GET, "example.amazonaws.com", &b);
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        let signer = signer(s3);
        let hour = Duration::from_secs(3600);
        for location in [SignatureLocation::Headers, SignatureLocation::Query { expires_in: hour }] {
            let ca = signer.canonical_request(&ra, &creds, time(), location).unwrap();
            let cb = signer.canonical_request(&rb, &creds, time(), location).unwrap();
            prop_assert_eq!(ca.as_str(), cb.as_str());
        }
        let ha = signer.sign_headers(&ra, &creds, time()).unwrap();
        let hb = signer.sign_headers(&rb, &creds, time()).unwrap();
        prop_assert_eq!(ha.authorization(), hb.authorization());
        let pa = signer.presign(&ra, &creds, time(), hour).unwrap();
        let pb = signer.presign(&rb, &creds, time(), hour).unwrap();
        prop_assert_eq!(pa.signature(), pb.signature());
        prop_assert_eq!(pa.uri(), pb.uri());
    }
}

// ---------------------------------------------------------------------------
// 9. Signing time round trips
// ---------------------------------------------------------------------------

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const MIN_UNIX: i64 = -62_167_219_200;
const MAX_UNIX: i64 = 253_402_300_799;

proptest! {
    #![proptest_config(config(2048))]

    /// 9. For any second of the years 0000 to 9999: the `X-Amz-Date` text
    /// parses back to the same time, agrees with the `time` crate, and the
    /// Unix timestamp round-trips; order is chronological.
    #[test]
    fn signing_time_round_trips(secs in MIN_UNIX..=MAX_UNIX, other in MIN_UNIX..=MAX_UNIX) {
        let t = SigningTime::from_unix_timestamp(secs).unwrap();
        prop_assert_eq!(t.unix_timestamp(), secs);
        let text = t.amz_date();
        prop_assert_eq!(SigningTime::parse_amz_date(text.as_str()), Ok(t));
        let odt = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
        let expected = format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            odt.year(), odt.month() as u8, odt.day(), odt.hour(), odt.minute(), odt.second()
        );
        prop_assert_eq!(text.as_str(), expected.as_str());
        prop_assert_eq!(t.scope_date().to_string(), &expected[..8]);
        prop_assert_eq!(ScopeDate::parse(&expected[..8]), Ok(t.scope_date()));
        prop_assert_eq!(t.to_offset_date_time(), odt);
        let u = SigningTime::from_unix_timestamp(other).unwrap();
        prop_assert_eq!(t.cmp(&u), secs.cmp(&other));
    }

    /// 9 (continued). Outside the years 0000 to 9999 the conversion fails
    /// without panicking.
    #[test]
    fn out_of_range_times_are_errors(
        secs in prop_oneof![i64::MIN..MIN_UNIX, (MAX_UNIX + 1)..=i64::MAX],
    ) {
        prop_assert!(
            matches!(SigningTime::from_unix_timestamp(secs), Err(Error::TimeOutOfRange { .. })),
            "{}", secs
        );
    }
}

// ---------------------------------------------------------------------------
// 10. The canonical query of an S3 presign
// ---------------------------------------------------------------------------

/// Query names around and between the signer's own: the signer writes its
/// `X-Amz-*` parameters as one run when the caller's sort outside them, and
/// interleaves them otherwise.
fn s3_query_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("A".to_owned()),
        Just("X-Amz-A".to_owned()),
        Just("X-Amz-Algorithm0".to_owned()),
        Just("X-Amz-Checksum-Mode".to_owned()),
        Just("X-Amz-Expires2".to_owned()),
        Just("X-Amz-Security-Token-X".to_owned()),
        Just("X-Amz-SignedHeaders0".to_owned()),
        Just("X-Amz-Z".to_owned()),
        Just("Y".to_owned()),
        Just("response-content-type".to_owned()),
        Just("x-id".to_owned()),
        "[A-Za-z0-9 _~+/-]{1,8}",
    ]
    .prop_filter("not a name the signer writes", |n| {
        ![
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-Security-Token",
            "X-Amz-SignedHeaders",
            "X-Amz-Signature",
        ]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(n))
    })
}

proptest! {
    #![proptest_config(config(512))]

    /// 10. The canonical query of a presigned S3 URL is every parameter, the
    /// caller's and the signer's, encoded once and sorted by name then value;
    /// the URL carries exactly it, then the signature. With and without a
    /// session token, with and without caller headers.
    #[test]
    fn s3_canonical_query_is_the_sorted_union(
        params in prop::collection::vec((s3_query_name(), "[a-z0-9 /+]{0,6}"), 0..6),
        token in prop::option::of("[A-Za-z0-9+/=]{1,40}"),
        content_type in prop::option::of("[a-z]{1,8}/[a-z]{1,8}"),
    ) {
        let bucket = presign::s3::Bucket::new("examplebucket", region()).unwrap();
        let mut creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        if let Some(token) = &token {
            creds = creds.with_session_token(token.clone()).unwrap();
        }
        let mut request = bucket.get_object("a b/c");
        for (name, value) in &params {
            request = request.query(name, value.as_str());
        }
        if let Some(content_type) = &content_type {
            request = request.content_type(content_type);
        }
        let expires = Duration::from_secs(600);

        let mut expected: Vec<(String, String)> = params
            .iter()
            .map(|(n, v)| (encode::query_component(n), encode::query_component(v)))
            .collect();
        let signed_headers = if content_type.is_some() { "content-type;host" } else { "host" };
        expected.extend([
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".to_owned()),
            ("X-Amz-Credential", encode::query_component("AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request")),
            ("X-Amz-Date", "20150830T123600Z".to_owned()),
            ("X-Amz-Expires", "600".to_owned()),
            ("X-Amz-SignedHeaders", encode::query_component(signed_headers)),
        ].map(|(n, v)| (n.to_owned(), v)));
        if let Some(token) = &token {
            expected.push(("X-Amz-Security-Token".to_owned(), encode::query_component(token)));
        }
        expected.sort();
        let expected = expected
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("&");

        let canonical = request.canonical_request(&creds, time(), expires).unwrap();
        let lines: Vec<&str> = canonical.as_str().split('\n').collect();
        prop_assert_eq!(lines[2], expected.as_str());
        let url = request.presign(&creds, time(), expires).unwrap();
        let (_, query) = url.as_str().split_once('?').unwrap();
        let signature = url.signature().to_string();
        prop_assert_eq!(query, format!("{expected}&X-Amz-Signature={signature}"));
    }
}

// ---------------------------------------------------------------------------
// 11. Headers of a presign, on both sides of the inline limit
// ---------------------------------------------------------------------------

/// Header names with case variants and repeats, so that sorting, lowercasing
/// and joining repeated headers all matter.
fn presign_header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Content-Type".to_owned()),
        Just("content-type".to_owned()),
        Just("X-Amz-Meta-A".to_owned()),
        Just("x-amz-meta-b".to_owned()),
        Just("Cache-Control".to_owned()),
        Just("a".to_owned()),
        Just("Z!#$%&'*+.^_`|~".to_owned()),
        "[A-Za-z0-9-]{1,6}",
    ]
    .prop_filter("not a header the signer writes", |n| {
        ![
            "host",
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
        ]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(n))
    })
}

proptest! {
    #![proptest_config(config(512))]

    /// 11. For 0 to 12 signed headers (the signer sorts up to 8 on the stack
    /// and more in a side buffer), an S3 presign's canonical headers and
    /// signed header list, in the canonical request and in
    /// `X-Amz-SignedHeaders`, are those of the SigV4 definition: names
    /// lowercased and sorted (stably), repeated names joined with `,` in
    /// the order given, values trimmed with inner whitespace collapsed.
    /// The same for header signing, with the signer's own headers sorted in.
    #[test]
    fn presign_headers_are_canonical_at_any_count(
        headers in prop::collection::vec((presign_header_name(), "[ a-z0-9\t]{0,8}"), 0..13),
    ) {
        let bucket = presign::s3::Bucket::new("examplebucket", region()).unwrap();
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        let mut request = bucket.put_object("k");
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        let expires = Duration::from_secs(60);

        let mut expected: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.split_whitespace().collect::<Vec<_>>().join(" ")))
            .collect();
        expected.push(("host".to_owned(), "examplebucket.s3.us-east-1.amazonaws.com".to_owned()));
        expected.sort_by(|a, b| a.0.cmp(&b.0)); // stable
        let (lines, names) = header_block(&expected);
        let expected_block = format!("{}\n\n{}\nUNSIGNED-PAYLOAD", lines.join("\n"), names.join(";"));

        let canonical = request.canonical_request(&creds, time(), expires).unwrap();
        let text = canonical.as_str();
        let block = text.splitn(4, '\n').nth(3).unwrap();
        prop_assert_eq!(block, expected_block.as_str());
        let url = request.presign(&creds, time(), expires).unwrap();
        let signed = url
            .as_str()
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("X-Amz-SignedHeaders="))
            .unwrap();
        prop_assert_eq!(signed, encode::query_component(&names.join(";")));

        // Header signing sorts the same headers with its own: the date, the
        // token and the payload hash.
        let token = "IQoJb3JpZ2luX2VjE+/=";
        let mut signed_request = SignableRequest::new(
            Method::PUT,
            "examplebucket.s3.us-east-1.amazonaws.com",
            "/k",
        )
        .payload(presign::Payload::Unsigned);
        for (name, value) in &headers {
            signed_request = signed_request.header(name, value);
        }
        let temporary = creds.clone().with_session_token(token).unwrap();
        let canonical = signer(true)
            .sign_content_sha256(true)
            .canonical_request(&signed_request, &temporary, time(), SignatureLocation::Headers)
            .unwrap();
        let mut expected_signed = expected;
        expected_signed.extend([
            ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
            ("x-amz-date", "20150830T123600Z"),
            ("x-amz-security-token", token),
        ].map(|(n, v)| (n.to_owned(), v.to_owned())));
        expected_signed.sort_by(|a, b| a.0.cmp(&b.0));
        let (lines, names) = header_block(&expected_signed);
        let expected_block = format!("{}\n\n{}\nUNSIGNED-PAYLOAD", lines.join("\n"), names.join(";"));
        let block = canonical.as_str().splitn(4, '\n').nth(3).unwrap();
        prop_assert_eq!(block, expected_block.as_str());
    }
}

/// Canonical header lines and the signed header names for sorted
/// `(lowercase name, canonical value)` pairs: repeated names joined with `,`.
fn header_block(sorted: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let mut lines: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (name, value) in sorted {
        if names.last() == Some(name) {
            let last = lines.last_mut().unwrap();
            last.push(',');
            last.push_str(value);
        } else {
            names.push(name.clone());
            lines.push(format!("{name}:{value}"));
        }
    }
    (lines, names)
}
