//! The `presign-sign-request` tool's command-line contract, run as a real
//! process: one complete HTTP/1.1 request on stdout, in every payload mode,
//! with the host and path the `presign` tool gives; bad input is status
//! 2 with one line on stderr. (`tests/cli_verify.rs` sends its output
//! through `verify --request`.)
#![cfg(feature = "cli")]

mod cli_support;

use std::path::Path;
use std::process::Output;

use cli_support::{SECRET, fails};

const DATE: &str = "20130524T000000Z";

fn run(args: &[&str]) -> Output {
    cli_support::run_with_env("sign_request", args, &[])
}

/// A file holding `body` in a fresh temporary directory.
fn body_file(body: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("body.bin");
    std::fs::write(&path, body).unwrap();
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}

/// Asserts exit 0 and nothing on stderr; returns stdout, bytes.
fn ok(out: &Output) -> Vec<u8> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
    out.stdout.clone()
}

/// The head of a request (up to the blank line) and its body.
fn split(request: &[u8]) -> (String, Vec<u8>) {
    let at = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a blank line");
    (
        String::from_utf8(request[..at + 2].to_vec()).unwrap(),
        request[at + 4..].to_vec(),
    )
}

// The S3 documentation's header-signed PUT ("Example: PUT Object"), with
// its published signature and body hash.
#[test]
fn reproduces_the_s3_documentation_put_byte_for_byte() {
    let (_dir, file) = body_file(b"Welcome to Amazon S3.");
    let out = run(&[
        "--date",
        DATE,
        "--endpoint-url",
        "https://s3.amazonaws.com",
        "--addressing",
        "virtual",
        "--header",
        "Date: Fri, 24 May 2013 00:00:00 GMT",
        "--header",
        "x-amz-storage-class: REDUCED_REDUNDANCY",
        "s3://examplebucket/test$file.text",
        &file,
    ]);
    let expected = "PUT /test%24file.text HTTP/1.1\r\n\
         Host: examplebucket.s3.amazonaws.com\r\n\
         Date: Fri, 24 May 2013 00:00:00 GMT\r\n\
         x-amz-storage-class: REDUCED_REDUNDANCY\r\n\
         authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
         SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, \
         Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd\r\n\
         x-amz-date: 20130524T000000Z\r\n\
         x-amz-content-sha256: 44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\r\n\
         Content-Length: 21\r\n\
         \r\n\
         Welcome to Amazon S3.";
    assert_eq!(String::from_utf8(ok(&out)).unwrap(), expected);
}

#[test]
fn unsigned_payload_and_a_session_token() {
    let (_dir, file) = body_file(b"x");
    let out = cli_support::run_with_env(
        "sign_request",
        &[
            "--date",
            DATE,
            "--payload",
            "unsigned",
            "s3://examplebucket/k",
            &file,
        ],
        &[("AWS_SESSION_TOKEN", "TOKEN")],
    );
    let (head, body) = split(&ok(&out));
    let names: Vec<&str> = head
        .lines()
        .skip(1)
        .map(|l| l.split_once(':').unwrap().0)
        .collect();
    assert_eq!(
        names,
        [
            "Host",
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
            "Content-Length"
        ]
    );
    assert!(
        head.starts_with("PUT /k HTTP/1.1\r\nHost: examplebucket.s3.us-east-1.amazonaws.com\r\n")
    );
    assert!(head.contains("\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n"));
    assert!(head.contains("\r\nx-amz-security-token: TOKEN\r\n"));
    assert!(head.ends_with("Content-Length: 1\r\n"));
    assert_eq!(body, b"x");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
}

#[test]
fn streaming_bodies_are_chunked_with_a_short_last_chunk() {
    let data: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let (_dir, file) = body_file(&data);
    let out = run(&[
        "--date",
        DATE,
        "--payload",
        "streaming-trailer",
        "--checksum",
        "sha256",
        "--chunk-size",
        "8192",
        "s3://examplebucket/big.bin",
        &file,
    ]);
    let request = ok(&out);
    let (head, body) = split(&request);
    let lines: Vec<&str> = head.lines().collect();
    assert_eq!(lines[0], "PUT /big.bin HTTP/1.1");
    assert_eq!(lines[1], "Host: examplebucket.s3.us-east-1.amazonaws.com");
    assert!(lines[2].starts_with(
        "authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
         SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-trailer, \
         Signature="
    ));
    assert_eq!(
        lines[3..],
        [
            "x-amz-date: 20130524T000000Z",
            "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            "content-encoding: aws-chunked",
            "x-amz-decoded-content-length: 20000",
            "x-amz-trailer: x-amz-checksum-sha256",
            &format!("Content-Length: {}", body.len()),
        ]
    );
    // Chunks of 0x2000, 0x2000 and 0xe20 bytes, the final one, the trailer.
    let (mut at, mut sent) = (0, 0);
    for size in [0x2000usize, 0x2000, 0xe20] {
        let header = format!("{size:x};chunk-signature=");
        assert!(body[at..].starts_with(header.as_bytes()), "chunk at {at}");
        at += header.len() + 64;
        assert_eq!(&body[at..at + 2], b"\r\n");
        at += 2;
        assert_eq!(body[at..at + size], data[sent..sent + size]);
        assert_eq!(&body[at + size..at + size + 2], b"\r\n");
        at += size + 2;
        sent += size;
    }
    assert_eq!(sent, data.len());
    let tail = String::from_utf8(body[at..].to_vec()).unwrap();
    assert!(tail.starts_with("0;chunk-signature="), "{tail:?}");
    assert!(tail.contains("\r\nx-amz-checksum-sha256:"));
    assert!(tail.contains("\r\nx-amz-trailer-signature:"));
    assert!(tail.ends_with("\r\n\r\n"));
}

