//! Windowed reductions (`reduce_window_sum/max/min`) and the max-pool
//! gradient helpers (`select_and_gather_add`, `select_and_scatter_add`).
//!
//! A [`Plan`] collapses the axes a window leaves alone (size 1, stride 1, no
//! padding or dilation): the leading ones become independent `lead` slices
//! (the batch of an NHWC pool, split over threads) and the trailing ones one
//! contiguous `inner` run (the channels), so every window tap moves a whole
//! channel vector. Taps are visited in XLA's window order (row-major over
//! the window), which fixes which element wins a tie.

use super::elem::{fmax_nan, fmin_nan};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::{simd, threads};
use crate::core::dtype::DType;
use crate::ir::ReduceOp;
use half::{bf16, f16};
use rayon::prelude::*;

/// A tap that falls in the padding (only kept for `select_and_scatter_add`).
const PAD: usize = usize::MAX;

/// Above this many precomputed tap offsets, taps are computed per window.
const TAP_TABLE_MAX: usize = 1 << 20;

/// The geometry of one window configuration (see the module docs).
pub struct Window<'a> {
    /// Operand dimensions.
    pub in_shape: &'a [usize],
    /// Output (window-position) dimensions.
    pub out_shape: &'a [usize],
    /// Window size per axis.
    pub dims: &'a [usize],
    /// Window stride per axis.
    pub strides: &'a [usize],
    /// `(low, high)` padding per axis.
    pub padding: &'a [(i64, i64)],
    /// Base (operand) dilation per axis.
    pub base_dilation: &'a [usize],
    /// Window dilation per axis.
    pub window_dilation: &'a [usize],
}

struct Axis {
    /// Output positions along the axis.
    out: usize,
    /// Per output position: input offsets (element index × stride) in window order.
    taps: Vec<Vec<usize>>,
}

/// Window taps of every output position, with untouched axes collapsed.
pub struct Plan {
    lead: usize,
    inner: usize,
    axes: Vec<Axis>,
    in_block: usize,
    n_pos: usize,
    /// Taps over all middle positions (the work per lead slice and channel).
    n_taps: usize,
    /// CSR table of taps per middle position, when small enough.
    table: Option<(Vec<usize>, Vec<usize>)>,
    /// When every position has the same taps relative to its first one (no
    /// padding or holes, as in a VALID pool): each position's first tap
    /// and the shared relative offsets.
    uniform: Option<(Vec<usize>, Vec<usize>)>,
}

impl Plan {
    /// Plans `w`. With `keep_pad`, taps in the padding stay in the lists as
    /// `PAD` (`usize::MAX`; select-and-scatter compares against the padding identity);
    /// otherwise padding and base-dilation holes are skipped.
    pub fn new(w: &Window<'_>, keep_pad: bool) -> Plan {
        let n = w.in_shape.len();
        let trivial = |d: usize| {
            w.dims[d] == 1 && w.strides[d] == 1 && w.padding[d] == (0, 0) && w.base_dilation[d] == 1
        };
        let first = (0..n).find(|&d| !trivial(d)).unwrap_or(n);
        let last = (first..n)
            .rev()
            .find(|&d| !trivial(d))
            .map_or(first, |d| d + 1);
        let lead: usize = w.in_shape[..first].iter().product();
        let inner: usize = w.in_shape[last..].iter().product();
        let mut stride = inner;
        let mut axes = Vec::with_capacity(last - first);
        for d in (first..last).rev() {
            let (lo, _) = w.padding[d];
            let bd = w.base_dilation[d] as i64;
            let dilated = dilate(w.in_shape[d], w.base_dilation[d]) as i64;
            let taps = (0..w.out_shape[d])
                .map(|o| {
                    (0..w.dims[d])
                        .filter_map(|k| {
                            let q = (o * w.strides[d] + k * w.window_dilation[d]) as i64 - lo;
                            if q >= 0 && q < dilated && q % bd == 0 {
                                Some((q / bd) as usize * stride)
                            } else {
                                keep_pad.then_some(PAD)
                            }
                        })
                        .collect()
                })
                .collect();
            axes.push(Axis {
                out: w.out_shape[d],
                taps,
            });
            stride *= w.in_shape[d];
        }
        axes.reverse();
        let n_pos: usize = axes.iter().map(|a| a.out).product();
        let window: usize = (first..last).map(|d| w.dims[d]).product();
        let mut plan = Plan {
            lead,
            inner,
            axes,
            in_block: stride,
            n_pos,
            n_taps: n_pos.saturating_mul(window),
            table: None,
            uniform: None,
        };
        if n_pos.saturating_mul(window) <= TAP_TABLE_MAX {
            let (mut starts, mut all) = (vec![0], Vec::with_capacity(n_pos * window));
            let (mut buf, mut tmp) = (Vec::new(), Vec::new());
            for p in 0..n_pos {
                plan.compute_taps(p, &mut buf, &mut tmp);
                all.extend_from_slice(&buf);
                starts.push(all.len());
            }
            plan.n_taps = all.len();
            plan.uniform = uniform_taps(&starts, &all)
                .filter(|(origins, rel)| fits(origins, rel, plan.in_block));
            plan.table = Some((starts, all));
        }
        plan
    }

