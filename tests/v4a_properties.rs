//! Property tests of SigV4a (feature `sigv4a`): whatever `Signer4a` signs,
//! presigned or with an `Authorization` header, for random keys, query
//! parameters, headers, secrets, tokens and region sets, verifies with
//! `presign::verify`; and changing one hex digit of the signature, a query
//! value, a header value, the path or the method never verifies.
//!
//! Each case costs a few P-256 operations, so the case count is modest.
//! Failure persistence is off so that a failing run writes no files.
#![cfg(feature = "sigv4a")]

use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::Index;

use presign::encode;
use presign::sigv4a::Signer4a;
use presign::verify::{ReceivedRequest, Verifier};
use presign::{Credentials, Method, Payload, Region, Service, SignableRequest, SigningTime};

const HOST: &str = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";
/// 2026-05-24T12:00:00Z.
const BASE_TIME: i64 = 1_779_624_000;
const REGION_SETS: [&str; 3] = ["*", "us-east-1,us-west-2", "us-*"];

#[derive(Debug, Clone)]
struct Spec {
    presigned: bool,
    put: bool,
    key: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    secret: String,
    token: Option<String>,
    region_set: &'static str,
    offset: i64,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<bool>(),
        any::<bool>(),
        "[a-zA-Z0-9 /._~+=&%-]{1,40}",
        prop::collection::vec(("[a-z][a-z0-9-]{0,8}", "\\PC{0,12}"), 0..4),
        prop::collection::vec(("x-amz-meta-[a-z]{1,8}", "[ -~]{1,16}"), 0..3),
        "[A-Za-z0-9/+]{40}",
        prop::option::of("[A-Za-z0-9/+=]{16,64}"),
        0..REGION_SETS.len(),
        0i64..86_400 * 30,
    )
        .prop_map(
            |(presigned, put, key, query, headers, secret, token, set, offset)| Spec {
                presigned,
                put,
                key,
                query,
                headers,
                secret,
                token,
                region_set: REGION_SETS[set],
                offset,
            },
        )
}

/// What the client sends: method, target and headers.
#[derive(Debug, Clone)]
struct Sent {
    method: &'static str,
    target: String,
    headers: Vec<(String, String)>,
}

impl Sent {
    fn received(&self) -> ReceivedRequest<'_> {
        let mut r = ReceivedRequest::new(self.method, &self.target).payload(Payload::Unsigned);
        for (n, v) in &self.headers {
            r = r.header(n, v);
        }
        r
    }
}

impl Spec {
    fn credentials(&self) -> Credentials {
        let c = Credentials::new("AKIDV4APROP", self.secret.as_str()).unwrap();
        match &self.token {
            Some(t) => c.with_session_token(t.as_str()).unwrap(),
            None => c,
        }
    }

    fn time(&self) -> SigningTime {
        SigningTime::from_unix_timestamp(BASE_TIME + self.offset).unwrap()
    }

    fn sign(&self) -> Sent {
        let creds = self.credentials();
        let mut target = format!("/{}", encode::path(&self.key));
        for (i, (n, v)) in self.query.iter().enumerate() {
            target.push(if i == 0 { '?' } else { '&' });
            target.push_str(&encode::query_component(n));
            target.push('=');
            target.push_str(&encode::query_component(v));
        }
        let (method, name) = if self.put {
            (Method::PUT, "PUT")
        } else {
            (Method::GET, "GET")
        };
        let mut req = SignableRequest::new(method, HOST, &target).payload(Payload::Unsigned);
        for (n, v) in &self.headers {
            req = req.header(n, v);
        }
        let signer = Signer4a::new(self.region_set, Service::s3()).unwrap();
        let mut headers = vec![("host".to_owned(), HOST.to_owned())];
        headers.extend(self.headers.iter().cloned());
        if self.presigned {
            let presigned = signer
                .presign(&req, &creds, self.time(), Duration::from_secs(3600))
                .unwrap();
            Sent {
                method: name,
                target: presigned.uri().to_owned(),
                headers,
            }
        } else {
            let signed = signer.sign_headers(&req, &creds, self.time()).unwrap();
            headers.extend(signed.iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
            Sent {
                method: name,
                target,
                headers,
            }
        }
    }

    fn verifier(&self) -> Verifier<impl Fn(&str) -> Option<Credentials> + use<>> {
        let known = self.credentials();
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .accept_region(Region::new("us-west-2").unwrap())
    }
}

/// The signature's hex digits in what was sent: where they start and end.
fn signature_span(sent: &Sent) -> (bool, usize, usize) {
    if let Some(at) = sent.target.find("X-Amz-Signature=") {
        let start = at + "X-Amz-Signature=".len();
        let end = sent.target[start..]
            .find('&')
            .map_or(sent.target.len(), |e| start + e);
        return (true, start, end);
    }
    let (_, auth) = sent
        .headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .unwrap();
    let start = auth.find("Signature=").unwrap() + "Signature=".len();
    (false, start, auth.len())
}

fn flip_hex(c: u8) -> u8 {
    if c == b'0' { b'1' } else { b'0' }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn what_is_signed_verifies_and_one_change_does_not(
        spec in spec(),
        at in any::<Index>(),
        what in 0u8..5,
    ) {
        let sent = spec.sign();
        let verifier = spec.verifier();
        let now = SigningTime::from_unix_timestamp(BASE_TIME + spec.offset + 60).unwrap();
        let received = sent.received();
        let verified = verifier.verify(&received, now);
        prop_assert!(verified.is_ok(), "{:?}: {:?}", sent, verified.err());
        let id = verified.unwrap().access_key_id().to_owned();
        prop_assert_eq!(id, "AKIDV4APROP");

        let mut changed = sent.clone();
        match what {
            // One hex digit of the signature.
            0 => {
                let (in_query, start, end) = signature_span(&sent);
                let i = start + at.index(end - start);
                if in_query {
                    let mut bytes = changed.target.into_bytes();
                    bytes[i] = flip_hex(bytes[i]);
                    changed.target = String::from_utf8(bytes).unwrap();
                } else {
                    let auth = changed
                        .headers
                        .iter_mut()
                        .find(|(n, _)| n == "authorization")
                        .unwrap();
                    let mut bytes = std::mem::take(&mut auth.1).into_bytes();
                    bytes[i] = flip_hex(bytes[i]);
                    auth.1 = String::from_utf8(bytes).unwrap();
                }
            }
            // A signed query value (or, with none, the path).
            1 if !spec.query.is_empty() => {
                let (n, _) = &spec.query[at.index(spec.query.len())];
                let needle = format!("{}=", encode::query_component(n));
                let i = changed.target.find(&needle).unwrap() + needle.len();
                changed.target.insert(i, 'Z');
            }
            // A signed header's value.
            2 if !spec.headers.is_empty() => {
                let i = 1 + at.index(spec.headers.len());
                changed.headers[i].1.push('Z');
            }
            // The method.
            3 => changed.method = if spec.put { "GET" } else { "PUT" },
            // The path.
            _ => {
                let q = changed.target.find('?').unwrap_or(changed.target.len());
                changed.target.insert(q, 'Z');
            }
        }
        let received = changed.received();
        let refused = verifier.verify(&received, now).is_err();
        prop_assert!(refused, "a changed request verified: {:?}", changed);
    }
}
