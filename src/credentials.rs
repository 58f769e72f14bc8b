//! AWS credentials: access key id, secret access key, optional session token
//! and optional expiry.

use core::fmt;

use time::OffsetDateTime;
use zeroize::{Zeroize, Zeroizing};

use crate::encode;
use crate::error::Error;

/// A set of AWS credentials.
///
/// The secret access key and the session token are zeroized when the value is
/// dropped and are redacted in `Debug`; no error message ever contains them.
/// There is deliberately no `PartialEq`: compare access key ids instead.
///
/// ```
/// use presign::Credentials;
///
/// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?
///     .with_session_token("FwoGZXIvYXdzEXAMPLE")?;
/// let shown = format!("{creds:?}");
/// assert!(shown.contains("AKIAIOSFODNN7EXAMPLE"));
/// assert!(!shown.contains("wJalrXUtnFEMI"));
/// assert!(!shown.contains("FwoGZXIvYXdzEXAMPLE"));
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Option<SessionToken>,
    expires_at: Option<OffsetDateTime>,
    /// Identifies (access key id, secret) in the signing-key cache without
    /// keeping another clear copy of the secret: a domain-separated SHA-256.
    cache_id: CacheId,
}

#[derive(Clone)]
struct SessionToken {
    kind: TokenKind,
    raw: Zeroizing<String>,
    /// The token percent-encoded for a query string, computed once per
    /// credentials rather than once per presigned URL.
    query_encoded: Zeroizing<String>,
}

/// Which header and query parameter carry a session token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Temporary credentials (STS, SSO, instance roles, ...):
    /// `x-amz-security-token` / `X-Amz-Security-Token`.
    #[default]
    Security,
    /// S3 Express One Zone session credentials (from `CreateSession`):
    /// `x-amz-s3session-token` / `X-Amz-S3session-Token`.
    S3Session,
}

impl TokenKind {
    /// The header that carries the token in header signing.
    pub(crate) fn header(self) -> &'static str {
        match self {
            TokenKind::Security => crate::wire::header::X_AMZ_SECURITY_TOKEN,
            TokenKind::S3Session => crate::wire::header::X_AMZ_S3SESSION_TOKEN,
        }
    }

    /// The query parameter that carries the token in a presigned URL.
    pub(crate) fn query(self) -> &'static str {
        match self {
            TokenKind::Security => crate::wire::query::X_AMZ_SECURITY_TOKEN,
            TokenKind::S3Session => crate::wire::query::X_AMZ_S3SESSION_TOKEN,
        }
    }
}

/// A one-way fingerprint of an access key id and secret, used as part of the
/// signing-key cache key so that a rotated secret never hits a stale entry.
///
/// Held as four words, so that comparing two (on every signature, against
/// the thread's last key) is four integer compares.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CacheId([u64; 4]);

impl Zeroize for CacheId {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Credentials {
    /// Long-term (or any) credentials from an access key id and a secret
    /// access key.
    ///
    /// Fails with [`Error::InvalidAccessKeyId`] when the id is empty, longer
    /// than 128 bytes, or contains anything but visible ASCII other than `/`
    /// and `,` (which would break the credential scope), and with
    /// [`Error::InvalidSecretKey`] when the secret is empty.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Result<Self, Error> {
        let access_key_id = access_key_id.into();
        let secret_access_key = Zeroizing::new(secret_access_key.into());
        validate_access_key_id(&access_key_id)?;
        if secret_access_key.is_empty() {
            return Err(Error::InvalidSecretKey { reason: "empty" });
        }
        let cache_id = CacheId::of(&access_key_id, &secret_access_key);
        Ok(Credentials {
            access_key_id,
            secret_access_key,
            session_token: None,
            expires_at: None,
            cache_id,
        })
    }

    /// Adds the session token of temporary credentials (from STS, an
    /// instance profile, SSO, ...).
    ///
    /// Fails with [`Error::InvalidSessionToken`] when it is empty or contains
    /// whitespace or a control character (it is sent as a header or query
    /// value; real tokens are base64 text).
    pub fn with_session_token(self, token: impl Into<String>) -> Result<Self, Error> {
        self.with_token(TokenKind::Security, token.into())
    }

    /// Adds the session token of S3 Express One Zone session credentials,
    /// as `CreateSession` returns them with their own access key id, secret
    /// and expiry. Requests signed with them (for service `s3express`)
    /// carry the token as `x-amz-s3session-token` (header signing) or
    /// `X-Amz-S3session-Token` (presigned URLs), never as
    /// `X-Amz-Security-Token`.
    ///
    /// Fails as [`with_session_token`](Self::with_session_token) does.
    ///
    /// ```
    /// use presign::Credentials;
    ///
    /// // The three values of CreateSession's answer.
    /// let session = Credentials::new("ASIAEXPRESSSESSION", "session/secret")?
    ///     .with_s3_express_session_token("IQoJb3JpZ2luX2VjEXPRESS")?;
    /// assert_eq!(session.session_token(), Some("IQoJb3JpZ2luX2VjEXPRESS"));
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn with_s3_express_session_token(self, token: impl Into<String>) -> Result<Self, Error> {
        self.with_token(TokenKind::S3Session, token.into())
    }

