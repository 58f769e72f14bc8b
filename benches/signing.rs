//! Criterion benches of the signing hot paths, each beside its cryptographic
//! floor: the SHA-256 of the canonical request plus one HMAC of the string
//! to sign (or, for a POST policy, the HMAC of the base64 policy; and, as
//! the floor issue 13 asks for, writing that base64 from the policy's JSON
//! too, since encoding the policy is part of the work), with the signing
//! key and its keyed HMAC state cached.
//!
//! `cargo bench --bench signing`

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use presign::s3::{Bucket, PostKey};
use presign::{
    Credentials, Method, Region, Scope, Service, SignableRequest, SignatureLocation, Signer,
    SigningKey, SigningTime, StringToSign,
};
use sha2::{Digest, Sha256};

const KEY: &str = "photos/2026/summer vacation/IMG_0001.jpg";
const DAY: Duration = Duration::from_secs(86_400);

fn creds() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap()
}

/// The signing time, parsed once: the benches time signing, not parsing.
fn time() -> SigningTime {
    static TIME: std::sync::OnceLock<SigningTime> = std::sync::OnceLock::new();
    *TIME.get_or_init(|| SigningTime::parse_amz_date("20260524T120000Z").unwrap())
}

fn bucket() -> Bucket {
    Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap()
}

/// The floor for a canonical request: its SHA-256, then the HMAC of the
/// string to sign with a cached key.
fn floor(c: &mut Criterion, name: &str, canonical: &str, key: &SigningKey, scope: Scope<'_>) {
    let hash: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
    let sts = StringToSign::new(time(), scope, &hash);
    c.bench_function(name, |b| {
        b.iter(|| {
            let hash = Sha256::digest(black_box(canonical.as_bytes()));
            black_box(hash);
            key.sign(black_box(sts.as_bytes()))
        })
    });
}

fn key_derivation(c: &mut Criterion) {
    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let scope = Scope::new(time().scope_date(), &region, &service);
    let creds = creds();
    c.bench_function("derive signing key", |b| {
        b.iter(|| SigningKey::derive(black_box(creds.secret_access_key()), black_box(scope)))
    });
}

fn s3_presign(c: &mut Criterion) {
    let bucket = bucket();
    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let scope = Scope::new(time().scope_date(), &region, &service);

    // GET, virtual-hosted, one day.
    let creds = creds();
    let key = SigningKey::derive(creds.secret_access_key(), scope);
    let get = bucket.get_object(KEY);
    let canonical = get.canonical_request(&creds, time(), DAY).unwrap();
    floor(c, "floor: S3 GET", canonical.as_str(), &key, scope);
    let at = time();
    c.bench_function("presign: S3 GET", |b| {
        b.iter(|| get.presign(&creds, black_box(at), DAY).unwrap())
    });
    // The same with the time a second later on every call, so the
    // per-thread memo of the string to sign's first block never hits.
    let seconds: Vec<SigningTime> = (0..4096)
        .map(|i| SigningTime::from_unix_timestamp(at.unix_timestamp() + i).unwrap())
        .collect();
    let mut i = 0;
    c.bench_function("presign: S3 GET, new second every call", |b| {
        b.iter(|| {
            i = (i + 1) % seconds.len();
            get.presign(&creds, black_box(seconds[i]), DAY).unwrap()
        })
    });

    // PUT with a 1,024-byte session token and a signed content-type.
    let temp = creds.clone().with_session_token("T".repeat(1024)).unwrap();
    let put = bucket.put_object(KEY).content_type("image/jpeg");
    let canonical = put.canonical_request(&temp, time(), DAY).unwrap();
    floor(
        c,
        "floor: S3 PUT + token + content-type",
        canonical.as_str(),
        &key,
        scope,
    );
    c.bench_function("presign: S3 PUT + token + content-type", |b| {
        b.iter(|| put.presign(&temp, black_box(at), DAY).unwrap())
    });
}

fn batch(c: &mut Criterion) {
    let bucket = bucket();
    let creds = creds();
    let keys: Vec<String> = (0..1000)
        .map(|i| format!("photos/2026/batch/IMG_{i:04}.jpg"))
        .collect();
    let mut out = String::new();
    c.bench_function("batch: 1,000 S3 GETs into one buffer", |b| {
        b.iter(|| {
            for key in &keys {
                bucket
                    .get_object(key)
                    .presign_into(&creds, time(), DAY, &mut out)
                    .unwrap();
                black_box(&out);
            }
        })
    });
}

