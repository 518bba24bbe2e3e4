//! NumPy indexing and `.at[]` updates against JAX (fixture written by
//! `tests/fixtures/indexing/gen_indexing.py`), plus jit/grad/vmap through
//! indexing and the messages for bad indices.

mod common;

use jaxide::numpy as jnp;
use jaxide::numpy::{Index, IndexItem, Slice};
use jaxide::prelude::*;
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/indexing/indexing.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn operand(shape: &[usize], dtype: &str) -> Array {
    let n: usize = shape.iter().product();
    let dims: Vec<isize> = shape.iter().map(|&d| d as isize).collect();
    match dtype {
        "int32" => jnp::arange(n as i64).reshape(&dims),
        _ => (jnp::arange(n as i64).astype(DType::F32) * 0.5f32 - 3.0f32).reshape(&dims),
    }
}

fn nested_shape(v: &Value, out: &mut Vec<usize>) {
    if let Value::Array(a) = v {
        out.push(a.len());
        if let Some(first) = a.first() {
            nested_shape(first, out);
        }
    }
}

fn flat(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Array(a) => a.iter().for_each(|e| flat(e, out)),
        Value::Bool(b) => out.push(*b as u8 as f64),
        Value::String(s) => out.push(s.parse().unwrap()),
        n => out.push(n.as_f64().unwrap()),
    }
}

fn array_of(v: &Value, dtype: DType) -> Array {
    let mut shape = vec![];
    nested_shape(v, &mut shape);
    let mut data = vec![];
    flat(v, &mut data);
    Array::from_vec(data, shape).astype(dtype)
}

fn index_of(items: &Value) -> Index {
    Index(
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|it| match it["t"].as_str().unwrap() {
                "int" => IndexItem::Int(it["v"].as_i64().unwrap()),
                "slice" => {
                    let v = it["v"].as_array().unwrap();
                    IndexItem::Slice(Slice::new(v[0].as_i64(), v[1].as_i64(), v[2].as_i64()))
                }
                "none" => IndexItem::NewAxis,
                "ellipsis" => IndexItem::Ellipsis,
                "arr" => IndexItem::Array(array_of(&it["v"], DType::I32)),
                "bool" => IndexItem::Array(array_of(&it["v"], DType::Bool)),
                "sbool" => IndexItem::from(it["v"].as_bool().unwrap()),
                t => panic!("harness: index item {t}"),
            })
            .collect(),
    )
}

fn value_of(v: &Value, x_dtype: &str) -> Array {
    match v {
        Value::Object(o) => {
            let dt = if o["dtype"] == "int32" {
                DType::I32
            } else {
                DType::F32
            };
            array_of(&o["v"], dt)
        }
        Value::Number(n) if n.is_i64() => n.as_i64().unwrap().to_array(),
        Value::Number(n) => {
            let _ = x_dtype;
            n.as_f64().unwrap().to_array()
        }
        _ => panic!("harness: value {v}"),
    }
}

