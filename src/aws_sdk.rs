//! The AWS SDK's credentials (feature `aws-credential-types`): every source
//! the SDK resolves (environment, profiles, SSO, web identity, container and
//! instance roles) behind this crate's synchronous signing path.
//!
//! - [`Credentials`] converts from the SDK's
//!   [`aws_credential_types::Credentials`] with `TryFrom`, keeping the session
//!   token and the expiry.
//! - [`SdkCredentialsProvider`] wraps any SDK
//!   [`ProvideCredentials`](aws_credential_types::provider::ProvideCredentials)
//!   (`aws-config`'s default chain, for instance) in a cache that signing
//!   reads synchronously, through [`provider::ProvideCredentials`].
//!
//! The SDK's providers are async and this crate has no async runtime, so the
//! cache is refreshed by async calls that you drive: [`refresh`] once at
//! start-up, then either [`refresh_loop`] spawned on your runtime (it sleeps
//! with the sleep function you pass, e.g. `tokio::time::sleep`, until the
//! credentials are due for renewal, 5 minutes before they expire by
//! default), or [`load`] in your async handlers. Signing never waits for the
//! network: it uses the cached credentials while they are valid.
//!
//! With `aws-config` (a dependency of your service, not of this crate), the
//! whole AWS chain in a few lines:
//!
//! ```
//! # use std::sync::Arc;
//! # use std::time::Duration;
//! # use aws_credential_types::provider::SharedCredentialsProvider;
//! use presign::aws_sdk::SdkCredentialsProvider;
//! use presign::s3::Bucket;
//! use presign::{Region, SigningTime};
//!
//! # async fn sleep(_: Duration) {}
//! # async fn service(chain: SharedCredentialsProvider) -> Result<(), Box<dyn std::error::Error>> {
//! // let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
//! // let chain = config.credentials_provider().expect("a credentials provider");
//! let provider = Arc::new(SdkCredentialsProvider::new(chain));
//! provider.refresh(SigningTime::now()).await?; // fail at start-up, not on the first request
//! let refresher = Arc::clone(&provider).refresh_loop(SigningTime::now, sleep);
//! // tokio::spawn(refresher);          // with `tokio::time::sleep` as the sleep function
//! # drop(refresher);
//!
//! // In a request handler, synchronous: no await, no network.
//! let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
//! let url = bucket
//!     .get_object("reports/summary.pdf")
//!     .presign_with(&*provider, SigningTime::now(), Duration::from_secs(600))?;
//! # let _ = url;
//! # Ok(())
//! # }
//! ```
//!
//! Secrets stay as guarded as anywhere else in the crate: the converted
//! credentials are zeroized on drop and redacted in `Debug`, and an SDK
//! error is reported by its top-level message only (its sources, which can
//! quote configuration files, are left out).
//!
//! [`Credentials`]: crate::Credentials
//! [`provider::ProvideCredentials`]: crate::provider::ProvideCredentials
//! [`refresh`]: SdkCredentialsProvider::refresh
//! [`refresh_loop`]: SdkCredentialsProvider::refresh_loop
//! [`load`]: SdkCredentialsProvider::load

use core::fmt;
use core::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::provider::{
    ProvideCredentials as SdkProvideCredentials, SharedCredentialsProvider,
};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::credentials::Credentials;
use crate::error::Error;
use crate::provider::{ProvideCredentials, ProviderError};
use crate::time::SigningTime;

/// The SDK's credentials as this crate's: the access key id, the secret, the
/// session token and the expiry.
///
/// Fails as [`Credentials::new`] and [`Credentials::with_session_token`]
/// fail (an empty secret, an access key id with a `/`, a token with
/// whitespace...), naming the part and never its value. An expiry beyond the
/// years this crate represents (0000 to 9999) is clamped to them.
impl TryFrom<&aws_credential_types::Credentials> for Credentials {
    type Error = Error;

    fn try_from(sdk: &aws_credential_types::Credentials) -> Result<Self, Error> {
        let mut creds = Credentials::new(sdk.access_key_id(), sdk.secret_access_key())?;
        if let Some(token) = sdk.session_token() {
            creds = creds.with_session_token(token)?;
        }
        if let Some(expiry) = sdk.expiry() {
            creds = creds.with_expiry(offset_date_time(expiry));
        }
        Ok(creds)
    }
}

/// See the conversion from `&aws_credential_types::Credentials`.
impl TryFrom<aws_credential_types::Credentials> for Credentials {
    type Error = Error;

    fn try_from(sdk: aws_credential_types::Credentials) -> Result<Self, Error> {
        Credentials::try_from(&sdk)
    }
}

/// `t` as an `OffsetDateTime`, clamped to the representable years (the
/// `From<SystemTime>` of `time` panics outside them).
fn offset_date_time(t: SystemTime) -> OffsetDateTime {
    let nanos = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => i128::try_from(before.duration().as_nanos()).map_or(i128::MIN, |n| -n),
    };
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or_else(|_| {
        if nanos > 0 {
            PrimitiveDateTime::MAX.assume_utc()
        } else {
            PrimitiveDateTime::MIN.assume_utc()
        }
    })
}

