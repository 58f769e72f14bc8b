//! The whole pipeline: header signing and query signing (presigning) for any
//! service.
//!
//! request → canonical request → string to sign → signature → output.

use core::cell::Cell;
use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::canonical::{self, Auth, CanonicalRequest, Layout, Parts, Scratch};
use crate::credentials::Credentials;
use crate::encode::{PathMode, Sink};
use crate::error::Error;
use crate::mac::{sha256_in_place, sha256_spliced};
use crate::request::{Payload, SignableRequest};
use crate::scope::{Region, Scope, Service};
use crate::signature::{Signature, hex64};
use crate::signing_key::{CachedSigningKey, FirstBlock, SigningKeyCache};
use crate::string_to_sign::{ALGORITHM, StringToSign};
use crate::time::{AmzDate, SigningTime};

/// The longest expiry AWS accepts for a presigned request: 7 days.
pub const MAX_EXPIRES: Duration = Duration::from_secs(604_800);

/// How a session token is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SessionTokenMode {
    /// The token is part of the canonical request (as `x-amz-security-token`
    /// or `X-Amz-Security-Token`): what S3 and most services expect.
    #[default]
    Signed,
    /// The token is added after signing, outside the signature: what a few
    /// services expect (the test suites call it `omit_session_token`).
    AddedAfterSigning,
}

/// Where the signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureLocation {
    /// An `Authorization` header.
    Headers,
    /// Query parameters: a presigned request valid for `expires_in`.
    Query {
        /// How long the request stays valid.
        expires_in: Duration,
    },
}

/// Signs requests for one region and service, with a cache of derived keys.
///
/// Share one `Signer` (it is `Send + Sync`; every method takes `&self`):
/// the signing key is derived once per credentials and UTC day and reused.
///
/// ```
/// use std::time::Duration;
/// use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};
///
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
/// let signer = Signer::new(Region::new("us-east-1")?, Service::new("service")?);
/// let time = SigningTime::parse_amz_date("20150830T123600Z")?;
/// let req = SignableRequest::new(Method::GET, "example.amazonaws.com", "/");
///
/// // An Authorization header (CRT suite, get-vanilla).
/// let signed = signer.sign_headers(&req, &creds, time)?;
/// assert_eq!(signed.signature().to_string(),
///            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
///
/// // A presigned request valid for an hour.
/// let presigned = signer.presign(&req, &creds, time, Duration::from_secs(3600))?;
/// assert!(presigned.uri().ends_with(
///     "&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"
/// ));
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug)]
pub struct Signer {
    region: Region,
    service: Service,
    path_mode: PathMode,
    token_mode: SessionTokenMode,
    content_sha256: bool,
    max_expires: Duration,
    clamp_to_credentials: bool,
    cache: Arc<SigningKeyCache>,
}

thread_local! {
    /// Boxed, so that taking it out and putting it back moves one pointer.
    static SCRATCH: Cell<Option<Box<Scratch>>> = const { Cell::new(None) };
}

/// Runs `f` with this thread's reusable canonicalization buffers, wiping them
/// afterwards. A nested or late (thread teardown) call gets fresh buffers.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let mut scratch = SCRATCH
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_default();
    let result = f(&mut scratch);
    scratch.wipe();
    let _ = SCRATCH.try_with(|cell| cell.set(Some(scratch)));
    result
}

impl Signer {
    /// A signer for a region and service, with the path mode AWS uses for
    /// that service ([`PathMode::for_service`]), signed session tokens, a
    /// 7-day expiry cap and a key cache of
    /// [`DEFAULT_CACHE_CAPACITY`](crate::DEFAULT_CACHE_CAPACITY) entries.
    ///
    /// Header signing sends and signs `x-amz-content-sha256` for the S3
    /// services (`s3`, `s3express`, `s3-outposts`, `s3-object-lambda`), which
    /// refuse a header-signed request without it, and not for others;
    /// [`sign_content_sha256`](Self::sign_content_sha256) overrides that.
    pub fn new(region: Region, service: Service) -> Self {
        let path_mode = PathMode::for_service(service.as_str());
        let content_sha256 = service.is_s3_like();
        Signer {
            region,
            service,
            path_mode,
            token_mode: SessionTokenMode::Signed,
            content_sha256,
            max_expires: MAX_EXPIRES,
            clamp_to_credentials: false,
            cache: Arc::new(SigningKeyCache::default()),
        }
    }

