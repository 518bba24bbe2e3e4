//! `Array`: the immutable, cheap-to-clone array handle users hold.
//!
//! An `Array` is either a concrete value (a [`DeviceArray`] whose buffer may
//! still be computing) or a [`Tracer`] standing for a value inside a
//! transformation. Cloning is an `Arc` increment. Arrays are `Send + Sync`.
//!
//! Arrays cannot be mutated in place: there is no `IndexMut`, so this does
//! not compile:
//!
//! ```compile_fail
//! use jaxide::numpy as jnp;
//! let mut y = jnp::array([1, 2, 3]);
//! y[0] = 123; // error: Array does not implement IndexMut
//! ```
//!
//! Use a functional update instead, which returns a new array:
//!
//! ```
//! use jaxide::numpy as jnp;
//! let y = jnp::array([1, 2, 3]);
//! let z = y.at(0).set(123);
//! assert_eq!(z.to_vec::<i32>(), vec![123, 2, 3]);
//! assert_eq!(y.to_vec::<i32>(), vec![1, 2, 3]);
//! ```

use super::aval::ShapedArray;
use super::dtype::DType;
use super::element::{Element, Pod};
use super::shape::Shape;
use super::trace::Tracer;
use crate::backend::cpu::buffer::Buffer;
use crate::runtime::DeviceArray;
use std::sync::Arc;

/// An immutable n-dimensional array (or a tracer standing for one).
#[derive(Clone)]
pub struct Array(pub(crate) Repr);

#[derive(Clone)]
pub(crate) enum Repr {
    Device(Arc<DeviceArray>),
    Tracer(Arc<dyn Tracer>),
}

impl Array {
    /// Wraps a device array.
    pub fn from_device(d: Arc<DeviceArray>) -> Array {
        Array(Repr::Device(d))
    }

    /// Wraps a tracer (used by interpreters).
    pub fn from_tracer(t: Arc<dyn Tracer>) -> Array {
        Array(Repr::Tracer(t))
    }

    /// The abstract value: shape, dtype and weak type.
    pub fn aval(&self) -> &ShapedArray {
        match &self.0 {
            Repr::Device(d) => d.aval(),
            Repr::Tracer(t) => t.aval(),
        }
    }

    /// Dimension sizes.
    pub fn shape(&self) -> &[usize] {
        &self.aval().shape
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.aval().dtype
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.aval().ndim()
    }

    /// Number of elements.
    pub fn size(&self) -> usize {
        self.aval().size()
    }

    /// Whether the dtype is weak (the array came from a Rust scalar).
    pub fn weak_type(&self) -> bool {
        self.aval().weak_type
    }

    /// The tracer, if this array is being traced by a transformation.
    pub fn as_tracer(&self) -> Option<&Arc<dyn Tracer>> {
        match &self.0 {
            Repr::Tracer(t) => Some(t),
            Repr::Device(_) => None,
        }
    }

    /// Whether this is a tracer rather than a concrete value.
    pub fn is_tracer(&self) -> bool {
        matches!(self.0, Repr::Tracer(_))
    }

    /// An identity for this handle's value (equal for clones of one array).
    pub(crate) fn ptr_id(&self) -> usize {
        match &self.0 {
            Repr::Device(d) => Arc::as_ptr(d) as *const () as usize,
            Repr::Tracer(t) => Arc::as_ptr(t) as *const () as usize,
        }
    }

    /// The concrete device array, if this is not a tracer.
    pub fn as_device(&self) -> Option<&Arc<DeviceArray>> {
        match &self.0 {
            Repr::Device(d) => Some(d),
            Repr::Tracer(_) => None,
        }
    }

    /// The concrete device array by value, if this is not a tracer.
    pub(crate) fn into_device(self) -> Option<Arc<DeviceArray>> {
        match self.0 {
            Repr::Device(d) => Some(d),
            Repr::Tracer(_) => None,
        }
    }

    /// The concrete value, panicking with a `ConcretizationTypeError`-style
    /// message when this is a tracer. `what` says what needed the value.
    pub(crate) fn concrete(&self, what: &str) -> &Arc<DeviceArray> {
        match &self.0 {
            Repr::Device(d) => d,
            Repr::Tracer(t) if !super::trace::is_live(t.as_ref()) => {
                panic!("{}", super::trace::misused_tracer_message(what, t.as_ref()))
            }
            // A jvp tracer over a known value reads that value (the primal),
            // as JAX concretizes a JVPTracer.
            Repr::Tracer(t) if t.known_value().is_some() => {
                t.known_value().expect("checked").concrete(what)
            }
            Repr::Tracer(t) => panic!(
                "{}",
                concretization_message(what, t.aval(), t.transformation())
            ),
        }
    }

    /// The ready buffer (waits for pending work; panics on async failure).
    pub(crate) fn buffer(&self, what: &str) -> &Buffer {
        self.concrete(what).buffer()
    }

