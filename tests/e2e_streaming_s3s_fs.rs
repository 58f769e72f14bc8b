//! End to end: streaming (`aws-chunked`) uploads made with the crate, sent
//! by a raw HTTP/1.1 client to a real S3 server that verifies SigV4 and
//! every chunk signature (s3s + s3s-fs, in-process on 127.0.0.1; see
//! `tests/s3s_fs/mod.rs`), then read back byte for byte.
//!
//! s3s 0.14 verifies the seed signature, each chunk's signature and the
//! trailer's signature; it does not compare a trailer's checksum with the
//! bytes (the crate's own decoder does: `tests/verify_streaming.rs`).
//! Every rejection test also sends the untampered upload and expects it to
//! be stored, so a server that refused everything would fail them.

mod s3s_fs;

use presign::chunked::{ChecksumAlgorithm, StreamingPayload, StreamingUpload};
use presign::s3::Bucket;
use presign::{Method, Region, Service, SignableRequest, Signer, SigningTime};
use s3s_fs::{
    TestServer, assert_no_object, assert_object, assert_status, creds, server_with_bucket,
};

/// A streaming PUT of `body` to `key`, sent in chunks of `chunk` bytes:
/// the headers to send and the encoded body.
fn streaming_put(
    bucket: &Bucket,
    key: &str,
    mode: StreamingPayload,
    body: &[u8],
    chunk: usize,
) -> (String, Vec<(String, String)>, Vec<u8>) {
    let creds = creds();
    let signer = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
    let target = format!("/{}/{key}", bucket.name());
    let host = bucket.host().to_owned();
    let request = SignableRequest::new(Method::PUT, &host, &target);
    let mut signed = StreamingUpload::new(mode, body.len() as u64)
        .chunk_size(chunk)
        .sign(&signer, &request, &creds, SigningTime::now())
        .unwrap_or_else(|e| panic!("sign {mode:?}: {e}"));
    let mut headers: Vec<(String, String)> = signed
        .headers()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    headers.push(("content-length".into(), signed.content_length().to_string()));
    let mut wire = Vec::with_capacity(signed.content_length() as usize);
    let encoder = signed.encoder();
    for piece in body.chunks(chunk) {
        encoder.encode_chunk(piece, &mut wire).unwrap();
    }
    encoder.finish(&mut wire).unwrap();
    assert_eq!(wire.len() as u64, signed.content_length());
    (target, headers, wire)
}

fn send(
    server: &TestServer,
    bucket: &Bucket,
    target: &str,
    headers: &[(String, String)],
    wire: &[u8],
) -> s3s_fs::Response {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    server.send("PUT", bucket.host(), target, &headers, wire)
}

fn body(len: usize) -> Vec<u8> {
    (0..len as u64).map(|i| (i * 7919 % 253) as u8).collect()
}

/// The modes s3s 0.14 accepts (all three; see the tests below for the
/// unsigned one).
fn modes() -> [StreamingPayload; 6] {
    [
        StreamingPayload::Signed,
        StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32c),
        StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32),
        StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc64Nvme),
        StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Sha1),
        StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Sha256),
    ]
}

#[test]
fn streaming_uploads_are_stored_and_read_back_byte_for_byte() {
    let (server, bucket) = server_with_bucket("streaming");
    for (m, mode) in modes().into_iter().enumerate() {
        for (len, chunk) in [
            (0, 8192),
            (1, 8192),
            (8192, 8192),
            (3 * 8192 + 100, 8192),
            (1 << 20, 64 << 10),
        ] {
            let key = format!("m{m}/len-{len}.bin");
            let data = body(len);
            let (target, headers, wire) = streaming_put(&bucket, &key, mode, &data, chunk);
            let r = send(&server, &bucket, &target, &headers, &wire);
            assert_status(&r, 200, &format!("PUT {mode:?} {len}"));
            assert_object(&server, &bucket, &key, &data);
        }
    }
}

#[test]
fn unsigned_chunks_with_a_trailer_are_stored() {
    let (server, bucket) = server_with_bucket("unsigned-trailer");
    let mode = StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32c);
    for len in [0, 1, 20_000] {
        let key = format!("len-{len}.bin");
        let data = body(len);
        let (target, headers, wire) = streaming_put(&bucket, &key, mode, &data, 8192);
        let r = send(&server, &bucket, &target, &headers, &wire);
        assert_status(&r, 200, &format!("PUT {mode:?} {len}"));
        assert_object(&server, &bucket, &key, &data);
    }
}

#[test]
fn a_tampered_chunk_or_signature_is_refused_and_nothing_is_stored() {
    let (server, bucket) = server_with_bucket("tampered");
    for mode in modes() {
        let data = body(3 * 8192 + 100);
        let (target, headers, wire) = streaming_put(&bucket, "t.bin", mode, &data, 8192);
        let first_data = wire
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|at| at + 2)
            .unwrap();
        let signature_at = wire
            .windows(16)
            .position(|w| w == b"chunk-signature=")
            .map(|at| at + 16)
            .unwrap();
        for (what, at) in [
            ("a byte of the first chunk", first_data + 10),
            (
                "a byte near the end (the last chunk or the trailer)",
                wire.len() - 120,
            ),
            ("a chunk signature", signature_at + 3),
        ] {
            let mut bad = wire.clone();
            bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
            let r = send(&server, &bucket, &target, &headers, &bad);
            assert!(
                r.status >= 400,
                "{mode:?}, {what}: {} {}",
                r.status,
                r.text()
            );
            assert_no_object(&server, &bucket, "t.bin");
        }
        // A replayed body under another upload's signature (another key).
        let (other_target, other_headers, _) = streaming_put(&bucket, "u.bin", mode, &data, 8192);
        let r = send(&server, &bucket, &other_target, &other_headers, &wire);
        assert!(r.status >= 400, "{mode:?}, replayed body: {}", r.status);
        assert_no_object(&server, &bucket, "u.bin");
        // The untampered upload goes through.
        let r = send(&server, &bucket, &target, &headers, &wire);
        assert_status(&r, 200, &format!("PUT {mode:?}"));
        assert_object(&server, &bucket, "t.bin", &data);
        s3s_fs::call(&server, &bucket.delete_object("t.bin"), b"");
    }
}
