//! The POST verifier (`Verifier::verify_post`) against policies the crate
//! itself signs (`Bucket::post_policy(...).sign(...)`) and the S3
//! documentation's browser-upload example: what the policy allows verifies,
//! and each violated condition fails with the error that names it.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::{json_str, read_json, vectors_dir};
use presign::s3::{Bucket, Condition, PostKey, PresignedPost};
use presign::verify::{Verifier, VerifyError};
use presign::{Credentials, Region, SigningTime};

const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE//////////wEaDSessionToken+/=";
const BUCKET: &str = "examplebucket";
const MIN: u64 = 10;
const MAX: u64 = 1_000;

fn creds() -> Credentials {
    Credentials::new(ACCESS_KEY_ID, SECRET).expect("credentials")
}

fn temporary() -> Credentials {
    creds().with_session_token(TOKEN).expect("token")
}

fn signed_at() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").expect("time")
}

fn after(seconds: i64) -> SigningTime {
    SigningTime::from_unix_timestamp(signed_at().unix_timestamp() + seconds).expect("time")
}

fn bucket() -> Bucket {
    Bucket::new(BUCKET, Region::new("us-east-1").expect("region")).expect("bucket")
}

/// A verifier that knows exactly `known`.
fn verifier(known: Credentials) -> Verifier<impl Fn(&str) -> Option<Credentials>> {
    Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
        .accept_region(Region::new("us-east-1").expect("region"))
}

/// The policy used by most tests: a key prefix, a size range, an exact ACL,
/// a content-type prefix and a metadata entry; valid for 10 minutes.
fn policy(credentials: &Credentials) -> PresignedPost {
    bucket()
        .post_policy(
            PostKey::new("uploads/user-42/${filename}"),
            signed_at(),
            Duration::from_secs(600),
        )
        .content_length_range(MIN, MAX)
        .acl("private")
        .starts_with("$Content-Type", "image/")
        .metadata("uuid", "14365123651274")
        .sign(credentials)
        .expect("signs")
}

/// The form as a browser posts it: the policy's fields (with `key` set to
/// a concrete key) plus the ones the client chooses (`Content-Type`).
fn form(post: &PresignedPost) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = post
        .fields()
        .map(|(n, v)| {
            let v = if n == "key" {
                "uploads/user-42/cat.jpg"
            } else {
                v
            };
            (n.to_owned(), v.to_owned())
        })
        .collect();
    fields.push(("Content-Type".to_owned(), "image/jpeg".to_owned()));
    fields
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out = fields.to_vec();
    let slot = out
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no field {name}"));
    slot.1 = value.to_owned();
    out
}

fn without(fields: &[(String, String)], name: &str) -> Vec<(String, String)> {
    let out: Vec<_> = fields
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case(name))
        .cloned()
        .collect();
    assert_eq!(out.len() + 1, fields.len(), "exactly one field {name}");
    out
}

fn plus(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out = fields.to_vec();
    out.push((name.to_owned(), value.to_owned()));
    out
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    &fields
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .1
}

/// Verifies `fields` at 5 minutes after signing, with a file of `size`.
fn check(
    known: Credentials,
    fields: &[(String, String)],
    size: u64,
) -> Result<presign::verify::VerifiedPost, VerifyError> {
    verifier(known).verify_post(&as_refs(fields), size, BUCKET, after(300))
}

fn violation(result: Result<presign::verify::VerifiedPost, VerifyError>, on: &str) {
    match result {
        Err(VerifyError::PolicyViolation { field, .. }) if field.eq_ignore_ascii_case(on) => {}
        other => panic!("expected a policy violation on {on:?}, got {other:?}"),
    }
}

#[test]
fn what_the_policy_allows_verifies() {
    let post = policy(&creds());
    let fields = form(&post);
    let v = check(creds(), &fields, 500).expect("verifies");
    assert_eq!(v.access_key_id, ACCESS_KEY_ID);
    assert_eq!(v.scope, "20260524/us-east-1/s3/aws4_request");
    assert_eq!(v.key, "uploads/user-42/cat.jpg");
    assert_eq!(v.conditions, post.conditions());

    // The sizes at both ends of the range, any key under the prefix, any
    // image type, field names in any case, at signing and at expiry.
    for size in [MIN, MAX] {
        check(creds(), &fields, size).expect("a size within the range");
    }
    for key in ["uploads/user-42/", "uploads/user-42/a/b/c d ü.png"] {
        check(creds(), &with(&fields, "key", key), 500).expect("a key under the prefix");
    }
    check(creds(), &with(&fields, "Content-Type", "image/"), 500).expect("the bare prefix");
    let upper: Vec<(String, String)> = fields
        .iter()
        .map(|(n, v)| (n.to_ascii_uppercase(), v.clone()))
        .collect();
    check(creds(), &upper, 500).expect("field names are case-insensitive");
    let v = verifier(creds());
    let refs = as_refs(&fields);
    v.verify_post(&refs, 500, BUCKET, signed_at())
        .expect("at signing");
    v.verify_post(&refs, 500, BUCKET, after(600))
        .expect("on its last second");

    // The key field as the policy gives it (S3 substitutes ${filename}).
    check(creds(), &as_pairs(&owned(&post)), 500).expect("the ${filename} key");
}

