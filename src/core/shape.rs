//! Array shapes and axis helpers.

use smallvec::SmallVec;
use std::fmt;

/// Dimension sizes of an array, row-major. Inline for up to 4 dimensions.
pub type Dims = SmallVec<[usize; 4]>;

/// A shape: the sizes of each dimension.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Shape(pub Dims);

impl Shape {
    /// A shape from its dimension sizes.
    pub fn new(dims: &[usize]) -> Shape {
        Shape(Dims::from_slice(dims))
    }

    /// The 0-d (scalar) shape.
    pub fn scalar() -> Shape {
        Shape(Dims::new())
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.0.len()
    }

    /// Number of elements (1 for a scalar).
    ///
    /// Panics if the product overflows, naming the shape (see [`checked_size`]).
    pub fn size(&self) -> usize {
        checked_size(&self.0).unwrap_or_else(|| panic!("{}", size_overflow_message(&self.0)))
    }

    /// The dimension sizes.
    pub fn dims(&self) -> &[usize] {
        &self.0
    }

    /// Row-major (C-contiguous) element strides.
    pub fn strides(&self) -> Dims {
        contiguous_strides(&self.0)
    }
}

/// The most elements (and bytes) an array may have: every offset then fits
/// in `isize`, as Rust's slices require.
pub const MAX_ELEMENTS: usize = isize::MAX as usize;

/// The number of elements of `dims`, or `None` when the product of its
/// non-zero sizes exceeds [`MAX_ELEMENTS`]. Rejecting such shapes even when
/// another size is 0 keeps every partial product (strides, outer and inner
/// extents in kernels) from wrapping.
pub fn checked_size(dims: &[usize]) -> Option<usize> {
    let mut nonzero = 1usize;
    let mut any_zero = false;
    for &d in dims {
        if d == 0 {
            any_zero = true;
        } else {
            nonzero = nonzero.checked_mul(d).filter(|&n| n <= MAX_ELEMENTS)?;
        }
    }
    Some(if any_zero { 0 } else { nonzero })
}

/// The exact element count of `dims` in 128 bits, for messages about shapes
/// too large for `usize`. Saturates at `u128::MAX`.
pub fn size_u128(dims: &[usize]) -> u128 {
    dims.iter()
        .fold(1u128, |acc, &d| acc.saturating_mul(d as u128))
}

/// The panic message for a shape whose size overflows (XLA's wording).
pub fn size_overflow_message(dims: &[usize]) -> String {
    let list: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!(
        "ValueError: overflow in static extent product: dimensions=[{}]. The shape {} has {} \
         elements, more than an array can hold ({MAX_ELEMENTS}).",
        list.join(", "),
        fmt_tuple(dims),
        size_u128(dims)
    )
}

/// Checks that `dims` is a valid array shape (its size does not overflow),
/// panicking with the shape otherwise.
pub fn check_shape(dims: &[usize]) {
    if checked_size(dims).is_none() {
        panic!("{}", size_overflow_message(dims));
    }
}

/// Row-major element strides of `dims`.
pub fn contiguous_strides(dims: &[usize]) -> Dims {
    let mut strides: Dims = smallvec::smallvec![0; dims.len()];
    let mut acc = 1usize;
    for (s, &d) in strides.iter_mut().zip(dims).rev() {
        *s = acc;
        acc *= d;
    }
    strides
}

impl std::ops::Deref for Shape {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        &self.0
    }
}

impl From<&[usize]> for Shape {
    fn from(d: &[usize]) -> Shape {
        Shape::new(d)
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(d: [usize; N]) -> Shape {
        Shape::new(&d)
    }
}

impl From<usize> for Shape {
    fn from(d: usize) -> Shape {
        Shape::new(&[d])
    }
}

impl From<()> for Shape {
    fn from(_: ()) -> Shape {
        Shape::scalar()
    }
}

impl From<&Vec<usize>> for Shape {
    fn from(d: &Vec<usize>) -> Shape {
        Shape::new(d)
    }
}

impl From<Vec<usize>> for Shape {
    fn from(d: Vec<usize>) -> Shape {
        Shape::new(&d)
    }
}

/// Formats dims like Python's tuple repr, as JAX error messages do: `(2, 3)`, `(4,)`, `()`.
pub fn fmt_tuple(dims: &[usize]) -> String {
    match dims {
        [] => "()".to_string(),
        [d] => format!("({d},)"),
        _ => {
            let parts: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_tuple(&self.0))
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fmt_tuple(&self.0))
    }
}

/// Normalizes a possibly negative axis against `ndim`, panicking with NumPy's
/// `AxisError` wording when it is out of range. `op` names the calling function.
pub fn canonicalize_axis(axis: isize, ndim: usize, op: &str) -> usize {
    let n = ndim as isize;
    if axis < -n || axis >= n {
        panic!(
            "{op}: axis {axis} is out of bounds for array of dimension {ndim} \
             (valid axes are {} to {}).",
            -n,
            n - 1
        );
    }
    if axis < 0 {
        (axis + n) as usize
    } else {
        axis as usize
    }
}

/// Normalizes a list of axes, rejecting duplicates; the result is sorted.
pub fn canonicalize_axes(axes: &[isize], ndim: usize, op: &str) -> Dims {
    let mut out: Dims = axes
        .iter()
        .map(|&a| canonicalize_axis(a, ndim, op))
        .collect();
    out.sort_unstable();
    for w in out.windows(2) {
        if w[0] == w[1] {
            panic!("{op}: repeated axis {} in axes {axes:?}.", w[0]);
        }
    }
    out
}

/// The axes of a rank-`n` contraction operand that are neither batch nor
/// contracting axes (`dot_general`'s free axes), in order.
pub fn free_axes(n: usize, batch: &[usize], contracting: &[usize]) -> Dims {
    (0..n)
        .filter(|a| !batch.contains(a) && !contracting.contains(a))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strides_and_size() {
        let s = Shape::new(&[2, 3, 4]);
        assert_eq!(s.size(), 24);
        assert_eq!(s.strides().as_slice(), &[12, 4, 1]);
        assert_eq!(Shape::scalar().size(), 1);
        assert_eq!(fmt_tuple(&[4]), "(4,)");
        assert_eq!(fmt_tuple(&[2, 3]), "(2, 3)");
    }

    #[test]
    fn axes_normalize() {
        assert_eq!(canonicalize_axis(-1, 3, "sum"), 2);
        assert_eq!(canonicalize_axes(&[-1, 0], 3, "sum").as_slice(), &[0, 2]);
    }

    #[test]
    #[should_panic(expected = "axis 2 is out of bounds for array of dimension 2")]
    fn axis_out_of_range() {
        canonicalize_axis(2, 2, "sum");
    }
}
