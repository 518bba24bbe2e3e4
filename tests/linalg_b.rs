//! Part B of linear algebra against golden values from real JAX
//! (`tests/fixtures/linalg_b/gen_linalg_b.py`): `jnp.linalg` qr, svd,
//! svdvals, eigh, eigvalsh, eig, eigvals, norm (every order), vector_norm,
//! matrix_norm, pinv, lstsq, matrix_rank, cond; gradients against JAX's;
//! vmap and jit; and JAX's errors. Decompositions are compared through
//! gauge-invariant quantities (|q|, |r|, s, |u|, |v|, sorted eigenvalues),
//! plus reconstruction and orthogonality checks.

use jaxide::numpy::linalg::{self as la, NormOrd};
use jaxide::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

fn fixture() -> &'static serde_json::Map<String, Value> {
    static F: OnceLock<serde_json::Map<String, Value>> = OnceLock::new();
    F.get_or_init(|| {
        let text = include_str!("fixtures/linalg_b/linalg_b.json");
        serde_json::from_str::<Value>(text)
            .unwrap()
            .as_object()
            .unwrap()
            .clone()
    })
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            _ => panic!("bad number {s}"),
        },
        v => v.as_f64().unwrap(),
    }
}

/// A fixture entry: dtype name, shape, and values as (re, im) pairs.
struct Golden {
    dtype: String,
    shape: Vec<usize>,
    vals: Vec<(f64, f64)>,
}

fn golden(key: &str) -> Golden {
    let v = fixture()
        .get(key)
        .unwrap_or_else(|| panic!("no fixture entry {key}"));
    let vals = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| match d {
            Value::Array(p) => (num(&p[0]), num(&p[1])),
            d => (num(d), 0.0),
        })
        .collect();
    Golden {
        dtype: v["dtype"].as_str().unwrap().to_string(),
        shape: v["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect(),
        vals,
    }
}

/// The fixture input `name` as an array.
fn input(name: &str) -> Array {
    let g = golden(&format!("in:{name}"));
    match g.dtype.as_str() {
        "float32" => Array::from_vec(g.vals.iter().map(|v| v.0 as f32).collect(), g.shape),
        "int32" => Array::from_vec(g.vals.iter().map(|v| v.0 as i32).collect(), g.shape),
        "complex64" => Array::from_vec(
            g.vals
                .iter()
                .map(|v| Complex32::new(v.0 as f32, v.1 as f32))
                .collect(),
            g.shape,
        ),
        d => panic!("unexpected input dtype {d}"),
    }
}

/// Values of any numeric array as (re, im) pairs.
fn values(x: &Array) -> Vec<(f64, f64)> {
    match x.dtype() {
        DType::C64 => x
            .to_vec::<Complex32>()
            .iter()
            .map(|z| (z.re as f64, z.im as f64))
            .collect(),
        DType::C128 => x
            .to_vec::<Complex64>()
            .iter()
            .map(|z| (z.re, z.im))
            .collect(),
        DType::F32 => x.to_vec::<f32>().iter().map(|&v| (v as f64, 0.0)).collect(),
        DType::F64 => x.to_vec::<f64>().iter().map(|&v| (v, 0.0)).collect(),
        _ => x
            .astype(DType::I32)
            .to_vec::<i32>()
            .iter()
            .map(|&v| (v as f64, 0.0))
            .collect(),
    }
}

/// `got` equals the fixture entry `key` in dtype, shape and values, within
/// `tol` relative to the entry's largest magnitude (NaNs and infinities exact).
fn check(got: &Array, key: &str, tol: f64) {
    let want = golden(key);
    assert_eq!(got.dtype().name(), want.dtype, "{key}: dtype");
    assert_eq!(got.shape(), &want.shape[..], "{key}: shape");
    check_values(&values(got), &want.vals, key, tol);
}

