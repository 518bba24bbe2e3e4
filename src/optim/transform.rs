//! The scaling transformations (optax's `transform.py` and
//! `transforms/_accumulation.py`): each update is a few elementwise ops
//! per leaf.

use super::any_tree::AnyTree;
use super::base::{identity, stateless, GradientTransformation};
use super::numerics::{
    bias_correction, cast, safe_increment, update_moment, zero_count, zeros_like,
};
use super::schedules::{ScalarOrSchedule, Schedule};
use super::state::{expect_count, expect_like, expect_record, OptState};
use crate::lax;
use crate::numpy as jnp;
use crate::{Array, DType};

/// Multiplies updates by `step_size` (optax's `scale`); state `EmptyState()`.
pub fn scale(step_size: f64) -> GradientTransformation {
    stateless("scale", move |u, _| u.map(|g| step_size * g))
}

const COUNT: &[&str] = &["count"];

/// Multiplies updates by `step_size_fn(count)`, cast to each update's dtype
/// (optax's `scale_by_schedule`); state `ScaleByScheduleState(count)`.
pub fn scale_by_schedule(step_size_fn: Schedule) -> GradientTransformation {
    const WHO: &str = "scale_by_schedule";
    GradientTransformation::new(
        WHO,
        |_| {
            OptState::named(
                "ScaleByScheduleState",
                COUNT,
                vec![OptState::array(zero_count())],
            )
        },
        move |u, state, _| {
            let f = expect_record(&state, WHO, "ScaleByScheduleState");
            let count = expect_count(&f[0], WHO, "count");
            let step = step_size_fn.call(&count);
            let u = u.map(|g| jnp::astype(&step, g.dtype()) * g);
            let state = OptState::named(
                "ScaleByScheduleState",
                COUNT,
                vec![OptState::array(safe_increment(&count))],
            );
            (u, state)
        },
    )
}

/// Scales by `-learning_rate` (a constant or a schedule), the last step of
/// every optimizer (optax's `scale_by_learning_rate`, `flip_sign=True`).
pub fn scale_by_learning_rate(
    learning_rate: impl Into<ScalarOrSchedule>,
) -> GradientTransformation {
    scale_by_learning_rate_with(learning_rate, true)
}

/// [`scale_by_learning_rate`] with the sign flip chosen (`flip_sign`).
pub fn scale_by_learning_rate_with(
    learning_rate: impl Into<ScalarOrSchedule>,
    flip_sign: bool,
) -> GradientTransformation {
    let m = if flip_sign { -1.0 } else { 1.0 };
    match learning_rate.into() {
        ScalarOrSchedule::Scalar(lr) => scale(m * lr),
        ScalarOrSchedule::Schedule(s) if flip_sign => {
            scale_by_schedule(Schedule::new(move |c| -1 * s.call(c)))
        }
        ScalarOrSchedule::Schedule(s) => scale_by_schedule(s),
    }
}

/// Options of [`trace_with`] (optax's `trace` arguments).
#[derive(Clone, Debug, Default)]
pub struct TraceOptions {
    /// Nesterov momentum: `g + decay * new_trace`.
    pub nesterov: bool,
    /// The dtype the trace is stored in (default: the params').
    pub accumulator_dtype: Option<DType>,
}

/// Momentum: `trace = g + decay * trace`, the update is the trace
/// (optax's `trace`); state `TraceState(trace)`.
pub fn trace(decay: f64) -> GradientTransformation {
    trace_with(decay, TraceOptions::default())
}

/// [`trace`] with Nesterov momentum or an accumulator dtype.
pub fn trace_with(decay: f64, options: TraceOptions) -> GradientTransformation {
    const WHO: &str = "trace";
    const FIELDS: &[&str] = &["trace"];
    let dtype = options.accumulator_dtype;
    GradientTransformation::new(
        WHO,
        move |p| {
            let t = p.map(|x| zeros_like(x, dtype));
            OptState::named("TraceState", FIELDS, vec![OptState::tree(t)])
        },
        move |u, state, _| {
            let f = expect_record(&state, WHO, "TraceState");
            let t = expect_like(&f[0], &u, WHO, "trace");
            let new_trace = u.zip_map(&t, |g, t| g + decay * t);
            let updates = if options.nesterov {
                u.zip_map(new_trace.leaves(), |g, t| g + decay * t)
            } else {
                new_trace.clone()
            };
            let stored = new_trace.map(|t| cast(t.clone(), dtype));
            (
                updates,
                OptState::named("TraceState", FIELDS, vec![OptState::tree(stored)]),
            )
        },
    )
}