/// The signed fields, owned (to edit).
fn owned(post: &PresignedPost) -> Vec<(String, String)> {
    post.fields()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn as_pairs(fields: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = fields.to_vec();
    out.push(("Content-Type".to_owned(), "image/png".to_owned()));
    out
}

#[test]
fn file_size_outside_content_length_range() {
    let fields = form(&policy(&creds()));
    violation(check(creds(), &fields, MAX + 1), "content-length");
    violation(check(creds(), &fields, MIN - 1), "content-length");
    violation(check(creds(), &fields, 0), "content-length");
    violation(check(creds(), &fields, u64::MAX), "content-length");
}

#[test]
fn key_outside_the_starts_with_prefix() {
    let fields = form(&policy(&creds()));
    for key in [
        "uploads/user-43/cat.jpg",
        "uploads/user-42",
        "Uploads/user-42/cat.jpg",
        "other/cat.jpg",
        "",
    ] {
        violation(check(creds(), &with(&fields, "key", key), 500), "key");
    }
    // An exact key pins it.
    let post = bucket()
        .post_policy(
            PostKey::new("exact/name.txt"),
            signed_at(),
            Duration::from_secs(600),
        )
        .sign(&creds())
        .expect("signs");
    let exact: Vec<(String, String)> = owned(&post);
    check(creds(), &exact, 5).expect("the exact key");
    violation(
        check(creds(), &with(&exact, "key", "exact/name.txt2"), 5),
        "key",
    );
}

#[test]
fn wrong_exact_value_or_prefix() {
    let fields = form(&policy(&creds()));
    violation(
        check(creds(), &with(&fields, "acl", "public-read"), 500),
        "acl",
    );
    violation(check(creds(), &with(&fields, "acl", "Private"), 500), "acl");
    violation(
        check(
            creds(),
            &with(&fields, "x-amz-meta-uuid", "14365123651275"),
            500,
        ),
        "x-amz-meta-uuid",
    );
    violation(
        check(creds(), &with(&fields, "Content-Type", "text/html"), 500),
        "Content-Type",
    );
    violation(
        check(creds(), &with(&fields, "Content-Type", "Image/jpeg"), 500),
        "Content-Type",
    );
    // The bucket posted to is the bucket the policy names.
    match verifier(creds()).verify_post(&as_refs(&fields), 500, "otherbucket", after(300)) {
        Err(VerifyError::PolicyViolation { field, .. }) if field == "bucket" => {}
        other => panic!("another bucket: {other:?}"),
    }
}

#[test]
fn missing_required_field() {
    let fields = form(&policy(&creds()));
    for name in ["acl", "x-amz-meta-uuid", "Content-Type"] {
        violation(check(creds(), &without(&fields, name), 500), name);
    }
    // The fields every signature needs.
    for (name, param) in [
        ("key", "key"),
        ("policy", "policy"),
        ("x-amz-signature", "x-amz-signature"),
        ("x-amz-algorithm", "x-amz-algorithm"),
        ("x-amz-credential", "x-amz-credential"),
        ("x-amz-date", "x-amz-date"),
    ] {
        match check(creds(), &without(&fields, name), 500) {
            Err(VerifyError::MissingParameter { name: n }) if n == param => {}
            other => panic!("without {name}: {other:?}"),
        }
    }
}

#[test]
fn extra_field_not_covered_by_the_policy() {
    let fields = form(&policy(&creds()));
    for name in [
        "x-amz-meta-other",
        "success_action_redirect",
        "Cache-Control",
        "x-amz-storage-class",
        "tagging",
    ] {
        match check(creds(), &plus(&fields, name, "v"), 500) {
            Err(VerifyError::FieldNotInPolicy { field }) if field == name => {}
            other => panic!("extra {name}: {other:?}"),
        }
    }
    // x-ignore-* fields and the file itself need no condition.
    for name in ["x-ignore-anything", "X-Ignore-Submit", "file"] {
        check(creds(), &plus(&fields, name, "v"), 500)
            .unwrap_or_else(|e| panic!("extra {name}: {e:?}"));
    }
}

/// The policy decoded, edited, re-encoded, sent with the old signature.
#[test]
fn edited_policy_fails_the_signature() {
    let post = policy(&creds());
    let fields = form(&post);
    let json = post.policy_json();
    for (from, to) in [
        (
            format!("[\"content-length-range\",{MIN},{MAX}]"),
            format!("[\"content-length-range\",{MIN},{}]", MAX * 1000),
        ),
        ("\"uploads/user-42/\"".to_owned(), "\"uploads/\"".to_owned()),
        (
            "2026-05-24T12:10:00.000Z".to_owned(),
            "2027-05-24T12:10:00.000Z".to_owned(),
        ),
        ("{\"acl\":\"private\"},".to_owned(), String::new()),
    ] {
        assert!(json.contains(&from), "{from} in {json}");
        let edited = BASE64.encode(json.replace(&from, &to));
        let tampered = with(&fields, "policy", &edited);
        assert_eq!(
            check(creds(), &tampered, 500).unwrap_err(),
            VerifyError::SignatureMismatch,
            "{from} -> {to}"
        );
    }
    // Re-encoding the same JSON differently (padding dropped) is an edit of
    // the signed text too.
    let policy_field = field(&fields, "policy").to_owned();
    let unpadded = policy_field.trim_end_matches('=');
    if unpadded != policy_field {
        assert_eq!(
            check(creds(), &with(&fields, "policy", unpadded), 500).unwrap_err(),
            VerifyError::SignatureMismatch
        );
    }
    // A signature from another policy.
    let other = bucket()
        .post_policy(PostKey::new("x"), signed_at(), Duration::from_secs(600))
        .sign(&creds())
        .expect("signs");
    let other_signature = other.field("x-amz-signature").unwrap();
    assert_eq!(
        check(
            creds(),
            &with(&fields, "x-amz-signature", other_signature),
            500
        )
        .unwrap_err(),
        VerifyError::SignatureMismatch
    );
}

#[test]
fn expired_policy() {
    let fields = form(&policy(&creds()));
    match verifier(creds()).verify_post(&as_refs(&fields), 500, BUCKET, after(601)) {
        Err(VerifyError::Expired { expired_at, .. }) => {
            assert_eq!(expired_at, after(600).to_string());
        }
        other => panic!("one second after expiry: {other:?}"),
    }
}

#[test]
fn wrong_secret_or_unknown_access_key() {
    let fields = form(&policy(&creds()));
    let wrong = Credentials::new(ACCESS_KEY_ID, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ")
        .expect("credentials");
    assert_eq!(
        check(wrong, &fields, 500).unwrap_err(),
        VerifyError::SignatureMismatch
    );
    let nobody = Verifier::new(|_: &str| None);
    match nobody.verify_post(&as_refs(&fields), 500, BUCKET, after(300)) {
        Err(VerifyError::UnknownAccessKey { access_key_id }) => {
            assert_eq!(access_key_id, ACCESS_KEY_ID);
        }
        other => panic!("unknown key: {other:?}"),
    }
    // The credential field names another key: unknown too.
    let other_credential = field(&fields, "x-amz-credential").replace(ACCESS_KEY_ID, "AKIDOTHER");
    match check(
        creds(),
        &with(&fields, "x-amz-credential", &other_credential),
        500,
    ) {
        Err(VerifyError::UnknownAccessKey { access_key_id }) => {
            assert_eq!(access_key_id, "AKIDOTHER");
        }
        other => panic!("another key id: {other:?}"),
    }
}

#[test]
fn session_token_missing_or_mismatched() {
    let post = policy(&temporary());
    let fields = form(&post);
    assert_eq!(field(&fields, "x-amz-security-token"), TOKEN);
    check(temporary(), &fields, 500).expect("with its token");

    assert_eq!(
        check(temporary(), &without(&fields, "x-amz-security-token"), 500).unwrap_err(),
        VerifyError::MissingSecurityToken
    );
    assert_eq!(
        check(
            temporary(),
            &with(&fields, "x-amz-security-token", "FwoGZXIvYXdzEXAMPLEother"),
            500
        )
        .unwrap_err(),
        VerifyError::SecurityTokenMismatch
    );
    // Credentials the server knows without a token: a token is unexpected.
    assert_eq!(
        check(creds(), &fields, 500).unwrap_err(),
        VerifyError::SecurityTokenMismatch
    );
    // Long-term credentials, a token added to the form.
    let plain = form(&policy(&creds()));
    assert_eq!(
        check(creds(), &plus(&plain, "x-amz-security-token", TOKEN), 500).unwrap_err(),
        VerifyError::SecurityTokenMismatch
    );
    // Server credentials with another token.
    let other = creds().with_session_token("another-token").expect("token");
    assert_eq!(
        check(other, &fields, 500).unwrap_err(),
        VerifyError::SecurityTokenMismatch
    );
}

#[test]
fn errors_never_show_the_secret_token_or_signature() {
    let post = policy(&temporary());
    let fields = form(&post);
    let signature = field(&fields, "x-amz-signature").to_owned();
    let results = [
        check(temporary(), &fields, MAX + 1),
        check(temporary(), &with(&fields, "key", "elsewhere"), 500),
        check(
            temporary(),
            &with(&fields, "x-amz-security-token", "x"),
            500,
        ),
        check(temporary(), &without(&fields, "x-amz-security-token"), 500),
        check(creds(), &fields, 500),
        check(
            temporary(),
            &with(&fields, "x-amz-signature", &"0".repeat(64)),
            500,
        ),
        check(temporary(), &plus(&fields, "uncovered", TOKEN), 500),
        verifier(temporary()).verify_post(&as_refs(&fields), 500, BUCKET, after(601)),
    ];
    for result in results {
        let e = result.expect_err("each fails");
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(!text.contains(SECRET), "{text}");
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains(&signature), "{text}");
        }
    }
}

