//! The chunked-upload examples of the Amazon S3 API Reference
//! (`tests/vectors/s3-docs/streaming-chunked-*.json`), byte for byte: the
//! seed request's canonical request, string to sign and signature, every
//! chunk signature, and the trailer's string to sign and signature, both
//! through the encoder (which must write exactly the documented body) and
//! through the decoder (which must take it back, however it is split).
//!
//! Both examples PUT 66560 bytes of `a` in chunks of 65536, 1024 and 0
//! bytes, with the S3 documentation's credentials at 20130524T000000Z.

mod common;

use common::{json_str, read_json, vectors_dir};
use presign::chunked::{
    ChecksumAlgorithm, ChunkDecoder, ChunkSigner, StreamingPayload, StreamingUpload, header,
};
use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, SignatureLocation, Signer,
    SigningTime,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Header names and values.
type Headers = Vec<(String, String)>;

/// A loaded example.
struct Example {
    inputs: Value,
    expected: Value,
    credentials: Credentials,
    time: SigningTime,
    signer: Signer,
}

fn load(file: &str) -> Example {
    let json = read_json(&vectors_dir("s3-docs").join(file));
    let inputs = json["inputs"].clone();
    let creds = &inputs["credentials"];
    assert_eq!(json_str(&inputs, "service"), "s3");
    Example {
        credentials: Credentials::new(
            json_str(creds, "access_key_id"),
            json_str(creds, "secret_access_key"),
        )
        .unwrap(),
        time: SigningTime::parse_amz_date(json_str(&inputs, "timestamp")).unwrap(),
        signer: Signer::new(
            Region::new(json_str(&inputs, "region")).unwrap(),
            Service::s3(),
        ),
        expected: json["expected"].clone(),
        inputs,
    }
}

