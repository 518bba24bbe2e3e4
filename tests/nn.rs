//! Golden tests of `jaxide::nn` against real JAX: activations and their
//! derivatives, the softmax family, `logsumexp`, `standardize`, `glu`,
//! `one_hot`, and every initializer for fixed keys. The fixture
//! `tests/fixtures/nn/nn.json` is written by `gen_nn.py` next to it.
//! Set `NN_CASE=substring` for a subset.

use jaxide::nn::{self, initializers as init};
use jaxide::numpy as jnp;
use jaxide::numpy::Axes;
use jaxide::prelude::*;
use jaxide::{random, Array, DType};
use serde_json::Value;

#[macro_use]
#[path = "common/golden.rs"]
mod golden;
use golden::*;

/// A boxed activation under test.
type Act = Box<dyn Fn(&Array) -> Array + Send + Sync>;

static FIXTURE: &str = include_str!("fixtures/nn/nn.json");

/// `vmap(grad(f))(x)`, as the fixture computes it.
fn per_element_grad(
    f: impl Fn(&Array) -> Array + Clone + Send + Sync + 'static,
    x: &Array,
) -> Array {
    vmap(move |v: &Array| grad(f.clone())(v))(x)
}

fn fparam(p: &Value, k: &str, default: f64) -> f64 {
    p.get(k).and_then(|v| v.as_f64()).unwrap_or(default)
}

/// The elementwise activation named `f` with the fixture's parameters.
fn activation(f: &str, p: &Value) -> Option<Act> {
    let alpha = fparam(p, "alpha", 1.0);
    let slope = fparam(p, "negative_slope", 1e-2);
    let b = fparam(p, "b", 4.0);
    let approximate = p
        .get("approximate")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    Some(match f {
        "relu" => Box::new(|x| nn::relu(x)),
        "relu6" => Box::new(|x| nn::relu6(x)),
        "sigmoid" => Box::new(|x| nn::sigmoid(x)),
        "log_sigmoid" => Box::new(|x| nn::log_sigmoid(x)),
        "softplus" => Box::new(|x| nn::softplus(x)),
        "silu" => Box::new(|x| nn::silu(x)),
        "swish" => Box::new(|x| nn::swish(x)),
        "elu" => Box::new(move |x| nn::elu_with(x, alpha)),
        "celu" => Box::new(move |x| nn::celu_with(x, alpha)),
        "selu" => Box::new(|x| nn::selu(x)),
        "leaky_relu" => Box::new(move |x| nn::leaky_relu_with(x, slope)),
        "hard_tanh" => Box::new(|x| nn::hard_tanh(x)),
        "hard_sigmoid" => Box::new(|x| nn::hard_sigmoid(x)),
        "hard_silu" => Box::new(|x| nn::hard_silu(x)),
        "hard_swish" => Box::new(|x| nn::hard_swish(x)),
        "mish" => Box::new(|x| nn::mish(x)),
        "squareplus" => Box::new(move |x| nn::squareplus_with(x, b)),
        "sparse_plus" => Box::new(|x| nn::sparse_plus(x)),
        "sparse_sigmoid" => Box::new(|x| nn::sparse_sigmoid(x)),
        "soft_sign" => Box::new(|x| nn::soft_sign(x)),
        "gelu" => Box::new(move |x| nn::gelu_with(x, approximate)),
        "log1mexp" => Box::new(|x| nn::log1mexp(x)),
        _ => return None,
    })
}

fn axis_of(p: &Value) -> Axes {
    match p.get("axis") {
        None | Some(Value::Null) => Axes::All,
        Some(v) => axes_of(v),
    }
}

fn fan_axes(p: &Value) -> init::FanAxes {
    let list = |k: &str, d: Vec<isize>| -> Vec<isize> {
        match p.get(k) {
            None => d,
            Some(Value::Array(v)) => v.iter().map(|x| x.as_i64().unwrap() as isize).collect(),
            Some(v) => vec![v.as_i64().unwrap() as isize],
        }
    };
    init::FanAxes {
        in_axis: list("in_axis", vec![-2]),
        out_axis: list("out_axis", vec![-1]),
        batch_axis: list("batch_axis", vec![]),
    }
}

