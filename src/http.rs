//! Signing [`http::Request`]s (feature `http`): an `Authorization` header
//! for calling any AWS API from any Rust HTTP client, or a presigned URI.
//!
//! ```
//! use presign::{Credentials, Payload, Region, Service, Signer, SigningTime};
//!
//! let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
//! let iam = Signer::new(Region::new("us-east-1")?, Service::new("iam")?);
//! let mut request = http::Request::get("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
//!     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
//!     .body(())
//!     .unwrap();
//! let time = SigningTime::parse_amz_date("20150830T123600Z")?;
//! presign::http::sign_request(&iam, &mut request, &creds, time, Payload::Bytes(b""))?;
//! let auth = request.headers()["authorization"].to_str().unwrap();
//! assert!(auth.ends_with("Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
//! # Ok::<(), presign::Error>(())
//! ```

use std::time::Duration;

use http::header::{HeaderName, HeaderValue};

use crate::credentials::Credentials;
use crate::error::{Error, excerpt};
use crate::request::{Method, Payload, SignableRequest};
use crate::sign::Signer;
use crate::time::SigningTime;
use crate::wire;

/// Headers that are never signed: the signer's own, and those proxies and
/// clients add or change on the way (`user-agent`, `expect`, hop-by-hop).
const UNSIGNED: [&str; 10] = [
    wire::header::HOST,
    wire::header::AUTHORIZATION,
    wire::header::X_AMZ_DATE,
    wire::header::X_AMZ_SECURITY_TOKEN,
    wire::header::X_AMZ_CONTENT_SHA256,
    "user-agent",
    "x-amzn-trace-id",
    "expect",
    "transfer-encoding",
    "connection",
];

/// The host to sign: the `Host` header if set, else the one an HTTP client
/// sends for the URI: its host, with the port unless it is the scheme's
/// default (`https://h:443/` is sent as `Host: h`), never user info.
fn host_of<B>(request: &http::Request<B>) -> Result<String, Error> {
    if let Some(h) = request.headers().get(http::header::HOST) {
        return h
            .to_str()
            .map(str::to_owned)
            .map_err(|_| Error::InvalidHost {
                host: String::new(),
                reason: "the Host header is not visible ASCII",
            });
    }
    let uri = request.uri();
    let host = uri.host().ok_or(Error::InvalidHost {
        host: String::new(),
        reason: "the request has neither a Host header nor an absolute URI",
    })?;
    let default_port = match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
        Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
        _ => None,
    };
    Ok(match uri.port_u16() {
        Some(port) if Some(port) != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    })
}

/// The headers to sign, as text.
fn signable_headers<B>(request: &http::Request<B>) -> Result<Vec<(&str, &str)>, Error> {
    request
        .headers()
        .iter()
        .filter(|(name, _)| !UNSIGNED.contains(&name.as_str()))
        .map(|(name, value)| {
            value
                .to_str()
                .map(|v| (name.as_str(), v))
                .map_err(|_| Error::InvalidHeaderValue {
                    name: excerpt(name.as_str()),
                    reason: "not visible ASCII",
                })
        })
        .collect()
}

/// Signs `request` in place: adds `authorization`, `x-amz-date`, and
/// `x-amz-security-token` / `x-amz-content-sha256` when the credentials or
/// the signer call for them. Every header already on the request is signed
/// except `user-agent`, `expect`, `x-amzn-trace-id` and hop-by-hop headers;
/// signer-owned headers already present are replaced.
pub fn sign_request<B>(
    signer: &Signer,
    request: &mut http::Request<B>,
    credentials: &Credentials,
    time: SigningTime,
    payload: Payload<'_>,
) -> Result<(), Error> {
    let host = host_of(request)?;
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let signed = {
        let method = Method::new(request.method().as_str())?;
        let mut signable = SignableRequest::new(method, &host, &target).payload(payload);
        for (name, value) in signable_headers(request)? {
            signable = signable.header(name, value);
        }
        let signed = signer.sign_headers(&signable, credentials, time)?;
        signed
            .iter()
            .map(|(n, v)| (n, v.to_owned()))
            .collect::<Vec<_>>()
    };
    let headers = request.headers_mut();
    for (name, value) in signed {
        let value = HeaderValue::from_str(&value).map_err(|_| Error::InvalidHeaderValue {
            name: name.to_owned(),
            reason: "not a valid header value",
        })?;
        headers.insert(HeaderName::from_static(name), value);
    }
    Ok(())
}

