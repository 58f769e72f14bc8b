//! SigV4a, presign or header-sign then verify: every request the crate signs
//! with `Signer4a` verifies at its signing time, and changing one byte of
//! what the client sends (outside the host, which the verifier is told)
//! makes verification fail unless the change decodes to the same request.
//! The verifier also never panics on the changed request.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use presign::sigv4a::Signer4a;
use presign::verify::{ReceivedRequest, Verifier};
use presign::{Credentials, Method, Payload, Service, SignableRequest, SigningTime};

const HOST: &str = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";

#[derive(Debug, Arbitrary)]
struct Input {
    key: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    token: Option<u32>,
    region_set: u8,
    presigned: bool,
    put: bool,
    unix: u32,
    mutate_at: u16,
    mutate_header: bool,
}

fuzz_target!(|input: Input| {
    let mut creds = Credentials::new("AKIDFUZZ", "fuzz-secret").unwrap();
    if let Some(t) = input.token {
        creds = creds.with_session_token(format!("token{t}")).unwrap();
    }
    let set = ["*", "us-east-1,us-west-2", "us-*"][usize::from(input.region_set % 3)];
    let signer = Signer4a::new(set, Service::s3()).unwrap();
    let mut target = format!("/{}", presign::encode::path(&input.key));
    for (i, (n, v)) in input.query.iter().enumerate() {
        target.push(if i == 0 { '?' } else { '&' });
        target.push_str(&presign::encode::query_component(n));
        target.push('=');
        target.push_str(&presign::encode::query_component(v));
    }
    let (method, name) = if input.put {
        (Method::PUT, "PUT")
    } else {
        (Method::GET, "GET")
    };
    let mut req = SignableRequest::new(method, HOST, &target).payload(Payload::Unsigned);
    for (n, v) in &input.headers {
        req = req.header(n, v);
    }
    let time = SigningTime::from_unix_timestamp(i64::from(input.unix)).unwrap();
    let mut headers: Vec<(String, String)> = vec![("host".into(), HOST.into())];
    headers.extend(input.headers.iter().cloned());
    let target = if input.presigned {
        let Ok(p) = signer.presign(&req, &creds, time, Duration::from_secs(600)) else {
            return;
        };
        p.uri().to_owned()
    } else {
        let Ok(signed) = signer.sign_headers(&req, &creds, time) else {
            return;
        };
        headers.extend(signed.iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
        target
    };
    let known = creds.clone();
    let verifier =
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()));
    let verify = |target: &str, headers: &[(String, String)]| {
        let mut received = ReceivedRequest::new(name, target).payload(Payload::Unsigned);
        for (n, v) in headers {
            received = received.header(n, v);
        }
        verifier.verify(&received, time).is_ok()
    };
    assert!(verify(&target, &headers), "{target} {headers:?}");

    // One byte changed, in the target or in a header value (not the host's).
    if input.mutate_header && headers.len() > 1 {
        let i = 1 + usize::from(input.mutate_at) % (headers.len() - 1);
        let mut value = headers[i].1.clone().into_bytes();
        if value.is_empty() {
            return;
        }
        let j = usize::from(input.mutate_at) % value.len();
        value[j] = if value[j] == b'A' { b'B' } else { b'A' };
        let Ok(value) = String::from_utf8(value) else {
            return;
        };
        // Header values are compared trimmed, with inner runs of spaces as
        // one: a change to whitespace alone may be the same value.
        let squash = |s: &str| s.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
        if squash(&value) == squash(&headers[i].1) {
            return;
        }
        // The names in an Authorization header (its parameters, the signed
        // header names) are read in any case; the signature is not.
        let original = &headers[i].1;
        let signature_at = original
            .find("Signature=")
            .map(|at| at + "Signature=".len());
        if headers[i].0 == "authorization"
            && value.eq_ignore_ascii_case(original)
            && signature_at.is_some_and(|at| j < at)
        {
            return;
        }
        let mut changed = headers.clone();
        changed[i].1 = value;
        assert!(
            !verify(&target, &changed),
            "a changed header verified: {changed:?}"
        );
    } else {
        let bytes = target.as_bytes();
        let i = usize::from(input.mutate_at) % bytes.len();
        let mut changed = bytes.to_vec();
        changed[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let Ok(changed) = String::from_utf8(changed) else {
            return;
        };
        // A change that decodes to the same text (%41 for A) is the same
        // request.
        if presign::encode::decode(&changed) == presign::encode::decode(&target) {
            return;
        }
        assert!(
            !verify(&changed, &headers),
            "a changed URL verified: {changed}"
        );
    }
});