fn check_values(got: &[(f64, f64)], want: &[(f64, f64)], key: &str, tol: f64) {
    assert_eq!(got.len(), want.len(), "{key}: size");
    let scale = want
        .iter()
        .filter(|v| v.0.is_finite())
        .map(|v| v.0.abs().max(v.1.abs()))
        .fold(1e-3f64, f64::max);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        for (a, b) in [(g.0, w.0), (g.1, w.1)] {
            let ok = if b.is_nan() {
                a.is_nan()
            } else if b.is_infinite() {
                a == b
            } else {
                (a - b).abs() <= tol * scale
            };
            assert!(
                ok,
                "{key}[{i}]: got {g:?}, want {w:?} (tol {tol} x {scale})"
            );
        }
    }
}

fn py_ord(o: &NormOrd) -> String {
    match o {
        NormOrd::Default => "None".into(),
        NormOrd::Num(p) if p.is_infinite() => if *p > 0.0 { "inf" } else { "-inf" }.into(),
        NormOrd::Num(p) if p.fract() == 0.0 => format!("{}", *p as i64),
        NormOrd::Num(p) => format!("{p}"),
        NormOrd::Str(s) => s.to_string(),
    }
}

fn vec_ords() -> Vec<NormOrd> {
    let mut v = vec![NormOrd::Default];
    v.extend(
        [
            2.0,
            1.0,
            -1.0,
            0.0,
            3.0,
            0.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]
        .map(NormOrd::Num),
    );
    v
}

fn mat_ords() -> Vec<NormOrd> {
    let mut v = vec![NormOrd::Default, "fro".into(), "nuc".into()];
    v.extend([1.0, -1.0, 2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY].map(NormOrd::Num));
    v
}

fn assert_close(a: &Array, b: &Array, tol: f64, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}: shape");
    check_values(&values(a), &values(b), what, tol);
}

fn k_of(a: &Array) -> usize {
    let nd = a.ndim();
    a.shape()[nd - 2].min(a.shape()[nd - 1])
}

/// `x[..., :rows, :cols]`.
fn corner(x: &Array, rows: usize, cols: usize) -> Array {
    let nd = x.ndim();
    let mut hi = x.shape().to_vec();
    hi[nd - 2] = rows;
    hi[nd - 1] = cols;
    lax::slice(x, &vec![0; nd], &hi)
}

fn eye_like(a: &Array, n: usize) -> Array {
    jnp::eye(n).astype(a.dtype())
}

#[test]
fn qr_matches_jax_up_to_signs_and_reconstructs() {
    for name in ["a43", "a34", "a44", "b243", "c33"] {
        let a = input(name);
        let k = k_of(&a);
        for mode in ["reduced", "complete"] {
            let o = la::qr_with(&a, mode);
            let (q, r) = (&o[0], &o[1]);
            let nd = a.ndim();
            let m = a.shape()[nd - 2];
            check(
                &jnp::abs(corner(q, m, k)),
                &format!("qr:{name}:{mode}:absq"),
                1e-5,
            );
            check(&jnp::abs(r), &format!("qr:{name}:{mode}:absr"), 1e-5);
            let qshape = golden(&format!("qr:{name}:{mode}:qshape"));
            let want: Vec<usize> = qshape.vals.iter().map(|v| v.0 as usize).collect();
            assert_eq!(q.shape(), &want[..], "qr {name} {mode}");
            assert_close(&jnp::matmul(q, r), &a, 1e-5, "q @ r");
            let qhq = jnp::matmul(la::matrix_transpose(q).conj(), q);
            let n = q.shape()[nd - 1];
            assert_close(
                &qhq,
                &jnp::broadcast_to(&eye_like(q, n), qhq.shape()),
                1e-5,
                "qᴴq",
            );
        }
        let r = la::qr_with(&a, "r").remove(0);
        check(&jnp::abs(&r), &format!("qr:{name}:r:absr"), 1e-5);
    }
}

