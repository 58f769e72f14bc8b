//! End-to-end test harness: an S3 server that verifies SigV4 (s3s with the
//! s3s-fs file-system backend), run in-process on 127.0.0.1, and a raw
//! HTTP/1.1 client that sends the request target exactly as given.
//!
//! The server runs on a multi-threaded tokio runtime whose worker threads live
//! in the background of the test; [`TestServer`] owns the runtime and the
//! temporary data folder and shuts both down when dropped. Nothing is
//! installed, nothing is left running and no traffic leaves 127.0.0.1.
//!
//! Below the harness: buckets on the server, presigned requests to it as the
//! bucket's owner ([`creds`]), and the assertions the end-to-end tests share.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use presign::s3::{Addressing, Bucket, Endpoint, ObjectRequest};
use presign::{Credentials, Method, Region, SigningTime};
use s3s::auth::SimpleAuth;
use s3s::host::SingleDomain;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s_fs::FileSystem;
use tempfile::TempDir;
use tokio::runtime::Runtime;

/// The access key the server knows.
pub const ACCESS_KEY: &str = "AKIAPRESIGNTEST";
/// Its secret (with `/` and `+`, like real AWS secrets).
pub const SECRET_KEY: &str = "presign/E2E+secret/KEY0123456789abcdefghij";

/// How long the client waits for the server before failing the test.
const IO_TIMEOUT: Duration = Duration::from_secs(15);

/// An s3s-fs server on 127.0.0.1, a free port and a temporary data folder.
///
/// Path-style requests are accepted with `Host: 127.0.0.1:PORT` or
/// `Host: localhost:PORT`; virtual-hosted-style requests with
/// `Host: BUCKET.localhost:PORT`.
pub struct TestServer {
    port: u16,
    runtime: Option<Runtime>,
    data: Option<TempDir>,
}

impl TestServer {
    /// Starts a server; when this returns, the port is already listening.
    ///
    /// # Panics
    /// If the server cannot start: that fails the test, it never skips it.
    pub fn start() -> TestServer {
        let data = tempfile::Builder::new()
            .prefix("presign-e2e-s3s-fs-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create the server's data folder: {e}"));

        // Bind before anything is spawned, so that no request can race the
        // server's start.
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no local address: {e}"))
            .port();
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("cannot make the listener non-blocking: {e}"));

        let fs = FileSystem::new(data.path())
            .unwrap_or_else(|e| panic!("s3s-fs cannot use {}: {e:?}", data.path().display()));
        let service = {
            let mut b = S3ServiceBuilder::new(fs);
            b.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
            b.set_host(
                SingleDomain::new(&format!("localhost:{port}"))
                    .unwrap_or_else(|e| panic!("s3s rejects the domain localhost:{port}: {e}")),
            );
            b.build()
        };

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("s3s-fs-test-server")
            .enable_io()
            // s3s keeps a CompleteMultipartUpload connection alive with a
            // timer (tokio's `time` feature comes with s3s).
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("cannot start a tokio runtime: {e}"));
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)
                .unwrap_or_else(|e| panic!("tokio cannot take the listener: {e}"))
        };
        runtime.spawn(accept_loop(listener, service));

        TestServer {
            port,
            runtime: Some(runtime),
            data: Some(data),
        }
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `localhost:PORT`: the server's domain, the `Host` of path-style
    /// requests, and the suffix of virtual-hosted-style ones.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.port)
    }

    /// `127.0.0.1:PORT`: a path-style `Host` too.
    pub fn ip_host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `BUCKET.localhost:PORT`: the `Host` of a virtual-hosted-style request.
    pub fn virtual_host(&self, bucket: &str) -> String {
        format!("{bucket}.localhost:{}", self.port)
    }

    /// The server's data folder (s3s-fs keeps each bucket as a folder in it).
    pub fn data_dir(&self) -> &Path {
        self.data.as_ref().expect("data folder").path()
    }

    /// Sends a request to this server: see [`send`].
    pub fn send(
        &self,
        method: &str,
        host_header: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        send(self.port, method, host_header, target, headers, body)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Dropping the runtime's tasks closes the listener and every
        // connection; then the data folder goes.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
        drop(self.data.take());
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, service: S3Service) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // A failed accept (a connection reset before it was taken) only
            // loses that connection; the client sees the error.
            Err(_) => continue,
        };
        let service = service.clone();
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// A response: status code, headers in the order received, and the body
/// (de-chunked).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy), for messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `<Code>` of an S3 error body, if there is one.
    pub fn error_code(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("<Code>")? + "<Code>".len();
        let len = text[start..].find("</Code>")?;
        Some(text[start..start + len].to_owned())
    }
}

