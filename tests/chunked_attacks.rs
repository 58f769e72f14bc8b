//! Attacks on an `aws-chunked` body and bad framing, each refused with the
//! error that names it, and never with a byte of an unverified chunk handed
//! out: flipped bytes anywhere; chunks reordered, dropped or duplicated;
//! truncation; bytes after the end; short chunks; bad checksums and trailer
//! signatures; another key, time or seed; lengths that do not match.

mod chunked_support;

use chunked_support::{
    MODES, SEED, body, chain, chain_from, decode, decode_with, decoder, encode, is_whole_chunks,
    time,
};
use presign::chunked::{
    ChecksumAlgorithm, ChunkDecoder, ChunkEncoder, ChunkedError, MIN_CHUNK_SIZE, StreamingPayload,
    StreamingUpload,
};
use presign::{
    Credentials, Error, Method, Payload, Region, Service, SignableRequest, Signer, SigningTime,
};
use sha2::{Digest, Sha256};

const SIGNED_TRAILER: StreamingPayload =
    StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32c);

/// Three full chunks and a short one.
fn sample() -> Vec<u8> {
    body(42, 3 * MIN_CHUNK_SIZE + 500)
}

#[test]
fn a_flipped_byte_anywhere_in_the_framing_or_data_fails() {
    let body = sample();
    for payload in MODES {
        let wire = encode(payload, &body, MIN_CHUNK_SIZE);
        // Every byte of the framing, and a sample of the data.
        let positions = (0..wire.bytes.len())
            .filter(|&at| at % 307 == 0 || !wire.data.iter().any(|d| d.contains(&at)));
        for at in positions {
            for xor in [0x01, 0x20, 0x80] {
                let mut bad = wire.bytes.clone();
                bad[at] ^= xor;
                let (result, out) = decode(payload, body.len() as u64, &bad, &[4096]);
                let case_only = xor == 0x20
                    && bad[at].is_ascii_hexdigit()
                    && wire.bytes[at].is_ascii_alphabetic();
                if case_only && result.is_ok() {
                    // A chunk size's hex letter in the other case: the same size.
                    assert!(out == body);
                    continue;
                }
                assert!(result.is_err(), "{payload:?}: byte {at} ^ {xor:#x} decoded");
                if payload.signs_chunks() {
                    assert!(
                        is_whole_chunks(&out, &body, MIN_CHUNK_SIZE),
                        "{payload:?} {at}"
                    );
                }
            }
        }
    }
}

#[test]
fn reordered_dropped_and_duplicated_chunks_fail() {
    let body = sample();
    for payload in MODES {
        let wire = encode(payload, &body, MIN_CHUNK_SIZE);
        let chunk = |i: usize| &wire.bytes[wire.chunks[i].clone()];
        let end = &wire.bytes[wire.chunks[3].end..];
        let rebuilt = |order: &[usize]| -> Vec<u8> {
            let mut v: Vec<u8> = order.iter().flat_map(|&i| chunk(i).to_vec()).collect();
            v.extend_from_slice(end);
            v
        };
        let len = body.len() as u64;
        for (what, order) in [
            ("swapped", vec![1, 0, 2, 3]),
            ("dropped", vec![0, 2, 3]),
            ("duplicated", vec![0, 1, 1, 2, 3]),
            ("last first", vec![3, 0, 1, 2]),
        ] {
            let (result, out) = decode(payload, len, &rebuilt(&order), &[1000]);
            assert!(result.is_err(), "{payload:?} {what}");
            if payload.signs_chunks() {
                assert!(
                    is_whole_chunks(&out, &body, MIN_CHUNK_SIZE),
                    "{payload:?} {what}"
                );
            }
        }
        // With the declared length adjusted to fit, signatures still refuse
        // a dropped or repeated chunk.
        if payload.signs_chunks() {
            let dropped = rebuilt(&[0, 2, 3]);
            let (result, out) = decode(payload, len - MIN_CHUNK_SIZE as u64, &dropped, &[1000]);
            assert_eq!(
                result.unwrap_err(),
                ChunkedError::ChunkSignatureMismatch { chunk: 1 }
            );
            assert!(out == body[..MIN_CHUNK_SIZE]);
            let repeated = rebuilt(&[0, 1, 1, 2, 3]);
            let (result, _) = decode(payload, len + MIN_CHUNK_SIZE as u64, &repeated, &[1000]);
            assert_eq!(
                result.unwrap_err(),
                ChunkedError::ChunkSignatureMismatch { chunk: 2 }
            );
        }
    }
}

