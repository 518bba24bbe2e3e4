//! Windowed reductions (JAX's `jax._src.lax.windowed_reductions`):
//! `reduce_window_sum/max/min` and the max-pool gradient helpers
//! `select_and_gather_add` / `select_and_scatter_add`, plus the general
//! `reduce_window` with any combining function.
//!
//! | part | file |
//! |---|---|
//! | the window geometry shared by every primitive (checks, printing) | `mod.rs` |
//! | `reduce_window_sum/max/min` primitive | `reduce_window.rs` |
//! | `select_and_gather_add`, `select_and_scatter_add` primitives | `select.rs` |
//! | `lax::reduce_window` (monoid dispatch, general fold) | `general.rs` |

mod general;
mod reduce_window;
mod select;

pub use general::{reduce_window, WindowComputation};
pub use reduce_window::{reduce_window_max, reduce_window_min, reduce_window_sum, ReduceWindow};
pub use select::{
    select_and_gather_add, select_and_scatter_add, SelectAndGatherAdd, SelectAndScatterAdd,
    SelectPrim,
};

use super::padding::Padding;
use crate::backend::cpu::kernels::window::{dilate, Plan, Window};
use crate::core::aval::ShapedArray;
use crate::core::shape::{fmt_tuple, Dims};
use smallvec::SmallVec;

/// Optional arguments of the windowed reductions (JAX's keyword arguments).
#[derive(Clone, Debug, Default)]
pub struct ReduceWindowOptions {
    /// Dilation of the operand (`None`: 1 per axis).
    pub base_dilation: Option<Vec<usize>>,
    /// Dilation of the window (`None`: 1 per axis).
    pub window_dilation: Option<Vec<usize>>,
}

/// One window configuration: sizes, strides, explicit padding and
/// dilations, one entry per operand axis (JAX's primitive parameters).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WindowConfig {
    /// Window size per axis.
    pub window_dimensions: Dims,
    /// Window stride per axis.
    pub window_strides: Dims,
    /// `(low, high)` padding per axis (negative crops).
    pub padding: SmallVec<[(i64, i64); 4]>,
    /// Operand dilation per axis.
    pub base_dilation: Dims,
    /// Window dilation per axis.
    pub window_dilation: Dims,
}

impl WindowConfig {
    /// Checks the arguments as JAX does, then resolves a padding string
    /// against the dilated window (`lax.padtype_to_pads`).
    pub fn resolve(
        operand_shape: &[usize],
        window_dimensions: &[usize],
        window_strides: &[usize],
        padding: Padding,
        options: &ReduceWindowOptions,
    ) -> WindowConfig {
        let n = window_dimensions.len();
        let ones = vec![1; n];
        let base = options.base_dilation.as_deref().unwrap_or(&ones);
        let wdil = options.window_dilation.as_deref().unwrap_or(&ones);
        check_lists(operand_shape, window_dimensions, window_strides, base, wdil);
        let dilated: Vec<usize> = (0..n)
            .map(|d| dilate(window_dimensions[d], wdil[d]))
            .collect();
        let pads = padding.to_pads(operand_shape, &dilated, window_strides);
        WindowConfig {
            window_dimensions: window_dimensions.into(),
            window_strides: window_strides.into(),
            padding: pads.into_iter().collect(),
            base_dilation: base.into(),
            window_dilation: wdil.into(),
        }
    }

    /// A configuration without dilation (select-and-scatter's).
    pub fn undilated(&self) -> WindowConfig {
        let ones: Dims = self.window_dimensions.iter().map(|_| 1).collect();
        WindowConfig {
            base_dilation: ones.clone(),
            window_dilation: ones,
            ..self.clone()
        }
    }

