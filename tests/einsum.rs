//! `jnp::einsum` and `jnp::einsum_path` against real JAX and opt_einsum:
//! the fixture `tests/fixtures/einsum/einsum.json` is written by
//! `gen_einsum.py` next to it (JAX 0.10.2 on CPU, x64 off). Also: jit and
//! vmap through einsum, and JAX's messages for bad subscripts. (Finite
//! differences in float64 are in `tests/einsum_x64.rs`.) Set
//! `EINSUM_CASE=substring` for a subset of the golden cases.

use jaxide::numpy::{EinsumOptions, Optimize};
use jaxide::prelude::*;
use jaxide::{lax, Array, DType};
use serde_json::Value;

#[macro_use]
#[path = "common/golden.rs"]
mod golden;
use golden::*;

static FIXTURE: &str = include_str!("fixtures/einsum/einsum.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("einsum.json is not valid JSON")
}

fn optimize_of(v: &Value) -> Optimize {
    match v {
        Value::Null => Optimize::Auto,
        Value::Bool(false) => Optimize::NoOptimize,
        Value::Bool(true) => Optimize::Optimal,
        Value::String(s) => match s.as_str() {
            "auto" => Optimize::Auto,
            "greedy" => Optimize::Greedy,
            "optimal" => Optimize::Optimal,
            "branch-all" => Optimize::BranchAll,
            "branch-2" => Optimize::Branch2,
            "branch-1" => Optimize::Branch1,
            "false" => Optimize::NoOptimize,
            other => panic!("harness: unknown optimize {other}"),
        },
        Value::Array(steps) => Optimize::Path(
            steps
                .iter()
                .map(|s| {
                    s.as_array()
                        .unwrap()
                        .iter()
                        .map(|i| i.as_u64().unwrap() as usize)
                        .collect()
                })
                .collect(),
        ),
        other => panic!("harness: bad optimize {other}"),
    }
}

fn run_case(c: &Value) -> Outcome {
    let p = &c["params"];
    let args: Vec<Array> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| decode_arg(a).arr())
        .collect();
    let ops: Vec<Array> = match p.get("complex").and_then(|k| k.as_array()) {
        None => args,
        Some(kinds) => {
            let mut it = args.into_iter();
            kinds
                .iter()
                .map(|k| {
                    let x = it.next().unwrap();
                    if k.as_bool().unwrap() {
                        lax::complex(&x, &it.next().unwrap())
                    } else {
                        x
                    }
                })
                .collect()
        }
    };
    let options = EinsumOptions {
        optimize: optimize_of(&p["optimize"]),
        preferred_element_type: p.get("preferred").and_then(|d| d.as_str()).map(dtype_of),
        ..Default::default()
    };
    let out = jnp::einsum_with(p["subscripts"].as_str().unwrap(), &ops, options);
    if p.get("complex").is_some() {
        Ok(vec![jnp::real(&out), jnp::imag(&out)])
    } else {
        one(out)
    }
}

#[test]
fn golden_einsum_matches_jax() {
    let doc = fixture();
    assert!(cases(&doc).len() >= 40);
    run_golden("einsum", &doc, "EINSUM_CASE", run_case, |_, _, tol| tol);
}

fn zeros_of(shapes: &Value) -> Vec<Array> {
    shapes
        .as_array()
        .unwrap()
        .iter()
        .map(|s| jnp::zeros(shape_of(s)))
        .collect()
}