#[test]
fn svd_matches_jax_and_reconstructs() {
    for name in ["a43", "a34", "a44", "b243", "c33"] {
        let a = input(name);
        let k = k_of(&a);
        let nd = a.ndim();
        let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
        for full in [true, false] {
            let o = la::svd_with(
                &a,
                la::SvdOptions {
                    full_matrices: full,
                    ..Default::default()
                },
            );
            let (u, s, vh) = (&o[0], &o[1], &o[2]);
            let key = |p: &str| format!("svd:{name}:{}:{p}", if full { "True" } else { "False" });
            check(s, &key("s"), 1e-5);
            check(&jnp::abs(corner(u, m, k)), &key("absu"), 1e-4);
            check(&jnp::abs(corner(vh, k, n)), &key("absvh"), 1e-4);
            for (x, p) in [(u, "ushape"), (vh, "vhshape")] {
                let want: Vec<usize> = golden(&key(p)).vals.iter().map(|v| v.0 as usize).collect();
                assert_eq!(x.shape(), &want[..], "{}", key(p));
            }
            let us = corner(u, m, k) * jnp::expand_dims(s, vec![-2]).astype(u.dtype());
            assert_close(&jnp::matmul(&us, corner(vh, k, n)), &a, 1e-5, "u s vh");
        }
        check(&la::svdvals(&a), &format!("svdvals:{name}"), 1e-5);
    }
    for name in ["s44", "h33"] {
        let o = la::svd_with(
            input(name),
            la::SvdOptions {
                hermitian: true,
                ..Default::default()
            },
        );
        check(&o[1], &format!("svd_herm:{name}:s"), 1e-5);
        check(&jnp::abs(&o[0]), &format!("svd_herm:{name}:absu"), 1e-4);
        let us = &o[0] * jnp::expand_dims(&o[1], vec![-2]).astype(o[0].dtype());
        check(
            &jnp::matmul(&us, &o[2]),
            &format!("svd_herm:{name}:recon"),
            1e-5,
        );
    }
}

#[test]
fn eigh_matches_jax() {
    for name in ["s44", "h33", "a44"] {
        let a = input(name);
        let (w, v) = la::eigh(&a);
        check(&w, &format!("eigh:{name}:w"), 1e-5);
        check(&jnp::abs(&v), &format!("eigh:{name}:absv"), 1e-4);
        let opts = || la::EighOptions {
            uplo: Some("U"),
            ..Default::default()
        };
        check(
            &la::eigvalsh_with(&a, opts()),
            &format!("eigvalsh:{name}:U"),
            1e-5,
        );
        let nosym = la::EighOptions {
            symmetrize_input: false,
            ..opts()
        };
        check(
            &la::eigh_with(&a, nosym).0,
            &format!("eigh:{name}:U_nosym:w"),
            1e-5,
        );
    }
    check(&la::eigh(input("b233")).0, "eigh:b233:w", 1e-5);
    check(&la::eigvalsh(input("i33")), "eigh:i33:w", 1e-5);
}

/// Eigenvalues (and |eigenvector| columns) sorted by (re, im), per matrix.
/// Values as (re, im) pairs.
type Pairs = Vec<(f64, f64)>;

fn sorted_eig(w: &Array, v: Option<&Array>) -> (Pairs, Pairs) {
    let n = *w.shape().last().unwrap();
    let wv = values(w);
    let av = v.map(|v| values(&jnp::abs(v)));
    let (mut ws, mut vs) = (vec![], vec![]);
    for b in 0..wv.len() / n {
        let lane = &wv[b * n..(b + 1) * n];
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| lane[i].partial_cmp(&lane[j]).unwrap());
        ws.extend(order.iter().map(|&i| lane[i]));
        if let Some(av) = &av {
            for r in 0..n {
                vs.extend(order.iter().map(|&c| av[b * n * n + r * n + c]));
            }
        }
    }
    (ws, vs)
}

