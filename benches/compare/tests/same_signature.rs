//! All three signers must sign the identical canonical request: same
//! signature, same URL up to the order of the query parameters. Otherwise the
//! benchmark would compare different work.

use std::collections::BTreeMap;

use presign_compare::inputs::*;
use presign_compare::{AwsSigv4, Case, Presign, Presigner, RustyS3, query_pairs, signature};

/// The URL each signer produces for `case`.
fn urls(case: Case) -> [(&'static str, String); 3] {
    [
        (
            Presign::NAME,
            Presign::new().presign(case, Presign::time(UNIX_TIME)),
        ),
        (
            AwsSigv4::NAME,
            AwsSigv4::new().presign(case, AwsSigv4::time(UNIX_TIME)),
        ),
        (
            RustyS3::NAME,
            RustyS3::new().presign(case, RustyS3::time(UNIX_TIME)),
        ),
    ]
}

/// Query parameters as a sorted map, with percent-escapes' hex uppercased so
/// that `%2f` and `%2F` compare equal (they are the same byte).
fn params(url: &str) -> BTreeMap<String, String> {
    fn norm(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('%') {
            out.push_str(&rest[..i]);
            let esc = rest.get(i..i + 3).expect("truncated escape");
            out.push_str(&esc.to_ascii_uppercase());
            rest = &rest[i + 3..];
        }
        out.push_str(rest);
        out
    }
    let map: BTreeMap<_, _> = query_pairs(url).map(|(n, v)| (norm(n), norm(v))).collect();
    assert_eq!(
        map.len(),
        query_pairs(url).count(),
        "repeated parameter in {url}"
    );
    map
}

fn check(case: Case, expected_signed_headers: &str, has_token: bool) {
    let urls = urls(case);
    let (reference_name, reference) = (&urls[0].0, &urls[0].1);
    let reference_params = params(reference);

    // The request presign signs, checked on its own before comparing.
    let base = format!("{BASE_URL}/photos/2026/summer%20vacation/IMG_0001.jpg");
    assert!(reference.starts_with(&format!("{base}?")), "{reference}");
    assert_eq!(reference_params["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
    assert_eq!(
        reference_params["X-Amz-Credential"],
        "AKIAIOSFODNN7EXAMPLE%2F20260524%2Fus-east-1%2Fs3%2Faws4_request"
    );
    assert_eq!(reference_params["X-Amz-Date"], AMZ_DATE);
    assert_eq!(reference_params["X-Amz-Expires"], "86400");
    assert_eq!(
        reference_params["X-Amz-SignedHeaders"],
        expected_signed_headers
    );
    assert_eq!(
        reference_params.contains_key("X-Amz-Security-Token"),
        has_token
    );
    assert_eq!(signature(reference).len(), 64);

    for (name, url) in &urls[1..] {
        assert_eq!(
            signature(url),
            signature(reference),
            "{case:?}: {name} and {reference_name} signed different requests:\n  {name}: {url}\n  {reference_name}: {reference}"
        );
        assert_eq!(
            presign_compare::without_query(url),
            base,
            "{case:?}: {name} signed another URL"
        );
        assert_eq!(
            params(url),
            reference_params,
            "{case:?}: {name}'s query parameters differ from {reference_name}'s"
        );
    }
}

#[test]
fn get_same_signature_from_all_three() {
    check(Case::Get, "host", false);
}

#[test]
fn put_with_token_and_content_type_same_signature_from_all_three() {
    check(Case::Put, "content-type%3Bhost", true);
}

#[test]
fn session_token_is_1024_base64_characters() {
    let token = session_token();
    assert_eq!(token.len(), SESSION_TOKEN_LEN);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    );
    // It exercises query encoding.
    assert!(token.contains('+') && token.contains('/'));
}

/// The floor measures presign's canonical request: it must be the one that
/// the signature in presign's URL is over.
#[test]
fn floor_hashes_the_canonical_request_presign_signs() {
    use sha2::{Digest, Sha256};

    let signer = Presign::new();
    let at = Presign::time(UNIX_TIME);
    let region = presign::Region::new(REGION).unwrap();
    let service = presign::Service::s3();
    let scope = presign::Scope::new(at.scope_date(), &region, &service);
    let key = presign::SigningKey::derive(SECRET_ACCESS_KEY, scope);
    for case in Case::ALL {
        let canonical = signer.canonical_request(case, at);
        let hash: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
        let sts = presign::StringToSign::new(at, scope, &hash);
        let sig = key.sign(sts.as_bytes()).to_hex();
        assert_eq!(
            sig.as_str(),
            signature(&signer.presign(case, at)),
            "{case:?}"
        );
    }
}

#[test]
fn the_report_checks_agreement_first() {
    for case in Case::ALL {
        let agreed = presign_compare::agreed_signature(case).unwrap();
        assert_eq!(agreed.len(), 64);
    }
}

/// The report's `presign_into` row makes the same URL as `presign`.
#[test]
fn presign_into_writes_the_same_url() {
    let signer = Presign::new();
    let at = Presign::time(UNIX_TIME);
    let mut out = String::from("left over");
    for case in Case::ALL {
        signer.presign_into(case, at, &mut out);
        assert_eq!(out, signer.presign(case, at), "{case:?}");
    }
}
