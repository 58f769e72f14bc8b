//! Step 5 of the pipeline: the signing key, and a cache of derived keys.
//!
//! ```text
//! kDate    = HMAC("AWS4" + secret, date)
//! kRegion  = HMAC(kDate, region)
//! kService = HMAC(kRegion, service)
//! kSigning = HMAC(kService, "aws4_request")
//! ```

use core::fmt;
use std::cell::{RefCell, RefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use thread_local::ThreadLocal;

use zeroize::{Zeroize, Zeroizing};

use crate::credentials::{CacheId, Credentials};
use crate::encode;
use crate::error::Error;
use crate::mac::{FirstBlockState, HmacState, hmac_sha256};
use crate::scope::{Region, Scope, Service, TERMINATOR};
use crate::signature::Signature;
use crate::string_to_sign::StringToSign;
use crate::time::{AmzDate, ScopeDate, SigningTime};
use crate::wire;

/// A derived SigV4 signing key (`kSigning`), together with its keyed HMAC
/// state so that signing with it never hashes the key's pad blocks again.
///
/// A secret: not `Clone`, its bytes are not public (the step-by-step
/// [`KeyDerivation`] shows them, for checking against published examples),
/// it is zeroized on drop and `Debug` shows nothing of it.
pub struct SigningKey {
    key: [u8; 32],
    state: HmacState,
}

impl SigningKey {
    /// Derives the signing key for a secret access key and a scope, the
    /// four-step HMAC chain of SigV4.
    ///
    /// ```
    /// use presign::{Region, Scope, ScopeDate, Service, SigningKey};
    ///
    /// // AWS General Reference, "Examples of how to derive a signing key".
    /// let (region, service) = (Region::new("us-east-1")?, Service::new("iam")?);
    /// let scope = Scope::new(ScopeDate::parse("20120215")?, &region, &service);
    /// let key = SigningKey::derive("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", scope);
    /// // kSigning is f4780e2d...; HMAC-SHA256 of "abc" under it:
    /// assert_eq!(
    ///     key.sign(b"abc").to_string(),
    ///     "df2e08fcf04369b251bb6818e557cb8829153a0252422ed53240e7065728c6d8"
    /// );
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn derive(secret_access_key: &str, scope: Scope<'_>) -> Self {
        Self::from_bytes(*KeyDerivation::derive(secret_access_key, scope).k_signing())
    }

    /// Wraps an already derived `kSigning` value.
    #[must_use]
    pub fn from_bytes(mut key: [u8; 32]) -> Self {
        let state = HmacState::new(&key);
        let out = SigningKey { key, state };
        key.zeroize();
        out
    }

    /// The raw key bytes (tests only look at them).
    #[cfg(test)]
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// A second copy of the key, for a holder that outlives the borrow (a
    /// chunk signature chain). Crate-internal: the key is not `Clone`.
    pub(crate) fn duplicate(&self) -> SigningKey {
        SigningKey {
            key: self.key,
            state: self.state.clone(),
        }
    }

    /// Signs a string to sign: `HMAC-SHA256(kSigning, string_to_sign)`.
    #[inline]
    pub fn sign(&self, string_to_sign: &[u8]) -> Signature {
        Signature::from_bytes(self.state.mac(string_to_sign))
    }
}

/// A thread's saved HMAC state for the first block of its strings to sign.
///
/// What stays the same while one key signs within one second, kept per
/// thread with the key: the `X-Amz-Date` text, the string to sign but for
/// its last line, and the MAC state after its first block
/// (`AWS4-HMAC-SHA256\n`, the date and the scope fill more than one 64-byte
/// block with a common region and service), which saves one of the four
/// compressions of every further signature in that second (a service
/// signing many URLs a second, or a batch signed at one time).
#[derive(Default)]
pub(crate) struct SecondMemo {
    /// The `X-Amz-Date` text of the last signing time asked for.
    amz_date: Option<(SigningTime, AmzDate)>,
    /// The string to sign of the last second asked for (the algorithm, its
    /// `X-Amz-Date`, this key's scope), which each request completes with
    /// its canonical request's hash.
    string_to_sign: Option<(SigningTime, StringToSign)>,
    /// The MAC state after that string to sign's first block, once saved.
    first_block: FirstBlockState,
}

impl SecondMemo {
    /// `time.amz_date()`, formatted once per second.
    pub(crate) fn amz_date(&mut self, time: SigningTime) -> AmzDate {
        match self.amz_date {
            Some((t, text)) if t == time => text,
            _ => {
                let text = time.amz_date();
                self.amz_date = Some((time, text));
                text
            }
        }
    }

    /// Steps 5 and 6: the string to sign for `key` at `time` with the
    /// canonical request's hash, and its signature. The string to sign is
    /// written once a second and kept; each request writes its hash over the
    /// last line.
    #[inline]
    pub(crate) fn sign_canonical_request_sha256(
        &mut self,
        key: &CachedSigningKey,
        time: SigningTime,
        amz_date: &AmzDate,
        canonical_request_sha256: &[u8; 32],
    ) -> Signature {
        let string_to_sign = match &mut self.string_to_sign {
            Some((at, sts)) if *at == time => {
                sts.set_canonical_request_sha256(canonical_request_sha256);
                sts
            }
            slot => {
                // Another second: another first block.
                self.first_block.forget();
                let sts =
                    StringToSign::with_scope_text(amz_date, key.scope(), canonical_request_sha256);
                &mut slot.insert((time, sts)).1
            }
        };
        Signature::from_bytes(
            key.state
                .mac_padded(string_to_sign.padded(), &mut self.first_block),
        )
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

/// Every intermediate key of a derivation, for checking an implementation
/// step by step against published examples. Zeroized on drop.
pub struct KeyDerivation {
    keys: [[u8; 32]; 4],
}

impl KeyDerivation {
    /// Runs the four HMAC steps for a secret and a scope.
    pub fn derive(secret_access_key: &str, scope: Scope<'_>) -> Self {
        let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret_access_key.len()));
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret_access_key.as_bytes());
        let k_date = hmac_sha256(&k_secret, scope.date().text().as_bytes());
        let k_region = hmac_sha256(&k_date, scope.region().as_str().as_bytes());
        let k_service = hmac_sha256(&k_region, scope.service().as_str().as_bytes());
        let k_signing = hmac_sha256(&k_service, TERMINATOR.as_bytes());
        KeyDerivation {
            keys: [k_date, k_region, k_service, k_signing],
        }
    }

    /// `kDate = HMAC("AWS4" + secret, date)`.
    pub fn k_date(&self) -> &[u8; 32] {
        &self.keys[0]
    }

    /// `kRegion = HMAC(kDate, region)`.
    pub fn k_region(&self) -> &[u8; 32] {
        &self.keys[1]
    }

    /// `kService = HMAC(kRegion, service)`.
    pub fn k_service(&self) -> &[u8; 32] {
        &self.keys[2]
    }

    /// `kSigning = HMAC(kService, "aws4_request")`, the signing key.
    pub fn k_signing(&self) -> &[u8; 32] {
        &self.keys[3]
    }
}