/// Sends one HTTP/1.1 request to 127.0.0.1:`port` and reads the response.
///
/// The request line is `METHOD TARGET HTTP/1.1` with `target` written byte
/// for byte as given: no normalization, no encoding. `Host` comes first, then
/// `headers` in order, then `Content-Length` (unless `headers` has one) and
/// `Connection: close`, then `body`.
///
/// # Panics
/// On any I/O error or malformed response: a test failure.
pub fn send(
    port: u16,
    method: &str,
    host_header: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut request = Vec::with_capacity(256 + body.len());
    request.extend_from_slice(method.as_bytes());
    request.push(b' ');
    request.extend_from_slice(target.as_bytes());
    request.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    request.extend_from_slice(host_header.as_bytes());
    request.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        request.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request.extend_from_slice(body);

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let what = format!("{method} {target} (Host: {host_header})");
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("{what}: cannot connect to {addr}: {e}"));
    stream
        .set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)))
        .unwrap_or_else(|e| panic!("{what}: cannot set timeouts: {e}"));
    stream
        .write_all(&request)
        .unwrap_or_else(|e| panic!("{what}: cannot write the request: {e}"));

    // `Connection: close`: the server closes after its response.
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("{what}: cannot read the response: {e}"));
    parse_response(&raw, method.eq_ignore_ascii_case("HEAD")).unwrap_or_else(|e| {
        panic!(
            "{what}: bad response ({e}): {:?}",
            String::from_utf8_lossy(&raw)
        )
    })
}

fn parse_response(raw: &[u8], head_request: bool) -> Result<Response, String> {
    let head_end = find(raw, b"\r\n\r\n").ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| "headers are not UTF-8")?;
    let rest = &raw[head_end + 4..];

    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("no status line")?;
    let mut parts = status_line.splitn(3, ' ');
    if !parts.next().is_some_and(|v| v.starts_with("HTTP/1.")) {
        return Err(format!("not an HTTP/1.x status line: {status_line:?}"));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status code in {status_line:?}"))?;

    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("malformed header line {line:?}"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut response = Response {
        status,
        headers,
        body: Vec::new(),
    };

    if head_request || status == 204 || status == 304 || (100..200).contains(&status) {
        return Ok(response);
    }
    let chunked = response
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    response.body = if chunked {
        dechunk(rest)?
    } else if let Some(len) = response.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| format!("bad content-length {len:?}"))?;
        if rest.len() < len {
            return Err(format!(
                "body has {} bytes, content-length {len}",
                rest.len()
            ));
        }
        rest[..len].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(response)
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = find(data, b"\r\n").ok_or("unterminated chunk size")?;
        let line = std::str::from_utf8(&data[..line_end]).map_err(|_| "chunk size not UTF-8")?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            // Trailers, if any, end with an empty line; nothing to keep.
            return Ok(body);
        }
        if data.len() < size + 2 || &data[size..size + 2] != b"\r\n" {
            return Err(format!("truncated chunk of {size} bytes"));
        }
        body.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------
// Browser-style POST uploads: multipart/form-data

/// The file of a form upload: the `file` field, always sent last.
#[derive(Debug, Clone, Copy)]
pub struct FormFile<'a> {
    /// The `filename` of the part, as a browser sends the chosen file's name.
    pub filename: &'a str,
    /// The part's own `Content-Type` (not the object's: S3 takes that from
    /// the `Content-Type` form field).
    pub content_type: &'a str,
    /// The file's bytes.
    pub content: &'a [u8],
}

