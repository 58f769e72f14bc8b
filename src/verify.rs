//! Verifying signatures, server side: presigned URLs, `Authorization`
//! headers and S3 POST uploads.
//!
//! The verifier rebuilds the canonical request with the same canonicalizer
//! the signer uses, checks every rule a server must (algorithm, credential
//! scope, dates and expiry, signed headers, session token) and compares
//! signatures in constant time. A failure names the check that failed and
//! never the expected signature.
//!
//! ```
//! use std::time::Duration;
//! use presign::s3::Bucket;
//! use presign::verify::{ReceivedRequest, Verifier};
//! use presign::{Credentials, Region, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
//! let signed_at = SigningTime::parse_amz_date("20260524T120000Z")?;
//! let url = bucket.get_object("a.txt").presign(&creds, signed_at, Duration::from_secs(600))?;
//!
//! // The server side: look the access key up, verify at the time of receipt.
//! let known = creds.clone();
//! let verifier = Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()));
//! let target = &url.as_str()["https://examplebucket.s3.us-east-1.amazonaws.com".len()..];
//! let request = ReceivedRequest::new("GET", target).header("host", "examplebucket.s3.us-east-1.amazonaws.com");
//! let now = SigningTime::parse_amz_date("20260524T120500Z")?;
//! let verified = verifier.verify_presigned(&request, now).expect("a valid URL");
//! assert_eq!(verified.access_key_id, "AKIAIOSFODNN7EXAMPLE");
//!
//! let later = SigningTime::parse_amz_date("20260524T121001Z")?;
//! assert!(verifier.verify_presigned(&request, later).is_err()); // expired
//! # Ok::<(), presign::Error>(())
//! ```

use core::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::percent_decode_str;
use subtle::ConstantTimeEq;

use crate::canonical::{self, Auth, Parts, PathSource, QuerySource, Scratch, UNSIGNED_PAYLOAD};
use crate::credentials::Credentials;
use crate::encode::PathMode;
use crate::error::{Error, excerpt};
use crate::mac::sha256;
use crate::request::Payload;
use crate::s3::{Condition, parse_policy_conditions};
use crate::scope::{Region, Scope, Service};
use crate::sign::SessionTokenMode;
use crate::signing_key::SigningKeyCache;
use crate::string_to_sign::{ALGORITHM, StringToSign};
use crate::time::{ScopeDate, SigningTime};

