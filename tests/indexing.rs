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
            let dt = if o["dtype"] == "int32" { DType::I32 } else { DType::F32 };
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
        let what = format!("case {i}: {} {} on {}", case["op"], case["index"], case["shape"]);
        if let Some(err) = exp.get("error") {
            let msg = common::panic_message(|| run(case));
            let want = format!("{}: {}", err.as_str().unwrap(), exp["message"].as_str().unwrap());
            if !msg.starts_with(&want) {
                failures.push(format!("{what}: message\n  got  {msg}\n  want {want}"));
            }
            continue;
        }
        let got = match std::panic::catch_unwind(|| run(case)) {
            Ok(g) => g,
            Err(e) => {
                let m = e
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| e.downcast_ref::<&str>().unwrap_or(&"").to_string());
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
        let got_data: Vec<f64> = got.astype(DType::F32).to_vec::<f32>().iter().map(|&v| v as f64).collect();
        let same = got.shape() == shape.as_slice()
            && got.dtype().to_string() == dtype
            && got_data.len() == want.len()
            && got_data
                .iter()
                .zip(&want)
                .all(|(a, b)| (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-6 * b.abs().max(1.0));
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