/// Options of [`scale_by_adam_with`] and [`adam_with`](super::adam_with),
/// with optax's defaults.
#[derive(Clone, Debug)]
pub struct AdamOptions {
    /// Decay of the first moment (0.9).
    pub b1: f64,
    /// Decay of the second moment (0.999).
    pub b2: f64,
    /// Added to the root of the second moment (1e-8).
    pub eps: f64,
    /// Added to the second moment inside the root (0.0).
    pub eps_root: f64,
    /// The dtype the first moment is stored in (default: the params').
    pub mu_dtype: Option<DType>,
    /// Nadam's Nesterov momentum.
    pub nesterov: bool,
}

impl Default for AdamOptions {
    fn default() -> Self {
        AdamOptions {
            b1: 0.9,
            b2: 0.999,
            eps: 1e-8,
            eps_root: 0.0,
            mu_dtype: None,
            nesterov: false,
        }
    }
}

const ADAM_FIELDS: &[&str] = &["count", "mu", "nu"];

/// Adam's rescaling with bias-corrected moments (optax's `scale_by_adam`);
/// state `ScaleByAdamState(count, mu, nu)`.
pub fn scale_by_adam() -> GradientTransformation {
    scale_by_adam_with(AdamOptions::default())
}

/// [`scale_by_adam`] with options.
pub fn scale_by_adam_with(o: AdamOptions) -> GradientTransformation {
    const WHO: &str = "scale_by_adam";
    let mu_dtype = o.mu_dtype;
    GradientTransformation::new(
        WHO,
        move |p| {
            OptState::named(
                "ScaleByAdamState",
                ADAM_FIELDS,
                vec![
                    OptState::array(zero_count()),
                    OptState::tree(p.map(|x| zeros_like(x, mu_dtype))),
                    OptState::tree(p.map(|x| zeros_like(x, None))),
                ],
            )
        },
        move |u, state, _| {
            let f = expect_record(&state, WHO, "ScaleByAdamState");
            let count = expect_count(&f[0], WHO, "count");
            let mu = expect_like(&f[1], &u, WHO, "mu");
            let nu = expect_like(&f[2], &u, WHO, "nu");
            let count_inc = safe_increment(&count);
            let count_next = o.nesterov.then(|| safe_increment(&count_inc));
            let n = u.leaves().len();
            let (mut out, mut new_mu, mut new_nu) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            for ((g, m), v) in u.leaves().iter().zip(&mu).zip(&nu) {
                let m = update_moment(g, m, o.b1, 1);
                let v_new = update_moment(g, v, o.b2, 2);
                let m_hat = match &count_next {
                    Some(cn) => {
                        o.b1 * bias_correction(&m, o.b1, cn)
                            + (1.0 - o.b1) * bias_correction(g, o.b1, &count_inc)
                    }
                    None => bias_correction(&m, o.b1, &count_inc),
                };
                let v_hat = bias_correction(&v_new, o.b2, &count_inc);
                out.push(m_hat / (jnp::sqrt(v_hat + o.eps_root) + o.eps));
                new_mu.push(cast(m, mu_dtype));
                new_nu.push(cast(v_new, Some(v.dtype())));
            }
            let state = OptState::named(
                "ScaleByAdamState",
                ADAM_FIELDS,
                vec![
                    OptState::array(count_inc),
                    OptState::tree(u.with_leaves(new_mu)),
                    OptState::tree(u.with_leaves(new_nu)),
                ],
            );
            (u.with_leaves(out), state)
        },
    )
}

