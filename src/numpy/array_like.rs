//! Converting Rust values to arrays: weak-typed scalars, and nested data for
//! `jnp::array`.

use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::element::Element;
use crate::core::element::{Complex32, Complex64};
use crate::core::promotion::canonicalize;
use crate::core::shape::{fmt_tuple, Shape};

/// Anything usable where an array is expected: `Array`, a Rust scalar,
/// nested Rust data (`[1.0f32, 2.0]`, `vec![..]`, `&[..][..]`), or a
/// reference to any of them. Rust scalars are *weakly typed*, as Python
/// scalars are in JAX, so `f32_array * 2.0` stays float32 and
/// `int32_array * 2.5` becomes float32; nested data is strongly typed, like
/// `jnp.asarray` of a NumPy array.
pub trait ArrayLike {
    /// Converts to an array (an `Arc` clone for arrays).
    fn to_array(&self) -> Array;
}

impl ArrayLike for Array {
    fn to_array(&self) -> Array {
        self.clone()
    }
}

/// By value or by reference work the same everywhere: `&x`, `&&x`, `&2.0`.
impl<T: ArrayLike + ?Sized> ArrayLike for &T {
    fn to_array(&self) -> Array {
        (**self).to_array()
    }
}

impl<T: NestedData, const N: usize> ArrayLike for [T; N] {
    fn to_array(&self) -> Array {
        from_nested(self)
    }
}

impl<T: NestedData> ArrayLike for Vec<T> {
    fn to_array(&self) -> Array {
        from_nested(self)
    }
}

impl<T: NestedData> ArrayLike for [T] {
    fn to_array(&self) -> Array {
        from_nested(&self)
    }
}

/// A Rust scalar type usable on the right of an operator with an array
/// (`x % 2`, `x * 0.5`). One generic impl per operator keeps integer and
/// float literals unsuffixed: `(n % 2).eq(0)` compiles.
pub trait Scalar: ArrayLike + Copy + sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
}

macro_rules! scalar_types {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Scalar for $t {}
    )*};
}
scalar_types!(
    f32, f64, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, bool, Complex32, Complex64
);

/// A weak-typed rank-0 complex number (like a Python `complex` in JAX):
/// `complex64`, or `complex128` with x64.
pub fn weak_complex(v: Complex64) -> Array {
    if crate::config::enable_x64() {
        Array::from_storage(Buffer::from_slice(&[v]), Shape::scalar(), DType::C128, true)
    } else {
        let c = Complex32::new(v.re as f32, v.im as f32);
        Array::from_storage(Buffer::from_slice(&[c]), Shape::scalar(), DType::C64, true)
    }
}

impl ArrayLike for Complex32 {
    fn to_array(&self) -> Array {
        weak_complex(Complex64::new(self.re as f64, self.im as f64))
    }
}

impl ArrayLike for Complex64 {
    fn to_array(&self) -> Array {
        weak_complex(*self)
    }
}

/// A weak-typed rank-0 float (like a Python float in JAX).
pub fn weak_float(v: f64) -> Array {
    if crate::config::enable_x64() {
        Array::from_storage(Buffer::from_slice(&[v]), Shape::scalar(), DType::F64, true)
    } else {
        Array::from_storage(
            Buffer::from_slice(&[v as f32]),
            Shape::scalar(),
            DType::F32,
            true,
        )
    }
}

/// A weak-typed rank-0 integer (like a Python int in JAX). Panics, as JAX
/// does, when the value does not fit the default integer type.
pub fn weak_int(v: i128) -> Array {
    if crate::config::enable_x64() {
        let x = i64::try_from(v).unwrap_or_else(|_| {
            panic!("OverflowError: Rust integer {v} too large to convert to int64")
        });
        Array::from_storage(Buffer::from_slice(&[x]), Shape::scalar(), DType::I64, true)
    } else {
        let x = i32::try_from(v).unwrap_or_else(|_| {
            panic!(
                "OverflowError: Rust integer {v} too large to convert to int32. Enable 64-bit \
                 types with jaxide::config::set_enable_x64(true), or pass an explicitly typed array."
            )
        });
        Array::from_storage(Buffer::from_slice(&[x]), Shape::scalar(), DType::I32, true)
    }
}

/// A strong rank-0 bool.
pub fn bool_scalar(v: bool) -> Array {
    Array::from_storage(
        Buffer::from_slice(&[v as u8]),
        Shape::scalar(),
        DType::Bool,
        false,
    )
}

macro_rules! weak_float_like {
    ($($t:ty),*) => {$(
        impl ArrayLike for $t {
            fn to_array(&self) -> Array { weak_float(*self as f64) }
        }
    )*};
}
weak_float_like!(f32, f64);

