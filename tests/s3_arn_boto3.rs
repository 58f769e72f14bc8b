//! Buckets addressed by ARN (access points, S3 Object Lambda and S3 on
//! Outposts access points, Multi-Region Access Points) and the FIPS and
//! dual-stack endpoints, against botocore: `tests/vectors/boto3-arn-presign.json`,
//! made by `tests/vectors/boto3_arn_presign.py` (boto3/botocore 1.44 with the
//! CRT, offline, fixed credentials and time).
//!
//! - SigV4 cases: presign's URL equals botocore's (origin and path byte for
//!   byte, the query as a set: botocore puts the operation's parameters
//!   first, presign writes the canonical order) and so does the signature.
//! - SigV4a cases (Multi-Region Access Points, feature `sigv4a`): the CRT's
//!   ECDSA signatures are randomized, so everything but the signature is
//!   compared, and both botocore's signature and ours verify with
//!   `presign::verify` (and one changed byte fails).
//! - Every configuration botocore refuses, presign refuses with a typed
//!   error.

mod common;

use std::time::Duration;

use common::{json_str, query_set, read_json, vectors_dir};
use presign::s3::{Addressing, Bucket, Endpoint, ObjectRequest, PostKey};
use presign::{Credentials, Error, Region, SigningTime};
use serde_json::Value;

struct Vectors {
    json: Value,
    time: SigningTime,
    creds: Credentials,
    temp: Credentials,
}

fn vectors() -> Vectors {
    let json = read_json(&vectors_dir("").join("boto3-arn-presign.json"));
    let c = &json["credentials"];
    let creds = Credentials::new(
        json_str(c, "access_key_id"),
        json_str(c, "secret_access_key"),
    )
    .expect("credentials");
    let temp = creds
        .clone()
        .with_session_token(json_str(c, "session_token"))
        .expect("token");
    let time = SigningTime::parse_amz_date(json_str(&json, "signing_time")).expect("time");
    Vectors {
        json,
        time,
        creds,
        temp,
    }
}

impl Vectors {
    fn cases(&self) -> &[Value] {
        self.json["cases"].as_array().expect("cases")
    }

    fn credentials(&self, case: &Value) -> &Credentials {
        if case["session_token"].as_bool().expect("session_token") {
            &self.temp
        } else {
            &self.creds
        }
    }
}

fn endpoint(fips: bool, dual_stack: bool) -> Endpoint {
    match (fips, dual_stack) {
        (true, d) => Endpoint::aws_fips(d),
        (false, true) => Endpoint::aws_dual_stack(),
        (false, false) => Endpoint::aws(),
    }
}

/// The bucket botocore was configured with: the bucket (or ARN), the
/// client's region, FIPS and dual-stack.
fn bucket_of(case: &Value) -> Result<Bucket, Error> {
    let flag = |f: &str| case[f].as_bool().unwrap_or(false);
    Bucket::new(
        json_str(case, "bucket"),
        Region::new(json_str(case, "region"))?,
    )?
    .endpoint(endpoint(flag("fips"), flag("dualstack")))
}

/// The request botocore presigned: its client method and parameters mapped
/// to `Bucket`'s actions and `ObjectRequest`'s setters.
fn request_of<'a>(bucket: &'a Bucket, case: &'a Value) -> ObjectRequest<'a> {
    let name = json_str(case, "name");
    let key = case["key"].as_str().unwrap_or_default();
    let params = case["params"].as_object().expect("params");
    let param = |p: &str| params.get(p).cloned().unwrap_or(Value::Null);
    let mut request = match json_str(case, "client_method") {
        "get_object" => bucket.get_object(key),
        "put_object" => bucket.put_object(key),
        "head_object" => bucket.head_object(key),
        "delete_object" => bucket.delete_object(key),
        "upload_part" => bucket.upload_part(
            key,
            param("PartNumber").as_u64().expect("PartNumber") as u16,
            params["UploadId"].as_str().expect("UploadId"),
        ),
        // botocore adds `encoding-type=url` to every ListObjectsV2.
        "list_objects_v2" => bucket.list_objects_v2().query("encoding-type", "url"),
        other => panic!("{name}: no mapping for {other}"),
    };
    for (p, value) in params {
        request = match p.as_str() {
            "ContentType" => request.content_type(value.as_str().expect("a string")),
            "Prefix" => request.prefix(value.as_str().expect("a string")),
            "PartNumber" | "UploadId" => request,
            other => panic!("{name}: no mapping for {other}"),
        };
    }
    request
}

fn expires(case: &Value) -> Duration {
    Duration::from_secs(case["expires_in"].as_u64().expect("expires_in"))
}