    /// Overrides the path mode.
    pub fn path_mode(mut self, mode: PathMode) -> Self {
        self.path_mode = mode;
        self
    }

    /// Sets how the session token of temporary credentials is carried.
    pub fn session_token_mode(mut self, mode: SessionTokenMode) -> Self {
        self.token_mode = mode;
        self
    }

    /// With header signing, whether to also send and sign
    /// `x-amz-content-sha256` (S3 requires it on every header-signed
    /// request). The default is on for the S3 services and off for others
    /// (see [`new`](Self::new)). Query signing (presigning) never adds it.
    pub fn sign_content_sha256(mut self, yes: bool) -> Self {
        self.content_sha256 = yes;
        self
    }

    /// Raises or lowers the longest expiry [`presign`](Self::presign) accepts
    /// (default and AWS's limit: 7 days), for providers that allow longer.
    /// Expiries are always at least one second.
    pub fn max_expires(mut self, max: Duration) -> Self {
        self.max_expires = max;
        self
    }

    /// When temporary credentials expire before a presigned request would,
    /// shorten the request's expiry to theirs instead of failing with
    /// [`Error::CredentialsExpireFirst`].
    pub fn clamp_expiry_to_credentials(mut self, yes: bool) -> Self {
        self.clamp_to_credentials = yes;
        self
    }

    /// Uses a fresh key cache of a given capacity.
    pub fn cache_capacity(mut self, capacity: usize) -> Self {
        self.cache = Arc::new(SigningKeyCache::new(capacity));
        self
    }

    /// Shares a key cache with other signers (for example one per bucket).
    pub fn with_key_cache(mut self, cache: Arc<SigningKeyCache>) -> Self {
        self.cache = cache;
        self
    }

    /// The region.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The service.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The signing-key cache.
    pub fn key_cache(&self) -> &SigningKeyCache {
        &self.cache
    }

