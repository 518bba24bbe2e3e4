//! NumPy-style methods on `Array`: `x.pow(2)`, `x.sum()`, `x.reshape(..)`, ...

use super::array_like::ArrayLike;
use super::axes::Axes;
use crate::core::array::Array;
use crate::core::dtype::DType;

impl Array {
    /// `self ** y` (see [`crate::numpy::power`]).
    pub fn pow(&self, y: impl ArrayLike) -> Array {
        super::power(self, y)
    }
    /// Elementwise `==`.
    pub fn eq(&self, y: impl ArrayLike) -> Array {
        super::equal(self, y)
    }
    /// Elementwise `!=`.
    pub fn ne(&self, y: impl ArrayLike) -> Array {
        super::not_equal(self, y)
    }
    /// Elementwise `<`.
    pub fn lt(&self, y: impl ArrayLike) -> Array {
        super::less(self, y)
    }
    /// Elementwise `<=`.
    pub fn le(&self, y: impl ArrayLike) -> Array {
        super::less_equal(self, y)
    }
    /// Elementwise `>`.
    pub fn gt(&self, y: impl ArrayLike) -> Array {
        super::greater(self, y)
    }
    /// Elementwise `>=`.
    pub fn ge(&self, y: impl ArrayLike) -> Array {
        super::greater_equal(self, y)
    }
    /// `x.real`: the real part (a real array is returned as is).
    pub fn real(&self) -> Array {
        super::real(self)
    }
    /// `x.imag`: the imaginary part (zeros for a real array).
    pub fn imag(&self) -> Array {
        super::imag(self)
    }
    /// `x.conj()`: the complex conjugate (a real array is returned as is).
    pub fn conj(&self) -> Array {
        super::conj(self)
    }
    /// Converts to `dtype`.
    pub fn astype(&self, dtype: DType) -> Array {
        super::astype(self, dtype)
    }
    /// Reshapes; one entry may be -1.
    pub fn reshape(&self, shape: &[isize]) -> Array {
        super::reshape(self, shape)
    }
    /// Flattens to 1-d.
    pub fn ravel(&self) -> Array {
        super::ravel(self)
    }
    /// Reverses the axes.
    pub fn transpose(&self) -> Array {
        super::transpose(self)
    }
    /// Reverses the axes (NumPy's `.T`).
    pub fn t(&self) -> Array {
        super::transpose(self)
    }
    /// Sum of all elements.
    pub fn sum(&self) -> Array {
        super::sum(self)
    }
    /// Sum over axes.
    pub fn sum_axis(&self, axes: impl Into<Axes>, keepdims: bool) -> Array {
        super::sum_axis(self, axes, keepdims)
    }
    /// Mean of all elements.
    pub fn mean(&self) -> Array {
        super::mean(self)
    }
    /// Mean over axes.
    pub fn mean_axis(&self, axes: impl Into<Axes>, keepdims: bool) -> Array {
        super::mean_axis(self, axes, keepdims)
    }
    /// Maximum of all elements.
    pub fn max(&self) -> Array {
        super::max(self)
    }
    /// Maximum over axes.
    pub fn max_axis(&self, axes: impl Into<Axes>, keepdims: bool) -> Array {
        super::max_axis(self, axes, keepdims)
    }
    /// Minimum of all elements.
    pub fn min(&self) -> Array {
        super::min(self)
    }
    /// Minimum over axes.
    pub fn min_axis(&self, axes: impl Into<Axes>, keepdims: bool) -> Array {
        super::min_axis(self, axes, keepdims)
    }
    /// Product of all elements.
    pub fn prod(&self) -> Array {
        super::prod(self)
    }
    /// Product over axes.
    pub fn prod_axis(&self, axes: impl Into<Axes>, keepdims: bool) -> Array {
        super::prod_axis(self, axes, keepdims)
    }
    /// Index of the maximum of the flattened array.
    pub fn argmax(&self) -> Array {
        super::argmax(self)
    }
    /// Indices of the maxima along an axis.
    pub fn argmax_axis(&self, axis: impl Into<Axes>, keepdims: bool) -> Array {
        super::argmax_axis(self, axis, keepdims)
    }
    /// Index of the minimum of the flattened array.
    pub fn argmin(&self) -> Array {
        super::argmin(self)
    }
    /// Indices of the minima along an axis.
    pub fn argmin_axis(&self, axis: impl Into<Axes>, keepdims: bool) -> Array {
        super::argmin_axis(self, axis, keepdims)
    }
    /// Whether all elements are truthy.
    pub fn all(&self) -> Array {
        super::all(self)
    }
    /// Logical and over axes.
    pub fn all_axis(&self, axes: impl Into<Axes>, keepdims: bool) -> Array {
        super::all_axis(self, axes, keepdims)
    }
    /// Whether any element is truthy.
    pub fn any(&self) -> Array {
        super::any(self)
    }
    /// Logical or over axes.
    pub fn any_axis(&self, axes: impl Into<Axes>, keepdims: bool) -> Array {
        super::any_axis(self, axes, keepdims)
    }
}
