//! Step 6 of the pipeline: the signature, `HMAC-SHA256(kSigning,
//! string_to_sign)`, and its lowercase hex form written on the stack.

use core::fmt;

use subtle::ConstantTimeEq;

/// A SigV4 signature: 32 bytes, shown as 64 lowercase hex digits.
///
/// A signature is not a secret (it travels in the request), so `Debug` and
/// `Display` show it. Comparing two takes the same time wherever they
/// differ, so a server comparing the one it expects with one it received
/// tells an attacker nothing about how close a guess came.
#[derive(Clone, Copy, Eq)]
pub struct Signature([u8; 32]);

impl PartialEq for Signature {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl core::hash::Hash for Signature {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// The 64 lowercase hex digits of a [`Signature`], held on the stack;
/// compared in constant time too.
#[derive(Clone, Copy, Eq)]
pub struct SignatureHex([u8; 64]);

impl PartialEq for SignatureHex {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Signature {
    /// Wraps 32 raw signature bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Signature(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The signature as 64 lowercase hex digits, formatted on the stack.
    #[must_use]
    pub fn to_hex(&self) -> SignatureHex {
        SignatureHex(hex64(&self.0))
    }

    /// Whether `text` is exactly this signature's lowercase hex, compared
    /// in constant time (for texts of 64 bytes): eight digits at a time,
    /// as they are made, with no copy of the hex written and read back.
    pub(crate) fn is_hex(&self, text: &[u8]) -> bool {
        let Ok(text) = <&[u8; 64]>::try_from(text) else {
            return false;
        };
        let diff = self
            .0
            .as_chunks::<4>()
            .0
            .iter()
            .zip(text.as_chunks::<8>().0)
            .fold(0u64, |diff, (quad, digits)| {
                diff | (u64::from_le_bytes(hex8(*quad)) ^ u64::from_le_bytes(*digits))
            });
        diff.ct_eq(&0).into()
    }
}

/// Lowercase hex of 32 bytes into a stack buffer, eight digits at a time
/// (each eight stored at once: the hash or signature is read back soon
/// after, by the hash or a copy, and a wide read of many narrow stores has
/// to wait for all of them to land).
#[inline]
pub(crate) fn hex64(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    let (words, _) = out.as_chunks_mut::<8>();
    for (o, quad) in words.iter_mut().zip(bytes.as_chunks::<4>().0) {
        *o = hex8(*quad);
    }
    out
}

/// The eight lowercase hex digits of four bytes, with SWAR arithmetic on
/// one `u64` (a digit per byte, so no carry crosses a byte).
#[inline(always)]
fn hex8(quad: [u8; 4]) -> [u8; 8] {
    const LOW: u64 = 0x000f_000f_000f_000f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Byte 2i holds byte i of the input.
    let mut s = u64::from(u32::from_le_bytes(quad));
    s = (s | s << 16) & 0x0000_ffff_0000_ffff;
    s = (s | s << 8) & 0x00ff_00ff_00ff_00ff;
    // Byte 2i its high nibble, byte 2i + 1 its low one.
    let nibbles = (s >> 4 & LOW) | (s & LOW) << 8;
    // '0' + n, and 'a' - '0' - 10 more where n > 9 (n + 6 carries into
    // the byte's bit 4).
    let letters = (nibbles + 6 * ONES) >> 4 & ONES;
    (nibbles + 0x30 * ONES + letters * 0x27).to_le_bytes()
}

impl SignatureHex {
    /// The hex text.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The hex text as bytes.
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.to_hex().as_str())
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_hex().as_str())
    }
}

impl fmt::Debug for SignatureHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SignatureHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::hex64;
    use crate::scope::{Region, Scope, Service};
    use crate::signing_key::SigningKey;
    use crate::time::ScopeDate;

    #[test]
    fn hex_is_lowercase_hex_for_every_byte_at_every_place() {
        for at in 0..32 {
            for b in 0..=255u8 {
                let mut bytes = [0x5a; 32];
                bytes[at] = b;
                assert_eq!(
                    &hex64(&bytes)[..],
                    hex::encode(bytes).as_bytes(),
                    "{b:#x} at {at}"
                );
            }
        }
    }

    // S3 documentation, "Authenticating Requests: Using Query Parameters":
    // the presigned GET of test.txt from examplebucket.
    #[test]
    fn signs_the_s3_documentation_string_to_sign() {
        let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
        let scope = Scope::new(ScopeDate::parse("20130524").unwrap(), &region, &service);
        let key = SigningKey::derive("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", scope);
        let sts = "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\
                   3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04";
        let sig = key.sign(sts.as_bytes());
        assert_eq!(
            sig.to_hex().as_str(),
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
        assert_eq!(sig.to_string(), sig.to_hex().as_str());
    }

    #[test]
    fn hex64_matches_the_hex_crate() {
        let mut bytes = [0u8; 32];
        for start in 0..8u8 {
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = start.wrapping_mul(32).wrapping_add(i as u8);
            }
            assert_eq!(
                super::hex64(&bytes).as_slice(),
                hex::encode(bytes).as_bytes()
            );
        }
    }

    #[test]
    fn a_signature_is_its_hex_exactly() {
        let sig = super::Signature::from_bytes(core::array::from_fn(|i| (i * 37) as u8));
        let hex = hex::encode(sig.as_bytes());
        assert!(sig.is_hex(hex.as_bytes()));
        assert!(!sig.is_hex(hex.to_uppercase().as_bytes()));
        assert!(!sig.is_hex(&hex.as_bytes()[..63]));
        assert!(!sig.is_hex(format!("{hex}0").as_bytes()));
        assert!(!sig.is_hex(b""));
        // A byte off anywhere.
        for at in 0..64 {
            let mut other = hex.clone().into_bytes();
            other[at] = if other[at] == b'0' { b'1' } else { b'0' };
            assert!(!sig.is_hex(&other), "{at}");
        }
    }
}
