//! SigV4a (`AWS4-ECDSA-P256-SHA256`, feature `sigv4a`): requests signed
//! with an ECDSA P-256 key derived from the credentials, valid in a set of
//! regions rather than one.
//!
//! - [`SigV4aKey`]: the private key derived from an access key pair (the
//!   AWS derivation: NIST SP 800-108 counter-mode KDF over HMAC-SHA256);
//! - [`PublicKey`]: its public half, which verifies signatures;
//! - [`Signer4a`]: header signing and presigning for a region set, through
//!   the same canonical-request writers as SigV4's.

mod key;
mod signer;

pub use key::{PublicKey, SigV4aKey};
pub(crate) use signer::Presign4aInfo;
pub use signer::{AuthorizationHeaders4a, PresignedRequest4a, Signer4a};

/// The SigV4a signing algorithm's name.
pub const ALGORITHM: &str = crate::wire::ALGORITHM_V4A;
