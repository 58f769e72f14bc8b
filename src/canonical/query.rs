//! The canonical query string: the caller's parameters decoded, encoded
//! again and sorted, merged with the signer's `X-Amz-*` parameters.

use core::ops::Range;

use super::Auth;
use super::headers::SortedHeaders;
use crate::encode::{self, Sink};
use crate::error::Error;
use crate::request::{QuerySource, ReceivedQuery};
use crate::wire;

/// Query parameters query signing writes itself, in canonical order.
const RESERVED_QUERY: [&str; 8] = wire::query::SIGNER_WRITES;

/// Whether a raw query is its own canonical form, with no parameter the
/// signer reserves: only unreserved bytes, `=` and `&` (nothing to decode
/// or encode), every parameter `name=value` with a name, sorted by name then
/// value, and no name starting `x-amz-` in any case (the general path
/// checks those against the signer's).
pub(super) fn is_canonical_raw(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut previous: Option<(&[u8], &[u8])> = None;
    // Where the current parameter starts, and its `=`.
    let (mut start, mut eq) = (0, None);
    let mut i = 0;
    // One pass, a byte at a time; the end of the query ends the last
    // parameter as `&` does.
    loop {
        // The run of unreserved bytes (most of a query) in a tight loop.
        while i < b.len() && encode::is_unreserved(b[i]) {
            i += 1;
        }
        match b.get(i) {
            Some(b'=') if eq.is_none() => eq = Some(i),
            None | Some(b'&') => {
                let Some(eq) = eq.take() else {
                    return false;
                };
                let (name, value) = (&b[start..eq], &b[eq + 1..i]);
                if name.is_empty()
                    || name
                        .get(..6)
                        .is_some_and(|p| p.eq_ignore_ascii_case(b"x-amz-"))
                    || previous.is_some_and(|p| p > (name, value))
                {
                    return false;
                }
                if i == b.len() {
                    return true;
                }
                previous = Some((name, value));
                start = i + 1;
            }
            Some(_) => return false,
        }
        i += 1;
    }
}

