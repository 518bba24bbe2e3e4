//! `conv_general_dilated` on the CPU. Operands are brought to a canonical
//! channels-last layout (copied only when they are not already in it):
//! input `[batch groups, batch, spatial..., features]`, kernel
//! `[groups, spatial..., in features, out features]`, output
//! `[batch, spatial..., features]`. Output rows are then processed in
//! blocks: each group's input windows for a block are unrolled into a patch
//! matrix (im2col, padding and dilation resolved through per-dimension index
//! tables), and each block is one matrix product — `gemm` for floats, an
//! exact wrapping loop for integers. Blocks run in parallel on the workers.
//! f16/bf16 compute in f32 and bool in i32 (rounded/narrowed once at the end).

use super::convert;
use super::dot::GemmFloat;
use super::elem::IntOps;
use super::layout::{strided_copy, StridedView};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::threads;
use crate::core::dtype::DType;
use crate::core::element::{Complex32, Complex64, Pod};
use crate::core::shape::contiguous_strides;
use rayon::prelude::*;
use std::borrow::Cow;

/// Shapes and parameters of one convolution (as the primitive holds them).
pub struct ConvSpec<'a> {
    pub lhs_shape: &'a [usize],
    pub rhs_shape: &'a [usize],
    pub out_shape: &'a [usize],
    pub lhs_spec: &'a [usize],
    pub rhs_spec: &'a [usize],
    pub out_spec: &'a [usize],
    pub window_strides: &'a [usize],
    pub padding: &'a [(i64, i64)],
    pub lhs_dilation: &'a [usize],
    pub rhs_dilation: &'a [usize],
    pub feature_group_count: usize,
    pub batch_group_count: usize,
}

/// Sizes of the canonical problem and the input index tables.
struct Geometry {
    /// Batch groups and total groups (feature groups × batch groups).
    batch_groups: usize,
    groups: usize,
    /// Output batch, input features, per-group input and output features.
    nb: usize,
    c: usize,
    cg: usize,
    o: usize,
    og: usize,
    in_sp: Vec<usize>,
    k_sp: Vec<usize>,
    out_sp: Vec<usize>,
    /// Per spatial dim, `out * k` entries: the input index that output
    /// position `o` reads at kernel offset `k`, or -1 (padding / dilation hole).
    tabs: Vec<Vec<i32>>,
    /// Per output position of the last spatial dim: its window reads
    /// consecutive input positions (so a window row is one contiguous copy).
    last_contiguous: Vec<bool>,
    rows: usize,
    kdim: usize,
}

impl Geometry {
    fn new(s: &ConvSpec) -> Geometry {
        let nsp = s.lhs_spec.len() - 2;
        let batch_groups = s.batch_group_count.max(1);
        let feature_groups = s.feature_group_count.max(1);
        let groups = batch_groups * feature_groups;
        let n = s.lhs_shape[s.lhs_spec[0]];
        let c = s.lhs_shape[s.lhs_spec[1]];
        let o = s.rhs_shape[s.rhs_spec[0]];
        let sp = |shape: &[usize], spec: &[usize]| -> Vec<usize> {
            (0..nsp).map(|i| shape[spec[2 + i]]).collect()
        };
        let (in_sp, k_sp, out_sp) = (
            sp(s.lhs_shape, s.lhs_spec),
            sp(s.rhs_shape, s.rhs_spec),
            sp(s.out_shape, s.out_spec),
        );
        let tabs: Vec<Vec<i32>> = (0..nsp)
            .map(|d| {
                let (ld, rd) = (s.lhs_dilation[d] as i64, s.rhs_dilation[d] as i64);
                let dilated = if in_sp[d] == 0 {
                    0
                } else {
                    (in_sp[d] as i64 - 1) * ld + 1
                };
                let mut t = Vec::with_capacity(out_sp[d] * k_sp[d]);
                for oi in 0..out_sp[d] as i64 {
                    for ki in 0..k_sp[d] as i64 {
                        let p = oi * s.window_strides[d] as i64 + ki * rd - s.padding[d].0;
                        t.push(if p < 0 || p >= dilated || p % ld != 0 {
                            -1
                        } else {
                            (p / ld) as i32
                        });
                    }
                }
                t
            })
            .collect();
        let last_contiguous = match nsp {
            0 => vec![],
            _ => {
                let (d, k) = (nsp - 1, k_sp[nsp - 1]);
                (0..out_sp[d])
                    .map(|oi| {
                        let row = &tabs[d][oi * k..(oi + 1) * k];
                        row.iter()
                            .enumerate()
                            .all(|(i, &t)| t >= 0 && t == row[0] + i as i32)
                    })
                    .collect()
            }
        };
        let nb = n / batch_groups;
        let cg = c / feature_groups;
        Geometry {
            batch_groups,
            groups,
            nb,
            c,
            cg,
            o,
            og: o / groups,
            rows: nb * out_sp.iter().product::<usize>(),
            kdim: k_sp.iter().product::<usize>() * cg,
            in_sp,
            k_sp,
            out_sp,
            tabs,
            last_contiguous,
        }
    }
}

