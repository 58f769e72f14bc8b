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

use core::fmt;
use core::fmt::Write as _;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use time::OffsetDateTime;

use crate::credentials::Credentials;
use crate::error::{Error, excerpt};
use crate::provider::{ProvideCredentials, ProviderError};
use crate::signature::Signature;
use crate::string_to_sign::ALGORITHM;
use crate::time::SigningTime;

use super::object::Bucket;

/// One condition of a POST policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Condition {
    /// The form field must equal `value`: `{"field": "value"}`, or
    /// `["eq", "$field", "value"]`.
    Eq {
        /// The field name (in the array form, what follows the `$`).
        field: String,
        /// The required value.
        value: String,
    },
    /// The form field must start with `prefix` (an empty prefix allows any
    /// value): `["starts-with", "$field", "prefix"]`.
    StartsWith {
        /// The field name, without `$`.
        field: String,
        /// The required prefix.
        prefix: String,
    },
    /// The file's size in bytes must be within `min..=max`:
    /// `["content-length-range", min, max]`.
    ContentLengthRange {
        /// The smallest size allowed.
        min: u64,
        /// The largest size allowed.
        max: u64,
    },
}

fn policy_error(reason: impl Into<String>) -> Error {
    Error::InvalidPolicy {
        reason: reason.into(),
    }
}

/// Strips the one `$` S3 writes in front of field names in array
/// conditions; a name given without it is taken as is.
fn field_name(name: &str) -> &str {
    name.strip_prefix('$').unwrap_or(name)
}

impl Condition {
    /// `{"field": "value"}`: the field, named exactly as given, must equal
    /// `value`.
    pub fn eq(field: impl Into<String>, value: impl Into<String>) -> Self {
        Condition::Eq {
            field: field.into(),
            value: value.into(),
        }
    }

    /// `["starts-with", "$field", "prefix"]`. Give the field as in the JSON
    /// (`"$Content-Type"`) or without the `$`; one leading `$` is dropped,
    /// and written back when serialized.
    pub fn starts_with(field: impl Into<String>, prefix: impl Into<String>) -> Self {
        let field = field.into();
        Condition::StartsWith {
            field: field_name(&field).to_owned(),
            prefix: prefix.into(),
        }
    }

    /// Parses one condition from its JSON form: `{"field": "value"}`,
    /// `["eq", "$field", "value"]`, `["starts-with", "$field", "prefix"]` or
    /// `["content-length-range", min, max]`.
    ///
    /// ```
    /// use presign::s3::Condition;
    ///
    /// let c = Condition::from_json(r#"["content-length-range", 1, 10485760]"#)?;
    /// assert_eq!(c, Condition::ContentLengthRange { min: 1, max: 10_485_760 });
    /// assert_eq!(c.to_string(), r#"["content-length-range",1,10485760]"#);
    /// assert!(Condition::from_json(r#"["starts-with", "$key"]"#).is_err());
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| policy_error(format!("condition is not JSON: {e}")))?;
        Self::from_value(&value)
    }

    pub(crate) fn from_value(value: &Value) -> Result<Self, Error> {
        match value {
            Value::Object(map) => {
                let mut entries = map.iter();
                match (entries.next(), entries.next()) {
                    (Some((field, Value::String(v))), None) => {
                        Ok(Condition::eq(field.as_str(), v.as_str()))
                    }
                    (Some((field, _)), None) => Err(policy_error(format!(
                        "the value of {:?} must be a string",
                        excerpt(field)
                    ))),
                    _ => Err(policy_error(
                        "an object condition must have exactly one field",
                    )),
                }
            }
            Value::Array(items) => {
                let op = items.first().and_then(Value::as_str).ok_or_else(|| {
                    policy_error("an array condition must start with an operator string")
                })?;
                let op_lower = op.to_ascii_lowercase();
                match (op_lower.as_str(), &items[1..]) {
                    ("eq" | "starts-with", [Value::String(field), Value::String(v)]) => {
                        if !field.starts_with('$') {
                            return Err(policy_error(format!(
                                "the field {:?} must start with '$'",
                                excerpt(field)
                            )));
                        }
                        // The array forms name the field after one `$`.
                        let field = &field[1..];
                        Ok(if op_lower == "eq" {
                            Condition::eq(field, v.as_str())
                        } else {
                            Condition::StartsWith {
                                field: field.to_owned(),
                                prefix: v.clone(),
                            }
                        })
                    }
                    ("eq" | "starts-with", _) => Err(policy_error(format!(
                        "{op_lower:?} takes a \"$field\" string and a value string"
                    ))),
                    ("content-length-range", [min, max]) => {
                        let (Some(min), Some(max)) = (as_size(min), as_size(max)) else {
                            return Err(policy_error(
                                "content-length-range takes two non-negative integers",
                            ));
                        };
                        Ok(Condition::ContentLengthRange { min, max })
                    }
                    ("content-length-range", _) => Err(policy_error(
                        "content-length-range takes two non-negative integers",
                    )),
                    _ => Err(policy_error(format!(
                        "unknown condition operator {:?}",
                        excerpt(op)
                    ))),
                }
            }
            _ => Err(policy_error("a condition must be an object or an array")),
        }
    }

    /// The field the condition is about (`None` for a size range).
    pub fn field(&self) -> Option<&str> {
        match self {
            Condition::Eq { field, .. } | Condition::StartsWith { field, .. } => Some(field),
            Condition::ContentLengthRange { .. } => None,
        }
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Condition::Eq { field, value } => {
                out.push('{');
                write_json_string(field, out);
                out.push(':');
                write_json_string(value, out);
                out.push('}');
            }
            Condition::StartsWith { field, prefix } => {
                out.push_str("[\"starts-with\",");
                write_json_string(&format!("${field}"), out);
                out.push(',');
                write_json_string(prefix, out);
                out.push(']');
            }
            Condition::ContentLengthRange { min, max } => {
                let _ = write!(out, "[\"content-length-range\",{min},{max}]");
            }
        }
    }
}

