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

/// The policy document's head, `{"expiration":"2015-12-30T12:00:00.000Z","conditions":[`;
/// the conditions (comma-separated) and `]}` follow.
pub(super) fn write_policy_head(expiration: OffsetDateTime, out: &mut String) {
    // (Written digit by digit into one array: `write!` costs more than the
    // policy's hashing.) The year is 0 to 9999, checked by `expiration`.
    let year = u16::try_from(expiration.year()).unwrap_or(0);
    let mut text = *b"{\"expiration\":\"0000-00-00T00:00:00.000Z\",\"conditions\":[";
    let date = 15;
    for (at, n) in [
        (0, (year / 100) as u8),
        (2, (year % 100) as u8),
        (5, expiration.month() as u8),
        (8, expiration.day()),
        (11, expiration.hour()),
        (14, expiration.minute()),
        (17, expiration.second()),
    ] {
        text[date + at] = b'0' + n / 10 % 10;
        text[date + at + 1] = b'0' + n % 10;
    }
    // Only ASCII digits were written into ASCII.
    out.push_str(core::str::from_utf8(&text).unwrap_or_default());
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
