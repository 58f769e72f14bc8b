//! End to end: the `signing_service` example's routes (the same file,
//! `examples/signing_service/service.rs`) served by axum on 127.0.0.1, and
//! s3s-fs, an S3 server that verifies SigV4 and POST policies, on another
//! port (see `tests/s3s_fs/mod.rs`).
//!
//! The service signs with the server's credentials ([`StaticProvider`]) for
//! the bucket at `http://127.0.0.1:PORT`, path-style. The client holds no
//! key: it asks the service for links with its bearer token (alice's or
//! bob's) and uses them with a raw HTTP/1.1 client, sending each URL's path
//! and query byte for byte and the headers the service said were signed.
//! The test itself signs only to create the bucket and to look at what is
//! stored, as the bucket's owner.
//!
//! Every refusal is checked next to the same request that succeeds, and
//! with what was stored, so a server that refused (or stored) everything
//! would fail.

mod s3s_fs;

#[path = "../examples/signing_service/service.rs"]
mod service;

use std::net::Ipv4Addr;
use std::thread::sleep;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use presign::provider::StaticProvider;
use presign::s3::Bucket;
use presign::{Method, SigningTime};
use s3s_fs::{
    Response, TestServer, assert_error as assert_s3_error, assert_status, creds, file,
    host_and_target, path_style,
};
use serde_json::Value;
use service::Config;
use tokio::runtime::Runtime;

const BUCKET: &str = "uploads";
const ALICE: &str = "alice-token-0123456789";
const BOB: &str = "bob-token-0123456789";

/// The bucket on the s3s-fs server: path-style at `http://127.0.0.1:PORT`.
fn bucket(s3: &TestServer) -> Bucket {
    path_style(s3, BUCKET)
}

/// The service's configuration for `s3`: the defaults (5 minutes, 10 MiB)
/// and two callers.
fn config(s3: &TestServer) -> Config {
    Config::new(bucket(s3))
        .token(ALICE, "alice")
        .token(BOB, "bob")
}

// ---------------------------------------------------------------------------
// The signing service on 127.0.0.1

/// The service's router on its own tokio runtime and a free port; shut down
/// when dropped.
struct SigningService {
    port: u16,
    runtime: Option<Runtime>,
}

impl SigningService {
    fn start(config: Config) -> SigningService {
        Self::start_with(config, |_| StaticProvider::new(creds()))
    }

    /// The service signing with the provider `provider` makes on the
    /// service's runtime.
    fn start_with<P>(config: Config, provider: impl FnOnce(&Runtime) -> P) -> SigningService
    where
        P: presign::provider::ProvideCredentials + 'static,
    {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("signing-service-test")
            .enable_all()
            .build()
            .unwrap();
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener).unwrap()
        };
        let app = service::app(config, provider(&runtime));
        runtime.spawn(async move { axum::serve(listener, app).await });
        SigningService {
            port,
            runtime: Some(runtime),
        }
    }

    /// Sends a request with `Authorization: Bearer TOKEN` when given, and
    /// a JSON body when given.
    fn request(&self, method: &str, target: &str, token: Option<&str>, json: &str) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        self.raw(method, target, auth.as_deref(), json)
    }

    /// Sends a request with this `Authorization` header, if any.
    fn raw(&self, method: &str, target: &str, authorization: Option<&str>, json: &str) -> Response {
        let mut headers = Vec::new();
        if let Some(auth) = authorization {
            headers.push(("Authorization", auth));
        }
        if !json.is_empty() {
            headers.push(("Content-Type", "application/json"));
        }
        let host = format!("127.0.0.1:{}", self.port);
        s3s_fs::send(self.port, method, &host, target, &headers, json.as_bytes())
    }

    /// `POST /uploads`.
    fn upload(&self, token: &str, filename: &str, size: u64, content_type: &str) -> Response {
        let body = serde_json::json!({
            "filename": filename,
            "size": size,
            "content_type": content_type,
        });
        self.request("POST", "/uploads", Some(token), &body.to_string())
    }

    /// `POST /uploads`, which must answer a PUT link.
    fn upload_link(&self, token: &str, filename: &str, size: u64, content_type: &str) -> Link {
        let r = self.upload(token, filename, size, content_type);
        Link::from(&r, &format!("upload link for {filename:?}"))
    }

    /// `GET /downloads/TARGET` (`target` as sent: percent-encoded).
    fn download(&self, token: &str, target: &str) -> Response {
        self.request("GET", &format!("/downloads/{target}"), Some(token), "")
    }

    /// `GET /downloads/TARGET`, which must answer a GET link.
    fn download_link(&self, token: &str, target: &str) -> Link {
        let r = self.download(token, target);
        Link::from(&r, &format!("download link for {target:?}"))
    }

    /// `POST /forms`, which must answer a signed form.
    fn form(&self, token: &str) -> Form {
        let r = self.request("POST", "/forms", Some(token), "");
        assert_status(&r, 200, "POST /forms");
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let json = json_body(&r);
        let url = json["url"].as_str().expect("url").to_owned();
        let fields = json["fields"]
            .as_object()
            .expect("fields")
            .iter()
            .map(|(name, value)| (name.clone(), value.as_str().expect("a string").to_owned()))
            .collect();
        Form { url, fields }
    }
}

