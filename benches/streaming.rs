//! Criterion benches of streaming (`aws-chunked`) signing and verifying, each
//! beside its cryptographic floor: the SHA-256 of the payload plus one HMAC
//! (of a chunk's string to sign) per chunk, with the signing key's keyed
//! HMAC state derived once.
//!
//! 1 MiB in 64 KiB chunks, signed without a trailer: encoding into one
//! reused buffer or chunk by chunk, framing only (the data sent from where
//! it lies), and decoding fed whole, in 16 KiB reads (a server's), or lent
//! without a copy.
//!
//! `cargo bench --bench streaming`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use presign::chunked::{ChunkDecoder, ChunkEncoder, ChunkSigner, StreamingPayload};
use presign::{Region, Scope, Service, Signature, SigningKey, SigningTime};
use sha2::{Digest, Sha256};

const BODY: usize = 1 << 20;
const CHUNK: usize = 64 << 10;

fn time() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").unwrap()
}

fn key_and_chain() -> (SigningKey, impl Fn() -> ChunkSigner) {
    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let scope = Scope::new(time().scope_date(), &region, &service);
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let key = SigningKey::derive(secret, scope);
    // (A key is not Clone: the chain gets its own, derived again.)
    let k = SigningKey::derive(secret, scope);
    let chain = move || {
        let scope = Scope::new(time().scope_date(), &region, &service);
        ChunkSigner::new(&k, time(), scope, Signature::from_bytes([0x5e; 32]))
    };
    (key, chain)
}

fn body() -> Vec<u8> {
    (0..BODY as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

fn streaming(c: &mut Criterion) {
    let body = body();
    let (key, chain) = key_and_chain();
    let payload = StreamingPayload::Signed;
    let mut group = c.benchmark_group("1 MiB in 64 KiB chunks");
    group.throughput(Throughput::Bytes(BODY as u64));

    // The floor: hash each chunk, sign a chunk's string to sign.
    let sts = chain().chunk_string_to_sign(&[0; 32]);
    group.bench_function("floor: SHA-256 + one HMAC per chunk", |b| {
        b.iter(|| {
            for piece in black_box(&body).chunks(CHUNK) {
                black_box(Sha256::digest(piece));
                black_box(key.sign(black_box(sts.as_bytes())));
            }
            // The final, empty chunk's HMAC.
            key.sign(black_box(sts.as_bytes()))
        })
    });

    let mut wire = Vec::with_capacity(BODY + 2048);
    group.bench_function("encode into a reused buffer", |b| {
        b.iter(|| {
            wire.clear();
            let mut enc = ChunkEncoder::new(chain(), payload, BODY as u64);
            for piece in black_box(&body).chunks(CHUNK) {
                enc.encode_chunk(piece, &mut wire).unwrap();
            }
            enc.finish(&mut wire).unwrap();
        })
    });

    let mut per_chunk = Vec::with_capacity(CHUNK + 256);
    group.bench_function("encode, one chunk at a time into a reused buffer", |b| {
        b.iter(|| {
            let mut enc = ChunkEncoder::new(chain(), payload, BODY as u64);
            for piece in black_box(&body).chunks(CHUNK) {
                // A client sends each framed chunk, then reuses the buffer.
                per_chunk.clear();
                enc.encode_chunk(piece, &mut per_chunk).unwrap();
                black_box(&per_chunk);
            }
            per_chunk.clear();
            enc.finish(&mut per_chunk).unwrap();
        })
    });

    group.bench_function("encode: headers only (no copy)", |b| {
        b.iter(|| {
            let mut enc = ChunkEncoder::new(chain(), payload, BODY as u64);
            for piece in black_box(&body).chunks(CHUNK) {
                black_box(enc.chunk_header(piece).unwrap());
            }
            let mut last = Vec::new();
            enc.finish(&mut last).unwrap();
            last
        })
    });

    let mut encoded = Vec::new();
    let mut enc = ChunkEncoder::new(chain(), payload, BODY as u64);
    for piece in body.chunks(CHUNK) {
        enc.encode_chunk(piece, &mut encoded).unwrap();
    }
    enc.finish(&mut encoded).unwrap();

    let mut out = Vec::with_capacity(BODY);
    group.bench_function("decode, fed whole", |b| {
        b.iter(|| {
            out.clear();
            let mut dec = ChunkDecoder::new(chain(), payload, BODY as u64);
            dec.feed(black_box(&encoded), &mut out).unwrap();
            dec.finish().unwrap()
        })
    });

    let mut dec_buf = Vec::with_capacity(CHUNK);
    group.bench_function("decode, fed in 16 KiB reads", |b| {
        b.iter(|| {
            dec_buf.clear();
            let mut dec = ChunkDecoder::new(chain(), payload, BODY as u64);
            for read in black_box(&encoded).chunks(16 << 10) {
                // A server writes out what each read released, then reuses
                // the buffer.
                dec.feed(read, &mut dec_buf).unwrap();
                black_box(&dec_buf);
                dec_buf.clear();
            }
            dec.finish().unwrap()
        })
    });
    group.bench_function("decode, lent in 16 KiB reads (no copy)", |b| {
        b.iter(|| {
            let mut dec = ChunkDecoder::new(chain(), payload, BODY as u64);
            for read in black_box(&encoded).chunks(16 << 10) {
                let mut input = read;
                while !input.is_empty() {
                    let (used, payload) = dec.decode(input).unwrap();
                    black_box(payload);
                    input = &input[used..];
                }
            }
            dec.finish().unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, streaming);
criterion_main!(benches);
