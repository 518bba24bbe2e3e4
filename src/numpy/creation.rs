//! Array creation: `array`, `zeros`, `arange`, `linspace`, `eye`, `tri`, ...

use super::array_like::{from_nested, requested_dtype, ArrayLike, NestedData};
use super::promote::{default_float, default_int};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::element::Element;
use crate::core::shape::Shape;
use crate::lax;

/// An array from nested Rust data (scalars, fixed arrays, `Vec`s, slices),
/// with the shape inferred. Ragged input panics like NumPy. A scalar of
/// type `i32` or `f64` (what unsuffixed literals are) is weakly typed, as
/// `jnp.array(3)` is; other scalars and arrays of any rank above 0 are strong.
///
/// ```
/// use jaxide::numpy as jnp;
/// let x = jnp::array([[1.0f32, 2.], [3., 4.]]);
/// assert_eq!(x.shape(), &[2, 2]);
/// ```
pub fn array<D: NestedData>(data: D) -> Array {
    // A scalar of the types unsuffixed literals take (`i32`, `f64`) is a
    // weak default int/float, as `jnp.array(3)` and `jnp.array(3.0)` are
    // (int64/float64 with x64 on); `1.0f32` stays strong, like
    // `jnp.array(np.float32(1))`.
    let mut shape = Vec::new();
    data.shape_into(&mut shape, 0);
    if shape.is_empty() {
        let mut one: Vec<D::Elem> = Vec::new();
        data.flatten_into(&mut one);
        match <D::Elem as Element>::DTYPE {
            DType::I32 => return super::array_like::weak_int(one[0].to_f64() as i128),
            DType::F64 => return super::array_like::weak_float(one[0].to_f64()),
            DType::C128 => return super::array_like::weak_complex(one[0].to_c128()),
            _ => {}
        }
    }
    from_nested(&data)
}

/// Nested Rust data converted straight to `dtype` (`jnp.array(data,
/// dtype=...)`): each value is converted once, never through an
/// intermediate type (so float64 data becomes float16 with one rounding
/// even with x64 off). The result is strongly typed.
///
/// ```
/// use jaxide::prelude::*;
/// let h = jnp::array_dtype([0.1f64, 1e-8], DType::F16);
/// assert_eq!(h.dtype(), DType::F16);
/// ```
pub fn array_dtype<D: NestedData>(data: D, dtype: DType) -> Array {
    use crate::core::element::CastInto;
    let dtype = requested_dtype(dtype, "array");
    let mut shape = Vec::new();
    data.shape_into(&mut shape, 0);
    let mut flat: Vec<D::Elem> = Vec::new();
    data.flatten_into(&mut flat);
    if <D::Elem as Element>::DTYPE == dtype {
        return Array::from_vec(flat, shape);
    }
    let buf = crate::with_storage_type!(dtype, T => {
        let out: Vec<T> = flat
            .iter()
            .map(|v| {
                if dtype.is_complex() {
                    return CastInto::<T>::cast(v.to_c128());
                }
                let f = v.to_f64();
                if dtype.is_bool() {
                    CastInto::<T>::cast((f != 0.0) as u8 as f64)
                } else {
                    CastInto::<T>::cast(f)
                }
            })
            .collect();
        crate::backend::cpu::buffer::Buffer::from_slice(&out)
    });
    Array::from_storage(buf, Shape::from(shape), dtype, false)
}

/// Converts an array-like to an array. Rust scalars stay weakly typed, as
/// `jnp.asarray(2.0)` does in JAX.
pub fn asarray(x: impl ArrayLike) -> Array {
    x.to_array()
}

/// An array of `shape` filled with `fill_value` converted to `dtype`.
pub fn full_dtype(shape: impl Into<Shape>, fill_value: impl ArrayLike, dtype: DType) -> Array {
    let shape = shape.into();
    let v = fill_value.to_array();
    let d = requested_dtype(dtype, "full");
    let v = lax::convert_element_type(&v, d);
    broadcast_scalar(&v, &shape, "full")
}

/// An array of `shape` filled with `fill_value`; the dtype (and weak type)
/// come from the value, as in `jnp.full`.
pub fn full(shape: impl Into<Shape>, fill_value: impl ArrayLike) -> Array {
    let shape = shape.into();
    let v = fill_value.to_array();
    broadcast_scalar(&v, &shape, "full")
}