#[test]
fn bytes_after_the_end_fail() {
    let body = sample();
    for payload in MODES {
        let wire = encode(payload, &body, MIN_CHUNK_SIZE).bytes;
        for extra in [&b"x"[..], b"\r\n", b"0\r\n\r\n"] {
            let mut long = wire.clone();
            long.extend_from_slice(extra);
            let (result, out) = decode(payload, body.len() as u64, &long, &[usize::MAX]);
            assert_eq!(
                result.unwrap_err(),
                ChunkedError::TrailingBytes,
                "{payload:?}"
            );
            // The body itself was complete and checked.
            assert!(out == body);
        }
    }
}

#[test]
fn a_short_chunk_before_the_last_fails() {
    let data = body(3, 5000);
    for payload in MODES.into_iter().filter(|p| p.signs_chunks()) {
        // Signed by hand: the encoder refuses to write it.
        let mut signer = chain();
        let mut wire = Vec::new();
        for part in [&data[..100], &data[100..]] {
            let sig = signer.sign_chunk(&Sha256::digest(part).into());
            wire.extend_from_slice(
                format!("{:x};chunk-signature={sig}\r\n", part.len()).as_bytes(),
            );
            wire.extend_from_slice(part);
            wire.extend_from_slice(b"\r\n");
        }
        let (result, out) = decode(payload, data.len() as u64, &wire, &[7]);
        assert_eq!(
            result.unwrap_err(),
            ChunkedError::ChunkTooSmall {
                chunk: 0,
                size: 100,
                min: MIN_CHUNK_SIZE
            }
        );
        assert!(out.is_empty());
        // Allowed when asked.
        let relaxed = decoder(payload, data.len() as u64).min_chunk_size(1);
        let (result, out) = decode_with(relaxed, &wire, &[7]);
        assert!(
            matches!(result, Err(ChunkedError::Truncated { chunk: 2, .. })),
            "{result:?}"
        );
        assert!(out == data);

        let mut enc = ChunkEncoder::new(chain(), payload, data.len() as u64);
        let mut sink = Vec::new();
        assert_eq!(
            enc.encode_chunk(&data[..100], &mut sink),
            Err(ChunkedError::ChunkTooSmall {
                chunk: 0,
                size: 100,
                min: MIN_CHUNK_SIZE
            })
        );
        assert!(sink.is_empty());
    }
}

