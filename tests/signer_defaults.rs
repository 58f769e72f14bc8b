//! The signer's defaults and limits: what a header-signed request carries
//! for each service, and expiries and times at the edges of what can be
//! represented (typed errors, never a panic or a wrapped date).

use std::time::Duration;

use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, SignatureLocation, Signer,
    SigningTime,
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

#[test]
fn an_s3_presign_without_a_payload_signs_what_s3_reads() {
    // S3 reads every presigned URL without X-Amz-Content-Sha256 as
    // UNSIGNED-PAYLOAD; a URL signed over the empty body's hash is refused.
    let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
    let req = SignableRequest::new(Method::GET, "examplebucket.s3.amazonaws.com", "/test.txt");
    let location = SignatureLocation::Query {
        expires_in: Duration::from_secs(86_400),
    };
    let canonical = signer("s3")
        .canonical_request(&req, &creds(), time, location)
        .unwrap();
    assert!(canonical.as_str().ends_with("\nUNSIGNED-PAYLOAD"));
    let presigned = signer("s3")
        .presign(&req, &creds(), time, Duration::from_secs(86_400))
        .unwrap();
    // The S3 documentation's presigned URL.
    assert!(presigned.uri().ends_with(
        "X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    ));
    // Other services, and S3 header signing, sign an empty body by default.
    let iam = signer("iam")
        .canonical_request(&req, &creds(), time, location)
        .unwrap();
    assert!(iam.as_str().ends_with(EMPTY_SHA256));
    let headers = signer("s3")
        .canonical_request(&req, &creds(), time, SignatureLocation::Headers)
        .unwrap();
    assert!(headers.as_str().ends_with(EMPTY_SHA256));
}

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn bucket() -> presign::s3::Bucket {
    presign::s3::Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap()
}

fn at(amz_date: &str) -> SigningTime {
    SigningTime::parse_amz_date(amz_date).unwrap()
}

#[test]
fn a_post_policy_expiring_after_the_year_9999_is_a_typed_error() {
    use presign::s3::PostKey;
    let week = Duration::from_secs(604_800);
    let late = at("99991231T000000Z");
    let e = bucket()
        .post_policy(PostKey::new("k"), late, week)
        .sign(&creds())
        .unwrap_err();
    assert!(matches!(e, presign::Error::TimeOutOfRange { .. }), "{e:?}");
    assert!(e.to_string().contains("after the year 9999"), "{e}");
    // Up to the last second of 9999 is fine.
    let post = bucket()
        .post_policy(PostKey::new("k"), late, Duration::from_secs(86_399))
        .sign(&creds())
        .unwrap();
    assert_eq!(post.expiration().year(), 9999);
    assert!(
        post.policy_json()
            .starts_with(r#"{"expiration":"9999-12-31T23:59:59.000Z""#)
    );
}

#[test]
fn a_raised_expiry_cap_never_wraps_the_policy_expiration() {
    use presign::s3::PostKey;
    let now = at("20260524T120000Z");
    let uncapped = bucket().max_expires(Duration::MAX);
    for secs in [u64::MAX, 1 << 63, (1 << 63) - 1, 1 << 40, 253_402_300_800] {
        let e = uncapped
            .post_policy(PostKey::new("k"), now, Duration::from_secs(secs))
            .sign(&creds());
        assert!(
            matches!(e, Err(presign::Error::TimeOutOfRange { .. })),
            "{secs}: {e:?}"
        );
    }
    // A long but representable expiry is honoured, after the signing time.
    let century = Duration::from_secs(100 * 365 * 86_400);
    let post = uncapped
        .post_policy(PostKey::new("k"), now, century)
        .sign(&creds())
        .unwrap();
    assert!(post.expiration() > now.to_offset_date_time());
    assert_eq!(post.expiration().year(), 2126);
}

#[test]
fn a_zero_expiry_names_the_allowed_range() {
    let req = SignableRequest::new(Method::GET, "examplebucket.s3.amazonaws.com", "/test.txt");
    let e = signer("s3")
        .presign(&req, &creds(), at("20130524T000000Z"), Duration::ZERO)
        .unwrap_err();
    assert_eq!(
        e,
        presign::Error::ExpiresOutOfRange {
            seconds: 0,
            min: 1,
            max: 604_800
        }
    );
    assert_eq!(
        e.to_string(),
        "expiry of 0 s is out of range: expected 1 to 604800 s"
    );
    // Sub-second expiries are whole seconds: 0.9 s is 0 s.
    let e = signer("s3")
        .presign(
            &req,
            &creds(),
            at("20130524T000000Z"),
            Duration::from_millis(900),
        )
        .unwrap_err();
    assert!(matches!(
        e,
        presign::Error::ExpiresOutOfRange { seconds: 0, .. }
    ));
}
