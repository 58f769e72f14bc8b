//! The CRT SigV4 test suite (aws-c-auth `tests/aws-signing-test-suite/v4`,
//! copied byte for byte to `tests/vectors/v4/`), run through the public API.
//!
//! Each of the 38 cases has a header variant (`Authorization` header) and a
//! query variant (presigned). For every variant the canonical request, the
//! string to sign, the signature and the signed request are compared with
//! the published files. Every case runs; all differences are reported
//! together, each naming the case, the variant and the step.
//!
//! How `context.json` maps to the API:
//! - `normalize: true` → [`PathMode::Standard`], `false` → [`PathMode::S3`];
//! - `sign_body: true` → `sign_content_sha256(true)` (it adds a signed
//!   `x-amz-content-sha256` header in the header variant only);
//! - `omit_session_token: true` → [`SessionTokenMode::AddedAfterSigning`];
//! - `expiration_in_seconds` → the presign expiry (`X-Amz-Expires`).
//!
//! Every variant also runs through the plain reference writer
//! (`common::reference`) from the same inputs: its canonical request,
//! string to sign and signature must equal the published ones too.

mod common;

use std::path::Path;
use std::time::Duration;

use common::reference::{self, Signed};
use common::{
    Failures, HttpRequest, crt_credentials, json_str, parse_rfc3339, query_set, read, read_json,
    render_request, subdirs, vectors_dir, wire_form,
};
use presign::{
    Credentials, PathMode, Region, Service, SessionTokenMode, SignableRequest, SignatureLocation,
    Signer, SigningTime,
};
use serde_json::Value;

/// The number of cases in the suite; a run that finds fewer (or more) fails.
const CASES: usize = 38;

/// One case's inputs, read from `context.json` and `request.txt`.
struct Case {
    name: String,
    dir: std::path::PathBuf,
    request: HttpRequest,
    credentials: Credentials,
    signer: Signer,
    time: SigningTime,
    expires_in: Duration,
    /// `context.json`, for the reference writer.
    context: Value,
    /// The signing time as `X-Amz-Date` text, for the reference writer.
    amz_date: String,
}

impl Case {
    fn load(dir: &Path) -> Case {
        let name = common::file_name(dir);
        let context = read_json(&dir.join("context.json"));
        let credentials = crt_credentials(&context, &name);
        let flag = |field: &str| context[field].as_bool().unwrap_or(false);
        let path_mode = if flag("normalize") {
            PathMode::Standard
        } else {
            PathMode::S3
        };
        let token_mode = if flag("omit_session_token") {
            SessionTokenMode::AddedAfterSigning
        } else {
            SessionTokenMode::Signed
        };
        let signer = Signer::new(
            Region::new(json_str(&context, "region")).expect("region"),
            Service::new(json_str(&context, "service")).expect("service"),
        )
        .path_mode(path_mode)
        .session_token_mode(token_mode)
        .sign_content_sha256(flag("sign_body"));
        let expires = context["expiration_in_seconds"]
            .as_u64()
            .unwrap_or_else(|| panic!("{name}: expiration_in_seconds"));
        let timestamp = json_str(&context, "timestamp");
        let amz_date = timestamp.replace(['-', ':'], "");
        Case {
            request: HttpRequest::parse(&read(&dir.join("request.txt"))),
            time: parse_rfc3339(timestamp),
            amz_date,
            expires_in: Duration::from_secs(expires),
            credentials,
            signer,
            dir: dir.to_owned(),
            name,
            context,
        }
    }

    fn flag(&self, field: &str) -> bool {
        self.context[field].as_bool().unwrap_or(false)
    }

    /// The reference signer for this case, read from `context.json` alone:
    /// S3 path rules unless `normalize`, and the session token signed
    /// unless `omit_session_token`.
    fn reference(&self) -> reference::Signing<'_> {
        let creds = &self.context["credentials"];
        reference::Signing {
            access_key_id: json_str(creds, "access_key_id"),
            secret: json_str(creds, "secret_access_key"),
            token: creds["token"]
                .as_str()
                .filter(|_| !self.flag("omit_session_token")),
            s3_session_token: false,
            amz_date: &self.amz_date,
            region: json_str(&self.context, "region"),
            service: json_str(&self.context, "service"),
            s3_mode: !self.flag("normalize"),
        }
    }

    fn expected(&self, file: &str) -> String {
        read(&self.dir.join(file))
    }

    /// The request as the library takes it: `request.txt` (see
    /// [`HttpRequest::signable`]).
    fn signable(&self) -> SignableRequest<'_> {
        self.request.signable()
    }

    fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.request.header_pairs()
    }
}

