//! S3 resources addressed by ARN: access points, S3 Object Lambda access
//! points, S3 on Outposts access points and Multi-Region Access Points, and
//! the host each one is reached at.
//!
//! The host forms and refusals follow the S3 endpoint rules the AWS SDKs
//! share (botocore's `endpoint-rule-set-1.json` for S3):
//!
//! | ARN | host | signed for |
//! |---|---|---|
//! | `arn:P:s3:R:A:accesspoint/N` | `N-A.s3-accesspoint[-fips][.dualstack].R.DNS` | `s3`, region `R` |
//! | `arn:P:s3-object-lambda:R:A:accesspoint/N` | `N-A.s3-object-lambda[-fips].R.DNS` | `s3-object-lambda`, region `R` |
//! | `arn:P:s3-outposts:R:A:outpost/O/accesspoint/N` | `N-A.O.s3-outposts.R.DNS` | `s3-outposts`, region `R` |
//! | `arn:P:s3::A:accesspoint/M` | `M.accesspoint.s3-global.DNS` | `s3`, SigV4a, region set `*` |
//!
//! `DNS` is the partition's DNS suffix (`amazonaws.com`, `amazonaws.com.cn`,
//! ...). Each `/` in the resource may also be written `:`.

use crate::error::{Error, excerpt};
use crate::scope::Region;

use super::endpoint::{
    Addressing, Endpoint, Partition, PartitionInfo, Resolved, Scheme, partition_named, partition_of,
};

/// The kinds of S3 ARN a [`Bucket`](super::Bucket) accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ArnKind {
    /// `arn:P:s3:R:A:accesspoint/N`.
    AccessPoint,
    /// `arn:P:s3-object-lambda:R:A:accesspoint/N`.
    ObjectLambda,
    /// `arn:P:s3-outposts:R:A:outpost/O/accesspoint/N`.
    Outposts {
        /// The outpost id, `O`.
        outpost_id: String,
    },
    /// `arn:P:s3::A:accesspoint/M`: no region.
    MultiRegion,
}

/// A parsed S3 access point ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Arn {
    /// The ARN as given.
    pub(crate) text: String,
    pub(crate) partition: PartitionInfo,
    /// Empty for a Multi-Region Access Point.
    pub(crate) region: String,
    pub(crate) account: String,
    /// The access point's name (for a Multi-Region Access Point, its alias
    /// such as `mfzwi23gnjvgw.mrap`).
    pub(crate) name: String,
    pub(crate) kind: ArnKind,
}

