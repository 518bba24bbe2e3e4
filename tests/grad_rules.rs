//! Every differentiable primitive's jvp and transpose rules, checked against
//! central finite differences in float64 to second order (fwd and rev), and
//! a coverage test that fails if a primitive has neither a checked rule nor
//! a declared reason for being non-differentiable.

use jaxide::ir::{BinaryOp, CompareOp, CumulativeOp, ReduceOp, UnaryOp};
use jaxide::lax::{self, Differentiability, Primitive};
use jaxide::prelude::*;
use jaxide::test_util::{check_grads, check_grads_with, Mode, Tolerance};
use std::collections::BTreeSet;

type F = Box<dyn Fn(&[Array]) -> Array + Send + Sync>;

/// One checked use of a primitive: its family and name, the function, and
/// uniform ranges for each argument with their shapes.
struct Sample {
    family: &'static str,
    name: String,
    f: F,
    args: Vec<Array>,
}

fn x64() {
    jaxide::config::set_enable_x64(true);
}

/// Deterministic uniform values in `[lo, hi)`.
fn uniform(shape: &[usize], lo: f64, hi: f64, seed: u64) -> Array {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect();
    Array::from_vec(v, shape.to_vec())
}

fn unary_domain(op: UnaryOp) -> (f64, f64) {
    use UnaryOp::*;
    match op {
        Log | Sqrt | Rsqrt => (0.5, 3.0),
        Log1p => (-0.5, 2.0),
        Asin | Acos | Atanh | ErfInv => (-0.8, 0.8),
        Acosh => (1.2, 3.0),
        Abs | Cbrt => (0.3, 2.0),
        Tan => (-1.2, 1.2),
        _ => (-2.0, 2.0),
    }
}

