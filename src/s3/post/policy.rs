//! The policy document: the JSON signing writes (with its `expiration`), and
//! its conditions parsed back.

use serde_json::Value;
use time::OffsetDateTime;

use crate::error::Error;
use crate::time::SigningTime;

use super::conditions::{Condition, policy_error};

/// The policy's expiration, `expires` seconds after `time`: a typed error,
/// not a panic or a wrapped date, past the year 9999 (the policy's
/// four-digit year), for any expiry a raised cap lets through.
pub(super) fn expiration(time: SigningTime, expires: u64) -> Result<OffsetDateTime, Error> {
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

/// `{"expiration":"2015-12-30T12:00:00.000Z","conditions":[...]}`.
pub(super) fn policy_json(expiration: OffsetDateTime, conditions: &[Condition]) -> String {
    let mut out = String::with_capacity(64 + 64 * conditions.len());
    // (Written digit by digit: `write!` costs more than the policy's
    // hashing.) The year is 0 to 9999, checked by `expiration`.
    let two = |n: u8| [char::from(b'0' + n / 10), char::from(b'0' + n % 10)];
    let year = u16::try_from(expiration.year()).unwrap_or(0);
    out.push_str("{\"expiration\":\"");
    out.extend(two((year / 100) as u8));
    out.extend(two((year % 100) as u8));
    out.push('-');
    out.extend(two(expiration.month() as u8));
    out.push('-');
    out.extend(two(expiration.day()));
    out.push('T');
    out.extend(two(expiration.hour()));
    out.push(':');
    out.extend(two(expiration.minute()));
    out.push(':');
    out.extend(two(expiration.second()));
    out.push_str(".000Z\",\"conditions\":[");
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