/// Presigns `request`: returns its URI with the signature in the query
/// string, valid for `expires_in`. The headers on the request are signed
/// too (as for [`sign_request`]), and the client must send them.
pub fn presign_request<B>(
    signer: &Signer,
    request: &http::Request<B>,
    credentials: &Credentials,
    time: SigningTime,
    expires_in: Duration,
) -> Result<http::Uri, Error> {
    let host = host_of(request)?;
    let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let method = Method::new(request.method().as_str())?;
    // (No payload given: UNSIGNED-PAYLOAD for S3, an empty body otherwise.)
    let mut signable = SignableRequest::new(method, &host, target);
    for (name, value) in signable_headers(request)? {
        signable = signable.header(name, value);
    }
    let presigned = signer.presign(&signable, credentials, time, expires_in)?;
    let mut parts = request.uri().clone().into_parts();
    parts.path_and_query = Some(presigned.uri().parse().map_err(|_| Error::InvalidPath {
        reason: "the presigned path and query are not a valid URI",
    })?);
    if parts.scheme.is_none() {
        parts.scheme = Some(http::uri::Scheme::HTTPS);
    }
    if parts.authority.is_none() {
        parts.authority = Some(host.parse().map_err(|_| Error::InvalidHost {
            host: excerpt(&host),
            reason: "not a valid URI authority",
        })?);
    }
    http::Uri::from_parts(parts).map_err(|_| Error::InvalidPath {
        reason: "the presigned URI is not valid",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::{Region, Service};

    fn creds() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .unwrap()
    }

    // S3 API Reference, "Signature Calculations for the Authorization
    // Header": GET /test.txt with a Range header.
    #[test]
    fn signs_the_s3_documentation_get_object() {
        let s3 =
            Signer::new(Region::new("us-east-1").unwrap(), Service::s3()).sign_content_sha256(true);
        let mut req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
            .header("range", "bytes=0-9")
            .header("user-agent", "not-signed/1.0")
            .body(())
            .unwrap();
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        sign_request(&s3, &mut req, &creds(), time, Payload::Bytes(b"")).unwrap();
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(auth.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"));
        assert!(auth.ends_with(
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        ));
        assert_eq!(req.headers()["x-amz-date"], "20130524T000000Z");
    }

    #[test]
    fn presigns_the_s3_documentation_url() {
        let s3 = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
        let req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
            .body(())
            .unwrap();
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        let uri = presign_request(&s3, &req, &creds(), time, Duration::from_secs(86400)).unwrap();
        assert_eq!(uri.host(), Some("examplebucket.s3.amazonaws.com"));
        assert!(uri.to_string().ends_with(
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        ));
    }

    #[test]
    fn the_host_signed_is_the_one_a_client_sends() {
        let s3 = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        let signature = |uri: &str| {
            let mut req = http::Request::get(uri).body(()).unwrap();
            sign_request(&s3, &mut req, &creds(), time, Payload::Bytes(b"")).unwrap();
            let auth = req.headers()["authorization"].to_str().unwrap().to_owned();
            let presigned = presign_request(
                &s3,
                &http::Request::get(uri).body(()).unwrap(),
                &creds(),
                time,
                Duration::from_secs(86400),
            )
            .unwrap();
            (auth, presigned.query().unwrap().to_owned())
        };
        // The scheme's default port and user info are not in the Host header.
        let plain = signature("https://examplebucket.s3.amazonaws.com/test.txt");
        assert!(plain.1.ends_with(
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        ));
        for same in [
            "https://examplebucket.s3.amazonaws.com:443/test.txt",
            "https://user:password@examplebucket.s3.amazonaws.com/test.txt",
        ] {
            assert_eq!(signature(same), plain, "{same}");
        }
        assert_eq!(
            signature("http://127.0.0.1:80/b/k"),
            signature("http://127.0.0.1/b/k")
        );
        assert_eq!(
            signature("https://[::1]:443/b/k"),
            signature("https://[::1]/b/k")
        );
        // Any other port is signed.
        assert_ne!(
            signature("https://examplebucket.s3.amazonaws.com:80/test.txt"),
            plain
        );
        assert_ne!(
            signature("http://127.0.0.1:9000/b/k"),
            signature("http://127.0.0.1/b/k")
        );
        let mut req = http::Request::get("http://127.0.0.1:9000/b/k")
            .header("host", "127.0.0.1:9000")
            .body(())
            .unwrap();
        let mut by_uri = http::Request::get("http://127.0.0.1:9000/b/k")
            .body(())
            .unwrap();
        for r in [&mut req, &mut by_uri] {
            sign_request(&s3, r, &creds(), time, Payload::Bytes(b"")).unwrap();
        }
        assert_eq!(
            req.headers()["authorization"],
            by_uri.headers()["authorization"]
        );
    }

    #[test]
    fn a_relative_request_needs_a_host() {
        let s3 = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
        let mut req = http::Request::get("/test.txt").body(()).unwrap();
        let time = SigningTime::parse_amz_date("20130524T000000Z").unwrap();
        assert!(matches!(
            sign_request(&s3, &mut req, &creds(), time, Payload::Unsigned),
            Err(Error::InvalidHost { .. })
        ));
    }
}