#[test]
fn a_wrong_checksum_fails_even_when_signed() {
    let data = body(9, 10_000);
    let crc = ChecksumAlgorithm::Crc32c;
    let wrong = presign::Checksum::compute(crc, b"another body").unwrap();
    // A signed trailer carrying the wrong checksum, its signature valid.
    let mut signer = chain();
    let mut wire = Vec::new();
    let sig = signer.sign_chunk(&Sha256::digest(&data).into());
    wire.extend_from_slice(format!("{:x};chunk-signature={sig}\r\n", data.len()).as_bytes());
    wire.extend_from_slice(&data);
    wire.extend_from_slice(b"\r\n");
    let sig = signer.sign_chunk(&Sha256::digest(b"").into());
    wire.extend_from_slice(format!("0;chunk-signature={sig}\r\n").as_bytes());
    let line = format!("x-amz-checksum-crc32c:{wrong}");
    let trailer_sig = signer.sign_trailer(&Sha256::digest(format!("{line}\n")).into());
    wire.extend_from_slice(
        format!("{line}\r\nx-amz-trailer-signature:{trailer_sig}\r\n\r\n").as_bytes(),
    );
    let (result, out) = decode(SIGNED_TRAILER, data.len() as u64, &wire, &[333]);
    assert_eq!(
        result.unwrap_err(),
        ChunkedError::ChecksumMismatch {
            name: "x-amz-checksum-crc32c"
        }
    );
    assert!(out == data, "the chunk itself was signed");

    // Unsigned: the checksum is all there is.
    let mut enc_wire = encode(StreamingPayload::UnsignedWithTrailer(crc), &data, 8192).bytes;
    let good = presign::Checksum::compute(crc, &data).unwrap();
    let at = enc_wire
        .windows(8)
        .position(|w| w == good.as_bytes())
        .unwrap();
    enc_wire[at..at + 8].copy_from_slice(wrong.as_bytes());
    let (result, _) = decode(
        StreamingPayload::UnsignedWithTrailer(crc),
        data.len() as u64,
        &enc_wire,
        &[50],
    );
    assert_eq!(
        result.unwrap_err(),
        ChunkedError::ChecksumMismatch {
            name: "x-amz-checksum-crc32c"
        }
    );
}

#[test]
fn trailer_faults_are_named() {
    let data = body(5, 9000);
    let wire = encode(SIGNED_TRAILER, &data, 9000).bytes;
    let text = String::from_utf8_lossy(&wire[wire.len() - 200..]).into_owned();
    let tail_at = wire.len() - 200;
    let len = data.len() as u64;
    let replace = |from: &str, to: &str| {
        let mut t = wire[..tail_at].to_vec();
        t.extend_from_slice(text.replacen(from, to, 1).as_bytes());
        t
    };
    let cases: [(Vec<u8>, ChunkedError); 5] = [
        (
            replace("x-amz-checksum-crc32c:", "x-amz-checksum-crc32:"),
            ChunkedError::UnexpectedTrailer {
                name: "x-amz-checksum-crc32".into(),
                expected: "x-amz-checksum-crc32c",
            },
        ),
        (
            replace("x-amz-checksum-crc32c:", "X-Amz-Checksum-Crc32c:"),
            ChunkedError::UnexpectedTrailer {
                name: "X-Amz-Checksum-Crc32c".into(),
                expected: "x-amz-checksum-crc32c",
            },
        ),
        (
            replace("x-amz-trailer-signature:", "x-amz-trailer-signature: "),
            ChunkedError::MalformedTrailer {
                reason: "expected x-amz-trailer-signature:<signature>",
            },
        ),
        (
            replace("\r\nx-amz-trailer", "\nx-amz-trailer"),
            ChunkedError::MalformedTrailer {
                reason: "a line not ended by CRLF",
            },
        ),
        (
            {
                let mut t = wire[..wire.len() - 2].to_vec();
                t.extend_from_slice(b"x-amz-meta-extra:1\r\n\r\n");
                t
            },
            ChunkedError::MalformedTrailer {
                reason: "a line where the body should end",
            },
        ),
    ];
    for (bad, expected) in cases {
        let (result, _) = decode(SIGNED_TRAILER, len, &bad, &[64]);
        assert_eq!(result.unwrap_err(), expected);
    }
    // A trailer signature one digit off.
    let mut bad = wire.clone();
    let at = wire.len() - 5;
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    let (result, out) = decode(SIGNED_TRAILER, len, &bad, &[64]);
    assert_eq!(result.unwrap_err(), ChunkedError::TrailerSignatureMismatch);
    assert!(out == data);
}

