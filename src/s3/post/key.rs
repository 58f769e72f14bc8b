//! The object key a POST upload may use, and the condition that pins it.

use super::conditions::CondRef;
use crate::wire;

/// The object key a POST upload may use.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PostKey {
    field: String,
    /// The length of the prefix the key's condition requires (a
    /// `starts-with`), or `None` for an exact match.
    prefix_len: Option<usize>,
}

/// The placeholder S3 replaces with the uploaded file's name.
pub const FILENAME_PLACEHOLDER: &str = "${filename}";

impl PostKey {
    /// A key for the form's `key` field. When it contains `${filename}`
    /// (which S3 replaces with the uploaded file's name) the policy allows
    /// any key starting with the part before it; otherwise exactly this key.
    pub fn new(key: impl Into<String>) -> Self {
        let field = key.into();
        let prefix_len = placeholder_at(&field);
        PostKey { field, prefix_len }
    }

    /// Any key starting with `prefix`; the form's `key` field defaults to
    /// `prefix` followed by `${filename}`, and a client may change it to any
    /// key under the prefix. An empty prefix allows any key.
    pub fn starts_with(prefix: impl Into<String>) -> Self {
        let mut field = prefix.into();
        let prefix_len = Some(field.len());
        field.push_str(FILENAME_PLACEHOLDER);
        PostKey { field, prefix_len }
    }

    /// The value of the form's `key` field.
    pub fn field_value(&self) -> &str {
        &self.field
    }

    /// The condition on the `key` field that signing adds.
    #[inline]
    pub(super) fn condition(&self) -> CondRef<'_> {
        field_condition(wire::form::KEY, &self.field, self.prefix_len)
    }
}

/// Where the first `${filename}` in a form field's value starts: S3
/// replaces it in every field before checking the policy, so the field is
/// pinned by a `starts-with` on the part before it rather than exactly.
pub(super) fn placeholder_at(value: &str) -> Option<usize> {
    // A byte search for `$` rather than a substring search: most values
    // have none.
    let bytes = value.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&b| b == b'$') {
        let at = from + i;
        if bytes[at..].starts_with(FILENAME_PLACEHOLDER.as_bytes()) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The condition that pins a form field's value: an exact match, or a
/// `starts-with` on its first `prefix_len` bytes (see [`placeholder_at`]).
/// Either names the field exactly as the form does (a leading `$` is part
/// of the name, not JSON's marker).
#[inline]
pub(super) fn field_condition<'c>(
    name: &'c str,
    value: &'c str,
    prefix_len: Option<usize>,
) -> CondRef<'c> {
    match prefix_len.and_then(|n| value.get(..n)) {
        Some(prefix) => CondRef::StartsWith {
            field: name,
            prefix,
        },
        None => CondRef::Eq { field: name, value },
    }
}
