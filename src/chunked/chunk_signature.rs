//! The chain of chunk signatures: each chunk (and the trailer) is signed
//! with the request's signing key over a string to sign that carries the
//! previous signature, starting from the request's own (the seed).
//!
//! ```text
//! AWS4-HMAC-SHA256-PAYLOAD            AWS4-HMAC-SHA256-TRAILER
//! <X-Amz-Date>                        <X-Amz-Date>
//! <scope>                             <scope>
//! <previous signature>                <previous signature>
//! <SHA-256 of the empty string>       <SHA-256 of the canonical trailer>
//! <SHA-256 of the chunk's data>
//! ```

use core::fmt;

use crate::encode::Sink;
use crate::mac::EMPTY_SHA256_HEX;
use crate::scope::{MAX_NAME_LEN, Scope};
use crate::signature::{Signature, hex64};
use crate::signing_key::{CachedSigningKey, SigningKey};
use crate::time::SigningTime;

/// The first line of a chunk's string to sign.
pub const CHUNK_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
/// The first line of the trailer's string to sign.
pub const TRAILER_ALGORITHM: &str = "AWS4-HMAC-SHA256-TRAILER";

/// `date/region/service/aws4_request` at its longest.
const SCOPE_CAP: usize = 8 + 1 + MAX_NAME_LEN + 1 + MAX_NAME_LEN + 1 + 12;
/// `<X-Amz-Date>\n<scope>\n` at its longest.
const DATE_SCOPE_CAP: usize = 16 + 1 + SCOPE_CAP + 1;
/// A chunk's string to sign at its longest (the trailer's is shorter).
const STS_CAP: usize = CHUNK_ALGORITHM.len() + 1 + DATE_SCOPE_CAP + 3 * 65;

/// Signs the chunks of one `aws-chunked` body (or checks their signatures):
/// the request's signing key, time and scope, and the previous signature in
/// the chain, which starts as the request's seed signature.
///
/// Both [`ChunkEncoder`](super::ChunkEncoder) and
/// [`ChunkDecoder`](super::ChunkDecoder) drive one; use it directly only to
/// sign chunks framed some other way.
///
/// The key is held as a [`SigningKey`] (zeroized on drop). `Debug` shows
/// neither the key nor the previous signature (at first, the request's own
/// signature).
///
/// ```
/// use presign::chunked::ChunkSigner;
/// use presign::{Region, Scope, Service, Signature, SigningKey, SigningTime};
///
/// // The S3 documentation's chunked upload: the first chunk's signature.
/// let time = SigningTime::parse_amz_date("20130524T000000Z")?;
/// let (region, service) = (Region::new("us-east-1")?, Service::s3());
/// let scope = Scope::new(time.scope_date(), &region, &service);
/// let key = SigningKey::derive("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", scope);
/// let seed: [u8; 32] = hex::decode("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
///     .unwrap().try_into().unwrap();
/// let mut signer = ChunkSigner::new(&key, time, scope, Signature::from_bytes(seed));
/// let data_sha256: [u8; 32] = hex::decode("bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a")
///     .unwrap().try_into().unwrap();
/// assert_eq!(
///     signer.sign_chunk(&data_sha256).to_string(),
///     "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
/// );
/// # Ok::<(), presign::Error>(())
/// ```
pub struct ChunkSigner {
    key: SigningKey,
    /// `<X-Amz-Date>\n<scope>\n`, the same for every chunk.
    date_scope: [u8; DATE_SCOPE_CAP],
    date_scope_len: usize,
    previous: Signature,
}

impl Clone for ChunkSigner {
    fn clone(&self) -> Self {
        ChunkSigner {
            key: self.key.duplicate(),
            date_scope: self.date_scope,
            date_scope_len: self.date_scope_len,
            previous: self.previous,
        }
    }
}

impl ChunkSigner {
    /// A chain for a request signed with `key` at `time` for `scope`, whose
    /// signature (the seed) is `seed`.
    #[must_use]
    pub fn new(key: &SigningKey, time: SigningTime, scope: Scope<'_>, seed: Signature) -> Self {
        let mut w = StackText::<DATE_SCOPE_CAP>::new();
        w.put(time.amz_date().as_bytes());
        w.put(b"\n");
        scope.write_with(b"/", &mut w);
        w.put(b"\n");
        ChunkSigner {
            key: key.duplicate(),
            date_scope: w.buf,
            date_scope_len: w.len,
            previous: seed,
        }
    }

    /// [`new`](Self::new) with a key from a
    /// [`SigningKeyCache`](crate::SigningKeyCache), which knows its scope.
    #[must_use]
    pub fn with_cached_key(key: &CachedSigningKey, time: SigningTime, seed: Signature) -> Self {
        let mut w = StackText::<DATE_SCOPE_CAP>::new();
        w.put(time.amz_date().as_bytes());
        w.put(b"\n");
        w.put(key.scope().as_bytes());
        w.put(b"\n");
        ChunkSigner {
            key: key.key().duplicate(),
            date_scope: w.buf,
            date_scope_len: w.len,
            previous: seed,
        }
    }

