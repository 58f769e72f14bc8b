//! Step 2 of the pipeline: the credential scope,
//! `date/region/service/aws4_request`.

use core::fmt;

use crate::encode::Sink;
use crate::error::{Error, excerpt};
use crate::time::ScopeDate;

/// Longest region or service name accepted, in bytes. Real names are far
/// shorter; the bound keeps the string to sign in a fixed stack buffer.
pub const MAX_NAME_LEN: usize = 64;

/// An AWS region name such as `us-east-1` (or `auto` for Cloudflare R2).
///
/// A newtype, so that a region and a service cannot be swapped by accident.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(String);

/// A service signing name such as `s3`, `sts` or `execute-api`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Service(String);

fn check_name(s: &str) -> Result<(), &'static str> {
    if s.is_empty() {
        return Err("empty");
    }
    if s.len() > MAX_NAME_LEN {
        return Err("longer than 64 bytes");
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err("only A-Z, a-z, 0-9, '-', '_' and '.' are allowed");
    }
    Ok(())
}

impl Region {
    /// A region name. Fails with [`Error::InvalidRegion`] when it is empty,
    /// longer than 64 bytes, or has a character outside `A-Z a-z 0-9 - _ .`.
    pub fn new(region: impl Into<String>) -> Result<Self, Error> {
        let region = region.into();
        match check_name(&region) {
            Ok(()) => Ok(Region(region)),
            Err(reason) => Err(Error::InvalidRegion {
                region: excerpt(&region),
                reason,
            }),
        }
    }

    /// The region name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Service {
    /// A service signing name. Fails with [`Error::InvalidService`] when it is
    /// empty, longer than 64 bytes, or has a character outside
    /// `A-Z a-z 0-9 - _ .`.
    pub fn new(service: impl Into<String>) -> Result<Self, Error> {
        let service = service.into();
        match check_name(&service) {
            Ok(()) => Ok(Service(service)),
            Err(reason) => Err(Error::InvalidService {
                service: excerpt(&service),
                reason,
            }),
        }
    }

    /// The service name for Amazon S3.
    #[must_use]
    pub fn s3() -> Self {
        Service("s3".to_owned())
    }

    /// The service name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether S3's rules apply: `s3`, `s3express`, `s3-outposts` and
    /// `s3-object-lambda` (the path is encoded once and never normalized,
    /// requests carry `x-amz-content-sha256`, presigned URLs sign
    /// `UNSIGNED-PAYLOAD`).
    pub fn is_s3_like(&self) -> bool {
        crate::wire::is_s3_like(&self.0)
    }
}

macro_rules! name_traits {
    ($t:ident) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl core::str::FromStr for $t {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::new(s)
            }
        }
    };
}
name_traits!(Region);
name_traits!(Service);

/// A credential scope: `20130524/us-east-1/s3/aws4_request`.
///
/// ```
/// use presign::{Region, Scope, ScopeDate, Service};
///
/// let (region, service) = (Region::new("us-east-1")?, Service::s3());
/// let scope = Scope::new(ScopeDate::parse("20130524")?, &region, &service);
/// assert_eq!(scope.to_string(), "20130524/us-east-1/s3/aws4_request");
/// # Ok::<(), presign::Error>(())
/// ```
///
/// It borrows its region and service, so building one per request costs
/// nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Scope<'a> {
    date: ScopeDate,
    region: &'a Region,
    service: &'a Service,
}

/// The fixed last element of every SigV4 scope.
pub const TERMINATOR: &str = "aws4_request";

impl<'a> Scope<'a> {
    /// The scope for a day, region and service.
    #[must_use]
    pub fn new(date: ScopeDate, region: &'a Region, service: &'a Service) -> Self {
        Scope {
            date,
            region,
            service,
        }
    }

    /// The scope date.
    pub fn date(&self) -> ScopeDate {
        self.date
    }

    /// The region.
    pub fn region(&self) -> &'a Region {
        self.region
    }

    /// The service.
    pub fn service(&self) -> &'a Service {
        self.service
    }

    /// Writes `date/region/service/aws4_request`, with each `/` written by
    /// `sep` (the query form encodes it as `%2F`).
    pub(crate) fn write_with<S: Sink + ?Sized>(&self, sep: &[u8], out: &mut S) {
        out.put(self.date.text().as_bytes());
        out.put(sep);
        out.put(self.region.0.as_bytes());
        out.put(sep);
        out.put(self.service.0.as_bytes());
        out.put(sep);
        out.put(TERMINATOR.as_bytes());
    }
}

impl fmt::Display for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{TERMINATOR}",
            self.date, self.region, self.service
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The S3 documentation example scope and the CRT suite's scope.
    #[test]
    fn formats_published_scopes() {
        let (r, svc) = (Region::new("us-east-1").unwrap(), Service::s3());
        let s = Scope::new(ScopeDate::parse("20130524").unwrap(), &r, &svc);
        assert_eq!(s.to_string(), "20130524/us-east-1/s3/aws4_request");
        let mut v = Vec::new();
        s.write_with(b"%2F", &mut v);
        assert_eq!(v, b"20130524%2Fus-east-1%2Fs3%2Faws4_request");
        let svc = Service::new("service").unwrap();
        let s = Scope::new(ScopeDate::parse("20150830").unwrap(), &r, &svc);
        assert_eq!(s.to_string(), "20150830/us-east-1/service/aws4_request");
    }

    #[test]
    fn rejects_names_that_break_the_scope() {
        for bad in ["", "us/east", "us east", "us-east-1\n", &"a".repeat(65)] {
            assert!(matches!(Region::new(bad), Err(Error::InvalidRegion { .. })));
            assert!(matches!(
                Service::new(bad),
                Err(Error::InvalidService { .. })
            ));
        }
        assert_eq!(Region::new("auto").unwrap().as_str(), "auto");
    }
}
