//! Where the headers a request carries sit among each other does not
//! change what verifies: the signed ones are picked out wherever they are,
//! unsigned ones that are not `x-amz-*` are left to the caller, and any
//! change to a signed value is refused, whatever comes before or after it.

use presign::verify::{ReceivedRequest, Verifier, VerifyError};
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
