//! Session credentials for one directory bucket, refreshed ahead of expiry.

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{CreateSession, CreateSessionRequest, parse_create_session_response};
use crate::credentials::Credentials;
use crate::provider::{CachingProvider, ProvideCredentials, ProviderError};
use crate::time::SigningTime;

type Refresh = Box<dyn Fn(SigningTime) -> Result<Credentials, ProviderError> + Send + Sync>;

/// How long before a session's expiry a new one is asked for by default:
/// a minute (sessions last about five; botocore refreshes 45 s ahead).
pub const DEFAULT_SESSION_REFRESH_BEFORE: Duration = Duration::from_secs(60);

/// Serves S3 Express session credentials for one directory bucket, calling
/// `CreateSession` ahead of each session's expiry.
///
/// Each refresh takes credentials from the `base` provider (your ordinary
/// credentials), signs a [`CreateSession`] request with them, hands it to
/// your `transport` (which sends it and returns the answer's body, or a
/// message saying why not: it must hold no secret), and reads the answer
/// with [`parse_create_session_response`]. A [`CachingProvider`] keeps the
/// session: concurrent callers share one refresh, and a failed refresh
/// keeps a session that still works.
///
/// Sign with what [`credentials`](ProvideCredentials::credentials) returns
/// using a `Signer` for service `s3express` in the bucket's region: it
/// refuses a URL that would outlive the session
/// ([`Error::CredentialsExpireFirst`](crate::Error::CredentialsExpireFirst)),
/// or shortens it with
/// [`clamp_expiry_to_credentials`](crate::Signer::clamp_expiry_to_credentials).
///
/// ```
/// use presign::provider::{ProvideCredentials, StaticProvider};
/// use presign::s3::express::{CreateSession, CreateSessionRequest, DirectoryBucket, SessionProvider};
/// use presign::{Credentials, Region, SigningTime};
///
/// let bucket = DirectoryBucket::parse("mybucket--usw2-az1--x-s3")?;
/// let base = StaticProvider::new(Credentials::new("AKIDEXAMPLE", "secret")?);
/// // Your HTTP client goes here: send request.method(), request.url() and
/// // request.headers(), return the body (or an error message).
/// let transport = |request: &CreateSessionRequest| -> Result<String, String> {
///     assert!(request.url().ends_with("/?session"));
///     Ok("<CreateSessionResult><Credentials><AccessKeyId>ASIASESSION</AccessKeyId>\
///         <SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
///         <Expiration>2026-05-24T12:05:00Z</Expiration></Credentials></CreateSessionResult>".into())
/// };
/// let sessions = SessionProvider::new(CreateSession::new(&bucket, Region::new("us-west-2")?), base, transport);
/// let session = sessions.credentials(SigningTime::parse_amz_date("20260524T120000Z")?)?;
/// assert!(session.is_s3_express_session());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SessionProvider {
    bucket: String,
    cache: CachingProvider<Refresh>,
}

impl SessionProvider {
    /// A provider of sessions made by `create_session`, signed with
    /// credentials from `base`, sent by `transport`; sessions are renewed
    /// [`DEFAULT_SESSION_REFRESH_BEFORE`] ahead of their expiry.
    pub fn new<B, T>(create_session: CreateSession, base: B, transport: T) -> Self
    where
        B: ProvideCredentials + 'static,
        T: Fn(&CreateSessionRequest) -> Result<String, String> + Send + Sync + 'static,
    {
        let bucket = create_session.bucket().name().to_owned();
        let refresh: Refresh = Box::new(move |now: SigningTime| {
            let base = base.credentials(now)?;
            let request = create_session
                .sign(&base, now)
                .map_err(ProviderError::Signing)?;
            let body = transport(&request).map_err(|reason| ProviderError::Refresh {
                reason: format!("createsession failed: {reason}"),
            })?;
            parse_create_session_response(&body).map_err(ProviderError::Invalid)
        });
        SessionProvider {
            bucket,
            cache: CachingProvider::new(refresh).refresh_before(DEFAULT_SESSION_REFRESH_BEFORE),
        }
    }

    /// How long before a session's expiry to ask for a new one (default
    /// [`DEFAULT_SESSION_REFRESH_BEFORE`]). A margin as long as the
    /// session itself (five minutes) asks for a new session on every call.
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.cache = self.cache.refresh_before(margin);
        self
    }

    /// The directory bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

impl ProvideCredentials for SessionProvider {
    fn credentials(&self, now: SigningTime) -> Result<Arc<Credentials>, ProviderError> {
        self.cache.credentials(now)
    }
}

impl fmt::Debug for SessionProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionProvider")
            .field("bucket", &self.bucket)
            .field("cache", &self.cache)
            .finish()
    }
}
