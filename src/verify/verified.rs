//! What a verified request was signed with.

use core::fmt;

use subtle::ConstantTimeEq;

use super::VerifyError;
use super::body::BodyCheck;
use super::claims::Credential;
use super::signed_headers::SignedHeaders;
use crate::mac::sha256;
use crate::signature::Signature;
use crate::time::SigningTime;

/// What a verified request was signed with, borrowed from the request.
#[derive(Clone, PartialEq, Eq)]
pub struct Verified<'r> {
    pub(super) credential: Credential<'r>,
    pub(super) signed_headers: SignedHeaders<'r>,
    pub(super) signed_at: SigningTime,
    pub(super) expires_at: Expiry,
    pub(super) body: BodyCheck,
    pub(super) headers: &'r [(&'r str, &'r str)],
    /// The request's SigV4 signature: the seed of a streaming body's chain
    /// (`None` for SigV4a, whose streaming bodies are refused).
    pub(super) signature: Option<Signature>,
}

impl<'r> Verified<'r> {
    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        self.credential.access_key_id()
    }

    /// The region of the credential scope (empty for SigV4a, whose scope
    /// has none: its regions are the region set).
    pub fn region(&self) -> &str {
        self.credential.region()
    }

    /// The service of the credential scope.
    pub fn service(&self) -> &str {
        self.credential.service()
    }

    /// The credential scope, `date/region/service/aws4_request`
    /// (`date/service/aws4_request` for SigV4a).
    pub fn scope(&self) -> impl fmt::Display + '_ {
        ScopeText(&self.credential)
    }

    /// The signed headers, lowercase, as listed in the signature.
    pub fn signed_headers(&self) -> &SignedHeaders<'r> {
        &self.signed_headers
    }

    /// The headers the request carried that the signature does not cover
    /// (never an `x-amz-*` one, which is refused; `x-amz-security-token`
    /// aside when the token is added after signing). They are the
    /// client's, not the signer's: decide what they may do.
    pub fn unsigned_headers(&self) -> impl Iterator<Item = (&'r str, &'r str)> + '_ {
        self.headers
            .iter()
            .copied()
            .filter(|(name, _)| !self.signed_headers.contains(name))
    }

    /// When the request was signed.
    pub fn signed_at(&self) -> SigningTime {
        self.signed_at
    }

    /// When a presigned request stops being valid (`None` for header
    /// signing).
    pub fn expires_at(&self) -> Option<SigningTime> {
        self.expires_at.time()
    }

    /// What the signature says about the body, and what is left to check.
    pub fn body(&self) -> BodyCheck {
        self.body
    }

    /// Checks the SHA-256 of the body as received against the signed one
    /// (in constant time). `Ok` when the body was checked already or is
    /// not signed.
    pub fn check_body_sha256(&self, sha256: &[u8; 32]) -> Result<(), VerifyError> {
        match self.body {
            BodyCheck::Sha256(signed) if !bool::from(signed.ct_eq(sha256)) => {
                Err(VerifyError::PayloadHashMismatch)
            }
            _ => Ok(()),
        }
    }

    /// [`check_body_sha256`](Self::check_body_sha256) of a whole body.
    pub fn check_body(&self, body: &[u8]) -> Result<(), VerifyError> {
        match self.body {
            BodyCheck::Sha256(_) => self.check_body_sha256(&sha256(body)),
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for Verified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials (an SSE-C key): names only.
        f.debug_struct("Verified")
            .field("access_key_id", &self.access_key_id())
            .field("scope", &self.scope().to_string())
            .field("signed_headers", &self.signed_headers.to_string())
            .field("signed_at", &self.signed_at)
            .field("expires_at", &self.expires_at())
            .field("body", &self.body)
            .finish()
    }
}

/// When a presigned request stops being valid, as a Unix time (`None` for
/// header signing, or past any time): made a [`SigningTime`] only when
/// asked for, which costs a calendar conversion.
#[derive(Clone, Copy)]
pub(super) struct Expiry(pub(super) Option<i64>);

impl Expiry {
    pub(super) fn time(self) -> Option<SigningTime> {
        self.0
            .and_then(|end| SigningTime::from_unix_timestamp(end).ok())
    }
}

impl PartialEq for Expiry {
    fn eq(&self, other: &Self) -> bool {
        self.time() == other.time()
    }
}

impl Eq for Expiry {}

pub(super) struct ScopeText<'a, 'r>(pub(super) &'a Credential<'r>);

impl fmt::Display for ScopeText<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        if c.region().is_empty() {
            // SigV4a: no region.
            return write!(f, "{}/{}/{}", c.date(), c.service(), c.terminator());
        }
        write!(
            f,
            "{}/{}/{}/{}",
            c.date(),
            c.region(),
            c.service(),
            c.terminator()
        )
    }
}
