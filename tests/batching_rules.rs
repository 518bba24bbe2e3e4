//! Every primitive family's batching rule, run: for a sample use of each
//! primitive, `vmap` over a batch (the batch axis first, last, or only on
//! some operands) equals applying the function to each example and
//! stacking. A coverage test fails when a family has no sample here.

use jaxide::ir::{BinaryOp, CompareOp, CumulativeOp, ReduceOp, UnaryOp};
use jaxide::lax::{self, PRIMITIVE_FAMILIES};
use jaxide::prelude::*;
use jaxide::transforms::vmap::{InAxes, InAxis, VmapOptions};
use std::collections::BTreeSet;

type F = Box<dyn Fn(&[Array]) -> Array + Send + Sync>;

struct Sample {
    family: &'static str,
    f: F,
    /// Per-example operands.
    args: Vec<Array>,
}

fn vals(shape: &[usize], seed: u64) -> Array {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 11) % 4000) as f32 / 1000.0 - 2.0
        })
        .collect();
    Array::from_vec(v, shape.to_vec())
}

fn sample(
    family: &'static str,
    f: impl Fn(&[Array]) -> Array + Send + Sync + 'static,
    args: Vec<Array>,
) -> Sample {
    Sample {
        family,
        f: Box::new(f),
        args,
    }
}