fn initializer(name: &str, p: &Value) -> Option<init::Initializer> {
    Some(match name {
        "glorot_uniform" => init::glorot_uniform(),
        "glorot_normal" => init::glorot_normal(),
        "lecun_uniform" => init::lecun_uniform(),
        "lecun_normal" => init::lecun_normal(),
        "he_uniform" => init::he_uniform(),
        "he_normal" => init::he_normal(),
        "variance_scaling" => init::variance_scaling_with(
            fparam(p, "scale", 1.0),
            p["mode"].as_str().unwrap(),
            p["distribution"].as_str().unwrap(),
            fan_axes(p),
        ),
        "normal" => init::normal(fparam(p, "stddev", 1e-2)),
        "uniform" => init::uniform(fparam(p, "scale", 1e-2)),
        "truncated_normal" => init::truncated_normal_with(
            fparam(p, "stddev", 1e-2),
            fparam(p, "lower", -2.0),
            fparam(p, "upper", 2.0),
        ),
        "orthogonal" => init::orthogonal_with(
            fparam(p, "scale", 1.0),
            p.get("column_axis").and_then(|v| v.as_i64()).unwrap_or(-1) as isize,
        ),
        "zeros" => init::zeros(),
        "ones" => init::ones(),
        "constant" => init::constant(fparam(p, "value", 0.0)),
        _ => return None,
    })
}

fn run_case(c: &Value) -> Outcome {
    let f = c["fn"].as_str().unwrap();
    let p = &c["params"];
    let args: Vec<Array> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| decode_arg(a).arr())
        .collect();
    let a = |i: usize| &args[i];
    if let Some(name) = f.strip_prefix("init_") {
        let i = initializer(name, p).ok_or(format!("harness: no initializer {name}"))?;
        let key = random::key(p["seed"].as_i64().unwrap());
        let shape: Vec<usize> = shape_of(&p["shape"]);
        return one(i.init_dtype(&key, &shape, dtype_of(p["dtype"].as_str().unwrap())));
    }
    if let Some(base) = f.strip_suffix("_grad") {
        if let Some(act) = activation(base, p) {
            let act: std::sync::Arc<dyn Fn(&Array) -> Array + Send + Sync> = act.into();
            return one(per_element_grad(move |x: &Array| act(x), a(0)));
        }
    }
    if let Some(act) = activation(f, p) {
        return one(act(a(0)));
    }
    let axis = axis_of(p);
    let keepdims = p.get("keepdims").and_then(|v| v.as_bool()).unwrap_or(false);
    match f {
        "softmax" | "log_softmax" => {
            let o = nn::SoftmaxOptions {
                axis,
                where_: args.get(1).cloned(),
                ..Default::default()
            };
            one(if f == "softmax" {
                nn::softmax_with(a(0), o)
            } else {
                nn::log_softmax_with(a(0), o)
            })
        }
        "standardize" => one(nn::standardize_axis(a(0), axis)),
        "glu" => one(nn::glu_axis(a(0), int(p, "axis") as isize)),
        "logsumexp" => one(nn::logsumexp_axis(a(0), axis, keepdims)),
        "logsumexp_grad" => one(grad(|x: &Array| nn::logsumexp(x))(a(0))),
        "softmax_grad" => one(grad(|x: &Array| {
            jnp::sum(&(nn::softmax(x) * jnp::arange_dtype(5, DType::F32)))
        })(a(0))),
        "one_hot" => one(nn::one_hot_with(
            a(0),
            int(p, "num_classes") as usize,
            nn::OneHotOptions {
                dtype: opt_dtype(p),
                axis: p.get("axis").and_then(|v| v.as_i64()).unwrap_or(-1) as isize,
            },
        )),
        _ => Err(format!("harness: no dispatch for fn {f}")),
    }
}

#[test]
fn nn_matches_jax_golden() {
    let doc: Value = serde_json::from_str(FIXTURE).expect("nn.json is not valid JSON");
    run_golden("nn golden", &doc, "NN_CASE", run_case, |_, _, tol| tol);
}

