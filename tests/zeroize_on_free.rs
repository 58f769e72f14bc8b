//! No session token is left in freed memory: a global allocator looks for
//! the token in every block the current thread frees while watching, and
//! makes every reallocation move (so a buffer that grows after the token
//! is written into it leaves its old block behind, as it can in practice).
//!
//! Covers what holds a token on the way to a canonical request: the
//! `CanonicalRequest` a caller gets (and drops), the one `string_to_sign`
//! makes and drops, and the signer's scratch buffers as they grow; and the
//! verifier, which copies no claim and canonicalizes a received query in
//! the same buffers; and a signed POST form.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use presign::s3::{Bucket, Condition, PostKey};
use presign::verify::{ReceivedRequest, Verifier};
use presign::{
    Credentials, Method, Payload, Region, Service, SessionTokenMode, SignableRequest,
    SignatureLocation, Signer, SigningTime,
};

/// The start of the session token, looked for in freed blocks. Unreserved
/// characters only: the same text query-encoded.
const TOKEN: &str = "FwoGZXIvYXdzEAMPLEzeroizeMARKERtokenQ7v9Kx2LmP4sTn8RwB3yHc6JdF1gZ";

/// A token longer than the slack the signer reserves, so that a buffer that
/// grows after it is written moves.
fn long_token() -> String {
    format!("{TOKEN}{}", "Q".repeat(2000))
}

struct ScanningAllocator;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static FOUND: Cell<usize> = const { Cell::new(0) };
}

/// Notes whether a block about to be freed holds the token. Runs inside the
/// allocator: no allocation, no panic.
fn scan(ptr: *mut u8, size: usize) {
    let watching = WATCHING.try_with(Cell::get).unwrap_or(false);
    if !watching || size < TOKEN.len() {
        return;
    }
    // SAFETY: the block is live and `size` bytes long until it is freed
    // right after this call.
    let block = unsafe { std::slice::from_raw_parts(ptr, size) };
    if block.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()) {
        let _ = FOUND.try_with(|f| f.set(f.get() + 1));
    }
}

unsafe impl GlobalAlloc for ScanningAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        scan(ptr, layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Always move, and scan the old block as it is freed.
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        let new = unsafe { System.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            scan(ptr, layout.size());
            unsafe { System.dealloc(ptr, layout) };
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: ScanningAllocator = ScanningAllocator;

/// How many freed blocks held the token while `f` ran (on this thread).
/// What `f` returns is dropped after watching: a presigned URL carries the
/// token by design.
fn freed_with_token<R>(f: impl FnOnce() -> R) -> usize {
    FOUND.with(|c| c.set(0));
    WATCHING.with(|w| w.set(true));
    let result = f();
    WATCHING.with(|w| w.set(false));
    drop(result);
    FOUND.with(Cell::get)
}

fn creds() -> Credentials {
    creds_with(&long_token())
}

fn creds_with(token: &str) -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap()
    .with_session_token(token)
    .unwrap()
}

fn time() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").unwrap()
}

#[test]
fn the_scanner_sees_a_freed_token() {
    let n = freed_with_token(|| drop(String::from(TOKEN)));
    assert_eq!(n, 1);
    let n = freed_with_token(|| {
        let mut grown = String::from(TOKEN);
        grown.push_str(&"x".repeat(4096));
        std::hint::black_box(&grown);
        // The moved-from block, then the final one.
    });
    assert_eq!(n, 2);
}

/// Each call runs on a fresh thread, so the signer's per-thread scratch
/// buffers start empty and grow during the call, as on a first signing.
fn on_fresh_thread<R>(f: impl FnOnce() -> R + Send) -> usize {
    std::thread::scope(|s| s.spawn(|| freed_with_token(f)).join().unwrap())
}

