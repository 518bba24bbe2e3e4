//! `jaxide::optim` against real optax (`tests/fixtures/optim/gen_optim.py`):
//! 20-step trajectories and final states of every optimizer, schedules,
//! losses with their gradients; plus jit = eager, state checks and
//! `multi_steps` under jit.
//!
//! Tolerance: each value agrees with optax to `ULPS` float32 ulps, or to
//! `ABS` absolutely. The absolute floor is needed for parameters that
//! converge towards small values: their trajectories inherit 1-ulp
//! differences of the O(0.1-1) values they passed through (optax itself
//! differs by up to 6e-8 between `adam` and the same update under
//! `masked`, as XLA compiles the two differently). Set `OPTIM_DEBUG=1` to
//! print every difference above 1 ulp; the largest seen is 1.5e-7, in
//! accumulated gradients of magnitude 0.1.

mod common;

use std::collections::BTreeMap;

use common::panic_message;
use jaxide::optim::{self, schedules, GradientTransformation, Mask, OptState};
use jaxide::prelude::*;
use jaxide::tree::tree_flatten_with_path;
use serde_json::Value;

const ULPS: i64 = 4;
const ABS: f32 = 2e-7;

type Params = BTreeMap<String, Array>;

fn fixture() -> &'static Value {
    static F: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/optim/optim.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fn float(v: &Value) -> f64 {
    match v.as_str().unwrap() {
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        s => s.parse().unwrap(),
    }
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| float(x) as f32)
        .collect()
}

fn shape(v: &Value) -> Vec<usize> {
    v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

fn arr(v: &Value) -> Array {
    let shape = shape(v);
    match v["dtype"].as_str().unwrap() {
        "float32" => Array::from_vec(floats(&v["data"]), shape),
        "int32" => {
            let d = v["data"].as_array().unwrap();
            Array::from_vec(
                d.iter()
                    .map(|x| x.as_i64().unwrap() as i32)
                    .collect::<Vec<_>>(),
                shape,
            )
        }
        d => panic!("unexpected dtype {d}"),
    }
}

/// Distance in float32 ulps (NaNs equal each other only).
fn ulp_distance(a: f32, b: f32) -> i64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            i64::MAX
        };
    }
    let key = |x: f32| {
        let i = x.to_bits() as i32 as i64;
        if i < 0 {
            i64::from(i32::MIN) - i
        } else {
            i
        }
    };
    (key(a) - key(b)).abs()
}

/// The largest ulp distance seen by `assert_close` (printed by the tests).
static MAX_ULPS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn assert_close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        if g.is_finite() && w.is_finite() {
            MAX_ULPS.fetch_max(ulp_distance(g, w), std::sync::atomic::Ordering::Relaxed);
            if std::env::var_os("OPTIM_DEBUG").is_some() && ulp_distance(g, w) > 1 {
                eprintln!("{what}[{i}]: {g:e} vs {w:e}: {} ulp", ulp_distance(g, w));
            }
        }
        let ok = ulp_distance(g, w) <= ULPS || (g - w).abs() <= ABS;
        assert!(
            ok,
            "{what}[{i}]: got {g:e}, optax {w:e} ({} ulp)",
            ulp_distance(g, w)
        );
    }
}

fn problem() -> (
    Params,
    impl Fn(&Params) -> Array + Clone + Send + Sync + 'static,
) {
    let p = &fixture()["problem"];
    let params: Params = p["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), arr(v)))
        .collect();
    let coef: BTreeMap<String, (Array, Array, Array)> = p["coef"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, c)| (k.clone(), (arr(&c["a"]), arr(&c["c"]), arr(&c["e"]))))
        .collect();
    let loss = move |p: &Params| {
        let mut total = jnp::array(0.0);
        for (k, x) in p {
            let (a, c, e) = &coef[k];
            total = total + (a * (x - c).pow(2)).sum() + (e * x.pow(3)).sum();
        }
        total
    };
    (params, loss)
}

fn mask() -> Mask {
    let mut m = BTreeMap::new();
    m.insert("b".to_string(), jnp::array(false));
    m.insert("w".to_string(), jnp::array(true));
    Mask::tree(&m)
}