#[test]
fn another_key_time_or_seed_fails_at_the_first_chunk() {
    let data = sample();
    let wire = encode(StreamingPayload::Signed, &data, MIN_CHUNK_SIZE).bytes;
    let later = SigningTime::parse_amz_date("20260524T120001Z").unwrap();
    for chain in [
        chain_from("other-secret", time(), SEED),
        chain_from("test-secret", later, SEED),
        chain_from("test-secret", time(), [0x5f; 32]),
    ] {
        let d = ChunkDecoder::new(chain, StreamingPayload::Signed, data.len() as u64);
        let (result, out) = decode_with(d, &wire, &[usize::MAX]);
        assert_eq!(
            result.unwrap_err(),
            ChunkedError::ChunkSignatureMismatch { chunk: 0 }
        );
        assert!(out.is_empty());
    }
}

#[test]
fn lengths_that_do_not_match_the_declared_one_fail() {
    let data = body(8, 3 * MIN_CHUNK_SIZE);
    let len = data.len() as u64;
    for payload in MODES {
        let wire = encode(payload, &data, MIN_CHUNK_SIZE).bytes;
        let (result, out) = decode(payload, len + 1, &wire, &[usize::MAX]);
        assert_eq!(
            result.unwrap_err(),
            ChunkedError::DecodedLengthMismatch {
                received: len,
                declared: len + 1
            }
        );
        assert!(out == data);
        let (result, _) = decode(payload, len - 1, &wire, &[usize::MAX]);
        assert_eq!(
            result.unwrap_err(),
            ChunkedError::DecodedLengthExceeded {
                chunk: 2,
                total: len,
                declared: len - 1
            }
        );
        // Too short for the first chunk: refused before its signature.
        let (result, out) = decode(payload, 100, &wire, &[usize::MAX]);
        assert!(matches!(
            result,
            Err(ChunkedError::DecodedLengthExceeded { chunk: 0, .. })
        ));
        assert!(out.is_empty());
    }
}

#[test]
fn malformed_headers_are_refused_at_the_bad_byte() {
    let cases: [(&[u8], ChunkedError); 8] = [
        (b"2g00", header(0, "the size is not hex")),
        (b";chunk-signature=", header(0, "no size")),
        (b"\r\n", header(0, "no size")),
        (b"2000\r\n", header(0, "no chunk-signature")),
        (b"2000;chunk-sig=", header(0, "expected ;chunk-signature=")),
        (
            b"2000;chunk-signature=ABCD",
            header(0, "the signature is not 64 lowercase hex digits"),
        ),
        (
            b"00000000000000002000",
            header(0, "the size has more than 16 hex digits"),
        ),
        (
            b"200000",
            ChunkedError::ChunkTooLarge {
                chunk: 0,
                size: 0x200000,
                max: 1 << 20,
            },
        ),
    ];
    for (bytes, expected) in cases {
        let mut d = decoder(StreamingPayload::Signed, 1 << 30);
        let mut out = Vec::new();
        assert_eq!(
            d.feed(bytes, &mut out),
            Err(expected.clone()),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
        // Every later call fails the same way.
        assert_eq!(d.feed(b"", &mut out), Err(expected.clone()));
        assert_eq!(d.finish(), Err(expected));
        assert!(out.is_empty());
    }
    // Unsigned chunks take no extension.
    let mut d = ChunkDecoder::unsigned(ChecksumAlgorithm::Crc32, 10);
    assert_eq!(
        d.feed(b"a;chunk-signature=", &mut Vec::new()),
        Err(header(0, "an extension on an unsigned chunk"))
    );
    // A chunk longer than its header says.
    let data = body(1, 100);
    let mut wire = encode(
        StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32),
        &data,
        8192,
    )
    .bytes;
    wire[1] = b'3'; // "64" (100) becomes "63" (99)
    let (result, _) = decode(
        StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32),
        99,
        &wire,
        &[9],
    );
    assert_eq!(result.unwrap_err(), ChunkedError::MissingCrlf { chunk: 0 });
}

fn header(chunk: u64, reason: &'static str) -> ChunkedError {
    ChunkedError::MalformedChunkHeader { chunk, reason }
}

