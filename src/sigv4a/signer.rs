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
use crate::encode;
use crate::error::Error;
use crate::request::{Parts, Payload, SignableRequest};
use crate::scope::Service;
use crate::sign::{
    QueryHead, RegionSet, SessionTokenMode, SignatureLocation, SignerOptions, option_setters,
};
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
    options: SignerOptions,
    /// The last credentials' key: deriving one costs a P-256 scalar
    /// multiplication.
    last_key: Mutex<Option<(CacheId, Arc<SigV4aKey>)>>,
}

impl fmt::Debug for Signer4a {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer4a")
            .field("region_set", &self.region_set)
            .field("service", &self.service)
            .field("options", &self.options)
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
        Ok(Signer4a {
            region_set_query: encode::query_component(&region_set),
            region_set,
            options: SignerOptions::for_service(&service),
            service,
            last_key: Mutex::new(None),
        })
    }

    option_setters!();

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
        let query = QueryHead {
            head: &scope.query_head,
            credential: &scope.query_head[scope.credential.clone()],
        };
        let region_set = RegionSet {
            header: &self.region_set,
            query: &self.region_set_query,
        };
        self.options.auth(
            credentials,
            time,
            amz_date,
            location,
            payload,
            query,
            Some(region_set),
        )
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
        let scope = self.scope4a(credentials, time, location);
        let auth = self.auth(
            credentials,
            &scope,
            time,
            &amz_date,
            location,
            &parts.payload,
        )?;
        CanonicalRequest::of(parts, &auth)
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
        let location = SignatureLocation::Headers;
        let scope = self.scope4a(credentials, time, location);
        let parts = self.options.parts(request, &self.service, location);
        let auth = self.auth(
            credentials,
            &scope,
            time,
            &amz_date,
            location,
            &parts.payload,
        )?;
        let mut s = ThreadScratch::take();
        canonical::write(&parts, &auth, &mut s)?;
        let layout = s.layout.clone();
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
            headers.push((credentials.session_token_kind().header(), token.to_owned()));
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
        let (uri, query_start, signature) = crate::sign::presign_target(
            &self.options,
            &self.service,
            request,
            expires_in,
            |parts, uri| {
                let info = self.presign_into(parts, credentials, time, expires_in, "", uri)?;
                Ok((info.query_start, info.signature))
            },
        )?;
        Ok(PresignedRequest4a {
            uri,
            query_start,
            signature,
        })
    }

    /// Query-signs `parts` and writes `origin` (`https://host`, or
    /// nothing), the request target (with the canonical path) and the
    /// signature into `out`, replacing what it held.
    pub(crate) fn presign_into(
        &self,
        parts: &Parts<'_>,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
        origin: &str,
        out: &mut String,
    ) -> Result<Presign4aInfo, Error> {
        let key = self.key_for(credentials)?;
        let location = SignatureLocation::Query { expires_in };
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
        let expires = auth.expires();
        let mut s = ThreadScratch::take();
        canonical::write(parts, &auth, &mut s)?;
        let layout = s.layout.clone();
        let hash = layout.sha256(&mut s.buf, auth.signed_token());
        let sts = StringToSign::with_algorithm(wire::ALGORITHM_V4A, &amz_date, &scope.text, &hash);
        let signature = key.sign_hex(sts.as_bytes());

        let buf = &s.buf;
        let path = ascii(&buf[layout.path.clone()]);
        // One reservation: room for the origin, the path, the query, the
        // token and the signature.
        out.clear();
        out.reserve(
            origin.len()
                + path.len()
                + layout.query.len()
                + auth.signed_token().map_or(0, str::len)
                + credentials
                    .session_token_query_encoded()
                    .map_or(0, str::len)
                + signature.len()
                + 64,
        );
        out.push_str(origin);
        out.push_str(path);
        out.push('?');
        let query_start = out.len();
        let query = layout.query.clone();
        match (layout.token_at, auth.signed_token()) {
            (Some(at), Some(token)) => {
                out.push_str(ascii(&buf[query.start..at]));
                out.push_str(token);
                out.push_str(ascii(&buf[at..query.end]));
            }
            _ => out.push_str(ascii(&buf[query])),
        }
        if let (SessionTokenMode::AddedAfterSigning, Some(token)) = (
            self.options.token_mode,
            credentials.session_token_query_encoded(),
        ) {
            out.push('&');
            out.push_str(credentials.session_token_kind().query());
            out.push('=');
            out.push_str(token);
        }
        out.push_str(concat!("&", wire::query::x_amz_signature!(), "="));
        out.push_str(&signature);
        Ok(Presign4aInfo {
            query_start,
            signature,
            expires,
        })
    }
}

/// What SigV4a query signing reports besides the text it wrote.
pub(crate) struct Presign4aInfo {
    /// Where the query starts in the text (after `?`).
    pub(crate) query_start: usize,
    /// The DER-encoded ECDSA signature, in hex.
    pub(crate) signature: String,
    /// The expiry in seconds (shorter than asked only when clamped).
    pub(crate) expires: u64,
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

    // The region set is the signer's to write, in headers as in the query,
    // whether the headers are sorted on the stack or in the side buffer.
    #[test]
    fn a_caller_region_set_header_is_reserved() {
        let (signer, creds, time) = setup();
        let many: Vec<(String, String)> = (0..20)
            .map(|i| (format!("x-h{i:02}"), "v".into()))
            .collect();
        for extra in [0, 20] {
            let mut req = SignableRequest::new(Method::GET, "example.amazonaws.com", "/")
                .header("X-Amz-Region-Set", "us-east-1");
            for (name, value) in &many[..extra] {
                req = req.header(name, value);
            }
            let err = signer
                .canonical_request(&req, &creds, time, SignatureLocation::Headers)
                .unwrap_err();
            assert!(
                matches!(&err, Error::ReservedHeader { name } if name == "x-amz-region-set"),
                "{extra} more headers: {err:?}"
            );
        }
    }

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