impl Drop for SigningService {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

fn json_body(r: &Response) -> Value {
    assert_eq!(
        r.header("content-type"),
        Some("application/json"),
        "{}",
        r.text()
    );
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

/// A presigned link as the service hands it out.
#[derive(Debug, Clone)]
struct Link {
    method: String,
    url: String,
    key: String,
    headers: Vec<(String, String)>,
    expires_in: u64,
}

impl Link {
    fn from(r: &Response, what: &str) -> Link {
        assert_status(r, 200, what);
        assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
        let json = json_body(r);
        let text = |name: &str| {
            json[name]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: {json}"))
        };
        let headers = json
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .map(|(n, v)| (n.clone(), v.as_str().expect("a string").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Link {
            method: text("method").to_owned(),
            url: text("url").to_owned(),
            key: text("key").to_owned(),
            headers,
            expires_in: json["expires_in"].as_u64().expect("expires_in"),
        }
    }

    /// The URL's query parameter `name`, still percent-encoded.
    fn param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.url.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }

    /// Sends the link with its method, the headers it signed and `body`.
    fn send(&self, s3: &TestServer, body: &[u8]) -> Response {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        send_url(s3, &self.method, &self.url, &headers, body)
    }

    /// Sends the link with the signed headers but the body's own
    /// `Content-Length`.
    fn send_with_length(&self, s3: &TestServer, body: &[u8]) -> Response {
        let length = body.len().to_string();
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| match n.as_str() {
                "content-length" => ("content-length", length.as_str()),
                _ => (n.as_str(), v.as_str()),
            })
            .collect();
        send_url(s3, &self.method, &self.url, &headers, body)
    }
}

/// A signed POST form: where to post it and its fields.
#[derive(Debug, Clone)]
struct Form {
    url: String,
    fields: Vec<(String, String)>,
}

impl Form {
    fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no field {name} in {:?}", self.fields))
    }

    /// The policy document, decoded from the `policy` field.
    fn policy(&self) -> Value {
        let json = BASE64.decode(self.field("policy")).expect("base64");
        serde_json::from_slice(&json).expect("policy JSON")
    }

    /// Posts the form with `key` and a `Content-Type` field filled in, as a
    /// page's script does (s3s-fs does not replace `${filename}` itself),
    /// and `content` as the file.
    fn submit(&self, s3: &TestServer, key: &str, content_type: &str, content: &[u8]) -> Response {
        let mut fields = self.fields.clone();
        fields
            .iter_mut()
            .find(|(n, _)| n == "key")
            .expect("a key field")
            .1 = key.to_owned();
        fields.insert(1, ("Content-Type".to_owned(), content_type.to_owned()));
        s3s_fs::post_form(s3, &self.url, &fields, &file(content))
    }
}

// ---------------------------------------------------------------------------
// S3

/// Sends `method url` to the S3 server: `Host` is the URL's authority, the
/// target its path and query, byte for byte. Never anything but 127.0.0.1.
fn send_url(
    s3: &TestServer,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let (host, _) = host_and_target(url);
    assert_eq!(host, s3.ip_host(), "a link to another server: {url}");
    s3s_fs::send_url(s3, method, url, headers, body)
}

/// The bucket's owner, signing for itself: a fresh presigned request.
fn as_owner(s3: &TestServer, method: Method<'static>, key: Option<&str>) -> Response {
    let bucket = bucket(s3);
    let request = match key {
        Some(key) => bucket.object_request(method, key),
        None => bucket.bucket_request(method),
    };
    let url = request
        .presign(&creds(), SigningTime::now(), Duration::from_secs(60))
        .unwrap();
    send_url(s3, url.method(), url.as_str(), &[], b"")
}

/// S3 and the bucket, and the signing service for it.
fn start(config: impl FnOnce(Config) -> Config) -> (TestServer, SigningService) {
    let s3 = TestServer::start();
    let r = as_owner(&s3, Method::PUT, None);
    assert_status(&r, 200, "CreateBucket");
    let service = SigningService::start(config(self::config(&s3)));
    (s3, service)
}

/// The stored object's body, as the owner reads it (`None`: no such key).
fn stored(s3: &TestServer, key: &str) -> Option<Vec<u8>> {
    let r = as_owner(s3, Method::GET, Some(key));
    match r.status {
        200 => Some(r.body),
        404 => {
            assert_eq!(r.error_code().as_deref(), Some("NoSuchKey"), "{}", r.text());
            None
        }
        _ => panic!("GET {key}: {} {}", r.status, r.text()),
    }
}

/// Every key in the bucket, as the owner lists them (the test's keys need
/// no XML unescaping).
fn keys(s3: &TestServer) -> Vec<String> {
    let url = bucket(s3)
        .list_objects_v2()
        .presign(&creds(), SigningTime::now(), Duration::from_secs(60))
        .unwrap();
    let r = send_url(s3, "GET", url.as_str(), &[], b"");
    assert_status(&r, 200, "ListObjectsV2");
    r.text()
        .split("<Key>")
        .skip(1)
        .map(|rest| rest.split_once("</Key>").expect("</Key>").0.to_owned())
        .collect()
}

/// A refusal by the service: this status and a JSON `error`.
fn assert_refused(r: &Response, status: u16, what: &str) {
    assert_status(r, status, what);
    let json = json_body(r);
    assert!(json["error"].is_string(), "{what}: {json}");
    assert!(!r.text().contains("X-Amz-"), "{what}: no link in a refusal");
}

// ---------------------------------------------------------------------------
// Uploads and downloads that work

/// A presigned PUT from the service uploads the bytes; a presigned GET from
/// the service downloads the same bytes, with the signed content type. The
/// links are for the caller's own prefix, for 5 minutes, signed with
/// content-type and content-length.
#[test]
fn put_and_get_through_the_service() {
    let (s3, service) = start(|c| c);
    let s3_base = format!("{}/{BUCKET}/", s3.endpoint());

    let content: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let link = service.upload_link(ALICE, "report.bin", 3000, "application/x-report");
    assert_eq!(link.method, "PUT");
    assert_eq!(link.key, "users/alice/report.bin");
    assert!(
        link.url
            .starts_with(&format!("{s3_base}users/alice/report.bin?")),
        "{}",
        link.url
    );
    assert_eq!(
        link.headers,
        [
            ("content-length".to_owned(), "3000".to_owned()),
            ("content-type".to_owned(), "application/x-report".to_owned()),
        ]
    );
    assert_eq!(link.expires_in, 300);
    assert_eq!(link.param("X-Amz-Expires"), Some("300"));
    assert_eq!(
        link.param("X-Amz-SignedHeaders"),
        Some("content-length%3Bcontent-type%3Bhost")
    );
    let r = link.send(&s3, &content);
    assert_status(&r, 200, "PUT through the upload link");
    assert_eq!(stored(&s3, "users/alice/report.bin"), Some(content.clone()));

    let link = service.download_link(ALICE, "report.bin");
    assert_eq!(
        (link.method.as_str(), link.key.as_str()),
        ("GET", "users/alice/report.bin")
    );
    assert!(link.headers.is_empty());
    assert_eq!(link.expires_in, 300);
    assert_eq!(link.param("X-Amz-Expires"), Some("300"));
    let r = link.send(&s3, b"");
    assert_status(&r, 200, "GET through the download link");
    assert_eq!(r.body, content);
    assert_eq!(r.header("content-type"), Some("application/x-report"));

    // Deeper names, spaces and non-ASCII: encoded once, and the download
    // path takes the rest of the path, percent-decoded.
    let name = "2026/q1 résumé+final.txt";
    let link = service.upload_link(ALICE, name, 5, "text/plain; charset=utf-8");
    assert_eq!(link.key, format!("users/alice/{name}"));
    assert!(
        link.url.starts_with(&format!(
            "{s3_base}users/alice/2026/q1%20r%C3%A9sum%C3%A9%2Bfinal.txt?"
        )),
        "{}",
        link.url
    );
    assert_status(&link.send(&s3, b"hello"), 200, "PUT of a deeper name");
    let link = service.download_link(BOB, "x");
    assert_eq!(link.key, "users/bob/x");
    let link = service.download_link(ALICE, "2026/q1%20r%C3%A9sum%C3%A9+final.txt");
    assert_eq!(link.key, format!("users/alice/{name}"));
    let r = link.send(&s3, b"");
    assert_status(&r, 200, "GET of a deeper name");
    assert_eq!(r.body, b"hello");
}

/// `POST /forms` answers boto3's JSON with a policy for the caller's prefix
/// and 1 byte to the maximum size; a browser-style form upload with it
/// stores the file, which the service's download link then reads.
#[test]
fn form_upload_through_the_service() {
    let (s3, service) = start(|c| c);
    let form = service.form(ALICE);
    assert_eq!(form.url, format!("{}/{BUCKET}", s3.endpoint()));
    assert_eq!(
        form.fields[0],
        ("key".to_owned(), "users/alice/${filename}".to_owned())
    );
    let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "policy",
        "x-amz-signature",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let policy = form.policy();
    let conditions = policy["conditions"].as_array().expect("conditions");
    for expected in [
        serde_json::json!(["starts-with", "$key", "users/alice/"]),
        serde_json::json!(["content-length-range", 1, service::DEFAULT_MAX_SIZE]),
        serde_json::json!(["starts-with", "$Content-Type", ""]),
        serde_json::json!({ "bucket": BUCKET }),
    ] {
        assert!(conditions.contains(&expected), "{expected} in {policy}");
    }
    // Expires 5 minutes after x-amz-date.
    let date = SigningTime::parse_amz_date(form.field("x-amz-date")).unwrap();
    let expiration = policy["expiration"].as_str().expect("expiration");
    let expected = time::OffsetDateTime::from_unix_timestamp(date.unix_timestamp() + 300).unwrap();
    assert_eq!(
        expiration,
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
            expected.year(),
            u8::from(expected.month()),
            expected.day(),
            expected.hour(),
            expected.minute(),
            expected.second()
        )
    );

