//! Golden tests for the linear algebra of part A against real JAX: the
//! `lax.linalg` primitives (`cholesky`, `triangular_solve`, `lu`),
//! `jnp.linalg` (`cholesky`, `inv`, `solve`, `det`, `slogdet`,
//! `matrix_power`, `multi_dot`, `tensorsolve`, `tensorinv`) and
//! `jax.scipy.linalg`. Values, dtypes, shapes and gradients come from
//! `tests/fixtures/linalg_a/gen_linalg_a.py` (JAX on CPU, x64 off); vmap
//! is checked against stacking; bad input panics with JAX's message.

use jaxide::core::element::{Complex32, Complex64};
use jaxide::lax::linalg::{self as ll, TriangularSolveOptions};
use jaxide::numpy::linalg as la;
use jaxide::prelude::*;
use jaxide::scipy::linalg as sl;
use serde_json::Value;

static FIXTURE: &str = include_str!("fixtures/linalg_a/linalg_a.json");

/// The fixture must not silently shrink.
const MIN_CASES: usize = 200;

fn cases() -> Vec<Value> {
    let doc: Value = serde_json::from_str(FIXTURE).expect("linalg_a.json is not valid JSON");
    doc["cases"].as_array().expect("no cases").clone()
}

/// The flat values of an encoded array (complex as re, im pairs), with
/// NaN and infinities restored.
fn values(v: &Value) -> Vec<f64> {
    let data = v["data"].as_array().unwrap();
    let special = v.get("special").and_then(|s| s.as_array());
    data.iter()
        .enumerate()
        .map(|(i, d)| match d.as_f64() {
            Some(x) => x,
            None => match special.unwrap()[i].as_str().unwrap() {
                "nan" => f64::NAN,
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                s => panic!("bad special value {s}"),
            },
        })
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

fn decode(v: &Value) -> Array {
    let vals = values(v);
    let s = shape(v);
    match v["dtype"].as_str().unwrap() {
        "float32" => Array::from_vec(vals.iter().map(|&x| x as f32).collect::<Vec<_>>(), s),
        "int32" => Array::from_vec(vals.iter().map(|&x| x as i32).collect::<Vec<_>>(), s),
        "complex64" => Array::from_vec(
            vals.chunks(2)
                .map(|c| Complex32::new(c[0] as f32, c[1] as f32))
                .collect::<Vec<_>>(),
            s,
        ),
        d => panic!("harness: unexpected input dtype {d}"),
    }
}

/// The values of `x` as f64 (complex as re, im pairs).
fn flat(x: &Array) -> Vec<f64> {
    match x.dtype() {
        DType::C64 => x
            .to_vec::<Complex32>()
            .iter()
            .flat_map(|c| [c.re as f64, c.im as f64])
            .collect(),
        DType::C128 => x
            .to_vec::<Complex64>()
            .iter()
            .flat_map(|c| [c.re, c.im])
            .collect(),
        DType::F32 => x.to_vec::<f32>().iter().map(|&v| v as f64).collect(),
        DType::F64 => x.to_vec::<f64>(),
        DType::I32 => x.to_vec::<i32>().iter().map(|&v| v as f64).collect(),
        d => panic!("harness: unexpected output dtype {d}"),
    }
}

/// Compares dtype, shape and values; floats to `rtol` of the largest
/// expected magnitude (at least 1), ints exactly. Returns a mismatch.
fn compare(got: &Array, want: &Value, rtol: f64) -> Result<(), String> {
    let wd = want["dtype"].as_str().unwrap();
    if got.dtype().to_string() != wd {
        return Err(format!("dtype {} != {wd}", got.dtype()));
    }
    if got.shape() != shape(want).as_slice() {
        return Err(format!("shape {:?} != {:?}", got.shape(), shape(want)));
    }
    let (g, w) = (flat(got), values(want));
    let scale = w
        .iter()
        .filter(|x| x.is_finite())
        .fold(1.0f64, |m, x| m.max(x.abs()));
    let exact = !got.dtype().is_inexact();
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        let ok = if b.is_nan() {
            a.is_nan()
        } else if b.is_infinite() || exact {
            a == b
        } else {
            (a - b).abs() <= rtol * scale
        };
        if !ok {
            return Err(format!(
                "element {i}: got {a}, want {b} (scale {scale})\n got  {g:?}\n want {w:?}"
            ));
        }
    }
    Ok(())
}

