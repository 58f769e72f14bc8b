//! S3 actions and their presigned URLs.

use std::borrow::Cow;
use std::time::Duration;

use core::fmt;

use super::bucket::Bucket;
use super::url::PresignedUrl;
use crate::canonical::CanonicalRequest;
use crate::credentials::Credentials;
use crate::encode::itoa_u64;
use crate::error::Error;
use crate::provider::{ProvideCredentials, ProviderError};
use crate::request::{Method, Payload};
use crate::request::{Parts, PathSource, QuerySource, QueryValue};
use crate::sign::{PresignedText, SignatureLocation};
use crate::time::SigningTime;

/// What presigning wrote, by algorithm.
enum Written {
    V4(crate::sign::PresignInfo),
    #[cfg(feature = "sigv4a")]
    V4a(crate::sigv4a::Presign4aInfo),
}

/// One S3 request to presign: add signed query parameters and headers, then
/// call [`presign`](Self::presign).
///
/// The payload is always `UNSIGNED-PAYLOAD`: the URL does not fix the body,
/// only signed headers (such as `content-md5` or `x-amz-checksum-sha256`)
/// can.
///
/// `Debug` shows header names but not their values, which may be secrets
/// (an SSE-C key).
#[derive(Clone)]
pub struct ObjectRequest<'a> {
    bucket: &'a Bucket,
    method: Method<'static>,
    key: Option<&'a str>,
    query: InlineList<(&'a str, QueryValue<'a>), 4>,
    headers: InlineList<(&'a str, &'a str), 4>,
    pub(super) invalid: Option<&'static str>,
}

impl<'a> ObjectRequest<'a> {
    pub(super) fn new(bucket: &'a Bucket, method: Method<'static>, key: Option<&'a str>) -> Self {
        ObjectRequest {
            bucket,
            method,
            key,
            query: InlineList::default(),
            headers: InlineList::default(),
            invalid: None,
        }
    }

    /// Adds a signed query parameter (name and value unencoded; they are
    /// encoded once). An empty value is sent as `name=`. Repeated names are
    /// all kept. Names the signer writes (`X-Amz-Signature`, ...) are
    /// rejected when presigning.
    #[must_use]
    pub fn query(mut self, name: &'a str, value: impl Into<Cow<'a, str>>) -> Self {
        self.query.push((name, QueryValue::Text(value.into())));
        self
    }

    /// Adds a signed query parameter with a number for its value, written
    /// without allocating.
    pub(super) fn query_number(mut self, name: &'a str, value: u64) -> Self {
        self.query.push((name, QueryValue::Number(itoa_u64(value))));
        self
    }

    /// Adds a signed header that the client must then send with exactly this
    /// value. `host`, `authorization` and the `x-amz-date`,
    /// `x-amz-security-token` and `x-amz-content-sha256` headers are rejected
    /// when presigning.
    #[must_use]
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The headers added, which the client must send.
    pub fn headers(&self) -> &[(&'a str, &'a str)] {
        self.headers.as_slice()
    }

    /// Overrides the response's `Content-Type` (GET).
    #[must_use]
    pub fn response_content_type(self, value: &'a str) -> Self {
        self.query("response-content-type", value)
    }

    /// Overrides the response's `Content-Disposition` (GET), e.g.
    /// `attachment; filename="report.pdf"`.
    #[must_use]
    pub fn response_content_disposition(self, value: &'a str) -> Self {
        self.query("response-content-disposition", value)
    }

    /// Overrides the response's `Cache-Control` (GET).
    #[must_use]
    pub fn response_cache_control(self, value: &'a str) -> Self {
        self.query("response-cache-control", value)
    }

    /// Overrides the response's `Content-Encoding` (GET).
    #[must_use]
    pub fn response_content_encoding(self, value: &'a str) -> Self {
        self.query("response-content-encoding", value)
    }

    /// Overrides the response's `Content-Language` (GET).
    #[must_use]
    pub fn response_content_language(self, value: &'a str) -> Self {
        self.query("response-content-language", value)
    }

    /// Overrides the response's `Expires` (GET).
    #[must_use]
    pub fn response_expires(self, value: &'a str) -> Self {
        self.query("response-expires", value)
    }

    /// A specific version of the object.
    #[must_use]
    pub fn version_id(self, value: &'a str) -> Self {
        self.query("versionId", value)
    }