#[test]
fn einsum_path_matches_opt_einsum() {
    let doc = fixture();
    let paths = doc["paths"].as_array().unwrap();
    assert!(paths.len() >= 10);
    let mut failures = Vec::new();
    for pc in paths {
        let name = pc["name"].as_str().unwrap();
        let sub = pc["subscripts"].as_str().unwrap();
        let ops = zeros_of(&pc["shapes"]);
        for (opt, expected) in pc["paths"].as_object().unwrap() {
            let (path, _) = jnp::einsum_path(sub, &ops, optimize_of(&Value::String(opt.clone())));
            let exp = optimize_of(expected);
            if Optimize::Path(path.clone()) != exp {
                failures.push(format!("{name} [{opt}]: expected {exp:?}, got {path:?}"));
            }
        }
        let (_, info) = jnp::einsum_path(sub, &ops, Optimize::Auto);
        let report = info.to_string();
        if report != pc["report"].as_str().unwrap() {
            failures.push(format!(
                "{name}: report differs:\n{report}\n--- expected ---\n{}",
                pc["report"].as_str().unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn random_contractions_plan_like_opt_einsum() {
    let doc = fixture();
    let cases = doc["random_paths"].as_array().unwrap();
    assert!(cases.len() >= 300);
    let mut failures = Vec::new();
    for (i, rc) in cases.iter().enumerate() {
        let sub = rc["subscripts"].as_str().unwrap();
        let ops = zeros_of(&rc["shapes"]);
        let (path, info) = jnp::einsum_path(sub, &ops, optimize_of(&rc["optimize"]));
        let steps: Vec<&str> = info.steps.iter().map(|s| s.einsum_str.as_str()).collect();
        let want: Vec<&str> = rc["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        if Optimize::Path(path.clone()) != optimize_of(&rc["path"]) || steps != want {
            failures.push(format!(
                "#{i} {sub:?} {} [{}]: expected {} {want:?}, got {path:?} {steps:?}",
                rc["shapes"], rc["optimize"], rc["path"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn einsum_path_of_jax_docstring() {
    let (x, y, z) = (jnp::ones([2, 3]), jnp::ones([3, 100]), jnp::ones([100, 5]));
    let (path, info) = jnp::einsum_path("ij,jk,kl", [&x, &y, &z], Optimize::Optimal);
    assert_eq!(path, vec![vec![1, 2], vec![0, 1]]);
    let expected = "  Complete contraction:  ij,jk,kl->il
         Naive scaling:  4
     Optimized scaling:  3
      Naive FLOP count:  9.000e+3
  Optimized FLOP count:  3.060e+3
   Theoretical speedup:  2.941e+0
  Largest intermediate:  1.500e+1 elements
--------------------------------------------------------------------------------
scaling        BLAS                current                             remaining
--------------------------------------------------------------------------------
   3           GEMM              kl,jk->lj                             ij,lj->il
   3           GEMM              lj,ij->il                                il->il";
    assert_eq!(info.to_string(), expected);
    assert_eq!(info.steps[0].einsum_str, "kl,jk->lj");
    assert_eq!(info.naive_cost, 9000);
    assert_eq!(info.opt_cost, 3060);
}

#[test]
fn operands_can_be_any_iterator_of_arrays() {
    let a = jnp::arange(6).reshape(&[2, 3]);
    let b = jnp::arange(3);
    let want = vec![5, 14];
    assert_eq!(jnp::einsum("ij,j", [&a, &b]).to_vec::<i32>(), want);
    assert_eq!(jnp::einsum("ij,j", &[&a, &b]).to_vec::<i32>(), want);
    assert_eq!(
        jnp::einsum("ij,j", vec![a.clone(), b.clone()]).to_vec::<i32>(),
        want
    );
    let owned = vec![a, b];
    assert_eq!(jnp::einsum("ij,j", &owned).to_vec::<i32>(), want);
}

fn assert_close(a: &Array, b: &Array) {
    assert_eq!(a.shape(), b.shape());
    let (x, y) = (a.to_vec::<f32>(), b.to_vec::<f32>());
    for (i, (p, q)) in x.iter().zip(&y).enumerate() {
        assert!((p - q).abs() <= 1e-5 * (1.0 + q.abs()), "[{i}] {p} vs {q}");
    }
}

fn ramp(shape: &[usize], scale: f32) -> Array {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n)
        .map(|i| ((i * 7 % 11) as f32 - 5.0) * scale)
        .collect();
    Array::from_vec(v, shape.to_vec())
}

#[test]
fn jit_through_einsum_matches_eager() {
    let (a, b, c) = (ramp(&[3, 4], 0.5), ramp(&[4, 5], 0.25), ramp(&[5, 2], 1.0));
    let f = |a: &Array, b: &Array, c: &Array| jnp::einsum("ij,jk,kl->li", [a, b, c]);
    let eager = f(&a, &b, &c);
    let jitted = jit(f)(&a, &b, &c);
    assert_close(&jitted, &eager);
    // Traces and diagonals under jit.
    let m = ramp(&[4, 4, 3], 1.0);
    let g = |m: &Array| jnp::einsum("iij->ji", [m]);
    assert_close(&jit(g)(&m), &g(&m));
    // The staged program is built from lax primitives only.
    let text = make_jaxpr(g)(&m).to_string();
    for prim in ["iota", "eq", "select_n", "reduce_sum", "transpose"] {
        assert!(text.contains(prim), "{prim} missing from\n{text}");
    }
    let text = make_jaxpr(|a: &Array, b: &Array| jnp::einsum("bij,bjk->bik", [a, b]))(
        &ramp(&[2, 3, 4], 1.0),
        &ramp(&[2, 4, 5], 1.0),
    )
    .to_string();
    assert!(text.contains("dot_general"), "{text}");
}

#[test]
fn vmap_through_einsum_matches_a_loop() {
    let xs = ramp(&[6, 3, 4], 0.5);
    let w = ramp(&[4, 5], 0.25);
    let batched = vmap(|x: &Array| jnp::einsum("ij,jk->ki", [x, &w]))(&xs);
    assert_eq!(batched.shape(), &[6, 5, 3]);
    for i in 0..6usize {
        let one = jnp::einsum("ij,jk->ki", [&xs.at(i).get(), &w]);
        assert_close(&batched.at(i).get(), &one);
    }
    // Both operands batched, with a trace inside.
    let ms = ramp(&[3, 4, 4], 1.0);
    let vs = ramp(&[3, 4], 1.0);
    let f = |m: &Array, v: &Array| jnp::einsum("ii,i->", [m, v]);
    let got = vmap(f)(&ms, &vs);
    for i in 0..3usize {
        assert_close(&got.at(i).get(), &f(&ms.at(i).get(), &vs.at(i).get()));
    }
}

#[test]
fn grad_of_einsum_in_float32() {
    // d/dA sum(A B) = B summed over its columns, broadcast along A's rows.
    let a = ramp(&[2, 3], 1.0);
    let b = ramp(&[3, 4], 0.5);
    let g = grad(|a: &Array| jnp::einsum("ij,jk->", [a, &b]))(&a);
    let row = jnp::sum_axis(&b, 1, false);
    let want = jnp::broadcast_to(&row, &[2, 3]);
    assert_close(&g, &want);
    // The gradient of a trace is the identity.
    let m = ramp(&[3, 3], 1.0);
    let g = grad(|m: &Array| jnp::einsum("ii", [m]))(&m);
    assert_close(&g, &jnp::eye(3));
}

#[test]
fn result_dtypes_follow_jax() {
    let i = jnp::arange(4);
    let f = jnp::ones([4]);
    let b = jnp::array([true, false, true, true]);
    assert_eq!(jnp::einsum("i,i", [&i, &i]).dtype(), DType::I32);
    assert_eq!(jnp::einsum("i,i", [&i, &f]).dtype(), DType::F32);
    assert_eq!(jnp::einsum("i,i", [&b, &b]).dtype(), DType::Bool);
    assert!(jnp::einsum("i,i", [&b, &b]).item::<bool>());
    assert_eq!(jnp::einsum("i,i", [&b, &i]).item::<i32>(), 5);
    let h = jnp::ones_dtype([4], DType::F16);
    let opts = EinsumOptions {
        preferred_element_type: Some(DType::F32),
        ..Default::default()
    };
    assert_eq!(jnp::einsum_with("i,i", [&h, &h], opts).dtype(), DType::F32);
    let opts = EinsumOptions {
        preferred_element_type: Some(DType::F64),
        ..Default::default()
    };
    // float64 is canonicalized to float32 with x64 off.
    assert_eq!(jnp::einsum_with("i,i", [&h, &h], opts).dtype(), DType::F32);
}

// ---------------------------------------------------------------------------
// Bad input: JAX's (opt_einsum's) messages
// ---------------------------------------------------------------------------

#[test]
#[should_panic(
    expected = "ValueError: Number of einsum subscripts, 2, must be equal to the number of operands, 1."
)]
fn wrong_number_of_operands() {
    jnp::einsum("ij,jk->ik", [&jnp::ones([2, 3])]);
}

#[test]
#[should_panic(
    expected = "ValueError: Size of label 'j' for operand 1 (3) does not match previous terms (2)."
)]
fn dimension_mismatch() {
    let a = jnp::ones([2, 3]);
    jnp::einsum("ij,jk", [&a, &a]);
}

#[test]
#[should_panic(
    expected = "ValueError: Size of label 'i' for operand 0 (2) does not match previous terms (3)."
)]
fn repeated_index_size_mismatch() {
    jnp::einsum("ii", [&jnp::ones([2, 3])]);
}

#[test]
#[should_panic(
    expected = "ValueError: Einstein sum subscript 'ijk' does not contain the correct number of indices for operand 0."
)]
fn wrong_rank() {
    jnp::einsum("ijk", [&jnp::ones([2, 3])]);
}

#[test]
#[should_panic(expected = "ValueError: Output character 'k' did not appear in the input")]
fn output_index_not_in_inputs() {
    jnp::einsum("ij->ik", [&jnp::ones([2, 3])]);
}

#[test]
#[should_panic(
    expected = "ValueError: Output character 'i' appeared more than once in the output."
)]
fn repeated_output_index() {
    let (a, b) = (jnp::ones([2, 3]), jnp::ones([3, 4]));
    jnp::einsum("ij,jk->ii", [&a, &b]);
}