fn flag(p: &Value, k: &str) -> bool {
    p[k].as_bool().unwrap_or(false)
}

fn tri_options(p: &Value) -> TriangularSolveOptions {
    TriangularSolveOptions {
        left_side: flag(p, "left_side"),
        lower: flag(p, "lower"),
        transpose_a: flag(p, "transpose_a"),
        conjugate_a: flag(p, "conjugate_a"),
        unit_diagonal: flag(p, "unit_diagonal"),
    }
}

/// Runs fixture function `name` on `a` with parameters `p`.
fn call(name: &str, a: &[Array], p: &Value) -> Vec<Array> {
    let n = || p["n"].as_i64().unwrap();
    match name {
        "lax.cholesky" => vec![ll::cholesky(&a[0], true)],
        "lax.triangular_solve" => {
            let o = tri_options(p);
            if a[1].ndim() + 1 == a[0].ndim() {
                // The fixture's vector case: JAX's singleton path on the right side.
                vec![ll::triangular_solve_with(
                    &a[0],
                    &a[1],
                    TriangularSolveOptions {
                        left_side: false,
                        ..o
                    },
                )]
            } else {
                vec![ll::triangular_solve_with(&a[0], &a[1], o)]
            }
        }
        "lax.lu" => {
            let (lu, piv, perm) = ll::lu(&a[0]);
            vec![lu, piv, perm]
        }
        "cholesky" => vec![la::cholesky_with(
            &a[0],
            la::Cholesky {
                upper: flag(p, "upper"),
                ..Default::default()
            },
        )],
        "inv" => vec![la::inv(&a[0])],
        "solve" => vec![la::solve(&a[0], &a[1])],
        "det" => vec![la::det(&a[0])],
        "slogdet" => {
            let (s, l) = la::slogdet(&a[0]);
            vec![s, l]
        }
        "matrix_power" => vec![la::matrix_power(&a[0], n())],
        "multi_dot" => vec![la::multi_dot(&a.iter().collect::<Vec<_>>())],
        "tensorinv" => vec![la::tensorinv(&a[0], n_or(p, "ind"))],
        "tensorsolve" => {
            let axes: Option<Vec<isize>> = p.get("axes").map(|v| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_i64().unwrap() as isize)
                    .collect()
            });
            vec![la::tensorsolve(&a[0], &a[1], axes.as_deref())]
        }
        "scipy.solve_triangular" => vec![sl::solve_triangular_with(
            &a[0],
            &a[1],
            sl::SolveTriangular {
                trans: p["trans"].as_u64().unwrap() as u8,
                lower: flag(p, "lower"),
                unit_diagonal: flag(p, "unit_diagonal"),
            },
        )],
        "scipy.lu" => {
            if flag(p, "permute_l") {
                let (pl, u) = sl::lu_permute_l(&a[0]);
                vec![pl, u]
            } else {
                let (pm, l, u) = sl::lu(&a[0]);
                vec![pm, l, u]
            }
        }
        "scipy.lu_factor" => {
            let (lu, piv) = sl::lu_factor(&a[0]);
            vec![lu, piv]
        }
        "scipy.lu_solve" => {
            let (lu, piv) = sl::lu_factor(&a[0]);
            vec![sl::lu_solve(
                (&lu, &piv),
                &a[1],
                p["trans"].as_u64().unwrap() as u8,
            )]
        }
        "scipy.cholesky" => vec![sl::cholesky(&a[0], flag(p, "lower"))],
        "scipy.cho_factor" => vec![sl::cho_factor(&a[0], flag(p, "lower")).0],
        "scipy.cho_solve" => {
            let lower = flag(p, "lower");
            let (c, _) = sl::cho_factor(&a[0], lower);
            vec![sl::cho_solve((&c, lower), &a[1])]
        }
        "scipy.solve" => {
            let assume_a = match p["assume_a"].as_str().unwrap() {
                "gen" => "gen",
                "sym" => "sym",
                "her" => "her",
                _ => "pos",
            };
            vec![sl::solve_with(
                &a[0],
                &a[1],
                sl::Solve {
                    assume_a,
                    lower: flag(p, "lower"),
                },
            )]
        }
        "scipy.inv" => vec![sl::inv(&a[0])],
        "scipy.det" => vec![sl::det(&a[0])],
        "scipy.expm" => vec![sl::expm_with(
            &a[0],
            sl::Expm {
                upper_triangular: flag(p, "upper_triangular"),
                ..Default::default()
            },
        )],
        "scipy.block_diag" => vec![sl::block_diag(&a.iter().collect::<Vec<_>>())],
        "scipy.toeplitz" => vec![sl::toeplitz(&a[0], a.get(1))],
        "scipy.hankel" => vec![sl::hankel(&a[0], a.get(1))],
        "scipy.circulant" => vec![sl::circulant(&a[0])],
        "scipy.companion" => vec![sl::companion(&a[0])],
        "scipy.fiedler" => vec![sl::fiedler(&a[0])],
        "scipy.leslie" => vec![sl::leslie(&a[0], &a[1])],
        "scipy.convolution_matrix" => {
            vec![sl::convolution_matrix(
                &a[0],
                n() as usize,
                p["mode"].as_str().unwrap(),
            )]
        }
        "scipy.hilbert" => vec![sl::hilbert(n() as usize)],
        "scipy.helmert" => vec![sl::helmert(n() as usize, flag(p, "full"))],
        "scipy.hadamard" => vec![sl::hadamard(n() as usize)],
        other => panic!("harness: unknown fixture function {other}"),
    }
}