#[test]
fn eig_matches_jax_and_satisfies_the_eigen_equation() {
    for name in ["a44", "c33", "b233"] {
        let a = input(name);
        let (w, v) = la::eig(&a);
        assert_eq!(w.dtype(), DType::C64);
        let (ws, vs) = sorted_eig(&w, Some(&v));
        check_values(&ws, &golden(&format!("eig:{name}:w")).vals, name, 1e-5);
        check_values(&vs, &golden(&format!("eig:{name}:absv")).vals, name, 1e-4);
        let (wv, _) = sorted_eig(&la::eigvals(&a), None);
        check_values(&wv, &golden(&format!("eigvals:{name}")).vals, name, 1e-5);
        let ac = a.astype(DType::C64);
        let av = jnp::matmul(&ac, &v);
        let vw = &v * jnp::expand_dims(&w, vec![-2]);
        assert_close(&av, &vw, 1e-5, "a v = v w");
    }
    // Left eigenvectors: vlᴴ a = w vlᴴ, and |vl| as LAPACK's.
    let a = input("a44");
    let o = lax::eig(&a, true, true);
    let (_, vls) = sorted_eig(&o[0], Some(&o[1]));
    check_values(&vls, &golden("lax_eig:a44:absvl").vals, "vl", 1e-4);
    let vlh = la::matrix_transpose(&o[1]).conj();
    let lhs = jnp::matmul(&vlh, a.astype(DType::C64));
    let rhs = jnp::expand_dims(&o[0], vec![-1]) * &vlh;
    assert_close(&lhs, &rhs, 1e-5, "vlᴴ a = w vlᴴ");
}

#[test]
fn norms_match_jax_for_every_order() {
    let v5 = input("v5");
    let t = input("t234");
    let c = input("c33");
    for o in vec_ords() {
        let p = py_ord(&o);
        let n = |x: &Array, axis: Option<Vec<isize>>, keepdims: bool| {
            la::norm_with(
                x,
                la::Norm {
                    ord: o.clone(),
                    axis,
                    keepdims,
                },
            )
        };
        check(&n(&v5, None, false), &format!("norm:v5:{p}"), 1e-6);
        check(
            &n(&t, Some(vec![1]), false),
            &format!("norm:t234:axis1:{p}"),
            1e-6,
        );
        check(
            &n(&t, Some(vec![-1]), true),
            &format!("norm:t234:axis-1:keep:{p}"),
            1e-6,
        );
        check(
            &n(&c, Some(vec![0]), false),
            &format!("norm:c33:axis0:{p}"),
            1e-6,
        );
    }
    let a = input("a43");
    for o in mat_ords() {
        let p = py_ord(&o);
        let n = |x: &Array, axis: Option<Vec<isize>>, keepdims: bool| {
            la::norm_with(
                x,
                la::Norm {
                    ord: o.clone(),
                    axis,
                    keepdims,
                },
            )
        };
        check(&n(&a, None, false), &format!("norm:a43:{p}"), 1e-6);
        check(
            &n(&t, Some(vec![2, 0]), false),
            &format!("norm:t234:axes20:{p}"),
            1e-6,
        );
        check(
            &n(&t, Some(vec![0, 1]), true),
            &format!("norm:t234:axes01:keep:{p}"),
            1e-6,
        );
        let ord = if o == NormOrd::Default {
            "fro".into()
        } else {
            o.clone()
        };
        let mn = la::matrix_norm_with(
            &t,
            la::MatrixNorm {
                ord,
                keepdims: false,
            },
        );
        check(&mn, &format!("matrix_norm:t234:{p}"), 1e-6);
    }
    check(&la::norm(&t), "norm:t234:all", 1e-6);
    check(&la::norm(input("i33")), "norm:i33", 1e-6);
    check(&la::vector_norm(&t), "vector_norm:t234", 1e-6);
    let vn = la::vector_norm_with(
        &t,
        la::VectorNorm {
            axis: Axes::from(vec![0isize, 2]),
            ord: 3.0.into(),
            keepdims: false,
        },
    );
    check(&vn, "vector_norm:t234:axis02:3", 1e-6);
}

