//! Criterion benches of SigV4a (feature `sigv4a`), each beside its floor:
//! presigning costs one SHA-256 of the canonical request plus one P-256
//! signature of the string to sign, verifying one P-256 verification (plus
//! the same SHA-256). The key derivation runs once per credentials; it is
//! benched on its own.
//!
//! `cargo bench --features sigv4a --bench sigv4a`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use presign::sigv4a::{SigV4aKey, Signer4a};
use presign::verify::{ReceivedRequest, Verifier};
use presign::{Credentials, Method, Service, SignableRequest, SignatureLocation, SigningTime};
use sha2::{Digest, Sha256};

const HOST: &str = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";
const PATH: &str = "/photos/2026/summer%20vacation/IMG_0001.jpg";
const DAY: Duration = Duration::from_secs(86_400);

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

fn derivation(c: &mut Criterion) {
    let creds = creds();
    c.bench_function("sigv4a: derive key (once per credentials)", |b| {
        b.iter(|| SigV4aKey::derive(black_box(&creds)).unwrap())
    });
}

fn presign_and_verify(c: &mut Criterion) {
    let creds = creds();
    let key = SigV4aKey::derive(&creds).unwrap();
    let signer = Signer4a::new("*", Service::s3()).unwrap();
    let request = SignableRequest::new(Method::GET, HOST, PATH);
    let location = SignatureLocation::Query { expires_in: DAY };
    let canonical = signer
        .canonical_request(&request, &creds, time(), location)
        .unwrap();
    let sts = signer
        .string_to_sign(&request, &creds, time(), location)
        .unwrap();

    // The floor: what any SigV4a signer must compute.
    c.bench_function("floor: sigv4a presign (SHA-256 + P-256 sign)", |b| {
        b.iter(|| {
            black_box(Sha256::digest(black_box(canonical.as_str().as_bytes())));
            key.sign_hex(black_box(sts.as_bytes()))
        })
    });
    signer.presign(&request, &creds, time(), DAY).unwrap();
    c.bench_function("sigv4a presign: S3 GET (warm key)", |b| {
        b.iter(|| {
            signer
                .presign(black_box(&request), &creds, time(), DAY)
                .unwrap()
        })
    });

    let presigned = signer.presign(&request, &creds, time(), DAY).unwrap();
    let signature = hex::decode(presigned.signature()).unwrap();
    let public = key.public_key();
    assert!(public.verify(sts.as_bytes(), &signature));
    c.bench_function("floor: sigv4a verify (SHA-256 + P-256 verify)", |b| {
        b.iter(|| {
            black_box(Sha256::digest(black_box(canonical.as_str().as_bytes())));
            public.verify(black_box(sts.as_bytes()), &signature)
        })
    });
    let verifier = Verifier::with_lookup(creds.clone());
    let received = ReceivedRequest::new("GET", presigned.uri()).header("host", HOST);
    verifier.verify(&received, time()).unwrap();
    c.bench_function("sigv4a verify: S3 GET presigned URL (warm key)", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(&received), time())
                .map(|v| v.body())
                .unwrap()
        })
    });
}

criterion_group!(sigv4a, derivation, presign_and_verify);
criterion_main!(sigv4a);
