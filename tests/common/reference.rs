//! A plain SigV4 reference, written from the AWS documentation ("Create a
//! signed AWS API request", IAM User Guide) for clarity, not speed: `String`,
//! `Vec`, `format!` and sorting, no buffers, no fast paths. The vector suites
//! run every published case through it as well as through the crate, so the
//! crate's fast canonical-request writer is checked against an
//! implementation a reader can verify line by line.
//!
//! ```text
//! CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n
//!                    CanonicalHeaders \n SignedHeaders \n HashedPayload
//! StringToSign     = "AWS4-HMAC-SHA256" \n AmzDate \n Scope \n Hex(SHA256(CanonicalRequest))
//! SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + Secret, Date), Region), Service), "aws4_request")
//! Signature        = Hex(HMAC(SigningKey, StringToSign))
//! ```
#![allow(dead_code)]

use std::collections::BTreeMap;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Lowercase hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex(SHA256(bytes)): the form of a payload hash.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// UriEncode(): every byte except `A-Z a-z 0-9 - . _ ~` becomes `%XY`
/// (uppercase hex); `/` is kept too when `keep_slash` (paths).
pub fn uri_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::new();
    for &b in bytes {
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if unreserved || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decoding: each `%XY` (hex, either case) becomes its byte; any
/// other byte, `+` and a `%` not followed by two hex digits included, stays.
pub fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let hex_digit = |i: usize| bytes.get(i).and_then(|&b| (b as char).to_digit(16));
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let (b'%', Some(high), Some(low)) = (bytes[i], hex_digit(i + 1), hex_digit(i + 2)) {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// RFC 3986 dot-segment removal, with empty segments (`//`) dropped too.
/// A path ending in `/`, `/.` or `/..` keeps a trailing `/` (unless nothing
/// is left but the root).
pub fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            name => segments.push(name),
        }
    }
    let last = path.rsplit('/').next().unwrap_or_default();
    let trailing_slash = matches!(last, "" | "." | "..");
    let mut out = format!("/{}", segments.join("/"));
    if trailing_slash && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// CanonicalURI of a path as sent on the wire (already percent-encoded).
/// S3: decoded once and encoded once, never normalized (`//`, `.` and `..`
/// are part of object keys). Every other service: normalized, then the
/// wire form is encoded once more (`%3A` becomes `%253A`).
pub fn canonical_uri(path: &str, s3_mode: bool) -> String {
    let path = if path.is_empty() { "/" } else { path };
    if s3_mode {
        uri_encode(&percent_decode(path), true)
    } else {
        uri_encode(normalize_path(path).as_bytes(), true)
    }
}

/// CanonicalQueryString of a raw query (without `?`): each `name=value`
/// (`name` alone means an empty value) decoded, encoded again, and the
/// pairs sorted by name, then value.
pub fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((
            uri_encode(&percent_decode(name), false),
            uri_encode(&percent_decode(value), false),
        ));
    }
    pairs.sort();
    let pairs: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    pairs.join("&")
}

/// Header name → its values in arrival order: names lowercased, each value
/// trimmed with inner runs of whitespace (and folded lines) made one space.
fn grouped_headers(headers: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        let words: Vec<&str> = value
            .split([' ', '\t', '\r', '\n'])
            .filter(|w| !w.is_empty())
            .collect();
        grouped
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(words.join(" "));
    }
    grouped
}

/// SignedHeaders: the lowercase header names, sorted, unique, joined by `;`.
pub fn signed_headers(headers: &[(&str, &str)]) -> String {
    let names: Vec<String> = grouped_headers(headers).into_keys().collect();
    names.join(";")
}

/// The canonical request. `path` and `query` are as sent on the wire;
/// `headers` are every signed header (`host` included), repeated names
/// allowed (their values are joined with `,` in the order given).
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    payload_hash: &str,
    s3_mode: bool,
) -> String {
    let mut canonical_headers = String::new();
    for (name, values) in grouped_headers(headers) {
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{}\n{payload_hash}",
        canonical_uri(path, s3_mode),
        canonical_query(query),
        signed_headers(headers),
    )
}