impl Drop for KeyDerivation {
    fn drop(&mut self) {
        self.keys.zeroize();
    }
}

impl fmt::Debug for KeyDerivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyDerivation(** redacted **)")
    }
}

/// A bounded, thread-safe cache of derived signing keys.
///
/// Entries are keyed by a one-way fingerprint of the access key id and
/// secret (so a rotated secret never reuses a stale key, and the cache keeps
/// no second clear copy of the secret), the scope date, the region and the
/// service. When full, the entry with the oldest scope date is evicted, so
/// the cache turns over at the UTC day boundary by itself. There is no global
/// state: each signer owns its cache.
///
/// Signing through a [`Signer`](crate::Signer) or an S3
/// [`Bucket`](crate::s3::Bucket) also keeps, per thread, the key it used
/// last (with the HMAC state of the current second's first string-to-sign
/// block), so that signing again on that thread takes no lock. That memo is
/// checked against the credentials, the scope and the cache's evictions, and
/// dropped with the cache.
///
/// ```
/// use presign::{Credentials, Region, Scope, ScopeDate, Service, SigningKey, SigningKeyCache};
///
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
/// let (region, service) = (Region::new("us-east-1")?, Service::new("iam")?);
/// let scope = Scope::new(ScopeDate::parse("20120215")?, &region, &service);
/// let cache = SigningKeyCache::new(8);
/// let cached = cache.get(&creds, scope);
/// let derived = SigningKey::derive(creds.secret_access_key(), scope);
/// assert_eq!(cached.sign(b"abc"), derived.sign(b"abc"));
/// assert_eq!(cache.len(), 1);
/// # Ok::<(), presign::Error>(())
/// ```
pub struct SigningKeyCache {
    entries: RwLock<Vec<Entry>>,
    capacity: usize,
    /// Bumped whenever a key leaves `entries`, so that no thread's
    /// [`Recent`] key is used after it was evicted or cleared.
    generation: AtomicU64,
    /// Each thread's most recently used key: a warm lookup then takes no
    /// lock and writes no shared reference count, so threads sharing a
    /// signer do not contend. Dropped with the cache.
    recent: ThreadLocal<RefCell<Option<Recent>>>,
}

