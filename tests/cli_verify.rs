//! The `presign-verify` tool's command-line contract, run as a real process: a
//! URL from the `presign` tool verifies; each failed check is one line
//! on stderr with status 1; input that is not a presigned URL is status 2.
#![cfg(feature = "cli")]

mod cli_support;

use std::process::Output;

use cli_support::{SECRET, fails};

const SIGNED_AT: &str = "20130524T000000Z";

fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    cli_support::run_with_env("verify", args, env)
}

/// The S3 documentation's presigned GET, made by the `presign` tool.
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

/// A presigned URL for `endpoint` (path-style), made by the `presign` tool.
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

// `verify --request`: raw requests from the `sign_request` example.

const MODES: [&str; 5] = [
    "signed",
    "unsigned",
    "streaming",
    "streaming-trailer",
    "streaming-unsigned-trailer",
];

/// A request for `body` made by `sign_request` in `mode` (8 KiB chunks for
/// the streaming modes), plus `extra` options.
fn signed_request(mode: &str, body: &[u8], extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.bin");
    std::fs::write(&file, body).unwrap();
    let mut args = vec!["--date", SIGNED_AT, "--payload", mode];
    if mode.starts_with("streaming") {
        args.extend(["--chunk-size", "8192"]);
    }
    args.extend(extra);
    args.extend([
        "s3://examplebucket/uploads/data.bin",
        file.to_str().unwrap(),
    ]);
    let out = cli_support::run_with_env("sign_request", &args, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `verify --request FILE --body-out OUT` on `request` (written to a
/// file) at a time just after signing; returns the output and what was
/// written to OUT, if anything.
fn verify_request(request: &[u8], extra: &[&str]) -> (Output, Option<Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("request.http");
    let body_out = dir.path().join("body.out");
    std::fs::write(&input, request).unwrap();
    let args = [
        &[
            "--request",
            input.to_str().unwrap(),
            "--body-out",
            body_out.to_str().unwrap(),
            "--date",
            "20130524T000500Z",
        ][..],
        extra,
    ]
    .concat();
    let out = run_with_env(&args, &[]);
    let written = std::fs::read(&body_out).ok();
    // Nothing but the body-out file (no temporary left behind).
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "request.http" && n != "body.out")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    (out, written)
}

fn data(len: usize) -> Vec<u8> {
    (0..len as u32).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn every_payload_mode_round_trips_through_a_raw_request() {
    // 0 B, 1 B, exactly one chunk, several chunks with a short last one.
    for mode in MODES {
        for len in [0, 1, 8192, 3 * 8192 + 100] {
            let body = data(len);
            let request = signed_request(mode, &body, &[]);
            let (out, written) = verify_request(&request, &[]);
            let (stdout, stderr) = cli_support::ok(&out);
            assert_eq!(stderr, "");
            assert_eq!(written.as_deref(), Some(&body[..]), "{mode} {len}");
            let lines: Vec<&str> = stdout.lines().collect();
            assert_eq!(lines.len(), 6, "{stdout}");
            assert_eq!(
                lines[..3],
                [
                    "ok",
                    "access key id: AKIAIOSFODNN7EXAMPLE",
                    "scope: 20130524/us-east-1/s3/aws4_request"
                ]
            );
            assert!(lines[3].starts_with("signed headers: "), "{stdout}");
            assert_eq!(lines[4], "expires: none (header-signed)");
            let body_line = lines[5];
            assert!(
                body_line.starts_with(&format!("body: {len} bytes, ")),
                "{body_line}"
            );
            let expected = match mode {
                "signed" => "sha256 verified".to_owned(),
                "unsigned" => "UNSIGNED-PAYLOAD".to_owned(),
                _ => format!("in {} data chunks and the final one", len.div_ceil(8192)),
            };
            assert!(body_line.contains(&expected), "{mode} {len}: {body_line}");
        }
    }
    // The trailer's checksum is checked, whichever.
    for checksum in ["crc32", "crc32c", "sha256"] {
        for mode in ["streaming-trailer", "streaming-unsigned-trailer"] {
            let body = data(10_000);
            let request = signed_request(mode, &body, &["--checksum", checksum]);
            let (out, written) = verify_request(&request, &[]);
            let (stdout, _) = cli_support::ok(&out);
            assert!(
                stdout.contains(&format!("trailer x-amz-checksum-{checksum} ")),
                "{stdout}"
            );
            assert_eq!(written.unwrap(), body);
        }
    }
}

#[test]
fn a_raw_request_verifies_from_stdin_with_lf_line_ends_and_without_body_out() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let body = data(9000);
    let request = signed_request("streaming", &body, &[]);
    // A head with bare LF line ends (the body is left as it is).
    let at = request.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut lf = String::from_utf8(request[..at].to_vec())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    lf.extend_from_slice(&request[at..]);
    for input in [request, lf] {
        let mut child = Command::new(cli_support::example_binary("verify"))
            .args(["--request", "-", "--date", "20130524T000500Z"])
            .env("AWS_ACCESS_KEY_ID", cli_support::AKID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env_remove("AWS_SESSION_TOKEN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        let (stdout, _) = cli_support::ok(&out);
        assert!(
            stdout.ends_with(", each chunk signature verified\n"),
            "{stdout}"
        );
    }
}

/// Flips one byte of `request`: the first `at` of `needle`, plus `offset`.
fn flip(request: &[u8], needle: &str, offset: usize) -> Vec<u8> {
    let mut changed = request.to_vec();
    let at = request
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap_or_else(|| panic!("{needle:?} in the request"))
        + offset;
    // A hex digit stays a hex digit; anything else just changes.
    changed[at] = match changed[at] {
        b'0' => b'1',
        b'0'..=b'9' | b'a'..=b'f' => b'0',
        other => other ^ 1,
    };
    changed
}

/// The offset of the body in a request.
fn body_start(request: &[u8]) -> usize {
    request.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4
}

#[test]
fn a_flipped_byte_is_a_named_failure_and_no_body_out() {
    let body = data(3 * 8192 + 100);
    let mut cases: Vec<(Vec<u8>, &str)> = Vec::new();
    for mode in MODES {
        let request = signed_request(mode, &body, &[]);
        // A byte of the body (of the second chunk's data when chunked).
        let mut changed = request.clone();
        changed[body_start(&request) + 8192 + 500] ^= 0x20;
        let named = match mode {
            "signed" => "the body does not match the signed x-amz-content-sha256",
            // Not covered by the signature: see below.
            "unsigned" => "",
            "streaming-unsigned-trailer" => {
                "the trailer x-amz-checksum-crc32c does not match the body"
            }
            _ => "chunk 1: the chunk signature does not match",
        };
        if !named.is_empty() {
            cases.push((changed, named));
        }
        // A byte of a signed header's value, and of the signature.
        cases.push((
            flip(&request, "Host: examplebucket", 6),
            "signature mismatch",
        ));
        cases.push((flip(&request, "Signature=", 10), "signature mismatch"));
        cases.push((
            flip(&request, "x-amz-date: ", 12 + 14),
            "signature mismatch",
        ));
        if mode.starts_with("streaming") {
            cases.push((
                flip(&request, "x-amz-decoded-content-length: ", 30),
                "signature mismatch",
            ));
        }
        if mode == "streaming" || mode == "streaming-trailer" {
            // A byte of a chunk signature: the first, and the final chunk's.
            cases.push((
                flip(&request, "chunk-signature=", 16 + 20),
                "chunk 0: the chunk signature does not match",
            ));
            cases.push((
                flip(&request, "\r\n0;chunk-signature=", 20 + 5),
                "chunk 4: the chunk signature does not match",
            ));
        }
        if mode == "streaming-trailer" {
            cases.push((
                flip(&request, "x-amz-trailer-signature:", 24 + 3),
                "the trailer signature does not match",
            ));
            cases.push((
                flip(&request, "x-amz-checksum-crc32c:", 22 + 2),
                "the trailer x-amz-checksum-crc32c does not match the body",
            ));
        }
    }
    for (request, named) in cases {
        let (out, written) = verify_request(&request, &[]);
        rejected(&out, named);
        assert_eq!(written, None, "no body-out for {named:?}");
    }
    // UNSIGNED-PAYLOAD: the signature says nothing of the body, and the
    // summary says so.
    let request = signed_request("unsigned", &body, &[]);
    let mut changed = request.clone();
    changed[body_start(&request) + 10] ^= 0x20;
    let (out, written) = verify_request(&changed, &[]);
    let (stdout, _) = cli_support::ok(&out);
    assert!(stdout.contains("not covered by the signature (UNSIGNED-PAYLOAD)"));
    assert_ne!(written.unwrap(), body);
}

#[test]
fn other_failed_checks_of_a_raw_request_are_named() {
    let request = signed_request("streaming", &data(100), &[]);
    let (out, written) = verify_request(&request, &["--region", "eu-west-1"]);
    rejected(&out, "scope mismatch");
    assert_eq!(written, None);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("r.http");
    std::fs::write(&input, &request).unwrap();
    let input = input.to_str().unwrap();
    rejected(
        &run_with_env(&["--request", input, "--date", "20130524T120000Z"], &[]),
        "request time too skewed",
    );
    rejected(
        &run_with_env(
            &["--request", input, "--date", "20130524T000500Z"],
            &[("AWS_SECRET_ACCESS_KEY", "another-secret")],
        ),
        "signature mismatch",
    );
    // An unsigned x-amz-* header added to the request.
    let mut added = request.clone();
    let at = body_start(&request) - 2;
    added.splice(at..at, b"x-amz-acl: public-read\r\n".iter().copied());
    let (out, _) = verify_request(&added, &[]);
    rejected(&out, "header \"x-amz-acl\" is present but not signed");
    // A body cut short, with Content-Length to match: the chunks end early.
    let end = request.len() - 40;
    let mut cut = request[..end].to_vec();
    let length = format!("Content-Length: {}", end - body_start(&request));
    let head = String::from_utf8_lossy(&cut[..body_start(&request)]).into_owned();
    let old = head
        .lines()
        .find(|l| l.starts_with("Content-Length"))
        .unwrap()
        .to_owned();
    let fixed = head.replace(&old, &length);
    cut.splice(..body_start(&request), fixed.into_bytes());
    let (out, written) = verify_request(&cut, &[]);
    rejected(&out, "the body ends early");
    assert_eq!(written, None);
}

#[test]
fn input_that_is_not_an_http_request_exits_2() {
    let request = signed_request("signed", b"hello", &[]);
    let unsigned =
        b"PUT /k HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\nContent-Length: 0\r\n\r\n";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"".to_vec(),
            "not an HTTP request: the input ends inside the request line",
        ),
        (
            b"hello\n".to_vec(),
            "not an HTTP request: expected METHOD TARGET HTTP/1.1",
        ),
        (b"\x00\x01binary garbage".to_vec(), "not an HTTP request"),
        (
            b"GET http://example.com/ HTTP/1.1\r\n\r\n".to_vec(),
            "the target must start with /",
        ),
        (b"GET / HTTP/2\r\n\r\n".to_vec(), "HTTP/1.1 or HTTP/1.0"),
        (
            b"PUT / HTTP/1.1\r\nHost: a\r\n".to_vec(),
            "no blank line after them",
        ),
        (
            b"PUT / HTTP/1.1\r\nno colon\r\n\r\n".to_vec(),
            "a header line without ':'",
        ),
        (
            b"PUT / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n".to_vec(),
            "folded",
        ),
        (
            b"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(),
            "Transfer-Encoding is not supported",
        ),
        (
            b"PUT / HTTP/1.1\r\nContent-Length: x\r\n\r\n".to_vec(),
            "Content-Length is not a decimal",
        ),
        (
            request[..request.len() - 1].to_vec(),
            "shorter than Content-Length 5",
        ),
        (
            [&request[..], b"\r\n"].concat(),
            "2 bytes follow the 5-byte body",
        ),
        (unsigned.to_vec(), "not signed"),
    ];
    for (input, needle) in cases {
        let (out, written) = verify_request(&input, &[]);
        fails(&out, needle);
        assert_eq!(written, None);
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("r.http");
    std::fs::write(&input, &request).unwrap();
    let input = input.to_str().unwrap();
    let missing = dir.path().join("missing.http");
    let url = documentation_url(&[]);
    let bad: &[(&[&str], &str)] = &[
        (&["--request", missing.to_str().unwrap()], "cannot read"),
        (&["--request", input, &url], "--request takes no URL"),
        (
            &["--request", input, "--method", "PUT"],
            "--method and --header do not go with --request",
        ),
        (
            &["--request", input, "--header", "a:b"],
            "do not go with --request",
        ),
        (&[&url, "--body-out", "x"], "--body-out needs --request"),
        (&["--request"], "--request needs a value"),
        (&[&url, &url], "expected exactly one URL"),
    ];
    for (args, needle) in bad {
        fails(&run_with_env(args, &[]), needle);
    }
}

/// botocore's SigV4a URL for a Multi-Region Access Point (made with the
/// CRT: tests/vectors/boto3-arn-presign.json, case `mrap-get`, signed at
/// 20260524T120000Z for 600 s with the example credentials).
fn botocore_sigv4a_url() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/boto3-arn-presign.json"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("json");
    let case = json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == "mrap-get")
        .expect("the mrap-get case");
    case["url"].as_str().expect("url").to_owned()
}

#[test]
fn sigv4a_urls_verify_with_the_feature() {
    let url = botocore_sigv4a_url();
    let out = run_with_env(&[&url, "--date", "20260524T120100Z"], &[]);
    if !cfg!(feature = "sigv4a") {
        rejected(&out, "unsupported algorithm \"AWS4-ECDSA-P256-SHA256\"");
        return;
    }
    let (stdout, stderr) = cli_support::ok(&out);
    assert_eq!(stderr, "");
    assert_eq!(
        stdout,
        "ok\naccess key id: AKIAIOSFODNN7EXAMPLE\nscope: 20260524/s3/aws4_request\n\
         signed headers: host\nexpires: 20260524T121000Z\n"
    );
    // The region set `*` covers any region the server accepts.
    let out = run_with_env(
        &[&url, "--date", "20260524T120100Z", "--region", "ap-south-2"],
        &[],
    );
    cli_support::ok(&out);
    // Its last second, then expired.
    cli_support::ok(&run_with_env(&[&url, "--date", "20260524T121000Z"], &[]));
    rejected(
        &run_with_env(&[&url, "--date", "20260524T121001Z"], &[]),
        "expired",
    );
    // Another secret, or another object: the ECDSA signature does not verify.
    rejected(
        &run_with_env(
            &[&url, "--date", "20260524T120100Z"],
            &[("AWS_SECRET_ACCESS_KEY", "another secret")],
        ),
        "signature",
    );
    let other_key = url.replacen("/reports/q1.csv?", "/reports/q2.csv?", 1);
    rejected(
        &run_with_env(&[&other_key, "--date", "20260524T120100Z"], &[]),
        "signature",
    );
}