/// The type a convolution whose output is `out_dtype` computes in.
fn compute_dtype(out_dtype: DType) -> DType {
    match out_dtype {
        DType::F16 | DType::BF16 => DType::F32,
        DType::Bool => DType::I32,
        d => d,
    }
}

/// `x` (of `shape`, contiguous) read through `view` as a contiguous array of
/// `canon_shape`; borrowed when the view is already that layout.
fn canonical<'a>(
    dtype: DType,
    x: &'a Buffer,
    view: StridedView,
    canon_shape: &[usize],
) -> Cow<'a, Buffer> {
    let want = contiguous_strides(canon_shape);
    let identity = view.offset == 0
        && canon_shape
            .iter()
            .zip(&view.strides)
            .zip(&want)
            .all(|((&d, &s), &w)| d <= 1 || s == w as isize);
    if identity {
        return Cow::Borrowed(x);
    }
    let n: usize = canon_shape.iter().product();
    let mut b = Buffer::for_dtype(n, dtype);
    strided_copy(dtype, x, &view, canon_shape, &mut b);
    Cow::Owned(b)
}

/// Runs the convolution: operands of `dtype`, output of `out_dtype` (the
/// preferred element type, or `dtype`).
pub fn conv(
    spec: &ConvSpec,
    dtype: DType,
    lhs: &Buffer,
    rhs: &Buffer,
    out_dtype: DType,
    out: &mut Buffer,
) {
    let out_size: usize = spec.out_shape.iter().product();
    if out_size == 0 {
        return;
    }
    let geo = Geometry::new(spec);
    let ct = compute_dtype(out_dtype);
    let converted = |x: &Buffer, n: usize| -> Option<Buffer> {
        (dtype != ct).then(|| {
            let mut b = Buffer::for_dtype(n, ct);
            convert::run(dtype, ct, x, &mut b);
            b
        })
    };
    let (lc, rc) = (
        converted(lhs, spec.lhs_shape.iter().product()),
        converted(rhs, spec.rhs_shape.iter().product()),
    );
    let (lhs, rhs) = (lc.as_ref().unwrap_or(lhs), rc.as_ref().unwrap_or(rhs));
    let nsp = geo.in_sp.len();

    // Canonical input [batch groups, batch, spatial..., features].
    let st = contiguous_strides(spec.lhs_shape);
    let bs = st[spec.lhs_spec[0]] as isize;
    let mut lshape = vec![geo.batch_groups, geo.nb];
    let mut lstr = vec![geo.nb as isize * bs, bs];
    for i in 0..nsp {
        lshape.push(geo.in_sp[i]);
        lstr.push(st[spec.lhs_spec[2 + i]] as isize);
    }
    lshape.push(geo.c);
    lstr.push(st[spec.lhs_spec[1]] as isize);
    let lhs = canonical(
        ct,
        lhs,
        StridedView {
            offset: 0,
            strides: lstr,
        },
        &lshape,
    );

    // Canonical kernel [groups, spatial..., in features, out features].
    let st = contiguous_strides(spec.rhs_shape);
    let os = st[spec.rhs_spec[0]] as isize;
    let mut rshape = vec![geo.groups];
    let mut rstr = vec![geo.og as isize * os];
    for i in 0..nsp {
        rshape.push(geo.k_sp[i]);
        rstr.push(st[spec.rhs_spec[2 + i]] as isize);
    }
    rshape.extend([geo.cg, geo.og]);
    rstr.extend([st[spec.rhs_spec[1]] as isize, os]);
    let rhs = canonical(
        ct,
        rhs,
        StridedView {
            offset: 0,
            strides: rstr,
        },
        &rshape,
    );

    // Canonical output [batch, spatial..., features], written in place when
    // the output already has that layout and the compute dtype.
    let nd = spec.out_shape.len();
    let mut canon_axis = vec![0; nd];
    canon_axis[spec.out_spec[0]] = 0;
    canon_axis[spec.out_spec[1]] = nd - 1;
    for i in 0..nsp {
        canon_axis[spec.out_spec[2 + i]] = 1 + i;
    }
    let in_place_layout = canon_axis.iter().enumerate().all(|(a, &c)| a == c);
    let mut tmp = (!in_place_layout || ct != out_dtype).then(|| Buffer::for_dtype(out_size, ct));
    {
        let dst = tmp.as_mut().unwrap_or(&mut *out);
        crate::with_storage_type!(ct, T => run_typed::<T>(&geo, lhs.as_slice(), rhs.as_slice(), dst.as_mut_slice()));
    }
    let Some(canon) = tmp else { return };
    let mut cshape = vec![geo.nb];
    cshape.extend(&geo.out_sp);
    cshape.push(geo.o);
    let cst = contiguous_strides(&cshape);
    let view = StridedView {
        offset: 0,
        strides: canon_axis.iter().map(|&c| cst[c] as isize).collect(),
    };
    if ct == out_dtype {
        strided_copy(ct, &canon, &view, spec.out_shape, out);
    } else if in_place_layout {
        convert::run(ct, out_dtype, &canon, out);
    } else {
        let mut t = Buffer::for_dtype(out_size, ct);
        strided_copy(ct, &canon, &view, spec.out_shape, &mut t);
        convert::run(ct, out_dtype, &t, out);
    }
}

