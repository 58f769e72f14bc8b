//! The AWS SDK bridge (feature `aws-credential-types`), with SDK providers
//! made here: no network, and a clock the test moves by hand.
#![cfg(feature = "aws-credential-types")]

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self as sdk, SharedCredentialsProvider, future};
use presign::aws_sdk::{RETRY_MAX, RETRY_MIN, SdkCredentialsProvider};
use presign::provider::{ProvideCredentials, ProviderError};
use presign::s3::Bucket;
use presign::{Credentials, Region, SigningTime};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE/token+value=";
/// 2026-05-24T12:00:00Z.
const T0: u64 = 1_779_624_000;

fn at(unix: u64) -> SigningTime {
    SigningTime::from_unix_timestamp(unix as i64).unwrap()
}

/// Polls a future that needs no waking (the providers here answer at once,
/// and a pending sleep is reported as `None`).
fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Option<F::Output> {
    match f.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    poll_once(pin!(f)).expect("the test's providers answer at once")
}

/// An SDK provider that hands out temporary credentials issued at the
/// test's clock, valid for `lifetime` seconds, numbered by call, or fails
/// while `fail` is set.
/// Clones share the clock and the counters.
#[derive(Debug, Default, Clone)]
struct Sts {
    clock: Arc<AtomicU64>,
    lifetime: u64,
    calls: Arc<AtomicUsize>,
    fail: Arc<AtomicBool>,
}

