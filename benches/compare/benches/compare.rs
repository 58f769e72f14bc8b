//! Criterion: presign, aws-sigv4 and rusty-s3 on the same two presigns, in
//! one run, beside the floor (SHA-256 of the canonical request plus one HMAC
//! of the string to sign with a cached key).
//!
//! `cargo bench` (in benches/compare). `cargo run --release --bin report`
//! prints the same comparison as a table, with allocation counts.

use std::hint::black_box;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use presign_compare::inputs::*;
use presign_compare::{AwsSigv4, Case, Floor, Presign, Presigner, RustyS3};

/// Times one signer on one case, warmed by a first call.
fn bench_signer<S: Presigner>(group: &mut BenchmarkGroup<'_, WallTime>, case: Case) {
    let signer = S::new();
    let at = S::time(UNIX_TIME);
    black_box(signer.presign(case, at));
    group.bench_function(S::NAME, |b| b.iter(|| signer.presign(case, black_box(at))));
}

fn compare(c: &mut Criterion) {
    for case in Case::ALL {
        let mut group = c.benchmark_group(case.id());
        let floor = Floor::new(case);
        group.bench_function("floor", |b| b.iter(|| floor.run()));
        bench_signer::<Presign>(&mut group, case);
        bench_signer::<AwsSigv4>(&mut group, case);
        bench_signer::<RustyS3>(&mut group, case);
        group.finish();
    }
}

criterion_group!(benches, compare);
criterion_main!(benches);
