//! S3 endpoints and addressing: which host and path a bucket's URLs use.

use core::fmt;

use crate::error::{Error, excerpt};
use crate::scope::Region;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP (local test servers only: the URL and any session token in
    /// it travel in the clear).
    Http,
    /// HTTPS.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Where a bucket lives: an AWS endpoint (resolved from the bucket's region)
/// or any S3-compatible server.
///
/// ```
/// use presign::s3::Endpoint;
///
/// let minio = Endpoint::custom("http://127.0.0.1:9000")?;
/// let r2 = Endpoint::custom("https://ACCOUNT.r2.cloudflarestorage.com")?;
/// assert_eq!(r2.to_string(), "https://account.r2.cloudflarestorage.com");
/// let behind_proxy = Endpoint::custom("https://storage.example.com:443/s3/")?;
/// assert_eq!(behind_proxy.to_string(), "https://storage.example.com/s3");
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint(Kind);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Kind {
    Aws(AwsVariant),
    AwsLegacyGlobal,
    Custom(Base),
}

/// Which AWS endpoint: FIPS, dual-stack, transfer acceleration (never
/// with FIPS: the constructors cannot build that).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct AwsVariant {
    pub(crate) fips: bool,
    pub(crate) dual_stack: bool,
    pub(crate) accelerate: bool,
}

/// A resolved base URL: scheme, lowercase host, non-default port, prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Base {
    pub(crate) scheme: Scheme,
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    /// `""` or `/a/b`, without a trailing slash, as written on the wire.
    pub(crate) prefix: String,
}

impl Endpoint {
    /// The regional AWS endpoint, `s3.REGION.amazonaws.com` (or the domain of
    /// the region's partition: `amazonaws.com.cn` for `cn-*`, ...). The
    /// default.
    #[must_use]
    pub fn aws() -> Self {
        Endpoint(Kind::Aws(AwsVariant {
            fips: false,
            dual_stack: false,
            accelerate: false,
        }))
    }

    /// The dual-stack (IPv4 and IPv6) AWS endpoint,
    /// `s3.dualstack.REGION.amazonaws.com`.
    #[must_use]
    pub fn aws_dual_stack() -> Self {
        Endpoint(Kind::Aws(AwsVariant {
            fips: false,
            dual_stack: true,
            accelerate: false,
        }))
    }

    /// The FIPS 140 AWS endpoint, `s3-fips.REGION.amazonaws.com`; with
    /// `dual_stack`, `s3-fips.dualstack.REGION.amazonaws.com`. Access points
    /// get theirs (`NAME-ACCOUNT.s3-accesspoint-fips[.dualstack].REGION...`).
    ///
    /// Not offered in the `aws-cn` partition (resolving fails with
    /// [`Error::InvalidEndpoint`], or [`Error::UnsupportedArn`] for an
    /// access point), nor with transfer acceleration.
    ///
    /// ```
    /// use presign::s3::{Bucket, Endpoint};
    /// use presign::Region;
    ///
    /// let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?
    ///     .endpoint(Endpoint::aws_fips(true))?;
    /// assert_eq!(bucket.host(), "examplebucket.s3-fips.dualstack.us-east-1.amazonaws.com");
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn aws_fips(dual_stack: bool) -> Self {
        Endpoint(Kind::Aws(AwsVariant {
            fips: true,
            dual_stack,
            accelerate: false,
        }))
    }

    /// S3 Transfer Acceleration, `BUCKET.s3-accelerate.amazonaws.com`
    /// (virtual-hosted only; the `aws` partition only). With `dual_stack`,
    /// `BUCKET.s3-accelerate.dualstack.amazonaws.com`.
    #[must_use]
    pub fn aws_accelerate(dual_stack: bool) -> Self {
        Endpoint(Kind::Aws(AwsVariant {
            fips: false,
            dual_stack,
            accelerate: true,
        }))
    }

    /// The legacy global endpoint `s3.amazonaws.com`. Only for callers that
    /// ask for it: it redirects for buckets outside `us-east-1`.
    #[must_use]
    pub fn aws_legacy_global() -> Self {
        Endpoint(Kind::AwsLegacyGlobal)
    }