fn n_or(p: &Value, k: &str) -> usize {
    p[k].as_u64().unwrap() as usize
}

/// Functions in the fixture that jaxide leaves out (see the report).
const NOT_PORTED: &[&str] = &[
    "scipy.pascal",
    "scipy.invpascal",
    "scipy.invhilbert",
    "scipy.dft",
];

/// The relative tolerance of a case (float32 everywhere).
fn tolerance(name: &str) -> f64 {
    match name {
        "scipy.expm" | "matrix_power" | "tensorinv" | "tensorsolve" => 2e-4,
        _ => 5e-5,
    }
}

#[test]
fn values_match_jax() {
    let all = cases();
    assert!(all.len() >= MIN_CASES, "fixture has {} cases", all.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for (k, c) in all
        .iter()
        .enumerate()
        .filter(|(_, c)| c.get("grad").is_none())
    {
        let name = c["fn"].as_str().unwrap();
        if NOT_PORTED.contains(&name) {
            continue;
        }
        let args: Vec<Array> = c["args"].as_array().unwrap().iter().map(decode).collect();
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            call(name, &args, &c["params"])
        }));
        let outs = match run {
            Ok(o) => o,
            Err(e) => {
                let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
                failures.push(format!("case {k} {name} {}: panicked: {msg}", c["params"]));
                continue;
            }
        };
        let want = c["out"].as_array().unwrap();
        assert_eq!(outs.len(), want.len(), "case {k} {name}: output count");
        for (i, (g, w)) in outs.iter().zip(want).enumerate() {
            if let Err(e) = compare(g, w, tolerance(name)) {
                failures.push(format!("case {k} {name} {} output {i}: {e}", c["params"]));
            }
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 150, "only {checked} cases ran");
}

