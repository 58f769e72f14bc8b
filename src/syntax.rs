//! Token and header-name syntax (RFC 9110), in one small table.

/// Byte classes: bit 0 = `tchar`; bit 1 = a byte a lowercase header name is
/// written with as it is, also in a query (`a-z`, `0-9`, `-`).
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let special = matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        );
        if b.is_ascii_alphanumeric() || special {
            t[i] |= TCHAR;
        }
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
            t[i] |= PLAIN;
        }
        if b.is_ascii_alphanumeric() || b == b'-' {
            t[i] |= PLAIN_LOWERED;
        }
        i += 1;
    }
    t
};
const TCHAR: u8 = 1;
const PLAIN: u8 = 2;
const PLAIN_LOWERED: u8 = 4;

/// What [`header_name`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeaderName {
    /// Lowercase, with nothing to encode in a query: written as it is.
    pub(crate) plain: bool,
    /// Written as it is once lowercased.
    pub(crate) plain_lowered: bool,
}

/// RFC 9110 `tchar`.
#[inline]
pub(crate) fn is_tchar(b: u8) -> bool {
    CLASS[b as usize] & TCHAR != 0
}

/// What a header name is: `None` if it is not a token; otherwise how it is
/// written, found in the same pass.
#[inline]
pub(crate) fn header_name(name: &[u8]) -> Option<HeaderName> {
    let all = name.iter().fold(TCHAR | PLAIN | PLAIN_LOWERED, |all, &b| {
        all & CLASS[b as usize]
    });
    (!name.is_empty() && all & TCHAR != 0).then_some(HeaderName {
        plain: all & PLAIN != 0,
        plain_lowered: all & PLAIN_LOWERED != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_plain_names() {
        for b in 0..=255u8 {
            let tchar = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(is_tchar(b), tchar, "{b:#x}");
        }
        let name = |plain, plain_lowered| {
            Some(HeaderName {
                plain,
                plain_lowered,
            })
        };
        assert_eq!(header_name(b"x-amz-meta-a1"), name(true, true));
        assert_eq!(header_name(b"Content-Type"), name(false, true));
        assert_eq!(header_name(b"a_b"), name(false, false));
        assert_eq!(header_name(b"a b"), None);
        assert_eq!(header_name(b""), None);
    }
}