/// Element types the convolution computes in: a matrix product of a
/// row-major `m×k` patch block and a `k×n` kernel into `n` columns starting
/// at `col0` of rows of length `ldo`.
trait ConvElem: Pod {
    #[allow(clippy::too_many_arguments)]
    fn matmul(
        m: usize,
        k: usize,
        n: usize,
        a: &[Self],
        b: &[Self],
        out: &mut [Self],
        ldo: usize,
        col0: usize,
        parallel: bool,
    );
}

#[allow(clippy::too_many_arguments)] // a gemm call's geometry: sizes, strides, buffers
fn gemm_matmul<T: GemmFloat + Pod>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    b: &[T],
    out: &mut [T],
    (ldo, col0): (usize, usize),
    parallel: bool,
) {
    assert!(a.len() >= m * k && b.len() >= k * n && col0 + n <= ldo);
    assert!(m == 0 || out.len() >= (m - 1) * ldo + col0 + n);
    let par = if parallel {
        gemm::Parallelism::Rayon(threads::num_threads())
    } else {
        gemm::Parallelism::None
    };
    // gemm is column-major: the row-major m×n block is the column-major n×m
    // product Cᵀ = Bᵀ·Aᵀ. Cᵀ's column j is output row j (column stride ldo).
    // SAFETY: the asserts above keep every access in bounds: Bᵀ (n×k) is b
    // with column stride n, Aᵀ (k×m) is a with column stride k, and Cᵀ (n×m)
    // starts at out[col0] with column stride ldo; out aliases neither input.
    unsafe {
        gemm::gemm(
            n,
            m,
            k,
            out.as_mut_ptr().add(col0),
            ldo as isize,
            1,
            false,
            b.as_ptr(),
            n as isize,
            1,
            a.as_ptr(),
            k as isize,
            1,
            T::default(),
            T::ONE,
            false,
            false,
            false,
            par,
        );
    }
}