    /// The taps of middle position `p` (row-major over the middle axes).
    fn compute_taps(&self, mut p: usize, buf: &mut Vec<usize>, tmp: &mut Vec<usize>) {
        let mut idx = [0usize; 16];
        let mut big = Vec::new();
        let idx: &mut [usize] = if self.axes.len() <= 16 {
            &mut idx[..self.axes.len()]
        } else {
            big.resize(self.axes.len(), 0);
            &mut big
        };
        for (i, a) in self.axes.iter().enumerate().rev() {
            idx[i] = p % a.out;
            p /= a.out;
        }
        buf.clear();
        buf.push(0);
        for (a, &o) in self.axes.iter().zip(idx.iter()) {
            tmp.clear();
            for &b in buf.iter() {
                for &t in &a.taps[o] {
                    tmp.push(if b == PAD || t == PAD { PAD } else { b + t });
                }
            }
            std::mem::swap(buf, tmp);
        }
    }

    /// Calls `f(taps)` with the taps of middle position `p`.
    #[inline]
    fn with_taps<R>(
        &self,
        p: usize,
        scratch: &mut (Vec<usize>, Vec<usize>),
        f: impl FnOnce(&[usize]) -> R,
    ) -> R {
        match &self.table {
            Some((starts, all)) => f(&all[starts[p]..starts[p + 1]]),
            None => {
                self.compute_taps(p, &mut scratch.0, &mut scratch.1);
                f(&scratch.0)
            }
        }
    }

    /// Output positions (each a run of `inner` elements).
    fn positions(&self) -> usize {
        self.lead * self.n_pos
    }

    fn work(&self) -> usize {
        self.lead
            .saturating_mul(self.n_taps.max(self.n_pos))
            .saturating_mul(self.inner)
    }

    /// Runs `body(first_position, out_chunk)` over chunks of whole positions,
    /// in parallel when the work is large.
    fn for_positions<T: Send>(&self, out: &mut [T], body: impl Fn(usize, &mut [T]) + Sync) {
        let (q, inner) = (self.positions(), self.inner.max(1));
        let threads = threads::num_threads();
        if self.work() < threads::PAR_MIN_ELEMENTS || threads == 1 || q < 2 {
            body(0, out);
            return;
        }
        let per = q.div_ceil(threads * 4).max(1);
        out.par_chunks_mut(per * inner)
            .enumerate()
            .for_each(|(i, chunk)| body(i * per, chunk));
    }
}

/// The first tap of every position and the offsets of all its taps from
/// it, if those offsets are the same for every position (and no tap is
/// padding); see [`Plan::uniform`].
fn uniform_taps(starts: &[usize], all: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
    let n_pos = starts.len().checked_sub(1).filter(|&n| n > 0)?;
    let first = &all[starts[0]..starts[1]];
    let t0 = *first.first()?;
    if first.contains(&PAD) || first.iter().any(|&t| t < t0) {
        return None;
    }
    let rel: Vec<usize> = first.iter().map(|&t| t - t0).collect();
    let mut origins = Vec::with_capacity(n_pos);
    for p in 0..n_pos {
        let taps = &all[starts[p]..starts[p + 1]];
        let o = *taps.first()?;
        let same = taps.len() == rel.len()
            && taps
                .iter()
                .zip(&rel)
                .all(|(&t, &r)| t != PAD && t >= o && t - o == r);
        if !same {
            return None;
        }
        origins.push(o);
    }
    Some((origins, rel))
}

