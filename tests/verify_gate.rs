//! The verifier as a gate: requests an attacker would send with a link or a
//! signed request they were given, each of which S3 refuses and so must
//! `presign::verify` (issue 12). Each test first shows the honest request
//! verifying, then the attack failing with the error that names it.

use std::time::Duration;

use presign::s3::Bucket;
use presign::verify::{BodyCheck, ReceivedRequest, Verifier, VerifyError};
use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, Signer, SigningTime,
};

const HOST: &str = "examplebucket.s3.us-east-1.amazonaws.com";

fn creds() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap()
}

fn time() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").unwrap()
}

fn bucket() -> Bucket {
    Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap()
}

fn verifier() -> Verifier<Credentials> {
    Verifier::with_lookup(creds())
}

/// The request target of a presigned URL.
fn target(url: &str) -> String {
    url[format!("https://{HOST}").len()..].to_owned()
}

/// A PUT link signed for `host` alone.
fn upload_link() -> String {
    let url = bucket()
        .put_object("uploads/report.pdf")
        .presign(&creds(), time(), Duration::from_secs(300))
        .unwrap();
    target(url.as_str())
}

#[test]
fn unsigned_x_amz_headers_on_a_presigned_put_are_refused() {
    let target = upload_link();
    let honest = ReceivedRequest::new("PUT", &target).header("host", HOST);
    let v = verifier()
        .verify_presigned(&honest, time())
        .expect("honest");
    assert_eq!(v.body(), BodyCheck::Unsigned);
    for (name, value) in [
        ("x-amz-copy-source", "examplebucket/private/payroll.csv"),
        ("X-Amz-Acl", "public-read"),
        ("x-amz-website-redirect-location", "https://evil.example/"),
        ("X-AMZ-TAGGING", "a=b"),
        ("x-amz-server-side-encryption", "AES256"),
        ("x-amz-date", "20260524T120000Z"),
    ] {
        let attack = honest.clone().header(name, value);
        assert_eq!(
            verifier().verify_presigned(&attack, time()),
            Err(VerifyError::UnsignedHeader {
                name: name.to_ascii_lowercase()
            }),
            "{name}"
        );
    }
    // Headers that are not x-amz-* are the client's: reported, not refused.
    let with_agent = honest.clone().header("user-agent", "curl/8");
    let v = verifier().verify_presigned(&with_agent, time()).unwrap();
    assert_eq!(
        v.unsigned_headers().collect::<Vec<_>>(),
        [("user-agent", "curl/8")]
    );
}

#[test]
fn a_signed_x_amz_header_passes_and_its_value_is_bound() {
    let url = bucket()
        .put_object("uploads/report.pdf")
        .header("x-amz-acl", "private")
        .presign(&creds(), time(), Duration::from_secs(300))
        .unwrap();
    let target = target(url.as_str());
    let sent = |acl| {
        ReceivedRequest::new("PUT", &target)
            .header("host", HOST)
            .header("x-amz-acl", acl)
    };
    assert!(
        verifier()
            .verify_presigned(&sent("private"), time())
            .is_ok()
    );
    assert_eq!(
        verifier().verify_presigned(&sent("public-read"), time()),
        Err(VerifyError::SignatureMismatch)
    );
}

/// A header-signed S3 PUT of `body`, as the crate signs it by default.
fn header_signed_put(body: &[u8]) -> Vec<(String, String)> {
    let s3 =
        Signer::new(Region::new("us-east-1").unwrap(), Service::s3()).sign_content_sha256(true);
    let request = SignableRequest::new(Method::PUT, HOST, "/uploads/a.bin")
        .header("content-type", "application/octet-stream")
        .payload(Payload::Bytes(body));
    let creds = creds();
    let signed = s3.sign_headers(&request, &creds, time()).unwrap();
    let mut headers = vec![
        ("host".to_owned(), HOST.to_owned()),
        (
            "content-type".to_owned(),
            "application/octet-stream".to_owned(),
        ),
    ];
    headers.extend(signed.iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
    headers
}

fn received<'a>(headers: &'a [(String, String)]) -> ReceivedRequest<'a> {
    headers.iter().fold(
        ReceivedRequest::new("PUT", "/uploads/a.bin"),
        |r, (n, v)| r.header(n, v),
    )
}