macro_rules! float_elem {
    ($($t:ty),*) => {$(
        impl ConvElem for $t {
            fn matmul(m: usize, k: usize, n: usize, a: &[$t], b: &[$t], out: &mut [$t],
                      ldo: usize, col0: usize, parallel: bool) {
                gemm_matmul(m, k, n, a, b, out, (ldo, col0), parallel)
            }
        }
    )*};
}
float_elem!(f32, f64, Complex32, Complex64);

fn int_matmul<T: IntOps + Pod>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    b: &[T],
    out: &mut [T],
    (ldo, col0): (usize, usize),
) {
    for i in 0..m {
        let orow = &mut out[i * ldo + col0..i * ldo + col0 + n];
        orow.fill(T::default());
        for (p, &av) in a[i * k..(i + 1) * k].iter().enumerate() {
            if av == T::default() {
                continue;
            }
            for (ov, &bv) in orow.iter_mut().zip(&b[p * n..(p + 1) * n]) {
                *ov = ov.wadd(av.wmul(bv));
            }
        }
    }
}

macro_rules! int_elem {
    ($($t:ty),*) => {$(
        impl ConvElem for $t {
            fn matmul(m: usize, k: usize, n: usize, a: &[$t], b: &[$t], out: &mut [$t],
                      ldo: usize, col0: usize, _parallel: bool) {
                int_matmul(m, k, n, a, b, out, (ldo, col0))
            }
        }
    )*};
}
int_elem!(i8, i16, i32, i64, u8, u16, u32, u64);

/// Elements of a patch block kept in cache (bytes).
const PATCH_BYTES: usize = 192 * 1024;

/// Float work below which a convolution runs on the calling thread.
const PAR_MIN_WORK: usize = 1 << 18;

fn run_typed<T: Pod>(geo: &Geometry, lhs: &[T], rhs: &[T], out: &mut [T]) {
    macro_rules! go {
        ($($t:ty),*) => {
            $(if let Some(done) = cast_run::<T, $t>(geo, lhs, rhs, out) { return done; })*
        };
    }
    go!(f32, f64, Complex32, Complex64, i8, i16, i32, i64, u8, u16, u32, u64);
    unreachable!("conv compute dtype {:?} has no kernel", T::STORAGE_DTYPE)
}

/// Runs [`run_conv`] if `T` is `U`.
fn cast_run<T: Pod, U: ConvElem>(
    geo: &Geometry,
    lhs: &[T],
    rhs: &[T],
    out: &mut [T],
) -> Option<()> {
    if std::any::TypeId::of::<T>() != std::any::TypeId::of::<U>() {
        return None;
    }
    // SAFETY: T and U are the same type (equal TypeIds), so each slice is
    // reinterpreted as itself.
    let (l, r, o) = unsafe {
        (
            std::slice::from_raw_parts(lhs.as_ptr() as *const U, lhs.len()),
            std::slice::from_raw_parts(rhs.as_ptr() as *const U, rhs.len()),
            std::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut U, out.len()),
        )
    };
    run_conv(geo, l, r, o);
    Some(())
}

/// The canonical convolution: `out[rows, o]` from `lhs` and `rhs` in
/// canonical layout.
fn run_conv<T: ConvElem>(geo: &Geometry, lhs: &[T], rhs: &[T], out: &mut [T]) {
    if geo.kdim == 0 {
        out.fill(T::default());
        return;
    }
    let work = geo.rows * geo.kdim * geo.o;
    let threads = if work >= PAR_MIN_WORK {
        threads::num_threads()
    } else {
        1
    };
    let cap = (PATCH_BYTES / (geo.kdim * std::mem::size_of::<T>())).max(8);
    let per = if threads > 1 {
        geo.rows.div_ceil(2 * threads).max(16)
    } else {
        geo.rows
    };
    let block = per.min(cap).max(1);
    let blocks = geo.rows.div_ceil(block);
    let run_block = |bi: usize, chunk: &mut [T], inner_par: bool| {
        let r0 = bi * block;
        let nrows = chunk.len() / geo.o;
        let mut patch = vec![T::default(); nrows * geo.kdim];
        for g in 0..geo.groups {
            im2col(geo, lhs, g, r0, nrows, &mut patch);
            let w = &rhs[g * geo.kdim * geo.og..(g + 1) * geo.kdim * geo.og];
            T::matmul(
                nrows,
                geo.kdim,
                geo.og,
                &patch,
                w,
                chunk,
                geo.o,
                g * geo.og,
                inner_par,
            );
        }
    };
    if threads > 1 && blocks > 1 {
        out.par_chunks_mut(block * geo.o)
            .enumerate()
            .for_each(|(bi, chunk)| run_block(bi, chunk, false));
    } else {
        for (bi, chunk) in out.chunks_mut(block * geo.o).enumerate() {
            run_block(bi, chunk, threads > 1);
        }
    }
}

