//! S3 Express One Zone: directory buckets, their zonal endpoints, and the
//! `CreateSession` call that gives the session credentials requests to them
//! are signed with.
//!
//! A directory bucket is named `BASE--ZONEID--x-s3` ([`DirectoryBucket`])
//! and addressed only virtual-hosted, at its zonal endpoint
//! `BUCKET.s3express[-fips]-ZONEID[.dualstack].REGION.amazonaws.com`
//! ([`DirectoryBucket::zonal_host`]). Data-plane requests are signed for
//! service `s3express` with session credentials that last about five
//! minutes: the caller's ordinary credentials sign a [`CreateSession`]
//! request, the caller sends it, and [`parse_create_session_response`]
//! turns the answer into [`Credentials`] whose token travels as
//! `x-amz-s3session-token` / `X-Amz-S3session-Token`.
//! [`SessionProvider`] does all of that ahead of each session's expiry
//! through a transport function you supply (the crate does no I/O).
//!
//! ```
//! use std::time::Duration;
//! use presign::s3::express::{CreateSession, DirectoryBucket, parse_create_session_response};
//! use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};
//!
//! let bucket = DirectoryBucket::parse("mybucket--usw2-az1--x-s3")?;
//! assert_eq!(bucket.zone_id(), "usw2-az1");
//! let region = Region::new("us-west-2")?;
//! let time = SigningTime::parse_amz_date("20260524T120000Z")?; // SigningTime::now() in production
//!
//! // 1. CreateSession, signed with your ordinary credentials; send it yourself.
//! let base = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let request = CreateSession::new(&bucket, region.clone()).sign(&base, time)?;
//! assert_eq!(request.method(), "GET");
//! assert_eq!(request.url(), "https://mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/?session");
//! assert!(request.headers().iter().any(|(name, _)| *name == "authorization"));
//!
//! // 2. The answer's body (here, made up) gives the session credentials.
//! let body = r#"<?xml version="1.0" encoding="UTF-8"?>
//! <CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
//!   <Credentials>
//!     <SessionToken>IQoJb3JpZ2luX2VjEXPRESS</SessionToken>
//!     <SecretAccessKey>session/secret</SecretAccessKey>
//!     <AccessKeyId>ASIAEXPRESSSESSION01</AccessKeyId>
//!     <Expiration>2026-05-24T12:05:00Z</Expiration>
//!   </Credentials>
//! </CreateSessionResult>"#;
//! let session = parse_create_session_response(body)?;
//!
//! // 3. Presign a GET with them, for service s3express, at the zonal host.
//! let signer = Signer::new(region, Service::new("s3express")?);
//! let host = bucket.zonal_host(signer.region(), Default::default());
//! let get = SignableRequest::new(Method::GET, &host, "/photos/cat.jpg");
//! let url = signer.presign(&get, &session, time, Duration::from_secs(300))?;
//! assert!(url.uri().contains("&X-Amz-S3session-Token=IQoJb3JpZ2luX2VjEXPRESS&"));
//! assert!(!url.uri().contains("X-Amz-Security-Token"));
//! // The session ends at 12:05: a URL that would outlive it is refused.
//! assert!(signer.presign(&get, &session, time, Duration::from_secs(600)).is_err());
//! # Ok::<(), presign::Error>(())
//! ```
//!
//! The control-plane endpoint (`s3express-control[-fips][.dualstack].REGION.amazonaws.com`,
//! for `CreateBucket`, `ListDirectoryBuckets` and the like) is not covered:
//! this crate presigns data-plane requests.

mod provider;
mod xml;

use core::fmt;

use crate::credentials::Credentials;
use crate::error::{Error, excerpt};
use crate::request::{Method, SignableRequest};
use crate::scope::{Region, Service};
use crate::sign::Signer;
use crate::time::SigningTime;
use crate::wire::header::{
    AUTHORIZATION, X_AMZ_CREATE_SESSION_MODE as CREATE_SESSION_MODE, X_AMZ_SECURITY_TOKEN,
};

pub use provider::{DEFAULT_SESSION_REFRESH_BEFORE, SessionProvider};
pub use xml::parse_create_session_response;

/// The suffix every directory bucket name ends with.
pub const DIRECTORY_BUCKET_SUFFIX: &str = "--x-s3";

/// The signing name of S3 Express One Zone's data plane and `CreateSession`.
pub const SERVICE: &str = "s3express";

