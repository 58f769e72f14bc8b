//! The signing-key derivation examples of the AWS General Reference
//! (`tests/vectors/key-derivation.json`), with every intermediate key, and
//! the IAM ListUsers request that the second example signs.
//!
//! ```text
//! kDate    = HMAC("AWS4" + secret, date)
//! kRegion  = HMAC(kDate, region)
//! kService = HMAC(kRegion, service)
//! kSigning = HMAC(kService, "aws4_request")
//! ```
//!
//! Both also run through the plain reference writer (`common::reference`):
//! its signing key, and for the ListUsers request its canonical request,
//! string to sign and signature, must equal the published ones too.

mod common;

use common::reference::{self, Signing};
use common::{Failures, HttpRequest, hex, json_str, read_json, vectors_dir};
use presign::{
    Credentials, KeyDerivation, Method, Region, Scope, ScopeDate, Service, SignableRequest,
    SignatureLocation, Signer, SigningKey, SigningTime,
};
use serde_json::Value;

/// The number of examples in the file; a run that finds fewer fails.
const EXAMPLES: usize = 2;

fn examples() -> Vec<Value> {
    let json = read_json(&vectors_dir("key-derivation.json"));
    let examples = json["examples"].as_array().expect("examples").clone();
    assert_eq!(examples.len(), EXAMPLES, "examples in key-derivation.json");
    examples
}

/// Every intermediate key the examples give, for both examples.
#[test]
fn signing_key_intermediates() {
    let mut f = Failures::new();
    for example in examples() {
        let name = json_str(&example, "name");
        let (inputs, expected) = (&example["inputs"], &example["expected"]);
        let secret = json_str(inputs, "secret_access_key");
        let region = Region::new(json_str(inputs, "region")).expect("region");
        let service = Service::new(json_str(inputs, "service")).expect("service");
        let date = ScopeDate::parse(json_str(inputs, "date")).expect("date");
        let scope = Scope::new(date, &region, &service);
        let keys = KeyDerivation::derive(secret, scope);

        let mut compared = 0;
        // kSecret is not a library output: checking it only confirms the
        // vector's secret is the one the other keys were derived from.
        if let Some(k_secret) = expected["kSecret_hex"].as_str() {
            f.check(
                name,
                "kSecret (vector self-check)",
                k_secret,
                &hex(format!("AWS4{secret}").as_bytes()),
            );
        }
        for (field, actual) in [
            ("kDate_hex", keys.k_date()),
            ("kRegion_hex", keys.k_region()),
            ("kService_hex", keys.k_service()),
            ("kSigning_hex", keys.k_signing()),
        ] {
            if let Some(want) = expected[field].as_str() {
                f.check(name, field, want, &hex(actual));
                compared += 1;
            }
        }
        // The cached-key path must agree with the step-by-step one: it
        // signs as a key with the expected bytes does (a `SigningKey` does
        // not show its bytes).
        if let Some(want) = expected["kSigning_hex"].as_str() {
            let probe = b"AWS4-HMAC-SHA256\nprobe";
            let want_key = ::hex::decode(want).expect("kSigning_hex is hex");
            let mut m = <hmac::Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(&want_key)
                .expect("any key length");
            hmac::Mac::update(&mut m, probe);
            let want_mac = hex(&hmac::Mac::finalize(m).into_bytes());
            f.check(
                name,
                "SigningKey::derive",
                &want_mac,
                &hex(SigningKey::derive(secret, scope).sign(probe).as_bytes()),
            );
        }
        if let Some(want) = expected["kSigning_hex"].as_str() {
            let key = reference::signing_key(
                secret,
                json_str(inputs, "date"),
                json_str(inputs, "region"),
                json_str(inputs, "service"),
            );
            f.check(name, "reference signing key", want, &hex(&key));
        }
        assert!(compared > 0, "{name}: no intermediate key to compare");
    }
    f.finish("key derivation");
}