macro_rules! weak_int_like {
    ($($t:ty),*) => {$(
        impl ArrayLike for $t {
            fn to_array(&self) -> Array { weak_int(*self as i128) }
        }
    )*};
}
weak_int_like!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl ArrayLike for bool {
    fn to_array(&self) -> Array {
        bool_scalar(*self)
    }
}

/// Nested Rust data with a rectangular shape: scalars, fixed arrays, slices
/// and `Vec`s of them. Used by [`crate::numpy::array`].
pub trait NestedData {
    /// The element type at the leaves.
    type Elem: Element;
    /// Appends the shape below this level (checking raggedness).
    fn shape_into(&self, shape: &mut Vec<usize>, depth: usize);
    /// Appends the leaves in row-major order.
    fn flatten_into(&self, out: &mut Vec<Self::Elem>);
}

macro_rules! nested_scalar {
    ($($t:ty),*) => {$(
        impl NestedData for $t {
            type Elem = $t;
            fn shape_into(&self, _: &mut Vec<usize>, _: usize) {}
            fn flatten_into(&self, out: &mut Vec<$t>) { out.push(*self); }
        }
    )*};
}
nested_scalar!(
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    half::f16,
    half::bf16,
    Complex32,
    Complex64
);

fn nested_seq<T: NestedData>(items: &[T], shape: &mut Vec<usize>, depth: usize) {
    if shape.len() == depth {
        shape.push(items.len());
        if let Some(first) = items.first() {
            first.shape_into(shape, depth + 1);
        }
    } else if shape[depth] != items.len() {
        ragged(shape, depth);
    }
    for it in items {
        let mut sub = shape[..=depth].to_vec();
        it.shape_into(&mut sub, depth + 1);
        if sub.len() != shape.len() || sub[..] != shape[..] {
            let common = sub
                .iter()
                .zip(shape.iter())
                .take_while(|(a, b)| a == b)
                .count();
            ragged(shape, common);
        }
    }
}

fn ragged(shape: &[usize], depth: usize) -> ! {
    panic!(
        "ValueError: setting an array element with a sequence. The requested array has an \
         inhomogeneous shape after {depth} dimensions. The detected shape was {} + \
         inhomogeneous part. Nested input must be rectangular.",
        fmt_tuple(&shape[..depth])
    )
}

impl<T: NestedData, const N: usize> NestedData for [T; N] {
    type Elem = T::Elem;
    fn shape_into(&self, shape: &mut Vec<usize>, depth: usize) {
        nested_seq(&self[..], shape, depth)
    }
    fn flatten_into(&self, out: &mut Vec<T::Elem>) {
        self.iter().for_each(|x| x.flatten_into(out))
    }
}

impl<T: NestedData> NestedData for Vec<T> {
    type Elem = T::Elem;
    fn shape_into(&self, shape: &mut Vec<usize>, depth: usize) {
        nested_seq(&self[..], shape, depth)
    }
    fn flatten_into(&self, out: &mut Vec<T::Elem>) {
        self.iter().for_each(|x| x.flatten_into(out))
    }
}

impl<T: NestedData> NestedData for &[T] {
    type Elem = T::Elem;
    fn shape_into(&self, shape: &mut Vec<usize>, depth: usize) {
        nested_seq(self, shape, depth)
    }
    fn flatten_into(&self, out: &mut Vec<T::Elem>) {
        self.iter().for_each(|x| x.flatten_into(out))
    }
}

/// Builds a strong-typed array from nested data.
pub fn from_nested<D: NestedData>(data: &D) -> Array {
    let mut shape = Vec::new();
    data.shape_into(&mut shape, 0);
    let mut flat = Vec::new();
    data.flatten_into(&mut flat);
    // Nested shape inference stops at the first empty level; fill it with 0s.
    Array::from_vec(flat, shape)
}

/// The dtype a request for `d` yields: 64-bit types become 32-bit with a
/// one-time warning when x64 is off, as in JAX. `fun` names the caller.
pub fn requested_dtype(d: DType, fun: &str) -> DType {
    let c = canonicalize(d, crate::config::enable_x64());
    if c != d {
        warn_truncated(d, c, fun);
    }
    c
}

fn warn_truncated(req: DType, got: DType, fun: &str) {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashSet<(DType, String)>>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap();
    if seen
        .get_or_insert_with(HashSet::new)
        .insert((req, fun.to_string()))
    {
        eprintln!(
            "UserWarning: Explicitly requested dtype {req} requested in {fun} is not available, \
             and will be truncated to dtype {got}. To enable more dtypes, set the \
             jaxide::config::set_enable_x64(true) option or the JAXIDE_ENABLE_X64 shell \
             environment variable. See https://github.com/jax-ml/jax#current-gotchas for more."
        );
    }
}
