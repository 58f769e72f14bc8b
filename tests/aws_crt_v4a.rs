//! The CRT SigV4a test suite (aws-c-auth `tests/aws-signing-test-suite/v4a`,
//! copied byte for byte to `tests/vectors/v4a/`), run through the public API
//! (feature `sigv4a`).
//!
//! 40 case directories: 38 complete ones, each with a header and a query
//! variant, and `get-vanilla-query-order-key` / `-value`, which hold only
//! `context.json` and `request.txt` and are skipped.
//!
//! SigV4a signatures are randomised in the suite (the signature inside
//! `*-signed-request.txt` differs from `*-signature.txt`), so signatures are
//! checked by verifying them, never by comparing text:
//! - the key derived from `context.json`'s credentials has the public key of
//!   `public-key.json`;
//! - both published signatures of each variant verify, with the derived
//!   public key, over the published string to sign;
//! - our (deterministic) signature of the published string to sign verifies
//!   with the published public key;
//! - a flipped byte of a signature or of the string to sign fails.
#![cfg(feature = "sigv4a")]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{
    Failures, authorization_parts, crt_credentials, json_str, parse_rfc3339, read, read_json,
    subdirs, vectors_dir,
};
use presign::sigv4a::{PublicKey, SigV4aKey, Signer4a};
use presign::{PathMode, Service, SessionTokenMode, SignatureLocation};

/// The complete cases (with `public-key.json`); the two partial ones have
/// only `context.json` and `request.txt`.
const CASES: usize = 38;
const DIRS: usize = 40;

fn case_dirs() -> Vec<PathBuf> {
    let dirs = subdirs(&vectors_dir("v4a"));
    assert_eq!(dirs.len(), DIRS, "case directories under tests/vectors/v4a");
    let complete: Vec<PathBuf> = dirs
        .into_iter()
        .filter(|d| d.join("public-key.json").exists())
        .collect();
    assert_eq!(complete.len(), CASES, "complete v4a cases");
    complete
}

fn coordinate(json: &serde_json::Value, axis: &str, name: &str) -> [u8; 32] {
    let text = json[axis]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: public-key.json {axis}"));
    hex::decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .unwrap_or_else(|| panic!("{name}: public-key.json {axis} is not 32 hex bytes"))
}

fn published_key(dir: &Path, name: &str) -> PublicKey {
    let json = read_json(&dir.join("public-key.json"));
    let (x, y) = (coordinate(&json, "X", name), coordinate(&json, "Y", name));
    PublicKey::from_coordinates(&x, &y)
        .unwrap_or_else(|| panic!("{name}: public-key.json is not a P-256 point"))
}

fn derived_key(dir: &Path, name: &str) -> SigV4aKey {
    let context = read_json(&dir.join("context.json"));
    SigV4aKey::derive(&crt_credentials(&context, name))
        .unwrap_or_else(|e| panic!("{name}: derivation: {e}"))
}

/// The signature inside `{variant}-signed-request.txt`: the
/// `Authorization` header's `Signature=` or the `X-Amz-Signature`
/// parameter.
fn signed_request_signature(dir: &Path, variant: &str) -> Option<String> {
    let text = read(&dir.join(format!("{variant}-signed-request.txt")));
    if variant == "header" {
        let line = text
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))?;
        let value = line.split_once(':')?.1;
        let [algorithm, _, _, signature] = authorization_parts(value)?;
        (algorithm == "AWS4-ECDSA-P256-SHA256").then_some(signature)
    } else {
        // The target may hold a literal space (`get-space-*`): the
        // signature is read up to the next `&` or space.
        let line = text.lines().next()?;
        let at = line.find("X-Amz-Signature=")? + "X-Amz-Signature=".len();
        let rest = &line[at..];
        let end = rest.find(['&', ' ']).unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

/// Records a verification outcome as a check.
fn expect_verifies(f: &mut Failures, label: &str, step: &str, expected: bool, actual: bool) {
    let text = |v: bool| if v { "verifies" } else { "does not verify" };
    f.check(label, step, text(expected), text(actual));
}

fn flipped(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] ^= 0x01;
    out
}