fn optimizer(name: &str) -> GradientTransformation {
    use optim::*;
    let momentum = |m, nesterov| SgdOptions {
        momentum: Some(m),
        nesterov,
        ..Default::default()
    };
    match name {
        "sgd" => sgd(0.05),
        "sgd_momentum" => sgd_with(0.05, momentum(0.9, false)),
        "sgd_nesterov" => sgd_with(0.05, momentum(0.9, true)),
        "sgd_exp_decay" => sgd(schedules::exponential_decay(0.1, 5, 0.5)),
        "adam" => adam(0.05),
        "nadam" => adam_with(
            0.05,
            AdamOptions {
                nesterov: true,
                ..Default::default()
            },
        ),
        "adamw" => adamw_with(
            0.05,
            AdamWOptions {
                weight_decay: 0.01.into(),
                ..Default::default()
            },
        ),
        "adamw_masked" => adamw_with(
            0.05,
            AdamWOptions {
                weight_decay: 0.1.into(),
                mask: Some(mask()),
                ..Default::default()
            },
        ),
        "rmsprop" => rmsprop(0.01),
        "rmsprop_centered" => rmsprop_with(
            0.01,
            RmspropOptions {
                centered: true,
                ..Default::default()
            },
        ),
        "rmsprop_momentum" => rmsprop_with(
            0.01,
            RmspropOptions {
                momentum: Some(0.9),
                ..Default::default()
            },
        ),
        "rmsprop_nesterov_bc" => rmsprop_with(
            0.01,
            RmspropOptions {
                rms: RmsOptions {
                    bias_correction: true,
                    eps_in_sqrt: false,
                    initial_scale: 0.1,
                    ..Default::default()
                },
                momentum: Some(0.9),
                nesterov: true,
                ..Default::default()
            },
        ),
        "adagrad" => adagrad(0.1),
        "lion" => lion(0.01),
        "lamb" => lamb_with(
            0.05,
            LambOptions {
                weight_decay: 0.01.into(),
                ..Default::default()
            },
        ),
        "clip_adam" => chain![clip_by_global_norm(1.0), adam(0.05)],
        "clip_sgd" => chain![clip(0.5), sgd(0.1)],
        "masked_adam" => chain![masked(scale_by_adam(), mask()), scale(-0.05)],
        "multi_steps_adam" => multi_steps(adam(0.05), 3),
        "adam_warmup_cosine" => adam(warmup_cosine()),
        other => panic!("no optimizer {other}"),
    }
}

fn warmup_cosine() -> schedules::Schedule {
    schedules::warmup_cosine_decay_schedule(0.0, 0.1, 5, 20, 0.01, 1.0)
}

fn step<L: Fn(&Params) -> Array + Sync>(
    tx: &GradientTransformation,
    loss: &L,
    params: &Params,
    state: OptState,
) -> (Params, OptState) {
    let g = grad(|p: &Params| loss(p))(params);
    let (updates, state) = tx.update(&g, state, Some(params));
    (optim::apply_updates(params, &updates), state)
}