/// How long [`SdkCredentialsProvider::refresh_loop`] waits before trying
/// again after a failed refresh, at first; it doubles up to
/// [`RETRY_MAX`].
pub const RETRY_MIN: Duration = Duration::from_secs(5);
/// The longest wait between two failed refreshes in
/// [`SdkCredentialsProvider::refresh_loop`].
pub const RETRY_MAX: Duration = Duration::from_secs(60);

/// An SDK credentials provider (the `aws-config` chain, or any
/// [`aws_credential_types::provider::ProvideCredentials`]) behind this
/// crate's synchronous [`ProvideCredentials`], with a cache refreshed ahead
/// of expiry by async calls you drive (see the [module](self) docs).
///
/// Signing ([`ProvideCredentials::credentials`], which `presign_with` and
/// `sign_with` call) returns the cached credentials while they are valid at
/// the signing time, even within the refresh margin (it cannot wait for the
/// SDK); once they have expired, or before the first refresh, it fails with
/// the last refresh's error, or [`ProviderError::Expired`] /
/// [`ProviderError::NotLoaded`]. It never reads the clock: every method takes
/// the time.
pub struct SdkCredentialsProvider<P = SharedCredentialsProvider> {
    sdk: P,
    refresh_before: Duration,
    state: RwLock<State>,
    /// Set while a `load` refreshes.
    refreshing: AtomicBool,
}

/// Holds the `refreshing` flag until dropped (also when a refreshing future
/// is dropped before it completes).
struct Refreshing<'a>(&'a AtomicBool);

impl<'a> Refreshing<'a> {
    fn start(flag: &'a AtomicBool) -> Option<Self> {
        (!flag.swap(true, Ordering::AcqRel)).then_some(Refreshing(flag))
    }
}

impl Drop for Refreshing<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

#[derive(Default)]
struct State {
    cached: Option<Arc<Credentials>>,
    /// The last refresh's error, cleared by a successful one.
    last_error: Option<ProviderError>,
}

impl<P: SdkProvideCredentials> SdkCredentialsProvider<P> {
    /// A cache, empty until the first [`refresh`](Self::refresh) or
    /// [`load`](Self::load), in front of `sdk`.
    #[must_use]
    pub fn new(sdk: P) -> Self {
        SdkCredentialsProvider {
            sdk,
            refresh_before: Duration::from_secs(300),
            state: RwLock::new(State::default()),
            refreshing: AtomicBool::new(false),
        }
    }

