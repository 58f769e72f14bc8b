//! What a signature claims: the `X-Amz-*` parameters of a presigned query,
//! the parts of an `Authorization` header, or the fields of a POST form.
//!
//! Everything is borrowed from the request as received. Query values are
//! read the way S3 reads them (`%XX` escapes decoded, `+` is a space), but
//! only decoded into a copy when they contain an escape other than the
//! separators the signer writes (`%2F` in the credential, `%3B` between
//! signed headers), so verifying a URL from any SigV4 signer copies nothing.

use std::borrow::Cow;
use std::ops::Range;

use subtle::ConstantTimeEq;

use super::request::{ReadHeaders, trim};
use super::specials::Specials;
use super::{CredentialsLookup, ReceivedRequest, Verifier, VerifyError};
use crate::bytes::same_short;
use crate::credentials::{Credentials, TokenKind};
use crate::encode;
use crate::error::excerpt;
use crate::request::ReceivedQuery;
use crate::scope::TERMINATOR;
use crate::string_to_sign::ALGORITHM;
use crate::time::{ScopeDate, SigningTime};
use crate::wire;

/// A value as received, and how to read it.
#[derive(Clone, Copy)]
pub(crate) struct Raw<'r> {
    pub(crate) text: &'r str,
    /// Whether there is anything to decode: a query value with `%XX`
    /// escapes or `+` for a space. Headers and form fields are taken
    /// literally.
    pub(crate) encoded: bool,
}

impl<'r> Raw<'r> {
    pub(crate) fn literal(text: &'r str) -> Self {
        Raw {
            text,
            encoded: false,
        }
    }

    /// A value from a query.
    pub(crate) fn query(text: &'r str) -> Self {
        Raw {
            text,
            encoded: text.bytes().any(|b| b == b'%' || b == b'+'),
        }
    }

    /// The decoded value; a copy only if it has anything to decode.
    #[inline]
    pub(crate) fn decoded(self) -> Cow<'r, str> {
        if self.encoded {
            Cow::Owned(self.decode())
        } else {
            Cow::Borrowed(self.text)
        }
    }

    #[inline(never)]
    fn decode(self) -> String {
        let bytes: Vec<u8> = self.bytes().collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The decoded bytes, one at a time (no copy).
    fn bytes(self) -> impl Iterator<Item = u8> + 'r {
        let encoded = self.encoded;
        let b = self.text.as_bytes();
        let mut i = 0;
        core::iter::from_fn(move || {
            let c = *b.get(i)?;
            if encoded {
                if c == b'+' {
                    i += 1;
                    return Some(b' ');
                }
                if c == b'%'
                    && let (Some(h), Some(l)) = (
                        b.get(i + 1).and_then(|&h| encode::hex_value(h)),
                        b.get(i + 2).and_then(|&l| encode::hex_value(l)),
                    )
                {
                    i += 3;
                    return Some(h << 4 | l);
                }
            }
            i += 1;
            Some(c)
        })
    }

    /// Whether the decoded value is `expected`.
    pub(crate) fn decodes_to(self, expected: &str) -> bool {
        if !self.encoded {
            return same_short(self.text.as_bytes(), expected.as_bytes());
        }
        self.bytes().eq(expected.bytes())
    }
}

/// A value split by a separator, which the signer writes escaped in a
/// query (`/` as `%2F` in the credential, `;` as `%3B` between signed
/// headers): borrowed and split on the escape when that is the only one,
/// decoded into a copy otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Split<'r> {
    text: Cow<'r, str>,
    sep: &'static str,
}

