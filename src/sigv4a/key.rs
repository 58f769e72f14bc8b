//! The SigV4a key: derived from the access key pair, never stored.
//!
//! AWS derives the P-256 private key deterministically from the credentials
//! with the NIST SP 800-108 key derivation function in counter mode, with
//! HMAC-SHA256 as its PRF:
//!
//! - PRF key: `"AWS4A"` followed by the secret access key;
//! - fixed input: the KDF counter `1` (32-bit big-endian), the label
//!   `AWS4-ECDSA-P256-SHA256`, a zero byte, the context (the access key id
//!   followed by one "external" counter byte, starting at 1), and the
//!   output length in bits, 256 (32-bit big-endian);
//! - the 32 output bytes, read as a big-endian integer `c`, give the
//!   private key `d = c + 1` when `c <= n - 2` (`n` the order of P-256, so
//!   that `d` is in `[1, n - 1]`); otherwise the external counter is
//!   incremented and the KDF run again (at most 254 times; a retry happens
//!   with probability about 2^-32).

use core::fmt;

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::elliptic_curve::PrimeField;
use p256::elliptic_curve::sec1::FromSec1Point as _;
use p256::{FieldBytes, NonZeroScalar, Scalar, Sec1Point};
use zeroize::{Zeroize, Zeroizing};

use crate::credentials::Credentials;
use crate::error::Error;
use crate::mac::hmac_sha256;

/// The order of P-256 minus one, big-endian: a KDF output `c` is usable
/// when `c < n - 1`.
const ORDER_MINUS_ONE: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x50,
];

/// The largest external counter the derivation tries.
const MAX_COUNTER: u8 = 254;

/// A SigV4a private key (ECDSA P-256), derived from an access key pair.
///
/// The key is zeroized when dropped, is not `Clone` (derive it again, or
/// share it behind an `Arc`), and its `Debug` shows only the public key.
///
/// Signatures are deterministic (RFC 6979): the nonce is derived from the
/// key and the message, so the same string to sign always gives the same
/// signature, which makes signing reproducible and testable, and needs no
/// random number generator (this crate does no I/O, and reads no entropy
/// source). ECDSA signatures are valid whichever nonce was used: AWS's own
/// signers pick random ones, and both verify the same way.
pub struct SigV4aKey {
    signing: SigningKey,
}

impl SigV4aKey {
    /// Derives the SigV4a key of an access key pair (the session token, if
    /// any, plays no part).
    ///
    /// ```
    /// use presign::Credentials;
    /// use presign::sigv4a::SigV4aKey;
    ///
    /// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
    /// let key = SigV4aKey::derive(&creds)?;
    /// // CRT suite, v4a/get-vanilla/public-key.json.
    /// assert_eq!(
    ///     hex::encode(key.public_key().x()),
    ///     "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1"
    /// );
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn derive(credentials: &Credentials) -> Result<Self, Error> {
        let secret = credentials.secret_access_key().as_bytes();
        let mut prf_key = Zeroizing::new(Vec::with_capacity(5 + secret.len()));
        prf_key.extend_from_slice(b"AWS4A");
        prf_key.extend_from_slice(secret);

        let label = crate::wire::ALGORITHM_V4A.as_bytes();
        let access_key_id = credentials.access_key_id().as_bytes();
        let mut fixed = Vec::with_capacity(4 + label.len() + 1 + access_key_id.len() + 1 + 4);
        fixed.extend_from_slice(&1u32.to_be_bytes());
        fixed.extend_from_slice(label);
        fixed.push(0);
        fixed.extend_from_slice(access_key_id);
        let counter_at = fixed.len();
        fixed.push(1);
        fixed.extend_from_slice(&256u32.to_be_bytes());

        for counter in 1..=MAX_COUNTER {
            fixed[counter_at] = counter;
            let mut c = Zeroizing::new(hmac_sha256(&prf_key, &fixed));
            // The comparison branches on the secret, as every implementation
            // of this derivation does: a retry happens with probability
            // about 2^-32, and tells only that the first output was large.
            if c[..] >= ORDER_MINUS_ONE[..] {
                continue;
            }
            let mut repr = FieldBytes::from(*c);
            c.zeroize();
            let scalar = Scalar::from_repr(repr);
            repr.zeroize();
            // `c < n - 1`, so `c` is a scalar and `c + 1` is in [1, n - 1].
            let Some(mut scalar) = Option::<Scalar>::from(scalar) else {
                continue;
            };
            let mut d = scalar + Scalar::ONE;
            scalar.zeroize();
            let nonzero = Option::<NonZeroScalar>::from(NonZeroScalar::new(d));
            d.zeroize();
            let Some(d) = nonzero else {
                continue;
            };
            return Ok(SigV4aKey {
                signing: SigningKey::from(d),
            });
        }
        Err(Error::KeyDerivationFailed)
    }

