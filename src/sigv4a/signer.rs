//! [`Signer4a`]: SigV4a through the SigV4 pipeline. The canonical request
//! is written by the same writers as SigV4's (`canonical::Auth` carries the
//! region set, and with it the algorithm and a region-less scope); only the
//! string to sign's algorithm and scope, and the signature, differ.

use core::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::SigV4aKey;
use crate::canonical::{self, Auth, CanonicalRequest, ThreadScratch};
use crate::credentials::CacheId;
use crate::credentials::Credentials;
use crate::encode::{self, PathMode};
use crate::error::Error;
use crate::request::{Parts, Payload, SignableRequest};
use crate::scope::Service;
use crate::sign::{MAX_EXPIRES, SessionTokenMode, SignatureLocation, check_expiry};
use crate::string_to_sign::StringToSign;
use crate::time::{AmzDate, SigningTime};
use crate::wire;

/// Signs requests with SigV4a (`AWS4-ECDSA-P256-SHA256`) for a region set
/// and a service.
///
/// A SigV4a signature is valid in every region of its region set (for
/// example `us-east-1,us-west-2`, or `*`), as multi-region endpoints such
/// as S3 Multi-Region Access Points require. The credential scope has no
/// region: `DATE/SERVICE/aws4_request`.
///
/// ```
/// use presign::{Credentials, Method, Service, SignableRequest, SignatureLocation, SigningTime};
/// use presign::sigv4a::Signer4a;
///
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
/// let signer = Signer4a::new("us-east-1", Service::new("service")?)?;
/// let time = SigningTime::parse_amz_date("20150830T123600Z")?;
/// let req = SignableRequest::new(Method::GET, "example.amazonaws.com", "/");
///
/// // CRT v4a suite, get-vanilla (header variant).
/// let sts = signer.string_to_sign(&req, &creds, time, SignatureLocation::Headers)?;
/// assert_eq!(
///     sts.as_str(),
///     "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\n\
///      cf59db423e841c8b7e3444158185aa261b724a5c27cbe762676f3eed19f4dc02"
/// );
/// # Ok::<(), presign::Error>(())
/// ```
pub struct Signer4a {
    region_set: String,
    region_set_query: String,
    service: Service,
    path_mode: PathMode,
    token_mode: SessionTokenMode,
    content_sha256: bool,
    max_expires: Duration,
    clamp_to_credentials: bool,
    /// The last credentials' key: deriving one costs a P-256 scalar
    /// multiplication.
    last_key: Mutex<Option<(CacheId, Arc<SigV4aKey>)>>,
}

impl fmt::Debug for Signer4a {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer4a")
            .field("region_set", &self.region_set)
            .field("service", &self.service)
            .field("path_mode", &self.path_mode)
            .field("token_mode", &self.token_mode)
            .field("content_sha256", &self.content_sha256)
            .field("max_expires", &self.max_expires)
            .finish_non_exhaustive()
    }
}

/// What the signer writes for one signing time: the scope and the query
/// parameters naming the algorithm and the credential.
struct Scope4a {
    /// `DATE/SERVICE/aws4_request`.
    text: String,
    /// `X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Date=` (query
    /// signing only; empty for header signing).
    query_head: String,
    /// Where the query-encoded credential lies in `query_head`.
    credential: core::ops::Range<usize>,
}

impl Signer4a {
    /// A SigV4a signer for a region set (regions separated by `,`, each
    /// made of `A-Z a-z 0-9 - _ .` and the wildcard `*`) and a service,
    /// with the path mode AWS uses for that service, signed session tokens
    /// and a 7-day expiry cap. Header signing signs `x-amz-content-sha256`
    /// for the S3 services, as [`Signer`](crate::Signer) does.
    pub fn new(region_set: impl Into<String>, service: Service) -> Result<Self, Error> {
        let region_set = region_set.into();
        let valid_region = |r: &str| {
            !r.is_empty()
                && r.len() <= crate::scope::MAX_NAME_LEN
                && r.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.*".contains(&b))
        };
        if !region_set.split(',').all(valid_region) {
            return Err(Error::InvalidRegion {
                region: crate::error::excerpt(&region_set),
                reason: "a region set is regions separated by ',', each made of A-Z a-z 0-9 - _ . *",
            });
        }
        let path_mode = PathMode::for_service(service.as_str());
        let content_sha256 = service.is_s3_like();
        Ok(Signer4a {
            region_set_query: encode::query_component(&region_set),
            region_set,
            service,
            path_mode,
            token_mode: SessionTokenMode::Signed,
            content_sha256,
            max_expires: MAX_EXPIRES,
            clamp_to_credentials: false,
            last_key: Mutex::new(None),
        })
    }

