//! Tokens for other AWS services, built on the generic query signer: an RDS
//! IAM database authentication token and an EKS cluster token.
//!
//! Both are presigned requests that the service checks when a client
//! connects: the database checks the RDS token in place of a password, and
//! the Kubernetes API server sends the EKS token's URL to STS to learn who
//! the caller is. Their text matches what boto3 and the AWS CLI produce, byte
//! for byte, query parameters in the same order.
//!
//! ```
//! use presign::tokens::{eks_token, rds_auth_token};
//! use presign::{Credentials, Region, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let region = Region::new("us-east-1")?;
//! let now = SigningTime::parse_amz_date("20260524T120000Z")?;
//!
//! let password = rds_auth_token(&creds, &region, "db.example.us-east-1.rds.amazonaws.com", 5432, "app", now)?;
//! assert!(password.starts_with("db.example.us-east-1.rds.amazonaws.com:5432/?Action=connect&DBUser=app&X-Amz-Algorithm="));
//!
//! let token = eks_token(&creds, &region, "my-cluster", now)?;
//! assert!(token.starts_with("k8s-aws-v1."));
//! # Ok::<(), presign::Error>(())
//! ```

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::credentials::Credentials;
use crate::encode;
use crate::error::Error;
use crate::request::{Method, SignableRequest};
use crate::scope::{Region, Service};
use crate::sign::{PresignedRequest, Signer};
use crate::time::SigningTime;
use crate::wire;

/// How long an RDS token is valid: 15 minutes, as boto3 signs it.
pub const RDS_TOKEN_EXPIRES: Duration = Duration::from_secs(900);

/// How long an EKS token is valid: 60 seconds, as the AWS CLI signs it.
pub const EKS_TOKEN_EXPIRES: Duration = Duration::from_secs(60);

/// The header that binds an EKS token to a cluster.
pub const EKS_CLUSTER_HEADER: &str = "x-k8s-aws-id";

/// An RDS IAM authentication token: what boto3's `generate_db_auth_token`
/// returns, to use as the database password for `username`.
pub fn rds_auth_token(
    credentials: &Credentials,
    region: &Region,
    hostname: &str,
    port: u16,
    username: &str,
    time: SigningTime,
) -> Result<String, Error> {
    let host = format!("{hostname}:{port}");
    let target = format!(
        "/?Action=connect&DBUser={}",
        encode::query_component(username)
    );
    // The token text keeps the host as given; the signature covers the
    // host as an HTTPS client would send it: lowercase, no default port.
    let hostname = hostname.to_ascii_lowercase();
    let signed_host = if port == 443 {
        hostname
    } else {
        format!("{hostname}:{port}")
    };
    let signer = Signer::new(region.clone(), Service::new("rds-db")?);
    let request = SignableRequest::new(Method::GET, &signed_host, &target);
    let presigned = signer.presign(&request, credentials, time, RDS_TOKEN_EXPIRES)?;
    Ok(format!(
        "{host}{}",
        botocore_order(&presigned, &["Action", "DBUser"])
    ))
}

/// An EKS cluster token: `k8s-aws-v1.` followed by the unpadded base64url
/// of a presigned STS `GetCallerIdentity` URL that signs the cluster name in
/// the `x-k8s-aws-id` header, valid for 60 seconds (what `aws eks
/// get-token` prints). Uses the regional STS endpoint,
/// `sts.REGION.amazonaws.com`.
pub fn eks_token(
    credentials: &Credentials,
    region: &Region,
    cluster: &str,
    time: SigningTime,
) -> Result<String, Error> {
    let host = format!("sts.{}.amazonaws.com", region.as_str().to_ascii_lowercase());
    eks_token_for_host(credentials, region, &host, cluster, time)
}

