//! End to end: the `upload_gateway` example's route (the same file,
//! `examples/upload_gateway/gateway.rs`) served by axum on 127.0.0.1 with a
//! temporary folder, and the example binary itself.
//!
//! Links are made by the crate ([`Bucket`] at `http://127.0.0.1:PORT`,
//! path-style) and by the `presign` tool, with the credentials
//! the CLI tests use; a raw HTTP/1.1 client (`tests/s3s_fs/mod.rs`) sends
//! each URL's path and query byte for byte, with `Host` from the URL, and
//! connects to 127.0.0.1 only.
//!
//! Every refusal checks the status, the reason in the answer, and that the
//! whole temporary folder (the gateway's storage folder is inside it) is
//! unchanged; each group of refusals ends with the untampered request
//! succeeding, so a gateway that refused (or stored) everything would
//! fail.
#![cfg(all(feature = "http", feature = "cli"))]

mod cli_support;
mod s3s_fs;

#[path = "../examples/upload_gateway/gateway.rs"]
mod gateway;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use cli_support::{AKID, SECRET};
use gateway::{Config, KeyError};
use presign::s3::{Addressing, Bucket, Endpoint};
use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, Signer, SigningTime,
};
use s3s_fs::{Response, assert_status, host_and_target};
use tempfile::TempDir;
use tokio::runtime::Runtime;

const BUCKET: &str = "uploads";
/// How long the test waits for the example binary.
const WAIT: Duration = Duration::from_secs(20);

fn creds() -> Credentials {
    Credentials::new(AKID, SECRET).unwrap()
}

fn region() -> Region {
    Region::new("us-east-1").unwrap()
}

// ---------------------------------------------------------------------------
// The gateway on 127.0.0.1

/// The gateway's router on its own tokio runtime and a free port, storing
/// into `ROOT/store`; shut down (and the folder removed) when dropped.
struct Gateway {
    port: u16,
    root: TempDir,
    runtime: Option<Runtime>,
}

impl Gateway {
    fn start() -> Gateway {
        Gateway::start_with(|c| c)
    }

