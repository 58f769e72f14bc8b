//! The decoder: an incremental state machine that takes an `aws-chunked`
//! body in pieces of any size and hands out the payload, one verified chunk
//! at a time.
//!
//! Framing is read byte by byte (a header split across two reads is
//! normal); data is taken a slice at a time. A signed chunk's data is kept
//! (in the one buffer the decoder has, never more than one chunk) until its
//! signature is checked, or checked straight from the input when the whole
//! chunk is there.

mod framing;
mod trailer;

use subtle::ConstantTimeEq;

use crate::encode::Sink;
use crate::mac::sha256;
use crate::signature::hex64;

use super::chunk_signature::{ChunkSigner, StackText};
use super::error::ChunkedError;
use super::mode::{MIN_CHUNK_SIZE, StreamingPayload};
use crate::checksum::{Checksum, ChecksumAlgorithm, ChecksumHasher};
use trailer::Line;

/// The largest signed chunk a decoder accepts unless told otherwise: 1 MiB,
/// 8 times the largest signed chunk AWS SDKs send (128 KiB; most send 64
/// KiB). Unsigned chunks are not buffered and have no limit by default
/// (the Rust SDK sends the whole body as one).
pub const DEFAULT_MAX_CHUNK_SIZE: usize = 1 << 20;

/// The longest trailer line read (CR included): the signature line is 89.
const LINE_CAP: usize = 96;

/// Decodes an `aws-chunked` body as it arrives, checking every chunk
/// signature before handing out that chunk's bytes, then the decoded
/// length, the final chunk, the trailer's checksum and its signature.
///
/// [`feed`](Self::feed) takes the body in pieces of any size and appends
/// the payload of each chunk whose signature checks out to `out`; the
/// first byte that breaks the format, a limit or a signature fails the
/// feed with a [`ChunkedError`] naming it, and every later call fails the
/// same way. [`finish`](Self::finish) at the end of the body says whether
/// it was complete. Act on the payload (store it, answer 200) only once
/// `finish` succeeds.
///
/// - Signed chunks: a chunk's bytes are handed out only after its signature
///   is checked. The decoder buffers at most one chunk (up to
///   [`max_chunk_size`](Self::max_chunk_size), 1 MiB by default; larger
///   chunks are refused) and reuses that buffer. Chunks before the last
///   one with data must hold at least [`MIN_CHUNK_SIZE`] bytes.
/// - Unsigned chunks (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) carry nothing
///   to check until the trailer's checksum, so their bytes are handed out
///   as they arrive, and nothing is buffered: with a CRC, nothing but the
///   request's headers is signed.
///
/// Chunk sizes are read in either case (the .NET and Rust SDKs write
/// uppercase hex); everything else is read exactly as the encoder writes
/// it: lowercase signatures, lowercase trailer names, no whitespace, CRLF
/// line ends.
///
/// Signatures are compared in constant time. The key is held as a
/// [`SigningKey`](crate::SigningKey) (zeroized on drop), never shown by
/// `Debug`.
pub struct ChunkDecoder {
    signer: Option<ChunkSigner>,
    payload: StreamingPayload,
    checksum: Option<ChecksumHasher>,
    /// The trailer's checksum, once checked.
    checked: Option<Checksum>,
    declared: u64,
    /// The sizes of the chunks read so far, the current one included.
    framed: u64,
    /// The index of the chunk being read.
    chunk: u64,
    min_chunk: usize,
    max_chunk: usize,
    state: State,
    /// The current chunk's size, and how many hex digits gave it.
    size: u64,
    digits: u8,
    /// The signature received in a chunk header, as hex.
    received: [u8; 64],
    /// The current chunk's data when it spans several feeds.
    pending: Vec<u8>,
    /// A trailer line being read.
    line: StackText<LINE_CAP>,
    /// The canonical trailer's SHA-256, until its signature is checked.
    trailer_sha256: [u8; 32],
    error: Option<ChunkedError>,
}

/// What reading released: nothing, payload in the input (from this offset
/// to where reading stopped), or the buffered chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Release {
    Nothing,
    Input(usize),
    Pending,
}

/// What became of a chunk's data: held in the buffer until the rest comes,
/// or released, as it lies (checked, or unsigned) or from the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    Held,
    Checked,
    CheckedInBuffer,
}

/// Where the decoder is in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A chunk size's hex digits.
    Size,
    /// `;chunk-signature=`, this many of its bytes matched.
    Extension(u8),
    /// The chunk signature, this many hex digits read.
    Signature(u8),
    /// The CR that ends a header.
    HeaderCr,
    /// The LF that ends a header.
    HeaderLf,
    /// A chunk's data, this many bytes left.
    Data(u64),
    /// The CR after a chunk's data.
    DataCr,
    /// The LF after a chunk's data.
    DataLf,
    /// A line after the final chunk, the next one expected.
    Trailer(Line),
    /// The body is complete.
    Done,
}

