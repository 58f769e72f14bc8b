//! The three presigners under comparison, set up the way a service would keep
//! them, each behind the same small [`Presigner`] trait so that the test, the
//! criterion bench and the `report` binary drive them identically.
//!
//! Every signer presigns the same two requests (see [`inputs`]):
//!
//! - **GET**: `GET https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/summer%20vacation/IMG_0001.jpg`,
//!   long-term keys, signed headers `host`.
//! - **PUT**: the same URL with `PUT`, temporary credentials with a 1,024-byte
//!   session token (signed, in the canonical query string), signed headers
//!   `content-type;host` with `content-type: image/jpeg`.
//!
//! Both at 2026-05-24T12:00:00Z, valid for 86,400 s, payload
//! `UNSIGNED-PAYLOAD`, no `x-amz-content-sha256`. Each call returns the URL
//! as a `String`, the form a service hands to its client.
//!
//! What is kept between calls ("warm") is whatever each library lets a
//! caller keep: presign's `Bucket` (with its signing-key cache) and
//! `Credentials`; rusty-s3's `Bucket` and `Credentials`; aws-sigv4's
//! `Identity` and a template of its `SigningSettings`. Both peers derive the
//! signing key (four HMACs) on every call: that is how they work, and it is
//! not worked around here.

use std::time::{Duration, SystemTime};

pub mod inputs {
    //! The inputs, identical for every signer.

    use std::time::Duration;

    /// AWS's documentation example access key id.
    pub const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    /// AWS's documentation example secret access key.
    pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    pub const REGION: &str = "us-east-1";
    pub const BUCKET: &str = "examplebucket";
    /// The regional endpoint; with virtual-hosted addressing the signed host
    /// is `examplebucket.s3.us-east-1.amazonaws.com`.
    pub const ENDPOINT: &str = "https://s3.us-east-1.amazonaws.com";
    /// The URL every object URL starts with.
    pub const BASE_URL: &str = "https://examplebucket.s3.us-east-1.amazonaws.com";
    /// An object key that needs encoding (two spaces).
    pub const KEY: &str = "photos/2026/summer vacation/IMG_0001.jpg";
    pub const EXPIRES_IN: Duration = Duration::from_secs(86_400);
    /// 2026-05-24T12:00:00Z.
    pub const UNIX_TIME: i64 = 1_779_624_000;
    pub const AMZ_DATE: &str = "20260524T120000Z";
    /// The signed `content-type` of the PUT.
    pub const CONTENT_TYPE: &str = "image/jpeg";
    /// Length of the PUT's session token.
    pub const SESSION_TOKEN_LEN: usize = 1024;

    /// A 1,024-character base64-looking session token, like the ones STS
    /// hands out: the same on every call (a fixed xorshift sequence over the
    /// base64 alphabet), with `+` and `/` that must be percent-encoded in
    /// the query string.
    pub fn session_token() -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut token = String::with_capacity(SESSION_TOKEN_LEN);
        token.push_str("IQoJb3JpZ2luX2VjE"); // how STS tokens start
        while token.len() < SESSION_TOKEN_LEN {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            token.push(ALPHABET[(state >> 58) as usize] as char);
        }
        token
    }
}

use inputs::*;

/// The two requests presigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// GET, long-term credentials, signed `host`.
    Get,
    /// PUT, 1,024-byte session token, signed `content-type` and `host`.
    Put,
}

impl Case {
    pub const ALL: [Case; 2] = [Case::Get, Case::Put];

    /// A short name for bench ids and file names.
    pub fn id(self) -> &'static str {
        match self {
            Case::Get => "get",
            Case::Put => "put-token-content-type",
        }
    }

    /// The name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Case::Get => "GET",
            Case::Put => "PUT + 1 KiB token + content-type",
        }
    }
}

/// A presigner, warmed up as a service would keep it.
pub trait Presigner {
    /// The crate's name, for tables and bench ids.
    const NAME: &'static str;
    /// The time type the library takes, converted once from a Unix time
    /// (as a service would hold `SystemTime::now()` in that type).
    type Time: Copy;