#[test]
fn unsigned_x_amz_headers_on_a_header_signed_request_are_refused() {
    let headers = header_signed_put(b"hello");
    assert!(
        verifier()
            .verify_authorization(&received(&headers), time())
            .is_ok()
    );
    for (name, value) in [
        ("x-amz-request-payer", "requester"),
        ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
        ("x-amz-server-side-encryption-customer-key", "a2V5"),
    ] {
        let attack = received(&headers).header(name, value);
        assert_eq!(
            verifier().verify_authorization(&attack, time()),
            Err(VerifyError::UnsignedHeader { name: name.into() }),
        );
    }
}

#[test]
fn the_body_is_bound_to_the_signed_hash() {
    let headers = header_signed_put(b"hello");
    // Not given: the hash is handed to the caller to check.
    let request = received(&headers);
    let v = verifier().verify_authorization(&request, time()).unwrap();
    let hello = sha256_of(b"hello");
    assert_eq!(v.body(), BodyCheck::Sha256(hello));
    assert_eq!(v.check_body(b"hello"), Ok(()));
    assert_eq!(
        v.check_body(b"hellO"),
        Err(VerifyError::PayloadHashMismatch)
    );
    // Given: checked.
    let given = received(&headers).payload(Payload::Bytes(b"hello"));
    let v = verifier().verify_authorization(&given, time()).unwrap();
    assert_eq!(v.body(), BodyCheck::Verified);
    // Another body than the one signed: refused.
    let replayed = received(&headers).payload(Payload::Bytes(b"another body"));
    assert_eq!(
        verifier().verify_authorization(&replayed, time()),
        Err(VerifyError::PayloadHashMismatch)
    );
}