/// Whether `s` is one DNS label of `A-Z a-z 0-9 -`, 1 to 63 characters.
fn is_label(s: &str) -> bool {
    (1..=63).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Arn {
    /// Parses an ARN. Only the access point kinds above are accepted.
    pub(crate) fn parse(text: &str) -> Result<Arn, Error> {
        let err = |reason| Error::InvalidArn {
            arn: excerpt(text),
            reason,
        };
        let mut parts = text.splitn(6, ':');
        let mut next = || parts.next();
        let (Some(prefix), Some(partition), Some(service), Some(region), Some(account), Some(res)) =
            (next(), next(), next(), next(), next(), next())
        else {
            return Err(err(
                "expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE",
            ));
        };
        if prefix != "arn" {
            return Err(err("an arn starts with \"arn:\""));
        }
        let Some(partition_info) = partition_named(partition) else {
            return Err(err("unknown partition"));
        };
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("the account id must be 12 digits"));
        }
        let resource: Vec<&str> = res.split(['/', ':']).collect();
        let kind = match (service, resource.as_slice()) {
            ("s3", ["accesspoint", _]) if region.is_empty() => ArnKind::MultiRegion,
            ("s3", ["accesspoint", _]) => ArnKind::AccessPoint,
            ("s3-object-lambda", ["accesspoint", _]) => ArnKind::ObjectLambda,
            ("s3-outposts", ["outpost", id, "accesspoint", _]) => {
                if !is_label(id) {
                    return Err(err("the outpost id may only contain a-z, A-Z, 0-9 and '-'"));
                }
                ArnKind::Outposts {
                    outpost_id: (*id).to_owned(),
                }
            }
            ("s3" | "s3-object-lambda", _) => {
                return Err(err(
                    "expected an access point resource, accesspoint/NAME (only access points can be addressed by arn)",
                ));
            }
            ("s3-outposts", _) => {
                return Err(err(
                    "expected an outposts access point resource, outpost/OUTPOST_ID/accesspoint/NAME",
                ));
            }
            _ => {
                return Err(err(
                    "the service must be s3, s3-object-lambda or s3-outposts",
                ));
            }
        };
        let name = resource.last().copied().unwrap_or_default();
        let name_ok = if kind == ArnKind::MultiRegion {
            name.len() <= 255 && name.split('.').all(is_label)
        } else {
            is_label(name)
        };
        if !name_ok {
            return Err(err(if kind == ArnKind::MultiRegion {
                "the multi-region access point alias may only contain a-z, A-Z, 0-9, '-' and '.'"
            } else {
                "the access point name may only contain a-z, A-Z, 0-9 and '-'"
            }));
        }
        if kind != ArnKind::MultiRegion {
            if region.is_empty() {
                return Err(err("the arn has no region"));
            }
            if !is_label(region) || Region::new(region).is_err() {
                return Err(err("the region is not a valid dns label"));
            }
            if partition_of(region) != partition_info {
                return Err(err("the region is not in the arn's partition"));
            }
        }
        Ok(Arn {
            text: text.to_owned(),
            partition: partition_info,
            region: region.to_owned(),
            account: account.to_owned(),
            name: name.to_owned(),
            kind,
        })
    }

    /// The service requests to this access point are signed for.
    pub(crate) fn service(&self) -> &'static str {
        match self.kind {
            ArnKind::AccessPoint | ArnKind::MultiRegion => "s3",
            ArnKind::ObjectLambda => "s3-object-lambda",
            ArnKind::Outposts { .. } => "s3-outposts",
        }
    }

    /// The region requests are signed for: the ARN's (it wins over the
    /// configured one, as botocore's default `use_arn_region`), or the
    /// configured one for a Multi-Region Access Point, which is signed for
    /// a region set instead.
    pub(crate) fn signing_region(&self, configured: &Region) -> Result<Region, Error> {
        if self.region.is_empty() {
            Ok(configured.clone())
        } else {
            Region::new(self.region.as_str())
        }
    }

    /// Checks that the ARN and the configured region are in the same
    /// partition.
    pub(crate) fn check_partition(&self, configured: &Region) -> Result<(), Error> {
        let region_partition = partition_of(configured.as_str()).name;
        if region_partition == self.partition.name {
            Ok(())
        } else {
            Err(Error::ArnPartitionMismatch {
                arn: excerpt(&self.text),
                arn_partition: self.partition.name.to_owned(),
                region: excerpt(configured.as_str()),
                region_partition,
            })
        }
    }

    /// Where requests to the access point go: virtual-hosted on its own
    /// host, over https.
    pub(crate) fn resolve(
        &self,
        endpoint: &Endpoint,
        addressing: Addressing,
    ) -> Result<Resolved, Error> {
        if addressing == Addressing::Path {
            return Err(Error::UnsupportedArn {
                arn: excerpt(&self.text),
                reason: "access points are addressed virtual-hosted only, not path-style",
            });
        }
        let host = self.host(endpoint)?;
        Ok(Resolved {
            scheme: Scheme::Https,
            origin: format!("https://{host}"),
            host,
            prefix: String::new(),
            path_style: false,
        })
    }

    /// The host of the access point on an AWS endpoint (lowercase), or why
    /// this endpoint cannot reach it.
    pub(crate) fn host(&self, endpoint: &Endpoint) -> Result<String, Error> {
        let unsupported = |reason| Error::UnsupportedArn {
            arn: excerpt(&self.text),
            reason,
        };
        let (fips, dual_stack) = match endpoint.aws_variant() {
            None if endpoint.is_custom() => {
                return Err(unsupported(
                    "an access point arn is resolved to an aws endpoint, not a custom one",
                ));
            }
            None => {
                return Err(unsupported(
                    "the legacy global endpoint cannot reach an access point",
                ));
            }
            Some(v) if v.accelerate => {
                return Err(unsupported(
                    "access points do not support transfer acceleration",
                ));
            }
            Some(v) => (v.fips, v.dual_stack),
        };
        // The partition of the ARN (checked against its region when
        // parsed, and against the configured region by the bucket).
        let partition = self.partition;
        let dns = partition.dns;
        if fips && !partition.kind.supports_fips() {
            return Err(unsupported(
                "fips endpoints are not offered in this partition",
            ));
        }
        if dual_stack && !partition.kind.supports_dual_stack() {
            return Err(unsupported(
                "dual-stack endpoints are not offered in this partition",
            ));
        }
        let (name, account, region) = (&self.name, &self.account, &self.region);
        let host = match &self.kind {
            ArnKind::AccessPoint => {
                let fips = if fips { "-fips" } else { "" };
                let dual = if dual_stack { ".dualstack" } else { "" };
                format!("{name}-{account}.s3-accesspoint{fips}{dual}.{region}.{dns}")
            }
            ArnKind::ObjectLambda => {
                if dual_stack {
                    return Err(unsupported(
                        "s3 object lambda access points have no dual-stack endpoint",
                    ));
                }
                let fips = if fips { "-fips" } else { "" };
                format!("{name}-{account}.s3-object-lambda{fips}.{region}.{dns}")
            }
            ArnKind::Outposts { outpost_id } => {
                if fips {
                    return Err(unsupported(
                        "s3 on outposts access points have no fips endpoint",
                    ));
                }
                if dual_stack {
                    return Err(unsupported(
                        "s3 on outposts access points have no dual-stack endpoint",
                    ));
                }
                format!("{name}-{account}.{outpost_id}.s3-outposts.{region}.{dns}")
            }
            ArnKind::MultiRegion => {
                if fips {
                    return Err(unsupported(
                        "multi-region access points have no fips endpoint",
                    ));
                }
                if dual_stack {
                    return Err(unsupported(
                        "multi-region access points have no dual-stack endpoint",
                    ));
                }
                format!("{name}.accesspoint.s3-global.{dns}")
            }
        };
        Ok(host.to_ascii_lowercase())
    }
}

