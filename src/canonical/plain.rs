//! The straight-line S3 presign writer: the common case (an object path,
//! no caller query parameters, a few caller headers) written in one pass.

use super::headers::{INLINE_HEADERS, InlineHeaders, SortedHeaders};
use super::path::write_s3_path;
use super::{Auth, Layout, UNSIGNED_PAYLOAD};
use crate::encode::Sink;
use crate::error::Error;
use crate::request::{Parts, PathSource, Payload, QuerySource};
use crate::wire;

/// The common S3 presign, written in a straight line: an object (or bucket)
/// path, no caller query parameters and at most [`INLINE_HEADERS`] caller
/// headers, so the query is the signer's six (five without a token).
/// `Ok(false)` for anything else, which [`write`] then handles in general;
/// with `Ok(true)`, `layout` says where the pieces are.
/// Writes the same bytes as the general path (a unit test compares them).
#[inline(always)]
pub(crate) fn write_plain_presign(
    req: &Parts<'_>,
    auth: &Auth<'_>,
    expires_text: &[u8],
    buf: &mut Vec<u8>,
    layout: &mut Layout,
) -> Result<bool, Error> {
    let (
        Auth::Query {
            query_head,
            amz_date,
            token_encoded,
            token_kind,
            region_set: None,
            ..
        },
        PathSource::S3Object {
            prefix,
            bucket,
            key,
        },
        QuerySource::Pairs([]),
        Payload::Unsigned,
    ) = (auth, &req.path, &req.query, &req.payload)
    else {
        return Ok(false);
    };
    if req.headers.len() > INLINE_HEADERS {
        return Ok(false);
    }
    // Caller headers, checked and sorted before anything is written.
    let inline = match req.headers {
        [] => None,
        headers => Some(SortedHeaders::Inline(InlineHeaders::new(
            req.host, headers,
        )?)),
    };
    const SIGNED_HOST: &[u8] = concat!(
        "&",
        wire::query::x_amz_signed_headers!(),
        "=",
        wire::header::host!(),
        "\n",
        wire::header::host!(),
        ":"
    )
    .as_bytes();
    const TAIL: &[u8] = concat!(
        "\n\n",
        wire::header::host!(),
        "\n",
        wire::unsigned_payload!()
    )
    .as_bytes();
    buf.reserve(
        req.method.len()
            + prefix.len() * 3
            + bucket.map_or(0, str::len)
            + key.map_or(0, |k| 3 * k.len())
            + query_head.len()
            + 60
            + SIGNED_HOST.len()
            + req.host.len()
            + TAIL.len()
            // The hash padding, written in place after the request.
            + 72
            + req
                .headers
                .iter()
                .map(|(n, v)| 4 * n.len() + v.len() + 2)
                .sum::<usize>(),
    );
    buf.put(req.method.as_bytes());
    buf.put_byte(b'\n');
    let path_start = buf.len();
    write_s3_path(prefix, *bucket, *key, buf);
    let path = path_start..buf.len();
    buf.put_byte(b'\n');
    let query_start = buf.len();
    buf.put(query_head.as_bytes());
    buf.put(amz_date.as_bytes());
    buf.put(concat!("&", wire::query::x_amz_expires!(), "=").as_bytes());
    buf.put(expires_text);
    let mut token_at = None;
    if token_encoded.is_some() {
        buf.put_byte(b'&');
        buf.put(token_kind.query().as_bytes());
        buf.put_byte(b'=');
        token_at = Some(buf.len());
    }
    let Some(inline) = inline else {
        // Only `host`: constant text around the host.
        buf.put(SIGNED_HOST);
        let query = query_start..buf.len() - "\n:".len() - wire::header::HOST.len();
        buf.put(req.host.as_bytes());
        buf.put(TAIL);
        let end = buf.len();
        *layout = Layout {
            path,
            query,
            signed_headers: end - TAIL.len() + 2..end - UNSIGNED_PAYLOAD.len() - 1,
            payload_hash: end - UNSIGNED_PAYLOAD.len()..end,
            token_at,
        };
        return Ok(true);
    };
    buf.put(concat!("&", wire::query::x_amz_signed_headers!(), "=").as_bytes());
    inline.write_names(&[], true, buf);
    let query = query_start..buf.len();
    buf.put_byte(b'\n');
    let (signed_headers, payload_hash) = inline.write_tail(&[], &req.payload, buf)?;
    *layout = Layout {
        path,
        query,
        signed_headers,
        payload_hash,
        token_at,
    };
    Ok(true)
}
