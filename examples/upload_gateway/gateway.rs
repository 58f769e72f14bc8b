//! The upload gateway's route: everything but reading the command line and
//! listening, so that `tests/e2e_upload_gateway.rs` runs the same router
//! (it includes this file with `#[path]`).
//!
//! Every request goes through [`upload`], which refuses it unless all of
//! this holds, in this order:
//!
//! 1. the method is `PUT` (405 otherwise);
//! 2. the request verifies: presigned or `Authorization`-signed with the
//!    gateway's credentials, for its region and S3, not expired, every
//!    `x-amz-*` header signed (403 with the [`VerifyError`]);
//! 3. the signed `Host` is this gateway's, not another server's that
//!    happens to share the keys (403);
//! 4. the query has only `X-Amz-*` parameters: a plain upload, not a
//!    multipart part or any other S3 operation (400);
//! 5. the path is `/BUCKET/KEY` for the gateway's bucket (404) and the key
//!    maps safely to a file under the bucket's folder ([`KeyError`], 400);
//! 6. a `Content-Length` is given (411) and is at most the maximum (413);
//! 7. when the signature covers the body's SHA-256 (`x-amz-content-sha256`
//!    on a header-signed request, `X-Amz-Content-Sha256` in a presigned
//!    query), the body hashes to it (403).
//!
//! Only then is the body written, to a temporary file renamed over
//! `DIR/BUCKET/KEY`: a refused or interrupted upload leaves nothing behind.
//! Only the bytes are kept: no content type or other metadata, so the
//! headers the signature does not cover change nothing that is stored.

use std::fmt;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use presign::verify::{ReceivedRequest, Verifier, VerifyError};
use presign::{Credentials, Region, SigningTime};

/// The largest upload by default: 10 MiB.
pub const DEFAULT_MAX_SIZE: usize = 10 * 1024 * 1024;
/// S3's longest object key, in bytes.
const MAX_KEY_LEN: usize = 1024;
/// The longest path segment most file systems take, in bytes.
const MAX_SEGMENT_LEN: usize = 255;
/// Where uploads are written before they are renamed into place, under the
/// storage folder. Bucket names cannot start with `.`, so no bucket's
/// folder is ever this one.
const INCOMING: &str = ".incoming";

/// What the gateway accepts, and where it stores it.
#[derive(Debug)]
pub struct Config {
    /// The one bucket served, `/BUCKET/KEY` in paths.
    pub bucket: String,
    /// The region links must be signed for.
    pub region: Region,
    /// The only credentials accepted (with their session token, if any:
    /// requests must then carry the same token).
    pub credentials: Credentials,
    /// The storage folder: objects go to `DIR/BUCKET/KEY`.
    pub dir: PathBuf,
    /// The `Host` values accepted (compared without case), such as
    /// `127.0.0.1:9000`.
    pub hosts: Vec<String>,
    /// The largest upload, in bytes.
    pub max_size: usize,
}

impl Config {
    /// A configuration for a gateway listening on `addr`: links signed for
    /// `http://ADDR` (and `http://localhost:PORT` on a loopback address)
    /// with at most [`DEFAULT_MAX_SIZE`] bytes.
    pub fn new(
        bucket: impl Into<String>,
        region: Region,
        credentials: Credentials,
        dir: impl Into<PathBuf>,
        addr: SocketAddr,
    ) -> Self {
        let mut hosts = vec![addr.to_string()];
        if addr.ip().is_loopback() {
            hosts.push(format!("localhost:{}", addr.port()));
        }
        Config {
            bucket: bucket.into(),
            region,
            credentials,
            dir: dir.into(),
            hosts,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

struct Gateway {
    verifier: Verifier<Credentials>,
    config: Config,
}

/// The gateway's router: `PUT /BUCKET/KEY` stores, anything else is
/// refused.
pub fn app(config: Config) -> Router {
    // Only requests signed for this gateway's own host and region: a link
    // signed for S3 itself, or for another server with the same keys, is
    // refused.
    let verifier = config.hosts.iter().fold(
        Verifier::with_lookup(config.credentials.clone()).accept_region(config.region.clone()),
        |verifier, host| verifier.accept_host(host.as_str()),
    );
    let state = Arc::new(Gateway { verifier, config });
    Router::new().fallback(handle).with_state(state)
}

// ---------------------------------------------------------------------------
// Refusals

/// Why an object key cannot be stored as a file (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// `/BUCKET` or `/BUCKET/`: no key.
    Empty,
    /// Longer than S3's 1024 bytes.
    TooLong,
    /// Not UTF-8 once percent-decoded.
    NotUtf8,
    /// A leading or trailing `/`, or `//`.
    EmptySegment,
    /// A `.` or `..` segment, which would leave (or alias) its folder.
    DotSegment,
    /// A segment longer than 255 bytes, which no file system takes.
    SegmentTooLong,
    /// A control character, or `\` (a separator on Windows).
    Character,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyError::Empty => "the key is empty",
            KeyError::TooLong => "the key is longer than 1024 bytes",
            KeyError::NotUtf8 => "the key is not UTF-8",
            KeyError::EmptySegment => "the key has an empty path segment",
            KeyError::DotSegment => "the key has a '.' or '..' path segment",
            KeyError::SegmentTooLong => "the key has a path segment longer than 255 bytes",
            KeyError::Character => "the key has a control character or a backslash",
        })
    }
}