    /// The last signature of the chain: the seed until a chunk is signed.
    pub fn previous_signature(&self) -> Signature {
        self.previous
    }

    /// The string to sign of the next chunk, whose data hashes to
    /// `data_sha256`.
    pub fn chunk_string_to_sign(&self, data_sha256: &[u8; 32]) -> ChunkStringToSign {
        let mut w = StackText::<STS_CAP>::new();
        w.put(CHUNK_ALGORITHM.as_bytes());
        w.put(b"\n");
        w.put(&self.date_scope[..self.date_scope_len]);
        w.put(self.previous.to_hex().as_bytes());
        w.put(b"\n");
        w.put(EMPTY_SHA256_HEX);
        w.put(b"\n");
        w.put(&hex64(data_sha256));
        ChunkStringToSign(w)
    }

    /// The string to sign of the trailer, whose canonical form
    /// (`name:value\n` per header) hashes to `trailer_sha256`.
    pub fn trailer_string_to_sign(&self, trailer_sha256: &[u8; 32]) -> ChunkStringToSign {
        let mut w = StackText::<STS_CAP>::new();
        w.put(TRAILER_ALGORITHM.as_bytes());
        w.put(b"\n");
        w.put(&self.date_scope[..self.date_scope_len]);
        w.put(self.previous.to_hex().as_bytes());
        w.put(b"\n");
        w.put(&hex64(trailer_sha256));
        ChunkStringToSign(w)
    }

    /// Signs the next chunk, whose data hashes to `data_sha256`; its
    /// signature becomes the previous one.
    pub fn sign_chunk(&mut self, data_sha256: &[u8; 32]) -> Signature {
        let sts = self.chunk_string_to_sign(data_sha256);
        self.previous = self.key.sign(sts.as_bytes());
        self.previous
    }

    /// Signs the trailer, whose canonical form hashes to
    /// `trailer_sha256`; its signature becomes the previous one.
    pub fn sign_trailer(&mut self, trailer_sha256: &[u8; 32]) -> Signature {
        let sts = self.trailer_string_to_sign(trailer_sha256);
        self.previous = self.key.sign(sts.as_bytes());
        self.previous
    }
}

impl fmt::Debug for ChunkSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigner").finish_non_exhaustive()
    }
}

/// A chunk's or the trailer's string to sign, built on the stack.
#[derive(Clone, Copy)]
pub struct ChunkStringToSign(StackText<STS_CAP>);

impl ChunkStringToSign {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII pieces (validated names, digits, hex) are written.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0.buf[..self.0.len]
    }
}

impl fmt::Debug for ChunkStringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ChunkStringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bytes written into a fixed stack buffer.
#[derive(Clone, Copy)]
pub(crate) struct StackText<const N: usize> {
    pub(crate) buf: [u8; N],
    pub(crate) len: usize,
}

impl<const N: usize> StackText<N> {
    pub(crate) const fn new() -> Self {
        StackText {
            buf: [0u8; N],
            len: 0,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl<const N: usize> Sink for StackText<N> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        // Every piece is bounded, so this never truncates; should it ever,
        // it truncates rather than panics.
        let end = (self.len + bytes.len()).min(N);
        let n = end - self.len;
        self.buf[self.len..end].copy_from_slice(&bytes[..n]);
        self.len = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::{Region, Service};

    fn signer(region: &str, service: &str) -> (ChunkSigner, ChunkSigner) {
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        let (r, s) = (Region::new(region).unwrap(), Service::new(service).unwrap());
        let scope = Scope::new(time.scope_date(), &r, &s);
        let key = SigningKey::derive("secret", scope);
        let seed = Signature::from_bytes([7; 32]);
        let cache = crate::SigningKeyCache::new(1);
        let creds = crate::Credentials::new("AKID", "secret").unwrap();
        let cached = cache.get(&creds, scope);
        (
            ChunkSigner::new(&key, time, scope, seed),
            ChunkSigner::with_cached_key(&cached, time, seed),
        )
    }

    #[test]
    fn both_constructors_build_the_same_strings() {
        let long = "a".repeat(MAX_NAME_LEN);
        for (region, service) in [("us-east-1", "s3"), (long.as_str(), long.as_str())] {
            let (mut a, mut b) = signer(region, service);
            let sts = a.chunk_string_to_sign(&[1; 32]);
            assert_eq!(sts.as_str(), b.chunk_string_to_sign(&[1; 32]).as_str());
            assert!(
                sts.as_str()
                    .starts_with("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/")
            );
            assert!(sts.as_str().ends_with(&"01".repeat(32)));
            assert_eq!(sts.as_str().lines().count(), 6);
            assert_eq!(a.sign_chunk(&[1; 32]), b.sign_chunk(&[1; 32]));
            let trailer = a.trailer_string_to_sign(&[2; 32]);
            assert_eq!(trailer.as_str().lines().count(), 5);
            assert_eq!(a.sign_trailer(&[2; 32]), b.sign_trailer(&[2; 32]));
        }
    }

    #[test]
    fn debug_shows_no_key() {
        let (a, _) = signer("us-east-1", "s3");
        let shown = format!("{a:?}");
        assert_eq!(shown, "ChunkSigner { .. }");
    }
}