    fn with_token(mut self, kind: TokenKind, token: String) -> Result<Self, Error> {
        let raw = Zeroizing::new(token);
        if raw.is_empty() {
            return Err(Error::InvalidSessionToken { reason: "empty" });
        }
        if raw.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(Error::InvalidSessionToken {
                reason: "contains whitespace or a control character",
            });
        }
        let mut encoded = Zeroizing::new(Vec::with_capacity(encode::query_component_len(
            raw.as_bytes(),
        )));
        encode::write_query_component(raw.as_bytes(), &mut encoded);
        // Moves the (ASCII) buffer into the String without copying it.
        let query_encoded =
            Zeroizing::new(String::from_utf8(core::mem::take(&mut *encoded)).unwrap_or_default());
        self.session_token = Some(SessionToken {
            kind,
            raw,
            query_encoded,
        });
        Ok(self)
    }

    /// Records when these (temporary) credentials stop working.
    #[must_use]
    pub fn with_expiry(mut self, expires_at: OffsetDateTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key. Handle with care: never log it.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token, if these are temporary credentials. Handle with
    /// care: never log it.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_ref().map(|t| t.raw.as_str())
    }

    /// The session token percent-encoded for a query string.
    pub(crate) fn session_token_query_encoded(&self) -> Option<&str> {
        self.session_token
            .as_ref()
            .map(|t| t.query_encoded.as_str())
    }

    /// Which name carries the session token.
    pub(crate) fn session_token_kind(&self) -> TokenKind {
        self.session_token
            .as_ref()
            .map_or(TokenKind::Security, |t| t.kind)
    }

    /// Whether these are S3 Express One Zone session credentials.
    pub fn is_s3_express_session(&self) -> bool {
        self.session_token_kind() == TokenKind::S3Session
    }

    /// When these credentials expire, if known.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at
    }

    pub(crate) fn cache_id(&self) -> CacheId {
        self.cache_id
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        // The secret and token are `Zeroizing`; the fingerprint is not secret
        // but is cleared too, as it is derived from the secret.
        self.cache_id.zeroize();
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl CacheId {
    /// SHA-256 over a domain prefix, the length-prefixed access key id and the
    /// secret. The message is assembled in a buffer that is zeroized on drop.
    fn of(access_key_id: &str, secret: &str) -> Self {
        const DOMAIN: &[u8] = b"presign signing-key cache id v1\0";
        let mut msg = Zeroizing::new(Vec::with_capacity(
            DOMAIN.len() + 8 + access_key_id.len() + secret.len(),
        ));
        msg.extend_from_slice(DOMAIN);
        msg.extend_from_slice(&(access_key_id.len() as u64).to_be_bytes());
        msg.extend_from_slice(access_key_id.as_bytes());
        msg.extend_from_slice(secret.as_bytes());
        let mut digest = crate::mac::sha256_secret(&msg);
        let (words, _) = digest.as_chunks::<8>();
        let id = CacheId(core::array::from_fn(|i| u64::from_ne_bytes(words[i])));
        digest.zeroize();
        id
    }
}

fn validate_access_key_id(id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::InvalidAccessKeyId { reason: "empty" });
    }
    if id.len() > 128 {
        return Err(Error::InvalidAccessKeyId {
            reason: "longer than 128 bytes",
        });
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'/' && b != b',')
    {
        return Err(Error::InvalidAccessKeyId {
            reason: "only visible ASCII other than '/' and ',' is allowed",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn debug_redacts_secret_and_token() {
        let c = Credentials::new("AKIAIOSFODNN7EXAMPLE", SECRET)
            .unwrap()
            .with_session_token("tok/en+value")
            .unwrap();
        let d = format!("{c:?} {c:#?}");
        assert!(d.contains("AKIAIOSFODNN7EXAMPLE"));
        assert!(!d.contains("wJalrXUtnFEMI"));
        assert!(!d.contains("tok/en"));
        assert!(!d.contains("tok%2Fen"));
        assert_eq!(c.session_token_query_encoded(), Some("tok%2Fen%2Bvalue"));
    }

    #[test]
    fn rejects_bad_inputs_without_echoing_secrets() {
        assert!(matches!(
            Credentials::new("", SECRET),
            Err(Error::InvalidAccessKeyId { .. })
        ));
        assert!(Credentials::new("AKID/X", SECRET).is_err());
        assert!(Credentials::new("AKID X", SECRET).is_err());
        assert!(matches!(
            Credentials::new("AKID", ""),
            Err(Error::InvalidSecretKey { .. })
        ));
        let e = Credentials::new("AKID", SECRET)
            .unwrap()
            .with_session_token("secret\ntoken")
            .unwrap_err();
        assert!(!e.to_string().contains("secret"));
        assert!(!format!("{e:?}").contains("token\""));
    }

    #[test]
    fn cache_id_covers_the_secret() {
        let a = Credentials::new("AKID", "secret-1").unwrap();
        let b = Credentials::new("AKID", "secret-2").unwrap();
        let c = Credentials::new("AKID", "secret-1").unwrap();
        assert!(a.cache_id() != b.cache_id());
        assert!(a.cache_id() == c.cache_id());
        // Length-prefixing keeps ("AB", "C") apart from ("A", "BC").
        let d = Credentials::new("AB", "C").unwrap();
        let e = Credentials::new("A", "BC").unwrap();
        assert!(d.cache_id() != e.cache_id());
    }
}