impl<'r> Split<'r> {
    pub(crate) fn new(raw: Raw<'r>, sep: &'static str, escaped: &'static str) -> Self {
        if !raw.encoded {
            return Split {
                text: Cow::Borrowed(raw.text),
                sep,
            };
        }
        // No `+`, no literal separator, no escape but the separator's: one
        // pass, no copy.
        let b = raw.text.as_bytes();
        let sep_byte = sep.as_bytes()[0];
        let mut only_separators = true;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' if b.get(i..i + 3) == Some(escaped.as_bytes()) => i += 3,
                c if c == b'%' || c == b'+' || c == sep_byte => {
                    only_separators = false;
                    break;
                }
                _ => i += 1,
            }
        }
        if only_separators {
            Split {
                text: Cow::Borrowed(raw.text),
                sep: escaped,
            }
        } else {
            Split {
                text: raw.decoded(),
                sep,
            }
        }
    }

    pub(crate) fn iter(&self) -> SplitIter<'_> {
        SplitIter {
            rest: Some(&self.text),
            sep: self.sep,
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// What the text is split on: the separator, or its escape.
    pub(crate) fn sep(&self) -> &'static str {
        self.sep
    }
}

/// The parts of a [`Split`] value (`str::split` with a string pattern
/// builds a searcher on every call; the separators here are one byte or one
/// escape).
pub(crate) struct SplitIter<'a> {
    rest: Option<&'a str>,
    sep: &'static str,
}

impl<'a> Iterator for SplitIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let bytes = rest.as_bytes();
        let sep = self.sep.as_bytes();
        let first = *sep.first()?;
        let mut from = 0;
        while let Some(i) = bytes[from..].iter().position(|&b| b == first) {
            let at = from + i;
            if bytes[at..].starts_with(sep) {
                self.rest = rest.get(at + sep.len()..);
                return rest.get(..at);
            }
            from = at + 1;
        }
        self.rest = None;
        Some(rest)
    }
}

/// `ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request`, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Credential<'r> {
    split: Split<'r>,
    access_key_id: Range<usize>,
    date: Range<usize>,
    region: Range<usize>,
    service: Range<usize>,
    terminator: Range<usize>,
}

/// The positions of the last four separators seen, and how many were.
#[derive(Default)]
struct LastFour {
    ends: [usize; 4],
    found: usize,
}

impl LastFour {
    fn push(&mut self, at: usize) {
        // (Not `rotate_left`: a general rotation, called, for four words.)
        let [_, a, b, c] = self.ends;
        self.ends = [a, b, c, at];
        self.found += 1;
    }
}

impl<'r> Credential<'r> {
    /// Parses `ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request`, or with
    /// `regionless` (SigV4a) `ACCESS_KEY_ID/DATE/SERVICE/aws4_request`,
    /// whose region is then empty.
    pub(crate) fn parse(raw: Raw<'r>, regionless: bool) -> Result<Self, VerifyError> {
        // Five parts, split from the right (the access key id is the
        // rest): the last four separators, found in one pass.
        let (split, LastFour { ends, found }) = Self::separators(raw);
        let text = split.text().as_bytes();
        let sep = split.sep.as_bytes();
        if regionless {
            if found < 3 {
                return Err(VerifyError::MalformedParameter {
                    name: wire::query::X_AMZ_CREDENTIAL,
                    reason: "expected ACCESS_KEY_ID/DATE/SERVICE/aws4_request",
                });
            }
            let sep = sep.len();
            let [_, a, c, d] = ends;
            return Ok(Credential {
                access_key_id: 0..a,
                date: a + sep..c,
                region: c..c,
                service: c + sep..d,
                terminator: d + sep..text.len(),
                split,
            });
        }
        if found < 4 {
            return Err(VerifyError::MalformedParameter {
                name: wire::query::X_AMZ_CREDENTIAL,
                reason: "expected ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request",
            });
        }
        let sep = sep.len();
        let [a, b, c, d] = ends;
        Ok(Credential {
            access_key_id: 0..a,
            date: a + sep..b,
            region: b + sep..c,
            service: c + sep..d,
            terminator: d + sep..text.len(),
            split,
        })
    }

