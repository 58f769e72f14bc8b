//! The decoder's trailer: the checksum line `x-amz-trailer` declared,
//! checked against the payload; `x-amz-trailer-signature`, checked against
//! the canonical trailer (`name:value\n`); and the empty line that ends the
//! body.

use subtle::ConstantTimeEq;

use crate::encode::Sink;
use crate::error::excerpt;
use crate::mac::sha256;
use crate::signature::hex64;

use super::{ChunkDecoder, LINE_CAP, State};
use crate::chunked::chunk_signature::StackText;
use crate::chunked::error::ChunkedError;
use crate::chunked::mode::header;

/// The lines after the final chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    /// The checksum declared by `x-amz-trailer`.
    Checksum,
    /// `x-amz-trailer-signature`.
    Signature,
    /// The empty line that ends the body.
    End,
}

impl ChunkDecoder {
    /// A line after the final chunk ended (with `\n`).
    pub(super) fn trailer_line(&mut self, expected: Line) -> Result<State, ChunkedError> {
        let malformed = |reason| ChunkedError::MalformedTrailer { reason };
        let line = match self.line.as_bytes().split_last() {
            Some((b'\r', line)) if !line.contains(&b'\r') => line,
            _ => return Err(malformed("a line not ended by CRLF")),
        };
        let next = match expected {
            Line::Checksum => {
                let (Some(checksum), Some((name, value))) = (
                    self.checksum.take(),
                    line.iter()
                        .position(|&b| b == b':')
                        .map(|at| (&line[..at], &line[at + 1..])),
                ) else {
                    return Err(malformed("expected the x-amz-trailer checksum"));
                };
                let expected = checksum.algorithm().header_name();
                if name != expected.as_bytes() {
                    return Err(ChunkedError::UnexpectedTrailer {
                        name: excerpt(&String::from_utf8_lossy(name)),
                        expected,
                    });
                }
                let value_ok = checksum.finish();
                if value != value_ok.as_bytes() {
                    return Err(ChunkedError::ChecksumMismatch { name: expected });
                }
                self.checked = Some(value_ok);
                // The canonical trailer: `name:value\n`, the name lowercase.
                let mut canonical = StackText::<LINE_CAP>::new();
                canonical.put(expected.as_bytes());
                canonical.put(b":");
                canonical.put(value);
                canonical.put(b"\n");
                self.trailer_sha256 = sha256(canonical.as_bytes());
                if self.signer.is_some() {
                    Line::Signature
                } else {
                    Line::End
                }
            }
            Line::Signature => {
                let name = header::TRAILER_SIGNATURE.as_bytes();
                let signature = match line.split_at_checked(name.len() + 1) {
                    Some((head, hex))
                        if head[..name.len()] == *name
                            && head[name.len()] == b':'
                            && hex.len() == 64 =>
                    {
                        hex
                    }
                    _ => return Err(malformed("expected x-amz-trailer-signature:<signature>")),
                };
                let expected = match &mut self.signer {
                    Some(signer) => hex64(signer.sign_trailer(&self.trailer_sha256).as_bytes()),
                    None => return Err(malformed("a trailer signature on unsigned chunks")),
                };
                if !bool::from(expected.ct_eq(signature)) {
                    return Err(ChunkedError::TrailerSignatureMismatch);
                }
                Line::End
            }
            Line::End if line.is_empty() => {
                self.line = StackText::new();
                return Ok(State::Done);
            }
            Line::End => return Err(malformed("a line where the body should end")),
        };
        self.line = StackText::new();
        Ok(State::Trailer(next))
    }
}