/// A thread's most recently used key and what it was looked up by.
pub(crate) struct Recent {
    generation: u64,
    derived_for: KeyFor,
    key: Arc<CachedSigningKey>,
    memo: SecondMemo,
}

/// A cached key's entry.
struct Entry {
    derived_for: KeyFor,
    key: Arc<CachedSigningKey>,
}

/// What a cached key was derived for: the credentials' fingerprint and the
/// scope.
struct KeyFor {
    id: CacheId,
    date: ScopeDate,
    region: Region,
    service: Service,
}

impl KeyFor {
    fn new(id: CacheId, scope: &Scope<'_>) -> Self {
        KeyFor {
            id,
            date: scope.date(),
            region: scope.region().clone(),
            service: scope.service().clone(),
        }
    }

    fn matches(&self, id: &CacheId, date: ScopeDate, region: &str, service: &Service) -> bool {
        self.id == *id
            && self.date == date
            && self.region.as_str() == region
            && self.service == *service
    }
}

impl Drop for KeyFor {
    fn drop(&mut self) {
        self.id.zeroize();
    }
}

/// A signing key from a [`SigningKeyCache`], with the text signing needs for
/// its scope computed once: the scope and the `X-Amz-Credential` value.
/// Dereferences to the [`SigningKey`].
pub struct CachedSigningKey {
    key: SigningKey,
    scope: Box<str>,
    /// `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=<credential>&X-Amz-Date=`:
    /// the start of every canonical query string signed with this key (the
    /// caller's parameters aside), written with one copy.
    query_head: Box<str>,
    /// Where the `X-Amz-Credential` value sits in `query_head`.
    credential: core::ops::Range<usize>,
}

const QUERY_HEAD_START: &str = concat!(
    wire::query::x_amz_algorithm!(),
    "=",
    wire::algorithm!(),
    "&",
    wire::query::x_amz_credential!(),
    "="
);
const QUERY_HEAD_END: &str = concat!("&", wire::query::x_amz_date!(), "=");

impl CachedSigningKey {
    fn new(credentials: &Credentials, scope: Scope<'_>) -> Self {
        let key = SigningKey::derive(credentials.secret_access_key(), scope);
        let scope_text = scope.to_string();
        let mut head = Vec::with_capacity(
            QUERY_HEAD_START.len()
                + credentials.access_key_id().len()
                + 3 * scope_text.len()
                + QUERY_HEAD_END.len(),
        );
        head.extend_from_slice(QUERY_HEAD_START.as_bytes());
        let start = head.len();
        encode::write_query_component(credentials.access_key_id().as_bytes(), &mut head);
        head.extend_from_slice(b"%2F");
        scope.write_with(b"%2F", &mut head);
        let credential = start..head.len();
        head.extend_from_slice(QUERY_HEAD_END.as_bytes());
        CachedSigningKey {
            key,
            scope: scope_text.into_boxed_str(),
            // Only ASCII is written.
            query_head: String::from_utf8(head).unwrap_or_default().into_boxed_str(),
            credential,
        }
    }

