//! The whole pipeline: header signing and query signing (presigning) for any
//! service.
//!
//! Each signature takes the same steps, in this order, in
//! [`Signer::sign_headers`] and [`Signer::presign`] alike:
//!
//! 1. time: the `X-Amz-Date` ([`SigningTime`], formatted once a second);
//! 2. scope: the credential scope and what the signer adds to the request
//!    (`canonical::Auth`);
//! 3. the canonical request ([`crate::canonical`]), and its hash;
//! 4. the string to sign ([`StringToSign`]);
//! 5. the signing key ([`SigningKeyCache`], derived once a day);
//! 6. the signature ([`Signature`]), and the output: an `Authorization`
//!    header ([`AuthorizationHeaders`]) or a presigned request
//!    ([`PresignedRequest`]).

mod headers;
mod options;
mod presigned;

use std::sync::Arc;
use std::time::Duration;

use crate::canonical::{self, Auth, CanonicalRequest, Scratch, ThreadScratch};
use crate::credentials::Credentials;
use crate::encode::PathMode;
use crate::error::Error;
use crate::request::{Parts, Payload, SignableRequest};
use crate::scope::{Region, Scope, Service};
use crate::signature::Signature;
use crate::signing_key::{CachedSigningKey, SecondMemo, SigningKeyCache};
use crate::string_to_sign::StringToSign;
use crate::time::{AmzDate, SigningTime};
use crate::wire;

pub use headers::AuthorizationHeaders;
#[cfg(feature = "sigv4a")]
pub(crate) use options::RegionSet;
pub(crate) use options::{QueryHead, SignerOptions, option_setters};
pub use presigned::PresignedRequest;
pub(crate) use presigned::{PresignInfo, PresignedText};

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

impl SignatureLocation {
    /// What a signer for `service` signs here when the request does not
    /// say ([`SignableRequest::payload`]): `UNSIGNED-PAYLOAD` in a presigned
    /// URL for an S3 service (S3 reads every presigned URL without
    /// `X-Amz-Content-Sha256` that way), an empty body otherwise.
    pub(crate) fn default_payload(self, service: &Service) -> Payload<'static> {
        match self {
            SignatureLocation::Query { .. } if service.is_s3_like() => Payload::Unsigned,
            _ => Payload::Bytes(b""),
        }
    }
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
    options: SignerOptions,
    cache: Arc<SigningKeyCache>,
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
    #[must_use]
    pub fn new(region: Region, service: Service) -> Self {
        Signer {
            options: SignerOptions::for_service(&service),
            region,
            service,
            cache: Arc::new(SigningKeyCache::default()),
        }
    }

    option_setters!();

    /// Uses a fresh key cache of a given capacity.
    #[must_use]
    pub fn cache_capacity(mut self, capacity: usize) -> Self {
        self.cache = Arc::new(SigningKeyCache::new(capacity));
        self
    }

    /// Shares a key cache with other signers (for example one per bucket).
    #[must_use]
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
        self.options.check_expiry(expires_in, creds, time)
    }

    #[inline]
    fn auth<'a>(
        &'a self,
        creds: &'a Credentials,
        key: &'a CachedSigningKey,
        time: SigningTime,
        amz_date: &'a AmzDate,
        location: SignatureLocation,
        payload: &Payload<'_>,
    ) -> Result<Auth<'a>, Error> {
        let query = QueryHead {
            head: key.query_head(),
            credential: key.credential_query(),
        };
        self.options
            .auth(creds, time, amz_date, location, payload, query, None)
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
        let parts = self.options.parts(request, &self.service, location);
        self.canonical_request_of(&parts, credentials, time, location)
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
        CanonicalRequest::of(parts, &auth)
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
        let mut key = self.cache.key(credentials, self.scope(time));
        let (key, memo) = key.parts();
        let amz_date = memo.amz_date(time);
        let location = SignatureLocation::Headers;
        let parts = self.options.parts(request, &self.service, location);
        let auth = self.auth(credentials, key, time, &amz_date, location, &parts.payload)?;
        let mut s = ThreadScratch::take();
        let signature = sign(key, memo, time, &amz_date, &mut s, &parts, &auth)?;
        let layout = &s.layout;
        let signs_content_sha256 = matches!(
            auth,
            Auth::Header {
                content_sha256: true,
                ..
            }
        );
        let content_sha256 = signs_content_sha256.then(|| &s.buf[layout.payload_hash.clone()]);
        Ok(AuthorizationHeaders::new(
            credentials,
            key.scope(),
            &s.buf[layout.signed_headers.clone()],
            amz_date,
            content_sha256,
            signature,
        ))
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
        let (uri, query_start, info) = presign_target(
            &self.options,
            &self.service,
            request,
            expires_in,
            |parts, uri| {
                let info = self.presign_into(parts, credentials, time, expires_in, "", uri)?;
                Ok((info.query_start, info))
            },
        )?;
        Ok(PresignedRequest(PresignedText::new(uri, query_start, info)))
    }

    /// Query-signs `parts` and writes `origin` (`https://host`, or nothing),
    /// the request target and the signature into `out`, replacing what it
    /// held, with one reservation of the exact length.
    #[inline(always)]
    pub(crate) fn presign_into(
        &self,
        parts: &Parts<'_>,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
        origin: &str,
        out: &mut String,
    ) -> Result<PresignInfo, Error> {
        let mut key = self.cache.key(credentials, self.scope(time));
        let (key, memo) = key.parts();
        let amz_date = memo.amz_date(time);
        let location = SignatureLocation::Query { expires_in };
        let auth = self.auth(credentials, key, time, &amz_date, location, &parts.payload)?;
        let expires = auth.expires();
        let mut s = ThreadScratch::take();
        let signature = sign(key, memo, time, &amz_date, &mut s, parts, &auth)?;
        let layout = &s.layout;
        // The URL is the origin, the path, `?` and the query as they lie in
        // the scratch buffer (a signed token spliced in as the credentials'
        // own text), a token added after signing, and the signature. What
        // is added goes straight into `out`, never into the buffer: the
        // buffer is only read, long after it was written (a copy of bytes
        // just stored waits for the stores to land), and a token added
        // after signing never enters it.
        let path = ascii(&s.buf[layout.path.clone()]);
        let query = ascii(&s.buf[layout.query.clone()]);
        let (query_head, signed_token, query_tail) = match (layout.token_at, auth.signed_token()) {
            (Some(at), Some(token)) => {
                let (head, tail) = query.split_at(at - layout.query.start);
                (head, token, tail)
            }
            _ => (query, "", ""),
        };
        let added_token = match self.options.token_mode {
            SessionTokenMode::AddedAfterSigning => credentials.session_token_query_encoded(),
            SessionTokenMode::Signed => None,
        };
        let signature_hex = signature.to_hex();
        out.clear();
        out.reserve(
            origin.len()
                + path.len()
                + "?".len()
                + query.len()
                + signed_token.len()
                + added_token.map_or(0, |t| t.len() + ADDED_TOKEN_ROOM)
                + SIGNATURE_PARAMETER.len()
                + 64,
        );
        out.push_str(origin);
        out.push_str(path);
        out.push('?');
        out.push_str(query_head);
        out.push_str(signed_token);
        out.push_str(query_tail);
        if let Some(token) = added_token {
            out.push('&');
            out.push_str(credentials.session_token_kind().query());
            out.push('=');
            out.push_str(token);
        }
        out.push_str(SIGNATURE_PARAMETER);
        out.push_str(signature_hex.as_str());
        Ok(PresignInfo {
            query_start: origin.len() + layout.path.len() + 1,
            signature,
            expires,
        })
    }

    /// The longest expiry this signer accepts.
    pub fn max_expires_in(&self) -> Duration {
        self.options.max_expires
    }
}

