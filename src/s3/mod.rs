//! Amazon S3 (and S3-compatible) presigned URLs.
//!
//! A [`Bucket`] is a presigner for one bucket: its name, region, endpoint
//! and addressing style, and a signing-key cache. Each S3 action returns an
//! [`ObjectRequest`] builder to add signed query parameters and headers to,
//! then [`presign`](ObjectRequest::presign) returns a [`PresignedUrl`].
//!
//! ```
//! use std::time::Duration;
//! use presign::s3::Bucket;
//! use presign::{Credentials, Region, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
//! let time = SigningTime::parse_amz_date("20130524T000000Z")?; // SigningTime::now() in production
//!
//! let url = bucket
//!     .get_object("photos/summer vacation/IMG 0001.jpg")
//!     .response_content_disposition("attachment; filename=\"IMG 0001.jpg\"")
//!     .presign(&creds, time, Duration::from_secs(600))?;
//! assert!(url.as_str().starts_with(
//!     "https://examplebucket.s3.us-east-1.amazonaws.com/photos/summer%20vacation/IMG%200001.jpg?X-Amz-Algorithm="
//! ));
//!
//! // An upload: the client must send the signed content-type.
//! let upload = bucket
//!     .put_object("uploads/report.pdf")
//!     .content_type("application/pdf")
//!     .presign(&creds, time, Duration::from_secs(300))?;
//! assert_eq!(upload.method(), "PUT");
//! # Ok::<(), presign::Error>(())
//! ```
//!
//! Directory buckets (S3 Express One Zone): their names, zonal endpoints
//! and `CreateSession` sessions are in [`express`].

mod endpoint;
pub mod express;
mod object;
mod post;
mod url;

pub use endpoint::{Addressing, Endpoint, Scheme, is_dns_compatible};
pub use object::{Bucket, ObjectRequest};
pub use post::{
    Condition, FILENAME_PLACEHOLDER, PostKey, PostPolicy, PresignedPost, SignedPolicy,
    parse_policy_conditions,
};
pub use url::{KeyWarning, PresignedUrl, key_warning};
