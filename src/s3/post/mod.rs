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
//! assert_eq!(post.fields().next(), Some(("key", "uploads/user-42/${filename}")));
//! let html = post.to_html_form(); // hidden fields, a file input and a submit button
//! assert!(html.contains(r#"<input type="file" name="file">"#));
//! # Ok::<(), presign::Error>(())
//! ```

mod conditions;
mod form;
mod json;
mod key;
mod policy;
mod sign;

use std::borrow::Cow;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::checksum::Checksum;
use crate::credentials::Credentials;
use crate::provider::{ProvideCredentials, ProviderError};
use crate::signature::Signature;
use crate::time::SigningTime;
use crate::wire;

use super::bucket::Bucket;
use conditions::{CondRef, field_name};

pub use conditions::Condition;
pub use form::{Fields, PresignedPost};
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
///
/// Texts given as `&str` are borrowed until signing (give a `String` to
/// hand one over instead).
#[derive(Debug, Clone)]
pub struct PostPolicy<'a> {
    bucket: &'a Bucket,
    key: PostKey,
    time: SigningTime,
    expires_in: Duration,
    /// Fields and conditions, in the policy's order.
    entries: Vec<Entry<'a>>,
}

/// A field or a condition, as the builder was given it.
#[derive(Debug, Clone)]
enum Entry<'a> {
    /// A form field with a fixed value; its condition pins it (see
    /// [`PostPolicy::field`]).
    Field {
        name: Cow<'a, str>,
        value: Cow<'a, str>,
        /// Where `${filename}` starts in the value, if it does.
        prefix_len: Option<usize>,
    },
    /// A `starts-with`, the field without `$`.
    StartsWith {
        field: Cow<'a, str>,
        prefix: Cow<'a, str>,
    },
    /// A content-length-range.
    ContentLengthRange { min: u64, max: u64 },
    /// A condition given whole.
    Condition(Condition),
}

impl Entry<'_> {
    /// The condition the entry adds to the policy.
    #[inline]
    fn condition(&self) -> CondRef<'_> {
        match self {
            Entry::Field {
                name,
                value,
                prefix_len,
            } => key::field_condition(name, value, *prefix_len),
            Entry::StartsWith { field, prefix } => CondRef::StartsWith { field, prefix },
            Entry::ContentLengthRange { min, max } => CondRef::ContentLengthRange {
                min: *min,
                max: *max,
            },
            Entry::Condition(c) => c.view(),
        }
    }

    /// The form field the entry adds, if any.
    fn field(&self) -> Option<(&str, &str)> {
        match self {
            Entry::Field { name, value, .. } => Some((name, value)),
            _ => None,
        }
    }
}

