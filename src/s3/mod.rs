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
//! # Endpoints: FIPS and dual-stack
//!
//! [`Endpoint`] picks the AWS endpoint: [`Endpoint::aws`] (the default,
//! `s3.REGION.amazonaws.com`), [`Endpoint::aws_dual_stack`]
//! (`s3.dualstack.REGION...`, IPv4 and IPv6), [`Endpoint::aws_fips`]
//! (`s3-fips[.dualstack].REGION...`, FIPS 140 validated; not in `aws-cn`),
//! [`Endpoint::aws_accelerate`] and [`Endpoint::aws_legacy_global`]; or
//! [`Endpoint::custom`] for any S3-compatible server. The partition's DNS
//! suffix follows the region (`amazonaws.com.cn` for `cn-*`, ...).
//!
//! # Access points and Multi-Region Access Points
//!
//! [`Bucket::new`] takes an access point ARN in place of a bucket name, as
//! the AWS SDKs and `aws s3 presign` do, and resolves it as botocore's S3
//! endpoint rules do (each `/` of the resource may also be `:`; `DNS` is the
//! partition's suffix):
//!
//! | ARN | host | signed |
//! |---|---|---|
//! | `arn:P:s3:R:A:accesspoint/N` | `N-A.s3-accesspoint[-fips][.dualstack].R.DNS` | SigV4, `s3`, region `R` |
//! | `arn:P:s3-object-lambda:R:A:accesspoint/N` | `N-A.s3-object-lambda[-fips].R.DNS` | SigV4, `s3-object-lambda`, region `R` |
//! | `arn:P:s3-outposts:R:A:outpost/O/accesspoint/N` | `N-A.O.s3-outposts.R.DNS` | SigV4, `s3-outposts`, region `R` |
//! | `arn:P:s3::A:accesspoint/M` (Multi-Region) | `M.accesspoint.s3-global.DNS` | SigV4a, `s3`, region set `*` |
//!
//! - **The ARN's region wins** over the bucket's region (botocore's default,
//!   `use_arn_region`), but both must be in one partition
//!   ([`Error::ArnPartitionMismatch`](crate::Error::ArnPartitionMismatch)).
//! - **Virtual-hosted only**, over https, on AWS: path-style addressing,
//!   custom endpoints, the legacy global endpoint and transfer acceleration
//!   are refused ([`Error::UnsupportedArn`](crate::Error::UnsupportedArn)),
//!   as are FIPS in `aws-cn`, dual-stack for S3 Object Lambda, and FIPS or
//!   dual-stack for S3 on Outposts and Multi-Region Access Points.
//! - **Names**: access point names and outpost ids are one DNS label of
//!   `A-Z a-z 0-9 -`; the account id is 12 digits; a malformed ARN is
//!   [`Error::InvalidArn`](crate::Error::InvalidArn). Hosts are written in
//!   lowercase (DNS ignores case; botocore keeps the name's case in the URL
//!   but signs the same host).
//! - **POST policies** are refused for every ARN: S3 documents no POST
//!   Object through access points or Multi-Region Access Points, and
//!   botocore refuses both.
//!
//! ## When SigV4a is used
//!
//! Only for a Multi-Region Access Point: its requests may be served from
//! any of its regions, so they are signed with SigV4a
//! (`AWS4-ECDSA-P256-SHA256`, crate feature `sigv4a`) for the region set
//! `*`, with a region-less credential scope (`DATE/s3/aws4_request`). The
//! canonical request is SigV4's, written by the same code; only the string
//! to sign's algorithm and the ECDSA signature differ. Without the feature,
//! such a bucket is [`Error::FeatureDisabled`](crate::Error::FeatureDisabled)
//! when it is built, never a SigV4 URL that S3 would refuse.
//!
//! The Multi-Region Access Point's host is `ALIAS.accesspoint.s3-global.DNS`
//! where `ALIAS` is the name in the ARN, which for a real one ends in
//! `.mrap` (`mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com`). The
//! alias alone (`mfzwi23gnjvgw.mrap`, without `arn:`) is read as a bucket
//! name, as botocore does: only the ARN says it is a Multi-Region Access
//! Point.
//!
//! ```
//! # #[cfg(feature = "sigv4a")] {
//! use std::time::Duration;
//! use presign::s3::Bucket;
//! use presign::{Credentials, Region, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let time = SigningTime::parse_amz_date("20260524T120000Z")?;
//!
//! // An access point: SigV4 for its own region (us-west-2).
//! let ap = Bucket::new("arn:aws:s3:us-west-2:123456789012:accesspoint/reports", Region::new("us-east-1")?)?;
//! let url = ap.get_object("q1.csv").presign(&creds, time, Duration::from_secs(600))?;
//! assert!(url.as_str().starts_with("https://reports-123456789012.s3-accesspoint.us-west-2.amazonaws.com/q1.csv?"));
//!
//! // A Multi-Region Access Point: SigV4a for the region set `*`.
//! let mrap = Bucket::new("arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap", Region::new("us-east-1")?)?;
//! let url = mrap.put_object("uploads/q1.csv").presign(&creds, time, Duration::from_secs(600))?;
//! assert_eq!(url.algorithm(), "AWS4-ECDSA-P256-SHA256");
//! assert!(url.as_str().starts_with(
//!     "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/uploads/q1.csv?\
//!      X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260524%2Fs3%2Faws4_request&"
//! ));
//! assert!(url.query_pairs().any(|p| p == ("X-Amz-Region-Set", "%2A")));
//! # }
//! # Ok::<(), presign::Error>(())
//! ```
//!
//! # Directory buckets
//!
//! Directory buckets (S3 Express One Zone): their names, zonal endpoints
//! and `CreateSession` sessions are in [`express`].

mod arn;
mod bucket;
mod disposition;
mod endpoint;
pub mod express;
mod object;
mod post;
mod url;

pub use bucket::Bucket;
pub use disposition::ContentDisposition;
pub use endpoint::{Addressing, Endpoint, Scheme, is_dns_compatible};
pub use object::ObjectRequest;
pub use post::{
    Condition, FILENAME_PLACEHOLDER, Fields, PostKey, PostPolicy, PresignedPost, SignedPolicy,
    parse_policy_conditions,
};
pub use url::{KeyWarning, PresignedUrl, UrlSignature, key_warning};