    /// ListObjectsV2: only keys starting with `prefix`.
    #[must_use]
    pub fn prefix(self, prefix: &'a str) -> Self {
        self.query("prefix", prefix)
    }

    /// ListObjectsV2: group keys by `delimiter` (usually `/`).
    #[must_use]
    pub fn delimiter(self, delimiter: &'a str) -> Self {
        self.query("delimiter", delimiter)
    }

    /// ListObjectsV2: at most `n` keys.
    #[must_use]
    pub fn max_keys(self, n: u32) -> Self {
        self.query_number("max-keys", n.into())
    }

    /// ListObjectsV2: continue a truncated listing.
    #[must_use]
    pub fn continuation_token(self, token: &'a str) -> Self {
        self.query("continuation-token", token)
    }

    /// ListObjectsV2: start after this key.
    #[must_use]
    pub fn start_after(self, key: &'a str) -> Self {
        self.query("start-after", key)
    }

    /// Signs `content-type` (PUT): the uploader must send this type.
    #[must_use]
    pub fn content_type(self, value: &'a str) -> Self {
        self.header("content-type", value)
    }

    /// Signs `content-md5` (PUT): S3 rejects a body with another MD5.
    #[must_use]
    pub fn content_md5(self, base64_md5: &'a str) -> Self {
        self.header("content-md5", base64_md5)
    }

    /// Signs `content-length` (PUT): the upload must be exactly this size.
    #[must_use]
    pub fn content_length(self, decimal: &'a str) -> Self {
        self.header("content-length", decimal)
    }

    /// Signs `content-disposition` (PUT), stored with the object.
    #[must_use]
    pub fn content_disposition(self, value: &'a str) -> Self {
        self.header("content-disposition", value)
    }

    /// Signs `cache-control` (PUT), stored with the object.
    #[must_use]
    pub fn cache_control(self, value: &'a str) -> Self {
        self.header("cache-control", value)
    }

    /// Signs `x-amz-acl` (PUT), e.g. `private`.
    #[must_use]
    pub fn acl(self, canned_acl: &'a str) -> Self {
        self.header("x-amz-acl", canned_acl)
    }

    /// Signs `x-amz-storage-class` (PUT), e.g. `STANDARD_IA`.
    #[must_use]
    pub fn storage_class(self, class: &'a str) -> Self {
        self.header("x-amz-storage-class", class)
    }

    /// Signs `x-amz-checksum-sha256` (PUT): S3 rejects a body with another
    /// SHA-256 (base64).
    #[must_use]
    pub fn checksum_sha256(self, base64_sha256: &'a str) -> Self {
        self.header("x-amz-checksum-sha256", base64_sha256)
    }

    /// Signs `x-amz-server-side-encryption` (PUT), e.g. `AES256` or `aws:kms`.
    #[must_use]
    pub fn server_side_encryption(self, algorithm: &'a str) -> Self {
        self.header("x-amz-server-side-encryption", algorithm)
    }

    /// Signs `x-amz-server-side-encryption-aws-kms-key-id` (PUT).
    #[must_use]
    pub fn sse_kms_key_id(self, key_id: &'a str) -> Self {
        self.header("x-amz-server-side-encryption-aws-kms-key-id", key_id)
    }

    /// Signs the SSE-C headers: the algorithm (`AES256`), the base64 key and
    /// its base64 MD5. The client must send all three.
    ///
    /// The key is a secret: it travels in the client's headers, never in the
    /// URL, and `Debug` of this request does not show it.
    #[must_use]
    pub fn sse_customer_key(
        self,
        algorithm: &'a str,
        base64_key: &'a str,
        base64_key_md5: &'a str,
    ) -> Self {
        self.header("x-amz-server-side-encryption-customer-algorithm", algorithm)
            .header("x-amz-server-side-encryption-customer-key", base64_key)
            .header(
                "x-amz-server-side-encryption-customer-key-md5",
                base64_key_md5,
            )
    }

