//! Loss functions (optax's `optax.losses`): classification and regression,
//! per example (no reduction), differentiable and jit-safe.

use crate::lax;
use crate::numpy as jnp;
use crate::Array;

fn check_floating(x: &Array, who: &str, what: &str) {
    if !x.dtype().is_float() {
        panic!(
            "ValueError: {who}: {what} has dtype {}, but a floating dtype is expected.",
            x.dtype()
        );
    }
}

/// `log(sum(exp(x)))` over the last axis, stably (the max is subtracted
/// and added back, as `jax.nn.logsumexp` does; the shift carries no gradient).
fn logsumexp_last(x: &Array) -> Array {
    let amax = jnp::max_axis(x, -1, false);
    let amax = lax::stop_gradient(&jnp::where_(jnp::isfinite(&amax), &amax, 0.0));
    let shifted = x - jnp::expand_dims(&amax, -1);
    let sumexp = jnp::sum_axis(&jnp::exp(&shifted), -1, false);
    jnp::log(jnp::abs(&sumexp)) + amax
}

/// `x - logsumexp(x)` over the last axis (`jax.nn.log_softmax`).
fn log_softmax_last(x: &Array) -> Array {
    let x_max = jnp::max_axis(x, -1, true);
    let shifted = x - lax::stop_gradient(&x_max);
    let lse = jnp::log(jnp::sum_axis(&jnp::exp(&shifted), -1, true));
    shifted - lse
}

/// Cross entropy between `labels` (probabilities, e.g. one-hot) and the
/// softmax of `logits`, over the last axis: `-sum(labels * log_softmax(logits))`
/// (optax's `softmax_cross_entropy`). Returns one loss per example.
pub fn softmax_cross_entropy(logits: &Array, labels: &Array) -> Array {
    check_floating(logits, "softmax_cross_entropy", "logits");
    let log_probs = log_softmax_last(logits);
    -jnp::sum_axis(&(labels * log_probs), -1, false)
}

/// Cross entropy with integer class labels: `logsumexp(logits) -
/// logits[label]` over the last axis (optax's
/// `softmax_cross_entropy_with_integer_labels`). `labels` has the shape of
/// `logits` without its last axis.
///
/// Out-of-range labels behave exactly as in optax, which reads the label's
/// logit with `jnp.take_along_axis` (fill mode): a label in `[-C, -1]`
/// counts from the end (`-1` is the last class); a label `>= C` or `< -C`
/// reads NaN, so its loss is NaN, while its gradient is `softmax(logits)`
/// (the read contributes nothing).
pub fn softmax_cross_entropy_with_integer_labels(logits: &Array, labels: &Array) -> Array {
    const WHO: &str = "softmax_cross_entropy_with_integer_labels";
    check_floating(logits, WHO, "logits");
    if !labels.dtype().is_int() {
        panic!(
            "ValueError: {WHO}: labels has dtype {}, but an integer dtype is expected.",
            labels.dtype()
        );
    }
    if logits.ndim() == 0 || labels.shape() != &logits.shape()[..logits.ndim() - 1] {
        panic!(
            "ValueError: {WHO}: labels of shape {:?} do not match logits of shape {:?} (labels \
             must have the logits' shape without the last axis).",
            labels.shape(),
            logits.shape()
        );
    }
    let idx = jnp::expand_dims(labels, -1);
    let label_logits = jnp::squeeze(&jnp::take_along_axis(logits, &idx, Some(-1)), -1);
    logsumexp_last(logits) - label_logits
}

/// `log(sigmoid(x))`, stably: `-softplus(-x)` (`jax.nn.log_sigmoid`).
fn log_sigmoid(x: &Array) -> Array {
    -jnp::logaddexp(-x, 0.0)
}

/// Binary cross entropy of `sigmoid(logits)` against `labels` in `[0, 1]`,
/// elementwise (optax's `sigmoid_binary_cross_entropy`):
/// `-labels * log_sigmoid(logits) - (1 - labels) * log_sigmoid(-logits)`.
pub fn sigmoid_binary_cross_entropy(logits: &Array, labels: &Array) -> Array {
    check_floating(logits, "sigmoid_binary_cross_entropy", "logits");
    let labels = jnp::astype(labels, logits.dtype());
    let log_p = log_sigmoid(logits);
    let log_not_p = log_sigmoid(&-logits);
    -&labels * log_p - (1.0 - &labels) * log_not_p
}

fn errors(predictions: &Array, targets: Option<&Array>, who: &str) -> Array {
    check_floating(predictions, who, "predictions");
    match targets {
        Some(t) => {
            if predictions.shape() != t.shape() {
                panic!(
                    "ValueError: {who}: predictions and targets must have the same shape, got \
                     {:?} and {:?}.",
                    predictions.shape(),
                    t.shape()
                );
            }
            predictions - t
        }
        None => predictions.clone(),
    }
}

/// `(predictions - targets) ** 2`, elementwise (optax's `squared_error`);
/// `targets = None` means zeros.
pub fn squared_error<'a>(predictions: &Array, targets: impl Into<Option<&'a Array>>) -> Array {
    let e = errors(predictions, targets.into(), "squared_error");
    lax::integer_pow(&e, 2)
}

/// `0.5 * (predictions - targets) ** 2`, elementwise (optax's `l2_loss`).
pub fn l2_loss<'a>(predictions: &Array, targets: impl Into<Option<&'a Array>>) -> Array {
    let e = errors(predictions, targets.into(), "l2_loss");
    0.5 * lax::integer_pow(&e, 2)
}

/// The Huber loss, quadratic for errors up to `delta` and linear beyond:
/// `0.5 * min(|e|, delta)**2 + delta * (|e| - min(|e|, delta))`
/// (optax's `huber_loss`).
pub fn huber_loss<'a>(
    predictions: &Array,
    targets: impl Into<Option<&'a Array>>,
    delta: f64,
) -> Array {
    let e = match targets.into() {
        Some(t) => {
            check_floating(predictions, "huber_loss", "predictions");
            predictions - t
        }
        None => errors(predictions, None, "huber_loss"),
    };
    let abs_errors = jnp::abs(&e);
    let quadratic = jnp::minimum(&abs_errors, delta);
    let linear = &abs_errors - &quadratic;
    0.5 * lax::integer_pow(&quadratic, 2) + delta * linear
}
