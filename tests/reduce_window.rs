//! Windowed reductions against real JAX: the fixture
//! `tests/fixtures/reduce_window/reduce_window.json` is written by
//! `gen_reduce_window.py` next to it (JAX on CPU, x64 off). Values of
//! sum/max/min over a grid of windows, strides, paddings and dilations
//! (1-d to 4-d, several dtypes), the general `reduce_window` path, max/min/
//! avg-pool vjps and jvps (ties, padding, NaN), `jit(vmap(grad))`, a
//! Hessian-vector product, and JAX's error messages. Set
//! `REDUCE_WINDOW_CASE=substring` for a subset. Finite-difference checks
//! and a jaxpr check follow the golden cases.

use jaxide::ir::ReduceOp;
use jaxide::lax::{self, Padding, ReduceWindowOptions};
use jaxide::numpy as jnp;
use jaxide::prelude::*;
use jaxide::test_util::{check_grads, check_grads_with, Mode, Tolerance};
use jaxide::Array;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};

#[macro_use]
#[path = "common/golden.rs"]
mod golden;
use golden::*;

static FIXTURE: &str = include_str!("fixtures/reduce_window/reduce_window.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("reduce_window.json is not valid JSON")
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// The window configuration of a case's params.
#[derive(Clone)]
struct Conf {
    window: Vec<usize>,
    strides: Vec<usize>,
    padding: Padding,
    options: ReduceWindowOptions,
}

fn conf(p: &Value) -> Conf {
    let padding = match &p["padding"] {
        Value::String(s) => Padding::from(s.as_str()),
        v => Padding::Explicit(
            v.as_array()
                .unwrap()
                .iter()
                .map(|pair| (pair[0].as_i64().unwrap(), pair[1].as_i64().unwrap()))
                .collect(),
        ),
    };
    Conf {
        window: usizes(&p["window"]),
        strides: usizes(&p["strides"]),
        padding,
        options: ReduceWindowOptions {
            base_dilation: p.get("base_dilation").map(usizes),
            window_dilation: p.get("window_dilation").map(usizes),
        },
    }
}

impl Conf {
    fn apply(&self, op: ReduceOp, x: &Array) -> Array {
        let (w, s, p, o) = (
            &self.window,
            &self.strides,
            self.padding.clone(),
            self.options.clone(),
        );
        match op {
            ReduceOp::Sum => lax::reduce_window_sum(x, w, s, p, o),
            ReduceOp::Max => lax::reduce_window_max(x, w, s, p, o),
            ReduceOp::Min => lax::reduce_window_min(x, w, s, p, o),
            _ => unreachable!(),
        }
    }
}

fn op_of(name: &str) -> ReduceOp {
    match name {
        "sum" => ReduceOp::Sum,
        "max" => ReduceOp::Max,
        "min" => ReduceOp::Min,
        _ => panic!("harness: unknown op {name}"),
    }
}

/// The identity JAX passes as `init_value` for the monoid form.
fn identity(op: ReduceOp, x: &Array) -> Array {
    let v = match op {
        ReduceOp::Sum => 0.0,
        ReduceOp::Max => f64::NEG_INFINITY,
        _ => f64::INFINITY,
    };
    if x.dtype().is_bool() {
        return Array::scalar(op == ReduceOp::Min);
    }
    if x.dtype().is_int() && op != ReduceOp::Sum {
        let info = jnp::iinfo(x.dtype());
        let v = if op == ReduceOp::Max {
            info.min
        } else {
            info.max
        };
        return Array::scalar(v as f64).astype(x.dtype());
    }
    Array::scalar(v).astype(x.dtype())
}

fn run_case(c: &Value) -> Outcome {
    let f = c["fn"].as_str().unwrap();
    let p = &c["params"];
    let args: Vec<Array> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(decode_array)
        .collect();
    let x = &args[0];
    let init = || Array::scalar(parse_float(&p["init"]) as f32);
    match f {
        "sum" | "max" | "min" => {
            let k = conf(p);
            let op = op_of(f);
            let direct = k.apply(op, x);
            // lax.reduce_window(x, identity, op) dispatches to the same primitive.
            let via = lax::reduce_window(
                x,
                &identity(op, x),
                op,
                &k.window,
                &k.strides,
                k.padding.clone(),
                k.options.clone(),
            );
            if format!("{direct:?}") != format!("{via:?}") {
                return Err(format!("reduce_window({f}) differs from reduce_window_{f}"));
            }
            one(direct)
        }
        "general_prod" | "general_add_init" | "general_max_init" => {
            let k = conf(p);
            let r = match f {
                "general_prod" => lax::reduce_window(
                    x,
                    &init(),
                    |a: &Array, b: &Array| lax::mul(a, b),
                    &k.window,
                    &k.strides,
                    k.padding,
                    k.options,
                ),
                "general_add_init" => lax::reduce_window(
                    x,
                    &init(),
                    ReduceOp::Sum,
                    &k.window,
                    &k.strides,
                    k.padding,
                    k.options,
                ),
                _ => lax::reduce_window(
                    x,
                    &init(),
                    ReduceOp::Max,
                    &k.window,
                    &k.strides,
                    k.padding,
                    k.options,
                ),
            };
            one(r)
        }
        "general_prod_jvp" => {
            let k = conf(p);
            let i = init();
            let f = move |x: &Array| {
                lax::reduce_window(
                    x,
                    &i,
                    |a: &Array, b: &Array| lax::mul(a, b),
                    &k.window,
                    &k.strides,
                    k.padding.clone(),
                    k.options.clone(),
                )
            };
            one(jvp(f, x, &args[1]).1)
        }
        "sum_vjp" | "max_vjp" | "min_vjp" => {
            let k = conf(p);
            let op = op_of(&f[..3]);
            let (_, pb) = vjp(|x: &Array| k.apply(op, x), x);
            one(pb.vjp(&args[1]))
        }
        "max_jvp" | "min_jvp" => {
            let k = conf(p);
            let op = op_of(&f[..3]);
            one(jvp(|x: &Array| k.apply(op, x), x, &args[1]).1)
        }
        "jit_vmap_grad" => {
            let (km, ka) = (conf(&p["max"]), conf(&p["avg"]));
            let loss = move |x: &Array| {
                let m = km.apply(ReduceOp::Max, x);
                let a = ka.apply(ReduceOp::Sum, &m) / 4.0f32;
                a.pow(2).sum() + jnp::sin(&m).sum()
            };
            one(jit(vmap(grad(loss)))(x))
        }
        "vmap_axis1_sum" | "vmap_axis1_max" | "vmap_axis1_min" => {
            let k = conf(p);
            let op = op_of(&f[11..]);
            let g = vmap_with(move |v: &Array| k.apply(op, v), in_axes![1]);
            one(g(x))
        }
        "max_hvp" => {
            let k = conf(p);
            let f = move |x: &Array| k.apply(ReduceOp::Max, x).pow(3).sum();
            one(jvp(grad(f), x, &args[1]).1)
        }
        _ => Err(format!("harness: unknown fn {f}")),
    }
}

#[test]
fn golden_reduce_window_against_jax() {
    let doc = fixture();
    run_golden(
        "reduce_window",
        &doc,
        "REDUCE_WINDOW_CASE",
        run_case,
        |_, _, t| t,
    );
}

/// Calls `f`, expecting a panic whose message contains `expected`.
fn expect_panic(name: &str, expected: &str, f: impl FnOnce()) -> Option<String> {
    install_quiet_hook();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => Some(format!("{name}: no error (expected {expected:?})")),
        Err(e) => {
            let msg = panic_message(&e);
            (!msg.contains(expected))
                .then(|| format!("{name}: expected {expected:?}\n    got {msg:?}"))
        }
    }
}

