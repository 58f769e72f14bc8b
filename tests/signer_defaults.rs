//! The signer's defaults and limits: what a header-signed request carries
//! for each service, and expiries and times at the edges of what can be
//! represented (typed errors, never a panic or a wrapped date).

use std::time::Duration;

use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, Signer, SigningTime,
};

fn creds() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap()
}

fn signer(service: &str) -> Signer {
    Signer::new(
        Region::new("us-east-1").unwrap(),
        Service::new(service).unwrap(),
    )
}

/// The header names a header-signed request gets, and its signed headers.
fn header_names(signer: &Signer, req: &SignableRequest<'_>) -> (Vec<&'static str>, String) {
    let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
    let creds = creds();
    let signed = signer.sign_headers(req, &creds, time).unwrap();
    let names = signed.iter().map(|(n, _)| n).collect();
    let auth = signed.authorization();
    let signed_headers = auth
        .split(", ")
        .find_map(|p| p.strip_prefix("SignedHeaders="))
        .unwrap()
        .to_owned();
    (names, signed_headers)
}

#[test]
fn s3_header_signing_sends_and_signs_the_content_hash_by_default() {
    let req = SignableRequest::new(Method::GET, "examplebucket.s3.amazonaws.com", "/test.txt");
    for service in ["s3", "s3express", "s3-outposts", "s3-object-lambda"] {
        let (names, signed_headers) = header_names(&signer(service), &req);
        assert_eq!(
            names,
            ["authorization", "x-amz-date", "x-amz-content-sha256"],
            "{service}"
        );
        assert_eq!(
            signed_headers, "host;x-amz-content-sha256;x-amz-date",
            "{service}"
        );
    }
    // Other services: not unless asked.
    for service in ["iam", "sts", "execute-api", "s3tables"] {
        let (names, signed_headers) = header_names(&signer(service), &req);
        assert_eq!(names, ["authorization", "x-amz-date"], "{service}");
        assert_eq!(signed_headers, "host;x-amz-date", "{service}");
    }
    // The setter overrides the default either way.
    let (names, _) = header_names(&signer("s3").sign_content_sha256(false), &req);
    assert_eq!(names, ["authorization", "x-amz-date"]);
    let (names, signed_headers) = header_names(&signer("iam").sign_content_sha256(true), &req);
    assert_eq!(
        names,
        ["authorization", "x-amz-date", "x-amz-content-sha256"]
    );
    assert_eq!(signed_headers, "host;x-amz-content-sha256;x-amz-date");
}

/// The S3 API Reference's GET Object example ("Signature Calculations for the
/// Authorization Header"), signed by a plain `Signer::new(_, s3)`.
#[test]
fn s3_documentation_get_object_with_the_default_signer() {
    let s3 = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
    let req = SignableRequest::new(Method::GET, "examplebucket.s3.amazonaws.com", "/test.txt")
        .header("Range", "bytes=0-9")
        .payload(Payload::Bytes(b""));
    let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
    let creds = creds();
    let signed = s3.sign_headers(&req, &creds, time).unwrap();
    assert_eq!(
        signed.x_amz_content_sha256(),
        Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert_eq!(
        signed.signature().to_string(),
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    // An unsigned payload is announced as such.
    let unsigned = req.clone().payload(Payload::Unsigned);
    let signed = s3.sign_headers(&unsigned, &creds, time).unwrap();
    assert_eq!(signed.x_amz_content_sha256(), Some("UNSIGNED-PAYLOAD"));
}

#[test]
fn presigning_never_adds_the_content_hash() {
    let req = SignableRequest::new(Method::GET, "examplebucket.s3.amazonaws.com", "/test.txt")
        .payload(Payload::Unsigned);
    let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
    let presigned = signer("s3")
        .presign(&req, &creds(), time, Duration::from_secs(86_400))
        .unwrap();
    // The S3 documentation's presigned URL, unchanged.
    assert!(presigned.uri().ends_with(
        "X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    ));
}