/// Runs a variant through the reference writer: `request.txt` as written
/// (its `Host` header among the signed ones), the body's hash, and what
/// `context.json` asks for; each output is compared with the published
/// file, as the crate's are.
fn check_reference(case: &Case, variant: &str, f: &mut Failures) {
    let label = format!("{} [{variant}]", case.name);
    let label = label.as_str();
    let request = &case.request;
    let headers: Vec<(&str, &str)> = request.header_pairs().collect();
    let payload_hash = reference::sha256_hex(request.body.as_bytes());
    let signing = case.reference();
    let signed: Signed = if variant == "header" {
        let content_sha256 = case.flag("sign_body");
        signing.sign_headers(
            &request.method,
            &request.target,
            &headers,
            &payload_hash,
            content_sha256,
        )
    } else {
        let expires = case.expires_in.as_secs();
        signing.presign(
            &request.method,
            &request.target,
            &headers,
            &payload_hash,
            expires,
        )
    };
    for (step, file, actual) in [
        (
            "canonical request",
            "canonical-request",
            &signed.canonical_request,
        ),
        ("string to sign", "string-to-sign", &signed.string_to_sign),
        ("signature", "signature", &signed.signature),
    ] {
        let expected = case.expected(&format!("{variant}-{file}.txt"));
        f.check(label, &format!("reference {step}"), &expected, actual);
    }
}

fn load_cases() -> Vec<Case> {
    let cases: Vec<Case> = subdirs(&vectors_dir("v4"))
        .iter()
        .map(|d| Case::load(d))
        .collect();
    assert_eq!(
        cases.len(),
        CASES,
        "expected {CASES} case directories under tests/vectors/v4"
    );
    cases
}

/// An optional header value for comparison messages.
fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "(absent)".to_owned(), |v| v.trim().to_owned())
}

fn run_header_variant(case: &Case, f: &mut Failures) {
    check_reference(case, "header", f);
    let label = format!("{} [header]", case.name);
    let label = label.as_str();
    let req = case.signable();
    let (signer, creds, time) = (&case.signer, &case.credentials, case.time);
    let location = SignatureLocation::Headers;

    if let Some(cr) = f.ok(
        label,
        "canonical request",
        signer.canonical_request(&req, creds, time, location),
    ) {
        let expected = case.expected("header-canonical-request.txt");
        f.check(label, "canonical request", &expected, cr.as_str());
    }
    if let Some(sts) = f.ok(
        label,
        "string to sign",
        signer.string_to_sign(&req, creds, time, location),
    ) {
        let expected = case.expected("header-string-to-sign.txt");
        f.check(label, "string to sign", &expected, sts.as_str());
    }
    let Some(signed) = f.ok(label, "signing", signer.sign_headers(&req, creds, time)) else {
        return;
    };
    let expected = case.expected("header-signature.txt");
    f.check(
        label,
        "signature",
        &expected,
        &signed.signature().to_string(),
    );

    // The signed request: the headers the library returns, one by one, then
    // the whole request (request.txt plus those headers) as a multiset.
    let sreq = HttpRequest::parse(&case.expected("header-signed-request.txt"));
    for (header, actual) in [
        ("Authorization", Some(signed.authorization())),
        ("X-Amz-Date", Some(signed.x_amz_date())),
        ("X-Amz-Security-Token", signed.x_amz_security_token()),
        ("X-Amz-Content-Sha256", signed.x_amz_content_sha256()),
    ] {
        f.check(
            label,
            &format!("signed request {header} header"),
            &shown(sreq.header(header)),
            &shown(actual),
        );
    }
    let expected = sreq.render_with([]);
    let actual = case.request.render_with(signed.iter());
    f.check(label, "signed request", &expected, &actual);
}