    fn start_with(configure: impl FnOnce(Config) -> Config) -> Gateway {
        let root = tempfile::Builder::new()
            .prefix("presign-e2e-upload-gateway-")
            .tempdir()
            .unwrap();
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("upload-gateway-test")
            .enable_all()
            .build()
            .unwrap();
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener).unwrap()
        };
        let dir = root.path().join("store");
        std::fs::create_dir(&dir).unwrap();
        let config = configure(Config::new(BUCKET, region(), creds(), dir, addr));
        let app = gateway::app(config);
        runtime.spawn(async move { axum::serve(listener, app).await });
        Gateway {
            port: addr.port(),
            root,
            runtime: Some(runtime),
        }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The gateway's bucket, path-style at [`endpoint`](Self::endpoint).
    fn bucket(&self) -> Bucket {
        bucket_at(BUCKET, &self.endpoint(), region())
    }

    /// Sends `method target` to the gateway with this `Host` header.
    fn send(
        &self,
        method: &str,
        host: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        s3s_fs::send(self.port, method, host, target, headers, body)
    }

    /// Sends `method url` to the gateway: `Host` is the URL's authority,
    /// the target its path and query, byte for byte. The URL must be for
    /// this port on a loopback name; the connection is always to
    /// 127.0.0.1.
    fn send_url(&self, method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let (host, target) = host_and_target(url);
        let port = format!(":{}", self.port);
        assert!(
            host.ends_with(&port) && host.starts_with("127.") || host == format!("localhost{port}"),
            "a link to another server: {url}"
        );
        self.send(method, host, target, headers, body)
    }

    /// Sends a PUT of `url` with `headers` and `body`.
    fn put(&self, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        self.send_url("PUT", url, headers, body)
    }

    /// Everything under the temporary folder: paths relative to it, with
    /// the content of files (`None` for folders).
    fn tree(&self) -> BTreeMap<String, Option<Vec<u8>>> {
        let mut tree = BTreeMap::new();
        let mut pending = vec![self.root.path().to_path_buf()];
        // Bounded: the tests store a few dozen entries at most.
        for _ in 0..10_000 {
            let Some(dir) = pending.pop() else {
                return tree;
            };
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path
                    .strip_prefix(self.root.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if path.is_dir() {
                    tree.insert(name, None);
                    pending.push(path);
                } else {
                    tree.insert(name, Some(std::fs::read(&path).unwrap()));
                }
            }
        }
        panic!("too many entries under {}", self.root.path().display());
    }

    /// The stored object `KEY` of the gateway's bucket, read as a file.
    fn stored(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.file(key)).ok()
    }

    fn file(&self, key: &str) -> PathBuf {
        self.root.path().join("store").join(BUCKET).join(key)
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

fn bucket_at(name: &str, endpoint: &str, region: Region) -> Bucket {
    Bucket::new(name, region)
        .and_then(|b| b.endpoint(Endpoint::custom(endpoint)?))
        .and_then(|b| b.addressing(Addressing::Path))
        .unwrap_or_else(|e| panic!("bucket {name} at {endpoint}: {e}"))
}

/// A presigned PUT for `key` in `bucket`, signing `headers` too.
fn presign_put(
    bucket: &Bucket,
    key: &str,
    headers: &[(&str, &str)],
    creds: &Credentials,
    at: SigningTime,
    expires_in: Duration,
) -> String {
    let mut put = bucket.put_object(key);
    for (name, value) in headers {
        put = put.header(name, value);
    }
    put.presign(creds, at, expires_in)
        .unwrap_or_else(|e| panic!("presign {key}: {e}"))
        .into_string()
}

/// A presigned PUT for `key` at the gateway, now, for 5 minutes.
fn link(gw: &Gateway, key: &str) -> String {
    presign_put(
        &gw.bucket(),
        key,
        &[],
        &creds(),
        SigningTime::now(),
        Duration::from_secs(300),
    )
}

/// A presigned PUT made by the `presign` tool for
/// `s3://BUCKET/KEY` at the gateway, with `extra` arguments.
fn cli_link(gw: &Gateway, key: &str, extra: &[&str]) -> String {
    let target = format!("s3://{BUCKET}/{key}");
    let endpoint = gw.endpoint();
    let mut args = vec![
        target.as_str(),
        "--method",
        "PUT",
        "--endpoint-url",
        &endpoint,
        "--addressing",
        "path",
    ];
    args.extend_from_slice(extra);
    let out = cli_support::run_with_env("presign", &args, &[]);
    let (stdout, _) = cli_support::ok(&out);
    let url = stdout.trim_end().to_owned();
    assert!(
        url.starts_with(&format!("{endpoint}/{BUCKET}/")),
        "the presign tool's URL: {url}"
    );
    url
}

/// Header-signed (`Authorization`, with `x-amz-content-sha256`) headers for
/// a PUT of `body` to `target` at the gateway.
fn header_signed(gw: &Gateway, target: &str, body: &[u8]) -> Vec<(String, String)> {
    let signer = Signer::new(region(), Service::s3()).sign_content_sha256(true);
    let host = format!("127.0.0.1:{}", gw.port);
    let request = SignableRequest::new(Method::PUT, &host, target).payload(Payload::Bytes(body));
    let creds = creds();
    let signed = signer
        .sign_headers(&request, &creds, SigningTime::now())
        .unwrap();
    let headers: Vec<(String, String)> = signed
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    assert!(
        headers.iter().any(|(n, _)| n == "x-amz-content-sha256"),
        "{headers:?}"
    );
    headers
}

fn borrowed(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// A refusal: this status, a plain-text reason containing `reason`, and
/// the folder exactly as `before`.
#[track_caller]
fn assert_refused(
    gw: &Gateway,
    r: &Response,
    status: u16,
    reason: &str,
    before: &BTreeMap<String, Option<Vec<u8>>>,
    what: &str,
) {
    assert_status(r, status, what);
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; charset=utf-8"),
        "{what}"
    );
    assert!(
        r.text().contains(reason),
        "{what}: {:?} should say {reason:?}",
        r.text()
    );
    assert!(
        !r.text().contains(SECRET),
        "{what}: the secret in a refusal"
    );
    assert!(gw.tree() == *before, "{what}: the folder changed");
}

/// Replaces the last hex digit of `X-Amz-Signature` with another one.
fn tamper_signature(url: &str) -> String {
    let start = url.find("X-Amz-Signature=").expect("a signature") + "X-Amz-Signature=".len();
    let end = url[start..].find('&').map_or(url.len(), |i| start + i);
    assert_eq!(end - start, 64, "{url}");
    let last = url.as_bytes()[end - 1];
    let other = if last == b'0' { '1' } else { '0' };
    let tampered = format!("{}{other}{}", &url[..end - 1], &url[end..]);
    assert_ne!(tampered, url);
    tampered
}

/// A signing time `seconds` from now (negative: in the past).
fn now_plus(seconds: i64) -> SigningTime {
    SigningTime::from_unix_timestamp(SigningTime::now().unix_timestamp() + seconds).unwrap()
}

// ---------------------------------------------------------------------------
// Uploads that are stored

/// A PUT link made by the crate stores the body, byte for byte, under
/// `DIR/BUCKET/KEY`; the temporary file is gone. A second PUT replaces it;
/// encoded keys are stored under their decoded names; links for
/// `localhost:PORT` work too.
#[test]
fn a_link_made_by_the_crate_is_stored() {
    let gw = Gateway::start();
    let content: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let url = link(&gw, "reports/2026/q1.bin");
    assert!(
        url.starts_with(&format!(
            "{}/{BUCKET}/reports/2026/q1.bin?X-Amz-",
            gw.endpoint()
        )),
        "{url}"
    );
    assert_status(
        &gw.put(&url, &[], &content),
        200,
        "PUT with the crate's link",
    );
    assert_eq!(gw.stored("reports/2026/q1.bin"), Some(content.clone()));
    let tree = gw.tree();
    let files: Vec<&String> = tree
        .iter()
        .filter(|(_, c)| c.is_some())
        .map(|(n, _)| n)
        .collect();
    assert_eq!(files, ["store/uploads/reports/2026/q1.bin"], "{tree:?}");

    // The same link again, another body: replaced.
    assert_status(&gw.put(&url, &[], b"second"), 200, "a second PUT");
    assert_eq!(
        gw.stored("reports/2026/q1.bin").as_deref(),
        Some(&b"second"[..])
    );

    // Spaces, non-ASCII, `+` and `%`: percent-encoded in the link, stored
    // under the key itself.
    let key = "2026/q1 résumé+final 100%.txt";
    let url = link(&gw, key);
    assert!(
        url.contains("/2026/q1%20r%C3%A9sum%C3%A9%2Bfinal%20100%25.txt?"),
        "{url}"
    );
    assert_status(&gw.put(&url, &[], b"hello"), 200, "an encoded key");
    assert_eq!(gw.stored(key).as_deref(), Some(&b"hello"[..]));

    // An empty body is an object too.
    let url = link(&gw, "empty");
    assert_status(&gw.put(&url, &[], b""), 200, "an empty body");
    assert_eq!(gw.stored("empty").as_deref(), Some(&b""[..]));

    // Signed with a content type, sent with it.
    let url = presign_put(
        &gw.bucket(),
        "typed.txt",
        &[("content-type", "text/plain")],
        &creds(),
        SigningTime::now(),
        Duration::from_secs(60),
    );
    let r = gw.put(&url, &[("Content-Type", "text/plain")], b"typed");
    assert_status(&r, 200, "a signed content type, sent");
    assert_eq!(gw.stored("typed.txt").as_deref(), Some(&b"typed"[..]));

    // The other name of the loopback host.
    let localhost = bucket_at(BUCKET, &format!("http://localhost:{}", gw.port), region());
    let url = presign_put(
        &localhost,
        "via-localhost",
        &[],
        &creds(),
        SigningTime::now(),
        Duration::from_secs(60),
    );
    assert_status(&gw.put(&url, &[], b"l"), 200, "a link for localhost:PORT");
    assert_eq!(gw.stored("via-localhost").as_deref(), Some(&b"l"[..]));

    // Nothing is left in the temporary folder.
    let incoming = gw.root.path().join("store/.incoming");
    assert_eq!(std::fs::read_dir(incoming).unwrap().count(), 0);
}

/// A PUT link made by the `presign` tool is stored; with
/// `--header content-type:...` the upload sends that header.
#[test]
fn a_link_made_by_the_presign_example_is_stored() {
    let gw = Gateway::start();
    let url = cli_link(&gw, "cli/notes.txt", &["--expires-in", "300"]);
    assert!(url.contains("X-Amz-Expires=300&"), "{url}");
    assert_status(&gw.put(&url, &[], b"from the CLI"), 200, "the CLI's link");
    assert_eq!(
        gw.stored("cli/notes.txt").as_deref(),
        Some(&b"from the CLI"[..])
    );

    let url = cli_link(&gw, "cli/typed.csv", &["--header", "content-type:text/csv"]);
    assert!(
        url.contains("X-Amz-SignedHeaders=content-type%3Bhost&"),
        "{url}"
    );
    let r = gw.put(&url, &[("content-type", "text/csv")], b"a,b\n1,2\n");
    assert_status(&r, 200, "the CLI's link with a signed content type");
    assert_eq!(
        gw.stored("cli/typed.csv").as_deref(),
        Some(&b"a,b\n1,2\n"[..])
    );
}

/// A header-signed PUT (`Authorization`, `x-amz-content-sha256` of the
/// body) is stored; the same headers with another body of the same length
/// are refused before anything is written.
#[test]
fn a_header_signed_put_has_its_body_checked() {
    let gw = Gateway::start();
    let target = format!("/{BUCKET}/signed/body.txt");
    let headers = header_signed(&gw, &target, b"the signed body");
    let host = format!("127.0.0.1:{}", gw.port);

    let before = gw.tree();
    let r = gw.send(
        "PUT",
        &host,
        &target,
        &borrowed(&headers),
        b"the forged body",
    );
    assert_refused(
        &gw,
        &r,
        403,
        "does not match the signed x-amz-content-sha256",
        &before,
        "another body",
    );
    let r = gw.send("PUT", &host, &target, &borrowed(&headers), b"");
    assert_refused(&gw, &r, 403, "does not match", &before, "an empty body");
    let mut with_acl = borrowed(&headers);
    with_acl.push(("x-amz-acl", "public-read"));
    let r = gw.send("PUT", &host, &target, &with_acl, b"the signed body");
    assert_refused(
        &gw,
        &r,
        403,
        "\"x-amz-acl\" is present but not signed",
        &before,
        "an unsigned x-amz-acl",
    );

    let r = gw.send(
        "PUT",
        &host,
        &target,
        &borrowed(&headers),
        b"the signed body",
    );
    assert_status(&r, 200, "the signed body");
    assert_eq!(
        gw.stored("signed/body.txt").as_deref(),
        Some(&b"the signed body"[..])
    );
}

// ---------------------------------------------------------------------------
// Refusals: nothing is stored

/// One hex digit of the signature changed, the key or bucket in the path
/// changed, the expiry changed: the signature no longer matches. For links
/// made by the crate and by the `presign` tool.
#[test]
fn tampered_links_store_nothing() {
    let gw = Gateway::start();
    for (origin, url) in [
        ("crate", link(&gw, "docs/a.txt")),
        (
            "presign tool",
            cli_link(&gw, "docs/a.txt", &["--expires-in", "300"]),
        ),
    ] {
        let before = gw.tree();
        let tampered = [
            ("a signature digit", tamper_signature(&url)),
            ("the key", url.replacen("/docs/a.txt?", "/docs/b.txt?", 1)),
            (
                "the key's folder",
                url.replacen("/docs/a.txt?", "/doc/a.txt?", 1),
            ),
            (
                "the expiry",
                url.replacen("X-Amz-Expires=300", "X-Amz-Expires=301", 1),
            ),
            (
                "an added query parameter",
                url.replacen("?", "?X-Amz-Extra=1&", 1),
            ),
        ];
        for (what, tampered) in tampered {
            assert_ne!(tampered, url, "{origin}: {what}");
            let r = gw.put(&tampered, &[], b"tampered");
            assert_refused(
                &gw,
                &r,
                403,
                "signature mismatch",
                &before,
                &format!("{origin}: {what}"),
            );
        }
        // The bucket in the path: the signature covers it too.
        let r = gw.put(&url.replacen("/uploads/", "/uploadz/", 1), &[], b"x");
        assert_refused(
            &gw,
            &r,
            403,
            "signature mismatch",
            &before,
            &format!("{origin}: the bucket"),
        );
        // No signature at all.
        let plain = url.split_once('?').unwrap().0;
        let r = gw.put(plain, &[], b"x");
        assert_refused(
            &gw,
            &r,
            403,
            "not signed",
            &before,
            &format!("{origin}: unsigned"),
        );

        let r = gw.put(&url, &[], origin.as_bytes());
        assert_status(&r, 200, &format!("{origin}: the link as made"));
        assert_eq!(gw.stored("docs/a.txt").as_deref(), Some(origin.as_bytes()));
        assert_eq!(gw.stored("docs/b.txt"), None);
    }
}

/// Links past their expiry are refused, whether signed long ago (the crate,
/// the `presign` tool's `--date`) or expiring while the test waits;
/// links dated beyond the clock skew are not yet valid.
#[test]
fn expired_links_store_nothing() {
    let gw = Gateway::start();
    let two_hours_ago = now_plus(-7200);
    let old = presign_put(
        &gw.bucket(),
        "late.txt",
        &[],
        &creds(),
        two_hours_ago,
        Duration::from_secs(60),
    );
    let date = two_hours_ago.to_string();
    let old_cli = cli_link(&gw, "late.txt", &["--date", &date, "--expires-in", "60"]);
    assert!(
        old_cli.contains(&format!("X-Amz-Date={date}&")),
        "{old_cli}"
    );
    let future = presign_put(
        &gw.bucket(),
        "late.txt",
        &[],
        &creds(),
        now_plus(3600),
        Duration::from_secs(60),
    );
    let short = presign_put(
        &gw.bucket(),
        "late.txt",
        &[],
        &creds(),
        SigningTime::now(),
        Duration::from_secs(1),
    );
    let long = link(&gw, "late.txt");
    sleep(Duration::from_secs(3));

    let before = gw.tree();
    for (what, url, reason) in [
        ("signed 2 h ago for 60 s, by the crate", &old, "expired at"),
        (
            "signed 2 h ago for 60 s, by the presign tool",
            &old_cli,
            "expired at",
        ),
        ("signed now for 1 s, used 3 s later", &short, "expired at"),
        ("signed an hour from now", &future, "not yet valid"),
    ] {
        let r = gw.put(url, &[], b"late");
        assert_refused(&gw, &r, 403, reason, &before, what);
    }
    assert_status(&gw.put(&long, &[], b"in time"), 200, "a 5-minute link");
    assert_eq!(gw.stored("late.txt").as_deref(), Some(&b"in time"[..]));
}

/// Headers the signature does not cover: any `x-amz-*` one is refused
/// (`x-amz-acl: public-read`, `x-amz-copy-source`, in any case); a signed
/// header that is missing or changed is refused. Other unsigned headers
/// (a `Content-Type` the link did not sign) change nothing that is stored
/// and are let through.
#[test]
fn unsigned_headers_store_nothing() {
    let gw = Gateway::start();
    for (origin, url) in [
        ("crate", link(&gw, "in/a.bin")),
        ("presign tool", cli_link(&gw, "in/a.bin", &[])),
    ] {
        let before = gw.tree();
        for (name, value) in [
            ("x-amz-acl", "public-read"),
            ("x-amz-copy-source", "uploads/private/payroll.csv"),
            ("X-Amz-Copy-Source", "/uploads/private/payroll.csv"),
            ("X-AMZ-WEBSITE-REDIRECT-LOCATION", "http://127.0.0.1/"),
            ("x-amz-server-side-encryption", "AES256"),
        ] {
            let r = gw.put(&url, &[(name, value)], b"with an unsigned header");
            let reason = format!(
                "header {:?} is present but not signed",
                name.to_ascii_lowercase()
            );
            assert_refused(&gw, &r, 403, &reason, &before, &format!("{origin}: {name}"));
        }
        let r = gw.put(&url, &[("Content-Type", "text/html")], b"unsigned type");
        assert_status(&r, 200, &format!("{origin}: an unsigned Content-Type"));
        assert_eq!(
            gw.stored("in/a.bin").as_deref(),
            Some(&b"unsigned type"[..])
        );
    }

    // Signed with a content type: it must be sent, as signed.
    let url = presign_put(
        &gw.bucket(),
        "in/typed.txt",
        &[("content-type", "text/plain")],
        &creds(),
        SigningTime::now(),
        Duration::from_secs(60),
    );
    let cli = cli_link(
        &gw,
        "in/typed.txt",
        &["--header", "content-type:text/plain"],
    );
    for (origin, url) in [("crate", &url), ("presign tool", &cli)] {
        let before = gw.tree();
        let r = gw.put(url, &[], b"untyped");
        assert_refused(
            &gw,
            &r,
            403,
            "signed header \"content-type\" is missing",
            &before,
            &format!("{origin}: without its content type"),
        );
        let r = gw.put(url, &[("Content-Type", "text/html")], b"retyped");
        assert_refused(
            &gw,
            &r,
            403,
            "signature mismatch",
            &before,
            &format!("{origin}: another content type"),
        );
        let r = gw.put(url, &[("Content-Type", "text/plain")], origin.as_bytes());
        assert_status(&r, 200, &format!("{origin}: the signed content type"));
        assert_eq!(
            gw.stored("in/typed.txt").as_deref(),
            Some(origin.as_bytes())
        );
    }
}

/// Links signed with other credentials, for another region or for another
/// host are refused.
#[test]
fn other_signers_and_servers_store_nothing() {
    let gw = Gateway::start();
    let now = SigningTime::now();
    let minute = Duration::from_secs(60);
    let wrong_secret = Credentials::new(AKID, "not/the+secret0123456789abcdefghijklmnop").unwrap();
    let other_key = Credentials::new("AKIAOTHERKEY00000000", SECRET).unwrap();
    let eu = bucket_at(BUCKET, &gw.endpoint(), Region::new("eu-west-1").unwrap());
    let other_host = bucket_at(BUCKET, &format!("http://127.0.0.2:{}", gw.port), region());
    let cases = [
        (
            "another secret",
            presign_put(&gw.bucket(), "k", &[], &wrong_secret, now, minute),
            "signature mismatch",
        ),
        (
            "another access key",
            presign_put(&gw.bucket(), "k", &[], &other_key, now, minute),
            "unknown access key",
        ),
        (
            "another region",
            presign_put(&eu, "k", &[], &creds(), now, minute),
            "region \"eu-west-1\" is not accepted",
        ),
        (
            "another host",
            presign_put(&other_host, "k", &[], &creds(), now, minute),
            "is not accepted",
        ),
        (
            "another region, by the presign tool",
            cli_link(&gw, "k", &["--region", "eu-west-1"]),
            "not accepted",
        ),
    ];
    let before = gw.tree();
    for (what, url, reason) in cases {
        let r = gw.put(&url, &[], b"x");
        assert_refused(&gw, &r, 403, reason, &before, what);
    }
    assert_status(
        &gw.put(&link(&gw, "k"), &[], b"ok"),
        200,
        "the gateway's own link",
    );
}

/// With a session token, requests must carry the same token.
#[test]
fn session_tokens_must_match() {
    let token = "session-token/0123456789+abc=";
    let with_token = creds().with_session_token(token).unwrap();
    let gw = Gateway::start_with(|mut c| {
        c.credentials = with_token.clone();
        c
    });
    let now = SigningTime::now();
    let minute = Duration::from_secs(60);
    let other = creds().with_session_token("another-token").unwrap();
    let before = gw.tree();
    for (what, url, reason) in [
        ("no token", link(&gw, "t"), "missing session token"),
        (
            "another token",
            presign_put(&gw.bucket(), "t", &[], &other, now, minute),
            "session token mismatch",
        ),
    ] {
        let r = gw.put(&url, &[], b"x");
        assert_refused(&gw, &r, 403, reason, &before, what);
    }
    let url = presign_put(&gw.bucket(), "t", &[], &with_token, now, minute);
    assert!(url.contains("X-Amz-Security-Token="), "{url}");
    assert_status(&gw.put(&url, &[], b"token"), 200, "the token");
    let cli = cli_support::run_with_env(
        "presign",
        &[
            &format!("s3://{BUCKET}/t2"),
            "--method",
            "PUT",
            "--endpoint-url",
            &gw.endpoint(),
        ],
        &[("AWS_SESSION_TOKEN", token)],
    );
    let url = cli_support::ok(&cli).0.trim_end().to_owned();
    assert_status(
        &gw.put(&url, &[], b"cli token"),
        200,
        "the CLI with the token",
    );
    assert_eq!(gw.stored("t2").as_deref(), Some(&b"cli token"[..]));
}

// ---------------------------------------------------------------------------
// Bad requests

/// Other methods are 405 with `Allow: PUT`, even with a valid link for
/// them; nothing is read back.
#[test]
fn other_methods_are_not_allowed() {
    let gw = Gateway::start();
    assert_status(&gw.put(&link(&gw, "m"), &[], b"stored"), 200, "the object");
    let before = gw.tree();
    for method in [Method::GET, Method::HEAD, Method::DELETE, Method::POST] {
        let url = gw
            .bucket()
            .object_request(method, "m")
            .presign(&creds(), SigningTime::now(), Duration::from_secs(60))
            .unwrap();
        let r = gw.send_url(method.as_str(), url.as_str(), &[], b"");
        assert_status(&r, 405, method.as_str());
        assert_eq!(r.header("allow"), Some("PUT"), "{}", method.as_str());
        assert!(
            !r.body.windows(6).any(|w| w == b"stored"),
            "{}",
            method.as_str()
        );
        assert!(gw.tree() == before, "{}", method.as_str());
    }
}

/// Verified requests the gateway still refuses: keys that would leave (or
/// alias) their folder, another bucket, another S3 operation, bodies over
/// the maximum or without a length, keys that collide with a folder.
/// Nothing is written anywhere in the temporary folder.
#[test]
fn bad_uploads_are_refused() {
    let gw = Gateway::start_with(|mut c| {
        c.max_size = 16;
        c
    });
    let before = gw.tree();
    for (key, reason) in [
        ("../escape.txt", "'.' or '..'"),
        ("a/../../escape.txt", "'.' or '..'"),
        ("a/./b", "'.' or '..'"),
        ("..", "'.' or '..'"),
        ("a//b", "empty path segment"),
        ("/rooted", "empty path segment"),
        ("folder/", "empty path segment"),
        ("back\\slash", "backslash"),
        ("nul\u{0}byte", "control character"),
        (&"x".repeat(256), "longer than 255"),
        (&format!("{}x", "abc/".repeat(256)), "longer than 1024"),
    ] {
        let r = gw.put(&link(&gw, key), &[], b"x");
        assert_refused(&gw, &r, 400, reason, &before, &format!("key {key:?}"));
    }
    // The bucket itself (CreateBucket): no key.
    let url = gw
        .bucket()
        .bucket_request(Method::PUT)
        .presign(&creds(), SigningTime::now(), Duration::from_secs(60))
        .unwrap();
    let r = gw.put(url.as_str(), &[], b"");
    assert_refused(&gw, &r, 400, "the key is empty", &before, "the bucket");

    let other = bucket_at("other-bucket", &gw.endpoint(), region());
    let url = presign_put(
        &other,
        "k",
        &[],
        &creds(),
        SigningTime::now(),
        Duration::from_secs(60),
    );
    let r = gw.put(&url, &[], b"x");
    assert_refused(&gw, &r, 404, "no such bucket", &before, "another bucket");

    let part = gw
        .bucket()
        .upload_part("k", 1, "upload-id")
        .presign(&creds(), SigningTime::now(), Duration::from_secs(60))
        .unwrap();
    let r = gw.put(part.as_str(), &[], b"x");
    assert_refused(&gw, &r, 400, "only plain uploads", &before, "UploadPart");

    let url = link(&gw, "sized");
    let r = gw.put(&url, &[], &[b's'; 17]);
    assert_refused(
        &gw,
        &r,
        413,
        "larger than 16 bytes",
        &before,
        "17 bytes, max 16",
    );
    let r = gw.put(&url, &[("Content-Length", "99999999999")], b"");
    assert!(
        r.status == 413 || r.status == 400,
        "a huge Content-Length: {}",
        r.status
    );
    assert!(gw.tree() == before, "a huge Content-Length");
    let r = chunked_put(&gw, &url, b"chunked");
    assert_eq!(r, 411, "no Content-Length");
    assert!(gw.tree() == before, "no Content-Length");
    assert_status(&gw.put(&url, &[], &[b's'; 16]), 200, "16 bytes");
    assert_eq!(gw.stored("sized"), Some(vec![b's'; 16]));

    // A key and a key under it cannot both be files.
    let before = gw.tree();
    let r = gw.put(&link(&gw, "sized/under"), &[], b"x");
    assert_refused(
        &gw,
        &r,
        409,
        "conflicts",
        &before,
        "a key under a stored key",
    );
    assert_status(&gw.put(&link(&gw, "dir/file"), &[], b"f"), 200, "dir/file");
    let before = gw.tree();
    let r = gw.put(&link(&gw, "dir"), &[], b"x");
    assert_refused(&gw, &r, 409, "conflicts", &before, "a key that is a folder");
}

/// Sends a PUT of `url` with `Transfer-Encoding: chunked` and no
/// `Content-Length`; the status.
fn chunked_put(gw: &Gateway, url: &str, body: &[u8]) -> u16 {
    let (host, target) = host_and_target(url);
    let mut request = format!(
        "PUT {target} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request.extend_from_slice(b"\r\n0\r\n\r\n");
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, gw.port));
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.set_write_timeout(Some(WAIT)).unwrap();
    stream.write_all(&request).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .unwrap_or_else(|| panic!("a response: {text:?}"));
    status.parse().unwrap()
}

