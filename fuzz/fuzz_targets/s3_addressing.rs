//! The S3 addressing and value parsers, on any input: bucket names and
//! ARNs (`Bucket::new`), directory bucket names, checksum values, download
//! names and `CreateSession` answers. None panics, and each round-trips:
//! a bucket that parses presigns a URL that verifies, a directory bucket
//! reparses from its name, an accepted checksum prints back as given, a
//! download name parses back from its `filename*`, and an answer that
//! parses gives credentials that sign.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use presign::checksum::{Checksum, ChecksumAlgorithm};
use presign::s3::express::{DirectoryBucket, parse_create_session_response};
use presign::s3::{Bucket, ContentDisposition};
use presign::verify::{ReceivedRequest, Verifier};
use presign::{Credentials, Region, Service, SigningTime};

#[derive(Debug, Arbitrary)]
struct Input {
    name: String,
    region: String,
    algorithm: u8,
    text: String,
}

fuzz_target!(|input: Input| {
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    let creds = Credentials::new("AKIDFUZZ", "fuzz-secret").unwrap();

    // Steered into each kind of name the parsers tell apart.
    let name = match input.algorithm >> 4 {
        0 => format!(
            "arn:aws:s3:us-west-2:123456789012:accesspoint/{}",
            input.name
        ),
        1 => format!(
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost/{}",
            input.name
        ),
        2 => format!("arn:aws:s3-object-lambda:{}", input.name),
        3 => format!("{}--usw2-az1--x-s3", input.name),
        4 => format!("arn:{}", input.name),
        _ => input.name.clone(),
    };
    if let Ok(region) = Region::new(&input.region)
        && let Ok(bucket) = Bucket::new(name.as_str(), region)
    {
        let host = bucket.host().to_owned();
        assert!(!host.is_empty() && host.is_ascii(), "{host:?}");
        assert!(bucket.base_url().starts_with("https://"), "{bucket:?}");
        // A general bucket or an access point on AWS: its URL verifies for
        // the service and region it was signed for.
        if !bucket.is_directory_bucket() && !bucket.is_multi_region_access_point() {
            if let Ok(url) = bucket
                .get_object("k")
                .presign(&creds, time, Duration::from_secs(60))
            {
                let target = &url.as_str()[url.as_str().find(&host).unwrap() + host.len()..];
                let known = creds.clone();
                let verifier = Verifier::new(move |id: &str| {
                    (id == known.access_key_id()).then(|| known.clone())
                })
                .service(Service::new(bucket.service().as_str()).unwrap());
                let received = ReceivedRequest::new("GET", target).header("host", &host);
                if let Err(e) = verifier.verify(&received, time) {
                    panic!("{e}: {}", url.as_str());
                }
            }
        }
    }

    if let Ok(directory) = DirectoryBucket::parse(&name) {
        assert_eq!(DirectoryBucket::parse(directory.name()).unwrap(), directory);
        assert!(directory.name().ends_with("--x-s3"));
    }

    let algorithm = ChecksumAlgorithm::ALL[usize::from(input.algorithm) % 5];
    if let Ok(checksum) = Checksum::from_base64(algorithm, &input.text) {
        assert_eq!(checksum.as_str(), input.text);
    }

    if let Ok(disposition) = ContentDisposition::attachment(&input.text) {
        let value = disposition.to_string();
        assert!(
            value.bytes().all(|b| (b' '..=b'~').contains(&b)),
            "{value:?}"
        );
        let name = match value.split_once("; filename*=UTF-8''") {
            Some((_, encoded)) => presign::encode::decode(encoded).expect("utf-8"),
            None => {
                let quoted = value.strip_prefix("attachment; filename=\"").unwrap();
                quoted.strip_suffix('"').unwrap().to_owned()
            }
        };
        assert_eq!(name, input.text);
    }

    if let Ok(session) = parse_create_session_response(&input.text) {
        assert!(session.is_s3_express_session());
        assert!(!session.access_key_id().is_empty());
    }
});