/// The string to sign. `scope` is `date/region/service/aws4_request`.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let hash = sha256_hex(canonical_request.as_bytes());
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{hash}")
}

fn hmac_sha256(key: &[u8], message: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The signing key for a date (`YYYYMMDD`), region and service.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date);
    let k_region = hmac_sha256(&k_date, region);
    let k_service = hmac_sha256(&k_region, service);
    hmac_sha256(&k_service, "aws4_request")
}

/// The signature, as lowercase hex.
pub fn signature(key: &[u8; 32], string_to_sign: &str) -> String {
    hex(&hmac_sha256(key, string_to_sign))
}

/// What a published vector checks: the three outputs of signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// The signer's side: credentials, time and scope. The two methods add to
/// the request what a SigV4 signer adds (`x-amz-date` and the session token
/// as headers, or the `X-Amz-*` query parameters), then sign it.
pub struct Signing<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a str,
    /// The session token, when it is signed (`None` without one, and when
    /// it is added to the request after signing).
    pub token: Option<&'a str>,
    /// Whether the token is an S3 Express One Zone session's, carried as
    /// `x-amz-s3session-token` / `X-Amz-S3session-Token`.
    pub s3_session_token: bool,
    /// `20150830T123600Z`.
    pub amz_date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    /// S3's path rules (see [`canonical_uri`]).
    pub s3_mode: bool,
}

impl Signing<'_> {
    /// `date/region/service/aws4_request`.
    pub fn scope(&self) -> String {
        let date = &self.amz_date[..8];
        format!("{date}/{}/{}/aws4_request", self.region, self.service)
    }

    /// Signs a canonical request.
    pub fn sign(&self, canonical_request: String) -> Signed {
        let string_to_sign = string_to_sign(self.amz_date, &self.scope(), &canonical_request);
        let key = signing_key(self.secret, &self.amz_date[..8], self.region, self.service);
        Signed {
            signature: signature(&key, &string_to_sign),
            string_to_sign,
            canonical_request,
        }
    }

    /// Header signing (`Authorization`). `target` is `path[?query]` as sent;
    /// `headers` are the request's, `host` included. Adds `x-amz-date`, the
    /// token and, with `content_sha256`, `x-amz-content-sha256`.
    pub fn sign_headers(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        payload_hash: &str,
        content_sha256: bool,
    ) -> Signed {
        let mut all = headers.to_vec();
        all.push(("x-amz-date", self.amz_date));
        if let Some(token) = self.token {
            let name = if self.s3_session_token {
                "x-amz-s3session-token"
            } else {
                "x-amz-security-token"
            };
            all.push((name, token));
        }
        if content_sha256 {
            all.push(("x-amz-content-sha256", payload_hash));
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let cr = canonical_request(method, path, query, &all, payload_hash, self.s3_mode);
        self.sign(cr)
    }

    /// Query signing (presigning): adds the `X-Amz-*` parameters, the token
    /// among them, to the query; `headers` (`host` included) are signed.
    pub fn presign(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        payload_hash: &str,
        expires_in: u64,
    ) -> Signed {
        let credential = format!("{}/{}", self.access_key_id, self.scope());
        let mut params = vec![
            ("X-Amz-Algorithm", ALGORITHM.to_owned()),
            ("X-Amz-Credential", credential),
            ("X-Amz-Date", self.amz_date.to_owned()),
            ("X-Amz-Expires", expires_in.to_string()),
            ("X-Amz-SignedHeaders", signed_headers(headers)),
        ];
        if let Some(token) = self.token {
            let name = if self.s3_session_token {
                "X-Amz-S3session-Token"
            } else {
                "X-Amz-Security-Token"
            };
            params.push((name, token.to_owned()));
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut query = query.to_owned();
        for (name, value) in params {
            query.push_str(&format!("&{name}={}", uri_encode(value.as_bytes(), false)));
        }
        let cr = canonical_request(method, path, &query, headers, payload_hash, self.s3_mode);
        self.sign(cr)
    }
}
