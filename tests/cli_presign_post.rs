//! The `presign-post` tool's command-line contract (boto3's
//! `generate_presigned_post` as a command), run as a real process.
#![cfg(feature = "cli")]

mod cli_support;

use std::process::Output;

use base64::Engine as _;
use cli_support::{AKID, SECRET, fails};
use presign::s3::{Condition, parse_policy_conditions};
use serde_json::Value;

const DATE: &str = "20260524T120000Z";

fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    cli_support::run_with_env("presign_post", args, env)
}

fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

/// The printed JSON object, with its fields in order and the decoded policy.
struct Printed {
    url: String,
    fields: Vec<(String, String)>,
    policy_json: String,
    conditions: Vec<Condition>,
}

fn printed(out: &Output) -> Printed {
    let (stdout, stderr) = cli_support::ok(out);
    assert_eq!(stderr, "");
    assert_eq!(stdout.lines().count(), 1, "one JSON object: {stdout:?}");
    // serde_json's default map sorts keys; read the field order from the text.
    let value: Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    let url = value["url"].as_str().expect("url").to_owned();
    let fields_obj = value["fields"].as_object().expect("fields");
    let mut fields: Vec<(String, String)> = fields_obj
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string field").to_owned()))
        .collect();
    fields.sort_by_key(|(k, _)| stdout.find(&format!("\"{k}\":")).expect("field in text"));
    let policy = &fields
        .iter()
        .find(|(k, _)| k == "policy")
        .expect("policy")
        .1;
    let policy_json = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(policy)
            .expect("base64 policy"),
    )
    .expect("UTF-8 policy");
    let conditions = parse_policy_conditions(&policy_json).expect("policy parses");
    Printed {
        url,
        fields,
        policy_json,
        conditions,
    }
}

fn field<'a>(p: &'a Printed, name: &str) -> Option<&'a str> {
    p.fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn prints_boto3_shaped_json_in_posting_order() {
    let p = printed(&run(&[
        "s3://examplebucket/uploads/${filename}",
        "--date",
        DATE,
        "--condition",
        r#"["content-length-range", 1, 10485760]"#,
        "--condition",
        r#"["starts-with", "$Content-Type", "image/"]"#,
        "--condition",
        r#"{"acl": "private"}"#,
        "--field",
        "acl=private",
        "--field",
        "success_action_status=201",
    ]));
    assert_eq!(p.url, "https://examplebucket.s3.us-east-1.amazonaws.com/");
    let names: Vec<&str> = p.fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "acl",
            "success_action_status",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "policy",
            "x-amz-signature"
        ]
    );
    assert_eq!(field(&p, "key"), Some("uploads/${filename}"));
    assert_eq!(field(&p, "x-amz-date"), Some(DATE));
    assert_eq!(
        field(&p, "x-amz-credential"),
        Some("AKIAIOSFODNN7EXAMPLE/20260524/us-east-1/s3/aws4_request")
    );
    for c in [
        Condition::eq("bucket", "examplebucket"),
        Condition::starts_with("key", "uploads/"),
        Condition::ContentLengthRange {
            min: 1,
            max: 10_485_760,
        },
        Condition::starts_with("Content-Type", "image/"),
        Condition::eq("acl", "private"),
        Condition::eq("success_action_status", "201"),
        Condition::eq("x-amz-algorithm", "AWS4-HMAC-SHA256"),
        Condition::eq("x-amz-date", DATE),
    ] {
        assert!(
            p.conditions.contains(&c),
            "{c} missing from {}",
            p.policy_json
        );
    }
    assert!(
        !p.conditions
            .iter()
            .any(|c| matches!(c, Condition::Eq { field, .. } if field == "key")),
        "a ${{filename}} key gets a starts-with condition, not an exact one"
    );
    // Expires an hour after the signing time by default.
    assert!(
        p.policy_json
            .contains("\"expiration\":\"2026-05-24T13:00:00.000Z\"")
    );

    // The signature is the HMAC of the base64 policy under the day's key.
    let bucket =
        presign::s3::Bucket::new("examplebucket", presign::Region::new("us-east-1").unwrap())
            .unwrap();
    let creds = presign::Credentials::new(AKID, SECRET).unwrap();
    let signed = bucket.sign_policy_document(
        &p.policy_json,
        &creds,
        presign::SigningTime::parse_amz_date(DATE).unwrap(),
    );
    assert_eq!(field(&p, "policy"), Some(signed.policy_base64.as_str()));
    assert_eq!(
        field(&p, "x-amz-signature").map(str::to_owned),
        Some(signed.signature.to_string())
    );
}