/// Options of [`scale_by_rms_with`] and [`scale_by_stddev_with`], with
/// optax's defaults.
#[derive(Clone, Debug)]
pub struct RmsOptions {
    /// Decay of the moments (0.9).
    pub decay: f64,
    /// Added to the denominator (1e-8).
    pub eps: f64,
    /// The initial second moment (0.0).
    pub initial_scale: f64,
    /// `rsqrt(nu + eps)` (true) or `1 / (sqrt(nu) + eps)` (false).
    pub eps_in_sqrt: bool,
    /// Debias the moments (adds a `count` to the state).
    pub bias_correction: bool,
}

impl Default for RmsOptions {
    fn default() -> Self {
        RmsOptions {
            decay: 0.9,
            eps: 1e-8,
            initial_scale: 0.0,
            eps_in_sqrt: true,
            bias_correction: false,
        }
    }
}

/// Divides by the root of the running mean of squared updates (optax's
/// `scale_by_rms`); state `ScaleByRmsState(nu)`, or
/// `ScaleByRmsWithCountState(count, nu)` with bias correction.
pub fn scale_by_rms() -> GradientTransformation {
    scale_by_rms_with(RmsOptions::default())
}

/// [`scale_by_rms`] with options.
pub fn scale_by_rms_with(o: RmsOptions) -> GradientTransformation {
    rms_like(o, false)
}

/// Divides by the running standard deviation of updates (optax's
/// `scale_by_stddev`, the centered RMSProp); state
/// `ScaleByRStdDevState(mu, nu)`, or `ScaleByRStdDevWithCountState(count, mu, nu)`.
pub fn scale_by_stddev() -> GradientTransformation {
    scale_by_stddev_with(RmsOptions::default())
}

/// [`scale_by_stddev`] with options.
pub fn scale_by_stddev_with(o: RmsOptions) -> GradientTransformation {
    rms_like(o, true)
}