    /// The credential scope for a signing time.
    pub fn scope(&self, time: SigningTime) -> Scope<'_> {
        Scope::new(time.scope_date(), &self.region, &self.service)
    }

    /// Checks an expiry against the cap and against the credentials' own
    /// expiry (clamping to it if asked), in whole seconds.
    pub(crate) fn check_expiry(
        &self,
        expires_in: Duration,
        creds: &Credentials,
        time: SigningTime,
    ) -> Result<u64, Error> {
        let seconds = expires_in.as_secs();
        let max = self.max_expires.as_secs();
        if seconds == 0 || seconds > max {
            return Err(Error::ExpiresOutOfRange {
                seconds,
                min: 1,
                max,
            });
        }
        let Some(creds_expiry) = creds.expires_at() else {
            return Ok(seconds);
        };
        let remaining = creds_expiry.unix_timestamp() - time.unix_timestamp();
        if remaining <= 0 {
            return Err(Error::CredentialsExpired {
                expired_for: -remaining,
            });
        }
        if remaining as u64 >= seconds {
            Ok(seconds)
        } else if self.clamp_to_credentials {
            Ok(remaining as u64)
        } else {
            Err(Error::CredentialsExpireFirst {
                expires_in: seconds,
                credentials_remaining: remaining,
            })
        }
    }

    fn auth<'a>(
        &'a self,
        creds: &'a Credentials,
        key: &'a CachedSigningKey,
        time: SigningTime,
        amz_date: &'a AmzDate,
        location: SignatureLocation,
        payload: &Payload<'_>,
    ) -> Result<Auth<'a>, Error> {
        let signed_token = self.token_mode == SessionTokenMode::Signed;
        let streaming = matches!(payload, Payload::Streaming(_));
        Ok(match location {
            // A streaming body is announced by x-amz-content-sha256, which
            // is then always sent.
            SignatureLocation::Headers => Auth::Header {
                amz_date,
                token: creds.session_token().filter(|_| signed_token),
                content_sha256: self.content_sha256 || streaming,
            },
            SignatureLocation::Query { .. } if streaming => {
                return Err(Error::InvalidStreamingUpload {
                    reason: "a streaming payload is signed with an authorization header, not presigned",
                });
            }
            SignatureLocation::Query { expires_in } => Auth::Query {
                query_head: key.query_head(),
                credential: key.credential_query(),
                amz_date,
                expires: self.check_expiry(expires_in, creds, time)?,
                token_encoded: creds.session_token_query_encoded().filter(|_| signed_token),
            },
        })
    }

    /// The canonical request this signer would sign, for debugging a
    /// signature mismatch. It may contain the session token.
    pub fn canonical_request(
        &self,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SigningTime,
        location: SignatureLocation,
    ) -> Result<CanonicalRequest, Error> {
        self.canonical_request_of(&request.parts(self.path_mode), credentials, time, location)
    }

    pub(crate) fn canonical_request_of(
        &self,
        parts: &Parts<'_>,
        credentials: &Credentials,
        time: SigningTime,
        location: SignatureLocation,
    ) -> Result<CanonicalRequest, Error> {
        let amz_date = time.amz_date();
        let key = self.cache.get(credentials, self.scope(time));
        let auth = self.auth(credentials, &key, time, &amz_date, location, &parts.payload)?;
        let token = signed_token(&auth);
        with_scratch(|s| {
            let layout = canonical::write(parts, &auth, s)?;
            Ok(CanonicalRequest::from_bytes(
                layout.spliced(&s.buf, token).concat(),
            ))
        })
    }

    /// The string to sign for a request.
    pub fn string_to_sign(
        &self,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SigningTime,
        location: SignatureLocation,
    ) -> Result<StringToSign, Error> {
        let canonical = self.canonical_request(request, credentials, time, location)?;
        Ok(StringToSign::new(
            time,
            self.scope(time),
            &canonical.sha256(),
        ))
    }

    /// Signs a request with an `Authorization` header.
    ///
    /// Add every header of the result to the request:
    /// [`AuthorizationHeaders::iter`] yields them.
    pub fn sign_headers<'c>(
        &self,
        request: &SignableRequest<'_>,
        credentials: &'c Credentials,
        time: SigningTime,
    ) -> Result<AuthorizationHeaders<'c>, Error> {
        self.cache
            .with_key(credentials, self.scope(time), |key, first_block| {
                let amz_date = first_block.amz_date(time);
                let auth = self.auth(
                    credentials,
                    key,
                    time,
                    &amz_date,
                    SignatureLocation::Headers,
                    &request.payload,
                )?;
                with_scratch(|s| {
                    let layout = canonical::write(&request.parts(self.path_mode), &auth, s)?;
                    let signature = sign_canonical(
                        key,
                        first_block,
                        time,
                        &amz_date,
                        &mut s.buf,
                        &layout,
                        None,
                    );

                    let signed_headers = &s.buf[layout.signed_headers];
                    let access_key_id = credentials.access_key_id();
                    let mut authorization = Vec::with_capacity(
                        ALGORITHM.len()
                            + " Credential=/".len()
                            + access_key_id.len()
                            + key.scope().len()
                            + ", SignedHeaders=".len()
                            + signed_headers.len()
                            + SIGNATURE_PART.len()
                            + 64,
                    );
                    authorization.put(ALGORITHM.as_bytes());
                    authorization.put(b" Credential=");
                    authorization.put(access_key_id.as_bytes());
                    authorization.put_byte(b'/');
                    authorization.put(key.scope().as_bytes());
                    authorization.put(b", SignedHeaders=");
                    authorization.put(signed_headers);
                    authorization.put(SIGNATURE_PART.as_bytes());
                    authorization.put(signature.to_hex().as_bytes());

                    let content_sha256 = if let Auth::Header {
                        content_sha256: true,
                        ..
                    } = auth
                    {
                        let hash = &s.buf[layout.payload_hash];
                        let mut text = [0u8; 64];
                        text[..hash.len()].copy_from_slice(hash);
                        Some((text, hash.len() as u8))
                    } else {
                        None
                    };
                    Ok(AuthorizationHeaders {
                        authorization: ascii_string(authorization),
                        amz_date,
                        security_token: credentials.session_token(),
                        content_sha256,
                        signature,
                    })
                })
            })
    }

    /// Presigns a request: the signature goes into the query string, and the
    /// result is valid for `expires_in` (1 s to the signer's cap, 7 days by
    /// default; sub-second parts are dropped).
    ///
    /// The caller must send every header it signed (other than `host`) with
    /// the request.
    pub fn presign(
        &self,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
    ) -> Result<PresignedRequest, Error> {
        let parts = request.parts(self.path_mode);
        self.presign_parts(&parts, credentials, time, expires_in, |p| {
            // S3 mode sends the canonical (encoded-once) path; other services
            // get the path exactly as given, since the server re-encodes it.
            let path = match self.path_mode {
                PathMode::S3 => p.path(),
                PathMode::Standard => request.path,
            };
            let mut uri = String::with_capacity(path.len() + p.query_len());
            uri.push_str(path);
            p.write_query(&mut uri);
            PresignedRequest {
                uri,
                query_start: path.len() + 1,
                signature: p.signature,
                expires_in: p.expires,
            }
        })
    }

    /// Query-signs `parts` and hands the pieces of the result to `finish`,
    /// which builds the caller-facing output with one allocation.
    pub(crate) fn presign_parts<R>(
        &self,
        parts: &Parts<'_>,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
        finish: impl FnOnce(&Presigned<'_>) -> R,
    ) -> Result<R, Error> {
        let location = SignatureLocation::Query { expires_in };
        self.cache
            .with_key(credentials, self.scope(time), |key, first_block| {
                let amz_date = first_block.amz_date(time);
                let auth =
                    self.auth(credentials, key, time, &amz_date, location, &parts.payload)?;
                let expires = match auth {
                    Auth::Query { expires, .. } => expires,
                    Auth::Header { .. } | Auth::Received { .. } => 0,
                };
                let token = signed_token(&auth);
                with_scratch(|s| {
                    let layout = canonical::write(parts, &auth, s)?;
                    let signature = sign_canonical(
                        key,
                        first_block,
                        time,
                        &amz_date,
                        &mut s.buf,
                        &layout,
                        token,
                    );
                    // The request target goes out of the scratch buffer: the
                    // `\n` between path and query becomes `?`, and the
                    // signature (after the token, if that is added after
                    // signing) follows the query. One UTF-8 check covers it;
                    // a signed token is spliced in as the credentials' own
                    // text.
                    let buf = &mut s.buf;
                    buf.truncate(layout.query.end);
                    buf[layout.path.end] = b'?';
                    if let (SessionTokenMode::AddedAfterSigning, Some(token)) =
                        (self.token_mode, credentials.session_token_query_encoded())
                    {
                        // Room for the signature too: the buffer must not
                        // move (leaving the token in freed memory) after.
                        buf.reserve(TOKEN_AND_SIGNATURE + token.len());
                        buf.put(b"&X-Amz-Security-Token=");
                        buf.put(token.as_bytes());
                        s.mark_sensitive();
                    }
                    let buf = &mut s.buf;
                    buf.put(b"&X-Amz-Signature=");
                    buf.put(&hex64(signature.as_bytes()));
                    let base = layout.path.start;
                    let text = ascii(&buf[base..]);
                    let target = match (layout.token_at, token) {
                        (Some(at), Some(token)) => {
                            let (head, tail) = text.split_at(at - base);
                            [head, token, tail]
                        }
                        _ => [text, "", ""],
                    };
                    Ok(finish(&Presigned {
                        target,
                        path_len: layout.path.len(),
                        signature,
                        expires,
                    }))
                })
            })
    }

    /// The longest expiry this signer accepts.
    pub fn max_expires_in(&self) -> Duration {
        self.max_expires
    }
}