/// Whether every `origin + offset` lies below `in_block` (so the uniform
/// kernels may index without checks).
fn fits(origins: &[usize], rel: &[usize], in_block: usize) -> bool {
    let (o, r) = (origins.iter().max(), rel.iter().max());
    matches!((o, r), (Some(&o), Some(&r)) if o.checked_add(r).is_some_and(|t| t < in_block))
}

/// `1 + dilation * (d - 1)` (0 stays 0), JAX's `dilate_dim`.
pub fn dilate(d: usize, dilation: usize) -> usize {
    if d == 0 {
        0
    } else {
        1 + dilation * (d - 1)
    }
}

/// Element operations the window kernels need, with XLA's semantics.
pub trait WinElem: Copy + Send + Sync + 'static {
    /// Additive identity.
    const ZERO: Self;
    /// Identity of `max` (−∞, or the type's min_nan).
    const LOWEST: Self;
    /// Identity of `min` (+∞, or the type's max_nan).
    const HIGHEST: Self;
    /// `a + b` (wrapping for integers, rounded per step for half floats).
    fn plus(a: Self, b: Self) -> Self;
    /// NaN-propagating max_nan.
    fn max_nan(a: Self, b: Self) -> Self;
    /// NaN-propagating min_nan.
    fn min_nan(a: Self, b: Self) -> Self;
    /// `a >= b` (false when either is NaN).
    fn ge(a: Self, b: Self) -> bool;
    /// `a <= b` (false when either is NaN).
    fn le(a: Self, b: Self) -> bool;
}

macro_rules! impl_float {
    ($($t:ty),*) => {$(
        impl WinElem for $t {
            const ZERO: Self = 0.0;
            const LOWEST: Self = <$t>::NEG_INFINITY;
            const HIGHEST: Self = <$t>::INFINITY;
            #[inline(always)]
            fn plus(a: Self, b: Self) -> Self { a + b }
            #[inline(always)]
            fn max_nan(a: Self, b: Self) -> Self {
                // fmax_nan without branches (so it vectorizes): equal values
                // AND their bits, so max(-0, +0) = +0.
                let eq = <$t>::from_bits(a.to_bits() & b.to_bits());
                let pick_a = a > b || a.is_nan();
                if a == b { eq } else if pick_a { a } else { b }
            }
            #[inline(always)]
            fn min_nan(a: Self, b: Self) -> Self {
                let eq = <$t>::from_bits(a.to_bits() | b.to_bits());
                let pick_a = a < b || a.is_nan();
                if a == b { eq } else if pick_a { a } else { b }
            }
            #[inline(always)]
            fn ge(a: Self, b: Self) -> bool { a >= b }
            #[inline(always)]
            fn le(a: Self, b: Self) -> bool { a <= b }
        }
    )*};
}
impl_float!(f32, f64);

macro_rules! impl_half {
    ($($t:ty),*) => {$(
        impl WinElem for $t {
            const ZERO: Self = <$t>::ZERO;
            const LOWEST: Self = <$t>::NEG_INFINITY;
            const HIGHEST: Self = <$t>::INFINITY;
            #[inline(always)]
            fn plus(a: Self, b: Self) -> Self { <$t>::from_f32(a.to_f32() + b.to_f32()) }
            #[inline(always)]
            fn max_nan(a: Self, b: Self) -> Self { <$t>::from_f32(fmax_nan(a.to_f32(), b.to_f32())) }
            #[inline(always)]
            fn min_nan(a: Self, b: Self) -> Self { <$t>::from_f32(fmin_nan(a.to_f32(), b.to_f32())) }
            #[inline(always)]
            fn ge(a: Self, b: Self) -> bool { a >= b }
            #[inline(always)]
            fn le(a: Self, b: Self) -> bool { a <= b }
        }
    )*};
}
impl_half!(f16, bf16);

