//! `LayerNorm` (equinox's `nn.LayerNorm`).

use super::spec::param_dtype;
use super::Module;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::numpy as jnp;
use crate::random::Key;
use crate::tree::PyTree;
use crate::Array;

/// Normalizes the whole input by its mean and variance, then applies an
/// elementwise affine map: `(x - mean) / sqrt(var + eps) * weight + bias`.
///
/// The input must have exactly `shape` (equinox ≥ 0.11); `vmap` over the
/// other axes. Statistics are computed in at least float32 and the result
/// is cast back to the input's dtype.
#[derive(PyTree, Clone, Debug)]
pub struct LayerNorm {
    /// Ones of `shape`, or `None` without weight.
    pub weight: Option<Array>,
    /// Zeros of `shape`, or `None` without bias.
    pub bias: Option<Array>,
    /// The input shape.
    #[pytree(static)]
    pub shape: Vec<usize>,
    /// Added to the variance.
    #[pytree(static)]
    pub eps: f64,
    /// Whether `weight` is used.
    #[pytree(static)]
    pub use_weight: bool,
    /// Whether `bias` is used.
    #[pytree(static)]
    pub use_bias: bool,
}

impl LayerNorm {
    /// A layer norm over inputs of `shape` (equinox's defaults: `eps = 1e-5`,
    /// weight and bias on).
    pub fn new(shape: &[usize], eps: f64, use_weight: bool, use_bias: bool) -> Self {
        Self::new_dtype(shape, eps, use_weight, use_bias, None)
    }

    /// As [`LayerNorm::new`] with parameters of `dtype`.
    pub fn new_dtype(
        shape: &[usize],
        eps: f64,
        use_weight: bool,
        use_bias: bool,
        dtype: Option<DType>,
    ) -> Self {
        let dtype = param_dtype(dtype);
        LayerNorm {
            weight: use_weight.then(|| jnp::ones_dtype(shape.to_vec(), dtype)),
            bias: use_bias.then(|| jnp::zeros_dtype(shape.to_vec(), dtype)),
            shape: shape.to_vec(),
            eps,
            use_weight,
            use_bias,
        }
    }

    /// Normalizes `x`, which must have shape `shape`.
    pub fn forward(&self, x: &Array) -> Array {
        if x.shape() != self.shape.as_slice() {
            panic!(
                "ValueError: `LayerNorm(shape)(x)` must satisfy the invariant `shape == x.shape`\
                 Received `shape={} and `x.shape={}`. You might need to replace `layer_norm(x)` \
                 with `jax.vmap(layer_norm)(x)`.\n\nIf this is a new error for you, it might be \
                 because this became stricter in Equinox v0.11.0. Previously all that was \
                 required is that `x.shape` ended with `shape`. However, this turned out to be a \
                 frequent source of bugs, so we made the check stricter!",
                fmt_tuple(&self.shape),
                fmt_tuple(x.shape())
            );
        }
        let orig = x.dtype();
        let dtype = stats_dtype(orig);
        let x = jnp::astype(x, dtype);
        let all: Vec<isize> = (0..x.ndim() as isize).collect();
        let mean = jnp::mean_axis(&x, all.clone(), true);
        let var = jnp::var_axis(&x, all, 0.0, true);
        let var = jnp::maximum(0.0, &var);
        let inv = lax::rsqrt(&(&var + self.eps));
        let mut out = (&x - &mean) * &inv;
        if let Some(w) = &self.weight {
            out = &jnp::astype(w, dtype) * &out;
        }
        if let Some(b) = &self.bias {
            out = &out + &jnp::astype(b, dtype);
        }
        jnp::astype(&out, orig)
    }
}

/// `result_type(dtype, float32)` under standard promotion: float64 and
/// complex stay, everything else computes in float32.
fn stats_dtype(dtype: DType) -> DType {
    match dtype {
        DType::F64 | DType::C64 | DType::C128 => dtype,
        _ => DType::F32,
    }
}

impl Module for LayerNorm {
    fn call(&self, x: &Array, _key: Option<&Key>) -> Array {
        self.forward(x)
    }
}