    let r = form.submit(
        &s3,
        "users/alice/photo.png",
        "image/png",
        b"\x89PNG not really",
    );
    assert_status(&r, 204, "form upload");
    let link = service.download_link(ALICE, "photo.png");
    let r = link.send(&s3, b"");
    assert_status(&r, 200, "GET of the form upload");
    assert_eq!(r.body, b"\x89PNG not really");
    assert_eq!(r.header("content-type"), Some("image/png"));
}

// ---------------------------------------------------------------------------
// Authentication

/// Every route answers 401 with `WWW-Authenticate: Bearer` without a known
/// bearer token, before looking at the body; the scheme's case does not
/// matter.
#[test]
fn callers_without_a_valid_token_get_401() {
    let (_s3, service) = start(|c| c);
    let upload = r#"{"filename": "a.txt", "size": 1, "content_type": "text/plain"}"#;
    let routes = [
        ("POST", "/uploads", upload),
        ("POST", "/uploads", "not JSON"),
        ("POST", "/forms", ""),
        ("GET", "/downloads/a.txt", ""),
    ];
    let bad = [
        None,
        Some(String::new()),
        Some("Bearer".to_owned()),
        Some("Bearer ".to_owned()),
        Some("Bearer wrong-token".to_owned()),
        Some(format!("Bearer {ALICE}x")),
        Some(format!("Bearer  {ALICE}")),
        Some(format!("Basic {ALICE}")),
        Some(ALICE.to_owned()),
        Some("Bearer alice".to_owned()),
    ];
    for (method, target, body) in routes {
        for auth in &bad {
            let r = service.raw(method, target, auth.as_deref(), body);
            let what = format!("{method} {target} with {auth:?}");
            assert_refused(&r, 401, &what);
            assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{what}");
        }
    }
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r = service.raw(
            "POST",
            "/uploads",
            Some(&format!("{scheme} {ALICE}")),
            upload,
        );
        assert_status(&r, 200, scheme);
    }
    let r = service.raw(
        "GET",
        "/downloads/a.txt",
        Some(&format!("Bearer {BOB}")),
        "",
    );
    assert_eq!(Link::from(&r, "bob").key, "users/bob/a.txt");
}

