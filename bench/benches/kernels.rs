//! Criterion benches over the same cases as the compare command.

use criterion::{criterion_group, criterion_main, Criterion};
use jaxide_bench::cases;

fn bench_cases(c: &mut Criterion) {
    let mut group = c.benchmark_group("jaxide");
    group.sample_size(20);
    for mut case in cases::all_cases() {
        group.bench_function(case.name, |b| b.iter(&mut case.run));
    }
    group.finish();
}

criterion_group!(benches, bench_cases);
criterion_main!(benches);
