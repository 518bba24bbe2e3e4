//! Rust operators on arrays: `+ - * / %`, unary `-` and `!`, `& | ^`,
//! `<< >>`, for Array⊕Array, Array⊕scalar and scalar⊕Array, owned or borrowed.
//! `/` is true division and `%` is Python's remainder, as in jnp.

use super::array_like::Scalar;
use crate::core::array::Array;
use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Neg, Not, Rem, Shl, Shr, Sub};

macro_rules! binary_operator {
    ($tr:ident, $method:ident, $func:path) => {
        impl $tr<&Array> for &Array {
            type Output = Array;
            fn $method(self, rhs: &Array) -> Array { $func(self, rhs) }
        }
        impl $tr<Array> for &Array {
            type Output = Array;
            fn $method(self, rhs: Array) -> Array { $func(self, &rhs) }
        }
        impl $tr<&Array> for Array {
            type Output = Array;
            fn $method(self, rhs: &Array) -> Array { $func(&self, rhs) }
        }
        impl $tr<Array> for Array {
            type Output = Array;
            fn $method(self, rhs: Array) -> Array { $func(&self, &rhs) }
        }
        // One generic impl on the right, so an unsuffixed literal has a
        // unique output type (`(x % 2).eq(0)` needs no `2i32`).
        impl<S: Scalar> $tr<S> for &Array {
            type Output = Array;
            fn $method(self, rhs: S) -> Array { $func(self, rhs) }
        }
        impl<S: Scalar> $tr<S> for Array {
            type Output = Array;
            fn $method(self, rhs: S) -> Array { $func(&self, rhs) }
        }
        binary_operator!(@scalars $tr, $method, $func; f32, f64, i32, i64, u32, u8, bool);
    };
    (@scalars $tr:ident, $method:ident, $func:path; $($s:ty),*) => {$(
        impl $tr<&Array> for $s {
            type Output = Array;
            fn $method(self, rhs: &Array) -> Array { $func(self, rhs) }
        }
        impl $tr<Array> for $s {
            type Output = Array;
            fn $method(self, rhs: Array) -> Array { $func(self, &rhs) }
        }
    )*};
}

binary_operator!(Add, add, super::add);
binary_operator!(Sub, sub, super::subtract);
binary_operator!(Mul, mul, super::multiply);
binary_operator!(Div, div, super::true_divide);
binary_operator!(Rem, rem, super::remainder);
binary_operator!(BitAnd, bitand, super::bitwise_and);
binary_operator!(BitOr, bitor, super::bitwise_or);
binary_operator!(BitXor, bitxor, super::bitwise_xor);
binary_operator!(Shl, shl, super::left_shift);
binary_operator!(Shr, shr, super::right_shift);

impl Neg for &Array {
    type Output = Array;
    fn neg(self) -> Array {
        super::negative(self)
    }
}
impl Neg for Array {
    type Output = Array;
    fn neg(self) -> Array {
        super::negative(&self)
    }
}
impl Not for &Array {
    type Output = Array;
    fn not(self) -> Array {
        super::invert(self)
    }
}
impl Not for Array {
    type Output = Array;
    fn not(self) -> Array {
        super::invert(&self)
    }
}