// ---------------------------------------------------------------------------
// Another caller's prefix

/// The service signs only the caller's own prefix: filenames that could
/// leave it are refused (400), so bob cannot get a link to alice's object;
/// his link for the same name is for his own (missing) object. Alice's
/// links with the path changed to bob's prefix are refused by S3.
#[test]
fn another_callers_prefix_is_out_of_reach() {
    let (s3, service) = start(|c| c);
    let link = service.upload_link(ALICE, "secret.txt", 6, "text/plain");
    assert_status(&link.send(&s3, b"secret"), 200, "alice's upload");

    // Bob asks for alice's object.
    for target in [
        "../alice/secret.txt",
        "..%2Falice%2Fsecret.txt",
        "%2E%2E/alice/secret.txt",
        "%2e%2e%2falice%2fsecret.txt",
        "./../alice/secret.txt",
        "x/../../alice/secret.txt",
        "%2Fusers%2Falice%2Fsecret.txt",
        "/users/alice/secret.txt",
        "x//secret.txt",
        "x/",
        "%00",
        "%FF",
    ] {
        assert_refused(
            &service.download(BOB, target),
            400,
            &format!("bob asks for {target:?}"),
        );
    }
    let link = service.download_link(BOB, "secret.txt");
    assert_eq!(link.key, "users/bob/secret.txt");
    assert_s3_error(
        &link.send(&s3, b""),
        404,
        "NoSuchKey",
        "bob's own secret.txt",
    );
    let link = service.download_link(ALICE, "secret.txt");
    assert_eq!(link.send(&s3, b"").body, b"secret");

    // Bob uploads over alice's object.
    for filename in [
        "../alice/secret.txt",
        "/users/alice/secret.txt",
        "",
        "/",
        ".",
        "..",
        "x/..",
        "a//b",
        "dir/",
        "line\nbreak",
    ] {
        assert_refused(
            &service.upload(BOB, filename, 6, "text/plain"),
            400,
            &format!("bob uploads {filename:?}"),
        );
    }
    let too_long = "x".repeat(1024 - "users/bob/".len() + 1);
    assert_refused(
        &service.upload(BOB, &too_long, 1, "text/plain"),
        400,
        "a key over 1024 bytes",
    );
    let longest = "x".repeat(1024 - "users/bob/".len());
    assert_status(
        &service.upload(BOB, &longest, 1, "text/plain"),
        200,
        "a 1024-byte key",
    );

    // Alice's links, pointed at bob's prefix: the signature no longer
    // matches.
    let put = service.upload_link(ALICE, "note.txt", 4, "text/plain");
    let mut to_bob = put.clone();
    to_bob.url = put.url.replacen("/users/alice/", "/users/bob/", 1);
    assert_ne!(to_bob.url, put.url);
    let r = to_bob.send(&s3, b"evil");
    assert_s3_error(
        &r,
        403,
        "SignatureDoesNotMatch",
        "alice's PUT link on bob's prefix",
    );
    assert_eq!(stored(&s3, "users/bob/note.txt"), None);
    let get = service.download_link(ALICE, "secret.txt");
    let mut to_bob = get.clone();
    to_bob.url = get.url.replacen("/users/alice/", "/users/bob/", 1);
    let r = to_bob.send(&s3, b"");
    assert_s3_error(
        &r,
        403,
        "SignatureDoesNotMatch",
        "alice's GET link on bob's prefix",
    );
    // The untampered link works.
    assert_status(&put.send(&s3, b"mine"), 200, "alice's PUT link as signed");
    assert_eq!(
        stored(&s3, "users/alice/note.txt").as_deref(),
        Some(&b"mine"[..])
    );

    // Alice's form, with a key in bob's prefix: the policy's starts-with
    // condition fails (s3s: 400 InvalidPolicyDocument; AWS: 403).
    let form = service.form(ALICE);
    let before = keys(&s3);
    for key in [
        "users/bob/x.txt",
        "users/alice",
        "users/alicex/x.txt",
        "x.txt",
    ] {
        let r = form.submit(&s3, key, "text/plain", b"evil");
        assert_s3_error(
            &r,
            400,
            "InvalidPolicyDocument",
            &format!("alice's form, key {key:?}"),
        );
    }
    assert_eq!(keys(&s3), before, "nothing stored");
    let r = form.submit(&s3, "users/alice/x.txt", "text/plain", b"fine");
    assert_status(&r, 204, "alice's form, her own key");
    assert_eq!(
        stored(&s3, "users/alice/x.txt").as_deref(),
        Some(&b"fine"[..])
    );
}

