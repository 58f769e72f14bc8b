//! Properties of the `aws-chunked` encoder and decoder, for every payload
//! mode and checksum: what the encoder makes decodes back to itself however
//! the wire is split (down to one byte per feed); one changed byte anywhere
//! makes decoding fail; arbitrary bytes never panic and never hand out a
//! byte from a signed decoder.

mod chunked_support;

use chunked_support::{MODES, body, decode, decode_lending, decoder, encode, is_whole_chunks};
use presign::chunked::{ChunkedError, MIN_CHUNK_SIZE, StreamingPayload};
use proptest::prelude::*;
use proptest::sample::Index;

fn mode() -> impl Strategy<Value = StreamingPayload> {
    (0..MODES.len()).prop_map(|i| MODES[i])
}

/// Feed sizes: mostly small, some large, some empty feeds.
fn pieces() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![3 => 1usize..100, 2 => 100usize..20_000, 1 => Just(0usize)],
        1..6,
    )
    .prop_filter("not only empty feeds", |p| p.iter().any(|&n| n > 0))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trips_however_split(
        payload in mode(),
        len in prop_oneof![Just(0usize), 1usize..200_000],
        chunk_size in MIN_CHUNK_SIZE..70_000,
        seed in any::<u64>(),
        pieces in pieces(),
    ) {
        let body = body(seed, len);
        let wire = encode(payload, &body, chunk_size);
        prop_assert_eq!(
            Some(wire.bytes.len() as u64),
            payload.encoded_length(len as u64, chunk_size)
        );
        let (result, out) = decode(payload, len as u64, &wire.bytes, &pieces);
        let done = result.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(out == body);
        prop_assert_eq!(done.length(), len as u64);
        prop_assert_eq!(done.chunks() as usize, wire.data.len() + 1);
        prop_assert_eq!(done.checksum(), payload.trailer().map(|c| {
            let mut h = presign::chunked::ChecksumHasher::new(c);
            h.update(&body);
            h.finish()
        }));

        // The same through the lending `decode`.
        let (result, lent) = decode_lending(decoder(payload, len as u64), &wire.bytes, &pieces);
        prop_assert_eq!(result, Ok(done));
        prop_assert!(lent == body);
    }

    #[test]
    fn round_trips_one_byte_at_a_time(
        payload in mode(),
        len in 0usize..30_000,
        chunk_size in MIN_CHUNK_SIZE..12_000,
        seed in any::<u64>(),
    ) {
        let body = body(seed, len);
        let wire = encode(payload, &body, chunk_size);
        let (result, out) = decode(payload, len as u64, &wire.bytes, &[1]);
        prop_assert!(result.is_ok(), "{:?}", result);
        prop_assert!(out == body);
    }

    #[test]
    fn a_changed_byte_fails(
        payload in mode(),
        len in 0usize..40_000,
        chunk_size in MIN_CHUNK_SIZE..20_000,
        seed in any::<u64>(),
        at in any::<Index>(),
        xor in 1u8..=255,
        pieces in pieces(),
    ) {
        let body = body(seed, len);
        let mut wire = encode(payload, &body, chunk_size).bytes;
        let at = at.index(wire.len());
        let was = wire[at];
        wire[at] ^= xor;
        let (result, out) = decode(payload, len as u64, &wire, &pieces);
        match result {
            // Chunk sizes are read in either case (SDKs write both): the
            // one change that still decodes, to the same payload.
            Ok(_) => {
                prop_assert!(
                    was.is_ascii_hexdigit() && was.is_ascii_alphabetic()
                        && wire[at] == was ^ 0x20,
                    "byte {} changed from {:#x} to {:#x} and still decoded", at, was, wire[at]
                );
                prop_assert!(out == body);
            }
            Err(_) if payload.signs_chunks() => {
                prop_assert!(is_whole_chunks(&out, &body, chunk_size), "unverified bytes out");
            }
            // Unsigned chunks are handed out as they arrive: only the
            // trailer's checksum, at the end, covers them.
            Err(_) => {}
        }
    }

    #[test]
    fn arbitrary_bytes_hand_out_nothing_signed(
        payload in mode(),
        declared in prop_oneof![Just(0u64), 1u64..100_000],
        bytes in prop::collection::vec(any::<u8>(), 0..3000),
        pieces in pieces(),
    ) {
        let (result, out) = decode(payload, declared, &bytes, &pieces);
        if payload.signs_chunks() {
            // No byte can pass a chunk signature nobody computed.
            prop_assert!(out.is_empty());
            prop_assert!(declared == 0 || result.is_err());
        }
    }

    #[test]
    fn a_valid_prefix_then_garbage_fails_cleanly(
        payload in mode(),
        len in 1usize..30_000,
        cut in any::<Index>(),
        garbage in prop::collection::vec(any::<u8>(), 1..200),
        seed in any::<u64>(),
    ) {
        let body = body(seed, len);
        let wire = encode(payload, &body, MIN_CHUNK_SIZE).bytes;
        let cut = cut.index(wire.len());
        let mut mixed = wire[..cut].to_vec();
        mixed.extend_from_slice(&garbage);
        let (result, out) = decode(payload, len as u64, &mixed, &[usize::MAX]);
        if mixed != wire {
            prop_assert!(result.is_err() || out == body);
        }
        if payload.signs_chunks() {
            prop_assert!(is_whole_chunks(&out, &body, MIN_CHUNK_SIZE));
        }
    }
}

#[test]
fn whole_chunks_are_lent_from_the_input() {
    let body = body(3, 5 * MIN_CHUNK_SIZE + 17);
    for payload in MODES {
        let wire = encode(payload, &body, MIN_CHUNK_SIZE);
        let mut d = decoder(payload, body.len() as u64);
        let (mut input, mut lent) = (&wire.bytes[..], 0);
        while !input.is_empty() {
            let (used, payload_bytes) = d.decode(input).unwrap();
            if !payload_bytes.is_empty() {
                // Not copied: a slice of the chunk's data where it lies.
                let at = payload_bytes.as_ptr() as usize - wire.bytes.as_ptr() as usize;
                assert_eq!(at..at + payload_bytes.len(), wire.data[lent]);
                lent += 1;
            }
            input = &input[used..];
        }
        assert_eq!(lent, wire.data.len());
        assert!(d.finish().is_ok());
    }
}

#[test]
fn every_truncation_fails_at_finish() {
    for payload in MODES {
        let body = body(7, MIN_CHUNK_SIZE + 100);
        let wire = encode(payload, &body, MIN_CHUNK_SIZE);
        // Every cut in the framing, and a sample of cuts in the data.
        let cuts = (0..wire.bytes.len())
            .filter(|&at| at % 257 == 0 || !wire.data.iter().any(|d| d.contains(&at)));
        for cut in cuts {
            let (result, out) = decode(
                payload,
                body.len() as u64,
                &wire.bytes[..cut],
                &[usize::MAX],
            );
            assert!(
                matches!(result, Err(ChunkedError::Truncated { .. })),
                "{payload:?} cut at {cut}: {result:?}"
            );
            if payload.signs_chunks() {
                assert!(is_whole_chunks(&out, &body, MIN_CHUNK_SIZE), "{cut}");
            }
        }
    }
}
