//! The signing service's routes: everything but reading the environment and
//! listening, so that `tests/e2e_signing_service.rs` runs the same router
//! (it includes this file with `#[path]`).
//!
//! Every route needs `Authorization: Bearer TOKEN`, and signs only keys
//! under the caller's own prefix, `users/USER/`:
//!
//! - `POST /uploads` with `{"filename", "size", "content_type"}`: a
//!   presigned PUT for `users/USER/FILENAME` that signs `content-type` and
//!   `content-length`, so the upload must be exactly that type and size;
//! - `POST /forms`: a POST policy (boto3's `generate_presigned_post` JSON)
//!   for any key under `users/USER/`, with `content-length-range` 1 to the
//!   maximum size;
//! - `GET /downloads/{FILENAME}`: a presigned GET for `users/USER/FILENAME`.
//!
//! The service never talks to S3 and never sees the bytes: it signs, and S3
//! enforces what was signed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use presign::SigningTime;
use presign::provider::ProvideCredentials;
use presign::s3::{Bucket, PostKey};
use serde::Deserialize;
use serde_json::json;

/// How long a link is valid by default: 5 minutes.
pub const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(300);
/// The largest upload by default: 10 MiB.
pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;
/// S3's longest object key, in bytes.
const MAX_KEY_LEN: usize = 1024;
/// The longest `content_type` accepted.
const MAX_CONTENT_TYPE_LEN: usize = 255;

/// What the service signs for, and for whom.
#[derive(Debug)]
pub struct Config {
    /// The bucket (name, region, endpoint), which caches signing keys.
    pub bucket: Bucket,
    /// How long every link and policy is valid.
    pub expires_in: Duration,
    /// The largest upload, in bytes.
    pub max_size: u64,
    /// Bearer token → user id. A stand-in for real authentication (your
    /// session cookies, OIDC tokens, API keys in a database...): whatever it
    /// is, it must give a trusted user id, since the id becomes the key
    /// prefix. Ids must be non-empty and use only `A-Z a-z 0-9 - _`.
    pub tokens: HashMap<String, String>,
}

impl Config {
    /// A 5-minute, 10 MiB configuration for `bucket`, with no tokens yet.
    pub fn new(bucket: Bucket) -> Self {
        Config {
            bucket,
            expires_in: DEFAULT_EXPIRES_IN,
            max_size: DEFAULT_MAX_SIZE,
            tokens: HashMap::new(),
        }
    }

    /// Adds a bearer token for a user.
    pub fn token(mut self, token: impl Into<String>, user: impl Into<String>) -> Self {
        self.tokens.insert(token.into(), user.into());
        self
    }
}

/// Whether `user` is usable as a key prefix segment.
pub fn valid_user_id(user: &str) -> bool {
    !user.is_empty()
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

struct AppState {
    config: Config,
    provider: Box<dyn ProvideCredentials>,
}

/// The service's routes, signing with credentials from `provider`.
///
/// # Panics
/// If a user id in `config.tokens` is not [valid](valid_user_id).
pub fn app(config: Config, provider: impl ProvideCredentials + 'static) -> Router {
    for user in config.tokens.values() {
        assert!(valid_user_id(user), "invalid user id {user:?}");
    }
    let state = Arc::new(AppState {
        config,
        provider: Box::new(provider),
    });
    Router::new()
        .route("/uploads", post(upload))
        .route("/forms", post(form))
        .route("/downloads/{*filename}", get(download))
        .with_state(state)
}

// ---------------------------------------------------------------------------
// Errors

/// An error answer: a status and `{"error": "..."}`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// Signing failed: the details (which never hold a secret) go to the
    /// log, not to the caller.
    fn signing(error: impl std::fmt::Display) -> Self {
        eprintln!("signing_service: cannot sign: {error}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "cannot sign the request")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": self.message }));
        if self.status == StatusCode::UNAUTHORIZED {
            (self.status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response()
        } else {
            (self.status, body).into_response()
        }
    }
}

// ---------------------------------------------------------------------------
// Authentication

/// The authenticated caller. As an extractor it answers 401 unless the
/// request has `Authorization: Bearer TOKEN` with a known token; handlers
/// take it first, so a caller without a token learns nothing else.
struct Caller {
    user: String,
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    // The scheme is case-insensitive (RFC 7235).
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        bearer_token(&parts.headers)
            .and_then(|token| state.config.tokens.get(token))
            .map(|user| Caller { user: user.clone() })
            .ok_or_else(|| {
                ApiError::new(StatusCode::UNAUTHORIZED, "a valid bearer token is required")
            })
    }
}

// ---------------------------------------------------------------------------
// Validation

