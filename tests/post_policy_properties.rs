//! Properties of POST policies: whatever the builder accepts serializes to
//! JSON that parses back to the same conditions, and to base64 that decodes
//! to that JSON; the boto3-shaped JSON and the HTML form carry every field.

use std::time::Duration;

use base64::Engine as _;
use presign::s3::{Bucket, Condition, PostKey, parse_policy_conditions};
use presign::{Credentials, Error, Region, SigningTime};
use proptest::prelude::*;

/// A policy condition as serde_json reads it: `{"field": "value"}`,
/// `["eq" | "starts-with", "$field", "value"]` or
/// `["content-length-range", min, max]`.
fn condition_of_json(c: &serde_json::Value) -> Condition {
    if let Some(object) = c.as_object() {
        let (field, value) = object.iter().next().expect("one field");
        return Condition::Eq {
            field: field.clone(),
            value: value.as_str().expect("a string value").to_owned(),
        };
    }
    let array = c.as_array().expect("an object or an array");
    let field = || array[1].as_str().expect("$field")[1..].to_owned();
    let text = || array[2].as_str().expect("a string").to_owned();
    match array[0].as_str().expect("an operator") {
        "eq" => Condition::Eq {
            field: field(),
            value: text(),
        },
        "starts-with" => Condition::StartsWith {
            field: field(),
            prefix: text(),
        },
        "content-length-range" => Condition::ContentLengthRange {
            min: array[1].as_u64().expect("min"),
            max: array[2].as_u64().expect("max"),
        },
        other => panic!("unexpected operator {other}"),
    }
}

/// A condition as the builder would be asked for it.
#[derive(Debug, Clone)]
enum Step {
    Field(String, String),
    StartsWith(String, String),
    Range(u64, u64),
    Raw(Condition),
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("acl".to_owned()),
        Just("Content-Type".to_owned()),
        Just("Cache-Control".to_owned()),
        Just("success_action_redirect".to_owned()),
        "x-amz-meta-[a-z0-9-]{1,12}",
        "[A-Za-z][A-Za-z0-9_-]{0,15}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,24}",
        "[\"\\\\/<>&\u{0}-\u{1f}\u{7f}-\u{10ffff}]{0,8}"
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (field_name(), text()).prop_map(|(n, v)| Step::Field(n, v)),
        (field_name(), text()).prop_map(|(n, p)| Step::StartsWith(n, p)),
        (any::<u64>(), any::<u64>()).prop_map(|(a, b)| Step::Range(a.min(b), a.max(b))),
        (field_name(), text()).prop_map(|(n, v)| Step::Raw(Condition::eq(n, v))),
    ]
}