/// A size in a content-length-range: a non-negative integer, or a string of
/// digits (which S3 also accepts).
fn as_size(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

impl fmt::Display for Condition {
    /// The condition as compact JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_json(&mut s);
        f.write_str(&s)
    }
}

/// Writes `s` as a JSON string that is pure ASCII: quotes, backslashes and
/// control characters escaped, everything outside ASCII as `\uXXXX` (with
/// surrogate pairs), so the policy survives any transport unchanged.
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii_control() || !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The object key a POST upload may use.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PostKey {
    field: String,
    condition: Condition,
}

/// The placeholder S3 replaces with the uploaded file's name.
pub const FILENAME_PLACEHOLDER: &str = "${filename}";

impl PostKey {
    /// A key for the form's `key` field. When it contains `${filename}`
    /// (which S3 replaces with the uploaded file's name) the policy allows
    /// any key starting with the part before it; otherwise exactly this key.
    pub fn new(key: impl Into<String>) -> Self {
        let key = key.into();
        let condition = match key.find(FILENAME_PLACEHOLDER) {
            Some(i) => Condition::starts_with("key", &key[..i]),
            None => Condition::eq("key", key.as_str()),
        };
        PostKey {
            field: key,
            condition,
        }
    }

    /// Any key starting with `prefix`; the form's `key` field defaults to
    /// `prefix` followed by `${filename}`, and a client may change it to any
    /// key under the prefix. An empty prefix allows any key.
    pub fn starts_with(prefix: impl Into<String>) -> Self {
        let prefix = prefix.into();
        PostKey {
            field: format!("{prefix}{FILENAME_PLACEHOLDER}"),
            condition: Condition::starts_with("key", prefix),
        }
    }

    /// The value of the form's `key` field.
    pub fn field_value(&self) -> &str {
        &self.field
    }
}

