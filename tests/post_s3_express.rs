//! A POST policy signed with S3 Express One Zone session credentials
//! carries the session token as `X-Amz-S3session-Token`, in the form and in
//! the policy's conditions, as botocore's `S3ExpressPostAuth` writes it, and
//! never as `x-amz-security-token` (which S3 Express does not read).

use std::time::Duration;

use base64::Engine;
use presign::s3::{Bucket, PostKey};
use presign::{Credentials, Region, SigningTime};

#[test]
fn the_session_token_travels_under_its_own_name() {
    let session = Credentials::new("ASIAEXPRESSSESSION", "session/secret")
        .unwrap()
        .with_s3_express_session_token("IQoJb3JpZ2luEXPRESSTOKEN")
        .unwrap();
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    let bucket = Bucket::new(
        "mybucket--usw2-az1--x-s3",
        Region::new("us-west-2").unwrap(),
    )
    .unwrap();
    let post = bucket
        .post_policy(
            PostKey::new("uploads/a.txt"),
            time,
            Duration::from_secs(300),
        )
        .sign(&session)
        .unwrap();
    let field = |name: &str| {
        post.fields()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
    };
    assert_eq!(
        field("X-Amz-S3session-Token").as_deref(),
        Some("IQoJb3JpZ2luEXPRESSTOKEN")
    );
    assert!(
        post.fields()
            .all(|(n, _)| !n.eq_ignore_ascii_case("x-amz-security-token"))
    );
    let policy = base64::engine::general_purpose::STANDARD
        .decode(field("policy").unwrap())
        .unwrap();
    let policy = String::from_utf8(policy).unwrap();
    assert!(
        policy.contains(r#"{"X-Amz-S3session-Token":"IQoJb3JpZ2luEXPRESSTOKEN"}"#),
        "{policy}"
    );
    assert!(!policy.contains("x-amz-security-token"), "{policy}");
    // Debug hides it as it hides an STS token.
    assert!(!format!("{post:?}").contains("IQoJb3JpZ2luEXPRESSTOKEN"));
    // A caller may not set the field itself.
    let e = bucket
        .post_policy(PostKey::new("u/a"), time, Duration::from_secs(300))
        .field("x-amz-s3session-token", "forged")
        .sign(&session);
    assert!(
        matches!(e, Err(presign::Error::ReservedPostField { .. })),
        "{e:?}"
    );
}