/// The key check itself, with its typed errors.
#[test]
fn keys_map_to_files_under_the_bucket_folder() {
    assert_eq!(
        gateway::key_segments("a/b c/d.txt"),
        Ok(vec!["a", "b c", "d.txt"])
    );
    assert_eq!(
        gateway::key_segments(".hidden/..."),
        Ok(vec![".hidden", "..."])
    );
    for (key, error) in [
        ("", KeyError::Empty),
        ("..", KeyError::DotSegment),
        ("a/.", KeyError::DotSegment),
        ("/a", KeyError::EmptySegment),
        ("a/", KeyError::EmptySegment),
        ("a\\b", KeyError::Character),
        ("a\nb", KeyError::Character),
        ("a\u{7f}", KeyError::Character),
    ] {
        assert_eq!(gateway::key_segments(key), Err(error), "{key:?}");
    }
    let dir = Path::new("/srv/store");
    let path = gateway::object_path(dir, "b", "/b/x/y%20z%2Bw").unwrap();
    assert_eq!(path, Path::new("/srv/store/b/x/y z+w"));
    for raw in ["/b/%2E%2E/x", "/b/x%2F..%2F..%2Fy", "/b/%2e%2e"] {
        assert!(
            matches!(
                gateway::object_path(dir, "b", raw),
                Err(gateway::Refusal::Key(KeyError::DotSegment))
            ),
            "{raw}"
        );
    }
    assert!(matches!(
        gateway::object_path(dir, "b", "/b/%FF"),
        Err(gateway::Refusal::Key(KeyError::NotUtf8))
    ));
    assert!(matches!(
        gateway::object_path(dir, "b", "/bb/x"),
        Err(gateway::Refusal::NoSuchBucket)
    ));
}

