//! A small reader for `CreateSession`'s XML answer: just enough XML
//! (elements, namespace prefixes, attributes, comments, processing
//! instructions, CDATA, the five predefined entities and character
//! references) to pull out four values. No DTDs: a `<!DOCTYPE` is refused.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};
use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::error::{Error, excerpt};

/// Reads the body of a `CreateSession` answer into session credentials
/// ([`Credentials::with_s3_express_session_token`], with
/// [`Credentials::with_expiry`] from `Expiration`).
///
/// Takes `CreateSessionResult/Credentials/{AccessKeyId, SecretAccessKey,
/// SessionToken, Expiration}` in any order, with or without a namespace
/// (prefixed or not), surrounding whitespace, entity escapes (`&amp;` ...,
/// `&#43;`) and CDATA. `Expiration` is an ISO 8601 / RFC 3339 UTC time
/// (`2026-05-24T12:05:00Z`, fractional seconds and a numeric offset
/// accepted).
///
/// Fails with [`Error::InvalidCreateSessionResponse`], whose reason names
/// what is missing or malformed (never a value), and, for an `<Error>`
/// answer, S3's error code.
pub fn parse_create_session_response(body: &str) -> Result<Credentials, Error> {
    let mut fields = Fields::default();
    let mut stack: Vec<&str> = Vec::new();
    let mut text = Zeroizing::new(String::new());
    let mut error_code: Option<String> = None;
    let mut seen_root = false;
    let mut rest = body.strip_prefix('\u{feff}').unwrap_or(body);

    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut text, rest, !stack.is_empty())?;
            break;
        };
        push_text(&mut text, &rest[..lt], !stack.is_empty())?;
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<?") {
            rest = skip_past(after, "?>", "unterminated processing instruction")?;
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = skip_past(after, "-->", "unterminated comment")?;
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after
                .find("]]>")
                .ok_or_else(|| invalid("unterminated cdata section"))?;
            if stack.is_empty() {
                return Err(invalid("cdata outside the root element"));
            }
            text.push_str(&after[..end]);
            rest = &after[end + 3..];
        } else if rest.starts_with("<!") {
            return Err(invalid("document type declarations are not accepted"));
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after
                .find('>')
                .ok_or_else(|| invalid("unterminated end tag"))?;
            let name = after[..end].trim_end();
            let open = stack
                .pop()
                .ok_or_else(|| invalid("end tag without a start tag"))?;
            if name != open {
                return Err(invalid("mismatched end tag"));
            }
            let path: Vec<&str> = stack.iter().map(|n| local(n)).collect();
            fields.end(&path, local(open), &mut text, &mut error_code)?;
            text = Zeroizing::new(String::new());
            rest = &after[end + 1..];
        } else {
            let after = &rest[1..];
            let end = tag_end(after).ok_or_else(|| invalid("unterminated start tag"))?;
            let inner = &after[..end];
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(i) => (i, true),
                None => (inner, false),
            };
            let name_end = inner
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(inner.len());
            let name = &inner[..name_end];
            if name.is_empty() || name.contains(['<', '&', '"', '\'']) {
                return Err(invalid("malformed start tag"));
            }
            if stack.is_empty() {
                if seen_root {
                    return Err(invalid("more than one root element"));
                }
                seen_root = true;
            }
            if !text.trim().is_empty() {
                return Err(invalid("mixed text and elements"));
            }
            text = Zeroizing::new(String::new());
            if !empty {
                if stack.len() >= 16 {
                    return Err(invalid("elements nested too deep"));
                }
                stack.push(name);
            } else {
                let path: Vec<&str> = stack.iter().map(|n| local(n)).collect();
                fields.end(&path, local(name), &mut text, &mut error_code)?;
            }
            rest = &after[end + 1..];
        }
    }
    if !stack.is_empty() {
        return Err(invalid("unclosed element"));
    }
    if let Some(code) = error_code {
        return Err(Error::InvalidCreateSessionResponse {
            reason: format!("s3 answered with error {code}"),
        });
    }
    if !seen_root {
        return Err(invalid("no createsessionresult element"));
    }
    fields.into_credentials()
}

fn invalid(reason: &str) -> Error {
    Error::InvalidCreateSessionResponse {
        reason: reason.to_owned(),
    }
}

/// The name without its namespace prefix.
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn skip_past<'a>(s: &'a str, end: &str, what: &'static str) -> Result<&'a str, Error> {
    s.find(end)
        .map(|i| &s[i + end.len()..])
        .ok_or_else(|| invalid(what))
}