/// `scale_by_rms` (`centered = false`) and `scale_by_stddev` (`true`).
fn rms_like(o: RmsOptions, centered: bool) -> GradientTransformation {
    let who: &'static str = if centered {
        "scale_by_stddev"
    } else {
        "scale_by_rms"
    };
    let (name, fields): (&'static str, &'static [&'static str]) =
        match (centered, o.bias_correction) {
            (false, false) => ("ScaleByRmsState", &["nu"]),
            (false, true) => ("ScaleByRmsWithCountState", &["count", "nu"]),
            (true, false) => ("ScaleByRStdDevState", &["mu", "nu"]),
            (true, true) => ("ScaleByRStdDevWithCountState", &["count", "mu", "nu"]),
        };
    let build = move |count: Option<Array>, mu: Option<AnyTree>, nu: AnyTree| {
        let mut v = Vec::new();
        v.extend(count.map(OptState::array));
        v.extend(mu.map(OptState::tree));
        v.push(OptState::tree(nu));
        OptState::named(name, fields, v)
    };
    let initial_scale = o.initial_scale;
    GradientTransformation::new(
        who,
        move |p| {
            let count = o.bias_correction.then(zero_count);
            let mu = centered.then(|| p.map(jnp::zeros_like));
            build(count, mu, p.map(|x| jnp::full_like(x, initial_scale)))
        },
        move |u, state, _| {
            let f = expect_record(&state, who, name);
            let mut it = f.iter();
            let count = o
                .bias_correction
                .then(|| expect_count(it.next().unwrap(), who, "count"));
            let mu = centered.then(|| expect_like(it.next().unwrap(), &u, who, "mu"));
            let nu = expect_like(it.next().unwrap(), &u, who, "nu");
            let count_inc = count.as_ref().map(safe_increment);
            let n = u.leaves().len();
            let (mut out, mut new_mu, mut new_nu) = (
                Vec::with_capacity(n),
                Vec::with_capacity(n),
                Vec::with_capacity(n),
            );
            for (i, g) in u.leaves().iter().enumerate() {
                let m = mu.as_ref().map(|mu| update_moment(g, &mu[i], o.decay, 1));
                let v = update_moment(g, &nu[i], o.decay, 2);
                let (m_hat, v_hat) = match &count_inc {
                    Some(c) => (
                        m.as_ref().map(|m| bias_correction(m, o.decay, c)),
                        bias_correction(&v, o.decay, c),
                    ),
                    None => (m.clone(), v.clone()),
                };
                let var = match &m_hat {
                    Some(m) => v_hat - m * m,
                    None => v_hat,
                };
                let scaling = if o.eps_in_sqrt {
                    lax::rsqrt(&(var + o.eps))
                } else {
                    1 / (jnp::sqrt(&var) + o.eps)
                };
                out.push(scaling * g);
                new_mu.extend(m);
                new_nu.push(v);
            }
            let state = build(
                count_inc,
                centered.then(|| u.with_leaves(new_mu)),
                u.with_leaves(new_nu),
            );
            (u.with_leaves(out), state)
        },
    )
}

/// Divides by the root of the sum of all squared updates so far (optax's
/// `scale_by_rss`, Adagrad's rescaling); state `ScaleByRssState(sum_of_squares)`.
pub fn scale_by_rss(initial_accumulator_value: f64, eps: f64) -> GradientTransformation {
    const WHO: &str = "scale_by_rss";
    const FIELDS: &[&str] = &["sum_of_squares"];
    GradientTransformation::new(
        WHO,
        move |p| {
            let s = p.map(|x| jnp::full_like(x, initial_accumulator_value));
            OptState::named("ScaleByRssState", FIELDS, vec![OptState::tree(s)])
        },
        move |u, state, _| {
            let f = expect_record(&state, WHO, "ScaleByRssState");
            let sos = expect_like(&f[0], &u, WHO, "sum_of_squares");
            let new_sos = u.zip_map(&sos, |g, t| g * g + t);
            let out = u.zip_map(new_sos.leaves(), |g, t| {
                let inv = jnp::where_(t.gt(0), lax::rsqrt(&(t + eps)), 0.0);
                inv * g
            });
            (
                out,
                OptState::named("ScaleByRssState", FIELDS, vec![OptState::tree(new_sos)]),
            )
        },
    )
}

/// Options of [`scale_by_lion_with`], with optax's defaults.
#[derive(Clone, Debug)]
pub struct LionScaleOptions {
    /// Interpolation between the moment and the update for the sign (0.9).
    pub b1: f64,
    /// Decay of the moment (0.99).
    pub b2: f64,
    /// The dtype the moment is stored in.
    pub mu_dtype: Option<DType>,
}

impl Default for LionScaleOptions {
    fn default() -> Self {
        LionScaleOptions {
            b1: 0.9,
            b2: 0.99,
            mu_dtype: None,
        }
    }
}

/// Lion's update, `sign((1 - b1) g + b1 mu)` (optax's `scale_by_lion`,
/// mode `hard`); state `ScaleByLionState(count, mu)`.
pub fn scale_by_lion() -> GradientTransformation {
    scale_by_lion_with(LionScaleOptions::default())
}

/// [`scale_by_lion`] with options.
pub fn scale_by_lion_with(o: LionScaleOptions) -> GradientTransformation {
    const WHO: &str = "scale_by_lion";
    const FIELDS: &[&str] = &["count", "mu"];
    let mu_dtype = o.mu_dtype;
    GradientTransformation::new(
        WHO,
        move |p| {
            OptState::named(
                "ScaleByLionState",
                FIELDS,
                vec![
                    OptState::array(zero_count()),
                    OptState::tree(p.map(|x| zeros_like(x, mu_dtype))),
                ],
            )
        },
        move |u, state, _| {
            let f = expect_record(&state, WHO, "ScaleByLionState");
            let count = expect_count(&f[0], WHO, "count");
            let mu = expect_like(&f[1], &u, WHO, "mu");
            let out = u.zip_map(&mu, |g, m| jnp::sign((1.0 - o.b1) * g + o.b1 * m));
            let new_mu = u.zip_map(&mu, |g, m| cast(update_moment(g, m, o.b2, 1), mu_dtype));
            let state = OptState::named(
                "ScaleByLionState",
                FIELDS,
                vec![
                    OptState::array(safe_increment(&count)),
                    OptState::tree(new_mu),
                ],
            );
            (out, state)
        },
    )
}

/// optax's `numerics.safe_norm` over all elements: the 2-norm, or
/// `min_norm` where the norm is at most `min_norm` (with a gradient that
/// stays finite there).
fn safe_norm(x: &Array, min_norm: f64) -> Array {
    let norm = jnp::linalg::norm(x);
    let small = norm.le(min_norm);
    let x = jnp::where_(&small, jnp::ones_like(x), x);
    jnp::where_(&small, min_norm, jnp::linalg::norm(&x))
}

/// Scales each update leaf by `‖param‖ / ‖update‖` (LARS/LAMB's trust
/// ratio; optax's `scale_by_trust_ratio` with `min_norm = 0`,
/// `trust_coefficient = 1`, `eps = 0`). Needs params.
pub fn scale_by_trust_ratio() -> GradientTransformation {
    scale_by_trust_ratio_with(0.0, 1.0, 0.0)
}

/// [`scale_by_trust_ratio`] with `min_norm`, `trust_coefficient` and `eps`.
pub fn scale_by_trust_ratio_with(
    min_norm: f64,
    trust_coefficient: f64,
    eps: f64,
) -> GradientTransformation {
    stateless("scale_by_trust_ratio", move |u, p| {
        let p = p.unwrap_or_else(|| no_params("scale_by_trust_ratio"));
        u.zip_map(p.leaves(), |g, p| {
            let param_norm = safe_norm(p, min_norm);
            let update_norm = safe_norm(g, min_norm);
            let ratio = trust_coefficient * &param_norm / (&update_norm + eps);
            let zero = jnp::logical_or(param_norm.eq(0.0), update_norm.eq(0.0));
            let one = jnp::astype(&jnp::array(1.0), p.dtype());
            g * jnp::where_(&zero, &one, &ratio)
        })
    })
}

/// optax's `NO_PARAMS_MSG`.
pub(crate) fn no_params(who: &str) -> ! {
    panic!(
        "ValueError: {who}: You are using a transformation that requires the current value of \
         parameters, but you are not passing `params` when calling `update`."
    )
}

/// Adds `weight_decay * params` to the updates (optax's
/// `add_decayed_weights`); state `EmptyState()`, or
/// `WeightDecaySchedule(count)` for a scheduled decay. With a mask, only
/// the selected leaves decay (and the state is `MaskedState(...)`).
pub fn add_decayed_weights(
    weight_decay: impl Into<ScalarOrSchedule>,
    mask: Option<super::Mask>,
) -> GradientTransformation {
    const WHO: &str = "add_decayed_weights";
    let wd = weight_decay.into();
    let inner = match wd {
        ScalarOrSchedule::Scalar(s) => stateless(WHO, move |u, p| {
            let p = p.unwrap_or_else(|| no_params(WHO));
            if s == 0.0 {
                return u;
            }
            u.zip_map(p.leaves(), |g, p| g + s * p)
        }),
        ScalarOrSchedule::Schedule(sched) => GradientTransformation::new(
            WHO,
            |_| {
                OptState::named(
                    "WeightDecaySchedule",
                    COUNT,
                    vec![OptState::array(zero_count())],
                )
            },
            move |u, state, p| {
                let p = p.unwrap_or_else(|| no_params(WHO));
                let f = expect_record(&state, WHO, "WeightDecaySchedule");
                let count = expect_count(&f[0], WHO, "count");
                let s = sched.call(&count);
                let out = u.zip_map(p.leaves(), |g, p| g + &s * p);
                let state = OptState::named(
                    "WeightDecaySchedule",
                    COUNT,
                    vec![OptState::array(safe_increment(&count))],
                );
                (out, state)
            },
        ),
    };
    match mask {
        Some(m) => super::masked(inner, m),
        None => inner,
    }
}

/// `trace(momentum)` or `identity()` (for the aliases).
pub(crate) fn trace_or_identity(
    momentum: Option<f64>,
    options: TraceOptions,
) -> GradientTransformation {
    match momentum {
        Some(m) => trace_with(m, options),
        None => identity(),
    }
}