/// Why an upload was refused: each maps to one status.
#[derive(Debug)]
pub enum Refusal {
    /// 405: not a `PUT`.
    Method,
    /// 403: the signature does not verify, or the body is not the one
    /// signed.
    Verify(VerifyError),
    /// 400: a query parameter of another S3 operation.
    Operation(String),
    /// 404: another bucket.
    NoSuchBucket,
    /// 400: a key that cannot be stored.
    Key(KeyError),
    /// 411: no `Content-Length`.
    LengthRequired,
    /// 413: over the maximum.
    TooLarge {
        /// The maximum, in bytes.
        max: usize,
    },
    /// 400: the body could not be read.
    Body(String),
    /// 409: the key is a folder of other keys, or under a key's file.
    Conflict,
    /// 500: the file could not be written (logged, not shown).
    Storage(io::Error),
}

impl Refusal {
    /// The status it is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Method => StatusCode::METHOD_NOT_ALLOWED,
            Refusal::Verify(_) => StatusCode::FORBIDDEN,
            Refusal::Operation(_) | Refusal::Key(_) | Refusal::Body(_) => StatusCode::BAD_REQUEST,
            Refusal::NoSuchBucket => StatusCode::NOT_FOUND,
            Refusal::LengthRequired => StatusCode::LENGTH_REQUIRED,
            Refusal::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Conflict => StatusCode::CONFLICT,
            Refusal::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Method => f.write_str("only PUT is supported"),
            Refusal::Verify(e) => write!(f, "{e}"),
            Refusal::Operation(name) => write!(
                f,
                "query parameter {name:?}: only plain uploads are supported"
            ),
            Refusal::NoSuchBucket => f.write_str("no such bucket"),
            Refusal::Key(e) => write!(f, "{e}"),
            Refusal::LengthRequired => f.write_str("a Content-Length is required"),
            Refusal::TooLarge { max } => write!(f, "the body is larger than {max} bytes"),
            Refusal::Body(e) => write!(f, "cannot read the body: {e}"),
            Refusal::Conflict => {
                f.write_str("the key conflicts with a stored key's folder or file")
            }
            Refusal::Storage(_) => f.write_str("cannot store the object"),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let text = format!("{self}\n");
        let content_type = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
        match self {
            Refusal::Method => {
                (self.status(), [(header::ALLOW, "PUT")], content_type, text).into_response()
            }
            _ => (self.status(), content_type, text).into_response(),
        }
    }
}

// ---------------------------------------------------------------------------
// The route

async fn handle(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    // The path only: the query holds the credential and signature.
    let what = format!("{} {}", request.method(), request.uri().path());
    match upload(&gateway, request).await {
        Ok(stored) => {
            eprintln!(
                "upload_gateway: stored {} ({} bytes) for {}",
                stored.path.display(),
                stored.size,
                stored.access_key_id
            );
            StatusCode::OK.into_response()
        }
        Err(refusal) => {
            match &refusal {
                Refusal::Storage(e) => eprintln!("upload_gateway: {what}: {refusal}: {e}"),
                _ => eprintln!("upload_gateway: {what}: {}: {refusal}", refusal.status()),
            }
            refusal.into_response()
        }
    }
}

/// What an upload stored.
#[derive(Debug)]
pub struct Stored {
    /// The file written.
    pub path: PathBuf,
    /// Its size.
    pub size: usize,
    /// Who signed for it.
    pub access_key_id: String,
}

