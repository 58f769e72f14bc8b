//! The `presign` tool's command-line contract (the interface of
//! `aws s3 presign`), run as a real process.
#![cfg(feature = "cli")]

mod cli_support;

use std::process::Output;

use cli_support::{AKID, SECRET, fails};

const DATE: &str = "20130524T000000Z";

fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    cli_support::run_with_env("presign", args, env)
}

fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

/// Asserts success with one URL line on stdout and returns it and stderr.
fn ok(out: &Output) -> (String, String) {
    let (stdout, stderr) = cli_support::ok(out);
    assert_eq!(stdout.lines().count(), 1, "stdout: {stdout:?}");
    (stdout.trim_end().to_owned(), stderr)
}

fn query_param<'a>(url: &'a str, name: &str) -> Vec<&'a str> {
    let query = url.split_once('?').expect("a query").1;
    query
        .split('&')
        .filter_map(|p| p.split_once('=').or(Some((p, ""))))
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .collect()
}

// The S3 documentation example, through the legacy global host given as a
// custom endpoint with virtual-hosted addressing.
#[test]
fn reproduces_the_s3_documentation_url() {
    let out = run(&[
        "s3://examplebucket/test.txt",
        "--date",
        DATE,
        "--expires-in",
        "86400",
        "--endpoint-url",
        "https://s3.amazonaws.com",
        "--addressing",
        "virtual",
    ]);
    let (url, stderr) = ok(&out);
    assert_eq!(stderr, "");
    assert_eq!(
        url,
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
}

#[test]
fn default_endpoints_are_regional() {
    let (url, _) = ok(&run(&["s3://examplebucket/a.txt", "--date", DATE]));
    assert!(url.starts_with("https://examplebucket.s3.us-east-1.amazonaws.com/a.txt?"));
    assert_eq!(query_param(&url, "X-Amz-Expires"), ["3600"]);

    let (url, _) = ok(&run(&[
        "s3://examplebucket/a.txt",
        "--addressing",
        "path",
        "--region",
        "eu-west-3",
    ]));
    assert!(url.starts_with("https://s3.eu-west-3.amazonaws.com/examplebucket/a.txt?"));
    assert!(query_param(&url, "X-Amz-Credential")[0].contains("%2Feu-west-3%2Fs3%2F"));

    let (url, _) = ok(&run(&["s3://examplebucket/a", "--region", "cn-north-1"]));
    assert!(url.starts_with("https://examplebucket.s3.cn-north-1.amazonaws.com.cn/a?"));

    // Auto: dots (over https), uppercase and short names go path-style.
    for bucket in ["my.bucket", "MyBucket", "ab", "192.168.1.1"] {
        let (url, _) = ok(&run(&[&format!("s3://{bucket}/k")]));
        assert!(
            url.starts_with(&format!("https://s3.us-east-1.amazonaws.com/{bucket}/k?")),
            "{url}"
        );
    }
    assert!(!ok(&run(&["s3://b/k"])).0.contains("s3.amazonaws.com/"));
}

#[test]
fn region_comes_from_flag_then_environment() {
    let region_of = |args: &[&str], env: &[(&str, &str)]| {
        let (url, _) = ok(&run_with_env(args, env));
        query_param(&url, "X-Amz-Credential")[0]
            .split("%2F")
            .nth(2)
            .unwrap()
            .to_owned()
    };
    let both = [
        ("AWS_REGION", "eu-north-1"),
        ("AWS_DEFAULT_REGION", "ap-south-1"),
    ];
    assert_eq!(region_of(&["s3://bucket/k"], &[]), "us-east-1");
    assert_eq!(region_of(&["s3://bucket/k"], &both), "eu-north-1");
    assert_eq!(region_of(&["s3://bucket/k"], &both[1..]), "ap-south-1");
    assert_eq!(
        region_of(&["s3://bucket/k", "--region", "sa-east-1"], &both),
        "sa-east-1"
    );
}

#[test]
fn keys_are_literal_and_encoded_once() {
    let (url, stderr) = ok(&run(&["s3://bucket/a b+c%2F?x=1#frag~ü"]));
    assert!(
        url.starts_with(
            "https://bucket.s3.us-east-1.amazonaws.com/a%20b%2Bc%252F%3Fx%3D1%23frag~%C3%BC?"
        ),
        "{url}"
    );
    assert_eq!(stderr, "");
    let (url, _) = ok(&run(&["s3://bucket/a//b/./c/../d"]));
    assert!(url.starts_with("https://bucket.s3.us-east-1.amazonaws.com/a//b/./c/../d?"));
}

#[test]
fn warns_about_keys_clients_rewrite() {
    for key in ["./a", "a/../b", "a/.", "/leading"] {
        let (_, stderr) = ok(&run(&[&format!("s3://bucket/{key}")]));
        assert_eq!(stderr.lines().count(), 1, "{key}: {stderr:?}");
        assert!(stderr.contains("warning"), "{key}: {stderr:?}");
    }
    for key in ["a.b", "..a", "a/.b/c"] {
        let (_, stderr) = ok(&run(&[&format!("s3://bucket/{key}")]));
        assert_eq!(stderr, "", "{key}");
    }
}

#[test]
fn custom_endpoints() {
    let (url, _) = ok(&run(&[
        "s3://bucket/k",
        "--endpoint-url",
        "HTTP://LocalHost:80/Prefix/",
    ]));
    assert!(
        url.starts_with("http://localhost/Prefix/bucket/k?"),
        "{url}"
    );
    let (url, _) = ok(&run(&[
        "s3://bucket/k",
        "--endpoint-url",
        "https://minio.example.com:9000",
        "--addressing",
        "virtual",
    ]));
    assert!(
        url.starts_with("https://bucket.minio.example.com:9000/k?"),
        "{url}"
    );
    let (url, _) = ok(&run(&[
        "s3://bucket/k",
        "--endpoint-url=http://127.0.0.1:9000",
        "--region=auto",
    ]));
    assert!(url.starts_with("http://127.0.0.1:9000/bucket/k?"), "{url}");
    assert!(query_param(&url, "X-Amz-Credential")[0].contains("%2Fauto%2Fs3%2F"));
}

#[test]
fn extra_query_and_headers_are_signed() {
    let args = [
        "s3://bucket/k",
        "--method",
        "PUT",
        "--date",
        DATE,
        "--query",
        "acl",
        "--query",
        "x=2",
        "--query",
        "x=1",
        "--query",
        "response-content-disposition=attachment; filename=\"a b\"",
        "--header",
        "  Content-Type :  text/plain  ",
        "--header",
        "x-amz-meta-a:b:c",
    ];
    let (url, _) = ok(&run(&args));
    assert_eq!(query_param(&url, "acl"), [""]);
    assert_eq!(query_param(&url, "x"), ["1", "2"]);
    assert_eq!(
        query_param(&url, "response-content-disposition"),
        ["attachment%3B%20filename%3D%22a%20b%22"]
    );
    assert_eq!(
        query_param(&url, "X-Amz-SignedHeaders"),
        ["content-type%3Bhost%3Bx-amz-meta-a"]
    );
    // The same request through the library gives the same URL.
    let creds = presign::Credentials::new(AKID, SECRET).unwrap();
    let bucket =
        presign::s3::Bucket::new("bucket", presign::Region::new("us-east-1").unwrap()).unwrap();
    let expected = bucket
        .put_object("k")
        .query("acl", "")
        .query("x", "2")
        .query("x", "1")
        .response_content_disposition("attachment; filename=\"a b\"")
        .content_type("text/plain")
        .header("x-amz-meta-a", "b:c")
        .presign(
            &creds,
            presign::SigningTime::parse_amz_date(DATE).unwrap(),
            std::time::Duration::from_secs(3600),
        )
        .unwrap();
    assert_eq!(url, expected.as_str());
}

#[test]
fn session_token_is_signed_into_the_url() {
    let (url, _) = ok(&run_with_env(
        &["s3://bucket/k"],
        &[("AWS_SESSION_TOKEN", "tok/en+=")],
    ));
    assert_eq!(
        query_param(&url, "X-Amz-Security-Token"),
        ["tok%2Fen%2B%3D"]
    );
}

#[test]
fn a_directory_bucket_is_signed_with_the_session_from_the_environment() {
    let target = "s3://mybucket--usw2-az1--x-s3/photos/cat.jpg";
    let args = [target, "--region", "us-west-2", "--expires-in", "300"];
    let (url, _) = ok(&run_with_env(&args, &[("AWS_SESSION_TOKEN", "sess/ion+=")]));
    assert!(
        url.starts_with(
            "https://mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/photos/cat.jpg?"
        ),
        "{url}"
    );
    assert_eq!(
        query_param(&url, "X-Amz-S3session-Token"),
        ["sess%2Fion%2B%3D"]
    );
    assert!(query_param(&url, "X-Amz-Security-Token").is_empty());
    assert!(query_param(&url, "X-Amz-Credential")[0].ends_with("%2Fs3express%2Faws4_request"));
    // Without a session there is nothing to sign with.
    fails(&run(&args), "s3 express session");
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "missing s3://BUCKET/KEY"),
        (&["bucket/key"], "expected s3://BUCKET/KEY"),
        (&["s3:///key"], "missing bucket"),
        (&["s3://bucket"], "missing key"),
        (&["s3://bucket/"], "missing key"),
        (&["s3://bu cket/k"], "invalid bucket name"),
        (
            &[&format!("s3://{}/k", "a".repeat(256))],
            "invalid bucket name",
        ),
        (&["s3://a/k", "s3://b/k"], "exactly one"),
        (&["s3://b/k", "--expires-in", "0"], "--expires-in"),
        (&["s3://b/k", "--expires-in", "604801"], "--expires-in"),
        (&["s3://b/k", "--expires-in", "1.5"], "--expires-in"),
        (&["s3://b/k", "--expires-in", "+60"], "--expires-in"),
        (&["s3://b/k", "--expires-in"], "needs a value"),
        (&["s3://b/k", "--method", "POST"], "--method"),
        (&["s3://b/k", "--addressing", "dns"], "--addressing"),
        (
            &["s3://My_Bucket/k", "--addressing", "virtual"],
            "DNS-compatible",
        ),
        (&["s3://b/k", "--date", "2013-05-24"], "YYYYMMDDTHHMMSSZ"),
        (
            &["s3://b/k", "--endpoint-url", "ftp://x"],
            "invalid endpoint",
        ),
        (&["s3://b/k", "--region", "us east"], "invalid region"),
        (&["s3://b/k", "--header", "no-colon"], "NAME:VALUE"),
        (&["s3://b/k", "--header", "Host: evil"], "set by the signer"),
        (
            &["s3://b/k", "--query", "X-Amz-Signature=1"],
            "set by the signer",
        ),
        (&["s3://b/k", "--query", "=v"], "NAME=VALUE"),
        (&["s3://b/k", "--bogus"], "unknown option"),
    ];
    for (args, needle) in cases {
        fails(&run(args), needle);
    }
    let out = run_with_env(&["s3://b/k"], &[("AWS_ACCESS_KEY_ID", "")]);
    fails(&out, "AWS_ACCESS_KEY_ID");
}