impl Example {
    /// The chunks' data: `length` copies of `byte` each (the last is the
    /// final, empty chunk).
    fn chunks(&self) -> Vec<Vec<u8>> {
        self.inputs["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let byte = json_str(c, "byte").as_bytes()[0];
                vec![byte; c["length"].as_u64().unwrap() as usize]
            })
            .collect()
    }

    fn payload_bytes(&self) -> Vec<u8> {
        self.chunks().concat()
    }

    /// The example's headers other than those the signer and
    /// [`StreamingUpload`] write, for the request to sign; and those it
    /// writes, to compare with what it wrote.
    fn headers(&self, field: &str) -> (Headers, Headers) {
        let written = [
            "host",
            "x-amz-date",
            "x-amz-content-sha256",
            header::CONTENT_ENCODING,
            header::DECODED_CONTENT_LENGTH,
            header::TRAILER,
        ];
        self.inputs[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                let name = pair[0].as_str().unwrap().to_owned();
                (name, pair[1].as_str().unwrap().to_owned())
            })
            .partition(|(name, _)| !written.iter().any(|w| w.eq_ignore_ascii_case(name)))
    }

    fn signed(&self, name: &str) -> Vec<String> {
        self.expected[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    }

    /// The body the documentation describes: each chunk's header with its
    /// signature, its data, CRLF; then the trailer lines given, and the
    /// last CRLF.
    fn documented_body(&self, trailer_lines: &[String]) -> Vec<u8> {
        let mut body = Vec::new();
        for (data, signature) in self.chunks().iter().zip(self.signed("chunk_signatures")) {
            body.extend_from_slice(
                format!("{:x};chunk-signature={signature}\r\n", data.len()).as_bytes(),
            );
            if !data.is_empty() {
                body.extend_from_slice(data);
                body.extend_from_slice(b"\r\n");
            }
        }
        for line in trailer_lines {
            body.extend_from_slice(line.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"\r\n");
        body
    }

    /// Checks the seed request, then the encoder's body against `expected`,
    /// then decodes `expected` in pieces of several sizes.
    fn check(&self, payload: StreamingPayload, field: &str, expected_body: &[u8]) {
        let (time, creds, signer) = (self.time, &self.credentials, &self.signer);
        let host = json_str(&self.inputs, "host");
        let path = json_str(&self.inputs, "path");
        let (own, written) = self.headers(field);
        let payload_bytes = self.payload_bytes();
        let chunk_size = self.chunks()[0].len();

        // The seed: canonical request and string to sign, with the headers
        // StreamingUpload adds written out by hand.
        let mut by_hand =
            SignableRequest::new(Method::PUT, host, path).payload(Payload::Streaming(payload));
        for (n, v) in own.iter().chain(written.iter().filter(|(n, _)| {
            !["host", "x-amz-date", "x-amz-content-sha256"]
                .contains(&n.to_ascii_lowercase().as_str())
        })) {
            by_hand = by_hand.header(n, v);
        }
        let canonical = signer
            .canonical_request(&by_hand, creds, time, SignatureLocation::Headers)
            .unwrap();
        assert_eq!(
            canonical.as_str(),
            json_str(&self.expected, "seed_canonical_request")
        );
        let sts = signer
            .string_to_sign(&by_hand, creds, time, SignatureLocation::Headers)
            .unwrap();
        assert_eq!(
            sts.as_str(),
            json_str(&self.expected, "seed_string_to_sign")
        );

        // The same through StreamingUpload, which adds those headers itself.
        let mut request = SignableRequest::new(Method::PUT, host, path);
        for (n, v) in &own {
            request = request.header(n, v);
        }
        let mut upload = StreamingUpload::new(payload, payload_bytes.len() as u64)
            .chunk_size(chunk_size)
            .sign(signer, &request, creds, time)
            .unwrap();
        let seed = json_str(&self.expected, "seed_signature");
        assert_eq!(upload.seed_signature().to_string(), seed);
        assert!(upload.authorization().authorization().ends_with(seed));
        let sent: Vec<(String, String)> = upload
            .headers()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        for (name, value) in written
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
        {
            let name = name.to_ascii_lowercase();
            let found = sent.iter().find(|(n, _)| *n == name);
            assert_eq!(
                found.map(|(_, v)| v.as_str()),
                Some(value.as_str()),
                "{name}"
            );
        }
        assert_eq!(upload.content_length(), expected_body.len() as u64);

        // Encoding: exactly the documented body, chunk signatures included.
        let mut wire = Vec::new();
        let encoder = upload.encoder();
        for data in self.chunks().iter().filter(|d| !d.is_empty()) {
            encoder.encode_chunk(data, &mut wire).unwrap();
        }
        encoder.finish(&mut wire).unwrap();
        assert!(
            wire == expected_body,
            "the encoded body differs from the documented one"
        );

        // Decoding the documented body, whole and split anywhere.
        let key = signer.key_cache().get(creds, signer.scope(time));
        for piece in [expected_body.len(), 65_536, 4096, 83, 7, 1] {
            let chain = ChunkSigner::with_cached_key(&key, time, upload.seed_signature());
            let mut decoder = ChunkDecoder::new(chain, payload, payload_bytes.len() as u64);
            let mut out = Vec::new();
            for p in expected_body.chunks(piece) {
                decoder.feed(p, &mut out).unwrap();
            }
            let done = decoder.finish().unwrap();
            assert!(out == payload_bytes, "decoded payload, pieces of {piece}");
            assert_eq!(done.length(), payload_bytes.len() as u64);
            assert_eq!(done.chunks(), 3);
        }
    }
}

/// Each chunk's string to sign carries the hash of its data; the vector
/// lists those hashes, and the chain of signatures must follow from them.
fn check_chain(example: &Example, seed: &str) {
    let key = example
        .signer
        .key_cache()
        .get(&example.credentials, example.signer.scope(example.time));
    let seed: [u8; 32] = hex::decode(seed).unwrap().try_into().unwrap();
    let mut chain =
        ChunkSigner::with_cached_key(&key, example.time, presign::Signature::from_bytes(seed));
    for (data, expected) in example
        .chunks()
        .iter()
        .zip(example.signed("chunk_signatures"))
    {
        let hash: [u8; 32] = Sha256::digest(data).into();
        let sts = chain.chunk_string_to_sign(&hash);
        assert!(
            sts.as_str()
                .starts_with("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n")
        );
        assert_eq!(chain.sign_chunk(&hash).to_string(), expected);
    }
}

#[test]
fn signed_chunks() {
    let example = load("streaming-chunked-put-object.json");
    let hashes: Vec<String> = example
        .chunks()
        .iter()
        .map(|d| hex::encode(Sha256::digest(d)))
        .collect();
    assert_eq!(hashes, example.signed("chunk_data_sha256"));
    check_chain(&example, json_str(&example.expected, "seed_signature"));
    let body = example.documented_body(&[]);
    // The documentation's Content-Length.
    assert_eq!(body.len(), 66_824);
    example.check(StreamingPayload::Signed, "headers", &body);
}

#[test]
fn signed_chunks_with_a_signed_trailer() {
    let example = load("streaming-chunked-trailer-put-object.json");
    check_chain(&example, json_str(&example.expected, "seed_signature"));

    // The trailer: its canonical form, checksum, string to sign, signature.
    let canonical = json_str(&example.inputs, "canonical_trailers");
    let checksum =
        presign::Checksum::compute(ChecksumAlgorithm::Crc32c, &example.payload_bytes()).unwrap();
    assert_eq!(
        canonical,
        format!("x-amz-checksum-crc32c:{}\n", checksum.as_str())
    );
    let key = example
        .signer
        .key_cache()
        .get(&example.credentials, example.signer.scope(example.time));
    let last: [u8; 32] = hex::decode(example.signed("chunk_signatures")[2].as_str())
        .unwrap()
        .try_into()
        .unwrap();
    let mut chain =
        ChunkSigner::with_cached_key(&key, example.time, presign::Signature::from_bytes(last));
    let hash: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
    assert_eq!(
        chain.trailer_string_to_sign(&hash).as_str(),
        json_str(&example.expected, "trailer_string_to_sign")
    );
    let trailer_signature = json_str(&example.expected, "trailer_signature");
    assert_eq!(chain.sign_trailer(&hash).to_string(), trailer_signature);

    let body = example.documented_body(&[
        canonical.trim_end().to_owned(),
        format!("x-amz-trailer-signature:{trailer_signature}"),
    ]);
    example.check(
        StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Crc32c),
        "signed_headers",
        &body,
    );
}
