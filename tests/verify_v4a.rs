//! The verifier (`presign::verify`) against SigV4a (feature `sigv4a`): every
//! published signed request of the CRT v4a suite (`tests/vectors/v4a/`, the
//! 38 complete cases, header and query variants) verifies at its signing
//! time with the credentials of its `context.json`, mapped as
//! `tests/verify_vectors.rs` maps the SigV4 suite (service `service`, region
//! `us-east-1` accepted, `normalize` → path mode, the body given as bytes,
//! `omit_session_token` → `SessionTokenMode::AddedAfterSigning`). Then the
//! refusals, and round trips through `Signer4a`.
#![cfg(feature = "sigv4a")]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{HttpRequest, crt_credentials, json_str, parse_rfc3339, read, read_json};
use presign::sigv4a::Signer4a;
use presign::verify::{ReceivedRequest, Verifier, VerifyError};
use presign::{
    Credentials, Method, PathMode, Payload, Region, Service, SessionTokenMode, SignableRequest,
    SigningTime,
};

const CASES: usize = 38;

fn at(t: SigningTime, offset: i64) -> SigningTime {
    SigningTime::from_unix_timestamp(t.unix_timestamp() + offset).expect("a time in range")
}

fn received(r: &HttpRequest) -> ReceivedRequest<'_> {
    let mut req =
        ReceivedRequest::new(&r.method, &r.target).payload(Payload::Bytes(r.body.as_bytes()));
    for (name, value) in &r.headers {
        req = req.header(name, value);
    }
    req
}

struct Case {
    name: String,
    credentials: Credentials,
    path_mode: PathMode,
    token_mode: SessionTokenMode,
    time: SigningTime,
    expires: i64,
    header: HttpRequest,
    query: HttpRequest,
}

impl Case {
    fn verifier(&self) -> Verifier<impl Fn(&str) -> Option<Credentials> + use<>> {
        let known = self.credentials.clone();
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .service(Service::new("service").unwrap())
            .accept_region(Region::new("us-east-1").unwrap())
            .path_mode(self.path_mode)
            .session_token_mode(self.token_mode)
    }
}

fn cases() -> Vec<Case> {
    let cases: Vec<Case> = common::subdirs(&common::vectors_dir("v4a"))
        .into_iter()
        .filter(|d| d.join("public-key.json").exists())
        .map(|dir: std::path::PathBuf| {
            let dir: &Path = &dir;
            let name = common::file_name(dir);
            let context = read_json(&dir.join("context.json"));
            assert_eq!(json_str(&context, "region"), "us-east-1", "{name}");
            let flag = |field: &str| context[field].as_bool().unwrap_or(false);
            let parse = |f: &str| HttpRequest::parse(&read(&dir.join(f)));
            Case {
                credentials: crt_credentials(&context, &name),
                path_mode: if flag("normalize") {
                    PathMode::Standard
                } else {
                    PathMode::S3
                },
                token_mode: if flag("omit_session_token") {
                    SessionTokenMode::AddedAfterSigning
                } else {
                    SessionTokenMode::Signed
                },
                time: parse_rfc3339(json_str(&context, "timestamp")),
                expires: context["expiration_in_seconds"].as_i64().unwrap(),
                header: parse("header-signed-request.txt"),
                query: parse("query-signed-request.txt"),
                name,
            }
        })
        .collect();
    assert_eq!(cases.len(), CASES, "complete v4a cases");
    cases
}