/// Form fields that signing writes, which callers may not set. Conditions
/// may still narrow the first two.
const RESERVED_FIELDS: [&str; 9] = [
    "key",
    "bucket",
    "policy",
    "file",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-signature",
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
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Adds a form field with a fixed value, and the exact-match condition
    /// that pins it.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        self.conditions
            .push(Condition::eq(name.as_str(), value.as_str()));
        self.fields.push((name, value));
        self
    }

    /// Allows any value of `field` that starts with `prefix` (the client
    /// sets the field); an empty prefix allows any value.
    pub fn starts_with(self, field: &str, prefix: &str) -> Self {
        self.condition(Condition::starts_with(field, prefix))
    }

    /// Limits the file's size to `min..=max` bytes.
    pub fn content_length_range(self, min: u64, max: u64) -> Self {
        self.condition(Condition::ContentLengthRange { min, max })
    }

    /// The canned ACL (`private`, `public-read`, ...).
    pub fn acl(self, acl: &str) -> Self {
        self.field("acl", acl)
    }

    /// The object's `Cache-Control`.
    pub fn cache_control(self, value: &str) -> Self {
        self.field("Cache-Control", value)
    }

    /// The object's `Content-Type`.
    pub fn content_type(self, value: &str) -> Self {
        self.field("Content-Type", value)
    }

    /// The object's `Content-Disposition`.
    pub fn content_disposition(self, value: &str) -> Self {
        self.field("Content-Disposition", value)
    }

    /// The object's `Content-Encoding`.
    pub fn content_encoding(self, value: &str) -> Self {
        self.field("Content-Encoding", value)
    }

    /// The object's `Expires` header.
    pub fn expires(self, value: &str) -> Self {
        self.field("Expires", value)
    }

    /// Where S3 redirects the browser after a successful upload.
    pub fn success_action_redirect(self, url: &str) -> Self {
        self.field("success_action_redirect", url)
    }

    /// The status S3 answers a successful upload with: 200, 201 (with an XML
    /// body) or 204 (S3's default). Other values fail when signing.
    pub fn success_action_status(self, status: u16) -> Self {
        self.field("success_action_status", status.to_string())
    }

    /// A user metadata entry, `x-amz-meta-NAME`.
    pub fn metadata(self, name: &str, value: &str) -> Self {
        self.field(format!("x-amz-meta-{name}"), value)
    }

    /// `x-amz-server-side-encryption` (`AES256`, `aws:kms`, ...).
    pub fn server_side_encryption(self, algorithm: &str) -> Self {
        self.field("x-amz-server-side-encryption", algorithm)
    }

    /// `x-amz-storage-class` (`STANDARD_IA`, ...).
    pub fn storage_class(self, class: &str) -> Self {
        self.field("x-amz-storage-class", class)
    }

    /// `x-amz-checksum-ALGORITHM` (for example `sha256`) with its base64
    /// value, which S3 checks against the upload.
    pub fn checksum(self, algorithm: &str, base64_value: &str) -> Self {
        self.field(
            format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase()),
            base64_value,
        )
    }

    /// The object's tags, as the `tagging` XML document.
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
    /// [`Bucket::max_expires`](super::Bucket::max_expires)).
    pub fn sign(&self, credentials: &Credentials) -> Result<PresignedPost, Error> {
        let bucket = self.bucket;
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
        let credential = format!("{}/{scope}", credentials.access_key_id());
        let amz_date = self.time.amz_date();

        let mut conditions = Vec::with_capacity(self.conditions.len() + 6);
        conditions.push(Condition::eq("bucket", bucket.name()));
        conditions.push(self.key.condition.clone());
        conditions.extend(self.conditions.iter().cloned());
        conditions.push(Condition::eq("x-amz-algorithm", ALGORITHM));
        conditions.push(Condition::eq("x-amz-credential", credential.as_str()));
        conditions.push(Condition::eq("x-amz-date", amz_date.as_str()));
        if let Some(token) = credentials.session_token() {
            conditions.push(Condition::eq("x-amz-security-token", token));
        }
        check_consistency(&conditions)?;

        let policy_json = policy_json(expiration, &conditions);
        let signed = bucket.sign_policy_document(&policy_json, credentials, self.time);

        let mut fields = Vec::with_capacity(self.fields.len() + 7);
        fields.push(("key".to_owned(), self.key.field.clone()));
        fields.extend(self.fields.iter().cloned());
        fields.push(("x-amz-algorithm".to_owned(), ALGORITHM.to_owned()));
        fields.push(("x-amz-credential".to_owned(), credential));
        fields.push(("x-amz-date".to_owned(), amz_date.as_str().to_owned()));
        if let Some(token) = credentials.session_token() {
            fields.push(("x-amz-security-token".to_owned(), token.to_owned()));
        }
        fields.push(("policy".to_owned(), signed.policy_base64));
        fields.push(("x-amz-signature".to_owned(), signed.signature.to_string()));

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

/// The policy's expiration, `expires` seconds after `time`: a typed error,
/// not a panic or a wrapped date, past the year 9999 (the policy's
/// four-digit year), for any expiry a raised cap lets through.
fn expiration(time: SigningTime, expires: u64) -> Result<OffsetDateTime, Error> {
    i64::try_from(expires)
        .ok()
        .and_then(|secs| {
            time.to_offset_date_time()
                .checked_add(time::Duration::seconds(secs))
        })
        .filter(|t| t.year() <= 9999)
        .ok_or(Error::TimeOutOfRange {
            reason: "the policy would expire after the year 9999",
        })
}

fn check_field_name(name: &str, reserved: &[&str]) -> Result<(), Error> {
    if name.is_empty() {
        return Err(policy_error("a field name is empty"));
    }
    if name.bytes().any(|b| b.is_ascii_control()) {
        return Err(policy_error(format!(
            "the field name {:?} has a control character",
            excerpt(name)
        )));
    }
    if let Some(r) = reserved.iter().find(|r| r.eq_ignore_ascii_case(name)) {
        return Err(Error::ReservedPostField {
            name: (*r).to_owned(),
        });
    }
    Ok(())
}

/// Rejects conditions that no upload could satisfy, or that are malformed:
/// a size range with min > max, two size ranges, two different exact values
/// for one field, an exact value that misses a required prefix, and a
/// `success_action_status` S3 does not know.
fn check_consistency(conditions: &[Condition]) -> Result<(), Error> {
    let mut ranges = 0;
    for (i, c) in conditions.iter().enumerate() {
        match c {
            Condition::ContentLengthRange { min, max } => {
                ranges += 1;
                if min > max {
                    return Err(policy_error(format!(
                        "content-length-range minimum {min} is above its maximum {max}"
                    )));
                }
                if ranges > 1 {
                    return Err(policy_error("more than one content-length-range"));
                }
            }
            Condition::Eq { field, value } => {
                if field.eq_ignore_ascii_case("success_action_status")
                    && !matches!(value.as_str(), "200" | "201" | "204")
                {
                    return Err(policy_error(
                        "success_action_status must be 200, 201 or 204",
                    ));
                }
                for other in &conditions[..i] {
                    let same_field = other.field().is_some_and(|f| f.eq_ignore_ascii_case(field));
                    let clash = match other {
                        Condition::Eq { value: v, .. } => same_field && v != value,
                        Condition::StartsWith { prefix, .. } => {
                            same_field && !value.starts_with(prefix.as_str())
                        }
                        Condition::ContentLengthRange { .. } => false,
                    };
                    if clash {
                        return Err(contradiction(field));
                    }
                }
            }
            Condition::StartsWith { field, prefix } => {
                for other in &conditions[..i] {
                    let same_field = other.field().is_some_and(|f| f.eq_ignore_ascii_case(field));
                    let clash = match other {
                        Condition::Eq { value, .. } => {
                            same_field && !value.starts_with(prefix.as_str())
                        }
                        Condition::StartsWith { prefix: p, .. } => {
                            same_field
                                && !(p.starts_with(prefix.as_str())
                                    || prefix.starts_with(p.as_str()))
                        }
                        Condition::ContentLengthRange { .. } => false,
                    };
                    if clash {
                        return Err(contradiction(field));
                    }
                }
            }
        }
    }
    Ok(())
}

fn contradiction(field: &str) -> Error {
    policy_error(format!(
        "the conditions on {:?} contradict each other",
        excerpt(field)
    ))
}

/// `{"expiration":"2015-12-30T12:00:00.000Z","conditions":[...]}`.
fn policy_json(expiration: OffsetDateTime, conditions: &[Condition]) -> String {
    let mut out = String::with_capacity(64 + 64 * conditions.len());
    let _ = write!(
        out,
        "{{\"expiration\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z\",\"conditions\":[",
        expiration.year(),
        expiration.month() as u8,
        expiration.day(),
        expiration.hour(),
        expiration.minute(),
        expiration.second()
    );
    for (i, c) in conditions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        c.write_json(&mut out);
    }
    out.push_str("]}");
    out
}

