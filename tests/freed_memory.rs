//! No copy of the session token is left behind in freed memory: a global
//! allocator scans every block as it is freed (a reallocation is an
//! allocation, a copy and a free) for the token, raw or query-encoded, while
//! the library verifies a presigned URL or builds a canonical request. A
//! buffer that held the token must be zeroized before it is freed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use presign::s3::Bucket;
use presign::verify::{ReceivedRequest, Verifier};
use presign::{
    Credentials, Method, Region, Service, SignableRequest, SignatureLocation, Signer, SigningTime,
};

/// A token with characters that are encoded in a query (`/`, `+`, `=`).
const TOKEN: &str = "FwoGZXIvYXdzEBYaDL3Ux5bQ/tokenMARKERfor+freed/memory+scanning==";
/// The marker, as it appears raw and query-encoded.
const NEEDLES: [&[u8]; 2] = [b"tokenMARKERfor+freed", b"tokenMARKERfor%2Bfreed"];

thread_local! {
    static SCANNING: Cell<bool> = const { Cell::new(false) };
    // Per thread: the tests run in parallel, and one frees a token on purpose.
    static FOUND: Cell<usize> = const { Cell::new(0) };
}

struct ScanningAllocator;

fn scan(ptr: *const u8, size: usize) {
    let on = SCANNING.try_with(Cell::get).unwrap_or(false);
    if !on || size < NEEDLES[0].len() {
        return;
    }
    // SAFETY: the block is still allocated: it is scanned before it is freed.
    let block = unsafe { std::slice::from_raw_parts(ptr, size) };
    if NEEDLES
        .iter()
        .any(|n| block.windows(n.len()).any(|w| w == *n))
    {
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
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // As the default does: a new block, a copy, and the old one freed
        // (and scanned).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = unsafe { System.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: ScanningAllocator = ScanningAllocator;

/// How many freed blocks held the token while `f` ran (on this thread).
fn freed_with_token(f: impl FnOnce()) -> usize {
    FOUND.with(|f| f.set(0));
    SCANNING.with(|s| s.set(true));
    f();
    SCANNING.with(|s| s.set(false));
    FOUND.with(Cell::get)
}

fn creds() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .unwrap()
        .with_session_token(TOKEN)
        .unwrap()
}

fn time() -> SigningTime {
    SigningTime::parse_amz_date("20260524T120000Z").unwrap()
}

#[test]
fn the_scanner_finds_a_token_left_in_freed_memory() {
    // The test's own control: a plain copy of the token, freed unzeroized.
    let n = freed_with_token(|| drop(std::hint::black_box(TOKEN.to_owned())));
    assert_eq!(n, 1);
}

#[test]
fn verifying_a_presigned_url_leaves_no_token_behind() {
    let creds = creds();
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let url = bucket
        .put_object("a.txt")
        .content_type("text/plain")
        .presign(&creds, time(), Duration::from_secs(600))
        .unwrap();
    let host = "examplebucket.s3.us-east-1.amazonaws.com";
    let target = url.as_str()[format!("https://{host}").len()..].to_owned();
    // The same URL with lowercase escapes: not canonical, so the verifier
    // canonicalizes it (into buffers) rather than hashing it as it is.
    let lowercase = target.replace("%2B", "%2b").replace("%2F", "%2f");
    // Both lookups: one that lends, one that hands out a copy per call.
    let lent = Verifier::with_lookup(creds.clone());
    let copied = Verifier::new(move |_: &str| Some(creds.clone()));
    let n = freed_with_token(|| {
        for _ in 0..3 {
            let request = ReceivedRequest::new("PUT", &target)
                .header("host", host)
                .header("content-type", "text/plain");
            lent.verify_presigned(&request, time()).expect("verifies");
            let other = ReceivedRequest::new("PUT", &lowercase)
                .header("host", host)
                .header("content-type", "text/plain");
            lent.verify_presigned(&other, time()).expect("verifies");
            copied.verify_presigned(&request, time()).expect("verifies");
            // Refused requests too.
            let tampered = request.clone().header("x-amz-acl", "public-read");
            assert!(lent.verify_presigned(&tampered, time()).is_err());
        }
    });
    assert_eq!(n, 0, "freed blocks held the session token");
}

#[test]
fn a_canonical_request_leaves_no_token_behind() {
    let creds = creds();
    let signer = Signer::new(
        Region::new("us-east-1").unwrap(),
        Service::new("sts").unwrap(),
    );
    let request = SignableRequest::new(
        Method::GET,
        "sts.amazonaws.com",
        "/?Action=GetCallerIdentity",
    )
    .header("x-custom", "1");
    let n = freed_with_token(|| {
        for location in [
            SignatureLocation::Headers,
            SignatureLocation::Query {
                expires_in: Duration::from_secs(60),
            },
        ] {
            let canonical = signer
                .canonical_request(&request, &creds, time(), location)
                .unwrap();
            assert!(canonical.as_str().contains("tokenMARKERfor"));
            drop(canonical);
            // Builds (and drops) a canonical request of its own.
            let sts = signer
                .string_to_sign(&request, &creds, time(), location)
                .unwrap();
            assert!(sts.as_str().starts_with("AWS4-HMAC-SHA256\n"));
        }
    });
    assert_eq!(n, 0, "freed blocks held the session token");
}