/// Unrolls the windows of group `g` for output rows `r0..r0 + nrows` into
/// `patch` (row-major, `kdim` = kernel positions × group features per row).
fn im2col<T: Pod>(geo: &Geometry, lhs: &[T], g: usize, r0: usize, nrows: usize, patch: &mut [T]) {
    let nsp = geo.in_sp.len();
    let (bgroup, cbase) = if geo.batch_groups > 1 {
        (g, 0)
    } else {
        (0, g * geo.cg)
    };
    let (c, cg) = (geo.c, geo.cg);
    let out_count: usize = geo.out_sp.iter().product();
    let in_count: usize = geo.in_sp.iter().product();
    let k_last = geo.k_sp.last().copied().unwrap_or(1);
    let k_outer: usize = geo.k_sp[..nsp.saturating_sub(1)].iter().product();
    let whole_rows = cg == c && nsp > 0;
    let mut oidx = vec![0usize; nsp];
    let mut kidx = vec![0usize; nsp.saturating_sub(1)];
    for r in 0..nrows {
        let row = r0 + r;
        let nb = row / out_count;
        let mut rem = row % out_count;
        for d in (0..nsp).rev() {
            oidx[d] = rem % geo.out_sp[d];
            rem /= geo.out_sp[d];
        }
        let base = (bgroup * geo.nb + nb) * in_count;
        let dst = &mut patch[r * geo.kdim..(r + 1) * geo.kdim];
        if nsp == 0 {
            let s = base * c + cbase;
            dst.copy_from_slice(&lhs[s..s + cg]);
            continue;
        }
        let last = nsp - 1;
        let last_tab = &geo.tabs[last][oidx[last] * k_last..(oidx[last] + 1) * k_last];
        let contiguous = whole_rows && geo.last_contiguous[oidx[last]];
        kidx.fill(0);
        for ko in 0..k_outer {
            // Linear input position of the outer dims, or None in padding.
            let mut lin = Some(0usize);
            for d in 0..last {
                let t = geo.tabs[d][oidx[d] * geo.k_sp[d] + kidx[d]];
                lin = lin.and_then(|l| (t >= 0).then(|| l * geo.in_sp[d] + t as usize));
            }
            let seg = &mut dst[ko * k_last * cg..(ko + 1) * k_last * cg];
            match lin {
                None => seg.fill(T::default()),
                Some(l) => {
                    let l = l * geo.in_sp[last];
                    if contiguous {
                        let s = (base + l + last_tab[0] as usize) * c;
                        seg.copy_from_slice(&lhs[s..s + k_last * c]);
                    } else if cg == 1 {
                        for (v, &t) in seg.iter_mut().zip(last_tab) {
                            *v = if t >= 0 {
                                lhs[(base + l + t as usize) * c + cbase]
                            } else {
                                T::default()
                            };
                        }
                    } else {
                        for (v, &t) in seg.chunks_exact_mut(cg).zip(last_tab) {
                            if t >= 0 {
                                let s = (base + l + t as usize) * c + cbase;
                                v.copy_from_slice(&lhs[s..s + cg]);
                            } else {
                                v.fill(T::default());
                            }
                        }
                    }
                }
            }
            // Advance the outer kernel odometer.
            for d in (0..last).rev() {
                kidx[d] += 1;
                if kidx[d] < geo.k_sp[d] {
                    break;
                }
                kidx[d] = 0;
            }
        }
    }
}
