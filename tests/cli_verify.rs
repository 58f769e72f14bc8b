//! The `verify` example's command-line contract, run as a real process: a
//! URL from the `presign` example verifies; each failed check is one line
//! on stderr with status 1; input that is not a presigned URL is status 2.

mod cli_support;

use std::process::Output;

use cli_support::{SECRET, fails};

const SIGNED_AT: &str = "20130524T000000Z";

fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    cli_support::run_with_env("verify", args, env)
}

/// The S3 documentation's presigned GET, made by the `presign` example.
fn documentation_url(env: &[(&str, &str)]) -> String {
    let (url, _) = cli_support::ok(&cli_support::run_with_env(
        "presign",
        &[
            "s3://examplebucket/test.txt",
            "--date",
            SIGNED_AT,
            "--expires-in",
            "86400",
            "--endpoint-url",
            "https://s3.amazonaws.com",
            "--addressing",
            "virtual",
        ],
        env,
    ));
    url.trim_end().to_owned()
}

/// Asserts exit 1 with one line on stderr naming `check`, nothing on stdout.
fn rejected(out: &Output, check: &str) {
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.contains(check), "{stderr:?} should name {check:?}");
    assert!(!stderr.contains("aeeed9bb"), "never the signature");
    assert!(!stderr.contains(SECRET));
}

#[test]
fn a_valid_url_prints_what_was_verified() {
    let url = documentation_url(&[]);
    assert!(url.ends_with("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
    let (stdout, stderr) =
        cli_support::ok(&run_with_env(&[&url, "--date", "20130524T120000Z"], &[]));
    assert_eq!(stderr, "");
    assert_eq!(
        stdout,
        "ok\naccess key id: AKIAIOSFODNN7EXAMPLE\nscope: 20130524/us-east-1/s3/aws4_request\n\
         signed headers: host\nexpires: 20130525T000000Z\n"
    );
    // Valid up to its last second, with the accepted region, from a skewed clock.
    for args in [
        vec![url.as_str(), "--date", "20130525T000000Z"],
        vec![
            url.as_str(),
            "--date",
            "20130524T120000Z",
            "--region",
            "us-east-1",
        ],
        vec![url.as_str(), "--date", "20130523T234500Z"],
        vec![
            url.as_str(),
            "--date",
            "20130524T120000Z",
            "--header",
            "Host: examplebucket.s3.amazonaws.com",
        ],
    ] {
        cli_support::ok(&run_with_env(&args, &[]));
    }
}

#[test]
fn each_failed_check_is_named() {
    let url = documentation_url(&[]);
    let flipped = url.replace("aeeed9bb", "aeeed9bc");
    let longer = url.replace("X-Amz-Expires=86400", "X-Amz-Expires=86401");
    let too_long = url.replace("X-Amz-Expires=86400", "X-Amz-Expires=604801");
    let other_key = url.replace("/test.txt?", "/other.txt?");
    let no_date = url.replace("&X-Amz-Date=20130524T000000Z", "");
    let at = |d: &'static str| ["--date", d];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [&[url.as_str()][..], &at("20130525T000001Z")].concat(),
            "expired",
        ),
        (
            [&[url.as_str()][..], &at("20130523T234459Z")].concat(),
            "not yet valid",
        ),
        (
            [
                &[url.as_str()][..],
                &at("20130523T235900Z"),
                &["--max-skew", "0"],
            ]
            .concat(),
            "not yet valid",
        ),
        (
            [&[flipped.as_str()][..], &at("20130524T120000Z")].concat(),
            "signature mismatch",
        ),
        (
            [&[longer.as_str()][..], &at("20130524T120000Z")].concat(),
            "signature mismatch",
        ),
        (
            [&[other_key.as_str()][..], &at("20130524T120000Z")].concat(),
            "signature mismatch",
        ),
        (
            [
                &[url.as_str()][..],
                &at("20130524T120000Z"),
                &["--method", "PUT"],
            ]
            .concat(),
            "signature mismatch",
        ),
        (
            [
                &[url.as_str()][..],
                &at("20130524T120000Z"),
                &["--header", "host:evil.example"],
            ]
            .concat(),
            "signature mismatch",
        ),
        (
            [&[too_long.as_str()][..], &at("20130524T120000Z")].concat(),
            "expiry too long",
        ),
        (
            [&[no_date.as_str()][..], &at("20130524T120000Z")].concat(),
            "missing parameter X-Amz-Date",
        ),
        (
            [
                &[url.as_str()][..],
                &at("20130524T120000Z"),
                &["--region", "eu-west-1"],
            ]
            .concat(),
            "scope mismatch",
        ),
        (
            [
                &[url.as_str()][..],
                &at("20130524T120000Z"),
                &["--service", "sts"],
            ]
            .concat(),
            "scope mismatch",
        ),
    ];
    for (args, check) in cases {
        rejected(&run_with_env(&args, &[]), check);
    }
    let unknown = run_with_env(
        &[&url, "--date", "20130524T120000Z"],
        &[("AWS_ACCESS_KEY_ID", "AKIAOTHERKEY")],
    );
    rejected(&unknown, "unknown access key");
    let wrong_secret = run_with_env(
        &[&url, "--date", "20130524T120000Z"],
        &[("AWS_SECRET_ACCESS_KEY", "another-secret")],
    );
    rejected(&wrong_secret, "signature mismatch");
    let needs_token = run_with_env(
        &[&url, "--date", "20130524T120000Z"],
        &[("AWS_SESSION_TOKEN", "TOKEN")],
    );
    rejected(&needs_token, "missing session token");
}