impl Sts {
    fn new(clock: &Arc<AtomicU64>, lifetime: u64) -> Self {
        Sts {
            clock: Arc::clone(clock),
            lifetime,
            ..Sts::default()
        }
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl sdk::ProvideCredentials for Sts {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fail.load(Ordering::SeqCst) {
            return future::ProvideCredentials::ready(Err(CredentialsError::provider_error(
                format!("sts unreachable; the secret is {SECRET}"),
            )));
        }
        let now = self.clock.load(Ordering::SeqCst);
        let expiry = UNIX_EPOCH + Duration::from_secs(now + self.lifetime);
        future::ProvideCredentials::ready(Ok(aws_credential_types::Credentials::new(
            format!("ASIAEXAMPLE{n}"),
            SECRET,
            Some(TOKEN.to_owned()),
            Some(expiry),
            "test",
        )))
    }
}

/// A provider over `Sts`, and a clone for the test to count calls.
fn bridge(clock: &Arc<AtomicU64>, lifetime: u64) -> (Sts, SdkCredentialsProvider<Sts>) {
    let sts = Sts::new(clock, lifetime);
    (sts.clone(), SdkCredentialsProvider::new(sts))
}

#[test]
fn conversion_keeps_every_part_and_the_expiry() {
    let expiry = UNIX_EPOCH + Duration::from_millis(T0 * 1000 + 250);
    let sdk = aws_credential_types::Credentials::new(
        "ASIAEXAMPLE",
        SECRET,
        Some(TOKEN.to_owned()),
        Some(expiry),
        "test",
    );
    let creds = Credentials::try_from(&sdk).unwrap();
    assert_eq!(creds.access_key_id(), "ASIAEXAMPLE");
    assert_eq!(creds.secret_access_key(), SECRET);
    assert_eq!(creds.session_token(), Some(TOKEN));
    let kept = creds.expires_at().unwrap();
    assert_eq!(
        kept.unix_timestamp_nanos(),
        T0 as i128 * 1_000_000_000 + 250_000_000
    );
    let shown = format!("{creds:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");

    // Long-term keys: no token, no expiry; by value too.
    let long_term = aws_credential_types::Credentials::new("AKIDEXAMPLE", SECRET, None, None, "t");
    let creds = Credentials::try_from(long_term).unwrap();
    assert_eq!(creds.session_token(), None);
    assert_eq!(creds.expires_at(), None);
}

#[test]
fn conversion_refuses_what_the_crate_refuses_without_echoing_it() {
    let empty_secret = aws_credential_types::Credentials::new("AKID", "", None, None, "t");
    assert!(matches!(
        Credentials::try_from(&empty_secret),
        Err(presign::Error::InvalidSecretKey { .. })
    ));
    let bad_token = aws_credential_types::Credentials::new(
        "AKID",
        SECRET,
        Some("secret token".to_owned()),
        None,
        "t",
    );
    let e = Credentials::try_from(&bad_token).unwrap_err();
    assert!(matches!(e, presign::Error::InvalidSessionToken { .. }));
    assert!(!format!("{e} {e:?}").contains("secret token"));
    // An expiry far beyond the year 9999 is clamped, not a panic.
    let far = aws_credential_types::Credentials::new(
        "AKID",
        SECRET,
        None,
        Some(UNIX_EPOCH + Duration::from_secs(1 << 40)),
        "t",
    );
    assert_eq!(
        Credentials::try_from(&far)
            .unwrap()
            .expires_at()
            .unwrap()
            .year(),
        9999
    );
}

#[test]
fn signing_before_the_first_refresh_says_so() {
    let clock = Arc::new(AtomicU64::new(T0));
    let (sts, provider) = bridge(&clock, 3600);
    assert_eq!(
        provider.credentials(at(T0)).unwrap_err(),
        ProviderError::NotLoaded
    );
    assert_eq!(provider.next_refresh(at(T0)), Some(Duration::ZERO));
    assert_eq!(sts.calls(), 0, "the sync path never calls the SDK");
}

#[test]
fn refreshed_credentials_serve_the_sync_path_until_they_expire() {
    let clock = Arc::new(AtomicU64::new(T0));
    let (sts, provider) = bridge(&clock, 3600);
    let first = block_on(provider.refresh(at(T0))).unwrap();
    assert_eq!(first.access_key_id(), "ASIAEXAMPLE1");
    assert_eq!(
        first.expires_at().unwrap().unix_timestamp(),
        (T0 + 3600) as i64
    );

    // Signing reads the cache: the same Arc, no SDK call, even within the
    // margin (it cannot wait for a refresh)...
    for t in [T0, T0 + 3000, T0 + 3599] {
        let c = provider.credentials(at(t)).unwrap();
        assert!(Arc::ptr_eq(&first, &c));
    }
    assert_eq!(sts.calls(), 1);
    // ...and refuses once they have expired.
    assert_eq!(
        provider.credentials(at(T0 + 3600)).unwrap_err(),
        ProviderError::Expired
    );

    // A presigned URL from the bridge, through the crate's provider path.
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let url = bucket
        .get_object("cat.jpg")
        .presign_with(&provider, at(T0 + 60), Duration::from_secs(600))
        .unwrap();
    assert!(
        url.as_str()
            .contains("X-Amz-Credential=ASIAEXAMPLE1%2F20260524")
    );
    assert!(url.as_str().contains("X-Amz-Security-Token="));
    // The credentials expire first: the URL is refused, not shortened.
    let late = bucket.get_object("cat.jpg").presign_with(
        &provider,
        at(T0 + 3300),
        Duration::from_secs(600),
    );
    assert!(matches!(
        late,
        Err(ProviderError::Signing(
            presign::Error::CredentialsExpireFirst { .. }
        ))
    ));
}

#[test]
fn load_refreshes_ahead_of_expiry_and_keeps_valid_credentials_on_failure() {
    let clock = Arc::new(AtomicU64::new(T0));
    let (sts, provider) = bridge(&clock, 3600);
    let provider = provider.refresh_before(Duration::from_secs(300));
    let a = block_on(provider.load(at(T0))).unwrap();
    assert_eq!(sts.calls(), 1, "nothing cached: loads");
    let b = block_on(provider.load(at(T0 + 3299))).unwrap();
    assert!(Arc::ptr_eq(&a, &b), "outside the margin: cached");
    assert_eq!(sts.calls(), 1);
    assert_eq!(
        provider.next_refresh(at(T0 + 3299)),
        Some(Duration::from_secs(1))
    );

    // Within 5 minutes of expiry: refreshed.
    clock.store(T0 + 3300, Ordering::SeqCst);
    let c = block_on(provider.load(at(T0 + 3300))).unwrap();
    assert_eq!(sts.calls(), 2);
    assert_eq!(c.access_key_id(), "ASIAEXAMPLE2");
    assert_eq!(
        provider.next_refresh(at(T0 + 3300)),
        Some(Duration::from_secs(3300))
    );

    // A failed refresh keeps credentials that still work...
    sts.fail.store(true, Ordering::SeqCst);
    let d = block_on(provider.load(at(T0 + 6700))).unwrap();
    assert!(Arc::ptr_eq(&c, &d));
    assert_eq!(sts.calls(), 3);
    let refused = block_on(provider.refresh(at(T0 + 6700))).unwrap_err();
    assert!(matches!(refused, ProviderError::Refresh { .. }));
    // ...but never expired ones: load and the sync path both say why, and
    // the SDK error's source (which here holds a secret) is not repeated.
    let e = block_on(provider.load(at(T0 + 6900))).unwrap_err();
    assert_eq!(
        e,
        ProviderError::Refresh {
            reason: "an error occurred while loading credentials".into()
        }
    );
    assert_eq!(provider.credentials(at(T0 + 6900)).unwrap_err(), e);
    let shown = format!("{e} {e:?} {provider:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");

    // The SDK recovers: so does signing.
    sts.fail.store(false, Ordering::SeqCst);
    clock.store(T0 + 6900, Ordering::SeqCst);
    let e = block_on(provider.load(at(T0 + 6900))).unwrap();
    assert_eq!(e.access_key_id(), format!("ASIAEXAMPLE{}", sts.calls()));
    assert!(provider.credentials(at(T0 + 6900)).is_ok());
}

#[test]
fn already_expired_sdk_credentials_are_refused() {
    let clock = Arc::new(AtomicU64::new(T0));
    let (_, provider) = bridge(&clock, 0);
    assert_eq!(
        block_on(provider.refresh(at(T0))).unwrap_err(),
        ProviderError::Expired
    );
    assert_eq!(
        provider.credentials(at(T0)).unwrap_err(),
        ProviderError::Expired
    );
    assert!(provider.cached().is_none());
}

#[test]
fn works_behind_the_sdks_shared_provider_and_static_credentials() {
    // `SharedCredentialsProvider` is what `aws-config` hands out; the SDK's
    // `Credentials` are themselves a provider of fixed credentials.
    let fixed = aws_credential_types::Credentials::new("AKIDEXAMPLE", SECRET, None, None, "t");
    let provider = SdkCredentialsProvider::new(SharedCredentialsProvider::new(fixed));
    block_on(provider.refresh(at(T0))).unwrap();
    assert_eq!(provider.next_refresh(at(T0)), None, "never expire");
    let creds = provider.credentials(at(T0 + 10 * 365 * 86400)).unwrap();
    assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
    // A provider shared across threads, as a service shares it.
    let shared: Arc<dyn ProvideCredentials> = Arc::new(provider);
    std::thread::scope(|s| {
        s.spawn(|| assert!(shared.credentials(at(T0)).is_ok()));
    });
}

/// A sleep the test completes by hand: it records each requested wait and
/// stays pending until the test sets `wake`.
#[derive(Clone, Default)]
struct Sleeps {
    waits: Arc<Mutex<Vec<Duration>>>,
    wake: Arc<AtomicBool>,
}

impl Sleeps {
    fn sleep(&self, d: Duration) -> impl Future<Output = ()> + use<> {
        self.waits.lock().unwrap().push(d);
        self.wake.store(false, Ordering::SeqCst);
        let wake = Arc::clone(&self.wake);
        std::future::poll_fn(move |_| {
            if wake.load(Ordering::SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
    fn last(&self) -> Duration {
        *self.waits.lock().unwrap().last().unwrap()
    }
    fn count(&self) -> usize {
        self.waits.lock().unwrap().len()
    }
}

#[test]
fn the_refresh_loop_sleeps_until_due_retries_failures_and_ends_with_the_provider() {
    let clock = Arc::new(AtomicU64::new(T0));
    let (sts, provider) = bridge(&clock, 3600);
    let provider = Arc::new(provider);
    let sleeps = Sleeps::default();
    let now = {
        let clock = Arc::clone(&clock);
        move || at(clock.load(Ordering::SeqCst))
    };
    let s = sleeps.clone();
    let mut task = pin!(Arc::clone(&provider).refresh_loop(now, move |d| s.sleep(d)));

    // First poll: nothing cached, so it loads, then sleeps until 5 minutes
    // before expiry.
    assert_eq!(poll_once(task.as_mut()), None);
    assert_eq!(sts.calls(), 1);
    assert_eq!(sleeps.last(), Duration::from_secs(3300));
    assert!(provider.credentials(at(T0)).is_ok());

    // The sleep ends at the due time: a refresh, and a new sleep.
    clock.store(T0 + 3300, Ordering::SeqCst);
    sleeps.wake.store(true, Ordering::SeqCst);
    assert_eq!(poll_once(task.as_mut()), None);
    assert_eq!(sts.calls(), 2);
    assert_eq!(sleeps.last(), Duration::from_secs(3300));
    assert_eq!(
        provider.credentials(at(T0 + 3300)).unwrap().access_key_id(),
        "ASIAEXAMPLE2"
    );

    // Woken early (a spurious or shortened sleep): it sleeps the rest.
    clock.store(T0 + 3400, Ordering::SeqCst);
    sleeps.wake.store(true, Ordering::SeqCst);
    assert_eq!(poll_once(task.as_mut()), None);
    assert_eq!(sts.calls(), 2);
    assert_eq!(sleeps.last(), Duration::from_secs(3200));

    // Failures: retried after RETRY_MIN, doubling up to RETRY_MAX, while the
    // cached credentials keep signing.
    sts.fail.store(true, Ordering::SeqCst);
    clock.store(T0 + 6600, Ordering::SeqCst);
    let mut waits = Vec::new();
    for _ in 0..6 {
        sleeps.wake.store(true, Ordering::SeqCst);
        assert_eq!(poll_once(task.as_mut()), None);
        waits.push(sleeps.last());
    }
    assert_eq!(waits[0], RETRY_MIN);
    assert_eq!(waits[1], RETRY_MIN * 2);
    assert_eq!(*waits.last().unwrap(), RETRY_MAX);
    assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(
        provider.credentials(at(T0 + 6600)).unwrap().access_key_id(),
        "ASIAEXAMPLE2"
    );
    // Recovery resets the backoff.
    sts.fail.store(false, Ordering::SeqCst);
    sleeps.wake.store(true, Ordering::SeqCst);
    assert_eq!(poll_once(task.as_mut()), None);
    assert_eq!(sleeps.last(), Duration::from_secs(3300));

    // Every other handle gone: the loop ends after its sleep.
    let sleeps_before = sleeps.count();
    drop(provider);
    sleeps.wake.store(true, Ordering::SeqCst);
    assert_eq!(poll_once(task.as_mut()), Some(()));
    assert_eq!(sleeps.count(), sleeps_before);
}

#[test]
fn the_refresh_loop_ends_at_once_for_credentials_that_never_expire() {
    let fixed = aws_credential_types::Credentials::new("AKIDEXAMPLE", SECRET, None, None, "t");
    let provider = Arc::new(SdkCredentialsProvider::new(SharedCredentialsProvider::new(
        fixed,
    )));
    let sleeps = Sleeps::default();
    let s = sleeps.clone();
    let task = Arc::clone(&provider).refresh_loop(|| at(T0), move |d| s.sleep(d));
    assert_eq!(poll_once(pin!(task)), Some(()));
    assert_eq!(sleeps.count(), 0);
    assert!(provider.credentials(at(T0)).is_ok(), "loaded once");
}

#[test]
fn the_refresh_loop_never_spins_on_credentials_issued_within_the_margin() {
    // The SDK hands out credentials with 2 minutes left (within the 5-minute
    // margin): the loop waits RETRY_MIN, not zero.
    let clock = Arc::new(AtomicU64::new(T0));
    let (sts, provider) = bridge(&clock, 120);
    let provider = Arc::new(provider);
    let sleeps = Sleeps::default();
    let s = sleeps.clone();
    let c = Arc::clone(&clock);
    let mut task = pin!(
        Arc::clone(&provider)
            .refresh_loop(move || at(c.load(Ordering::SeqCst)), move |d| s.sleep(d))
    );
    assert_eq!(poll_once(task.as_mut()), None);
    assert_eq!(sts.calls(), 1);
    assert_eq!(sleeps.last(), RETRY_MIN);
}

/// An SDK provider whose answers wait until the test opens the gate.
#[derive(Debug, Clone, Default)]
struct Gated {
    open: Arc<AtomicBool>,
    calls: Arc<AtomicUsize>,
    clock: Arc<AtomicU64>,
}

impl sdk::ProvideCredentials for Gated {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let open = Arc::clone(&self.open);
        let expiry = UNIX_EPOCH + Duration::from_secs(self.clock.load(Ordering::SeqCst) + 3600);
        future::ProvideCredentials::new(async move {
            std::future::poll_fn(|_| {
                if open.load(Ordering::SeqCst) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            Ok(aws_credential_types::Credentials::new(
                format!("ASIAEXAMPLE{n}"),
                SECRET,
                None,
                Some(expiry),
                "gated",
            ))
        })
    }
}

#[test]
fn concurrent_loads_while_due_ask_the_sdk_once() {
    let gated = Gated::default();
    gated.clock.store(T0, Ordering::SeqCst);
    gated.open.store(true, Ordering::SeqCst);
    let provider = SdkCredentialsProvider::new(gated.clone());
    let first = block_on(provider.load(at(T0))).unwrap();

    // Due: one load refreshes (and waits on the SDK)...
    gated.open.store(false, Ordering::SeqCst);
    gated.clock.store(T0 + 3400, Ordering::SeqCst);
    let mut refreshing = pin!(provider.load(at(T0 + 3400)));
    assert!(poll_once(refreshing.as_mut()).is_none());
    assert_eq!(gated.calls.load(Ordering::SeqCst), 2);
    // ...the others get the still-valid cached credentials at once.
    let other = block_on(provider.load(at(T0 + 3400))).unwrap();
    assert!(Arc::ptr_eq(&first, &other));
    assert_eq!(gated.calls.load(Ordering::SeqCst), 2);
    gated.open.store(true, Ordering::SeqCst);
    let renewed = poll_once(refreshing.as_mut()).unwrap().unwrap();
    assert_eq!(renewed.access_key_id(), "ASIAEXAMPLE2");

    // A refresh dropped half-way does not leave the flag set.
    gated.open.store(false, Ordering::SeqCst);
    gated.clock.store(T0 + 3400 + 3400, Ordering::SeqCst);
    {
        let mut abandoned = pin!(provider.load(at(T0 + 6800)));
        assert!(poll_once(abandoned.as_mut()).is_none());
    }
    let mut again = pin!(provider.load(at(T0 + 6800)));
    assert!(poll_once(again.as_mut()).is_none());
    assert_eq!(
        gated.calls.load(Ordering::SeqCst),
        4,
        "a new refresh started"
    );
}