/// The S3 API Reference's browser-upload example (a hand-written policy
/// with CRLF line breaks and mixed-case field names) verifies as the
/// documentation's form posts it.
#[test]
fn s3_documentation_post_example_verifies() {
    let doc = read_json(&vectors_dir("s3-docs").join("post-policy.json"));
    let inputs = &doc["inputs"];
    let c = &inputs["credentials"];
    let known = Credentials::new(
        json_str(c, "access_key_id"),
        json_str(c, "secret_access_key"),
    )
    .expect("credentials");
    let fields: Vec<(String, String)> = inputs["form_fields"]
        .as_array()
        .expect("form fields")
        .iter()
        .map(|p| {
            (
                p[0].as_str().expect("a name").to_owned(),
                p[1].as_str().expect("a value").to_owned(),
            )
        })
        .collect();
    let bucket = json_str(inputs, "bucket");
    let at = SigningTime::parse_amz_date(json_str(inputs, "timestamp")).expect("time");
    let v = verifier(known.clone())
        .verify_post(&as_refs(&fields), 1024, bucket, at)
        .expect("the documentation's form verifies");
    assert_eq!(v.key, "user/user1/${filename}");
    assert_eq!(v.conditions.len(), 11);
    assert!(
        v.conditions
            .contains(&Condition::starts_with("key", "user/user1/"))
    );
    // Expires 2015-12-30T12:00:00.000Z.
    let expiry = SigningTime::parse_amz_date("20151230T120000Z").expect("time");
    let refs = as_refs(&fields);
    verifier(known.clone())
        .verify_post(&refs, 1024, bucket, expiry)
        .expect("on its last second");
    let late = SigningTime::from_unix_timestamp(expiry.unix_timestamp() + 1).expect("time");
    assert!(matches!(
        verifier(known.clone()).verify_post(&refs, 1024, bucket, late),
        Err(VerifyError::Expired { .. })
    ));
    violation(
        verifier(known).verify_post(
            &as_refs(&with(&fields, "key", "user/user2/a.jpg")),
            1024,
            bucket,
            at,
        ),
        "key",
    );
}

/// A field sent twice could pass the policy with one value and be stored
/// with the other (many multipart parsers keep the last), so a repeated
/// field is refused.
#[test]
fn repeated_field_with_a_forbidden_value_is_rejected() {
    let fields = form(&policy(&creds()));
    for (name, value) in [("acl", "public-read"), ("Content-Type", "text/html")] {
        let result = check(creds(), &plus(&fields, name, value), 500);
        assert!(
            result.is_err(),
            "{name} repeated with {value:?}: {result:?}"
        );
    }
    let temporary_fields = form(&policy(&temporary()));
    let result = check(
        temporary(),
        &plus(&temporary_fields, "x-amz-security-token", "another-token"),
        500,
    );
    assert!(result.is_err(), "a second session token: {result:?}");
}
