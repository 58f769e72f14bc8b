//! The worked examples of the Amazon S3 API Reference (`tests/vectors/s3-docs/`):
//! the four header-signed single-chunk examples of "Signature Calculations
//! for the Authorization Header" and the presigned GET of "Authenticating
//! Requests: Using Query Parameters", run through the public API.
//!
//! They use the S3 documentation's credentials (`AKIAIOSFODNN7EXAMPLE`, with
//! a secret that has `/` where the suites' has `+`), S3 path rules (no
//! normalization, encoded once: `test$file.text` signs as
//! `test%24file.text`) and, for header signing, a signed
//! `x-amz-content-sha256` header.
//!
//! Every example also runs through the plain reference writer
//! (`common::reference`): its canonical request, string to sign and
//! signature must equal the published ones too. The two chunked-upload
//! examples (`streaming-*.json`) are run by neither.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::reference::{self, Signing};
use common::{Failures, authorization_parts, json_str, read_json, vectors_dir};
use presign::{
    Credentials, Method, PathMode, Payload, Region, Service, SignableRequest, SignatureLocation,
    Signer, SigningTime,
};
use serde_json::Value;

/// A loaded example: its JSON, the credentials, the signing time.
struct Example {
    name: String,
    inputs: Value,
    expected: Value,
    credentials: Credentials,
    time: SigningTime,
}

fn load(file: &str) -> Example {
    let json = read_json(&vectors_dir("s3-docs").join(file));
    let inputs = json["inputs"].clone();
    let creds = &inputs["credentials"];
    let credentials = Credentials::new(
        json_str(creds, "access_key_id"),
        json_str(creds, "secret_access_key"),
    )
    .expect("credentials");
    assert_eq!(json_str(&inputs, "service"), "s3", "{file}");
    Example {
        name: json_str(&json, "name").to_owned(),
        time: SigningTime::parse_amz_date(json_str(&inputs, "timestamp")).expect("timestamp"),
        expected: json["expected"].clone(),
        inputs,
        credentials,
    }
}

impl Example {
    /// The reference signer for the example: its credentials, time and
    /// scope, S3's path rules, no session token (none of them has one).
    fn reference(&self) -> Signing<'_> {
        let creds = &self.inputs["credentials"];
        assert!(self.inputs["session_token"].is_null(), "{}", self.name);
        Signing {
            access_key_id: json_str(creds, "access_key_id"),
            secret: json_str(creds, "secret_access_key"),
            token: None,
            s3_session_token: false,
            amz_date: json_str(&self.inputs, "timestamp"),
            region: json_str(&self.inputs, "region"),
            service: json_str(&self.inputs, "service"),
            s3_mode: true,
        }
    }

    /// Compares the reference writer's outputs with the expected ones.
    fn check_reference(&self, f: &mut Failures, label: &str, signed: &reference::Signed) {
        for (step, field, actual) in [
            (
                "canonical request",
                "canonical_request",
                &signed.canonical_request,
            ),
            ("string to sign", "string_to_sign", &signed.string_to_sign),
            ("signature", "signature", &signed.signature),
        ] {
            let expected = json_str(&self.expected, field);
            f.check(label, &format!("reference {step}"), expected, actual);
        }
    }

    /// Checks the canonical request and the string to sign `signer` gives
    /// for `req` (with the example's credentials and time) against the
    /// expected ones.
    fn check_steps(
        &self,
        f: &mut Failures,
        label: &str,
        signer: &Signer,
        req: &SignableRequest<'_>,
        location: SignatureLocation,
    ) {
        let (creds, time, expected) = (&self.credentials, self.time, &self.expected);
        if let Some(cr) = f.ok(
            label,
            "canonical request",
            signer.canonical_request(req, creds, time, location),
        ) {
            f.check(
                label,
                "canonical request",
                json_str(expected, "canonical_request"),
                cr.as_str(),
            );
        }
        if let Some(sts) = f.ok(
            label,
            "string to sign",
            signer.string_to_sign(req, creds, time, location),
        ) {
            f.check(
                label,
                "string to sign",
                json_str(expected, "string_to_sign"),
                sts.as_str(),
            );
        }
    }
}