/// The longest zone id accepted (the longest botocore's endpoint rules
/// extract).
const MAX_ZONE_ID_LEN: usize = 20;

/// Whether `name` is meant as a directory bucket: it ends with `--x-s3`
/// (botocore's test). A name that passes is not necessarily valid:
/// [`DirectoryBucket::parse`] says.
pub fn is_directory_bucket_name(name: &str) -> bool {
    name.ends_with(DIRECTORY_BUCKET_SUFFIX)
}

/// A directory bucket's name, `BASE--ZONEID--x-s3`, checked: the zone id
/// (`usw2-az1`, `use1-az4`, a Local Zone's `usw2-lax1-az1`) is the part
/// between the last `--` before the suffix and the suffix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DirectoryBucket {
    name: String,
    /// Byte offset of the zone id in `name`.
    zone_start: usize,
}

impl DirectoryBucket {
    /// Parses and checks a directory bucket name, following AWS's naming
    /// rules for directory buckets:
    ///
    /// - 3 to 63 characters in all, suffix included;
    /// - the base: lowercase letters, digits and hyphens (no periods),
    ///   beginning and ending with a letter or digit, not beginning with
    ///   `xn--`, `sthree-` or `amzn-s3-demo-`;
    /// - the zone id: lowercase alphanumeric parts joined by single
    ///   hyphens, at least two, the first a location code ending in a
    ///   digit (`usw2`), the last `az` and a number (`az1`), at most 20
    ///   characters.
    ///
    /// Fails with [`Error::InvalidDirectoryBucketName`], whose reason names
    /// the part at fault.
    pub fn parse(name: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidDirectoryBucketName {
            bucket: excerpt(name),
            reason,
        };
        let Some(rest) = name.strip_suffix(DIRECTORY_BUCKET_SUFFIX) else {
            return Err(invalid("does not end with --x-s3"));
        };
        let Some((base, zone)) = rest.rsplit_once("--") else {
            return Err(invalid(
                "no zone id: expected BASE--ZONEID--x-s3, such as mybucket--usw2-az1--x-s3",
            ));
        };
        check_zone_id(zone).map_err(invalid)?;
        check_base(base).map_err(invalid)?;
        if !(3..=63).contains(&name.len()) {
            return Err(invalid("longer than 63 characters"));
        }
        Ok(DirectoryBucket {
            name: name.to_owned(),
            zone_start: base.len() + 2,
        })
    }

    /// The whole name, as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The part before the zone id (`mybucket` in
    /// `mybucket--usw2-az1--x-s3`).
    pub fn base(&self) -> &str {
        &self.name[..self.zone_start - 2]
    }

    /// The zone id (`usw2-az1` in `mybucket--usw2-az1--x-s3`): an
    /// Availability Zone or Local Zone id.
    pub fn zone_id(&self) -> &str {
        &self.name[self.zone_start..self.name.len() - DIRECTORY_BUCKET_SUFFIX.len()]
    }

    /// The zonal endpoint's host, which also names the bucket (directory
    /// buckets are addressed virtual-hosted only), as botocore's endpoint
    /// rules write it:
    ///
    /// | options | host |
    /// |---|---|
    /// | default | `BUCKET.s3express-ZONEID.REGION.amazonaws.com` |
    /// | FIPS | `BUCKET.s3express-fips-ZONEID.REGION.amazonaws.com` |
    /// | dual-stack | `BUCKET.s3express-ZONEID.dualstack.REGION.amazonaws.com` |
    /// | both | `BUCKET.s3express-fips-ZONEID.dualstack.REGION.amazonaws.com` |
    ///
    /// The region is lowercased; `amazonaws.com` is the region's partition
    /// suffix (`amazonaws.com.cn` in `cn-*`). Whether the zone is in the
    /// region is not checked (botocore does not either): a wrong pair gives
    /// a host that does not resolve.
    pub fn zonal_host(&self, region: &Region, options: ZonalOptions) -> String {
        let region = region.as_str().to_ascii_lowercase();
        let fips = if options.fips { "-fips" } else { "" };
        let dualstack = if options.dualstack { ".dualstack" } else { "" };
        format!(
            "{}.s3express{fips}-{}{dualstack}.{region}.{}",
            self.name,
            self.zone_id(),
            super::endpoint::partition_of(&region).dns
        )
    }
}

impl fmt::Display for DirectoryBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl core::str::FromStr for DirectoryBucket {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        DirectoryBucket::parse(s)
    }
}

