//! Positions of the non-zero bytes of a boolean buffer (the host side of
//! eager boolean-mask indexing and `jnp.nonzero`): a parallel count per
//! chunk, then a parallel fill at the chunks' prefix offsets.

use crate::backend::cpu::buffer::Buffer;
use crate::core::element::Pod;
use rayon::prelude::*;

const CHUNK: usize = 1 << 16;

/// The flat positions of the `true` (non-zero) bytes of `mask`, as `T`
/// (`i32` or `i64`), and their count.
pub fn flat_nonzero<T: Pod + TryFrom<usize>>(mask: &Buffer) -> (Buffer, usize) {
    let m = mask.as_slice::<u8>();
    let counts: Vec<usize> = m
        .par_chunks(CHUNK)
        .map(|c| c.iter().filter(|&&b| b != 0).count())
        .collect();
    let total: usize = counts.iter().sum();
    let mut offsets = Vec::with_capacity(counts.len());
    let mut sum = 0;
    for c in &counts {
        offsets.push(sum);
        sum += c;
    }
    let mut out = Buffer::for_elements::<T>(total);
    let dst = out.as_mut_slice::<T>();
    // Split the output at the chunk offsets so each chunk fills its own run.
    let mut runs: Vec<&mut [T]> = Vec::with_capacity(counts.len());
    let mut rest = dst;
    for &c in &counts {
        let (run, tail) = rest.split_at_mut(c);
        runs.push(run);
        rest = tail;
    }
    runs.into_par_iter()
        .zip(m.par_chunks(CHUNK))
        .enumerate()
        .for_each(|(k, (run, chunk))| {
            let base = k * CHUNK;
            let mut j = 0;
            for (i, &b) in chunk.iter().enumerate() {
                if b != 0 {
                    run[j] = T::try_from(base + i).unwrap_or_default();
                    j += 1;
                }
            }
        });
    (out, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_match_a_filter() {
        let n = 3 * CHUNK + 17;
        let bytes: Vec<u8> = (0..n).map(|i| ((i * 7919) % 5 == 0) as u8).collect();
        let (buf, count) = flat_nonzero::<i32>(&Buffer::from_slice(&bytes));
        let want: Vec<i32> = (0..n)
            .filter(|&i| bytes[i] != 0)
            .map(|i| i as i32)
            .collect();
        assert_eq!(count, want.len());
        assert_eq!(buf.as_slice::<i32>(), want.as_slice());
    }
}
