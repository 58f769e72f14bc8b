//! The canonical URI: a path as received, or an S3 object's path.

use crate::encode::{self, Sink};
use crate::error::Error;

/// The canonical URI of an S3 request: the endpoint's path prefix (wire
/// form), `/bucket` when path-style, then `/` and the key encoded once; `/`
/// alone for a virtual-hosted bucket.
pub(crate) fn write_s3_path(
    prefix: &str,
    bucket: Option<&str>,
    key: Option<&str>,
    buf: &mut Vec<u8>,
) {
    if !prefix.is_empty() {
        encode::write_requoted_path(prefix.as_bytes(), buf);
    }
    if let Some(bucket) = bucket {
        buf.put_byte(b'/');
        buf.put(bucket.as_bytes());
    }
    match key {
        Some(key) => {
            buf.put_byte(b'/');
            encode::write_path(key.as_bytes(), buf);
        }
        None if bucket.is_none() => buf.put_byte(b'/'),
        None => {}
    }
}

pub(crate) fn check_path(path: &str) -> Result<(), Error> {
    if !path.starts_with('/') {
        return Err(Error::InvalidPath {
            reason: "must start with '/'",
        });
    }
    // (Every byte looked at, with no early exit, so that it vectorizes.)
    let bad = path
        .bytes()
        .fold(false, |bad, b| bad | b.is_ascii_control() | (b == b'#'));
    if bad {
        return Err(Error::InvalidPath {
            reason: "contains a control character or '#'",
        });
    }
    Ok(())
}