/// Why a request did not verify. Each variant names the check that failed;
/// none carries the expected signature or any secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The request carries no SigV4 signature at all.
    #[error("not signed: no {expected}")]
    NotSigned {
        /// What was looked for.
        expected: &'static str,
    },
    /// A required parameter or header is missing.
    #[error("missing parameter {name}")]
    MissingParameter {
        /// Its name.
        name: &'static str,
    },
    /// A parameter or header is malformed or repeated.
    #[error("malformed {name}: {reason}")]
    MalformedParameter {
        /// Its name.
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The algorithm is not `AWS4-HMAC-SHA256`.
    #[error("unsupported algorithm {algorithm:?}")]
    UnsupportedAlgorithm {
        /// The algorithm given (truncated).
        algorithm: String,
    },
    /// The credential scope does not match the request or the server.
    #[error("scope mismatch: {reason}")]
    ScopeMismatch {
        /// What does not match.
        reason: String,
    },
    /// The request is dated in the future beyond the allowed clock skew.
    #[error("not yet valid: signed at {signed_at}, more than {max_skew} s after now ({now})")]
    NotYetValid {
        /// The request's `X-Amz-Date`.
        signed_at: String,
        /// The verification time.
        now: String,
        /// The allowed skew, in seconds.
        max_skew: u64,
    },
    /// The request's validity ended before now.
    #[error("expired at {expired_at} (now {now})")]
    Expired {
        /// When it stopped being valid.
        expired_at: String,
        /// The verification time.
        now: String,
    },
    /// A header-signed request's date is too far from now (either way).
    #[error("request time too skewed: signed at {signed_at}, now {now}, allowed {max_skew} s")]
    RequestTimeTooSkewed {
        /// The request's date.
        signed_at: String,
        /// The verification time.
        now: String,
        /// The allowed skew, in seconds.
        max_skew: u64,
    },
    /// `X-Amz-Expires` is outside 1 to the server's maximum.
    #[error("expiry too long: {seconds} s, the maximum is {max} s")]
    ExpiryTooLong {
        /// The requested expiry.
        seconds: u64,
        /// The maximum accepted.
        max: u64,
    },
    /// `host` is not among the signed headers.
    #[error("the host header is not signed")]
    HostNotSigned,
    /// A signed header is not in the request.
    #[error("signed header {name:?} is missing from the request")]
    MissingSignedHeader {
        /// The header (truncated).
        name: String,
    },
    /// The lookup knows no such access key.
    #[error("unknown access key {access_key_id:?}")]
    UnknownAccessKey {
        /// The access key id given (truncated).
        access_key_id: String,
    },
    /// The credentials require a session token the request does not carry.
    #[error("missing session token")]
    MissingSecurityToken,
    /// The request's session token is not the one of its credentials.
    #[error("session token mismatch")]
    SecurityTokenMismatch,
    /// A streaming or otherwise unsupported `x-amz-content-sha256`.
    #[error("unsupported payload signing {value:?}")]
    UnsupportedPayload {
        /// The value given (truncated).
        value: String,
    },
    /// The signature does not match the request.
    #[error("signature mismatch")]
    SignatureMismatch,
    /// The request could not be canonicalized (bad path, header, ...).
    #[error("malformed request: {0}")]
    MalformedRequest(#[from] Error),
    /// A POST policy is malformed (bad base64, JSON or condition).
    #[error("malformed policy: {reason}")]
    MalformedPolicy {
        /// What is wrong.
        reason: String,
    },
    /// A POST upload violates a policy condition.
    #[error("policy condition failed on {field:?}: {reason}")]
    PolicyViolation {
        /// The field (or `content-length` for the size).
        field: String,
        /// What failed.
        reason: &'static str,
    },
    /// A POST form field is not covered by any policy condition.
    #[error("form field {field:?} is not covered by the policy")]
    FieldNotInPolicy {
        /// The field (truncated).
        field: String,
    },
}

/// A request as the server received it: method, request target (path and
/// raw query exactly as on the wire), headers (with `host`), and what the
/// body is known to be.
#[derive(Clone)]
pub struct ReceivedRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    payload: Option<Payload<'a>>,
}

impl<'a> ReceivedRequest<'a> {
    /// A request's method and target (`/path?query`, as received).
    pub fn new(method: &'a str, target: &'a str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        ReceivedRequest {
            method,
            path,
            query,
            headers: Vec::new(),
            payload: None,
        }
    }

    /// A header the request carried (include `host`).
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The body, when the signature covers it (presigned URLs of services
    /// other than S3 sign the body's hash). Default for presigned URLs:
    /// `UNSIGNED-PAYLOAD`, or the `X-Amz-Content-Sha256` parameter.
    pub fn payload(mut self, payload: Payload<'a>) -> Self {
        self.payload = Some(payload);
        self
    }

    fn values<'h>(&'h self, name: &'h str) -> impl Iterator<Item = &'a str> + 'h {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

impl fmt::Debug for ReceivedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query and header values carry credentials: names only.
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What a verified request was signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The access key id.
    pub access_key_id: String,
    /// The credential scope, `date/region/service/aws4_request`.
    pub scope: String,
    /// The region of the scope.
    pub region: String,
    /// The signed headers, lowercase, in canonical order.
    pub signed_headers: Vec<String>,
    /// When the request was signed.
    pub signed_at: SigningTime,
    /// When a presigned request stops being valid (`None` for header
    /// signing).
    pub expires_at: Option<SigningTime>,
    /// For header signing, the `x-amz-content-sha256` value: the caller must
    /// check a hex hash against the body; `UNSIGNED-PAYLOAD` means the body
    /// is not covered.
    pub content_sha256: Option<String>,
}

/// What a verified POST upload may do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedPost {
    /// The access key id.
    pub access_key_id: String,
    /// The credential scope.
    pub scope: String,
    /// The object key from the form, as posted: a `${filename}` in it is
    /// not substituted (S3 replaces it with the uploaded file's name).
    pub key: String,
    /// The policy's conditions.
    pub conditions: Vec<Condition>,
}

/// Checks signatures for a service, with credentials from a lookup the
/// caller provides.
///
/// The lookup maps an access key id to the credentials the server knows for
/// it; when those carry a session token, requests must carry the same token.
pub struct Verifier<L> {
    lookup: L,
    service: Service,
    regions: Vec<Region>,
    max_skew: Duration,
    max_expires: Duration,
    /// An explicit path mode; by default the service's.
    path_mode: Option<PathMode>,
    token_mode: SessionTokenMode,
    cache: SigningKeyCache,
}

