//! Golden tests of `jaxide::nn`'s equinox-style modules against real
//! equinox: parameters drawn from fixed keys (bit for bit), forward
//! outputs, gradients with respect to the parameters, batch-norm states,
//! and equinox's error messages. The fixture
//! `tests/fixtures/modules/modules.json` is written by `gen_modules.py`
//! next to it. Set `MODULES_CASE=substring` for a subset.
//!
//! Also: modules under `jit`, `vmap` and `grad`, and `Sequential`'s
//! pytree round trip.

use jaxide::nn::{self, Layer, LayerPadding, Module, PerDim};
use jaxide::numpy as jnp;
use jaxide::prelude::*;
use jaxide::random::{self, Key};
use serde_json::{json, Value};

#[macro_use]
#[path = "common/golden.rs"]
mod golden;
use golden::*;

static FIXTURE: &str = include_str!("fixtures/modules/modules.json");

fn key(seed: i64) -> Key {
    random::key(seed)
}

fn activation(name: &str) -> nn::ActivationFn {
    match name {
        "relu" => |x| nn::relu(x),
        "tanh" => |x| jnp::tanh(x),
        "sigmoid" => |x| nn::sigmoid(x),
        "identity" => |x| x.clone(),
        _ => panic!("harness: unknown activation {name}"),
    }
}

fn usize_of(v: &Value) -> usize {
    v.as_u64()
        .unwrap_or_else(|| panic!("harness: not a size: {v}")) as usize
}

fn bool_or(p: &Value, k: &str, default: bool) -> bool {
    p.get(k).and_then(Value::as_bool).unwrap_or(default)
}

/// An int or a list of ints.
fn per_dim(v: &Value) -> PerDim {
    match v {
        Value::Array(xs) => PerDim::Each(xs.iter().map(usize_of).collect()),
        v => PerDim::All(usize_of(v)),
    }
}

/// An int, a list of ints, a list of pairs, or a padding string.
fn padding(v: &Value) -> LayerPadding {
    match v {
        Value::String(s) => LayerPadding::from(s.as_str()),
        Value::Array(xs) if xs.iter().all(Value::is_array) => LayerPadding::Pairs(
            xs.iter()
                .map(|p| (usize_of(&p[0]), usize_of(&p[1])))
                .collect(),
        ),
        Value::Array(xs) => LayerPadding::Each(xs.iter().map(usize_of).collect()),
        v => LayerPadding::All(usize_of(v)),
    }
}

fn conv(p: &Value) -> nn::Conv {
    let mode = match p.get("padding_mode").and_then(Value::as_str) {
        None => nn::PaddingMode::Zeros,
        Some("REFLECT") => nn::PaddingMode::Reflect,
        Some("CIRCULAR") => nn::PaddingMode::Circular,
        Some("REPLICATE") => nn::PaddingMode::Replicate,
        Some(m) => panic!("harness: padding_mode {m}"),
    };
    let options = nn::ConvLayerOptions {
        stride: p.get("stride").map_or(PerDim::All(1), per_dim),
        padding: p.get("padding").map_or(LayerPadding::All(0), padding),
        dilation: p.get("dilation").map_or(PerDim::All(1), per_dim),
        groups: p.get("groups").map_or(1, usize_of),
        use_bias: bool_or(p, "use_bias", true),
        padding_mode: mode,
        dtype: None,
    };
    nn::Conv::new_with(
        usize_of(&p["dims"]),
        usize_of(&p["in"]),
        usize_of(&p["out"]),
        per_dim(&p["kernel"]),
        options,
        &key(p["seed"].as_i64().unwrap()),
    )
}

fn pool(p: &Value) -> nn::Pool {
    let kind = match p["op"].as_str().unwrap() {
        "max" => nn::PoolKind::Max,
        _ => nn::PoolKind::Avg,
    };
    let options = nn::PoolOptions {
        stride: p.get("stride").map_or(PerDim::All(1), per_dim),
        padding: p.get("padding").map_or(LayerPadding::All(0), padding),
        use_ceil: bool_or(p, "use_ceil", false),
    };
    nn::Pool::new(kind, usize_of(&p["dims"]), per_dim(&p["kernel"]), options)
}