/// `(origin and path, query set)` of a URL, without `X-Amz-Signature` when
/// `without_signature`.
fn split(url: &str, without_signature: bool) -> (String, String) {
    let (head, query) = url.split_once('?').expect("a query");
    let query: Vec<&str> = query
        .split('&')
        .filter(|p| !(without_signature && p.starts_with("X-Amz-Signature=")))
        .collect();
    (head.to_owned(), query_set(&query.join("&")))
}

#[test]
fn sigv4_urls_match_botocore_byte_for_byte() {
    let v = vectors();
    let mut checked = 0;
    for case in v.cases() {
        if json_str(case, "algorithm") != "AWS4-HMAC-SHA256" {
            continue;
        }
        let name = json_str(case, "name");
        let bucket = bucket_of(case).unwrap_or_else(|e| panic!("{name}: {e}"));
        let url = request_of(&bucket, case)
            .presign(v.credentials(case), v.time, expires(case))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            url.signature().to_string(),
            json_str(case, "signature"),
            "{name}"
        );
        assert_eq!(
            split(url.as_str(), false),
            split(json_str(case, "url"), false),
            "{name}:\n  presign {}\n  boto3   {}",
            url.as_str(),
            json_str(case, "url")
        );
        assert_eq!(bucket.host(), json_str(case, "host"), "{name}");
        assert_eq!(url.algorithm(), "AWS4-HMAC-SHA256");
        checked += 1;
    }
    assert_eq!(checked, 21);
}

#[test]
fn refusals_match_botocore() {
    let v = vectors();
    let refusals = v.json["refusals"].as_array().expect("refusals");
    assert_eq!(refusals.len(), 15);
    for r in refusals {
        let name = json_str(r, "name");
        let flag = |f: &str| r[f].as_bool().unwrap_or(false);
        let result = Region::new(json_str(r, "region")).and_then(|region| {
            let bucket = Bucket::new(json_str(r, "bucket"), region)?;
            let bucket = if flag("accelerate") {
                bucket.endpoint(Endpoint::aws_accelerate(flag("dualstack")))?
            } else {
                bucket.endpoint(endpoint(flag("fips"), flag("dualstack")))?
            };
            if flag("post") {
                bucket
                    .post_policy(PostKey::new("k"), v.time, Duration::from_secs(60))
                    .sign(&v.creds)
                    .map(drop)
            } else {
                Ok(())
            }
        });
        let e = match result {
            Ok(()) => panic!("{name}: presign accepted what botocore refuses"),
            Err(e) => e,
        };
        let mrap = json_str(r, "bucket").starts_with("arn:aws:s3::");
        let expected = match name {
            _ if mrap && !cfg!(feature = "sigv4a") => "FeatureDisabled",
            "ap-partition-mismatch" => "ArnPartitionMismatch",
            "bucket-aws-cn-fips" => "InvalidEndpoint",
            "ap-bad-name" | "ap-short-account" | "ap-two-names" | "not-s3" => "InvalidArn",
            _ => "UnsupportedArn",
        };
        let shown = format!("{e:?}");
        assert!(
            shown.starts_with(expected),
            "{name}: expected {expected}, got {shown} (botocore: {})",
            json_str(r, "botocore_error")
        );
        // A message that names what is wrong, in lowercase, with no secret.
        let message = e.to_string();
        assert!(!message.is_empty() && message.chars().next().is_some_and(|c| c.is_lowercase()));
        assert!(!message.contains("wJalrXUtnFEMI"), "{message}");
    }
}

#[test]
fn access_points_are_virtual_hosted_only_and_aws_only() {
    let ap = "arn:aws:s3:us-west-2:123456789012:accesspoint/myap";
    let bucket = || Bucket::new(ap, Region::new("us-west-2").unwrap()).unwrap();
    assert!(matches!(
        bucket().addressing(Addressing::Path),
        Err(Error::UnsupportedArn { .. })
    ));
    assert!(bucket().addressing(Addressing::VirtualHosted).is_ok());
    assert!(matches!(
        bucket().endpoint(Endpoint::custom("http://127.0.0.1:9000").unwrap()),
        Err(Error::UnsupportedArn { .. })
    ));
    let b = bucket();
    assert!(b.is_arn() && !b.is_multi_region_access_point());
    assert_eq!(b.name(), ap);
    assert_eq!(b.service().as_str(), "s3");
    assert!(!b.is_path_style());
    let ol = Bucket::new(
        "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/mybanner",
        Region::new("us-east-1").unwrap(),
    )
    .unwrap();
    assert_eq!(ol.service().as_str(), "s3-object-lambda");
    assert_eq!(ol.region().as_str(), "us-west-2");
    // A plain bucket name is never read as an ARN, nor an ARN as a name.
    assert!(matches!(
        Bucket::new("arn:aws:s3:::bucket", Region::new("us-east-1").unwrap()),
        Err(Error::InvalidArn { .. })
    ));
    // Case-insensitive DNS: the host is lowercase; the signature is botocore's.
    let upper = Bucket::new(
        "arn:aws:s3:us-west-2:123456789012:accesspoint/MyAp",
        Region::new("us-west-2").unwrap(),
    )
    .unwrap();
    assert_eq!(
        upper.host(),
        "myap-123456789012.s3-accesspoint.us-west-2.amazonaws.com"
    );
}