// ---------------------------------------------------------------------------
// Sizes

/// The service refuses uploads over the maximum (413) and empty ones
/// (400); S3 refuses a PUT whose length is not the signed one (403) and a
/// form whose file is outside content-length-range (400 EntityTooLarge /
/// EntityTooSmall). Nothing refused is stored.
#[test]
fn oversized_uploads_are_refused() {
    // The default maximum, 10 MiB, by the service alone.
    let (s3, service) = start(|c| c);
    let max = service::DEFAULT_MAX_SIZE;
    assert_eq!(max, 10 * 1024 * 1024);
    assert_refused(
        &service.upload(ALICE, "big", max + 1, "text/plain"),
        413,
        "10 MiB + 1",
    );
    assert_refused(
        &service.upload(ALICE, "big", u64::MAX, "text/plain"),
        413,
        "u64::MAX",
    );
    assert_eq!(
        service.upload_link(ALICE, "big", max, "text/plain").headers[0].1,
        max.to_string()
    );
    drop(service);

    // A 1 KiB maximum, to send the bytes.
    let service = SigningService::start(Config {
        max_size: 1024,
        ..config(&s3)
    });
    assert_refused(
        &service.upload(ALICE, "k", 1025, "text/plain"),
        413,
        "1025 bytes, max 1024",
    );
    assert_refused(&service.upload(ALICE, "k", 0, "text/plain"), 400, "empty");
    let link = service.upload_link(ALICE, "k", 1024, "text/plain");
    assert_eq!(
        link.headers[0],
        ("content-length".to_owned(), "1024".to_owned())
    );

    // A body of another length than signed, with its true Content-Length.
    for size in [1025, 1023, 1, 4096] {
        let r = link.send_with_length(&s3, &vec![b'x'; size]);
        assert_s3_error(
            &r,
            403,
            "SignatureDoesNotMatch",
            &format!("{size} bytes, 1024 signed"),
        );
    }
    assert_eq!(stored(&s3, "users/alice/k"), None);
    assert_status(&link.send(&s3, &[b'k'; 1024]), 200, "1024 bytes, as signed");
    assert_eq!(stored(&s3, "users/alice/k"), Some(vec![b'k'; 1024]));

    // Forms: content-length-range 1..=1024, enforced by S3.
    let form = service.form(ALICE);
    assert!(
        form.policy()["conditions"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(["content-length-range", 1, 1024])),
        "{}",
        form.policy()
    );
    let r = form.submit(&s3, "users/alice/f", "text/plain", &[b'f'; 1025]);
    assert_s3_error(&r, 400, "EntityTooLarge", "form, 1025 bytes");
    let r = form.submit(&s3, "users/alice/f", "text/plain", &vec![b'f'; 64 * 1024]);
    assert_s3_error(&r, 400, "EntityTooLarge", "form, 64 KiB");
    let r = form.submit(&s3, "users/alice/f", "text/plain", b"");
    assert_s3_error(&r, 400, "EntityTooSmall", "form, empty");
    assert_eq!(stored(&s3, "users/alice/f"), None);
    let r = form.submit(&s3, "users/alice/f", "text/plain", &[b'f'; 1024]);
    assert_status(&r, 204, "form, 1024 bytes");
    assert_eq!(stored(&s3, "users/alice/f"), Some(vec![b'f'; 1024]));
}

