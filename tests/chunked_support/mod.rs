//! Shared helpers for the `aws-chunked` tests: one signing key, time and
//! seed, every payload mode, and encoding and decoding a body with any
//! chunk size and any split of the wire bytes.
#![allow(dead_code)]

use std::ops::Range;

use presign::chunked::{
    ChecksumAlgorithm, ChunkDecoder, ChunkEncoder, ChunkSigner, ChunkedError, DecodedBody,
    StreamingPayload,
};
use presign::{Region, Scope, Service, Signature, SigningKey, SigningTime};

/// Every mode with every checksum.
pub const MODES: [StreamingPayload; 11] = [
    StreamingPayload::Signed,
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32),
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32c),
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc64Nvme),
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Sha1),
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Sha256),
    StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32),
    StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32c),
    StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc64Nvme),
    StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Sha1),
    StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Sha256),
];

pub const SEED: [u8; 32] = [0x5e; 32];

pub fn time() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").unwrap()
}

/// The chain for the fixed key, time and scope, from `seed`.
pub fn chain_from(secret: &str, time: SigningTime, seed: [u8; 32]) -> ChunkSigner {
    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let scope = Scope::new(time.scope_date(), &region, &service);
    let key = SigningKey::derive(secret, scope);
    ChunkSigner::new(&key, time, scope, Signature::from_bytes(seed))
}

pub fn chain() -> ChunkSigner {
    chain_from("test-secret", time(), SEED)
}

/// Deterministic bytes.
pub fn body(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// An encoded body and where each chunk's data lies in it.
pub struct Wire {
    pub bytes: Vec<u8>,
    pub data: Vec<Range<usize>>,
    /// Where each framed data chunk (header, data, CRLF) lies.
    pub chunks: Vec<Range<usize>>,
}

/// Encodes `body` in chunks of `chunk_size` (the last one shorter).
pub fn encode(payload: StreamingPayload, body: &[u8], chunk_size: usize) -> Wire {
    let mut enc = ChunkEncoder::new(chain(), payload, body.len() as u64);
    let mut wire = Wire {
        bytes: Vec::new(),
        data: Vec::new(),
        chunks: Vec::new(),
    };
    for piece in body.chunks(chunk_size) {
        let start = wire.bytes.len();
        enc.encode_chunk(piece, &mut wire.bytes).unwrap();
        let end = wire.bytes.len();
        wire.data.push(end - 2 - piece.len()..end - 2);
        wire.chunks.push(start..end);
    }
    enc.finish(&mut wire.bytes).unwrap();
    wire
}

pub fn decoder(payload: StreamingPayload, declared: u64) -> ChunkDecoder {
    ChunkDecoder::new(chain(), payload, declared)
}

/// Feeds `wire` to `decoder` in pieces of the sizes given (cycled; a 0 is
/// an empty feed), then finishes. Returns the result and what was handed
/// out, whatever happened.
pub fn decode_with(
    mut decoder: ChunkDecoder,
    wire: &[u8],
    pieces: &[usize],
) -> (Result<DecodedBody, ChunkedError>, Vec<u8>) {
    let mut out = Vec::new();
    let mut rest = wire;
    let mut sizes = pieces.iter().copied().cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        let before = out.len();
        match decoder.feed(piece, &mut out) {
            Ok(added) => assert_eq!(added, out.len() - before),
            Err(e) => return (Err(e), out),
        }
        rest = tail;
    }
    (decoder.finish(), out)
}

/// [`decode_with`] through the lending `decode`: each read's payload
/// slices are copied out by the caller.
pub fn decode_lending(
    mut decoder: ChunkDecoder,
    wire: &[u8],
    pieces: &[usize],
) -> (Result<DecodedBody, ChunkedError>, Vec<u8>) {
    let mut out = Vec::new();
    let mut rest = wire;
    let mut sizes = pieces.iter().copied().cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (mut read, tail) = rest.split_at(n);
        loop {
            match decoder.decode(read) {
                Ok((used, payload)) => {
                    out.extend_from_slice(payload);
                    read = &read[used..];
                }
                Err(e) => return (Err(e), out),
            }
            if read.is_empty() {
                break;
            }
        }
        rest = tail;
    }
    (decoder.finish(), out)
}

pub fn decode(
    payload: StreamingPayload,
    declared: u64,
    wire: &[u8],
    pieces: &[usize],
) -> (Result<DecodedBody, ChunkedError>, Vec<u8>) {
    decode_with(decoder(payload, declared), wire, pieces)
}

/// Whether `out` is what signed chunks may hand out of `body` sent in
/// chunks of `chunk_size`: whole chunks from the start.
pub fn is_whole_chunks(out: &[u8], body: &[u8], chunk_size: usize) -> bool {
    body.starts_with(out) && (out.len().is_multiple_of(chunk_size) || out.len() == body.len())
}
