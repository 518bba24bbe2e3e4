//! The indexing functions against JAX (fixture written by
//! `tests/fixtures/indexing/gen_index_fns.py`).

mod common;

use jaxide::numpy as jnp;
use jaxide::numpy::{Compress, Nonzero, Take};
use jaxide::prelude::*;
use serde_json::Value;

enum Out {
    One(Array),
    Many(Vec<Array>),
}

impl From<Array> for Out {
    fn from(a: Array) -> Out {
        Out::One(a)
    }
}
impl From<Vec<Array>> for Out {
    fn from(v: Vec<Array>) -> Out {
        Out::Many(v)
    }
}
impl From<(Array, Array)> for Out {
    fn from((a, b): (Array, Array)) -> Out {
        Out::Many(vec![a, b])
    }
}

fn ints(v: &[i32]) -> Array {
    jnp::array(v.to_vec())
}

fn run(name: &str) -> Out {
    let a = jnp::arange(6).reshape(&[2, 3]);
    let f = jnp::arange(12).astype(DType::F32).reshape(&[3, 4]) * 0.5f32;
    let m = jnp::array([[true, false, true], [false, true, true]]);
    let ar = |n: i32, off: i32| jnp::arange(n) + off;
    let take_axis = |axis, mode| Take {
        axis: Some(axis),
        mode,
        ..Default::default()
    };
    let nz = |size, fill_value| Nonzero { size, fill_value };
    match name {
        "take_flat" => jnp::take(&a, ints(&[0, 7, -1])).into(),
        "take_axis1" => jnp::take_with(&a, ints(&[0, 7, -1]), take_axis(1, None)).into(),
        "take_axis1_clip" => {
            jnp::take_with(&a, ints(&[0, 7, -1]), take_axis(1, Some("clip"))).into()
        }
        "take_axis1_wrap" => {
            jnp::take_with(&a, ints(&[0, 7, -1]), take_axis(1, Some("wrap"))).into()
        }
        "take_2d_idx_axis0_fill" => jnp::take_with(
            &f,
            jnp::array([[0i32, 5], [2, -1]]),
            Take {
                axis: Some(0),
                fill_value: Some(-5.0),
                ..Default::default()
            },
        )
        .into(),
        "take_float_fill_nan" => jnp::take_with(&f, ints(&[1, 20]), take_axis(1, None)).into(),
        "take_along_axis1" => {
            jnp::take_along_axis(&a, &jnp::array([[0i32, 2], [1, 9]]), Some(1)).into()
        }
        "take_along_axis0" => jnp::take_along_axis(&a, &jnp::array([[0i32], [1]]), Some(0)).into(),
        "take_along_none" => jnp::take_along_axis(&a, &ints(&[5, 0, 3]), None).into(),
        "take_along_argsort" => {
            jnp::take_along_axis(&f, &jnp::argsort_axis(&(-&f), 1), Some(1)).into()
        }
        "put_along_axis1" => {
            jnp::put_along_axis(&a, &jnp::array([[0i32], [1]]), 99, Some(1)).into()
        }
        "put_along_none" => jnp::put_along_axis(&a, &ints(&[5, 0]), ints(&[7, 8]), None).into(),
        "choose_basic" => {
            jnp::choose(&ints(&[0, 1, 2, 1]), &[&ar(4, 0), &ar(4, 10), &ar(4, 20)]).into()
        }
        "choose_clip" => jnp::choose_with(&ints(&[0, 5]), &[&ar(2, 0), &ar(2, 10)], "clip").into(),
        "choose_wrap" => {
            jnp::choose_with(&ints(&[0, 5, -1]), &[&ar(3, 0), &ar(3, 10)], "wrap").into()
        }
        "choose_broadcast" => jnp::choose(
            &jnp::array([[1i32, 0], [0, 1]]),
            &[&jnp::array([[10i32], [20]]), &ints(&[1, 2])],
        )
        .into(),
        "choose_raise_bad" => jnp::choose(&ints(&[0, 5]), &[&ar(2, 0), &ar(2, 10)]).into(),
        "compress_axis1" => jnp::compress_with(
            &jnp::array([true, false, true]),
            &a,
            Compress {
                axis: Some(1),
                ..Default::default()
            },
        )
        .into(),
        "compress_flat" => jnp::compress(&jnp::array([true, false]), &a).into(),
        "compress_size" => jnp::compress_with(
            &jnp::array([false, true, true]),
            &f,
            Compress {
                axis: Some(0),
                size: Some(3),
                fill_value: -1.0,
            },
        )
        .into(),
        "compress_oob" => jnp::compress_with(
            &jnp::array([true, false, true, true, false, false, true, true]),
            &a,
            Compress {
                axis: Some(1),
                ..Default::default()
            },
        )
        .into(),
        "extract" => jnp::extract(&a.gt(2), &a).into(),
        "extract_size" => jnp::extract_with(
            &a.gt(2),
            &a,
            Compress {
                size: Some(5),
                fill_value: -9.0,
                ..Default::default()
            },
        )
        .into(),
        "place" => jnp::place(&a, &a.gt(2), ints(&[10, 20])).into(),
        "put" => jnp::put(&a, &ints(&[0, 7]), ints(&[10, 20])).into(),
        "put_wrap" => jnp::put_with(&a, &ints(&[0, 7]), ints(&[10, 20]), Some("wrap")).into(),
        "put_clip" => jnp::put_with(&a, &ints(&[-3, 7, 2]), 5, Some("clip")).into(),
        "nonzero" => jnp::nonzero(&m).into(),
        "nonzero_int" => jnp::nonzero(&ints(&[0, 3, 0, -1])).into(),
        "nonzero_size_fill" => jnp::nonzero_with(&a.gt(2), nz(Some(5), Some(-1))).into(),
        "nonzero_size_pad" => jnp::nonzero_with(&ints(&[0, 1, 0, 1, 0]), nz(Some(4), None)).into(),
        "nonzero_size_trunc" => jnp::nonzero_with(&m, nz(Some(2), None)).into(),
        "nonzero_0d" => jnp::nonzero(&Array::scalar(1i32)).into(),
        "argwhere" => jnp::argwhere(&m).into(),
        "argwhere_size" => jnp::argwhere_with(&a.gt(2), nz(Some(4), None)).into(),
        "flatnonzero" => jnp::flatnonzero(&a.gt(1)).into(),
        "flatnonzero_size" => jnp::flatnonzero_with(&a.gt(1), nz(Some(2), None)).into(),
        "where1" => jnp::where1(&a.gt(2)).into(),
        "ix" => jnp::ix_(&[&ints(&[0, 1]), &ints(&[2, 0, 1])]).into(),
        "ix_bool" => jnp::ix_(&[&jnp::array([true, false, true]), &ints(&[1])]).into(),
        "ix_index" => {
            let ix = jnp::ix_(&[&ints(&[1, 0]), &ints(&[2, 0])]);
            a.idx((&ix[0], &ix[1])).into()
        }
        "unravel" => jnp::unravel_index(&ints(&[5, 1, 7, -1, -9]), &[2, 3]).into(),
        "ravel_clip" => {
            jnp::ravel_multi_index_with(&[&ints(&[1, 0]), &ints(&[2, 5])], &[2, 3], "clip").into()
        }
        "ravel_wrap" => {
            jnp::ravel_multi_index_with(&[&ints(&[1, 0]), &ints(&[2, 4])], &[2, 3], "wrap").into()
        }
        "ravel_raise_bad" => {
            jnp::ravel_multi_index(&[&ints(&[1, 0]), &ints(&[2, 5])], &[2, 3]).into()
        }
        "ravel_raise" => jnp::ravel_multi_index(&[&ints(&[1, 0]), &ints(&[2, 1])], &[2, 3]).into(),
        "diag_indices" => jnp::diag_indices(3, 2).into(),
        "tril_indices" => jnp::tril_indices(3, 1, Some(4)).into(),
        "triu_indices" => jnp::triu_indices(3, -1, None).into(),
        "triu_indices_from" => jnp::triu_indices_from(&f, 1).into(),
        "mask_indices" => jnp::mask_indices(3, jnp::triu, 1).into(),
        "jit_nonzero_size" => jit(|x: &Array| {
            jnp::nonzero_with(
                x,
                Nonzero {
                    size: Some(3),
                    fill_value: Some(7),
                },
            )
        })(&m)
        .into(),
        "jit_take" => jit(|x: &Array, i: &Array| jnp::take_with(x, i, take_axis(1, None)))(
            &f,
            &ints(&[3, 0, 9]),
        )
        .into(),
        _ => panic!("harness: no case {name}"),
    }
}

