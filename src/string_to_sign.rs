//! Step 4 of the pipeline: the string to sign.
//!
//! ```text
//! AWS4-HMAC-SHA256
//! <X-Amz-Date>
//! <scope>
//! <hex SHA-256 of the canonical request>
//! ```

use core::fmt;

use crate::encode::Sink;
use crate::mac::{PADDING_ROOM, Padded};
use crate::scope::{MAX_NAME_LEN, Scope};
use crate::signature::hex64;
use crate::time::{AmzDate, SigningTime};

/// The signing algorithm name for SigV4 with HMAC-SHA256.
pub const ALGORITHM: &str = crate::wire::ALGORITHM;

// 17 + 16 + 1 + (8 + 1 + 64 + 1 + 64 + 1 + 12) + 1 + 64 = 250, plus the
// 6 bytes by which SigV4a's algorithm name is longer.
const CAPACITY: usize = 17 + 17 + (8 + 1 + MAX_NAME_LEN + 1 + MAX_NAME_LEN + 1 + 12) + 1 + 64 + 6;

/// A SigV4 string to sign, built on the stack.
///
/// ```
/// use presign::{Region, Scope, Service, SigningTime, StringToSign};
///
/// // S3 documentation: presigned GET of examplebucket/test.txt.
/// let time = SigningTime::parse_amz_date("20130524T000000Z")?;
/// let (region, service) = (Region::new("us-east-1")?, Service::s3());
/// let hash: [u8; 32] = hex::decode("3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04")
///     .unwrap().try_into().unwrap();
/// let sts = StringToSign::new(time, Scope::new(time.scope_date(), &region, &service), &hash);
/// assert_eq!(
///     sts.as_str(),
///     "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\
///      3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04"
/// );
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct StringToSign {
    /// With room for the hash padding after the text, so that signing pads
    /// in place (see [`Padded`]).
    text: Padded<{ CAPACITY + PADDING_ROOM }>,
}

impl StringToSign {
    /// The string to sign for a signing time, a scope and the SHA-256 of a
    /// canonical request.
    #[must_use]
    pub fn new(time: SigningTime, scope: Scope<'_>, canonical_request_sha256: &[u8; 32]) -> Self {
        let mut text = Padded::new();
        text.put(ALGORITHM.as_bytes());
        text.put(b"\n");
        text.put(time.amz_date().as_bytes());
        text.put(b"\n");
        scope.write_with(b"/", &mut text);
        text.put(b"\n");
        text.put(&hex64(canonical_request_sha256));
        StringToSign { text }
    }

    /// [`new`](Self::new) with the `X-Amz-Date` and the scope as text (a
    /// cached key's), as signing writes it.
    #[inline(always)]
    pub(crate) fn with_scope_text(
        amz_date: &AmzDate,
        scope: &str,
        canonical_request_sha256: &[u8; 32],
    ) -> Self {
        // The pieces of fixed length are copied without a call (this runs
        // on every signature).
        const HEAD: [u8; 17] = *concat!(crate::wire::algorithm!(), "\n")
            .as_bytes()
            .first_chunk()
            .unwrap();
        let mut text = Padded::new();
        text.push_array(&HEAD);
        text.push_array(amz_date.as_bytes());
        text.push_array(b"\n");
        text.put(scope.as_bytes());
        text.push_array(b"\n");
        text.push_array(&hex64(canonical_request_sha256));
        StringToSign { text }
    }

    /// A string to sign for another algorithm (SigV4a's), with the
    /// `X-Amz-Date` and the scope as text.
    #[cfg(feature = "sigv4a")]
    pub(crate) fn with_algorithm(
        algorithm: &str,
        amz_date: &AmzDate,
        scope: &str,
        canonical_request_sha256: &[u8; 32],
    ) -> Self {
        let mut text = Padded::new();
        text.put(algorithm.as_bytes());
        text.put(b"\n");
        text.put(amz_date.as_bytes());
        text.put(b"\n");
        text.put(scope.as_bytes());
        text.put(b"\n");
        text.put(&hex64(canonical_request_sha256));
        StringToSign { text }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Built only from ASCII pieces (validated region and service names).
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// Writes another canonical request's SHA-256 over the last line (the
    /// rest of a string to sign is the same for every request one key signs
    /// in one second).
    #[inline]
    pub(crate) fn set_canonical_request_sha256(&mut self, canonical_request_sha256: &[u8; 32]) {
        self.text.overwrite_end(&hex64(canonical_request_sha256));
    }

    /// The text with its padding room, for signing in place.
    pub(crate) fn padded(&mut self) -> &mut Padded<{ CAPACITY + PADDING_ROOM }> {
        &mut self.text
    }
}

impl<const N: usize> Sink for Padded<N> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.push(bytes);
    }
}

impl fmt::Debug for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::{Region, Service};

    // CRT suite, get-vanilla (header variant).
    #[test]
    fn builds_the_crt_get_vanilla_string_to_sign() {
        let time = SigningTime::parse_amz_date("20150830T123600Z").unwrap();
        let (r, s) = (
            Region::new("us-east-1").unwrap(),
            Service::new("service").unwrap(),
        );
        let hash: [u8; 32] =
            hex::decode("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
                .unwrap()
                .try_into()
                .unwrap();
        let sts = StringToSign::new(time, Scope::new(time.scope_date(), &r, &s), &hash);
        assert_eq!(
            sts.as_str(),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
             bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
    }

    #[test]
    fn longest_scope_fits() {
        let time = SigningTime::parse_amz_date("99991231T235959Z").unwrap();
        let long = "a".repeat(MAX_NAME_LEN);
        let (r, s) = (Region::new(&long).unwrap(), Service::new(&long).unwrap());
        let sts = StringToSign::new(time, Scope::new(time.scope_date(), &r, &s), &[0xab; 32]);
        assert!(sts.as_str().ends_with(&"ab".repeat(32)));
        assert_eq!(
            sts.as_bytes().len(),
            17 + 17 + 8 + 1 + 64 + 1 + 64 + 1 + 12 + 1 + 64
        );
    }
}