fn samples() -> Vec<Sample> {
    let x = || vals(&[3, 4], 1);
    let y = || vals(&[3, 4], 2);
    vec![
        sample("Unary", |a| lax::unary(UnaryOp::Exp, &a[0]), vec![x()]),
        sample(
            "Binary",
            |a| lax::binary(BinaryOp::Atan2, &a[0], &a[1]),
            vec![x(), y()],
        ),
        sample(
            "Compare",
            |a| lax::compare(CompareOp::Lt, &a[0], &a[1]).astype(DType::F32),
            vec![x(), y()],
        ),
        sample(
            "Select",
            |a| lax::select(&lax::compare(CompareOp::Gt, &a[0], &a[1]), &a[0], &a[1]),
            vec![x(), y()],
        ),
        sample(
            "ConvertElementType",
            |a| lax::convert_element_type(&a[0], DType::I32).astype(DType::F32),
            vec![x() * 3.0f32],
        ),
        sample("IntegerPow", |a| lax::integer_pow(&a[0], 3), vec![x()]),
        sample(
            "Reduce",
            |a| lax::reduce(&a[0], ReduceOp::Max, &[1]),
            vec![x()],
        ),
        sample(
            "ArgReduce",
            |a| lax::arg_reduce(&a[0], ReduceOp::ArgMin, 0, DType::I32).astype(DType::F32),
            vec![x()],
        ),
        sample(
            "Cumulative",
            |a| lax::cumulative(&a[0], CumulativeOp::Sum, 1, true),
            vec![x()],
        ),
        sample(
            "ReduceWindow",
            |a| lax::reduce_window_max(&a[0], &[2, 2], &[1, 2], "SAME", Default::default()),
            vec![x()],
        ),
        sample(
            "SelectAndGatherAdd",
            |a| {
                let o = lax::ReduceWindowOptions::default();
                lax::select_and_gather_add(
                    &a[0],
                    &a[1],
                    lax::SelectPrim::Ge,
                    &[2, 2],
                    &[1, 1],
                    [(1, 0), (0, 1)],
                    o,
                )
            },
            vec![x(), y()],
        ),
        sample(
            "SelectAndScatterAdd",
            |a| {
                lax::select_and_scatter_add(
                    &a[0],
                    &a[1],
                    lax::SelectPrim::Le,
                    &[2, 2],
                    &[1, 2],
                    "VALID",
                )
            },
            vec![vals(&[2, 2], 5), x()],
        ),
        sample("Reshape", |a| lax::reshape(&a[0], &[2, 6]), vec![x()]),
        sample(
            "BroadcastInDim",
            |a| lax::broadcast_in_dim(&a[0], &[2, 3, 5, 4], &[1, 3]),
            vec![x()],
        ),
        sample("Transpose", |a| lax::transpose(&a[0], &[1, 0]), vec![x()]),
        sample(
            "Squeeze",
            |a| lax::squeeze(&a[0], &[1]),
            vec![vals(&[3, 1], 3)],
        ),
        sample("Rev", |a| lax::rev(&a[0], &[0, 1]), vec![x()]),
        sample(
            "Slice",
            |a| lax::slice_with_strides(&a[0], &[0, 1], &[3, 4], &[2, 2]),
            vec![x()],
        ),
        sample(
            "Pad",
            |a| lax::pad(&a[0], &a[1], &[(1, 0, 1), (-1, 2, 0)]),
            vec![x(), vals(&[], 4)],
        ),
        sample(
            "Concatenate",
            |a| lax::concatenate(&[&a[0], &a[1]], 1),
            vec![x(), y()],
        ),
        sample(
            "DynamicSlice",
            |a| {
                lax::dynamic_slice(
                    &a[0],
                    &[&Array::scalar(1i32), &Array::scalar(2i32)],
                    &[2, 2],
                )
            },
            vec![x()],
        ),
        sample(
            "DynamicUpdateSlice",
            |a| {
                lax::dynamic_update_slice(
                    &a[0],
                    &a[1],
                    &[&Array::scalar(1i32), &Array::scalar(0i32)],
                )
            },
            vec![x(), vals(&[1, 3], 5)],
        ),
        sample(
            "DotGeneral",
            |a| jnp::matmul(&a[0], &a[1]),
            vec![x(), vals(&[4, 2], 6)],
        ),
        sample(
            "ConvGeneralDilated",
            |a| {
                let o = lax::ConvOptions {
                    feature_group_count: 2,
                    ..Default::default()
                }
                .with_dimension_numbers(("NHWC", "HWIO", "NHWC"));
                lax::conv_general_dilated(&a[0], &a[1], &[2, 1], "SAME", o)
            },
            vec![vals(&[2, 5, 4, 4], 7), vals(&[3, 2, 2, 6], 8)],
        ),
        sample(
            "Iota",
            |a| {
                &a[0]
                    + lax::convert_element_type(
                        &lax::broadcasted_iota(DType::I32, &[3, 4], 1),
                        DType::F32,
                    )
            },
            vec![x()],
        ),
        sample(
            "Gather",
            |a| {
                // Row `|sum(x)| mod 3` of x: per-example operand and index.
                let i = jnp::abs(a[0].sum()).astype(DType::I32) % 3i32;
                let dn = lax::GatherDimensionNumbers {
                    offset_dims: vec![1],
                    collapsed_slice_dims: vec![0],
                    start_index_map: vec![0],
                    ..Default::default()
                };
                lax::gather(
                    &a[0],
                    &i.reshape(&[1, 1]),
                    dn,
                    &[1, 4],
                    lax::GatherScatterMode::Clip,
                )
            },
            vec![x()],
        ),
        sample(
            "Scatter",
            |a| {
                let i = jnp::abs(a[0].sum()).astype(DType::I32) % 3i32;
                let dn = lax::ScatterDimensionNumbers {
                    update_window_dims: vec![1],
                    inserted_window_dims: vec![0],
                    scatter_dims_to_operand_dims: vec![0],
                    ..Default::default()
                };
                let row = lax::slice(&a[0], &[0, 0], &[1, 4]);
                let clip = lax::GatherScatterMode::Clip;
                let added = lax::scatter_add(&a[0], &i.reshape(&[1, 1]), &row, dn.clone(), clip);
                let mut y = lax::scatter(
                    &added,
                    &i.reshape(&[1, 1]),
                    &(&row * 2.0f32),
                    dn.clone(),
                    clip,
                );
                for op in lax::ScatterOp::ALL {
                    let r = &row * 0.5f32 + 0.25f32;
                    y = lax::scatter_with(
                        op,
                        &y,
                        &i.reshape(&[1, 1]),
                        &r,
                        dn.clone(),
                        clip,
                        false,
                        false,
                    );
                }
                y
            },
            vec![x()],
        ),
        sample(
            "Sort",
            |a| {
                let (k, v) = lax::sort_key_val(&a[0], &lax::neg(&a[0]), a[0].ndim() - 1, true);
                &k + &v * 0.5f32
            },
            vec![x()],
        ),
        sample(
            "Qr",
            |a| {
                let (q, r) = lax::qr(&a[0], false);
                lax::abs(&q).sum_axis(vec![1], false) + lax::abs(&r).sum_axis(vec![0], false)
            },
            vec![vals(&[4, 4], 11)],
        ),
        sample(
            "Eigh",
            |a| {
                let (v, w) = lax::eigh(&a[0], true, true, true);
                w + lax::abs(&v).sum_axis(vec![0], false)
            },
            vec![vals(&[3, 3], 12)],
        ),
        sample(
            "Svd",
            |a| {
                let o = lax::svd(&a[0], false, true);
                jnp::concatenate(&[&o[0], &lax::abs(&o[1]).sum_axis(vec![0], false)], 0)
            },
            vec![vals(&[3, 4], 13)],
        ),
        sample(
            "Eig",
            |a| {
                let w = lax::eig(&a[0], false, false).remove(0);
                let w2 = &w * &w;
                lax::real(&w2).sum_axis(vec![0], false) + lax::abs(&w).sum_axis(vec![0], false)
            },
            vec![vals(&[3, 3], 14)],
        ),
        sample(
            "Cholesky",
            |a| {
                let m = lax::slice(&a[0], &[0, 0], &[3, 3]);
                let spd = jnp::matmul(&m, lax::transpose(&m, &[1, 0])) + jnp::eye(3) * 3.0f32;
                lax::linalg::cholesky(&spd, true)
            },
            vec![x()],
        ),
        sample(
            "TriangularSolve",
            |a| {
                let t = lax::slice(&a[0], &[0, 0], &[3, 3]) + jnp::eye(3) * 5.0f32;
                let o = lax::linalg::TriangularSolveOptions {
                    left_side: true,
                    lower: true,
                    ..Default::default()
                };
                lax::linalg::triangular_solve_with(&t, &a[1], o)
            },
            vec![x(), y()],
        ),
        sample(
            "Lu",
            |a| {
                let (lu, piv, perm) = lax::linalg::lu(&a[0]);
                lu + (piv.astype(DType::F32).sum() + perm.astype(DType::F32).sum()) * 0.5f32
            },
            vec![x()],
        ),
        sample(
            "Fma",
            |a| lax::fma(&a[0], &a[0], &Array::scalar(0.5f32)),
            vec![x()],
        ),
        sample(
            "BitcastConvertType",
            |a| {
                let b = lax::bitcast_convert_type(&a[0], DType::U32);
                let top = lax::binary(BinaryOp::ShiftRightLogical, &b, &Array::scalar(16u32));
                lax::convert_element_type(&top, DType::F32)
            },
            vec![x()],
        ),
        sample(
            "Threefry2x32",
            |a| {
                let bits = lax::convert_element_type(&(&a[0] * 1000.0f32 + 3000.0f32), DType::U32);
                let (y0, y1) =
                    lax::threefry2x32(&Array::scalar(7u32), &bits, &bits, &Array::scalar(1u32));
                // Compared in f32: the top 16 bits of each word are exact there.
                let shift = Array::scalar(16u32);
                let hi = lax::binary(BinaryOp::ShiftRightLogical, &y0, &shift);
                let lo = lax::binary(BinaryOp::ShiftRightLogical, &y1, &shift);
                lax::convert_element_type(&hi, DType::F32)
                    + lax::convert_element_type(&lo, DType::F32)
            },
            vec![x()],
        ),
        sample(
            "StopGradient",
            |a| lax::stop_gradient(&a[0]) * 2.0f32,
            vec![x()],
        ),
        sample(
            "MakeComplex",
            |a| lax::abs(&lax::complex(&a[0], &(&a[0] * 0.5f32))),
            vec![x()],
        ),
        sample(
            "ComplexPart",
            |a| {
                let z = lax::complex(&a[0], &lax::sin(&a[0]));
                lax::exp(&z).real() + lax::imag(&lax::exp(&z))
            },
            vec![x()],
        ),
        sample(
            "Conj",
            |a| lax::imag(&lax::conj(&lax::complex(&a[0], &lax::cos(&a[0])))),
            vec![x()],
        ),
        sample(
            "Name",
            |a| lax::checkpoint_name(&a[0], "n") * 2.0f32,
            vec![x()],
        ),
        sample(
            "CustomLin",
            |a| {
                // custom_lin appears when a custom_vjp function is differentiated.
                let f = custom_vjp(
                    |x: &Array| jnp::sin(x),
                    |x: &Array| (jnp::sin(x), jnp::cos(x)),
                    |c: &Array, g: &Array| c * g,
                );
                grad(move |x: &Array| f(x).sum())(&a[0])
            },
            vec![x()],
        ),
        sample(
            "Cond",
            |a| {
                lax::cond(
                    &jnp::greater(a[0].sum(), 0.0f32),
                    |x: &Array| x * 2.0f32,
                    |x: &Array| -x,
                    &a[0],
                )
            },
            vec![x()],
        ),
        sample(
            "While",
            |a| {
                lax::while_loop(
                    |c: &Array| jnp::less(c.sum(), 20.0f32),
                    |c: &Array| c + 1.0f32,
                    &a[0],
                )
            },
            vec![x()],
        ),
        sample(
            "Scan",
            |a| lax::scan(|c: &Array, x: &Array| (c + x, c * x), &jnp::zeros(4), &a[0]).1,
            vec![x()],
        ),
    ]
}

