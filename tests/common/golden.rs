//! Shared by the golden-fixture tests (`tests/jnp_golden.rs`,
//! `tests/jnp_more.rs`): decoding fixture inputs and parameters, comparing
//! outputs with JAX's (dtype, shape, weak_type, values within a ULP/absolute
//! tolerance), and running every case with all mismatches reported together.
#![allow(dead_code)]

use jaxide::numpy as jnp;
use jaxide::numpy::{Axes, Index, IndexItem};
use jaxide::{Array, DType};
use serde_json::Value;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// An input: a strong array, a weak Rust scalar, or an omitted argument.
pub enum Arg {
    Arr(Array),
    F(f64),
    I(i64),
    B(bool),
    Null,
}

impl Arg {
    /// The argument as an array (Rust scalars become the weak arrays jaxide
    /// makes of them).
    pub fn arr(&self) -> Array {
        match self {
            Arg::Arr(a) => a.clone(),
            Arg::F(v) => jnp::array_like::weak_float(*v),
            Arg::I(v) => jnp::array_like::weak_int(*v as i128),
            Arg::B(v) => jnp::array_like::bool_scalar(*v),
            Arg::Null => panic!("harness: argument is missing"),
        }
    }
}

/// Binds `$v` to the argument as the Rust value a user would pass: `&Array`,
/// `f64`, `i32` or `bool`, then evaluates `$body` (expanded once per kind).
#[allow(unused_macros)]
macro_rules! with_like {
    ($arg:expr, $v:ident => $body:expr) => {
        match $arg {
            Arg::Arr(a) => {
                let $v = a;
                $body
            }
            Arg::F(x) => {
                let $v = *x;
                $body
            }
            Arg::I(x) => {
                let $v = i32::try_from(*x).expect("harness: int scalar out of i32 range");
                $body
            }
            Arg::B(x) => {
                let $v = *x;
                $body
            }
            Arg::Null => panic!("harness: argument is missing"),
        }
    };
}

pub fn parse_float(v: &Value) -> f64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("harness: float must be a string, got {v}"));
    match s {
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => s
            .parse()
            .unwrap_or_else(|_| panic!("harness: bad float {s:?}")),
    }
}

pub fn shape_of(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("harness: shape must be a list")
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

pub fn dtype_of(name: &str) -> DType {
    match name {
        "bool" => DType::Bool,
        "int8" => DType::I8,
        "int16" => DType::I16,
        "int32" => DType::I32,
        "int64" => DType::I64,
        "uint8" => DType::U8,
        "uint16" => DType::U16,
        "uint32" => DType::U32,
        "uint64" => DType::U64,
        "float16" => DType::F16,
        "bfloat16" => DType::BF16,
        "float32" => DType::F32,
        "float64" => DType::F64,
        _ => panic!("harness: unknown dtype {name}"),
    }
}

pub fn data_f64(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(parse_float).collect()
}

pub fn data_i128(v: &Value) -> Vec<i128> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x.as_i64()
                .map(|i| i as i128)
                .or_else(|| x.as_u64().map(|u| u as i128))
                .unwrap_or_else(|| panic!("harness: bad int {x}"))
        })
        .collect()
}

pub fn data_bool(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_bool().unwrap())
        .collect()
}

/// Decodes `{dtype, shape, data}` with `Array::from_vec` (64-bit data is
/// canonicalized by jaxide, as JAX does with x64 off).
pub fn decode_array(v: &Value) -> Array {
    let shape = shape_of(&v["shape"]);
    let d = &v["data"];
    let dt = v["dtype"].as_str().unwrap();
    macro_rules! ints {
        ($t:ty) => {
            Array::from_vec(
                data_i128(d)
                    .into_iter()
                    .map(|x| x as $t)
                    .collect::<Vec<$t>>(),
                shape,
            )
        };
    }
    match dt {
        "float32" => Array::from_vec(
            data_f64(d)
                .into_iter()
                .map(|x| x as f32)
                .collect::<Vec<f32>>(),
            shape,
        ),
        "float64" => Array::from_vec(data_f64(d), shape),
        "float16" => Array::from_vec(
            data_f64(d)
                .into_iter()
                .map(half::f16::from_f64)
                .collect::<Vec<_>>(),
            shape,
        ),
        "bfloat16" => Array::from_vec(
            data_f64(d)
                .into_iter()
                .map(half::bf16::from_f64)
                .collect::<Vec<_>>(),
            shape,
        ),
        "bool" => Array::from_vec(data_bool(d), shape),
        "int8" => ints!(i8),
        "int16" => ints!(i16),
        "int32" => ints!(i32),
        "int64" => ints!(i64),
        "uint8" => ints!(u8),
        "uint16" => ints!(u16),
        "uint32" => ints!(u32),
        "uint64" => ints!(u64),
        _ => panic!("harness: unknown input dtype {dt}"),
    }
}