macro_rules! impl_int {
    ($($t:ty),*) => {$(
        impl WinElem for $t {
            const ZERO: Self = 0;
            const LOWEST: Self = <$t>::MIN;
            const HIGHEST: Self = <$t>::MAX;
            #[inline(always)]
            fn plus(a: Self, b: Self) -> Self { a.wrapping_add(b) }
            #[inline(always)]
            fn max_nan(a: Self, b: Self) -> Self { Ord::max(a, b) }
            #[inline(always)]
            fn min_nan(a: Self, b: Self) -> Self { Ord::min(a, b) }
            #[inline(always)]
            fn ge(a: Self, b: Self) -> bool { a >= b }
            #[inline(always)]
            fn le(a: Self, b: Self) -> bool { a <= b }
        }
    )*};
}
impl_int!(i8, i16, i32, i64, u8, u16, u32, u64);

/// `out[w] = init ⊕ x[taps of w]...`, folding taps in window order.
pub fn reduce_with<T: Copy + Send + Sync>(
    plan: &Plan,
    x: &[T],
    out: &mut [T],
    init: T,
    f: impl Fn(T, T) -> T + Copy + Sync,
) {
    if plan.inner == 0 || out.is_empty() {
        return;
    }
    if plan.inner == 1 && plan.uniform.is_some() {
        plan.for_positions(out, |first, chunk| {
            reduce_uniform(plan, x, chunk, first, init, f)
        });
        return;
    }
    if plan.inner == 1 && plan.table.is_some() {
        plan.for_positions(out, |first, chunk| {
            reduce_scalar(plan, x, chunk, first, init, f)
        });
        return;
    }
    plan.for_positions(out, |first, chunk| {
        reduce_chunk(plan, x, chunk, first, init, f)
    });
}

/// Visits the positions `first..first + n` as `(lead slice, middle
/// position)` pairs, without a division per position.
#[inline(always)]
fn walk_positions(n_pos: usize, first: usize, n: usize, mut f: impl FnMut(usize, usize, usize)) {
    let (mut l, mut p) = (first / n_pos.max(1), first % n_pos.max(1));
    for j in 0..n {
        f(j, l, p);
        p += 1;
        if p == n_pos {
            p = 0;
            l += 1;
        }
    }
}

simd::multiversion! {
    /// [`reduce_with`] for `inner == 1` and uniform windows (a VALID NCHW
    /// pool): tap by tap over a run of positions within one lead slice, so
    /// the loop over positions vectorizes (a gather per tap). (Plain loops,
    /// no closures: a closure would not inherit the target features.)
    fn reduce_uniform<T: Copy, F: Fn(T, T) -> T>(plan: &Plan, x: &[T], chunk: &mut [T], first: usize, init: T, f: F) {
        let Some((origins, rel)) = &plan.uniform else {
            unreachable!("callers check the plan")
        };
        let (n_pos, in_block) = (plan.n_pos, plan.in_block);
        let mut j = 0;
        while j < chunk.len() {
            let (l, p) = ((first + j) / n_pos, (first + j) % n_pos);
            let n = (n_pos - p).min(chunk.len() - j);
            let xl = &x[l * in_block..(l + 1) * in_block];
            let o = &mut chunk[j..j + n];
            let starts = &origins[p..p + n];
            o.fill(init);
            for &r in rel {
                for (oc, &s) in o.iter_mut().zip(starts) {
                    debug_assert!(s + r < xl.len());
                    // SAFETY: `s + r` is one of the plan's taps, and
                    // `Plan::new` keeps `uniform` only when every tap lies
                    // inside the lead slice (`< in_block == xl.len()`).
                    // Unchecked, the loop vectorizes (measured: the checked
                    // loop ran scalar, 2.5× slower on an NCHW max pool);
                    // tests/reduce_window.rs covers these plans.
                    *oc = f(*oc, unsafe { *xl.get_unchecked(s + r) });
                }
            }
            j += n;
        }
    }
}

simd::multiversion! {
    /// [`reduce_with`] when the window covers the trailing axes (`inner ==
    /// 1`, NCHW pooling): a scalar fold per position over its tap table,
    /// where the channel-vector loop of [`reduce_chunk`] would run one lane.
    fn reduce_scalar<T: Copy, F: Fn(T, T) -> T>(plan: &Plan, x: &[T], chunk: &mut [T], first: usize, init: T, f: F) {
        let Some((starts, all)) = &plan.table else {
            unreachable!("callers check the tap table")
        };
        let in_block = plan.in_block;
        walk_positions(plan.n_pos, first, chunk.len(), |j, l, p| {
            let xl = &x[l * in_block..(l + 1) * in_block];
            let mut acc = init;
            for &t in &all[starts[p]..starts[p + 1]] {
                acc = f(acc, xl[t]);
            }
            chunk[j] = acc;
        });
    }
}