    /// Presigns the request: a URL valid for `expires_in` from `time` (1 s to
    /// 7 days by default). A Multi-Region Access Point's URL is signed with
    /// SigV4a for the region set `*` (feature `sigv4a`); every other with
    /// SigV4.
    ///
    /// Fails with [`Error::EmptyKey`], [`Error::ExpiresOutOfRange`],
    /// [`Error::CredentialsExpireFirst`] (unless the bucket clamps),
    /// [`Error::ReservedHeader`] or [`Error::ReservedQueryParameter`] for
    /// names the signer writes, and the header and query errors.
    pub fn presign(
        &self,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
    ) -> Result<PresignedUrl, Error> {
        let mut url = String::new();
        let (info, v4a_signature) = match self.write_url(credentials, time, expires_in, &mut url)? {
            Written::V4(info) => (info, None),
            // (SigV4a's ECDSA signature is kept as its hex text.)
            #[cfg(feature = "sigv4a")]
            Written::V4a(info) => (
                crate::sign::PresignInfo {
                    query_start: info.query_start,
                    signature: crate::signature::Signature::from_bytes([0; 32]),
                    expires: info.expires,
                },
                Some(info.signature),
            ),
        };
        Ok(PresignedUrl {
            url: PresignedText::new(url, info.query_start, info),
            method: self.method,
            v4a_signature,
        })
    }

    /// Writes the URL into `out` with the bucket's algorithm: SigV4a for a
    /// Multi-Region Access Point, SigV4 for every other. (Inlined, with the
    /// signer's `presign_into` and the parts: what they return is built in
    /// place rather than copied back through memory, which stalled.)
    #[inline(always)]
    fn write_url(
        &self,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
        out: &mut String,
    ) -> Result<Written, Error> {
        let origin = &self.bucket.resolved.origin;
        let parts = self.parts_for(credentials)?;
        #[cfg(feature = "sigv4a")]
        if let Some(signer4a) = &self.bucket.signer4a {
            let info = signer4a.presign_into(&parts, credentials, time, expires_in, origin, out)?;
            return Ok(Written::V4a(info));
        }
        let info =
            self.bucket
                .signer
                .presign_into(&parts, credentials, time, expires_in, origin, out)?;
        Ok(Written::V4(info))
    }

    /// Presigns with credentials from a provider (a caching provider of
    /// temporary credentials in a signing service). As with
    /// [`presign`](Self::presign), a URL never outlives its credentials
    /// without [`Error::CredentialsExpireFirst`] or an explicit clamp.
    pub fn presign_with(
        &self,
        provider: &dyn ProvideCredentials,
        time: SigningTime,
        expires_in: Duration,
    ) -> Result<PresignedUrl, ProviderError> {
        let credentials = provider.credentials(time)?;
        self.presign(&credentials, time, expires_in)
            .map_err(ProviderError::Signing)
    }

    /// Like [`presign`](Self::presign), but writes the URL into `out`
    /// (replacing what it held). With a warm key cache and an `out` that has
    /// room, presigning allocates nothing: the path for presigning many URLs
    /// into one reused buffer. (A Multi-Region Access Point's SigV4a
    /// signature costs a few allocations.)
    pub fn presign_into(
        &self,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
        out: &mut String,
    ) -> Result<(), Error> {
        self.write_url(credentials, time, expires_in, out)?;
        Ok(())
    }

    /// The canonical request [`presign`](Self::presign) signs, for debugging
    /// a signature mismatch against what a server computed. It may contain
    /// the session token: never log it.
    pub fn canonical_request(
        &self,
        credentials: &Credentials,
        time: SigningTime,
        expires_in: Duration,
    ) -> Result<CanonicalRequest, Error> {
        #[cfg(feature = "sigv4a")]
        if let Some(signer4a) = &self.bucket.signer4a {
            return signer4a.canonical_request_of(
                &self.parts_for(credentials)?,
                credentials,
                time,
                SignatureLocation::Query { expires_in },
            );
        }
        self.bucket.signer.canonical_request_of(
            &self.parts_for(credentials)?,
            credentials,
            time,
            SignatureLocation::Query { expires_in },
        )
    }