#[test]
fn sdk_spellings_decode() {
    // Uppercase sizes (the .NET SDK's signed chunks, the Rust SDK's
    // unsigned ones), and the Rust SDK's single unsigned chunk of a large
    // body, which no 1 MiB limit may refuse.
    let data = body(11, 0xa000 + 0xb0);
    let wire = encode(StreamingPayload::Signed, &data, 0xa000);
    assert_eq!(&wire.bytes[..4], b"a000");
    let mut upper = wire.bytes.clone();
    upper[0] = b'A';
    let at = wire.chunks[1].start;
    upper[at..at + 2].copy_from_slice(b"B0");
    let (result, out) = decode(StreamingPayload::Signed, data.len() as u64, &upper, &[5000]);
    assert!(result.is_ok(), "{result:?}");
    assert!(out == data);

    let big = body(12, 3 << 20);
    let unsigned = StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32);
    let mut wire = format!("{:X}\r\n", big.len()).into_bytes();
    wire.extend_from_slice(&big);
    wire.extend_from_slice(b"\r\n0\r\n");
    let crc = presign::Checksum::compute(ChecksumAlgorithm::Crc32, &big).unwrap();
    wire.extend_from_slice(format!("x-amz-checksum-crc32:{crc}\r\n\r\n").as_bytes());
    let (result, out) = decode(unsigned, big.len() as u64, &wire, &[65_536]);
    assert_eq!(result.unwrap().checksum(), Some(crc));
    assert!(out == big);
}

#[test]
fn the_encoder_keeps_to_the_declared_length() {
    let data = body(4, 20_000);
    let mut enc = ChunkEncoder::new(chain(), StreamingPayload::Signed, data.len() as u64);
    let mut out = Vec::new();
    enc.encode_chunk(&data[..10_000], &mut out).unwrap();
    assert_eq!(
        enc.finish(&mut out),
        Err(ChunkedError::DecodedLengthMismatch {
            received: 10_000,
            declared: 20_000
        })
    );
    assert_eq!(
        enc.encode_chunk(&data, &mut out),
        Err(ChunkedError::DecodedLengthExceeded {
            chunk: 1,
            total: 30_000,
            declared: 20_000
        })
    );
    enc.encode_chunk(&data[10_000..], &mut out).unwrap();
    let before = out.len();
    enc.encode_chunk(b"", &mut out).unwrap();
    assert_eq!(out.len(), before, "an empty chunk writes nothing");
    assert_eq!(enc.finish(&mut out), Ok(None));
    assert_eq!(enc.finish(&mut out), Err(ChunkedError::AlreadyFinished));
    assert_eq!(
        enc.encode_chunk(b"x", &mut out),
        Err(ChunkedError::AlreadyFinished)
    );
    let (result, decoded) = decode(StreamingPayload::Signed, data.len() as u64, &out, &[999]);
    assert!(result.is_ok());
    assert!(decoded == data);
}

#[test]
fn chunk_headers_frame_without_copying() {
    let data = sample();
    for payload in MODES {
        let mut enc = ChunkEncoder::new(chain(), payload, data.len() as u64);
        let mut wire = Vec::new();
        for piece in data.chunks(MIN_CHUNK_SIZE) {
            let header = enc.chunk_header(piece).unwrap();
            wire.extend_from_slice(header.as_bytes());
            wire.extend_from_slice(piece);
            wire.extend_from_slice(presign::chunked::CRLF);
        }
        enc.finish(&mut wire).unwrap();
        assert!(
            wire == encode(payload, &data, MIN_CHUNK_SIZE).bytes,
            "{payload:?}"
        );
    }
}