/// Parses a policy document's conditions (the inverse of what signing
/// writes), for checking a policy.
///
/// ```
/// use presign::s3::{Condition, parse_policy_conditions};
///
/// let json = r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"acl":"private"},["starts-with","$key","u/"]]}"#;
/// assert_eq!(
///     parse_policy_conditions(json)?,
///     vec![Condition::eq("acl", "private"), Condition::starts_with("key", "u/")]
/// );
/// # Ok::<(), presign::Error>(())
/// ```
pub fn parse_policy_conditions(policy_json: &str) -> Result<Vec<Condition>, Error> {
    let doc: Value = serde_json::from_str(policy_json)
        .map_err(|e| policy_error(format!("policy is not JSON: {e}")))?;
    let conditions = doc
        .get("conditions")
        .and_then(Value::as_array)
        .ok_or_else(|| policy_error("policy has no \"conditions\" array"))?;
    conditions.iter().map(Condition::from_value).collect()
}

/// A signed POST policy: where to post the form and the fields to send.
///
/// Post every field as a multipart form field in this order, then the file
/// as a field named `file`, last. `Debug` redacts the session token.
#[derive(Clone)]
pub struct PresignedPost {
    url: String,
    fields: Vec<(String, String)>,
    conditions: Vec<Condition>,
    policy_json: String,
    expiration: OffsetDateTime,
    signature: Signature,
}

