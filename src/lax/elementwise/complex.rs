//! The complex-number primitives `real`, `imag`, `conj` and `complex`, with
//! their rules.
//!
//! All four are linear. Their transposes follow JAX, which transposes (it
//! does not take adjoints), so `grad` of a real function of a complex input
//! is the conjugate of the usual `∂f/∂x + i ∂f/∂y`:
//!
//! | primitive | transpose of cotangent `t` |
//! |---|---|
//! | `real(z)` | `complex(t, 0)` |
//! | `imag(z)` | `complex(0, -t)` |
//! | `conj(z)` | `conj(t)` (or `real(t)` for a real input) |
//! | `complex(x, y)` | `real(t)`, `imag(-t)` |

use super::super::ad_util::{self, Cotangents, Differentiability, JvpResult, LinearArg};
use super::super::{expect_arity, Avals, Buffers, FusionClass, PrimitiveRules};
use super::binary::{binary_shape, same_dtypes};
use crate::backend::cpu::buffer::Buffer;
use crate::backend::cpu::kernels::{self, complex::Part};
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use crate::core::trace::bind1;
use crate::lax;
use smallvec::smallvec;

fn require_complex(name: &str, x: &ShapedArray) {
    if !x.dtype.is_complex() {
        panic!(
            "TypeError: {name} does not accept dtype {}. Accepted dtypes are subtypes of \
             complexfloating. (jnp::{name} also takes real input.)",
            x.dtype
        );
    }
}

/// `lax.real` / `lax.imag`: one part of a complex array, as a real array.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ComplexPart {
    /// Which part.
    pub part: Part,
}