#[test]
fn streaming_uploads_sign_with_headers_only() {
    let creds = Credentials::new("AKIDEXAMPLE", "test-secret").unwrap();
    let signer = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
    let req = SignableRequest::new(Method::PUT, "bucket.s3.amazonaws.com", "/key");
    let presigned = signer.presign(
        &req.clone()
            .payload(Payload::Streaming(StreamingPayload::Signed)),
        &creds,
        time(),
        std::time::Duration::from_secs(60),
    );
    assert!(matches!(
        presigned,
        Err(Error::InvalidStreamingUpload { .. })
    ));

    let upload = StreamingUpload::new(SIGNED_TRAILER, 10);
    for name in [
        "Content-Encoding",
        "x-amz-decoded-content-length",
        "X-Amz-Trailer",
    ] {
        let taken = req.clone().header(name, "x");
        assert_eq!(
            upload.sign(&signer, &taken, &creds, time()).unwrap_err(),
            Error::ReservedHeader {
                name: name.to_ascii_lowercase()
            }
        );
    }
    assert!(matches!(
        upload.chunk_size(4096).sign(&signer, &req, &creds, time()),
        Err(Error::InvalidStreamingUpload { .. })
    ));

    // A service that does not send x-amz-content-sha256 still does for a
    // streaming body, which it announces.
    let plain = Signer::new(
        Region::new("us-east-1").unwrap(),
        Service::new("example").unwrap(),
    );
    let signed = upload.sign(&plain, &req, &creds, time()).unwrap();
    let headers: Vec<(&str, &str)> = signed.headers().collect();
    for expected in [
        (
            "x-amz-content-sha256",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        ),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "10"),
        ("x-amz-trailer", "x-amz-checksum-crc32c"),
    ] {
        assert!(headers.contains(&expected), "{expected:?} in {headers:?}");
    }
    assert!(
        signed.authorization().authorization().contains(
            "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-trailer,"
        ),
        "{}",
        signed.authorization().authorization()
    );
}

#[test]
fn debug_shows_no_key_and_no_seed() {
    let creds = Credentials::new("AKIDEXAMPLE", "test-secret").unwrap();
    let signer = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
    let req = SignableRequest::new(Method::PUT, "bucket.s3.amazonaws.com", "/key");
    let mut upload = StreamingUpload::new(StreamingPayload::Signed, 5)
        .sign(&signer, &req, &creds, time())
        .unwrap();
    let seed = upload.seed_signature().to_string();
    let key = signer.key_cache().get(&creds, signer.scope(time()));
    let key_hex = hex::encode(
        presign::KeyDerivation::derive("test-secret", signer.scope(time())).k_signing(),
    );
    let mut out = Vec::new();
    upload.encoder().encode_chunk(b"hello", &mut out).unwrap();
    let d = ChunkDecoder::new(
        presign::chunked::ChunkSigner::with_cached_key(&key, time(), upload.seed_signature()),
        StreamingPayload::Signed,
        5,
    );
    for shown in [format!("{upload:?}"), format!("{d:?}")] {
        assert!(!shown.contains(&seed), "{shown}");
        assert!(!shown.contains(&key_hex), "{shown}");
        assert!(!shown.contains("test-secret"), "{shown}");
    }
}

#[test]
fn the_verifier_does_not_take_a_streaming_body_as_verified() {
    use presign::verify::{ReceivedRequest, Verifier, VerifyError};
    // A service without x-amz-content-sha256: the verifier would otherwise
    // sign the payload line the caller hands it and call the body checked.
    let creds = Credentials::new("AKIDEXAMPLE", "test-secret").unwrap();
    let service = Service::new("example").unwrap();
    let signer = Signer::new(Region::new("us-east-1").unwrap(), service.clone());
    let req = SignableRequest::new(Method::PUT, "example.amazonaws.com", "/key");
    let url = signer
        .presign(&req, &creds, time(), std::time::Duration::from_secs(60))
        .unwrap();
    let verifier = Verifier::with_lookup(creds).service(service);
    let received = ReceivedRequest::new("PUT", url.uri())
        .header("host", "example.amazonaws.com")
        .payload(Payload::Streaming(StreamingPayload::Signed));
    assert!(matches!(
        verifier.verify(&received, time()),
        Err(VerifyError::UnsupportedPayload { .. })
    ));
}