#[test]
fn expiry_bounds_are_inclusive() {
    for secs in ["1", "604800"] {
        let (url, _) = ok(&run(&["s3://b/k", "--expires-in", secs]));
        assert_eq!(query_param(&url, "X-Amz-Expires"), [secs]);
    }
}

#[test]
fn errors_never_show_the_secret() {
    let out = run_with_env(
        &["s3://b/k", "--header", "x-bad:\u{1}"],
        &[("AWS_SESSION_TOKEN", "SESSIONTOKENSECRET")],
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr.contains(SECRET));
    assert!(!stderr.contains("SESSIONTOKENSECRET"));
}

// Access points by ARN, as `aws s3 presign` takes them.

/// The boto3 vector (tests/vectors/boto3-arn-presign.json) named `name`.
fn boto3_case(name: &str) -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/boto3-arn-presign.json"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("json");
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

#[test]
fn access_point_arns_stand_for_the_bucket() {
    // botocore's URL for the same ARN, key, region and expiry.
    let case = boto3_case("ap-get");
    for arn in [
        "arn:aws:s3:us-west-2:123456789012:accesspoint/myap",
        "arn:aws:s3:us-west-2:123456789012:accesspoint:myap",
    ] {
        let target = format!("s3://{arn}/reports/q1.csv");
        let (url, stderr) = ok(&run(&[
            &target,
            "--date",
            "20260524T120000Z",
            "--expires-in",
            "600",
            "--region",
            "us-east-1",
        ]));
        assert_eq!(stderr, "");
        assert!(url.starts_with(
            "https://myap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/reports/q1.csv?"
        ));
        assert_eq!(
            query_param(&url, "X-Amz-Signature"),
            [case["signature"].as_str().unwrap()]
        );
    }
    let outposts = boto3_case("outposts-get");
    let (url, _) = ok(&run(&[
        "s3://arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports/k.txt",
        "--date",
        "20260524T120000Z",
        "--expires-in",
        "600",
        "--region",
        "us-west-2",
    ]));
    assert!(url.starts_with(
        "https://reports-123456789012.op-01234567890123456.s3-outposts.us-west-2.amazonaws.com/k.txt?"
    ));
    assert_eq!(
        query_param(&url, "X-Amz-Signature"),
        [outposts["signature"].as_str().unwrap()]
    );
}

