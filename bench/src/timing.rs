//! The timing method shared with `compare.py`: one warm-up call, then
//! `number` calls per repeat (so a repeat lasts at least 50 ms), 7 repeats,
//! median of the per-call times.

use std::time::Instant;

const MIN_TOTAL: f64 = 0.05;
const REPEATS: usize = 7;

/// Median seconds per call of `f`.
pub fn measure(f: &mut dyn FnMut()) -> f64 {
    f();
    let mut number = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..number {
            f();
        }
        let dt = t.elapsed().as_secs_f64();
        if dt >= MIN_TOTAL || number >= 1_000_000 {
            break;
        }
        number = (number * 2).max((number as f64 * MIN_TOTAL / dt.max(1e-9) * 1.2) as usize);
    }
    let mut times: Vec<f64> = (0..REPEATS)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..number {
                f();
            }
            t.elapsed().as_secs_f64() / number as f64
        })
        .collect();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[REPEATS / 2]
}
