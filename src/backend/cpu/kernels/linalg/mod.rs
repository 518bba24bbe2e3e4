//! CPU kernels for the linear-algebra primitives, on `faer`: each takes a
//! batch of contiguous row-major matrices and returns new buffers.
//! Matrices are copied into faer's column-major storage and back (O(n²),
//! against O(n³) work), which keeps faer on its fastest paths.

pub mod eig;
pub mod eigh;
pub mod qr;
pub mod svd;

use crate::backend::cpu::buffer::Buffer;
use crate::core::element::Pod;
use faer::traits::ComplexField;
use faer::{Mat, MatRef};
use rayon::prelude::*;

/// An element type the decompositions run on (f32, f64, c32, c64), with
/// real parts of a storable type.
pub trait LinalgElem: ComplexField<Real: Pod + ComplexField> + Pod + Send + Sync {}
impl<T: ComplexField<Real: Pod + ComplexField> + Pod + Send + Sync> LinalgElem for T {}

/// Binds `$T` to the storage type of a float or complex `$dtype` and runs `$body`.
macro_rules! with_linalg_type {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::core::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::core::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::core::dtype::DType::C64 => {
                type $T = num_complex::Complex32;
                $body
            }
            $crate::core::dtype::DType::C128 => {
                type $T = num_complex::Complex64;
                $body
            }
            d => unreachable!("linalg kernel on {d}: abstract eval admits only float and complex"),
        }
    };
}
pub(crate) use with_linalg_type;

/// Runs `f` on each of the `batch` row-major `m×n` matrices in `input`
/// (matrices in parallel; faer threads a large one itself) and
/// concatenates each output's pieces, in batch order.
pub(crate) fn per_matrix<T, F, const K: usize>(
    input: &Buffer,
    batch: usize,
    m: usize,
    n: usize,
    f: F,
) -> [Vec<u8>; K]
where
    T: LinalgElem,
    F: Fn(MatRef<'_, T>) -> [Vec<u8>; K] + Sync,
{
    let data = input.as_slice::<T>();
    let one = |b: usize| {
        f(MatRef::from_row_major_slice(
            &data[b * m * n..(b + 1) * m * n],
            m,
            n,
        ))
    };
    let parts: Vec<[Vec<u8>; K]> = if batch == 1 {
        vec![one(0)]
    } else {
        (0..batch).into_par_iter().map(one).collect()
    };
    std::array::from_fn(|k| {
        let mut out = Vec::with_capacity(parts.iter().map(|p| p[k].len()).sum());
        for p in &parts {
            out.extend_from_slice(&p[k]);
        }
        out
    })
}

/// Bytes of a matrix in row-major order.
pub(crate) fn row_major_bytes<T: Pod + ComplexField>(a: MatRef<'_, T>) -> Vec<u8> {
    let mut v: Vec<T> = Vec::with_capacity(a.nrows() * a.ncols());
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            v.push(a[(i, j)]);
        }
    }
    bytes_of(&v)
}

/// The bytes of a slice of plain values.
pub(crate) fn bytes_of<T: Pod>(v: &[T]) -> Vec<u8> {
    Buffer::from_slice(v).bytes().to_vec()
}

/// A buffer holding `bytes`.
pub(crate) fn buffer(bytes: &[u8]) -> Buffer {
    Buffer::from_slice(bytes)
}

/// An `r×c` matrix of NaNs (LAPACK failures are reported as NaN outputs, as JAX does).
pub(crate) fn nan_mat<T: ComplexField>(r: usize, c: usize) -> Mat<T> {
    let nan = T::from_real_impl(&<T::Real as ComplexField>::nan_impl());
    Mat::from_fn(r, c, |_, _| nan.clone())
}

pub mod cholesky;
pub mod lu;
pub mod triangular;

use crate::backend::cpu::threads;
use crate::core::element::{Complex32, Complex64};
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

/// faer's parallelism for an `n`-sized factorization: the worker pool for
/// large matrices, the calling thread for small ones.
pub(crate) fn par_for(n: usize) -> Par {
    if n >= 256 {
        Par::rayon(threads::num_threads())
    } else {
        Par::Seq
    }
}