#[test]
fn bad_inputs_raise_jax_messages() {
    let doc = fixture();
    let errors = doc["errors"].as_object().unwrap();
    // float32 even when another test has enabled x64.
    let x = jnp::ones_dtype([4, 4], jaxide::DType::F32);
    let d = ReduceWindowOptions::default;
    let sum = |w: &[usize], s: &[usize], p: &str, o: ReduceWindowOptions| {
        lax::reduce_window_sum(&x, w, s, p, o);
    };
    let opts = |b: Option<Vec<usize>>, w: Option<Vec<usize>>| ReduceWindowOptions {
        base_dilation: b,
        window_dilation: w,
    };
    let mut bad = Vec::new();
    for (name, msg) in errors {
        let msg = msg.as_str().unwrap();
        let r = match name.as_str() {
            "wrong_ndims" => expect_panic(name, msg, || sum(&[2], &[1], "VALID", d())),
            "strides_len" => expect_panic(name, msg, || sum(&[2, 2], &[1], "VALID", d())),
            "zero_stride" => expect_panic(name, msg, || sum(&[2, 2], &[0, 1], "VALID", d())),
            "zero_window" => expect_panic(name, msg, || sum(&[0, 2], &[1, 1], "VALID", d())),
            "base_dilation_len" => expect_panic(name, msg, || {
                sum(&[2, 2], &[1, 1], "VALID", opts(Some(vec![1]), None))
            }),
            "window_dilation_len" => expect_panic(name, msg, || {
                sum(&[2, 2], &[1, 1], "VALID", opts(None, Some(vec![1])))
            }),
            "zero_dilation" => expect_panic(name, msg, || {
                sum(&[2, 2], &[1, 1], "VALID", opts(Some(vec![0, 1]), None))
            }),
            "bool_sum" => expect_panic(name, msg, || {
                let b = jnp::ones_dtype([4], jaxide::DType::Bool);
                lax::reduce_window(
                    &b,
                    &Array::scalar(false),
                    ReduceOp::Sum,
                    &[2],
                    &[1],
                    "VALID",
                    d(),
                );
            }),
            "init_not_scalar" => expect_panic(name, msg, || {
                lax::reduce_window(
                    &x,
                    &jnp::zeros(2),
                    ReduceOp::Sum,
                    &[2, 2],
                    &[1, 1],
                    "VALID",
                    d(),
                );
            }),
            "init_dtype" => expect_panic(name, msg, || {
                lax::reduce_window(
                    &x,
                    &Array::scalar(1i32),
                    ReduceOp::Prod,
                    &[2, 2],
                    &[1, 1],
                    "VALID",
                    d(),
                );
            }),
            "maxpool_vjp_window_dilation" => expect_panic(name, msg, || {
                grad(|x: &Array| {
                    lax::reduce_window_max(
                        x,
                        &[2, 2],
                        &[1, 1],
                        "VALID",
                        opts(None, Some(vec![2, 1])),
                    )
                    .sum()
                })(&x);
            }),
            "unknown_padding" => expect_panic(name, msg, || sum(&[2, 2], &[1, 1], "FULL", d())),
            other => Some(format!("{other}: no Rust counterpart in this test")),
        };
        bad.extend(r);
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn uniform(shape: &[usize], seed: u64) -> Array {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
        })
        .collect();
    Array::from_vec(v, shape.to_vec())
}