// ---------------------------------------------------------------------------
// Bad requests

/// Malformed bodies and content types are refused with a JSON error and no
/// link.
#[test]
fn malformed_upload_requests_are_refused() {
    let (_s3, service) = start(|c| c);
    for (body, status) in [
        ("not JSON", 400),
        (r#"{"filename": "a", "size": 1}"#, 422),
        (
            r#"{"filename": "a", "size": -1, "content_type": "text/plain"}"#,
            422,
        ),
        (
            r#"{"filename": "a", "size": "1", "content_type": "text/plain"}"#,
            422,
        ),
        (
            r#"{"filename": 1, "size": 1, "content_type": "text/plain"}"#,
            422,
        ),
    ] {
        let r = service.request("POST", "/uploads", Some(ALICE), body);
        assert_refused(&r, status, body);
    }
    let r = service.raw("POST", "/uploads", Some(&format!("Bearer {ALICE}")), "");
    assert_refused(&r, 415, "no JSON content type");
    for content_type in [
        "",
        " text/plain",
        "text/plain ",
        "text/\u{e9}",
        "a\r\nx-evil: 1",
    ] {
        let r = service.upload(ALICE, "a", 1, content_type);
        assert_refused(&r, 400, &format!("content type {content_type:?}"));
    }
    let long = format!("text/{}", "x".repeat(251));
    assert_refused(
        &service.upload(ALICE, "a", 1, &long),
        400,
        "a 255+ content type",
    );
    let r = service.upload(ALICE, "a", 1, "text/plain; charset=utf-8");
    assert_status(&r, 200, "a content type with parameters");
}

// ---------------------------------------------------------------------------
// Expiry

/// With a 1-second expiry, every link and form is refused by S3 once
/// expired; the same requests with links from the 5-minute service, signed
/// at the same moment, work.
#[test]
fn expired_links_are_refused() {
    let (s3, service) = start(|c| c);
    let short = SigningService::start(Config {
        expires_in: Duration::from_secs(1),
        ..config(&s3)
    });
    assert_status(
        &service
            .upload_link(ALICE, "old", 3, "text/plain")
            .send(&s3, b"old"),
        200,
        "the object to download",
    );

    let put = short.upload_link(ALICE, "late", 4, "text/plain");
    let get = short.download_link(ALICE, "old");
    let form = short.form(ALICE);
    assert_eq!((put.expires_in, get.expires_in), (1, 1));
    assert_eq!(put.param("X-Amz-Expires"), Some("1"));
    let long_put = service.upload_link(ALICE, "late", 4, "text/plain");
    let long_get = service.download_link(ALICE, "old");
    let long_form = service.form(ALICE);
    sleep(Duration::from_secs(2));

    let r = put.send(&s3, b"late");
    assert_s3_error(&r, 403, "AccessDenied", "expired PUT link");
    assert!(r.text().contains("expired"), "{}", r.text());
    assert_eq!(stored(&s3, "users/alice/late"), None);
    let r = get.send(&s3, b"");
    assert_s3_error(&r, 403, "AccessDenied", "expired GET link");
    assert!(r.text().contains("expired"), "{}", r.text());
    let r = form.submit(&s3, "users/alice/late-form", "text/plain", b"late");
    assert_s3_error(&r, 403, "AccessDenied", "expired form");
    assert!(r.text().contains("expired"), "{}", r.text());
    assert_eq!(stored(&s3, "users/alice/late-form"), None);

    assert_status(&long_put.send(&s3, b"late"), 200, "5-minute PUT link");
    assert_eq!(long_get.send(&s3, b"").body, b"old");
    let r = long_form.submit(&s3, "users/alice/late-form", "text/plain", b"late");
    assert_status(&r, 204, "5-minute form");
}

// ---------------------------------------------------------------------------
// The AWS SDK's credentials (feature aws-credential-types)

/// An SDK credentials provider, as `aws-config`'s chain would be: the
/// server's key pair, valid for an hour from each call, counted.
#[cfg(feature = "aws-credential-types")]
#[derive(Debug, Clone, Default)]
struct SdkChain {
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

#[cfg(feature = "aws-credential-types")]
impl aws_credential_types::provider::ProvideCredentials for SdkChain {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let creds = creds();
        let expiry = std::time::SystemTime::now() + Duration::from_secs(3600);
        aws_credential_types::provider::future::ProvideCredentials::ready(Ok(
            aws_credential_types::Credentials::new(
                creds.access_key_id(),
                creds.secret_access_key(),
                None,
                Some(expiry),
                "test chain",
            ),
        ))
    }
}

/// The service signing through `SdkCredentialsProvider`, refreshed by its
/// `refresh_loop` on the service's tokio runtime, as the example does with
/// the feature: its links work; before any refresh it refuses to sign.
#[cfg(feature = "aws-credential-types")]
#[test]
fn links_signed_with_the_sdk_credential_chain_work() {
    use presign::aws_sdk::SdkCredentialsProvider;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    let chain = SdkChain::default();
    let s3 = TestServer::start();
    assert_status(&as_owner(&s3, Method::PUT, None), 200, "CreateBucket");

    // Never refreshed: a 500, and no link.
    let idle = SigningService::start_with(config(&s3), |_| {
        Arc::new(SdkCredentialsProvider::new(chain.clone()))
    });
    assert_refused(
        &idle.upload(ALICE, "a.txt", 1, "text/plain"),
        500,
        "not loaded",
    );
    assert_eq!(chain.calls.load(Ordering::SeqCst), 0);

    let service = SigningService::start_with(config(&s3), |runtime| {
        let provider = Arc::new(SdkCredentialsProvider::new(chain.clone()));
        runtime.spawn(Arc::clone(&provider).refresh_loop(SigningTime::now, tokio::time::sleep));
        provider
    });
    // The loop's first refresh runs on the service's runtime.
    let mut waited = 0;
    while chain.calls.load(Ordering::SeqCst) == 0 {
        assert!(waited < 500, "the refresh loop never refreshed");
        sleep(Duration::from_millis(10));
        waited += 1;
    }
    let link = service.upload_link(ALICE, "sdk.txt", 5, "text/plain");
    assert_status(
        &link.send(&s3, b"hello"),
        200,
        "PUT with the SDK's credentials",
    );
    assert_eq!(stored(&s3, "users/alice/sdk.txt"), Some(b"hello".to_vec()));
    let r = service.download_link(ALICE, "sdk.txt").send(&s3, b"");
    assert_status(&r, 200, "GET with the SDK's credentials");
    assert_eq!(r.body, b"hello");
    // Signing read the cache: one SDK call for all of it.
    assert_eq!(chain.calls.load(Ordering::SeqCst), 1);
}
