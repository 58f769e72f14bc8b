//! Credential providers: where a long-running signer gets its credentials.
//!
//! A signing service runs with a role's temporary credentials, which expire
//! and must be refreshed. [`ProvideCredentials`] is the small, synchronous
//! trait signing asks; the crate does no I/O itself, so refreshing calls a
//! function you supply ([`CachingProvider`]).
//!
//! ```
//! use std::time::Duration;
//! use presign::provider::{CachingProvider, ProvideCredentials, ProviderError};
//! use presign::{Credentials, SigningTime};
//!
//! // Your refresh: call STS, read a file, ask a vault... Here, fixed values.
//! let provider = CachingProvider::new(|now: SigningTime| {
//!     let expiry = now.to_offset_date_time() + time::Duration::hours(1);
//!     Ok(Credentials::new("ASIAEXAMPLE", "secret")?
//!         .with_session_token("token")?
//!         .with_expiry(expiry))
//! });
//! let now = SigningTime::parse_amz_date("20260524T120000Z")?;
//! let creds = provider.credentials(now)?;          // refreshes: nothing cached yet
//! let again = provider.credentials(now)?;          // cached
//! assert!(std::sync::Arc::ptr_eq(&creds, &again));
//! # Ok::<(), ProviderError>(())
//! ```

use core::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::credentials::Credentials;
use crate::error::Error;
use crate::time::SigningTime;

/// Why credentials could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// An environment variable the environment provider needs is not set.
    #[error("environment variable {name} is not set")]
    MissingVariable {
        /// The variable.
        name: &'static str,
    },
    /// The credentials found are malformed (the error names the part).
    #[error(transparent)]
    Invalid(Error),
    /// The credentials were fine, but signing with them failed: the
    /// request's fault (an empty object key, an expiry out of range...).
    #[error(transparent)]
    Signing(Error),
    /// The refresh function failed (its message, which must hold no
    /// secret).
    #[error("refreshing credentials failed: {reason}")]
    Refresh {
        /// What went wrong.
        reason: String,
    },
    /// The credentials had already expired at the signing time: a refresh
    /// returned expired ones, or (for a provider refreshed in the
    /// background) the cached ones expired before the next refresh.
    #[error("the credentials had already expired")]
    Expired,
    /// No credentials have been loaded yet: a provider whose refresh the
    /// caller drives (such as `aws_sdk::SdkCredentialsProvider`) was asked
    /// before its first refresh.
    #[error("no credentials loaded yet: refresh the provider first")]
    NotLoaded,
}

/// Building credentials failed: what `?` on [`Credentials::new`] or
/// [`Credentials::with_session_token`] gives inside a refresh function.
/// (Signing errors are [`ProviderError::Signing`], never this.)
impl From<Error> for ProviderError {
    fn from(e: Error) -> Self {
        ProviderError::Invalid(e)
    }
}

/// Something that hands out credentials for signing at a given time.
pub trait ProvideCredentials: Send + Sync {
    /// Credentials valid at `now`.
    fn credentials(&self, now: SigningTime) -> Result<Arc<Credentials>, ProviderError>;
}

/// Always the same credentials.
#[derive(Debug, Clone)]
pub struct StaticProvider(Arc<Credentials>);

impl StaticProvider {
    /// A provider for fixed credentials.
    #[must_use]
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider(Arc::new(credentials))
    }
}