#[test]
fn derived_public_keys_match_every_case() {
    let mut f = Failures::new();
    for dir in &case_dirs() {
        let name = common::file_name(dir);
        let published = published_key(dir, &name);
        let derived = derived_key(dir, &name).public_key();
        f.check(
            &name,
            "public key X",
            &hex::encode(published.x()),
            &hex::encode(derived.x()),
        );
        f.check(
            &name,
            "public key Y",
            &hex::encode(published.y()),
            &hex::encode(derived.y()),
        );
    }
    f.finish("CRT v4a suite, key derivation");
}

#[test]
fn signatures_verify_both_ways() {
    let mut f = Failures::new();
    let mut verified = 0;
    for dir in &case_dirs() {
        let name = common::file_name(dir);
        let published = published_key(dir, &name);
        let key = derived_key(dir, &name);
        let derived = key.public_key();
        for variant in ["header", "query"] {
            let label = format!("{name} [{variant}]");
            let sts = read(&dir.join(format!("{variant}-string-to-sign.txt")));
            let sts = sts.as_bytes();
            let signature = read(&dir.join(format!("{variant}-signature.txt")));
            let Some(in_request) = signed_request_signature(dir, variant) else {
                f.fail(&label, "signed request", "no signature found");
                continue;
            };
            for (which, hex_sig) in [
                ("signature.txt", &signature),
                ("signed request", &in_request),
            ] {
                let der = hex::decode(hex_sig.trim()).unwrap_or_default();
                let ok = derived.verify(sts, &der);
                verified += usize::from(ok);
                expect_verifies(&mut f, &label, which, true, ok);
                let step = format!("{which}, a signature byte flipped");
                let ok = derived.verify(sts, &flipped(&der, der.len() - 1));
                expect_verifies(&mut f, &label, &step, false, ok);
                let step = format!("{which}, a string to sign byte flipped");
                let ok = derived.verify(&flipped(sts, sts.len() - 1), &der);
                expect_verifies(&mut f, &label, &step, false, ok);
            }
            let ours = key.sign_hex(sts);
            let ok = published.verify_hex(sts, &ours);
            expect_verifies(&mut f, &label, "our signature", true, ok);
            f.check(&label, "our signature, again", &ours, &key.sign_hex(sts));
            let der = hex::decode(&ours).unwrap();
            let ok = published.verify(sts, &flipped(&der, 10));
            expect_verifies(&mut f, &label, "our signature, a byte flipped", false, ok);
            let ok = published.verify(&flipped(sts, 0), &der);
            let step = "our signature, a string to sign byte flipped";
            expect_verifies(&mut f, &label, step, false, ok);
        }
    }
    f.finish("CRT v4a suite, signatures");
    assert_eq!(verified, CASES * 2 * 2, "published signatures verified");
}

/// One case's signer inputs, from `context.json` and `request.txt`, as
/// `tests/aws_crt_v4.rs` maps them; the region set is the context's region.
struct Case {
    name: String,
    dir: PathBuf,
    request: common::HttpRequest,
    credentials: presign::Credentials,
    signer: Signer4a,
    time: presign::SigningTime,
    expires_in: Duration,
}

impl Case {
    fn load(dir: &Path) -> Case {
        let name = common::file_name(dir);
        let context = read_json(&dir.join("context.json"));
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
        let signer = Signer4a::new(
            json_str(&context, "region"),
            Service::new(json_str(&context, "service")).expect("service"),
        )
        .expect("region set")
        .path_mode(path_mode)
        .session_token_mode(token_mode)
        .sign_content_sha256(flag("sign_body"));
        let expires = context["expiration_in_seconds"]
            .as_u64()
            .unwrap_or_else(|| panic!("{name}: expiration_in_seconds"));
        Case {
            request: common::HttpRequest::parse(&read(&dir.join("request.txt"))),
            time: parse_rfc3339(json_str(&context, "timestamp")),
            expires_in: Duration::from_secs(expires),
            credentials: crt_credentials(&context, &name),
            signer,
            dir: dir.to_owned(),
            name,
        }
    }

    fn location(&self, variant: &str) -> SignatureLocation {
        if variant == "header" {
            SignatureLocation::Headers
        } else {
            SignatureLocation::Query {
                expires_in: self.expires_in,
            }
        }
    }
}