#[test]
#[should_panic(expected = "ValueError: Subscripts can only contain one '->'.")]
fn two_arrows() {
    jnp::einsum("ij->->", [&jnp::ones([2, 3])]);
}

#[test]
#[should_panic(expected = "ValueError: Subscripts can only contain one '->'.")]
fn stray_dash() {
    jnp::einsum("i-j", [&jnp::ones([2, 3])]);
}

#[test]
#[should_panic(expected = "ValueError: Invalid Ellipses.")]
fn invalid_ellipsis() {
    jnp::einsum("i.j", [&jnp::ones([2, 3])]);
}

#[test]
#[should_panic(expected = "ValueError: Ellipses lengths do not match.")]
fn ellipsis_longer_than_rank() {
    jnp::einsum("a...bc", [&jnp::ones([2, 3])]);
}

#[test]
#[should_panic(expected = "NotImplementedError: jax.numpy.einsum does not support simultaneous")]
fn three_operand_step() {
    let a = jnp::ones([2, 2]);
    let opts = EinsumOptions {
        optimize: Optimize::Path(vec![vec![0, 1, 2]]),
        ..Default::default()
    };
    jnp::einsum_with("ij,jk,kl", [&a, &a, &a], opts);
}

#[test]
#[should_panic(expected = "einsum: invalid contraction path")]
fn path_leaving_operands() {
    let a = jnp::ones([2, 2]);
    let opts = EinsumOptions {
        optimize: Optimize::Path(vec![vec![0, 1]]),
        ..Default::default()
    };
    jnp::einsum_with("ij,jk,kl", [&a, &a, &a], opts);
}

#[test]
fn any_other_character_is_a_label_as_in_jax() {
    // opt_einsum (so JAX) accepts any character but `,`, `-`, `>`, `.`, ` `.
    let (a, b) = (jnp::ones([2, 3]), jnp::ones([3, 4]));
    assert_eq!(jnp::einsum("i2,2k", [&a, &b]).shape(), &[2, 4]);
    assert_eq!(jnp::einsum("é", [&jnp::ones([3])]).shape(), &[3]);
}
