//! `${filename}` in POST form fields other than `key`.
//!
//! S3 replaces `${filename}` in every form field with the uploaded file's
//! name (the text after the last `/` or `\` of the part's `filename`, empty
//! when there is none) and checks the policy against the replaced values.
//! An exact-match condition on a field holding `${filename}` therefore
//! fails for any real file name (aws-sdk-js-v3 #7191): such a field needs a
//! `starts-with` condition on the part before the placeholder.

use std::time::Duration;

use presign::s3::{Bucket, Condition, PostKey, PresignedPost};
use presign::verify::{Verifier, VerifyError};
use presign::{Credentials, Region, SigningTime};

const BUCKET: &str = "examplebucket";
const REDIRECT: &str = "https://example.com/done?file=${filename}";

fn creds() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .expect("credentials")
}

fn signed_at() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").expect("time")
}

fn later() -> SigningTime {
    SigningTime::from_unix_timestamp(signed_at().unix_timestamp() + 60).expect("time")
}

fn bucket() -> Bucket {
    Bucket::new(BUCKET, Region::new("us-east-1").expect("region")).expect("bucket")
}

fn verifier() -> Verifier<impl Fn(&str) -> Option<Credentials>> {
    Verifier::new(|id: &str| (id == "AKIAIOSFODNN7EXAMPLE").then(creds))
        .accept_region(Region::new("us-east-1").expect("region"))
}