pub fn decode_arg(v: &Value) -> Arg {
    if v.is_null() {
        return Arg::Null;
    }
    match v.get("scalar").and_then(|s| s.as_str()) {
        Some("float") => Arg::F(parse_float(&v["value"])),
        Some("int") => Arg::I(v["value"].as_i64().unwrap()),
        Some("bool") => Arg::B(v["value"].as_bool().unwrap()),
        Some(k) => panic!("harness: unknown scalar kind {k}"),
        None => Arg::Arr(decode_array(v)),
    }
}

/// Builds `jnp::array(nested)` from the input's raw data, as nested `Vec`s of
/// the input's own Rust element type (so float64/int64 data is truncated by
/// jaxide, not by the harness).
pub fn nested_array(v: &Value) -> Array {
    fn rows<T: Clone>(d: Vec<T>, n: usize) -> Vec<Vec<T>> {
        d.chunks(n.max(1)).map(|c| c.to_vec()).collect()
    }
    let shape = shape_of(&v["shape"]);
    let d = &v["data"];
    macro_rules! nest {
        ($data:expr) => {{
            let data = $data;
            match shape.len() {
                // A NumPy typed scalar (np.int32(-7)) is strong: Array::scalar.
                0 => Array::scalar(data[0]),
                1 => jnp::array(data),
                2 => jnp::array(rows(data, shape[1])),
                3 => {
                    let r = rows(data, shape[2]);
                    jnp::array(rows(r, shape[1]))
                }
                n => panic!("harness: nested_array supports rank <= 3, got {n}"),
            }
        }};
    }
    macro_rules! ints {
        ($t:ty) => {
            nest!(data_i128(d)
                .into_iter()
                .map(|x| x as $t)
                .collect::<Vec<$t>>())
        };
    }
    match v["dtype"].as_str().unwrap() {
        "float32" => nest!(data_f64(d)
            .into_iter()
            .map(|x| x as f32)
            .collect::<Vec<f32>>()),
        "float64" => nest!(data_f64(d)),
        "float16" => nest!(data_f64(d)
            .into_iter()
            .map(half::f16::from_f64)
            .collect::<Vec<_>>()),
        "bool" => nest!(data_bool(d)),
        "int8" => ints!(i8),
        "int32" => ints!(i32),
        "int64" => ints!(i64),
        "uint8" => ints!(u8),
        "uint32" => ints!(u32),
        other => panic!("harness: nested_array: unsupported dtype {other}"),
    }
}

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

pub fn axes_of(v: &Value) -> Axes {
    match v {
        Value::Null => Axes::All,
        Value::Number(n) => Axes::from(n.as_i64().unwrap() as isize),
        Value::Array(xs) => Axes::from(
            xs.iter()
                .map(|x| x.as_i64().unwrap() as isize)
                .collect::<Vec<isize>>(),
        ),
        _ => panic!("harness: bad axis {v}"),
    }
}

pub fn isizes(v: &Value) -> Vec<isize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap() as isize)
        .collect()
}

pub fn int(p: &Value, k: &str) -> i64 {
    p[k].as_i64()
        .unwrap_or_else(|| panic!("harness: param {k} missing"))
}

pub fn flag(p: &Value, k: &str) -> bool {
    p[k].as_bool().unwrap_or(false)
}

pub fn opt_dtype(p: &Value) -> Option<DType> {
    p.get("dtype").and_then(|d| d.as_str()).map(dtype_of)
}

