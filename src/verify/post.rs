//! Verifying browser POST uploads against their signed policy.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::claims::{Claims, Raw, check_token};
use super::verified::ScopeText;
use super::{CredentialsLookup, Verifier, VerifyError};
use crate::error::excerpt;
use crate::request::ReceivedQuery;
use crate::s3::{Condition, FILENAME_PLACEHOLDER, parse_policy_conditions};
use crate::scope::{Region, Scope};
use crate::time::SigningTime;
use crate::wire;

/// What a verified POST upload may do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedPost {
    /// The access key id.
    pub access_key_id: String,
    /// The credential scope.
    pub scope: String,
    /// The object key: from [`verify_post`](Verifier::verify_post) as
    /// posted (a `${filename}` in it not replaced), from
    /// [`verify_post_with_filename`](Verifier::verify_post_with_filename)
    /// with `${filename}` replaced as S3 replaces it: the key S3 stores.
    pub key: String,
    /// The policy's conditions.
    pub conditions: Vec<Condition>,
}

impl<L: CredentialsLookup> Verifier<L> {
    /// Verifies a browser POST upload: the form fields (every one but the
    /// file), the file's size in bytes, and the bucket it was posted to.
    ///
    /// Checks the signature over the policy, its expiration, every
    /// condition (exact values, prefixes, `content-length-range`), and that
    /// every field except `x-amz-signature`, `file`, `policy` and
    /// `x-ignore-*` is covered by a condition.
    ///
    /// S3 replaces `${filename}` in every field with the uploaded file's
    /// name before it checks the conditions. Without that name, a field
    /// holding `${filename}` must satisfy its conditions whatever name S3
    /// puts in: an exact match on it fails, a `starts-with` must be met by
    /// the part before the placeholder. When the name is known (the
    /// `filename` parameter of the file part's `Content-Disposition`), use
    /// [`verify_post_with_filename`](Self::verify_post_with_filename).
    pub fn verify_post(
        &self,
        fields: &[(&str, &str)],
        file_size: u64,
        bucket: &str,
        now: SigningTime,
    ) -> Result<VerifiedPost, VerifyError> {
        self.verify_post_inner(fields, FileName::Unknown, file_size, bucket, now)
    }

    /// Verifies a browser POST upload as [`verify_post`](Self::verify_post)
    /// does, with `${filename}` in every field replaced as S3 replaces it:
    /// by the text after the last `/` or `\` of `filename` (the `filename`
    /// parameter of the file part), or by nothing when the part has none.
    /// The conditions are checked against the replaced values, and
    /// [`VerifiedPost::key`] is the replaced key: the key S3 stores.
    ///
    /// ```
    /// use std::time::Duration;
    /// use presign::s3::{Bucket, PostKey};
    /// use presign::verify::Verifier;
    /// use presign::{Credentials, Region, SigningTime};
    ///
    /// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
    /// let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
    /// let now = SigningTime::parse_amz_date("20260524T120000Z")?;
    /// let post = bucket
    ///     .post_policy(PostKey::new("uploads/${filename}"), now, Duration::from_secs(600))
    ///     .metadata("original-name", "${filename}")
    ///     .sign(&creds)?;
    /// let fields: Vec<(&str, &str)> = post.fields().collect();
    ///
    /// let verifier = Verifier::new(move |_: &str| Some(creds.clone()))
    ///     .accept_region(Region::new("us-east-1")?);
    /// let verified = verifier
    ///     .verify_post_with_filename(&fields, Some("C:\\Photos\\cat.jpg"), 1024, "examplebucket", now)
    ///     .expect("verifies");
    /// assert_eq!(verified.key, "uploads/cat.jpg");
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn verify_post_with_filename(
        &self,
        fields: &[(&str, &str)],
        filename: Option<&str>,
        file_size: u64,
        bucket: &str,
        now: SigningTime,
    ) -> Result<VerifiedPost, VerifyError> {
        let name = filename.map_or("", base_name);
        self.verify_post_inner(fields, FileName::Known(name), file_size, bucket, now)
    }