#[test]
fn fips_and_dualstack_choose_the_endpoint() {
    let host = |args: &[&str]| {
        let (url, _) = ok(&run(args));
        url.split('/').nth(2).expect("a host").to_owned()
    };
    assert_eq!(
        host(&["s3://examplebucket/k", "--fips"]),
        "examplebucket.s3-fips.us-east-1.amazonaws.com"
    );
    assert_eq!(
        host(&[
            "s3://examplebucket/k",
            "--dualstack",
            "--region",
            "eu-west-1"
        ]),
        "examplebucket.s3.dualstack.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        host(&["s3://examplebucket/k", "--fips", "--dualstack"]),
        "examplebucket.s3-fips.dualstack.us-east-1.amazonaws.com"
    );
    assert_eq!(
        host(&[
            "s3://arn:aws:s3:us-west-2:123456789012:accesspoint/myap/k",
            "--fips",
            "--dualstack"
        ]),
        "myap-123456789012.s3-accesspoint-fips.dualstack.us-west-2.amazonaws.com"
    );
}

#[test]
fn access_point_misuse_is_bad_input() {
    let ap = "s3://arn:aws:s3:us-west-2:123456789012:accesspoint/myap/k";
    let op = "s3://arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-1/accesspoint/reports/k";
    let cases: &[(&[&str], &str)] = &[
        (&[ap, "--addressing", "path"], "virtual-hosted only"),
        (&[ap, "--region", "cn-north-1"], "partition"),
        (
            &[ap, "--endpoint-url", "http://127.0.0.1:9000"],
            "aws endpoint",
        ),
        (
            &["s3://b/k", "--fips", "--endpoint-url", "http://h"],
            "--endpoint-url",
        ),
        (&[op, "--fips"], "no fips endpoint"),
        (&[op, "--dualstack"], "no dual-stack endpoint"),
        (
            &[
                "s3://arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/ap/k",
                "--region",
                "cn-north-1",
                "--fips",
            ],
            "fips",
        ),
        (
            &["s3://arn:aws:s3:us-west-2:123456789012:accesspoint/myap"],
            "missing key",
        ),
        (
            &["s3://arn:aws:s3:us-west-2:1234:accesspoint/myap/k"],
            "12 digits",
        ),
        (
            &["s3://arn:aws:s3:us-west-2:123456789012:bucket/b/k"],
            "invalid s3 arn",
        ),
        (&["s3://arn:aws:s3/k"], "expected arn:PARTITION"),
        (&["s3://b/k", "--fips=yes"], "takes no value"),
    ];
    for (args, needle) in cases {
        fails(&run(args), needle);
    }
}