pub fn index_of(v: &Value) -> Index {
    Index(
        v.as_array()
            .unwrap()
            .iter()
            .map(|it| match it {
                Value::Number(n) => IndexItem::Int(n.as_i64().unwrap()),
                Value::Array(se) => IndexItem::Slice(jaxide::numpy::Slice::new(
                    se[0].as_i64(),
                    se[1].as_i64(),
                    None,
                )),
                _ => panic!("harness: bad index item {it}"),
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

pub enum Vals {
    F(Vec<f64>),
    I(Vec<i128>),
    B(Vec<bool>),
}

pub fn read(a: &Array) -> Vals {
    macro_rules! ints {
        ($t:ty) => {
            Vals::I(a.to_vec::<$t>().into_iter().map(|x| x as i128).collect())
        };
    }
    match a.dtype() {
        DType::F32 => Vals::F(a.to_vec::<f32>().into_iter().map(f64::from).collect()),
        DType::F64 => Vals::F(a.to_vec::<f64>()),
        DType::F16 => Vals::F(
            a.to_vec::<half::f16>()
                .into_iter()
                .map(|x| x.to_f64())
                .collect(),
        ),
        DType::BF16 => Vals::F(
            a.to_vec::<half::bf16>()
                .into_iter()
                .map(|x| x.to_f64())
                .collect(),
        ),
        DType::Bool => Vals::B(a.to_vec::<bool>()),
        DType::I8 => ints!(i8),
        DType::I16 => ints!(i16),
        DType::I32 => ints!(i32),
        DType::I64 => ints!(i64),
        DType::U8 => ints!(u8),
        DType::U16 => ints!(u16),
        DType::U32 => ints!(u32),
        DType::U64 => ints!(u64),
        d @ (DType::C64 | DType::C128 | DType::Float0) => {
            panic!("no {d} cases here (see tests/complex.rs)")
        }
    }
}

pub fn expected_vals(v: &Value) -> Vals {
    match v["dtype"].as_str().unwrap() {
        "bool" => Vals::B(data_bool(&v["data"])),
        d if d.starts_with("float") || d == "bfloat16" => Vals::F(data_f64(&v["data"])),
        _ => Vals::I(data_i128(&v["data"])),
    }
}

/// A monotone integer key of `x` rounded to `dtype`, so that the ULP distance
/// is a difference of keys (+0 and -0 share a key).
pub fn ulp_key(x: f64, dtype: DType) -> i64 {
    fn key(bits: i64, sign_bit: i64) -> i64 {
        if bits & sign_bit != 0 {
            -(bits & (sign_bit - 1))
        } else {
            bits
        }
    }
    match dtype {
        DType::F16 => key(half::f16::from_f64(x).to_bits() as i64, 1 << 15),
        DType::BF16 => key(half::bf16::from_f64(x).to_bits() as i64, 1 << 15),
        DType::F64 => {
            let b = x.to_bits();
            if b >> 63 != 0 {
                -((b & !(1 << 63)) as i64)
            } else {
                b as i64
            }
        }
        _ => key((x as f32).to_bits() as i64, 1 << 31),
    }
}

pub fn float_matches(got: f64, exp: f64, dtype: DType, ulp: i64, atol: f64) -> bool {
    if exp.is_nan() || got.is_nan() {
        return exp.is_nan() && got.is_nan();
    }
    if exp.is_infinite() || got.is_infinite() {
        return exp == got;
    }
    if got == exp {
        // Exact comparisons also check the sign of zero.
        return !(ulp == 0 && atol == 0.0 && got == 0.0)
            || got.is_sign_negative() == exp.is_sign_negative();
    }
    (got - exp).abs() <= atol || (ulp_key(got, dtype) - ulp_key(exp, dtype)).abs() <= ulp
}

pub fn fmt_f(x: f64) -> String {
    if x == 0.0 && x.is_sign_negative() {
        "-0.0".into()
    } else {
        format!("{x:?}")
    }
}

pub fn compare(got: &Array, exp: &Value, tol: &Value, issues: &mut Vec<String>, label: &str) {
    let exp_dtype = dtype_of(exp["dtype"].as_str().unwrap());
    let exp_shape = shape_of(&exp["shape"]);
    let exp_weak = exp["weak_type"].as_bool().unwrap();
    if got.dtype() != exp_dtype {
        issues.push(format!(
            "{label}dtype: expected {exp_dtype}, got {}",
            got.dtype()
        ));
    }
    if got.shape() != exp_shape.as_slice() {
        issues.push(format!(
            "{label}shape: expected {exp_shape:?}, got {:?}",
            got.shape()
        ));
        return;
    }
    if got.weak_type() != exp_weak {
        issues.push(format!(
            "{label}weak_type: expected {exp_weak}, got {}",
            got.weak_type()
        ));
    }
    let ulp = tol.get("ulp").and_then(|u| u.as_i64()).unwrap_or(0);
    let atol = tol.get("atol").and_then(|u| u.as_f64()).unwrap_or(0.0);
    let g = read(got);
    let e = expected_vals(exp);
    // Mixed kinds (after a dtype mismatch) compare as f64 values.
    let as_f = |v: &Vals| -> Vec<f64> {
        match v {
            Vals::F(x) => x.clone(),
            Vals::I(x) => x.iter().map(|&i| i as f64).collect(),
            Vals::B(x) => x.iter().map(|&b| b as u8 as f64).collect(),
        }
    };
    let mut bad: Vec<String> = Vec::new();
    match (&g, &e) {
        (Vals::I(gv), Vals::I(ev)) => {
            for (i, (a, b)) in gv.iter().zip(ev).enumerate() {
                if a != b {
                    bad.push(format!("[{i}] expected {b}, got {a}"));
                }
            }
        }
        (Vals::B(gv), Vals::B(ev)) => {
            for (i, (a, b)) in gv.iter().zip(ev).enumerate() {
                if a != b {
                    bad.push(format!("[{i}] expected {b}, got {a}"));
                }
            }
        }
        _ => {
            let (gv, ev) = (as_f(&g), as_f(&e));
            let float_dtype = if exp_dtype.is_float() {
                exp_dtype
            } else {
                DType::F64
            };
            for (i, (&a, &b)) in gv.iter().zip(&ev).enumerate() {
                if !float_matches(a, b, float_dtype, ulp, atol) {
                    let d = (ulp_key(a, float_dtype) - ulp_key(b, float_dtype)).abs();
                    let dd = if a.is_finite() && b.is_finite() {
                        format!(" ({d} ulp)")
                    } else {
                        String::new()
                    };
                    bad.push(format!("[{i}] expected {}, got {}{dd}", fmt_f(b), fmt_f(a)));
                }
            }
        }
    }
    if !bad.is_empty() {
        let n = bad.len();
        bad.truncate(6);
        issues.push(format!(
            "{label}values ({n} of {} differ): {}{}",
            exp_shape.iter().product::<usize>(),
            bad.join(", "),
            if n > 6 { ", ..." } else { "" }
        ));
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

pub fn install_quiet_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !QUIET.with(|q| q.get()) {
            default(info);
        }
    }));
}

pub fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = e.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "<non-string panic>".into()
    }
}