/// A `multipart/form-data` body and the `Content-Type` header that names its
/// boundary.
#[derive(Debug, Clone)]
pub struct FormData {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Encodes a form as a browser does (RFC 7578): each field as a part, in the
/// order given, then `file` with its filename and content type, last.
///
/// The boundary is chosen so that it occurs in no value and not in the file.
/// Names and filenames are written inside quotes without escaping, so they
/// may not contain `"`, CR or LF (a panic: the tests never need them).
pub fn multipart_form_data(fields: &[(String, String)], file: &FormFile<'_>) -> FormData {
    for text in fields
        .iter()
        .map(|(name, _)| name.as_str())
        .chain([file.filename, file.content_type])
    {
        assert!(
            !text.contains(['"', '\r', '\n']),
            "cannot quote {text:?} in a multipart header"
        );
    }
    let boundary = (0u32..)
        .map(|n| format!("presign-e2e-form-boundary-{n}"))
        .find(|b| {
            let b = b.as_bytes();
            fields
                .iter()
                .all(|(_, value)| find(value.as_bytes(), b).is_none())
                && find(file.content, b).is_none()
        })
        .expect("some boundary is free");

    let mut body = Vec::with_capacity(
        512 + file.content.len()
            + fields
                .iter()
                .map(|(n, v)| n.len() + v.len() + boundary.len() + 64)
                .sum::<usize>(),
    );
    for (name, value) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: {}\r\n\r\n",
            file.filename, file.content_type
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    FormData {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        body,
    }
}

impl TestServer {
    /// Posts a form (see [`multipart_form_data`]) to `target` with this
    /// `Host`, as a browser submits an upload form.
    pub fn post_form(
        &self,
        host_header: &str,
        target: &str,
        fields: &[(String, String)],
        file: &FormFile<'_>,
    ) -> Response {
        let form = multipart_form_data(fields, file);
        self.send(
            "POST",
            host_header,
            target,
            &[("Content-Type", form.content_type.as_str())],
            &form.body,
        )
    }
}

// ---------------------------------------------------------------------------
// Presigned requests to the server, as the bucket's owner

/// How long [`call`] presigns for.
const CALL_EXPIRES: Duration = Duration::from_secs(60);

/// The credentials the server knows.
pub fn creds() -> Credentials {
    Credentials::new(ACCESS_KEY, SECRET_KEY).unwrap()
}

/// A bucket in us-east-1 at `endpoint` with this addressing.
pub fn bucket_at(name: &str, endpoint: &str, addressing: Addressing) -> Bucket {
    Bucket::new(name, Region::new("us-east-1").unwrap())
        .and_then(|b| b.endpoint(Endpoint::custom(endpoint)?))
        .and_then(|b| b.addressing(addressing))
        .unwrap_or_else(|e| panic!("bucket {name} at {endpoint}: {e}"))
}

/// Path-style at `http://127.0.0.1:PORT` (automatic addressing is
/// path-style on a custom endpoint): URLs and forms go to
/// `http://127.0.0.1:PORT/NAME`.
pub fn path_style(server: &TestServer, name: &str) -> Bucket {
    let bucket = bucket_at(name, &server.endpoint(), Addressing::Auto);
    assert!(bucket.is_path_style());
    assert_eq!(bucket.host(), server.ip_host());
    bucket
}

/// Virtual-hosted at `http://localhost:PORT`, the server's domain: URLs and
/// forms go to `http://NAME.localhost:PORT/`.
pub fn virtual_hosted(server: &TestServer, name: &str) -> Bucket {
    let endpoint = format!("http://{}", server.domain());
    let bucket = bucket_at(name, &endpoint, Addressing::VirtualHosted);
    assert!(!bucket.is_path_style());
    assert_eq!(bucket.host(), server.virtual_host(name));
    bucket
}

/// Splits `http://HOST/TARGET` into `HOST` and `/TARGET`.
pub fn host_and_target(url: &str) -> (&str, &str) {
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("not an http:// URL: {url}"));
    let end = rest
        .find(['/', '?'])
        .unwrap_or_else(|| panic!("no path in {url}"));
    assert_eq!(&rest[end..=end], "/", "no path before the query in {url}");
    rest.split_at(end)
}