    /// Overrides the path mode.
    #[must_use]
    pub fn path_mode(mut self, mode: PathMode) -> Self {
        self.path_mode = mode;
        self
    }

    /// Sets how the session token of temporary credentials is carried.
    #[must_use]
    pub fn session_token_mode(mut self, mode: SessionTokenMode) -> Self {
        self.token_mode = mode;
        self
    }

    /// With header signing, whether to also send and sign
    /// `x-amz-content-sha256`.
    #[must_use]
    pub fn sign_content_sha256(mut self, yes: bool) -> Self {
        self.content_sha256 = yes;
        self
    }

    /// Raises or lowers the longest expiry a presigned request may have.
    #[must_use]
    pub fn max_expires(mut self, max: Duration) -> Self {
        self.max_expires = max;
        self
    }

    /// When temporary credentials expire before a presigned request would,
    /// shorten the request's expiry to theirs instead of failing.
    #[must_use]
    pub fn clamp_expiry_to_credentials(mut self, yes: bool) -> Self {
        self.clamp_to_credentials = yes;
        self
    }

    /// The region set, as signed.
    pub fn region_set(&self) -> &str {
        &self.region_set
    }

    /// The service.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The credential scope for a signing time: `DATE/SERVICE/aws4_request`.
    pub fn scope(&self, time: SigningTime) -> String {
        format!(
            "{}/{}/aws4_request",
            time.scope_date().text().as_str(),
            self.service.as_str()
        )
    }

    /// The scope, and for query signing the query's head: each written
    /// once per signature.
    fn scope4a(
        &self,
        credentials: &Credentials,
        time: SigningTime,
        location: SignatureLocation,
    ) -> Scope4a {
        let scope = self.scope(time);
        if location == SignatureLocation::Headers {
            return Scope4a {
                text: scope,
                query_head: String::new(),
                credential: 0..0,
            };
        }
        let credential =
            encode::query_component(&format!("{}/{scope}", credentials.access_key_id()));
        let head = concat!(
            wire::query::x_amz_algorithm!(),
            "=",
            wire::algorithm_v4a!(),
            "&",
            wire::query::x_amz_credential!(),
            "="
        );
        let query_head = format!("{head}{credential}&{}=", wire::query::X_AMZ_DATE);
        Scope4a {
            credential: head.len()..head.len() + credential.len(),
            query_head,
            text: scope,
        }
    }

