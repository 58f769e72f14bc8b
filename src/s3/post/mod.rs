//! Browser uploads: S3 POST policies.
//!
//! A service signs a policy; a browser (or curl) then posts a multipart form
//! straight to the bucket, and S3 enforces the policy's conditions (size
//! limits, key prefixes, content types) without the service ever seeing the
//! bytes.
//!
//! ```
//! use std::time::Duration;
//! use presign::s3::{Bucket, PostKey};
//! use presign::{Credentials, Region, SigningTime};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
//! let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
//! let now = SigningTime::parse_amz_date("20260524T120000Z")?; // SigningTime::now() in production
//!
//! let post = bucket
//!     .post_policy(PostKey::new("uploads/user-42/${filename}"), now, Duration::from_secs(600))
//!     .content_length_range(1, 10 * 1024 * 1024)
//!     .starts_with("$Content-Type", "image/")
//!     .success_action_status(201)
//!     .sign(&creds)?;
//! assert_eq!(post.url(), "https://examplebucket.s3.us-east-1.amazonaws.com/");
//! assert_eq!(post.fields()[0], ("key".to_owned(), "uploads/user-42/${filename}".to_owned()));
//! let html = post.to_html_form(); // hidden fields, a file input and a submit button
//! assert!(html.contains(r#"<input type="file" name="file">"#));
//! # Ok::<(), presign::Error>(())
//! ```

mod conditions;
mod form;
mod json;
mod key;
mod policy;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::checksum::Checksum;
use crate::credentials::Credentials;
use crate::error::{Error, excerpt};
use crate::provider::{ProvideCredentials, ProviderError};
use crate::signature::Signature;
use crate::string_to_sign::ALGORITHM;
use crate::time::SigningTime;
use crate::wire;

use super::bucket::Bucket;
use conditions::{check_consistency, check_field_name, policy_error};
use policy::{expiration, policy_json};

pub use conditions::Condition;
pub use form::PresignedPost;
pub use key::{FILENAME_PLACEHOLDER, PostKey};
pub use policy::parse_policy_conditions;

/// Form fields that signing writes, which callers may not set. Conditions
/// may still narrow the first two.
const RESERVED_FIELDS: [&str; 10] = [
    wire::form::KEY,
    "bucket",
    wire::form::POLICY,
    wire::form::FILE,
    wire::form::X_AMZ_ALGORITHM,
    wire::form::X_AMZ_CREDENTIAL,
    wire::header::X_AMZ_DATE,
    wire::header::X_AMZ_SECURITY_TOKEN,
    wire::form::X_AMZ_SIGNATURE,
    wire::query::X_AMZ_S3SESSION_TOKEN,
];

/// A POST policy being built for one bucket; [`sign`](Self::sign) it.
#[derive(Debug, Clone)]
pub struct PostPolicy<'a> {
    bucket: &'a Bucket,
    key: PostKey,
    time: SigningTime,
    expires_in: Duration,
    conditions: Vec<Condition>,
    fields: Vec<(String, String)>,
}

impl Bucket {
    /// A POST policy for browser uploads to `key`, signed at `time` and
    /// expiring `expires_in` later (1 s to 7 days, or the bucket's cap).
    pub fn post_policy(
        &self,
        key: PostKey,
        time: SigningTime,
        expires_in: Duration,
    ) -> PostPolicy<'_> {
        PostPolicy {
            bucket: self,
            key,
            time,
            expires_in,
            conditions: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// Signs a policy document given as text (for example one written by
    /// hand): the base64 of the text, and the HMAC of that base64 under the
    /// day's signing key. Nothing about the text is checked.
    pub fn sign_policy_document(
        &self,
        policy_json: &str,
        credentials: &Credentials,
        time: SigningTime,
    ) -> SignedPolicy {
        let policy_base64 = BASE64.encode(policy_json);
        let key = self
            .signer()
            .key_cache()
            .get(credentials, self.signer().scope(time));
        let signature = key.sign(policy_base64.as_bytes());
        SignedPolicy {
            policy_base64,
            signature,
        }
    }
}

/// A signed policy document: its base64 text and the signature over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPolicy {
    /// The base64 of the policy JSON: the `policy` form field.
    pub policy_base64: String,
    /// The signature: the `x-amz-signature` form field.
    pub signature: Signature,
}

