//! Splitting, folding and raw bits with Threefry-2x32 in JAX's default
//! (partitionable) layout: element `i` of a result hashes the counter pair
//! `(hi32(i), lo32(i))` of its row-major index, so values do not depend on
//! the requested shape.

use super::key::{Key, KeyLike};
use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::ir::BinaryOp;
use crate::lax;

/// The key words `(k0, k1)` of a single key, as uint32 scalars.
fn words(k: &Key) -> (Array, Array) {
    let d = k.data();
    let w = |i: usize| lax::reshape(&lax::slice(d, &[i], &[i + 1]), &[]);
    (w(0), w(1))
}

/// Threefry on the counters of elements `0..n` of `shape`: `(y0, y1)` shaped like `shape`.
fn hash_indices(k: &Key, shape: &[usize]) -> (Array, Array) {
    let n: usize = shape.iter().product();
    assert!(
        (n as u64) < (1u64 << 32) || cfg!(target_pointer_width = "64"),
        "index counters need 64 bits"
    );
    let (k0, k1) = words(k);
    let lo = lax::iota(DType::U32, n);
    // Indices below 2^32 have a zero high word.
    let hi = if (n as u64) <= (1u64 << 32) {
        lax::broadcast_in_dim(&Array::scalar(0u32), &[n], &[])
    } else {
        let i64s = lax::iota(DType::U64, n);
        lax::convert_element_type(
            &lax::binary(
                BinaryOp::ShiftRightLogical,
                &i64s,
                &lax::ad_util::constant(32.0, DType::U64, false),
            ),
            DType::U32,
        )
    };
    let (y0, y1) = lax::threefry2x32(&k0, &k1, &hi, &lo);
    (lax::reshape(&y0, shape), lax::reshape(&y1, shape))
}

/// Row `i` of a `(n, 2)` array of key data, as `uint32[2]` key data.
pub(crate) fn key_row(keys: &Array, i: usize) -> Array {
    lax::reshape(&lax::slice(keys, &[i, 0], &[i + 1, 2]), &[2])
}

/// `(split(key)[0], split(key)[1])`.
pub(crate) fn split2(k: &Key) -> (Key, Key) {
    let keys = split(k, 2).data().clone();
    let at = |i: usize| Key::from_data_unchecked(key_row(&keys, i));
    (at(0), at(1))
}

/// Splits a key into `num` new keys (`jax.random.split`).
///
/// ```
/// use jaxide::random;
/// let ks = random::split(&random::key(0), 2);
/// assert_eq!(random::key_data(&ks).to_vec::<u32>(), vec![1797259609, 2579123966, 928981903, 3453687069]);
/// ```
pub fn split(key: &impl KeyLike, num: usize) -> Key {
    split_shape(key, &[num])
}

/// Splits a key into an array of keys of `shape`.
pub fn split_shape(key: &impl KeyLike, shape: &[usize]) -> Key {
    let k = key.single_key("split");
    let (y0, y1) = hash_indices(&k, shape);
    let mut with_pair = shape.to_vec();
    with_pair.push(1);
    let data = lax::concatenate(
        &[
            &lax::reshape(&y0, &with_pair),
            &lax::reshape(&y1, &with_pair),
        ],
        shape.len(),
    );
    Key::from_data_unchecked(data)
}

/// A new key from a key and an integer (`jax.random.fold_in`): the same as
/// `split(key, n)[data]` for any `n > data`.
pub fn fold_in(key: &impl KeyLike, data: u32) -> Key {
    let k = key.single_key("fold_in");
    let (k0, k1) = words(&k);
    let (y0, y1) = lax::threefry2x32(&k0, &k1, &Array::scalar(0u32), &Array::scalar(data));
    Key::from_data_unchecked(lax::concatenate(
        &[&lax::reshape(&y0, &[1]), &lax::reshape(&y1, &[1])],
        0,
    ))
}

/// Uniformly random uint32 bits of `shape` (`jax.random.bits`): `y0 ^ y1`
/// of each element's block.
pub fn bits(key: &impl KeyLike, shape: &[usize]) -> Array {
    let k = key.single_key("bits");
    let (y0, y1) = hash_indices(&k, shape);
    lax::binary(BinaryOp::Xor, &y0, &y1)
}

/// Uniformly random uint64 bits of `shape`: `(y0 << 32) | y1` of each
/// element's block (JAX's 64-bit layout).
pub fn bits64(key: &impl KeyLike, shape: &[usize]) -> Array {
    let k = key.single_key("bits");
    let (y0, y1) = hash_indices(&k, shape);
    let wide = |y: &Array| lax::convert_element_type(y, DType::U64);
    let hi = lax::binary(
        BinaryOp::ShiftLeft,
        &wide(&y0),
        &lax::ad_util::constant(32.0, DType::U64, false),
    );
    lax::binary(BinaryOp::Or, &hi, &wide(&y1))
}

/// Uniformly random bits of an unsigned `dtype` (`jax.random.bits(key,
/// shape, dtype)`): uint8/uint16 keep the low bits of the 32-bit draw,
/// uint64 needs x64 (without it JAX narrows to uint32, as here).
pub fn bits_with(key: &impl KeyLike, shape: &[usize], dtype: DType) -> Array {
    match dtype {
        DType::U32 => bits(key, shape),
        DType::U64 if crate::config::enable_x64() => bits64(key, shape),
        DType::U64 => bits(key, shape),
        DType::U8 | DType::U16 => lax::convert_element_type(&bits(key, shape), dtype),
        d => panic!("ValueError: dtype argument to `bits` must be an unsigned int dtype, got {d}"),
    }
}
