//! Typed plumbing for multi-argument transformations: functions of 1–6
//! pytree arguments ([`TreeFn`]), choosing the differentiated arguments
//! ([`Select`], `argnums`), and turning a tuple function back into a
//! function of several arguments ([`Curry`]).

use crate::core::array::Array;
use crate::tree::PyTree;

/// A function of the pytree arguments in the tuple `Args`, returning `R`.
///
/// Implemented for every `Fn(&A) -> R`, `Fn(&A, &B) -> R`, ... up to six
/// arguments, so `grad(f)` accepts plain functions of several arguments.
/// Closures passed to a transformation need their argument types written
/// out (`|x: &Array, y: &Array| ...`), since Rust cannot infer them through
/// a trait with several implementations.
pub trait TreeFn<Args, R, M = ByRef> {
    /// Calls the function with the arguments in `args`.
    fn call_args(&self, args: &Args) -> R;
}

/// Marks [`TreeFn`] impls for functions taking their arguments by
/// reference: closures `|x: &Array, p: &Params| ...` and `fn f(x: &Array)`.
pub struct ByRef;

/// Marks [`TreeFn`] impls for functions taking arrays by value, such as the
/// generic jnp functions (`fn sin(x: impl ArrayLike)`), so that
/// `grad(jnp::sin)`, `vmap(jnp::sum)` and `jit(jnp::tanh)` compile.
pub struct ByValue;

macro_rules! by_value_arity {
    ($($T:ident $i:tt),+) => {
        impl<F, R> TreeFn<($($T,)+), R, ByValue> for F
        where
            F: Fn($($T),+) -> R,
        {
            fn call_args(&self, args: &($($T,)+)) -> R {
                self($(args.$i.clone()),+)
            }
        }
    };
}
by_value_arity!(Array 0);
by_value_arity!(Array 0, Array 1);
by_value_arity!(Array 0, Array 1, Array 2);

/// Rebuilds a function of several arguments from a function of their tuple.
pub trait Curry<'f, R>: Sized {
    /// The function of several arguments (boxed: Rust cannot name the
    /// closure type per arity).
    type Callable;
    /// Wraps `g` so it is called with separate argument references.
    fn curry(g: impl Fn(Self) -> R + Send + Sync + 'f) -> Self::Callable;
}

macro_rules! arity {
    ($($T:ident $i:tt),+) => {
        impl<F, R, $($T),+> TreeFn<($($T,)+), R, ByRef> for F
        where
            F: Fn($(&$T),+) -> R,
        {
            fn call_args(&self, args: &($($T,)+)) -> R {
                self($(&args.$i),+)
            }
        }

        impl<'f, R: 'f, $($T: Clone + 'f),+> Curry<'f, R> for ($($T,)+) {
            type Callable = Box<dyn Fn($(&$T),+) -> R + Send + Sync + 'f>;
            #[allow(non_snake_case)]
            fn curry(g: impl Fn(Self) -> R + Send + Sync + 'f) -> Self::Callable {
                Box::new(move |$($T: &$T),+| g(($($T.clone(),)+)))
            }
        }
    };
}
arity!(A 0);
arity!(A 0, B 1);
arity!(A 0, B 1, C 2);
arity!(A 0, B 1, C 2, D 3);
arity!(A 0, B 1, C 2, D 3, E 4);
arity!(A 0, B 1, C 2, D 3, E 4, G 5);

/// Which arguments a transformation differentiates (JAX's `argnums`).
///
/// `Arg0`..`Arg5` select one argument (the result has that argument's type);
/// tuples of them select several (the result is the tuple of their types),
/// so `grad_argnums(f, (Arg0, Arg1))` returns `(dx, dy)`.
pub trait Select<Args> {
    /// The type of the selected argument(s).
    type Out: PyTree + Clone;
    /// Copies the selected argument(s) out of `args`.
    fn pick(args: &Args) -> Self::Out;
    /// Replaces the selected argument(s) in `args`.
    fn put(args: &mut Args, value: Self::Out);
}

macro_rules! argnum {
    ($(#[$doc:meta])* $Sel:ident, $i:tt, $Out:ident; $(($($T:ident),+)),+) => {
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $Sel;
        $(
            impl<$($T),+> Select<($($T,)+)> for $Sel
            where
                $Out: PyTree + Clone,
            {
                type Out = $Out;
                fn pick(args: &($($T,)+)) -> $Out {
                    args.$i.clone()
                }
                fn put(args: &mut ($($T,)+), value: $Out) {
                    args.$i = value;
                }
            }
        )+
    };
}
argnum!(/// The first argument (`argnums=0`).
    Arg0, 0, A; (A), (A, B), (A, B, C), (A, B, C, D), (A, B, C, D, E), (A, B, C, D, E, G));
argnum!(/// The second argument (`argnums=1`).
    Arg1, 1, B; (A, B), (A, B, C), (A, B, C, D), (A, B, C, D, E), (A, B, C, D, E, G));
argnum!(/// The third argument (`argnums=2`).
    Arg2, 2, C; (A, B, C), (A, B, C, D), (A, B, C, D, E), (A, B, C, D, E, G));
argnum!(/// The fourth argument (`argnums=3`).
    Arg3, 3, D; (A, B, C, D), (A, B, C, D, E), (A, B, C, D, E, G));
argnum!(/// The fifth argument (`argnums=4`).
    Arg4, 4, E; (A, B, C, D, E), (A, B, C, D, E, G));
argnum!(/// The sixth argument (`argnums=5`).
    Arg5, 5, G; (A, B, C, D, E, G));

macro_rules! select_tuple {
    ($($S:ident $i:tt),+) => {
        impl<Args, $($S: Select<Args>),+> Select<Args> for ($($S,)+) {
            type Out = ($($S::Out,)+);
            fn pick(args: &Args) -> Self::Out {
                ($($S::pick(args),)+)
            }
            fn put(args: &mut Args, value: Self::Out) {
                $($S::put(args, value.$i);)+
            }
        }
    };
}
select_tuple!(S0 0);
select_tuple!(S0 0, S1 1);
select_tuple!(S0 0, S1 1, S2 2);
select_tuple!(S0 0, S1 1, S2 2, S3 3);
select_tuple!(S0 0, S1 1, S2 2, S3 3, S4 4);
select_tuple!(S0 0, S1 1, S2 2, S3 3, S4 4, S5 5);
