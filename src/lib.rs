//! AWS Signature Version 4 signing and presigning, with no I/O.
//!
//! `presign` builds canonical requests, derives (and caches) signing keys and
//! emits presigned URLs and `Authorization` headers. It never touches the
//! network, never reads the clock or the environment by itself (time and
//! credentials are passed in), zeroizes secrets on drop and keeps them out of
//! every `Debug`, `Display` and error message.
//!
//! The pipeline, one module per step, using the specification's own nouns:
//!
//! | step | module | type |
//! |---|---|---|
//! | dates | [`time`] | [`SigningTime`], [`ScopeDate`] |
//! | encoding | [`encode`] | [`PathMode`] |
//! | scope | [`scope`] | [`Scope`], [`Region`], [`Service`] |
//! | canonical request | [`canonical`] | [`CanonicalRequest`] |
//! | string to sign | [`string_to_sign`] | [`StringToSign`] |
//! | signing key | [`signing_key`] | [`SigningKey`], [`SigningKeyCache`] |
//! | signature | [`signature`] | [`Signature`] |
//! | outputs | [`sign`] | [`Signer`], [`AuthorizationHeaders`], [`PresignedRequest`] |
//!
//! On top of it:
//!
//! - [`s3`]: presigned S3 URLs ([`s3::Bucket`]) and POST policies for browser
//!   uploads ([`s3::PostPolicy`]), for AWS and any S3-compatible endpoint;
//! - [`verify`]: server-side verification of presigned URLs, `Authorization`
//!   headers and POST uploads;
//! - [`chunked`]: streaming uploads (`aws-chunked` bodies signed chunk by
//!   chunk, with checksum trailers): the encoder and the decoder;
//! - [`provider`]: credential providers for long-running signers;
//! - [`tokens`]: RDS IAM database tokens and EKS cluster tokens;
//! - `http` (feature `http`): signing and presigning `http::Request`s;
//! - `sigv4a` (feature `sigv4a`): SigV4a keys, signatures and
//!   verification (`AWS4-ECDSA-P256-SHA256`).
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let signer = Signer::new(Region::new("us-east-1")?, Service::s3());
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?; // or SigningTime::now()
//!
//! // The S3 documentation's presigned GET of examplebucket/test.txt.
//! let request = SignableRequest::new(Method::GET, "examplebucket.s3.amazonaws.com", "/test.txt")
//!     .payload(presign::Payload::Unsigned);
//! let presigned = signer.presign(&request, &creds, time, Duration::from_secs(86400))?;
//! let url = format!("https://examplebucket.s3.amazonaws.com{}", presigned.uri());
//! assert!(url.ends_with(
//!     "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
//! ));
//! # Ok::<(), presign::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]

#[cfg(feature = "aws-credential-types")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-credential-types")))]
pub mod aws_sdk;
pub mod canonical;
pub mod chunked;
pub mod credentials;
pub mod encode;
mod error;
#[cfg(feature = "http")]
pub mod http;
mod mac;
pub mod provider;
pub mod request;
pub mod s3;
pub mod scope;
pub mod sign;
pub mod signature;
pub mod signing_key;
#[cfg(feature = "sigv4a")]
pub mod sigv4a;
pub mod string_to_sign;
mod syntax;
pub mod time;
pub mod tokens;
pub mod verify;
mod wire;

/// The README's examples, run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use canonical::{CanonicalRequest, UNSIGNED_PAYLOAD};
pub use credentials::Credentials;
pub use encode::PathMode;
pub use error::{Error, ErrorKind};
pub use request::{Method, Payload, SignableRequest};
pub use scope::{Region, Scope, Service};
pub use sign::{
    AuthorizationHeaders, MAX_EXPIRES, PresignedRequest, SessionTokenMode, SignatureLocation,
    Signer,
};
pub use signature::{Signature, SignatureHex};
pub use signing_key::{
    CachedSigningKey, DEFAULT_CACHE_CAPACITY, KeyDerivation, SigningKey, SigningKeyCache,
};
pub use string_to_sign::{ALGORITHM, StringToSign};
pub use time::{AmzDate, ScopeDate, ScopeDateText, SigningTime};
