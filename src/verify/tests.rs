//! Unit tests of the verifier.

use super::post::policy_expiration;
use super::*;
use crate::s3::{Bucket, PostKey};

fn creds() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap()
}

fn verifier() -> Verifier<impl Fn(&str) -> Option<Credentials>> {
    let known = creds();
    Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
}

fn at(s: &str) -> SigningTime {
    SigningTime::parse_amz_date(s).unwrap()
}

// The S3 documentation's presigned GET (sigv4-query-string-auth.html).
const TARGET: &str = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
    &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
    &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
    &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

#[test]
fn the_signature_is_compared_exactly() {
    let host = "examplebucket.s3.amazonaws.com";
    let ok = ReceivedRequest::new("GET", TARGET).header("host", host);
    assert!(
        verifier()
            .verify_presigned(&ok, at("20130524T000000Z"))
            .is_ok()
    );
    let upper = TARGET.replace("aeeed9bb", "AEEED9BB");
    let upper = ReceivedRequest::new("GET", &upper).header("host", host);
    assert_eq!(
        verifier().verify_presigned(&upper, at("20130524T000000Z")),
        Err(VerifyError::SignatureMismatch)
    );
}

#[test]
fn policy_expirations_are_parsed_strictly() {
    assert_eq!(
        policy_expiration(r#"{"expiration":"2015-12-30T12:00:00.000Z"}"#),
        Ok(1_451_476_800)
    );
    assert_eq!(
        policy_expiration(r#"{"expiration":"2015-12-30T12:00:00Z"}"#),
        Ok(1_451_476_800)
    );
    for bad in [
        r#"{"expiration":"2015-12-30T12:00:0é.000Z"}"#,
        r#"{"expiration":"2015-12-30T12:00:00.Z"}"#,
        r#"{"expiration":"2015-12-30 12:00:00Z"}"#,
        r#"{"expiration":1}"#,
        r#"{}"#,
        "not json",
    ] {
        assert!(policy_expiration(bad).is_err(), "{bad}");
    }
}

#[test]
fn an_explicit_path_mode_survives_a_service_change() {
    let v = verifier()
        .path_mode(PathMode::S3)
        .service(Service::new("execute-api").unwrap());
    assert_eq!(v.effective_path_mode(), PathMode::S3);
    let v = verifier().service(Service::new("execute-api").unwrap());
    assert_eq!(v.effective_path_mode(), PathMode::Standard);
}

#[test]
fn post_forms_from_the_future_or_for_another_bucket_are_refused() {
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let post = bucket
        .post_policy(
            PostKey::new("k"),
            at("20260524T120000Z"),
            Duration::from_secs(3600),
        )
        .sign(&creds())
        .unwrap();
    let fields: Vec<(&str, &str)> = post.fields().collect();
    let v = verifier();
    assert!(
        v.verify_post(&fields, 1, "examplebucket", at("20260524T120100Z"))
            .is_ok()
    );
    assert!(matches!(
        v.verify_post(&fields, 1, "examplebucket", at("20260524T114000Z")),
        Err(VerifyError::NotYetValid { .. })
    ));
    let mut other = fields.clone();
    other.push(("bucket", "otherbucket"));
    assert!(matches!(
        v.verify_post(&other, 1, "examplebucket", at("20260524T120100Z")),
        Err(VerifyError::PolicyViolation { .. })
    ));
}

#[cfg(feature = "sigv4a")]
#[test]
fn region_set_globs() {
    use super::v4a::glob;
    assert!(glob("*", "us-east-1"));
    assert!(glob("us-east-1", "us-east-1"));
    assert!(!glob("us-east-1", "us-east-2"));
    assert!(glob("us-*", "us-west-2"));
    assert!(!glob("us-*", "eu-west-1"));
    assert!(glob("*-west-*", "eu-west-1"));
    assert!(!glob("us-east", "us-east-1"));
    assert!(!glob("", "us-east-1"));
    assert!(glob(&"*".repeat(200), "us-east-1"));
    assert!(!glob(
        &"*a".repeat(200),
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"
    ));
}

#[test]
fn expiries_are_plain_digits() {
    for (text, expected) in [
        ("86400", Some(86_400)),
        ("0", Some(0)),
        ("000000000001", Some(1)),
        ("999999999999", Some(999_999_999_999)),
        ("1000000000000", None),
        ("", None),
        ("+1", None),
        ("-1", None),
        (" 1", None),
        ("1 ", None),
        ("1e3", None),
        ("١", None),
    ] {
        assert_eq!(parse_digits(text), expected, "{text:?}");
    }
}