#[test]
fn pinv_lstsq_matrix_rank_and_cond_match_jax() {
    for name in ["a43", "a34", "rank2", "b243", "c33"] {
        check(&la::pinv(input(name)), &format!("pinv:{name}"), 1e-4);
    }
    let opts = la::Pinv {
        rtol: Some(Array::scalar(0.5f32)),
        ..Default::default()
    };
    check(
        &la::pinv_with(input("rank2"), opts),
        "pinv:rank2:rtol",
        1e-4,
    );
    let herm = la::Pinv {
        hermitian: true,
        ..Default::default()
    };
    check(&la::pinv_with(input("s44"), herm), "pinv:s44:herm", 1e-4);
    for b in ["b4", "b42"] {
        for a in ["a43", "rank2"] {
            let (x, resid, rank, s) = la::lstsq(input(a), input(b), None);
            let key = |p: &str| format!("lstsq:{a}:{b}:{p}");
            check(&x, &key("x"), 1e-4);
            check(&resid, &key("resid"), 1e-4);
            check(&rank, &key("rank"), 0.0);
            check(&s, &key("s"), 1e-5);
        }
    }
    check(
        &la::lstsq(input("a43"), input("b4"), Some(0.5)).0,
        "lstsq:a43:b4:rcond",
        1e-4,
    );
    for name in ["a43", "rank2", "b243", "a44", "v5"] {
        check(
            &la::matrix_rank(input(name)),
            &format!("matrix_rank:{name}"),
            0.0,
        );
    }
    let tol = la::MatrixRank {
        rtol: Some(Array::scalar(0.5f32)),
        ..Default::default()
    };
    check(
        &la::matrix_rank_with(input("a43"), tol),
        "matrix_rank:a43:tol",
        0.0,
    );
    let ps: Vec<NormOrd> = vec![
        NormOrd::Default,
        2.into(),
        (-2).into(),
        1.into(),
        (-1).into(),
        f64::INFINITY.into(),
        f64::NEG_INFINITY.into(),
        "fro".into(),
        "nuc".into(),
    ];
    for p in ps {
        let key = py_ord(&p);
        if matches!(key.as_str(), "None" | "2" | "-2") {
            check(
                &la::cond_with(input("a43"), p.clone()),
                &format!("cond:a43:{key}"),
                1e-4,
            );
        }
        check(
            &la::cond_with(input("a44"), p),
            &format!("cond:a44:{key}"),
            1e-4,
        );
    }
    check(&la::cond(input("b233")), "cond:b233", 1e-4);
}

fn coef(shape: &[usize], k: f32) -> Array {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|i| ((i % 5) as f32 + k) / 4.0).collect();
    Array::from_vec(v, shape.to_vec())
}

fn f_qr(a: &Array) -> Array {
    let (q, r) = la::qr(a);
    (&q * &q * coef(q.shape(), 1.0)).sum() + (&r * &r * coef(r.shape(), 2.0)).sum()
}

fn f_svd(a: &Array) -> Array {
    let o = la::svd_with(
        a,
        la::SvdOptions {
            full_matrices: false,
            ..Default::default()
        },
    );
    let (u, s, vh) = (&o[0], &o[1], &o[2]);
    (s * coef(s.shape(), 1.0)).sum()
        + (u * u * coef(u.shape(), 2.0)).sum()
        + (vh * vh * coef(vh.shape(), 3.0)).sum()
}

fn f_eigh(a: &Array) -> Array {
    let (w, v) = la::eigh(a);
    (&w * coef(w.shape(), 1.0)).sum() + (&v * &v * coef(v.shape(), 2.0)).sum()
}

