//! Shuffles and draws without replacement: `permutation`, `choice`, and
//! the without-replacement form of `categorical`. Shuffling sorts by fresh
//! random uint32 keys, in as many rounds as JAX uses.

use super::key::{Key, KeyLike};
use super::threefry::{bits, split2};
use super::uniform::unit_interval;
use super::univariate::gumbel_with;
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::lax;
use crate::numpy::{self as jnp, promote::default_int};

/// Shuffles every lane of `x` along `axis` independently: ceil(3 ln(size) /
/// ln(2^32 - 1)) rounds of a stable sort by random uint32 keys.
fn shuffle(key: &Key, x: &Array, axis: usize) -> Array {
    let size = x.size().max(1) as f64;
    let rounds = (3.0 * size.ln() / (u32::MAX as f64).ln()).ceil() as usize;
    let (mut key, mut x) = (key.clone(), x.clone());
    for _ in 0..rounds {
        let (next, sub) = split2(&key);
        key = next;
        let sort_keys = bits(&sub, x.shape());
        x = lax::sort_key_val(&sort_keys, &x, axis, true).1;
    }
    x
}

/// A random permutation of `0..n` in the default integer dtype
/// (`jax.random.permutation(key, n)`).
///
/// ```
/// use jaxide::random;
/// let p = random::permutation(&random::key(2), 10);
/// assert_eq!(format!("{p:?}"), "Array([2, 9, 4, 7, 1, 6, 3, 8, 5, 0], dtype=int32)");
/// ```
pub fn permutation(key: &impl KeyLike, n: usize) -> Array {
    let k = key.single_key("permutation");
    shuffle(&k, &jnp::arange_dtype(n as i64, default_int()), 0)
}

/// `x` shuffled along `axis` (`jax.random.permutation(key, x, axis,
/// independent)`): with `independent`, every lane along `axis` gets its own
/// order; otherwise whole slices move together.
pub fn permutation_of(key: &impl KeyLike, x: &Array, axis: isize, independent: bool) -> Array {
    let k = key.single_key("permutation");
    if x.ndim() == 0 {
        panic!("TypeError: x must be an integer or at least 1-dimensional");
    }
    let nd = x.ndim() as isize;
    if axis < -nd || axis >= nd {
        panic!("ValueError: axis {axis} is out of bounds for array of dimension {nd}");
    }
    let ax = axis.rem_euclid(nd) as usize;
    if independent || x.ndim() == 1 {
        return shuffle(&k, x, ax);
    }
    let n = x.shape()[ax];
    let order = shuffle(&k, &jnp::arange_dtype(n as i64, default_int()), 0);
    take_permuted(x, &order, ax)
}

/// `take(x, order, axis)` for a permutation `order`, as a sort of `x`'s
/// slices by the inverse permutation.
fn take_permuted(x: &Array, order: &Array, axis: usize) -> Array {
    let n = order.size();
    let iota = lax::iota(order.dtype(), n);
    let inverse = lax::sort_key_val(order, &iota, 0, true).1;
    let keys = lax::broadcast_in_dim(&inverse, x.shape(), &[axis]);
    lax::sort_key_val(&keys, x, axis, true).1
}

/// Draws `shape` samples from `0..n` (`jax.random.choice(key, n, shape,
/// replace, p)`), uniformly or with probabilities `p` (a float vector of
/// length `n`), with or without replacement.
pub fn choice(
    key: &impl KeyLike,
    n: usize,
    shape: &[usize],
    replace: bool,
    p: Option<&Array>,
) -> Array {
    let k = key.single_key("choice");
    let draws: usize = shape.iter().product();
    let int = default_int();
    if draws == 0 {
        return lax::broadcast_in_dim(&lax::ad_util::constant(0.0, int, false), shape, &[]);
    }
    if n == 0 {
        panic!("ValueError: a must be greater than 0 unless no samples are taken");
    }
    if !replace && draws > n {
        panic!(
            "ValueError: Cannot take a larger sample (size {draws}) than population (size {n}) \
             when 'replace=False'"
        );
    }
    let flat = match p {
        None if replace => super::discrete::randint(&k, shape, 0, n as i64),
        None => lax::slice(&permutation(&k, n), &[0], &[draws]),
        Some(p) => {
            if p.ndim() != 1 || p.shape()[0] != n {
                panic!(
                    "ValueError: p must be None or a 1D vector with the same size as \
                     a.shape[axis]. p has shape {} and a.shape[axis] is {n}.",
                    fmt_tuple(p.shape())
                );
            }
            if !p.dtype().is_float() {
                panic!(
                    "TypeError: choice p must have a floating dtype, got {}.",
                    p.dtype()
                );
            }
            if replace {
                weighted_with_replacement(&k, p, shape)
            } else {
                let g = lax::add(&gumbel_with(&k, &[n], p.dtype()), &lax::log(p));
                lax::slice(&top_k_indices(&g, 0, default_int()), &[0], &[draws])
            }
        }
    };
    lax::reshape(&flat, shape)
}

