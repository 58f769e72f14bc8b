//! Where a verifier finds the credentials of an access key id.

use core::ops::Deref;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::sync::Arc;

use crate::credentials::Credentials;

/// Finds the credentials a server knows for an access key id.
///
/// A verifier calls it once per request, so an implementation should lend
/// what it holds ([`Lent::Borrowed`] or [`Lent::Shared`]) rather than clone:
/// then verifying allocates nothing. Implemented for:
///
/// - [`Credentials`] (one key), `Vec<Credentials>` and `[Credentials; N]`;
/// - `HashMap<String, Credentials>` and `BTreeMap<String, Credentials>`,
///   keyed by access key id, and the same maps of `Arc<Credentials>`;
/// - `Arc<T>` of any lookup, to share one between verifiers;
/// - any `Fn(&str) -> Option<Credentials>` closure (what
///   [`Verifier::new`](super::Verifier::new) takes); it hands out a copy
///   per call, which allocates.
///
/// ```
/// use std::collections::HashMap;
/// use presign::Credentials;
/// use presign::verify::CredentialsLookup;
///
/// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
/// let mut keys = HashMap::new();
/// keys.insert(creds.access_key_id().to_owned(), creds);
/// assert!(keys.lookup("AKIAIOSFODNN7EXAMPLE").is_some());
/// assert!(keys.lookup("AKIAOTHER").is_none());
/// # Ok::<(), presign::Error>(())
/// ```
pub trait CredentialsLookup {
    /// The credentials for `access_key_id`, or `None` when it is unknown.
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>>;
}

/// Credentials a [`CredentialsLookup`] hands to the verifier: borrowed from
/// the lookup, shared, or owned. Dereferences to [`Credentials`].
#[derive(Debug)]
pub enum Lent<'a> {
    /// Borrowed from the lookup (no allocation).
    Borrowed(&'a Credentials),
    /// A shared reference count (no allocation).
    Shared(Arc<Credentials>),
    /// A copy made for this request.
    Owned(Credentials),
}

impl Deref for Lent<'_> {
    type Target = Credentials;
    fn deref(&self) -> &Credentials {
        match self {
            Lent::Borrowed(c) => c,
            Lent::Shared(c) => c,
            Lent::Owned(c) => c,
        }
    }
}

impl<F> CredentialsLookup for F
where
    F: Fn(&str) -> Option<Credentials>,
{
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        self(access_key_id).map(Lent::Owned)
    }
}

impl CredentialsLookup for Credentials {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        (self.access_key_id() == access_key_id).then_some(Lent::Borrowed(self))
    }
}

impl CredentialsLookup for [Credentials] {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        self.iter()
            .find(|c| c.access_key_id() == access_key_id)
            .map(Lent::Borrowed)
    }
}

impl<const N: usize> CredentialsLookup for [Credentials; N] {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        self.as_slice().lookup(access_key_id)
    }
}

impl CredentialsLookup for Vec<Credentials> {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        self.as_slice().lookup(access_key_id)
    }
}

impl<S: BuildHasher> CredentialsLookup for HashMap<String, Credentials, S> {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        self.get(access_key_id).map(Lent::Borrowed)
    }
}

impl<S: BuildHasher> CredentialsLookup for HashMap<String, Arc<Credentials>, S> {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        self.get(access_key_id).map(|c| Lent::Borrowed(c))
    }
}

impl CredentialsLookup for BTreeMap<String, Credentials> {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        self.get(access_key_id).map(Lent::Borrowed)
    }
}

impl CredentialsLookup for BTreeMap<String, Arc<Credentials>> {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        self.get(access_key_id).map(|c| Lent::Borrowed(c))
    }
}

impl<T: CredentialsLookup + ?Sized> CredentialsLookup for Arc<T> {
    fn lookup(&self, access_key_id: &str) -> Option<Lent<'_>> {
        (**self).lookup(access_key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(id: &str) -> Credentials {
        Credentials::new(id, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").unwrap()
    }

    #[test]
    fn every_store_finds_its_key_and_only_it() {
        let one = creds("AKIDA");
        let list = vec![creds("AKIDA"), creds("AKIDB")];
        let map: HashMap<String, Credentials> = list
            .iter()
            .map(|c| (c.access_key_id().into(), c.clone()))
            .collect();
        let shared: BTreeMap<String, Arc<Credentials>> = list
            .iter()
            .map(|c| (c.access_key_id().into(), Arc::new(c.clone())))
            .collect();
        let closure = |id: &str| (id == "AKIDA").then(|| creds("AKIDA"));
        let stores: [&dyn CredentialsLookup; 5] = [&one, &list, &map, &shared, &closure];
        for store in stores {
            assert_eq!(store.lookup("AKIDA").unwrap().access_key_id(), "AKIDA");
            assert!(store.lookup("AKIDC").is_none());
            assert!(store.lookup("akida").is_none());
        }
        assert!(matches!(list.lookup("AKIDB"), Some(Lent::Borrowed(_))));
        assert!(matches!(closure.lookup("AKIDA"), Some(Lent::Owned(_))));
    }
}