/// Presigns a [`SignableRequest`] with `sign` (which writes the request
/// target into the string and says where its query starts): the request
/// target to send and where its query starts. S3 mode sends the canonical
/// (encoded-once) path; other services get the path exactly as given, since
/// the server encodes it again. Shared by the SigV4 and SigV4a signers.
pub(crate) fn presign_target<'r, I>(
    options: &SignerOptions,
    service: &Service,
    request: &'r SignableRequest<'r>,
    expires_in: Duration,
    sign: impl FnOnce(&Parts<'r>, &mut String) -> Result<(usize, I), Error>,
) -> Result<(String, usize, I), Error> {
    let parts = options.parts(request, service, SignatureLocation::Query { expires_in });
    let mut uri = String::new();
    let (query_start, info) = sign(&parts, &mut uri)?;
    let query_start = match options.path_mode {
        PathMode::S3 => query_start,
        PathMode::Standard => {
            uri.replace_range(..query_start - 1, request.path);
            request.path.len() + 1
        }
    };
    Ok((uri, query_start, info))
}

/// The signature's parameter, after the query it signs.
const SIGNATURE_PARAMETER: &str = concat!("&", wire::query::x_amz_signature!(), "=");

/// The query text around a token added after signing, `&NAME=`, with
/// either token's name (the longer).
const ADDED_TOKEN_ROOM: usize = {
    let (a, b) = (
        wire::query::X_AMZ_SECURITY_TOKEN.len(),
        wire::query::X_AMZ_S3SESSION_TOKEN.len(),
    );
    (if a > b { a } else { b }) + 2
};

/// Steps 3 to 6, shared by signing and verifying: writes the canonical
/// request for `parts` into `scratch` (where its pieces are:
/// `scratch.layout`), hashes it, and signs the string to sign with the
/// cached key (and its per-second memo).
pub(crate) fn sign(
    key: &CachedSigningKey,
    memo: &mut SecondMemo,
    time: SigningTime,
    amz_date: &AmzDate,
    scratch: &mut Scratch,
    parts: &Parts<'_>,
    auth: &Auth<'_>,
) -> Result<Signature, Error> {
    canonical::write(parts, auth, scratch)?;
    let hash = scratch.layout.sha256(&mut scratch.buf, auth.signed_token());
    // The string to sign (kept by the memo for the second, the hash written
    // in) and its signature.
    Ok(memo.sign_canonical_request_sha256(key, time, amz_date, &hash))
}

/// Text the signer wrote into a buffer: ASCII only (encoded pieces and
/// validated names), so the check never fails.
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}