#[test]
fn finite_differences_to_second_order() {
    jaxide::config::set_enable_x64(true);
    let x = uniform(&[2, 5, 6, 3], 3);
    let pools: Vec<(Vec<usize>, Vec<usize>, Padding)> = vec![
        (vec![1, 2, 2, 1], vec![1, 2, 2, 1], "VALID".into()),
        (vec![1, 3, 3, 1], vec![1, 2, 2, 1], "SAME".into()),
        (
            vec![1, 2, 3, 1],
            vec![1, 1, 2, 1],
            vec![(0, 0), (1, 0), (2, 1), (0, 0)].into(),
        ),
    ];
    for (w, s, p) in pools {
        for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min] {
            let (w, s, p) = (w.clone(), s.clone(), p.clone());
            let f = move |x: &Array| {
                let k = Conf {
                    window: w.clone(),
                    strides: s.clone(),
                    padding: p.clone(),
                    options: Default::default(),
                };
                k.apply(op, x).pow(2)
            };
            check_grads(f, &x, 2, &[Mode::Fwd, Mode::Rev]);
        }
    }
    // Dilations (sum: both; max: forward only, as JAX has no max vjp with window dilation).
    let x = uniform(&[7, 6], 5);
    let opts = ReduceWindowOptions {
        base_dilation: Some(vec![2, 1]),
        window_dilation: Some(vec![2, 3]),
    };
    let o = opts.clone();
    check_grads(
        move |x: &Array| lax::reduce_window_sum(x, &[2, 2], &[2, 1], [(1, 1), (0, 1)], o.clone()),
        &x,
        2,
        &[Mode::Fwd, Mode::Rev],
    );
    let o = ReduceWindowOptions {
        base_dilation: Some(vec![2, 1]),
        window_dilation: Some(vec![1, 3]),
    };
    check_grads(
        move |x: &Array| lax::reduce_window_max(x, &[2, 2], &[2, 1], "SAME", o.clone()).pow(2),
        &x,
        2,
        &[Mode::Fwd],
    );
    let o = ReduceWindowOptions {
        base_dilation: Some(vec![2, 2]),
        window_dilation: None,
    };
    // Every window holds an element (a window of holes only is -inf, whose square has no derivative).
    check_grads(
        move |x: &Array| lax::reduce_window_max(x, &[3, 3], &[1, 2], "SAME", o.clone()).pow(2),
        &x,
        2,
        &[Mode::Fwd, Mode::Rev],
    );
    // The general path (a closure) is differentiable in both modes too.
    check_grads_with(
        |x: &Array| {
            lax::reduce_window(
                x,
                &Array::scalar(1.0f64),
                |a: &Array, b: &Array| lax::mul(a, b),
                &[2, 2],
                &[1, 1],
                "SAME",
                Default::default(),
            )
        },
        &x,
        2,
        &[Mode::Fwd, Mode::Rev],
        Tolerance::default(),
    );
}