/// [`eks_token`] with another STS host (the global `sts.amazonaws.com`, a
/// FIPS or China endpoint).
pub fn eks_token_for_host(
    credentials: &Credentials,
    region: &Region,
    sts_host: &str,
    cluster: &str,
    time: SigningTime,
) -> Result<String, Error> {
    let signer = Signer::new(region.clone(), Service::new("sts")?);
    let request = SignableRequest::new(
        Method::GET,
        sts_host,
        "/?Action=GetCallerIdentity&Version=2011-06-15",
    )
    .header(EKS_CLUSTER_HEADER, cluster);
    let presigned = signer.presign(&request, credentials, time, EKS_TOKEN_EXPIRES)?;
    let url = format!(
        "https://{sts_host}{}",
        botocore_order(&presigned, &["Action", "Version"])
    );
    Ok(format!("k8s-aws-v1.{}", URL_SAFE_NO_PAD.encode(url)))
}

/// The presigned target with its query in the order botocore writes it: the
/// operation's parameters, then the signer's (the token after the signed
/// headers), then the signature. Any order verifies; this one makes the
/// text identical to boto3's.
fn botocore_order(presigned: &PresignedRequest, operation: &[&str]) -> String {
    const SIGNER: [&str; 7] = [
        wire::query::X_AMZ_ALGORITHM,
        wire::query::X_AMZ_CREDENTIAL,
        wire::query::X_AMZ_DATE,
        wire::query::X_AMZ_EXPIRES,
        wire::query::X_AMZ_SIGNED_HEADERS,
        wire::query::X_AMZ_SECURITY_TOKEN,
        wire::query::X_AMZ_SIGNATURE,
    ];
    let pairs: Vec<(&str, &str)> = presigned.query_pairs().collect();
    let mut out = String::with_capacity(presigned.uri().len());
    out.push_str(presigned.path());
    out.push('?');
    let mut first = true;
    for name in operation.iter().chain(SIGNER.iter()) {
        for (n, v) in pairs.iter().filter(|(n, _)| n == name) {
            if !first {
                out.push('&');
            }
            first = false;
            out.push_str(n);
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{ReceivedRequest, Verifier};

    fn creds() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .unwrap()
        .with_session_token("TOKEN/+=")
        .unwrap()
    }

    fn t() -> SigningTime {
        SigningTime::parse_amz_date("20260524T120000Z").unwrap()
    }

    #[test]
    fn rds_token_has_botocore_order_and_verifies() {
        let region = Region::new("eu-west-1").unwrap();
        let token = rds_auth_token(&creds(), &region, "db.host", 3306, "app user", t()).unwrap();
        let (host, target) = token.split_once('/').unwrap();
        assert_eq!(host, "db.host:3306");
        let names: Vec<&str> = target
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .map(|p| p.split_once('=').unwrap().0)
            .collect();
        assert_eq!(
            names,
            [
                "Action",
                "DBUser",
                "X-Amz-Algorithm",
                "X-Amz-Credential",
                "X-Amz-Date",
                "X-Amz-Expires",
                "X-Amz-SignedHeaders",
                "X-Amz-Security-Token",
                "X-Amz-Signature"
            ]
        );
        assert!(target.contains("DBUser=app%20user&"));
        let known = creds();
        let verifier = Verifier::new(move |_: &str| Some(known.clone()))
            .service(Service::new("rds-db").unwrap());
        let target = format!("/{target}");
        let request = ReceivedRequest::new("GET", &target)
            .header("host", host)
            .payload(crate::Payload::Bytes(b""));
        verifier.verify_presigned(&request, t()).unwrap();
    }

    #[test]
    fn eks_token_is_a_base64url_sts_url() {
        let region = Region::new("us-west-2").unwrap();
        let token = eks_token(&creds(), &region, "prod", t()).unwrap();
        let encoded = token.strip_prefix("k8s-aws-v1.").unwrap();
        assert!(!encoded.contains('='));
        let url = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap();
        assert!(url.starts_with(
            "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm="
        ));
        assert!(url.contains("&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"));
    }
}
