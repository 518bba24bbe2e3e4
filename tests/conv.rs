//! Golden tests against real JAX for convolutions: `lax.conv_general_dilated`
//! over 1-d/2-d/3-d layouts, strides, every padding kind, dilations, feature
//! and batch groups and dtypes; `conv`, `conv_with_general_padding`,
//! `conv_transpose`; vjps with respect to both operands; vmaps; and JAX's
//! error messages. The fixture `tests/fixtures/conv/conv.json` is written by
//! `gen_conv.py` next to it. Set `CONV_CASE=substring` for a subset.

use jaxide::lax::{self, ConvDimensionNumbers, ConvOptions, ConvTransposeOptions, Padding};
use jaxide::prelude::*;
use jaxide::transforms::vmap::{InAxes, InAxis, VmapOptions};
use jaxide::{Array, DType};
use serde_json::Value;

#[macro_use]
#[path = "common/golden.rs"]
mod golden;
use golden::*;

static FIXTURE: &str = include_str!("fixtures/conv/conv.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("conv.json is not valid JSON")
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn opt_usizes(v: &Value) -> Option<Vec<usize>> {
    (!v.is_null()).then(|| usizes(v))
}

fn padding(v: &Value) -> Padding {
    match v.as_str() {
        Some(s) => s.into(),
        None => Padding::Explicit(
            v.as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_i64().unwrap(), p[1].as_i64().unwrap()))
                .collect(),
        ),
    }
}

fn dimension_numbers(v: &Value) -> Option<ConvDimensionNumbers> {
    (!v.is_null()).then(|| {
        let s: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        (s[0], s[1], s[2]).into()
    })
}

fn options(p: &Value) -> ConvOptions {
    ConvOptions {
        lhs_dilation: opt_usizes(&p["lhs_dilation"]),
        rhs_dilation: opt_usizes(&p["rhs_dilation"]),
        dimension_numbers: dimension_numbers(&p["dimension_numbers"]),
        feature_group_count: p["feature_group_count"].as_u64().unwrap() as usize,
        batch_group_count: p["batch_group_count"].as_u64().unwrap() as usize,
        preferred_element_type: p["preferred_element_type"]
            .as_str()
            .map(|d| DType::from_name(d).unwrap()),
    }
}

/// `lax.conv_general_dilated` with the case's parameters.
fn conv_fn(p: &Value) -> impl Fn(&Array, &Array) -> Array + Send + Sync + Clone + 'static {
    let (strides, pad, opts) = (
        usizes(&p["window_strides"]),
        padding(&p["padding"]),
        options(p),
    );
    move |l: &Array, r: &Array| lax::conv_general_dilated(l, r, &strides, pad.clone(), opts.clone())
}

fn run_case(c: &Value) -> Outcome {
    let args: Vec<Array> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(decode_array)
        .collect();
    let p = &c["params"];
    let f = c["fn"].as_str().unwrap();
    Ok(match f {
        "conv_general_dilated" => vec![conv_fn(p)(&args[0], &args[1])],
        "conv_vjp" => {
            let conv = conv_fn(p);
            let (y, lin) = vjp(
                |x: &(Array, Array)| conv(&x.0, &x.1),
                &(args[0].clone(), args[1].clone()),
            );
            let (dl, dr) = lin.vjp(&args[2]);
            vec![y, dl, dr]
        }
        "conv_vmap" => {
            let axis = |v: &Value| {
                v.as_i64()
                    .map_or(InAxis::None, |a| InAxis::Axis(a as isize))
            };
            let in_axes = InAxes::PerArg(vec![axis(&p["in_axes"][0]), axis(&p["in_axes"][1])]);
            let opts = VmapOptions {
                in_axes,
                ..Default::default()
            };
            vec![vmap_with(conv_fn(p), opts)(&args[0], &args[1])]
        }
        "conv" => vec![lax::conv(
            &args[0],
            &args[1],
            &usizes(&p["window_strides"]),
            padding(&p["padding"]),
        )],
        "conv_with_general_padding" => vec![lax::conv_with_general_padding(
            &args[0],
            &args[1],
            &usizes(&p["window_strides"]),
            padding(&p["padding"]),
            opt_usizes(&p["lhs_dilation"]).as_deref(),
            opt_usizes(&p["rhs_dilation"]).as_deref(),
        )],
        "conv_transpose" => vec![lax::conv_transpose(
            &args[0],
            &args[1],
            &usizes(&p["strides"]),
            padding(&p["padding"]),
            ConvTransposeOptions {
                rhs_dilation: opt_usizes(&p["rhs_dilation"]),
                dimension_numbers: dimension_numbers(&p["dimension_numbers"]),
                transpose_kernel: p["transpose_kernel"].as_bool().unwrap(),
                ..Default::default()
            },
        )],
        _ => return Err(format!("harness: unknown fn {f}")),
    })
}