#[test]
fn gradients_match_jax() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (k, c) in cases()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.get("grad").is_some())
    {
        let name = c["fn"].as_str().unwrap().to_string();
        let args: Vec<Array> = c["args"].as_array().unwrap().iter().map(decode).collect();
        let weights: Vec<Option<Array>> = c["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| (!w.is_null()).then(|| decode(w)))
            .collect();
        let params = c["params"].clone();
        for (slot, wrt) in c["wrt"].as_array().unwrap().iter().enumerate() {
            let wrt = wrt.as_u64().unwrap() as usize;
            let (args2, weights2, name2, params2) =
                (args.clone(), weights.clone(), name.clone(), params.clone());
            let loss = move |x: &Array| {
                let mut a = args2.clone();
                a[wrt] = x.clone();
                let outs = grad_fn_outputs(&name2, &a, &params2);
                outs.iter()
                    .zip(&weights2)
                    .filter_map(|(o, w)| w.as_ref().map(|w| (jnp::real(o) * w).sum()))
                    .reduce(|x, y| x + y)
                    .unwrap()
            };
            let run =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| grad(&loss)(&args[wrt])));
            match run {
                Ok(g) => {
                    if let Err(e) = compare(&g, &c["out"][slot], 2e-3) {
                        failures.push(format!("grad case {k} {name} wrt {wrt}: {e}"));
                    }
                }
                Err(e) => failures.push(format!(
                    "grad case {k} {name}: panicked: {}",
                    e.downcast_ref::<String>().cloned().unwrap_or_default()
                )),
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 20, "only {checked} gradient cases ran");
}

/// The functions of the gradient cases (the fixture differentiates the
/// first output of `lax.lu` and the log-determinant of `slogdet`).
fn grad_fn_outputs(name: &str, a: &[Array], p: &Value) -> Vec<Array> {
    match name {
        "lax.lu" => vec![ll::lu(&a[0]).0],
        "slogdet" => vec![la::slogdet(&a[0]).1],
        "matrix_power" => vec![la::matrix_power(&a[0], p["n"].as_i64().unwrap())],
        _ => call(name, a, p),
    }
}

// ---------------------------------------------------------------- vmap

fn mats(shape: &[usize], seed: u64) -> Array {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) % 2000) as f32 / 1000.0 - 1.0
        })
        .collect();
    Array::from_vec(v, shape.to_vec())
}

fn assert_close(got: &Array, want: &Array, tol: f32) {
    assert_eq!(got.shape(), want.shape());
    for (g, w) in got
        .astype(DType::F32)
        .to_vec::<f32>()
        .iter()
        .zip(want.astype(DType::F32).to_vec::<f32>())
    {
        assert!((g - w).abs() <= tol * w.abs().max(1.0), "{g} vs {w}");
    }
}

fn stacked(f: impl Fn(&Array) -> Array, xs: &Array) -> Array {
    let outs: Vec<Array> = (0..xs.shape()[0]).map(|i| f(&xs.at(i).get())).collect();
    jnp::stack(&outs, 0)
}