/// Draws `shape` samples of `a`'s slices along `axis`
/// (`jax.random.choice(key, a, shape, replace, p, axis)` for an array `a`):
/// the result has shape `a.shape[:axis] + shape + a.shape[axis+1:]`.
pub fn choice_from(
    key: &impl KeyLike,
    a: &Array,
    shape: &[usize],
    replace: bool,
    p: Option<&Array>,
    axis: isize,
) -> Array {
    let k = key.single_key("choice");
    let nd = a.ndim() as isize;
    if nd == 0 {
        panic!(
            "ValueError: choice_from needs an array of at least 1 dimension; for a population \
             0..n use choice(key, n, ...)"
        );
    }
    if axis < -nd || axis >= nd {
        panic!("ValueError: axis {axis} is out of bounds for array of dimension {nd}");
    }
    let ax = axis.rem_euclid(nd) as usize;
    let ind = choice(&k, a.shape()[ax], shape, replace, p);
    let flat = lax::reshape(&ind, &[ind.size(), 1]);
    let mut sizes = a.shape().to_vec();
    sizes[ax] = 1;
    let dn = lax::GatherDimensionNumbers {
        offset_dims: (0..a.ndim()).filter(|&d| d != ax).collect(),
        collapsed_slice_dims: vec![ax],
        start_index_map: vec![ax],
        ..Default::default()
    };
    let taken = lax::gather(a, &flat, dn, &sizes, lax::GatherScatterMode::Clip);
    let mut out_shape = a.shape()[..ax].to_vec();
    out_shape.extend_from_slice(shape);
    out_shape.extend_from_slice(&a.shape()[ax + 1..]);
    lax::reshape(&taken, &out_shape)
}

/// Indices drawn by inverse-CDF sampling: `searchsorted(cumsum(p), u * sum)`.
fn weighted_with_replacement(k: &Key, p: &Array, shape: &[usize]) -> Array {
    let c = jnp::cumsum(p); // in XLA:CPU's summation order, as JAX
    let n = c.size();
    let total = lax::reshape(&lax::slice(&c, &[n - 1], &[n]), &[]);
    let one = lax::ad_util::constant(1.0, p.dtype(), false);
    let r = lax::mul(&total, &lax::sub(&one, &unit_interval(k, shape, p.dtype())));
    // searchsorted(c, r, side="left"): how many entries of c are below r.
    let mut wide = shape.to_vec();
    wide.push(n);
    let below = lax::lt(
        &lax::broadcast_in_dim(&c, &wide, &[shape.len()]),
        &lax::broadcast_in_dim(&r, &wide, &(0..shape.len()).collect::<Vec<_>>()),
    );
    let counts = lax::convert_element_type(&below, default_int());
    jnp::sum_axis(&counts, -1, false)
}

/// The indices that sort `x` descending along `axis`, ties by lower index
/// first (`lax.top_k`'s order).
fn top_k_indices(x: &Array, axis: usize, index_dtype: DType) -> Array {
    let iota = lax::broadcasted_iota(index_dtype, x.shape(), axis);
    lax::sort_key_val(&lax::neg(x), &iota, axis, true).1
}

/// `categorical` without replacement: the top `prod(prefix)` Gumbel-perturbed
/// logits along `axis`, with the draw index in front.
pub(crate) fn categorical_without_replacement(
    k: &Key,
    logits: &Array,
    axis: usize,
    shape: &[usize],
    prefix: usize,
) -> Array {
    let draws: usize = shape[..prefix].iter().product();
    let categories = logits.shape()[axis];
    if draws > categories {
        panic!(
            "ValueError: Number of samples without replacement ({draws}) cannot exceed number \
             of categories ({categories})."
        );
    }
    let scores = lax::add(logits, &gumbel_with(k, logits.shape(), logits.dtype()));
    let last = logits.ndim() - 1;
    let moved = lax::batching::move_axis(&scores, axis, last);
    // lax.top_k's indices are int32 even with x64.
    let order = top_k_indices(&moved, last, DType::I32);
    let mut start = vec![0; moved.ndim()];
    let mut limit = moved.shape().to_vec();
    start[last] = 0;
    limit[last] = draws;
    let top = lax::slice(&order, &start, &limit);
    lax::reshape(&lax::batching::move_axis(&top, last, 0), shape)
}