pub(crate) struct Param {
    pub(crate) name: Range<usize>,
    pub(crate) value: Range<usize>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn write_query(
    query: &QuerySource<'_>,
    auth: &Auth<'_>,
    expires_text: &[u8],
    sorted: &SortedHeaders<'_>,
    side: &mut Vec<u8>,
    params: &mut Vec<Param>,
    out: &mut Vec<u8>,
) -> Result<Option<usize>, Error> {
    let (received, token_unsigned) = match auth {
        Auth::Received { token_unsigned } => (true, *token_unsigned),
        _ => (false, false),
    };
    let v4a = auth.region_set().is_some();
    let mut add = |side: &mut Vec<u8>, name: &[u8], value: &[u8], requote: bool| {
        // A received query is read as S3 reads it (`+` is a space); a
        // caller's raw query to sign keeps `+` as a plus (RFC 3986).
        let requote_one = |bytes: &[u8], side: &mut Vec<u8>| match (requote, received) {
            (true, true) => encode::write_requoted_form_component(bytes, side),
            (true, false) => encode::write_requoted_query_component(bytes, side),
            (false, _) => encode::write_query_component(bytes, side),
        };
        let n = side.len();
        requote_one(name, side);
        let v = side.len();
        requote_one(value, side);
        if received {
            // The signature is not part of what it signs, nor is a token
            // added after signing.
            let name = &side[n..v];
            if name == wire::query::X_AMZ_SIGNATURE.as_bytes()
                || (token_unsigned && name == wire::query::X_AMZ_SECURITY_TOKEN.as_bytes())
            {
                side.truncate(n);
                return Ok(());
            }
        } else if let Some(reserved) = RESERVED_QUERY
            .iter()
            .chain(v4a.then_some(&wire::query::X_AMZ_REGION_SET))
            .find(|r| r.as_bytes().eq_ignore_ascii_case(&side[n..v]))
        {
            return Err(Error::ReservedQueryParameter {
                name: (*reserved).to_owned(),
            });
        }
        params.push(Param {
            name: n..v,
            value: v..side.len(),
        });
        Ok(())
    };
    // Header signing of a query that is canonical already (an API call's
    // `Action=ListUsers&Version=2010-05-08`): written as it is.
    if let (QuerySource::Raw(raw), Auth::Header { .. }) = (query, auth)
        && is_canonical_raw(raw)
    {
        out.put(raw.as_bytes());
        return Ok(None);
    }
    match query {
        // Canonical as received: written as it is.
        QuerySource::Received(canonical @ ReceivedQuery::Canonical { .. }) => {
            canonical.write_canonical(out);
            return Ok(None);
        }
        QuerySource::Raw(raw) | QuerySource::Received(ReceivedQuery::Raw(raw)) => {
            if raw.bytes().any(|b| b.is_ascii_control() || b == b'#') {
                return Err(Error::InvalidQuery {
                    reason: "contains a control character or '#'",
                });
            }
            for piece in raw.split('&').filter(|p| !p.is_empty()) {
                let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
                add(side, name.as_bytes(), value.as_bytes(), true)?;
            }
        }
        QuerySource::Pairs(pairs) => {
            for (name, value) in pairs.iter() {
                if name.is_empty() {
                    return Err(Error::InvalidQuery {
                        reason: "a parameter name is empty",
                    });
                }
                add(side, name.as_bytes(), value.as_str().as_bytes(), false)?;
            }
        }
    }
    // The caller's parameters, sorted by name then value...
    if params.len() > 1 {
        params.sort_by(|a, b| {
            side[a.name.clone()]
                .cmp(&side[b.name.clone()])
                .then_with(|| side[a.value.clone()].cmp(&side[b.value.clone()]))
        });
    }
    // ...merged with the signer's, which are already in order and written
    // straight into the output. No name can be equal: the caller's may not
    // be reserved ones.
    let mut token_at = None;
    if let Auth::Query {
        query_head,
        credential,
        amz_date,
        expires: _,
        token_encoded,
        token_kind,
        region_set,
    } = auth
    {
        let name = |p: &Param| &side[p.name.clone()];
        let param = |p: &Param, out: &mut Vec<u8>| {
            out.put(&side[p.name.clone()]);
            out.put_byte(b'=');
            out.put(&side[p.value.clone()]);
        };
        // The usual case: the caller's parameters sort before or after all
        // of the signer's, which are then written as one run.
        let before = params.partition_point(|p| name(p) < RESERVED_QUERY[0].as_bytes());
        if params
            .get(before)
            .is_none_or(|p| name(p) > wire::query::X_AMZ_SIGNED_HEADERS.as_bytes())
        {
            for p in &params[..before] {
                param(p, out);
                out.put_byte(b'&');
            }
            out.put(query_head.as_bytes());
            out.put(amz_date.as_bytes());
            out.put(concat!("&", wire::query::x_amz_expires!(), "=").as_bytes());
            out.put(expires_text);
            if let Some(region_set) = region_set {
                out.put(concat!("&", wire::query::x_amz_region_set!(), "=").as_bytes());
                out.put(region_set.as_bytes());
            }
            if token_encoded.is_some() {
                out.put_byte(b'&');
                out.put(token_kind.query().as_bytes());
                out.put_byte(b'=');
                token_at = Some(out.len());
            }
            out.put(concat!("&", wire::query::x_amz_signed_headers!(), "=").as_bytes());
            sorted.write_names(side, true, out);
            for p in &params[before..] {
                out.put_byte(b'&');
                param(p, out);
            }
            return Ok(token_at);
        }
        // Otherwise, interleaved by name.
        let mut user = params.iter().peekable();
        let mut first = true;
        let mut sep = |out: &mut Vec<u8>| {
            if !first {
                out.put_byte(b'&');
            }
            first = false;
        };
        // The signer's names in canonical order; SigV4a's region set sorts
        // between the expiry and the token (either token's name).
        let names = [
            wire::query::X_AMZ_ALGORITHM,
            wire::query::X_AMZ_CREDENTIAL,
            wire::query::X_AMZ_DATE,
            wire::query::X_AMZ_EXPIRES,
            wire::query::X_AMZ_REGION_SET,
            token_kind.query(),
            wire::query::X_AMZ_SIGNED_HEADERS,
        ];
        for (i, signer_name) in names.iter().enumerate() {
            if (i == 4 && region_set.is_none()) || (i == 5 && token_encoded.is_none()) {
                continue;
            }
            while let Some(p) = user.next_if(|p| name(p) < signer_name.as_bytes()) {
                sep(out);
                param(p, out);
            }
            sep(out);
            out.put(signer_name.as_bytes());
            out.put_byte(b'=');
            match i {
                0 => out.put(auth.algorithm().as_bytes()),
                1 => out.put(credential.as_bytes()),
                2 => out.put(amz_date.as_bytes()),
                3 => out.put(expires_text),
                4 => out.put(region_set.unwrap_or_default().as_bytes()),
                5 => token_at = Some(out.len()),
                _ => sorted.write_names(side, true, out),
            }
        }
        for p in user {
            sep(out);
            param(p, out);
        }
        return Ok(token_at);
    }
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.put_byte(b'&');
        }
        out.put(&side[p.name.clone()]);
        out.put_byte(b'=');
        out.put(&side[p.value.clone()]);
    }
    Ok(None)
}