#[test]
fn canonical_requests_leave_no_token_behind() {
    let creds = creds();
    let time = time();
    // Long header values make the buffers grow after the token is written.
    let long = "v".repeat(3000);
    let region = || Region::new("us-east-1").unwrap();
    for (signer, token_signed) in [
        (Signer::new(region(), Service::s3()), true),
        (Signer::new(region(), Service::new("iam").unwrap()), true),
        (
            Signer::new(region(), Service::new("iam").unwrap())
                .session_token_mode(SessionTokenMode::AddedAfterSigning),
            false,
        ),
    ] {
        for headers in [0, 1, 3] {
            let mut req = SignableRequest::new(Method::PUT, "examplebucket.example", "/k?a=b")
                .payload(Payload::Unsigned);
            let names = ["x-amz-meta-a", "x-amz-meta-b", "x-amz-meta-c"];
            for name in &names[..headers] {
                req = req.header(name, &long);
            }
            for location in [
                SignatureLocation::Headers,
                SignatureLocation::Query {
                    expires_in: Duration::from_secs(60),
                },
            ] {
                let n = on_fresh_thread(|| {
                    let canonical = signer
                        .canonical_request(&req, &creds, time, location)
                        .unwrap();
                    assert_eq!(canonical.as_str().contains(TOKEN), token_signed);
                    drop(canonical);
                });
                assert_eq!(n, 0, "canonical_request {headers} {location:?}");
                let n = on_fresh_thread(|| {
                    signer.string_to_sign(&req, &creds, time, location).unwrap();
                });
                assert_eq!(n, 0, "string_to_sign {headers} {location:?}");
                let n = on_fresh_thread(|| {
                    if location == SignatureLocation::Headers {
                        signer.sign_headers(&req, &creds, time).unwrap();
                        None
                    } else {
                        Some(
                            signer
                                .presign(&req, &creds, time, Duration::from_secs(60))
                                .unwrap(),
                        )
                    }
                });
                assert_eq!(n, 0, "signing {headers} {location:?}");
            }
        }
    }
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let n = on_fresh_thread(|| {
        let object = bucket.get_object("k");
        let canonical = object
            .canonical_request(&creds, time, Duration::from_secs(60))
            .unwrap();
        assert!(canonical.as_str().contains(TOKEN));
    });
    assert_eq!(n, 0, "ObjectRequest::canonical_request");
}

#[test]
fn verifying_leaves_no_token_behind() {
    let creds = creds();
    let time = time();
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let url = bucket
        .put_object("a.txt")
        .content_type("text/plain")
        .presign(&creds, time, Duration::from_secs(600))
        .unwrap();
    let host = "examplebucket.s3.us-east-1.amazonaws.com";
    let target = url.as_str()[format!("https://{host}").len()..].to_owned();
    // The same URL with lowercase escapes: not canonical, so the verifier
    // canonicalizes the whole query (token included) into its buffers
    // rather than hashing it as it is.
    let lowercase = target.replace("%2F", "%2f");
    assert_ne!(lowercase, target);
    // Both lookups: one that lends, one that hands out a copy per call.
    let lent = Verifier::with_lookup(creds.clone());
    let copied = Verifier::new(move |_: &str| Some(creds.clone()));
    for target in [&target, &lowercase] {
        let n = on_fresh_thread(|| {
            let request = ReceivedRequest::new("PUT", target)
                .header("host", host)
                .header("content-type", "text/plain");
            lent.verify_presigned(&request, time).expect("verifies");
            copied.verify_presigned(&request, time).expect("verifies");
            // Refused requests too.
            let tampered = request.clone().header("x-amz-acl", "public-read");
            assert!(lent.verify_presigned(&tampered, time).is_err());
        });
        assert_eq!(n, 0, "verifying {target}");
    }
}

// A signed POST form holds the token twice by design (the token field and
// the policy document, in two buffers sized before the token is written);
// both are zeroized when it is dropped, as are the conditions read back
// from the policy.
#[test]
fn signed_forms_leave_no_token_behind() {
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    for token in [TOKEN.to_owned(), long_token()] {
        // Made before watching: the credentials own their copy.
        let creds = creds_with(&token);
        let meta = "é".repeat(600);
        let policy = || {
            bucket
                .post_policy(
                    PostKey::new("uploads/${filename}"),
                    time,
                    Duration::from_secs(600),
                )
                .content_length_range(1, 1 << 20)
                .metadata("note", meta.as_str())
                .condition(Condition::starts_with("$Content-Type", "image/"))
        };
        assert_eq!(freed_with_token(|| policy().sign(&creds).unwrap()), 0);
        let n = freed_with_token(|| {
            let post = policy().sign(&creds).unwrap();
            assert!(post.policy_json().contains(&token));
            assert!(post.fields().any(|(_, v)| v == token));
            // The conditions read back hold it too.
            let last = post.conditions().last().unwrap();
            assert!(matches!(last, Condition::Eq { value, .. } if *value == token));
            post.clone()
        });
        assert_eq!(n, 0);
    }
}