fn check_state(name: &str, state: &OptState, want: &Value) {
    let (leaves, _) = tree_flatten_with_path(state);
    let want = want.as_array().unwrap();
    let got_paths: Vec<String> = leaves.iter().map(|(p, _)| keystr(p)).collect();
    let want_paths: Vec<String> = want
        .iter()
        .map(|w| w["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got_paths, want_paths, "{name}: state key paths");
    for ((path, x), w) in leaves.iter().zip(want) {
        let what = format!("{name}: state{}", keystr(path));
        assert_eq!(x.shape(), &shape(w)[..], "{what}: shape");
        match w["dtype"].as_str().unwrap() {
            "int32" => {
                assert_eq!(x.dtype(), DType::I32, "{what}: dtype");
                assert_eq!(x.to_vec::<i32>(), arr(w).to_vec::<i32>(), "{what}");
            }
            "float32" => {
                assert_eq!(x.dtype(), DType::F32, "{what}: dtype");
                assert_close(&what, &x.to_vec::<f32>(), &floats(&w["data"]));
            }
            d => panic!("{what}: dtype {d}"),
        }
    }
}

#[test]
fn optimizers_match_optax_trajectories() {
    let (params0, loss) = problem();
    let cases = fixture()["optimizers"].as_object().unwrap();
    assert_eq!(cases.len(), 20);
    for (name, case) in cases {
        let tx = optimizer(name);
        let mut state = tx.init(&params0);
        let mut params = params0.clone();
        for (i, want) in case["params"].as_array().unwrap().iter().enumerate() {
            (params, state) = step(&tx, &loss, &params, state);
            for (j, (k, x)) in params.iter().enumerate() {
                assert_close(
                    &format!("{name}: step {i} params['{k}']"),
                    &x.to_vec::<f32>(),
                    &floats(&want[j]),
                );
            }
        }
        check_state(name, &state, &case["state"]);
    }
    eprintln!(
        "largest difference from optax: {} ulp",
        MAX_ULPS.load(std::sync::atomic::Ordering::Relaxed)
    );
}

/// A whole train step under `jit` (params, state and data as arguments)
/// gives eager's results.
#[test]
fn jitted_train_step_matches_eager() {
    let (params0, loss) = problem();
    for name in [
        "adam_warmup_cosine",
        "clip_adam",
        "lamb",
        "masked_adam",
        "multi_steps_adam",
        "rmsprop_nesterov_bc",
    ] {
        let tx = optimizer(name);
        let (tx2, loss2) = (tx.clone(), loss.clone());
        let train_step = jit(move |p: &Params, s: &OptState| step(&tx2, &loss2, p, s.clone()));
        let (mut pe, mut se) = (params0.clone(), tx.init(&params0));
        let (mut pj, mut sj) = (pe.clone(), se.clone());
        for i in 0..7 {
            (pe, se) = step(&tx, &loss, &pe, se);
            (pj, sj) = train_step(&pj, &sj);
            for (k, x) in &pe {
                assert_close(
                    &format!("{name} jit step {i} ['{k}']"),
                    &pj[k].to_vec::<f32>(),
                    &x.to_vec::<f32>(),
                );
            }
        }
        assert_eq!(
            tree_structure(&se),
            tree_structure(&sj),
            "{name}: state structure"
        );
        for ((p, a), b) in tree_flatten_with_path(&se).0.iter().zip(tree_leaves(&sj)) {
            assert_eq!(a.dtype(), b.dtype(), "{name}{}", keystr(p));
            let (a, b) = (jnp::astype(a, DType::F32), jnp::astype(&b, DType::F32));
            assert_close(
                &format!("{name} jit state{}", keystr(p)),
                &b.to_vec::<f32>(),
                &a.to_vec::<f32>(),
            );
        }
    }
}

/// `multi_steps` under jit: zero updates until k gradients are in, then
/// the inner optimizer's step on their mean; the counters follow optax.
#[test]
fn multi_steps_under_jit() {
    let tx = optim::multi_steps(optim::sgd(1.0), 3);
    let tx2 = tx.clone();
    let update = jit(move |g: &Array, s: &OptState| tx2.update(g, s.clone(), None));
    let mut state = tx.init(&jnp::zeros([2]));
    let grads = [
        [1.0f32, 2.0],
        [2.0, 4.0],
        [6.0, 0.0],
        [1.0, 1.0],
        [1.0, 1.0],
        [4.0, 1.0],
    ];
    let mut outs = Vec::new();
    for g in grads {
        let (u, s) = update(&jnp::array(g), &state);
        outs.push(u.to_vec::<f32>());
        assert_eq!(
            optim::MultiSteps::has_updated(&s).item::<bool>(),
            outs.len() % 3 == 0,
            "has_updated after {} steps",
            outs.len()
        );
        state = s;
    }
    assert_eq!(outs[0], vec![0.0, 0.0]);
    assert_eq!(outs[1], vec![0.0, 0.0]);
    assert_eq!(outs[2], vec![-3.0, -2.0]);
    assert_eq!(outs[5], vec![-2.0, -1.0]);
    assert_eq!(state.field("mini_step").item().item::<i32>(), 0);
    assert_eq!(state.field("gradient_step").item().item::<i32>(), 2);
}

#[test]
fn state_mismatch_panics_naming_the_leaf() {
    let (params, _) = problem();
    let tx = optim::adam(0.1);
    let state = tx.init(&params);
    // Same structure, other shapes.
    let mut other = params.clone();
    other.insert("w".to_string(), jnp::zeros([2, 3]));
    let msg = panic_message(|| tx.update(&other, state.clone(), None));
    assert!(
        msg.contains("scale_by_adam") && msg.contains("mu['w']"),
        "{msg}"
    );
    assert!(
        msg.contains("f32[3,2]") && msg.contains("f32[2,3]"),
        "{msg}"
    );
    // Another structure.
    let mut more = params.clone();
    more.insert("a".to_string(), jnp::zeros([1]));
    let msg = panic_message(|| tx.update(&more, state.clone(), None));
    assert!(
        msg.contains("first mismatching leaf") && msg.contains("['a']"),
        "{msg}"
    );
    // Another optimizer's state.
    let sgd_state = optim::sgd_with(
        0.1,
        optim::SgdOptions {
            momentum: Some(0.9),
            ..Default::default()
        },
    )
    .init(&params);
    let msg = panic_message(|| tx.update(&params, sgd_state, None));
    assert!(
        msg.contains("ScaleByAdamState") && msg.contains("TraceState"),
        "{msg}"
    );
    // A chain of another length.
    let three = optim::chain![optim::clip(1.0), optim::scale(2.0), optim::adam(0.1)];
    let msg = panic_message(|| three.update(&params, state.clone(), None));
    assert!(
        msg.contains("The number of updates and states has to be the same in chain"),
        "{msg}"
    );
    // Transformations that need params say so.
    let lamb = optim::lamb(0.1);
    let msg = panic_message(|| lamb.update(&params, lamb.init(&params), None));
    assert!(
        msg.contains("requires the current value of parameters"),
        "{msg}"
    );
}

#[test]
fn state_is_a_pytree_with_optax_structure() {
    let p = (jnp::array([1.0f32, 2.0]), jnp::array(3.0f32));
    let state = optim::adam(0.1).init(&p);
    assert_eq!(
        format!("{state:?}"),
        "(ScaleByAdamState(count=Array(0, dtype=int32), mu=(Array([0., 0.], dtype=float32), \
         Array(0., dtype=float32)), nu=(Array([0., 0.], dtype=float32), Array(0., dtype=float32))), \
         EmptyState())"
    );
    let paths: Vec<String> = tree_flatten_with_path(&state)
        .0
        .iter()
        .map(|(k, _)| keystr(k))
        .collect();
    assert_eq!(
        paths,
        [
            "[0].count",
            "[0].mu[0]",
            "[0].mu[1]",
            "[0].nu[0]",
            "[0].nu[1]"
        ]
    );
    // A state rebuilt from its leaves (a checkpoint) works as the original.
    let (leaves, def) = tree_flatten(&state);
    let restored: OptState = tree_unflatten(&def, leaves);
    let tx = optim::adam(0.1);
    let a = tx.update(&p, state, None).0;
    let b = tx.update(&p, restored, None).0;
    assert_eq!(a.0.to_vec::<f32>(), b.0.to_vec::<f32>());
}

#[test]
fn mask_closure_equals_mask_tree() {
    let (params, loss) = problem();
    let by_tree = optim::adamw_with(
        0.05,
        optim::AdamWOptions {
            mask: Some(mask()),
            ..Default::default()
        },
    );
    let by_fn = optim::adamw_with(
        0.05,
        optim::AdamWOptions {
            mask: Some(Mask::from_fn(|_, p| p.ndim() > 1)),
            ..Default::default()
        },
    );
    let (p1, _) = step(&by_tree, &loss, &params, by_tree.init(&params));
    let (p2, _) = step(&by_fn, &loss, &params, by_fn.init(&params));
    for k in ["b", "w"] {
        assert_eq!(p1[k].to_vec::<f32>(), p2[k].to_vec::<f32>());
    }
}

/// vmap over a batch of gradients equals the updates one by one.
#[test]
fn update_under_vmap() {
    let tx = optim::chain![optim::clip_by_global_norm(1.0), optim::adam(0.1)];
    let tx2 = tx.clone();
    let f = move |g: &Array| tx2.update(g, tx2.init(g), None).0;
    let gs = jnp::array([[3.0f32, 4.0], [0.1, -0.2]]);
    let batched = vmap(f.clone())(&gs);
    for i in 0..2 {
        let one = f(&gs.idx(i));
        assert_close(
            "vmap",
            &batched.idx(i).to_vec::<f32>(),
            &one.to_vec::<f32>(),
        );
    }
}

fn schedule(name: &str) -> schedules::Schedule {
    use schedules::*;
    match name {
        "constant" => constant_schedule(0.3),
        "linear" => linear_schedule(1.0, 0.1, 10, 5),
        "polynomial" => polynomial_schedule(1.0, 0.1, 2.0, 10, 5),
        "cosine" => cosine_decay_schedule(0.5, 30, 0.0, 1.0),
        "cosine_alpha_exp" => cosine_decay_schedule(0.5, 30, 0.1, 2.0),
        "warmup_cosine" => warmup_cosine(),
        "warmup_cosine_exp" => warmup_cosine_decay_schedule(0.1, 1.0, 7, 33, 0.05, 1.5),
        "exp_decay" => exponential_decay(1.0, 5, 0.5),
        "exp_decay_stair" => exponential_decay_with(
            1.0,
            4,
            0.7,
            ExponentialDecay {
                transition_begin: 3,
                staircase: true,
                end_value: Some(0.3),
            },
        ),
        "exp_decay_up" => exponential_decay_with(
            0.1,
            6,
            1.5,
            ExponentialDecay {
                end_value: Some(0.4),
                ..Default::default()
            },
        ),
        "piecewise" => piecewise_constant_schedule(1.0, &[(10, 0.5), (3, 0.1), (25, 2.0)]),
        "join" => join_schedules(
            vec![constant_schedule(1.0), linear_schedule(1.0, 0.0, 10, 0)],
            vec![12],
        ),
        other => panic!("no schedule {other}"),
    }
}

#[test]
fn schedules_match_optax() {
    let cases = fixture()["schedules"].as_object().unwrap();
    assert_eq!(cases.len(), 12);
    for (name, want) in cases {
        let s = schedule(name);
        let want = floats(want);
        let eager: Vec<f32> = (0..want.len() as i32)
            .map(|i| jnp::astype(&s.call(&Array::scalar(i)), DType::F32).item::<f32>())
            .collect();
        assert_close(name, &eager, &want);
        let by_int: Vec<f32> = (0..want.len() as i32)
            .map(|i| jnp::astype(&s.at(i), DType::F32).item::<f32>())
            .collect();
        assert_close(&format!("{name} (int step)"), &by_int, &want);
        let s2 = s.clone();
        let jitted = jit(move |c: &Array| jnp::astype(&s2.call(c), DType::F32));
        let under_jit: Vec<f32> = (0..want.len() as i32)
            .map(|i| jitted(&Array::scalar(i)).item::<f32>())
            .collect();
        assert_close(&format!("{name} (jit)"), &under_jit, &want);
    }
    let msg = panic_message(|| schedules::cosine_decay_schedule(1.0, 0, 0.0, 1.0));
    assert!(msg.contains("requires positive decay_steps"), "{msg}");
}

fn loss_fn(name: &str) -> fn(&Array, &Array) -> Array {
    use optim::losses::*;
    match name {
        "softmax_cross_entropy_onehot"
        | "softmax_cross_entropy_soft"
        | "softmax_cross_entropy_large" => softmax_cross_entropy,
        "softmax_cross_entropy_with_integer_labels" => softmax_cross_entropy_with_integer_labels,
        "sigmoid_binary_cross_entropy" => sigmoid_binary_cross_entropy,
        "l2_loss" => |p, t| l2_loss(p, t),
        "huber_loss" => |p, t| huber_loss(p, t, 1.0),
        "huber_loss_delta" => |p, t| huber_loss(p, t, 0.5),
        other => panic!("no loss {other}"),
    }
}

#[test]
fn losses_and_grads_match_optax() {
    for case in fixture()["losses"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let f = loss_fn(name);
        let inputs: Vec<Array> = case["inputs"].as_array().unwrap().iter().map(arr).collect();
        let (x, y) = (&inputs[0], &inputs[1]);
        let value = f(x, y);
        assert_eq!(value.shape(), &shape(&case["value"])[..], "{name}: shape");
        assert_close(
            name,
            &value.to_vec::<f32>(),
            &floats(&case["value"]["data"]),
        );
        let y2 = y.clone();
        let g = grad(move |x: &Array| f(x, &y2).sum())(x);
        assert_close(
            &format!("{name} grad"),
            &g.to_vec::<f32>(),
            &floats(&case["grad"]["data"]),
        );
    }
}

/// Out-of-range integer labels: optax reads the logit in fill mode, so
/// labels >= C or < -C give NaN losses; -C..-1 count from the end.
#[test]
fn integer_labels_out_of_range() {
    let logits = jnp::array([[1.0f32, 2.0, 3.0]; 5]);
    let labels = jnp::array([2i32, -1, 3, -4, -3]);
    let l = optim::softmax_cross_entropy_with_integer_labels(&logits, &labels).to_vec::<f32>();
    assert_eq!(l[0], l[1]);
    assert!(l[2].is_nan() && l[3].is_nan(), "{l:?}");
    assert_eq!(
        l[4],
        optim::softmax_cross_entropy_with_integer_labels(&logits, &jnp::array([0i32; 5]))
            .to_vec::<f32>()[4]
    );
    let msg = panic_message(|| {
        optim::softmax_cross_entropy_with_integer_labels(&logits, &jnp::array([0.0f32; 5]))
    });
    assert!(msg.contains("integer dtype"), "{msg}");
}