    /// Builds what can be kept between calls.
    fn new() -> Self;
    /// The signing time in the library's own type.
    fn time(unix: i64) -> Self::Time;
    /// Presigns the GET case.
    fn get(&self, at: Self::Time) -> String;
    /// Presigns the PUT case.
    fn put(&self, at: Self::Time) -> String;

    /// Presigns `case`.
    fn presign(&self, case: Case, at: Self::Time) -> String {
        match case {
            Case::Get => self.get(at),
            Case::Put => self.put(at),
        }
    }
}

// ---------------------------------------------------------------------------
// presign

/// `presign`: a shared `Bucket` (it caches signing keys) and the credentials.
pub struct Presign {
    bucket: presign::s3::Bucket,
    creds: presign::Credentials,
    temp_creds: presign::Credentials,
}

impl Presigner for Presign {
    const NAME: &'static str = "presign";
    type Time = presign::SigningTime;

    fn new() -> Self {
        let region = presign::Region::new(REGION).expect("region");
        let bucket = presign::s3::Bucket::new(BUCKET, region).expect("bucket");
        let creds = presign::Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY).expect("creds");
        let temp_creds = creds
            .clone()
            .with_session_token(session_token())
            .expect("session token");
        Presign {
            bucket,
            creds,
            temp_creds,
        }
    }

    fn time(unix: i64) -> Self::Time {
        presign::SigningTime::from_unix_timestamp(unix).expect("time")
    }

    fn get(&self, at: Self::Time) -> String {
        self.bucket
            .get_object(KEY)
            .presign(&self.creds, at, EXPIRES_IN)
            .expect("presign GET")
            .into_string()
    }

    fn put(&self, at: Self::Time) -> String {
        self.bucket
            .put_object(KEY)
            .content_type(CONTENT_TYPE)
            .presign(&self.temp_creds, at, EXPIRES_IN)
            .expect("presign PUT")
            .into_string()
    }
}

impl Presign {
    /// [`Presigner::presign`] into a reused buffer (`presign_into`): the
    /// same URL, with no allocation once the buffer is large enough.
    pub fn presign_into(&self, case: Case, at: presign::SigningTime, out: &mut String) {
        match case {
            Case::Get => self
                .bucket
                .get_object(KEY)
                .presign_into(&self.creds, at, EXPIRES_IN, out),
            Case::Put => self
                .bucket
                .put_object(KEY)
                .content_type(CONTENT_TYPE)
                .presign_into(&self.temp_creds, at, EXPIRES_IN, out),
        }
        .expect("presign_into");
    }

    /// The canonical request presign signs, for the floor measurement.
    pub fn canonical_request(&self, case: Case, at: presign::SigningTime) -> String {
        let canonical = match case {
            Case::Get => self
                .bucket
                .get_object(KEY)
                .canonical_request(&self.creds, at, EXPIRES_IN),
            Case::Put => self
                .bucket
                .put_object(KEY)
                .content_type(CONTENT_TYPE)
                .canonical_request(&self.temp_creds, at, EXPIRES_IN),
        };
        canonical.expect("canonical request").as_str().to_owned()
    }
}

// ---------------------------------------------------------------------------
// rusty-s3

/// rusty-s3: a `Bucket` on the regional endpoint with virtual-hosted URLs,
/// and the credentials. Each call builds the action (cheap, borrowed) and
/// signs it; rusty-s3 derives the signing key on every call.
pub struct RustyS3 {
    bucket: rusty_s3::Bucket,
    creds: rusty_s3::Credentials,
    temp_creds: rusty_s3::Credentials,
}

impl Presigner for RustyS3 {
    const NAME: &'static str = "rusty-s3";
    type Time = jiff::Timestamp;

