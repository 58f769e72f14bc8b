//! Criterion benches of the signing hot path and its cryptographic floor.
//!
//! `cargo bench --bench signing`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use presign::{
    Credentials, Method, Payload, Region, Scope, Service, SignableRequest, Signer, SigningKey,
    SigningTime,
};

fn benches(c: &mut Criterion) {
    let creds = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap();
    let region = Region::new("us-east-1").unwrap();
    let service = Service::s3();
    let time = SigningTime::parse_amz_date("20260524T000000Z").unwrap();

    c.bench_function("derive signing key", |b| {
        let scope = Scope::new(time.scope_date(), &region, &service);
        b.iter(|| SigningKey::derive(black_box(creds.secret_access_key()), black_box(scope)))
    });

    let signer = Signer::new(region.clone(), service.clone());
    let get = SignableRequest::new(
        Method::GET,
        "examplebucket.s3.amazonaws.com",
        "/photos/2026/summer%20vacation/IMG_0001.jpg",
    )
    .payload(Payload::Unsigned);
    c.bench_function("presign S3 GET (generic signer, warm cache)", |b| {
        b.iter(|| {
            signer
                .presign(black_box(&get), &creds, time, Duration::from_secs(86_400))
                .unwrap()
        })
    });

    let iam = Signer::new(region.clone(), Service::new("iam").unwrap());
    let list = SignableRequest::new(
        Method::GET,
        "iam.amazonaws.com",
        "/?Action=ListUsers&Version=2010-05-08",
    )
    .header(
        "Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    c.bench_function("sign headers (IAM ListUsers, warm cache)", |b| {
        b.iter(|| iam.sign_headers(black_box(&list), &creds, time).unwrap())
    });
}

criterion_group!(signing, benches);
criterion_main!(signing);
