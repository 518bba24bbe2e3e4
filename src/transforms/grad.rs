//! The grad family: `grad`, `value_and_grad`, with `argnums` and `has_aux`.
//!
//! `grad` is `vjp` with an output cotangent of 1. Each function takes a
//! function of up to six pytree arguments and returns a function of the same
//! arguments (boxed, because Rust cannot name a closure type per arity).

use super::args::{Arg0, Curry, Select, TreeFn};
use crate::core::array::Array;
use crate::interpreters::ad::vjp_flat;
use crate::lax::ad_util;
use crate::tree::{tree_flatten, tree_unflatten, PyTree, TreeDef};
use std::cell::RefCell;

/// Options of [`grad_with`] and [`value_and_grad_with`] (JAX's keyword
/// arguments of `jax.grad`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GradOptions {
    /// The function is holomorphic: complex inputs and a complex output,
    /// and the gradient is the complex derivative `f'(z)`.
    pub holomorphic: bool,
    /// Integer and bool inputs are allowed; their gradients are zero-size
    /// `float0` arrays of the input's shape, as in JAX.
    pub allow_int: bool,
}

/// Panics unless every differentiated leaf is inexact (complex, with
/// `holomorphic`), with JAX's message.
pub(crate) fn check_inexact_inputs(what: &str, leaves: &[Array]) {
    check_inputs(what, leaves, GradOptions::default())
}

fn check_inputs(what: &str, leaves: &[Array], options: GradOptions) {
    for x in leaves {
        let d = x.dtype();
        if options.holomorphic && !d.is_complex() {
            panic!("TypeError: {what} with holomorphic=True requires inputs with complex dtype, but got {d}.");
        }
        if options.allow_int && (d.is_int() || d.is_bool()) {
            continue;
        }
        if !d.is_inexact() {
            panic!(
                "TypeError: {what} requires real- or complex-valued inputs (input dtype that is \
                 a sub-dtype of np.inexact), but got {d}. If you want to use Boolean- or \
                 integer-valued inputs, use vjp or set allow_int to True."
            );
        }
    }
}

/// Panics unless `out` is a real scalar (complex, with `holomorphic`), with
/// JAX's message.
fn check_scalar_output(what: &str, out: &Array, options: GradOptions) {
    if out.ndim() != 0 {
        panic!(
            "TypeError: Gradient only defined for scalar-output functions. Output had shape: {}.",
            crate::core::shape::fmt_tuple(out.shape())
        );
    }
    let d = out.dtype();
    if options.holomorphic {
        if !d.is_complex() {
            panic!("TypeError: {what} with holomorphic=True requires outputs with complex dtype, but got {d}.");
        }
        return;
    }
    if !d.is_float() {
        let hint = if d.is_complex() {
            "For holomorphic differentiation, pass holomorphic=True. For \
             differentiation of non-holomorphic functions involving complex outputs, use \
             jax.vjp directly."
        } else {
            "For differentiation of functions with integer outputs, use jax.vjp directly."
        };
        panic!(
            "TypeError: {what} requires real-valued outputs (output dtype that is a sub-dtype \
             of np.floating), but got {d}. {hint}"
        );
    }
}

/// The engine behind the whole family: the value, the aux data, and the
/// gradient with respect to the selected arguments.
fn value_aux_and_grad<Args, S, Aux>(
    what: &str,
    f: &dyn Fn(&Args) -> (Array, Aux),
    args: Args,
    options: GradOptions,
) -> (Array, Aux, S::Out)
where
    Args: Clone,
    S: Select<Args>,
    Aux: PyTree,
{
    let selected = S::pick(&args);
    let (leaves, def) = tree_flatten(&selected);
    check_inputs(what, &leaves, options);
    let aux_def: RefCell<Option<TreeDef>> = RefCell::new(None);
    let flat = |xs: &[Array]| -> Vec<Array> {
        let mut a = args.clone();
        S::put(&mut a, tree_unflatten(&def, xs.iter().cloned()));
        let (out, aux) = f(&a);
        let (mut outs, adef) = tree_flatten(&aux);
        *aux_def.borrow_mut() = Some(adef);
        outs.insert(0, out);
        outs
    };
    let (mut outs, lin) = vjp_flat(&flat, &leaves);
    let out = outs.remove(0);
    check_scalar_output(what, &out, options);
    let mut cts: Vec<Option<Array>> = vec![None; outs.len() + 1];
    cts[0] = Some(ad_util::constant(1.0, out.dtype(), out.weak_type()));
    let mut grads = lin.transpose_partial(&cts);
    if options.allow_int {
        for (g, x) in grads.iter_mut().zip(&leaves) {
            if !x.dtype().is_inexact() {
                *g = ad_util::float0_zeros(x.shape());
            }
        }
    }
    let adef = aux_def.into_inner().expect("the function was traced");
    let aux = tree_unflatten(&adef, outs);
    (out, aux, tree_unflatten(&def, grads))
}