impl<L> fmt::Debug for Verifier<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("service", &self.service)
            .field("regions", &self.regions)
            .field("max_skew", &self.max_skew)
            .field("max_expires", &self.max_expires)
            .finish_non_exhaustive()
    }
}

/// The parameters a signature carries, from a query or an `Authorization`
/// header, values decoded.
struct Claims {
    algorithm: String,
    credential: String,
    date: String,
    signed_headers: String,
    signature: String,
    expires: Option<String>,
    token: Option<String>,
}

/// The credential split into its parts.
struct Credential<'c> {
    access_key_id: &'c str,
    date: &'c str,
    region: &'c str,
    service: &'c str,
}

impl<L> Verifier<L>
where
    L: Fn(&str) -> Option<Credentials>,
{
    /// A verifier for S3 accepting any region, a clock skew of 900 s and
    /// expiries up to 7 days.
    pub fn new(lookup: L) -> Self {
        Verifier {
            lookup,
            service: Service::s3(),
            regions: Vec::new(),
            max_skew: Duration::from_secs(900),
            max_expires: crate::sign::MAX_EXPIRES,
            path_mode: None,
            token_mode: SessionTokenMode::Signed,
            cache: SigningKeyCache::default(),
        }
    }

    /// Verifies for another service (the path mode follows it, see
    /// [`PathMode::for_service`], unless set with
    /// [`path_mode`](Self::path_mode)).
    pub fn service(mut self, service: Service) -> Self {
        self.service = service;
        self
    }

    /// Overrides the path mode, whatever the service.
    pub fn path_mode(mut self, mode: PathMode) -> Self {
        self.path_mode = Some(mode);
        self
    }

    /// How requests carry the session token. With
    /// [`SessionTokenMode::AddedAfterSigning`], a presigned query's
    /// `X-Amz-Security-Token` is not part of the signature (it must still
    /// equal the credentials' token).
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
    pub fn accept_region(mut self, region: Region) -> Self {
        self.regions.push(region);
        self
    }

    /// The clock skew allowed (default 900 s).
    pub fn max_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// The longest presigned expiry accepted (default 7 days).
    pub fn max_expires(mut self, max: Duration) -> Self {
        self.max_expires = max;
        self
    }

    /// Verifies a presigned request (signature in the query string) at
    /// `now`.
    pub fn verify_presigned(
        &self,
        request: &ReceivedRequest<'_>,
        now: SigningTime,
    ) -> Result<Verified, VerifyError> {
        let claims = query_claims(request.query)?;
        let expires = claims
            .expires
            .as_deref()
            .ok_or(VerifyError::MissingParameter {
                name: "X-Amz-Expires",
            })?;
        let expires: u64 = parse_digits(expires).ok_or(VerifyError::MalformedParameter {
            name: "X-Amz-Expires",
            reason: "not a whole number of seconds",
        })?;
        let max = self.max_expires.as_secs();
        if expires == 0 || expires > max {
            return Err(VerifyError::ExpiryTooLong {
                seconds: expires,
                max,
            });
        }
        let (signed_at, credential) = self.check_claims(&claims)?;
        let skew = self.max_skew.as_secs() as i64;
        let (t, n) = (signed_at.unix_timestamp(), now.unix_timestamp());
        if t > n + skew {
            return Err(VerifyError::NotYetValid {
                signed_at: signed_at.to_string(),
                now: now.to_string(),
                max_skew: skew as u64,
            });
        }
        let expires_at = SigningTime::from_unix_timestamp(t + expires as i64)
            .map_err(VerifyError::MalformedRequest)?;
        if n > t + expires as i64 {
            return Err(VerifyError::Expired {
                expired_at: expires_at.to_string(),
                now: now.to_string(),
            });
        }
        // What the signer would have signed: S3 presigned URLs sign
        // UNSIGNED-PAYLOAD, other services the hash of the (empty) body.
        let payload = match request.payload {
            Some(p) => p,
            None => match content_sha256_param(request.query)? {
                Some(hash) => hash,
                None if self.effective_path_mode() == PathMode::S3 => Payload::Unsigned,
                None => Payload::Bytes(b""),
            },
        };
        let mut verified =
            self.check_signature(request, &claims, &credential, signed_at, payload)?;
        verified.expires_at = Some(expires_at);
        Ok(verified)
    }

    /// Verifies a request signed with an `Authorization` header at `now`.
    ///
    /// `x-amz-content-sha256` is part of the signature when signed; the
    /// result carries it so the caller can check a hash against the body.
    /// Streaming payloads (`STREAMING-...`) are rejected.
    pub fn verify_authorization(
        &self,
        request: &ReceivedRequest<'_>,
        now: SigningTime,
    ) -> Result<Verified, VerifyError> {
        let claims = header_claims(request)?;
        let (signed_at, credential) = self.check_claims(&claims)?;
        let skew = self.max_skew.as_secs() as i64;
        if (signed_at.unix_timestamp() - now.unix_timestamp()).abs() > skew {
            return Err(VerifyError::RequestTimeTooSkewed {
                signed_at: signed_at.to_string(),
                now: now.to_string(),
                max_skew: skew as u64,
            });
        }
        let content_sha256 = single(request, "x-amz-content-sha256")?;
        let payload = match (content_sha256, request.payload) {
            (Some(v), _) if v == UNSIGNED_PAYLOAD => Payload::Unsigned,
            (Some(v), _) if v.starts_with("STREAMING-") => {
                return Err(VerifyError::UnsupportedPayload { value: excerpt(v) });
            }
            (Some(v), _) => {
                Payload::sha256_hex(v).map_err(|_| VerifyError::MalformedParameter {
                    name: "x-amz-content-sha256",
                    reason: "not a hex SHA-256 or UNSIGNED-PAYLOAD",
                })?
            }
            (None, Some(p)) => p,
            (None, None) => Payload::Bytes(b""),
        };
        let mut verified =
            self.check_signature(request, &claims, &credential, signed_at, payload)?;
        verified.content_sha256 = content_sha256.map(str::to_owned);
        Ok(verified)
    }

    /// Verifies a browser POST upload: the form fields (every one but the
    /// file), the file's size in bytes, and the bucket it was posted to.
    ///
    /// Checks the signature over the policy, its expiration, every
    /// condition (exact values, prefixes, `content-length-range`), and that
    /// every field except `x-amz-signature`, `file`, `policy` and
    /// `x-ignore-*` is covered by a condition.
    pub fn verify_post(
        &self,
        fields: &[(&str, &str)],
        file_size: u64,
        bucket: &str,
        now: SigningTime,
    ) -> Result<VerifiedPost, VerifyError> {
        let field = |name: &'static str| -> Result<&str, VerifyError> {
            let mut found = fields.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
            let value = found
                .next()
                .map(|(_, v)| *v)
                .ok_or(VerifyError::MissingParameter { name })?;
            if found.next().is_some() {
                return Err(VerifyError::MalformedParameter {
                    name,
                    reason: "appears more than once",
                });
            }
            Ok(value)
        };
        let claims = Claims {
            algorithm: field("x-amz-algorithm")?.to_owned(),
            credential: field("x-amz-credential")?.to_owned(),
            date: field("x-amz-date")?.to_owned(),
            signed_headers: String::new(),
            signature: field("x-amz-signature")?.to_owned(),
            expires: None,
            token: fields
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
                .map(|(_, v)| (*v).to_owned()),
        };
        let policy_b64 = field("policy")?;
        let key = field("key")?;
        // A repeated field could pass the policy with one value and be
        // stored with another.
        for (i, (name, _)) in fields.iter().enumerate() {
            if fields[..i]
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                return Err(VerifyError::PolicyViolation {
                    field: excerpt(name),
                    reason: "the field appears more than once",
                });
            }
        }
        if fields
            .iter()
            .any(|(n, b)| n.eq_ignore_ascii_case("bucket") && *b != bucket)
        {
            return Err(VerifyError::PolicyViolation {
                field: "bucket".into(),
                reason: "the form names another bucket than the one posted to",
            });
        }
        let (signed_at, credential) = self.check_claims(&claims)?;
        let skew = self.max_skew.as_secs() as i64;
        if signed_at.unix_timestamp() > now.unix_timestamp() + skew {
            return Err(VerifyError::NotYetValid {
                signed_at: signed_at.to_string(),
                now: now.to_string(),
                max_skew: skew as u64,
            });
        }
        let creds = self.credentials(credential.access_key_id)?;
        check_token(&creds, claims.token.as_deref())?;

        let region = Region::new(credential.region).map_err(VerifyError::MalformedRequest)?;
        let scope = Scope::new(signed_at.scope_date(), &region, &self.service);
        let expected = self.cache.get(&creds, scope).sign(policy_b64.as_bytes());
        check_signature_text(&claims.signature, &expected.to_hex().as_bytes()[..])?;

        let policy = BASE64
            .decode(policy_b64)
            .map_err(|_| VerifyError::MalformedPolicy {
                reason: "the policy is not base64".into(),
            })?;
        let policy = String::from_utf8(policy).map_err(|_| VerifyError::MalformedPolicy {
            reason: "the policy is not UTF-8".into(),
        })?;
        let expiration = policy_expiration(&policy)?;
        if now.unix_timestamp() > expiration {
            return Err(VerifyError::Expired {
                expired_at: SigningTime::from_unix_timestamp(expiration)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                now: now.to_string(),
            });
        }
        let conditions =
            parse_policy_conditions(&policy).map_err(|e| VerifyError::MalformedPolicy {
                reason: e.to_string(),
            })?;
        check_conditions(&conditions, fields, file_size, bucket)?;
        Ok(VerifiedPost {
            access_key_id: credential.access_key_id.to_owned(),
            scope: scope_text(&credential),
            key: key.to_owned(),
            conditions,
        })
    }

    /// Algorithm, credential scope and date, common to every form.
    fn check_claims<'c>(
        &self,
        claims: &'c Claims,
    ) -> Result<(SigningTime, Credential<'c>), VerifyError> {
        if claims.algorithm != ALGORITHM {
            return Err(VerifyError::UnsupportedAlgorithm {
                algorithm: excerpt(&claims.algorithm),
            });
        }
        let signed_at = SigningTime::parse_amz_date(&claims.date).map_err(|_| {
            VerifyError::MalformedParameter {
                name: "X-Amz-Date",
                reason: "expected YYYYMMDDTHHMMSSZ",
            }
        })?;
        let mut parts = claims.credential.rsplitn(5, '/');
        let (Some(terminator), Some(service), Some(region), Some(date), Some(access_key_id)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(VerifyError::MalformedParameter {
                name: "X-Amz-Credential",
                reason: "expected ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request",
            });
        };
        if terminator != crate::scope::TERMINATOR {
            return Err(VerifyError::ScopeMismatch {
                reason: format!("scope ends in {:?}, not aws4_request", excerpt(terminator)),
            });
        }
        let scope_date = ScopeDate::parse(date).map_err(|_| VerifyError::MalformedParameter {
            name: "X-Amz-Credential",
            reason: "the scope date is not YYYYMMDD",
        })?;
        if scope_date != signed_at.scope_date() {
            return Err(VerifyError::ScopeMismatch {
                reason: format!(
                    "scope date {} is not the date of X-Amz-Date {}",
                    scope_date, signed_at
                ),
            });
        }
        if service != self.service.as_str() {
            return Err(VerifyError::ScopeMismatch {
                reason: format!(
                    "service {:?} is not {:?}",
                    excerpt(service),
                    self.service.as_str()
                ),
            });
        }
        if !self.regions.is_empty() && !self.regions.iter().any(|r| r.as_str() == region) {
            return Err(VerifyError::ScopeMismatch {
                reason: format!("region {:?} is not accepted", excerpt(region)),
            });
        }
        Ok((
            signed_at,
            Credential {
                access_key_id,
                date,
                region,
                service,
            },
        ))
    }

    fn credentials(&self, access_key_id: &str) -> Result<Credentials, VerifyError> {
        (self.lookup)(access_key_id).ok_or_else(|| VerifyError::UnknownAccessKey {
            access_key_id: excerpt(access_key_id),
        })
    }

    /// Looks the credentials up, checks the session token, rebuilds the
    /// canonical request from what was received and compares signatures.
    fn check_signature(
        &self,
        request: &ReceivedRequest<'_>,
        claims: &Claims,
        credential: &Credential<'_>,
        signed_at: SigningTime,
        payload: Payload<'_>,
    ) -> Result<Verified, VerifyError> {
        let creds = &self.credentials(credential.access_key_id)?;
        check_token(creds, claims.token.as_deref())?;
        let names: Vec<&str> = claims.signed_headers.split(';').collect();
        if names.iter().any(|n| n.is_empty()) {
            return Err(VerifyError::MalformedParameter {
                name: "SignedHeaders",
                reason: "an empty header name",
            });
        }
        if !names.contains(&"host") {
            return Err(VerifyError::HostNotSigned);
        }
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(names.len());
        for name in &names {
            let before = headers.len();
            headers.extend(request.values(name).map(|v| (*name, v)));
            if headers.len() == before {
                return Err(VerifyError::MissingSignedHeader {
                    name: excerpt(name),
                });
            }
        }
        let parts = Parts {
            method: request.method,
            host: "",
            host_checked: true,
            path: PathSource::Wire {
                path: request.path,
                mode: self.effective_path_mode(),
            },
            query: QuerySource::Raw(request.query),
            headers: &headers,
            payload,
        };
        let hash = crate::sign::with_scratch(|scratch: &mut Scratch| {
            let auth = Auth::Received {
                token_unsigned: self.token_mode == SessionTokenMode::AddedAfterSigning,
            };
            canonical::write(&parts, &auth, scratch).map(|_| sha256(&scratch.buf))
        })?;

        let region = Region::new(credential.region).map_err(VerifyError::MalformedRequest)?;
        let scope = Scope::new(signed_at.scope_date(), &region, &self.service);
        let sts = StringToSign::new(signed_at, scope, &hash);
        let expected = self.cache.get(creds, scope).sign(sts.as_bytes());
        check_signature_text(&claims.signature, expected.to_hex().as_bytes())?;
        let mut signed: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        signed.sort();
        signed.dedup();
        Ok(Verified {
            access_key_id: credential.access_key_id.to_owned(),
            scope: scope_text(credential),
            region: credential.region.to_owned(),
            signed_headers: signed,
            signed_at,
            expires_at: None,
            content_sha256: None,
        })
    }
}

