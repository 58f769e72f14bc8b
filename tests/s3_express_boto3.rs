//! S3 Express One Zone against botocore 1.44.8 (`tests/vectors/boto3-s3express/`,
//! generated offline by its `generate.py`): zonal hosts, presigned GET and
//! PUT with session credentials, the signed `CreateSession` request, and a
//! header-signed GetObject, each reproduced with `Signer::new(region,
//! s3express)` at the zonal host.

mod common;

use std::time::Duration;

use common::{json_str, read_json, vectors_dir};
use presign::s3::express::{
    CreateSession, DirectoryBucket, SessionMode, ZonalOptions, parse_create_session_response,
};
use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};
use serde_json::Value;

fn vectors() -> Value {
    read_json(&vectors_dir("boto3-s3express/s3express.json"))
}

fn time(v: &Value) -> SigningTime {
    SigningTime::parse_amz_date(json_str(v, "signing_time")).expect("time")
}

fn region(v: &Value) -> Region {
    Region::new(json_str(v, "region")).expect("region")
}

fn base(v: &Value) -> Credentials {
    let c = &v["base_credentials"];
    Credentials::new(
        json_str(c, "access_key_id"),
        json_str(c, "secret_access_key"),
    )
    .expect("base credentials")
}

fn session(v: &Value) -> Credentials {
    let c = &v["session_credentials"];
    Credentials::new(
        json_str(c, "access_key_id"),
        json_str(c, "secret_access_key"),
    )
    .and_then(|creds| creds.with_s3_express_session_token(json_str(c, "session_token")))
    .expect("session credentials")
}

fn signer(v: &Value) -> Signer {
    Signer::new(region(v), Service::new("s3express").expect("service"))
}

/// `(host, path, query)` of an https URL.
fn split(url: &str) -> (&str, &str, &str) {
    let rest = url.strip_prefix("https://").expect("https");
    let (host, target) = rest.split_at(rest.find('/').expect("path"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    (host, path, query)
}

fn sorted_pairs(query: &str) -> Vec<&str> {
    let mut pairs: Vec<&str> = query.split('&').collect();
    pairs.sort_unstable();
    pairs
}

#[test]
fn zonal_hosts_match_botocore() {
    let v = vectors();
    let cases = v["endpoints"].as_array().expect("endpoints");
    assert_eq!(cases.len(), 8);
    for case in cases {
        let bucket = DirectoryBucket::parse(json_str(case, "bucket")).expect("bucket");
        let options = ZonalOptions::default()
            .fips(case["fips"].as_bool().expect("fips"))
            .dualstack(case["dualstack"].as_bool().expect("dualstack"));
        assert_eq!(
            bucket.zonal_host(&region(&v), options),
            json_str(case, "host"),
            "{case}"
        );
    }
}

#[test]
fn presigned_urls_match_botocore() {
    let v = vectors();
    let signer = signer(&v);
    let session = session(&v);
    let cases = v["presigned"].as_array().expect("presigned");
    assert_eq!(cases.len(), 2);
    for case in cases {
        let url = json_str(case, "url");
        let (host, path, query) = split(url);
        let bucket = DirectoryBucket::parse(json_str(case, "bucket")).expect("bucket");
        assert_eq!(
            bucket.zonal_host(signer.region(), ZonalOptions::default()),
            host
        );
        let method = Method::new(json_str(case, "method")).expect("method");
        let request = SignableRequest::new(method, host, path);
        let expires = Duration::from_secs(case["expires_in"].as_u64().expect("expires"));
        let ours = signer
            .presign(&request, &session, time(&v), expires)
            .expect("presign");
        let ours_url = format!("https://{host}{}", ours.uri());
        // botocore writes X-Amz-S3session-Token after X-Amz-SignedHeaders;
        // the crate writes the parameters in canonical (sorted) order. Same
        // pairs, same signature.
        let (_, our_path, our_query) = split(&ours_url);
        assert_eq!(our_path, path);
        assert_eq!(sorted_pairs(our_query), sorted_pairs(query), "{case}");
        assert!(!our_query.contains("X-Amz-Security-Token"));
        assert!(query.ends_with(&format!("&X-Amz-Signature={}", ours.signature().to_hex())));
    }
}

#[test]
fn create_session_matches_botocore() {
    let v = vectors();
    let cases = v["create_session"].as_array().expect("create_session");
    assert_eq!(cases.len(), 2);
    for case in cases {
        let (host, path, query) = split(json_str(case, "url"));
        assert_eq!((path, query), ("/", "session"));
        let bucket =
            DirectoryBucket::parse(host.split('.').next().expect("bucket")).expect("bucket");
        let mut create = CreateSession::new(&bucket, region(&v));
        match case["session_mode"].as_str() {
            None => {}
            Some("ReadOnly") => create = create.session_mode(SessionMode::ReadOnly),
            Some(other) => panic!("mode {other}"),
        }
        let signed = create.sign(&base(&v), time(&v)).expect("sign");
        assert_eq!(signed.method(), json_str(case, "method"));
        assert_eq!(signed.url(), json_str(case, "url"));
        // Every header botocore signs or sends for the signature, and no
        // other: names case-insensitively, values exactly.
        let theirs = case["headers"].as_object().expect("headers");
        let mut expected: Vec<(String, &str)> = theirs
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().expect("value")))
            .collect();
        expected.sort();
        let mut ours: Vec<(String, &str)> = signed
            .headers()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_str()))
            .collect();
        ours.sort();
        assert_eq!(ours, expected, "{case}");
    }
}

