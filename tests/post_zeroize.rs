//! No copy of the session token is left in freed memory by POST policy
//! signing: a global allocator looks for the token in every block the
//! current thread frees while watching, and makes every reallocation move
//! (so a buffer that grows after the token is written into it leaves its
//! old block behind, as it can in practice).
//!
//! A signed form holds the token twice by design (the token field and the
//! policy document, in two buffers sized before the token is written);
//! both are zeroized when it is dropped, as are the conditions read back
//! from the policy.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use presign::s3::{Bucket, Condition, PostKey};
use presign::{Credentials, Region, SigningTime};

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

/// How many freed blocks held the token while `f` ran (on this thread),
/// what it returned dropped while watching.
fn freed_with_token<R>(f: impl FnOnce() -> R) -> usize {
    FOUND.with(|c| c.set(0));
    WATCHING.with(|w| w.set(true));
    drop(f());
    WATCHING.with(|w| w.set(false));
    FOUND.with(Cell::get)
}

fn creds(token: &str) -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .unwrap()
    .with_session_token(token)
    .unwrap()
}

#[test]
fn the_scanner_sees_a_freed_token() {
    assert_eq!(freed_with_token(|| String::from(TOKEN)), 1);
}

#[test]
fn signed_forms_leave_no_token_behind() {
    let bucket = Bucket::new("examplebucket", Region::new("us-east-1").unwrap()).unwrap();
    let time = SigningTime::parse_amz_date("20260524T120000Z").unwrap();
    for token in [TOKEN.to_owned(), long_token()] {
        // Made before watching: the credentials own their copy.
        let creds = creds(&token);
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
