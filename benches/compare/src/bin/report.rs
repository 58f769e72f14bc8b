//! Prints a markdown table comparing presign, aws-sigv4 and rusty-s3 on the
//! two presigns of this crate, beside the cryptographic floor: nanoseconds
//! per presign, the ratios to the floor and to presign, and heap
//! allocations per presign.
//!
//! `cargo run --release --bin report` (in benches/compare). Options:
//! `--rounds N` (default 31) and `--run-ms MS` (default 20), the length of
//! one timed run.
//!
//! Timing: each signer is warmed up, then calibrated so that one run of `n`
//! back-to-back presigns takes about `--run-ms`; the signers then take turns,
//! one run each per round, for `--rounds` rounds, so that a slow spell of the
//! machine hits them all alike. A signer's time is the median over its runs
//! of (run time / n); the fastest run is shown too. Wall-clock time with
//! `Instant`, single thread.
//!
//! Allocations: a counting global allocator, switched on only while counting
//! (it costs one relaxed load per allocation otherwise), over 1,000 warm
//! presigns.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use presign_compare::inputs::*;
use presign_compare::{AwsSigv4, Case, Floor, Presign, Presigner, RustyS3};

// ---------------------------------------------------------------------------
// Counting allocator

/// The system allocator, counting allocations (`alloc`, `alloc_zeroed` and
/// `realloc` calls) and the bytes asked for while [`COUNTING`] is on.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

