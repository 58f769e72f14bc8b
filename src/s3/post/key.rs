//! The object key a POST upload may use, and the condition that pins it.

use super::conditions::Condition;
use crate::wire;

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
        let condition = field_condition(wire::form::KEY, &key);
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
            condition: Condition::starts_with(wire::form::KEY, prefix),
        }
    }

    /// The value of the form's `key` field.
    pub fn field_value(&self) -> &str {
        &self.field
    }

    /// The condition on the `key` field that signing adds.
    pub(super) fn condition(&self) -> &Condition {
        &self.condition
    }
}

/// The condition that pins a form field's value: an exact match, or, when
/// the value holds `${filename}` (which S3 replaces in every field before
/// checking the policy), a `starts-with` on the part before its first
/// occurrence.
pub(super) fn field_condition(name: &str, value: &str) -> Condition {
    match value.find(FILENAME_PLACEHOLDER) {
        Some(i) => Condition::starts_with(name, &value[..i]),
        None => Condition::eq(name, value),
    }
}