/// The caller's own prefix, `users/USER/`.
fn prefix(user: &str) -> String {
    format!("users/{user}/")
}

/// `users/USER/FILENAME`, or 400 when the filename could leave the prefix
/// or would not survive an HTTP client: empty, a leading `/`, an empty, `.`
/// or `..` segment, control characters, or a key over S3's 1024 bytes.
///
/// S3 itself never resolves `..` (keys are plain strings), but browsers and
/// most HTTP clients remove dot segments before sending, so such a key
/// could land, or be read, outside the prefix that was meant.
fn object_key(user: &str, filename: &str) -> Result<String, ApiError> {
    if filename.is_empty() {
        return Err(ApiError::bad_request("the filename is empty"));
    }
    if filename.starts_with('/') {
        return Err(ApiError::bad_request("the filename starts with '/'"));
    }
    if filename
        .split('/')
        .any(|segment| segment.is_empty() || segment == "." || segment == "..")
    {
        return Err(ApiError::bad_request(
            "the filename has an empty, '.' or '..' path segment",
        ));
    }
    if filename.chars().any(char::is_control) {
        return Err(ApiError::bad_request("the filename has control characters"));
    }
    let key = format!("{}{filename}", prefix(user));
    if key.len() > MAX_KEY_LEN {
        return Err(ApiError::bad_request("the filename is too long"));
    }
    Ok(key)
}

/// A content type a client can send as a header unchanged.
fn check_content_type(value: &str) -> Result<(), ApiError> {
    let printable = value.bytes().all(|b| (0x20..0x7f).contains(&b));
    if value.is_empty() || value.len() > MAX_CONTENT_TYPE_LEN || !printable || value.trim() != value
    {
        return Err(ApiError::bad_request(
            "content_type must be 1 to 255 printable ASCII characters",
        ));
    }
    Ok(())
}

fn check_size(size: u64, max: u64) -> Result<(), ApiError> {
    if size == 0 {
        return Err(ApiError::bad_request("size must be at least 1 byte"));
    }
    if size > max {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("size must be at most {max} bytes"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Handlers

/// A successful answer. A presigned link is a bearer credential until it
/// expires: no cache may keep it.
fn signed(body: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}

#[derive(Debug, Deserialize)]
struct UploadRequest {
    filename: String,
    size: u64,
    content_type: String,
}

/// `POST /uploads`: a presigned PUT that signs the content type and length.
async fn upload(
    caller: Caller,
    State(state): State<Arc<AppState>>,
    body: Result<Json<UploadRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let config = &state.config;
    let key = object_key(&caller.user, &request.filename)?;
    check_size(request.size, config.max_size)?;
    check_content_type(&request.content_type)?;

    let size = request.size.to_string();
    let put = config
        .bucket
        .put_object(&key)
        .content_type(&request.content_type)
        .content_length(&size);
    let url = put
        .presign_with(&*state.provider, SigningTime::now(), config.expires_in)
        .map_err(ApiError::signing)?;
    // Exactly the headers signed: the uploader must send them as they are.
    let headers: serde_json::Map<String, serde_json::Value> = put
        .headers()
        .iter()
        .map(|&(name, value)| (name.to_owned(), value.into()))
        .collect();
    Ok(signed(Json(json!({
        "method": url.method(),
        "url": url.as_str(),
        "headers": headers,
        "key": key,
        "expires_in": url.expires_in().as_secs(),
    }))))
}

/// `POST /forms`: a POST policy for any key under the caller's prefix, 1
/// byte to the maximum size, with any `Content-Type` the client sets.
async fn form(caller: Caller, State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let config = &state.config;
    let post = config
        .bucket
        .post_policy(
            PostKey::starts_with(prefix(&caller.user)),
            SigningTime::now(),
            config.expires_in,
        )
        .content_length_range(1, config.max_size)
        .starts_with("$Content-Type", "")
        .sign_with(&*state.provider)
        .map_err(ApiError::signing)?;
    Ok(signed((
        [(header::CONTENT_TYPE, "application/json")],
        post.to_json(),
    )))
}

/// `GET /downloads/{FILENAME}`: a presigned GET for the caller's own object.
/// The filename is the rest of the path, percent-decoded.
async fn download(
    caller: Caller,
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(filename) = path.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let config = &state.config;
    let key = object_key(&caller.user, &filename)?;
    let url = config
        .bucket
        .get_object(&key)
        .presign_with(&*state.provider, SigningTime::now(), config.expires_in)
        .map_err(ApiError::signing)?;
    Ok(signed(Json(json!({
        "method": url.method(),
        "url": url.as_str(),
        "key": key,
        "expires_in": url.expires_in().as_secs(),
    }))))
}