fn check_base(base: &str) -> Result<(), &'static str> {
    let b = base.as_bytes();
    if b.is_empty() {
        return Err("empty base name before the zone id");
    }
    if !b
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        return Err("base name has a character other than lowercase letters, digits and hyphens");
    }
    if !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return Err("base name must begin and end with a letter or digit");
    }
    if ["xn--", "sthree-", "amzn-s3-demo-"]
        .iter()
        .any(|p| base.starts_with(p))
    {
        return Err("base name begins with a reserved prefix (xn--, sthree-, amzn-s3-demo-)");
    }
    Ok(())
}

fn check_zone_id(zone: &str) -> Result<(), &'static str> {
    const BAD: &str = "invalid zone id: expected a zone id such as usw2-az1 or usw2-lax1-az1";
    if zone.is_empty() {
        return Err("no zone id: expected BASE--ZONEID--x-s3, such as mybucket--usw2-az1--x-s3");
    }
    if zone.len() > MAX_ZONE_ID_LEN {
        return Err("zone id longer than 20 characters");
    }
    let parts: Vec<&str> = zone.split('-').collect();
    let alnum = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    if parts.len() < 2 || !parts.iter().all(alnum) {
        return Err(BAD);
    }
    let first = parts[0].as_bytes();
    let location_code = first[0].is_ascii_lowercase() && first[first.len() - 1].is_ascii_digit();
    let last = parts[parts.len() - 1];
    let az = last
        .strip_prefix("az")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
    if !location_code || !az {
        return Err(BAD);
    }
    Ok(())
}

/// Endpoint variants of a zonal endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ZonalOptions {
    /// `s3express-fips-ZONEID`: FIPS 140 endpoints.
    pub fips: bool,
    /// `.dualstack.`: IPv4 and IPv6.
    pub dualstack: bool,
}

impl ZonalOptions {
    /// Uses the FIPS endpoint, or not.
    pub fn fips(mut self, yes: bool) -> Self {
        self.fips = yes;
        self
    }

    /// Uses the dual-stack endpoint, or not.
    pub fn dualstack(mut self, yes: bool) -> Self {
        self.dualstack = yes;
        self
    }
}

/// The access a session grants (`x-amz-create-session-mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionMode {
    /// Reads and writes: S3's default.
    #[default]
    ReadWrite,
    /// Reads only.
    ReadOnly,
}

impl SessionMode {
    /// The header value: `ReadWrite` or `ReadOnly`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionMode::ReadWrite => "ReadWrite",
            SessionMode::ReadOnly => "ReadOnly",
        }
    }
}

/// A `CreateSession` call to sign: `GET https://ZONAL_HOST/?session`,
/// signed for service `s3express` in the bucket's region with the caller's
/// ordinary (long-term or STS) credentials, with an `Authorization` header.
///
/// As botocore does, the request signs `host`, `x-amz-content-sha256` (of
/// the empty body), `x-amz-date`, `x-amz-security-token` with temporary
/// credentials, and `x-amz-create-session-mode` when a mode is given.
#[derive(Debug)]
pub struct CreateSession {
    bucket: DirectoryBucket,
    host: String,
    mode: Option<SessionMode>,
    signer: Signer,
}

impl CreateSession {
    /// `CreateSession` for a directory bucket in a region, at the default
    /// zonal endpoint, without a session mode (S3 then grants
    /// `ReadWrite`).
    pub fn new(bucket: &DirectoryBucket, region: Region) -> Self {
        let host = bucket.zonal_host(&region, ZonalOptions::default());
        CreateSession {
            bucket: bucket.clone(),
            host,
            mode: None,
            signer: Signer::new(region, express_service()),
        }
    }