#[test]
fn header_signed_get_object_matches_botocore() {
    let v = vectors();
    let signer = signer(&v);
    let session = session(&v);
    let case = &v["header_signed"][0];
    let (host, path, _) = split(json_str(case, "url"));
    let headers = &case["headers"];
    let request = SignableRequest::new(Method::GET, host, path).header(
        "x-amz-checksum-mode",
        json_str(headers, "x-amz-checksum-mode"),
    );
    let signed = signer
        .sign_headers(&request, &session, time(&v))
        .expect("sign");
    assert_eq!(signed.authorization(), json_str(headers, "Authorization"));
    assert_eq!(
        signed.x_amz_s3session_token(),
        Some(json_str(headers, "x-amz-s3session-token"))
    );
    assert_eq!(signed.x_amz_security_token(), None);
    assert_eq!(
        signed.x_amz_content_sha256(),
        Some(json_str(headers, "X-Amz-Content-SHA256"))
    );
}

#[test]
fn the_session_botocore_was_given_parses_and_bounds_urls() {
    let v = vectors();
    let c = &v["session_credentials"];
    let body = format!(
        "<CreateSessionResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Credentials>\
         <SessionToken>{}</SessionToken><SecretAccessKey>{}</SecretAccessKey>\
         <AccessKeyId>{}</AccessKeyId><Expiration>2026-05-24T12:05:00Z</Expiration>\
         </Credentials></CreateSessionResult>",
        json_str(c, "session_token"),
        json_str(c, "secret_access_key"),
        json_str(c, "access_key_id"),
    );
    let parsed = parse_create_session_response(&body).expect("parse");
    let case = &v["presigned"][0];
    let (host, path, query) = split(json_str(case, "url"));
    let signer = signer(&v);
    let request = SignableRequest::new(Method::GET, host, path);
    let url = signer
        .presign(&request, &parsed, time(&v), Duration::from_secs(300))
        .expect("a 300 s URL fits the session");
    assert_eq!(sorted_pairs(url.query()), sorted_pairs(query));
    // A URL that would outlive the session is refused (botocore signs it).
    let err = signer
        .presign(&request, &parsed, time(&v), Duration::from_secs(301))
        .unwrap_err();
    assert!(
        matches!(err, presign::Error::CredentialsExpireFirst { .. }),
        "{err}"
    );
}