/// The query text around a token added after signing and the signature.
const TOKEN_AND_SIGNATURE: usize = "&X-Amz-Security-Token=".len() + "&X-Amz-Signature=".len() + 64;

/// What precedes the signature in an `Authorization` value.
const SIGNATURE_PART: &str = ", Signature=";

/// The encoded session token that query signing splices into the canonical
/// request (see [`Layout::spliced`]).
fn signed_token<'a>(auth: &Auth<'a>) -> Option<&'a str> {
    match auth {
        Auth::Query { token_encoded, .. } => *token_encoded,
        Auth::Header { .. } | Auth::Received { .. } => None,
    }
}

/// The pieces of a query signature, borrowed from the scratch buffers.
pub(crate) struct Presigned<'s> {
    /// The request target to send: the canonical (encoded) path, `?`, the
    /// canonical query, a token added after signing, and the signature; in
    /// up to three pieces (a signed session token is spliced in, not
    /// copied).
    pub(crate) target: [&'s str; 3],
    /// The length of the path at the start of `target[0]`.
    pub(crate) path_len: usize,
    pub(crate) signature: Signature,
    pub(crate) expires: u64,
}

impl Presigned<'_> {
    /// The canonical path.
    pub(crate) fn path(&self) -> &str {
        self.target[0].get(..self.path_len).unwrap_or_default()
    }

    /// The length of the target without the path.
    pub(crate) fn query_len(&self) -> usize {
        self.target.iter().map(|t| t.len()).sum::<usize>() - self.path_len
    }

    /// Writes the target from `?` on: the query to send.
    pub(crate) fn write_query(&self, out: &mut String) {
        out.push_str(self.target[0].get(self.path_len..).unwrap_or_default());
        out.push_str(self.target[1]);
        out.push_str(self.target[2]);
    }
}