    /// The signing key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The scope text, `date/region/service/aws4_request`.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The `X-Amz-Credential` query value: `ACCESS_KEY_ID/scope`,
    /// query-encoded.
    pub fn credential_query(&self) -> &str {
        self.query_head
            .get(self.credential.clone())
            .unwrap_or_default()
    }

    /// The canonical query string's first three parameters, up to the
    /// `X-Amz-Date` value: `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...&X-Amz-Date=`.
    pub(crate) fn query_head(&self) -> &str {
        &self.query_head
    }
}

impl core::ops::Deref for CachedSigningKey {
    type Target = SigningKey;
    fn deref(&self) -> &SigningKey {
        &self.key
    }
}

impl fmt::Debug for CachedSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedSigningKey")
            .field("key", &self.key)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A signing key in use on this thread, with its [`SecondMemo`]: the
/// thread's last key (held until dropped), or, when that is busy (a key
/// taken while the thread holds one, which is rare), a key of its own with
/// a memo on the heap (it holds a string to sign: kept off the stack, so
/// that the common variant stays small to return).
pub(crate) enum KeyInUse<'c> {
    Thread(RefMut<'c, Recent>),
    Own(Arc<CachedSigningKey>, Box<SecondMemo>),
}

impl KeyInUse<'_> {
    /// The key and its memo.
    pub(crate) fn parts(&mut self) -> (&CachedSigningKey, &mut SecondMemo) {
        match self {
            KeyInUse::Thread(r) => {
                let r = &mut **r;
                (&r.key, &mut r.memo)
            }
            KeyInUse::Own(key, memo) => (key, memo),
        }
    }
}

/// The number of keys a signer's cache holds by default.
pub const DEFAULT_CACHE_CAPACITY: usize = 32;