#[test]
fn s3_header_signing_without_a_content_hash_is_refused() {
    // Signed without x-amz-content-sha256, as no S3 client may.
    let s3 =
        Signer::new(Region::new("us-east-1").unwrap(), Service::s3()).sign_content_sha256(false);
    let request = SignableRequest::new(Method::GET, HOST, "/a.txt");
    let creds = creds();
    let signed = s3.sign_headers(&request, &creds, time()).unwrap();
    let mut headers = vec![("host".to_owned(), HOST.to_owned())];
    headers.extend(signed.iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
    let req = headers
        .iter()
        .fold(ReceivedRequest::new("GET", "/a.txt"), |r, (n, v)| {
            r.header(n, v)
        });
    assert_eq!(
        verifier().verify_authorization(&req, time()),
        Err(VerifyError::MissingParameter {
            name: "x-amz-content-sha256"
        })
    );
    // Another service signs the body's hash in the canonical request
    // instead: the signature holds for an empty body, and says so.
    let iam = Signer::new(
        Region::new("us-east-1").unwrap(),
        Service::new("iam").unwrap(),
    );
    let request = SignableRequest::new(Method::GET, "iam.amazonaws.com", "/?Action=ListUsers");
    let signed = iam.sign_headers(&request, &creds, time()).unwrap();
    let mut headers = vec![("host".to_owned(), "iam.amazonaws.com".to_owned())];
    headers.extend(signed.iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
    let req = headers.iter().fold(
        ReceivedRequest::new("GET", "/?Action=ListUsers"),
        |r, (n, v)| r.header(n, v),
    );
    let iam_verifier = Verifier::with_lookup(creds.clone()).service(Service::new("iam").unwrap());
    let v = iam_verifier.verify_authorization(&req, time()).unwrap();
    assert_eq!(v.body(), BodyCheck::Sha256(sha256_of(b"")));
    assert_eq!(
        v.check_body(b"not empty"),
        Err(VerifyError::PayloadHashMismatch)
    );
}

#[test]
fn a_presigned_content_hash_is_reported_and_checked() {
    // Signed as the AWS SDK for JavaScript presigns a PUT with a checksum:
    // the payload hash travels as X-Amz-Content-Sha256 and is the canonical
    // request's payload line.
    let digest = sha256_of(b"exact bytes");
    let hash = hex::encode(digest);
    let path = format!("/uploads/exact.bin?X-Amz-Content-Sha256={hash}");
    let s3 = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
    let request = SignableRequest::new(Method::PUT, HOST, &path).payload(Payload::Sha256(digest));
    let presigned = s3
        .presign(&request, &creds(), time(), Duration::from_secs(300))
        .unwrap();
    let target = presigned.uri().to_owned();
    let req = ReceivedRequest::new("PUT", &target).header("host", HOST);
    let v = verifier().verify_presigned(&req, time()).expect("verifies");
    assert_eq!(v.body(), BodyCheck::Sha256(sha256_of(b"exact bytes")));
    let other = req.clone().payload(Payload::Bytes(b"other bytes"));
    assert_eq!(
        verifier().verify_presigned(&other, time()),
        Err(VerifyError::PayloadHashMismatch)
    );
    let same = req.payload(Payload::Bytes(b"exact bytes"));
    assert_eq!(
        verifier().verify_presigned(&same, time()).map(|v| v.body()),
        Ok(BodyCheck::Verified)
    );
}

#[test]
fn a_plus_in_the_received_query_is_a_space() {
    // Signed for the prefix "c++/": the URL carries c%2B%2B%2F.
    let url = bucket()
        .list_objects_v2()
        .prefix("c++/")
        .presign(&creds(), time(), Duration::from_secs(300))
        .unwrap();
    let signed = target(url.as_str());
    assert!(signed.contains("prefix=c%2B%2B%2F"), "{signed}");
    let honest = ReceivedRequest::new("GET", &signed).header("host", HOST);
    assert!(verifier().verify_presigned(&honest, time()).is_ok());
    // With + for %2B, S3 (and the application) read "c  /": another
    // request, refused.
    let plus = signed.replace("prefix=c%2B%2B%2F", "prefix=c++%2F");
    let attack = ReceivedRequest::new("GET", &plus).header("host", HOST);
    assert_eq!(
        verifier().verify_presigned(&attack, time()),
        Err(VerifyError::SignatureMismatch)
    );
    // Signed for "c  /" (c%20%20%2F), sent with + for the spaces as a form
    // encoder would: the same request to S3, accepted.
    let url = bucket()
        .list_objects_v2()
        .prefix("c  /")
        .presign(&creds(), time(), Duration::from_secs(300))
        .unwrap();
    let spaces = target(url.as_str()).replace("prefix=c%20%20%2F", "prefix=c++%2F");
    let form = ReceivedRequest::new("GET", &spaces).header("host", HOST);
    assert!(verifier().verify_presigned(&form, time()).is_ok());
}

#[test]
fn both_a_presigned_query_and_an_authorization_header_are_refused() {
    let target = upload_link();
    let headers = header_signed_put(b"");
    let both = headers.iter().fold(
        ReceivedRequest::new("PUT", &target).header("host", HOST),
        |r, (n, v)| if n == "host" { r } else { r.header(n, v) },
    );
    assert_eq!(
        verifier().verify_presigned(&both, time()).map(|_| ()),
        Err(VerifyError::AmbiguousAuthentication)
    );
    assert_eq!(
        verifier().verify_authorization(&both, time()).map(|_| ()),
        Err(VerifyError::AmbiguousAuthentication)
    );
}

#[test]
fn extreme_skews_and_expiries_are_errors_not_panics() {
    let target = upload_link();
    let req = ReceivedRequest::new("PUT", &target).header("host", HOST);
    for skew in [
        Duration::MAX,
        Duration::from_secs(i64::MAX as u64),
        Duration::ZERO,
    ] {
        let v = verifier().max_skew(skew);
        assert!(v.verify_presigned(&req, time()).is_ok());
        let ancient = SigningTime::parse_amz_date("00010101T000000Z").unwrap();
        let far = SigningTime::parse_amz_date("99991231T235959Z").unwrap();
        assert!(v.verify_presigned(&req, far).is_err());
        let early = v.verify_presigned(&req, ancient);
        if skew == Duration::ZERO {
            assert!(matches!(early, Err(VerifyError::NotYetValid { .. })));
        } else {
            assert!(early.is_ok(), "{skew:?}: {early:?}");
        }
    }
    let v = verifier().max_expires(Duration::MAX);
    assert!(v.verify_presigned(&req, time()).is_ok());
    // A zero expiry is too short, not too long.
    let zero = target.replace("X-Amz-Expires=300", "X-Amz-Expires=0");
    let req = ReceivedRequest::new("PUT", &zero).header("host", HOST);
    assert_eq!(
        verifier().verify_presigned(&req, time()).map(|_| ()),
        Err(VerifyError::ExpiryTooShort { seconds: 0, min: 1 })
    );
    // Header signing, with the largest skew.
    let headers = header_signed_put(b"");
    let far = SigningTime::parse_amz_date("99991231T235959Z").unwrap();
    assert!(
        verifier()
            .max_skew(Duration::MAX)
            .verify_authorization(&received(&headers), far)
            .is_ok()
    );
}

fn sha256_of(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

#[test]
fn a_link_for_another_host_is_refused_when_hosts_are_set() {
    // A link signed for S3 itself, sent to a gateway that knows the same
    // keys (with the Host it was signed for, as a client may send it).
    let target = upload_link();
    let for_s3 = ReceivedRequest::new("PUT", &target).header("host", HOST);
    // Without a host list it verifies there too...
    assert!(verifier().verify_presigned(&for_s3, time()).is_ok());
    // ...and with the gateway's own host accepted, it does not.
    let gate = verifier().accept_host("gateway.example:8700");
    assert_eq!(
        gate.verify_presigned(&for_s3, time()).map(|_| ()),
        Err(VerifyError::HostNotAccepted { host: HOST.into() })
    );
    // Hosts compare ignoring case.
    let gate = verifier()
        .accept_host("gateway.example:8700")
        .accept_host(HOST.to_uppercase());
    assert!(gate.verify_presigned(&for_s3, time()).is_ok());
}

// Where the headers a request carries sit among each other does not change
// what verifies: the signed ones are picked out wherever they are, unsigned
// ones that are not `x-amz-*` are left to the caller, and any change to a
// signed value is refused, whatever comes before or after it.

/// The headers of a signed PUT, `host` and `content-type` first.
fn signed_put() -> Vec<(String, String)> {
    let s3 =
        Signer::new(Region::new("us-east-1").unwrap(), Service::s3()).sign_content_sha256(true);
    let put = SignableRequest::new(Method::PUT, HOST, "/photos/a.jpg")
        .header("content-type", "image/jpeg")
        .payload(Payload::Bytes(b"jpeg bytes"));
    let creds = creds();
    let signed = s3.sign_headers(&put, &creds, time()).unwrap();
    let mut headers = vec![
        ("host".to_owned(), HOST.to_owned()),
        ("content-type".to_owned(), "image/jpeg".to_owned()),
    ];
    headers.extend(signed.iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
    headers
}

fn verify(headers: &[(String, String)]) -> Result<(), VerifyError> {
    let mut request = ReceivedRequest::new("PUT", "/photos/a.jpg");
    for (name, value) in headers {
        request.push_header(name, value);
    }
    Verifier::with_lookup(creds())
        .verify(&request, time())
        .map(|_| ())
}

#[test]
fn unsigned_headers_anywhere_are_left_to_the_caller() {
    let headers = signed_put();
    assert_eq!(verify(&headers), Ok(()));
    // Every rotation of the list, with an unsigned header at every place.
    for turn in 0..headers.len() {
        let mut turned = headers.clone();
        turned.rotate_left(turn);
        assert_eq!(verify(&turned), Ok(()), "turned by {turn}");
        for at in 0..=turned.len() {
            let mut with = turned.clone();
            with.insert(at, ("User-Agent".to_owned(), "curl/8".to_owned()));
            assert_eq!(
                verify(&with),
                Ok(()),
                "turned by {turn}, user-agent at {at}"
            );
            // A changed signed value is refused wherever the unsigned
            // header sits.
            for changed in 0..with.len() {
                let name = with[changed].0.to_ascii_lowercase();
                if name == "user-agent" || name == "authorization" {
                    continue;
                }
                let mut tampered = with.clone();
                tampered[changed].1.push('x');
                assert!(
                    verify(&tampered).is_err(),
                    "turned by {turn}, user-agent at {at}, {name} changed"
                );
            }
        }
    }
}

#[test]
fn an_unsigned_x_amz_header_anywhere_is_refused() {
    let headers = signed_put();
    for at in 0..=headers.len() {
        let mut with = headers.clone();
        with.insert(at, ("x-amz-acl".to_owned(), "public-read".to_owned()));
        assert!(
            matches!(verify(&with), Err(VerifyError::UnsignedHeader { .. })),
            "x-amz-acl at {at}"
        );
    }
}