fn scope_text(c: &Credential<'_>) -> String {
    format!(
        "{}/{}/{}/{}",
        c.date,
        c.region,
        c.service,
        crate::scope::TERMINATOR
    )
}

/// Compares a received hex signature with the expected one in constant
/// time (for equal lengths).
fn check_signature_text(received: &str, expected: &[u8]) -> Result<(), VerifyError> {
    // Exactly the lowercase hex the signer writes: another spelling is
    // another request.
    if received.len() == expected.len() && bool::from(received.as_bytes().ct_eq(expected)) {
        Ok(())
    } else {
        Err(VerifyError::SignatureMismatch)
    }
}

fn check_token(creds: &Credentials, received: Option<&str>) -> Result<(), VerifyError> {
    match (creds.session_token(), received) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(VerifyError::MissingSecurityToken),
        (None, Some(_)) => Err(VerifyError::SecurityTokenMismatch),
        (Some(want), Some(got)) => {
            if want.len() == got.len() && bool::from(want.as_bytes().ct_eq(got.as_bytes())) {
                Ok(())
            } else {
                Err(VerifyError::SecurityTokenMismatch)
            }
        }
    }
}

fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The `X-Amz-*` parameters of a presigned query, decoded; each at most once.
fn query_claims(query: &str) -> Result<Claims, VerifyError> {
    let mut found: [Option<String>; 7] = Default::default();
    const NAMES: [&str; 7] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Expires",
        "X-Amz-Security-Token",
    ];
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        let name = percent_decode_str(name).decode_utf8_lossy();
        if let Some(i) = NAMES.iter().position(|n| *n == name) {
            if found[i].is_some() {
                return Err(VerifyError::MalformedParameter {
                    name: NAMES[i],
                    reason: "appears more than once",
                });
            }
            found[i] = Some(percent_decode_str(value).decode_utf8_lossy().into_owned());
        }
    }
    let [
        algorithm,
        credential,
        date,
        signed_headers,
        signature,
        expires,
        token,
    ] = found;
    let algorithm = algorithm.ok_or(VerifyError::NotSigned {
        expected: "X-Amz-Algorithm query parameter",
    })?;
    let need = |v: Option<String>, name| v.ok_or(VerifyError::MissingParameter { name });
    Ok(Claims {
        algorithm,
        credential: need(credential, "X-Amz-Credential")?,
        date: need(date, "X-Amz-Date")?,
        signed_headers: need(signed_headers, "X-Amz-SignedHeaders")?,
        signature: need(signature, "X-Amz-Signature")?,
        expires,
        token,
    })
}