impl<'a> PostPolicy<'a> {
    /// Adds a condition (the escape hatch for anything without a helper). It
    /// constrains a field the client sends; it adds no form field.
    #[must_use]
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Adds a form field with a fixed value, and the condition that pins
    /// it: an exact match, or, when the value holds `${filename}`, a
    /// `starts-with` on the part before it.
    ///
    /// S3 replaces `${filename}` in every form field (not only `key`) with
    /// the uploaded file's name before it checks the policy, so an exact
    /// match on such a field would refuse every upload.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use presign::s3::{Bucket, Condition, PostKey};
    /// # use presign::{Credentials, Region, SigningTime};
    /// # let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
    /// # let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
    /// # let now = SigningTime::parse_amz_date("20260524T120000Z")?;
    /// let post = bucket
    ///     .post_policy(PostKey::new("uploads/${filename}"), now, Duration::from_secs(600))
    ///     .field("x-amz-meta-original-name", "${filename}")
    ///     .sign(&creds)?;
    /// assert!(post.conditions().contains(&Condition::starts_with("x-amz-meta-original-name", "")));
    /// # Ok::<(), presign::Error>(())
    /// ```
    #[must_use]
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        self.conditions.push(key::field_condition(&name, &value));
        self.fields.push((name, value));
        self
    }

    /// Allows any value of `field` that starts with `prefix` (the client
    /// sets the field); an empty prefix allows any value.
    #[must_use]
    pub fn starts_with(self, field: &str, prefix: &str) -> Self {
        self.condition(Condition::starts_with(field, prefix))
    }

    /// Limits the file's size to `min..=max` bytes.
    #[must_use]
    pub fn content_length_range(self, min: u64, max: u64) -> Self {
        self.condition(Condition::ContentLengthRange { min, max })
    }

    /// The canned ACL (`private`, `public-read`, ...).
    #[must_use]
    pub fn acl(self, acl: &str) -> Self {
        self.field("acl", acl)
    }

    /// The object's `Cache-Control`.
    #[must_use]
    pub fn cache_control(self, value: &str) -> Self {
        self.field("Cache-Control", value)
    }

    /// The object's `Content-Type`.
    #[must_use]
    pub fn content_type(self, value: &str) -> Self {
        self.field("Content-Type", value)
    }

    /// The object's `Content-Disposition`.
    #[must_use]
    pub fn content_disposition(self, value: &str) -> Self {
        self.field("Content-Disposition", value)
    }

    /// The object's `Content-Encoding`.
    #[must_use]
    pub fn content_encoding(self, value: &str) -> Self {
        self.field("Content-Encoding", value)
    }

    /// The object's `Expires` header.
    #[must_use]
    pub fn expires(self, value: &str) -> Self {
        self.field("Expires", value)
    }

    /// Where S3 redirects the browser after a successful upload.
    #[must_use]
    pub fn success_action_redirect(self, url: &str) -> Self {
        self.field("success_action_redirect", url)
    }

    /// The status S3 answers a successful upload with: 200, 201 (with an XML
    /// body) or 204 (S3's default). Other values fail when signing.
    #[must_use]
    pub fn success_action_status(self, status: u16) -> Self {
        self.field("success_action_status", status.to_string())
    }

    /// A user metadata entry, `x-amz-meta-NAME`.
    #[must_use]
    pub fn metadata(self, name: &str, value: &str) -> Self {
        self.field(format!("x-amz-meta-{name}"), value)
    }

    /// `x-amz-server-side-encryption` (`AES256`, `aws:kms`, ...).
    #[must_use]
    pub fn server_side_encryption(self, algorithm: &str) -> Self {
        self.field("x-amz-server-side-encryption", algorithm)
    }

    /// `x-amz-storage-class` (`STANDARD_IA`, ...).
    #[must_use]
    pub fn storage_class(self, class: &str) -> Self {
        self.field("x-amz-storage-class", class)
    }

    /// `x-amz-checksum-<algorithm>` with its base64 value, which S3 checks
    /// against the uploaded file. A [`Checksum`] is never the checksum of
    /// zero bytes by accident (see [the module](crate::checksum)); one made
    /// with [`Checksum::of_empty_body`] also limits the file to 0 bytes
    /// (`content-length-range` 0 to 0).
    #[must_use]
    pub fn checksum(self, checksum: &Checksum) -> Self {
        let with = self.field(checksum.algorithm().header_name(), checksum.as_str());
        if checksum.is_empty_body() {
            with.content_length_range(0, 0)
        } else {
            with
        }
    }

    /// The object's tags, as the `tagging` XML document.
    #[must_use]
    pub fn tagging(self, xml: &str) -> Self {
        self.field("tagging", xml)
    }

    /// Signs with credentials from a provider, at the policy's signing time.
    pub fn sign_with(
        &self,
        provider: &dyn ProvideCredentials,
    ) -> Result<PresignedPost, ProviderError> {
        let credentials = provider.credentials(self.time)?;
        self.sign(&credentials).map_err(ProviderError::Signing)
    }

    /// Checks the conditions and signs the policy.
    ///
    /// Fails with [`Error::ReservedPostField`] for a field signing writes,
    /// [`Error::InvalidPolicy`] for malformed or contradictory conditions,
    /// [`Error::ExpiresOutOfRange`] and the credential-expiry errors, and
    /// [`Error::TimeOutOfRange`] when the policy would expire after the year
    /// 9999 (an expiry above the default cap, see
    /// [`Bucket::max_expires`](super::Bucket::max_expires)); with
    /// [`Error::UnsupportedArn`] for a bucket given as an access point ARN.
    pub fn sign(&self, credentials: &Credentials) -> Result<PresignedPost, Error> {
        let bucket = self.bucket;
        // Access points and Multi-Region Access Points take no POST uploads.
        bucket.check_post_allowed()?;
        bucket.check_credentials(credentials)?;
        let signer = bucket.signer();
        let expires = signer.check_expiry(self.expires_in, credentials, self.time)?;
        let expiration = expiration(self.time, expires)?;

        for (i, (name, _)) in self.fields.iter().enumerate() {
            check_field_name(name, &RESERVED_FIELDS)?;
            // A form carries each field once (S3 and the verifier refuse
            // repeats).
            if self.fields[..i]
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                return Err(policy_error(format!(
                    "the field {:?} is given twice",
                    excerpt(name)
                )));
            }
        }
        // Conditions may also narrow `key` and `bucket`; a contradiction with
        // the signed key or bucket is caught below.
        for c in &self.conditions {
            if let Some(field) = c.field() {
                check_field_name(field, &RESERVED_FIELDS[2..])?;
            }
        }
        let scope = signer.scope(self.time);
        let credential = {
            let id = credentials.access_key_id();
            let mut text = String::with_capacity(id.len() + 64);
            text.push_str(id);
            text.push('/');
            text.push_str(scope.date().text().as_str());
            text.push('/');
            text.push_str(scope.region().as_str());
            text.push('/');
            text.push_str(scope.service().as_str());
            text.push('/');
            text.push_str(crate::scope::TERMINATOR);
            text
        };
        let amz_date = self.time.amz_date();

        let mut conditions = Vec::with_capacity(self.conditions.len() + 6);
        conditions.push(Condition::eq("bucket", bucket.name()));
        conditions.push(self.key.condition().clone());
        conditions.extend(self.conditions.iter().cloned());
        conditions.push(Condition::eq(wire::form::X_AMZ_ALGORITHM, ALGORITHM));
        conditions.push(Condition::eq(
            wire::form::X_AMZ_CREDENTIAL,
            credential.as_str(),
        ));
        conditions.push(Condition::eq(wire::header::X_AMZ_DATE, amz_date.as_str()));
        // The token's field: S3 Express sessions name it as botocore's
        // S3ExpressPostAuth does.
        let token_field = if credentials.is_s3_express_session() {
            wire::query::X_AMZ_S3SESSION_TOKEN
        } else {
            wire::header::X_AMZ_SECURITY_TOKEN
        };
        if let Some(token) = credentials.session_token() {
            conditions.push(Condition::eq(token_field, token));
        }
        check_consistency(&conditions)?;

        let policy_json = policy_json(expiration, &conditions);
        let signed = bucket.sign_policy_document(&policy_json, credentials, self.time);

        let mut fields = Vec::with_capacity(self.fields.len() + 7);
        fields.push((
            wire::form::KEY.to_owned(),
            self.key.field_value().to_owned(),
        ));
        fields.extend(self.fields.iter().cloned());
        fields.push((wire::form::X_AMZ_ALGORITHM.to_owned(), ALGORITHM.to_owned()));
        fields.push((wire::form::X_AMZ_CREDENTIAL.to_owned(), credential));
        fields.push((
            wire::header::X_AMZ_DATE.to_owned(),
            amz_date.as_str().to_owned(),
        ));
        if let Some(token) = credentials.session_token() {
            fields.push((token_field.to_owned(), token.to_owned()));
        }
        fields.push((wire::form::POLICY.to_owned(), signed.policy_base64));
        fields.push((
            wire::form::X_AMZ_SIGNATURE.to_owned(),
            signed.signature.to_string(),
        ));

        let mut url = bucket.base_url();
        if !bucket.is_path_style() {
            url.push('/');
        }
        Ok(PresignedPost {
            url,
            fields,
            conditions,
            policy_json,
            expiration,
            signature: signed.signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Region;

    pub(super) fn creds() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .unwrap()
    }

    pub(super) fn bucket() -> Bucket {
        Bucket::new("sigv4examplebucket", Region::new("us-east-1").unwrap()).unwrap()
    }

    pub(super) fn t() -> SigningTime {
        SigningTime::parse_amz_date("20151229T000000Z").unwrap()
    }

    // S3 API Reference, "Example: Browser-Based Upload using HTTP POST
    // (Using AWS Signature Version 4)".
    #[test]
    fn signs_the_s3_documentation_policy() {
        let policy = "{ \"expiration\": \"2015-12-30T12:00:00.000Z\",\r\n  \"conditions\": [\r\n    {\"bucket\": \"sigv4examplebucket\"},\r\n    [\"starts-with\", \"$key\", \"user/user1/\"],\r\n    {\"acl\": \"public-read\"},\r\n    {\"success_action_redirect\": \"http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html\"},\r\n    [\"starts-with\", \"$Content-Type\", \"image/\"],\r\n    {\"x-amz-meta-uuid\": \"14365123651274\"},\r\n    {\"x-amz-server-side-encryption\": \"AES256\"},\r\n    [\"starts-with\", \"$x-amz-meta-tag\", \"\"],\r\n\r\n    {\"x-amz-credential\": \"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request\"},\r\n    {\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"},\r\n    {\"x-amz-date\": \"20151229T000000Z\" }\r\n  ]\r\n}";
        let signed = bucket().sign_policy_document(policy, &creds(), t());
        assert!(
            signed
                .policy_base64
                .starts_with("eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0K")
        );
        assert_eq!(
            signed.signature.to_string(),
            "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
        );
        let parsed = parse_policy_conditions(policy).unwrap();
        assert_eq!(parsed.len(), 11);
        assert_eq!(parsed[1], Condition::starts_with("key", "user/user1/"));
    }

    #[test]
    fn builds_fields_and_conditions_in_order() {
        let temp = creds().with_session_token("TOKEN").unwrap();
        let b = bucket();
        let post = b
            .post_policy(
                PostKey::new("user/user1/${filename}"),
                t(),
                Duration::from_secs(3600),
            )
            .acl("public-read")
            .starts_with("$Content-Type", "image/")
            .content_length_range(1, 1024)
            .sign(&temp)
            .unwrap();
        let names: Vec<&str> = post.fields().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "key",
                "acl",
                "x-amz-algorithm",
                "x-amz-credential",
                "x-amz-date",
                "x-amz-security-token",
                "policy",
                "x-amz-signature"
            ]
        );
        assert_eq!(
            post.policy_json(),
            "{\"expiration\":\"2015-12-29T01:00:00.000Z\",\"conditions\":[\
             {\"bucket\":\"sigv4examplebucket\"},[\"starts-with\",\"$key\",\"user/user1/\"],\
             {\"acl\":\"public-read\"},[\"starts-with\",\"$Content-Type\",\"image/\"],\
             [\"content-length-range\",1,1024],{\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\"},\
             {\"x-amz-credential\":\"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request\"},\
             {\"x-amz-date\":\"20151229T000000Z\"},{\"x-amz-security-token\":\"TOKEN\"}]}"
        );
        assert_eq!(
            parse_policy_conditions(post.policy_json()).unwrap(),
            post.conditions()
        );
        let policy_field = &post.fields()[6].1;
        assert_eq!(
            BASE64.decode(policy_field).unwrap(),
            post.policy_json().as_bytes()
        );
        assert_eq!(
            post.url(),
            "https://sigv4examplebucket.s3.us-east-1.amazonaws.com/"
        );
        assert!(!format!("{post:?}").contains("TOKEN"));
    }

    #[test]
    fn rejects_bad_policies() {
        let b = bucket();
        let p = || b.post_policy(PostKey::new("k"), t(), Duration::from_secs(60));
        let err = |p: PostPolicy<'_>| p.sign(&creds()).unwrap_err();
        assert!(matches!(
            err(p().content_length_range(5, 4)),
            Error::InvalidPolicy { .. }
        ));
        assert!(matches!(
            err(p().content_length_range(1, 4).content_length_range(1, 5)),
            Error::InvalidPolicy { .. }
        ));
        assert!(matches!(
            err(p().field("policy", "x")),
            Error::ReservedPostField { .. }
        ));
        assert!(matches!(
            err(p().field("X-Amz-Signature", "x")),
            Error::ReservedPostField { .. }
        ));
        assert!(matches!(
            err(p().acl("private").acl("public-read")),
            Error::InvalidPolicy { .. }
        ));
        assert!(matches!(
            err(p().acl("private").field("ACL", "private")),
            Error::InvalidPolicy { .. }
        ));
        assert!(matches!(
            err(p()
                .starts_with("$Content-Type", "image/")
                .content_type("text/plain")),
            Error::InvalidPolicy { .. }
        ));
        assert!(matches!(
            err(p().condition(Condition::starts_with("key", "other/"))),
            Error::InvalidPolicy { .. }
        ));
        assert!(matches!(
            err(p().success_action_status(302)),
            Error::InvalidPolicy { .. }
        ));
        assert!(matches!(
            b.post_policy(PostKey::new("k"), t(), Duration::ZERO)
                .sign(&creds())
                .unwrap_err(),
            Error::ExpiresOutOfRange { .. }
        ));
        assert!(matches!(
            err(p().starts_with("$x-amz-date", "")),
            Error::ReservedPostField { .. }
        ));
        assert!(p().content_length_range(0, 0).sign(&creds()).is_ok());
        let under_prefix = b.post_policy(
            PostKey::new("uploads/${filename}"),
            t(),
            Duration::from_secs(60),
        );
        assert!(
            under_prefix
                .starts_with("$key", "uploads/")
                .sign(&creds())
                .is_ok()
        );
    }
}