#[test]
fn activations_pass_finite_difference_checks() {
    use jaxide::test_util::{check_grads_with, Mode, Tolerance};
    // Points away from kinks, in f32 with loose tolerances (f64 needs x64).
    let x = jnp::array([-2.3f32, -0.7, 0.4, 1.3, 2.9]);
    let fs: Vec<(&str, Act)> = vec![
        ("gelu", Box::new(|x| nn::gelu(x))),
        ("gelu_exact", Box::new(|x| nn::gelu_with(x, false))),
        ("silu", Box::new(|x| nn::silu(x))),
        ("mish", Box::new(|x| nn::mish(x))),
        ("elu", Box::new(|x| nn::elu(x))),
        ("celu", Box::new(|x| nn::celu_with(x, 2.0))),
        ("selu", Box::new(|x| nn::selu(x))),
        ("softplus", Box::new(|x| nn::softplus(x))),
        ("log_sigmoid", Box::new(|x| nn::log_sigmoid(x))),
        ("squareplus", Box::new(|x| nn::squareplus(x))),
        ("soft_sign", Box::new(|x| nn::soft_sign(x))),
        ("sparse_plus", Box::new(|x| nn::sparse_plus(x))),
        ("relu", Box::new(|x| nn::relu(x))),
        ("relu6", Box::new(|x| nn::relu6(x))),
        ("leaky_relu", Box::new(|x| nn::leaky_relu(x))),
        ("hard_silu", Box::new(|x| nn::hard_silu(x))),
        ("softmax", Box::new(|x| nn::softmax(x))),
        ("log_softmax", Box::new(|x| nn::log_softmax(x))),
        ("logsumexp", Box::new(|x| nn::logsumexp(x))),
        ("standardize", Box::new(|x| nn::standardize(x))),
    ];
    for (name, f) in fs {
        let f: std::sync::Arc<dyn Fn(&Array) -> Array + Send + Sync> = f.into();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_grads_with(
                move |x: &Array| f(x),
                &x,
                1,
                &[Mode::Fwd, Mode::Rev],
                Tolerance {
                    atol: Some(2e-2),
                    rtol: Some(2e-2),
                    eps: None,
                },
            )
        }));
        assert!(r.is_ok(), "{name}: finite differences disagree");
    }
}

#[test]
fn one_hot_out_of_range_labels_give_zero_rows() {
    let y = nn::one_hot(jnp::array([0, 3, -1, 7]), 4);
    assert_eq!(
        y.to_vec::<f32>(),
        vec![1., 0., 0., 0., 0., 0., 0., 1., 0., 0., 0., 0., 0., 0., 0., 0.]
    );
}

#[test]
fn softmax_gradient_is_finite_where_exp_underflows() {
    let x = jnp::array([0.0f32, -200.0, 1000.0]);
    let g = grad(|x: &Array| nn::log_softmax(x).idx(0))(&x);
    assert!(g.to_vec::<f32>().iter().all(|v| v.is_finite()));
    let g = grad(|x: &Array| nn::logsumexp(x))(&jnp::array([1000.0f32, 1000.0]));
    assert_eq!(g.to_vec::<f32>(), vec![0.5, 0.5]);
}

#[test]
fn activations_work_under_jit() {
    let x = jnp::linspace(-4.0, 4.0, 33).astype(DType::F32);
    let f = |x: &Array| nn::gelu(x) + nn::softmax(x) + nn::relu(x);
    let eager = f(&x);
    let jitted = jit(f)(&x);
    assert_eq!(eager.to_vec::<f32>(), jitted.to_vec::<f32>());
    let g = jit(grad(|x: &Array| jnp::sum(&nn::relu(x))))(&x);
    assert_eq!(g.to_vec::<f32>()[16], 0.0, "relu'(0) = 0 as in JAX");
}

#[test]
#[should_panic(expected = "invalid mode for variance scaling initializer: fan_mid")]
fn variance_scaling_rejects_bad_mode() {
    let _ = init::variance_scaling(1.0, "fan_mid", "normal");
}

#[test]
#[should_panic(expected = "Can't compute input and output sizes of a 1-dimensional weights")]
fn fans_need_two_dims() {
    let _ = init::glorot_uniform().init(&random::key(0), &[3]);
}

#[test]
fn erfc_gives_jaxs_bits() {
    // jax.lax.erfc on these float32 inputs (CPU), as float32 bit patterns.
    let x = jnp::array([5.226419f32, 1.5, 2.5, -3.0, 0.3, -0.7, 9.1]);
    let want: Vec<u32> = [
        1.454302444529182e-13f64,
        0.0338948555290699,
        0.00040695202187635005,
        1.999977946281433,
        0.6713732481002808,
        1.6778011322021484,
        6.696865336582574e-38,
    ]
    .iter()
    .map(|&v| (v as f32).to_bits())
    .collect();
    let got: Vec<u32> = jaxide::lax::erfc(&x)
        .to_vec::<f32>()
        .iter()
        .map(|v| v.to_bits())
        .collect();
    assert_eq!(got, want);
}