impl ProvideCredentials for StaticProvider {
    fn credentials(&self, _now: SigningTime) -> Result<Arc<Credentials>, ProviderError> {
        Ok(Arc::clone(&self.0))
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, if
/// set, `AWS_SESSION_TOKEN`, read on every call (this provider is the one
/// place the crate reads the environment, and only when asked).
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvironmentProvider;

impl EnvironmentProvider {
    fn var(name: &'static str) -> Result<Option<String>, ProviderError> {
        Ok(std::env::var(name).ok().filter(|v| !v.is_empty()))
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn credentials(&self, _now: SigningTime) -> Result<Arc<Credentials>, ProviderError> {
        let id = Self::var("AWS_ACCESS_KEY_ID")?.ok_or(ProviderError::MissingVariable {
            name: "AWS_ACCESS_KEY_ID",
        })?;
        let secret = Self::var("AWS_SECRET_ACCESS_KEY")?.ok_or(ProviderError::MissingVariable {
            name: "AWS_SECRET_ACCESS_KEY",
        })?;
        let mut creds = Credentials::new(id, secret).map_err(ProviderError::Invalid)?;
        if let Some(token) = Self::var("AWS_SESSION_TOKEN")? {
            creds = creds
                .with_session_token(token)
                .map_err(ProviderError::Invalid)?;
        }
        Ok(Arc::new(creds))
    }
}

/// Caches temporary credentials and calls `refresh` for new ones ahead of
/// their expiry (5 minutes before, by default).
///
/// Concurrent callers share one refresh. When a refresh fails, credentials
/// that are still valid are kept and returned; expired ones never are.
pub struct CachingProvider<F> {
    refresh: F,
    refresh_before: Duration,
    cached: RwLock<Option<Arc<Credentials>>>,
    refreshing: Mutex<()>,
}

impl<F> CachingProvider<F>
where
    F: Fn(SigningTime) -> Result<Credentials, ProviderError> + Send + Sync,
{
    /// A cache around a refresh function, which is given the current time.
    pub fn new(refresh: F) -> Self {
        CachingProvider {
            refresh,
            refresh_before: Duration::from_secs(300),
            cached: RwLock::new(None),
            refreshing: Mutex::new(()),
        }
    }

    /// How long before expiry to refresh (default 5 minutes).
    #[must_use]
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = margin;
        self
    }

    /// Seconds from `now` until `creds` expire (`None`: they do not).
    fn remaining(creds: &Credentials, now: SigningTime) -> Option<i64> {
        creds
            .expires_at()
            .map(|e| e.unix_timestamp() - now.unix_timestamp())
    }

    fn fresh(&self, creds: &Credentials, now: SigningTime) -> bool {
        // A margin beyond i64 seconds means "always refresh", not a wrapped
        // negative margin that never does.
        let margin = i64::try_from(self.refresh_before.as_secs()).unwrap_or(i64::MAX);
        Self::remaining(creds, now).is_none_or(|r| r > margin)
    }

    fn current(&self) -> Option<Arc<Credentials>> {
        self.cached
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl<F> ProvideCredentials for CachingProvider<F>
where
    F: Fn(SigningTime) -> Result<Credentials, ProviderError> + Send + Sync,
{
    fn credentials(&self, now: SigningTime) -> Result<Arc<Credentials>, ProviderError> {
        if let Some(c) = self.current().filter(|c| self.fresh(c, now)) {
            return Ok(c);
        }
        let _one_refresh = self.refreshing.lock().unwrap_or_else(|e| e.into_inner());
        // Another caller may have refreshed while this one waited.
        let stale = self.current();
        if let Some(c) = stale.as_ref().filter(|c| self.fresh(c, now)) {
            return Ok(Arc::clone(c));
        }
        match (self.refresh)(now) {
            Ok(creds) => {
                if Self::remaining(&creds, now).is_some_and(|r| r <= 0) {
                    return Err(ProviderError::Expired);
                }
                let creds = Arc::new(creds);
                *self.cached.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&creds));
                Ok(creds)
            }
            // Keep signing with credentials that still work.
            Err(e) => match stale.filter(|c| Self::remaining(c, now).is_none_or(|r| r > 0)) {
                Some(c) => Ok(c),
                None => Err(e),
            },
        }
    }
}

impl<F> fmt::Debug for CachingProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self
            .cached
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        f.debug_struct("CachingProvider")
            .field("refresh_before", &self.refresh_before)
            .field("cached", &cached)
            .finish_non_exhaustive()
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn credentials(&self, now: SigningTime) -> Result<Arc<Credentials>, ProviderError> {
        (**self).credentials(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn at(s: &str) -> SigningTime {
        SigningTime::parse_amz_date(s).unwrap()
    }

    fn temp(now: SigningTime, secs: i64) -> Credentials {
        Credentials::new("ASIAEXAMPLE", "secret")
            .unwrap()
            .with_session_token("token")
            .unwrap()
            .with_expiry(now.to_offset_date_time() + time::Duration::seconds(secs))
    }

    #[test]
    fn a_huge_refresh_margin_always_refreshes() {
        let now = at("20260524T120000Z");
        let calls = AtomicUsize::new(0);
        let p = CachingProvider::new(|now| {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(temp(now, 3600))
        })
        .refresh_before(Duration::MAX);
        p.credentials(now).unwrap();
        p.credentials(now).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn refreshes_ahead_of_expiry_and_keeps_working_credentials_on_failure() {
        let calls = AtomicUsize::new(0);
        let fail = std::sync::atomic::AtomicBool::new(false);
        let p = CachingProvider::new(|now| {
            calls.fetch_add(1, Ordering::SeqCst);
            if fail.load(Ordering::SeqCst) {
                Err(ProviderError::Refresh {
                    reason: "sts unreachable".into(),
                })
            } else {
                Ok(temp(now, 3600))
            }
        });
        let t0 = at("20260524T120000Z");
        let a = p.credentials(t0).unwrap();
        let b = p.credentials(at("20260524T125400Z")).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Within 5 minutes of expiry: refresh.
        let c = p.credentials(at("20260524T125600Z")).unwrap();
        assert!(!Arc::ptr_eq(&b, &c));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // A failed refresh keeps credentials that still work...
        fail.store(true, Ordering::SeqCst);
        let d = p.credentials(at("20260524T135200Z")).unwrap();
        assert!(Arc::ptr_eq(&c, &d));
        // ...but never expired ones.
        assert_eq!(
            p.credentials(at("20260524T140000Z")).unwrap_err(),
            ProviderError::Refresh {
                reason: "sts unreachable".into()
            }
        );
    }

    #[test]
    fn rejects_already_expired_refreshes() {
        let p = CachingProvider::new(|now| Ok(temp(now, -1)));
        assert_eq!(
            p.credentials(at("20260524T120000Z")).unwrap_err(),
            ProviderError::Expired
        );
    }

    #[test]
    fn static_provider_and_debug_hide_secrets() {
        let p = StaticProvider::new(Credentials::new("AKID", "topsecret").unwrap());
        let c = p.credentials(at("20260524T120000Z")).unwrap();
        assert_eq!(c.access_key_id(), "AKID");
        assert!(!format!("{p:?}").contains("topsecret"));
        let caching = CachingProvider::new(|now| Ok(temp(now, 3600)));
        caching.credentials(at("20260524T120000Z")).unwrap();
        let shown = format!("{caching:?}");
        assert!(!shown.contains("secret\"") && !shown.contains("token\""));
    }
}
