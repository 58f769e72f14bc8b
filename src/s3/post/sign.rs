//! Signing a policy: its checks, then the policy document and the form
//! written once each, into one buffer apiece.

use std::sync::OnceLock;

use base64::Engine as _;

use super::conditions::{CondRef, check_consistency, check_field_name, policy_error};
use super::form::{FieldSpan, PresignedPost, Span, TokenAt, put};
use super::json::{json_string_len, write_json_string_body};
use super::policy::{expiration, write_policy_head};
use super::{BASE64, Entry, PostPolicy, RESERVED_FIELDS};
use crate::credentials::Credentials;
use crate::error::{Error, excerpt};
use crate::string_to_sign::ALGORITHM;
use crate::wire;

/// `{"x-amz-…":` … `}` and the comma before it: what a condition of a
/// given field and value adds to the policy besides their texts.
const CONDITION_OVERHEAD: usize = 32;

/// How many conditions signing keeps on the stack.
const INLINE: usize = 16;

impl PostPolicy<'_> {
    /// Checks the conditions and signs the policy.
    ///
    /// Fails with [`Error::ReservedPostField`] for a field signing writes,
    /// [`Error::InvalidPolicy`] for malformed or contradictory conditions,
    /// [`Error::ExpiresOutOfRange`] and the credential-expiry errors, and
    /// [`Error::TimeOutOfRange`] when the policy would expire after the year
    /// 9999 (an expiry above the default cap, see
    /// [`Bucket::max_expires`](crate::s3::Bucket::max_expires)); with
    /// [`Error::UnsupportedArn`] for a bucket given as an access point ARN.
    pub fn sign(&self, credentials: &Credentials) -> Result<PresignedPost, Error> {
        let bucket = self.bucket;
        // Access points and Multi-Region Access Points take no POST uploads.
        bucket.check_post_allowed()?;
        bucket.check_credentials(credentials)?;
        let signer = bucket.signer();
        let expires = signer.check_expiry(self.expires_in, credentials, self.time)?;
        let expiration = expiration(self.time, expires)?;
        // The conditions from the bucket, the key and the builder, in the
        // policy's order, on the stack when there are few (signing adds
        // the algorithm's, the credential's, the date's and the token's
        // after them).
        let mut inline = [CondRef::ContentLengthRange { min: 0, max: 0 }; INLINE];
        let spilled: Vec<CondRef<'_>>;
        let count = 2 + self.entries.len();
        let conditions: &[CondRef<'_>] = if count <= INLINE {
            inline[0] = CondRef::Eq {
                field: "bucket",
                value: bucket.name(),
            };
            inline[1] = self.key.condition();
            for (slot, e) in inline[2..].iter_mut().zip(&self.entries) {
                *slot = e.condition();
            }
            &inline[..count]
        } else {
            spilled = self.conditions(bucket.name()).collect();
            &spilled
        };
        self.check(conditions)?;

        // The thread's last key, as presigning looks it up (no lock); its
        // scope text is the credential's after the key id.
        let mut key = signer.key_cache().key(credentials, signer.scope(self.time));
        let key = key.parts().0;
        let credential = [credentials.access_key_id(), "/", key.scope()];
        let credential_len: usize = credential.iter().map(|p| p.len()).sum();
        let amz_date = self.time.amz_date();
        // The token's field: S3 Express sessions name it as botocore's
        // S3ExpressPostAuth does.
        let token = credentials.session_token().map(|token| {
            let name = if credentials.is_s3_express_session() {
                wire::query::X_AMZ_S3SESSION_TOKEN
            } else {
                wire::header::X_AMZ_SECURITY_TOKEN
            };
            (name, token)
        });

        // The policy document first, from the builder's texts. The token
        // goes in last, after a reservation that fits the rest exactly, so
        // that no block the buffer leaves behind holds it.
        let texts: usize = conditions
            .iter()
            .map(|&c| condition_texts(c) + CONDITION_OVERHEAD)
            .sum();
        let mut json = String::with_capacity(64 + texts + 3 * CONDITION_OVERHEAD + credential_len);
        write_policy_head(expiration, &mut json);
        for (i, c) in conditions.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            c.write_json(&mut json);
        }
        // The names, the algorithm and the date need no escaping.
        for (name, value) in [
            (wire::form::X_AMZ_ALGORITHM, ALGORITHM),
            (wire::form::X_AMZ_CREDENTIAL, ""),
            (wire::header::X_AMZ_DATE, amz_date.as_str()),
        ] {
            json.push_str(",{\"");
            json.push_str(name);
            json.push_str("\":\"");
            if value.is_empty() {
                for part in credential {
                    write_json_string_body(part, &mut json);
                }
            } else {
                json.push_str(value);
            }
            json.push_str("\"}");
        }
        let mut token_in_json = None;
        if let Some((name, token)) = token {
            json.reserve(json_string_len(name) + json_string_len(token) + 6);
            let start = json.len();
            json.push_str(",{\"");
            json.push_str(name);
            json.push_str("\":\"");
            write_json_string_body(token, &mut json);
            json.push_str("\"}");
            token_in_json = Some(Span {
                start,
                end: json.len(),
            });
        }
        json.push_str("]}");

        // Then the form, in one buffer sized exactly: the URL, the texts of
        // the conditions that are no field's, and the fields.
        // The URL: `Bucket::base_url`, and a `/` for virtual-hosted style,
        // written in place.
        let resolved = &bucket.resolved;
        let scheme = resolved.scheme.as_str();
        let url_len = scheme.len()
            + "://".len()
            + resolved.host.len()
            + resolved.prefix.len()
            + 1
            + if resolved.path_style {
                bucket.name.len()
            } else {
                0
            };
        let policy_base64_len = json.len().div_ceil(3) * 4;
        let text_len = url_len
            + wire::form::KEY.len()
            + self.key.field_value().len()
            + self
                .entries
                .iter()
                .filter_map(Entry::field)
                .map(|(name, value)| name.len() + value.len())
                .sum::<usize>()
            + wire::form::X_AMZ_ALGORITHM.len()
            + ALGORITHM.len()
            + wire::form::X_AMZ_CREDENTIAL.len()
            + credential_len
            + wire::header::X_AMZ_DATE.len()
            + amz_date.as_str().len()
            + token.map_or(0, |(name, token)| name.len() + token.len())
            + wire::form::POLICY.len()
            + policy_base64_len
            + wire::form::X_AMZ_SIGNATURE.len()
            + 64;
        let field_count = self.entries.iter().filter(|e| e.field().is_some()).count()
            + 6
            + usize::from(token.is_some());
        let mut text = String::with_capacity(text_len);
        let mut fields = Vec::with_capacity(field_count);

        let url = {
            let start = text.len();
            text.push_str(scheme);
            text.push_str("://");
            text.push_str(&resolved.host);
            text.push_str(&resolved.prefix);
            text.push('/');
            if resolved.path_style {
                text.push_str(&bucket.name);
            }
            Span {
                start,
                end: text.len(),
            }
        };
        field(
            &mut text,
            &mut fields,
            wire::form::KEY,
            self.key.field_value(),
        );
        for (name, value) in self.entries.iter().filter_map(Entry::field) {
            field(&mut text, &mut fields, name, value);
        }
        for (name, value) in [
            (wire::form::X_AMZ_ALGORITHM, ALGORITHM),
            (wire::form::X_AMZ_CREDENTIAL, ""),
            (wire::header::X_AMZ_DATE, amz_date.as_str()),
        ] {
            let name = put(&mut text, name);
            let value = if value.is_empty() {
                // The credential, written in parts.
                let start = text.len();
                credential.iter().for_each(|p| text.push_str(p));
                Span {
                    start,
                    end: text.len(),
                }
            } else {
                put(&mut text, value)
            };
            fields.push(FieldSpan { name, value });
        }
        let token = token.zip(token_in_json).map(|((name, token), in_policy)| {
            field(&mut text, &mut fields, name, token);
            TokenAt {
                field: fields.len() - 1,
                in_policy,
            }
        });
        let policy_name = put(&mut text, wire::form::POLICY);
        let start = text.len();
        BASE64.encode_string(&json, &mut text);
        let policy = Span {
            start,
            end: text.len(),
        };
        fields.push(FieldSpan {
            name: policy_name,
            value: policy,
        });

        let signature = key.sign(&text.as_bytes()[start..policy.end]);
        field(
            &mut text,
            &mut fields,
            wire::form::X_AMZ_SIGNATURE,
            signature.to_hex().as_str(),
        );

        Ok(PresignedPost {
            text,
            url,
            fields,
            policy_json: json,
            expiration,
            signature,
            token,
            owned_conditions: OnceLock::new(),
        })
    }

    /// The conditions from the bucket, the key and the builder, in the
    /// policy's order.
    fn conditions<'s>(&'s self, bucket: &'s str) -> impl Iterator<Item = CondRef<'s>> + Clone + 's {
        let bucket = CondRef::Eq {
            field: "bucket",
            value: bucket,
        };
        [bucket, self.key.condition()]
            .into_iter()
            .chain(self.entries.iter().map(Entry::condition))
    }

    /// Refuses fields signing writes, fields given twice, and conditions
    /// no upload could meet, of [`conditions`](Self::conditions).
    fn check(&self, conditions: &[CondRef<'_>]) -> Result<(), Error> {
        let fields = || self.entries.iter().filter_map(Entry::field);
        for (i, (name, _)) in fields().enumerate() {
            check_field_name(name, &RESERVED_FIELDS)?;
            // A form carries each field once (S3 and the verifier refuse
            // repeats).
            if fields().take(i).any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return Err(policy_error(format!(
                    "the field {:?} is given twice",
                    excerpt(name)
                )));
            }
        }
        // Conditions may also narrow `key` and `bucket`; a contradiction with
        // the signed key or bucket is caught below.
        for field in conditions.iter().skip(2).filter_map(CondRef::field) {
            check_field_name(field, &RESERVED_FIELDS[2..])?;
        }
        // The conditions signing adds after these (algorithm, credential,
        // date, token) are on fields no other condition may name, so they
        // can contradict none.
        check_consistency(conditions)
    }
}

