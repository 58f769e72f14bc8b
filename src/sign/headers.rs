//! The output of header signing: the headers that carry the signature.

use core::fmt;

use crate::credentials::{Credentials, TokenKind};
use crate::encode::Sink;
use crate::signature::Signature;
use crate::string_to_sign::ALGORITHM;
use crate::time::AmzDate;
use crate::wire;

/// What precedes the signature in an `Authorization` value.
const SIGNATURE_PART: &str = ", Signature=";

/// The headers that carry a header-based signature. Add them all to the
/// request: [`iter`](Self::iter) yields `(name, value)` pairs.
///
/// `Debug` redacts the session token and the signature.
#[derive(Clone)]
pub struct AuthorizationHeaders<'c> {
    authorization: String,
    amz_date: AmzDate,
    security_token: Option<&'c str>,
    token_kind: TokenKind,
    content_sha256: Option<([u8; 64], u8)>,
    signature: Signature,
}

impl<'c> AuthorizationHeaders<'c> {
    /// `AWS4-HMAC-SHA256 Credential=.../scope, SignedHeaders=..., Signature=...`
    /// and the other headers, with one allocation.
    pub(crate) fn new(
        credentials: &'c Credentials,
        scope: &str,
        signed_headers: &[u8],
        amz_date: AmzDate,
        content_sha256: Option<&[u8]>,
        signature: Signature,
    ) -> Self {
        let access_key_id = credentials.access_key_id();
        let mut authorization = Vec::with_capacity(
            ALGORITHM.len()
                + " Credential=/".len()
                + access_key_id.len()
                + scope.len()
                + ", SignedHeaders=".len()
                + signed_headers.len()
                + SIGNATURE_PART.len()
                + 64,
        );
        authorization.put(ALGORITHM.as_bytes());
        authorization.put(b" Credential=");
        authorization.put(access_key_id.as_bytes());
        authorization.put_byte(b'/');
        authorization.put(scope.as_bytes());
        authorization.put(b", SignedHeaders=");
        authorization.put(signed_headers);
        authorization.put(SIGNATURE_PART.as_bytes());
        authorization.put(signature.to_hex().as_bytes());
        let content_sha256 = content_sha256.map(|hash| {
            let mut text = [0u8; 64];
            let n = hash.len().min(64);
            text[..n].copy_from_slice(&hash[..n]);
            (text, n as u8)
        });
        AuthorizationHeaders {
            // Built from validated UTF-8 input and ASCII; never lossy.
            authorization: String::from_utf8(authorization)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            amz_date,
            security_token: credentials.session_token(),
            token_kind: credentials.session_token_kind(),
            content_sha256,
            signature,
        }
    }

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
            .filter(|_| self.token_kind == TokenKind::Security)
    }

    /// The `x-amz-s3session-token` header value, with S3 Express One Zone
    /// session credentials
    /// ([`Credentials::with_s3_express_session_token`]).
    pub fn x_amz_s3session_token(&self) -> Option<&'c str> {
        self.security_token
            .filter(|_| self.token_kind == TokenKind::S3Session)
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
            Some((wire::header::AUTHORIZATION, self.authorization())),
            Some((wire::header::X_AMZ_DATE, self.x_amz_date())),
            self.security_token.map(|t| (self.token_kind.header(), t)),
            self.x_amz_content_sha256()
                .map(|h| (wire::header::X_AMZ_CONTENT_SHA256, h)),
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
                "session_token",
                &self.security_token.map(|_| "** redacted **"),
            )
            .field("x_amz_content_sha256", &self.x_amz_content_sha256())
            .finish()
    }
}
