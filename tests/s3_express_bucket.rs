//! Directory buckets through `Bucket` (S3 Express One Zone): a
//! `BASE--ZONEID--x-s3` name is addressed at its zonal endpoint and signed
//! for `s3express` with session credentials, reproducing botocore 1.44.8's
//! presigned URLs (`tests/vectors/boto3-s3express/`); every way to get it
//! wrong is a typed error.

mod common;

use std::time::Duration;

use common::{json_str, read_json, vectors_dir};
use presign::s3::{Addressing, Bucket, Endpoint, PostKey};
use presign::{Credentials, Error, Method, Region, SigningTime};
use serde_json::Value;

fn vectors() -> Value {
    read_json(&vectors_dir("boto3-s3express/s3express.json"))
}

fn session(v: &Value) -> Credentials {
    let c = &v["session_credentials"];
    Credentials::new(
        json_str(c, "access_key_id"),
        json_str(c, "secret_access_key"),
    )
    .and_then(|creds| creds.with_s3_express_session_token(json_str(c, "session_token")))
    .unwrap()
}

fn sorted_pairs(query: &str) -> Vec<&str> {
    let mut pairs: Vec<&str> = query.split('&').collect();
    pairs.sort_unstable();
    pairs
}

#[test]
fn bucket_presigns_what_botocore_presigns() {
    let v = vectors();
    let time = SigningTime::parse_amz_date(json_str(&v, "signing_time")).unwrap();
    let region = Region::new(json_str(&v, "region")).unwrap();
    for case in v["presigned"].as_array().unwrap() {
        let bucket = Bucket::new(json_str(case, "bucket"), region.clone()).unwrap();
        assert!(bucket.is_directory_bucket());
        assert_eq!(bucket.service().as_str(), "s3express");
        let method = match json_str(case, "method") {
            "GET" => Method::GET,
            "PUT" => Method::PUT,
            other => panic!("{other}"),
        };
        let expires = Duration::from_secs(case["expires_in"].as_u64().unwrap());
        let url = bucket
            .object_request(method, json_str(case, "key"))
            .presign(&session(&v), time, expires)
            .unwrap();
        let expected = json_str(case, "url");
        let (ours, theirs) = (
            url.as_str().split_once('?').unwrap(),
            expected.split_once('?').unwrap(),
        );
        // Host and path byte for byte; botocore writes the token after
        // X-Amz-SignedHeaders, we write the query sorted: the same pairs.
        assert_eq!(ours.0, theirs.0);
        assert_eq!(sorted_pairs(ours.1), sorted_pairs(theirs.1), "{case}");
    }
}

#[test]
fn directory_buckets_are_reached_only_as_s3_express_serves_them() {
    let region = Region::new("us-west-2").unwrap();
    let name = "mybucket--usw2-az1--x-s3";
    let bucket = Bucket::new(name, region.clone()).unwrap();
    assert_eq!(
        bucket.base_url(),
        "https://mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com"
    );
    let fips = Bucket::new(name, region.clone())
        .unwrap()
        .endpoint(Endpoint::aws_fips(true))
        .unwrap();
    assert_eq!(
        fips.host(),
        "mybucket--usw2-az1--x-s3.s3express-fips-usw2-az1.dualstack.us-west-2.amazonaws.com"
    );
    // Virtual-hosted, on AWS, not accelerated.
    let refused = [
        Bucket::new(name, region.clone())
            .unwrap()
            .addressing(Addressing::Path)
            .err(),
        Bucket::new(name, region.clone())
            .unwrap()
            .endpoint(Endpoint::custom("http://127.0.0.1:9000").unwrap())
            .err(),
        Bucket::new(name, region.clone())
            .unwrap()
            .endpoint(Endpoint::aws_accelerate(false))
            .err(),
    ];
    for e in refused {
        assert!(
            matches!(e, Some(Error::UnsupportedAddressing { .. })),
            "{e:?}"
        );
    }
    // A name that ends like one but is not one.
    assert!(matches!(
        Bucket::new("mybucket--x-s3", region.clone()),
        Err(Error::InvalidDirectoryBucketName { .. })
    ));
}

#[test]
fn session_credentials_go_with_directory_buckets_only() {
    let region = Region::new("us-west-2").unwrap();
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    let ordinary = Credentials::new("AKIAIOSFODNN7EXAMPLE", "secret").unwrap();
    let session = Credentials::new("ASIASESSION", "secret")
        .unwrap()
        .with_s3_express_session_token("token")
        .unwrap();
    let directory = Bucket::new("mybucket--usw2-az1--x-s3", region.clone()).unwrap();
    let general = Bucket::new("examplebucket", region).unwrap();
    let minute = Duration::from_secs(60);
    for (bucket, creds) in [(&directory, &ordinary), (&general, &session)] {
        let e = bucket
            .get_object("k")
            .presign(creds, time, minute)
            .unwrap_err();
        assert!(matches!(e, Error::InvalidSessionToken { .. }), "{e:?}");
        let mut out = String::new();
        let e = bucket
            .get_object("k")
            .presign_into(creds, time, minute, &mut out)
            .unwrap_err();
        assert!(matches!(e, Error::InvalidSessionToken { .. }), "{e:?}");
        let e = bucket
            .post_policy(PostKey::new("k"), time, minute)
            .sign(creds)
            .unwrap_err();
        assert!(matches!(e, Error::InvalidSessionToken { .. }), "{e:?}");
    }
    // The right pair signs, with the session token under its own name.
    let url = directory
        .get_object("k")
        .presign(&session, time, minute)
        .unwrap();
    assert!(url.as_str().contains("&X-Amz-S3session-Token=token&"));
    // A session whose expiry is known: the URL may not outlive it.
    let expiring = session
        .clone()
        .with_expiry(time.to_offset_date_time() + time::Duration::minutes(5));
    let e = directory
        .get_object("k")
        .presign(&expiring, time, Duration::from_secs(3600))
        .unwrap_err();
    assert!(matches!(e, Error::CredentialsExpireFirst { .. }), "{e:?}");
}