#[test]
fn gradients_match_jax() {
    for name in ["a43", "a34", "a44"] {
        let a = input(name);
        check(&grad(f_qr)(&a), &format!("grad:qr:{name}"), 2e-4);
        check(&grad(f_svd)(&a), &format!("grad:svd:{name}"), 2e-4);
        let g = grad(|a: &Array| {
            let s = la::svdvals(a);
            (&s * &s + &s).sum()
        })(&a);
        check(&g, &format!("grad:svdvals:{name}"), 1e-4);
        let shape: Vec<usize> = a.shape().iter().rev().copied().collect();
        let g = grad(move |a: &Array| (la::pinv(a) * coef(&shape, 1.0)).sum())(&a);
        check(&g, &format!("grad:pinv:{name}"), 2e-4);
    }
    check(&grad(f_eigh)(&input("s44")), "grad:eigh:s44", 2e-4);
    check(&grad(f_eigh)(&input("a44")), "grad:eigh:a44", 2e-4);
    let f_eig = |a: &Array| {
        let w = la::eigvals(a);
        jnp::real(&w).pow(3).sum() + jnp::abs(&w).pow(2).sum()
    };
    check(&grad(f_eig)(&input("a44")), "grad:eig:a44", 2e-4);
    let b = input("b42");
    let f_lstsq = move |a: &Array| (la::lstsq(a, &b, None).0 * coef(&[3, 2], 1.0)).sum();
    check(&grad(f_lstsq)(&input("a43")), "grad:lstsq:a43", 2e-4);
    check(
        &grad(|a: &Array| la::cond(a))(&input("a44")),
        "grad:cond:a44",
        2e-4,
    );
    let herm = |a: &Array| {
        let opts = la::Pinv {
            hermitian: true,
            ..Default::default()
        };
        (la::pinv_with(a, opts) * coef(&[4, 4], 1.0)).sum()
    };
    check(&grad(herm)(&input("s44")), "grad:pinv:s44:herm", 2e-4);
    for o in vec_ords() {
        let key = format!("grad:norm:v5:{}", py_ord(&o));
        let f = move |v: &Array| {
            la::norm_with(
                v,
                la::Norm {
                    ord: o.clone(),
                    ..Default::default()
                },
            )
        };
        check(&grad(f)(&input("v5")), &key, 1e-5);
    }
    for o in mat_ords() {
        let key = format!("grad:norm:a43:{}", py_ord(&o));
        let f = move |a: &Array| {
            la::norm_with(
                a,
                la::Norm {
                    ord: o.clone(),
                    ..Default::default()
                },
            )
        };
        check(&grad(f)(&input("a43")), &key, 1e-4);
    }
    // At zero the 2-norm's gradient is NaN in JAX (sqrt at 0), the 1-norm's is sign-based.
    check(
        &grad(|v: &Array| la::norm(v))(&jnp::zeros(3)),
        "grad:norm:zero",
        0.0,
    );
    let l1 = |v: &Array| {
        la::norm_with(
            v,
            la::Norm {
                ord: 1.into(),
                ..Default::default()
            },
        )
    };
    check(&grad(l1)(&jnp::zeros(3)), "grad:norm:zero:1", 0.0);
    check(
        &grad(|z: &Array| la::norm(z))(&input("c33")),
        "grad:norm:c33",
        1e-5,
    );
}

#[test]
fn vmap_and_jit_match_jax() {
    let b = input("b243");
    check(
        &vmap(|a: &Array| la::svdvals(a))(&b),
        "vmap:svdvals:b243",
        1e-5,
    );
    check(
        &vmap(|a: &Array| la::eigvalsh(a))(&input("b233")),
        "vmap:eigvalsh:b233",
        1e-5,
    );
    let nuc = |a: &Array| {
        la::norm_with(
            a,
            la::Norm {
                ord: "nuc".into(),
                ..Default::default()
            },
        )
    };
    check(&vmap(nuc)(&input("t234")), "vmap:norm:t234:nuc", 1e-5);
    check(&vmap(grad(f_svd))(&b), "vmap:grad:svd:b243", 2e-4);
    check(&jit(|a: &Array| la::svdvals(a))(&b), "svdvals:b243", 1e-5);
    check(&jit(grad(f_svd))(&input("a43")), "grad:svd:a43", 2e-4);
    let pinv_jit = jit(|a: &Array| la::pinv(a));
    check(&pinv_jit(&input("rank2")), "pinv:rank2", 1e-4);
}

#[test]
#[should_panic(expected = "TypeError: Input 0 to qr must have rank at least 2, but got shape=(3,)")]
fn qr_of_a_vector_is_jaxs_error() {
    la::qr(jnp::ones(3));
}