/// Signs the canonical request in `buf` (with the token spliced in, see
/// [`Layout::spliced`]): its hash goes into the string to sign, which is put
/// together on the stack and signed with the cached key (through this
/// thread's saved first block, see [`FirstBlock`]).
pub(crate) fn sign_canonical(
    key: &CachedSigningKey,
    first_block: &mut FirstBlock,
    time: SigningTime,
    amz_date: &AmzDate,
    buf: &mut Vec<u8>,
    layout: &Layout,
    token: Option<&str>,
) -> Signature {
    let hash = match (layout.token_at, token) {
        (Some(at), Some(token)) => sha256_spliced(buf, at, token.as_bytes()),
        _ => sha256_in_place(buf),
    };
    // AWS4-HMAC-SHA256 \n <date> \n <scope> \n <hash>: at most 250 bytes, as
    // a region and a service have at most 64 bytes each.
    const HEAD: &[u8; 17] = b"AWS4-HMAC-SHA256\n";
    let scope = key.scope().as_bytes();
    // Room for the hash padding after it, written in place.
    let mut sts = [0u8; 256 + 72];
    let end = HEAD.len() + 17 + scope.len() + 1 + 64;
    let Some(text) = sts.get_mut(..end).filter(|_| end <= 256) else {
        // Not reachable with validated names; put together on the heap.
        let mut text = Vec::with_capacity(end);
        text.extend_from_slice(HEAD);
        text.extend_from_slice(amz_date.as_bytes());
        text.push(b'\n');
        text.extend_from_slice(scope);
        text.push(b'\n');
        text.extend_from_slice(&hex64(&hash));
        return key.sign(&text);
    };
    let (head, rest) = text.split_at_mut(HEAD.len());
    head.copy_from_slice(HEAD);
    let (date, rest) = rest.split_at_mut(17);
    date[..16].copy_from_slice(amz_date.as_bytes());
    date[16] = b'\n';
    let (scope_line, hash_hex) = rest.split_at_mut(scope.len() + 1);
    scope_line[..scope.len()].copy_from_slice(scope);
    scope_line[scope.len()] = b'\n';
    hash_hex.copy_from_slice(&hex64(&hash));
    first_block.sign(key, time, &mut sts, end)
}

/// Text the signer wrote into a buffer: ASCII only (encoded pieces and
/// validated names), so the check never fails.
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