/// Where a start tag's `>` is, outside quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// Appends character data, decoding entity and character references.
fn push_text(out: &mut String, raw: &str, inside: bool) -> Result<(), Error> {
    if !inside {
        return if raw.trim().is_empty() {
            Ok(())
        } else {
            Err(invalid("text outside the root element"))
        };
    }
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .filter(|&i| i <= 10)
            .ok_or_else(|| invalid("malformed entity reference"))?;
        let c = match &after[..semi] {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            r => {
                let code = if let Some(hex) = r.strip_prefix("#x") {
                    hex.bytes()
                        .all(|c| c.is_ascii_hexdigit())
                        .then(|| u32::from_str_radix(hex, 16).ok())
                        .flatten()
                } else if let Some(dec) = r.strip_prefix('#') {
                    dec.bytes()
                        .all(|c| c.is_ascii_digit())
                        .then(|| dec.parse::<u32>().ok())
                        .flatten()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .filter(|&c| c != '\0')
                    .ok_or_else(|| invalid("unknown entity or invalid character reference"))?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

#[derive(Default)]
struct Fields {
    access_key_id: Option<String>,
    secret_access_key: Option<Zeroizing<String>>,
    session_token: Option<Zeroizing<String>>,
    expiration: Option<String>,
}

impl Fields {
    /// An element closed: `path` holds the local names of its ancestors.
    fn end(
        &mut self,
        path: &[&str],
        name: &str,
        text: &mut Zeroizing<String>,
        error_code: &mut Option<String>,
    ) -> Result<(), Error> {
        match path {
            ["Error"] if name == "Code" => {
                let code = text.trim();
                let safe = !code.is_empty()
                    && code.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'.');
                *error_code = Some(if safe {
                    excerpt(code)
                } else {
                    "(unreadable code)".to_owned()
                });
                return Ok(());
            }
            [] if name == "Error" && error_code.is_none() => {
                *error_code = Some("(no code)".to_owned());
                return Ok(());
            }
            [] if name != "CreateSessionResult" && name != "Error" => {
                return Err(invalid("the root element is not createsessionresult"));
            }
            ["CreateSessionResult", "Credentials"] => {}
            _ => return Ok(()),
        }
        let value = Zeroizing::new(text.trim().to_owned());
        let dup = match name {
            "AccessKeyId" => self.access_key_id.replace(value.to_string()).is_some(),
            "SecretAccessKey" => self.secret_access_key.replace(value).is_some(),
            "SessionToken" => self.session_token.replace(value).is_some(),
            "Expiration" => self.expiration.replace(value.to_string()).is_some(),
            _ => false,
        };
        if dup {
            return Err(Error::InvalidCreateSessionResponse {
                reason: format!("{name} given twice"),
            });
        }
        Ok(())
    }

    fn into_credentials(self) -> Result<Credentials, Error> {
        let missing = |what: &str| Error::InvalidCreateSessionResponse {
            reason: format!("no {what} in credentials"),
        };
        let id = self.access_key_id.ok_or_else(|| missing("AccessKeyId"))?;
        let secret = self
            .secret_access_key
            .ok_or_else(|| missing("SecretAccessKey"))?;
        let token = self.session_token.ok_or_else(|| missing("SessionToken"))?;
        let expiration = self.expiration.ok_or_else(|| missing("Expiration"))?;
        let expires_at = parse_expiration(&expiration)?;
        Ok(Credentials::new(id, secret.as_str())?
            .with_s3_express_session_token(token.as_str())?
            .with_expiry(expires_at))
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
pub(crate) fn parse_expiration(s: &str) -> Result<OffsetDateTime, Error> {
    let bad = || Error::InvalidDate {
        what: "expiration",
        input: excerpt(s),
        expected: "an iso 8601 utc time such as 2026-05-24T12:05:00Z",
    };
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Result<u32, Error> {
        let digits = b.get(from..from + len).ok_or_else(bad)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        Ok(digits
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')))
    };
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return Err(bad());
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
    }
    let offset = match b.get(i..) {
        Some(b"Z" | b"z") => UtcOffset::UTC,
        Some([sign @ (b'+' | b'-'), ..]) if b.len() == i + 6 && sep(i + 3, b":") => {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            let secs = i32::try_from(h * 3600 + m * 60).map_err(|_| bad())?;
            UtcOffset::from_whole_seconds(if *sign == b'-' { -secs } else { secs })
                .map_err(|_| bad())?
        }
        _ => return Err(bad()),
    };
    let month = Month::try_from(u8::try_from(month).map_err(|_| bad())?).map_err(|_| bad())?;
    let date = Date::from_calendar_date(
        i32::try_from(year).map_err(|_| bad())?,
        month,
        u8::try_from(day).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let time = Time::from_hms(
        u8::try_from(hour).map_err(|_| bad())?,
        u8::try_from(minute).map_err(|_| bad())?,
        u8::try_from(second).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    Ok(PrimitiveDateTime::new(date, time)
        .assume_offset(offset)
        .to_offset(UtcOffset::UTC))
}