    /// The text to split and where its separators are: the received text
    /// when its only escapes are the signer's `%2F`, split on those (no
    /// copy); the decoded text split on `/` otherwise.
    fn separators(raw: Raw<'r>) -> (Split<'r>, LastFour) {
        if raw.encoded {
            let b = raw.text.as_bytes();
            let mut last = LastFour::default();
            let signers_form = Specials::new(b, [b'%', b'+', b'/']).all(|at| {
                let separator = b.get(at..at + 3) == Some(b"%2F".as_slice());
                if separator {
                    last.push(at);
                }
                separator
            });
            if signers_form {
                let split = Split {
                    text: Cow::Borrowed(raw.text),
                    sep: "%2F",
                };
                return (split, last);
            }
        }
        let text = raw.decoded();
        let mut last = LastFour::default();
        for at in Specials::new(text.as_bytes(), [b'/']) {
            last.push(at);
        }
        (Split { text, sep: "/" }, last)
    }

    fn part(&self, range: &Range<usize>) -> &str {
        self.split.text().get(range.clone()).unwrap_or_default()
    }

    pub(crate) fn access_key_id(&self) -> &str {
        self.part(&self.access_key_id)
    }

    pub(crate) fn date(&self) -> &str {
        self.part(&self.date)
    }

    pub(crate) fn region(&self) -> &str {
        self.part(&self.region)
    }

    pub(crate) fn service(&self) -> &str {
        self.part(&self.service)
    }

    pub(crate) fn terminator(&self) -> &str {
        self.part(&self.terminator)
    }
}

/// The parameters a signature carries, borrowed from the request.
pub(crate) struct Claims<'r> {
    pub(crate) algorithm: Raw<'r>,
    pub(crate) credential: Raw<'r>,
    pub(crate) date: Raw<'r>,
    pub(crate) signed_headers: Raw<'r>,
    pub(crate) signature: Raw<'r>,
    pub(crate) expires: Option<Raw<'r>>,
    pub(crate) token: Option<Raw<'r>>,
    /// An S3 Express One Zone session's token (`X-Amz-S3session-Token`,
    /// `x-amz-s3session-token`).
    pub(crate) s3_session_token: Option<Raw<'r>>,
    /// `X-Amz-Content-Sha256`, a presigned query's payload hash.
    pub(crate) content_sha256: Option<Raw<'r>>,
    /// The query the signature covers.
    pub(crate) query: ReceivedQuery<'r>,
    /// SigV4a's region set: `X-Amz-Region-Set` in a presigned query, the
    /// `x-amz-region-set` header otherwise.
    #[cfg(feature = "sigv4a")]
    pub(crate) region_set: Option<Raw<'r>>,
}

/// The checks every form shares, against what the verifier accepts.
impl<L: CredentialsLookup> Verifier<L> {
    /// Algorithm, credential scope and date, common to every form.
    pub(super) fn check_claims<'c>(
        &self,
        claims: &Claims<'c>,
    ) -> Result<(SigningTime, Credential<'c>), VerifyError> {
        let v4a = if claims.algorithm.decodes_to(ALGORITHM) {
            false
        } else if cfg!(feature = "sigv4a") && claims.algorithm.decodes_to(wire::ALGORITHM_V4A) {
            true
        } else {
            return Err(VerifyError::UnsupportedAlgorithm {
                algorithm: excerpt(&claims.algorithm.decoded()),
            });
        };
        let Some(signed_at) = SigningTime::parse_amz_date_bytes(claims.date.decoded().as_bytes())
        else {
            return Err(VerifyError::MalformedParameter {
                name: wire::query::X_AMZ_DATE,
                reason: "expected YYYYMMDDTHHMMSSZ",
            });
        };
        let credential = Credential::parse(claims.credential, v4a)?;
        if !same_short(credential.terminator().as_bytes(), TERMINATOR.as_bytes()) {
            return Err(VerifyError::ScopeMismatch {
                reason: format!(
                    "scope ends in {:?}, not aws4_request",
                    excerpt(credential.terminator())
                ),
            });
        }
        // (The usual case, the date's own digits, needs no parsing.)
        let same_date =
            credential.date().as_bytes() == signed_at.scope_date().text().as_bytes().as_slice();
        let scope_date = if same_date {
            signed_at.scope_date()
        } else {
            ScopeDate::parse(credential.date()).map_err(|_| VerifyError::MalformedParameter {
                name: wire::query::X_AMZ_CREDENTIAL,
                reason: "the scope date is not YYYYMMDD",
            })?
        };
        if scope_date != signed_at.scope_date() {
            return Err(VerifyError::ScopeMismatch {
                reason: format!(
                    "scope date {} is not the date of X-Amz-Date {}",
                    scope_date, signed_at
                ),
            });
        }
        if !same_short(
            credential.service().as_bytes(),
            self.service.as_str().as_bytes(),
        ) {
            return Err(VerifyError::ScopeMismatch {
                reason: format!(
                    "service {:?} is not {:?}",
                    excerpt(credential.service()),
                    self.service.as_str()
                ),
            });
        }
        #[cfg(feature = "sigv4a")]
        if v4a {
            self.check_region_set(claims)?;
            return Ok((signed_at, credential));
        }
        let region = credential.region();
        if !self.regions.is_empty() && !self.regions.iter().any(|r| r.as_str() == region) {
            return Err(VerifyError::ScopeMismatch {
                reason: format!("region {:?} is not accepted", excerpt(region)),
            });
        }
        Ok((signed_at, credential))
    }
}

