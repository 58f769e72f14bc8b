//! Errors name what is wrong once: a provider error does not call a bad
//! request "invalid credentials", and no source chain repeats a message.

use std::time::Duration;

use presign::provider::{ProviderError, StaticProvider};
use presign::s3::Bucket;
use presign::verify::{ReceivedRequest, Verifier, VerifyError};
use presign::{Credentials, Error, ErrorKind, Method, Region, SigningTime};

/// The error and its sources, one message each.
fn chain(e: &dyn std::error::Error) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut next = e.source();
    while let Some(e) = next {
        out.push(e.to_string());
        next = e.source();
    }
    out
}

/// No message in the chain contains the next one (which printing the
/// chain would then show twice).
fn assert_no_repeats(e: &dyn std::error::Error) {
    let c = chain(e);
    for pair in c.windows(2) {
        assert!(
            !pair[0].contains(&pair[1]),
            "{:?} repeats its source {:?}",
            pair[0],
            pair[1]
        );
    }
}

fn setup() -> (Bucket, StaticProvider, SigningTime) {
    let creds = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap();
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    (bucket, StaticProvider::new(creds), time)
}

#[test]
fn a_bad_request_signed_through_a_provider_is_not_a_credentials_error() {
    let (bucket, provider, time) = setup();
    let e = bucket
        .get_object("")
        .presign_with(&provider, time, Duration::from_secs(60))
        .unwrap_err();
    assert!(
        matches!(e, ProviderError::Signing(Error::EmptyKey)),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "invalid object key: empty");
    assert!(!e.to_string().contains("credentials"));
    assert_no_repeats(&e);

    let e = bucket
        .get_object("a")
        .presign_with(&provider, time, Duration::from_secs(8 * 86400))
        .unwrap_err();
    assert!(
        matches!(e, ProviderError::Signing(Error::ExpiresOutOfRange { .. })),
        "{e:?}"
    );
    assert_no_repeats(&e);
}

#[test]
fn a_malformed_received_request_names_its_fault_once() {
    let (bucket, provider, time) = setup();
    let creds = presign::provider::ProvideCredentials::credentials(&provider, time).unwrap();
    let url = bucket
        .get_object("a.txt")
        .presign(&creds, time, Duration::from_secs(600))
        .unwrap();
    let host = "examplebucket.s3.us-east-1.amazonaws.com";
    let target = &url.as_str()[url.as_str().find(host).unwrap() + host.len()..];
    let verifier = Verifier::with_lookup((*creds).clone());
    let target = target.replacen("/a.txt", "/a\u{1}.txt", 1);
    let bad = ReceivedRequest::new("GET", &target).header("host", host);
    let e = verifier.verify(&bad, time).unwrap_err();
    assert!(
        matches!(e, VerifyError::MalformedRequest(Error::InvalidPath { .. })),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("invalid path"), "{e}");
    assert_no_repeats(&e);
}

#[test]
fn errors_are_grouped_where_callers_branch() {
    let (bucket, provider, time) = setup();
    let creds = presign::provider::ProvideCredentials::credentials(&provider, time).unwrap();
    let kind = |e: Error| e.kind();
    assert_eq!(
        kind(Credentials::new("", "s").unwrap_err()),
        ErrorKind::Credentials
    );
    assert_eq!(kind(Method::new("G T").unwrap_err()), ErrorKind::Request);
    assert_eq!(kind(Region::new("").unwrap_err()), ErrorKind::Request);
    assert_eq!(
        kind(SigningTime::parse_amz_date("x").unwrap_err()),
        ErrorKind::Expiry
    );
    assert_eq!(
        kind(Bucket::new("", Region::new("us-east-1").unwrap()).unwrap_err()),
        ErrorKind::S3
    );
    let too_long = bucket
        .get_object("a")
        .presign(&creds, time, Duration::from_secs(8 * 86400));
    assert_eq!(kind(too_long.unwrap_err()), ErrorKind::Expiry);
    assert_eq!(
        kind(
            bucket
                .get_object("")
                .presign(&creds, time, Duration::from_secs(1))
                .unwrap_err()
        ),
        ErrorKind::S3
    );
}