    /// JAX's `_common_reduce_window_shape_rule`: the output shape for an
    /// operand of `operand` (panics with JAX's messages).
    pub fn out_shape(&self, operand: &ShapedArray) -> Dims {
        check_lists(
            &operand.shape,
            &self.window_dimensions,
            &self.window_strides,
            &self.base_dilation,
            &self.window_dilation,
        );
        if self.padding.len() != self.window_dimensions.len() {
            panic!(
                "ValueError: reduce_window got inconsistent padding and window_dimensions: got \
                 padding {} and window_dimensions {}; give one (low, high) pair per axis.",
                fmt_pairs(&self.padding),
                fmt_tuple(&self.window_dimensions)
            );
        }
        (0..operand.ndim())
            .map(|d| {
                let (lo, hi) = self.padding[d];
                let padded = dilate(operand.shape[d], self.base_dilation[d]) as i64 + lo + hi;
                let w = dilate(self.window_dimensions[d], self.window_dilation[d]) as i64;
                let s = self.window_strides[d] as i64;
                ((padded - w).div_euclid(s) + 1).max(0) as usize
            })
            .collect()
    }

    /// The configuration with a trivial leading axis (window 1): the batching rule.
    pub fn batched(&self) -> WindowConfig {
        let one = |v: &Dims| std::iter::once(1).chain(v.iter().copied()).collect();
        WindowConfig {
            window_dimensions: one(&self.window_dimensions),
            window_strides: one(&self.window_strides),
            padding: std::iter::once((0, 0))
                .chain(self.padding.iter().copied())
                .collect(),
            base_dilation: one(&self.base_dilation),
            window_dilation: one(&self.window_dilation),
        }
    }

    /// The kernel plan for an operand of `in_shape` and output `out_shape`.
    pub(crate) fn plan(&self, in_shape: &[usize], out_shape: &[usize], keep_pad: bool) -> Plan {
        Plan::new(
            &Window {
                in_shape,
                out_shape,
                dims: &self.window_dimensions,
                strides: &self.window_strides,
                padding: &self.padding,
                base_dilation: &self.base_dilation,
                window_dilation: &self.window_dilation,
            },
            keep_pad,
        )
    }

    /// Parameters for jaxpr printing, in JAX's (alphabetical) order;
    /// `select` goes between `padding` and `window_dilation`.
    fn params(&self, select: Option<SelectPrim>, dilations: bool) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if dilations {
            v.push(("base_dilation", fmt_tuple(&self.base_dilation)));
        }
        v.push(("padding", fmt_pairs(&self.padding)));
        if let Some(s) = select {
            v.push(("select_prim", s.name().into()));
        }
        if dilations {
            v.push(("window_dilation", fmt_tuple(&self.window_dilation)));
        }
        v.push(("window_dimensions", fmt_tuple(&self.window_dimensions)));
        v.push(("window_strides", fmt_tuple(&self.window_strides)));
        v
    }
}

/// `((0, 0), (1, 1))`, Python's tuple-of-pairs spelling.
fn fmt_pairs(p: &[(i64, i64)]) -> String {
    let parts: Vec<String> = p.iter().map(|(a, b)| format!("({a}, {b})")).collect();
    match parts.len() {
        1 => format!("({},)", parts[0]),
        _ => format!("({})", parts.join(", ")),
    }
}

/// The list checks of JAX's shape rule, in its order.
fn check_lists(shape: &[usize], dims: &[usize], strides: &[usize], base: &[usize], wdil: &[usize]) {
    for (arg, v) in [("window_dimensions", dims), ("window_strides", strides)] {
        if v.contains(&0) {
            panic!(
                "TypeError: reduce_window {arg} must have every element be strictly positive, \
                 got {}.",
                fmt_tuple(v)
            );
        }
    }
    if shape.len() != dims.len() {
        panic!(
            "TypeError: reduce_window got the wrong number of window_dimensions for operand: got \
             operand shape {} with window_dimensions {}.",
            fmt_tuple(shape),
            fmt_tuple(dims)
        );
    }
    for (arg, v) in [
        ("window_strides", strides),
        ("base_dilation", base),
        ("window_dilation", wdil),
    ] {
        if v.len() != dims.len() {
            panic!(
                "TypeError: reduce_window got inconsistent {arg} and window_dimensions: got {arg} \
                 {} and window_dimensions {}.",
                fmt_tuple(v),
                fmt_tuple(dims)
            );
        }
    }
    for v in [wdil, base] {
        if v.contains(&0) {
            panic!(
                "TypeError: All dilations must be positive, got {}.",
                fmt_tuple(v)
            );
        }
    }
}