fn samples() -> Vec<Sample> {
    let mut out = Vec::new();
    let mut seed = 1;
    let mut u = |shape: &[usize], lo: f64, hi: f64| {
        seed += 1;
        uniform(shape, lo, hi, seed)
    };
    for op in UnaryOp::ALL {
        let p = Primitive::Unary(lax::Unary { op });
        if matches!(
            p.rules().differentiability(),
            Differentiability::NonDifferentiable(_)
        ) {
            continue;
        }
        let (lo, hi) = unary_domain(op);
        let mut x = u(&[3, 2], lo, hi);
        if op == UnaryOp::Abs {
            // Both signs, away from the kink.
            x = &x * &jnp::array([[1.0f64, -1.0], [-1.0, 1.0], [1.0, -1.0]]);
        }
        out.push(Sample {
            family: "Unary",
            name: op.name().into(),
            f: Box::new(move |a| lax::unary(op, &a[0])),
            args: vec![x],
        });
    }
    for op in BinaryOp::ALL {
        let p = Primitive::Binary(lax::Binary { op });
        if matches!(
            p.rules().differentiability(),
            Differentiability::NonDifferentiable(_)
        ) {
            continue;
        }
        let (x, y) = match op {
            BinaryOp::Pow => (u(&[4], 0.5, 2.0), u(&[4], -1.5, 2.0)),
            BinaryOp::Div => (u(&[4], -2.0, 2.0), u(&[4], 0.5, 2.0)),
            // x/y away from integers, where rem jumps.
            BinaryOp::Rem => (
                jnp::array([2.3f64, -5.3, 7.6, -1.2]),
                jnp::array([1.1f64, 2.0, -3.4, 0.5]),
            ),
            _ => (u(&[4], -2.0, 2.0), u(&[4], -2.0, 2.0)),
        };
        let name = op.name();
        out.push(Sample {
            family: "Binary",
            name: name.into(),
            f: Box::new(move |a| lax::binary(op, &a[0], &a[1])),
            args: vec![x.clone(), y.clone()],
        });
        // A rank-0 operand on each side (implicit broadcasting and its transpose).
        let ys = if op == BinaryOp::Rem {
            jnp::array(1.7f64)
        } else {
            u(&[], 0.6, 1.9)
        };
        out.push(Sample {
            family: "Binary",
            name: format!("{name} (rank-0 rhs)"),
            f: Box::new(move |a| lax::binary(op, &a[0], &a[1])),
            args: vec![x.clone(), ys.clone()],
        });
        let xs = if op == BinaryOp::Pow {
            u(&[], 0.6, 1.9)
        } else {
            ys.clone()
        };
        let yv = if op == BinaryOp::Div || op == BinaryOp::Rem {
            jnp::array([1.1f64, 2.3, -3.4, 0.45])
        } else {
            y.clone()
        };
        out.push(Sample {
            family: "Binary",
            name: format!("{name} (rank-0 lhs)"),
            f: Box::new(move |a| lax::binary(op, &a[0], &a[1])),
            args: vec![xs, yv],
        });
    }
    out.push(Sample {
        family: "Select",
        name: "select_n".into(),
        f: Box::new(|a| lax::select(&a[0].gt(0.0f64), &a[1], &a[2])),
        args: vec![u(&[5], -1.0, 1.0), u(&[5], -1.0, 1.0), u(&[5], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Select",
        name: "select_n (rank-0 predicate)".into(),
        f: Box::new(|a| lax::select(&a[0].sum().gt(0.0f64), &a[1], &a[2])),
        args: vec![u(&[2], 0.1, 1.0), u(&[3], -1.0, 1.0), u(&[3], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Gather",
        name: "gather (rows, clipped)".into(),
        f: Box::new(|a| {
            let idx = jnp::array([[2i32], [0], [2], [5]]);
            let dn = lax::GatherDimensionNumbers {
                offset_dims: vec![1],
                collapsed_slice_dims: vec![0],
                start_index_map: vec![0],
                ..Default::default()
            };
            lax::gather(&a[0], &idx, dn, &[1, 2], lax::GatherScatterMode::Clip)
        }),
        args: vec![u(&[3, 2], -1.0, 1.0)],
    });
    let rows_dn = || lax::ScatterDimensionNumbers {
        update_window_dims: vec![1],
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..Default::default()
    };
    out.push(Sample {
        family: "Scatter",
        name: "scatter-add (duplicate rows)".into(),
        f: Box::new(move |a| {
            let idx = jnp::array([[1i32], [1], [0]]);
            lax::scatter_add(&a[0], &idx, &a[1], rows_dn(), lax::GatherScatterMode::Clip)
        }),
        args: vec![u(&[3, 2], -1.0, 1.0), u(&[3, 2], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Scatter",
        name: "scatter (unique rows)".into(),
        f: Box::new(move |a| {
            let idx = jnp::array([[2i32], [0]]);
            lax::scatter(&a[0], &idx, &a[1], rows_dn(), lax::GatherScatterMode::Clip)
        }),
        args: vec![u(&[3, 2], -1.0, 1.0), u(&[2, 2], -1.0, 1.0)],
    });
    for op in [
        lax::ScatterOp::Sub,
        lax::ScatterOp::Min,
        lax::ScatterOp::Max,
    ] {
        out.push(Sample {
            family: "Scatter",
            name: format!("{} (duplicate rows)", op.name()),
            f: Box::new(move |a| {
                let idx = jnp::array([[1i32], [1], [0]]);
                let m = lax::GatherScatterMode::FillOrDrop;
                lax::scatter_with(op, &a[0], &idx, &a[1], rows_dn(), m, false, false)
            }),
            args: vec![u(&[3, 2], -1.0, 1.0), u(&[3, 2], -1.0, 1.0)],
        });
    }
    out.push(Sample {
        family: "Scatter",
        name: "scatter-mul (unique rows)".into(),
        f: Box::new(move |a| {
            let idx = jnp::array([[2i32], [0]]);
            let m = lax::GatherScatterMode::FillOrDrop;
            lax::scatter_with(
                lax::ScatterOp::Mul,
                &a[0],
                &idx,
                &a[1],
                rows_dn(),
                m,
                true,
                false,
            )
        }),
        args: vec![u(&[3, 2], -1.0, 1.0), u(&[2, 2], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Qr",
        name: "qr (tall, wide; q² and r² are sign-invariant)".into(),
        f: Box::new(|a| {
            let (q, r) = lax::qr(&a[0], false);
            let (q2, r2) = lax::qr(&a[1], false);
            (&q * &q * a[2].sum()).sum() + (&r * &r).sum() + (&q2 * &q2).sum() + (&r2 * &r2).sum()
        }),
        args: vec![
            u(&[4, 3], -1.0, 1.0),
            u(&[2, 3], -1.0, 1.0),
            u(&[2], 0.5, 1.0),
        ],
    });
    out.push(Sample {
        family: "Eigh",
        name: "eigh (w and v² of the symmetrized input)".into(),
        f: Box::new(|a| {
            let (v, w) = lax::eigh(&a[0], true, true, true);
            (&w * &w).sum() + (&v * &v * &a[0]).sum()
        }),
        args: vec![u(&[3, 3], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Svd",
        name: "svd (s, u², vt² of tall and wide; s only)".into(),
        f: Box::new(|a| {
            let o = lax::svd(&a[0], false, true);
            let o2 = lax::svd(&a[1], false, true);
            let s = &lax::svd(&a[1], false, false)[0];
            let c = jnp::array([1.0f64, 2.0, 3.0]);
            (&o[0] * &c).sum()
                + (&o[1] * &o[1] * &a[0]).sum()
                + (&o[2] * &o[2]).sum()
                + (&o2[1] * &o2[1]).sum()
                + (&o2[2] * &o2[2] * &a[1]).sum()
                + (s * s).sum()
        }),
        args: vec![u(&[4, 3], -1.0, 1.0), u(&[2, 3], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Eig",
        name: "eig (symmetric functions of the eigenvalues)".into(),
        f: Box::new(|a| {
            let w = lax::eig(&a[0], false, false).remove(0);
            lax::real(&(&w * &w * &w)).sum() + (lax::abs(&w) * lax::abs(&w)).sum()
        }),
        args: vec![u(&[3, 3], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Sort",
        name: "sort (one operand, axis 1)".into(),
        f: Box::new(|a| lax::sort(&[&a[0]], 1, true, 1).remove(0)),
        args: vec![u(&[2, 5], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Sort",
        name: "sort (values carried by keys)".into(),
        f: Box::new(|a| {
            let (k, v) = lax::sort_key_val(&a[0], &a[1], 0, true);
            &k * &v
        }),
        args: vec![u(&[6], -1.0, 1.0), u(&[6], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Cholesky",
        name: "cholesky (symmetrized input)".into(),
        f: Box::new(|a| {
            let spd = &a[0] + lax::transpose(&a[0], &[1, 0]) + jnp::eye(3) * 4.0f64;
            lax::linalg::cholesky(&spd, true)
        }),
        args: vec![u(&[3, 3], -1.0, 1.0)],
    });
    for bits in [0u32, 3, 5, 6, 9, 18, 23] {
        let o = lax::linalg::TriangularSolveOptions {
            left_side: bits & 1 != 0,
            lower: bits & 2 != 0,
            transpose_a: bits & 4 != 0,
            conjugate_a: bits & 8 != 0,
            unit_diagonal: bits & 16 != 0,
        };
        let b_shape = if o.left_side { [3, 2] } else { [2, 3] };
        out.push(Sample {
            family: "TriangularSolve",
            name: format!("triangular_solve {o:?}"),
            f: Box::new(move |a| {
                let t = &a[0] + jnp::eye(3) * 3.0f64;
                lax::linalg::triangular_solve_with(&t, &a[1], o)
            }),
            args: vec![u(&[3, 3], -1.0, 1.0), u(&b_shape, -1.0, 1.0)],
        });
    }
    for shape in [[3usize, 3], [2, 4], [4, 2]] {
        out.push(Sample {
            family: "Lu",
            name: format!("lu {shape:?}"),
            f: Box::new(|a| lax::linalg::lu(&a[0]).0),
            // Diagonally dominant, so the pivots stay put under the perturbations.
            args: vec![
                &u(&shape, -0.5, 0.5)
                    + &jnp::eye_dtype(shape[0], Some(shape[1]), 0, DType::F64) * 4.0f64,
            ],
        });
    }
    out.push(Sample {
        family: "Fma",
        name: "fma".into(),
        f: Box::new(|a| lax::fma(&a[0], &a[1], &a[2])),
        args: vec![u(&[4], -1.0, 1.0), u(&[4], -1.0, 1.0), u(&[4], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Fma",
        name: "fma (rank-0 operands)".into(),
        f: Box::new(|a| lax::fma(&a[0].sum(), &a[1], &a[2].sum())),
        args: vec![u(&[2], -1.0, 1.0), u(&[3], -1.0, 1.0), u(&[2], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "ConvertElementType",
        name: "convert_element_type f64->f32->f64".into(),
        f: Box::new(|a| {
            let y = lax::convert_element_type(&lax::sin(&a[0]), DType::F32);
            lax::convert_element_type(&lax::mul(&y, &y), DType::F64)
        }),
        args: vec![u(&[4], -1.0, 1.0)],
    });
    for y in [-2, 0, 1, 2, 3, 5] {
        out.push(Sample {
            family: "IntegerPow",
            name: format!("integer_pow y={y}"),
            f: Box::new(move |a| lax::integer_pow(&a[0], y)),
            args: vec![u(&[4], 0.5, 2.0)],
        });
    }
    for (op, axes) in [
        (ReduceOp::Sum, vec![0]),
        (ReduceOp::Sum, vec![0, 1]),
        (ReduceOp::Max, vec![1]),
        (ReduceOp::Min, vec![0]),
        (ReduceOp::Prod, vec![1]),
        (ReduceOp::Prod, vec![0, 1]),
    ] {
        out.push(Sample {
            family: "Reduce",
            name: format!("{} axes={axes:?}", op.name()),
            f: Box::new(move |a| lax::reduce(&a[0], op, &axes)),
            args: vec![u(&[3, 4], 0.5, 2.0)],
        });
    }
    out.push(Sample {
        family: "Reduce",
        name: "reduce_prod with a zero".into(),
        f: Box::new(|a| lax::reduce(&a[0], ReduceOp::Prod, &[0])),
        args: vec![jnp::array([0.0f64, 1.5, -2.0, 0.7])],
    });
    for op in CumulativeOp::ALL {
        for reverse in [false, true] {
            out.push(Sample {
                family: "Cumulative",
                name: format!("{} reverse={reverse}", op.name()),
                f: Box::new(move |a| lax::cumulative(&a[0], op, 1, reverse)),
                args: vec![u(&[2, 5], 0.5, 2.0)],
            });
        }
    }
    for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min] {
        out.push(Sample {
            family: "ReduceWindow",
            name: format!("reduce_window_{}", op.name()),
            f: Box::new(move |a| {
                let o = lax::ReduceWindowOptions::default();
                match op {
                    ReduceOp::Sum => lax::reduce_window_sum(&a[0], &[2, 3], &[1, 2], "SAME", o),
                    ReduceOp::Max => lax::reduce_window_max(&a[0], &[2, 3], &[1, 2], "SAME", o),
                    _ => lax::reduce_window_min(&a[0], &[2, 3], &[1, 2], "SAME", o),
                }
            }),
            args: vec![u(&[4, 5], -2.0, 2.0)],
        });
    }
    // The helpers are linear in their first operand; the operand that
    // selects (fixed here) only picks positions.
    let sel = uniform(&[4, 5], -2.0, 2.0, 91);
    let sel2 = sel.clone();
    out.push(Sample {
        family: "SelectAndGatherAdd",
        name: "select_and_gather_add".into(),
        f: Box::new(move |a| {
            let o = lax::ReduceWindowOptions::default();
            lax::select_and_gather_add(
                &a[0],
                &sel,
                lax::SelectPrim::Ge,
                &[2, 3],
                &[1, 2],
                "SAME",
                o,
            )
        }),
        args: vec![u(&[4, 5], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "SelectAndScatterAdd",
        name: "select_and_scatter_add".into(),
        f: Box::new(move |a| {
            lax::select_and_scatter_add(&a[0], &sel2, lax::SelectPrim::Le, &[2, 3], &[1, 2], "SAME")
        }),
        args: vec![u(&[4, 3], -1.0, 1.0)],
    });
    let x34 = || uniform(&[3, 4], -1.0, 1.0, 77);
    let layout: Vec<(&'static str, &'static str, F)> = vec![
        (
            "Reshape",
            "reshape",
            Box::new(|a| lax::reshape(&a[0], &[2, 6])),
        ),
        (
            "BroadcastInDim",
            "broadcast_in_dim",
            Box::new(|a| lax::broadcast_in_dim(&a[0], &[2, 3, 4], &[1, 2])),
        ),
        (
            "BroadcastInDim",
            "broadcast_in_dim (size-1 expansion)",
            Box::new(|a| {
                lax::broadcast_in_dim(&lax::reshape(&a[0], &[3, 1, 4]), &[3, 5, 4], &[0, 1, 2])
            }),
        ),
        (
            "Transpose",
            "transpose",
            Box::new(|a| lax::transpose(&a[0], &[1, 0])),
        ),
        (
            "Squeeze",
            "squeeze",
            Box::new(|a| lax::squeeze(&lax::reshape(&a[0], &[3, 1, 4]), &[1])),
        ),
        ("Rev", "rev", Box::new(|a| lax::rev(&a[0], &[0, 1]))),
        (
            "Slice",
            "slice",
            Box::new(|a| lax::slice(&a[0], &[1, 0], &[3, 3])),
        ),
        (
            "Slice",
            "slice (strided)",
            Box::new(|a| lax::slice_with_strides(&a[0], &[0, 1], &[3, 4], &[2, 2])),
        ),
        (
            "Pad",
            "pad",
            Box::new(|a| lax::pad(&a[0], &a[0].sum(), &[(1, 2, 1), (-1, 1, 0)])),
        ),
        (
            "Concatenate",
            "concatenate",
            Box::new(|a| lax::concatenate(&[&a[0], &lax::sin(&a[0])], 1)),
        ),
        (
            "DynamicSlice",
            "dynamic_slice (clamped start)",
            Box::new(|a| {
                lax::dynamic_slice(&a[0], &[&jnp::array(2i64), &jnp::array(1i64)], &[2, 3])
            }),
        ),
        (
            "DynamicUpdateSlice",
            "dynamic_update_slice",
            Box::new(|a| {
                let upd = lax::slice(&lax::sin(&a[0]), &[0, 0], &[2, 2]);
                lax::dynamic_update_slice(&a[0], &upd, &[&jnp::array(1i64), &jnp::array(1i64)])
            }),
        ),
        (
            "DotGeneral",
            "dot_general (matmul)",
            Box::new(|a| {
                lax::dot_general(
                    &a[0],
                    &lax::transpose(&lax::cos(&a[0]), &[1, 0]),
                    (&[1], &[0]),
                    (&[], &[]),
                    None,
                )
            }),
        ),
        (
            "DotGeneral",
            "dot_general (batched, lhs contracting axis 0)",
            Box::new(|a| {
                let l = lax::reshape(&a[0], &[2, 3, 2]);
                let r = lax::reshape(&lax::exp(&a[0]), &[2, 2, 3]);
                lax::dot_general(&l, &r, (&[1], &[2]), (&[0], &[0]), None)
            }),
        ),
        (
            "DotGeneral",
            "dot_general (two contracting axes)",
            Box::new(|a| {
                let l = lax::reshape(&a[0], &[2, 2, 3]);
                let r = lax::reshape(&lax::sin(&a[0]), &[3, 2, 2]);
                lax::dot_general(&l, &r, (&[1, 2], &[1, 0]), (&[], &[]), None)
            }),
        ),
    ];
    for (family, name, f) in layout {
        out.push(Sample {
            family,
            name: name.into(),
            f,
            args: vec![x34()],
        });
    }
    // name (checkpoint_name): the identity, linear.
    // The complex primitives, between real inputs and a real output (finite
    // differences see f: R^n -> R; the transposes run JAX's conventions).
    out.push(Sample {
        family: "MakeComplex",
        name: "complex, then |z|".into(),
        f: Box::new(|a| lax::abs(&lax::complex(&a[0], &a[1]))),
        args: vec![u(&[3], 0.5, 2.0), u(&[3], -2.0, -0.5)],
    });
    out.push(Sample {
        family: "ComplexPart",
        name: "real and imag of exp(complex)".into(),
        f: Box::new(|a| {
            let e = lax::exp(&lax::complex(&a[0], &a[1]));
            lax::real(&e) * 2.0f32 + lax::imag(&e)
        }),
        args: vec![u(&[3], -1.0, 1.0), u(&[3], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Conj",
        name: "imag(conj(z) * z * z)".into(),
        f: Box::new(|a| {
            let z = lax::complex(&a[0], &a[1]);
            lax::imag(&lax::mul(&lax::mul(&lax::conj(&z), &z), &z))
        }),
        args: vec![u(&[3], -1.0, 1.0), u(&[3], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Conj",
        name: "conj of a real input".into(),
        f: Box::new(|a| lax::imag(&lax::mul(&lax::conj(&a[0]), &lax::complex(&a[0], &a[0])))),
        args: vec![u(&[3], -1.0, 1.0)],
    });
    out.push(Sample {
        family: "Name",
        name: "name (checkpoint_name of sin)".into(),
        f: Box::new(|a| lax::checkpoint_name(&lax::sin(&a[0]), "s") * 3.0f32),
        args: vec![u(&[3], -1.0, 1.0)],
    });
    // conv_general_dilated: bilinear; strides, padding kinds, dilations,
    // feature and batch groups, several layouts.
    let conv_samples: Vec<(&str, F, Vec<usize>, Vec<usize>)> = vec![
        (
            "conv_general_dilated (NHWC, stride 2, SAME)",
            Box::new(|a| {
                let o =
                    lax::ConvOptions::default().with_dimension_numbers(("NHWC", "HWIO", "NHWC"));
                lax::conv_general_dilated(&a[0], &a[1], &[2, 1], "SAME", o)
            }),
            vec![2, 5, 4, 3],
            vec![3, 2, 3, 4],
        ),
        (
            "conv_general_dilated (NCHW, 2 feature groups, lhs/rhs dilation, negative pad)",
            Box::new(|a| {
                let o = lax::ConvOptions {
                    lhs_dilation: Some(vec![2, 1]),
                    rhs_dilation: Some(vec![1, 2]),
                    feature_group_count: 2,
                    ..Default::default()
                };
                lax::conv_general_dilated(&a[0], &a[1], &[1, 2], [(1, 0), (2, -1)], o)
            }),
            vec![2, 4, 3, 5],
            vec![4, 2, 2, 2],
        ),
        (
            "conv_general_dilated (1-d NWC, 2 batch groups)",
            Box::new(|a| {
                let o = lax::ConvOptions {
                    batch_group_count: 2,
                    ..Default::default()
                }
                .with_dimension_numbers(("NWC", "WIO", "NWC"));
                lax::conv_general_dilated(&a[0], &a[1], &[2], "VALID", o)
            }),
            vec![4, 7, 2],
            vec![3, 2, 4],
        ),
        (
            "conv_general_dilated (3-d, SAME_LOWER)",
            Box::new(|a| lax::conv(&a[0], &a[1], &[1, 2, 1], "SAME_LOWER")),
            vec![1, 2, 3, 4, 2],
            vec![2, 2, 2, 2, 2],
        ),
    ];
    for (name, f, ls, rs) in conv_samples {
        out.push(Sample {
            family: "ConvGeneralDilated",
            name: name.into(),
            f,
            args: vec![u(&ls, -1.0, 1.0), u(&rs, -1.0, 1.0)],
        });
    }
    // custom_lin: the linear stand-in of a custom_vjp function.
    out.push(Sample {
        family: "CustomLin",
        name: "custom_lin (custom_vjp of sin)".into(),
        f: Box::new(|a| {
            let f = custom_vjp(
                |x: &Array| lax::sin(x),
                |x: &Array| (lax::sin(x), lax::cos(x)),
                |c: &Array, g: &Array| g * c,
            );
            f(&a[0])
        }),
        args: vec![u(&[3], -1.0, 1.0)],
    });
    // Control flow: both branches of a cond (closing over a second value),
    // a scan in each direction with constants, carry and xs, and a while loop
    // (forward mode only).
    for (name, sign) in [("cond_true", 1.0f64), ("cond_false", -1.0)] {
        out.push(Sample {
            family: "Cond",
            name: name.into(),
            f: Box::new(|a| {
                let y = &a[1];
                lax::cond(
                    &a[0].sum().gt(0.0f64),
                    |x: &Array| lax::sin(x) * y,
                    |x: &Array| x.pow(3) + y,
                    &a[0],
                )
            }),
            args: vec![&u(&[3], 0.2, 1.0) * sign, u(&[3], -1.0, 1.0)],
        });
    }
    for (name, reverse) in [("scan", false), ("scan_reverse", true)] {
        out.push(Sample {
            family: "Scan",
            name: name.into(),
            f: Box::new(move |a| {
                let w = &a[0];
                let opts = lax::ScanOptions {
                    length: None,
                    reverse,
                };
                let step = |h: &Array, x: &Array| {
                    let h2 = lax::tanh(&(h * w + x));
                    (h2.clone(), &h2 * x)
                };
                let (h, ys) = lax::scan_with(step, &a[2], &a[1], opts);
                lax::concatenate(&[&h, &lax::reshape(&ys, &[12])], 0)
            }),
            args: vec![
                u(&[3], -1.0, 1.0),
                u(&[4, 3], -1.0, 1.0),
                u(&[3], -0.5, 0.5),
            ],
        });
    }
    out.push(Sample {
        family: "While",
        name: "while".into(),
        f: Box::new(|a| {
            let w = &a[1];
            let (_, c) = lax::while_loop(
                |(i, _): &(Array, Array)| i.lt(3i32),
                |(i, c): &(Array, Array)| (i + 1i32, lax::sin(c) * w),
                &(Array::scalar(0i32), a[0].clone()),
            );
            c
        }),
        args: vec![u(&[3], -1.0, 1.0), u(&[3], 0.5, 1.5)],
    });
    out
}

#[test]
fn every_differentiable_rule_matches_finite_differences_to_second_order() {
    x64();
    let all = samples();
    for s in &all {
        let f = &s.f;
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if s.family == "CustomLin" {
                // Forward mode of a custom_vjp function is an error by design.
                check_grads(|a: &Vec<Array>| f(a), &s.args, 2, &[Mode::Rev]);
            } else if s.family == "Eig" {
                // Like JAX, only eigenvalues are differentiable, so the rule
                // (which uses eigenvectors) has no second derivative.
                check_grads(|a: &Vec<Array>| f(a), &s.args, 1, &[Mode::Fwd, Mode::Rev]);
            } else if s.family == "While" {
                // Reverse mode of a while loop is an error by design (tests/control_flow.rs).
                check_grads(|a: &Vec<Array>| f(a), &s.args, 2, &[Mode::Fwd]);
            } else if s.name.contains("f32") {
                let tol = Tolerance {
                    atol: Some(2e-3),
                    rtol: Some(2e-3),
                    eps: Some(1e-3),
                };
                check_grads_with(
                    |a: &Vec<Array>| f(a),
                    &s.args,
                    2,
                    &[Mode::Fwd, Mode::Rev],
                    tol,
                );
            } else {
                check_grads(|a: &Vec<Array>| f(a), &s.args, 2, &[Mode::Fwd, Mode::Rev]);
            }
        }));
        if let Err(e) = run {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{} ({}): {msg}", s.name, s.family);
        }
    }
}

/// Every primitive (every op of every family) has a checked rule above, or
/// declares itself non-differentiable with a reason and really has zero tangents.
#[test]
fn every_primitive_has_a_checked_rule_or_a_reason() {
    x64();
    let all = samples();
    let families: BTreeSet<&str> = all.iter().map(|s| s.family).collect();
    let names: BTreeSet<String> = all
        .iter()
        .map(|s| s.name.split(' ').next().unwrap().to_string())
        .collect();
    let mut nondiff: Vec<Primitive> = vec![
        Primitive::Iota(lax::Iota {
            dtype: DType::F64,
            shape: [3].into_iter().collect(),
            dimension: 0,
        }),
        Primitive::ArgReduce(lax::ArgReduce {
            op: ReduceOp::ArgMax,
            axis: 0,
            index_dtype: DType::I32,
        }),
        Primitive::StopGradient(lax::StopGradient),
        Primitive::Threefry2x32(lax::Threefry2x32),
        Primitive::BitcastConvertType(lax::BitcastConvertType {
            new_dtype: DType::I64,
        }),
    ];
    nondiff.extend(
        CompareOp::ALL
            .iter()
            .map(|&op| Primitive::Compare(lax::Compare { op })),
    );
    for op in UnaryOp::ALL {
        let p = Primitive::Unary(lax::Unary { op });
        match p.rules().differentiability() {
            Differentiability::NonDifferentiable(_) => nondiff.push(p),
            _ => assert!(
                names.contains(op.name()),
                "unary {} has no checked rule",
                op.name()
            ),
        }
    }
    for op in BinaryOp::ALL {
        let p = Primitive::Binary(lax::Binary { op });
        match p.rules().differentiability() {
            Differentiability::NonDifferentiable(_) => nondiff.push(p),
            _ => assert!(
                names.contains(op.name()),
                "binary {} has no checked rule",
                op.name()
            ),
        }
    }
    for op in [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Max, ReduceOp::Min] {
        assert!(
            names.contains(op.name()),
            "{} has no checked rule",
            op.name()
        );
    }
    for op in [ReduceOp::And, ReduceOp::Or] {
        nondiff.push(Primitive::Reduce(lax::Reduce {
            op,
            axes: [0].into_iter().collect(),
        }));
    }
    for op in CumulativeOp::ALL {
        assert!(
            names.contains(op.name()),
            "{} has no checked rule",
            op.name()
        );
    }
    let nondiff_families: BTreeSet<String> = nondiff
        .iter()
        .map(|p| format!("{p:?}").split('(').next().unwrap().to_string())
        .collect();
    for family in lax::PRIMITIVE_FAMILIES {
        assert!(
            families.contains(family) || nondiff_families.contains(*family),
            "primitive family {family} has no checked differentiation rule and no declared reason"
        );
    }
    // The non-differentiable ones: a reason, and zero tangents in practice.
    for p in &nondiff {
        let Differentiability::NonDifferentiable(reason) = p.rules().differentiability() else {
            panic!("{} should be declared non-differentiable", p.name());
        };
        assert!(!reason.is_empty());
        check_zero_tangent(p);
    }
}

/// Applies `p` to a float input under jvp and checks the tangent is zero.
fn check_zero_tangent(p: &Primitive) {
    let x = jnp::array([0.5f64, -1.5, 2.5]);
    let f = |x: &Array| -> Array {
        let inputs: Vec<Array> = match p {
            Primitive::Iota(_) => vec![],
            Primitive::Compare(_) => vec![x.clone(), lax::sin(x)],
            Primitive::Binary(_) => vec![x.astype(DType::I32), x.astype(DType::I32)],
            Primitive::Unary(lax::Unary { op: UnaryOp::Not }) => vec![x.astype(DType::I32)],
            Primitive::Reduce(_) => vec![x.gt(0.0f64)],
            Primitive::Threefry2x32(_) => vec![x.astype(DType::U32); 4],
            _ => vec![x.clone()],
        };
        let refs: Vec<&Array> = inputs.iter().collect();
        let y = jaxide::core::trace::bind(p, &refs)[0].clone();
        if y.dtype().is_float() {
            &y + x * 0.0f64
        } else {
            x * 0.0f64 + y.astype(DType::F64).sum()
        }
    };
    let (_, t) = jvp(f, &x, &jnp::ones_like(&x));
    assert!(
        t.to_vec::<f64>().iter().all(|&v| v == 0.0),
        "{} should have a zero tangent, got {t}",
        p.name()
    );
}

/// The checker itself catches a wrong derivative (forward and reverse).
#[test]
fn check_grads_rejects_a_wrong_rule() {
    x64();
    let wrong = custom_jvp(
        |x: &Array| lax::sin(x),
        |x: &Array, t: &Array| (lax::sin(x), t * lax::sin(x)),
    );
    let x = jnp::array([0.3f64, 1.1]);
    for mode in [Mode::Fwd, Mode::Rev] {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_grads(&wrong, &x, 1, &[mode])
        }));
        let msg = *r
            .expect_err("a wrong rule must fail")
            .downcast::<String>()
            .unwrap();
        assert!(msg.contains("check_grads:"), "{msg}");
    }
    // Right at first order, wrong at second: d/dx of the tangent rule is checked too.
    let wrong2 = custom_jvp(
        |x: &Array| lax::sin(x),
        |x: &Array, t: &Array| (lax::sin(x), t * lax::cos(&lax::stop_gradient(x))),
    );
    check_grads(&wrong2, &x, 1, &[Mode::Fwd, Mode::Rev]);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_grads(&wrong2, &x, 2, &[Mode::Fwd])
    }));
    assert!(
        r.is_err(),
        "the second-order check must see the stopped gradient"
    );
}