/// The gradient of a scalar function with respect to its first argument,
/// as a function of the same arguments (`jax.grad`).
///
/// ```
/// use jaxide::prelude::*;
/// fn sum_of_squares(x: &Array) -> Array { x.pow(2).sum() }
/// let x = jnp::array([1.0f32, 2., 3., 4.]);
/// assert_eq!(format!("{}", grad(sum_of_squares)(&x)), "[2. 4. 6. 8.]");
/// ```
pub fn grad<'f, F, M, Args>(f: F) -> <Args as Curry<'f, <Arg0 as Select<Args>>::Out>>::Callable
where
    F: TreeFn<Args, Array, M> + Send + Sync + 'f,
    Args: Curry<'f, <Arg0 as Select<Args>>::Out> + Clone,
    Arg0: Select<Args>,
{
    grad_argnums(f, Arg0)
}

/// The gradient with respect to the arguments chosen by `argnums`: one
/// marker (`Arg1`) gives that argument's type, a tuple (`(Arg0, Arg1)`)
/// gives a tuple of gradients.
///
/// ```
/// use jaxide::prelude::*;
/// let f = |x: &Array, y: &Array| (x * y).sum();
/// let (x, y) = (jnp::array([1.0f32, 2.]), jnp::array([3.0f32, 4.]));
/// let (dx, dy) = grad_argnums(f, (Arg0, Arg1))(&x, &y);
/// assert_eq!(dx.to_vec::<f32>(), vec![3., 4.]);
/// assert_eq!(dy.to_vec::<f32>(), vec![1., 2.]);
/// ```
pub fn grad_argnums<'f, F, M, Args, S>(f: F, argnums: S) -> <Args as Curry<'f, S::Out>>::Callable
where
    F: TreeFn<Args, Array, M> + Send + Sync + 'f,
    Args: Curry<'f, S::Out> + Clone,
    S: Select<Args> + 'f,
{
    grad_with(f, argnums, GradOptions::default())
}

/// `grad` of a function returning `(value, aux)`: returns `(gradient, aux)`
/// (`jax.grad(f, has_aux=True)`). The aux data is not differentiated.
///
/// ```
/// use jaxide::prelude::*;
/// let f = |x: &Array| ((x * x).sum(), x * 2.0f32);
/// let (g, aux) = grad_has_aux(f)(&jnp::array([1.0f32, 2.]));
/// assert_eq!(g.to_vec::<f32>(), vec![2., 4.]);
/// assert_eq!(aux.to_vec::<f32>(), vec![2., 4.]);
/// ```
///
/// Forgetting `has_aux` is a compile error, not a runtime surprise: plain
/// `grad` needs a function returning one `Array`.
///
/// ```compile_fail
/// use jaxide::prelude::*;
/// let f = |x: &Array| ((x * x).sum(), x * 2.0f32);
/// grad(f)(&jnp::array([1.0f32, 2.])); // error: `TreeFn<_, Array>` is not satisfied
/// ```
pub fn grad_has_aux<'f, F, M, Args, Aux>(
    f: F,
) -> <Args as Curry<'f, (<Arg0 as Select<Args>>::Out, Aux)>>::Callable
where
    F: TreeFn<Args, (Array, Aux), M> + Send + Sync + 'f,
    Args: Curry<'f, (<Arg0 as Select<Args>>::Out, Aux)> + Clone,
    Arg0: Select<Args>,
    Aux: PyTree + 'f,
{
    grad_argnums_has_aux(f, Arg0)
}

/// `grad` with both `argnums` and `has_aux`: returns `(gradients, aux)`.
pub fn grad_argnums_has_aux<'f, F, M, Args, S, Aux>(
    f: F,
    argnums: S,
) -> <Args as Curry<'f, (S::Out, Aux)>>::Callable
where
    F: TreeFn<Args, (Array, Aux), M> + Send + Sync + 'f,
    Args: Curry<'f, (S::Out, Aux)> + Clone,
    S: Select<Args> + 'f,
    Aux: PyTree + 'f,
{
    grad_has_aux_with(f, argnums, GradOptions::default())
}

/// The value and the gradient with respect to the first argument
/// (`jax.value_and_grad`): returns `(value, gradient)`.
pub fn value_and_grad<'f, F, M, Args>(
    f: F,
) -> <Args as Curry<'f, (Array, <Arg0 as Select<Args>>::Out)>>::Callable
where
    F: TreeFn<Args, Array, M> + Send + Sync + 'f,
    Args: Curry<'f, (Array, <Arg0 as Select<Args>>::Out)> + Clone,
    Arg0: Select<Args>,
{
    value_and_grad_argnums(f, Arg0)
}

/// `value_and_grad` with `argnums`: returns `(value, gradients)`.
pub fn value_and_grad_argnums<'f, F, M, Args, S>(
    f: F,
    argnums: S,
) -> <Args as Curry<'f, (Array, S::Out)>>::Callable
where
    F: TreeFn<Args, Array, M> + Send + Sync + 'f,
    Args: Curry<'f, (Array, S::Out)> + Clone,
    S: Select<Args> + 'f,
{
    value_and_grad_with(f, argnums, GradOptions::default())
}

