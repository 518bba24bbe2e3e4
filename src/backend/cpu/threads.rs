//! Worker threads for large kernels: a rayon pool whose workers are pinned
//! one per allowed CPU (unpinned workers sometimes share a vCPU on these VMs).
//!
//! `JAXIDE_NUM_THREADS` overrides the worker count.

use rayon::prelude::*;

/// Elements below which a kernel runs on the calling thread.
pub const PAR_MIN_ELEMENTS: usize = 1 << 16;

/// Makes sure the global pool exists with pinned workers. Idempotent.
pub fn init() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let cpus = allowed_cpus();
        let n = threads_from_env().unwrap_or(cpus.len().max(1));
        // If the application already built rayon's global pool, use it as is.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("jaxide-worker-{i}"))
            .start_handler(move |i| {
                if !cpus.is_empty() {
                    pin_to_cpu(cpus[i % cpus.len()]);
                }
            })
            .build_global();
    });
}

/// The worker count `JAXIDE_NUM_THREADS` asks for; a value that is not a
/// positive integer is ignored with a warning.
fn threads_from_env() -> Option<usize> {
    let v = std::env::var("JAXIDE_NUM_THREADS").ok()?;
    match v.trim().parse::<usize>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            crate::config::warn_bad_env(
                "JAXIDE_NUM_THREADS",
                &v,
                "a positive integer (the number of worker threads)",
            );
            None
        }
    }
}

/// Number of worker threads.
pub fn num_threads() -> usize {
    init();
    rayon::current_num_threads()
}

#[cfg(target_os = "linux")]
fn allowed_cpus() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data; sched_getaffinity fills it for this thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

#[cfg(not(target_os = "linux"))]
fn allowed_cpus() -> Vec<usize> {
    Vec::new()
}

#[cfg(target_os = "linux")]
fn pin_to_cpu(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t with one bit set; applies to the calling thread only.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

#[cfg(not(target_os = "linux"))]
fn pin_to_cpu(_cpu: usize) {}

/// Chunk length for splitting `n` elements over the workers: a multiple of
/// 4096, at least [`PAR_MIN_ELEMENTS`] / 2.
pub fn chunk_len(n: usize) -> usize {
    let t = num_threads().max(1);
    let per = n.div_ceil(t * 4);
    per.max(PAR_MIN_ELEMENTS / 2).div_ceil(4096) * 4096
}

/// Runs `f(offset, out_chunk)` over chunks of `out`, in parallel when large.
pub fn for_each_chunk_mut<T: Send>(out: &mut [T], f: impl Fn(usize, &mut [T]) + Sync + Send) {
    let n = out.len();
    if n < PAR_MIN_ELEMENTS || num_threads() == 1 {
        f(0, out);
        return;
    }
    let c = chunk_len(n);
    out.par_chunks_mut(c)
        .enumerate()
        .for_each(|(i, chunk)| f(i * c, chunk));
}

/// Maps `0..n_parts` to partial results in parallel (for reductions).
pub fn map_parts<R: Send>(n_parts: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
    if n_parts <= 1 || num_threads() == 1 {
        return (0..n_parts).map(f).collect();
    }
    (0..n_parts).into_par_iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_everything_once() {
        let mut v = vec![0u32; 300_001];
        for_each_chunk_mut(&mut v, |off, c| {
            for (i, x) in c.iter_mut().enumerate() {
                *x += (off + i) as u32;
            }
        });
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u32));
        assert!(num_threads() >= 1);
        assert_eq!(map_parts(5, |i| i * 2), vec![0, 2, 4, 6, 8]);
    }
}
