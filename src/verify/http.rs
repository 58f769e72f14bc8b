//! Verifying an [`http::Request`] (feature `http`): what an axum or hyper
//! gateway has in hand.

use super::{ReceivedRequest, VerifyError};
use crate::error::{Error, excerpt};
use crate::wire;

#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
impl<'a> ReceivedRequest<'a> {
    /// The request as an `http` server received it: method, path and query,
    /// and every header. The `Host` header is taken from the request, or
    /// from the URI's authority when there is none (HTTP/2's `:authority`).
    ///
    /// Fails with [`VerifyError::MalformedRequest`] naming the header when a
    /// header value is not UTF-8 (it could be neither verified nor checked
    /// for being signed). The body is not read; give it, or its hash, with
    /// [`payload`](Self::payload) when the server has it.
    ///
    /// ```
    /// use presign::verify::{ReceivedRequest, Verifier, VerifyError};
    /// use presign::{Credentials, SigningTime};
    ///
    /// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
    /// let verifier = Verifier::with_lookup(creds);
    /// let request = http::Request::put("/upload.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256")
    ///     .header("host", "examplebucket.s3.us-east-1.amazonaws.com")
    ///     .body(())
    ///     .unwrap();
    /// let received = ReceivedRequest::from_http(&request).expect("UTF-8 headers");
    /// let now = SigningTime::parse_amz_date("20260524T120000Z")?;
    /// assert!(matches!(
    ///     verifier.verify(&received, now),
    ///     Err(VerifyError::MissingParameter { name: "X-Amz-Credential" })
    /// ));
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn from_http<B>(request: &'a http::Request<B>) -> Result<Self, VerifyError> {
        Self::from_http_head(request.method(), request.uri(), request.headers())
    }

    /// [`from_http`](Self::from_http) for a request taken apart
    /// (`http::Request::into_parts`), so that the body can be read after
    /// verifying.
    pub fn from_http_parts(parts: &'a http::request::Parts) -> Result<Self, VerifyError> {
        Self::from_http_head(&parts.method, &parts.uri, &parts.headers)
    }

    fn from_http_head(
        method: &'a http::Method,
        uri: &'a http::Uri,
        headers: &'a http::HeaderMap,
    ) -> Result<Self, VerifyError> {
        let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
        let mut received = ReceivedRequest::new(method.as_str(), target);
        if !headers.contains_key(http::header::HOST)
            && let Some(authority) = uri.authority()
        {
            received.push_header(wire::header::HOST, authority.as_str());
        }
        for (name, value) in headers {
            let value = core::str::from_utf8(value.as_bytes()).map_err(|_| {
                VerifyError::MalformedRequest(Error::InvalidHeaderValue {
                    name: excerpt(name.as_str()),
                    reason: "not UTF-8",
                })
            })?;
            received.push_header(name.as_str(), value);
        }
        Ok(received)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::s3::Bucket;
    use crate::verify::Verifier;
    use crate::{Credentials, Region, SigningTime};

    #[test]
    fn verifies_a_presigned_put_as_hyper_hands_it_over() {
        let creds =
            Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        let bucket = Bucket::new("uploads", Region::new("us-east-1").unwrap()).unwrap();
        let at = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
        let url = bucket
            .put_object("in/a.bin")
            .content_type("application/octet-stream")
            .presign(&creds, at, Duration::from_secs(60))
            .unwrap();
        let origin = "https://uploads.s3.us-east-1.amazonaws.com";
        let target = &url.as_str()[origin.len()..];
        let build = |extra: Option<(&str, &str)>| {
            let mut b = http::Request::put(target)
                .header("host", "uploads.s3.us-east-1.amazonaws.com")
                .header("content-type", "application/octet-stream")
                .header("user-agent", "curl/8");
            if let Some((n, v)) = extra {
                b = b.header(n, v);
            }
            b.body(()).unwrap()
        };
        let verifier = Verifier::with_lookup(creds);
        let ok = build(None);
        let received = ReceivedRequest::from_http(&ok).unwrap();
        let v = verifier.verify(&received, at).unwrap();
        assert_eq!(
            v.unsigned_headers().map(|(n, _)| n).collect::<Vec<_>>(),
            ["user-agent"]
        );
        let bad = build(Some(("x-amz-acl", "public-read")));
        let received = ReceivedRequest::from_http(&bad).unwrap();
        assert_eq!(
            verifier.verify(&received, at),
            Err(VerifyError::UnsignedHeader {
                name: "x-amz-acl".into()
            })
        );
        // An absolute URI without a Host header (HTTP/2): the authority.
        let h2 = http::Request::put(format!("{origin}{target}"))
            .header("content-type", "application/octet-stream")
            .body(())
            .unwrap();
        let received = ReceivedRequest::from_http(&h2).unwrap();
        assert!(verifier.verify(&received, at).is_ok());
        // Taken apart, as a server does to read the body afterwards.
        let (parts, ()) = build(None).into_parts();
        let received = ReceivedRequest::from_http_parts(&parts).unwrap();
        assert!(verifier.verify(&received, at).is_ok());
        // A header that is not UTF-8 is named.
        let mut odd = build(None);
        odd.headers_mut()
            .insert("x-odd", http::HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        let e = ReceivedRequest::from_http(&odd).unwrap_err();
        assert!(e.to_string().contains("x-odd"), "{e}");
    }
}