#[test]
fn every_primitive_family_has_a_batching_sample() {
    let have: BTreeSet<&str> = samples().iter().map(|s| s.family).collect();
    let all: BTreeSet<&str> = PRIMITIVE_FAMILIES.iter().copied().collect();
    let missing: Vec<_> = all.difference(&have).collect();
    assert!(
        missing.is_empty(),
        "families without a batching sample: {missing:?}"
    );
}

/// `f` per example, stacked: example `b` takes slice `b` of each batched operand.
fn stacked(s: &Sample, batched: &[Array], axes: &[Option<usize>], size: usize) -> Array {
    let outs: Vec<Array> = (0..size)
        .map(|b| {
            let args: Vec<Array> = batched
                .iter()
                .zip(axes)
                .map(|(x, ax)| match ax {
                    None => x.clone(),
                    Some(a) => {
                        let mut lo = vec![0; x.ndim()];
                        let mut hi = x.shape().to_vec();
                        lo[*a] = b;
                        hi[*a] = b + 1;
                        lax::squeeze(&lax::slice(x, &lo, &hi), &[*a])
                    }
                })
                .collect();
            (s.f)(&args)
        })
        .collect();
    let refs: Vec<&Array> = outs.iter().collect();
    jnp::stack(&refs, 0)
}