/// An optional `X-Amz-Content-Sha256` query parameter.
fn content_sha256_param(query: &str) -> Result<Option<Payload<'static>>, VerifyError> {
    for piece in query.split('&') {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        if name == "X-Amz-Content-Sha256" {
            let value = percent_decode_str(value).decode_utf8_lossy();
            if value == UNSIGNED_PAYLOAD {
                return Ok(Some(Payload::Unsigned));
            }
            return Payload::sha256_hex(&value).map(Some).map_err(|_| {
                VerifyError::MalformedParameter {
                    name: "X-Amz-Content-Sha256",
                    reason: "not a hex SHA-256 or UNSIGNED-PAYLOAD",
                }
            });
        }
    }
    Ok(None)
}

/// The one value of a header, if present; an error if repeated.
fn single<'a>(
    request: &ReceivedRequest<'a>,
    name: &'static str,
) -> Result<Option<&'a str>, VerifyError> {
    let mut values = request.values(name);
    let first = values.next();
    if values.next().is_some() {
        return Err(VerifyError::MalformedParameter {
            name,
            reason: "appears more than once",
        });
    }
    Ok(first.map(str::trim))
}

/// The claims of an `Authorization` header, and the headers that go with it.
fn header_claims(request: &ReceivedRequest<'_>) -> Result<Claims, VerifyError> {
    let auth = single(request, "authorization")?.ok_or(VerifyError::NotSigned {
        expected: "Authorization header",
    })?;
    let (algorithm, rest) = auth.split_once(' ').unwrap_or((auth, ""));
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').unwrap_or((part.trim(), ""));
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(v.to_owned()).is_some() {
            return Err(VerifyError::MalformedParameter {
                name: "Authorization",
                reason: "a component appears more than once",
            });
        }
    }
    let date = single(request, "x-amz-date")?
        .ok_or(VerifyError::MissingParameter { name: "x-amz-date" })?;
    Ok(Claims {
        algorithm: algorithm.to_owned(),
        credential: credential.ok_or(VerifyError::MissingParameter { name: "Credential" })?,
        date: date.to_owned(),
        signed_headers: signed_headers.ok_or(VerifyError::MissingParameter {
            name: "SignedHeaders",
        })?,
        signature: signature.ok_or(VerifyError::MissingParameter { name: "Signature" })?,
        expires: None,
        token: single(request, "x-amz-security-token")?.map(str::to_owned),
    })
}