impl Counting {
    #[inline]
    fn count(size: usize) {
        if COUNTING.load(Relaxed) {
            ALLOCS.fetch_add(1, Relaxed);
            BYTES.fetch_add(size as u64, Relaxed);
        }
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count(layout.size());
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count(layout.size());
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count(new_size);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and bytes per call of `f`, averaged over `calls` calls.
fn allocations_per_call(calls: u64, mut f: impl FnMut()) -> (f64, f64) {
    ALLOCS.store(0, Relaxed);
    BYTES.store(0, Relaxed);
    COUNTING.store(true, Relaxed);
    for _ in 0..calls {
        f();
    }
    COUNTING.store(false, Relaxed);
    (
        ALLOCS.load(Relaxed) as f64 / calls as f64,
        BYTES.load(Relaxed) as f64 / calls as f64,
    )
}

// ---------------------------------------------------------------------------
// Timing

/// One row of the table: a name and a timed loop, `run(n)` timing `n` calls.
struct Entry {
    name: &'static str,
    run: Box<dyn FnMut(u64) -> Duration>,
    allocs: f64,
    bytes: f64,
    /// Calls per timed run, after calibration.
    n: u64,
    /// Nanoseconds per call, one sample per round.
    samples: Vec<f64>,
}

impl Entry {
    /// Wraps `f`; the timed loop is monomorphized over it (the box is
    /// crossed once per run, not once per call).
    fn new<R>(name: &'static str, mut f: impl FnMut() -> R + 'static) -> Self {
        let (allocs, bytes) = {
            f(); // warm: caches, first-call setup
            allocations_per_call(1_000, || drop(black_box(f())))
        };
        let run = move |n: u64| {
            let start = Instant::now();
            for _ in 0..n {
                black_box(f());
            }
            start.elapsed()
        };
        Entry {
            name,
            run: Box::new(run),
            allocs,
            bytes,
            n: 1,
            samples: Vec::new(),
        }
    }

    /// Warms up for about `run` and picks the number of calls that takes
    /// about that long.
    fn calibrate(&mut self, run: Duration) {
        let mut n = 1;
        loop {
            let t = (self.run)(n);
            if t >= run / 4 {
                let per_call = t.as_secs_f64() / n as f64;
                self.n = ((run.as_secs_f64() / per_call) as u64).max(1);
                break;
            }
            n *= 2;
        }
        (self.run)(self.n); // one full run of warm-up at the final size
    }

    fn sample(&mut self) {
        let t = (self.run)(self.n);
        self.samples.push(t.as_nanos() as f64 / self.n as f64);
    }

    fn median(&self) -> f64 {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        let mid = s.len() / 2;
        if s.len() % 2 == 1 {
            s[mid]
        } else {
            (s[mid - 1] + s[mid]) / 2.0
        }
    }

    fn min(&self) -> f64 {
        self.samples.iter().copied().fold(f64::INFINITY, f64::min)
    }
}

/// The timed loop of one signer on one case.
fn signer_entry<S: Presigner + 'static>(case: Case) -> Entry {
    let signer = S::new();
    let at = S::time(UNIX_TIME);
    Entry::new(S::NAME, move || signer.presign(case, black_box(at)))
}

/// presign with the signing time one second later on every call (cycling
/// through 4,096 consecutive seconds, converted before timing): its
/// per-thread memo of the string to sign's first block and of the
/// `X-Amz-Date` text never hits, the worst case for a service.
fn new_second_entry(case: Case) -> Entry {
    let signer = Presign::new();
    let times: Vec<_> = (0..4096).map(|i| Presign::time(UNIX_TIME + i)).collect();
    let mut i = 0;
    Entry::new(NEW_SECOND, move || {
        i = (i + 1) % times.len();
        signer.presign(case, black_box(times[i]))
    })
}

const NEW_SECOND: &str = "presign, new second every call";

/// presign into one reused buffer (`presign_into`), as a batch does.
fn into_buffer_entry(case: Case) -> Entry {
    let signer = Presign::new();
    let at = Presign::time(UNIX_TIME);
    let mut out = String::new();
    Entry::new(INTO_BUFFER, move || {
        signer.presign_into(case, black_box(at), &mut out);
        out.len()
    })
}

const INTO_BUFFER: &str = "presign, into a reused buffer (`presign_into`)";

fn entries(case: Case) -> Vec<Entry> {
    let floor = Floor::new(case);
    vec![
        Entry::new("floor (SHA-256 + 1 HMAC)", move || floor.run()),
        signer_entry::<Presign>(case),
        into_buffer_entry(case),
        new_second_entry(case),
        signer_entry::<AwsSigv4>(case),
        signer_entry::<RustyS3>(case),
    ]
}

// ---------------------------------------------------------------------------
// Report

struct Options {
    rounds: usize,
    run: Duration,
}

fn options() -> Options {
    let mut o = Options {
        rounds: 31,
        run: Duration::from_millis(20),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> u64 {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match arg.as_str() {
            "--rounds" => o.rounds = value("--rounds").max(1) as usize,
            "--run-ms" => o.run = Duration::from_millis(value("--run-ms").max(1)),
            "-h" | "--help" => {
                println!("usage: report [--rounds N] [--run-ms MS]");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other:?} (try --help)"),
        }
    }
    o
}

/// The locked version of a dependency, read from this crate's Cargo.lock.
fn locked_version(name: &str) -> String {
    let lock = include_str!("../../Cargo.lock");
    let needle = format!("name = \"{name}\"\nversion = \"");
    lock.find(&needle)
        .map(|i| {
            let rest = &lock[i + needle.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .unwrap_or_else(|| "?".to_owned())
}

fn main() {
    let o = options();

    // Nothing is timed unless all three sign each case identically.
    for case in Case::ALL {
        if let Err(e) = presign_compare::agreed_signature(case) {
            eprintln!("signatures differ, not timing anything: {e}");
            std::process::exit(1);
        }
    }

    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());

    println!("## presign vs aws-sigv4 vs rusty-s3: one presigned S3 URL\n");
    println!(
        "presign {} (path dependency), aws-sigv4 {}, rusty-s3 {}; sha2 {}, hmac {} \
         (shared by all three); {}; {cpu}.\n",
        locked_version("presign"),
        locked_version("aws-sigv4"),
        locked_version("rusty-s3"),
        locked_version("sha2"),
        locked_version("hmac"),
        rustc.trim(),
    );
    println!(
        "Median of {} runs of ~{} ms each (signers interleaved), wall-clock ns per presign; \
         'min' is the fastest run. Expiry {} s, key `{KEY}`.\n",
        o.rounds,
        o.run.as_millis(),
        EXPIRES_IN.as_secs(),
    );

    println!(
        "| case | signer | ns/presign (median) | min | × floor | × presign | allocs/presign | bytes allocated/presign |"
    );
    println!("|---|---|--:|--:|--:|--:|--:|--:|");
    for case in Case::ALL {
        let mut entries = entries(case);
        for e in &mut entries {
            e.calibrate(o.run);
        }
        for _ in 0..o.rounds {
            for e in &mut entries {
                e.sample();
            }
        }
        let floor = entries[0].median();
        let presign = entries[1].median();
        for (i, e) in entries.iter().enumerate() {
            let median = e.median();
            // (The rows after presign's own: the peers.)
            let vs_presign = if i >= 4 {
                format!("{:.2}×", median / presign)
            } else {
                "".to_owned()
            };
            println!(
                "| {} | {} | {:.0} | {:.0} | {:.2}× | {} | {} | {} |",
                case.label(),
                e.name,
                median,
                e.min(),
                median / floor,
                vs_presign,
                fmt_count(e.allocs),
                fmt_count(e.bytes),
            );
        }
    }
    println!(
        "\n× floor: the signer's time over the floor's (SHA-256 of presign's canonical request \
         + one HMAC of the string to sign with a cached key). × presign: the peer's time over \
         presign's on the same case. Every signer signs at one fixed time, as a batch or a \
         busy service does within a second; presign then reuses its per-thread HMAC state \
         for the string to sign's first block (one compression of the floor's four). \
         '{NEW_SECOND}' moves the time on by a second on every call, so that saving never \
         applies."
    );
}

/// A per-call average: exact integers without decimals.
fn fmt_count(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}