/// `text` without one leading `$`.
fn strip_dollar(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(field_name(s)),
        Cow::Owned(mut s) => {
            if s.starts_with('$') {
                s.remove(0);
            }
            Cow::Owned(s)
        }
    }
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
            entries: Vec::new(),
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
        self.entries.push(Entry::Condition(condition));
        self
    }

    /// Adds a form field with a fixed value, and the condition that pins
    /// it: an exact match, or, when the value holds `${filename}`, a
    /// `starts-with` on the part before it. The field is named exactly as
    /// given, a leading `$` included (unlike [`starts_with`](Self::starts_with),
    /// which reads `"$Content-Type"` as JSON writes it).
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
    pub fn field(mut self, name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        let (name, value) = (name.into(), value.into());
        let prefix_len = key::placeholder_at(&value);
        self.entries.push(Entry::Field {
            name,
            value,
            prefix_len,
        });
        self
    }

    /// Allows any value of `field` that starts with `prefix` (the client
    /// sets the field); an empty prefix allows any value. Give the field as
    /// in the JSON (`"$Content-Type"`) or without the `$`.
    #[must_use]
    pub fn starts_with(
        mut self,
        field: impl Into<Cow<'a, str>>,
        prefix: impl Into<Cow<'a, str>>,
    ) -> Self {
        self.entries.push(Entry::StartsWith {
            field: strip_dollar(field.into()),
            prefix: prefix.into(),
        });
        self
    }

    /// Limits the file's size to `min..=max` bytes.
    #[must_use]
    pub fn content_length_range(mut self, min: u64, max: u64) -> Self {
        self.entries.push(Entry::ContentLengthRange { min, max });
        self
    }

    /// The canned ACL (`private`, `public-read`, ...).
    #[must_use]
    pub fn acl(self, acl: impl Into<Cow<'a, str>>) -> Self {
        self.field("acl", acl)
    }

    /// The object's `Cache-Control`.
    #[must_use]
    pub fn cache_control(self, value: impl Into<Cow<'a, str>>) -> Self {
        self.field("Cache-Control", value)
    }

    /// The object's `Content-Type`.
    #[must_use]
    pub fn content_type(self, value: impl Into<Cow<'a, str>>) -> Self {
        self.field("Content-Type", value)
    }

    /// The object's `Content-Disposition`.
    #[must_use]
    pub fn content_disposition(self, value: impl Into<Cow<'a, str>>) -> Self {
        self.field("Content-Disposition", value)
    }

    /// The object's `Content-Encoding`.
    #[must_use]
    pub fn content_encoding(self, value: impl Into<Cow<'a, str>>) -> Self {
        self.field("Content-Encoding", value)
    }

    /// The object's `Expires` header.
    #[must_use]
    pub fn expires(self, value: impl Into<Cow<'a, str>>) -> Self {
        self.field("Expires", value)
    }

    /// Where S3 redirects the browser after a successful upload.
    #[must_use]
    pub fn success_action_redirect(self, url: impl Into<Cow<'a, str>>) -> Self {
        self.field("success_action_redirect", url)
    }

    /// The status S3 answers a successful upload with: 200, 201 (with an XML
    /// body) or 204 (S3's default). Other values fail when signing.
    #[must_use]
    pub fn success_action_status(self, status: u16) -> Self {
        let status: Cow<'a, str> = match status {
            200 => "200".into(),
            201 => "201".into(),
            204 => "204".into(),
            other => other.to_string().into(),
        };
        self.field("success_action_status", status)
    }

    /// A user metadata entry, `x-amz-meta-NAME`.
    #[must_use]
    pub fn metadata(self, name: &str, value: impl Into<Cow<'a, str>>) -> Self {
        self.field(format!("x-amz-meta-{name}"), value)
    }

    /// `x-amz-server-side-encryption` (`AES256`, `aws:kms`, ...).
    #[must_use]
    pub fn server_side_encryption(self, algorithm: impl Into<Cow<'a, str>>) -> Self {
        self.field("x-amz-server-side-encryption", algorithm)
    }

    /// `x-amz-storage-class` (`STANDARD_IA`, ...).
    #[must_use]
    pub fn storage_class(self, class: impl Into<Cow<'a, str>>) -> Self {
        self.field("x-amz-storage-class", class)
    }

    /// `x-amz-checksum-<algorithm>` with its base64 value, which S3 checks
    /// against the uploaded file. A [`Checksum`] is never the checksum of
    /// zero bytes by accident (see [the module](crate::checksum)); one made
    /// with [`Checksum::of_empty_body`] also limits the file to 0 bytes
    /// (`content-length-range` 0 to 0).
    #[must_use]
    pub fn checksum(self, checksum: &'a Checksum) -> Self {
        let with = self.field(checksum.algorithm().header_name(), checksum.as_str());
        if checksum.is_empty_body() {
            with.content_length_range(0, 0)
        } else {
            with
        }
    }

    /// The object's tags, as the `tagging` XML document.
    #[must_use]
    pub fn tagging(self, xml: impl Into<Cow<'a, str>>) -> Self {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
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
        let names: Vec<&str> = post.fields().map(|(n, _)| n).collect();
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
        let policy_field = post.fields().nth(6).unwrap().1;
        assert_eq!(post.field("Policy"), Some(policy_field));
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