#[test]
fn vmap_equals_stacking() {
    let a = mats(&[3, 4, 4], 1) + jnp::eye(4) * 3.0f32;
    let b = mats(&[4, 2], 2);
    type F = Box<dyn Fn(&Array) -> Array + Send + Sync>;
    let spd = |a: &Array| jnp::matmul(a, a.transpose()) + jnp::eye(4) * 4.0f32;
    let b2 = b.clone();
    let b3 = b.clone();
    let fs: Vec<(&str, F)> = vec![
        ("det", Box::new(la::det)),
        ("inv", Box::new(la::inv)),
        ("slogdet", Box::new(|a: &Array| la::slogdet(a).1)),
        ("solve", Box::new(move |a: &Array| la::solve(a, &b2))),
        ("cholesky", Box::new(move |a: &Array| la::cholesky(&spd(a)))),
        ("lu", Box::new(|a: &Array| ll::lu(a).0)),
        (
            "lu perm",
            Box::new(|a: &Array| ll::lu(a).2.astype(DType::F32)),
        ),
        (
            "lu_solve",
            Box::new(move |a: &Array| {
                let (lu, piv) = sl::lu_factor(a);
                sl::lu_solve((&lu, &piv), &b3, 1)
            }),
        ),
        ("expm", Box::new(|a: &Array| sl::expm(&(a * 0.3f32)))),
        (
            "matrix_power",
            Box::new(|a: &Array| la::matrix_power(a, -3)),
        ),
    ];
    for (name, f) in &fs {
        let got = vmap(|x: &Array| f(x))(&a);
        let want = stacked(f, &a);
        assert_eq!(got.shape(), want.shape(), "{name}");
        assert_close(&got, &want, 1e-5);
    }
    // Batched on the right-hand side only, and on both.
    let bs = mats(&[3, 4, 2], 3);
    let a0 = a.at(0).get();
    let got = vmap(|b: &Array| la::solve(&a0, b))(&bs);
    assert_close(&got, &stacked(|b| la::solve(&a0, b), &bs), 1e-5);
    let got = vmap(|b: &Array| {
        ll::triangular_solve_with(
            &a0,
            b,
            TriangularSolveOptions {
                left_side: true,
                lower: true,
                ..Default::default()
            },
        )
    })(&bs);
    let want = stacked(
        |b| {
            ll::triangular_solve_with(
                &a0,
                b,
                TriangularSolveOptions {
                    left_side: true,
                    lower: true,
                    ..Default::default()
                },
            )
        },
        &bs,
    );
    assert_close(&got, &want, 1e-5);
}

#[test]
fn jit_matches_eager() {
    let a = mats(&[5, 5], 7) + jnp::eye(5) * 2.0f32;
    let b = mats(&[5], 8);
    let f = |a: &Array, b: &Array| la::solve(a, b) + la::det(a) + la::slogdet(a).1;
    let got = jit(f)(&a, &b);
    assert_close(&got, &f(&a, &b), 1e-6);
}

// ------------------------------------------------- singular matrices

#[test]
fn singular_matrices_give_inf_or_nan_not_panics() {
    let a = jnp::array([[1.0f32, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]);
    assert_eq!(la::det(&a).item::<f32>(), 0.0);
    let (sign, logdet) = la::slogdet(&a);
    assert_eq!(
        (sign.item::<f32>(), logdet.item::<f32>()),
        (0.0, f32::NEG_INFINITY)
    );
    let x = la::solve(&a, &jnp::array([1.0f32, 1.0, 1.0])).to_vec::<f32>();
    assert!(x.iter().any(|v| !v.is_finite()), "{x:?}");
    // Not positive definite: NaNs in the lower triangle (JAX: NaNs, then tril).
    let c = la::cholesky(&jnp::array([[1.0f32, 2.0], [2.0, 1.0]])).to_vec::<f32>();
    assert!(
        c[0].is_nan() && c[2].is_nan() && c[3].is_nan() && c[1] == 0.0,
        "{c:?}"
    );
}

// ---------------------------------------------------------- bad input

#[test]
#[should_panic(expected = "TypeError: Last 2 dimensions of the array must be square")]
fn matrix_power_rejects_non_square() {
    la::matrix_power(&jnp::ones([2, 3]), 2);
}

#[test]
#[should_panic(
    expected = "TypeError: 1-dimensional array given. Array must be at least two-dimensional"
)]
fn matrix_power_rejects_vectors() {
    la::matrix_power(&jnp::ones([3]), 2);
}

#[test]
#[should_panic(expected = "ValueError: Argument to inv must have shape [..., n, n], got (2, 3).")]
fn inv_rejects_non_square() {
    la::inv(&jnp::ones([2, 3]));
}

#[test]
#[should_panic(expected = "ValueError: Argument to _det() must have shape [..., n, n], got (2, 3)")]
fn det_rejects_non_square() {
    la::det(&jnp::ones([2, 3]));
}

#[test]
#[should_panic(
    expected = "ValueError: Argument to slogdet() must have shape [..., n, n], got (3,)"
)]
fn slogdet_rejects_vectors() {
    la::slogdet(&jnp::ones([3]));
}