#[test]
fn every_published_request_verifies() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases() {
        let verifier = case.verifier();
        match verifier.verify(&received(&case.header), case.time) {
            Ok(v) => {
                assert_eq!(v.region(), "", "{}", case.name);
                assert_eq!(v.scope().to_string(), "20150830/service/aws4_request");
                checked += 1;
            }
            Err(e) => failures.push(format!("{} [header]: {e:?}", case.name)),
        }
        match verifier.verify(&received(&case.query), case.time) {
            Ok(v) => {
                assert_eq!(v.expires_at(), Some(at(case.time, case.expires)));
                checked += 1;
            }
            Err(e) => failures.push(format!("{} [query]: {e:?}", case.name)),
        }
        // Expired one second after its expiry; too skewed likewise.
        match verifier.verify(&received(&case.query), at(case.time, case.expires + 1)) {
            Err(VerifyError::Expired { .. }) => {}
            other => failures.push(format!("{} [query] expired: {other:?}", case.name)),
        }
        match verifier.verify(&received(&case.header), at(case.time, 901)) {
            Err(VerifyError::RequestTimeTooSkewed { .. }) => {}
            other => failures.push(format!("{} [header] skewed: {other:?}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, CASES * 2);
}

fn vanilla() -> Case {
    cases()
        .into_iter()
        .find(|c| c.name == "get-vanilla")
        .unwrap()
}

#[test]
fn tampering_is_refused() {
    let case = vanilla();
    let verifier = case.verifier();
    // A flipped signature byte (the last hex digit).
    for req in [&case.header, &case.query] {
        let mut bad = req.clone();
        let flip = |s: &mut String, at: usize| {
            let c = s.as_bytes()[at];
            let new = if c == b'0' { '1' } else { '0' };
            s.replace_range(at..at + 1, &new.to_string());
        };
        if let Some(h) = bad
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        {
            let at = h.1.len() - 1;
            flip(&mut h.1, at);
        } else {
            let at = bad.target.len() - 1;
            flip(&mut bad.target, at);
        }
        assert_eq!(
            verifier.verify(&received(&bad), case.time).err(),
            Some(VerifyError::SignatureMismatch)
        );
        // An unsigned x-amz-* header.
        let mut added = req.clone();
        added
            .headers
            .push(("x-amz-copy-source".into(), "b/secret".into()));
        assert!(matches!(
            verifier.verify(&received(&added), case.time),
            Err(VerifyError::UnsignedHeader { .. })
        ));
        // A region outside the set.
        let elsewhere = case
            .verifier()
            .accept_region(Region::new("eu-west-1").unwrap());
        assert!(elsewhere.verify(&received(req), case.time).is_ok());
        let known = case.credentials.clone();
        let only_eu =
            Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
                .service(Service::new("service").unwrap())
                .accept_region(Region::new("eu-west-1").unwrap())
                .path_mode(case.path_mode);
        assert!(matches!(
            only_eu.verify(&received(req), case.time),
            Err(VerifyError::ScopeMismatch { .. })
        ));
    }
    // The same signature spelled in uppercase hex is another request, as
    // for SigV4: only the lowercase hex signers write verifies.
    for req in [&case.header, &case.query] {
        let mut upper = req.clone();
        let upcase = |s: &mut String, from: usize| {
            let tail = s[from..].to_ascii_uppercase();
            s.replace_range(from.., &tail);
        };
        if let Some(h) = upper
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        {
            let at = h.1.find("Signature=").unwrap() + "Signature=".len();
            upcase(&mut h.1, at);
        } else {
            let at = upper.target.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
            upcase(&mut upper.target, at);
        }
        assert!(upper.target != req.target || upper.headers != req.headers);
        assert_eq!(
            verifier.verify(&received(&upper), case.time).err(),
            Some(VerifyError::SignatureMismatch),
            "{upper:?}"
        );
    }
    // The header region set is signed: changing it breaks the signature.
    let mut other_set = case.header.clone();
    for h in &mut other_set.headers {
        if h.0.eq_ignore_ascii_case("x-amz-region-set") {
            h.1 = "*".into();
        }
    }
    assert_eq!(
        case.verifier()
            .verify(&received(&other_set), case.time)
            .err(),
        Some(VerifyError::SignatureMismatch)
    );
}

#[test]
fn our_signatures_verify() {
    let creds =
        Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
    let time = SigningTime::parse_amz_date("20150830T123600Z").unwrap();
    let host = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";
    let known = creds.clone();
    let verifier =
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .accept_region(Region::new("us-west-2").unwrap());
    for set in ["*", "us-east-1,us-west-2", "us-*"] {
        let signer = Signer4a::new(set, Service::s3()).unwrap();
        let req = SignableRequest::new(Method::GET, host, "/key.txt").payload(Payload::Unsigned);
        let presigned = signer
            .presign(&req, &creds, time, Duration::from_secs(600))
            .unwrap();
        let received = ReceivedRequest::new("GET", presigned.uri()).header("host", host);
        let v = verifier.verify(&received, at(time, 30)).expect(set);
        assert_eq!(v.access_key_id(), "AKIDEXAMPLE");
        assert!(matches!(
            verifier.verify(&received, at(time, 601)),
            Err(VerifyError::Expired { .. })
        ));

        let signed = signer.sign_headers(&req, &creds, time).unwrap();
        let mut received = ReceivedRequest::new("GET", "/key.txt").header("host", host);
        for (n, v) in signed.iter() {
            received = received.header(n, v);
        }
        verifier.verify(&received, time).expect(set);
    }
    // Outside the set.
    let signer = Signer4a::new("eu-*", Service::s3()).unwrap();
    let req = SignableRequest::new(Method::GET, host, "/key.txt").payload(Payload::Unsigned);
    let presigned = signer
        .presign(&req, &creds, time, Duration::from_secs(600))
        .unwrap();
    let received = ReceivedRequest::new("GET", presigned.uri()).header("host", host);
    assert!(matches!(
        verifier.verify(&received, time),
        Err(VerifyError::ScopeMismatch { .. })
    ));
    // Another secret.
    let other = Credentials::new("AKIDEXAMPLE", "another").unwrap();
    let wrong = Verifier::new(move |id: &str| (id == other.access_key_id()).then(|| other.clone()));
    let presigned = Signer4a::new("*", Service::s3())
        .unwrap()
        .presign(&req, &creds, time, Duration::from_secs(600))
        .unwrap();
    let received = ReceivedRequest::new("GET", presigned.uri()).header("host", host);
    assert_eq!(
        wrong.verify(&received, time).err(),
        Some(VerifyError::SignatureMismatch)
    );
}