#[test]
#[should_panic(
    expected = "TypeError: Input 0 to svd must have rank at least 2, but got shape=(3,)"
)]
fn svd_of_a_vector_is_jaxs_error() {
    la::svd(jnp::ones(3));
}

#[test]
#[should_panic(
    expected = "ValueError: The input to eig must be a square matrix. Got shape (2, 3)."
)]
fn eig_of_a_non_square_matrix_is_jaxs_error() {
    la::eig(jnp::ones([2, 3]));
}

#[test]
#[should_panic(
    expected = "Argument to symmetric eigendecomposition must have shape [..., n, n], got shape (2, 3)"
)]
fn eigh_of_a_non_square_matrix_is_jaxs_error() {
    la::eigh(jnp::ones([2, 3]));
}

#[test]
#[should_panic(
    expected = "TypeError: qr does not accept dtype int32 at position 0. Accepted dtypes at position 0 are subtypes of floating, complexfloating."
)]
fn lax_qr_of_ints_is_jaxs_error() {
    lax::qr(&jnp::array([[1i32, 2], [3, 4]]), false);
}

#[test]
#[should_panic(expected = "ValueError: Unsupported QR decomposition mode 'bad'")]
fn bad_qr_mode_is_jaxs_error() {
    la::qr_with(jnp::ones([3, 3]), "bad");
}

#[test]
#[should_panic(expected = "ValueError: UPLO must be one of None, 'L', or 'U', got X")]
fn bad_uplo_is_jaxs_error() {
    la::eigh_with(
        jnp::ones([3, 3]),
        la::EighOptions {
            uplo: Some("X"),
            ..Default::default()
        },
    );
}

#[test]
#[should_panic(expected = "ValueError: Invalid order '3' for matrix norm.")]
fn bad_matrix_norm_order_is_jaxs_error() {
    la::norm_with(
        jnp::ones([2, 2]),
        la::Norm {
            ord: 3.into(),
            ..Default::default()
        },
    );
}

#[test]
#[should_panic(
    expected = "ValueError: Improper number of axes for norm: axis=(0, 1, 2). Pass one axis to compute a vector-norm, or two axes to compute a matrix-norm."
)]
fn three_norm_axes_is_jaxs_error() {
    la::norm_with(
        jnp::ones([2, 2, 2]),
        la::Norm {
            ord: "fro".into(),
            axis: Some(vec![0, 1, 2]),
            ..Default::default()
        },
    );
}

#[test]
#[should_panic(expected = "ValueError: Leading dimensions of input arrays must match")]
fn lstsq_shape_mismatch_is_jaxs_error() {
    la::lstsq(jnp::ones([3, 2]), jnp::ones(4), None);
}

#[test]
#[should_panic(expected = "ValueError: matrix_rank: only one of tol or rtol may be specified.")]
fn matrix_rank_with_tol_and_rtol_is_jaxs_error() {
    la::matrix_rank_with(
        jnp::ones([3, 3]),
        la::MatrixRank {
            rtol: Some(Array::scalar(0.1f32)),
            tol: Some(Array::scalar(0.1f32)),
            ..Default::default()
        },
    );
}

#[test]
#[should_panic(
    expected = "NotImplementedError: Singular value decomposition JVP not implemented for full matrices"
)]
fn svd_jvp_of_full_matrices_is_jaxs_error() {
    grad(|a: &Array| la::svd(a).0.sum())(&jnp::ones([3, 2]));
}

#[test]
#[should_panic(expected = "NotImplementedError: Derivatives of non-symmetric eigenvectors")]
fn eig_eigenvector_derivatives_are_jaxs_error() {
    grad(|a: &Array| jnp::abs(la::eig(a).1).sum())(&input("a44"));
}

