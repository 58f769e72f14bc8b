//! Runs one signer on one case `n` times, for a profiler: instruction counts
//! with callgrind are exact and repeatable, whatever else the machine does.
//!
//! ```sh
//! cargo build --release --bin profile
//! valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!     target/release/profile presign get 10000
//! callgrind_annotate cg.out | head -40
//! ```
//!
//! Arguments: the signer (`floor`, `presign`, `aws-sigv4`, `rusty-s3`), the
//! case (`get`, `put`) and the number of presigns (default 10,000). One
//! warm-up call comes first, so the key cache is warm as in a service.
//! Divide the total by `n` (after subtracting a run with `n = 0`, which
//! measures setup) for instructions per presign.

use std::hint::black_box;

use presign_compare::inputs::UNIX_TIME;
use presign_compare::{AwsSigv4, Case, Floor, Presign, Presigner, RustyS3};

fn run<S: Presigner>(case: Case, n: u64) {
    let signer = S::new();
    let at = S::time(UNIX_TIME);
    black_box(signer.presign(case, at));
    for _ in 0..n {
        black_box(signer.presign(case, black_box(at)));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: profile floor|presign|aws-sigv4|rusty-s3 get|put [N]";
    let (Some(signer), Some(case)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let case = match case.as_str() {
        "get" => Case::Get,
        "put" => Case::Put,
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let n: u64 = match args.get(2).map(|s| s.parse()) {
        None => 10_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    match signer.as_str() {
        "floor" => {
            let floor = Floor::new(case);
            black_box(floor.run());
            for _ in 0..n {
                black_box(floor.run());
            }
        }
        "presign" => run::<Presign>(case, n),
        "aws-sigv4" => run::<AwsSigv4>(case, n),
        "rusty-s3" => run::<RustyS3>(case, n),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
