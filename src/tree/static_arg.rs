//! `Static<T>`: a function argument that `jit` treats as a compile-time
//! constant (JAX's `static_argnums`). It is a pytree with no leaves whose
//! value lives in the `TreeDef`, so each distinct value gets its own
//! compiled version and the function sees the concrete value while tracing.

use super::static_value::{static_field, static_value, StaticValue};
use super::{PyTree, TreeDef};
use crate::core::array::Array;
use std::fmt;

/// A static (compile-time) argument: `jit(|x: &Array, n: &Static<usize>| ...)`
/// is `jax.jit(f, static_argnums=1)`. The value must equal itself (`NaN`
/// cannot be static) and may not hold arrays.
///
/// ```
/// use jaxide::prelude::*;
/// let power = jit(|x: &Array, n: &Static<i32>| x.pow(n.0));
/// let x = jnp::array([2.0f32, 3.0]);
/// assert_eq!(power(&x, &Static(3)).to_vec::<f32>(), vec![8.0, 27.0]);
/// ```
///
/// Arrays cannot be static (they are not comparable by value):
///
/// ```compile_fail
/// use jaxide::prelude::*;
/// let f = jit(|x: &Array, y: &Static<Array>| x + &y.0);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Static<T>(pub T);

impl<T: fmt::Debug> fmt::Debug for Static<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<T> std::ops::Deref for Static<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: StaticValue + Clone + PartialEq> PyTree for Static<T> {
    fn flatten_into(&self, _leaves: &mut Vec<Array>) -> TreeDef {
        // Deliberately comparing the value with itself: NaN-like values fail.
        #[allow(clippy::eq_op)]
        let reflexive = self.0 == self.0;
        if !reflexive {
            panic!(
                "ValueError: static argument {:?} (of type `{}`) is not equal to itself, so a \
                 compiled version could never be reused for it. Static arguments must have a \
                 reflexive equality: pass NaN-valued floats as arrays (non-static arguments) \
                 instead.",
                self.0,
                std::any::type_name::<T>()
            );
        }
        TreeDef::custom::<Static<T>>("Static", &[], vec![static_value(self.0.clone())], vec![])
    }

    fn unflatten_from(def: &TreeDef, _leaves: &mut dyn Iterator<Item = Array>) -> Self {
        let (_, statics) = def.custom_parts::<Static<T>>();
        Static(static_field::<T>(&statics[0]))
    }
}
