//! Gradient accumulation (optax's `MultiSteps`).

use super::any_tree::AnyTree;
use super::base::GradientTransformation;
use super::numerics::{safe_increment, zero_count};
use super::schedules::Schedule;
use super::state::{expect_count, expect_like, expect_record, OptState};
use crate::numpy as jnp;
use crate::{Array, DType};

const FIELDS: &[&str] = &[
    "mini_step",
    "gradient_step",
    "inner_opt_state",
    "acc_grads",
    "skip_state",
];

/// Accumulates gradients over `k` calls and applies the wrapped
/// optimizer once per `k` (optax's `MultiSteps`): updates are zero until
/// `k` gradients have been accumulated, then the inner optimizer's update
/// for their mean (or sum) is returned. Branch-free (`jnp.where` selects
/// the new inner state), so it runs under `jit`. State
/// `MultiStepsState(mini_step, gradient_step, inner_opt_state, acc_grads, skip_state=())`.
///
/// ```
/// use jaxide::prelude::*;
/// use jaxide::optim::{self, MultiSteps};
/// let tx = MultiSteps::new(optim::sgd(1.0), 2).gradient_transformation();
/// let p = jnp::array([0.0f32]);
/// let s = tx.init(&p);
/// let (u, s) = tx.update(&jnp::array([1.0f32]), s, None);
/// assert_eq!(u.to_vec::<f32>(), vec![0.0]);
/// let (u, _) = tx.update(&jnp::array([3.0f32]), s, None);
/// assert_eq!(u.to_vec::<f32>(), vec![-2.0]);
/// ```
#[derive(Clone, Debug)]
pub struct MultiSteps {
    opt: GradientTransformation,
    every_k_schedule: Schedule,
    use_grad_mean: bool,
    accumulator_dtype: DType,
}

impl MultiSteps {
    /// Applies `opt` every `every_k` steps to the mean of the gradients.
    pub fn new(opt: GradientTransformation, every_k: i32) -> MultiSteps {
        MultiSteps::with_schedule(opt, Schedule::new(move |_| jnp::array(every_k)))
    }

    /// `k` given by a schedule of the gradient step (an int32 count).
    pub fn with_schedule(opt: GradientTransformation, every_k_schedule: Schedule) -> MultiSteps {
        MultiSteps {
            opt,
            every_k_schedule,
            use_grad_mean: true,
            accumulator_dtype: DType::F32,
        }
    }

    /// Accumulate the sum instead of the mean (`use_grad_mean=False`).
    pub fn use_grad_mean(mut self, yes: bool) -> MultiSteps {
        self.use_grad_mean = yes;
        self
    }

    /// The dtype of the accumulated gradients (float32 by default).
    pub fn accumulator_dtype(mut self, dtype: DType) -> MultiSteps {
        self.accumulator_dtype = dtype;
        self
    }

    /// The wrapped optimizer.
    pub fn inner_opt(&self) -> &GradientTransformation {
        &self.opt
    }

    /// Whether the last `update` applied the inner optimizer
    /// (`mini_step == 0 && gradient_step > 0`), as a bool scalar.
    pub fn has_updated(state: &OptState) -> Array {
        let f = expect_record(state, "MultiSteps.has_updated", "MultiStepsState");
        let (mini, grad) = (f[0].item(), f[1].item());
        jnp::logical_and(mini.eq(0), grad.gt(0))
    }

    /// As a [`GradientTransformation`] (optax's `gradient_transformation()`).
    pub fn gradient_transformation(&self) -> GradientTransformation {
        const WHO: &str = "MultiSteps";
        let this = self.clone();
        let init_this = self.clone();
        GradientTransformation::new(
            WHO,
            move |p| {
                let acc = p.map(|x| jnp::astype(&jnp::zeros_like(x), init_this.accumulator_dtype));
                OptState::named(
                    "MultiStepsState",
                    FIELDS,
                    vec![
                        OptState::array(zero_count()),
                        OptState::array(zero_count()),
                        init_this.opt.init_any(p),
                        OptState::tree(acc),
                        OptState::tuple(Vec::new()),
                    ],
                )
            },
            move |u, state, p| this.update(u, state, p),
        )
    }

    fn update(&self, u: AnyTree, state: OptState, p: Option<&AnyTree>) -> (AnyTree, OptState) {
        const WHO: &str = "MultiSteps";
        let f = expect_record(&state, WHO, "MultiStepsState");
        let mini_step = expect_count(&f[0], WHO, "mini_step");
        let gradient_step = expect_count(&f[1], WHO, "gradient_step");
        let acc = expect_like(&f[3], &u, WHO, "acc_grads");
        let k_steps = self.every_k_schedule.call(&gradient_step);

        let acc_grads: Vec<Array> = u
            .leaves()
            .iter()
            .zip(&acc)
            .map(|(g, a)| {
                if self.use_grad_mean {
                    a + (g - a) / (&mini_step + 1)
                } else {
                    g + a
                }
            })
            .collect();
        let inner_in = u.zip_map(&acc_grads, |g, a| jnp::astype(a, g.dtype()));
        let (final_updates, new_inner) = self.opt.update_any(inner_in, f[2].clone(), p);

        let emit = mini_step.eq(&k_steps - 1);
        let not_emit = 1 - &emit;
        let new_mini = jnp::remainder(safe_increment(&mini_step), &k_steps);
        let new_grad_step = &emit * safe_increment(&gradient_step) + &not_emit * &gradient_step;
        let old_inner = f[2].leaves();
        let inner_leaves: Vec<Array> = old_inner
            .iter()
            .zip(new_inner.leaves())
            .map(|(st, nst)| jnp::astype(&jnp::where_(&emit, nst, st), st.dtype()))
            .collect();
        let inner_state = OptState::tree(AnyTree::new(new_inner.def().clone(), inner_leaves));
        let new_acc = u.with_leaves(
            acc_grads
                .iter()
                .map(|a| jnp::astype(&(&not_emit * a), self.accumulator_dtype))
                .collect(),
        );
        let out = final_updates.map(|x| &emit * x);
        let state = OptState::named(
            "MultiStepsState",
            FIELDS,
            vec![
                OptState::array(new_mini),
                OptState::array(new_grad_step),
                inner_state,
                OptState::tree(new_acc),
                OptState::tuple(Vec::new()),
            ],
        );
        (out, state)
    }
}

/// `MultiSteps::new(opt, every_k).gradient_transformation()`.
pub fn multi_steps(opt: GradientTransformation, every_k: i32) -> GradientTransformation {
    MultiSteps::new(opt, every_k).gradient_transformation()
}
