//! aws-chunked decoding: arbitrary bytes never panic and never hand out a
//! byte from a signed decoder; a body the encoder made decodes back to
//! itself however it is split; one changed byte makes decoding fail (or,
//! for a chunk size's hex letter changed in case, decode to the same
//! payload), and a signed decoder never hands out a byte of a chunk that
//! failed.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use presign::chunked::{
    ChecksumAlgorithm, ChunkDecoder, ChunkEncoder, ChunkSigner, ChunkedError, DecodedBody,
    MIN_CHUNK_SIZE, StreamingPayload,
};
use presign::{Region, Scope, Service, Signature, SigningKey, SigningTime};

const MODES: [StreamingPayload; 7] = [
    StreamingPayload::Signed,
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32),
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32c),
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Sha256),
    StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32),
    StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32c),
    StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Sha256),
];

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    mode: u8,
    /// Fed as they are to a decoder expecting `declared` bytes.
    raw: &'a [u8],
    declared: u16,
    /// The start of the body to encode; the rest is generated up to
    /// `body_len`.
    body: &'a [u8],
    body_len: u16,
    chunk_extra: u16,
    /// Feed sizes, cycled.
    pieces: Vec<u16>,
    mutate_at: u32,
    xor: u8,
}

fn chain() -> ChunkSigner {
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let scope = Scope::new(time.scope_date(), &region, &service);
    let key = SigningKey::derive("fuzz-secret", scope);
    ChunkSigner::new(&key, time, scope, Signature::from_bytes([0x5e; 32]))
}

fn decode(
    payload: StreamingPayload,
    declared: u64,
    wire: &[u8],
    pieces: &[u16],
) -> (Result<DecodedBody, ChunkedError>, Vec<u8>) {
    let mut decoder = ChunkDecoder::new(chain(), payload, declared);
    let mut out = Vec::new();
    let mut rest = wire;
    let mut sizes = pieces.iter().map(|&n| usize::from(n)).cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(usize::MAX).clamp(1, rest.len());
        let (piece, tail) = rest.split_at(n);
        if let Err(e) = decoder.feed(piece, &mut out) {
            // Every later call fails the same way.
            assert_eq!(decoder.finish(), Err(e.clone()));
            return (Err(e), out);
        }
        rest = tail;
    }
    (decoder.finish(), out)
}

/// Whole chunks of `body` from its start: all a signed decoder may give.
fn whole_chunks(out: &[u8], body: &[u8], chunk_size: usize) -> bool {
    body.starts_with(out) && (out.len().is_multiple_of(chunk_size) || out.len() == body.len())
}

fuzz_target!(|input: Input<'_>| {
    let payload = MODES[usize::from(input.mode) % MODES.len()];

    // Arbitrary bytes: no panic, and nothing out of a signed decoder.
    let (result, out) = decode(payload, u64::from(input.declared), input.raw, &input.pieces);
    if payload.signs_chunks() {
        assert!(out.is_empty(), "a signed decoder handed out unsigned bytes");
        assert!(input.declared == 0 || result.is_err());
    }

    // An encoded body round-trips.
    let chunk_size = MIN_CHUNK_SIZE + usize::from(input.chunk_extra) % 4096;
    let len = usize::from(input.body_len) % 40_000;
    let mut body: Vec<u8> = input.body.iter().copied().take(len).collect();
    let mut x = u64::from(input.body_len) | 1;
    while body.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        body.push((x >> 24) as u8);
    }
    let mut encoder = ChunkEncoder::new(chain(), payload, len as u64);
    let mut wire = Vec::new();
    for piece in body.chunks(chunk_size) {
        encoder.encode_chunk(piece, &mut wire).unwrap();
    }
    encoder.finish(&mut wire).unwrap();
    assert_eq!(
        Some(wire.len() as u64),
        payload.encoded_length(len as u64, chunk_size)
    );
    let (result, out) = decode(payload, len as u64, &wire, &input.pieces);
    let done = result.unwrap_or_else(|e| panic!("own body refused: {e}"));
    assert!(out == body);
    assert_eq!(done.length(), len as u64);

    // One changed byte fails.
    if input.xor == 0 {
        return;
    }
    let at = input.mutate_at as usize % wire.len();
    let was = wire[at];
    wire[at] ^= input.xor;
    let (result, out) = decode(payload, len as u64, &wire, &input.pieces);
    match result {
        Ok(_) => {
            assert!(
                was.is_ascii_alphabetic() && was.is_ascii_hexdigit() && wire[at] == was ^ 0x20,
                "byte {at} changed from {was:#x} to {:#x} and still decoded",
                wire[at]
            );
            assert!(out == body);
        }
        Err(_) if payload.signs_chunks() => {
            assert!(
                whole_chunks(&out, &body, chunk_size),
                "unverified bytes handed out"
            );
        }
        // Unsigned chunks are handed out as they come; the checksum
        // refused the body at its end.
        Err(_) => {}
    }
});