#[test]
fn multi_region_access_points_are_signed_with_sigv4a() {
    let target = "s3://arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap/reports/q1.csv";
    let out = run(&[target, "--date", "20260524T120000Z", "--expires-in", "600"]);
    if !cfg!(feature = "sigv4a") {
        // Built without SigV4a: the library's typed error, naming the feature.
        fails(&out, "needs the presign crate feature \"sigv4a\"");
        return;
    }
    let (url, _) = ok(&out);
    let case = boto3_case("mrap-get");
    let boto3_url = case["url"].as_str().unwrap();
    // Everything but the (randomized in the CRT) signature is botocore's.
    let without_signature = |u: &str| {
        let (head, query) = u.split_once('?').unwrap();
        let mut q: Vec<&str> = query
            .split('&')
            .filter(|p| !p.starts_with("X-Amz-Signature="))
            .collect();
        q.sort();
        (head.to_owned(), q.join("&"))
    };
    assert_eq!(without_signature(&url), without_signature(boto3_url));
    assert_eq!(
        query_param(&url, "X-Amz-Algorithm"),
        ["AWS4-ECDSA-P256-SHA256"]
    );
    assert_eq!(query_param(&url, "X-Amz-Region-Set"), ["%2A"]);
    // And the `presign-verify` tool accepts it (tests/cli_verify.rs checks more).
    let out = cli_support::run_with_env("verify", &[&url, "--date", "20260524T120100Z"], &[]);
    let (stdout, _) = cli_support::ok(&out);
    assert!(stdout.starts_with("ok\n"), "{stdout}");
    // Not with FIPS or dual-stack.
    fails(&run(&[target, "--fips"]), "no fips endpoint");
    fails(&run(&[target, "--dualstack"]), "no dual-stack endpoint");
}