/// The claims of an `Authorization` header, and the headers that go with
/// it.
pub(crate) fn header_claims<'r>(
    request: &ReceivedRequest<'r>,
    read: &ReadHeaders<'r>,
) -> Result<Claims<'r>, VerifyError> {
    let Some(auth) = read.authorization()? else {
        return Err(VerifyError::NotSigned {
            expected: "Authorization header",
        });
    };
    let (algorithm, rest) = split_once(auth, b' ').unwrap_or((auth, ""));
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    let mut rest = Some(rest);
    while let Some(text) = rest {
        // (The values are long: the comma is looked for eight bytes at a
        // time.)
        let (part, after) = match Specials::new(text.as_bytes(), [b',']).next() {
            Some(at) => (text.get(..at).unwrap_or_default(), text.get(at + 1..)),
            None => (text, None),
        };
        rest = after;
        let part = trim(part);
        let (k, v) = split_once(part, b'=').unwrap_or((part, ""));
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(Raw::literal(v)).is_some() {
            return Err(VerifyError::MalformedParameter {
                name: "Authorization",
                reason: "a component appears more than once",
            });
        }
    }
    let date = need(read.x_amz_date()?, wire::header::X_AMZ_DATE)?;
    Ok(Claims {
        algorithm: Raw::literal(algorithm),
        credential: need(credential, "Credential")?,
        date: Raw::literal(date),
        signed_headers: need(signed_headers, "SignedHeaders")?,
        signature: need(signature, "Signature")?,
        expires: None,
        token: read.security_token()?.map(Raw::literal),
        s3_session_token: read.s3session_token()?.map(Raw::literal),
        content_sha256: None,
        query: ReceivedQuery::Raw(request.query),
        #[cfg(feature = "sigv4a")]
        region_set: read.region_set()?.map(Raw::literal),
    })
}

/// The value of a required parameter, or the error naming it. (The error
/// is made only when returned: `ok_or` makes one and drops it, a call, on
/// every request.)
#[inline(always)]
pub(crate) fn need<T>(value: Option<T>, name: &'static str) -> Result<T, VerifyError> {
    match value {
        Some(value) => Ok(value),
        None => Err(VerifyError::MissingParameter { name }),
    }
}

/// `str::split_once` on an ASCII byte, without building a searcher.
fn split_once(text: &str, sep: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == sep)?;
    // (An ASCII byte is a character boundary on both sides.)
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// Checks the request's session token against the credentials', in
/// constant time for tokens of equal length, without copying it. The token
/// must travel under the credentials' name for it (`X-Amz-Security-Token`,
/// or an S3 Express session's `X-Amz-S3session-Token`), and no token under
/// the other.
pub(crate) fn check_token(creds: &Credentials, claims: &Claims<'_>) -> Result<(), VerifyError> {
    let (expected, other) = match creds.session_token_kind() {
        TokenKind::Security => (claims.token, claims.s3_session_token),
        TokenKind::S3Session => (claims.s3_session_token, claims.token),
    };
    if other.is_some() {
        return Err(VerifyError::SecurityTokenMismatch);
    }
    check_token_value(creds, expected)
}

