//! Checksums on presigned PutObject and UploadPart: botocore's URLs
//! reproduced byte for byte (`tests/vectors/boto3-checksums/`, generated
//! offline by its `generate.py`), the crate's verifier accepting them only
//! with the checksum header sent, and the empty-body trap.

mod common;

use std::time::Duration;

use common::{json_str, read_json, vectors_dir};
use presign::s3::{Bucket, ObjectRequest};
use presign::verify::{ReceivedRequest, Verifier, VerifyError};
use presign::{Checksum, ChecksumAlgorithm, Credentials, Error, Payload, Region, SigningTime};
use serde_json::Value;

fn vectors() -> Value {
    read_json(&vectors_dir("boto3-checksums/presigned-checksums.json"))
}

fn creds(v: &Value) -> Credentials {
    let c = &v["credentials"];
    Credentials::new(
        json_str(c, "access_key_id"),
        json_str(c, "secret_access_key"),
    )
    .expect("credentials")
}

fn request<'a>(
    bucket: &'a Bucket,
    v: &'a Value,
    case: &'a Value,
    checksum: Option<&'a Checksum>,
) -> ObjectRequest<'a> {
    let key = json_str(v, "key");
    let mut r = match json_str(case, "operation") {
        "put_object" => bucket.put_object(key),
        "upload_part" => {
            let params = &case["params"];
            let part = params["PartNumber"].as_u64().expect("part number");
            bucket.upload_part(
                key,
                u16::try_from(part).expect("small"),
                json_str(params, "UploadId"),
            )
        }
        other => panic!("unknown operation {other}"),
    };
    if let Some(c) = checksum {
        r = r.checksum(c);
    }
    if let Some(name) = case["sdk_checksum_algorithm"].as_str() {
        r = r.sdk_checksum_algorithm(ChecksumAlgorithm::from_name(name).expect("algorithm"));
    }
    r
}

#[test]
fn checksums_of_the_body_match_the_generators() {
    let v = vectors();
    let body = json_str(&v, "body").as_bytes();
    let mut n = 0;
    for (name, value) in v["checksums"].as_object().expect("checksums") {
        let algorithm = ChecksumAlgorithm::from_name(name).expect("algorithm");
        let computed = Checksum::compute(algorithm, body).expect("non-empty body");
        assert_eq!(computed.as_str(), value.as_str().expect("text"), "{name}");
        n += 1;
    }
    assert_eq!(n, ChecksumAlgorithm::ALL.len());
}

#[test]
fn presigned_checksum_urls_match_botocore_byte_for_byte() {
    let v = vectors();
    let creds = creds(&v);
    let time = SigningTime::parse_amz_date(json_str(&v, "signing_time")).expect("time");
    let expires = Duration::from_secs(v["expires_in"].as_u64().expect("expires"));
    let bucket = Bucket::new(
        json_str(&v, "bucket"),
        Region::new(json_str(&v, "region")).expect("region"),
    )
    .expect("bucket");
    let cases = v["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 9);
    for case in cases {
        let name = json_str(case, "name");
        let checksum = case["algorithm"].as_str().map(|alg| {
            Checksum::from_base64(
                ChecksumAlgorithm::from_name(alg).expect("algorithm"),
                json_str(case, "checksum"),
            )
            .expect("a valid checksum")
        });
        let r = request(&bucket, &v, case, checksum.as_ref());
        let url = r.presign(&creds, time, expires).expect("presigns");
        let expected = json_str(case, "url");
        if case["operation"] == "put_object" {
            assert_eq!(url.as_str(), expected, "{name}");
        } else {
            // botocore writes uploadId and partNumber first, this crate in
            // canonical order: the same bytes once the pairs are sorted.
            assert_eq!(sorted_query(url.as_str()), sorted_query(expected), "{name}");
            assert!(expected.ends_with(&format!("&X-Amz-Signature={}", url.signature())));
        }
    }
}

fn sorted_query(url: &str) -> (String, Vec<String>) {
    let (base, query) = url.split_once('?').expect("a query");
    let mut pairs: Vec<String> = query.split('&').map(str::to_owned).collect();
    pairs.sort();
    (base.to_owned(), pairs)
}

#[test]
fn the_verifier_accepts_a_checksum_url_only_with_its_header() {
    let v = vectors();
    let known = creds(&v);
    let time = SigningTime::parse_amz_date(json_str(&v, "signing_time")).expect("time");
    let verifier =
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .accept_region(Region::new(json_str(&v, "region")).expect("region"));
    let case = &v["cases"][2]; // put-crc64nvme
    assert_eq!(json_str(case, "name"), "put-crc64nvme");
    let url = json_str(case, "url");
    let rest = url.strip_prefix("https://").expect("https");
    let (host, path) = rest.split_at(rest.find('/').expect("a path"));
    let value = json_str(case, "checksum");
    let with = ReceivedRequest::new("PUT", path)
        .header("host", host)
        .header("x-amz-checksum-crc64nvme", value)
        .payload(Payload::Unsigned);
    assert!(verifier.verify_presigned(&with, time).is_ok());
    let without = ReceivedRequest::new("PUT", path)
        .header("host", host)
        .payload(Payload::Unsigned);
    assert!(matches!(
        verifier.verify_presigned(&without, time),
        Err(VerifyError::MissingSignedHeader { .. })
    ));
    let other = ReceivedRequest::new("PUT", path)
        .header("host", host)
        .header("x-amz-checksum-crc64nvme", "AAAAAAAAAAE=")
        .payload(Payload::Unsigned);
    assert!(verifier.verify_presigned(&other, time).is_err());
}

#[test]
fn an_empty_body_checksum_is_never_made_by_accident() {
    let bucket =
        Bucket::new("examplebucket", Region::new("eu-west-1").expect("region")).expect("bucket");
    let creds = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .expect("credentials");
    let time = SigningTime::parse_amz_date("20260524T120000Z").expect("time");
    for algorithm in ChecksumAlgorithm::ALL {
        // The bug other SDKs ship: the checksum of a body not read yet.
        let not_read_yet: Vec<u8> = Vec::new();
        let expected = Error::EmptyBodyChecksum {
            algorithm: algorithm.name(),
        };
        assert_eq!(
            Checksum::compute(algorithm, &not_read_yet),
            Err(expected.clone())
        );
        // The same value pasted in from elsewhere.
        let empty = Checksum::of_empty_body(algorithm);
        assert_eq!(
            Checksum::from_base64(algorithm, empty.as_str()),
            Err(expected)
        );
        // Asked for by name: the URL can only upload zero bytes.
        let put = bucket.put_object("empty.txt").checksum(&empty);
        assert_eq!(
            put.headers(),
            [
                (algorithm.header_name(), empty.as_str()),
                ("content-length", "0")
            ]
        );
        let url = put
            .presign(&creds, time, Duration::from_secs(60))
            .expect("presigns");
        assert!(url.as_str().contains(&format!(
            "X-Amz-SignedHeaders=content-length%3Bhost%3B{}&",
            algorithm.header_name()
        )));
        // Beside a size of its own, it is refused, not signed as `0,5`.
        let both = bucket
            .put_object("empty.txt")
            .checksum(&empty)
            .content_length("5")
            .presign(&creds, time, Duration::from_secs(60));
        assert!(
            matches!(both, Err(Error::InvalidHeaderValue { ref name, .. }) if name == "content-length"),
            "{both:?}"
        );
        // A real body's checksum signs no content-length.
        let real = Checksum::compute(algorithm, b"x").expect("non-empty");
        assert_eq!(bucket.put_object("x").checksum(&real).headers().len(), 1);
    }
}