#[test]
#[should_panic(
    expected = "ValueError: left hand array must be at least two dimensional; got a.shape=(3,)"
)]
fn solve_rejects_vector_a() {
    la::solve(&jnp::ones([3]), &jnp::ones([3]));
}

#[test]
#[should_panic(
    expected = "ValueError: The input to cholesky must be a square matrix. Got shape (2, 3)."
)]
fn cholesky_rejects_non_square() {
    la::cholesky(&jnp::ones([2, 3]));
}

#[test]
#[should_panic(
    expected = "TypeError: Input 0 to cholesky must have rank at least 2, but got shape=(3,)"
)]
fn cholesky_rejects_vectors() {
    ll::cholesky(&jnp::ones([3]), false);
}

#[test]
#[should_panic(
    expected = "TypeError: lu does not accept dtype int32 at position 0. Accepted dtypes at position 0 are subtypes of floating, complexfloating."
)]
fn lu_rejects_integers() {
    ll::lu(&jnp::array([[1i32, 2], [3, 4]]));
}

#[test]
#[should_panic(
    expected = "ValueError: Incompatible shapes for arguments to triangular_solve: (3, 3) and (2, 4)."
)]
fn triangular_solve_rejects_mismatched_shapes() {
    ll::triangular_solve_with(
        &jnp::eye(3),
        &jnp::ones([2, 4]),
        TriangularSolveOptions {
            left_side: true,
            ..Default::default()
        },
    );
}

#[test]
#[should_panic(
    expected = "TypeError: lax.triangular_solve requires arguments to have the same dtypes, got float32, complex64."
)]
fn triangular_solve_rejects_mixed_dtypes() {
    ll::triangular_solve(&jnp::eye(2), &jnp::ones([2, 2]).astype(DType::C64));
}

#[test]
#[should_panic(expected = "ValueError: multi_dot requires at least two arrays; got len(arrays)=1")]
fn multi_dot_needs_two_arrays() {
    la::multi_dot(&[&jnp::ones([2, 2])]);
}

#[test]
#[should_panic(
    expected = "ValueError: multi_dot: last dimension of each array must match first dimension of following array. Got array shapes [(2, 3), (2, 2)]"
)]
fn multi_dot_rejects_mismatched_chain() {
    la::multi_dot(&[&jnp::ones([2, 3]), &jnp::ones([2, 2])]);
}

#[test]
#[should_panic(
    expected = "ValueError: tensorinv is only possible when the product of the first `ind` dimensions equals that of the remaining dimensions. got arr.shape=(2, 3) with ind=1."
)]
fn tensorinv_rejects_non_square_products() {
    la::tensorinv(&jnp::ones([2, 3]), 1);
}

#[test]
#[should_panic(
    expected = "ValueError: Expected assume_a to be one of ['gen', 'sym', 'her', 'pos']; got 'banded'"
)]
fn scipy_solve_rejects_unknown_assume_a() {
    sl::solve_with(
        &jnp::eye(2),
        &jnp::ones([2]),
        sl::Solve {
            assume_a: "banded",
            lower: false,
        },
    );
}

#[test]
#[should_panic(expected = "ValueError: Invalid 'trans' value 3")]
fn solve_triangular_rejects_bad_trans() {
    sl::solve_triangular_with(
        &jnp::eye(2),
        &jnp::ones([2]),
        sl::SolveTriangular {
            trans: 3,
            ..Default::default()
        },
    );
}

#[test]
#[should_panic(
    expected = "ValueError: Expected A to be a (batched) square matrix, got A.shape=(2, 3)."
)]
fn expm_rejects_non_square() {
    sl::expm(&jnp::ones([2, 3]));
}

#[test]
#[should_panic(expected = "ValueError: n must be a positive power of 2; got 6.")]
fn hadamard_rejects_non_powers_of_two() {
    sl::hadamard(6);
}