#[test]
fn conv_matches_jax() {
    run_golden(
        "conv golden",
        &fixture(),
        "CONV_CASE",
        run_case,
        |_, _, tol| tol,
    );
}

/// The same cases under `jit`: the primitive runs as one compiled step.
#[test]
fn jitted_conv_matches_jax() {
    let doc = fixture();
    let only = |fname: &str| -> Value {
        let cases: Vec<Value> = cases(&doc)
            .iter()
            .filter(|c| c["fn"] == fname)
            .cloned()
            .collect();
        serde_json::json!({ "cases": cases })
    };
    let jitted = |c: &Value| -> Outcome {
        let args: Vec<Array> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(decode_array)
            .collect();
        let p = &c["params"];
        Ok(match c["fn"].as_str().unwrap() {
            "conv_general_dilated" => vec![jit(conv_fn(p))(&args[0], &args[1])],
            _ => {
                let conv = conv_fn(p);
                let step = jit(move |l: &Array, r: &Array, ct: &Array| {
                    let (y, lin) = vjp(
                        |x: &(Array, Array)| conv(&x.0, &x.1),
                        &(l.clone(), r.clone()),
                    );
                    let (dl, dr) = lin.vjp(ct);
                    (y, dl, dr)
                });
                let (y, dl, dr) = step(&args[0], &args[1], &args[2]);
                vec![y, dl, dr]
            }
        })
    };
    for f in ["conv_general_dilated", "conv_vjp"] {
        run_golden(
            "jitted conv golden",
            &only(f),
            "CONV_CASE",
            jitted,
            |_, _, tol| tol,
        );
    }
}

/// Bad arguments panic with JAX's message.
#[test]
fn bad_arguments_give_jax_errors() {
    let doc = fixture();
    install_quiet_hook();
    let mut failures = Vec::new();
    for c in doc["errors"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let want = c["error"].as_str().unwrap();
        let args: Vec<Array> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(decode_array)
            .collect();
        let p = c["params"].clone();
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            conv_fn(&p)(&args[0], &args[1])
        }));
        match got {
            Ok(_) => failures.push(format!("{name}: no panic, expected {want}")),
            Err(e) => {
                let msg = panic_message(&e);
                if msg != want {
                    failures.push(format!("{name}:\n  expected {want}\n  got      {msg}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The jaxpr prints like `jax.make_jaxpr`.
#[test]
fn jaxpr_prints_like_jax() {
    let x = jnp::ones([2, 8, 8, 3]);
    let w = jnp::ones([3, 3, 3, 4]);
    let f = |x: &Array, w: &Array| {
        let o = ConvOptions::default().with_dimension_numbers(("NHWC", "HWIO", "NHWC"));
        lax::conv_general_dilated(x, w, &[1, 1], "SAME", o)
    };
    let text = make_jaxpr(f)(&x, &w).to_string();
    assert!(
        text.contains(
            "c:f32[2,8,8,4] = conv_general_dilated[\n      batch_group_count=1\n      \
             dimension_numbers=ConvDimensionNumbers(lhs_spec=(0, 3, 1, 2), rhs_spec=(3, 2, 0, 1), \
             out_spec=(0, 3, 1, 2))\n      feature_group_count=1\n      lhs_dilation=(1, 1)\n      \
             out_sharding=None\n      padding=((1, 1), (1, 1))\n      precision=None\n      \
             preferred_element_type=None\n      rhs_dilation=(1, 1)\n      window_strides=(1, 1)\n    ] a b"
        ),
        "{text}"
    );
}

/// The shape helpers agree with JAX's.
#[test]
fn shape_helpers_match_jax() {
    let doc = fixture();
    for c in doc["shapes"].as_array().unwrap() {
        let (ls, rs) = (usizes(&c["lhs_shape"]), usizes(&c["rhs_shape"]));
        let (st, pad) = (usizes(&c["strides"]), padding(&c["padding"]));
        let dn = dimension_numbers(&c["dimension_numbers"]);
        let got = match c["fn"].as_str().unwrap() {
            "conv_shape_tuple" => {
                let bgc = c["batch_group_count"].as_u64().unwrap() as usize;
                lax::conv_shape_tuple(&ls, &rs, &st, pad, bgc)
            }
            "conv_general_shape_tuple" => {
                lax::conv_general_shape_tuple(&ls, &rs, &st, pad, &dn.unwrap())
            }
            "conv_transpose_shape_tuple" => {
                lax::conv_transpose_shape_tuple(&ls, &rs, &st, pad, &dn.unwrap())
            }
            f => panic!("harness: unknown shape helper {f}"),
        };
        assert_eq!(got, usizes(&c["out"]), "{c}");
    }
}