fn broadcast_scalar(v: &Array, shape: &Shape, fun: &str) -> Array {
    if v.ndim() == 0 {
        lax::broadcast_in_dim(v, shape, &[])
    } else {
        let dims = super::promote::broadcast_shapes(fun, &[v.shape(), shape]);
        if dims.as_slice() != shape.dims() {
            panic!(
                "ValueError: {fun}: fill value of shape {} does not broadcast to shape {shape}.",
                Shape::new(v.shape())
            );
        }
        super::promote::broadcast_to_shape(v, shape)
    }
}

/// Zeros of `shape` (float32 by default).
pub fn zeros(shape: impl Into<Shape>) -> Array {
    zeros_dtype(shape, default_float())
}

/// Zeros of `shape` and `dtype`.
pub fn zeros_dtype(shape: impl Into<Shape>, dtype: DType) -> Array {
    let d = requested_dtype(dtype, "zeros");
    full_dtype(shape, 0, d)
}

/// Ones of `shape` (float32 by default).
pub fn ones(shape: impl Into<Shape>) -> Array {
    ones_dtype(shape, default_float())
}

/// Ones of `shape` and `dtype`.
pub fn ones_dtype(shape: impl Into<Shape>, dtype: DType) -> Array {
    let d = requested_dtype(dtype, "ones");
    full_dtype(shape, 1, d)
}

/// Like JAX's `empty`: arrays are immutable, so this returns zeros.
pub fn empty(shape: impl Into<Shape>) -> Array {
    zeros(shape)
}

/// Like [`empty`], with a dtype.
pub fn empty_dtype(shape: impl Into<Shape>, dtype: DType) -> Array {
    zeros_dtype(shape, dtype)
}

/// Zeros with the shape and dtype of `x`.
pub fn zeros_like(x: &Array) -> Array {
    lax::broadcast_in_dim(
        &lax::convert_element_type(&weak0(), x.dtype()),
        x.shape(),
        &[],
    )
}

/// Ones with the shape and dtype of `x`.
pub fn ones_like(x: &Array) -> Array {
    full_dtype(Shape::new(x.shape()), 1, x.dtype())
}

/// `fill_value` with the shape and dtype of `x`.
pub fn full_like(x: &Array, fill_value: impl ArrayLike) -> Array {
    full_dtype(Shape::new(x.shape()), fill_value, x.dtype())
}

fn weak0() -> Array {
    super::array_like::weak_int(0)
}

/// Arguments accepted by [`arange`]: `stop`, `(start, stop)` or
/// `(start, stop, step)`, all integers or all floats.
pub trait ArangeArgs {
    /// `(start, stop, step, is_float)`.
    fn parts(&self) -> (f64, f64, f64, bool);
}

macro_rules! arange_int {
    ($($t:ty),*) => {$(
        impl ArangeArgs for $t { fn parts(&self) -> (f64, f64, f64, bool) { (0.0, *self as f64, 1.0, false) } }
        impl ArangeArgs for ($t, $t) { fn parts(&self) -> (f64, f64, f64, bool) { (self.0 as f64, self.1 as f64, 1.0, false) } }
        impl ArangeArgs for ($t, $t, $t) { fn parts(&self) -> (f64, f64, f64, bool) { (self.0 as f64, self.1 as f64, self.2 as f64, false) } }
    )*};
}
arange_int!(i32, i64, usize, u32);

macro_rules! arange_float {
    ($($t:ty),*) => {$(
        impl ArangeArgs for $t { fn parts(&self) -> (f64, f64, f64, bool) { (0.0, *self as f64, 1.0, true) } }
        impl ArangeArgs for ($t, $t) { fn parts(&self) -> (f64, f64, f64, bool) { (self.0 as f64, self.1 as f64, 1.0, true) } }
        impl ArangeArgs for ($t, $t, $t) { fn parts(&self) -> (f64, f64, f64, bool) { (self.0 as f64, self.1 as f64, self.2 as f64, true) } }
    )*};
}
arange_float!(f32, f64);

/// Evenly spaced values in `[start, stop)`: `arange(10)`, `arange((2, 10))`,
/// `arange((0.0, 1.0, 0.1))`. Integers give int32 and floats float32 (64-bit
/// with x64), as in JAX.
///
/// ```
/// use jaxide::numpy as jnp;
/// assert_eq!(jnp::arange(3).to_vec::<i32>(), vec![0, 1, 2]);
/// assert_eq!(jnp::arange((1, 7, 2)).to_vec::<i32>(), vec![1, 3, 5]);
/// ```
pub fn arange(args: impl ArangeArgs) -> Array {
    let (start, stop, step, is_float) = args.parts();
    let dtype = if is_float {
        default_float()
    } else {
        default_int()
    };
    arange_dtype_impl(start, stop, step, dtype)
}