/// Checks one request and stores its body (see the module's docs).
async fn upload(gateway: &Gateway, request: Request) -> Result<Stored, Refusal> {
    if request.method() != Method::PUT {
        return Err(Refusal::Method);
    }
    let config = &gateway.config;
    // The head verifies; the body is read afterwards, and only if it did.
    let (head, body) = request.into_parts();
    let received = ReceivedRequest::from_http_parts(&head).map_err(Refusal::Verify)?;
    let verified = gateway
        .verifier
        .verify(&received, SigningTime::now())
        .map_err(Refusal::Verify)?;

    check_query(head.uri.query().unwrap_or_default())?;
    let path = object_path(&config.dir, &config.bucket, head.uri.path())?;

    let length = head
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .ok_or(Refusal::LengthRequired)?;
    if length > config.max_size as u64 {
        return Err(Refusal::TooLarge {
            max: config.max_size,
        });
    }
    let bytes = axum::body::to_bytes(body, config.max_size)
        .await
        .map_err(|e| Refusal::Body(e.to_string()))?;
    // A no-op unless the signature covers the body's hash.
    verified.check_body(&bytes).map_err(Refusal::Verify)?;

    let access_key_id = verified.access_key_id().to_owned();
    let root = config.dir.clone();
    let target = path.clone();
    tokio::task::spawn_blocking(move || store(&root, &target, &bytes).map(|()| bytes.len()))
        .await
        .map_err(|e| Refusal::Storage(io::Error::other(e)))?
        .map(|size| Stored {
            path,
            size,
            access_key_id,
        })
}

/// Refuses the query parameters of other S3 operations (`partNumber`,
/// `uploadId`, `acl`, ...): only the presigned `X-Amz-*` ones may be there.
fn check_query(query: &str) -> Result<(), Refusal> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let name = pair.split_once('=').map_or(pair, |(n, _)| n);
        if !name.starts_with("X-Amz-") {
            let shown: String = name.chars().take(64).collect();
            return Err(Refusal::Operation(shown));
        }
    }
    Ok(())
}

/// The file for `/BUCKET/KEY` (`raw_path` as received, percent-encoded):
/// `dir/BUCKET/KEY` with the key percent-decoded and checked segment by
/// segment, so that it can only name a file under the bucket's folder.
pub fn object_path(dir: &Path, bucket: &str, raw_path: &str) -> Result<PathBuf, Refusal> {
    let rest = raw_path.strip_prefix('/').unwrap_or(raw_path);
    let (name, key) = rest.split_once('/').unwrap_or((rest, ""));
    if name != bucket {
        return Err(Refusal::NoSuchBucket);
    }
    let key = percent_decode_str(key)
        .decode_utf8()
        .map_err(|_| Refusal::Key(KeyError::NotUtf8))?;
    let mut path = dir.join(bucket);
    for segment in key_segments(&key).map_err(Refusal::Key)? {
        path.push(segment);
    }
    Ok(path)
}

/// The key's segments, or why they cannot be file names.
pub fn key_segments(key: &str) -> Result<Vec<&str>, KeyError> {
    if key.is_empty() {
        return Err(KeyError::Empty);
    }
    if key.len() > MAX_KEY_LEN {
        return Err(KeyError::TooLong);
    }
    if key.chars().any(|c| c.is_control() || c == '\\') {
        return Err(KeyError::Character);
    }
    let segments: Vec<&str> = key.split('/').collect();
    for segment in &segments {
        match *segment {
            "" => return Err(KeyError::EmptySegment),
            "." | ".." => return Err(KeyError::DotSegment),
            s if s.len() > MAX_SEGMENT_LEN => return Err(KeyError::SegmentTooLong),
            _ => {}
        }
    }
    Ok(segments)
}

// ---------------------------------------------------------------------------
// Storage

/// Numbers the temporary files of this process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// Writes `body` to `target` (under `dir`) atomically: to a new file in
/// `dir/.incoming`, flushed, then renamed over `target`. Readers see the
/// old object or the new one, never part of one.
fn store(dir: &Path, target: &Path, body: &[u8]) -> Result<(), Refusal> {
    // A key and a key "under" it (`a` and `a/b`) cannot both be files.
    if target.is_dir() || target.ancestors().skip(1).any(Path::is_file) {
        return Err(Refusal::Conflict);
    }
    let incoming = dir.join(INCOMING);
    std::fs::create_dir_all(&incoming).map_err(Refusal::Storage)?;
    let temp = incoming.join(format!(
        "{}-{}",
        std::process::id(),
        NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = std::fs::File::create_new(&temp)?;
        file.write_all(body)?;
        file.sync_all()?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(&temp, target)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Refusal::Storage(e)
    })
}
