//! The signed form: where to post it, its fields, and the form written as
//! JSON or HTML.

use core::fmt;

use time::OffsetDateTime;

use crate::signature::Signature;
use crate::wire;

use super::conditions::Condition;
use super::json::write_json_string;

/// A signed POST policy: where to post the form and the fields to send.
///
/// Post every field as a multipart form field in this order, then the file
/// as a field named `file`, last. `Debug` redacts the session token.
#[derive(Clone)]
pub struct PresignedPost {
    pub(super) url: String,
    pub(super) fields: Vec<(String, String)>,
    pub(super) conditions: Vec<Condition>,
    pub(super) policy_json: String,
    pub(super) expiration: OffsetDateTime,
    pub(super) signature: Signature,
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
    #[must_use]
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
    #[must_use]
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
                let secret = n == wire::header::X_AMZ_SECURITY_TOKEN
                    || n == wire::query::X_AMZ_S3SESSION_TOKEN
                    || n == wire::form::POLICY;
                let shown = if secret { "<redacted>" } else { v.as_str() };
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