    /// The public key, which verifies this key's signatures.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: *self.signing.verifying_key(),
        }
    }

    /// Signs a message (a string to sign): ECDSA P-256 over its SHA-256,
    /// with an RFC 6979 deterministic nonce, DER-encoded.
    pub(crate) fn sign_der(&self, message: &[u8]) -> DerSignature {
        self.signing.sign(message)
    }

    /// Signs a message (a string to sign): ECDSA P-256 over its SHA-256,
    /// with a deterministic (RFC 6979) nonce. Returns the DER encoding in
    /// lowercase hex, as `X-Amz-Signature` and the `Authorization` header
    /// carry it.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.sign_der(message).as_bytes())
    }
}

impl fmt::Debug for SigV4aKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4aKey")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

/// A SigV4a public key (a P-256 point), which verifies signatures.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    /// The key from its affine coordinates, big-endian (as the CRT suite's
    /// `public-key.json` gives them). `None` if the point is not on P-256.
    #[must_use]
    pub fn from_coordinates(x: &[u8; 32], y: &[u8; 32]) -> Option<Self> {
        let point = Sec1Point::from_affine_coordinates(&(*x).into(), &(*y).into(), false);
        let key = Option::<p256::PublicKey>::from(p256::PublicKey::from_sec1_point(&point))?;
        Some(PublicKey { key: key.into() })
    }

    /// The uncompressed SEC 1 encoding: `0x04`, X, Y.
    #[must_use]
    pub fn to_uncompressed(&self) -> [u8; 65] {
        let point = self.key.to_sec1_point(false);
        let mut out = [0u8; 65];
        out.copy_from_slice(point.as_bytes());
        out
    }

    /// The X coordinate, big-endian.
    pub fn x(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&self.to_uncompressed()[1..33]);
        out
    }

    /// The Y coordinate, big-endian.
    pub fn y(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&self.to_uncompressed()[33..]);
        out
    }

    /// Whether `signature_der` (a DER-encoded ECDSA signature) signs
    /// `message` (a string to sign, hashed with SHA-256) under this key.
    /// A signature that does not parse does not verify.
    pub fn verify(&self, message: &[u8], signature_der: &[u8]) -> bool {
        DerSignature::from_bytes(signature_der)
            .is_ok_and(|signature| self.key.verify(message, &signature).is_ok())
    }

    /// [`verify`](Self::verify), with the signature in lowercase hex, as
    /// signers write it in `X-Amz-Signature` and the `Authorization`
    /// header. Another spelling of the same bytes (uppercase digits) does
    /// not verify, as for SigV4: it is not what was signed.
    pub fn verify_hex(&self, message: &[u8], signature_hex: &str) -> bool {
        let lowercase = signature_hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        lowercase && hex::decode(signature_hex).is_ok_and(|der| self.verify(message, &der))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("x", &hex::encode(self.x()))
            .field("y", &hex::encode(self.y()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigV4aKey {
        let creds =
            Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        SigV4aKey::derive(&creds).unwrap()
    }

    #[test]
    fn derives_the_crt_suite_public_key() {
        let public = key().public_key();
        assert_eq!(
            hex::encode(public.x()),
            "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1"
        );
        assert_eq!(
            hex::encode(public.y()),
            "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518"
        );
        assert_eq!(
            PublicKey::from_coordinates(&public.x(), &public.y()),
            Some(public)
        );
    }

    #[test]
    fn debug_shows_only_the_public_key() {
        let text = format!("{:?}", key());
        assert!(text.starts_with("SigV4aKey { public_key: PublicKey { x: \"b6618f6a"));
    }

    #[test]
    fn signatures_are_deterministic_and_verify() {
        let key = key();
        let a = key.sign_hex(b"message");
        assert_eq!(a, key.sign_hex(b"message"));
        assert!(key.public_key().verify_hex(b"message", &a));
        assert!(!key.public_key().verify_hex(b"messagf", &a));
        assert!(!key.public_key().verify_hex(b"message", "30"));
    }
}