/// Sends `method url`: `Host` is the URL's authority, the request target its
/// path and query, byte for byte; `headers` and `body` follow.
pub fn send_url(
    server: &TestServer,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let (host, target) = host_and_target(url);
    server.send(method, host, target, headers, body)
}

/// Presigns `req` (with [`creds`], now, for a minute) and sends it with
/// exactly the headers it signed.
pub fn call(server: &TestServer, req: &ObjectRequest<'_>, body: &[u8]) -> Response {
    let url = req
        .presign(&creds(), SigningTime::now(), CALL_EXPIRES)
        .unwrap_or_else(|e| panic!("presign {req:?}: {e}"));
    send_url(server, url.method(), url.as_str(), req.headers(), body)
}

/// Posts `fields` (in this order) and then `file` to `url`, as a browser
/// submits a form: `Host` is the URL's authority, the request target its
/// path (see [`TestServer::post_form`]).
pub fn post_form(
    server: &TestServer,
    url: &str,
    fields: &[(String, String)],
    file: &FormFile<'_>,
) -> Response {
    let (host, target) = host_and_target(url);
    server.post_form(host, target, fields, file)
}

/// A form's file as a browser sends a chosen file: `upload.bin`, of type
/// `application/octet-stream`.
pub fn file(content: &[u8]) -> FormFile<'_> {
    FormFile {
        filename: "upload.bin",
        content_type: "application/octet-stream",
        content,
    }
}

/// CreateBucket: a presigned `PUT` on the bucket.
pub fn create_bucket(server: &TestServer, bucket: &Bucket) {
    let r = call(server, &bucket.bucket_request(Method::PUT), b"");
    assert_status(&r, 200, &format!("CreateBucket {}", bucket.name()));
}

/// A server and a bucket created on it, path-style (see [`path_style`]).
pub fn server_with_bucket(name: &str) -> (TestServer, Bucket) {
    let server = TestServer::start();
    let bucket = path_style(&server, name);
    create_bucket(&server, &bucket);
    (server, bucket)
}

/// GetObject, presigned.
pub fn get_object(server: &TestServer, bucket: &Bucket, key: &str) -> Response {
    call(server, &bucket.get_object(key), b"")
}

/// The object exists and has this body; returns the GET response.
pub fn assert_object(server: &TestServer, bucket: &Bucket, key: &str, body: &[u8]) -> Response {
    let r = get_object(server, bucket, key);
    assert_status(&r, 200, &format!("GET {key:?}"));
    assert_eq!(r.body, body, "GET {key:?}");
    r
}

/// The object does not exist: GET answers 404 NoSuchKey.
pub fn assert_no_object(server: &TestServer, bucket: &Bucket, key: &str) {
    let r = get_object(server, bucket, key);
    assert_error(&r, 404, "NoSuchKey", &format!("GET {key:?}"));
}

// ---------------------------------------------------------------------------
// Assertions and XML

/// A response with this status.
pub fn assert_status(r: &Response, status: u16, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text());
}

/// A response with this status and S3 error code.
pub fn assert_error(r: &Response, status: u16, code: &str, what: &str) {
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (status, Some(code)),
        "{what}: {}",
        r.text()
    );
}

/// The text of every `<tag>` element, unescaped.
pub fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut values = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        rest = &rest[start + open.len()..];
        let end = rest
            .find(&close)
            .unwrap_or_else(|| panic!("{open} unclosed in {xml}"));
        values.push(xml_unescape(&rest[..end]));
        rest = &rest[end + close.len()..];
    }
    values
}

/// XML text with its entities replaced (the five named ones and numeric
/// character references).
pub fn xml_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = amp + rest[amp..].find(';').expect("an entity ends with ';'");
        let entity = &rest[amp + 1..semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => entity
                .strip_prefix("#x")
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse))
                .and_then(|n| char::from_u32(n.ok()?))
                .unwrap_or_else(|| panic!("unknown XML entity &{entity};")),
        };
        out.push(c);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    out
}