fn ascii_string(bytes: Vec<u8>) -> String {
    // Built from validated UTF-8 input and ASCII; never lossy in practice.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The headers that carry a header-based signature. Add them all to the
/// request: [`iter`](Self::iter) yields `(name, value)` pairs.
///
/// `Debug` redacts the session token and the signature.
#[derive(Clone)]
pub struct AuthorizationHeaders<'c> {
    authorization: String,
    amz_date: AmzDate,
    security_token: Option<&'c str>,
    content_sha256: Option<([u8; 64], u8)>,
    signature: Signature,
}

impl<'c> AuthorizationHeaders<'c> {
    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The `x-amz-date` header value.
    pub fn x_amz_date(&self) -> &str {
        self.amz_date.as_str()
    }

    /// The `x-amz-security-token` header value, with temporary credentials.
    pub fn x_amz_security_token(&self) -> Option<&'c str> {
        self.security_token
    }

    /// The `x-amz-content-sha256` header value, when the signer was asked to
    /// sign it.
    pub fn x_amz_content_sha256(&self) -> Option<&str> {
        self.content_sha256
            .as_ref()
            .map(|(t, n)| core::str::from_utf8(&t[..*n as usize]).unwrap_or_default())
    }

    /// The signature.
    pub fn signature(&self) -> Signature {
        self.signature
    }

    /// Every header to add, as `(lowercase name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            Some(("authorization", self.authorization())),
            Some(("x-amz-date", self.x_amz_date())),
            self.x_amz_security_token()
                .map(|t| ("x-amz-security-token", t)),
            self.x_amz_content_sha256()
                .map(|h| ("x-amz-content-sha256", h)),
        ]
        .into_iter()
        .flatten()
    }
}

impl fmt::Debug for AuthorizationHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signature authorizes the request until its date is too old:
        // show the credential scope and signed headers, not the signature.
        let authorization = match self.authorization.split_once(SIGNATURE_PART) {
            Some((head, _)) => format!("{head}{SIGNATURE_PART}<redacted>"),
            None => "<redacted>".to_owned(),
        };
        f.debug_struct("AuthorizationHeaders")
            .field("authorization", &authorization)
            .field("x_amz_date", &self.amz_date)
            .field(
                "x_amz_security_token",
                &self.security_token.map(|_| "** redacted **"),
            )
            .field("x_amz_content_sha256", &self.x_amz_content_sha256())
            .finish()
    }
}

/// A presigned request: the path and query to send, with the signature in
/// the query string.
///
/// A presigned URL is a bearer credential until it expires: hand it only to
/// whom it is for. `Debug` redacts the session token and the signature.
#[derive(Clone)]
pub struct PresignedRequest {
    uri: String,
    query_start: usize,
    signature: Signature,
    expires_in: u64,
}

impl PresignedRequest {
    /// The request target: path, `?`, query.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The path part of [`uri`](Self::uri).
    pub fn path(&self) -> &str {
        &self.uri[..self.query_start - 1]
    }

    /// The query part of [`uri`](Self::uri), without `?`.
    pub fn query(&self) -> &str {
        &self.uri[self.query_start..]
    }

    /// The signature.
    pub fn signature(&self) -> Signature {
        self.signature
    }

    /// How long the request is valid, from the signing time.
    pub fn expires_in(&self) -> Duration {
        Duration::from_secs(self.expires_in)
    }

    /// The request target, by value.
    pub fn into_uri(self) -> String {
        self.uri
    }

    /// Each query parameter as `(name, value)`, still percent-encoded.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query()
            .split('&')
            .map(|p| p.split_once('=').unwrap_or((p, "")))
    }
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = String::with_capacity(self.uri.len());
        shown.push_str(self.path());
        shown.push('?');
        for (i, (name, value)) in self.query_pairs().enumerate() {
            if i > 0 {
                shown.push('&');
            }
            shown.push_str(name);
            shown.push('=');
            if name == "X-Amz-Security-Token" || name == "X-Amz-Signature" {
                shown.push_str("<redacted>");
            } else {
                shown.push_str(value);
            }
        }
        f.debug_struct("PresignedRequest")
            .field("uri", &shown)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}