#[test]
fn scipy_linalg_matches_jax() {
    use jaxide::scipy::linalg as sl;
    for name in ["a43", "a34", "c33"] {
        let a = input(name);
        let k = k_of(&a);
        let m = a.shape()[0];
        for mode in ["full", "economic"] {
            let o = sl::qr(&a, mode);
            check(
                &jnp::abs(corner(&o[0], m, k)),
                &format!("sp_qr:{name}:{mode}:absq"),
                1e-5,
            );
            check(&jnp::abs(&o[1]), &format!("sp_qr:{name}:{mode}:absr"), 1e-5);
            assert_close(&jnp::matmul(&o[0], &o[1]), &a, 1e-5, "scipy q @ r");
        }
        check(
            &jnp::abs(&sl::qr(&a, "r")[0]),
            &format!("sp_qr:{name}:r:absr"),
            1e-5,
        );
        let o = sl::svd(&a, true, true);
        check(&o[1], &format!("sp_svd:{name}:s"), 1e-5);
        check(
            &jnp::abs(corner(&o[0], m, k)),
            &format!("sp_svd:{name}:absu"),
            1e-4,
        );
        check(
            &sl::svd(&a, true, false)[0],
            &format!("sp_svd:{name}:s_only"),
            1e-5,
        );
        for side in ["right", "left"] {
            let (u, p) = sl::polar(&a, side, "svd");
            check(&u, &format!("sp_polar:{name}:{side}:u"), 1e-4);
            check(&p, &format!("sp_polar:{name}:{side}:p"), 1e-4);
        }
    }
    let (u, p) = sl::polar(input("a43"), "right", "qdwh");
    check(&u, "sp_polar:a43:qdwh:u", 1e-4);
    check(&p, "sp_polar:a43:qdwh:p", 1e-4);
    for name in ["s44", "h33"] {
        let (w, v) = sl::eigh(input(name), true);
        check(&w, &format!("sp_eigh:{name}:w"), 1e-5);
        check(&jnp::abs(&v), &format!("sp_eigh:{name}:absv"), 1e-4);
        check(
            &sl::eigh_eigvals_only(input(name), false),
            &format!("sp_eigh:{name}:upper"),
            1e-5,
        );
    }
}

#[test]
#[should_panic(
    expected = "NotImplementedError: method='qdwh' only supports mxn matrices where m < n where side='right' and m >= n side='left', got (4, 3) with side='left'"
)]
fn polar_qdwh_shape_restriction_is_jaxs_error() {
    jaxide::scipy::linalg::polar(input("a43"), "left", "qdwh");
}

fn abs2(z: &Array) -> Array {
    jnp::real(z * z.conj())
}

#[test]
fn complex_gradients_match_jax() {
    let f_svd = |z: &Array| {
        let o = la::svd_with(
            z,
            la::SvdOptions {
                full_matrices: false,
                ..Default::default()
            },
        );
        (&o[1] * coef(o[1].shape(), 1.0)).sum()
            + (abs2(&o[0]) * coef(o[0].shape(), 2.0)).sum()
            + (abs2(&o[2]) * coef(o[2].shape(), 3.0)).sum()
    };
    check(&grad(f_svd)(&input("c33")), "grad:c:svd:c33", 2e-4);
    let f_eigh = |z: &Array| {
        let (w, v) = la::eigh(z);
        (&w * coef(w.shape(), 1.0)).sum() + (abs2(&v) * coef(v.shape(), 2.0)).sum()
    };
    check(&grad(f_eigh)(&input("h33")), "grad:c:eigh:h33", 2e-4);
    let f_qr = |z: &Array| {
        let (q, r) = la::qr(z);
        (abs2(&q) * coef(q.shape(), 1.0)).sum() + (abs2(&r) * coef(r.shape(), 2.0)).sum()
    };
    check(&grad(f_qr)(&input("c33")), "grad:c:qr:c33", 2e-4);
    let f_eig = |a: &Array| {
        let w = la::eigvals(a);
        jnp::real(&w).pow(3).sum() + jnp::abs(&w).pow(2).sum()
    };
    check(&grad(f_eig)(&input("c33")), "grad:c:eig:c33", 2e-4);
    let nuc = |z: &Array| {
        la::norm_with(
            z,
            la::Norm {
                ord: "nuc".into(),
                ..Default::default()
            },
        )
    };
    check(&grad(nuc)(&input("c33")), "grad:c:norm:nuc:c33", 2e-4);
}