/// [`arange`] with an explicit dtype.
pub fn arange_dtype(args: impl ArangeArgs, dtype: DType) -> Array {
    let (start, stop, step, _) = args.parts();
    arange_dtype_impl(start, stop, step, requested_dtype(dtype, "arange"))
}

fn arange_dtype_impl(start: f64, stop: f64, step: f64, dtype: DType) -> Array {
    if step == 0.0 {
        panic!("ZeroDivisionError: arange: step must not be zero.");
    }
    let n = ((stop - start) / step).ceil().max(0.0) as usize;
    let idx = lax::iota(dtype, n);
    if start == 0.0 && step == 1.0 {
        return idx;
    }
    let s = lax::convert_element_type(&super::array_like::weak_float(start), dtype);
    let st = lax::convert_element_type(&super::array_like::weak_float(step), dtype);
    if dtype.is_float() {
        lax::add(&lax::mul(&idx, &st), &s)
    } else {
        let s = lax::convert_element_type(&super::array_like::weak_int(start as i128), dtype);
        let st = lax::convert_element_type(&super::array_like::weak_int(step as i128), dtype);
        lax::add(&lax::mul(&idx, &st), &s)
    }
}

/// `num` evenly spaced values from `start` to `stop` inclusive, float32
/// by default (`jnp.linspace(start, stop, num)`).
///
/// ```
/// use jaxide::numpy as jnp;
/// assert_eq!(jnp::linspace(0., 1., 5).to_vec::<f32>(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
/// ```
pub fn linspace(start: impl Into<f64>, stop: impl Into<f64>, num: usize) -> Array {
    linspace_with(start, stop, num, Linspace::default())
}

/// The options of [`linspace_with`]: `endpoint` (default true) and `dtype`
/// (default float32, or float64 with x64).
#[derive(Clone, Copy, Debug)]
pub struct Linspace {
    /// Whether `stop` is the last value.
    pub endpoint: bool,
    /// The result dtype (integer dtypes floor the values, as JAX).
    pub dtype: Option<DType>,
}

impl Default for Linspace {
    fn default() -> Linspace {
        Linspace {
            endpoint: true,
            dtype: None,
        }
    }
}

/// [`linspace`] with options (`jnp.linspace(.., endpoint=.., dtype=..)`).
pub fn linspace_with(
    start: impl Into<f64>,
    stop: impl Into<f64>,
    num: usize,
    options: Linspace,
) -> Array {
    let dtype = options.dtype.unwrap_or_else(default_float);
    linspace_dtype(start.into(), stop.into(), num, options.endpoint, dtype)
}

/// [`linspace`] with a dtype (integer dtypes floor the values, as JAX).
pub fn linspace_dtype(start: f64, stop: f64, num: usize, endpoint: bool, dtype: DType) -> Array {
    let dtype = requested_dtype(dtype, "linspace");
    let ct = if dtype.is_float() {
        dtype
    } else {
        default_float()
    };
    let s = lax::convert_element_type(&super::array_like::weak_float(start), ct);
    let e = lax::convert_element_type(&super::array_like::weak_float(stop), ct);
    let out = if num == 0 {
        zeros_dtype(0, ct)
    } else if num == 1 {
        lax::broadcast_in_dim(&s, &[1], &[])
    } else {
        let div = if endpoint { num - 1 } else { num };
        let count = if endpoint { num - 1 } else { num };
        let t = lax::div(
            &lax::iota(ct, count),
            &lax::convert_element_type(&super::array_like::weak_float(div as f64), ct),
        );
        let one = lax::convert_element_type(&super::array_like::weak_float(1.0), ct);
        let body = lax::add(&lax::mul(&s, &lax::sub(&one, &t)), &lax::mul(&e, &t));
        if endpoint {
            lax::concatenate(&[&body, &lax::broadcast_in_dim(&e, &[1], &[])], 0)
        } else {
            body
        }
    };
    if dtype.is_float() {
        out
    } else {
        lax::convert_element_type(&lax::floor(&out), dtype)
    }
}

/// `10 ** linspace(start, stop, num)` (`jnp.logspace(start, stop, num)`).
pub fn logspace(start: impl Into<f64>, stop: impl Into<f64>, num: usize) -> Array {
    logspace_with(start, stop, num, Logspace::default())
}

