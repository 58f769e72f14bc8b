//! Shared helpers for the test-vector suites: reading the vector files,
//! parsing their HTTP/1.1 requests and `context.json`, and collecting every
//! difference of a suite so that one run reports all failing cases; and
//! [`reference`], the plain SigV4 implementation the suites also run every
//! vector through.
//!
//! Each integration test crate uses a different subset of these helpers.
#![allow(dead_code)]

pub mod reference;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use presign::{Credentials, Method, Payload, SignableRequest, SigningTime};
use serde_json::Value;

/// `tests/vectors/<rel>`.
pub fn vectors_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(rel)
}

/// A vector file, as UTF-8 text (every vector is UTF-8; none has CR).
pub fn read(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        !text.contains('\r'),
        "{}: the vectors use LF line endings only",
        path.display()
    );
    text
}

/// A JSON vector file.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sub-directories of `dir`, sorted by name.
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The last component of a path, as text.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// A string field of a JSON object; panics naming the field if it is missing.
pub fn json_str<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("JSON field {field:?} is missing or not a string"))
}

/// An HTTP/1.1 request as written in a vector file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// The request target exactly as written (path, then `?query`), or an
    /// absolute URI (`https://host/path?query`).
    pub target: String,
    /// `HTTP/1.1`, or `None` when the request line omits it (one smithy-rs
    /// signed request does).
    pub version: Option<String>,
    /// `(name, value)` in file order. The value is everything after the
    /// colon, untrimmed; obs-fold continuation lines are joined to it with
    /// `"\n"` (their leading whitespace kept), as they appear in the file.
    pub headers: Vec<(String, String)>,
    /// Everything after the blank line that ends the headers.
    pub body: String,
}

impl HttpRequest {
    /// Parses a request: the request line, header lines (a line starting
    /// with a space or tab continues the previous header), an optional blank
    /// line and the body.
    ///
    /// The request line is split at its first space (method) and, if it
    /// ends in ` HTTP/x.y`, at its last space: the target in between may
    /// itself contain spaces (`GET /example space/ HTTP/1.1`).
    pub fn parse(text: &str) -> HttpRequest {
        let (request_line, mut rest) = text.split_once('\n').unwrap_or((text, ""));
        let (method, after_method) = request_line
            .split_once(' ')
            .unwrap_or_else(|| panic!("request line without a target: {request_line:?}"));
        let (target, version) = match after_method.rsplit_once(' ') {
            Some((t, v)) if v.starts_with("HTTP/") => (t, Some(v.to_owned())),
            _ => (after_method, None),
        };

        let mut headers: Vec<(String, String)> = Vec::new();
        let mut body = String::new();
        while !rest.is_empty() {
            let (line, next) = rest.split_once('\n').unwrap_or((rest, ""));
            if line.is_empty() {
                body = next.to_owned();
                break;
            }
            if line.starts_with([' ', '\t']) {
                let (_, value) = headers
                    .last_mut()
                    .unwrap_or_else(|| panic!("continuation line before any header: {line:?}"));
                value.push('\n');
                value.push_str(line);
            } else {
                let (name, value) = line
                    .split_once(':')
                    .unwrap_or_else(|| panic!("header line without a colon: {line:?}"));
                assert!(!name.is_empty(), "empty header name: {line:?}");
                headers.push((name.to_owned(), value.to_owned()));
            }
            rest = next;
        }
        HttpRequest {
            method: method.to_owned(),
            target: target.to_owned(),
            version,
            headers,
            body,
        }
    }