#[test]
fn exact_keys_expiry_endpoints_and_tokens() {
    let p = printed(&run_with_env(
        &[
            "s3://bucket/a b/c.txt",
            "--date",
            DATE,
            "--expires-in",
            "60",
            "--endpoint-url",
            "http://127.0.0.1:9000",
            "--region",
            "auto",
        ],
        &[("AWS_SESSION_TOKEN", "TEMPORARYTOKEN")],
    ));
    assert_eq!(p.url, "http://127.0.0.1:9000/bucket");
    assert!(p.conditions.contains(&Condition::eq("key", "a b/c.txt")));
    assert!(
        p.policy_json
            .contains("\"expiration\":\"2026-05-24T12:01:00.000Z\"")
    );
    assert_eq!(field(&p, "x-amz-security-token"), Some("TEMPORARYTOKEN"));
    assert!(
        p.conditions
            .contains(&Condition::eq("x-amz-security-token", "TEMPORARYTOKEN"))
    );
    assert!(field(&p, "x-amz-credential").unwrap().contains("/auto/s3/"));
}

#[test]
fn html_form_escapes_every_value() {
    let (stdout, _) = cli_support::ok(&run(&[
        "s3://bucket/k\"<x>",
        "--date",
        DATE,
        "--field",
        "x-amz-meta-note=<script>alert('&')</script>",
        "--html",
    ]));
    assert!(stdout.starts_with(
        "<form action=\"https://bucket.s3.us-east-1.amazonaws.com/\" method=\"post\" enctype=\"multipart/form-data\">"
    ));
    assert!(stdout.contains("name=\"key\" value=\"k&quot;&lt;x&gt;\""));
    assert!(stdout.contains("value=\"&lt;script&gt;alert(&#39;&amp;&#39;)&lt;/script&gt;\""));
    assert!(!stdout.contains("<script>"));
    assert!(stdout.contains("<input type=\"file\" name=\"file\">"));
    let file = stdout.find("name=\"file\"").unwrap();
    let signature = stdout.find("name=\"x-amz-signature\"").unwrap();
    assert!(signature < file, "the file comes last");
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "missing s3://BUCKET/KEY"),
        (&["s3://bucket/"], "missing key"),
        (&["s3:///k"], "missing bucket"),
        (
            &[
                "s3://b/k",
                "--condition",
                "[\"content-length-range\", 5, 1]",
            ],
            "above its maximum",
        ),
        (&["s3://b/k", "--condition", "{not json"], "not JSON"),
        (
            &["s3://b/k", "--condition", "[\"between\", \"$key\", \"a\"]"],
            "unknown condition operator",
        ),
        (
            &[
                "s3://b/k",
                "--condition",
                "[\"starts-with\", \"key\", \"a\"]",
            ],
            "must start with '$'",
        ),
        (
            &[
                "s3://b/k",
                "--condition",
                "[\"content-length-range\", -1, 5]",
            ],
            "non-negative",
        ),
        (
            &[
                "s3://b/k",
                "--condition",
                "[\"starts-with\", \"$key\", \"other/\"]",
            ],
            "contradict",
        ),
        (
            &["s3://b/k", "--field", "x-amz-signature=1"],
            "set by the signer",
        ),
        (&["s3://b/k", "--field", "Policy=1"], "set by the signer"),
        (&["s3://b/k", "--field", "key=other"], "set by the signer"),
        (&["s3://b/k", "--field", "novalue"], "NAME=VALUE"),
        (&["s3://b/k", "--date", "yesterday"], "YYYYMMDDTHHMMSSZ"),
        (&["s3://b/k", "--expires-in", "0"], "--expires-in"),
        (&["s3://b/k", "--expires-in", "604801"], "--expires-in"),
        (&["s3://b/k", "--html=yes"], "takes no value"),
        (&["s3://b/k", "--method", "GET"], "unknown option"),
        (
            &["s3://My_B/k", "--addressing", "virtual"],
            "DNS-compatible",
        ),
    ];
    for (args, needle) in cases {
        fails(&run(args), needle);
    }
}

#[test]
fn a_field_holding_the_file_name_gets_a_prefix_condition() {
    let p = printed(&run(&[
        "s3://examplebucket/uploads/${filename}",
        "--date",
        DATE,
        "--field",
        "success_action_redirect=https://example.com/done?file=${filename}",
        "--field",
        "acl=private",
    ]));
    assert_eq!(
        field(&p, "success_action_redirect"),
        Some("https://example.com/done?file=${filename}")
    );
    assert!(p.conditions.contains(&Condition::starts_with(
        "success_action_redirect",
        "https://example.com/done?file="
    )));
    assert!(p.conditions.contains(&Condition::eq("acl", "private")));
    assert!(!p.policy_json.contains("{\"success_action_redirect\""));
}
