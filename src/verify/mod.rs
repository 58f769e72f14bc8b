//! Verifying signatures, server side: presigned URLs, `Authorization`
//! headers and S3 POST uploads.
//!
//! A [`Verifier`] stands in front of storage and lets through exactly what
//! the signer signed. It rebuilds the canonical request from the request as
//! received and signs it again through the same pipeline the signer uses
//! (canonical request, string to sign, cached signing key, signature), then
//! compares signatures in constant time. Before that it checks every rule S3
//! applies: algorithm, credential scope, dates and expiry, that `host` is
//! signed, that every `x-amz-*` header present is signed, the session token,
//! and for S3 header signing that `x-amz-content-sha256` is present. A
//! failure names the check that failed and never the expected signature.
//!
//! What a verified request still leaves to the caller is in
//! [`Verified::body`]: the body's hash when the signature covers a body the
//! verifier has not seen. Pass the body (or its hash) with
//! [`ReceivedRequest::payload`], or check it as it streams in with
//! [`Verified::check_body_sha256`].
//!
//! With a lookup that lends credentials (anything but a closure, see
//! [`CredentialsLookup`]) and a warm key cache, verifying a presigned URL or
//! a header-signed request allocates nothing.
//!
//! ```
//! use std::time::Duration;
//! use presign::s3::Bucket;
//! use presign::verify::{BodyCheck, ReceivedRequest, Verifier};
//! use presign::{Credentials, Region, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
//! let signed_at = SigningTime::parse_amz_date("20260524T120000Z")?;
//! let url = bucket.get_object("a.txt").presign(&creds, signed_at, Duration::from_secs(600))?;
//!
//! // The server side: the keys it knows, verified at the time of receipt.
//! let verifier = Verifier::with_lookup(creds.clone());
//! let target = &url.as_str()["https://examplebucket.s3.us-east-1.amazonaws.com".len()..];
//! let request = ReceivedRequest::new("GET", target).header("host", "examplebucket.s3.us-east-1.amazonaws.com");
//! let now = SigningTime::parse_amz_date("20260524T120500Z")?;
//! let verified = verifier.verify(&request, now).expect("a valid URL");
//! assert_eq!(verified.access_key_id(), "AKIAIOSFODNN7EXAMPLE");
//! assert_eq!(verified.body(), BodyCheck::Unsigned); // S3 presigned URLs do not sign the body
//!
//! // An added x-amz-* header was not signed: refused, as S3 refuses it.
//! let tampered = request.clone().header("x-amz-copy-source", "examplebucket/private/payroll.csv");
//! assert!(verifier.verify(&tampered, now).is_err());
//!
//! let later = SigningTime::parse_amz_date("20260524T121001Z")?;
//! assert!(verifier.verify(&request, later).is_err()); // expired
//! # Ok::<(), presign::Error>(())
//! ```

mod body;
mod claims;
mod error;
#[cfg(feature = "http")]
mod http;
mod lookup;
mod post;
mod query;
mod request;
mod signed_headers;
mod specials;
mod streaming;
#[cfg(feature = "sigv4a")]
mod v4a;
mod verified;

use core::fmt;
use std::time::Duration;

use crate::bytes::same_short;
use crate::canonical::{Auth, ThreadScratch};
use crate::credentials::Credentials;
use crate::encode::PathMode;
use crate::error::excerpt;
use crate::request::Payload;
use crate::request::{Parts, PathSource, QuerySource, ReceivedQuery};
use crate::scope::{Region, Service};
use crate::sign::SessionTokenMode;
use crate::signature::Signature;
use crate::signing_key::SigningKeyCache;
use crate::time::SigningTime;
use crate::wire;
use claims::{Claims, Credential};
use query::QueryScan;
#[cfg(test)]
pub(crate) use query::scan_query;
use signed_headers::LISTED;

pub use body::BodyCheck;
pub use error::VerifyError;
pub use lookup::{CredentialsLookup, Lent};
pub use post::VerifiedPost;
pub use request::ReceivedRequest;
pub use signed_headers::SignedHeaders;
use verified::Expiry;
pub use verified::Verified;

use body::{parse_content_sha256, payload_line};
use request::{HeaderList, ReadHeaders};