fn mha(p: &Value) -> nn::MultiheadAttention {
    let opt = |k: &str| p.get(k).map(usize_of);
    let options = nn::MhaOptions {
        key_size: opt("key_size"),
        value_size: opt("value_size"),
        output_size: opt("output_size"),
        qk_size: opt("qk_size"),
        vo_size: opt("vo_size"),
        use_query_bias: bool_or(p, "use_query_bias", false),
        use_key_bias: bool_or(p, "use_key_bias", false),
        use_value_bias: bool_or(p, "use_value_bias", false),
        use_output_bias: bool_or(p, "use_output_bias", false),
        dropout_p: p.get("dropout_p").and_then(Value::as_f64).unwrap_or(0.0),
        inference: false,
        dtype: None,
    };
    nn::MultiheadAttention::new_with(
        usize_of(&p["num_heads"]),
        usize_of(&p["query_size"]),
        options,
        &key(p["seed"].as_i64().unwrap()),
    )
}

/// The fixture's `Sequential([Linear, relu, Dropout(0.25), Linear])`.
fn mlp_sequential(seed: i64) -> nn::Sequential {
    let ks = random::split(&key(seed), 2);
    nn::Sequential::new(vec![
        nn::Linear::new(4, 8, true, &ks.idx(0)).into(),
        Layer::lambda(|x| nn::relu(x)),
        nn::Dropout::new(0.25).into(),
        nn::Linear::new(8, 3, true, &ks.idx(1)).into(),
    ])
}

/// The fixture's small CNN.
fn cnn_sequential(seed: i64) -> nn::Sequential {
    let ks = random::split(&key(seed), 2);
    let conv_options = nn::ConvLayerOptions {
        padding: 1.into(),
        ..Default::default()
    };
    let pool_options = nn::PoolOptions {
        stride: 2.into(),
        ..Default::default()
    };
    nn::Sequential::new(vec![
        nn::Conv2d::new_with(1, 3, 3, conv_options, &ks.idx(0)).into(),
        Layer::lambda(|x| nn::relu(x)),
        nn::MaxPool2d::new_with(2, pool_options).into(),
        nn::Reshape::new(&[-1]).into(),
        nn::Linear::new(18, 2, true, &ks.idx(1)).into(),
    ])
}

/// What a case produced: the module's leaves with key paths, the outputs,
/// the gradient leaves, and extra arrays (batch-norm states).
#[derive(Default)]
struct Got {
    leaves: Vec<(String, Array)>,
    outs: Vec<Array>,
    grads: Vec<(String, Array)>,
    states: Vec<Vec<Array>>,
}

fn with_paths<T: PyTree>(t: &T) -> Vec<(String, Array)> {
    tree_leaves_with_path(t)
        .into_iter()
        .map(|(p, a)| (keystr(&p), a))
        .collect()
}

/// The module's leaves, its output on `call`, and (if `grad`) the
/// gradient of `sum(sin(call(m)))` with respect to the module.
fn run_module<M: PyTree + Clone + Send + Sync>(
    m: &M,
    call: impl Fn(&M) -> Array + Send + Sync + Clone,
    want_grad: bool,
    has_inputs: bool,
) -> Got {
    let mut got = Got {
        leaves: with_paths(m),
        ..Default::default()
    };
    if has_inputs {
        got.outs.push(call(m));
    }
    if want_grad {
        let g = grad(move |m: &M| jnp::sum(&jnp::sin(call(m))))(m);
        got.grads = with_paths(&g);
    }
    got
}