#[test]
fn temporary_credentials_must_carry_their_token() {
    let token = [("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLE/+=")];
    let url = documentation_url(&token);
    assert!(url.contains("X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE%2F%2B%3D"));
    cli_support::ok(&run_with_env(&[&url, "--date", "20130524T120000Z"], &token));
    let other = [("AWS_SESSION_TOKEN", "AnotherToken")];
    rejected(
        &run_with_env(&[&url, "--date", "20130524T120000Z"], &other),
        "session token mismatch",
    );
}

#[test]
fn input_that_is_not_a_presigned_url_exits_2() {
    let url = documentation_url(&[]);
    let cases: &[(&[&str], &str)] = &[
        (&[], "missing URL"),
        (
            &["s3://examplebucket/test.txt"],
            "expected an http:// or https:// URL",
        ),
        (&["https://examplebucket.s3.amazonaws.com"], "no path"),
        (
            &["https://examplebucket.s3.amazonaws.com/test.txt"],
            "not signed",
        ),
        (
            &["https://examplebucket.s3.amazonaws.com/test.txt?versionId=1"],
            "not signed",
        ),
        (&[&url, "--date", "tomorrow"], "YYYYMMDDTHHMMSSZ"),
        (&[&url, "--max-skew", "-1"], "--max-skew"),
        (&[&url, "--method", "GE T"], "invalid http method"),
        (&[&url, "--region", "us east"], "invalid region"),
        (&[&url, "--bogus"], "unknown option"),
    ];
    for (args, needle) in cases {
        fails(&run_with_env(args, &[]), needle);
    }
}

/// A presigned URL for `endpoint` (path-style), made by the `presign` example.
fn url_for_endpoint(endpoint: &str) -> String {
    let (url, _) = cli_support::ok(&cli_support::run_with_env(
        "presign",
        &[
            "s3://examplebucket/test.txt",
            "--date",
            SIGNED_AT,
            "--expires-in",
            "86400",
            "--endpoint-url",
            endpoint,
        ],
        &[],
    ));
    url.trim_end().to_owned()
}

#[test]
fn the_host_header_is_what_a_client_sends_for_the_url() {
    let at = ["--date", "20130524T120000Z"];
    let verifies = |url: &str| cli_support::ok(&run_with_env(&[&[url][..], &at].concat(), &[]));
    let mismatch = |url: &str| {
        rejected(
            &run_with_env(&[&[url][..], &at].concat(), &[]),
            "signature mismatch",
        )
    };
    // The scheme's default port, written out (as botocore does for custom
    // endpoints), is not part of the Host header a client sends.
    let cases = [
        (
            "https://minio.example",
            "https://minio.example/",
            "https://minio.example:443/",
        ),
        (
            "http://minio.example",
            "http://minio.example/",
            "http://minio.example:80/",
        ),
        (
            "http://minio.example",
            "http://minio.example/",
            "http://minio.example:080/",
        ),
        ("https://[::1]", "https://[::1]/", "https://[::1]:443/"),
        ("http://[::1]", "http://[::1]/", "http://[::1]:80/"),
    ];
    for (endpoint, plain, with_port) in cases {
        let url = url_for_endpoint(endpoint);
        assert!(url.starts_with(plain), "{url}");
        verifies(&url);
        verifies(&url.replacen(plain, with_port, 1));
    }
    // Any other port is kept, and must be the one signed.
    let url = url_for_endpoint("http://127.0.0.1:9000");
    assert!(url.starts_with("http://127.0.0.1:9000/"), "{url}");
    verifies(&url);
    mismatch(&url.replacen(":9000/", "/", 1));
    mismatch(
        &url.replacen(":9000/", ":80/", 1)
            .replacen("http:", "https:", 1),
    );
    let url = url_for_endpoint("https://minio.example");
    mismatch(&url.replacen("minio.example/", "minio.example:80/", 1));
    mismatch(&url.replacen("minio.example/", "minio.example:8443/", 1));
    let url = url_for_endpoint("http://[::1]");
    mismatch(&url.replacen("[::1]/", "[::1]:443/", 1));
}

#[test]
fn an_absurd_max_skew_is_bad_input() {
    let url = documentation_url(&[]);
    for skew in [
        "9223372036854775807",
        "18446744073709551615",
        "604801",
        "1e9",
        "",
    ] {
        fails(
            &run_with_env(
                &[&url, "--date", "20130524T120000Z", "--max-skew", skew],
                &[],
            ),
            "--max-skew must be a whole number of seconds from 0 to 604800",
        );
    }
    // Up to 7 days is accepted; a URL dated 7 days ahead is still valid.
    cli_support::ok(&run_with_env(
        &[&url, "--date", "20130517T000000Z", "--max-skew", "604800"],
        &[],
    ));
    rejected(
        &run_with_env(
            &[&url, "--date", "20130516T235959Z", "--max-skew", "604800"],
            &[],
        ),
        "not yet valid",
    );
}
