//! RDS and EKS tokens against boto3 and the AWS CLI
//! (`tests/vectors/boto3-tokens/`, made by its `generate.py`):
//! `presign::tokens::rds_auth_token` must equal boto3's
//! `generate_db_auth_token`, and `eks_token` / `eks_token_for_host` the
//! `status.token` of `aws eks get-token`, byte for byte.
//!
//! Each case is its own test, so one that differs can be set aside on its
//! own; `every_case_has_a_test` keeps the lists below in step with the JSON.

use std::sync::LazyLock;

use presign::encode::query_component;
use presign::tokens::{RDS_TOKEN_EXPIRES, eks_token, eks_token_for_host, rds_auth_token};
use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};
use serde_json::Value;

static VECTORS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("vectors/boto3-tokens/tokens.json")).expect("tokens.json")
});

fn text<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string in {case}"))
}

fn case(kind: &str, name: &str) -> &'static Value {
    VECTORS[kind]
        .as_array()
        .expect("case list")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} case {name:?} in tokens.json"))
}

fn credentials(case: &Value) -> Credentials {
    let c = &VECTORS["credentials"];
    let creds = Credentials::new(text(c, "access_key_id"), text(c, "secret_access_key"))
        .expect("credentials");
    if case["session_token"].as_bool().expect("session_token") {
        creds
            .with_session_token(text(c, "session_token"))
            .expect("session token")
    } else {
        creds
    }
}

fn region(case: &Value) -> Region {
    Region::new(text(case, "region")).expect("region")
}

fn time(case: &Value) -> SigningTime {
    SigningTime::parse_amz_date(text(case, "signing_time")).expect("signing time")
}

fn check_rds(name: &str) {
    let c = case("rds", name);
    let port = u16::try_from(c["port"].as_u64().expect("port")).expect("port");
    let token = rds_auth_token(
        &credentials(c),
        &region(c),
        text(c, "hostname"),
        port,
        text(c, "username"),
        time(c),
    )
    .expect("rds_auth_token");
    assert_eq!(token, text(c, "token"), "rds case {name}");
}

fn check_eks(name: &str) {
    let c = case("eks", name);
    let (creds, region, time) = (credentials(c), region(c), time(c));
    let (host, cluster) = (text(c, "sts_host"), text(c, "cluster"));
    let expected = text(c, "token");
    let token = eks_token_for_host(&creds, &region, host, cluster, time).expect("eks token");
    assert_eq!(
        token, expected,
        "eks case {name} (eks_token_for_host {host})"
    );
    // The regional endpoint is eks_token's default.
    if host == format!("sts.{}.amazonaws.com", region.as_str()) {
        let token = eks_token(&creds, &region, cluster, time).expect("eks token");
        assert_eq!(token, expected, "eks case {name} (eks_token)");
    }
}

macro_rules! cases {
    ($list:ident, $check:ident: $($(#[$attr:meta])* $test:ident = $name:literal,)*) => {
        const $list: &[&str] = &[$($name),*];
        $(
            $(#[$attr])*
            #[test]
            fn $test() {
                $check($name);
            }
        )*
    };
}

cases! { RDS_CASES, check_rds:
    rds_basic = "basic",
    rds_aurora_mysql_session_token = "aurora-mysql-session-token",
    rds_username_space_at = "username-space-at",
    rds_username_punctuation = "username-punctuation",
    rds_username_utf8 = "username-utf8",
    rds_proxy_other_time = "rds-proxy-other-time",
    rds_port_443 = "port-443",
    rds_uppercase_hostname = "uppercase-hostname",
}

cases! { EKS_CASES, check_eks:
    eks_basic = "basic",
    eks_us_east_1_session_token = "us-east-1-session-token",
    eks_long_name_other_time = "long-name-other-time",
    eks_cluster_id = "cluster-id",
    eks_global_endpoint = "global-endpoint",
    eks_china = "china",
}

#[test]
fn every_case_has_a_test() {
    for (kind, listed) in [("rds", RDS_CASES), ("eks", EKS_CASES)] {
        let names: Vec<&str> = VECTORS[kind]
            .as_array()
            .expect("case list")
            .iter()
            .map(|c| text(c, "name"))
            .collect();
        assert_eq!(names, listed, "{kind} cases in tokens.json vs this file");
    }
}

#[test]
fn eks_urls_decode_from_the_tokens() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for c in VECTORS["eks"].as_array().expect("eks cases") {
        let encoded = text(c, "token")
            .strip_prefix("k8s-aws-v1.")
            .expect("k8s-aws-v1. prefix");
        let url = URL_SAFE_NO_PAD.decode(encoded).expect("base64url");
        assert_eq!(url, text(c, "url").as_bytes(), "{}", text(c, "name"));
    }
}

/// A token split before `&X-Amz-Signature=`: (the rest, the signature).
fn split_signature(token: &str) -> (&str, &str) {
    token
        .rsplit_once("&X-Amz-Signature=")
        .expect("X-Amz-Signature")
}

/// The `host` header botocore signs for `https://HOSTNAME:PORT`
/// (`botocore.auth._host_from_url`): lower-cased, without the port when it
/// is 443, the default for https.
fn botocore_signed_host(hostname: &str, port: u16) -> String {
    let host = hostname.to_ascii_lowercase();
    if port == 443 {
        host
    } else {
        format!("{host}:{port}")
    }
}

/// The two RDS cases set aside above differ from boto3 only in the `host`
/// header that is signed, not in the token's text: `rds_auth_token` signs
/// `HOSTNAME:PORT` as given, botocore signs [`botocore_signed_host`].
/// Signing botocore's host with the generic signer gives boto3's signature
/// in every case, and the text before the signature already matches.
#[test]
fn signed_host_differences() {
    for c in VECTORS["rds"].as_array().expect("rds cases") {
        let name = text(c, "name");
        let (expected_text, expected_signature) = split_signature(text(c, "token"));
        let (hostname, username) = (text(c, "hostname"), text(c, "username"));
        let port = u16::try_from(c["port"].as_u64().expect("port")).expect("port");
        let (creds, region, time) = (credentials(c), region(c), time(c));

        let ours = rds_auth_token(&creds, &region, hostname, port, username, time)
            .expect("rds_auth_token");
        assert_eq!(
            split_signature(&ours).0,
            expected_text,
            "{name}: token text"
        );

        let signer = Signer::new(region, Service::new("rds-db").expect("service"));
        let host = botocore_signed_host(hostname, port);
        let target = format!("/?Action=connect&DBUser={}", query_component(username));
        let request = SignableRequest::new(Method::GET, &host, &target);
        let presigned = signer
            .presign(&request, &creds, time, RDS_TOKEN_EXPIRES)
            .expect("presign");
        let signature = presigned
            .query_pairs()
            .find(|(n, _)| *n == "X-Amz-Signature")
            .expect("X-Amz-Signature")
            .1;
        assert_eq!(signature, expected_signature, "{name}: signed host {host}");
    }
}