fn check_token_value(creds: &Credentials, received: Option<Raw<'_>>) -> Result<(), VerifyError> {
    match (creds.session_token(), received) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(VerifyError::MissingSecurityToken),
        (None, Some(_)) => Err(VerifyError::SecurityTokenMismatch),
        (Some(want), Some(got)) => {
            let want = want.as_bytes();
            let mut len = 0usize;
            let mut diff = 0u8;
            for b in got.bytes() {
                diff |= want.get(len).map_or(1, |w| w ^ b);
                len += 1;
            }
            if len == want.len() && bool::from(diff.ct_eq(&0)) {
                Ok(())
            } else {
                Err(VerifyError::SecurityTokenMismatch)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Raw<'_> {
        Raw::query(text)
    }

    #[test]
    fn values_decode_as_s3_reads_a_query() {
        assert_eq!(q("c++%2F").decoded(), "c  /");
        assert_eq!(q("c%2B%2B%2F").decoded(), "c++/");
        assert!(matches!(q("20130524T000000Z").decoded(), Cow::Borrowed(_)));
        assert_eq!(Raw::literal("a+b%2F").decoded(), "a+b%2F");
        assert!(q("X%2DAmz-Date").decodes_to("X-Amz-Date"));
        assert!(!q("X-Amz-Date2").decodes_to("X-Amz-Date"));
        assert!(q("%zz+").decodes_to("%zz "));
    }

    #[test]
    fn credentials_split_without_a_copy_when_only_slashes_are_escaped() {
        let c =
            Credential::parse(q("AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"), false).unwrap();
        assert!(matches!(c.split.text, Cow::Borrowed(_)));
        assert_eq!(
            [
                c.access_key_id(),
                c.date(),
                c.region(),
                c.service(),
                c.terminator()
            ],
            ["AKID", "20130524", "us-east-1", "s3", "aws4_request"]
        );
        // Lowercase escapes and literal slashes decode to the same parts.
        for raw in [
            "AKID%2f20130524%2fus-east-1%2fs3%2faws4_request",
            "AKID/20130524/us-east-1/s3/aws4_request",
            "AKID%2F20130524/us-east-1%2Fs3/aws4_request",
        ] {
            let c = Credential::parse(q(raw), false).unwrap();
            assert_eq!(
                [
                    c.access_key_id(),
                    c.date(),
                    c.region(),
                    c.service(),
                    c.terminator()
                ],
                ["AKID", "20130524", "us-east-1", "s3", "aws4_request"],
                "{raw}"
            );
        }
        assert!(Credential::parse(q("AKID%2F20130524%2Fus-east-1%2Fs3"), false).is_err());
        let c = Credential::parse(Raw::literal("AKID/20130524/r/s/aws4_request"), false).unwrap();
        assert_eq!(c.region(), "r");
    }

    #[test]
    fn tokens_compare_decoded() {
        let creds = Credentials::new("AKID", "secret")
            .unwrap()
            .with_session_token("a+b/c=")
            .unwrap();
        assert_eq!(check_token_value(&creds, Some(q("a%2Bb%2Fc%3D"))), Ok(()));
        assert_eq!(
            check_token_value(&creds, Some(Raw::literal("a+b/c="))),
            Ok(())
        );
        for bad in ["a+b%2Fc%3D", "a%2Bb%2Fc", "a%2Bb%2Fc%3D%3D", ""] {
            assert_eq!(
                check_token_value(&creds, Some(q(bad))),
                Err(VerifyError::SecurityTokenMismatch),
                "{bad}"
            );
        }
        assert_eq!(
            check_token_value(&creds, None),
            Err(VerifyError::MissingSecurityToken)
        );
    }
}