    fn new() -> Self {
        let bucket = rusty_s3::Bucket::new(
            ENDPOINT.parse().expect("endpoint URL"),
            rusty_s3::UrlStyle::VirtualHost,
            BUCKET,
            REGION,
        )
        .expect("bucket");
        RustyS3 {
            bucket,
            creds: rusty_s3::Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY),
            temp_creds: rusty_s3::Credentials::new_with_token(
                ACCESS_KEY_ID,
                SECRET_ACCESS_KEY,
                session_token(),
            ),
        }
    }

    fn time(unix: i64) -> Self::Time {
        jiff::Timestamp::from_second(unix).expect("time")
    }

    fn get(&self, at: Self::Time) -> String {
        use rusty_s3::S3Action as _;
        // `sign_with_time` is `sign` (which reads the clock) at a given time.
        self.bucket
            .get_object(Some(&self.creds), KEY)
            .sign_with_time(EXPIRES_IN, &at)
            .into()
    }

    fn put(&self, at: Self::Time) -> String {
        use rusty_s3::S3Action as _;
        let mut action = self.bucket.put_object(Some(&self.temp_creds), KEY);
        action.headers_mut().insert("content-type", CONTENT_TYPE);
        action.sign_with_time(EXPIRES_IN, &at).into()
    }
}

// ---------------------------------------------------------------------------
// aws-sigv4

/// Characters an S3 key keeps unencoded in a URL path: RFC 3986 unreserved
/// characters and `/`. (aws-sigv4 signs an already encoded URI; in the SDK
/// the S3 client encodes the key the same way before signing.)
const S3_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// aws-sigv4, configured as the AWS SDK's S3 client presigns: query-string
/// signature, single URI encoding, no path normalization, unsigned payload,
/// no `x-amz-content-sha256`, the session token signed in the canonical
/// query string.
///
/// Kept between calls: the `Identity` (the credentials as the SDK holds
/// them) and the `SigningSettings`. Built on every call, as the SDK does for
/// every request: the `http::Request` (URL with the encoded key, headers),
/// the `SignableRequest` view of it, and the `SigningParams`, which carry the
/// signing time and own a copy of the settings. Signing returns query
/// parameters that `apply_to_request_http1x` adds to the request's URI, which
/// is then turned into the URL string.
pub struct AwsSigv4 {
    identity: aws_smithy_runtime_api::client::identity::Identity,
    temp_identity: aws_smithy_runtime_api::client::identity::Identity,
    settings: aws_sigv4::http_request::SigningSettings,
}

impl Presigner for AwsSigv4 {
    const NAME: &'static str = "aws-sigv4";
    type Time = SystemTime;

    fn new() -> Self {
        use aws_credential_types::Credentials;
        use aws_sigv4::http_request::{
            PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignatureLocation,
            SigningSettings, UriPathNormalizationMode,
        };

        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(EXPIRES_IN);
        // S3 signs the path exactly as sent: encoded once, never normalized.
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        // No `x-amz-content-sha256` (with query signing it is never added
        // anyway) and the token inside the signature.
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
        settings.session_token_mode = SessionTokenMode::Include;

        let identity = Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None, None, "bench");
        let temp_identity = Credentials::new(
            ACCESS_KEY_ID,
            SECRET_ACCESS_KEY,
            Some(session_token()),
            None,
            "bench",
        );
        AwsSigv4 {
            identity: identity.into(),
            temp_identity: temp_identity.into(),
            settings,
        }
    }

    fn time(unix: i64) -> Self::Time {
        SystemTime::UNIX_EPOCH + Duration::from_secs(unix as u64)
    }

    fn get(&self, at: Self::Time) -> String {
        self.sign_request(http::Method::GET, &[], &self.identity, at)
    }

    fn put(&self, at: Self::Time) -> String {
        self.sign_request(
            http::Method::PUT,
            &[("content-type", CONTENT_TYPE)],
            &self.temp_identity,
            at,
        )
    }
}

impl AwsSigv4 {
    /// Presigns `method` on the object URL with `headers` signed.
    fn sign_request(
        &self,
        method: http::Method,
        headers: &[(&'static str, &'static str)],
        identity: &aws_smithy_runtime_api::client::identity::Identity,
        at: SystemTime,
    ) -> String {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, sign};
        use aws_sigv4::sign::v4;

        // The request to presign: the object URL, with the key encoded.
        let url = format!(
            "{BASE_URL}/{}",
            percent_encoding::utf8_percent_encode(KEY, S3_PATH)
        );
        let mut builder = http::Request::builder().method(method).uri(&url);
        for &(name, value) in headers {
            builder = builder.header(name, value);
        }
        let mut request = builder.body(()).expect("http request");