// ---------------------------------------------------------------------------
// Runner
// ---------------------------------------------------------------------------

/// What a dispatcher returns for one case: its outputs, or why it failed.
pub type Outcome = Result<Vec<Array>, String>;

/// One output.
pub fn one(a: Array) -> Outcome {
    Ok(vec![a])
}

/// The fixture's case list.
pub fn cases(doc: &Value) -> &Vec<Value> {
    doc["cases"]
        .as_array()
        .expect("fixture has no `cases` list")
}

/// Runs every case of `doc` (those whose name contains `$filter_var`'s
/// value, when set) through `run_case`, compares each output with the
/// expected one (tolerance from `tol_of(fn, name, tol)`), and panics with
/// every mismatch at the end.
pub fn run_golden(
    label: &str,
    doc: &Value,
    filter_var: &str,
    run_case: impl Fn(&Value) -> Outcome,
    tol_of: impl Fn(&str, &str, Value) -> Value,
) {
    let filter = std::env::var(filter_var).ok();
    install_quiet_hook();
    let mut failures: Vec<String> = Vec::new();
    let (mut run, mut passed) = (0usize, 0usize);
    for c in cases(doc) {
        let name = c["name"].as_str().unwrap();
        if let Some(f) = &filter {
            if !name.contains(f.as_str()) {
                continue;
            }
        }
        run += 1;
        QUIET.with(|q| q.set(true));
        let res = catch_unwind(AssertUnwindSafe(|| run_case(c)));
        QUIET.with(|q| q.set(false));
        let mut issues = Vec::new();
        match res {
            Err(e) => issues.push(format!("panicked: {}", panic_message(&e))),
            Ok(Err(msg)) => issues.push(msg),
            Ok(Ok(outs)) => {
                let tol = tol_of(
                    c["fn"].as_str().unwrap_or(""),
                    name,
                    c.get("tol").cloned().unwrap_or(Value::Null),
                );
                let exps: Vec<&Value> = match c.get("outs") {
                    Some(list) => list.as_array().unwrap().iter().collect(),
                    None => vec![&c["out"]],
                };
                if outs.len() != exps.len() {
                    issues.push(format!(
                        "expected {} outputs, got {}",
                        exps.len(),
                        outs.len()
                    ));
                } else {
                    let multi = exps.len() > 1;
                    for (i, (g, e)) in outs.iter().zip(&exps).enumerate() {
                        let label = if multi {
                            format!("out[{i}] ")
                        } else {
                            String::new()
                        };
                        let r = catch_unwind(AssertUnwindSafe(|| {
                            let mut v = Vec::new();
                            compare(g, e, &tol, &mut v, &label);
                            v
                        }));
                        match r {
                            Ok(v) => issues.extend(v),
                            Err(e) => issues
                                .push(format!("panicked reading output: {}", panic_message(&e))),
                        }
                    }
                }
            }
        }
        if issues.is_empty() {
            passed += 1;
        } else {
            failures.push(format!(
                "{name} [{}]: {}",
                c["fn"].as_str().unwrap(),
                issues.join("; ")
            ));
        }
    }
    eprintln!("{label}: {passed}/{run} cases pass");
    if !failures.is_empty() {
        panic!(
            "{} of {run} {label} cases disagree with JAX:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