    /// The parts, once the credentials are checked against the bucket: a
    /// directory bucket takes S3 Express session credentials (from
    /// `CreateSession`), and only it does.
    #[inline(always)]
    fn parts_for(&self, credentials: &Credentials) -> Result<Parts<'_>, Error> {
        self.bucket.check_credentials(credentials)?;
        self.parts()
    }

    #[inline]
    pub(crate) fn parts(&self) -> Result<Parts<'_>, Error> {
        if self.key == Some("") {
            return Err(Error::EmptyKey);
        }
        if let Some(reason) = self.invalid {
            return Err(Error::InvalidQuery { reason });
        }
        // A request carries one content-length: two (a checksum of an
        // empty body's `0` beside a caller's size, say) would be signed
        // joined as `0,5`, which no client can send.
        let mut lengths = self
            .headers
            .as_slice()
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"));
        if let (Some(_), Some(_)) = (lengths.next(), lengths.next()) {
            return Err(Error::InvalidHeaderValue {
                name: "content-length".to_owned(),
                reason: "given more than once (a request carries one size)",
            });
        }
        let bucket = self.bucket;
        let r = &bucket.resolved;
        Ok(Parts {
            method: self.method.as_str(),
            // Built from a validated bucket name and endpoint host.
            host: &r.host,
            host_checked: true,
            path: PathSource::S3Object {
                prefix: &r.prefix,
                bucket: r.path_style.then_some(bucket.name.as_str()),
                key: self.key,
            },
            query: QuerySource::Pairs(self.query.as_slice()),
            headers: self.headers.as_slice(),
            payload: Payload::Unsigned,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::Endpoint;
    use crate::scope::Region;

    fn creds() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .unwrap()
    }

    fn t() -> SigningTime {
        SigningTime::parse_amz_date("20130524T000000Z").unwrap()
    }

    // S3 API Reference, "Authenticating Requests: Using Query Parameters":
    // examplebucket/test.txt, virtual-hosted on the legacy global endpoint.
    #[test]
    fn reproduces_the_s3_documentation_url() {
        let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap())
            .unwrap()
            .endpoint(Endpoint::aws_legacy_global())
            .unwrap();
        let url = bucket
            .get_object("test.txt")
            .presign(&creds(), t(), Duration::from_secs(86400))
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
    }

    #[test]
    fn keys_are_encoded_once_and_never_decoded() {
        let bucket = Bucket::new("b", Region::new("us-east-1").unwrap())
            .unwrap()
            .endpoint(Endpoint::custom("http://127.0.0.1:9000/prefix/").unwrap())
            .unwrap();
        let url = bucket
            .get_object("a b+c%20d/./../x//y?#~")
            .presign(&creds(), t(), Duration::from_secs(60))
            .unwrap();
        assert!(
            url.as_str().starts_with(
                "http://127.0.0.1:9000/prefix/b/a%20b%2Bc%2520d/./../x//y%3F%23~?X-Amz-"
            ),
            "{}",
            url.as_str()
        );
        let e = bucket
            .get_object("")
            .presign(&creds(), t(), Duration::from_secs(60))
            .unwrap_err();
        assert_eq!(e, Error::EmptyKey);
    }

    #[test]
    fn extras_are_signed_and_reserved_names_rejected() {
        let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
        let url = bucket
            .get_object("k")
            .response_content_disposition("attachment; filename=\"a b.txt\"")
            .version_id("v/1")
            .presign(&creds(), t(), Duration::from_secs(60))
            .unwrap();
        let pairs: Vec<_> = url.query_pairs().collect();
        assert!(pairs.contains(&(
            "response-content-disposition",
            "attachment%3B%20filename%3D%22a%20b.txt%22"
        )));
        assert!(pairs.contains(&("versionId", "v%2F1")));
        let put = bucket
            .put_object("k")
            .content_type("text/plain")
            .presign(&creds(), t(), Duration::from_secs(60))
            .unwrap();
        assert!(
            put.query_pairs()
                .any(|p| p == ("X-Amz-SignedHeaders", "content-type%3Bhost"))
        );
        assert!(matches!(
            bucket
                .get_object("k")
                .query("X-Amz-Signature", "x")
                .presign(&creds(), t(), Duration::from_secs(60)),
            Err(Error::ReservedQueryParameter { .. })
        ));
        assert!(matches!(
            bucket.get_object("k").header("Host", "x").presign(
                &creds(),
                t(),
                Duration::from_secs(60)
            ),
            Err(Error::ReservedHeader { .. })
        ));
        assert!(matches!(
            bucket
                .upload_part("k", 0, "id")
                .presign(&creds(), t(), Duration::from_secs(60)),
            Err(Error::InvalidQuery { .. })
        ));
    }

    #[test]
    fn caller_parameters_merge_into_canonical_order() {
        let bucket = Bucket::new("b", Region::new("us-east-1").unwrap()).unwrap();
        let temp = creds().with_session_token("tok").unwrap();
        let req = bucket
            .get_object("k")
            .query("z", "1")
            .query("X-Amz-Zeta", "2")
            .query("X-Amz-Beta", "3")
            .query("A", "4")
            .query("X-Amz-Sf", "5")
            .query("0", "6")
            .query("z", "0");
        let canonical = req
            .canonical_request(&temp, t(), Duration::from_secs(60))
            .unwrap();
        let query = canonical.as_str().lines().nth(2).unwrap();
        let names: Vec<(&str, &str)> = query
            .split('&')
            .map(|p| p.split_once('=').unwrap())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "{query}");
        assert_eq!(names.len(), 13);
        let url = req.presign(&temp, t(), Duration::from_secs(60)).unwrap();
        assert!(url.as_str().contains(&format!("?{query}&X-Amz-Signature=")));
    }

    #[test]
    fn expiry_is_bounded_and_respects_credentials() {
        let bucket = Bucket::new("b", Region::new("us-east-1").unwrap()).unwrap();
        let get = bucket.get_object("k");
        assert!(matches!(
            get.presign(&creds(), t(), Duration::ZERO),
            Err(Error::ExpiresOutOfRange { seconds: 0, .. })
        ));
        assert!(
            get.presign(&creds(), t(), Duration::from_secs(604_800))
                .is_ok()
        );
        assert!(matches!(
            get.presign(&creds(), t(), Duration::from_secs(604_801)),
            Err(Error::ExpiresOutOfRange { max: 604_800, .. })
        ));
        let temp = creds().with_expiry(t().to_offset_date_time() + time::Duration::seconds(100));
        assert_eq!(
            get.presign(&temp, t(), Duration::from_secs(3600))
                .unwrap_err(),
            Error::CredentialsExpireFirst {
                expires_in: 3600,
                credentials_remaining: 100
            }
        );
        let clamping = Bucket::new("b", Region::new("us-east-1").unwrap())
            .unwrap()
            .clamp_expiry_to_credentials(true);
        let url = clamping
            .get_object("k")
            .presign(&temp, t(), Duration::from_secs(3600))
            .unwrap();
        assert_eq!(url.expires_in(), Duration::from_secs(100));
        assert!(url.query_pairs().any(|p| p == ("X-Amz-Expires", "100")));
        let expired = creds().with_expiry(t().to_offset_date_time() - time::Duration::seconds(5));
        assert_eq!(
            get.presign(&expired, t(), Duration::from_secs(60))
                .unwrap_err(),
            Error::CredentialsExpired { expired_for: 5 }
        );
    }

    #[test]
    fn listing_and_multipart_paths() {
        let bucket = Bucket::new("my.bucket", Region::new("us-east-1").unwrap()).unwrap();
        let list = bucket
            .list_objects_v2()
            .prefix("photos/")
            .max_keys(10)
            .presign(&creds(), t(), Duration::from_secs(60))
            .unwrap();
        assert!(
            list.as_str()
                .starts_with("https://s3.us-east-1.amazonaws.com/my.bucket?"),
            "{}",
            list.as_str()
        );
        assert!(list.query_pairs().any(|p| p == ("list-type", "2")));
        assert!(list.query_pairs().any(|p| p == ("prefix", "photos%2F")));
        let part = bucket
            .upload_part("k", 3, "abc")
            .presign(&creds(), t(), Duration::from_secs(60))
            .unwrap();
        assert_eq!(part.method(), "PUT");
        assert!(part.query_pairs().any(|p| p == ("partNumber", "3")));
        let create = bucket
            .create_multipart_upload("k")
            .presign(&creds(), t(), Duration::from_secs(60))
            .unwrap();
        assert!(create.query_pairs().any(|p| p == ("uploads", "")));
    }

    #[test]
    fn debug_redacts_token_and_signature() {
        let temp = creds().with_session_token("SESSIONTOKENVALUE").unwrap();
        let bucket = Bucket::new("b", Region::new("us-east-1").unwrap()).unwrap();
        let url = bucket
            .get_object("k")
            .presign(&temp, t(), Duration::from_secs(60))
            .unwrap();
        assert!(
            url.as_str()
                .contains("X-Amz-Security-Token=SESSIONTOKENVALUE")
        );
        let shown = format!("{url:?}");
        assert!(!shown.contains("SESSIONTOKENVALUE"));
        assert!(!shown.contains(&url.signature().to_string()));
    }
}