#[test]
fn jaxpr_matches_jax_for_maxpool_grad() {
    // JAX: reduce_window_max, then select_and_scatter_add in the backward pass.
    let f = |x: &Array| {
        lax::reduce_window_max(x, &[1, 2, 2, 1], &[1, 2, 2, 1], "VALID", Default::default())
            .pow(2)
            .sum()
    };
    let text = make_jaxpr(grad(f))(&jnp::ones([2, 4, 4, 3])).to_string();
    assert!(
        text.contains(
            "reduce_window_max[\n      base_dilation=(1, 1, 1, 1)\n      padding=((0, 0), (0, 0), (0, 0), (0, 0))"
        ) || text.contains("reduce_window_max[base_dilation=(1, 1, 1, 1) padding=((0, 0), (0, 0), (0, 0), (0, 0))"),
        "{text}"
    );
    assert!(
        text.contains("select_and_scatter_add[") && text.contains("select_prim=ge"),
        "{text}"
    );
    // The monoid dispatch: init -inf with max is the primitive, init 0 with a closure is not.
    let g = |x: &Array| {
        lax::reduce_window(
            x,
            &Array::scalar(f32::NEG_INFINITY),
            ReduceOp::Max,
            &[2],
            &[1],
            "VALID",
            Default::default(),
        )
    };
    assert!(make_jaxpr(g)(&jnp::ones(5))
        .to_string()
        .contains("reduce_window_max"));
}

#[test]
fn pooling_matches_a_naive_loop_on_large_batches() {
    // Large enough to run on several threads: max/avg 2×2 stride-2 NHWC and the gradient.
    let x = uniform(&[64, 8, 8, 32], 9).astype(jaxide::DType::F32);
    let xs = x.to_vec::<f32>();
    let m = lax::reduce_window_max(
        &x,
        &[1, 2, 2, 1],
        &[1, 2, 2, 1],
        "VALID",
        Default::default(),
    );
    let s = lax::reduce_window_sum(
        &x,
        &[1, 2, 2, 1],
        &[1, 2, 2, 1],
        "VALID",
        Default::default(),
    );
    let g = grad(|x: &Array| {
        lax::reduce_window_max(x, &[1, 2, 2, 1], &[1, 2, 2, 1], "VALID", Default::default())
            .pow(2)
            .sum()
    })(&x);
    let (mv, sv, gv) = (m.to_vec::<f32>(), s.to_vec::<f32>(), g.to_vec::<f32>());
    let at = |n: usize, h: usize, w: usize, c: usize| ((n * 8 + h) * 8 + w) * 32 + c;
    for n in 0..64 {
        for (i, j, c) in itertools_free(4, 4, 32) {
            let taps = [
                at(n, 2 * i, 2 * j, c),
                at(n, 2 * i, 2 * j + 1, c),
                at(n, 2 * i + 1, 2 * j, c),
                at(n, 2 * i + 1, 2 * j + 1, c),
            ];
            let o = ((n * 4 + i) * 4 + j) * 32 + c;
            let best = taps
                .iter()
                .copied()
                .reduce(|a, b| if xs[a] >= xs[b] { a } else { b })
                .unwrap();
            assert_eq!(mv[o], xs[best]);
            let sum = taps.iter().fold(0.0f32, |a, &t| a + xs[t]);
            assert_eq!(sv[o], sum);
            for t in taps {
                let want = if t == best { 2.0 * xs[t] } else { 0.0 };
                assert_eq!(gv[t], want);
            }
        }
    }
}

fn itertools_free(a: usize, b: usize, c: usize) -> impl Iterator<Item = (usize, usize, usize)> {
    (0..a).flat_map(move |i| (0..b).flat_map(move |j| (0..c).map(move |k| (i, j, k))))
}