#[cfg(not(feature = "sigv4a"))]
#[test]
fn without_sigv4a_a_multi_region_access_point_is_a_typed_error() {
    let e = Bucket::new(
        "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
        Region::new("us-east-1").unwrap(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        Error::FeatureDisabled {
            feature: "sigv4a",
            needed_for: "a multi-region access point (signed with sigv4a)",
        }
    );
    assert!(e.to_string().contains("\"sigv4a\""), "{e}");
}

#[cfg(feature = "sigv4a")]
mod sigv4a {
    use super::*;
    use presign::s3::UrlSignature;
    use presign::verify::{ReceivedRequest, Verifier, VerifyError};

    fn verifier(creds: &Credentials) -> Verifier<impl Fn(&str) -> Option<Credentials> + use<>> {
        let known = creds.clone();
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .accept_region(Region::new("eu-central-1").unwrap())
    }

    /// Verifies a presigned URL as a server receiving it with the headers
    /// botocore says the client sends.
    fn verify(
        creds: &Credentials,
        case: &Value,
        method: &str,
        url: &str,
        time: SigningTime,
    ) -> Result<(), VerifyError> {
        let rest = url.strip_prefix("https://").expect("https");
        let slash = rest.find('/').expect("a path");
        let target = &rest[slash..];
        let mut received = ReceivedRequest::new(method, target);
        for pair in case["headers_to_send"].as_array().expect("headers") {
            received = received.header(
                pair[0].as_str().expect("name"),
                pair[1].as_str().expect("value"),
            );
        }
        verifier(creds).verify(&received, time).map(drop)
    }

    #[test]
    fn sigv4a_urls_match_botocore_but_the_signature_and_both_verify() {
        let v = vectors();
        let mut checked = 0;
        for case in v.cases() {
            if json_str(case, "algorithm") != "AWS4-ECDSA-P256-SHA256" {
                continue;
            }
            let name = json_str(case, "name");
            let creds = v.credentials(case);
            let bucket = bucket_of(case).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(bucket.is_multi_region_access_point(), "{name}");
            let url = request_of(&bucket, case)
                .presign(creds, v.time, expires(case))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let boto3_url = json_str(case, "url");
            assert_eq!(
                split(url.as_str(), true),
                split(boto3_url, true),
                "{name}:\n  presign {}\n  boto3   {boto3_url}",
                url.as_str()
            );
            assert_eq!(url.algorithm(), "AWS4-ECDSA-P256-SHA256");
            let UrlSignature::V4a(ours) = url.signature() else {
                panic!("{name}: not a sigv4a signature");
            };
            assert!(url.as_str().ends_with(&format!("&X-Amz-Signature={ours}")));
            let method = json_str(case, "method");
            for (who, u) in [("boto3", boto3_url), ("presign", url.as_str())] {
                verify(creds, case, method, u, v.time)
                    .unwrap_or_else(|e| panic!("{name}: {who}'s url does not verify: {e:?}"));
                // One changed byte of the signature (its last hex digit) fails.
                let mut bad = u.to_owned();
                let last = bad.pop().expect("a signature");
                bad.push(if last == '0' { '1' } else { '0' });
                assert!(
                    verify(creds, case, method, &bad, v.time).is_err(),
                    "{name}: {who}'s url verifies with a changed signature"
                );
                // Another key does not verify it either.
                let other = Credentials::new(creds.access_key_id(), "another secret").unwrap();
                assert!(verify(&other, case, method, u, v.time).is_err(), "{name}");
            }
            checked += 1;
        }
        assert_eq!(checked, 4);
    }

    #[test]
    fn every_output_of_a_multi_region_access_point_is_sigv4a() {
        let v = vectors();
        let bucket = Bucket::new(
            "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
            Region::new("us-east-1").unwrap(),
        )
        .unwrap()
        .max_expires(Duration::from_secs(60));
        let request = bucket.get_object("a/b.txt");
        // The canonical request is SigV4a's: region-less scope, region set.
        let canonical = request
            .canonical_request(&v.creds, v.time, Duration::from_secs(60))
            .unwrap();
        let query = canonical.as_str().lines().nth(2).unwrap();
        assert!(
            query.contains("X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256")
                && query.contains(
                    "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260524%2Fs3%2Faws4_request"
                )
                && query.contains("X-Amz-Region-Set=%2A"),
            "{query}"
        );
        // presign_into writes what presign returns (RFC 6979: deterministic).
        let url = request
            .presign(&v.temp, v.time, Duration::from_secs(60))
            .unwrap();
        let mut out = String::from("left over");
        request
            .presign_into(&v.temp, v.time, Duration::from_secs(60), &mut out)
            .unwrap();
        assert_eq!(out, url.as_str());
        assert_eq!(url.expires_in(), Duration::from_secs(60));
        // The bucket's expiry cap applies to SigV4a too.
        assert!(matches!(
            request.presign(&v.creds, v.time, Duration::from_secs(61)),
            Err(Error::ExpiresOutOfRange { max: 60, .. })
        ));
        // Debug shows neither the signature nor the session token.
        let shown = format!("{url:?}");
        assert!(!shown.contains(&url.signature().to_string()), "{shown}");
        assert!(!shown.contains("IQoJb3JpZ2lu"), "{shown}");
        assert!(url.as_str().contains("X-Amz-Security-Token=IQoJb3JpZ2lu"));
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pieces ARNs are made of, and pieces that break them.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("arn".to_owned()),
            Just("aws".to_owned()),
            Just("aws-cn".to_owned()),
            Just("s3".to_owned()),
            Just("s3-outposts".to_owned()),
            Just("s3-object-lambda".to_owned()),
            Just("us-west-2".to_owned()),
            Just("123456789012".to_owned()),
            Just("accesspoint".to_owned()),
            Just("outpost".to_owned()),
            Just("op-1".to_owned()),
            Just("x.mrap".to_owned()),
            Just(String::new()),
            "[a-zA-Z0-9._é/-]{0,70}",
        ]
    }

    fn separator() -> impl Strategy<Value = &'static str> {
        prop_oneof![Just(":"), Just("/"), Just(""), Just("."), Just("\u{0}")]
    }

    proptest! {
        /// Any text shaped like (or almost like) an ARN is a bucket, an
        /// access point, or a typed error: never a panic, and every URL
        /// made is https on a lowercase host, virtual-hosted.
        #[test]
        fn arn_like_input_never_panics(
            parts in proptest::collection::vec((piece(), separator()), 1..9),
            fips in any::<bool>(),
            dual_stack in any::<bool>(),
        ) {
            let mut text = String::from("arn:");
            for (p, s) in &parts {
                text.push_str(p);
                text.push_str(s);
            }
            let result = Bucket::new(text.as_str(), Region::new("us-east-1").unwrap())
                .and_then(|b| b.endpoint(endpoint(fips, dual_stack)));
            match result {
                Ok(bucket) => {
                    let host = bucket.host().to_owned();
                    prop_assert_eq!(host.to_ascii_lowercase(), host.clone());
                    prop_assert!(!bucket.is_path_style());
                    let creds = Credentials::new("AKIDEXAMPLE", "secret").unwrap();
                    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
                    let url = bucket
                        .get_object("k")
                        .presign(&creds, time, Duration::from_secs(60))
                        .unwrap();
                    let expected_prefix = format!("https://{host}/k?");
                    prop_assert!(url.as_str().starts_with(&expected_prefix));
                }
                Err(e) => {
                    let message = e.to_string();
                    prop_assert!(!message.is_empty());
                }
            }
        }

        /// The example's secret never shows in a Multi-Region Access
        /// Point URL's Debug, nor does the token or the signature.
        #[cfg(feature = "sigv4a")]
        #[test]
        fn sigv4a_url_debug_hides_secrets(
            secret in "[A-Za-z0-9/+]{30,40}",
            token in "[A-Za-z0-9]{40,60}",
        ) {
            let creds = Credentials::new("AKIDEXAMPLE", secret.as_str())
                .unwrap()
                .with_session_token(token.as_str())
                .unwrap();
            let bucket = Bucket::new(
                "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
                Region::new("us-east-1").unwrap(),
            )
            .unwrap();
            let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
            let url = bucket
                .get_object("k")
                .presign(&creds, time, Duration::from_secs(60))
                .unwrap();
            let shown = format!("{url:?} {bucket:?}");
            prop_assert!(!shown.contains(&secret));
            prop_assert!(!shown.contains(&token));
            prop_assert!(!shown.contains(&url.signature().to_string()));
        }
    }
}