    /// The value of the only header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut found = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        let first = found.next().map(|(_, v)| v.as_str());
        assert!(found.next().is_none(), "header {name} appears twice");
        first
    }

    /// The `Host` header value, trimmed.
    pub fn host(&self) -> &str {
        self.header("host").expect("a Host header").trim()
    }

    /// Removes every header called `name` (case-insensitive), returning the
    /// last value, trimmed.
    pub fn take_header(&mut self, name: &str) -> Option<String> {
        let mut taken = None;
        self.headers.retain(|(n, v)| {
            if n.eq_ignore_ascii_case(name) {
                taken = Some(v.trim().to_owned());
                false
            } else {
                true
            }
        });
        taken
    }

    /// The headers as `(name, value)` pairs, in file order.
    pub fn header_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The request as the library takes it: the Host header value, the
    /// target exactly as written, every other header in file order
    /// (obs-fold lines still joined with `\n`), and the body.
    pub fn signable(&self) -> SignableRequest<'_> {
        let method = Method::new(&self.method).expect("method");
        let mut req = SignableRequest::new(method, self.host(), &self.target)
            .payload(Payload::Bytes(self.body.as_bytes()));
        for (name, value) in &self.headers {
            if !name.eq_ignore_ascii_case("host") {
                req = req.header(name, value);
            }
        }
        req
    }

    /// The request as one comparable text (see [`render_request`]), with
    /// `extra` headers (the ones signing returns) after its own.
    pub fn render_with<'n, 'v>(
        &self,
        extra: impl IntoIterator<Item = (&'n str, &'v str)>,
    ) -> String {
        let mut headers: Vec<(&str, &str)> = self.header_pairs().collect();
        for (name, value) in extra {
            headers.push((name, value));
        }
        render_request(&self.method, &self.target, headers, &self.body)
    }

    /// The request target in origin form (`/path?query`): an absolute URI's
    /// scheme and authority are dropped.
    pub fn origin_form(&self) -> &str {
        match self.target.split_once("://") {
            Some((_, after_scheme)) => after_scheme
                .find('/')
                .map_or("/", |slash| &after_scheme[slash..]),
            None => &self.target,
        }
    }
}

/// A header multiset in a comparable form: lowercase names, values trimmed
/// with runs of whitespace (including folded lines) collapsed to one space,
/// sorted, one `name:value` per line.
pub fn header_lines<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut lines: Vec<String> = headers
        .into_iter()
        .map(|(n, v)| {
            let value = v.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("{}:{value}", n.to_ascii_lowercase())
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

/// The form a raw request-target piece takes on the wire: the vector files
/// write some paths and queries as raw text (a literal space, raw UTF-8),
/// which a request line cannot carry. Percent-encodes (uppercase hex) every
/// byte that is a control character, a space or not ASCII, and nothing else.
pub fn wire_form(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b <= b' ' || b >= 0x7f {
            write!(out, "%{b:02X}").expect("writing to a String");
        } else {
            out.push(b as char);
        }
    }
    out
}

/// A query string as a sorted multiset of wire-form `name=value` pairs, one
/// per line, for comparing queries whose parameter order differs.
pub fn query_set(query: &str) -> String {
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(wire_form)
        .collect();
    params.sort();
    params.join("\n")
}

/// The credentials of a CRT suite case's `context.json` (its `credentials`
/// object: access key id, secret and, when given, the session token);
/// `name` names the case in panics.
pub fn crt_credentials(context: &Value, name: &str) -> Credentials {
    let creds = &context["credentials"];
    let credentials = Credentials::new(
        json_str(creds, "access_key_id"),
        json_str(creds, "secret_access_key"),
    )
    .unwrap_or_else(|e| panic!("{name}: credentials: {e}"));
    match creds["token"].as_str() {
        Some(token) => credentials
            .with_session_token(token)
            .unwrap_or_else(|e| panic!("{name}: session token: {e}")),
        None => credentials,
    }
}

/// `2015-08-30T12:36:00Z` (RFC 3339, UTC, whole seconds) to a
/// [`SigningTime`], via the `X-Amz-Date` form `20150830T123600Z`.
pub fn parse_rfc3339(s: &str) -> SigningTime {
    let b = s.as_bytes();
    let shape_ok = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    assert!(shape_ok, "not an RFC 3339 UTC timestamp: {s:?}");
    let amz_date: String = s.chars().filter(|c| !matches!(c, '-' | ':')).collect();
    SigningTime::parse_amz_date(&amz_date)
        .unwrap_or_else(|e| panic!("timestamp {s:?} -> {amz_date:?}: {e}"))
}

/// Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
/// into `[algorithm, credential, signed headers, signature]`, accepting `,`
/// with or without a following space between the components (the test
/// suites write `, `, the S3 documentation `,`).
pub fn authorization_parts(value: &str) -> Option<[String; 4]> {
    let (algorithm, rest) = value.trim().split_once(' ')?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for component in rest.split(',') {
        let (key, val) = component.trim().split_once('=')?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return None,
        };
        if slot.replace(val.to_owned()).is_some() {
            return None;
        }
    }
    Some([
        algorithm.to_owned(),
        credential?,
        signed_headers?,
        signature?,
    ])
}