fn two_threads(c: &mut Criterion) {
    let bucket = bucket();
    let creds = creds();
    let get = bucket.get_object(KEY);
    get.presign(&creds, time(), DAY).unwrap();
    // Time per presign while two threads presign from one shared Bucket.
    c.bench_function("two threads share a bucket: S3 GET (per presign)", |b| {
        b.iter_custom(|iters| {
            let barrier = Barrier::new(2);
            let per_thread = iters.div_ceil(2);
            let elapsed = std::thread::scope(|s| {
                let workers: Vec<_> = (0..2)
                    .map(|_| {
                        s.spawn(|| {
                            barrier.wait();
                            let start = Instant::now();
                            for _ in 0..per_thread {
                                black_box(get.presign(&creds, time(), DAY).unwrap());
                            }
                            start.elapsed()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().unwrap())
                    .max()
                    .unwrap()
            });
            // Two threads did `iters` presigns in `elapsed`.
            elapsed / 2
        })
    });
}

fn post_policy(c: &mut Criterion) {
    let bucket = bucket();
    let creds = creds();
    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let key = SigningKey::derive(
        creds.secret_access_key(),
        Scope::new(time().scope_date(), &region, &service),
    );
    let policy = || {
        bucket
            .post_policy(
                PostKey::new("uploads/user-42/${filename}"),
                time(),
                Duration::from_secs(600),
            )
            .content_length_range(1, 10 << 20)
            .starts_with("$Content-Type", "image/")
            .success_action_status(201)
    };
    let signed = policy().sign(&creds).unwrap();
    let policy_b64 = signed.field("policy").unwrap().to_owned();
    c.bench_function("floor: POST policy", |b| {
        b.iter(|| key.sign(black_box(policy_b64.as_bytes())))
    });
    // The floor with the policy's encoding in it: base64 of the JSON text
    // (as signing writes it), then the HMAC.
    let policy_json = signed.policy_json().to_owned();
    c.bench_function("floor: POST policy, base64 + HMAC", |b| {
        b.iter(|| {
            use base64::Engine;
            let b64 =
                base64::engine::general_purpose::STANDARD.encode(black_box(policy_json.as_bytes()));
            key.sign(b64.as_bytes())
        })
    });
    c.bench_function("sign: POST policy", |b| {
        b.iter(|| policy().sign(&creds).unwrap())
    });
}

fn header_signing(c: &mut Criterion) {
    let creds = creds();
    let (region, service) = (
        Region::new("us-east-1").unwrap(),
        Service::new("iam").unwrap(),
    );
    let iam = Signer::new(region.clone(), service.clone());
    let list = SignableRequest::new(
        Method::GET,
        "iam.amazonaws.com",
        "/?Action=ListUsers&Version=2010-05-08",
    )
    .header(
        "Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8",
    );
    let scope = Scope::new(time().scope_date(), &region, &service);
    let key = SigningKey::derive(creds.secret_access_key(), scope);
    let canonical = iam
        .canonical_request(&list, &creds, time(), SignatureLocation::Headers)
        .unwrap();
    floor(
        c,
        "floor: header signing (IAM ListUsers)",
        canonical.as_str(),
        &key,
        scope,
    );
    c.bench_function("sign: header signing (IAM ListUsers)", |b| {
        b.iter(|| iam.sign_headers(black_box(&list), &creds, time()).unwrap())
    });
}

fn verification(c: &mut Criterion) {
    use presign::verify::{ReceivedRequest, Verifier};

    let bucket = bucket();
    let creds = creds();
    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let scope = Scope::new(time().scope_date(), &region, &service);
    let key = SigningKey::derive(creds.secret_access_key(), scope);
    let host = "examplebucket.s3.us-east-1.amazonaws.com";

    // A presigned GET: the verifier hashes the same canonical request the
    // signer did and signs the same string, so the floor is the S3 GET's.
    let get = bucket.get_object(KEY);
    let url = get.presign(&creds, time(), DAY).unwrap();
    let canonical = get.canonical_request(&creds, time(), DAY).unwrap();
    floor(c, "floor: verify S3 GET", canonical.as_str(), &key, scope);
    let target = &url.as_str()[url.as_str().find(host).unwrap() + host.len()..];
    // A lookup that lends the credentials (no copy per request).
    let verifier = Verifier::with_lookup(creds.clone());
    let request = ReceivedRequest::new("GET", target).header("host", host);
    verifier.verify(&request, time()).unwrap();
    c.bench_function("verify: S3 GET presigned URL", |b| {
        b.iter(|| {
            let request = ReceivedRequest::new("GET", black_box(target)).header("host", host);
            verifier.verify(&request, time()).map(|v| v.body()).unwrap()
        })
    });
    // The closure lookup copies the credentials on every request.
    let known = creds.clone();
    let copying =
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()));
    c.bench_function("verify: S3 GET presigned URL, closure lookup", |b| {
        b.iter(|| {
            copying
                .verify(black_box(&request), time())
                .map(|v| v.body())
                .unwrap()
        })
    });

    // A header-signed PUT with a content type and x-amz-content-sha256 (the
    // body's hash is left to the caller, who hashes the body as it streams).
    let s3 = Signer::new(region.clone(), service.clone()).sign_content_sha256(true);
    let path = "/photos/2026/IMG_0001.jpg";
    let put = SignableRequest::new(Method::PUT, host, path)
        .header("content-type", "image/jpeg")
        .payload(presign::Payload::Bytes(b"jpeg bytes"));
    let canonical = s3
        .canonical_request(&put, &creds, time(), SignatureLocation::Headers)
        .unwrap();
    floor(
        c,
        "floor: verify S3 PUT, header-signed",
        canonical.as_str(),
        &key,
        scope,
    );
    let signed = s3.sign_headers(&put, &creds, time()).unwrap();
    let headers: Vec<(&str, &str)> = signed.iter().collect();
    // Built in place, as a server adds the headers it parsed.
    let received = || {
        let mut request = ReceivedRequest::new("PUT", path);
        request.push_header("host", host);
        request.push_header("content-type", "image/jpeg");
        for (name, value) in &headers {
            request.push_header(name, value);
        }
        request
    };
    verifier.verify(&received(), time()).unwrap();
    c.bench_function("verify: S3 PUT, header-signed", |b| {
        b.iter(|| {
            let request = received();
            verifier
                .verify(black_box(&request), time())
                .map(|v| v.body())
                .unwrap()
        })
    });
}

criterion_group!(
    signing,
    verification,
    key_derivation,
    s3_presign,
    batch,
    two_threads,
    post_policy,
    header_signing
);
criterion_main!(signing);
