//! The verifier as the server end of a streaming upload: it verifies the
//! request's headers, then decodes the `aws-chunked` body chunk by chunk,
//! handing out only checked bytes; and it refuses what S3 refuses.

use presign::chunked::{ChecksumAlgorithm, ChunkedError, StreamingPayload, StreamingUpload};
use presign::verify::{BodyCheck, ReceivedRequest, Verifier, VerifyError};
use presign::{Credentials, Method, Region, Service, SignableRequest, Signer, SigningTime};

const HOST: &str = "examplebucket.s3.us-east-1.amazonaws.com";

fn creds() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap()
}

fn time() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").unwrap()
}

/// A signed streaming upload of `body` in `mode`: its headers and wire body.
fn upload(mode: StreamingPayload, body: &[u8]) -> (Vec<(String, String)>, Vec<u8>) {
    let creds = creds();
    let signer = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
    let request = SignableRequest::new(Method::PUT, HOST, "/uploads/stream.bin");
    let mut signed = StreamingUpload::new(mode, body.len() as u64)
        .chunk_size(8192)
        .sign(&signer, &request, &creds, time())
        .unwrap();
    let headers = signed
        .headers()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let mut wire = Vec::new();
    let encoder = signed.encoder();
    for chunk in body.chunks(8192) {
        encoder.encode_chunk(chunk, &mut wire).unwrap();
    }
    encoder.finish(&mut wire).unwrap();
    (headers, wire)
}

fn received<'a>(headers: &'a [(String, String)]) -> ReceivedRequest<'a> {
    let mut r = ReceivedRequest::new("PUT", "/uploads/stream.bin").header("host", HOST);
    for (n, v) in headers {
        r.push_header(n, v);
    }
    r
}

fn body(len: usize) -> Vec<u8> {
    (0..len as u32).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn streaming_uploads_verify_and_decode_in_every_mode() {
    let verifier = Verifier::with_lookup(creds());
    for mode in [
        StreamingPayload::Signed,
        StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32c),
        StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Sha256),
    ] {
        for len in [0, 1, 8192, 20_000] {
            let data = body(len);
            let (headers, wire) = upload(mode, &data);
            let request = received(&headers);
            let verified = verifier.verify(&request, time()).unwrap();
            assert_eq!(
                verified.body(),
                BodyCheck::Streaming(mode),
                "{mode:?} {len}"
            );
            let mut decoder = verifier.chunk_decoder(&verified).unwrap();
            let mut out = Vec::new();
            for piece in wire.chunks(1000) {
                decoder.feed(piece, &mut out).unwrap();
            }
            decoder.finish().unwrap();
            assert_eq!(out, data, "{mode:?} {len}");
        }
    }
}

#[test]
fn a_changed_chunk_is_refused_before_its_bytes_are_handed_out() {
    let verifier = Verifier::with_lookup(creds());
    let data = body(20_000);
    let (headers, mut wire) = upload(StreamingPayload::Signed, &data);
    // A byte of the second chunk's data.
    let at = wire.len() / 2;
    wire[at] ^= 1;
    let request = received(&headers);
    let verified = verifier.verify(&request, time()).unwrap();
    let mut decoder = verifier.chunk_decoder(&verified).unwrap();
    let mut out = Vec::new();
    let result = wire
        .chunks(512)
        .try_for_each(|piece| decoder.feed(piece, &mut out).map(drop));
    assert!(
        matches!(result, Err(ChunkedError::ChunkSignatureMismatch { .. })),
        "{result:?}"
    );
    // Only whole chunks that verified were handed out.
    assert!(out.len() % 8192 == 0 && out.len() < data.len());
    assert_eq!(out, data[..out.len()]);
}

#[test]
fn the_streaming_headers_must_be_there_and_signed() {
    let verifier = Verifier::with_lookup(creds());
    let (headers, _) = upload(StreamingPayload::Signed, &body(10));
    // Without the decoded length: the signature no longer matches (the
    // header is signed), and so the request is refused outright.
    let without: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| n != "x-amz-decoded-content-length")
        .cloned()
        .collect();
    assert!(verifier.verify(&received(&without), time()).is_err());
    // A body handed to the verifier for a streaming request is not taken
    // as checked.
    let request = received(&headers).payload(presign::Payload::Bytes(b"0123456789"));
    assert!(matches!(
        verifier.verify(&request, time()),
        Err(VerifyError::UnsupportedPayload { .. })
    ));
    // A request that is not a streaming one has no chunk decoder.
    let plain = Signer::new(Region::new("us-east-1").unwrap(), Service::s3());
    let creds = creds();
    let req = SignableRequest::new(Method::PUT, HOST, "/a").payload(presign::Payload::Bytes(b"x"));
    let signed = plain.sign_headers(&req, &creds, time()).unwrap();
    let mut r = ReceivedRequest::new("PUT", "/a").header("host", HOST);
    for (n, v) in signed.iter() {
        r.push_header(n, v);
    }
    let verified = verifier.verify(&r, time()).unwrap();
    assert!(matches!(
        verifier.chunk_decoder(&verified),
        Err(VerifyError::UnsupportedPayload { .. })
    ));
}

#[test]
fn a_streaming_mode_in_a_presigned_query_is_refused() {
    let verifier = Verifier::with_lookup(creds());
    let bucket =
        presign::s3::Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let url = bucket
        .put_object("a")
        .query("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
        .presign(&creds(), time(), std::time::Duration::from_secs(60));
    // Either the signer refuses the reserved parameter, or the verifier
    // refuses the mode.
    if let Ok(url) = url {
        let target = &url.as_str()[url.as_str().find(HOST).unwrap() + HOST.len()..];
        let r = ReceivedRequest::new("PUT", target).header("host", HOST);
        assert!(verifier.verify(&r, time()).is_err());
    }
}