fn run_query_variant(case: &Case, f: &mut Failures) {
    check_reference(case, "query", f);
    let label = format!("{} [query]", case.name);
    let label = label.as_str();
    let req = case.signable();
    let (signer, creds, time) = (&case.signer, &case.credentials, case.time);
    let location = SignatureLocation::Query {
        expires_in: case.expires_in,
    };

    if let Some(cr) = f.ok(
        label,
        "canonical request",
        signer.canonical_request(&req, creds, time, location),
    ) {
        let expected = case.expected("query-canonical-request.txt");
        f.check(label, "canonical request", &expected, cr.as_str());
    }
    if let Some(sts) = f.ok(
        label,
        "string to sign",
        signer.string_to_sign(&req, creds, time, location),
    ) {
        let expected = case.expected("query-string-to-sign.txt");
        f.check(label, "string to sign", &expected, sts.as_str());
    }
    let Some(presigned) = f.ok(
        label,
        "presigning",
        signer.presign(&req, creds, time, case.expires_in),
    ) else {
        return;
    };
    let expected = case.expected("query-signature.txt");
    f.check(
        label,
        "signature",
        &expected,
        &presigned.signature().to_string(),
    );

    // The signed request. The suite writes paths and queries as raw text (a
    // literal space, raw UTF-8), so both sides are compared in wire form
    // (those bytes percent-encoded). Its query parameters are not in
    // canonical order (X-Amz-SignedHeaders precedes X-Amz-Expires), so the
    // query is compared as a set. Presigning adds no header.
    let sreq = HttpRequest::parse(&case.expected("query-signed-request.txt"));
    let (path, query) = sreq.target.split_once('?').unwrap_or((&sreq.target, ""));
    f.check(
        label,
        "signed request path",
        &wire_form(path),
        &wire_form(presigned.path()),
    );
    f.check(
        label,
        "signed request query (as a set)",
        &query_set(query),
        &query_set(presigned.query()),
    );
    let expected = render_request(
        &sreq.method,
        "(target compared above)",
        sreq.header_pairs(),
        &sreq.body,
    );
    let actual = render_request(
        &case.request.method,
        "(target compared above)",
        case.headers(),
        &case.request.body,
    );
    f.check(label, "signed request", &expected, &actual);
}

#[test]
fn crt_v4_header_variants() {
    let mut failures = Failures::new();
    for case in &load_cases() {
        run_header_variant(case, &mut failures);
    }
    failures.finish("CRT v4 suite, header variants");
}

#[test]
fn crt_v4_query_variants() {
    let mut failures = Failures::new();
    for case in &load_cases() {
        run_query_variant(case, &mut failures);
    }
    failures.finish("CRT v4 suite, query variants");
}

/// The harness must notice a wrong expectation: a tampered canonical
/// request, signature and query are reported, naming the case and step.
#[test]
fn harness_reports_differences() {
    let mut f = Failures::new();
    f.check("get-vanilla [header]", "signature", "5fa0", "5fa1");
    f.check(
        "get-vanilla [query]",
        "canonical request",
        "GET\n/\n",
        "GET\n//\n",
    );
    f.check(
        "get-vanilla [query]",
        "signed request query (as a set)",
        &query_set("a=1&b=2"),
        &query_set("b=2&a=1"),
    );
    let report = f.entries().join("\n\n");
    assert_eq!(f.entries().len(), 2, "{report}");
    assert!(report.contains("get-vanilla [header] signature differs"));
    assert!(report.contains(
        "get-vanilla [query] canonical request differs (first difference on line 2):\n\
         --- expected\nGET\n/\n\n--- actual\nGET\n//\n"
    ));
    assert!(std::panic::catch_unwind(move || f.finish("tampered")).is_err());
}

/// The request parser on the suite's formats: obs-fold continuation lines,
/// spaces in the target, a body after the blank line, and no HTTP version.
#[test]
fn request_parser_reads_the_suite_formats() {
    let r =
        HttpRequest::parse("GET / HTTP/1.1\nHost:h\nMy-Header1:value1\n  value2\n     value3\n");
    assert_eq!(r.method, "GET");
    assert_eq!(r.target, "/");
    assert_eq!(r.version.as_deref(), Some("HTTP/1.1"));
    assert_eq!(
        r.headers,
        [
            ("Host".to_owned(), "h".to_owned()),
            (
                "My-Header1".to_owned(),
                "value1\n  value2\n     value3".to_owned()
            ),
        ]
    );
    assert_eq!(r.body, "");

    let r = HttpRequest::parse("GET /example space/ HTTP/1.1\nHost:h\n\nParam1=value1");
    assert_eq!(r.target, "/example space/");
    assert_eq!(r.body, "Param1=value1");

    let r = HttpRequest::parse("POST /a%3Ab\nHost:h\nAuthorization: AWS4\n");
    assert_eq!((r.target.as_str(), r.version.as_deref()), ("/a%3Ab", None));
    assert_eq!(r.header("authorization"), Some(" AWS4"));

    assert_eq!(wire_form("/example space/ሴ"), "/example%20space/%E1%88%B4");
    assert_eq!(
        parse_rfc3339("2015-08-30T12:36:00Z"),
        SigningTime::parse_amz_date("20150830T123600Z").unwrap()
    );
}