/// The policy's `expiration` as Unix seconds (`2015-12-30T12:00:00.000Z`).
fn policy_expiration(policy: &str) -> Result<i64, VerifyError> {
    let bad = || VerifyError::MalformedPolicy {
        reason: "no valid \"expiration\" (expected YYYY-MM-DDTHH:MM:SS[.sss]Z)".into(),
    };
    let doc: serde_json::Value =
        serde_json::from_str(policy).map_err(|e| VerifyError::MalformedPolicy {
            reason: format!("the policy is not JSON: {e}"),
        })?;
    let text = doc
        .get("expiration")
        .and_then(|v| v.as_str())
        .ok_or_else(bad)?;
    let b = text.as_bytes();
    // ASCII first: every slice below is then on a character boundary.
    if !text.is_ascii()
        || b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || !text.ends_with('Z')
    {
        return Err(bad());
    }
    let frac = &text[19..text.len() - 1];
    if !(frac.is_empty()
        || (frac.starts_with('.')
            && frac.len() > 1
            && frac[1..].bytes().all(|c| c.is_ascii_digit())))
    {
        return Err(bad());
    }
    let compact = format!(
        "{}{}{}T{}{}{}Z",
        &text[0..4],
        &text[5..7],
        &text[8..10],
        &text[11..13],
        &text[14..16],
        &text[17..19]
    );
    SigningTime::parse_amz_date(&compact)
        .map(|t| t.unix_timestamp())
        .map_err(|_| bad())
}