impl PrimitiveRules for ComplexPart {
    fn name(&self) -> &'static str {
        match self.part {
            Part::Real => "real",
            Part::Imag => "imag",
        }
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        require_complex(self.name(), x);
        smallvec![ShapedArray::with_weak(
            x.shape.clone(),
            x.dtype.real_dtype(),
            x.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        kernels::complex::part(self.part, inputs[0].dtype, bufs[0], &mut out);
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let prim = self.clone().into();
        let y = bind1(&prim, &[primals[0]]);
        (
            smallvec![y],
            smallvec![tangents[0].map(|t| bind1(&prim, &[t]))],
        )
    }
    fn transpose(&self, cts: &[Array], _args: &[LinearArg<'_>]) -> Cotangents {
        let t = &cts[0];
        let zero = ad_util::zeros(t.aval());
        smallvec![Some(match self.part {
            Part::Real => complex(t, &zero),
            Part::Imag => complex(&zero, &lax::neg(t)),
        })]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::same_axis(&self.clone().into(), args, dims)
    }
}

/// `lax.conj`: the complex conjugate. A real input gives its complex value
/// (`lax.conj(1.0)` is `1-0j`), as in JAX.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Conj;

impl PrimitiveRules for Conj {
    fn name(&self) -> &'static str {
        "conj"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 1);
        let x = inputs[0];
        if !x.dtype.is_inexact() {
            panic!(
                "TypeError: conj does not accept dtype {}. Accepted dtypes are subtypes of \
                 floating, complexfloating.",
                x.dtype
            );
        }
        smallvec![ShapedArray::with_weak(
            x.shape.clone(),
            x.dtype.complex_dtype(),
            x.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let d = outs[0].dtype;
        let mut out = Buffer::for_dtype(outs[0].size(), d);
        if inputs[0].dtype.is_complex() {
            kernels::complex::conj(d, bufs[0], &mut out);
        } else {
            // Real input: +0 imaginary parts, then negate them.
            let mut z = Buffer::for_dtype(outs[0].size(), d);
            kernels::convert::run(inputs[0].dtype, d, bufs[0], &mut z);
            kernels::complex::conj(d, &z, &mut out);
        }
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        (
            smallvec![conj(primals[0])],
            smallvec![tangents[0].map(conj)],
        )
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let t = &cts[0];
        smallvec![Some(if args[0].aval().dtype.is_complex() {
            conj(t)
        } else {
            real(t)
        })]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        _size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::same_axis(&self.clone().into(), args, dims)
    }
}

/// `lax.complex(x, y)`: `x + iy` from two real arrays of one dtype
/// (`float32` → `complex64`, `float64` → `complex128`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MakeComplex;

impl PrimitiveRules for MakeComplex {
    fn name(&self) -> &'static str {
        "complex"
    }
    fn params(&self) -> Vec<(&'static str, String)> {
        vec![]
    }
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        expect_arity(self.name(), inputs, 2);
        let (a, b) = (inputs[0], inputs[1]);
        same_dtypes(self.name(), a, b);
        if !matches!(a.dtype, crate::DType::F32 | crate::DType::F64) {
            panic!(
                "TypeError: complex does not accept dtype {} at position 0. Accepted dtypes at \
                 position 0 are subtypes of float32, float64.",
                a.dtype
            );
        }
        let shape = binary_shape(self.name(), a, b);
        smallvec![ShapedArray::with_weak(
            shape,
            a.dtype.complex_dtype(),
            a.weak_type && b.weak_type
        )]
    }
    fn impl_cpu(&self, inputs: &[&ShapedArray], bufs: &[&Buffer], outs: &[ShapedArray]) -> Buffers {
        let mut out = Buffer::for_dtype(outs[0].size(), outs[0].dtype);
        kernels::complex::make(
            inputs[0].dtype,
            kernels::Operand::new(bufs[0], inputs[0].size(), outs[0].size()),
            kernels::Operand::new(bufs[1], inputs[1].size(), outs[0].size()),
            &mut out,
        );
        smallvec![out]
    }
    fn fusion_class(&self) -> FusionClass {
        FusionClass::Opaque
    }
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult {
        let y = complex(primals[0], primals[1]);
        let shape = y.shape().to_vec();
        let t = match tangents {
            [None, None] => None,
            _ => {
                let part = |t: Option<&Array>, p: &Array| match t {
                    Some(t) => ad_util::broadcast_to(t, &shape),
                    None => ad_util::zeros(&ShapedArray::new(shape.as_slice().into(), p.dtype())),
                };
                Some(complex(
                    &part(tangents[0], primals[0]),
                    &part(tangents[1], primals[1]),
                ))
            }
        };
        (smallvec![y], smallvec![t])
    }
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents {
        let t = &cts[0];
        let un = |v: Array, a: &LinearArg<'_>| Some(ad_util::unbroadcast(&v, a.aval()));
        smallvec![
            args[0]
                .is_linear()
                .then(|| real(t))
                .and_then(|v| un(v, &args[0])),
            args[1]
                .is_linear()
                .then(|| imag(&lax::neg(t)))
                .and_then(|v| un(v, &args[1])),
        ]
    }
    fn differentiability(&self) -> Differentiability {
        Differentiability::Linear
    }
    fn batch(
        &self,
        args: &[&Array],
        dims: &[Option<usize>],
        size: usize,
    ) -> crate::lax::batching::BatchResult {
        crate::lax::batching::elementwise(&self.clone().into(), args, dims, size)
    }
}

/// The real part of a complex array (`lax.real`).
pub fn real(x: &Array) -> Array {
    bind1(&ComplexPart { part: Part::Real }.into(), &[x])
}

/// The imaginary part of a complex array (`lax.imag`).
pub fn imag(x: &Array) -> Array {
    bind1(&ComplexPart { part: Part::Imag }.into(), &[x])
}

/// The complex conjugate (`lax.conj`); a real input becomes complex.
pub fn conj(x: &Array) -> Array {
    bind1(&Conj.into(), &[x])
}

/// `x + iy` from real arrays of one dtype (`lax.complex`); a rank-0 side broadcasts.
pub fn complex(x: &Array, y: &Array) -> Array {
    bind1(&MakeComplex.into(), &[x, y])
}