impl PresignedPost {
    /// The form's action URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The form fields, `key` first. Append the file last.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// Every condition signed, including the ones signing adds.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// The policy document (its base64 is the `policy` field). It contains
    /// the session token with temporary credentials.
    pub fn policy_json(&self) -> &str {
        &self.policy_json
    }

    /// When the policy expires.
    pub fn expiration(&self) -> OffsetDateTime {
        self.expiration
    }

    /// The signature (the `x-amz-signature` field).
    pub fn signature(&self) -> Signature {
        self.signature
    }

    /// `{"url": "...", "fields": {...}}`, as boto3's
    /// `generate_presigned_post` returns it, fields in posting order.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.url.len() + 1024);
        out.push_str("{\"url\":");
        write_json_string(&self.url, &mut out);
        out.push_str(",\"fields\":{");
        for (i, (name, value)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_json_string(name, &mut out);
            out.push(':');
            write_json_string(value, &mut out);
        }
        out.push_str("}}");
        out
    }

    /// A complete HTML upload form: the fields as hidden inputs (every value
    /// escaped), a file input and a submit button.
    pub fn to_html_form(&self) -> String {
        let mut out = String::with_capacity(self.url.len() + 2048);
        out.push_str("<form action=\"");
        html_escape(&self.url, &mut out);
        out.push_str("\" method=\"post\" enctype=\"multipart/form-data\">\n");
        for (name, value) in &self.fields {
            out.push_str("  <input type=\"hidden\" name=\"");
            html_escape(name, &mut out);
            out.push_str("\" value=\"");
            html_escape(value, &mut out);
            out.push_str("\">\n");
        }
        out.push_str("  <input type=\"file\" name=\"file\">\n");
        out.push_str("  <input type=\"submit\" value=\"Upload\">\n</form>\n");
        out
    }
}

fn html_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

impl fmt::Debug for PresignedPost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(n, v)| {
                let shown = if n == "x-amz-security-token" || n == "policy" {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (n.as_str(), shown)
            })
            .collect();
        f.debug_struct("PresignedPost")
            .field("url", &self.url)
            .field("fields", &fields)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Region;

    fn creds() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .unwrap()
    }

    fn bucket() -> Bucket {
        Bucket::new("sigv4examplebucket", Region::new("us-east-1").unwrap()).unwrap()
    }

    fn t() -> SigningTime {
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

    #[test]
    fn parses_every_condition_form() {
        assert_eq!(
            Condition::from_json(r#"{"acl": "private"}"#).unwrap(),
            Condition::eq("acl", "private")
        );
        assert_eq!(
            Condition::from_json(r#"["eq", "$acl", "private"]"#).unwrap(),
            Condition::eq("acl", "private")
        );
        assert_eq!(
            Condition::from_json(r#"["starts-with", "$key", ""]"#).unwrap(),
            Condition::starts_with("key", "")
        );
        assert_eq!(
            Condition::from_json(r#"["content-length-range", "1", 5]"#).unwrap(),
            Condition::ContentLengthRange { min: 1, max: 5 }
        );
        for bad in [
            "",
            "[",
            "42",
            "{}",
            r#"{"a": "b", "c": "d"}"#,
            r#"{"a": 1}"#,
            r#"["between", "$key", "a"]"#,
            r#"["eq", "key", "a"]"#,
            r#"["starts-with", "$key"]"#,
            r#"["content-length-range", -1, 5]"#,
            r#"["content-length-range", 1.5, 5]"#,
            "[]",
        ] {
            assert!(
                matches!(Condition::from_json(bad), Err(Error::InvalidPolicy { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn json_strings_are_ascii_and_round_trip() {
        for s in ["plain", "q\"uote\\back", "ctl\u{1}\n\t\r", "ü€😀", ""] {
            let mut out = String::new();
            write_json_string(s, &mut out);
            assert!(out.is_ascii());
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        }
    }

    #[test]
    fn html_form_escapes_values() {
        let b = bucket();
        let post = b
            .post_policy(PostKey::new("a\"<b>&'c"), t(), Duration::from_secs(60))
            .sign(&creds())
            .unwrap();
        let html = post.to_html_form();
        assert!(html.contains("value=\"a&quot;&lt;b&gt;&amp;&#39;c\""));
        assert!(!html.contains("a\"<b>"));
    }
}