#[test]
fn batched_primitives_equal_stacked_examples() {
    let size = 3;
    let mut checked = 0;
    for (k, s) in samples().iter().enumerate() {
        // Patterns: all batched at 0; the first at its last axis and the rest unbatched.
        for pattern in 0..2 {
            let axes: Vec<Option<usize>> = s
                .args
                .iter()
                .enumerate()
                .map(|(i, a)| match (pattern, i) {
                    (0, _) => Some(0),
                    (_, 0) => Some(a.ndim()),
                    _ => None,
                })
                .collect();
            let batched: Vec<Array> = s
                .args
                .iter()
                .zip(&axes)
                .enumerate()
                .map(|(i, (a, ax))| match ax {
                    None => a.clone(),
                    Some(ax) => {
                        let copies: Vec<Array> = (0..size)
                            .map(|b| a * (1.0f32 + 0.25 * b as f32) + (i + k) as f32 * 0.01)
                            .collect();
                        let refs: Vec<&Array> = copies.iter().collect();
                        jnp::stack(&refs, *ax as isize)
                    }
                })
                .collect();
            let want = stacked(s, &batched, &axes, size);
            let in_axes = InAxes::PerArg(vec![InAxis::Leaves(
                axes.iter().map(|a| a.map(|a| a as isize)).collect(),
            )]);
            let f = &s.f;
            let opts = VmapOptions {
                in_axes,
                ..Default::default()
            };
            let got = vmap_with(|xs: &Vec<Array>| f(xs), opts)(&batched);
            assert_eq!(got.shape(), want.shape(), "{} pattern {pattern}", s.family);
            for (g, w) in got.to_vec::<f32>().iter().zip(want.to_vec::<f32>()) {
                assert!(
                    (g - w).abs() <= 1e-5 * w.abs().max(1.0),
                    "{} pattern {pattern}: {g} vs {w}",
                    s.family
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * PRIMITIVE_FAMILIES.len());
}
