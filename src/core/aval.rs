//! `ShapedArray`: the abstract value (shape, dtype, weak type) that tracing works with.

use super::dtype::DType;
use super::shape::Shape;
use std::fmt;

/// The abstract value of an array: its shape, dtype and JAX weak-type flag.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ShapedArray {
    /// Dimension sizes.
    pub shape: Shape,
    /// Element type.
    pub dtype: DType,
    /// Whether the dtype is weak (came from a Rust scalar), as in JAX.
    pub weak_type: bool,
}

impl ShapedArray {
    /// A strong-typed abstract value. Panics if the shape's size overflows.
    pub fn new(shape: Shape, dtype: DType) -> ShapedArray {
        super::shape::check_shape(&shape);
        ShapedArray {
            shape,
            dtype,
            weak_type: false,
        }
    }

    /// An abstract value with an explicit weak-type flag. Panics if the
    /// shape's size overflows.
    pub fn with_weak(shape: Shape, dtype: DType, weak_type: bool) -> ShapedArray {
        super::shape::check_shape(&shape);
        ShapedArray {
            shape,
            dtype,
            weak_type,
        }
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.ndim()
    }

    /// Number of elements.
    pub fn size(&self) -> usize {
        self.shape.size()
    }

    /// Long form used in JAX's error messages: `float32[2,3]`, `~int32[]` when weak.
    pub fn long(&self) -> String {
        let dims: Vec<String> = self.shape.iter().map(|d| d.to_string()).collect();
        let weak = if self.weak_type { "~" } else { "" };
        format!("{weak}{}[{}]", self.dtype.name(), dims.join(","))
    }

    /// Short form used in jaxprs and messages: `f32[2,3]`.
    pub fn short(&self) -> String {
        let dims: Vec<String> = self.shape.iter().map(|d| d.to_string()).collect();
        format!("{}[{}]", short_dtype(self.dtype), dims.join(","))
    }
}

/// JAX's short dtype names used in jaxprs: `f32`, `i32`, `bool`, `bf16`, ...
pub fn short_dtype(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::I8 => "i8",
        DType::I16 => "i16",
        DType::I32 => "i32",
        DType::I64 => "i64",
        DType::U8 => "u8",
        DType::U16 => "u16",
        DType::U32 => "u32",
        DType::U64 => "u64",
        DType::F16 => "f16",
        DType::BF16 => "bf16",
        DType::F32 => "f32",
        DType::F64 => "f64",
        DType::C64 => "c64",
        DType::C128 => "c128",
        DType::Float0 => "float0",
    }
}

impl fmt::Debug for ShapedArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())?;
        if self.weak_type {
            f.write_str("{weak_type}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ShapedArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