/// `value_and_grad` of a function returning `(value, aux)`: returns
/// `((value, aux), gradient)`, as JAX does.
#[allow(clippy::type_complexity)] // the return type spells out ((value, aux), grad)
pub fn value_and_grad_has_aux<'f, F, M, Args, Aux>(
    f: F,
) -> <Args as Curry<'f, ((Array, Aux), <Arg0 as Select<Args>>::Out)>>::Callable
where
    F: TreeFn<Args, (Array, Aux), M> + Send + Sync + 'f,
    Args: Curry<'f, ((Array, Aux), <Arg0 as Select<Args>>::Out)> + Clone,
    Arg0: Select<Args>,
    Aux: PyTree + 'f,
{
    value_and_grad_argnums_has_aux(f, Arg0)
}

/// `value_and_grad` with `argnums` and `has_aux`: `((value, aux), gradients)`.
pub fn value_and_grad_argnums_has_aux<'f, F, M, Args, S, Aux>(
    f: F,
    argnums: S,
) -> <Args as Curry<'f, ((Array, Aux), S::Out)>>::Callable
where
    F: TreeFn<Args, (Array, Aux), M> + Send + Sync + 'f,
    Args: Curry<'f, ((Array, Aux), S::Out)> + Clone,
    S: Select<Args> + 'f,
    Aux: PyTree + 'f,
{
    value_and_grad_has_aux_with(f, argnums, GradOptions::default())
}

/// [`grad_argnums`] with options (`jax.grad(f, argnums, holomorphic=True)`).
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::core::element::Complex32;
/// let f = |z: &Array| z * z;
/// let d = grad_with(f, Arg0, GradOptions { holomorphic: true, ..Default::default() })(&jnp::array(Complex32::new(1., 1.)));
/// assert_eq!(d.item::<Complex32>(), Complex32::new(2., 2.));
/// ```
pub fn grad_with<'f, F, M, Args, S>(
    f: F,
    argnums: S,
    options: GradOptions,
) -> <Args as Curry<'f, S::Out>>::Callable
where
    F: TreeFn<Args, Array, M> + Send + Sync + 'f,
    Args: Curry<'f, S::Out> + Clone,
    S: Select<Args> + 'f,
{
    let _ = argnums;
    Args::curry(move |args: Args| {
        value_aux_and_grad::<Args, S, ()>("grad", &|a: &Args| (f.call_args(a), ()), args, options).2
    })
}

/// [`value_and_grad_argnums`] with options: returns `(value, gradients)`.
pub fn value_and_grad_with<'f, F, M, Args, S>(
    f: F,
    argnums: S,
    options: GradOptions,
) -> <Args as Curry<'f, (Array, S::Out)>>::Callable
where
    F: TreeFn<Args, Array, M> + Send + Sync + 'f,
    Args: Curry<'f, (Array, S::Out)> + Clone,
    S: Select<Args> + 'f,
{
    let _ = argnums;
    Args::curry(move |args: Args| {
        let (v, _, g) = value_aux_and_grad::<Args, S, ()>(
            "value_and_grad",
            &|a: &Args| (f.call_args(a), ()),
            args,
            options,
        );
        (v, g)
    })
}

/// [`grad_argnums_has_aux`] with options: returns `(gradients, aux)`.
pub fn grad_has_aux_with<'f, F, M, Args, S, Aux>(
    f: F,
    argnums: S,
    options: GradOptions,
) -> <Args as Curry<'f, (S::Out, Aux)>>::Callable
where
    F: TreeFn<Args, (Array, Aux), M> + Send + Sync + 'f,
    Args: Curry<'f, (S::Out, Aux)> + Clone,
    S: Select<Args> + 'f,
    Aux: PyTree + 'f,
{
    let _ = argnums;
    Args::curry(move |args: Args| {
        let (_, aux, g) =
            value_aux_and_grad::<Args, S, Aux>("grad", &|a| f.call_args(a), args, options);
        (g, aux)
    })
}

/// [`value_and_grad_argnums_has_aux`] with options: `((value, aux), gradients)`.
#[allow(clippy::type_complexity)] // the return type spells out ((value, aux), grad)
pub fn value_and_grad_has_aux_with<'f, F, M, Args, S, Aux>(
    f: F,
    argnums: S,
    options: GradOptions,
) -> <Args as Curry<'f, ((Array, Aux), S::Out)>>::Callable
where
    F: TreeFn<Args, (Array, Aux), M> + Send + Sync + 'f,
    Args: Curry<'f, ((Array, Aux), S::Out)> + Clone,
    S: Select<Args> + 'f,
    Aux: PyTree + 'f,
{
    let _ = argnums;
    Args::curry(move |args: Args| {
        let (v, aux, g) = value_aux_and_grad::<Args, S, Aux>(
            "value_and_grad",
            &|a| f.call_args(a),
            args,
            options,
        );
        ((v, aux), g)
    })
}
