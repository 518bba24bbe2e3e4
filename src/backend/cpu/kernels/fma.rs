//! `fma` kernel: `a * b + c` with one rounding.

use super::{par_map1, threads, xla_unary, Operand};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::simd;
use crate::core::dtype::DType;
use half::{bf16, f16};

/// `out[i] = fma(a[i], b[i], c[i])`; any operand may be a broadcast scalar.
/// Half-precision types compute in f32 and round once more.
pub fn run(dtype: DType, a: Operand, b: Operand, c: Operand, out: &mut Buffer) {
    match dtype {
        DType::F32 if !a.scalar && b.scalar && c.scalar => {
            let (s, t) = (b.buf.as_slice::<f32>()[0], c.buf.as_slice::<f32>()[0]);
            let (x, o) = (a.buf.as_slice::<f32>(), out.as_mut_slice::<f32>());
            threads::for_each_chunk_mut(o, |off, chunk| {
                xla_unary::fma_f32_scalars(&x[off..off + chunk.len()], s, t, chunk)
            })
        }
        DType::F64 if !a.scalar && b.scalar && c.scalar => {
            let (s, t) = (b.buf.as_slice::<f64>()[0], c.buf.as_slice::<f64>()[0]);
            let (x, o) = (a.buf.as_slice::<f64>(), out.as_mut_slice::<f64>());
            threads::for_each_chunk_mut(o, |off, chunk| {
                xla_unary::fma_f64_scalars(&x[off..off + chunk.len()], s, t, chunk)
            })
        }
        DType::F32 => typed(a, b, c, out, f32::mul_add),
        DType::F64 => typed(a, b, c, out, f64::mul_add),
        DType::F16 => typed(a, b, c, out, |x: f16, y: f16, z: f16| {
            f16::from_f32(x.to_f32().mul_add(y.to_f32(), z.to_f32()))
        }),
        DType::BF16 => typed(a, b, c, out, |x: bf16, y: bf16, z: bf16| {
            bf16::from_f32(x.to_f32().mul_add(y.to_f32(), z.to_f32()))
        }),
        d => unreachable!("fma on {d} is rejected by abstract eval"),
    }
}

fn typed<T, F>(a: Operand, b: Operand, c: Operand, out: &mut Buffer, f: F)
where
    T: crate::core::element::Pod + Send + Sync,
    F: Fn(T, T, T) -> T + Copy + Send + Sync,
{
    // The product commutes, so put a full operand first when there is one.
    let (a, b) = if a.scalar && !b.scalar {
        (b, a)
    } else {
        (a, b)
    };
    let (x, y, z) = (
        a.buf.as_slice::<T>(),
        b.buf.as_slice::<T>(),
        c.buf.as_slice::<T>(),
    );
    let o = out.as_mut_slice::<T>();
    match (a.scalar, b.scalar, c.scalar) {
        (false, true, true) => {
            let (s, t) = (y[0], z[0]);
            par_map1(x, o, move |v| f(v, s, t))
        }
        (false, false, false) => threads::for_each_chunk_mut(o, |off, chunk| {
            let r = off..off + chunk.len();
            simd::map3(&x[r.clone()], &y[r.clone()], &z[r], chunk, f)
        }),
        _ => {
            let at = |v: &[T], scalar: bool, i: usize| if scalar { v[0] } else { v[i] };
            threads::for_each_chunk_mut(o, |off, chunk| {
                for (k, slot) in chunk.iter_mut().enumerate() {
                    let i = off + k;
                    *slot = f(at(x, a.scalar, i), at(y, b.scalar, i), at(z, c.scalar, i));
                }
            })
        }
    }
}