    /// How long before expiry the credentials are due for a refresh
    /// (default 5 minutes, as [`crate::provider::CachingProvider`]).
    #[must_use]
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = margin;
        self
    }

    /// The SDK provider.
    pub fn sdk(&self) -> &P {
        &self.sdk
    }

    /// The cached credentials, valid or not.
    pub fn cached(&self) -> Option<Arc<Credentials>> {
        self.read(|s| s.cached.clone())
    }

    /// Asks the SDK provider for credentials now and caches them, whatever
    /// the cache holds.
    ///
    /// On failure the cache keeps what it had (signing goes on with it while
    /// it is valid) and the error is remembered for signing to report once
    /// nothing valid is left. Credentials that have already expired at `now`
    /// are refused ([`ProviderError::Expired`]); credentials the SDK gives
    /// that this crate refuses are [`ProviderError::Invalid`]; an SDK error
    /// is [`ProviderError::Refresh`] with its top-level message.
    pub async fn refresh(&self, now: SigningTime) -> Result<Arc<Credentials>, ProviderError> {
        let loaded = self.sdk.provide_credentials().await;
        let result = match loaded {
            Ok(sdk) => match Credentials::try_from(&sdk) {
                Ok(creds) if remaining(&creds, now).is_some_and(|r| r <= 0) => {
                    Err(ProviderError::Expired)
                }
                Ok(creds) => Ok(Arc::new(creds)),
                Err(e) => Err(ProviderError::Invalid(e)),
            },
            Err(e) => Err(ProviderError::Refresh {
                // Only the top-level message: the sources can quote a
                // profile file.
                reason: e.to_string(),
            }),
        };
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        match &result {
            Ok(creds) => {
                state.cached = Some(Arc::clone(creds));
                state.last_error = None;
            }
            Err(e) => state.last_error = Some(e.clone()),
        }
        result
    }

    /// Credentials for signing at `now`, refreshing first when the cached
    /// ones are due (within the margin of their expiry) or missing: for async
    /// code that would rather wait for a refresh than use credentials about
    /// to expire. When that refresh fails, cached credentials still valid at
    /// `now` are returned; expired ones never are.
    ///
    /// While one `load` refreshes, concurrent ones return the cached
    /// credentials if they are still valid, rather than asking the SDK too.
    pub async fn load(&self, now: SigningTime) -> Result<Arc<Credentials>, ProviderError> {
        let cached = self.cached();
        if let Some(c) = cached.as_ref().filter(|c| !self.due(c, now)) {
            return Ok(Arc::clone(c));
        }
        let Some(_refreshing) = Refreshing::start(&self.refreshing) else {
            if let Some(c) = cached.as_ref().filter(|c| valid(c, now)) {
                return Ok(Arc::clone(c));
            }
            // Nothing usable: this caller waits for its own refresh.
            return self.refresh(now).await;
        };
        match self.refresh(now).await {
            Ok(c) => Ok(c),
            Err(e) => match cached.filter(|c| valid(c, now)) {
                Some(c) => Ok(c),
                None => Err(e),
            },
        }
    }

    /// How long from `now` until the cached credentials are due for a
    /// refresh: zero when nothing is cached or they are due already, `None`
    /// when they never expire (credentials without an expiry, such as an
    /// access key from the environment).
    pub fn next_refresh(&self, now: SigningTime) -> Option<Duration> {
        let Some(creds) = self.cached() else {
            return Some(Duration::ZERO);
        };
        let remaining = remaining(&creds, now)?;
        let margin = i64::try_from(self.refresh_before.as_secs()).unwrap_or(i64::MAX);
        let until_due = remaining.saturating_sub(margin);
        Some(Duration::from_secs(u64::try_from(until_due).unwrap_or(0)))
    }

    /// Keeps the cache fresh until the provider is dropped: a future to
    /// spawn on your runtime, which refreshes whenever the credentials are
    /// due, and sleeps in between with `sleep` (`tokio::time::sleep`, or your
    /// runtime's), reading the time from `clock` (`SigningTime::now`, or a
    /// test's clock).
    ///
    /// It holds the provider only while refreshing, so it ends after its
    /// current sleep once every other `Arc` is gone. It ends at once when the
    /// credentials never expire (there is nothing to refresh). After a
    /// failed refresh it tries again after [`RETRY_MIN`], doubling up to
    /// [`RETRY_MAX`]; signing meanwhile uses the cached credentials while
    /// they are valid. After a successful one it waits at least
    /// [`RETRY_MIN`], even if the SDK handed out credentials already within
    /// the margin.
    pub fn refresh_loop<C, S, F>(self: Arc<Self>, clock: C, sleep: S) -> impl Future<Output = ()>
    where
        C: Fn() -> SigningTime,
        S: Fn(Duration) -> F,
        F: Future<Output = ()>,
    {
        let weak = Arc::downgrade(&self);
        drop(self);
        async move {
            let mut retry = RETRY_MIN;
            loop {
                let Some(this) = weak.upgrade() else { return };
                let wait = match this.next_refresh(clock()) {
                    None => return,
                    Some(wait) if !wait.is_zero() => wait,
                    Some(_) => match this.refresh(clock()).await {
                        Ok(_) => {
                            retry = RETRY_MIN;
                            match this.next_refresh(clock()) {
                                None => return,
                                Some(wait) => wait.max(RETRY_MIN),
                            }
                        }
                        Err(_) => {
                            let wait = retry;
                            retry = (retry * 2).min(RETRY_MAX);
                            wait
                        }
                    },
                };
                drop(this);
                sleep(wait).await;
            }
        }
    }

    fn due(&self, creds: &Credentials, now: SigningTime) -> bool {
        let margin = i64::try_from(self.refresh_before.as_secs()).unwrap_or(i64::MAX);
        remaining(creds, now).is_some_and(|r| r <= margin)
    }
}

impl<P> SdkCredentialsProvider<P> {
    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.read().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Seconds from `now` until `creds` expire (`None`: they do not).
fn remaining(creds: &Credentials, now: SigningTime) -> Option<i64> {
    creds
        .expires_at()
        .map(|e| e.unix_timestamp().saturating_sub(now.unix_timestamp()))
}

fn valid(creds: &Credentials, now: SigningTime) -> bool {
    remaining(creds, now).is_none_or(|r| r > 0)
}

impl<P: SdkProvideCredentials> ProvideCredentials for SdkCredentialsProvider<P> {
    fn credentials(&self, now: SigningTime) -> Result<Arc<Credentials>, ProviderError> {
        self.read(|s| match &s.cached {
            Some(c) if valid(c, now) => Ok(Arc::clone(c)),
            cached => Err(s.last_error.clone().unwrap_or(if cached.is_some() {
                ProviderError::Expired
            } else {
                ProviderError::NotLoaded
            })),
        })
    }
}

impl<P: fmt::Debug> fmt::Debug for SdkCredentialsProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (cached, last_error) = self.read(|s| (s.cached.clone(), s.last_error.clone()));
        f.debug_struct("SdkCredentialsProvider")
            .field("sdk", &self.sdk)
            .field("refresh_before", &self.refresh_before)
            .field("cached", &cached)
            .field("last_error", &last_error)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries_outside_the_representable_years_are_clamped() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert_eq!(offset_date_time(far).year(), 9999);
        let long_ago = UNIX_EPOCH - Duration::from_secs(400_000_000_000);
        assert_eq!(offset_date_time(long_ago).year(), -9999);
        let before_epoch = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(
            offset_date_time(before_epoch).unix_timestamp_nanos(),
            -1_500_000_000
        );
        let t = UNIX_EPOCH + Duration::from_secs(1_779_624_000);
        assert_eq!(offset_date_time(t).unix_timestamp(), 1_779_624_000);
    }
}
