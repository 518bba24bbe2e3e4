//! PRNG keys: typed scalar keys (`key<fry>`, JAX's `jax.random.key`) over
//! `uint32[..., 2]` key data, and raw `uint32[2]` keys (`PRNGKey`).

use crate::core::array::Array;
use crate::core::dtype::DType;
use crate::core::shape::fmt_tuple;
use crate::tree::{PyTree, TreeDef};

/// An array of Threefry PRNG keys: key data of shape `[*shape, 2]`, uint32.
/// Prints as JAX prints a `key<fry>` array. A pytree leaf (its key data),
/// so keys pass through `jit` and `vmap`.
#[derive(Clone)]
pub struct Key {
    data: Array,
}

impl Key {
    /// The key array's shape (the key data without its trailing 2).
    pub fn shape(&self) -> &[usize] {
        let s = self.data.shape();
        &s[..s.len() - 1]
    }

    /// The number of key dimensions.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of keys.
    pub fn size(&self) -> usize {
        self.shape().iter().product()
    }

    /// Indexes the key array as an array of its shape (`keys[i]`,
    /// `keys[1:]`, `keys[mask]`, ...): NumPy's grammar applies to the key
    /// axes only, never to the key data's trailing axis.
    ///
    /// ```
    /// use jaxide::prelude::*;
    /// use jaxide::random;
    /// let keys = random::split(&random::key(0), 4);
    /// assert_eq!(keys.idx(0).shape(), &[] as &[usize]);
    /// assert_eq!(keys.idx(s![1..]).shape(), &[3]);
    /// ```
    pub fn idx(&self, index: impl Into<crate::numpy::Index>) -> Key {
        use crate::numpy::{IndexItem, Slice};
        let mut items = index.into().0;
        if items.iter().any(|i| matches!(i, IndexItem::Ellipsis)) {
            // Keep `...` from reaching the trailing key-data axis.
            items.push(IndexItem::Slice(Slice::new(None, None, None)));
        }
        Key {
            data: self.data.idx(crate::numpy::Index(items)),
        }
    }

    pub(crate) fn from_data_unchecked(data: Array) -> Key {
        Key { data }
    }

    pub(crate) fn data(&self) -> &Array {
        &self.data
    }
}

impl std::fmt::Debug for Key {
    /// `Array((), dtype=key<fry>) overlaying:\n[0 0]`, as JAX's `repr`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.data.is_tracer() {
            return write!(f, "Key({:?})", self.data);
        }
        write!(
            f,
            "Array({}, dtype=key<fry>) overlaying:\n{}",
            fmt_tuple(self.shape()),
            self.data
        )
    }
}

impl std::fmt::Display for Key {
    /// The same as `Debug` (JAX's `str` of a key array is its `repr`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

impl PyTree for Key {
    fn flatten_into(&self, leaves: &mut Vec<Array>) -> TreeDef {
        self.data.flatten_into(leaves)
    }
    fn unflatten_from(def: &TreeDef, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        Key {
            data: Array::unflatten_from(def, leaves),
        }
    }
}

/// Joins key arrays along a new axis (`jnp.stack` of typed keys): `axis`
/// counts the key axes (negative from the end), never the key data's.
///
/// ```
/// use jaxide::random;
/// let (a, b) = (random::key(0), random::key(1));
/// let ks = random::stack_keys([&a, &b], 0);
/// assert_eq!(ks.shape(), &[2]);
/// ```
pub fn stack_keys<'a>(keys: impl IntoIterator<Item = &'a Key>, axis: isize) -> Key {
    let data: Vec<&Array> = keys.into_iter().map(|k| &k.data).collect();
    let Some(first) = data.first() else {
        panic!("ValueError: Need at least one array to stack.");
    };
    let ndim = first.ndim() - 1;
    let a = crate::core::shape::canonicalize_axis(axis, ndim + 1, "stack");
    Key {
        data: crate::numpy::stack(&data, a as isize),
    }
}