fn creds(token: &Option<String>) -> Credentials {
    let c = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap();
    match token {
        Some(t) => c.with_session_token(t.clone()).unwrap(),
        None => c,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn accepted_policies_round_trip(
        key in text(),
        steps in prop::collection::vec(step(), 0..8),
        expires in 1u64..=604_800,
        token in prop::option::of("[A-Za-z0-9/+=]{8,40}"),
        path_style in any::<bool>(),
    ) {
        let region = Region::new("eu-west-1").unwrap();
        let mut bucket = Bucket::new("my-bucket", region).unwrap();
        if path_style {
            bucket = bucket.addressing(presign::s3::Addressing::Path).unwrap();
        }
        let time = SigningTime::parse_amz_date("20260601T120000Z").unwrap();
        let mut policy = bucket.post_policy(PostKey::new(key.clone()), time, Duration::from_secs(expires));
        for s in &steps {
            policy = match s.clone() {
                Step::Field(n, v) => policy.field(n, v),
                Step::StartsWith(n, p) => policy.starts_with(n, p),
                Step::Range(a, b) => policy.content_length_range(a, b),
                Step::Raw(c) => policy.condition(c),
            };
        }
        let creds = creds(&token);
        let post = match policy.sign(&creds) {
            Ok(post) => post,
            Err(e) => {
                // Refusals are typed and name the problem; never a panic.
                prop_assert!(
                    matches!(e, Error::InvalidPolicy { .. } | Error::ReservedPostField { .. }),
                    "unexpected error {:?}", e
                );
                return Ok(());
            }
        };

        // The policy JSON is ASCII, and an independent JSON parser reads the
        // same conditions from it as the crate's (which `conditions()`
        // reads back).
        prop_assert!(post.policy_json().is_ascii());
        let doc: serde_json::Value = serde_json::from_str(post.policy_json()).unwrap();
        let by_serde: Vec<Condition> = doc["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .map(condition_of_json)
            .collect();
        prop_assert_eq!(&by_serde[..], post.conditions());
        prop_assert_eq!(parse_policy_conditions(post.policy_json()).unwrap(), by_serde);
        let expiration = doc["expiration"].as_str().unwrap();
        prop_assert_eq!(expiration.len(), "2026-06-01T12:00:00.000Z".len());
        prop_assert_eq!(
            post.expiration().unix_timestamp(),
            time.unix_timestamp() + expires as i64
        );

        // Every builder step is among the signed conditions, in order.
        let mut signed = post.conditions().iter();
        for s in &steps {
            let want = match s {
                Step::Field(n, v) => Condition::eq(n.as_str(), v.as_str()),
                Step::StartsWith(n, p) => Condition::starts_with(n.as_str(), p.as_str()),
                Step::Range(a, b) => Condition::ContentLengthRange { min: *a, max: *b },
                Step::Raw(c) => c.clone(),
            };
            prop_assert!(signed.any(|c| *c == want), "{:?} missing from {:?}", want, post.conditions());
        }

        // The policy field is the base64 of that JSON; key comes first.
        let fields: &[(String, String)] = &post
            .fields()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect::<Vec<_>>();
        prop_assert_eq!(&fields[0], &("key".to_owned(), key.clone()));
        let policy = &fields.iter().find(|(n, _)| n == "policy").unwrap().1;
        let decoded = base64::engine::general_purpose::STANDARD.decode(policy).unwrap();
        prop_assert_eq!(decoded, post.policy_json().as_bytes());
        prop_assert_eq!(&fields.last().unwrap().0, "x-amz-signature");
        prop_assert_eq!(
            fields.iter().any(|(n, _)| n == "x-amz-security-token"),
            token.is_some()
        );

        // The JSON output carries every field with its value.
        let out: serde_json::Value = serde_json::from_str(&post.to_json()).unwrap();
        prop_assert_eq!(out["url"].as_str(), Some(post.url()));
        for (name, value) in fields {
            // Later duplicates (a field given twice with one value) win in a
            // JSON object, as in boto3's dict.
            let last = fields.iter().rev().find(|(n, _)| n == name).unwrap();
            prop_assert_eq!(out["fields"][name].as_str(), Some(last.1.as_str()), "{}", value);
        }

        // The HTML form never lets a value out of its attribute.
        let html = post.to_html_form();
        let inputs = html.matches("<input").count();
        prop_assert_eq!(inputs, fields.len() + 2);
        for (_, value) in fields {
            if value.contains(['<', '>', '"', '&', '\'']) {
                let raw = format!("value=\"{value}\"");
                prop_assert!(!html.contains(&raw));
            }
        }
        // Debug never shows the token.
        if let Some(t) = &token {
            let shown = format!("{post:?}");
            prop_assert!(!shown.contains(t.as_str()));
        }
    }

    #[test]
    fn conditions_survive_their_json_form(c in step()) {
        let condition = match c {
            Step::Field(n, v) | Step::Raw(Condition::Eq { field: n, value: v }) => Condition::eq(n, v),
            Step::StartsWith(n, p) => Condition::starts_with(n, p),
            Step::Range(a, b) => Condition::ContentLengthRange { min: a, max: b },
            Step::Raw(other) => other,
        };
        let json = condition.to_string();
        prop_assert!(json.is_ascii());
        prop_assert_eq!(Condition::from_json(&json).unwrap(), condition);
    }
}
