//! The signed form: where to post it, its fields, and the form written as
//! JSON or HTML.

use core::fmt;
use core::iter::FusedIterator;
use std::sync::OnceLock;

use time::OffsetDateTime;
use zeroize::Zeroize;

use crate::signature::Signature;
use crate::wire;

use super::conditions::Condition;
use super::json::write_json_string;
use super::policy::parse_policy_conditions;

/// Where a text lies in a [`PresignedPost`]'s buffer: `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
}

/// One form field: its name and value in the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FieldSpan {
    pub(super) name: Span,
    pub(super) value: Span,
}

/// Where a [`PresignedPost`] holds the session token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TokenAt {
    /// Its form field's index.
    pub(super) field: usize,
    /// Its condition in the policy document, with the comma before it.
    pub(super) in_policy: Span,
}

/// Appends `s` to `text`, and says where it went.
pub(super) fn put(text: &mut String, s: &str) -> Span {
    let start = text.len();
    text.push_str(s);
    Span {
        start,
        end: text.len(),
    }
}

/// The text at `span` (every span is made by [`put`], so this never falls
/// back to `""`).
fn at(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or_default()
}

/// A signed POST policy: where to post the form and the fields to send.
///
/// Post every field as a multipart form field in this order, then the file
/// as a field named `file`, last. The form's texts are held in one buffer
/// and the policy document in another; with temporary credentials both
/// hold the session token, and are then zeroized on drop. `Debug` redacts
/// the session token and the policy.
#[derive(Clone)]
pub struct PresignedPost {
    /// The URL and the form fields' names and values, one after another.
    pub(super) text: String,
    pub(super) url: Span,
    pub(super) fields: Vec<FieldSpan>,
    pub(super) policy_json: String,
    pub(super) expiration: OffsetDateTime,
    pub(super) signature: Signature,
    /// Where the session token is, if there is one.
    pub(super) token: Option<TokenAt>,
    /// [`conditions`](PresignedPost::conditions), made on first use.
    pub(super) owned_conditions: OnceLock<Vec<Condition>>,
}

impl PresignedPost {
    /// The form's action URL.
    pub fn url(&self) -> &str {
        at(&self.text, self.url)
    }

    /// The form fields as `(name, value)` pairs, `key` first, in the order
    /// to post them. Append the file last.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use presign::s3::{Bucket, PostKey};
    /// # use presign::{Credentials, Region, SigningTime};
    /// # let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
    /// # let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
    /// # let now = SigningTime::parse_amz_date("20260524T120000Z")?;
    /// let post = bucket
    ///     .post_policy(PostKey::new("uploads/a.txt"), now, Duration::from_secs(600))
    ///     .sign(&creds)?;
    /// let fields: Vec<(&str, &str)> = post.fields().collect();
    /// assert_eq!(fields[0], ("key", "uploads/a.txt"));
    /// assert_eq!(fields.last().unwrap().0, "x-amz-signature");
    /// # Ok::<(), presign::Error>(())
    /// ```
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            text: &self.text,
            spans: self.fields.iter(),
        }
    }

    /// The value of the form field `name` (compared ignoring ASCII case, as
    /// S3 does; a form carries each field once).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every condition signed, including the ones signing adds, in the
    /// policy's order: the [policy document](Self::policy_json)'s, read
    /// back from it on first use.
    pub fn conditions(&self) -> &[Condition] {
        self.owned_conditions.get_or_init(|| {
            // Signing wrote the document; it always parses. The token's
            // condition, the last, is left out of what the parser sees (it
            // would leave copies of the token in the blocks it frees), and
            // made from the token field instead.
            let Some(token) = self.token else {
                return parse_policy_conditions(&self.policy_json).unwrap_or_default();
            };
            let json = &self.policy_json;
            let without = [
                json.get(..token.in_policy.start).unwrap_or_default(),
                json.get(token.in_policy.end..).unwrap_or_default(),
            ]
            .concat();
            let mut conditions = parse_policy_conditions(&without).unwrap_or_default();
            if let Some((name, value)) = self.fields().nth(token.field) {
                conditions.push(Condition::Eq {
                    field: name.to_owned(),
                    value: value.to_owned(),
                });
            }
            conditions
        })
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
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 256);
        out.push_str("{\"url\":");
        write_json_string(self.url(), &mut out);
        out.push_str(",\"fields\":{");
        for (i, (name, value)) in self.fields().enumerate() {
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
    #[must_use]
    pub fn to_html_form(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 1024);
        out.push_str("<form action=\"");
        html_escape(self.url(), &mut out);
        out.push_str("\" method=\"post\" enctype=\"multipart/form-data\">\n");
        for (name, value) in self.fields() {
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

impl Drop for PresignedPost {
    fn drop(&mut self) {
        if self.token.is_some() {
            self.text.zeroize();
            self.policy_json.zeroize();
            if let Some(conditions) = self.owned_conditions.get_mut() {
                for c in conditions {
                    if let Condition::Eq { field, value }
                    | Condition::StartsWith {
                        field,
                        prefix: value,
                    } = c
                    {
                        field.zeroize();
                        value.zeroize();
                    }
                }
            }
        }
    }
}

/// The form fields of a [`PresignedPost`], as `(name, value)` pairs in
/// posting order; see [`PresignedPost::fields`].
#[derive(Clone)]
pub struct Fields<'a> {
    text: &'a str,
    spans: core::slice::Iter<'a, FieldSpan>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let f = self.spans.next()?;
        Some((at(self.text, f.name), at(self.text, f.value)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl DoubleEndedIterator for Fields<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let f = self.spans.next_back()?;
        Some((at(self.text, f.name), at(self.text, f.value)))
    }
}

impl ExactSizeIterator for Fields<'_> {}

impl FusedIterator for Fields<'_> {}

impl fmt::Debug for Fields<'_> {
    /// The fields left, the session token and the policy redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.clone().map(|(n, v)| (n, shown(n, v))))
            .finish()
    }
}

/// A field's value as `Debug` shows it: the session token and the policy
/// (which holds the token) redacted.
fn shown<'v>(name: &str, value: &'v str) -> &'v str {
    let secret = name == wire::header::X_AMZ_SECURITY_TOKEN
        || name == wire::query::X_AMZ_S3SESSION_TOKEN
        || name == wire::form::POLICY;
    if secret { "<redacted>" } else { value }
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
        f.debug_struct("PresignedPost")
            .field("url", &self.url())
            .field("fields", &self.fields())
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::s3::PostKey;
    use crate::s3::post::tests::{bucket, creds, t};

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