    fn verify_post_inner(
        &self,
        fields: &[(&str, &str)],
        file_name: FileName<'_>,
        file_size: u64,
        bucket: &str,
        now: SigningTime,
    ) -> Result<VerifiedPost, VerifyError> {
        let field = |name: &'static str| -> Result<&str, VerifyError> {
            let mut found = fields.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
            let value = found
                .next()
                .map(|(_, v)| *v)
                .ok_or(VerifyError::MissingParameter { name })?;
            if found.next().is_some() {
                return Err(VerifyError::MalformedParameter {
                    name,
                    reason: "appears more than once",
                });
            }
            Ok(value)
        };
        let claims = Claims {
            algorithm: Raw::literal(field(wire::form::X_AMZ_ALGORITHM)?),
            credential: Raw::literal(field(wire::form::X_AMZ_CREDENTIAL)?),
            date: Raw::literal(field(wire::header::X_AMZ_DATE)?),
            signed_headers: Raw::literal(""),
            signature: Raw::literal(field(wire::form::X_AMZ_SIGNATURE)?),
            expires: None,
            token: fields
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(wire::header::X_AMZ_SECURITY_TOKEN))
                .map(|(_, v)| Raw::literal(v)),
            s3_session_token: fields
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(wire::query::X_AMZ_S3SESSION_TOKEN))
                .map(|(_, v)| Raw::literal(v)),
            content_sha256: None,
            query: ReceivedQuery::Raw(""),
            #[cfg(feature = "sigv4a")]
            region_set: None,
        };
        // POST policies are signed with SigV4 only.
        #[cfg(feature = "sigv4a")]
        if claims.algorithm.decodes_to(wire::ALGORITHM_V4A) {
            return Err(VerifyError::UnsupportedAlgorithm {
                algorithm: wire::ALGORITHM_V4A.to_owned(),
            });
        }
        let policy_b64 = field(wire::form::POLICY)?;
        let key = field(wire::form::KEY)?;
        // A repeated field could pass the policy with one value and be
        // stored with another.
        for (i, (name, _)) in fields.iter().enumerate() {
            if fields[..i]
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                return Err(VerifyError::PolicyViolation {
                    field: excerpt(name),
                    reason: "the field appears more than once",
                });
            }
        }
        if fields
            .iter()
            .any(|(n, b)| n.eq_ignore_ascii_case("bucket") && *b != bucket)
        {
            return Err(VerifyError::PolicyViolation {
                field: "bucket".into(),
                reason: "the form names another bucket than the one posted to",
            });
        }
        let (signed_at, credential) = self.check_claims(&claims)?;
        let skew = i128::from(self.max_skew.as_secs());
        if i128::from(signed_at.unix_timestamp()) > i128::from(now.unix_timestamp()) + skew {
            return Err(VerifyError::NotYetValid {
                signed_at: signed_at.to_string(),
                now: now.to_string(),
                max_skew: self.max_skew.as_secs(),
            });
        }
        let creds = self.credentials(credential.access_key_id())?;
        check_token(&creds, &claims)?;

        let region = Region::new(credential.region()).map_err(VerifyError::MalformedRequest)?;
        let scope = Scope::new(signed_at.scope_date(), &region, &self.service);
        let expected = self.cache.get(&creds, scope).sign(policy_b64.as_bytes());
        // Exactly the lowercase hex the signer writes: another spelling is
        // another form.
        if !expected.is_hex(claims.signature.text.as_bytes()) {
            return Err(VerifyError::SignatureMismatch);
        }

        let policy = BASE64
            .decode(policy_b64)
            .map_err(|_| VerifyError::MalformedPolicy {
                reason: "the policy is not base64".into(),
            })?;
        let policy = String::from_utf8(policy).map_err(|_| VerifyError::MalformedPolicy {
            reason: "the policy is not UTF-8".into(),
        })?;
        let expiration = policy_expiration(&policy)?;
        if now.unix_timestamp() > expiration {
            return Err(VerifyError::Expired {
                expired_at: SigningTime::from_unix_timestamp(expiration)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                now: now.to_string(),
            });
        }
        let conditions =
            parse_policy_conditions(&policy).map_err(|e| VerifyError::MalformedPolicy {
                reason: e.to_string(),
            })?;
        check_conditions(&conditions, fields, file_name, file_size, bucket)?;
        let key = match file_name {
            FileName::Known(name) => key.replace(FILENAME_PLACEHOLDER, name),
            FileName::Unknown => key.to_owned(),
        };
        Ok(VerifiedPost {
            access_key_id: credential.access_key_id().to_owned(),
            scope: ScopeText(&credential).to_string(),
            key,
            conditions,
        })
    }
}

