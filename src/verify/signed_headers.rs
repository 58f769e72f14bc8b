//! The signed header names of a signature (`SignedHeaders`), as the
//! signer listed them: split on `;` (or on the `%3B` a query carries),
//! checked once, and kept on the stack for the usual few.

use super::VerifyError;
use super::claims::{Raw, Split};
use super::specials::Specials;

/// How many signed header names the verifier keeps on the stack (more are
/// looked up in the text).
pub(crate) const LISTED: usize = 32;

/// The signed header names, lowercase as the signer wrote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders<'r>(Split<'r>);

impl<'r> SignedHeaders<'r> {
    #[cfg(test)]
    pub(crate) fn parse(raw: Raw<'r>) -> Result<Self, VerifyError> {
        let names = SignedHeaders::unchecked(raw);
        names.check(&mut [""; LISTED])?;
        Ok(names)
    }

    /// The names, not yet [checked](Self::check).
    pub(crate) fn unchecked(raw: Raw<'r>) -> Self {
        SignedHeaders(Split::new(raw, ";", "%3B"))
    }

    /// Checks the names (none empty, none twice), puts the first
    /// [`LISTED`] in `list` and says how many there are: one pass over
    /// them for the usual few.
    pub(crate) fn check<'s>(&'s self, list: &mut [&'s str; LISTED]) -> Result<usize, VerifyError> {
        let bad = |reason| VerifyError::MalformedParameter {
            name: "SignedHeaders",
            reason,
        };
        // Signers list the names sorted, lowercase: then each is greater
        // than the one before, and none repeats. Otherwise, compare all.
        let mut previous: Option<&str> = None;
        let mut sorted = true;
        let mut count = 0;
        // Split as `iter` splits, at the separators found eight bytes at
        // a time.
        let text = self.0.text();
        let b = text.as_bytes();
        let sep = self.0.sep().as_bytes();
        let mut at_first = Specials::new(b, [sep.first().copied().unwrap_or(b';')]);
        let mut start = 0;
        loop {
            let end = at_first
                .by_ref()
                .find(|&at| at >= start && b.get(at..).is_some_and(|rest| rest.starts_with(sep)));
            let name = text.get(start..end.unwrap_or(b.len())).unwrap_or_default();
            if name.is_empty() {
                return Err(bad("an empty header name"));
            }
            sorted &= previous.is_none_or(|p| p < name);
            previous = Some(name);
            if let Some(slot) = list.get_mut(count) {
                *slot = name;
            }
            count += 1;
            match end {
                Some(end) => start = end + sep.len(),
                None => break,
            }
        }
        // Any uppercase letter in a name (an escaped separator's `B` is
        // not in one), counted in a pass that vectorizes.
        let upper = |bytes: &[u8]| bytes.iter().filter(|b| b.is_ascii_uppercase()).count();
        sorted &= upper(b) == upper(sep) * (count - 1);
        if !sorted {
            for (i, name) in self.iter().enumerate() {
                if self.iter().take(i).any(|n| n.eq_ignore_ascii_case(name)) {
                    return Err(bad("a header name appears more than once"));
                }
            }
        }
        Ok(count)
    }

    /// The names, in the order signed.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.iter()
    }

    /// Whether `name` (any case) is signed.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// How many headers are signed.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether no header is signed (never, for a verified request).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for SignedHeaders<'_> {
    fn eq(&self, other: &[S]) -> bool {
        self.iter().eq(other.iter().map(AsRef::as_ref))
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for SignedHeaders<'_> {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for SignedHeaders<'_> {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl core::fmt::Display for SignedHeaders<'_> {
    /// `host;x-amz-date`: the names joined by `;`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, name) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Raw<'_> {
        Raw::query(text)
    }

    #[test]
    fn signed_headers_split_on_the_escaped_separator() {
        let h = SignedHeaders::parse(q("content-type%3Bhost%3Bx-amz-acl")).unwrap();
        assert_eq!(h, ["content-type", "host", "x-amz-acl"]);
        assert!(h.contains("X-Amz-Acl"));
        assert_eq!(h.to_string(), "content-type;host;x-amz-acl");
        let h = SignedHeaders::parse(q("host%3bx-amz-date")).unwrap();
        assert_eq!(h, ["host", "x-amz-date"]);
        for bad in ["host%3B%3Bx", "host%3Bhost", "", "host;HOST"] {
            assert!(SignedHeaders::parse(q(bad)).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        // The one-pass check splits as `iter` does, and refuses exactly
        // the lists with an empty or repeated name.
        #[test]
        fn signed_headers_check_splits_as_iter_does(
            text in "[aAbB;%3-]{0,24}",
            escaped in proptest::bool::ANY,
        ) {
            let raw = if escaped { q(&text) } else { Raw::literal(&text) };
            let names = SignedHeaders::unchecked(raw);
            let all: Vec<&str> = names.iter().collect();
            let mut list = [""; LISTED];
            let checked = names.check(&mut list);
            let empty = all.iter().any(|n| n.is_empty());
            let repeated = all.iter().enumerate().any(|(i, n)| {
                all[..i].iter().any(|m| m.eq_ignore_ascii_case(n))
            });
            match checked {
                Ok(count) => {
                    proptest::prop_assert!(!empty && !repeated, "{}", text);
                    proptest::prop_assert_eq!(&list[..count], &all[..]);
                }
                Err(_) => proptest::prop_assert!(empty || repeated, "{}", text),
            }
        }
    }
}