        let params = v4::SigningParams::builder()
            .identity(identity)
            .region(REGION)
            .name("s3")
            .time(at)
            .settings(self.settings.clone())
            .build()
            .expect("signing params")
            .into();
        // The signable view of the request: its method, URL (which
        // `SignableRequest` parses again) and headers.
        let signable = SignableRequest::new(
            request.method().as_str(),
            url.as_str(),
            request
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str(), value.to_str().expect("ASCII header"))),
            SignableBody::UnsignedPayload,
        )
        .expect("signable request");
        let (instructions, _signature) = sign(signable, &params).expect("sign").into_parts();
        instructions.apply_to_request_http1x(&mut request);
        request.uri().to_string()
    }
}

// ---------------------------------------------------------------------------
// The floor

/// The cryptographic floor of one presign: the SHA-256 of presign's
/// canonical request, then one HMAC of the string to sign with the signing
/// key (and its keyed HMAC state) cached. No signer can do less work for the
/// same URL; what a signer spends above it is building strings.
pub struct Floor {
    canonical: String,
    string_to_sign: presign::StringToSign,
    key: presign::SigningKey,
}

impl Floor {
    pub fn new(case: Case) -> Self {
        use sha2::{Digest, Sha256};

        let at = Presign::time(UNIX_TIME);
        let region = presign::Region::new(REGION).expect("region");
        let service = presign::Service::s3();
        let scope = presign::Scope::new(at.scope_date(), &region, &service);
        let canonical = Presign::new().canonical_request(case, at);
        let hash: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
        Floor {
            string_to_sign: presign::StringToSign::new(at, scope, &hash),
            key: presign::SigningKey::derive(SECRET_ACCESS_KEY, scope),
            canonical,
        }
    }

    /// The canonical request hashed.
    pub fn canonical_request(&self) -> &str {
        &self.canonical
    }

    /// One floor's work: hash the canonical request, sign the string to
    /// sign (the real one, computed once from that same hash).
    #[inline]
    pub fn run(&self) -> presign::Signature {
        use sha2::{Digest, Sha256};
        use std::hint::black_box;

        black_box(Sha256::digest(black_box(self.canonical.as_bytes())));
        self.key.sign(black_box(self.string_to_sign.as_bytes()))
    }
}

// ---------------------------------------------------------------------------
// Agreement

/// Presigns `case` with all three signers at [`inputs::UNIX_TIME`] and
/// returns the one signature they agree on, or which signer disagreed. The
/// report runs this before timing anything; `tests/same_signature.rs` checks
/// the URLs in full.
pub fn agreed_signature(case: Case) -> Result<String, String> {
    let presign = Presign::new().presign(case, Presign::time(UNIX_TIME));
    let aws = AwsSigv4::new().presign(case, AwsSigv4::time(UNIX_TIME));
    let rusty = RustyS3::new().presign(case, RustyS3::time(UNIX_TIME));
    let expected = signature(&presign);
    for (name, url) in [(AwsSigv4::NAME, &aws), (RustyS3::NAME, &rusty)] {
        if signature(url) != expected {
            return Err(format!(
                "{}: {name} signed {} but presign signed {expected}",
                case.label(),
                signature(url)
            ));
        }
    }
    Ok(expected.to_owned())
}

// ---------------------------------------------------------------------------
// Inspecting URLs

/// The `X-Amz-Signature` value of a presigned URL.
pub fn signature(url: &str) -> &str {
    query_pairs(url)
        .find(|(name, _)| *name == "X-Amz-Signature")
        .map(|(_, value)| value)
        .expect("URL has no X-Amz-Signature")
}

/// The part of a URL before `?`.
pub fn without_query(url: &str) -> &str {
    url.split_once('?').map_or(url, |(base, _)| base)
}

/// A URL's query parameters as `(name, value)`, still percent-encoded.
pub fn query_pairs(url: &str) -> impl Iterator<Item = (&str, &str)> {
    url.split_once('?')
        .map_or("", |(_, query)| query)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}
