//! The decoder's framing, a byte at a time: chunk headers
//! (`<hex size>;chunk-signature=<signature>\r\n`), the CRLF after each
//! chunk's data, and the lines after the final chunk, each checked as its
//! byte arrives.

use crate::encode::Sink;

use super::trailer::Line;
use super::{ChunkDecoder, LINE_CAP, State};
use crate::chunked::error::ChunkedError;
use crate::chunked::mode::CHUNK_SIGNATURE_EXT;
use crate::mac::EMPTY_SHA256;

impl ChunkDecoder {
    /// One byte of framing: a chunk header, the CRLF after data, or the
    /// trailer.
    pub(super) fn framing(&mut self, b: u8) -> Result<(), ChunkedError> {
        let chunk = self.chunk;
        let header = |reason| ChunkedError::MalformedChunkHeader { chunk, reason };
        self.state = match self.state {
            State::Size => match (b, hex_value(b)) {
                (_, Some(d)) => {
                    if self.digits == 16 {
                        return Err(header("the size has more than 16 hex digits"));
                    }
                    self.digits += 1;
                    self.size = self.size << 4 | u64::from(d);
                    if self.size > self.max_chunk as u64 {
                        return Err(ChunkedError::ChunkTooLarge {
                            chunk,
                            size: self.size,
                            max: self.max_chunk,
                        });
                    }
                    State::Size
                }
                (b';' | b'\r', _) if self.digits == 0 => return Err(header("no size")),
                (b';', _) if self.signer.is_none() => {
                    return Err(header("an extension on an unsigned chunk"));
                }
                (b';', _) => {
                    self.size_read()?;
                    State::Extension(1)
                }
                (b'\r', _) if self.signer.is_some() => {
                    return Err(header("no chunk-signature"));
                }
                (b'\r', _) => {
                    self.size_read()?;
                    State::HeaderLf
                }
                _ => return Err(header("the size is not hex")),
            },
            State::Extension(i) => {
                if CHUNK_SIGNATURE_EXT.get(usize::from(i)) != Some(&b) {
                    return Err(header("expected ;chunk-signature="));
                }
                if usize::from(i) + 1 == CHUNK_SIGNATURE_EXT.len() {
                    State::Signature(0)
                } else {
                    State::Extension(i + 1)
                }
            }
            State::Signature(i) => {
                if !matches!(b, b'0'..=b'9' | b'a'..=b'f') {
                    return Err(header("the signature is not 64 lowercase hex digits"));
                }
                self.received[usize::from(i)] = b;
                if i == 63 {
                    State::HeaderCr
                } else {
                    State::Signature(i + 1)
                }
            }
            State::HeaderCr if b == b'\r' => State::HeaderLf,
            State::HeaderCr => return Err(header("the signature is not followed by CRLF")),
            State::HeaderLf if b == b'\n' => self.header_read()?,
            State::HeaderLf => return Err(header("CR without LF")),
            State::DataCr if b == b'\r' => State::DataLf,
            State::DataLf if b == b'\n' => {
                self.chunk += 1;
                self.size = 0;
                self.digits = 0;
                State::Size
            }
            State::DataCr | State::DataLf => return Err(ChunkedError::MissingCrlf { chunk }),
            State::Trailer(next) if b == b'\n' => self.trailer_line(next)?,
            State::Trailer(next) => {
                if self.line.len == LINE_CAP {
                    return Err(ChunkedError::MalformedTrailer {
                        reason: "a trailer line longer than 96 bytes",
                    });
                }
                self.line.put(&[b]);
                State::Trailer(next)
            }
            State::Done => return Err(ChunkedError::TrailingBytes),
            // Data is taken a slice at a time, in `data`.
            State::Data(_) => self.state,
        };
        Ok(())
    }

    /// The size is known: check it against the declared length and the
    /// minimum before reading further.
    fn size_read(&mut self) -> Result<(), ChunkedError> {
        let (chunk, size) = (self.chunk, self.size);
        if size == 0 {
            if self.framed != self.declared {
                return Err(ChunkedError::DecodedLengthMismatch {
                    received: self.framed,
                    declared: self.declared,
                });
            }
            return Ok(());
        }
        let total = self.framed.saturating_add(size);
        if total > self.declared {
            return Err(ChunkedError::DecodedLengthExceeded {
                chunk,
                total,
                declared: self.declared,
            });
        }
        if size < self.min_chunk as u64 && total != self.declared {
            return Err(ChunkedError::ChunkTooSmall {
                chunk,
                size,
                min: self.min_chunk,
            });
        }
        self.framed = total;
        Ok(())
    }

    /// A header ended: read the data, or (for the final chunk) check its
    /// signature and read the trailer.
    fn header_read(&mut self) -> Result<State, ChunkedError> {
        if self.size > 0 {
            self.pending.clear();
            return Ok(State::Data(self.size));
        }
        self.check_chunk(&EMPTY_SHA256)?;
        Ok(State::Trailer(if self.checksum.is_some() {
            Line::Checksum
        } else {
            Line::End
        }))
    }
}

/// The value of a hex digit, either case.
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
