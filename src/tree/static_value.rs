//! Static (aux) data of custom pytree nodes: values that are part of a
//! tree's structure rather than its leaves, like JAX's `meta_fields`.

use std::any::Any;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A value stored in a [`TreeDef`](super::TreeDef) as static data.
///
/// Implemented for every `T: Any + Clone + PartialEq + Debug + Send + Sync`.
/// Equality downcasts and uses `T`'s `PartialEq` (values of different types
/// are unequal). Hashing hashes the `Debug` string, so values that are equal
/// must print the same (true for derived `Debug`); Display prints `Debug`.
pub trait StaticValue: Any + fmt::Debug + Send + Sync {
    /// The value as `&dyn Any`, for downcasting.
    fn as_any(&self) -> &dyn Any;
    /// Whether `other` has the same type and an equal value.
    fn eq_dyn(&self, other: &dyn StaticValue) -> bool;
}

impl<T: Any + Clone + PartialEq + fmt::Debug + Send + Sync> StaticValue for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn eq_dyn(&self, other: &dyn StaticValue) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
}

impl dyn StaticValue {
    /// The value as a `T`, if it is one.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }
}

impl fmt::Display for dyn StaticValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Boxes `value` as static data (used by `#[derive(PyTree)]`).
pub fn static_value<T: StaticValue>(value: T) -> Arc<dyn StaticValue> {
    Arc::new(value)
}

/// Clones static data back out as a `T` (used by `#[derive(PyTree)]`).
///
/// Panics if `value` is not a `T`.
pub fn static_field<T: StaticValue + Clone>(value: &Arc<dyn StaticValue>) -> T {
    match (**value).downcast_ref::<T>() {
        Some(v) => v.clone(),
        None => panic!(
            "static pytree field: expected a value of type `{}`, found {:?}",
            std::any::type_name::<T>(),
            value
        ),
    }
}

/// `Arc<dyn StaticValue>` with the equality and hash a `TreeDef` needs.
#[derive(Clone)]
pub(crate) struct StaticData(pub(crate) Arc<dyn StaticValue>);

impl PartialEq for StaticData {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.eq_dyn(&*other.0)
    }
}

impl Eq for StaticData {}

impl Hash for StaticData {
    fn hash<H: Hasher>(&self, state: &mut H) {
        format!("{:?}", self.0).hash(state);
    }
}

impl fmt::Debug for StaticData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}
