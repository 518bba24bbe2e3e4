//! Schedules: functions from a step count to a value (optax's
//! `optax.schedules`), built from jnp ops so they run under `jit`.

use std::fmt;
use std::sync::Arc;

use crate::numpy as jnp;
use crate::Array;

/// A function of the step count (an int32 scalar array) to a scalar value
/// (optax's `Schedule`). Cheap to clone; usable under `jit`.
///
/// ```
/// use jaxide::optim::schedules::linear_schedule;
/// let s = linear_schedule(1.0, 0.0, 10, 0);
/// assert_eq!(s.at(5).item::<f32>(), 0.5);
/// ```
#[derive(Clone)]
pub struct Schedule(Arc<dyn Fn(&Array) -> Array + Send + Sync>);

impl Schedule {
    /// A schedule from a function of the count.
    pub fn new(f: impl Fn(&Array) -> Array + Send + Sync + 'static) -> Schedule {
        Schedule(Arc::new(f))
    }

    /// The value at `count` (an integer array, usually an optimizer's int32 count).
    pub fn call(&self, count: &Array) -> Array {
        (self.0)(count)
    }

    /// The value at an integer step (as optax's `schedule(step)` with a Python int).
    pub fn at(&self, step: i32) -> Array {
        self.call(&jnp::array(step))
    }
}

impl<F: Fn(&Array) -> Array + Send + Sync + 'static> From<F> for Schedule {
    fn from(f: F) -> Schedule {
        Schedule::new(f)
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Schedule(..)")
    }
}

/// A constant or a schedule, as hyperparameters like the learning rate
/// take (optax's `ScalarOrSchedule`). `0.1` and a [`Schedule`] both convert.
#[derive(Clone, Debug)]
pub enum ScalarOrSchedule {
    /// A constant (a Python float: a weak-typed scalar).
    Scalar(f64),
    /// A function of the step count.
    Schedule(Schedule),
}

/// The learning rate argument of the optimizers.
pub type LearningRate = ScalarOrSchedule;

impl From<f64> for ScalarOrSchedule {
    fn from(v: f64) -> Self {
        ScalarOrSchedule::Scalar(v)
    }
}

impl From<f32> for ScalarOrSchedule {
    fn from(v: f32) -> Self {
        ScalarOrSchedule::Scalar(v as f64)
    }
}

impl From<Schedule> for ScalarOrSchedule {
    fn from(s: Schedule) -> Self {
        ScalarOrSchedule::Schedule(s)
    }
}

/// The same value at every step.
pub fn constant_schedule(value: f64) -> Schedule {
    Schedule::new(move |_| jnp::array(value))
}

/// `(init - end) * (1 - t / steps) ** power + end` with `t` the count
/// minus `transition_begin`, clipped to `[0, transition_steps]`
/// (optax's `polynomial_schedule`). A non-positive `transition_steps`
/// gives the constant `init_value`; a negative `transition_begin` counts as 0.
pub fn polynomial_schedule(
    init_value: f64,
    end_value: f64,
    power: f64,
    transition_steps: i32,
    transition_begin: i32,
) -> Schedule {
    polynomial(
        init_value,
        end_value,
        Some(power),
        transition_steps,
        transition_begin,
    )
}

/// The polynomial schedule; `power: None` is the integer power 1 (a
/// Python int: `integer_pow`), `Some(p)` a float power (`lax.pow`).
fn polynomial(
    init_value: f64,
    end_value: f64,
    power: Option<f64>,
    transition_steps: i32,
    transition_begin: i32,
) -> Schedule {
    if transition_steps <= 0 {
        return constant_schedule(init_value);
    }
    let begin = transition_begin.max(0);
    Schedule::new(move |count| {
        let count = jnp::clip(count - begin, 0, transition_steps);
        let frac = 1 - jnp::true_divide(&count, transition_steps);
        let frac_pow = match power {
            None => frac,
            Some(p) => jnp::power(&frac, p),
        };
        (init_value - end_value) * frac_pow + end_value
    })
}

/// Linear interpolation from `init_value` to `end_value` over
/// `transition_steps` steps starting at `transition_begin` (optax's
/// `linear_schedule`).
pub fn linear_schedule(
    init_value: f64,
    end_value: f64,
    transition_steps: i32,
    transition_begin: i32,
) -> Schedule {
    polynomial(
        init_value,
        end_value,
        None,
        transition_steps,
        transition_begin,
    )
}