/// The length of a condition's texts, as the form's buffer holds them.
fn condition_texts(c: CondRef<'_>) -> usize {
    match c {
        CondRef::Eq { field, value } => field.len() + value.len(),
        CondRef::StartsWith { field, prefix } => field.len() + prefix.len(),
        CondRef::ContentLengthRange { .. } => 0,
    }
}

/// Appends a form field to `text` and `fields`.
fn field(text: &mut String, fields: &mut Vec<FieldSpan>, name: &str, value: &str) {
    fields.push(FieldSpan {
        name: put(text, name),
        value: put(text, value),
    });
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::s3::post::tests::{bucket, creds, t};
    use crate::s3::{Addressing, Bucket, Condition, Endpoint, PostKey};

    #[test]
    fn buffers_are_sized_exactly() {
        let b = bucket();
        let long = format!("TOKEN{}", "ü€".repeat(300));
        for creds in [
            creds(),
            creds().with_session_token("T").unwrap(),
            creds().with_session_token(&long).unwrap(),
        ] {
            let post = b
                .post_policy(PostKey::new("a/${filename}"), t(), Duration::from_secs(60))
                .field("$x-amz-meta-ü", "é${filename}")
                .condition(Condition::starts_with("$x-amz-meta-tag", "\"q\""))
                .content_length_range(1, 2)
                .acl("private")
                .sign(&creds)
                .unwrap();
            assert_eq!(post.text.len(), post.text.capacity());
            assert_eq!(post.fields.len(), post.fields.capacity());
            let token = usize::from(creds.session_token().is_some());
            assert_eq!(post.conditions().len(), 9 + token);
        }
    }

    #[test]
    fn the_url_is_the_buckets() {
        let region = || crate::Region::new("us-east-1").unwrap();
        let custom = |url: &str| Endpoint::custom(url).unwrap();
        for b in [
            bucket(),
            bucket().addressing(Addressing::Path).unwrap(),
            Bucket::new("uploads", region())
                .unwrap()
                .endpoint(custom("http://127.0.0.1:9000/base/path"))
                .unwrap(),
            Bucket::new("media", region())
                .unwrap()
                .endpoint(custom("https://ACCOUNT.r2.example.com:8443"))
                .unwrap()
                .addressing(Addressing::VirtualHosted)
                .unwrap(),
        ] {
            let post = b
                .post_policy(PostKey::new("k"), t(), Duration::from_secs(60))
                .sign(&creds())
                .unwrap();
            let slash = if b.is_path_style() { "" } else { "/" };
            assert_eq!(post.url(), format!("{}{slash}", b.base_url()));
        }
    }
}
