//! `Content-Disposition` values (RFC 6266) that name a file correctly in
//! every browser: the name in `filename*` (RFC 8187, formerly RFC 5987:
//! UTF-8, percent-encoded) whenever it is not plain ASCII, and a safe ASCII
//! `filename` beside it for clients that do not read `filename*`.

use core::fmt;

use crate::error::Error;

/// A `Content-Disposition` value: `attachment` (download) or `inline`
/// (display), with an optional file name.
///
/// Use it for `response-content-disposition` on a presigned GET (what name
/// the browser saves the download under) and for `content-disposition` on
/// an upload (stored with the object).
///
/// ```
/// use presign::s3::ContentDisposition;
///
/// let d = ContentDisposition::attachment("Résumé 2026.pdf")?;
/// assert_eq!(
///     d.to_string(),
///     "attachment; filename=\"R_sum_ 2026.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf"
/// );
/// // A plain ASCII name needs no `filename*`.
/// assert_eq!(
///     ContentDisposition::attachment("report.pdf")?.to_string(),
///     "attachment; filename=\"report.pdf\""
/// );
/// # Ok::<(), presign::Error>(())
/// ```
///
/// With a presigned download:
///
/// ```
/// use std::time::Duration;
/// use presign::s3::{Bucket, ContentDisposition};
/// use presign::{Credentials, Region, SigningTime};
///
/// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
/// let bucket = Bucket::new("examplebucket", Region::new("us-east-1")?)?;
/// let time = SigningTime::parse_amz_date("20260524T120000Z")?;
/// let disposition = ContentDisposition::attachment("見積書.pdf")?.to_string();
/// let url = bucket
///     .get_object("files/8f3a.pdf")
///     .response_content_disposition(&disposition)
///     .presign(&creds, time, Duration::from_secs(600))?;
/// assert!(url.as_str().contains(
///     "response-content-disposition=attachment%3B%20filename%3D%22___.pdf%22%3B%20\
///      filename%2A%3DUTF-8%27%27%25E8%25A6%258B%25E7%25A9%258D%25E6%259B%25B8.pdf"
/// ));
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ContentDisposition {
    inline: bool,
    filename: Option<String>,
}

impl ContentDisposition {
    /// `attachment`: the browser downloads the object, saving it as
    /// `filename` (any Unicode text; path separators and control
    /// characters never reach the fallback name).
    ///
    /// Fails with [`Error::InvalidHeaderValue`] for an empty name.
    pub fn attachment(filename: &str) -> Result<Self, Error> {
        Ok(ContentDisposition {
            inline: false,
            filename: Some(checked(filename)?),
        })
    }

    /// `inline`: the browser displays the object if it can.
    pub fn inline() -> Self {
        ContentDisposition {
            inline: true,
            filename: None,
        }
    }

    /// `inline`, with a name for when the user saves it.
    ///
    /// Fails with [`Error::InvalidHeaderValue`] for an empty name.
    pub fn inline_named(filename: &str) -> Result<Self, Error> {
        Ok(ContentDisposition {
            inline: true,
            filename: Some(checked(filename)?),
        })
    }

    /// The file name given.
    pub fn filename(&self) -> Option<&str> {
        self.filename.as_deref()
    }
}

fn checked(filename: &str) -> Result<String, Error> {
    if filename.is_empty() {
        return Err(Error::InvalidHeaderValue {
            name: "content-disposition".to_owned(),
            reason: "the file name is empty",
        });
    }
    Ok(filename.to_owned())
}

/// The fallback name's character for `c`: printable ASCII but for the
/// quoted-string's specials (`"`, `\`), `%` (which some browsers
/// percent-decode in `filename`) and `/` (a path separator); `_` for
/// anything else.
fn fallback_char(c: char) -> char {
    match c {
        ' '..='~' if !matches!(c, '"' | '\\' | '%' | '/') => c,
        _ => '_',
    }
}

/// RFC 8187's `attr-char`: sent as is in `filename*`; every other byte is
/// percent-encoded.
fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        )
}

impl fmt::Display for ContentDisposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.inline { "inline" } else { "attachment" })?;
        let Some(name) = &self.filename else {
            return Ok(());
        };
        f.write_str("; filename=\"")?;
        let mut plain = true;
        for c in name.chars() {
            let safe = fallback_char(c);
            plain &= safe == c;
            write!(f, "{safe}")?;
        }
        f.write_str("\"")?;
        if plain {
            return Ok(());
        }
        f.write_str("; filename*=UTF-8''")?;
        for &b in name.as_bytes() {
            if is_attr_char(b) {
                write!(f, "{}", b as char)?;
            } else {
                write!(f, "%{b:02X}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ContentDisposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentDisposition({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_need_care() {
        let value = |name: &str| ContentDisposition::attachment(name).unwrap().to_string();
        // Quotes, backslashes, percent signs and slashes never reach the
        // quoted fallback; the real name is in filename*.
        assert_eq!(
            value("a\"b\\c%d/e.txt"),
            "attachment; filename=\"a_b_c_d_e.txt\"; filename*=UTF-8''a%22b%5Cc%25d%2Fe.txt"
        );
        // A line break cannot split the header.
        assert_eq!(
            value("evil\r\nSet-Cookie: x"),
            "attachment; filename=\"evil__Set-Cookie: x\"; filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x"
        );
        assert_eq!(ContentDisposition::inline().to_string(), "inline");
        assert_eq!(
            ContentDisposition::inline_named("a b.png")
                .unwrap()
                .to_string(),
            "inline; filename=\"a b.png\""
        );
        assert!(matches!(
            ContentDisposition::attachment(""),
            Err(Error::InvalidHeaderValue { .. })
        ));
    }
}