/// `init_value * ((1 - alpha) * c ** exponent + alpha)` with
/// `c = (1 + cos(pi * min(count, decay_steps) / decay_steps)) / 2`
/// (optax's `cosine_decay_schedule`). Panics unless `decay_steps > 0`.
pub fn cosine_decay_schedule(
    init_value: f64,
    decay_steps: i32,
    alpha: f64,
    exponent: f64,
) -> Schedule {
    if decay_steps <= 0 {
        panic!(
            "ValueError: The cosine_decay_schedule requires positive decay_steps, got \
             decay_steps={decay_steps}."
        );
    }
    let steps = decay_steps as f64;
    Schedule::new(move |count| {
        let count = jnp::minimum(count, steps);
        let cosine = 0.5 * (1 + jnp::cos(std::f64::consts::PI * count / steps));
        let decayed = (1.0 - alpha) * jnp::power(&cosine, exponent) + alpha;
        init_value * decayed
    })
}

/// Linear warmup from `init_value` to `peak_value` over `warmup_steps`,
/// then cosine decay to `end_value` at `decay_steps` (optax's
/// `warmup_cosine_decay_schedule`; `decay_steps` includes the warmup).
pub fn warmup_cosine_decay_schedule(
    init_value: f64,
    peak_value: f64,
    warmup_steps: i32,
    decay_steps: i32,
    end_value: f64,
    exponent: f64,
) -> Schedule {
    let alpha = if peak_value == 0.0 {
        0.0
    } else {
        end_value / peak_value
    };
    join_schedules(
        vec![
            linear_schedule(init_value, peak_value, warmup_steps, 0),
            cosine_decay_schedule(peak_value, decay_steps - warmup_steps, alpha, exponent),
        ],
        vec![warmup_steps],
    )
}

/// Options of [`exponential_decay_with`], with optax's defaults.
#[derive(Clone, Debug, Default)]
pub struct ExponentialDecay {
    /// Steps before the decay starts (negative counts as 0).
    pub transition_begin: i32,
    /// Decay in whole periods of `transition_steps` (`floor` of the exponent).
    pub staircase: bool,
    /// A bound the value does not pass (a floor when `decay_rate < 1`, else a ceiling).
    pub end_value: Option<f64>,
}

/// `init_value * decay_rate ** ((count - begin) / transition_steps)`
/// (optax's `exponential_decay` with its defaults).
pub fn exponential_decay(init_value: f64, transition_steps: i32, decay_rate: f64) -> Schedule {
    exponential_decay_with(
        init_value,
        transition_steps,
        decay_rate,
        ExponentialDecay::default(),
    )
}

/// [`exponential_decay`] with `transition_begin`, `staircase` and `end_value`.
/// A non-positive `transition_steps` or a zero `decay_rate` gives the
/// constant `init_value`, as in optax.
pub fn exponential_decay_with(
    init_value: f64,
    transition_steps: i32,
    decay_rate: f64,
    options: ExponentialDecay,
) -> Schedule {
    if transition_steps <= 0 || decay_rate == 0.0 {
        return constant_schedule(init_value);
    }
    let begin = options.transition_begin.max(0);
    Schedule::new(move |count| {
        let decreased = count - begin;
        let mut p = jnp::true_divide(&decreased, transition_steps);
        if options.staircase {
            p = jnp::floor(&p);
        }
        let decayed = jnp::where_(
            decreased.le(0),
            init_value,
            init_value * jnp::power(decay_rate, &p),
        );
        match options.end_value {
            Some(end) if decay_rate < 1.0 => jnp::maximum(&decayed, end),
            Some(end) => jnp::minimum(&decayed, end),
            None => decayed,
        }
    })
}

/// `init_value` scaled by `scale` at each boundary the count has passed
/// (optax's `piecewise_constant_schedule`; boundaries are sorted first).
/// Panics on a negative scale, as optax does.
pub fn piecewise_constant_schedule(
    init_value: f64,
    boundaries_and_scales: &[(i32, f64)],
) -> Schedule {
    if boundaries_and_scales.iter().any(|&(_, s)| s < 0.0) {
        panic!("ValueError: `piecewise_constant_schedule` expects non-negative scale factors");
    }
    // A dict in optax: the last scale given for a boundary wins; sorted.
    let pairs: std::collections::BTreeMap<i32, f64> =
        boundaries_and_scales.iter().copied().collect();
    Schedule::new(move |count| {
        let mut v = jnp::array(init_value);
        for (&threshold, &scale) in &pairs {
            let indicator = jnp::maximum(0.0, jnp::sign(threshold - count));
            v = &v * &indicator + (1 - &indicator) * scale * &v;
        }
        v
    })
}

/// `schedules[0]` until `boundaries[0]`, then `schedules[1]` counted from
/// that boundary, and so on (optax's `join_schedules`).
pub fn join_schedules(schedules: Vec<Schedule>, boundaries: Vec<i32>) -> Schedule {
    assert!(
        !schedules.is_empty(),
        "join_schedules: at least one schedule is needed"
    );
    Schedule::new(move |step| {
        let mut out = schedules[0].call(step);
        for (&b, s) in boundaries.iter().zip(&schedules[1..]) {
            out = jnp::where_(step.lt(b), &out, s.call(&(step - b)));
        }
        out
    })
}