/// One of the four header-signed examples.
fn run_header_example(file: &str) {
    let ex = load(file);
    let (inputs, expected) = (&ex.inputs, &ex.expected);
    let label = format!("{} [header]", ex.name);
    let label = label.as_str();
    let mut f = Failures::new();

    let signer = Signer::new(
        Region::new(json_str(inputs, "region")).expect("region"),
        Service::s3(),
    )
    .sign_content_sha256(true)
    .path_mode(PathMode::S3);

    let host = json_str(inputs, "host");
    let raw_query = inputs["raw_query"].as_str().unwrap_or_default();
    assert_eq!(
        raw_query.is_empty(),
        inputs["query"].as_array().is_none_or(Vec::is_empty),
        "{file}: raw_query and query disagree"
    );
    let mut target = json_str(inputs, "path").to_owned();
    if !raw_query.is_empty() {
        target.push('?');
        target.push_str(raw_query);
    }
    let body = json_str(inputs, "body");
    let method = Method::new(json_str(inputs, "method")).expect("method");
    let mut req =
        SignableRequest::new(method, host, &target).payload(Payload::Bytes(body.as_bytes()));

    // Host, x-amz-date and x-amz-content-sha256 are written by the signer
    // (from the host, the signing time and the payload); they are compared
    // with what it writes below. Every other header is passed on.
    let mut amz_date = None;
    let mut content_sha256 = None;
    for pair in inputs["headers"].as_array().expect("headers") {
        let (name, value) = (
            pair[0].as_str().expect("name"),
            pair[1].as_str().expect("value"),
        );
        match name.to_ascii_lowercase().as_str() {
            "host" => assert_eq!(value, host, "{file}: Host header"),
            "x-amz-date" => amz_date = Some(value),
            "x-amz-content-sha256" => content_sha256 = Some(value),
            _ => req = req.header(name, value),
        }
    }

    // The reference writer takes the example's headers exactly as
    // published, x-amz-date and x-amz-content-sha256 included, and its
    // path and raw query.
    let published: Vec<(&str, &str)> = inputs["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().expect("name"),
                pair[1].as_str().expect("value"),
            )
        })
        .collect();
    let signed = ex.reference().sign(reference::canonical_request(
        json_str(inputs, "method"),
        json_str(inputs, "path"),
        raw_query,
        &published,
        json_str(inputs, "payload_hash"),
        true,
    ));
    ex.check_reference(&mut f, label, &signed);

    ex.check_steps(&mut f, label, &signer, &req, SignatureLocation::Headers);
    let (creds, time) = (&ex.credentials, ex.time);
    let Some(signed) = f.ok(label, "signing", signer.sign_headers(&req, creds, time)) else {
        return f.finish(&ex.name);
    };
    f.check(
        label,
        "signature",
        json_str(expected, "signature"),
        &signed.signature().to_string(),
    );
    f.check(
        label,
        "x-amz-date header",
        amz_date.expect("an x-amz-date header"),
        signed.x_amz_date(),
    );
    f.check(
        label,
        "x-amz-content-sha256 header",
        content_sha256.expect("an x-amz-content-sha256 header"),
        signed.x_amz_content_sha256().unwrap_or("(absent)"),
    );
    f.check(
        label,
        "x-amz-content-sha256 header (payload_hash)",
        json_str(inputs, "payload_hash"),
        signed.x_amz_content_sha256().unwrap_or("(absent)"),
    );
    // The S3 documentation separates the Authorization components with ","
    // alone, the crate (like the test suites and the SDKs) with ", ";
    // servers accept both and the signature does not cover it. So the
    // components are compared, not the separators.
    let expected_authorization = json_str(expected, "authorization_header");
    let parts = |s: &str| {
        authorization_parts(s).map_or_else(|| format!("(unreadable: {s})"), |p| p.join("\n"))
    };
    f.check(
        label,
        "Authorization header (components)",
        &parts(expected_authorization),
        &parts(signed.authorization()),
    );
    f.finish(&ex.name);
}

#[test]
fn s3_header_get_object_range() {
    run_header_example("header-get-object-range.json");
}

#[test]
fn s3_header_put_object() {
    run_header_example("header-put-object.json");
}

#[test]
fn s3_header_get_bucket_lifecycle() {
    run_header_example("header-get-bucket-lifecycle.json");
}

#[test]
fn s3_header_list_objects() {
    run_header_example("header-list-objects.json");
}

