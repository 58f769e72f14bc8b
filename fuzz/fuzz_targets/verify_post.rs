//! POST form verification from arbitrary fields and policies: never
//! panics; a policy the crate signed verifies with its own fields, and no
//! arbitrary form does.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use presign::s3::{Bucket, PostKey};
use presign::verify::Verifier;
use presign::{Credentials, Region, SigningTime};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    fields: Vec<(&'a str, &'a str)>,
    key: String,
    extra: Vec<(String, String)>,
    size: u64,
    min: u64,
    max: u64,
    unix: u32,
}

fuzz_target!(|input: Input<'_>| {
    let creds = Credentials::new("AKIDFUZZ", "fuzz-secret").unwrap();
    let known = creds.clone();
    let verifier =
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()));
    let now = SigningTime::from_unix_timestamp(i64::from(input.unix)).unwrap();
    assert!(
        verifier
            .verify_post(&input.fields, input.size, "b", now)
            .is_err()
    );

    let bucket = Bucket::new("fuzz-bucket", Region::new("us-east-1").unwrap()).unwrap();
    let (min, max) = (input.min.min(input.max), input.min.max(input.max));
    let mut policy = bucket
        .post_policy(
            PostKey::new(input.key.clone()),
            now,
            Duration::from_secs(600),
        )
        .content_length_range(min, max);
    for (n, v) in &input.extra {
        policy = policy.field(n.as_str(), v.as_str());
    }
    let Ok(post) = policy.sign(&creds) else {
        return;
    };
    let fields: Vec<(&str, &str)> = post.fields().collect();
    let within = input.size.clamp(min, max);
    verifier
        .verify_post(&fields, within, "fuzz-bucket", now)
        .unwrap_or_else(|e| panic!("own policy rejected: {e}"));
    if input.size != within {
        assert!(
            verifier
                .verify_post(&fields, input.size, "fuzz-bucket", now)
                .is_err()
        );
    }
});