/// The pieces of an `Authorization` header's `Credential=` value:
/// `(access key id, date, region, service)`.
pub fn credential_scope(authorization: &str) -> (String, String, String, String) {
    let parts = authorization_parts(authorization)
        .unwrap_or_else(|| panic!("not a SigV4 Authorization header: {authorization:?}"));
    let fields: Vec<&str> = parts[1].split('/').collect();
    match fields.as_slice() {
        [akid, date, region, service, "aws4_request"] => (
            akid.to_string(),
            date.to_string(),
            region.to_string(),
            service.to_string(),
        ),
        _ => panic!("unexpected credential scope {:?}", parts[1]),
    }
}

/// Every difference found while running a suite. Each entry names the case
/// and the step; [`finish`](Self::finish) fails the test with all of them.
#[derive(Default)]
pub struct Failures {
    entries: Vec<String>,
    checks: usize,
}

impl Failures {
    pub fn new() -> Self {
        Self::default()
    }

    /// Compares one step's output with the expected text.
    pub fn check(&mut self, case: &str, step: &str, expected: &str, actual: &str) {
        self.checks += 1;
        if expected != actual {
            self.entries.push(format!(
                "{case} {step} differs{}:\n--- expected\n{expected}\n--- actual\n{actual}",
                first_difference(expected, actual)
            ));
        }
    }

    /// Records that a step of a case failed outright.
    pub fn fail(&mut self, case: &str, step: &str, message: impl std::fmt::Display) {
        self.checks += 1;
        self.entries
            .push(format!("{case} {step} failed: {message}"));
    }

    /// The value of a library call, or `None` after recording its error.
    pub fn ok<T, E: std::fmt::Display>(
        &mut self,
        case: &str,
        step: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(case, step, format!("the library returned an error: {e}"));
                None
            }
        }
    }

    /// The failures recorded so far.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Fails the test, listing every difference, if there was any; also
    /// fails if nothing at all was checked.
    pub fn finish(self, suite: &str) {
        assert!(self.checks > 0, "{suite}: no check was run");
        println!(
            "{suite}: {} checks, {} failed",
            self.checks,
            self.entries.len()
        );
        if !self.entries.is_empty() {
            panic!(
                "{suite}: {} of {} checks failed:\n\n{}\n",
                self.entries.len(),
                self.checks,
                self.entries.join("\n\n")
            );
        }
    }
}

/// ` (first difference on line N)`, to find a one-character change in a
/// long canonical request.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut e = expected.split('\n');
    let mut a = actual.split('\n');
    let mut line = 1;
    loop {
        match (e.next(), a.next()) {
            (None, None) => return String::new(),
            (x, y) if x != y => return format!(" (first difference on line {line})"),
            _ => line += 1,
        }
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        write!(s, "{b:02x}").expect("writing to a String");
        s
    })
}

/// A request as one comparable text: the request line's method and target,
/// then the headers (see [`header_lines`]), a blank line and the body.
pub fn render_request<'a>(
    method: &str,
    target: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: &str,
) -> String {
    format!("{method} {target}\n{}\n\n{body}", header_lines(headers))
}