/// Fields S3 does not require a condition for.
fn exempt(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f == "x-amz-signature" || f == "file" || f == "policy" || f.starts_with("x-ignore-")
}

fn check_conditions(
    conditions: &[Condition],
    fields: &[(&str, &str)],
    file_size: u64,
    bucket: &str,
) -> Result<(), VerifyError> {
    let value_of = |name: &str| -> Option<&str> {
        if name.eq_ignore_ascii_case("bucket") {
            return Some(bucket);
        }
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    };
    for c in conditions {
        let (field, failure) = match c {
            Condition::Eq { field, value } => (
                field.as_str(),
                match value_of(field) {
                    Some(v) if v == value => None,
                    Some(_) => Some("the value differs from the policy's"),
                    None => Some("the policy requires this field"),
                },
            ),
            Condition::StartsWith { field, prefix } => (
                field.as_str(),
                match value_of(field) {
                    Some(v) if v.starts_with(prefix.as_str()) => None,
                    Some(_) => Some("the value does not start with the policy's prefix"),
                    None => Some("the policy requires this field"),
                },
            ),
            Condition::ContentLengthRange { min, max } => (
                "content-length",
                (file_size < *min || file_size > *max)
                    .then_some("the file size is outside content-length-range"),
            ),
        };
        if let Some(reason) = failure {
            return Err(VerifyError::PolicyViolation {
                field: excerpt(field),
                reason,
            });
        }
    }
    for (name, _) in fields {
        let covered = exempt(name)
            || conditions
                .iter()
                .any(|c| c.field().is_some_and(|f| f.eq_ignore_ascii_case(name)));
        if !covered {
            return Err(VerifyError::FieldNotInPolicy {
                field: excerpt(name),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::{Bucket, PostKey};

    fn creds() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .unwrap()
    }

    fn verifier() -> Verifier<impl Fn(&str) -> Option<Credentials>> {
        let known = creds();
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
    }

    fn at(s: &str) -> SigningTime {
        SigningTime::parse_amz_date(s).unwrap()
    }

    // The S3 documentation's presigned GET (sigv4-query-string-auth.html).
    const TARGET: &str = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
        &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
        &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
        &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    #[test]
    fn the_signature_is_compared_exactly() {
        let host = "examplebucket.s3.amazonaws.com";
        let ok = ReceivedRequest::new("GET", TARGET).header("host", host);
        assert!(
            verifier()
                .verify_presigned(&ok, at("20130524T000000Z"))
                .is_ok()
        );
        let upper = TARGET.replace("aeeed9bb", "AEEED9BB");
        let upper = ReceivedRequest::new("GET", &upper).header("host", host);
        assert_eq!(
            verifier().verify_presigned(&upper, at("20130524T000000Z")),
            Err(VerifyError::SignatureMismatch)
        );
    }

    #[test]
    fn policy_expirations_are_parsed_strictly() {
        assert_eq!(
            policy_expiration(r#"{"expiration":"2015-12-30T12:00:00.000Z"}"#),
            Ok(1_451_476_800)
        );
        assert_eq!(
            policy_expiration(r#"{"expiration":"2015-12-30T12:00:00Z"}"#),
            Ok(1_451_476_800)
        );
        for bad in [
            r#"{"expiration":"2015-12-30T12:00:0é.000Z"}"#,
            r#"{"expiration":"2015-12-30T12:00:00.Z"}"#,
            r#"{"expiration":"2015-12-30 12:00:00Z"}"#,
            r#"{"expiration":1}"#,
            r#"{}"#,
            "not json",
        ] {
            assert!(policy_expiration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_explicit_path_mode_survives_a_service_change() {
        let v = verifier()
            .path_mode(PathMode::S3)
            .service(Service::new("execute-api").unwrap());
        assert_eq!(v.effective_path_mode(), PathMode::S3);
        let v = verifier().service(Service::new("execute-api").unwrap());
        assert_eq!(v.effective_path_mode(), PathMode::Standard);
    }

    #[test]
    fn post_forms_from_the_future_or_for_another_bucket_are_refused() {
        let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
        let post = bucket
            .post_policy(
                PostKey::new("k"),
                at("20260524T120000Z"),
                Duration::from_secs(3600),
            )
            .sign(&creds())
            .unwrap();
        let fields: Vec<(&str, &str)> = post
            .fields()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let v = verifier();
        assert!(
            v.verify_post(&fields, 1, "examplebucket", at("20260524T120100Z"))
                .is_ok()
        );
        assert!(matches!(
            v.verify_post(&fields, 1, "examplebucket", at("20260524T114000Z")),
            Err(VerifyError::NotYetValid { .. })
        ));
        let mut other = fields.clone();
        other.push(("bucket", "otherbucket"));
        assert!(matches!(
            v.verify_post(&other, 1, "examplebucket", at("20260524T120100Z")),
            Err(VerifyError::PolicyViolation { .. })
        ));
    }
}
