//! CPU kernels for the linear-algebra primitives, on `faer`: each takes a
//! batch of contiguous row-major matrices and returns new buffers.
//!
//! Matrices are copied into faer's column-major storage and back (O(n²),
//! against O(n³) work), which keeps faer on its fastest paths.

pub mod cholesky;
pub mod lu;
pub mod triangular;

use crate::backend::cpu::threads;
use crate::core::element::{Complex32, Complex64, Pod};
use faer::Par;

/// The element types the linalg kernels run on (float32/64, complex64/128).
pub trait LinalgScalar:
    faer::traits::ComplexField
    + Pod
    + Copy
    + PartialEq
    + std::ops::Mul<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::SubAssign
    + std::ops::Div<Output = Self>
{
    /// Zero.
    const ZERO: Self;
    /// A NaN (NaN + NaN·i for complex).
    const NAN: Self;
    /// The complex conjugate (identity for reals).
    fn conjugate(self) -> Self;
    /// `|re| + |im|`: LAPACK's pivot magnitude (`|x|` for reals).
    fn abs1(self) -> f64;
}

macro_rules! real_scalar {
    ($($t:ty),*) => {$(
        impl LinalgScalar for $t {
            const ZERO: Self = 0.0;
            const NAN: Self = <$t>::NAN;
            fn conjugate(self) -> Self { self }
            fn abs1(self) -> f64 { self.abs() as f64 }
        }
    )*};
}
real_scalar!(f32, f64);

macro_rules! complex_scalar {
    ($($t:ty => $r:ty),*) => {$(
        impl LinalgScalar for $t {
            const ZERO: Self = <$t>::new(0.0, 0.0);
            const NAN: Self = <$t>::new(<$r>::NAN, <$r>::NAN);
            fn conjugate(self) -> Self { self.conj() }
            fn abs1(self) -> f64 { (self.re.abs() + self.im.abs()) as f64 }
        }
    )*};
}
complex_scalar!(Complex32 => f32, Complex64 => f64);

/// Runs `$body` with `$T` bound to the storage type of a linalg dtype.
macro_rules! with_linalg_type {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use $crate::core::dtype::DType;
        match $dtype {
            DType::F32 => {
                type $T = f32;
                $body
            }
            DType::F64 => {
                type $T = f64;
                $body
            }
            DType::C64 => {
                type $T = $crate::core::element::Complex32;
                $body
            }
            DType::C128 => {
                type $T = $crate::core::element::Complex64;
                $body
            }
            d => unreachable!("linalg kernel on dtype {d} (abstract eval rejects it)"),
        }
    }};
}
pub(crate) use with_linalg_type;

/// faer's parallelism for an `n`-sized factorization: the worker pool for
/// large matrices, the calling thread for small ones.
pub(crate) fn par_for(n: usize) -> Par {
    if n >= 256 {
        Par::rayon(threads::num_threads())
    } else {
        Par::Seq
    }
}