/// Checks signatures for a service, with credentials from a lookup the
/// caller provides.
///
/// The lookup maps an access key id to the credentials the server knows for
/// it; when those carry a session token, requests must carry the same token.
pub struct Verifier<L> {
    lookup: L,
    service: Service,
    regions: Vec<Region>,
    hosts: Vec<String>,
    max_skew: Duration,
    max_expires: Duration,
    /// An explicit path mode; by default the service's.
    path_mode: Option<PathMode>,
    token_mode: SessionTokenMode,
    cache: SigningKeyCache,
    /// The SigV4a public key of the last credentials seen (deriving one
    /// costs a P-256 scalar multiplication; the private key is dropped,
    /// zeroized, at once).
    #[cfg(feature = "sigv4a")]
    v4a_key: std::sync::Mutex<Option<(crate::credentials::CacheId, crate::sigv4a::PublicKey)>>,
}

impl<L> fmt::Debug for Verifier<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("service", &self.service)
            .field("regions", &self.regions)
            .field("hosts", &self.hosts)
            .field("max_skew", &self.max_skew)
            .field("max_expires", &self.max_expires)
            .finish_non_exhaustive()
    }
}

impl<F> Verifier<F>
where
    F: Fn(&str) -> Option<Credentials>,
{
    /// A verifier whose lookup is a closure returning owned credentials
    /// (one copy per request); [`with_lookup`](Verifier::with_lookup) takes
    /// a store that lends them. S3, any region, a clock skew of 900 s and
    /// expiries up to 7 days.
    pub fn new(lookup: F) -> Self {
        Verifier::with_lookup(lookup)
    }
}

impl<L: CredentialsLookup> Verifier<L> {
    /// A verifier for S3 accepting any region, a clock skew of 900 s and
    /// expiries up to 7 days, with credentials from `lookup`: one
    /// [`Credentials`], a map or list of them, or anything else that is a
    /// [`CredentialsLookup`].
    pub fn with_lookup(lookup: L) -> Self {
        Verifier {
            lookup,
            service: Service::s3(),
            regions: Vec::new(),
            hosts: Vec::new(),
            max_skew: Duration::from_secs(900),
            max_expires: crate::sign::MAX_EXPIRES,
            path_mode: None,
            token_mode: SessionTokenMode::Signed,
            cache: SigningKeyCache::default(),
            #[cfg(feature = "sigv4a")]
            v4a_key: std::sync::Mutex::new(None),
        }
    }

    /// Verifies for another service (the path mode follows it, see
    /// [`PathMode::for_service`], unless set with
    /// [`path_mode`](Self::path_mode); S3's rules, such as a required
    /// `x-amz-content-sha256`, apply to the S3 services only).
    #[must_use]
    pub fn service(mut self, service: Service) -> Self {
        self.service = service;
        self
    }

    /// Overrides the path mode, whatever the service.
    #[must_use]
    pub fn path_mode(mut self, mode: PathMode) -> Self {
        self.path_mode = Some(mode);
        self
    }

    /// How requests carry the session token. With
    /// [`SessionTokenMode::AddedAfterSigning`], a presigned query's
    /// `X-Amz-Security-Token` (or a header-signed request's
    /// `x-amz-security-token` header) is not part of the signature; it must
    /// still equal the credentials' token.
    #[must_use]
    pub fn session_token_mode(mut self, mode: SessionTokenMode) -> Self {
        self.token_mode = mode;
        self
    }

    fn effective_path_mode(&self) -> PathMode {
        self.path_mode
            .unwrap_or_else(|| PathMode::for_service(self.service.as_str()))
    }

    /// Accepts this region (call again for more). With none, any region is
    /// accepted.
    #[must_use]
    pub fn accept_region(mut self, region: Region) -> Self {
        self.regions.push(region);
        self
    }

    /// Accepts requests for this host (its `Host` header, with the port if
    /// the client sends one; call again for more; compared ignoring case).
    /// With none, any host is accepted: a request signed for another server
    /// that knows the same keys then verifies here too.
    #[must_use]
    pub fn accept_host(mut self, host: impl Into<String>) -> Self {
        self.hosts.push(host.into());
        self
    }

