//! One condition of a POST policy: its constructors, its JSON form (parsed
//! and written), the checks that a policy's conditions can all hold, and
//! whether a received form satisfies it.

use core::fmt;

use serde_json::Value;

use crate::error::{Error, excerpt};

use super::json::write_json_string_body;
use crate::encode::itoa_u64;

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

pub(super) fn policy_error(reason: impl Into<String>) -> Error {
    Error::InvalidPolicy {
        reason: reason.into(),
    }
}

/// Strips the one `$` S3 writes in front of field names in array
/// conditions; a name given without it is taken as is.
#[inline]
pub(super) fn field_name(name: &str) -> &str {
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

    /// The condition as a borrowed view.
    #[inline]
    pub(super) fn view(&self) -> CondRef<'_> {
        match self {
            Condition::Eq { field, value } => CondRef::Eq { field, value },
            Condition::StartsWith { field, prefix } => CondRef::StartsWith { field, prefix },
            Condition::ContentLengthRange { min, max } => CondRef::ContentLengthRange {
                min: *min,
                max: *max,
            },
        }
    }
}

/// A condition whose texts are borrowed: what signing checks and writes,
/// from the builder's texts, without a `String` per condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CondRef<'c> {
    /// [`Condition::Eq`].
    Eq {
        /// The field name.
        field: &'c str,
        /// The required value.
        value: &'c str,
    },
    /// [`Condition::StartsWith`]; the field without `$`.
    StartsWith {
        /// The field name, without `$`.
        field: &'c str,
        /// The required prefix.
        prefix: &'c str,
    },
    /// [`Condition::ContentLengthRange`].
    ContentLengthRange {
        /// The smallest size allowed.
        min: u64,
        /// The largest size allowed.
        max: u64,
    },
}

impl<'c> CondRef<'c> {
    /// The field the condition is about (`None` for a size range).
    #[inline]
    pub(super) fn field(&self) -> Option<&'c str> {
        match *self {
            CondRef::Eq { field, .. } | CondRef::StartsWith { field, .. } => Some(field),
            CondRef::ContentLengthRange { .. } => None,
        }
    }

    /// The condition as compact JSON, appended to `out`.
    pub(super) fn write_json(&self, out: &mut String) {
        match *self {
            CondRef::Eq { field, value } => {
                out.push_str("{\"");
                write_json_string_body(field, out);
                out.push_str("\":\"");
                write_json_string_body(value, out);
                out.push_str("\"}");
            }
            CondRef::StartsWith { field, prefix } => {
                out.push_str("[\"starts-with\",\"$");
                write_json_string_body(field, out);
                out.push_str("\",\"");
                write_json_string_body(prefix, out);
                out.push_str("\"]");
            }
            CondRef::ContentLengthRange { min, max } => {
                out.push_str("[\"content-length-range\",");
                out.push_str(itoa_u64(min).as_str());
                out.push(',');
                out.push_str(itoa_u64(max).as_str());
                out.push(']');
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
        self.view().write_json(&mut s);
        f.write_str(&s)
    }
}

/// Refuses a field name a caller gives that is empty, has a control
/// character, or is one of `reserved` (in any case).
pub(super) fn check_field_name(name: &str, reserved: &[&str]) -> Result<(), Error> {
    if name.is_empty() {
        return Err(policy_error("a field name is empty"));
    }
    if name.bytes().any(|b| b.is_ascii_control()) {
        return Err(policy_error(format!(
            "the field name {:?} has a control character",
            excerpt(name)
        )));
    }
    if let Some(r) = reserved.iter().find(|r| same_name(r, name)) {
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
pub(super) fn check_consistency(conditions: &[CondRef<'_>]) -> Result<(), Error> {
    let mut ranges = 0;
    for (i, &c) in conditions.iter().enumerate() {
        let earlier = || conditions[..i].iter().copied();
        match c {
            CondRef::ContentLengthRange { min, max } => {
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
            CondRef::Eq { field, value } => {
                if field.eq_ignore_ascii_case("success_action_status")
                    && !matches!(value, "200" | "201" | "204")
                {
                    return Err(policy_error(
                        "success_action_status must be 200, 201 or 204",
                    ));
                }
                for other in earlier() {
                    let same_field = other.field().is_some_and(|f| same_name(f, field));
                    let clash = match other {
                        CondRef::Eq { value: v, .. } => same_field && v != value,
                        CondRef::StartsWith { prefix, .. } => {
                            same_field && !value.starts_with(prefix)
                        }
                        CondRef::ContentLengthRange { .. } => false,
                    };
                    if clash {
                        return Err(contradiction(field));
                    }
                }
            }
            CondRef::StartsWith { field, prefix } => {
                for other in earlier() {
                    let same_field = other.field().is_some_and(|f| same_name(f, field));
                    let clash = match other {
                        CondRef::Eq { value, .. } => same_field && !value.starts_with(prefix),
                        CondRef::StartsWith { prefix: p, .. } => {
                            same_field && !(p.starts_with(prefix) || prefix.starts_with(p))
                        }
                        CondRef::ContentLengthRange { .. } => false,
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

/// Whether two field names are the same (S3 compares them ignoring ASCII
/// case); the lengths first, which tell most names apart.
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b)
}

fn contradiction(field: &str) -> Error {
    policy_error(format!(
        "the conditions on {:?} contradict each other",
        excerpt(field)
    ))
}

impl Condition {
    /// Whether a received form satisfies the condition. `value_of` gives the
    /// value the form carries for a field name (`None` when it has none);
    /// `file_size` is the uploaded file's size in bytes. On failure, the
    /// field to name (`content-length` for a size range) and why.
    pub(crate) fn check_received<'v>(
        &self,
        value_of: impl FnOnce(&str) -> Option<&'v str>,
        file_size: u64,
    ) -> Result<(), (&str, &'static str)> {
        let (field, failure) = match self {
            Condition::Eq { field, value } => (
                field.as_str(),
                match value_of(field) {
                    Some(v) if v == value => None,
                    Some(_) => Some("the value differs from the policy's"),
                    None => Some("the policy requires this field"),
                },
            ),
            Condition::StartsWith { field, prefix } => (
                field.as_str(),
                match value_of(field) {
                    Some(v) if v.starts_with(prefix.as_str()) => None,
                    Some(_) => Some("the value does not start with the policy's prefix"),
                    None => Some("the policy requires this field"),
                },
            ),
            Condition::ContentLengthRange { min, max } => (
                "content-length",
                (file_size < *min || file_size > *max)
                    .then_some("the file size is outside content-length-range"),
            ),
        };
        match failure {
            Some(reason) => Err((field, reason)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