    /// Any S3-compatible server: `scheme://host[:port][/path/prefix]`.
    ///
    /// The host is lowercased, a default port (`:80` for http, `:443` for
    /// https) is dropped, and a path prefix is kept (without its trailing
    /// slash). User info (any `@` before a query), a query or a fragment are
    /// rejected; the error then shows the URL without them, as they may hold
    /// credentials.
    pub fn custom(url: &str) -> Result<Self, Error> {
        let err = |reason| Error::InvalidEndpoint {
            endpoint: excerpt(&redacted(url)),
            reason,
        };
        let (scheme, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            (Scheme::Http, rest)
        } else {
            return Err(err("expected a URL starting with http:// or https://"));
        };
        // User info first: `https://AKID:SECRET@host` must not be read as a
        // host with a bad port (a secret key may hold `/`, which would end
        // the authority early, so any `@` before a query counts).
        if rest
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .contains('@')
        {
            return Err(err("user info is not allowed"));
        }
        if rest.bytes().any(|b| b == b'?' || b == b'#') {
            return Err(err("a query or fragment is not allowed"));
        }
        let (authority, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (host, port) = split_host_port(authority).ok_or_else(|| err("invalid port"))?;
        if host.is_empty() {
            return Err(err("the host is empty"));
        }
        let host_ok = if let Some(inner) = host.strip_prefix('[') {
            inner.strip_suffix(']').is_some_and(|ip| {
                !ip.is_empty()
                    && ip
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            })
        } else {
            host.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        };
        if !host_ok {
            return Err(err("the host has a character not allowed in a host name"));
        }
        if prefix
            .bytes()
            .any(|b| b.is_ascii_control() || b == b' ' || b == b'\\')
        {
            return Err(err("the path prefix has a space or control character"));
        }
        let prefix = prefix.trim_end_matches('/');
        let port = port.filter(|&p| p != scheme.default_port());
        Ok(Endpoint(Kind::Custom(Base {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            prefix: prefix.to_owned(),
        })))
    }

    /// Whether this is a custom (non-AWS) endpoint.
    pub fn is_custom(&self) -> bool {
        matches!(self.0, Kind::Custom(_))
    }

    fn is_accelerate(&self) -> bool {
        matches!(
            self.0,
            Kind::Aws(AwsVariant {
                accelerate: true,
                ..
            })
        )
    }

    /// Whether this is the FIPS endpoint ([`aws_fips`](Self::aws_fips)).
    pub fn is_fips(&self) -> bool {
        matches!(self.0, Kind::Aws(AwsVariant { fips: true, .. }))
    }

    /// Whether this is a dual-stack (IPv4 and IPv6) AWS endpoint.
    pub fn is_dual_stack(&self) -> bool {
        matches!(
            self.0,
            Kind::Aws(AwsVariant {
                dual_stack: true,
                ..
            })
        )
    }

    /// The AWS endpoint's variant; `None` for the legacy global endpoint
    /// and custom endpoints.
    pub(crate) fn aws_variant(&self) -> Option<AwsVariant> {
        match self.0 {
            Kind::Aws(v) => Some(v),
            Kind::AwsLegacyGlobal | Kind::Custom(_) => None,
        }
    }

    /// The base URL for a region: scheme, host, port, prefix.
    pub(crate) fn base(&self, region: &Region) -> Result<Base, Error> {
        let https = |host: String| Base {
            scheme: Scheme::Https,
            host,
            port: None,
            prefix: String::new(),
        };
        match &self.0 {
            Kind::Custom(base) => Ok(base.clone()),
            Kind::AwsLegacyGlobal => Ok(https("s3.amazonaws.com".to_owned())),
            Kind::Aws(AwsVariant {
                fips,
                dual_stack,
                accelerate,
            }) => {
                let region_name = region.as_str();
                let PartitionInfo {
                    dns: domain,
                    kind: partition,
                    ..
                } = partition_of(region_name);
                let unsupported = |reason| Error::InvalidEndpoint {
                    endpoint: excerpt(region_name),
                    reason,
                };
                if *accelerate {
                    if partition != Partition::Aws {
                        return Err(unsupported(
                            "transfer acceleration is only offered in the aws partition",
                        ));
                    }
                    let host = if *dual_stack {
                        "s3-accelerate.dualstack.amazonaws.com"
                    } else {
                        "s3-accelerate.amazonaws.com"
                    };
                    return Ok(https(host.to_owned()));
                }
                if *dual_stack && partition == Partition::Isolated {
                    return Err(unsupported(
                        "dual-stack endpoints are not offered in isolated partitions",
                    ));
                }
                if *fips && partition == Partition::China {
                    return Err(unsupported(
                        "fips endpoints are not offered in the aws-cn partition",
                    ));
                }
                let region_lower = region_name.to_ascii_lowercase();
                let service = if *fips { "s3-fips" } else { "s3" };
                let host = if *dual_stack {
                    format!("{service}.dualstack.{region_lower}.{domain}")
                } else {
                    format!("{service}.{region_lower}.{domain}")
                };
                Ok(https(host))
            }
        }
    }
}

impl Default for Endpoint {
    fn default() -> Self {
        Endpoint::aws()
    }
}

impl fmt::Display for Endpoint {
    /// Custom endpoints as their normalized URL; AWS endpoints by kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Custom(b) => {
                write!(f, "{}://{}", b.scheme.as_str(), b.host)?;
                if let Some(p) = b.port {
                    write!(f, ":{p}")?;
                }
                f.write_str(&b.prefix)
            }
            Kind::AwsLegacyGlobal => f.write_str("https://s3.amazonaws.com"),
            Kind::Aws(AwsVariant {
                fips,
                dual_stack,
                accelerate,
            }) => write!(
                f,
                "aws{}{}{}",
                if *fips { " fips" } else { "" },
                if *accelerate { " accelerate" } else { "" },
                if *dual_stack { " dual-stack" } else { "" }
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Partition {
    Aws,
    China,
    GovCloud,
    Isolated,
}

/// A partition: its name (as in ARNs), DNS suffix and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PartitionInfo {
    pub(crate) name: &'static str,
    pub(crate) dns: &'static str,
    pub(crate) kind: Partition,
}

/// The partitions: region prefix, name, DNS suffix and kind. The `aws`
/// partition, last, takes every other region.
const PARTITIONS: [(&str, PartitionInfo); 7] = {
    const fn p(name: &'static str, dns: &'static str, kind: Partition) -> PartitionInfo {
        PartitionInfo { name, dns, kind }
    }
    [
        ("cn-", p("aws-cn", "amazonaws.com.cn", Partition::China)),
        (
            "us-gov-",
            p("aws-us-gov", "amazonaws.com", Partition::GovCloud),
        ),
        (
            "us-isob-",
            p("aws-iso-b", "sc2s.sgov.gov", Partition::Isolated),
        ),
        (
            "us-isof-",
            p("aws-iso-f", "csp.hci.ic.gov", Partition::Isolated),
        ),
        ("us-iso-", p("aws-iso", "c2s.ic.gov", Partition::Isolated)),
        (
            "eu-isoe-",
            p("aws-iso-e", "cloud.adc-e.uk", Partition::Isolated),
        ),
        ("", p("aws", "amazonaws.com", Partition::Aws)),
    ]
};

/// The partition of a region.
pub(crate) fn partition_of(region: &str) -> PartitionInfo {
    let r = region.as_bytes();
    PARTITIONS
        .iter()
        .find(|(prefix, _)| {
            r.len() >= prefix.len() && r[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        })
        .map_or(PARTITIONS[6].1, |(_, p)| *p)
}

/// A partition by its name (as written in ARNs).
pub(crate) fn partition_named(name: &str) -> Option<PartitionInfo> {
    PARTITIONS.iter().map(|(_, p)| *p).find(|p| p.name == name)
}

/// An endpoint URL as an error may show it: without a query or fragment,
/// and without user info (everything up to the last `@` before them), which
/// may hold credentials.
fn redacted(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let before_query = &url[..end];
    let scheme_end = before_query
        .find("://")
        .filter(|&i| {
            before_query[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        })
        .map_or(0, |i| i + 3);
    let (scheme, rest) = before_query.split_at(scheme_end);
    let rest = rest.rfind('@').map_or(rest, |at| &rest[at + 1..]);
    let mut out = String::with_capacity(scheme.len() + rest.len());
    out.push_str(scheme);
    out.push_str(rest);
    out
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

/// Splits `host[:port]` (IPv6 hosts in brackets). `None` on a bad port.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let colon = if authority.starts_with('[') {
        let close = authority.find(']')?;
        match &authority[close + 1..] {
            "" => return Some((authority, None)),
            rest if rest.starts_with(':') => close + 1,
            _ => return None,
        }
    } else {
        match authority.rfind(':') {
            Some(i) => i,
            None => return Some((authority, None)),
        }
    };
    let port = &authority[colon + 1..];
    if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port: u16 = port.parse().ok()?;
    if port == 0 {
        return None;
    }
    Some((&authority[..colon], Some(port)))
}

/// How a bucket appears in its URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Addressing {
    /// Virtual-hosted where the bucket name allows it on AWS (DNS-compatible
    /// and, over https, without dots); path-style otherwise and on custom
    /// endpoints. The default.
    #[default]
    Auto,
    /// `https://BUCKET.HOST/KEY`.
    VirtualHosted,
    /// `https://HOST/BUCKET/KEY`.
    Path,
}

/// Checks a bucket name: 1 to 255 characters of `A-Z a-z 0-9 . _ -`.
/// Names that are not DNS-compatible can only be used path-style.
pub(crate) fn check_bucket_name(name: &str) -> Result<(), Error> {
    let reason = if name.is_empty() {
        Some("empty")
    } else if name.len() > 255 {
        Some("longer than 255 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        Some("only A-Z, a-z, 0-9, '.', '_' and '-' are allowed")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidBucketName {
            bucket: excerpt(name),
            reason,
        }),
        None => Ok(()),
    }
}