fn flat(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| match e {
            Value::String(s) => s.parse().unwrap(),
            Value::Bool(b) => *b as u8 as f64,
            n => n.as_f64().unwrap(),
        })
        .collect()
}

fn same(got: &Array, want: &Value) -> Result<(), String> {
    let shape: Vec<usize> = want["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let data: Vec<f64> = got
        .astype(DType::F32)
        .to_vec::<f32>()
        .iter()
        .map(|&v| v as f64)
        .collect();
    let w = flat(&want["data"]);
    let ok = got.shape() == shape.as_slice()
        && got.dtype().to_string() == want["dtype"].as_str().unwrap()
        && data.len() == w.len()
        && data
            .iter()
            .zip(&w)
            .all(|(a, b)| (a.is_nan() && b.is_nan()) || a == b);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "got {} {:?} {data:?}, want {} {shape:?} {w:?}",
            got.dtype(),
            got.shape(),
            want["dtype"]
        ))
    }
}

#[test]
fn index_functions_match_jax() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/indexing/index_fns.json"
    ))
    .unwrap();
    let fx: Value = serde_json::from_str(&text).unwrap();
    let mut failures = vec![];
    for (name, want) in fx["cases"].as_object().unwrap() {
        if let Some(err) = want.get("error") {
            let msg = common::panic_message(|| run(name));
            let prefix = format!(
                "{}: {}",
                err.as_str().unwrap(),
                want["message"].as_str().unwrap()
            );
            if !msg.starts_with(&prefix) {
                failures.push(format!("{name}: got message {msg:?}, want {prefix:?}"));
            }
            continue;
        }
        let got = match common::catch(|| run(name)) {
            Ok(g) => g,
            Err(m) => {
                failures.push(format!("{name}: panicked: {m}"));
                continue;
            }
        };
        let r = match (got, want.get("tuple")) {
            (Out::One(a), None) => same(&a, want),
            (Out::Many(v), Some(t)) => {
                let t = t.as_array().unwrap();
                if v.len() != t.len() {
                    Err(format!("{} outputs, want {}", v.len(), t.len()))
                } else {
                    v.iter().zip(t).try_for_each(|(a, w)| same(a, w))
                }
            }
            _ => Err("one output vs a tuple".into()),
        };
        if let Err(e) = r {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "differ from JAX:\n{}",
        failures.join("\n")
    );
}