    /// Waits until the value is computed and returns `self`. Panics with the
    /// error of a failed asynchronous computation.
    pub fn block_until_ready(&self) -> &Array {
        if let Repr::Device(d) = &self.0 {
            d.buffer();
        }
        self
    }

    /// Waits until the value is computed, returning the asynchronous error
    /// instead of panicking if the computation failed.
    pub fn try_block_until_ready(&self) -> Result<&Array, crate::runtime::AsyncError> {
        if let Repr::Device(d) = &self.0 {
            d.try_buffer()?;
        }
        Ok(self)
    }

    /// Whether the value is already computed (always true for tracers).
    pub fn is_ready(&self) -> bool {
        match &self.0 {
            Repr::Device(d) => d.is_ready(),
            Repr::Tracer(_) => true,
        }
    }

    /// An array of `shape` holding `data` (row-major). The dtype comes from `T`,
    /// canonicalized like JAX: with x64 off, 64-bit data becomes 32-bit.
    ///
    /// ```
    /// let x = jaxide::Array::from_vec(vec![1.0f32, 2., 3., 4.], [2, 2]);
    /// assert_eq!(x.shape(), &[2, 2]);
    /// ```
    pub fn from_vec<T: Element>(data: Vec<T>, shape: impl Into<Shape>) -> Array {
        Array::from_slice(&data, shape)
    }

    /// A rank-0 array holding `v` (strongly typed, like `jnp.int32(v)`).
    ///
    /// ```
    /// let x = jaxide::Array::scalar(3i32);
    /// assert_eq!(x.shape(), &[] as &[usize]);
    /// ```
    pub fn scalar<T: Element>(v: T) -> Array {
        Array::from_slice(&[v], ())
    }

    /// Like [`Array::from_vec`], copying from a slice.
    pub fn from_slice<T: Element>(data: &[T], shape: impl Into<Shape>) -> Array {
        let shape = shape.into();
        assert_eq!(
            data.len(),
            shape.size(),
            "Array::from_vec: {} elements cannot fill shape {shape}, which holds {}.",
            data.len(),
            shape.size()
        );
        let storage: Vec<T::Storage> = data.iter().map(|v| v.to_storage()).collect();
        let buf = Buffer::from_slice(&storage);
        let canon = crate::core::promotion::canonicalize(T::DTYPE, crate::config::enable_x64());
        let buf = if canon == T::DTYPE {
            buf
        } else {
            narrow_to_32_bits(&buf, T::DTYPE)
        };
        Array::from_storage(buf, shape, canon, false)
    }

    /// The flat positions of the `true` entries of a concrete boolean array
    /// (int32, or int64 when x64 is on or the array is that large): the
    /// host side of eager boolean-mask indexing.
    pub(crate) fn flat_true_positions(&self) -> Array {
        let buf = self.buffer("a boolean mask");
        use crate::backend::cpu::kernels::nonzero::flat_nonzero;
        if crate::config::enable_x64() || self.size() > i32::MAX as usize {
            let (b, n) = flat_nonzero::<i64>(buf);
            Array::from_storage(b, Shape::from(vec![n]), DType::I64, false)
        } else {
            let (b, n) = flat_nonzero::<i32>(buf);
            Array::from_storage(b, Shape::from(vec![n]), DType::I32, false)
        }
    }

    /// Wraps a ready buffer that already holds `shape` elements of `dtype`.
    pub(crate) fn from_storage(buf: Buffer, shape: Shape, dtype: DType, weak: bool) -> Array {
        Array::from_device(DeviceArray::ready(
            ShapedArray::with_weak(shape, dtype, weak),
            buf,
        ))
    }