/// Whether a bucket name can be a DNS label set: 3 to 63 characters of
/// `a-z 0-9 . -`, starting and ending with a letter or digit, no `..`, and
/// not shaped like an IPv4 address.
pub fn is_dns_compatible(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
        && !looks_like_ipv4(name)
}

fn looks_like_ipv4(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()))
}

/// Where a bucket's requests go, once endpoint and addressing are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) scheme: Scheme,
    /// The `host` header value: lowercase host, then `:port` if not default.
    pub(crate) host: String,
    /// `scheme://host`, what every URL starts with.
    pub(crate) origin: String,
    pub(crate) prefix: String,
    /// Whether the bucket name goes in the path.
    pub(crate) path_style: bool,
}

pub(crate) fn resolve(
    bucket: &str,
    region: &Region,
    endpoint: &Endpoint,
    addressing: Addressing,
) -> Result<Resolved, Error> {
    let base = endpoint.base(region)?;
    let unsupported = |reason| Error::UnsupportedAddressing {
        bucket: excerpt(bucket),
        reason,
    };
    let dns = is_dns_compatible(bucket);
    let path_style = match addressing {
        Addressing::Path if endpoint.is_accelerate() => {
            return Err(unsupported(
                "transfer acceleration needs virtual-hosted addressing",
            ));
        }
        Addressing::Path => true,
        Addressing::VirtualHosted if !dns => {
            return Err(unsupported(
                "virtual-hosted addressing needs a DNS-compatible bucket name",
            ));
        }
        Addressing::VirtualHosted => false,
        Addressing::Auto if endpoint.is_custom() => true,
        Addressing::Auto => {
            let virtual_ok = dns && !(base.scheme == Scheme::Https && bucket.contains('.'));
            if !virtual_ok && endpoint.is_accelerate() {
                return Err(unsupported(
                    "transfer acceleration needs a DNS-compatible bucket name without dots",
                ));
            }
            !virtual_ok
        }
    };
    let mut host = String::with_capacity(bucket.len() + 1 + base.host.len() + 6);
    if !path_style {
        host.push_str(bucket);
        host.push('.');
    }
    host.push_str(&base.host);
    if let Some(port) = base.port {
        host.push(':');
        host.push_str(&port.to_string());
    }
    Ok(Resolved {
        scheme: base.scheme,
        origin: format!("{}://{host}", base.scheme.as_str()),
        host,
        prefix: base.prefix,
        path_style,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(
        bucket: &str,
        region: &str,
        ep: Endpoint,
        a: Addressing,
    ) -> Result<(String, bool), Error> {
        resolve(bucket, &Region::new(region).unwrap(), &ep, a).map(|r| (r.host, r.path_style))
    }

    #[test]
    fn aws_partitions_and_variants() {
        let v = |b, r, ep| host_of(b, r, ep, Addressing::Auto).unwrap();
        assert_eq!(
            v("examplebucket", "us-east-1", Endpoint::aws()),
            ("examplebucket.s3.us-east-1.amazonaws.com".into(), false)
        );
        assert_eq!(
            v("b-1", "cn-north-1", Endpoint::aws()),
            ("b-1.s3.cn-north-1.amazonaws.com.cn".into(), false)
        );
        assert_eq!(
            v("b-1", "us-gov-west-1", Endpoint::aws()),
            ("b-1.s3.us-gov-west-1.amazonaws.com".into(), false)
        );
        assert_eq!(
            v("b-1", "eu-west-1", Endpoint::aws_dual_stack()),
            ("b-1.s3.dualstack.eu-west-1.amazonaws.com".into(), false)
        );
        assert_eq!(
            v("b-1", "eu-west-1", Endpoint::aws_accelerate(false)),
            ("b-1.s3-accelerate.amazonaws.com".into(), false)
        );
        assert_eq!(
            v("b-1", "eu-west-1", Endpoint::aws_accelerate(true)),
            ("b-1.s3-accelerate.dualstack.amazonaws.com".into(), false)
        );
        assert_eq!(
            v("b-1", "us-east-1", Endpoint::aws_legacy_global()),
            ("b-1.s3.amazonaws.com".into(), false)
        );
        assert_eq!(
            v("b-1", "us-east-1", Endpoint::aws_fips(false)),
            ("b-1.s3-fips.us-east-1.amazonaws.com".into(), false)
        );
        assert_eq!(
            v("b-1", "us-west-2", Endpoint::aws_fips(true)),
            (
                "b-1.s3-fips.dualstack.us-west-2.amazonaws.com".into(),
                false
            )
        );
        assert_eq!(
            v("b-1", "us-gov-west-1", Endpoint::aws_fips(false)),
            ("b-1.s3-fips.us-gov-west-1.amazonaws.com".into(), false)
        );
        assert_eq!(
            v("my.bucket", "us-west-2", Endpoint::aws_fips(false)),
            ("s3-fips.us-west-2.amazonaws.com".into(), true)
        );
        assert_eq!(
            host_of(
                "b-1",
                "cn-north-1",
                Endpoint::aws_fips(false),
                Addressing::Auto
            )
            .unwrap_err()
            .to_string(),
            "invalid endpoint \"cn-north-1\": fips endpoints are not offered in the aws-cn partition"
        );
        assert_eq!(Endpoint::aws_fips(true).to_string(), "aws fips dual-stack");
        assert!(Endpoint::aws_fips(false).is_fips());
        assert!(!Endpoint::aws_fips(false).is_dual_stack());
        assert!(Endpoint::aws_dual_stack().is_dual_stack());
        assert!(
            host_of(
                "b-1",
                "cn-north-1",
                Endpoint::aws_accelerate(false),
                Addressing::Auto
            )
            .is_err()
        );
        assert!(
            host_of(
                "b-1",
                "us-iso-east-1",
                Endpoint::aws_dual_stack(),
                Addressing::Auto
            )
            .is_err()
        );
    }

    #[test]
    fn auto_addressing_rules() {
        let a = |b: &str| host_of(b, "us-east-1", Endpoint::aws(), Addressing::Auto).unwrap();
        assert_eq!(a("my.bucket"), ("s3.us-east-1.amazonaws.com".into(), true));
        assert_eq!(a("MyBucket"), ("s3.us-east-1.amazonaws.com".into(), true));
        assert_eq!(
            a("192.168.1.1"),
            ("s3.us-east-1.amazonaws.com".into(), true)
        );
        assert_eq!(a("ab"), ("s3.us-east-1.amazonaws.com".into(), true));
        assert_eq!(a("bucket_1"), ("s3.us-east-1.amazonaws.com".into(), true));
        assert!(!a("my-bucket").1);
        // Dots are fine for virtual-hosted over http.
        let local = Endpoint::custom("http://localhost:9000").unwrap();
        assert_eq!(
            host_of(
                "my.bucket",
                "us-east-1",
                local.clone(),
                Addressing::VirtualHosted
            )
            .unwrap(),
            ("my.bucket.localhost:9000".into(), false)
        );
        // Custom endpoints default to path-style.
        assert_eq!(
            host_of("my-bucket", "us-east-1", local, Addressing::Auto).unwrap(),
            ("localhost:9000".into(), true)
        );
        assert!(matches!(
            host_of(
                "My_Bucket",
                "us-east-1",
                Endpoint::aws(),
                Addressing::VirtualHosted
            ),
            Err(Error::UnsupportedAddressing { .. })
        ));
        assert!(
            host_of(
                "my-bucket",
                "us-east-1",
                Endpoint::aws_accelerate(false),
                Addressing::Path
            )
            .is_err()
        );
    }

    #[test]
    fn custom_endpoints_are_normalized() {
        let base = |u: &str| {
            Endpoint::custom(u)
                .unwrap()
                .base(&Region::new("auto").unwrap())
                .unwrap()
        };
        let b = base("HTTP://LocalHost:80/");
        assert_eq!(
            (b.scheme, b.host.as_str(), b.port, b.prefix.as_str()),
            (Scheme::Http, "localhost", None, "")
        );
        let b = base("https://Minio.Example.com:9000/s3/prefix/");
        assert_eq!(
            (b.host.as_str(), b.port, b.prefix.as_str()),
            ("minio.example.com", Some(9000), "/s3/prefix")
        );
        let b = base("http://[::1]:9000");
        assert_eq!((b.host.as_str(), b.port), ("[::1]", Some(9000)));
        for bad in [
            "ftp://x",
            "http://",
            "http://a:b",
            "http://a:0",
            "http://a:70000",
            "http://u@h",
            "http://h/?q",
            "http://h h",
            "127.0.0.1:9000",
        ] {
            assert!(
                matches!(Endpoint::custom(bad), Err(Error::InvalidEndpoint { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn errors_never_show_user_info_or_a_query() {
        let cases = [
            (
                "https://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY@h.example",
                "invalid endpoint \"https://h.example\": user info is not allowed",
            ),
            (
                "HTTP://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI@h.example:9000/p",
                "invalid endpoint \"HTTP://h.example:9000/p\": user info is not allowed",
            ),
            (
                "https://h.example/s3?X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE#PRIVATEFRAGMENT",
                "invalid endpoint \"https://h.example/s3\": a query or fragment is not allowed",
            ),
            (
                "https://u:wJalrXUtnFEMI@h.example/p?token=FwoGZXIvYXdzEXAMPLE",
                "invalid endpoint \"https://h.example/p\": user info is not allowed",
            ),
            (
                "ftp://u:wJalrXUtnFEMI@h.example?token=FwoGZXIvYXdzEXAMPLE",
                "invalid endpoint \"ftp://h.example\": expected a URL starting with http:// or https://",
            ),
            (
                "u:wJalrXUtnFEMI/x://@h.example",
                "invalid endpoint \"h.example\": expected a URL starting with http:// or https://",
            ),
        ];
        for (url, message) in cases {
            let e = Endpoint::custom(url).unwrap_err();
            assert_eq!(e.to_string(), message, "{url}");
            let debug = format!("{e:?}");
            for secret in [
                "wJalrXUtnFEMI",
                "FwoGZXIvYXdz",
                "AKIAIOSFODNN7EXAMPLE",
                "PRIVATEFRAGMENT",
            ] {
                assert!(!debug.contains(secret), "{debug}");
            }
        }
    }

    #[test]
    fn bucket_names() {
        assert!(check_bucket_name("a").is_ok());
        assert!(check_bucket_name(&"a".repeat(255)).is_ok());
        assert!(check_bucket_name(&"a".repeat(256)).is_err());
        assert!(check_bucket_name("").is_err());
        assert!(check_bucket_name("a/b").is_err());
        assert!(is_dns_compatible("abc"));
        assert!(!is_dns_compatible("a..b"));
        assert!(!is_dns_compatible("-ab"));
        assert!(!is_dns_compatible("10.0.0.1"));
        assert!(is_dns_compatible("10.0.0.1a"));
    }
}