/// The General Reference's IAM ListUsers request (20150830): canonical
/// request, its hash, string to sign, signature and Authorization header.
#[test]
fn iam_list_users_request() {
    let mut f = Failures::new();
    let mut ran = 0;
    for example in examples() {
        let (inputs, expected) = (&example["inputs"], &example["expected"]);
        let Some(request_text) = inputs["request"].as_str() else {
            continue;
        };
        ran += 1;
        let name = json_str(&example, "name");
        let label = format!("{name} [header]");
        let label = label.as_str();

        // The request is written with an absolute-form target
        // (`GET https://iam.amazonaws.com/?Action=...`) and an X-Amz-Date,
        // which is the signing time.
        let mut request = HttpRequest::parse(request_text);
        let amz_date = request.take_header("X-Amz-Date").expect("X-Amz-Date");
        assert_eq!(amz_date, json_str(inputs, "timestamp"), "{name}");
        let time = SigningTime::parse_amz_date(&amz_date).expect("X-Amz-Date");
        let creds = Credentials::new(
            json_str(inputs, "access_key_id"),
            json_str(inputs, "secret_access_key"),
        )
        .expect("credentials");
        let signer = Signer::new(
            Region::new(json_str(inputs, "region")).expect("region"),
            Service::new(json_str(inputs, "service")).expect("service"),
        );
        let method = Method::new(&request.method).expect("method");
        let mut req = SignableRequest::new(method, request.host(), request.origin_form());
        for (n, v) in &request.headers {
            if !n.eq_ignore_ascii_case("host") {
                req = req.header(n, v);
            }
        }

        let expected_cr = json_str(expected, "canonical_request");
        let expected_sts = json_str(expected, "string_to_sign");

        // The reference writer: the request as published, its X-Amz-Date
        // (taken out above) added back by the reference signer.
        let signing = Signing {
            access_key_id: json_str(inputs, "access_key_id"),
            secret: json_str(inputs, "secret_access_key"),
            token: None,
            s3_session_token: false,
            amz_date: &amz_date,
            region: json_str(inputs, "region"),
            service: json_str(inputs, "service"),
            s3_mode: false,
        };
        let headers: Vec<(&str, &str)> = request.header_pairs().collect();
        let r = signing.sign_headers(
            &request.method,
            request.origin_form(),
            &headers,
            &reference::sha256_hex(request.body.as_bytes()),
            false,
        );
        f.check(
            label,
            "reference canonical request",
            expected_cr,
            &r.canonical_request,
        );
        f.check(
            label,
            "reference string to sign",
            expected_sts,
            &r.string_to_sign,
        );
        let expected_signature = json_str(expected, "signature");
        f.check(
            label,
            "reference signature",
            expected_signature,
            &r.signature,
        );

        let location = SignatureLocation::Headers;
        if let Some(cr) = f.ok(
            label,
            "canonical request",
            signer.canonical_request(&req, &creds, time, location),
        ) {
            f.check(label, "canonical request", expected_cr, cr.as_str());
            // The string to sign's last line is the canonical request hash.
            let expected_hash = expected_sts.rsplit('\n').next().unwrap_or_default();
            f.check(
                label,
                "canonical request hash",
                expected_hash,
                &hex(&cr.sha256()),
            );
        }
        if let Some(sts) = f.ok(
            label,
            "string to sign",
            signer.string_to_sign(&req, &creds, time, location),
        ) {
            f.check(label, "string to sign", expected_sts, sts.as_str());
        }
        if let Some(signed) = f.ok(label, "signing", signer.sign_headers(&req, &creds, time)) {
            f.check(
                label,
                "signature",
                json_str(expected, "signature"),
                &signed.signature().to_string(),
            );
            f.check(
                label,
                "Authorization header",
                json_str(expected, "authorization_header"),
                signed.authorization(),
            );
        }
    }
    assert_eq!(ran, 1, "the 20150830 ListUsers example with a request");
    f.finish("IAM ListUsers request");
}