// ---------------------------------------------------------------------------
// The example binary

/// Runs the gateway binary with bad options, which must make it exit: after
/// [`WAIT`] it is killed and the test fails.
fn run_bounded(args: &[&str]) -> Output {
    let mut command = gateway_command(args);
    command.stdout(Stdio::piped());
    let mut running = Running(Some(command.spawn().expect("start the gateway")));
    let deadline = Instant::now() + WAIT;
    while running.child().try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "{args:?}: still running");
        sleep(Duration::from_millis(20));
    }
    running.into_output()
}

/// The gateway binary with `args`, the CLI tests' credentials and nothing
/// else from the AWS environment; stderr piped.
fn gateway_command(args: &[&str]) -> Command {
    let mut command = Command::new(cli_support::example_binary("upload_gateway"));
    command
        .args(args)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env("AWS_ACCESS_KEY_ID", AKID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// The example binary, started with the CLI tests' credentials; killed when
/// dropped.
struct Running(Option<Child>);

impl Running {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().unwrap()
    }

    /// Its status and output, once it has exited.
    fn into_output(mut self) -> Output {
        self.0.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `--help`, bad options (a non-loopback address above all) exit as the
/// other examples do; started on 127.0.0.1:0 it says where it listens and
/// stores what a `presign` link uploads.
#[test]
fn the_example_binary() {
    let out = cli_support::run_with_env("upload_gateway", &["--help"], &[]);
    let (stdout, _) = cli_support::ok(&out);
    assert!(stdout.starts_with("usage: upload_gateway"), "{stdout}");

    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("store");
    let dir_arg = dir.to_str().unwrap();
    let any_port = ["--listen", "127.0.0.1:0"];
    for (args, needle) in [
        (vec!["--listen", "0.0.0.0:0"], "not a loopback address"),
        (vec!["--listen", "[::]:0"], "not a loopback address"),
        (vec!["--listen", "192.0.2.1:8700"], "not a loopback address"),
        (vec!["--listen", "localhost:8700"], "must be IP:PORT"),
        (
            vec!["--listen=127.0.0.1:0", "--max-size", "0"],
            "--max-size",
        ),
        (
            vec!["--max-size=-1", "--listen", "127.0.0.1:0"],
            "--max-size",
        ),
        (any_port.to_vec(), "--dir is required"),
        (
            vec![
                "--dir",
                dir_arg,
                "--listen",
                "127.0.0.1:0",
                "--dir",
                dir_arg,
            ],
            "given twice",
        ),
        (
            vec!["--listen", "127.0.0.1:0", "--verbose"],
            "unknown argument",
        ),
        (vec!["--listen", "127.0.0.1:0", "--region", ""], "region"),
    ] {
        let mut args = args;
        if !args.contains(&"--dir") && needle != "--dir is required" {
            args.extend(["--dir", dir_arg]);
        }
        cli_support::fails(&run_bounded(&args), needle);
    }
    // Bucket names that could leave the folder, or are not S3's.
    for bucket in [
        "..",
        ".",
        ".incoming",
        "a/b",
        "Not_A_Bucket",
        "ab",
        "-abc",
        "abc-",
        "a..b",
        "",
    ] {
        let args = [
            "--dir",
            dir_arg,
            "--listen",
            "127.0.0.1:0",
            "--bucket",
            bucket,
        ];
        cli_support::fails(&run_bounded(&args), "bucket");
    }
    assert!(!dir.exists(), "bad options created the folder");

    let args = [
        "--dir",
        dir_arg,
        "--listen",
        "127.0.0.1:0",
        "--bucket",
        "files",
    ];
    let mut running = Running(Some(
        gateway_command(&args).spawn().expect("start the gateway"),
    ));
    let stderr = running.child().stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = rx.recv_timeout(WAIT).expect("the gateway's first line");
    let endpoint = line
        .split_once("listening on ")
        .map(|(_, url)| url.to_owned())
        .unwrap_or_else(|| panic!("{line}"));
    let port: u16 = endpoint
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));

    let out = cli_support::run_with_env(
        "presign",
        &[
            "s3://files/from/binary.txt",
            "--method",
            "PUT",
            "--endpoint-url",
            &endpoint,
        ],
        &[],
    );
    let url = cli_support::ok(&out).0.trim_end().to_owned();
    let (host, target) = host_and_target(&url);
    assert_eq!(host, format!("127.0.0.1:{port}"));
    let r = s3s_fs::send(port, "PUT", host, target, &[], b"via the binary");
    assert_status(&r, 200, "PUT to the binary");
    assert_eq!(
        std::fs::read(dir.join("files/from/binary.txt")).unwrap(),
        b"via the binary"
    );
    let r = s3s_fs::send(
        port,
        "PUT",
        host,
        target,
        &[("x-amz-acl", "public-read")],
        b"evil",
    );
    assert_status(&r, 403, "an unsigned x-amz-acl, to the binary");
    assert_eq!(
        std::fs::read(dir.join("files/from/binary.txt")).unwrap(),
        b"via the binary"
    );
    let logged = rx.recv_timeout(WAIT).expect("a line per request");
    assert!(logged.contains("stored"), "{logged}");
}