fn run_case(c: &Value) -> Got {
    let p = &c["params"];
    let xs: Vec<Array> = c["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(decode_array)
        .collect();
    let want_grad = c.get("grads").is_some();
    let has_inputs = !xs.is_empty();
    let seed = || p["seed"].as_i64().unwrap();
    match c["kind"].as_str().unwrap() {
        "linear" => {
            let dtype = p.get("dtype").and_then(Value::as_str).map(dtype_of);
            let m = nn::Linear::new_dtype(
                usize_of(&p["in"]),
                usize_of(&p["out"]),
                p["use_bias"].as_bool().unwrap(),
                dtype,
                &key(seed()),
            );
            run_module(&m, |m| m.forward(&xs[0]), want_grad, has_inputs)
        }
        "mlp" => {
            let m = nn::MLP::new_with(
                usize_of(&p["in"]),
                usize_of(&p["out"]),
                usize_of(&p["width"]),
                usize_of(&p["depth"]),
                activation(p["activation"].as_str().unwrap()),
                activation(p["final_activation"].as_str().unwrap()),
                nn::MlpOptions {
                    use_bias: p["use_bias"].as_bool().unwrap(),
                    use_final_bias: p["use_final_bias"].as_bool().unwrap(),
                    dtype: None,
                },
                &key(seed()),
            );
            run_module(&m, |m| m.forward(&xs[0]), want_grad, has_inputs)
        }
        "conv" => run_module(&conv(p), |m| m.forward(&xs[0]), want_grad, has_inputs),
        "pool" => run_module(&pool(p), |m| m.forward(&xs[0]), want_grad, has_inputs),
        "layer_norm" => {
            let shape: Vec<usize> = p["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(usize_of)
                .collect();
            let m = nn::LayerNorm::new(
                &shape,
                p["eps"].as_f64().unwrap(),
                p["use_weight"].as_bool().unwrap(),
                p["use_bias"].as_bool().unwrap(),
            );
            run_module(&m, |m| m.forward(&xs[0]), want_grad, has_inputs)
        }
        "batch_norm" => {
            let mode = match p["mode"].as_str().unwrap() {
                "batch" => nn::BatchNormMode::Batch,
                _ => nn::BatchNormMode::Ema,
            };
            let bn = nn::BatchNorm::new_with(
                usize_of(&p["channels"]),
                mode,
                nn::BatchNormOptions {
                    channelwise_affine: p["affine"].as_bool().unwrap(),
                    ..Default::default()
                },
            );
            let mut got = Got {
                leaves: with_paths(&bn),
                ..Default::default()
            };
            let mut state = bn.init_state();
            for (step, x) in xs.iter().enumerate() {
                let (y, s) = bn.forward(x, state, step == 2);
                got.outs.push(y);
                got.states.push(tree_leaves(&s));
                state = s;
            }
            got
        }
        "dropout" => {
            let d = nn::Dropout::new(p["p"].as_f64().unwrap());
            let k = p.get("seed").map(|s| key(s.as_i64().unwrap()));
            let inference = bool_or(p, "inference", false);
            run_module(
                &d,
                |m| m.forward(&xs[0], k.as_ref(), inference),
                false,
                true,
            )
        }
        "embedding" => {
            let m = nn::Embedding::new(usize_of(&p["num"]), usize_of(&p["size"]), &key(seed()));
            run_module(&m, |m| m.forward(&xs[0]), false, true)
        }
        "mha" => {
            let m = mha(p);
            let k = p.get("dropout_seed").map(|s| key(s.as_i64().unwrap()));
            run_module(
                &m,
                |m| m.forward(&xs[0], &xs[1], &xs[2], xs.get(3), k.as_ref()),
                want_grad,
                true,
            )
        }
        "sequential" => {
            let m = mlp_sequential(seed());
            let k = p.get("call_seed").map(|s| key(s.as_i64().unwrap()));
            run_module(&m, |m| m.forward(&xs[0], k.as_ref()), want_grad, true)
        }
        "sequential_cnn" => {
            let m = cnn_sequential(seed());
            run_module(&m, |m| m.forward(&xs[0], None), want_grad, true)
        }
        k => panic!("harness: unknown kind {k}"),
    }
}

fn compare_paths(
    got: &[(String, Array)],
    exp: &Value,
    tol: &Value,
    issues: &mut Vec<String>,
    what: &str,
) {
    let exp = exp.as_array().unwrap();
    let got_paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    let exp_paths: Vec<&str> = exp.iter().map(|e| e[0].as_str().unwrap()).collect();
    if got_paths != exp_paths {
        issues.push(format!(
            "{what} paths: expected {exp_paths:?}, got {got_paths:?}"
        ));
        return;
    }
    for ((path, a), e) in got.iter().zip(exp) {
        compare(a, &e[1], tol, issues, &format!("{what} {path}: "));
    }
}

/// Runs one case; returns its mismatches.
fn check_case(c: &Value) -> Vec<String> {
    let mut issues = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| run_case(c)));
    let expected_error = c.get("error").and_then(Value::as_str);
    let got = match (result, expected_error) {
        (Err(e), Some(exp)) => {
            let msg = panic_message(&e);
            let want = c.get("jaxide_error").and_then(Value::as_str).unwrap_or(exp);
            if !msg.contains(want) {
                issues.push(format!("error: expected {want:?}, got {msg:?}"));
            }
            return issues;
        }
        (Err(e), None) => {
            issues.push(format!("panicked: {}", panic_message(&e)));
            return issues;
        }
        (Ok(_), Some(exp)) => {
            issues.push(format!("expected the error {exp:?}, got a result"));
            return issues;
        }
        (Ok(got), None) => got,
    };
    // Parameters come from the same random draws: bit for bit.
    compare_paths(&got.leaves, &c["leaves"], &json!({}), &mut issues, "param");
    let tol = c.get("tol").cloned().unwrap_or(json!({}));
    let exp_outs: Vec<&Value> = match (c.get("out"), c.get("outs")) {
        (Some(o), _) => vec![o],
        (None, Some(Value::Array(os))) => os.iter().collect(),
        _ => vec![],
    };
    if exp_outs.len() != got.outs.len() {
        issues.push(format!(
            "expected {} outputs, got {}",
            exp_outs.len(),
            got.outs.len()
        ));
    }
    for (i, (g, e)) in got.outs.iter().zip(exp_outs).enumerate() {
        compare(g, e, &tol, &mut issues, &format!("out[{i}]: "));
    }
    if let Some(grads) = c.get("grads") {
        compare_paths(&got.grads, grads, &tol, &mut issues, "grad");
    }
    if let Some(Value::Array(states)) = c.get("states") {
        for (step, (g, e)) in got.states.iter().zip(states).enumerate() {
            let e = e.as_array().unwrap();
            if g.len() != e.len() {
                issues.push(format!(
                    "state[{step}]: {} leaves, expected {}",
                    g.len(),
                    e.len()
                ));
                continue;
            }
            for (i, (a, ev)) in g.iter().zip(e).enumerate() {
                compare(a, ev, &tol, &mut issues, &format!("state[{step}][{i}]: "));
            }
        }
    }
    issues
}

