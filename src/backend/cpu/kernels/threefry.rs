//! The Threefry-2x32 block cipher (Random123; 20 rounds), elementwise: the
//! counter-based generator behind `jax.random`.

use super::threads;
use crate::backend::cpu::simd;

const ROTATIONS: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];
/// The key-schedule parity constant.
const PARITY: u32 = 0x1BD1_1BDA;

/// One block: keys `(k0, k1)`, counters `(x0, x1)` to `(y0, y1)`.
#[inline(always)]
pub fn block(k0: u32, k1: u32, x0: u32, x1: u32) -> (u32, u32) {
    let ks = [k0, k1, k0 ^ k1 ^ PARITY];
    let (mut a, mut b) = (x0.wrapping_add(ks[0]), x1.wrapping_add(ks[1]));
    for group in 0..5 {
        for r in ROTATIONS[group % 2] {
            a = a.wrapping_add(b);
            b = b.rotate_left(r) ^ a;
        }
        a = a.wrapping_add(ks[(group + 1) % 3]);
        b = b
            .wrapping_add(ks[(group + 2) % 3])
            .wrapping_add(group as u32 + 1);
    }
    (a, b)
}

/// An operand: `n` values, or one value broadcast.
#[derive(Copy, Clone)]
pub struct Words<'a> {
    /// The values.
    pub data: &'a [u32],
    /// Whether `data` holds one value for every position.
    pub scalar: bool,
}

simd::multiversion! {
    fn run_part<>(k0: Words<'_>, k1: Words<'_>, x0: &[u32], x1: &[u32], y0: &mut [u32], y1: &mut [u32], off: usize) {
        let n = y0.len();
        for i in 0..n {
            let a = if k0.scalar { k0.data[0] } else { k0.data[off + i] };
            let b = if k1.scalar { k1.data[0] } else { k1.data[off + i] };
            let (p, q) = block(a, b, x0[i], x1[i]);
            y0[i] = p;
            y1[i] = q;
        }
    }
}

/// One worker's share: its offset and its runs of both outputs.
type Part<'a> = std::sync::Mutex<Option<(usize, &'a mut [u32], &'a mut [u32])>>;

/// `(y0, y1)[i] = block(k0[i], k1[i], x0[i], x1[i])` over threads and lanes.
pub fn run(k0: Words<'_>, k1: Words<'_>, x0: &[u32], x1: &[u32], y0: &mut [u32], y1: &mut [u32]) {
    let n = y0.len();
    if n < threads::PAR_MIN_ELEMENTS / 8 || threads::num_threads() == 1 {
        return run_part(k0, k1, x0, x1, y0, y1, 0);
    }
    let chunk = n.div_ceil(threads::num_threads() * 4).max(4096);
    let y1_parts: Vec<&mut [u32]> = y1.chunks_mut(chunk).collect();
    let parts: Vec<(usize, &mut [u32], &mut [u32])> = y0
        .chunks_mut(chunk)
        .zip(y1_parts)
        .enumerate()
        .map(|(p, (a, b))| (p * chunk, a, b))
        .collect();
    let slots: Vec<Part<'_>> = parts
        .into_iter()
        .map(|p| std::sync::Mutex::new(Some(p)))
        .collect();
    threads::map_parts(slots.len(), |p| {
        let (off, a, b) = slots[p]
            .lock()
            .expect("threefry part")
            .take()
            .expect("runs once");
        run_part(
            k0,
            k1,
            &x0[off..off + a.len()],
            &x1[off..off + a.len()],
            a,
            b,
            off,
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers_from_random123() {
        assert_eq!(block(0, 0, 0, 0), (0x6B20_0159, 0x99BA_4EFE));
        assert_eq!(
            block(u32::MAX, u32::MAX, u32::MAX, u32::MAX),
            (0x1CB9_96FC, 0xBB00_2BE7)
        );
        assert_eq!(
            block(0x1319_8A2E, 0x0370_7344, 0x243F_6A88, 0x85A3_08D3),
            (0xC492_3A9C, 0x483D_F7A0)
        );
    }

    #[test]
    fn threaded_run_matches_blocks() {
        let n = 70_001;
        let x0: Vec<u32> = (0..n).map(|i| (i as u32).wrapping_mul(7)).collect();
        let x1: Vec<u32> = (0..n as u32).collect();
        let (mut y0, mut y1) = (vec![0; n], vec![0; n]);
        fn k(v: &[u32]) -> Words<'_> {
            Words {
                data: v,
                scalar: true,
            }
        }
        let (ka, kb) = ([5u32], [9u32]);
        run(k(&ka), k(&kb), &x0, &x1, &mut y0, &mut y1);
        for i in (0..n).step_by(997) {
            assert_eq!((y0[i], y1[i]), block(5, 9, x0[i], x1[i]));
        }
    }
}