simd::multiversion! {
    /// [`reduce_with`] over the positions of `chunk` (starting at `first`).
    fn reduce_chunk<T: Copy, F: Fn(T, T) -> T>(plan: &Plan, x: &[T], chunk: &mut [T], first: usize, init: T, f: F) {
        let (inner, n_pos, in_block) = (plan.inner, plan.n_pos, plan.in_block);
        let mut scratch = (Vec::new(), Vec::new());
        for (j, o) in chunk.chunks_exact_mut(inner).enumerate() {
            let q = first + j;
            let base = (q / n_pos) * in_block;
            plan.with_taps(q % n_pos, &mut scratch, |taps| match taps {
                [] => o.fill(init),
                [t0, rest @ ..] => {
                    let xs = &x[base + t0..base + t0 + inner];
                    for (oc, &xc) in o.iter_mut().zip(xs) {
                        *oc = f(init, xc);
                    }
                    for &t in rest {
                        let xs = &x[base + t..base + t + inner];
                        for (oc, &xc) in o.iter_mut().zip(xs) {
                            *oc = f(*oc, xc);
                        }
                    }
                }
            });
        }
    }
}

/// `select_and_gather_add`: per window, the tangent `t` at the element of
/// `x` that the fold `acc = if select(acc, x) { acc } else { x }` (from
/// `init`) ends on; 0 when no element replaces `init`.
pub fn gather_with<T: WinElem>(
    plan: &Plan,
    t: &[T],
    x: &[T],
    out: &mut [T],
    init: T,
    select: impl Fn(T, T) -> bool + Copy + Sync,
) {
    if plan.inner == 0 || out.is_empty() {
        return;
    }
    if plan.inner == 1 && plan.table.is_some() {
        plan.for_positions(out, |first, chunk| {
            gather_scalar(plan, t, x, chunk, first, init, select)
        });
        return;
    }
    plan.for_positions(out, |first, chunk| {
        gather_chunk(plan, t, x, chunk, first, init, select)
    });
}

simd::multiversion! {
    /// [`gather_with`] for `inner == 1` (see [`reduce_scalar`]).
    fn gather_scalar<T: WinElem, F: Fn(T, T) -> bool>(plan: &Plan, t: &[T], x: &[T], chunk: &mut [T], first: usize, init: T, select: F) {
        let Some((starts, all)) = &plan.table else {
            unreachable!("callers check the tap table")
        };
        let in_block = plan.in_block;
        walk_positions(plan.n_pos, first, chunk.len(), |j, l, p| {
            let r = l * in_block..(l + 1) * in_block;
            let (xl, tl) = (&x[r.clone()], &t[r]);
            let (mut acc, mut o) = (init, T::ZERO);
            for &tap in &all[starts[p]..starts[p + 1]] {
                if !select(acc, xl[tap]) {
                    acc = xl[tap];
                    o = tl[tap];
                }
            }
            chunk[j] = o;
        });
    }
}

simd::multiversion! {
    /// [`gather_with`] over the positions of `chunk` (starting at `first`).
    fn gather_chunk<T: WinElem, F: Fn(T, T) -> bool>(plan: &Plan, t: &[T], x: &[T], chunk: &mut [T], first: usize, init: T, select: F) {
        let (inner, n_pos, in_block) = (plan.inner, plan.n_pos, plan.in_block);
        let mut scratch = (Vec::new(), Vec::new());
        let mut acc = vec![init; inner];
        for (j, o) in chunk.chunks_exact_mut(inner).enumerate() {
            let q = first + j;
            let base = (q / n_pos) * in_block;
            acc.fill(init);
            o.fill(T::ZERO);
            plan.with_taps(q % n_pos, &mut scratch, |taps| {
                for &tap in taps {
                    let r = base + tap..base + tap + inner;
                    let (xs, ts) = (&x[r.clone()], &t[r]);
                    let lanes = acc.iter_mut().zip(o.iter_mut()).zip(xs.iter().zip(ts));
                    for ((a, oc), (&k, &tc)) in lanes {
                        let keep = select(*a, k);
                        *a = if keep { *a } else { k };
                        *oc = if keep { *oc } else { tc };
                    }
                }
            });
        }
    }
}

