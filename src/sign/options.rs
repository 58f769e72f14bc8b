//! What every signer is configured with, whatever its algorithm (SigV4's
//! [`Signer`](super::Signer), SigV4a's `Signer4a`): how paths are
//! canonicalized, how the session token travels, whether header signing
//! signs `x-amz-content-sha256`, and the expiry rules of presigning; and,
//! from those, what the signer adds to a request ([`Auth`]).

use std::time::Duration;

use super::{MAX_EXPIRES, SessionTokenMode, SignatureLocation};
use crate::canonical::Auth;
use crate::credentials::Credentials;
use crate::encode::PathMode;
use crate::error::Error;
use crate::request::{Parts, Payload, SignableRequest};
use crate::scope::Service;
use crate::time::{AmzDate, SigningTime};

/// A signer's options; each signer's builder methods set them
/// ([`option_setters`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignerOptions {
    pub(crate) path_mode: PathMode,
    pub(crate) token_mode: SessionTokenMode,
    pub(crate) content_sha256: bool,
    pub(crate) max_expires: Duration,
    pub(crate) clamp_to_credentials: bool,
}

/// The start of a presigned query, as the signer's key or scope wrote it.
pub(crate) struct QueryHead<'a> {
    /// `X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Date=`.
    pub(crate) head: &'a str,
    /// The `X-Amz-Credential` value in it, query-encoded.
    pub(crate) credential: &'a str,
}

/// SigV4a's region set: as the `x-amz-region-set` header carries it, and
/// query-encoded for `X-Amz-Region-Set`.
pub(crate) struct RegionSet<'a> {
    pub(crate) header: &'a str,
    pub(crate) query: &'a str,
}

impl SignerOptions {
    /// The defaults for a service: the path mode AWS uses for it, signed
    /// session tokens, `x-amz-content-sha256` for the S3 services, a 7-day
    /// expiry cap, no clamping.
    pub(crate) fn for_service(service: &Service) -> Self {
        SignerOptions {
            path_mode: PathMode::for_service(service.as_str()),
            token_mode: SessionTokenMode::Signed,
            content_sha256: service.is_s3_like(),
            max_expires: MAX_EXPIRES,
            clamp_to_credentials: false,
        }
    }

    /// The parts of `request` a signer for `service` signs at `location`:
    /// with this path mode, and the payload given or the service's default
    /// there ([`SignatureLocation::default_payload`]).
    pub(crate) fn parts<'r>(
        &self,
        request: &'r SignableRequest<'r>,
        service: &Service,
        location: SignatureLocation,
    ) -> Parts<'r> {
        let payload = request.payload_or(location.default_payload(service));
        request.parts(self.path_mode, payload)
    }

    /// Whether the session token is part of what is signed.
    pub(crate) fn signs_token(&self) -> bool {
        self.token_mode == SessionTokenMode::Signed
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

    /// What the signer adds to the request at `location`: `x-amz-date`,
    /// the token and `x-amz-content-sha256` as headers, or the `X-Amz-*`
    /// query parameters after `query` (whose expiry is checked here).
    /// SigV4a adds its region set.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn auth<'a>(
        &self,
        creds: &'a Credentials,
        time: SigningTime,
        amz_date: &'a AmzDate,
        location: SignatureLocation,
        payload: &Payload<'_>,
        query: QueryHead<'a>,
        region_set: Option<RegionSet<'a>>,
    ) -> Result<Auth<'a>, Error> {
        let signed_token = self.signs_token();
        let streaming = matches!(payload, Payload::Streaming(_));
        Ok(match location {
            // A streaming body is announced by x-amz-content-sha256, which
            // is then always sent.
            SignatureLocation::Headers => Auth::Header {
                amz_date,
                token: creds.session_token().filter(|_| signed_token),
                token_kind: creds.session_token_kind(),
                content_sha256: self.content_sha256 || streaming,
                region_set: region_set.map(|r| r.header),
            },
            SignatureLocation::Query { .. } if streaming => {
                return Err(Error::InvalidStreamingUpload {
                    reason: "a streaming payload is signed with an authorization header, not presigned",
                });
            }
            SignatureLocation::Query { expires_in } => Auth::Query {
                query_head: query.head,
                credential: query.credential,
                amz_date,
                expires: self.check_expiry(expires_in, creds, time)?,
                token_encoded: creds.session_token_query_encoded().filter(|_| signed_token),
                token_kind: creds.session_token_kind(),
                region_set: region_set.map(|r| r.query),
            },
        })
    }
}

/// The builder methods every signer has, over its `options` field: one
/// definition for SigV4's and SigV4a's signers.
macro_rules! option_setters {
    () => {
        /// Overrides the path mode.
        #[must_use]
        pub fn path_mode(mut self, mode: $crate::PathMode) -> Self {
            self.options.path_mode = mode;
            self
        }

        /// Sets how the session token of temporary credentials is carried.
        #[must_use]
        pub fn session_token_mode(mut self, mode: $crate::SessionTokenMode) -> Self {
            self.options.token_mode = mode;
            self
        }

        /// With header signing, whether to also send and sign
        /// `x-amz-content-sha256` (S3 requires it on every header-signed
        /// request). The default is on for the S3 services and off for
        /// others (see [`new`](Self::new)). Query signing (presigning)
        /// never adds it.
        #[must_use]
        pub fn sign_content_sha256(mut self, yes: bool) -> Self {
            self.options.content_sha256 = yes;
            self
        }

        /// Raises or lowers the longest expiry [`presign`](Self::presign)
        /// accepts (default and AWS's limit: 7 days), for providers that
        /// allow longer. Expiries are always at least one second.
        #[must_use]
        pub fn max_expires(mut self, max: ::std::time::Duration) -> Self {
            self.options.max_expires = max;
            self
        }

        /// When temporary credentials expire before a presigned request
        /// would, shorten the request's expiry to theirs instead of failing
        /// with [`Error::CredentialsExpireFirst`](crate::Error::CredentialsExpireFirst).
        #[must_use]
        pub fn clamp_expiry_to_credentials(mut self, yes: bool) -> Self {
            self.options.clamp_to_credentials = yes;
            self
        }
    };
}

pub(crate) use option_setters;
