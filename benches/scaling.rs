//! How presigning scales with the work it is given, each case beside its own
//! cryptographic floor (the SHA-256 of its canonical request plus one HMAC
//! of its string to sign, with the signing key cached; see
//! `benches/signing.rs`): S3 GETs with keys of 16 B to 4 KiB, and with 0 to
//! 16 signed headers.
//!
//! `cargo bench --bench scaling`; ids are `scaling/key/<bytes>` and
//! `scaling/key/<bytes> floor`, `scaling/headers/<n>` and
//! `scaling/headers/<n> floor`. The ratio of the two is what matters: the
//! work above the floor should stay a small fraction of it as keys and
//! header lists grow.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use presign::s3::{Bucket, ObjectRequest};
use presign::{Credentials, Region, Scope, Service, SigningKey, SigningTime, StringToSign};
use sha2::{Digest, Sha256};

const DAY: Duration = Duration::from_secs(86_400);

/// The key of the header cases (the one `benches/signing.rs` uses).
const KEY: &str = "photos/2026/summer vacation/IMG_0001.jpg";

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

/// A key of exactly `len` bytes that looks like real ones: mostly
/// unreserved characters, with `/` between segments, some spaces and some
/// UTF-8 (about 85 % of the bytes are written as they are).
fn key_of_len(len: usize) -> String {
    const SEGMENTS: [&str; 8] = [
        "photos/",
        "2026-05-24/",
        "summer vacation/",
        "IMG_0001.jpg/",
        "café au lait/",
        "reports_Q2~final-v3/",
        "naïve résumé.pdf/",
        "a1b2c3d4e5f6/",
    ];
    let mut key = String::with_capacity(len + 32);
    for segment in SEGMENTS.iter().cycle() {
        if key.len() + segment.len() > len {
            break;
        }
        key.push_str(segment);
    }
    // Pad with unreserved bytes to the exact length.
    while key.len() < len {
        key.push('x');
    }
    key
}

/// Benches `request` and, beside it, its floor.
fn beside_floor(group: &mut BenchmarkGroup<'_, WallTime>, id: &str, request: &ObjectRequest<'_>) {
    let creds = creds();
    let at = time();
    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let scope = Scope::new(at.scope_date(), &region, &service);
    let key = SigningKey::derive(creds.secret_access_key(), scope);
    let canonical = request.canonical_request(&creds, at, DAY).unwrap();
    let canonical = canonical.as_str();
    let hash: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
    let sts = StringToSign::new(at, scope, &hash);
    group.bench_function(id, |b| {
        b.iter(|| request.presign(&creds, black_box(at), DAY).unwrap())
    });
    group.bench_function(format!("{id} floor"), |b| {
        b.iter(|| {
            black_box(Sha256::digest(black_box(canonical.as_bytes())));
            key.sign(black_box(sts.as_bytes()))
        })
    });
}

fn scaling(c: &mut Criterion) {
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let mut group = c.benchmark_group("scaling");

    for len in [16, 256, 1024, 4096] {
        let key = key_of_len(len);
        beside_floor(&mut group, &format!("key/{len}"), &bucket.get_object(&key));
    }

    // Headers a client could send with a GET, with values of typical length.
    let headers: Vec<(String, String)> = (0..16)
        .map(|i| {
            (
                format!("x-amz-meta-field-{i:02}"),
                format!("value {i} for the signed header"),
            )
        })
        .collect();
    for n in [0, 1, 4, 8, 16] {
        let request = headers[..n]
            .iter()
            .fold(bucket.get_object(KEY), |r, (name, value)| {
                r.header(name, value)
            });
        beside_floor(&mut group, &format!("headers/{n}"), &request);
    }
    group.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