/// The options of [`logspace_with`]: `endpoint` (default true) and `base`
/// (default 10).
#[derive(Clone, Copy, Debug)]
pub struct Logspace {
    /// Whether `base ** stop` is the last value.
    pub endpoint: bool,
    /// The base of the powers.
    pub base: f64,
}

impl Default for Logspace {
    fn default() -> Logspace {
        Logspace {
            endpoint: true,
            base: 10.0,
        }
    }
}

/// `base ** linspace(start, stop, num, endpoint)` (`jnp.logspace` with options).
pub fn logspace_with(
    start: impl Into<f64>,
    stop: impl Into<f64>,
    num: usize,
    options: Logspace,
) -> Array {
    let y = linspace_with(
        start,
        stop,
        num,
        Linspace {
            endpoint: options.endpoint,
            dtype: None,
        },
    );
    let b = lax::convert_element_type(&super::array_like::weak_float(options.base), y.dtype());
    lax::pow(&lax::broadcast_in_dim(&b, y.shape(), &[]), &y)
}

/// The `n × n` identity, float32 (`jnp.eye(n)`).
pub fn eye(n: usize) -> Array {
    eye_with(n, Eye::default())
}

/// The options of [`eye_with`]: `M` columns (default `n`), diagonal `k`
/// (default 0) and `dtype` (default float32).
#[derive(Clone, Copy, Debug, Default)]
pub struct Eye {
    /// The number of columns (`None`: `n`).
    pub m: Option<usize>,
    /// The diagonal: 0 is the main one, positive above, negative below.
    pub k: i64,
    /// The result dtype.
    pub dtype: Option<DType>,
}

/// `n × m` matrix with ones on diagonal `k` (`jnp.eye(n, M, k, dtype)`).
pub fn eye_with(n: usize, options: Eye) -> Array {
    eye_dtype(
        n,
        options.m,
        options.k,
        options.dtype.unwrap_or_else(default_float),
    )
}

/// [`eye`] with a dtype.
pub fn eye_dtype(n: usize, m: Option<usize>, k: i64, dtype: DType) -> Array {
    let dtype = requested_dtype(dtype, "eye");
    let mask = diagonal_mask(n, m.unwrap_or(n), k, lax::eq);
    lax::convert_element_type(&mask, dtype)
}

/// The `n × n` identity matrix (float32).
pub fn identity(n: usize) -> Array {
    eye(n)
}

/// Lower-triangular mask of ones at and below diagonal `k` (float32).
pub fn tri(n: usize, m: Option<usize>, k: i64) -> Array {
    lax::convert_element_type(
        &diagonal_mask(n, m.unwrap_or(n), k, lax::ge),
        default_float(),
    )
}

/// `rows + k ⊙ cols` as a bool mask of shape `(n, m)`.
fn diagonal_mask(n: usize, m: usize, k: i64, cmp: fn(&Array, &Array) -> Array) -> Array {
    let rows = lax::broadcasted_iota(DType::I32, &[n, m], 0);
    let cols = lax::broadcasted_iota(DType::I32, &[n, m], 1);
    let kk = lax::convert_element_type(&super::array_like::weak_int(k as i128), DType::I32);
    cmp(&lax::add(&rows, &kk), &cols)
}

fn tri_select(x: &Array, k: i64, lower: bool) -> Array {
    assert!(
        x.ndim() >= 2,
        "ValueError: {} requires an array of at least 2 dimensions, got shape {}.",
        if lower { "tril" } else { "triu" },
        Shape::new(x.shape())
    );
    let nd = x.ndim();
    let (n, m) = (x.shape()[nd - 2], x.shape()[nd - 1]);
    let mask = if lower {
        diagonal_mask(n, m, k, lax::ge)
    } else {
        diagonal_mask(n, m, k - 1, lax::lt)
    };
    let mask = lax::broadcast_in_dim(&mask, x.shape(), &[nd - 2, nd - 1]);
    lax::select(&mask, x, &zeros_like(x))
}

/// Lower triangle of the last two axes (elements above diagonal `k` zeroed).
pub fn tril(x: &Array, k: i64) -> Array {
    tri_select(x, k, true)
}

/// Upper triangle of the last two axes (elements below diagonal `k` zeroed).
pub fn triu(x: &Array, k: i64) -> Array {
    tri_select(x, k, false)
}