/// The request line's target and the Host header of a request.
fn target_and_host(request: &[u8]) -> (String, String) {
    let (head, _) = split(request);
    let mut lines = head.lines();
    let target = lines.next().unwrap().split(' ').nth(1).unwrap().to_owned();
    let host = lines
        .next()
        .unwrap()
        .strip_prefix("Host: ")
        .unwrap()
        .to_owned();
    (target, host)
}

#[test]
fn host_and_path_are_the_presign_examples() {
    let (_dir, file) = body_file(b"");
    let cases: &[&[&str]] = &[
        &["s3://examplebucket/photos/summer vacation/ሴ.jpg"],
        &["s3://examplebucket/a+b%20c?d#e"],
        &[
            "s3://examplebucket/a.txt",
            "--addressing",
            "path",
            "--region",
            "eu-west-3",
        ],
        &["s3://examplebucket/a.txt", "--region", "cn-north-1"],
        &["s3://my.dotted.bucket/k"],
        &[
            "s3://examplebucket/k",
            "--endpoint-url",
            "http://127.0.0.1:9000/prefix",
        ],
        &[
            "s3://examplebucket/k/",
            "--endpoint-url",
            "https://ACCOUNT.r2.cloudflarestorage.com",
            "--addressing",
            "virtual",
            "--region",
            "auto",
        ],
    ];
    for args in cases {
        let (url, _) = cli_support::ok(&cli_support::run_with_env(
            "presign",
            &[&["--date", DATE][..], args].concat(),
            &[],
        ));
        let url = url.trim_end();
        let (_, rest) = url.split_once("://").unwrap();
        let (authority, path_query) = rest.split_at(rest.find('/').unwrap());
        let path = path_query.split_once('?').unwrap().0;
        let request = ok(&run(
            &[&["--date", DATE][..], args, &[file.as_str()]].concat()
        ));
        assert_eq!(
            target_and_host(&request),
            (path.to_owned(), authority.to_owned()),
            "{args:?}"
        );
    }
}

#[test]
fn bad_input_exits_2() {
    let (dir, file) = body_file(b"data");
    let missing = dir.path().join("missing").to_str().unwrap().to_owned();
    let t = "s3://examplebucket/k";
    let cases: &[(&[&str], &str)] = &[
        (&[], "expected s3://BUCKET/KEY and FILE"),
        (&[t], "expected s3://BUCKET/KEY and FILE"),
        (&[t, &file, &file], "expected s3://BUCKET/KEY and FILE"),
        (&[t, &missing], "cannot read"),
        (
            &["https://examplebucket/k", &file],
            "expected s3://BUCKET/KEY",
        ),
        (&[t, &file, "--bogus"], "unknown option --bogus"),
        (&[t, &file, "--payload", "chunked"], "--payload must be"),
        (
            &[t, &file, "--payload", "streaming", "--chunk-size", "100"],
            "--chunk-size must be a whole number of bytes from 8192",
        ),
        (
            &[
                t,
                &file,
                "--payload",
                "streaming-trailer",
                "--chunk-size",
                "8191",
            ],
            "--chunk-size must be",
        ),
        (
            &[t, &file, "--payload", "streaming", "--chunk-size", "64k"],
            "--chunk-size must be",
        ),
        (
            &[
                t,
                &file,
                "--payload",
                "streaming",
                "--chunk-size",
                "2000000",
            ],
            "--chunk-size must be",
        ),
        (
            &[t, &file, "--chunk-size", "8192"],
            "--chunk-size needs a streaming --payload",
        ),
        (
            &[t, &file, "--checksum", "crc32"],
            "--checksum needs --payload streaming-trailer",
        ),
        (
            &[t, &file, "--payload", "streaming", "--checksum", "crc32"],
            "--checksum needs",
        ),
        (
            &[
                t,
                &file,
                "--payload",
                "streaming-trailer",
                "--checksum",
                "md5",
            ],
            "--checksum must be crc32, crc32c or sha256",
        ),
        (&[t, &file, "--method", "PATCH"], "--method must be"),
        (&[t, &file, "--date", "yesterday"], "YYYYMMDDTHHMMSSZ"),
        (
            &[t, &file, "--header", "nocolon"],
            "--header needs NAME:VALUE",
        ),
        (
            &[t, &file, "--header", "Host: evil.example"],
            "--header cannot set Host",
        ),
        (
            &[t, &file, "--header", "content-length: 4"],
            "cannot set content-length",
        ),
        (
            &[t, &file, "--header", "x-amz-date: 20130524T000000Z"],
            "x-amz-date",
        ),
        (
            &[
                t,
                &file,
                "--payload",
                "streaming",
                "--header",
                "content-encoding: gzip",
            ],
            "content-encoding",
        ),
        (
            &[t, &file, "--addressing", "sideways"],
            "--addressing must be",
        ),
    ];
    for (args, needle) in cases {
        fails(&run(args), needle);
    }
    // No credentials: bad input too.
    let out = cli_support::run_with_env("sign_request", &[t, &file], &[("AWS_ACCESS_KEY_ID", "")]);
    fails(&out, "AWS_ACCESS_KEY_ID is not set");
    assert!(Path::new(&file).exists());
}