#[test]
fn nonzero_under_jit_needs_a_size() {
    let m = jnp::array([true, false, true]);
    let msg = common::panic_message(|| jit(|x: &Array| jnp::nonzero(x).remove(0))(&m));
    assert!(
        msg.starts_with(
            "ConcretizationTypeError: Abstract tracer value encountered where concrete value is expected"
        ),
        "{msg}"
    );
    assert!(msg.contains("size argument of jnp.nonzero"), "{msg}");
}

#[test]
fn take_and_friends_reject_bad_input() {
    let a = jnp::arange(6).reshape(&[2, 3]);
    let msg = common::panic_message(|| jnp::take(&a, jnp::array([0.5f32])));
    assert!(
        msg.starts_with("TypeError: jnp.take indices must be of integer type"),
        "{msg}"
    );
    let msg = common::panic_message(|| {
        jnp::take_with(
            &a,
            ints(&[0]),
            Take {
                mode: Some("bogus"),
                ..Default::default()
            },
        )
    });
    assert!(
        msg.starts_with("ValueError: Invalid mode 'bogus' for np.take"),
        "{msg}"
    );
    let msg = common::panic_message(|| jnp::take_along_axis(&a, &ints(&[0]), Some(0)));
    assert!(
        msg.starts_with("ValueError: indices and arr must have the same number of dimensions"),
        "{msg}"
    );
    let msg = common::panic_message(|| jnp::place(&a, &jnp::array([true]), 1));
    assert!(
        msg.starts_with("ValueError: place: arr and mask must be the same size"),
        "{msg}"
    );
    let msg = common::panic_message(|| jnp::compress(&a.gt(1), &a));
    assert!(
        msg.starts_with("ValueError: condition must be a 1D array"),
        "{msg}"
    );
}
