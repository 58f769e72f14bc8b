//! Heap allocations per presign, counted by a global allocator (a count, not
//! a timing): with a warm key cache a presign allocates the returned URL and
//! nothing else, and `presign_into` a reused buffer allocates nothing.
//! Encoding and decoding an `aws-chunked` body allocate nothing per chunk.
//! Signing a POST policy allocates the form's buffer, its fields' places
//! and the policy document.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use presign::s3::Bucket;
use presign::{
    Credentials, Method, Payload, Region, Service, SignableRequest, Signer, SigningTime,
};

/// Counts the allocations of the current thread while `COUNTING` is set.
struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with`: the allocator runs during thread teardown too.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The number of allocations `f` makes on this thread, and its result.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|on| on.set(true));
    let r = f();
    COUNTING.with(|on| on.set(false));
    (COUNT.with(Cell::get), r)
}

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

const KEY: &str = "photos/2026/summer vacation/IMG_0001.jpg";
const DAY: Duration = Duration::from_secs(86_400);

#[test]
fn the_counter_counts() {
    let (n, v) = allocations(|| vec![1u8; 10]);
    assert_eq!(n, 1);
    drop(v);
    let (n, ()) = allocations(|| {});
    assert_eq!(n, 0);
}

#[test]
fn warm_s3_get_allocates_only_the_url() {
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let creds = creds();
    let get = bucket.get_object(KEY);
    // Warm the key cache and this thread's buffers.
    get.presign(&creds, time(), DAY).unwrap();
    let (n, url) = allocations(|| get.presign(&creds, time(), DAY).unwrap());
    assert_eq!(n, 1, "one allocation: the URL");
    assert!(url.as_str().contains("X-Amz-Signature="));
}

#[test]
fn warm_post_policy_signing_allocates_three_buffers() {
    use presign::s3::PostKey;

    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let creds = creds();
    // The benchmark's policy (benches/signing.rs, post_policy).
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
    // Warm the key cache.
    policy().sign(&creds).unwrap();
    let (n, built) = allocations(policy);
    assert_eq!(n, 2, "the builder: the key's text, the list of entries");
    let (n, post) = allocations(|| built.sign(&creds).unwrap());
    assert_eq!(
        n, 3,
        "signing: the form's texts, the fields' places, the policy JSON"
    );
    assert_eq!(post.fields().len(), 7);
}

#[test]
fn warm_s3_put_with_token_and_header_allocates_only_the_url() {
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let creds = creds().with_session_token("T".repeat(1024)).unwrap();
    let presign = || {
        bucket
            .put_object(KEY)
            .content_type("image/jpeg")
            .header("x-amz-meta-owner", "alice")
            .presign(&creds, time(), DAY)
            .unwrap()
    };
    presign();
    // Building the request (a few headers are kept inline) and signing it.
    let (n, url) = allocations(presign);
    assert_eq!(n, 1, "one allocation: the URL");
    assert!(url.as_str().contains(&"T".repeat(1024)));
}

#[test]
fn warm_multipart_part_and_listing_allocate_only_the_url() {
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let creds = creds();
    let part = || {
        bucket
            .upload_part(KEY, 42, "VXBsb2FkIElE")
            .presign(&creds, time(), DAY)
            .unwrap()
    };
    let list = || {
        bucket
            .list_objects_v2()
            .prefix("photos/")
            .max_keys(100)
            .presign(&creds, time(), DAY)
            .unwrap()
    };
    part();
    list();
    let (n, url) = allocations(part);
    assert_eq!(n, 1, "one allocation: the URL");
    assert!(url.as_str().contains("partNumber=42&uploadId=VXBsb2FkIElE"));
    let (n, url) = allocations(list);
    assert_eq!(n, 1, "one allocation: the URL");
    assert!(url.as_str().contains("&max-keys=100&prefix=photos%2F"));
}

#[test]
fn presign_into_a_reused_buffer_allocates_nothing() {
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let creds = creds().with_session_token("T".repeat(1024)).unwrap();
    let mut out = String::new();
    let keys: Vec<String> = (0..100).map(|i| format!("batch/{i:04}.jpg")).collect();
    bucket
        .get_object(&keys[0])
        .presign_into(&creds, time(), DAY, &mut out)
        .unwrap();
    let (n, ()) = allocations(|| {
        for key in &keys {
            bucket
                .get_object(key)
                .presign_into(&creds, time(), DAY, &mut out)
                .unwrap();
            assert!(out.contains("X-Amz-Signature="));
        }
    });
    assert_eq!(n, 0, "no allocation for 100 presigns into one buffer");
    let expected = bucket
        .get_object(&keys[99])
        .presign(&creds, time(), DAY)
        .unwrap();
    assert_eq!(out, expected.as_str());
}

#[test]
fn warm_generic_signing_allocates_only_its_output() {
    let creds = creds();
    let signer = Signer::new(
        Region::new("us-east-1").unwrap(),
        Service::new("iam").unwrap(),
    );
    let req = SignableRequest::new(
        Method::GET,
        "iam.amazonaws.com",
        "/?Action=ListUsers&Version=2010-05-08",
    )
    .header(
        "Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8",
    )
    .payload(Payload::Bytes(b""));
    signer.sign_headers(&req, &creds, time()).unwrap();
    signer.presign(&req, &creds, time(), DAY).unwrap();
    let (n, _) = allocations(|| signer.sign_headers(&req, &creds, time()).unwrap());
    assert_eq!(n, 1, "one allocation: the Authorization value");
    let (n, _) = allocations(|| signer.presign(&req, &creds, time(), DAY).unwrap());
    assert_eq!(n, 1, "one allocation: the URI");
}

#[test]
fn warm_verification_allocates_nothing() {
    use presign::verify::{BodyCheck, ReceivedRequest, Verifier};

    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let creds = creds().with_session_token("T".repeat(1024)).unwrap();
    let host = "examplebucket.s3.us-east-1.amazonaws.com";
    let verifier = Verifier::with_lookup(creds.clone());

    // A presigned GET, as a gateway receives it (with a user agent).
    let url = bucket.get_object(KEY).presign(&creds, time(), DAY).unwrap();
    let target = &url.as_str()[format!("https://{host}").len()..];
    let get = || {
        let request = ReceivedRequest::new("GET", target)
            .header("host", host)
            .header("user-agent", "curl/8");
        let v = verifier.verify(&request, time()).expect("verifies");
        assert_eq!(v.body(), BodyCheck::Unsigned);
    };
    get();
    let (n, ()) = allocations(get);
    assert_eq!(n, 0, "verifying a presigned GET allocates nothing");

    // A header-signed PUT with a content type and a signed body hash.
    let s3 =
        Signer::new(Region::new("us-east-1").unwrap(), Service::s3()).sign_content_sha256(true);
    let path = "/photos/2026/IMG_0001.jpg";
    let put = SignableRequest::new(Method::PUT, host, path)
        .header("content-type", "image/jpeg")
        .payload(Payload::Bytes(b"jpeg bytes"));
    let signed = s3.sign_headers(&put, &creds, time()).unwrap();
    let headers: Vec<(&str, &str)> = signed.iter().collect();
    let verify_put = || {
        let mut request = ReceivedRequest::new("PUT", path)
            .header("host", host)
            .header("content-type", "image/jpeg");
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        let v = verifier.verify(&request, time()).expect("verifies");
        assert!(matches!(v.body(), BodyCheck::Sha256(_)));
    };
    verify_put();
    let (n, ()) = allocations(verify_put);
    assert_eq!(n, 0, "verifying a header-signed PUT allocates nothing");
}

/// `aws-chunked`: encoding into a buffer with room, and decoding into a
/// reused buffer or lent, allocate nothing per chunk (the decoder's one
/// chunk buffer is allocated once, for the first chunk that spans reads).
#[test]
fn chunked_encoding_and_decoding_allocate_nothing_per_chunk() {
    use presign::chunked::{
        ChecksumAlgorithm, ChunkDecoder, ChunkEncoder, ChunkSigner, StreamingPayload,
    };
    use presign::{Scope, Signature, SigningKey};

    let (region, service) = (Region::new("us-east-1").unwrap(), Service::s3());
    let scope = Scope::new(time().scope_date(), &region, &service);
    let key = SigningKey::derive("secret", scope);
    let chain = || ChunkSigner::new(&key, time(), scope, Signature::from_bytes([7; 32]));
    let body: Vec<u8> = (0..(1u32 << 20)).map(|i| (i * 31) as u8).collect();
    let chunk = 64 << 10;
    for payload in [
        StreamingPayload::Signed,
        StreamingPayload::SignedWithTrailer(ChecksumAlgorithm::Sha256),
        StreamingPayload::UnsignedWithTrailer(ChecksumAlgorithm::Crc32c),
    ] {
        let len = body.len() as u64;
        let mut wire = Vec::with_capacity(body.len() + 4096);
        let (n, ()) = allocations(|| {
            let mut enc = ChunkEncoder::new(chain(), payload, len);
            for piece in body.chunks(chunk) {
                enc.encode_chunk(piece, &mut wire).unwrap();
            }
            enc.finish(&mut wire).unwrap();
        });
        assert_eq!(n, 0, "{payload:?}: encoding into a buffer with room");

        // Fed whole, lent: nothing at all.
        let mut dec = ChunkDecoder::new(chain(), payload, len);
        let (n, ()) = allocations(|| {
            let mut input = &wire[..];
            while !input.is_empty() {
                let (used, payload) = dec.decode(input).unwrap();
                std::hint::black_box(payload);
                input = &input[used..];
            }
            dec.finish().unwrap();
        });
        assert_eq!(n, 0, "{payload:?}: decoding, lent");

        // In 16 KiB reads, into a reused buffer: the chunk buffer, once.
        let mut dec = ChunkDecoder::new(chain(), payload, len);
        let mut out = Vec::with_capacity(chunk);
        let (n, ()) = allocations(|| {
            for read in wire.chunks(16 << 10) {
                dec.feed(read, &mut out).unwrap();
                out.clear();
            }
            dec.finish().unwrap();
        });
        let once = usize::from(payload.signs_chunks());
        assert_eq!(n, once, "{payload:?}: decoding in reads");
    }
}