impl fmt::Debug for ObjectRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Names<'s, 'a>(&'s [(&'a str, &'a str)]);
        impl fmt::Debug for Names<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(name, _)| name))
                    .finish()
            }
        }
        f.debug_struct("ObjectRequest")
            .field("bucket", &self.bucket.name)
            .field("method", &self.method)
            .field("key", &self.key)
            .field("query", &self.query)
            .field("headers", &Names(self.headers.as_slice()))
            .finish_non_exhaustive()
    }
}

/// A list that keeps its first `N` items inline and moves them all to the
/// heap when a further one comes: a request with a few signed headers and
/// query parameters is built without allocating.
///
/// The inline array is only filled in on the first push, so that a request
/// without any (most GETs) costs no more to build than with empty `Vec`s.
#[derive(Clone)]
struct InlineList<T, const N: usize> {
    inline: Option<[T; N]>,
    len: usize,
    /// Every item, once there are more than `N`.
    spilled: Vec<T>,
}

impl<T, const N: usize> Default for InlineList<T, N> {
    fn default() -> Self {
        InlineList {
            inline: None,
            len: 0,
            spilled: Vec::new(),
        }
    }
}

impl<T: Default, const N: usize> InlineList<T, N> {
    fn push(&mut self, item: T) {
        if self.len < N {
            let inline = self
                .inline
                .get_or_insert_with(|| core::array::from_fn(|_| T::default()));
            inline[self.len] = item;
        } else {
            if self.len == N {
                self.spilled.reserve(2 * N);
                if let Some(inline) = &mut self.inline {
                    self.spilled.extend(inline.iter_mut().map(core::mem::take));
                }
            }
            self.spilled.push(item);
        }
        self.len += 1;
    }