/// Joins key arrays along an existing key axis (`jnp.concatenate` of keys).
pub fn concatenate_keys<'a>(keys: impl IntoIterator<Item = &'a Key>, axis: isize) -> Key {
    let data: Vec<&Array> = keys.into_iter().map(|k| &k.data).collect();
    let Some(first) = data.first() else {
        panic!("ValueError: Need at least one array to concatenate.");
    };
    let ndim = first.ndim() - 1;
    if ndim == 0 {
        panic!("ValueError: Zero-dimensional arrays cannot be concatenated.");
    }
    let a = crate::core::shape::canonicalize_axis(axis, ndim, "concatenate");
    Key {
        data: crate::numpy::concatenate(&data, a as isize),
    }
}

/// Checks raw key data, with JAX's messages.
fn check_key_data(data: &Array) {
    if data.dtype() != DType::U32 {
        panic!(
            "TypeError: JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; \
             got dtype={}",
            data.dtype()
        );
    }
    if data.ndim() == 0 {
        panic!(
            "TypeError: JAX encountered invalid PRNG key data: expected key_data.ndim >= 1; got \
             ndim=0"
        );
    }
    if data.shape()[data.ndim() - 1] != 2 {
        panic!(
            "TypeError: JAX encountered invalid PRNG key data: expected key_data.shape to end \
             with (2,); got shape={} for impl=threefry2x32",
            fmt_tuple(data.shape())
        );
    }
}

/// The key data `[hi, lo]` of an integer seed: the low 32 bits only unless
/// x64 is enabled (JAX canonicalizes a Python int seed to int32 then).
fn seed_data(seed: i64) -> Array {
    let bits = seed as u64;
    let (hi, lo) = if crate::config::enable_x64() {
        ((bits >> 32) as u32, bits as u32)
    } else {
        (0, bits as u32)
    };
    Array::from_vec(vec![hi, lo], vec![2])
}

/// A typed PRNG key from an integer seed (`jax.random.key`).
///
/// ```
/// use jaxide::random;
/// assert_eq!(format!("{:?}", random::key(42)), "Array((), dtype=key<fry>) overlaying:\n[ 0 42]");
/// ```
pub fn key(seed: i64) -> Key {
    Key {
        data: seed_data(seed),
    }
}

/// A raw `uint32[2]` key from an integer seed (`jax.random.PRNGKey`).
pub fn prng_key(seed: i64) -> Array {
    seed_data(seed)
}

/// The `uint32[..., 2]` data of a key array (`jax.random.key_data`).
pub fn key_data(keys: &Key) -> Array {
    keys.data.clone()
}

/// Wraps `uint32[..., 2]` data as a key array (`jax.random.wrap_key_data`).
pub fn wrap_key_data(data: &Array) -> Key {
    check_key_data(data);
    Key { data: data.clone() }
}

/// What samplers accept as a key: a typed [`Key`] or raw `uint32[2]` data.
pub trait KeyLike {
    /// The key, checked to be a single key for `api`; panics with JAX's message otherwise.
    fn single_key(&self, api: &str) -> Key;
}

impl KeyLike for Key {
    fn single_key(&self, api: &str) -> Key {
        if !self.shape().is_empty() {
            panic!(
                "ValueError: {api} accepts a single key, but was given a key array of shape {} \
                 != (). Use jax.vmap for batching.",
                fmt_tuple(self.shape())
            );
        }
        self.clone()
    }
}

impl KeyLike for Array {
    fn single_key(&self, api: &str) -> Key {
        check_key_data(self);
        if self.ndim() != 1 {
            panic!(
                "ValueError: {api} accepts a single key, but was given a key array of shape {} \
                 != (). Use jax.vmap for batching.",
                fmt_tuple(self.shape())
            );
        }
        Key { data: self.clone() }
    }
}
