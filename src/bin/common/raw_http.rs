//! Raw HTTP/1.1 requests for the `presign-sign-request` and `presign-verify`
//! tools:
//! writing one, ready to send over a socket as is, and reading one back
//! the way a server reads it (request line, headers up to the blank line,
//! then exactly `Content-Length` bytes of body).
// Each tool uses part of this module.
#![allow(dead_code)]

/// One request as read from the wire.
pub struct RawRequest {
    pub method: String,
    /// The request target, as sent (`/path?query`).
    pub target: String,
    /// The headers in order, names as sent, values without the whitespace
    /// around them.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The most header bytes read before the blank line (as servers limit it).
const MAX_HEAD: usize = 64 * 1024;

/// Writes a request: the request line, `Host`, `headers` in order,
/// `Content-Length`, a blank line and the body, lines ending in CRLF.
///
/// Fails on a name or value that would break the framing (a CR, LF or
/// NUL, or a name that is not a token).
pub fn write_request(
    method: &str,
    target: &str,
    host: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Vec<u8>, String> {
    if !is_token(method) {
        return Err(format!("invalid method {method:?}"));
    }
    if !target.starts_with('/') || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(
            "the request target must start with / and hold no space or control byte".into(),
        );
    }
    let length = body.len().to_string();
    let all = [("Host", host)]
        .into_iter()
        .chain(headers.iter().copied())
        .chain([("Content-Length", length.as_str())]);
    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(format!("{method} {target} HTTP/1.1\r\n").as_bytes());
    for (name, value) in all {
        if !is_token(name) {
            return Err(format!("invalid header name {name:?}"));
        }
        if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(format!("the value of header {name} has a CR, LF or NUL"));
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Ok(out)
}

/// Reads one request from `input`: lines end in CRLF (a bare LF is
/// tolerated); the body is exactly `Content-Length` bytes (none without
/// it), and nothing may follow it. Errors say why `input` is not such a
/// request, in one line.
pub fn parse_request(input: &[u8]) -> Result<RawRequest, String> {
    let not_http = |why: &str| format!("not an HTTP request: {why}");
    let mut rest = input;
    let mut next_line = |what: &str| -> Result<&[u8], String> {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| not_http(&format!("the input ends inside the {what}")))?;
        if input.len() - rest.len() + end > MAX_HEAD {
            return Err(not_http("the header section is over 64 KiB"));
        }
        let line = &rest[..end];
        rest = &rest[end + 1..];
        Ok(line.strip_suffix(b"\r").unwrap_or(line))
    };

    let line = next_line("request line")?;
    let line = std::str::from_utf8(line).map_err(|_| not_http("the request line is not UTF-8"))?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(not_http(
            "expected METHOD TARGET HTTP/1.1 on the first line",
        ));
    };
    if !is_token(method) {
        return Err(not_http("the method is not a token"));
    }
    if !target.starts_with('/') || target.bytes().any(|b| b.is_ascii_control()) {
        return Err(not_http("the target must start with /"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(not_http("the version must be HTTP/1.1 or HTTP/1.0"));
    }

    let mut headers = Vec::new();
    loop {
        let line = next_line("headers (no blank line after them)")?;
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(not_http("a folded header line (obsolete line folding)"));
        }
        let line = std::str::from_utf8(line).map_err(|_| not_http("a header is not UTF-8"))?;
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| not_http("a header line without ':'"))?;
        if !is_token(name) {
            return Err(not_http("a header name is not a token"));
        }
        let value = value.trim_matches([' ', '\t']);
        if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err(not_http("a header value has a control character"));
        }
        headers.push((name.to_owned(), value.to_owned()));
    }

    let named = |wanted: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(wanted))
            .map(|(_, v): &(String, String)| v.as_str())
    };
    if named("transfer-encoding").next().is_some() {
        return Err(not_http(
            "Transfer-Encoding is not supported; send Content-Length",
        ));
    }
    let mut lengths = named("content-length");
    let length = match (lengths.next(), lengths.next()) {
        (None, _) => 0,
        (Some(v), None) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => v
            .parse::<usize>()
            .map_err(|_| not_http("Content-Length is too large"))?,
        (Some(_), None) => return Err(not_http("Content-Length is not a decimal number")),
        (Some(_), Some(_)) => return Err(not_http("Content-Length is repeated")),
    };
    if rest.len() < length {
        return Err(not_http(&format!(
            "the body is {} bytes, shorter than Content-Length {length}",
            rest.len()
        )));
    }
    if rest.len() > length {
        return Err(not_http(&format!(
            "{} bytes follow the {length}-byte body",
            rest.len() - length
        )));
    }
    Ok(RawRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: rest.to_vec(),
    })
}

/// An RFC 9110 token (a method or header name): what the library accepts
/// as a method, which is any token.
fn is_token(s: &str) -> bool {
    presign::Method::new(s).is_ok()
}

/// Reads `path`, or stdin for `-`.
pub fn read_input(path: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    if path == "-" {
        let mut data = Vec::new();
        std::io::stdin()
            .read_to_end(&mut data)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        Ok(data)
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}