    fn as_slice(&self) -> &[T] {
        match &self.inline {
            _ if self.len > N => &self.spilled,
            Some(inline) => &inline[..self.len],
            None => &[],
        }
    }
}

impl<T: fmt::Debug + Default, const N: usize> fmt::Debug for InlineList<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// Checksums: signed headers S3 checks the body against.
impl<'a> ObjectRequest<'a> {
    /// Signs `x-amz-checksum-<algorithm>` (PutObject, UploadPart): S3
    /// rejects a body with another checksum (`BadDigest`), so the URL
    /// uploads these bytes only. The client must send the header with this
    /// value, as botocore signs `ChecksumCRC32=...` and the others.
    ///
    /// A [`Checksum`](crate::checksum::Checksum) is never the checksum of zero bytes by accident (see
    /// [the module](crate::checksum)); one made with
    /// [`Checksum::of_empty_body`](crate::checksum::Checksum::of_empty_body) also signs `content-length: 0`, so the URL
    /// can only upload an empty object.
    ///
    /// ```
    /// use std::time::Duration;
    /// use presign::s3::Bucket;
    /// use presign::{Checksum, ChecksumAlgorithm, Credentials, Region, SigningTime};
    ///
    /// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
    /// let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
    /// let now = SigningTime::parse_amz_date("20260524T120000Z")?; // SigningTime::now() in production
    ///
    /// let body = b"the bytes the client will upload";
    /// let crc = Checksum::compute(ChecksumAlgorithm::Crc64Nvme, body)?;
    /// let put = bucket.put_object("reports/q2.csv").checksum(&crc);
    /// let url = put.presign(&creds, now, Duration::from_secs(600))?;
    /// assert!(url.as_str().contains("X-Amz-SignedHeaders=host%3Bx-amz-checksum-crc64nvme&"));
    /// // The client sends these headers with the body.
    /// assert_eq!(put.headers(), [("x-amz-checksum-crc64nvme", crc.as_str())]);
    ///
    /// // An empty body is refused unless asked for by name.
    /// assert!(Checksum::compute(ChecksumAlgorithm::Crc64Nvme, b"").is_err());
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn checksum(self, checksum: &'a crate::checksum::Checksum) -> Self {
        let signed = self.header(checksum.algorithm().header_name(), checksum.as_str());
        if checksum.is_empty_body() {
            signed.content_length("0")
        } else {
            signed
        }
    }

    /// Signs `x-amz-sdk-checksum-algorithm: CRC32` (or another name), as
    /// botocore does when given `ChecksumAlgorithm`: the client must send
    /// it. S3 needs it only when the checksum itself comes in a trailer;
    /// with [`checksum`](Self::checksum) it is optional.
    pub fn sdk_checksum_algorithm(self, algorithm: crate::checksum::ChecksumAlgorithm) -> Self {
        self.header(
            crate::wire::header::X_AMZ_SDK_CHECKSUM_ALGORITHM,
            algorithm.name(),
        )
    }
}