#[test]
fn canonical_requests_and_strings_to_sign_are_byte_exact() {
    let mut f = Failures::new();
    let mut matched = 0;
    for dir in &case_dirs() {
        let case = Case::load(dir);
        let req = case.request.signable();
        for variant in ["header", "query"] {
            let label = format!("{} [{variant}]", case.name);
            let location = case.location(variant);
            let (signer, creds, time) = (&case.signer, &case.credentials, case.time);
            if let Some(cr) = f.ok(
                &label,
                "canonical request",
                signer.canonical_request(&req, creds, time, location),
            ) {
                let expected = read(&case.dir.join(format!("{variant}-canonical-request.txt")));
                matched += usize::from(expected == cr.as_str());
                f.check(&label, "canonical request", &expected, cr.as_str());
            }
            if let Some(sts) = f.ok(
                &label,
                "string to sign",
                signer.string_to_sign(&req, creds, time, location),
            ) {
                let expected = read(&case.dir.join(format!("{variant}-string-to-sign.txt")));
                matched += usize::from(expected == sts.as_str());
                f.check(&label, "string to sign", &expected, sts.as_str());
            }
        }
    }
    f.finish("CRT v4a suite, canonical requests and strings to sign");
    assert_eq!(matched, CASES * 2 * 2);
}

/// The query without its `X-Amz-Signature` parameter.
fn without_signature(query: &str) -> String {
    query
        .split('&')
        .filter(|p| !p.starts_with("X-Amz-Signature="))
        .collect::<Vec<_>>()
        .join("&")
}

/// Header signing and presigning through `Signer4a`: the signed request
/// equals the published one except for the (randomised) signature, which
/// verifies with `public-key.json` over the published string to sign.
#[test]
fn signed_requests_match_but_for_the_signature() {
    let mut f = Failures::new();
    for dir in &case_dirs() {
        let case = Case::load(dir);
        let name = &case.name;
        let published = published_key(dir, name);
        let req = case.request.signable();
        let (signer, creds, time) = (&case.signer, &case.credentials, case.time);

        let label = format!("{name} [header]");
        let sts = read(&dir.join("header-string-to-sign.txt"));
        if let Some(signed) = f.ok(&label, "signing", signer.sign_headers(&req, creds, time)) {
            let sreq = common::HttpRequest::parse(&read(&dir.join("header-signed-request.txt")));
            let ours: Vec<(&str, &str)> = signed.iter().collect();
            for header in [
                "Authorization",
                "X-Amz-Date",
                "X-Amz-Region-Set",
                "X-Amz-Security-Token",
                "X-Amz-Content-Sha256",
            ] {
                let strip = |v: &str| v.trim().split(", Signature=").next().unwrap().to_owned();
                let expected = sreq.header(header).map(strip).unwrap_or_default();
                let actual = ours
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(header))
                    .map(|(_, v)| strip(v))
                    .unwrap_or_default();
                f.check(&label, &format!("{header} header"), &expected, &actual);
            }
            let ok = published.verify_hex(sts.as_bytes(), signed.signature());
            expect_verifies(&mut f, &label, "our signature", true, ok);
        }

        let label = format!("{name} [query]");
        let sts = read(&dir.join("query-string-to-sign.txt"));
        if let Some(presigned) = f.ok(
            &label,
            "presigning",
            signer.presign(&req, creds, time, case.expires_in),
        ) {
            let sreq = common::HttpRequest::parse(&read(&dir.join("query-signed-request.txt")));
            let (path, query) = sreq.target.split_once('?').unwrap_or((&sreq.target, ""));
            f.check(
                &label,
                "path",
                &common::wire_form(path),
                &common::wire_form(presigned.path()),
            );
            f.check(
                &label,
                "query but the signature (as a set)",
                &common::query_set(&without_signature(query)),
                &common::query_set(&without_signature(presigned.query())),
            );
            let ok = published.verify_hex(sts.as_bytes(), presigned.signature());
            expect_verifies(&mut f, &label, "our signature", true, ok);
        }
    }
    f.finish("CRT v4a suite, signed requests");
}