fn run(case: &Value) -> Array {
    let shape: Vec<usize> = case["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let dtype = case["dtype"].as_str().unwrap();
    let x = operand(&shape, dtype);
    let index = index_of(&case["index"]);
    let op = case["op"].as_str().unwrap();
    if op == "idx" {
        return x.idx(index);
    }
    let mut at = x.at(index);
    if let Some(opts) = case["opts"].as_object() {
        if let Some(m) = opts.get("mode").and_then(|m| m.as_str()) {
            at = at.mode(m);
        }
        if let Some(f) = opts.get("fill_value") {
            at = at.fill_value(f.as_i64().unwrap());
        }
        if let Some(w) = opts.get("wrap_negative_indices") {
            at = at.wrap_negative_indices(w.as_bool().unwrap());
        }
    }
    let v = || value_of(&case["value"], dtype);
    match op {
        "get" => at.get(),
        "apply" => at.apply(|t| t * 2 + 1),
        "set" => at.set(v()),
        "add" => at.add(v()),
        "subtract" => at.subtract(v()),
        "multiply" => at.multiply(v()),
        "divide" => at.divide(v()),
        "power" => at.power(v()),
        "min" => at.min(v()),
        "max" => at.max(v()),
        _ => panic!("harness: op {op}"),
    }
}

#[test]
fn indexing_matches_jax() {
    let fx = fixture();
    let cases = fx["cases"].as_array().unwrap();
    let mut failures = vec![];
    for (i, case) in cases.iter().enumerate() {
        let exp = &case["expect"];
        let what = format!(
            "case {i}: {} {} on {}",
            case["op"], case["index"], case["shape"]
        );
        if let Some(err) = exp.get("error") {
            let msg = common::panic_message(|| run(case));
            let want = format!(
                "{}: {}",
                err.as_str().unwrap(),
                exp["message"].as_str().unwrap()
            );
            if !msg.starts_with(&want) {
                failures.push(format!("{what}: message\n  got  {msg}\n  want {want}"));
            }
            continue;
        }
        let got = match common::catch(|| run(case)) {
            Ok(g) => g,
            Err(m) => {
                failures.push(format!("{what}: panicked: {m}"));
                continue;
            }
        };
        let shape: Vec<usize> = exp["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let dtype = exp["dtype"].as_str().unwrap();
        let mut want = vec![];
        flat(&exp["data"], &mut want);
        let got_data: Vec<f64> = got
            .astype(DType::F32)
            .to_vec::<f32>()
            .iter()
            .map(|&v| v as f64)
            .collect();
        let same = got.shape() == shape.as_slice()
            && got.dtype().to_string() == dtype
            && got_data.len() == want.len()
            && got_data.iter().zip(&want).all(|(a, b)| {
                (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-6 * b.abs().max(1.0)
            });
        if !same {
            failures.push(format!(
                "{what}: got {} {:?} {:?}, want {dtype} {:?} {:?}",
                got.dtype(),
                got.shape(),
                got_data,
                shape,
                want
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from JAX:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn indexing_under_jit_matches_eager() {
    let x = jnp::arange(24i64).reshape(&[2, 3, 4]).astype(DType::F32);
    let cols = jnp::array([3i32, 0, 3]);
    let f = |x: &Array| {
        let a = x.idx(s![.., ..;-1, [3, 0, 3]]);
        let b = x.idx(s![NEWAXIS, ELLIPSIS, 1..;2]);
        a.sum() + b.sum()
    };
    assert_eq!(jit(f)(&x).item::<f32>(), f(&x).item::<f32>());
    let g = |x: &Array, c: &Array| x.at(s![1, .., c]).add(1.0f32);
    assert_eq!(
        jit(g)(&x, &cols).to_vec::<f32>(),
        g(&x, &cols).to_vec::<f32>()
    );
    // A traced scalar position: a dynamic slice, clamped like JAX.
    let h = |x: &Array, i: &Array| x.idx(s![i, .., -1]);
    for i in [-1i32, 1, 7] {
        let i = Array::scalar(i);
        assert_eq!(jit(h)(&x, &i).to_vec::<f32>(), h(&x, &i).to_vec::<f32>());
    }
    assert_eq!(
        jit(h)(&x, &Array::scalar(-1i32)).to_vec::<f32>(),
        vec![15.0, 19.0, 23.0]
    );
}

#[test]
fn boolean_masks_need_concrete_values_under_jit() {
    let x = jnp::array([1.0f32, -2.0, 3.0]);
    assert_eq!(x.idx(x.gt(0)).to_vec::<f32>(), vec![1.0, 3.0]);
    let msg = common::panic_message(|| jit(|x: &Array| x.idx(x.gt(0)).sum())(&x));
    assert!(
        msg.contains(
            "NonConcreteBooleanIndexError: Array boolean indices must be concrete; got bool[3]"
        ),
        "{msg}"
    );
    assert!(msg.contains("jnp::where"), "{msg}");
    // Under grad the mask is concrete (it carries no tangent).
    let g = grad(|x: &Array| x.idx(x.gt(0)).pow(2).sum())(&x);
    assert_eq!(g.to_vec::<f32>(), vec![2.0, 0.0, 6.0]);
}

#[test]
fn gradients_flow_through_gathers_and_scatters() {
    let x = jnp::array([1.0f32, 2.0, 3.0, 4.0]);
    let g = grad(|x: &Array| x.idx(s![[0, 0, 2]]).sum())(&x);
    assert_eq!(g.to_vec::<f32>(), vec![2.0, 0.0, 1.0, 0.0]);
    let g = grad(|x: &Array| x.idx(s![..;-2]).pow(2).sum())(&x);
    assert_eq!(g.to_vec::<f32>(), vec![0.0, 4.0, 0.0, 8.0]);
    // set: the overwritten entries get no gradient; the value gets the rest.
    let (gx, gv) = grad_argnums(
        |x: &Array, v: &Array| x.at(s![[1, 3]]).set(v).pow(2).sum(),
        (Arg0, Arg1),
    )(&x, &jnp::array([5.0f32, 6.0]));
    assert_eq!(gx.to_vec::<f32>(), vec![2.0, 0.0, 6.0, 0.0]);
    assert_eq!(gv.to_vec::<f32>(), vec![10.0, 12.0]);
    // multiply needs unique indices for the updates' gradient (JAX's rule).
    let v = jnp::array([2.0f32, 3.0]);
    let gv = grad(|v: &Array| {
        jnp::array([1.0f32, 2.0, 3.0])
            .at(s![[0, 2]])
            .unique_indices(true)
            .multiply(v)
            .sum()
    })(&v);
    assert_eq!(gv.to_vec::<f32>(), vec![1.0, 3.0]);
    let msg = common::panic_message(|| {
        grad(|v: &Array| {
            jnp::array([1.0f32, 2.0, 3.0])
                .at(s![[0, 2]])
                .multiply(v)
                .sum()
        })(&v)
    });
    assert!(
        msg.contains("scatter_mul gradients are only implemented if `unique_indices=True`"),
        "{msg}"
    );
    // max: ties share the gradient, as in JAX.
    let gv =
        grad(|v: &Array| jnp::array([1.0f32, 5.0]).at(s![[0, 0, 1]]).max(v).sum())(&jnp::array([
            3.0f32, 3.0, 0.0,
        ]));
    assert_eq!(gv.to_vec::<f32>(), vec![0.5, 0.5, 0.0]);
}

#[test]
fn vmap_of_indexing_equals_the_batched_index() {
    let x = jnp::arange(12i64).reshape(&[3, 4]).astype(DType::F32);
    let rows = vmap(|r: &Array| r.idx(s![[3, 1, 1]]))(&x);
    assert_eq!(
        rows.to_vec::<f32>(),
        x.idx(s![.., [3, 1, 1]]).to_vec::<f32>()
    );
    let idx = jnp::array([0i32, 3, 2]);
    let picked = vmap(|r: &Array, i: &Array| r.idx(i))(&x, &idx);
    assert_eq!(picked.to_vec::<f32>(), vec![0.0, 7.0, 10.0]);
    let upd = vmap(|r: &Array, i: &Array| r.at(i).add(100.0f32))(&x, &idx);
    assert_eq!(
        upd.to_vec::<f32>(),
        x.at(s![[0, 1, 2], [0, 3, 2]]).add(100.0f32).to_vec::<f32>()
    );
}

#[test]
fn basic_updates_stay_in_place_under_jit() {
    let f = |x: &Array| {
        lax::fori_loop(
            0,
            10,
            |i: &Array, x: &Array| x.at(i).set(i.astype(DType::F32)),
            x,
        )
    };
    let x = jnp::zeros([10]);
    let text = lower(f, &(x.clone(),)).compile().as_text();
    assert!(
        text.contains("dynamic_update_slice") && text.contains("in place"),
        "{text}"
    );
    assert_eq!(
        jit(f)(&x).to_vec::<f32>(),
        (0..10).map(|i| i as f32).collect::<Vec<_>>()
    );
}

/// A naive reference for scatters with repeated indices: each update in order.
#[test]
fn scatter_ops_match_a_naive_loop() {
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    for trial in 0..40 {
        let n = 1 + (next() % 7) as usize;
        let m = (next() % 10) as usize;
        let base: Vec<f32> = (0..n * 2).map(|_| (next() % 9 - 4) as f32).collect();
        let idx: Vec<i32> = (0..m)
            .map(|_| (next() % (n as i64 + 2)) as i32 - 1)
            .collect();
        let vals: Vec<f32> = (0..m * 2).map(|_| (next() % 9 - 4) as f32).collect();
        let x = Array::from_vec(base.clone(), vec![n, 2]);
        let i = Array::from_vec(idx.clone(), vec![m]);
        let v = Array::from_vec(vals.clone(), vec![m, 2]);
        for op in ["set", "add", "subtract", "multiply", "min", "max"] {
            let at = x.at(&i).wrap_negative_indices(false);
            let got = match op {
                "set" => at.set(&v),
                "add" => at.add(&v),
                "subtract" => at.subtract(&v),
                "multiply" => at.multiply(&v),
                "min" => at.min(&v),
                _ => at.max(&v),
            }
            .to_vec::<f32>();
            let mut want = base.clone();
            for (k, &r) in idx.iter().enumerate() {
                if r < 0 || r as usize >= n {
                    continue; // dropped
                }
                for c in 0..2 {
                    let (o, u) = (&mut want[r as usize * 2 + c], vals[k * 2 + c]);
                    *o = match op {
                        "set" => u,
                        "add" => *o + u,
                        "subtract" => *o - u,
                        "multiply" => *o * u,
                        "min" => o.min(u),
                        _ => o.max(u),
                    };
                }
            }
            assert_eq!(got, want, "trial {trial}: {op} at {idx:?}");
        }
    }
}

#[test]
fn bad_indices_are_clear_errors() {
    let x = jnp::arange(6i64).reshape(&[2, 3]);
    let msg = common::panic_message(|| x.idx(jnp::array([0.5f32])));
    assert!(
        msg.starts_with(
            "TypeError: Indexer must have integer or boolean type, got indexer with type float32"
        ),
        "{msg}"
    );
    let msg = common::panic_message(|| x.idx(s![0..;0]));
    assert!(
        msg.starts_with("ValueError: slice step cannot be zero"),
        "{msg}"
    );
    let msg = common::panic_message(|| x.idx(IndexItem::stepped(1, 2)));
    assert!(msg.starts_with("IndexError: a step"), "{msg}");
    let msg = common::panic_message(|| x.at(0).mode("wrap").get());
    assert!(
        msg.starts_with("ValueError: Unknown gather mode \"wrap\""),
        "{msg}"
    );
    let msg = common::panic_message(|| x.at(0).mode("fill").fill_value(jnp::array([1, 2])).get());
    assert!(
        msg.starts_with("ValueError: fill_value argument to indexed get() must be a scalar"),
        "{msg}"
    );
}

/// The README's indexing lines, with their results.
#[test]
// `1..-1` is NumPy's `1:-1`, which clippy reads as an empty Rust range.
#[allow(clippy::reversed_empty_ranges)]
fn readme_indexing_examples() {
    let x = jnp::arange(24).reshape(&[2, 3, 4]);
    assert_eq!(
        x.idx(s![.., ..;-1]).idx(s![0, 0]).to_vec::<i32>(),
        vec![8, 9, 10, 11]
    );
    assert_eq!(x.idx(s![1..-1;2]).shape(), &[0, 3, 4]);
    assert_eq!(x.idx(s![NEWAXIS, ELLIPSIS, 0]).shape(), &[1, 2, 3]);
    assert_eq!(x.idx(s![[0, 1], .., [1, 2]]).shape(), &[2, 3]);
    assert_eq!(x.idx(x.gt(20)).to_vec::<i32>(), vec![21, 22, 23]);
    assert_eq!(
        x.at(s![.., [0, 0]]).add(1).idx(s![0, 0, 0]).item::<i32>(),
        2
    );
    assert_eq!(
        x.at(9).mode("fill").fill_value(-1).get().to_vec::<i32>(),
        vec![-1; 12]
    );
    let t = jnp::take_with(
        &x,
        jnp::array([0, 5]),
        jnp::Take {
            axis: Some(2),
            ..Default::default()
        },
    );
    assert_eq!(t.shape(), &[2, 3, 2]);
    let nz = jnp::nonzero_with(
        &x.gt(5),
        jnp::Nonzero {
            size: Some(4),
            fill_value: Some(-1),
        },
    );
    assert_eq!(nz.len(), 3);
    assert_eq!(nz[2].to_vec::<i32>(), vec![2, 3, 0, 1]);
}