    /// Copies the elements out, row-major. `T` must match the dtype exactly
    /// (use [`Array::astype`] first to convert).
    ///
    /// ```
    /// let x = jaxide::numpy::arange(3);
    /// assert_eq!(x.to_vec::<i32>(), vec![0, 1, 2]);
    /// ```
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        self.try_to_vec().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`Array::to_vec`], returning the error of a failed asynchronous
    /// computation (or of the host copy's allocation) instead of panicking.
    /// A dtype mismatch or a tracer is a programming error and still panics.
    pub fn try_to_vec<T: Element>(&self) -> Result<Vec<T>, crate::runtime::AsyncError> {
        self.check_read_dtype::<T>("to_vec");
        let buf = self.concrete("Array::to_vec").try_buffer()?;
        let src = buf.as_slice::<T::Storage>();
        let mut out = Vec::new();
        if out.try_reserve_exact(src.len()).is_err() {
            let bytes = src.len() as u128 * std::mem::size_of::<T>() as u128;
            return Err(crate::runtime::AsyncError::new(
                "to_vec",
                crate::backend::cpu::allocator::OutOfMemory { bytes }.to_string(),
            ));
        }
        out.extend(src.iter().map(|&s| T::from_storage(s)));
        Ok(out)
    }

    /// Like [`Array::item`], returning the error of a failed asynchronous
    /// computation instead of panicking.
    pub fn try_item<T: Element>(&self) -> Result<T, crate::runtime::AsyncError> {
        self.try_block_until_ready()?;
        Ok(self.item())
    }

    /// The single element of a size-1 array (any shape), like NumPy's `item()`.
    pub fn item<T: Element>(&self) -> T {
        self.check_read_dtype::<T>("item");
        assert_eq!(
            self.size(),
            1,
            "Array::item: can only convert an array of size 1 to a scalar, but this array \
             has shape {} (size {}). Reduce it first (e.g. .sum()) or index one element.",
            Shape::new(self.shape()),
            self.size()
        );
        T::from_storage(self.buffer("Array::item").as_slice::<T::Storage>()[0])
    }

    fn check_read_dtype<T: Element>(&self, what: &str) {
        if self.dtype() != T::DTYPE {
            panic!(
                "Array::{what}::<{}>: the array has dtype {}, but {} was requested. \
                 Convert first with .astype(DType::{:?}) or read it as the matching Rust type.",
                std::any::type_name::<T>(),
                self.dtype(),
                T::DTYPE,
                T::DTYPE
            );
        }
    }
}

/// The message for a traced value used where a concrete one is needed, with
/// JAX's error kind and first line: a bool read (`if x` in Python) is a
/// `TracerBoolConversionError`, a host copy a `TracerArrayConversionError`,
/// an integer used as a Rust index or size a `TracerIntegerConversionError`,
/// anything else a `ConcretizationTypeError`.
fn concretization_message(what: &str, aval: &ShapedArray, transformation: &str) -> String {
    let dims: Vec<String> = aval.shape.iter().map(|d| d.to_string()).collect();
    let shape = format!("{}[{}]", aval.dtype.name(), dims.join(","));
    let (kind, first) = if what == "Array::item" && aval.dtype.is_bool() {
        (
            "TracerBoolConversionError",
            format!("Attempted boolean conversion of traced array with shape {shape}."),
        )
    } else if what == "Array::to_vec" {
        (
            "TracerArrayConversionError",
            format!(
                "The host-array conversion method to_vec() was called on traced array with \
                 shape {shape}"
            ),
        )
    } else if what == "reading an integer scalar" {
        (
            "TracerIntegerConversionError",
            format!("The __index__() method was called on traced array with shape {shape}"),
        )
    } else if what == "Array::item" {
        (
            "ConcretizationTypeError",
            format!(
                "Abstract tracer value encountered where concrete value is expected: traced \
                 array with shape {shape}\nThis occurred in the item() method of jax.Array"
            ),
        )
    } else {
        (
            "ConcretizationTypeError",
            format!(
                "Abstract tracer value encountered where concrete value is expected: traced \
                 array with shape {shape}\nThe problem arose with {what}."
            ),
        )
    };
    format!(
        "{kind}: {first}\nThe error occurred while tracing a function for {transformation}: \
         traced values have a shape and dtype but no value yet. If the value only depends on \
         static arguments, mark them static (static_argnums: take them as `Static<T>` \
         arguments); for \
         data-dependent control flow use lax::cond, lax::while_loop or lax::fori_loop (or \
         jnp::where_ to select values); or move this computation outside the transformed \
         function.\nSee https://docs.jax.dev/en/latest/errors.html#jax.errors.{kind}"
    )
}

impl std::fmt::Debug for Repr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repr::Device(d) => write!(f, "{d:?}"),
            Repr::Tracer(t) => write!(
                f,
                "Traced<{}>with<{}>",
                t.aval().short(),
                t.transformation()
            ),
        }
    }
}

// SAFETY-free static check that Array is Send + Sync.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Array>();
};

/// The 32-bit form of 64-bit host data (x64 off): values round to nearest
/// (floats) or wrap (integers), as `convert_element_type` does.
fn narrow_to_32_bits(buf: &Buffer, dtype: DType) -> Buffer {
    fn map<A: Pod, B: Pod>(buf: &Buffer, f: impl Fn(A) -> B) -> Buffer {
        let v: Vec<B> = buf.as_slice::<A>().iter().map(|&a| f(a)).collect();
        Buffer::from_slice(&v)
    }
    match dtype {
        DType::F64 => map(buf, |v: f64| v as f32),
        DType::I64 => map(buf, |v: i64| v as i32),
        DType::U64 => map(buf, |v: u64| v as u32),
        DType::C128 => map(buf, |v: num_complex::Complex64| {
            num_complex::Complex32::new(v.re as f32, v.im as f32)
        }),
        d => panic!("internal error: {} has no 32-bit canonical form", d.name()),
    }
}