/// `select_and_scatter_add` (the plan keeps padding taps): per window, the
/// source value is added at the element selected as XLA does (the first
/// tap, replaced by each later tap `e` with `!select(current, e)`), where
/// padding taps hold `pad_value` and receive nothing.
pub fn scatter_with<T: WinElem>(
    plan: &Plan,
    source: &[T],
    x: &[T],
    out: &mut [T],
    pad_value: T,
    select: impl Fn(T, T) -> bool + Copy + Sync,
) {
    let in_block = plan.in_block.max(1);
    if out.is_empty() {
        return;
    }
    let run = |chunk: &mut [T], first: usize| {
        if plan.inner == 1 && plan.table.is_some() {
            scatter_scalar(plan, source, x, chunk, first, pad_value, select)
        } else {
            scatter_leads(plan, source, x, chunk, first, pad_value, select)
        }
    };
    let threads = threads::num_threads();
    if plan.work() < threads::PAR_MIN_ELEMENTS || threads == 1 || plan.lead < 2 {
        run(out, 0);
        return;
    }
    let per = plan.lead.div_ceil(threads * 4).max(1);
    out.par_chunks_mut(per * in_block)
        .enumerate()
        .for_each(|(i, chunk)| run(chunk, i * per));
}

simd::multiversion! {
    /// [`scatter_with`] for `inner == 1` (see [`reduce_scalar`]): per window
    /// one scalar selection over its tap table, then one addition.
    fn scatter_scalar<T: WinElem, F: Fn(T, T) -> bool>(plan: &Plan, source: &[T], x: &[T], out: &mut [T], first: usize, pad_value: T, select: F) {
        let Some((starts, all)) = &plan.table else {
            unreachable!("callers check the tap table")
        };
        let (n_pos, in_block) = (plan.n_pos, plan.in_block);
        out.fill(T::ZERO);
        if in_block == 0 {
            return;
        }
        for (j, o) in out.chunks_exact_mut(in_block).enumerate() {
            let l = first + j;
            let xl = &x[l * in_block..(l + 1) * in_block];
            let src = &source[l * n_pos..(l + 1) * n_pos];
            for (p, &s) in src.iter().enumerate() {
                let taps = &all[starts[p]..starts[p + 1]];
                let (mut best, mut at) = (pad_value, 0usize);
                for (n, &tap) in taps.iter().enumerate() {
                    let v = if tap == PAD { pad_value } else { xl[tap] };
                    if n == 0 || !select(best, v) {
                        best = v;
                        at = n;
                    }
                }
                match taps.get(at) {
                    Some(&tap) if tap != PAD => o[tap] = T::plus(o[tap], s),
                    _ => {}
                }
            }
        }
    }
}

simd::multiversion! {
    /// [`scatter_with`] over the lead slices of `out` (starting at slice `first`).
    fn scatter_leads<T: WinElem, F: Fn(T, T) -> bool>(plan: &Plan, source: &[T], x: &[T], out: &mut [T], first: usize, pad_value: T, select: F) {
        let (inner, n_pos, in_block) = (plan.inner, plan.n_pos, plan.in_block);
        out.fill(T::ZERO);
        if inner == 0 || in_block == 0 {
            return;
        }
        let mut scratch = (Vec::new(), Vec::new());
        // Per channel: the selected value and the ordinal of its tap.
        let (mut best, mut at) = (vec![pad_value; inner], vec![0u32; inner]);
        for (j, o) in out.chunks_exact_mut(in_block).enumerate() {
            let l = first + j;
            let xl = &x[l * in_block..(l + 1) * in_block];
            for p in 0..n_pos {
                plan.with_taps(p, &mut scratch, |taps| {
                    if taps.is_empty() {
                        return;
                    }
                    for (n, &tap) in taps.iter().enumerate() {
                        let n = n as u32;
                        if tap == PAD {
                            for (b, a) in best.iter_mut().zip(at.iter_mut()) {
                                let keep = n > 0 && select(*b, pad_value);
                                *b = if keep { *b } else { pad_value };
                                *a = if keep { *a } else { n };
                            }
                        } else {
                            let xs = &xl[tap..tap + inner];
                            for ((b, a), &xc) in best.iter_mut().zip(at.iter_mut()).zip(xs) {
                                let keep = n > 0 && select(*b, xc);
                                *b = if keep { *b } else { xc };
                                *a = if keep { *a } else { n };
                            }
                        }
                    }
                    let src = &source[(l * n_pos + p) * inner..(l * n_pos + p + 1) * inner];
                    for c in 0..inner {
                        let tap = taps[at[c] as usize];
                        if tap != PAD {
                            o[tap + c] = T::plus(o[tap + c], src[c]);
                        }
                    }
                });
            }
        }
    }
}

