//! `MultiheadAttention` (equinox's `nn.MultiheadAttention`).

use super::{Dropout, Linear};
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::nn::softmax;
use crate::numpy::{self as jnp, finfo};
use crate::random::{self, Key, KeyLike};
use crate::tree::PyTree;
use crate::Array;

/// The options of [`MultiheadAttention::new_with`] (equinox's keyword
/// arguments; sizes default to `query_size` and `query_size / num_heads`,
/// biases off, no dropout).
#[derive(Clone, Debug, Default)]
pub struct MhaOptions {
    /// Input channels of the keys (default `query_size`).
    pub key_size: Option<usize>,
    /// Input channels of the values (default `query_size`).
    pub value_size: Option<usize>,
    /// Output channels (default `query_size`).
    pub output_size: Option<usize>,
    /// Per-head query/key channels (default `query_size / num_heads`).
    pub qk_size: Option<usize>,
    /// Per-head value/output channels (default `query_size / num_heads`).
    pub vo_size: Option<usize>,
    /// Bias on the query projection.
    pub use_query_bias: bool,
    /// Bias on the key projection.
    pub use_key_bias: bool,
    /// Bias on the value projection.
    pub use_value_bias: bool,
    /// Bias on the output projection.
    pub use_output_bias: bool,
    /// Dropout probability on the attention weights.
    pub dropout_p: f64,
    /// Start in inference mode (no dropout).
    pub inference: bool,
    /// Parameter dtype (default: the default float).
    pub dtype: Option<DType>,
}

/// Multi-head scaled dot-product attention on one example: queries
/// `(q_seq, query_size)`, keys `(kv_seq, key_size)`, values
/// `(kv_seq, value_size)` → `(q_seq, output_size)`.
///
/// The four projections are keyed by `split(key, 4)` as in equinox.
#[derive(PyTree, Clone, Debug)]
pub struct MultiheadAttention {
    /// `query_size → num_heads * qk_size`.
    pub query_proj: Linear,
    /// `key_size → num_heads * qk_size`.
    pub key_proj: Linear,
    /// `value_size → num_heads * vo_size`.
    pub value_proj: Linear,
    /// `num_heads * vo_size → output_size`.
    pub output_proj: Linear,
    /// Dropout on the attention weights.
    pub dropout: Dropout,
    /// The number of heads.
    #[pytree(static)]
    pub num_heads: usize,
    /// Per-head query/key channels.
    #[pytree(static)]
    pub qk_size: usize,
    /// Per-head value/output channels.
    #[pytree(static)]
    pub vo_size: usize,
}

impl MultiheadAttention {
    /// Attention with equinox's defaults (no biases, no dropout).
    pub fn new(num_heads: usize, query_size: usize, key: &impl KeyLike) -> Self {
        Self::new_with(num_heads, query_size, MhaOptions::default(), key)
    }

    /// Attention with options.
    pub fn new_with(
        num_heads: usize,
        query_size: usize,
        o: MhaOptions,
        key: &impl KeyLike,
    ) -> Self {
        let keys = random::split(key, 4);
        let key_size = o.key_size.unwrap_or(query_size);
        let value_size = o.value_size.unwrap_or(query_size);
        let qk_size = o.qk_size.unwrap_or(query_size / num_heads);
        let vo_size = o.vo_size.unwrap_or(query_size / num_heads);
        let output_size = o.output_size.unwrap_or(query_size);
        let lin = |i: usize, n_in: usize, n_out: usize, bias: bool| {
            Linear::new_dtype(n_in, n_out, bias, o.dtype, &keys.idx(i))
        };
        MultiheadAttention {
            query_proj: lin(0, query_size, num_heads * qk_size, o.use_query_bias),
            key_proj: lin(1, key_size, num_heads * qk_size, o.use_key_bias),
            value_proj: lin(2, value_size, num_heads * vo_size, o.use_value_bias),
            output_proj: lin(3, num_heads * vo_size, output_size, o.use_output_bias),
            dropout: Dropout::new(o.dropout_p).with_inference(o.inference),
            num_heads,
            qk_size,
            vo_size,
        }
    }