    fn auth<'a>(
        &'a self,
        credentials: &'a Credentials,
        scope: &'a Scope4a,
        time: SigningTime,
        amz_date: &'a AmzDate,
        location: SignatureLocation,
        payload: &Payload<'_>,
    ) -> Result<Auth<'a>, Error> {
        let signed_token = self.token_mode == SessionTokenMode::Signed;
        let streaming = matches!(payload, Payload::Streaming(_));
        Ok(match location {
            SignatureLocation::Headers => Auth::Header {
                amz_date,
                token: credentials.session_token().filter(|_| signed_token),
                content_sha256: self.content_sha256 || streaming,
                region_set: Some(&self.region_set),
            },
            SignatureLocation::Query { .. } if streaming => {
                return Err(Error::InvalidStreamingUpload {
                    reason: "a streaming payload is signed with an authorization header, not presigned",
                });
            }
            SignatureLocation::Query { expires_in } => Auth::Query {
                query_head: &scope.query_head,
                credential: &scope.query_head[scope.credential.clone()],
                amz_date,
                expires: check_expiry(
                    self.max_expires,
                    self.clamp_to_credentials,
                    expires_in,
                    credentials,
                    time,
                )?,
                token_encoded: credentials
                    .session_token_query_encoded()
                    .filter(|_| signed_token),
                region_set: Some(&self.region_set_query),
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

    fn canonical_request_of(
        &self,
        parts: &Parts<'_>,
        credentials: &Credentials,
        time: SigningTime,
        location: SignatureLocation,
    ) -> Result<CanonicalRequest, Error> {
        let amz_date = time.amz_date();
        let scope = self.scope4a(credentials, time, location);
        let auth = self.auth(
            credentials,
            &scope,
            time,
            &amz_date,
            location,
            &parts.payload,
        )?;
        let mut s = ThreadScratch::take();
        let layout = canonical::write(parts, &auth, &mut s)?;
        Ok(CanonicalRequest::from_bytes(
            layout.spliced(&s.buf, auth.signed_token()).concat(),
        ))
    }

    /// The string to sign for a request:
    /// `AWS4-ECDSA-P256-SHA256`, the `X-Amz-Date`, the region-less scope and
    /// the canonical request's SHA-256.
    pub fn string_to_sign(
        &self,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SigningTime,
        location: SignatureLocation,
    ) -> Result<StringToSign, Error> {
        let canonical = self.canonical_request(request, credentials, time, location)?;
        Ok(StringToSign::with_algorithm(
            wire::ALGORITHM_V4A,
            &time.amz_date(),
            &self.scope(time),
            &canonical.sha256(),
        ))
    }
}

impl Signer4a {
    /// The SigV4a key of `credentials`: the last one derived if they are
    /// the same credentials, derived (and kept) otherwise.
    fn key_for(&self, credentials: &Credentials) -> Result<Arc<SigV4aKey>, Error> {
        let id = credentials.cache_id();
        let mut last = self.last_key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((last_id, key)) = last.as_ref()
            && *last_id == id
        {
            return Ok(Arc::clone(key));
        }
        let key = Arc::new(SigV4aKey::derive(credentials)?);
        *last = Some((id, Arc::clone(&key)));
        Ok(key)
    }

    /// Signs a request with an `Authorization` header
    /// (`AWS4-ECDSA-P256-SHA256 Credential=..., SignedHeaders=...,
    /// Signature=...`): add every header of the result to the request.
    ///
    /// ```
    /// use presign::{Credentials, Method, Service, SignableRequest, SigningTime};
    /// use presign::sigv4a::{SigV4aKey, Signer4a};
    ///
    /// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
    /// let signer = Signer4a::new("us-east-1,us-west-2", Service::new("service")?)?;
    /// let time = SigningTime::parse_amz_date("20150830T123600Z")?;
    /// let req = SignableRequest::new(Method::GET, "example.amazonaws.com", "/");
    ///
    /// let signed = signer.sign_headers(&req, &creds, time)?;
    /// assert!(signed.authorization().starts_with(
    ///     "AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, \
    ///      SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=30"
    /// ));
    /// let names: Vec<&str> = signed.iter().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["authorization", "x-amz-date", "x-amz-region-set"]);
    ///
    /// // Anyone with the public key verifies it.
    /// let sts = signer.string_to_sign(&req, &creds, time, presign::SignatureLocation::Headers)?;
    /// let public = SigV4aKey::derive(&creds)?.public_key();
    /// assert!(public.verify_hex(sts.as_bytes(), signed.signature()));
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn sign_headers(
        &self,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SigningTime,
    ) -> Result<AuthorizationHeaders4a, Error> {
        let key = self.key_for(credentials)?;
        let amz_date = time.amz_date();
        let scope = self.scope4a(credentials, time, SignatureLocation::Headers);
        let auth = self.auth(
            credentials,
            &scope,
            time,
            &amz_date,
            SignatureLocation::Headers,
            &request.payload,
        )?;
        let mut s = ThreadScratch::take();
        let layout = canonical::write(&request.parts(self.path_mode), &auth, &mut s)?;
        let hash = layout.sha256(&mut s.buf, auth.signed_token());
        let scope_text = &scope.text;
        let sts = StringToSign::with_algorithm(wire::ALGORITHM_V4A, &amz_date, scope_text, &hash);
        let signature = key.sign_hex(sts.as_bytes());
        let signed_headers = ascii(&s.buf[layout.signed_headers.clone()]);
        let authorization = format!(
            "{} Credential={}/{scope_text}, SignedHeaders={signed_headers}, Signature={signature}",
            wire::ALGORITHM_V4A,
            credentials.access_key_id(),
        );
        let mut headers = vec![
            (wire::header::AUTHORIZATION, authorization),
            (wire::header::X_AMZ_DATE, amz_date.as_str().to_owned()),
            (wire::header::X_AMZ_REGION_SET, self.region_set.clone()),
        ];
        if let Some(token) = credentials.session_token() {
            headers.push((wire::header::X_AMZ_SECURITY_TOKEN, token.to_owned()));
        }
        if matches!(
            auth,
            Auth::Header {
                content_sha256: true,
                ..
            }
        ) {
            let hash = ascii(&s.buf[layout.payload_hash.clone()]).to_owned();
            headers.push((wire::header::X_AMZ_CONTENT_SHA256, hash));
        }
        Ok(AuthorizationHeaders4a { headers, signature })
    }

    /// Presigns a request: the SigV4a parameters and the signature go into
    /// the query string, valid for `expires_in` (1 s to the signer's cap).
    ///
    /// ```
    /// use std::time::Duration;
    /// use presign::{Credentials, Method, Service, SignableRequest, SigningTime};
    /// use presign::sigv4a::Signer4a;
    ///
    /// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
    /// let signer = Signer4a::new("*", Service::s3())?;
    /// let time = SigningTime::parse_amz_date("20150830T123600Z")?;
    /// let req = SignableRequest::new(Method::GET, "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com", "/key.txt")
    ///     .payload(presign::Payload::Unsigned);
    ///
    /// let presigned = signer.presign(&req, &creds, time, Duration::from_secs(3600))?;
    /// assert!(presigned.uri().starts_with(
    ///     "/key.txt?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fs3%2Faws4_request&\
    ///      X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-Region-Set=%2A&X-Amz-SignedHeaders=host&X-Amz-Signature=30"
    /// ));
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn presign(
        &self,
        request: &SignableRequest<'_>,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
    ) -> Result<PresignedRequest4a, Error> {
        let key = self.key_for(credentials)?;
        let parts = request.parts(self.path_mode);
        let amz_date = time.amz_date();
        let location = SignatureLocation::Query { expires_in };
        let scope = self.scope4a(credentials, time, location);
        let auth = self.auth(
            credentials,
            &scope,
            time,
            &amz_date,
            location,
            &parts.payload,
        )?;
        let mut s = ThreadScratch::take();
        let layout = canonical::write(&parts, &auth, &mut s)?;
        let hash = layout.sha256(&mut s.buf, auth.signed_token());
        let sts = StringToSign::with_algorithm(wire::ALGORITHM_V4A, &amz_date, &scope.text, &hash);
        let signature = key.sign_hex(sts.as_bytes());

        // S3 mode sends the canonical (encoded-once) path; other services
        // get the path exactly as given, since the server re-encodes it.
        let buf = &s.buf;
        // One allocation: room for the path (as given, or canonical), the
        // query, the token and the signature.
        let mut uri = String::with_capacity(
            request.path.len().max(layout.path.len())
                + layout.query.len()
                + auth.signed_token().map_or(0, str::len)
                + credentials
                    .session_token_query_encoded()
                    .map_or(0, str::len)
                + signature.len()
                + 64,
        );
        match self.path_mode {
            PathMode::S3 => uri.push_str(ascii(&buf[layout.path.clone()])),
            PathMode::Standard => uri.push_str(request.path),
        }
        uri.push('?');
        let query_start = uri.len();
        let query = layout.query.clone();
        match (layout.token_at, auth.signed_token()) {
            (Some(at), Some(token)) => {
                uri.push_str(ascii(&buf[query.start..at]));
                uri.push_str(token);
                uri.push_str(ascii(&buf[at..query.end]));
            }
            _ => uri.push_str(ascii(&buf[query])),
        }
        if let (SessionTokenMode::AddedAfterSigning, Some(token)) =
            (self.token_mode, credentials.session_token_query_encoded())
        {
            uri.push_str(concat!("&", wire::query::x_amz_security_token!(), "="));
            uri.push_str(token);
        }
        uri.push_str(concat!("&", wire::query::x_amz_signature!(), "="));
        uri.push_str(&signature);
        Ok(PresignedRequest4a {
            uri,
            query_start,
            signature,
        })
    }
}

/// Text the signer wrote: ASCII only, so the check never fails.
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

/// The headers that carry a SigV4a header signature; add them all to the
/// request. `Debug` redacts the session token and the signature.
#[derive(Clone)]
pub struct AuthorizationHeaders4a {
    headers: Vec<(&'static str, String)>,
    signature: String,
}

impl AuthorizationHeaders4a {
    /// Every header to add, `(name, value)`, names lowercase:
    /// `authorization`, `x-amz-date`, `x-amz-region-set`, then
    /// `x-amz-security-token` and `x-amz-content-sha256` when sent.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// The `Authorization` value.
    pub fn authorization(&self) -> &str {
        &self.headers[0].1
    }

    /// The signature: a DER-encoded ECDSA signature, in hex.
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

impl fmt::Debug for AuthorizationHeaders4a {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| *n).collect();
        f.debug_struct("AuthorizationHeaders4a")
            .field("headers", &names)
            .finish_non_exhaustive()
    }
}

/// A SigV4a presigned request target: the path, `?`, and the query with
/// the signature last.
///
/// It may carry the session token; `Debug` shows only the path.
#[derive(Clone)]
pub struct PresignedRequest4a {
    uri: String,
    query_start: usize,
    signature: String,
}

impl PresignedRequest4a {
    /// The request target: path and query.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The path.
    pub fn path(&self) -> &str {
        &self.uri[..self.query_start - 1]
    }

    /// The query, without the `?`.
    pub fn query(&self) -> &str {
        &self.uri[self.query_start..]
    }

    /// The signature: a DER-encoded ECDSA signature, in hex.
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

impl fmt::Debug for PresignedRequest4a {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedRequest4a")
            .field("path", &self.path())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Method;

    fn setup() -> (Signer4a, Credentials, SigningTime) {
        let creds =
            Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        let signer =
            Signer4a::new("us-east-1,us-west-*", Service::new("service").unwrap()).unwrap();
        let time = SigningTime::parse_amz_date("20150830T123600Z").unwrap();
        (signer, creds, time)
    }

    const HOUR: SignatureLocation = SignatureLocation::Query {
        expires_in: Duration::from_secs(3600),
    };

    #[test]
    fn caller_parameters_interleave_with_the_region_set() {
        let (signer, creds, time) = setup();
        let req = SignableRequest::new(
            Method::GET,
            "example.amazonaws.com",
            "/?X-Amz-Request=1&A=2",
        );
        let cr = signer.canonical_request(&req, &creds, time, HOUR).unwrap();
        let query = cr.as_str().lines().nth(2).unwrap();
        assert_eq!(
            query,
            "A=2&X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&\
             X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fservice%2Faws4_request&\
             X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&\
             X-Amz-Region-Set=us-east-1%2Cus-west-%2A&X-Amz-Request=1&X-Amz-SignedHeaders=host"
        );
    }

    #[test]
    fn the_region_set_is_the_signers() {
        let (signer, creds, time) = setup();
        let req = SignableRequest::new(Method::GET, "h", "/?x-amz-region-set=*");
        assert_eq!(
            signer.canonical_request(&req, &creds, time, HOUR).err(),
            Some(Error::ReservedQueryParameter {
                name: "X-Amz-Region-Set".into()
            })
        );
        let req = SignableRequest::new(Method::GET, "h", "/").header("X-Amz-Region-Set", "*");
        assert_eq!(
            signer
                .canonical_request(&req, &creds, time, SignatureLocation::Headers)
                .err(),
            Some(Error::ReservedHeader {
                name: "x-amz-region-set".into()
            })
        );
        assert!(Signer4a::new("us-east-1,", Service::s3()).is_err());
        assert!(Signer4a::new("us east", Service::s3()).is_err());
    }
}