impl Partition {
    fn supports_fips(self) -> bool {
        self != Partition::China
    }

    fn supports_dual_stack(self) -> bool {
        self != Partition::Isolated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(arn: &str, endpoint: Endpoint) -> Result<String, Error> {
        Arn::parse(arn)?.host(&endpoint)
    }

    const AP: &str = "arn:aws:s3:us-west-2:123456789012:accesspoint/myap";
    const OL: &str = "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/mybanner";
    const OP: &str = "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports";
    const MRAP: &str = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap";

    #[test]
    fn access_point_hosts() {
        let cases = [
            (
                Endpoint::aws(),
                "myap-123456789012.s3-accesspoint.us-west-2.amazonaws.com",
            ),
            (
                Endpoint::aws_dual_stack(),
                "myap-123456789012.s3-accesspoint.dualstack.us-west-2.amazonaws.com",
            ),
            (
                Endpoint::aws_fips(false),
                "myap-123456789012.s3-accesspoint-fips.us-west-2.amazonaws.com",
            ),
            (
                Endpoint::aws_fips(true),
                "myap-123456789012.s3-accesspoint-fips.dualstack.us-west-2.amazonaws.com",
            ),
        ];
        for (endpoint, expected) in cases {
            assert_eq!(host(AP, endpoint.clone()).unwrap(), expected, "{endpoint}");
        }
        // The colon form, and upper case (lowercased in the host).
        assert_eq!(
            host(
                "arn:aws:s3:us-west-2:123456789012:accesspoint:MyAp",
                Endpoint::aws()
            )
            .unwrap(),
            "myap-123456789012.s3-accesspoint.us-west-2.amazonaws.com"
        );
        assert_eq!(
            host(
                "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/myap",
                Endpoint::aws_dual_stack()
            )
            .unwrap(),
            "myap-123456789012.s3-accesspoint.dualstack.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            host(
                "arn:aws-us-gov:s3:us-gov-east-1:123456789012:accesspoint/myap",
                Endpoint::aws_fips(false)
            )
            .unwrap(),
            "myap-123456789012.s3-accesspoint-fips.us-gov-east-1.amazonaws.com"
        );
    }