impl ChunkDecoder {
    /// A decoder for a body sent as `payload` that declares
    /// `decoded_length` bytes of payload (`x-amz-decoded-content-length`),
    /// checking signatures with `signer`, seeded with the request's
    /// signature (unused for unsigned chunks).
    #[must_use]
    pub fn new(signer: ChunkSigner, payload: StreamingPayload, decoded_length: u64) -> Self {
        Self::build(
            payload.signs_chunks().then_some(signer),
            payload,
            decoded_length,
        )
    }

    /// A decoder for unsigned chunks with a `checksum` trailer
    /// (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`), which needs no key.
    pub fn unsigned(checksum: ChecksumAlgorithm, decoded_length: u64) -> Self {
        let payload = StreamingPayload::UnsignedWithTrailer(checksum);
        Self::build(None, payload, decoded_length)
    }

    fn build(signer: Option<ChunkSigner>, payload: StreamingPayload, declared: u64) -> Self {
        ChunkDecoder {
            min_chunk: if signer.is_some() { MIN_CHUNK_SIZE } else { 0 },
            max_chunk: if signer.is_some() {
                DEFAULT_MAX_CHUNK_SIZE
            } else {
                usize::MAX
            },
            signer,
            payload,
            checksum: payload.trailer().map(ChecksumHasher::new),
            checked: None,
            declared,
            framed: 0,
            chunk: 0,
            state: State::Size,
            size: 0,
            digits: 0,
            received: [0; 64],
            pending: Vec::new(),
            line: StackText::new(),
            trailer_sha256: [0; 32],
            error: None,
        }
    }

    /// Sets the smallest chunk accepted before the last one with data
    /// (default [`MIN_CHUNK_SIZE`] for signed chunks, none for unsigned).
    #[must_use]
    pub fn min_chunk_size(mut self, min: usize) -> Self {
        self.min_chunk = min;
        self
    }

    /// Sets the largest chunk accepted (default for signed chunks
    /// [`DEFAULT_MAX_CHUNK_SIZE`], 1 MiB; none for unsigned ones): a signed
    /// chunk is buffered whole until its signature is checked, so this
    /// bounds the decoder's memory.
    #[must_use]
    pub fn max_chunk_size(mut self, max: usize) -> Self {
        self.max_chunk = max;
        self
    }

    /// The payload mode.
    pub fn payload(&self) -> StreamingPayload {
        self.payload
    }

    /// The declared payload length.
    pub fn declared_length(&self) -> u64 {
        self.declared
    }

    /// Whether the whole body has been read and checked.
    pub fn is_done(&self) -> bool {
        self.state == State::Done && self.error.is_none()
    }