/// GET examplebucket/test.txt, presigned for 24 hours with
/// `UNSIGNED-PAYLOAD`: the full URL is compared.
#[test]
fn s3_presigned_get_object() {
    let ex = load("presigned-get-object.json");
    let (inputs, expected) = (&ex.inputs, &ex.expected);
    let label = format!("{} [query]", ex.name);
    let label = label.as_str();
    let mut f = Failures::new();

    assert_eq!(json_str(inputs, "payload_hash"), "UNSIGNED-PAYLOAD");
    assert!(inputs["session_token"].is_null());
    assert!(inputs["extra_query"].as_array().is_some_and(Vec::is_empty));
    let signed_headers = inputs["signed_headers"].as_array().expect("signed_headers");
    assert_eq!(signed_headers.len(), 1, "only host is signed");
    assert_eq!(signed_headers[0][0], "host");
    let host = signed_headers[0][1].as_str().expect("host");
    let endpoint = json_str(inputs, "endpoint");
    let expires_in = Duration::from_secs(inputs["expires_in_seconds"].as_u64().expect("expires"));

    // Path mode: the default for s3, which is PathMode::S3.
    let signer = Signer::new(
        Region::new(json_str(inputs, "region")).expect("region"),
        Service::s3(),
    );
    let method = Method::new(json_str(inputs, "method")).expect("method");
    let req =
        SignableRequest::new(method, host, json_str(inputs, "path")).payload(Payload::Unsigned);

    // The reference writer: only `host` signed, `UNSIGNED-PAYLOAD`.
    let signed = ex.reference().presign(
        json_str(inputs, "method"),
        json_str(inputs, "path"),
        &[("host", host)],
        json_str(inputs, "payload_hash"),
        expires_in.as_secs(),
    );
    ex.check_reference(&mut f, label, &signed);

    let (creds, time) = (&ex.credentials, ex.time);
    let location = SignatureLocation::Query { expires_in };
    ex.check_steps(&mut f, label, &signer, &req, location);
    if let Some(presigned) = f.ok(
        label,
        "presigning",
        signer.presign(&req, creds, time, expires_in),
    ) {
        f.check(
            label,
            "signature",
            json_str(expected, "signature"),
            &presigned.signature().to_string(),
        );
        let expected_url = json_str(expected, "presigned_url");
        let actual_url = format!("{endpoint}{}", presigned.uri());
        if expected_url == actual_url {
            f.check(label, "presigned URL", expected_url, &actual_url);
        } else {
            // Parameter order does not matter to S3: compare the URL before
            // the query exactly and the query as a set.
            let split = |url: &str| {
                let (base, query) = url.split_once('?').unwrap_or((url, ""));
                format!("{base}\n{}", common::query_set(query))
            };
            f.check(
                label,
                "presigned URL (query as a set)",
                &split(expected_url),
                &split(&actual_url),
            );
        }
    }
    f.finish(&ex.name);
}

/// "Example: Browser-Based Upload using HTTP POST (Using AWS Signature
/// Version 4)": the published policy text (CRLF line endings) gives the
/// published base64 policy and signature byte for byte.
#[test]
fn post_policy_browser_upload() {
    let ex = load("post-policy.json");
    let (inputs, expected) = (&ex.inputs, &ex.expected);
    let bucket = presign::s3::Bucket::new(
        json_str(inputs, "bucket"),
        Region::new(json_str(inputs, "region")).expect("region"),
    )
    .expect("bucket");
    let signed = bucket.sign_policy_document(
        json_str(inputs, "policy_text_crlf"),
        &ex.credentials,
        ex.time,
    );
    assert_eq!(
        signed.policy_base64,
        json_str(expected, "policy_base64"),
        "{}: base64 policy",
        ex.name
    );
    assert_eq!(
        signed.signature.to_string(),
        json_str(expected, "signature"),
        "{}: signature",
        ex.name
    );
    // The reference: a POST policy's string to sign is the base64 of the
    // policy text, signed with the day's key.
    let policy_text = json_str(inputs, "policy_text_crlf");
    let string_to_sign = base64::engine::general_purpose::STANDARD.encode(policy_text);
    let creds = &inputs["credentials"];
    let key = reference::signing_key(
        json_str(creds, "secret_access_key"),
        json_str(inputs, "date"),
        json_str(inputs, "region"),
        json_str(inputs, "service"),
    );
    assert_eq!(
        string_to_sign,
        json_str(expected, "string_to_sign"),
        "{}: reference string to sign",
        ex.name
    );
    assert_eq!(
        reference::signature(&key, &string_to_sign),
        json_str(expected, "signature"),
        "{}: reference signature",
        ex.name
    );

    // The conditions parse; the ones signing adds are there.
    let conditions =
        presign::s3::parse_policy_conditions(json_str(inputs, "policy_text_crlf")).expect("parse");
    assert!(conditions.contains(&presign::s3::Condition::starts_with("key", "user/user1/")));
    assert!(conditions.contains(&presign::s3::Condition::eq(
        "x-amz-credential",
        "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"
    )));
}
