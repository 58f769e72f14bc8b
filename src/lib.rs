//! AWS Signature Version 4 signing and presigning, with no I/O.
//!
//! `presign` builds canonical requests, derives (and caches) signing keys and
//! emits presigned URLs and `Authorization` headers. It never touches the
//! network, never reads the clock or the environment by itself (time and
//! credentials are passed in), zeroizes secrets on drop and keeps them out of
//! every `Debug`, `Display` and error message.
//!
//! # Presigned S3 URLs
//!
//! ```
//! use std::time::Duration;
//! use presign::s3::Bucket;
//! use presign::{Credentials, Region, SigningTime};
//!
//! // Sign with a role's temporary credentials in production; these are AWS's example keys.
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?; // share it: it caches signing keys
//! let now = SigningTime::parse_amz_date("20130524T000000Z")?;             // SigningTime::now() in production
//!
//! // A download link, valid for 10 minutes, that saves under another name.
//! let download = bucket
//!     .get_object("reports/2026/summary.pdf")
//!     .response_content_disposition("attachment; filename=\"summary.pdf\"")
//!     .presign(&creds, now, Duration::from_secs(600))?;
//! println!("{}", download.as_str());
//!
//! // An upload link: the uploader must send exactly the signed content-type.
//! let upload = bucket
//!     .put_object("uploads/user-42/avatar.png")
//!     .content_type("image/png")
//!     .presign(&creds, now, Duration::from_secs(300))?;
//! assert_eq!(upload.method(), "PUT");
//! # Ok::<(), presign::Error>(())
//! ```
//!
//! [`s3::Bucket`] also takes custom endpoints (MinIO, R2, Ceph) and
//! addressing styles, and signs POST policies for browser uploads
//! ([`s3::PostPolicy`]). Credentials can come from a
//! [provider](provider::ProvideCredentials) that refreshes them, including
//! the AWS SDK's chain (`aws_sdk`, feature `aws-credential-types`).
//!
//! # The pipeline
//!
//! One module per step, using the specification's own nouns:
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
//! - the [cargo features](#cargo-features) below.
//!
//! Any other AWS service, with [`Signer`] directly (the S3 documentation's
//! presigned GET):
//!
//! ```
//! use std::time::Duration;
//! use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let signer = Signer::new(Region::new("us-east-1")?, Service::s3());
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?; // or SigningTime::now()
//!
//! let request = SignableRequest::new(Method::GET, "examplebucket.s3.amazonaws.com", "/test.txt")
//!     .payload(presign::Payload::Unsigned);
//! let presigned = signer.presign(&request, &creds, time, Duration::from_secs(86400))?;
//! let url = format!("https://examplebucket.s3.amazonaws.com{}", presigned.uri());
//! assert!(url.ends_with(
//!     "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
//! ));
//! # Ok::<(), presign::Error>(())
//! ```
//!
//! # Guides
//!
//! The long-form documentation is in [`guide`]: [how it
//! works](guide::how_it_works), [verifying](guide::verifying),
//! [security](guide::security), [performance](guide::performance) (and what
//! the crate costs a build), [bad input](guide::bad_input),
//! [testing](guide::testing) and [fuzzing](guide::fuzzing).
//!
//! # Cargo features
//!
//! None is on by default; the default build depends on no HTTP, async or
//! AWS SDK crate.
//!
//! | feature | enables | brings in |
//! |---|---|---|
//! | `http` | `http` module: `sign_request` and `presign_request` for `http::Request`s; `verify::ReceivedRequest::from_http` and `from_http_parts` | `http` 1 (without default features but `std`) |
//! | `sigv4a` | `sigv4a` module: SigV4a (`AWS4-ECDSA-P256-SHA256`) key derivation, signing and presigning; [`verify`] also accepts SigV4a requests | `p256` (ECDSA, RFC 6979 nonces) |
//! | `aws-credential-types` | `aws_sdk` module: the AWS SDK's `Credentials` converted into ours (`TryFrom`), and `SdkCredentialsProvider`, an SDK credentials provider (such as `aws-config`'s chain) behind a cache refreshed ahead of expiry | `aws-credential-types` 1.2 and the `aws-smithy-*` crates it needs |
//! | `cli` | the command-line tools `presign`, `presign-post`, `presign-verify` and `presign-sign-request` (`cargo install presign --features cli`); no library item | nothing (std only) |
//!
//! Items that need a feature are marked with it on docs.rs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]

#[cfg(feature = "aws-credential-types")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-credential-types")))]
pub mod aws_sdk;
mod bytes;
pub mod canonical;
pub mod checksum;
pub mod chunked;
pub mod credentials;
pub mod encode;
mod error;
pub mod guide;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
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
#[cfg_attr(docsrs, doc(cfg(feature = "sigv4a")))]
pub mod sigv4a;
pub mod string_to_sign;
mod syntax;
pub mod time;
pub mod tokens;
pub mod verify;
mod wire;

/// Builders and pure constructors are `#[must_use]`: a setter whose result
/// is dropped (the request without its content type) does not compile here.
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// let bucket = presign::s3::Bucket::new("b", presign::Region::new("us-east-1").unwrap()).unwrap();
/// let request = bucket.put_object("k");
/// request.content_type("text/plain"); // dropped: `request` still has no content type
/// ```
///
/// ```
/// #![deny(unused_must_use)]
/// let bucket = presign::s3::Bucket::new("b", presign::Region::new("us-east-1").unwrap()).unwrap();
/// let request = bucket.put_object("k").content_type("text/plain");
/// # let _ = request;
/// ```
#[cfg(doctest)]
pub struct MustUseDoctests;

/// The README's examples, run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use canonical::{CanonicalRequest, UNSIGNED_PAYLOAD};
pub use checksum::{Checksum, ChecksumAlgorithm};
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