    /// The same module with the dropout's mode set.
    pub fn with_inference(mut self, inference: bool) -> Self {
        self.dropout.inference = inference;
        self
    }

    /// Attends `query` to `key_`/`value`.
    ///
    /// `mask` (bool) is `(q_seq, kv_seq)`, or `(num_heads, q_seq, kv_seq)`
    /// per head; `false` hides a position. `key` feeds the attention
    /// dropout, one `split(key, num_heads)` subkey per head.
    pub fn forward(
        &self,
        query: &Array,
        key_: &Array,
        value: &Array,
        mask: Option<&Array>,
        key: Option<&Key>,
    ) -> Array {
        for (name, a) in [("query", query), ("key", key_), ("value", value)] {
            if a.ndim() != 2 {
                panic!(
                    "ValueError: MultiheadAttention takes one example: `{name}` must have shape \
                     (seq_length, channels), got {}. Use `vmap` for a batch.",
                    fmt_tuple(a.shape())
                );
            }
        }
        let (q_seq, kv_seq) = (query.shape()[0], key_.shape()[0]);
        if kv_seq != value.shape()[0] {
            panic!("ValueError: key and value must both be sequences of equal length.");
        }
        let q = self.project(&self.query_proj, query);
        let k = self.project(&self.key_proj, key_);
        let v = self.project(&self.value_proj, value);
        let keys = key.map(|k| random::split(k, self.num_heads));
        let heads: Vec<Array> = (0..self.num_heads)
            .map(|h| {
                let head_mask = mask.map(|m| if m.ndim() == 3 { m.idx(h) } else { m.clone() });
                let head_key = keys.as_ref().map(|k| k.idx(h));
                let weights =
                    attention_weights(&q.idx((.., h)), &k.idx((.., h)), head_mask.as_ref());
                let weights =
                    self.dropout
                        .forward(&weights, head_key.as_ref(), self.dropout.inference);
                jnp::einsum("sS,Sd->sd", [&weights, &v.idx((.., h))])
            })
            .collect();
        let attn = jnp::stack(&heads, 1);
        let attn = jnp::reshape(&attn, &[q_seq as isize, -1]);
        rows(&self.output_proj, &attn)
    }

    /// Applies `proj` to every row of `x` and splits the heads:
    /// `(seq, num_heads, per_head)`.
    fn project(&self, proj: &Linear, x: &Array) -> Array {
        if x.shape()[1] != proj.in_features {
            panic!(
                "ValueError: MultiheadAttention: input has {} channels, but its projection \
                 expects {} (got shape {}).",
                x.shape()[1],
                proj.in_features,
                fmt_tuple(x.shape())
            );
        }
        let y = rows(proj, x);
        jnp::reshape(&y, &[x.shape()[0] as isize, self.num_heads as isize, -1])
    }
}

/// `proj` applied to every row of `x` (equinox's `vmap(proj)(x)`).
fn rows(proj: &Linear, x: &Array) -> Array {
    let y = jnp::matmul(x, proj.weight.t());
    match &proj.bias {
        Some(b) => &y + b,
        None => y,
    }
}

/// Equinox's `dot_product_attention_weights` for one head:
/// `softmax(q kᵀ / sqrt(d))`, hidden positions at the dtype's minimum.
fn attention_weights(q: &Array, k: &Array, mask: Option<&Array>) -> Array {
    let d = q.shape()[1] as f64;
    let q = q / d.sqrt();
    let logits = jnp::einsum("sd,Sd->sS", [&q, k]);
    let logits = match mask {
        None => logits,
        Some(m) => {
            if m.shape() != logits.shape() {
                panic!(
                    "ValueError: mask must have shape (query_seq_length, kv_seq_length)=({}, {}). \
                     Got {}.",
                    q.shape()[0],
                    k.shape()[0],
                    fmt_tuple(m.shape())
                );
            }
            let min = finfo(logits.dtype()).min;
            jnp::r#where(m, &logits, min)
        }
    };
    let dtype = logits.dtype();
    let compute = if dtype == DType::F64 {
        dtype
    } else {
        DType::F32
    };
    jnp::astype(&softmax(jnp::astype(&logits, compute)), dtype)
}