    /// The clock skew allowed (default 900 s). Any duration is accepted;
    /// a huge one only stops dates from being refused as too far off.
    #[must_use]
    pub fn max_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// The longest presigned expiry accepted (default 7 days, S3's
    /// maximum).
    #[must_use]
    pub fn max_expires(mut self, max: Duration) -> Self {
        self.max_expires = max;
        self
    }

    /// Verifies a request at `now`, presigned (an `X-Amz-Algorithm` in the
    /// query) or signed with an `Authorization` header.
    pub fn verify<'r>(
        &self,
        request: &'r ReceivedRequest<'_>,
        now: SigningTime,
    ) -> Result<Verified<'r>, VerifyError> {
        let mut scan = QueryScan::unread(request.query);
        scan.read(self.token_unsigned())?;
        if scan.is_presigned() {
            self.presigned(request, &scan, now)
        } else {
            self.authorization(request, scan.received(), now)
        }
    }

    /// Verifies a presigned request (signature in the query string) at
    /// `now`.
    pub fn verify_presigned<'r>(
        &self,
        request: &'r ReceivedRequest<'_>,
        now: SigningTime,
    ) -> Result<Verified<'r>, VerifyError> {
        let mut scan = QueryScan::unread(request.query);
        scan.read(self.token_unsigned())?;
        self.presigned(request, &scan, now)
    }

    fn token_unsigned(&self) -> bool {
        self.token_mode == SessionTokenMode::AddedAfterSigning
    }

    fn presigned<'r>(
        &self,
        request: &'r ReceivedRequest<'_>,
        scan: &QueryScan<'r>,
        now: SigningTime,
    ) -> Result<Verified<'r>, VerifyError> {
        let claims = scan.claims()?;
        let read = request.read_headers();
        if read.has_authorization() {
            return Err(VerifyError::AmbiguousAuthentication);
        }
        let expires = claims::need(claims.expires, wire::query::X_AMZ_EXPIRES)?;
        let Some(expires) = parse_digits(&expires.decoded()) else {
            return Err(VerifyError::MalformedParameter {
                name: wire::query::X_AMZ_EXPIRES,
                reason: "not a whole number of seconds",
            });
        };
        let max = self.max_expires.as_secs();
        if expires == 0 {
            return Err(VerifyError::ExpiryTooShort {
                seconds: expires,
                min: 1,
            });
        }
        if expires > max {
            return Err(VerifyError::ExpiryTooLong {
                seconds: expires,
                max,
            });
        }
        let (signed_at, credential) = self.check_claims(&claims)?;
        // In i128: no skew or expiry can overflow.
        let skew = i128::from(self.max_skew.as_secs());
        let (t, n) = (
            i128::from(signed_at.unix_timestamp()),
            i128::from(now.unix_timestamp()),
        );
        if t > n + skew {
            return Err(VerifyError::NotYetValid {
                signed_at: signed_at.to_string(),
                now: now.to_string(),
                max_skew: self.max_skew.as_secs(),
            });
        }
        let end = t + i128::from(expires);
        // (A time made of it only when asked for.)
        let expires_at = Expiry(i64::try_from(end).ok());
        if n > end {
            return Err(VerifyError::Expired {
                expired_at: expires_at.time().map(|t| t.to_string()).unwrap_or_default(),
                now: now.to_string(),
            });
        }
        // S3 presigned URLs sign UNSIGNED-PAYLOAD unless they carry a hash.
        let signed = match claims.content_sha256 {
            Some(raw) => Some(parse_content_sha256(
                &raw.decoded(),
                wire::query::X_AMZ_CONTENT_SHA256,
                None,
            )?),
            None if self.service.is_s3_like() => Some(Payload::Unsigned),
            None => None,
        };
        self.finish(
            request, &read, &claims, credential, signed_at, expires_at, signed,
        )
    }

    /// Verifies a request signed with an `Authorization` header at `now`.
    ///
    /// For S3, the request must carry `x-amz-content-sha256` (S3 refuses it
    /// otherwise); a body given with [`ReceivedRequest::payload`] must hash
    /// to it, and [`Verified::body`] says what is left to check. A
    /// streaming (`STREAMING-...`) request verifies here by its headers;
    /// its body is checked chunk by chunk by
    /// [`chunk_decoder`](Self::chunk_decoder).
    pub fn verify_authorization<'r>(
        &self,
        request: &'r ReceivedRequest<'_>,
        now: SigningTime,
    ) -> Result<Verified<'r>, VerifyError> {
        let query = match QueryScan::new(request.query, self.token_unsigned()) {
            Ok(scan) if scan.is_presigned() => return Err(VerifyError::AmbiguousAuthentication),
            Ok(scan) => scan.received(),
            Err(VerifyError::MalformedParameter {
                name: wire::query::X_AMZ_ALGORITHM,
                ..
            }) => return Err(VerifyError::AmbiguousAuthentication),
            // (Another X-Amz-* parameter twice is nothing to this form.)
            Err(_) => ReceivedQuery::Raw(request.query),
        };
        self.authorization(request, query, now)
    }

    fn authorization<'r>(
        &self,
        request: &'r ReceivedRequest<'_>,
        query: ReceivedQuery<'r>,
        now: SigningTime,
    ) -> Result<Verified<'r>, VerifyError> {
        let read = request.read_headers();
        let mut claims = claims::header_claims(request, &read)?;
        claims.query = query;
        let (signed_at, credential) = self.check_claims(&claims)?;
        let skew = i128::from(self.max_skew.as_secs());
        let off = i128::from(signed_at.unix_timestamp()) - i128::from(now.unix_timestamp());
        if off.abs() > skew {
            return Err(VerifyError::RequestTimeTooSkewed {
                signed_at: signed_at.to_string(),
                now: now.to_string(),
                max_skew: self.max_skew.as_secs(),
            });
        }
        let signed = match read.content_sha256()? {
            Some(v) => Some(parse_content_sha256(
                v,
                wire::header::X_AMZ_CONTENT_SHA256,
                Some(read.trailer()?),
            )?),
            None if self.service.is_s3_like() => {
                return Err(VerifyError::MissingParameter {
                    name: wire::header::X_AMZ_CONTENT_SHA256,
                });
            }
            None => None,
        };
        let expires_at = Expiry(None);
        self.finish(
            request, &read, &claims, credential, signed_at, expires_at, signed,
        )
    }

    /// What both forms share once the dates are checked: the payload line,
    /// the signature, and the result.
    #[allow(clippy::too_many_arguments)]
    fn finish<'r>(
        &self,
        request: &'r ReceivedRequest<'_>,
        read: &ReadHeaders<'_>,
        claims: &Claims<'r>,
        credential: Credential<'r>,
        signed_at: SigningTime,
        expires_at: Expiry,
        signed_payload: Option<Payload<'static>>,
    ) -> Result<Verified<'r>, VerifyError> {
        let (line, body) = payload_line(signed_payload, request.payload)?;
        // A SigV4a streaming body is chained with ECDSA signatures, which
        // the chunk decoder does not check.
        #[cfg(feature = "sigv4a")]
        if matches!(body, BodyCheck::Streaming(_))
            && claims.algorithm.decodes_to(wire::ALGORITHM_V4A)
        {
            return Err(VerifyError::UnsupportedPayload {
                value: format!("{body:?}"),
            });
        }
        let (signed_headers, signature) =
            self.check_signature(request, read, claims, &credential, signed_at, line)?;
        Ok(Verified {
            credential,
            signed_headers,
            signed_at,
            expires_at,
            body,
            headers: request.headers(),
            signature,
        })
    }

    fn credentials(&self, access_key_id: &str) -> Result<Lent<'_>, VerifyError> {
        self.lookup
            .lookup(access_key_id)
            .ok_or_else(|| VerifyError::UnknownAccessKey {
                access_key_id: excerpt(access_key_id),
            })
    }

    /// Looks the credentials up, checks the session token and the signed
    /// headers, rebuilds the canonical request from what was received,
    /// signs it and compares signatures.
    fn check_signature<'r>(
        &self,
        request: &ReceivedRequest<'_>,
        read: &ReadHeaders<'_>,
        claims: &Claims<'r>,
        credential: &Credential<'_>,
        signed_at: SigningTime,
        payload: Payload<'_>,
    ) -> Result<(SignedHeaders<'r>, Option<Signature>), VerifyError> {
        let names = SignedHeaders::unchecked(claims.signed_headers);
        // The names checked and split once, on the stack (for the usual
        // few).
        let mut split = [""; LISTED];
        let count = names.check(&mut split)?;
        let listed = split.get(..count);
        // (Signers send lowercase names: equal bytes first.)
        let same = |n: &str, name: &str| {
            same_short(n.as_bytes(), name.as_bytes()) || n.eq_ignore_ascii_case(name)
        };
        let position = |name: &str| match listed {
            Some(list) => list.iter().position(|n| same(n, name)),
            None => names.iter().position(|n| same(n, name)),
        };
        if position(wire::header::HOST).is_none() {
            return Err(VerifyError::HostNotSigned);
        }
        if !self.hosts.is_empty() {
            let host = read.host()?.unwrap_or_default();
            if !self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                return Err(VerifyError::HostNotAccepted {
                    host: excerpt(host),
                });
            }
        }
        let token_unsigned = self.token_unsigned();
        // One pass over the headers: the signed ones, in the order received
        // (canonicalization sorts them), each name to be found; and every
        // x-amz-* header present must be signed, as S3 requires.
        // (Copied only once an unsigned header shows up: until then, the
        // request's own list is the signed one.)
        let received = request.headers();
        // (Made only when needed: an inline list is half a kilobyte to
        // clear.)
        let mut headers: Option<HeaderList<'_>> = None;
        let mut missing = count.min(LISTED);
        let mut seen = 0u32;
        for (k, &(n, v)) in received.iter().enumerate() {
            match position(n) {
                Some(i) => {
                    if let Some(headers) = &mut headers {
                        headers.push((n, v));
                    }
                    if i < LISTED && seen & (1 << i) == 0 {
                        seen |= 1 << i;
                        missing -= 1;
                    }
                }
                None => {
                    let amz = n.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"));
                    let added_token = token_unsigned
                        && n.eq_ignore_ascii_case(wire::header::X_AMZ_SECURITY_TOKEN);
                    if amz && !added_token {
                        return Err(VerifyError::UnsignedHeader {
                            name: excerpt(&n.to_ascii_lowercase()),
                        });
                    }
                    if headers.is_none() {
                        let mut copy = HeaderList::new();
                        for &header in received.get(..k).unwrap_or_default() {
                            copy.push(header);
                        }
                        headers = Some(copy);
                    }
                }
            }
        }
        let signed_headers = headers.as_ref().map_or(received, HeaderList::as_slice);
        // Past 32 names, each is looked for the slow way.
        if missing > 0 || listed.is_none() {
            let absent = names.iter().find(|s| {
                !request
                    .headers()
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(s))
            });
            if let Some(absent) = absent {
                return Err(VerifyError::MissingSignedHeader {
                    name: excerpt(absent),
                });
            }
        }

        let creds = self.credentials(credential.access_key_id())?;
        claims::check_token(&creds, claims)?;
        let parts = Parts {
            method: request.method,
            host: "",
            host_checked: true,
            path: PathSource::Wire {
                path: request.path,
                mode: self.effective_path_mode(),
            },
            query: QuerySource::Received(claims.query.clone()),
            headers: signed_headers,
            payload,
        };
        let auth = Auth::Received { token_unsigned };
        #[cfg(feature = "sigv4a")]
        if claims.algorithm.decodes_to(wire::ALGORITHM_V4A) {
            self.check_v4a_signature(&creds, claims, credential, signed_at, &parts, &auth)?;
            // (No chain follows: a SigV4a streaming body is refused.)
            return Ok((names, None));
        }
        let mut key = self.cache.key_named(
            &creds,
            signed_at.scope_date(),
            credential.region(),
            &self.service,
        )?;
        let (key, memo) = key.parts();
        let amz_date = memo.amz_date(signed_at);
        let mut scratch = ThreadScratch::take();
        let signature =
            crate::sign::sign(key, memo, signed_at, &amz_date, &mut scratch, &parts, &auth)?;
        // Exactly the lowercase hex the signer writes (another spelling is
        // another request), every byte compared whatever differs.
        if !signature.is_hex(claims.signature.decoded().as_bytes()) {
            return Err(VerifyError::SignatureMismatch);
        }
        Ok((names, Some(signature)))
    }
}

/// One to twelve decimal digits (no sign, no space), as a number.
fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        let digit = b.wrapping_sub(b'0');
        (digit < 10).then(|| n * 10 + u64::from(digit))
    })
}

#[cfg(test)]
mod tests;