/// `reduce_window_{sum,max,min}` of `x` (dtype `dtype`) into `out`.
pub fn reduce(op: ReduceOp, dtype: DType, plan: &Plan, x: &Buffer, out: &mut Buffer) {
    match dtype {
        DType::C64 => complex_sum::<f32>(op, plan, x, out),
        DType::C128 => complex_sum::<f64>(op, plan, x, out),
        _ => crate::with_real_storage_type!(dtype, T => {
            let (x, o) = (x.as_slice::<T>(), out.as_mut_slice::<T>());
            match op {
                ReduceOp::Sum => reduce_with(plan, x, o, T::ZERO, T::plus),
                ReduceOp::Max => reduce_with(plan, x, o, T::LOWEST, T::max_nan),
                ReduceOp::Min => reduce_with(plan, x, o, T::HIGHEST, T::min_nan),
                _ => unreachable!("reduce_window supports sum, max and min"),
            }
        }),
    }
}

fn complex_sum<R: super::complex::Real>(op: ReduceOp, plan: &Plan, x: &Buffer, out: &mut Buffer)
where
    num_complex::Complex<R>: crate::core::element::Pod,
{
    assert!(
        op == ReduceOp::Sum,
        "internal error: complex reduce_window_max/min reached a kernel"
    );
    let zero = num_complex::Complex::new(R::zero(), R::zero());
    reduce_with(
        plan,
        x.as_slice::<num_complex::Complex<R>>(),
        out.as_mut_slice(),
        zero,
        |a, b| a + b,
    );
}

/// `select_and_gather_add` (`ge` selects maxima, else minima) on float buffers.
pub fn gather(ge: bool, dtype: DType, plan: &Plan, t: &Buffer, x: &Buffer, out: &mut Buffer) {
    fn run<T: WinElem + crate::core::element::Pod>(
        ge: bool,
        plan: &Plan,
        t: &Buffer,
        x: &Buffer,
        out: &mut Buffer,
    ) {
        let (t, x, o) = (
            t.as_slice::<T>(),
            x.as_slice::<T>(),
            out.as_mut_slice::<T>(),
        );
        if ge {
            gather_with(plan, t, x, o, T::LOWEST, T::ge)
        } else {
            gather_with(plan, t, x, o, T::HIGHEST, T::le)
        }
    }
    match dtype {
        DType::F32 => run::<f32>(ge, plan, t, x, out),
        DType::F64 => run::<f64>(ge, plan, t, x, out),
        DType::F16 => run::<f16>(ge, plan, t, x, out),
        DType::BF16 => run::<bf16>(ge, plan, t, x, out),
        d => unreachable!("select_and_gather_add on {d} is rejected by abstract eval"),
    }
}

/// `select_and_scatter_add` (`ge` selects maxima, else minima) on float buffers.
pub fn scatter(ge: bool, dtype: DType, plan: &Plan, s: &Buffer, x: &Buffer, out: &mut Buffer) {
    fn run<T: WinElem + crate::core::element::Pod>(
        ge: bool,
        plan: &Plan,
        s: &Buffer,
        x: &Buffer,
        out: &mut Buffer,
    ) {
        let (s, x, o) = (
            s.as_slice::<T>(),
            x.as_slice::<T>(),
            out.as_mut_slice::<T>(),
        );
        if ge {
            scatter_with(plan, s, x, o, T::LOWEST, T::ge)
        } else {
            scatter_with(plan, s, x, o, T::HIGHEST, T::le)
        }
    }
    match dtype {
        DType::F32 => run::<f32>(ge, plan, s, x, out),
        DType::F64 => run::<f64>(ge, plan, s, x, out),
        DType::F16 => run::<f16>(ge, plan, s, x, out),
        DType::BF16 => run::<bf16>(ge, plan, s, x, out),
        d => unreachable!("select_and_scatter_add on {d} is rejected by abstract eval"),
    }
}