impl SigningKeyCache {
    /// A cache holding at most `capacity` keys (at least one).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        SigningKeyCache {
            entries: RwLock::new(Vec::new()),
            capacity: capacity.max(1),
            generation: AtomicU64::new(0),
            recent: ThreadLocal::new(),
        }
    }

    /// Step 5: the signing key for these credentials and scope, as
    /// [`get`](Self::get) would return it, with this thread's
    /// [`SecondMemo`] for it. A repeated lookup on the same thread (the
    /// common case: one service, one set of credentials, one day) is served
    /// from that thread's last key, without the lock.
    pub(crate) fn key(&self, credentials: &Credentials, scope: Scope<'_>) -> KeyInUse<'_> {
        let found = self.key_by(
            credentials,
            scope.date(),
            scope.region().as_str(),
            scope.service(),
            || Ok::<_, core::convert::Infallible>(scope),
        );
        match found {
            Ok(key) => key,
            Err(never) => match never {},
        }
    }

    /// [`key`](Self::key) for a scope whose region is text from a received
    /// request: a warm lookup compares the text with the key's region and
    /// builds nothing; only a miss checks the name and builds a [`Region`].
    pub(crate) fn key_named(
        &self,
        credentials: &Credentials,
        date: ScopeDate,
        region: &str,
        service: &Service,
    ) -> Result<KeyInUse<'_>, Error> {
        let mut built = None;
        let slot = &mut built;
        self.key_by(credentials, date, region, service, move || {
            Ok(Scope::new(date, slot.insert(Region::new(region)?), service))
        })
    }

    /// The thread's last key when it was derived for these credentials,
    /// date, region and service; otherwise the cache's, for the scope
    /// `scope` builds (only on a miss), which then becomes the thread's.
    fn key_by<'s, E>(
        &self,
        credentials: &Credentials,
        date: ScopeDate,
        region: &str,
        service: &Service,
        scope: impl FnOnce() -> Result<Scope<'s>, E>,
    ) -> Result<KeyInUse<'_>, E> {
        let id = credentials.cache_id();
        let generation = self.generation.load(Ordering::Acquire);
        let slot = self.recent.get_or(|| RefCell::new(None));
        // Busy only while this thread holds a key from this cache already.
        let Ok(recent) = slot.try_borrow_mut() else {
            return Ok(KeyInUse::Own(
                self.get(credentials, scope()?),
                Box::default(),
            ));
        };
        let recent = match RefMut::filter_map(recent, |r| {
            r.as_mut().filter(|r| {
                r.generation == generation && r.derived_for.matches(&id, date, region, service)
            })
        }) {
            Ok(warm) => return Ok(KeyInUse::Thread(warm)),
            Err(recent) => recent,
        };
        let scope = scope()?;
        let key = self.get(credentials, scope);
        let recent = RefMut::map(recent, |r| {
            r.insert(Recent {
                generation,
                derived_for: KeyFor::new(id, &scope),
                key,
                memo: SecondMemo::default(),
            })
        });
        Ok(KeyInUse::Thread(recent))
    }

    /// The signing key for these credentials and scope, derived on the first
    /// call and reused afterwards.
    pub fn get(&self, credentials: &Credentials, scope: Scope<'_>) -> Arc<CachedSigningKey> {
        let id = credentials.cache_id();
        {
            let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = entries.iter().find(|e| {
                e.derived_for
                    .matches(&id, scope.date(), scope.region().as_str(), scope.service())
            }) {
                return Arc::clone(&e.key);
            }
        }
        let key = Arc::new(CachedSigningKey::new(credentials, scope));
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = entries.iter().find(|e| {
            e.derived_for
                .matches(&id, scope.date(), scope.region().as_str(), scope.service())
        }) {
            return Arc::clone(&e.key);
        }
        if entries.len() >= self.capacity {
            // Evict the oldest day first; among equals, the earliest inserted.
            if let Some(oldest) = entries
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.derived_for.date)
                .map(|(i, _)| i)
            {
                entries.remove(oldest);
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
        }
        entries.push(Entry {
            derived_for: KeyFor::new(id, &scope),
            key: Arc::clone(&key),
        });
        key
    }

    /// The number of keys held.
    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether the cache holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every key. (A thread's most recently used key is dropped when
    /// that thread next signs with this cache, or with the cache.)
    pub fn clear(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.clear();
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new(DEFAULT_CACHE_CAPACITY)
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_parts(date: &str) -> (ScopeDate, Region, Service) {
        (
            ScopeDate::parse(date).unwrap(),
            Region::new("us-east-1").unwrap(),
            Service::new("iam").unwrap(),
        )
    }

    // AWS General Reference, "Examples of how to derive a signing key".
    #[test]
    fn derives_the_general_reference_example() {
        let (d, r, s) = scope_parts("20120215");
        let k = KeyDerivation::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Scope::new(d, &r, &s),
        );
        assert_eq!(
            hex::encode(k.k_date()),
            "969fbb94feb542b71ede6f87fe4d5fa29c789342b0f407474670f0c2489e0a0d"
        );
        assert_eq!(
            hex::encode(k.k_region()),
            "69daa0209cd9c5ff5c8ced464a696fd4252e981430b10e3d3fd8e2f197d7a70c"
        );
        assert_eq!(
            hex::encode(k.k_service()),
            "f72cfd46f26bc4643f06a11eabb6c0ba18780c19a8da0c31ace671265e3c87fa"
        );
        assert_eq!(
            hex::encode(k.k_signing()),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn cache_reuses_and_separates_keys() {
        let (d, r, s) = scope_parts("20120215");
        let scope = Scope::new(d, &r, &s);
        let cache = SigningKeyCache::new(2);
        let a = Credentials::new("AKID", "secret-a").unwrap();
        let rotated = Credentials::new("AKID", "secret-b").unwrap();
        let k1 = cache.get(&a, scope);
        let k2 = cache.get(&a, scope);
        assert!(Arc::ptr_eq(&k1, &k2));
        let k3 = cache.get(&rotated, scope);
        assert_ne!(k1.as_bytes(), k3.as_bytes());
        assert_eq!(
            k3.as_bytes(),
            SigningKey::derive("secret-b", scope).as_bytes()
        );
        assert_eq!(cache.len(), 2);

        // A new day evicts the oldest day first.
        let (d2, _, _) = scope_parts("20120216");
        let next_day = Scope::new(d2, &r, &s);
        let k4 = cache.get(&a, next_day);
        assert_eq!(cache.len(), 2);
        assert_eq!(
            k4.as_bytes(),
            SigningKey::derive("secret-a", next_day).as_bytes()
        );
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn thread_memo_follows_credentials_scope_and_clearing() {
        let (d, r, s) = scope_parts("20120215");
        let (d2, _, _) = scope_parts("20120216");
        let (day1, day2) = (Scope::new(d, &r, &s), Scope::new(d2, &r, &s));
        let cache = SigningKeyCache::new(1);
        let a = Credentials::new("AKID", "secret-a").unwrap();
        let rotated = Credentials::new("AKID", "secret-b").unwrap();
        let key = |c: &Credentials, scope| *cache.key(c, scope).parts().0.as_bytes();

        assert_eq!(
            key(&a, day1),
            *SigningKey::derive("secret-a", day1).as_bytes()
        );
        // Served from this thread's memo: the same key, no second entry.
        assert_eq!(
            key(&a, day1),
            *SigningKey::derive("secret-a", day1).as_bytes()
        );
        assert_eq!(cache.len(), 1);
        // A rotated secret and another day each get their own key.
        assert_eq!(
            key(&rotated, day1),
            *SigningKey::derive("secret-b", day1).as_bytes()
        );
        assert_eq!(
            key(&a, day2),
            *SigningKey::derive("secret-a", day2).as_bytes()
        );
        // After `clear`, the memo is not used: the key is looked up (and
        // derived) again, so the cache holds it again.
        cache.clear();
        assert_eq!(cache.len(), 0);
        assert_eq!(
            key(&a, day2),
            *SigningKey::derive("secret-a", day2).as_bytes()
        );
        assert_eq!(cache.len(), 1);
        // A second key taken while the thread holds one comes from the
        // shared cache.
        let mut outer = cache.key(&a, day2);
        let mut inner = cache.key(&a, day2);
        assert!(matches!(inner, KeyInUse::Own(..)));
        assert_eq!(inner.parts().0.as_bytes(), outer.parts().0.as_bytes());
    }

    #[test]
    fn the_per_second_memo_signs_like_the_key() {
        use crate::string_to_sign::StringToSign;
        let t1 = SigningTime::parse_amz_date("20120215T080000Z").unwrap();
        let t2 = SigningTime::parse_amz_date("20120215T080001Z").unwrap();
        let creds = Credentials::new("AKID", "secret").unwrap();
        // A scope long enough for a saved first block, and one too short.
        for (region, service) in [("us-east-1", "s3"), ("a", "b")] {
            let mut memo = SecondMemo::default();
            let (r, s) = (Region::new(region).unwrap(), Service::new(service).unwrap());
            let key = SigningKeyCache::new(1).get(&creds, Scope::new(t1.scope_date(), &r, &s));
            // Back and forth between two seconds, another hash each time:
            // the kept string to sign is rewritten or completed as needed.
            for (i, t) in [t1, t1, t2, t1, t2, t2].into_iter().enumerate() {
                let scope = Scope::new(t.scope_date(), &r, &s);
                let hash = [i as u8; 32];
                let sts = StringToSign::new(t, scope, &hash);
                let amz_date = memo.amz_date(t);
                assert_eq!(
                    memo.sign_canonical_request_sha256(&key, t, &amz_date, &hash),
                    key.sign(sts.as_bytes()),
                    "{region} {service} {i}"
                );
                assert_eq!(memo.amz_date(t).as_bytes(), t.amz_date().as_bytes());
            }
        }
    }

    #[test]
    fn debug_shows_no_key_material() {
        let (d, r, s) = scope_parts("20120215");
        let k = SigningKey::derive("secret", Scope::new(d, &r, &s));
        let shown = format!("{k:?}");
        assert!(!shown.contains(&hex::encode(k.as_bytes())));
        assert_eq!(shown, "SigningKey(** redacted **)");
    }
}