use std::panic::{catch_unwind, AssertUnwindSafe};

#[test]
fn modules_match_equinox() {
    install_quiet_hook();
    let doc: Value = serde_json::from_str(FIXTURE).unwrap();
    let filter = std::env::var("MODULES_CASE").ok();
    let mut failures = Vec::new();
    let mut n = 0;
    for c in cases(&doc) {
        let name = c["name"].as_str().unwrap();
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        n += 1;
        let issues = check_case(c);
        if !issues.is_empty() {
            failures.push(format!("{name}:\n    {}", issues.join("\n    ")));
        }
    }
    assert!(n > 0, "no cases ran");
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Modules under transformations
// ---------------------------------------------------------------------------

fn assert_close(a: &Array, b: &Array, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    let (a, b) = (a.to_vec::<f32>(), b.to_vec::<f32>());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-5 * (1.0 + y.abs()),
            "{what}[{i}]: {x} vs {y}"
        );
    }
}

fn test_mlp() -> nn::MLP {
    nn::MLP::new(3, 2, 5, 2, |x| nn::relu(x), |x| jnp::tanh(x), &key(0))
}

#[test]
fn vmap_over_a_batch_equals_the_per_example_calls() {
    let model = test_mlp();
    let xs = random::normal(&key(1), &[4, 3]);
    let batched = vmap(|x: &Array| model.forward(x))(&xs);
    let rows: Vec<Array> = (0..4).map(|i| model.forward(&xs.idx(i))).collect();
    assert_close(&batched, &jnp::stack(&rows, 0), "vmap(mlp)");
}

#[test]
fn jit_takes_the_model_as_an_argument() {
    let model = test_mlp();
    let x = random::normal(&key(2), &[3]);
    let f = jit(|m: &nn::MLP, x: &Array| m.forward(x));
    assert_close(&f(&model, &x), &model.forward(&x), "jit(mlp)");
    // A model with other parameters (same structure) reuses the trace.
    let other = tree_map(|p| p * 0.5, &model);
    assert_close(&f(&other, &x), &other.forward(&x), "jit(mlp) again");
}

#[test]
fn jit_of_a_training_step_lowers_the_loss() {
    let model = test_mlp();
    let xs = random::normal(&key(3), &[8, 3]);
    let ys = random::normal(&key(4), &[8, 2]);
    fn loss(m: &nn::MLP, xs: &Array, ys: &Array) -> Array {
        let pred = vmap(|x: &Array| m.forward(x))(xs);
        jnp::mean(&(&pred - ys).pow(2))
    }
    let step = jit(|m: &nn::MLP, xs: &Array, ys: &Array| {
        let g = grad(|m: &nn::MLP| loss(m, xs, ys))(m);
        tree_map2(|p, g| p - 0.1 * g, m, &g)
    });
    let before = loss(&model, &xs, &ys).item::<f32>();
    let mut m = model;
    for _ in 0..20 {
        m = step(&m, &xs, &ys);
    }
    let after = loss(&m, &xs, &ys).item::<f32>();
    assert!(after < before, "loss {before} -> {after}");
    assert_eq!(m.layers.len(), 3);
}

#[test]
fn grad_under_jit_equals_eager_grad() {
    let model = nn::Linear::new(4, 3, true, &key(5));
    let x = random::normal(&key(6), &[4]);
    let f = |m: &nn::Linear| jnp::sum(&jnp::sin(m.forward(&x)));
    let eager = grad(f)(&model);
    let jitted = jit(|m: &nn::Linear| grad(f)(m))(&model);
    assert_close(&jitted.weight, &eager.weight, "weight grad");
    assert_close(
        jitted.bias.as_ref().unwrap(),
        eager.bias.as_ref().unwrap(),
        "bias grad",
    );
}