/// The policy's `expiration` as Unix seconds (`2015-12-30T12:00:00.000Z`).
pub(super) fn policy_expiration(policy: &str) -> Result<i64, VerifyError> {
    let bad = || VerifyError::MalformedPolicy {
        reason: "no valid \"expiration\" (expected YYYY-MM-DDTHH:MM:SS[.sss]Z)".into(),
    };
    let doc: serde_json::Value =
        serde_json::from_str(policy).map_err(|e| VerifyError::MalformedPolicy {
            reason: format!("the policy is not JSON: {e}"),
        })?;
    let text = doc
        .get("expiration")
        .and_then(|v| v.as_str())
        .ok_or_else(bad)?;
    let b = text.as_bytes();
    // ASCII first: every slice below is then on a character boundary.
    if !text.is_ascii()
        || b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || !text.ends_with('Z')
    {
        return Err(bad());
    }
    let frac = &text[19..text.len() - 1];
    if !(frac.is_empty()
        || (frac.starts_with('.')
            && frac.len() > 1
            && frac[1..].bytes().all(|c| c.is_ascii_digit())))
    {
        return Err(bad());
    }
    let compact = format!(
        "{}{}{}T{}{}{}Z",
        &text[0..4],
        &text[5..7],
        &text[8..10],
        &text[11..13],
        &text[14..16],
        &text[17..19]
    );
    SigningTime::parse_amz_date(&compact)
        .map(|t| t.unix_timestamp())
        .map_err(|_| bad())
}

/// Fields S3 does not require a condition for.
fn exempt(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f == wire::form::X_AMZ_SIGNATURE
        || f == wire::form::FILE
        || f == wire::form::POLICY
        || f.starts_with("x-ignore-")
}

/// The uploaded file's name, as S3 puts it in place of `${filename}`.
#[derive(Debug, Clone, Copy)]
enum FileName<'a> {
    /// Not known: a field holding `${filename}` must pass for any name.
    Unknown,
    /// The name (already cut to what follows the last `/` or `\`).
    Known(&'a str),
}

/// What S3 keeps of a file part's name: the text after the last `/` or
/// `\` ("only the text following the last slash (/) or backslash (\)").
fn base_name(filename: &str) -> &str {
    filename
        .rfind(['/', '\\'])
        .map_or(filename, |i| &filename[i + 1..])
}

/// Why a condition fails for a field whose value holds `${filename}` when
/// the file's name is unknown, or `None` when it holds for every name.
fn check_open_value(condition: &Condition, before_placeholder: &str) -> Option<&'static str> {
    match condition {
        Condition::Eq { .. } => Some(
            "the value holds ${filename}, which S3 replaces with the file's name, but the policy requires an exact value",
        ),
        Condition::StartsWith { prefix, .. } => (!before_placeholder.starts_with(prefix.as_str()))
            .then_some("the value before ${filename} does not start with the policy's prefix"),
        _ => None,
    }
}

fn check_conditions(
    conditions: &[Condition],
    fields: &[(&str, &str)],
    file_name: FileName<'_>,
    file_size: u64,
    bucket: &str,
) -> Result<(), VerifyError> {
    // The values S3 checks: `${filename}` replaced when the name is known.
    let replaced: Vec<std::borrow::Cow<'_, str>> = fields
        .iter()
        .map(|(_, v)| match file_name {
            FileName::Known(name) if v.contains(FILENAME_PLACEHOLDER) => {
                std::borrow::Cow::Owned(v.replace(FILENAME_PLACEHOLDER, name))
            }
            _ => std::borrow::Cow::Borrowed(*v),
        })
        .collect();
    let position = |name: &str| {
        fields
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let value_of = |name: &str| -> Option<&str> {
        if name.eq_ignore_ascii_case("bucket") {
            return Some(bucket);
        }
        position(name).map(|i| replaced[i].as_ref())
    };
    for c in conditions {
        // With the name unknown, a field holding the placeholder must pass
        // whatever S3 puts in its place.
        if let (FileName::Unknown, Some(field)) = (file_name, c.field())
            && !field.eq_ignore_ascii_case("bucket")
            && let Some(value) = position(field).map(|i| fields[i].1)
            && let Some(at) = value.find(FILENAME_PLACEHOLDER)
        {
            if let Some(reason) = check_open_value(c, &value[..at]) {
                return Err(VerifyError::PolicyViolation {
                    field: excerpt(field),
                    reason,
                });
            }
            continue;
        }
        if let Err((field, reason)) = c.check_received(value_of, file_size) {
            return Err(VerifyError::PolicyViolation {
                field: excerpt(field),
                reason,
            });
        }
    }
    for (name, _) in fields {
        let covered = exempt(name)
            || conditions
                .iter()
                .any(|c| c.field().is_some_and(|f| f.eq_ignore_ascii_case(name)));
        if !covered {
            return Err(VerifyError::FieldNotInPolicy {
                field: excerpt(name),
            });
        }
    }
    Ok(())
}