    /// Reads the next piece of the body (any size, empty included) and
    /// appends the payload of every chunk it completes and checks to `out`,
    /// returning how many bytes were appended.
    ///
    /// On error, `out` has gained only bytes of chunks checked before the
    /// bad byte (their signatures matched), none of the chunk that failed;
    /// the body must be refused, and every later call fails again with
    /// the same error.
    ///
    /// A chunk that arrived over several feeds is buffered until checked;
    /// if `out` is empty then, the buffer and `out` trade places instead of
    /// copying, so a caller that empties `out` after each feed copies each
    /// chunk once. [`decode`](Self::decode) lends chunks without copying.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<usize, ChunkedError> {
        let start = out.len();
        loop {
            match self.step(input)? {
                (read, Release::Nothing) => input = &input[read..],
                (read, Release::Input(from)) => {
                    out.put(&input[from..read]);
                    input = &input[read..];
                }
                (read, Release::Pending) => {
                    if out.is_empty() {
                        core::mem::swap(out, &mut self.pending);
                    } else {
                        out.put(&self.pending);
                    }
                    input = &input[read..];
                }
            }
            if input.is_empty() {
                return Ok(out.len() - start);
            }
        }
    }

    /// Reads `input` up to the end of the next chunk it completes and
    /// checks, and lends that chunk's payload: returns how many bytes of
    /// `input` were read and the payload released (empty if none was).
    /// Call again with the rest of `input`.
    ///
    /// This is [`feed`](Self::feed) without the copy: the payload is lent
    /// from `input` when the whole chunk is there, otherwise from the
    /// decoder's one-chunk buffer (for unsigned chunks, each piece of data
    /// as it comes). Errors are those of `feed`.
    ///
    /// ```
    /// # use presign::chunked::{ChunkDecoder, ChecksumAlgorithm};
    /// # let wire = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
    /// let mut decoder = ChunkDecoder::unsigned(ChecksumAlgorithm::Crc32, 5);
    /// let mut stored = Vec::new(); // a file, a socket
    /// let mut input = &wire[..];  // each read from the client
    /// while !input.is_empty() {
    ///     let (read, payload) = decoder.decode(input)?;
    ///     stored.extend_from_slice(payload);
    ///     input = &input[read..];
    /// }
    /// decoder.finish()?; // then, and only then, keep what was stored
    /// assert_eq!(stored, b"hello");
    /// # Ok::<(), presign::chunked::ChunkedError>(())
    /// ```
    pub fn decode<'a>(&'a mut self, input: &'a [u8]) -> Result<(usize, &'a [u8]), ChunkedError> {
        Ok(match self.step(input)? {
            (read, Release::Nothing) => (read, &[]),
            (read, Release::Input(start)) => (read, &input[start..read]),
            (read, Release::Pending) => (read, &self.pending),
        })
    }

    /// [`read`](Self::read), refusing to go on after an error and keeping
    /// the first one.
    fn step(&mut self, input: &[u8]) -> Result<(usize, Release), ChunkedError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.read(input).inspect_err(|e| {
            self.pending.clear();
            self.error = Some(e.clone());
        })
    }

    /// Checks that the body is complete, at its end: every chunk, the final
    /// chunk and the trailer were read and checked. Fails with the error a
    /// feed failed with, or with [`ChunkedError::Truncated`] naming where
    /// the body stopped.
    pub fn finish(&self) -> Result<DecodedBody, ChunkedError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let part = match self.state {
            State::Done => {
                return Ok(DecodedBody {
                    length: self.framed,
                    chunks: self.chunk + 1,
                    checksum: self.checked,
                });
            }
            State::Size
            | State::Extension(_)
            | State::Signature(_)
            | State::HeaderCr
            | State::HeaderLf => "header",
            State::Data(_) | State::DataCr | State::DataLf => "data",
            State::Trailer(_) => "trailer",
        };
        Err(ChunkedError::Truncated {
            chunk: self.chunk,
            part,
        })
    }

    /// Reads `input` until a chunk's payload is released or the input
    /// ends: how much was read, and what was released.
    fn read(&mut self, input: &[u8]) -> Result<(usize, Release), ChunkedError> {
        let mut at = 0;
        while let Some(&b) = input.get(at) {
            let State::Data(left) = self.state else {
                self.framing(b)?;
                at += 1;
                continue;
            };
            let n = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .min(input.len() - at);
            let start = at;
            at += n;
            match self.data(&input[start..at], left)? {
                Taken::Held => {}
                Taken::Checked => return Ok((at, Release::Input(start))),
                Taken::CheckedInBuffer => return Ok((at, Release::Pending)),
            }
        }
        Ok((at, Release::Nothing))
    }

    /// Checks the chunk signature received against the one the data gives.
    fn check_chunk(&mut self, data_sha256: &[u8; 32]) -> Result<(), ChunkedError> {
        let Some(signer) = &mut self.signer else {
            return Ok(());
        };
        let expected = hex64(signer.sign_chunk(data_sha256).as_bytes());
        if bool::from(expected.ct_eq(&self.received)) {
            Ok(())
        } else {
            Err(ChunkedError::ChunkSignatureMismatch { chunk: self.chunk })
        }
    }

    /// The next `data` of a chunk that has `left` bytes to come.
    fn data(&mut self, data: &[u8], left: u64) -> Result<Taken, ChunkedError> {
        let left = left - data.len() as u64;
        self.state = if left == 0 {
            State::DataCr
        } else {
            State::Data(left)
        };
        if self.signer.is_none() {
            if let Some(c) = &mut self.checksum {
                c.update(data);
            }
            return Ok(Taken::Checked);
        }
        // A whole chunk at once is checked where it lies; otherwise it is
        // collected until its last byte.
        let in_place = self.pending.is_empty() && left == 0;
        if !in_place {
            if self.pending.is_empty() {
                // Room for the whole chunk (at most `max_chunk` bytes) at
                // once: the buffer grows only for a larger chunk than before.
                self.pending
                    .reserve(usize::try_from(self.size).unwrap_or(usize::MAX));
            }
            self.pending.extend_from_slice(data);
            if left > 0 {
                return Ok(Taken::Held);
            }
        }
        let hash = sha256(if in_place { data } else { &self.pending });
        self.check_chunk(&hash)?;
        let whole = if in_place { data } else { &self.pending };
        if let Some(c) = &mut self.checksum {
            c.update(whole);
        }
        // The buffer is emptied when the next chunk's data starts.
        Ok(if in_place {
            Taken::Checked
        } else {
            Taken::CheckedInBuffer
        })
    }
}

impl core::fmt::Debug for ChunkDecoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChunkDecoder")
            .field("payload", &self.payload)
            .field("declared", &self.declared)
            .field("framed", &self.framed)
            .field("chunk", &self.chunk)
            .field("state", &self.state)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

/// What a complete body held, once [`ChunkDecoder::finish`] has checked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodedBody {
    length: u64,
    chunks: u64,
    checksum: Option<Checksum>,
}

impl DecodedBody {
    /// The payload's length (the declared one, which it matched).
    pub fn length(&self) -> u64 {
        self.length
    }

    /// The number of chunks, the final empty one included.
    pub fn chunks(&self) -> u64 {
        self.chunks
    }

    /// The trailer's checksum, checked against the payload (`None` without
    /// a trailer).
    #[must_use]
    pub fn checksum(&self) -> Option<Checksum> {
        self.checksum
    }
}