#[test]
fn sequential_round_trips_through_tree_map_and_jit() {
    let model = mlp_sequential(31);
    let doubled = tree_map(|p| p * 2.0, &model);
    assert!(matches!(doubled.layers[1], Layer::Lambda(_)));
    assert!(matches!(doubled.layers[2], Layer::Dropout(_)));
    let paths: Vec<String> = with_paths(&doubled).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            ".layers[0].weight",
            ".layers[0].bias",
            ".layers[3].weight",
            ".layers[3].bias"
        ]
    );
    let x = random::normal(&key(7), &[4]);
    let k = key(8);
    let f = jit(|m: &nn::Sequential, x: &Array, k: &Key| m.forward(x, Some(k)));
    assert_close(
        &f(&model, &x, &k),
        &model.forward(&x, Some(&k)),
        "jit(sequential)",
    );
    // Dropout in inference mode makes the call deterministic.
    let mut eval = model.clone();
    eval.layers[2] = nn::Dropout::new(0.25).with_inference(true).into();
    let a = eval.forward(&x, Some(&key(1)));
    let b = eval.forward(&x, Some(&key(2)));
    assert_close(&a, &b, "inference dropout");
}

#[test]
fn batch_norm_state_threads_through_jit() {
    let bn = nn::BatchNorm::new(3, nn::BatchNormMode::Batch);
    let xs = random::normal(&key(9), &[5, 3, 4]);
    let step = jit(|bn: &nn::BatchNorm, x: &Array, s: &nn::BatchNormState| {
        bn.forward(x, s.clone(), false)
    });
    let (y_jit, s_jit) = step(&bn, &xs, &bn.init_state());
    let (y, s) = bn.forward(&xs, bn.init_state(), false);
    assert_close(&y_jit, &y, "bn y");
    assert_close(&s_jit.mean, &s.mean, "bn mean");
    assert_close(&s_jit.var, &s.var, "bn var");
    assert_eq!(s_jit.counter.unwrap().item::<i32>(), 1);
    // Inference under jit: a traced counter takes `pow`, not `integer_pow`.
    let infer = jit(|bn: &nn::BatchNorm, x: &Array, s: &nn::BatchNormState| {
        bn.forward(x, s.clone(), true).0
    });
    let eager = bn.forward(&xs, s.clone(), true).0;
    assert_close(&infer(&bn, &xs, &s), &eager, "bn inference");
}

#[test]
fn module_trait_is_generic() {
    fn apply_twice<M: Module>(m: &M, x: &Array) -> Array {
        m.call(&m.call(x, None), None)
    }
    let lin = nn::Linear::new(3, 3, false, &key(10));
    let x = jnp::ones([3]);
    assert_close(
        &apply_twice(&lin, &x),
        &lin.forward(&lin.forward(&x)),
        "generic",
    );
    let ln = nn::LayerNorm::new(&[3], 1e-5, true, true);
    assert_eq!(apply_twice(&ln, &jnp::arange(3.0)).shape(), &[3]);
}

#[test]
fn configuration_errors() {
    let err = |f: &dyn Fn()| {
        let e = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
        panic_message(&e)
    };
    assert_eq!(
        err(&|| {
            nn::Conv2d::new_with(
                3,
                4,
                3,
                nn::ConvLayerOptions {
                    groups: 2,
                    ..Default::default()
                },
                &key(0),
            );
        }),
        "ValueError: `in_channels` (=3) must be divisible by `groups` (=2)."
    );
    assert_eq!(
        err(&|| {
            nn::Conv::new(2, 3, 4, [3, 3, 3], &key(0));
        }),
        "ValueError: Length of (3, 3, 3) (length = 3) is not equal to 2"
    );
    assert_eq!(
        err(&|| {
            nn::MaxPool2d::new_with(
                2,
                nn::PoolOptions {
                    padding: "SAME".into(),
                    ..Default::default()
                },
            );
        }),
        "ValueError: `padding` must either be an int or tuple of length 2 containing ints or \
         tuples of length 2."
    );
    assert!(err(&|| {
        nn::BatchNorm::new(3, nn::BatchNormMode::Ema).forward(
            &jnp::ones([3, 4]),
            nn::BatchNorm::new(3, nn::BatchNormMode::Ema).init_state(),
            false,
        );
    })
    .contains("`BatchNorm` takes the whole batch"));
}