fn post() -> PresignedPost {
    bucket()
        .post_policy(
            PostKey::new("uploads/${filename}"),
            signed_at(),
            Duration::from_secs(600),
        )
        .metadata("original-name", "${filename}")
        .success_action_redirect(REDIRECT)
        .content_disposition("attachment; filename=\"${filename}\"")
        .acl("private")
        .sign(&creds())
        .expect("signs")
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

#[test]
fn a_field_holding_the_placeholder_gets_a_prefix_condition() {
    let post = post();
    let conditions = post.conditions();
    assert!(conditions.contains(&Condition::starts_with("x-amz-meta-original-name", "")));
    assert!(conditions.contains(&Condition::starts_with(
        "success_action_redirect",
        "https://example.com/done?file="
    )));
    assert!(conditions.contains(&Condition::starts_with(
        "Content-Disposition",
        "attachment; filename=\""
    )));
    // Fields without the placeholder keep their exact match.
    assert!(conditions.contains(&Condition::eq("acl", "private")));
    // The form still carries the placeholder for S3 to replace.
    assert!(
        post.fields()
            .any(|(n, v)| n == "success_action_redirect" && v == REDIRECT)
    );
    assert!(!post.policy_json().contains("{\"success_action_redirect\""));
}

#[test]
fn the_form_verifies_as_s3_replaces_the_file_name() {
    let post = post();
    let fields: Vec<(&str, &str)> = post.fields().collect();
    let v = verifier();
    for name in [
        Some("cat.jpg"),
        Some("C:\\Pictures\\cat.jpg"),
        Some("/home/u/cat.jpg"),
    ] {
        let ok = v
            .verify_post_with_filename(&fields, name, 100, BUCKET, later())
            .expect("verifies");
        assert_eq!(ok.key, "uploads/cat.jpg", "{name:?}");
    }
    // No file name: S3 substitutes the empty string.
    let ok = v
        .verify_post_with_filename(&fields, None, 100, BUCKET, later())
        .expect("verifies");
    assert_eq!(ok.key, "uploads/");
    // The file name unknown: the form passes for every name S3 could use.
    let ok = v
        .verify_post(&fields, 100, BUCKET, later())
        .expect("verifies");
    assert_eq!(ok.key, "uploads/${filename}");
}

/// What the crate signed before this fix (and aws-sdk-js-v3 still signs):
/// an exact match on a field that holds `${filename}`. S3 compares the
/// replaced value, which differs, and refuses the upload.
#[test]
fn an_exact_match_on_a_placeholder_field_is_refused_as_s3_refuses_it() {
    let b = bucket();
    let t = signed_at();
    let credential = "AKIAIOSFODNN7EXAMPLE/20260524/us-east-1/s3/aws4_request";
    let policy = format!(
        "{{\"expiration\":\"2026-05-24T12:10:00.000Z\",\"conditions\":[\
         {{\"bucket\":\"{BUCKET}\"}},[\"starts-with\",\"$key\",\"uploads/\"],\
         {{\"success_action_redirect\":\"{REDIRECT}\"}},\
         {{\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\"}},{{\"x-amz-credential\":\"{credential}\"}},\
         {{\"x-amz-date\":\"20260524T120000Z\"}}]}}"
    );
    let signed = b.sign_policy_document(&policy, &creds(), t);
    let signature = signed.signature.to_string();
    let fields = [
        ("key", "uploads/${filename}"),
        ("success_action_redirect", REDIRECT),
        ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
        ("x-amz-credential", credential),
        ("x-amz-date", "20260524T120000Z"),
        ("policy", signed.policy_base64.as_str()),
        ("x-amz-signature", signature.as_str()),
    ];
    let v = verifier();
    let refused = |r: Result<presign::verify::VerifiedPost, VerifyError>| match r {
        Err(VerifyError::PolicyViolation { field, .. }) => {
            assert_eq!(field, "success_action_redirect");
        }
        other => panic!("expected a policy violation, got {other:?}"),
    };
    refused(v.verify_post_with_filename(&fields, Some("cat.jpg"), 1, BUCKET, later()));
    refused(v.verify_post(&fields, 1, BUCKET, later()));
    // S3 would accept it only for a file literally named `${filename}`.
    assert!(
        v.verify_post_with_filename(&fields, Some("${filename}"), 1, BUCKET, later())
            .is_ok()
    );
}

#[test]
fn a_prefix_after_the_placeholder_is_checked_on_the_replaced_value() {
    // A prefix condition reaching past the placeholder holds only for some
    // names: S3 checks the replaced value.
    let post = bucket()
        .post_policy(PostKey::new("k"), signed_at(), Duration::from_secs(600))
        .condition(Condition::starts_with("x-amz-meta-name", "cat"))
        .sign(&creds())
        .expect("signs");
    let mut fields: Vec<(String, String)> = post
        .fields()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    fields.push(("x-amz-meta-name".into(), "${filename}".into()));
    let fields = refs(&fields);
    let v = verifier();
    assert!(
        v.verify_post_with_filename(&fields, Some("cat.jpg"), 1, BUCKET, later())
            .is_ok()
    );
    assert!(matches!(
        v.verify_post_with_filename(&fields, Some("dog.jpg"), 1, BUCKET, later()),
        Err(VerifyError::PolicyViolation { .. })
    ));
    // Unknown name: not every name starts with "cat".
    assert!(matches!(
        v.verify_post(&fields, 1, BUCKET, later()),
        Err(VerifyError::PolicyViolation { .. })
    ));
}

#[test]
fn a_post_policy_checksum_is_typed_and_an_empty_one_limits_the_size() {
    use presign::{Checksum, ChecksumAlgorithm};
    let crc = Checksum::compute(ChecksumAlgorithm::Crc32c, b"hello").expect("non-empty");
    let post = bucket()
        .post_policy(PostKey::new("k"), signed_at(), Duration::from_secs(600))
        .checksum(&crc)
        .sign(&creds())
        .expect("signs");
    assert!(
        post.conditions()
            .contains(&Condition::eq("x-amz-checksum-crc32c", crc.as_str()))
    );
    assert!(
        !post
            .conditions()
            .iter()
            .any(|c| matches!(c, Condition::ContentLengthRange { .. }))
    );
    let empty = Checksum::of_empty_body(ChecksumAlgorithm::Sha256);
    let post = bucket()
        .post_policy(PostKey::new("k"), signed_at(), Duration::from_secs(600))
        .checksum(&empty)
        .sign(&creds())
        .expect("signs");
    assert!(
        post.conditions()
            .contains(&Condition::ContentLengthRange { min: 0, max: 0 })
    );
    let fields: Vec<(&str, &str)> = post.fields().collect();
    assert!(verifier().verify_post(&fields, 0, BUCKET, later()).is_ok());
    assert!(matches!(
        verifier().verify_post(&fields, 1, BUCKET, later()),
        Err(VerifyError::PolicyViolation { .. })
    ));
}

// Found by the `verify_post` fuzz target: a field named with a leading `$`
// whose value holds the placeholder got a `starts-with` condition on the
// name without its `$` (as `Condition::starts_with("$Content-Type", ..)`
// reads a JSON-style name), so the form's own field never matched it and
// the signer's form failed its own policy.
#[test]
fn a_placeholder_field_named_with_a_dollar_keeps_its_name() {
    let post = bucket()
        .post_policy(
            PostKey::new("uploads/${filename}"),
            signed_at(),
            Duration::from_secs(600),
        )
        .field("$$meta", "${filename}")
        .field("$plain", "exact")
        .sign(&creds())
        .unwrap();
    let fields: Vec<(&str, &str)> = post.fields().collect();
    assert!(fields.contains(&("$$meta", "${filename}")));
    assert!(post.conditions().contains(&Condition::StartsWith {
        field: "$$meta".to_owned(),
        prefix: String::new(),
    }));
    verifier()
        .verify_post(&fields, 100, BUCKET, later())
        .expect("the signer's own form verifies");
    verifier()
        .verify_post_with_filename(&fields, Some("cat.jpg"), 100, BUCKET, later())
        .expect("and with a file name");
}