    /// Asks for a session mode (sends `x-amz-create-session-mode`).
    pub fn session_mode(mut self, mode: SessionMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Uses a FIPS or dual-stack zonal endpoint.
    pub fn zonal_options(mut self, options: ZonalOptions) -> Self {
        self.host = self.bucket.zonal_host(self.signer.region(), options);
        self
    }

    /// The bucket.
    pub fn bucket(&self) -> &DirectoryBucket {
        &self.bucket
    }

    /// The region the request is signed for.
    pub fn region(&self) -> &Region {
        self.signer.region()
    }

    /// The zonal host the request goes to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Signs the request with the caller's ordinary credentials at `time`.
    ///
    /// Fails with [`Error::InvalidSessionToken`] when `credentials` are
    /// themselves S3 Express session credentials (a session cannot sign
    /// `CreateSession`), and as [`Signer::sign_headers`] does.
    pub fn sign(
        &self,
        credentials: &Credentials,
        time: SigningTime,
    ) -> Result<CreateSessionRequest, Error> {
        if credentials.is_s3_express_session() {
            return Err(Error::InvalidSessionToken {
                reason: "createsession is signed with ordinary credentials, not an s3 express session",
            });
        }
        let mut request = SignableRequest::new(Method::GET, &self.host, "/?session");
        if let Some(mode) = self.mode {
            request = request.header(CREATE_SESSION_MODE, mode.as_str());
        }
        let signed = self.signer.sign_headers(&request, credentials, time)?;
        let mut headers: Vec<(&'static str, String)> = signed
            .iter()
            .map(|(name, value)| (name, value.to_owned()))
            .collect();
        if let Some(mode) = self.mode {
            headers.push((CREATE_SESSION_MODE, mode.as_str().to_owned()));
        }
        Ok(CreateSessionRequest {
            url: format!("https://{}/?session", self.host),
            headers,
        })
    }
}

/// The `s3express` service name (valid by construction).
fn express_service() -> Service {
    Service::new(SERVICE).unwrap_or_else(|_| Service::s3())
}

/// A signed `CreateSession` request: what the caller sends (`GET`, the URL,
/// these headers; the `host` header is the URL's host) and whose answer's
/// body goes to [`parse_create_session_response`].
///
/// `Debug` redacts the signature and any session token.
#[derive(Clone)]
pub struct CreateSessionRequest {
    url: String,
    headers: Vec<(&'static str, String)>,
}

impl CreateSessionRequest {
    /// The method: `GET`.
    pub fn method(&self) -> &'static str {
        "GET"
    }

    /// `https://ZONAL_HOST/?session`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The zonal host (also the `host` header the signature covers).
    pub fn host(&self) -> &str {
        let rest = self.url.strip_prefix("https://").unwrap_or(&self.url);
        rest.split_once('/').map_or(rest, |(host, _)| host)
    }

    /// The headers to send, `(lowercase name, value)`: `authorization`,
    /// `x-amz-date`, `x-amz-security-token` (with temporary credentials),
    /// `x-amz-content-sha256` and `x-amz-create-session-mode` (when asked).
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }
}

impl fmt::Debug for CreateSessionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let value = match *name {
                    AUTHORIZATION => match value.split_once(", Signature=") {
                        Some((head, _)) => format!("{head}, Signature=<redacted>"),
                        None => "<redacted>".to_owned(),
                    },
                    X_AMZ_SECURITY_TOKEN => "** redacted **".to_owned(),
                    _ => value.clone(),
                };
                (*name, value)
            })
            .collect();
        f.debug_struct("CreateSessionRequest")
            .field("method", &self.method())
            .field("url", &self.url)
            .field("headers", &shown)
            .finish()
    }
}

#[cfg(test)]
mod tests;

/// Where a directory bucket is reached: its zonal endpoint, virtual-hosted,
/// on AWS (FIPS and dual-stack as the endpoint says).
pub(crate) fn resolve(
    directory: &DirectoryBucket,
    region: &Region,
    endpoint: &super::Endpoint,
    addressing: super::Addressing,
) -> Result<super::endpoint::Resolved, Error> {
    let unsupported = |reason| Error::UnsupportedAddressing {
        bucket: crate::error::excerpt(directory.name()),
        reason,
    };
    if addressing == super::Addressing::Path {
        return Err(unsupported(
            "a directory bucket is addressed virtual-hosted, at its zonal endpoint",
        ));
    }
    let variant = match endpoint.aws_variant() {
        Some(v) if v.accelerate => {
            return Err(unsupported(
                "directory buckets do not support transfer acceleration",
            ));
        }
        Some(v) => v,
        None => {
            return Err(unsupported(
                "a directory bucket is reached at its zonal aws endpoint, not a custom or the legacy global one",
            ));
        }
    };
    let host = directory.zonal_host(
        region,
        ZonalOptions::default()
            .fips(variant.fips)
            .dualstack(variant.dual_stack),
    );
    Ok(super::endpoint::Resolved {
        scheme: super::Scheme::Https,
        origin: format!("https://{host}"),
        host,
        prefix: String::new(),
        path_style: false,
    })
}