    #[test]
    fn object_lambda_outposts_and_multi_region_hosts() {
        assert_eq!(
            host(OL, Endpoint::aws()).unwrap(),
            "mybanner-123456789012.s3-object-lambda.us-west-2.amazonaws.com"
        );
        assert_eq!(
            host(OL, Endpoint::aws_fips(false)).unwrap(),
            "mybanner-123456789012.s3-object-lambda-fips.us-west-2.amazonaws.com"
        );
        assert_eq!(
            host(OP, Endpoint::aws()).unwrap(),
            "reports-123456789012.op-01234567890123456.s3-outposts.us-west-2.amazonaws.com"
        );
        assert_eq!(
            host(
                "arn:aws:s3-outposts:us-west-2:123456789012:outpost:op-01234567890123456:accesspoint:reports",
                Endpoint::aws()
            )
            .unwrap(),
            "reports-123456789012.op-01234567890123456.s3-outposts.us-west-2.amazonaws.com"
        );
        assert_eq!(
            host(MRAP, Endpoint::aws()).unwrap(),
            "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com"
        );
        assert_eq!(
            host(
                "arn:aws-cn:s3::123456789012:accesspoint:mfzwi23gnjvgw.mrap",
                Endpoint::aws()
            )
            .unwrap(),
            "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com.cn"
        );
        let parsed = |a| Arn::parse(a).unwrap();
        assert_eq!(parsed(AP).service(), "s3");
        assert_eq!(parsed(OL).service(), "s3-object-lambda");
        assert_eq!(parsed(OP).service(), "s3-outposts");
        assert_eq!(parsed(MRAP).kind, ArnKind::MultiRegion);
    }

    #[test]
    fn endpoint_refusals() {
        let unsupported = |arn: &str, endpoint: Endpoint, reason: &str| match host(arn, endpoint) {
            Err(Error::UnsupportedArn { reason: r, .. }) => assert_eq!(r, reason, "{arn}"),
            other => panic!("{arn}: {other:?}"),
        };
        unsupported(
            "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/myap",
            Endpoint::aws_fips(false),
            "fips endpoints are not offered in this partition",
        );
        unsupported(
            "arn:aws-cn:s3-object-lambda:cn-north-1:123456789012:accesspoint/myap",
            Endpoint::aws_fips(false),
            "fips endpoints are not offered in this partition",
        );
        unsupported(
            "arn:aws-iso:s3:us-iso-east-1:123456789012:accesspoint/myap",
            Endpoint::aws_dual_stack(),
            "dual-stack endpoints are not offered in this partition",
        );
        unsupported(
            OL,
            Endpoint::aws_dual_stack(),
            "s3 object lambda access points have no dual-stack endpoint",
        );
        unsupported(
            OP,
            Endpoint::aws_fips(false),
            "s3 on outposts access points have no fips endpoint",
        );
        unsupported(
            OP,
            Endpoint::aws_dual_stack(),
            "s3 on outposts access points have no dual-stack endpoint",
        );
        unsupported(
            MRAP,
            Endpoint::aws_fips(false),
            "multi-region access points have no fips endpoint",
        );
        unsupported(
            MRAP,
            Endpoint::aws_dual_stack(),
            "multi-region access points have no dual-stack endpoint",
        );
        for arn in [AP, OL, OP, MRAP] {
            unsupported(
                arn,
                Endpoint::aws_accelerate(false),
                "access points do not support transfer acceleration",
            );
            unsupported(
                arn,
                Endpoint::aws_legacy_global(),
                "the legacy global endpoint cannot reach an access point",
            );
            unsupported(
                arn,
                Endpoint::custom("http://127.0.0.1:9000").unwrap(),
                "an access point arn is resolved to an aws endpoint, not a custom one",
            );
        }
    }

