//! The verifier in front of S3 Express One Zone storage: requests signed
//! with a `CreateSession` session carry its token as `X-Amz-S3session-Token`
//! (presigned) or `x-amz-s3session-token` (header-signed). They verify
//! against the session's credentials, and a token under the other name, or
//! a session token where an STS token is expected (and the reverse), is
//! refused.

use std::time::Duration;

use presign::s3::Bucket;
use presign::verify::{ReceivedRequest, Verifier, VerifyError};
use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, Signer, SigningTime,
};

const HOST: &str = "mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com";

fn session() -> Credentials {
    Credentials::new("ASIASESSIONEXAMPLE", "session/secret")
        .unwrap()
        .with_s3_express_session_token("IQoJb3JpZ2luEXPRESS+token/=")
        .unwrap()
}

fn sts_with_the_same_token() -> Credentials {
    Credentials::new("ASIASESSIONEXAMPLE", "session/secret")
        .unwrap()
        .with_session_token("IQoJb3JpZ2luEXPRESS+token/=")
        .unwrap()
}

fn verifier(known: Credentials) -> Verifier<impl Fn(&str) -> Option<Credentials>> {
    Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
        .service(Service::new("s3express").unwrap())
        .accept_region(Region::new("us-west-2").unwrap())
}

fn time() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").unwrap()
}

#[test]
fn a_presigned_url_verifies_with_its_session() {
    let bucket = Bucket::new(
        "mybucket--usw2-az1--x-s3",
        Region::new("us-west-2").unwrap(),
    )
    .unwrap();
    let url = bucket
        .get_object("photos/cat.jpg")
        .presign(&session(), time(), Duration::from_secs(300))
        .unwrap();
    let target = &url.as_str()[url.as_str().find(HOST).unwrap() + HOST.len()..];
    let request = ReceivedRequest::new("GET", target).header("host", HOST);
    let verified = verifier(session()).verify(&request, time());
    assert!(verified.is_ok(), "{verified:?}");

    // Credentials whose token is an STS one: the token travelled under the
    // wrong name for them.
    assert_eq!(
        verifier(sts_with_the_same_token())
            .verify(&request, time())
            .err(),
        Some(VerifyError::SecurityTokenMismatch)
    );
    // The same token moved to X-Amz-Security-Token: another request.
    let renamed = target.replace("X-Amz-S3session-Token=", "X-Amz-Security-Token=");
    let request = ReceivedRequest::new("GET", &renamed).header("host", HOST);
    assert!(verifier(session()).verify(&request, time()).is_err());
    // No token at all.
    let start = target.find("&X-Amz-S3session-Token=").unwrap();
    let end = target[start + 1..].find('&').unwrap() + start + 1;
    let without = format!("{}{}", &target[..start], &target[end..]);
    let request = ReceivedRequest::new("GET", &without).header("host", HOST);
    assert!(verifier(session()).verify(&request, time()).is_err());
}

#[test]
fn a_header_signed_request_verifies_with_its_session() {
    let signer = Signer::new(
        Region::new("us-west-2").unwrap(),
        Service::new("s3express").unwrap(),
    );
    let req = SignableRequest::new(Method::PUT, HOST, "/notes.txt").payload(Payload::Unsigned);
    let creds = session();
    let signed = signer.sign_headers(&req, &creds, time()).unwrap();
    assert!(signed.x_amz_s3session_token().is_some());
    let mut request = ReceivedRequest::new("PUT", "/notes.txt").header("host", HOST);
    for (name, value) in signed.iter() {
        request = request.header(name, value);
    }
    let verified = verifier(session()).verify(&request, time());
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(
        verifier(sts_with_the_same_token())
            .verify(&request, time())
            .err(),
        Some(VerifyError::SecurityTokenMismatch)
    );
    // An STS token header beside it, unsigned: refused as S3 refuses it.
    let extra = request
        .clone()
        .header("x-amz-security-token", "IQoJb3JpZ2luEXPRESS+token/=");
    assert!(verifier(session()).verify(&extra, time()).is_err());
}
