//! `jnp.linalg.tensorsolve` and `jnp.linalg.tensorinv`: `solve` and `inv`
//! on arrays reshaped to matrices.

use crate::core::array::Array;
use crate::core::shape::fmt_tuple;
use crate::lax;

/// `jnp.linalg.tensorinv`: the inverse of `a` seen as a matrix of its first
/// `ind` axes by the rest, shaped `a.shape[ind:] + a.shape[:ind]`.
pub fn tensorinv(a: &Array, ind: usize) -> Array {
    if ind == 0 {
        panic!("ValueError: ind must be a positive integer; got ind={ind}");
    }
    let ind = ind.min(a.ndim());
    let (contracting, batch) = a.shape().split_at(ind);
    let (rows, cols) = (
        contracting.iter().product::<usize>(),
        batch.iter().product::<usize>(),
    );
    if rows != cols {
        panic!(
            "ValueError: tensorinv is only possible when the product of the first `ind` \
             dimensions equals that of the remaining dimensions. got arr.shape={} with ind={ind}.",
            fmt_tuple(a.shape())
        );
    }
    let out_shape: Vec<usize> = batch.iter().chain(contracting).copied().collect();
    lax::reshape(&super::inv(&lax::reshape(a, &[rows, cols])), &out_shape)
}

/// `jnp.linalg.tensorsolve`: `x` with `tensordot(a, x, x.ndim) == b`;
/// `axes` (if given) are moved to the end of `a` first.
pub fn tensorsolve(a: &Array, b: &Array, axes: Option<&[isize]>) -> Array {
    let mut a = a.clone();
    if let Some(axes) = axes {
        // Moving each axis to the end in turn keeps their order (NumPy's moveaxis).
        let nd = a.ndim() as isize;
        let canon: Vec<isize> = axes
            .iter()
            .map(|&x| if x < 0 { x + nd } else { x })
            .collect();
        let mut order: Vec<isize> = (0..nd).filter(|i| !canon.contains(i)).collect();
        order.extend(&canon);
        let perm: Vec<usize> = order.iter().map(|&i| i as usize).collect();
        a = lax::transpose(&a, &perm);
    }
    let bn = b.ndim();
    let out_shape = a.shape()[bn.min(a.ndim())..].to_vec();
    if a.ndim() < bn || a.shape()[..bn] != *b.shape() {
        panic!(
            "ValueError: After moving axes to end, leading shape of a must match shape of b. got \
             a.shape={}, b.shape={}",
            fmt_tuple(a.shape()),
            fmt_tuple(b.shape())
        );
    }
    let n: usize = out_shape.iter().product();
    if b.size() != n {
        panic!(
            "ValueError: Input arrays must have prod(a.shape[:b.ndim]) == prod(a.shape[b.ndim:]); \
             got a.shape={}, b.ndim={bn}.",
            fmt_tuple(a.shape())
        );
    }
    let a = lax::reshape(&a, &[b.size(), n]);
    lax::reshape(&super::solve(&a, &lax::reshape(b, &[b.size()])), &out_shape)
}