    #[test]
    fn malformed_arns_are_refused() {
        let cases = [
            ("arn:aws:s3:us-west-2:123456789012", "expected arn:"),
            (
                "urn:aws:s3:us-west-2:123456789012:accesspoint/a",
                "starts with",
            ),
            (
                "arn:azure:s3:us-west-2:123456789012:accesspoint/a",
                "unknown partition",
            ),
            ("arn:aws:s3:us-west-2::accesspoint/a", "12 digits"),
            (
                "arn:aws:s3:us-west-2:12345678901x:accesspoint/a",
                "12 digits",
            ),
            (
                "arn:aws:s3:us-west-2:123456789012:bucket_name:b",
                "access point resource",
            ),
            (
                "arn:aws:s3:us-west-2:123456789012:accesspoint/a/b",
                "access point resource",
            ),
            (
                "arn:aws:s3:us-west-2:123456789012:accesspoint/",
                "access point name",
            ),
            (
                "arn:aws:s3:us-west-2:123456789012:accesspoint/my.ap",
                "access point name",
            ),
            (
                "arn:aws:s3:us-west-2:123456789012:accesspoint/a b",
                "access point name",
            ),
            ("arn:aws:s3::123456789012:accesspoint/a..mrap", "alias"),
            ("arn:aws:s3::123456789012:accesspoint/", "alias"),
            (
                "arn:aws:sqs:us-west-2:123456789012:accesspoint/a",
                "the service",
            ),
            (
                "arn:aws:s3-object-lambda::123456789012:accesspoint/a",
                "no region",
            ),
            (
                "arn:aws:s3-object-lambda:us-west-2:123456789012:bucket/a",
                "access point resource",
            ),
            (
                "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-1/accesspoint",
                "outpost/",
            ),
            (
                "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-1/bucket/b",
                "outpost/",
            ),
            (
                "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op.1/accesspoint/b",
                "outpost id",
            ),
            (
                "arn:aws:s3-outposts::123456789012:outpost/op-1/accesspoint/b",
                "no region",
            ),
            (
                "arn:aws:s3:us_west-2:123456789012:accesspoint/a",
                "dns label",
            ),
            (
                "arn:aws:s3:cn-north-1:123456789012:accesspoint/a",
                "partition",
            ),
        ];
        for (arn, part) in cases {
            match Arn::parse(arn) {
                Err(e @ Error::InvalidArn { .. }) => {
                    assert!(e.to_string().contains(part), "{arn}: {e}")
                }
                other => panic!("{arn}: {other:?}"),
            }
        }
    }

    #[test]
    fn partitions_must_match() {
        let arn = Arn::parse(AP).unwrap();
        assert!(
            arn.check_partition(&Region::new("us-east-1").unwrap())
                .is_ok()
        );
        let e = arn
            .check_partition(&Region::new("cn-north-1").unwrap())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "s3 arn \"arn:aws:s3:us-west-2:123456789012:accesspoint/myap\" is in partition \"aws\", \
             but region \"cn-north-1\" is in partition \"aws-cn\""
        );
        let mrap = Arn::parse(MRAP).unwrap();
        assert!(
            mrap.check_partition(&Region::new("us-gov-west-1").unwrap())
                .is_err()
        );
        // The ARN's region wins.
        assert_eq!(
            arn.signing_region(&Region::new("us-east-1").unwrap())
                .unwrap()
                .as_str(),
            "us-west-2"
        );
    }
}
