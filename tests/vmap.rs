//! vmap: batched programs equal stacking the function over the batch, for
//! the primitives that have batching rules so far, composed with grad, jit
//! and itself; and JAX's messages for bad axes and sizes.

use jaxide::prelude::*;
use jaxide::transforms::vmap::{InAxis, OutAxes, VmapOptions};

mod common;
use common::panic_message;

fn data(shape: &[usize], seed: u32) -> Array {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n)
        .map(|i| {
            (((i as u32).wrapping_mul(2654435761).wrapping_add(seed * 97)) % 1000) as f32 / 250.0
                - 2.0
        })
        .collect();
    Array::from_vec(v, shape.to_vec())
}

/// A named per-example function.
type Case = Box<dyn Fn(&Array) -> Array + Send + Sync>;

/// `f` applied to each slice along `axis`, stacked along axis 0.
fn stacked(f: impl Fn(&Array) -> Array, x: &Array, axis: usize) -> Array {
    let n = x.shape()[axis];
    let outs: Vec<Array> = (0..n)
        .map(|i| {
            let idx: Vec<usize> = x.shape().to_vec();
            let mut start = vec![0; idx.len()];
            let mut limit = idx.clone();
            start[axis] = i;
            limit[axis] = i + 1;
            let mut shape = idx;
            shape.remove(axis);
            f(&lax::reshape(&lax::slice(x, &start, &limit), &shape))
        })
        .collect();
    let refs: Vec<&Array> = outs.iter().collect();
    jnp::stack(&refs, 0)
}

fn assert_close(a: &Array, b: &Array) {
    assert_eq!(a.shape(), b.shape());
    for (x, y) in a.to_vec::<f32>().iter().zip(b.to_vec::<f32>()) {
        assert!((x - y).abs() <= 1e-5 * x.abs().max(1.0), "{x} vs {y}");
    }
}

#[test]
fn vmap_equals_stacking_for_elementwise_reductions_and_layout_ops() {
    let w = data(&[5, 3], 1);
    let fs: Vec<(&str, Case)> = vec![
        (
            "tanh*2+1",
            Box::new(|r: &Array| jnp::tanh(r) * 2.0f32 + 1.0f32),
        ),
        (
            "where",
            Box::new(|r: &Array| jnp::where_(jnp::greater(r, 0.0f32), r, r * 0.1f32)),
        ),
        ("sum", Box::new(|r: &Array| r.sum())),
        ("max_axis", Box::new(|r: &Array| r.max_axis(0, false))),
        ("cumsum", Box::new(|r: &Array| jnp::cumsum(r))),
        (
            "argmax",
            Box::new(|r: &Array| jnp::argmax(r).astype(DType::F32)),
        ),
        (
            "reshape+transpose",
            Box::new(|r: &Array| r.reshape(&[5, 2]).transpose()),
        ),
        (
            "slice+rev+pad",
            Box::new(|r: &Array| {
                let s = lax::rev(&lax::slice(r, &[2], &[9]), &[0]);
                lax::pad(&s, &jnp::array(0.0f32), &[(1, 2, 1)])
            }),
        ),
        (
            "concat+broadcast",
            Box::new(|r: &Array| {
                jnp::concatenate(&[r, &jnp::ones(3)], 0)
                    + jnp::broadcast_to(&jnp::array(1.5f32), &[13])
            }),
        ),
        (
            "matvec",
            Box::new(move |r: &Array| jnp::matmul(r.reshape(&[2, 5]), &w)),
        ),
        ("outer", Box::new(|r: &Array| jnp::outer(r, r))),
    ];
    let x = data(&[4, 10], 2);
    for (name, f) in &fs {
        let got = vmap(|r: &Array| f(r))(&x);
        let want = stacked(f, &x, 0);
        assert_eq!(got.shape(), want.shape(), "{name}");
        assert_close(&got, &want);
    }
}

#[test]
fn both_operands_batched_in_a_matmul_and_mapped_along_other_axes() {
    let (a, b) = (data(&[6, 2, 3], 3), data(&[3, 6, 4], 4));
    let opts = VmapOptions {
        in_axes: [InAxis::Axis(0), InAxis::Axis(1)].into(),
        ..Default::default()
    };
    let got = vmap_with(|x: &Array, y: &Array| jnp::matmul(x, y), opts)(&a, &b);
    assert_eq!(got.shape(), &[6, 2, 4]);
    let want = jnp::matmul(&a, jnp::transpose_axes(&b, &[1, 0, 2]));
    assert_close(&got, &want);
    // Unmapped second argument, batch axis placed last.
    let opts = VmapOptions {
        in_axes: [InAxis::Axis(-1), InAxis::None].into(),
        out_axes: OutAxes::All(Some(-1)),
        axis_size: None,
    };
    let m = data(&[5, 3], 5);
    let v = data(&[5], 6);
    let got = vmap_with(|c: &Array, v: &Array| c * v, opts)(&m, &v);
    assert_eq!(got.shape(), &[5, 3]);
    assert_close(&got, &(&m * &v.reshape(&[5, 1])));
}

#[test]
fn per_example_gradients_nested_vmap_and_jit() {
    let w = data(&[4, 3], 7) * 0.3f32;
    let loss = |w: &Array, x: &Array| jnp::tanh(jnp::matmul(x, w)).pow(2).sum();
    let xs = data(&[8, 4], 8);
    let per_example = vmap_with(
        |w: &Array, x: &Array| grad(loss)(w, x),
        VmapOptions {
            in_axes: [InAxis::None, InAxis::Axis(0)].into(),
            ..Default::default()
        },
    )(&w, &xs);
    assert_eq!(per_example.shape(), &[8, 4, 3]);
    let want = stacked(|x: &Array| grad(loss)(&w, x), &xs, 0);
    assert_close(&per_example, &want);
    // Nested: a batch of batches.
    let x3 = data(&[2, 3, 5], 9);
    let nested = vmap(|m: &Array| vmap(|r: &Array| r.sum() * r)(m))(&x3);
    let want = &x3 * &x3.sum_axis(-1, true);
    assert_close(&nested, &want);
    // Under jit.
    let jitted = jit(|x: &Array| vmap(|r: &Array| jnp::exp(r).sum())(x))(&x3.reshape(&[6, 5]));
    assert_close(&jitted, &jnp::exp(x3.reshape(&[6, 5])).sum_axis(1, false));
}

#[test]
fn unmapped_arguments_with_axis_size_broadcast_the_result() {
    let opts = VmapOptions {
        in_axes: None.into(),
        axis_size: Some(3),
        ..Default::default()
    };
    let y = vmap_with(|x: &Array| x.sum(), opts)(&jnp::ones(4));
    assert_eq!(y.to_vec::<f32>(), vec![4.0; 3]);
    let m = panic_message(|| {
        vmap_with(
            |x: &Array| x.sum(),
            VmapOptions {
                in_axes: None.into(),
                ..Default::default()
            },
        )(&jnp::ones(4));
    });
    assert!(m.contains("axis_size"), "{m}");
}

#[test]
fn bad_axes_and_sizes_get_jax_messages() {
    let m = panic_message(|| {
        vmap(|a: &Array, b: &Array| a + b)(&jnp::ones([3, 4]), &jnp::ones([5, 4]));
    });
    assert_eq!(
        m,
        "ValueError: vmap got inconsistent sizes for array axes to be mapped:\n  \
         * one axis had size 3: axis 0 of args[0] of type f32[3,4];\n  \
         * one axis had size 5: axis 0 of args[1] of type f32[5,4]"
    );
    let m = panic_message(|| {
        let o = VmapOptions {
            in_axes: 2.into(),
            ..Default::default()
        };
        vmap_with(|a: &Array| a.sum(), o)(&jnp::ones([3, 4]));
    });
    assert_eq!(
        m,
        "ValueError: vmap was requested to map its argument along axis 2, which implies that \
         its rank should be at least 3, but is only 2 (its shape is (3, 4))"
    );
    let m = panic_message(|| {
        let o = VmapOptions {
            out_axes: 2.into(),
            ..Default::default()
        };
        vmap_with(|a: &Array| a * 2.0f32, o)(&jnp::ones([3, 4]));
    });
    assert_eq!(
        m,
        "ValueError: axis 2 is out of bounds for array of dimension 2"
    );
    let m = panic_message(|| {
        let o = VmapOptions {
            in_axes: [InAxis::Axis(0)].into(),
            ..Default::default()
        };
        vmap_with(|a: &Array, b: &Array| a + b, o)(&jnp::ones(3), &jnp::ones(3));
    });
    assert!(m.contains("but got len(in_axes)=1, len(args)=2"), "{m}");
    let m = panic_message(|| {
        let o = VmapOptions {
            out_axes: None.into(),
            ..Default::default()
        };
        vmap_with(|a: &Array| a * 2.0f32, o)(&jnp::ones(3));
    });
    assert!(m.contains("out_axes is None"), "{m}");
}

#[test]
fn control_flow_under_vmap_matches_per_example_results() {
    // cond with a batched predicate (becomes a select) and an unbatched one.
    let piecewise = |x: &Array| {
        lax::cond(
            &jnp::greater(x.sum(), 0.0f32),
            |x: &Array| jnp::sin(x),
            |x: &Array| x * 3.0f32,
            x,
        )
    };
    let xs = data(&[6, 3], 10);
    assert_close(&vmap(piecewise)(&xs), &stacked(piecewise, &xs, 0));
    let opts = VmapOptions {
        in_axes: [InAxis::None, InAxis::Axis(0)].into(),
        ..Default::default()
    };
    let gated = vmap_with(
        |p: &Array, x: &Array| lax::cond(p, |x: &Array| x + 1.0f32, |x: &Array| x - 1.0f32, x),
        opts,
    )(&jnp::array(true), &xs);
    assert_close(&gated, &(&xs + 1.0f32));
    // while with a per-element trip count: lanes stop independently.
    let halve = |x: &Array| {
        lax::while_loop(
            |c: &Array| jnp::greater(c.max(), 1.0f32),
            |c: &Array| c * 0.5f32,
            x,
        )
    };
    let big = &xs * 10.0f32;
    assert_close(&vmap(halve)(&big), &stacked(halve, &big, 0));
    // scan with batched xs and carry; a static fori_loop.
    let cumprod = |x: &Array| {
        let (c, ys) = lax::scan(
            |c: &Array, x: &Array| {
                let n = c * x;
                (n.clone(), n + 1.0f32)
            },
            &jnp::array(1.0f32),
            x,
        );
        jnp::concatenate(&[&c.reshape(&[1]), &ys], 0)
    };
    assert_close(&vmap(cumprod)(&xs), &stacked(cumprod, &xs, 0));
    let power = |x: &Array| lax::fori_loop(0, 3, |_: &Array, c: &Array| c * x, &jnp::ones_like(x));
    assert_close(&vmap(power)(&xs), &(&xs * &xs * &xs));
}

#[test]
fn dynamic_slices_with_unbatched_indices() {
    let f = |x: &Array| {
        let s = lax::dynamic_slice(x, &[&Array::scalar(1i32)], &[2]);
        lax::dynamic_update_slice(x, &(s * 10.0f32), &[&Array::scalar(0i32)])
    };
    let xs = data(&[4, 5], 11);
    assert_close(&vmap(f)(&xs), &stacked(f, &xs, 0));
}

/// A small deterministic generator for the property test.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn property_vmap_equals_stacking_for_random_shapes_and_axes() {
    let mut rng = Lcg(7);
    let per_example: Vec<(&str, Case)> = vec![
        (
            "exp-sum",
            Box::new(|x: &Array| jnp::exp(&(x * 0.5f32)).sum_axis(-1, true) * x),
        ),
        (
            "transpose",
            Box::new(|x: &Array| jnp::transpose(x) + 1.0f32),
        ),
        (
            "max-where",
            Box::new(|x: &Array| {
                jnp::where_(jnp::greater(x, x.mean()), x, x.max_axis(0, true) - x)
            }),
        ),
        (
            "outer-sum",
            Box::new(|x: &Array| {
                let v = x.reshape(&[-1]);
                jnp::outer(&v, &v).sum_axis(0, false)
            }),
        ),
    ];
    for case in 0..24 {
        let rank = 1 + rng.below(3);
        let shape: Vec<usize> = (0..rank).map(|_| 1 + rng.below(4)).collect();
        let batch = 1 + rng.below(4);
        let in_axis = rng.below(rank + 1);
        let (name, f) = &per_example[case % per_example.len()];
        let mut batched_shape = shape.clone();
        batched_shape.insert(in_axis, batch);
        let x = data(&batched_shape, case as u32);
        let want = stacked(f, &x, in_axis);
        let out_rank = want.ndim();
        let out_axis = rng.below(out_rank);
        let opts = VmapOptions {
            in_axes: (in_axis as isize).into(),
            out_axes: (out_axis as isize).into(),
            axis_size: None,
        };
        let got = vmap_with(|x: &Array| f(x), opts)(&x);
        // Stacking puts the batch first: move it to `out_axis` to compare.
        let mut perm: Vec<isize> = (1..out_rank as isize).collect();
        perm.insert(out_axis, 0);
        let want = jnp::transpose_axes(&want, &perm);
        assert_eq!(
            got.shape(),
            want.shape(),
            "{name} shape {shape:?} in {in_axis} out {out_axis}"
        );
        assert_close(&got, &want);
    }
}

#[test]
fn dynamic_slices_with_batched_indices_become_gather_and_scatter() {
    let xs = data(&[4, 5], 3);
    let is = jnp::array([0i32, 3, 1, 7]); // 7 clamps to the last window
    let f = |x: &Array, i: &Array| {
        let s = lax::dynamic_slice(x, &[i], &[2]);
        lax::dynamic_update_slice(x, &(s * 10.0f32), &[&(i - 1i32)])
    };
    let got = vmap(f)(&xs, &is);
    for b in 0..4usize {
        let want = f(&xs.at(b).get(), &is.at(b).get());
        assert_close(&got.at(b).get(), &want);
    }
    // An unbatched operand sliced at batched starts.
    let x = data(&[5], 4);
    let windows = vmap(|i: &Array| lax::dynamic_slice(&x, &[i], &[2]))(&is);
    for b in 0..4usize {
        let want = lax::dynamic_slice(&x, &[&is.at(b).get()], &[2]);
        assert_close(&windows.at(b).get(), &want);
    }
    // Per-example gradients through a batched-index slice (gather's transpose).
    let loss = |x: &Array, i: &Array| lax::dynamic_slice(x, &[i], &[2]).pow(2).sum();
    let grads = vmap(grad(loss))(&xs, &is);
    for b in 0..4usize {
        let want = grad(loss)(&xs.at(b).get(), &is.at(b).get());
        assert_close(&grads.at(b).get(), &want);
    }
}

/// Example `b` of `x` batched along `axis`.
fn pick(x: &Array, axis: usize, b: usize) -> Array {
    let mut start = vec![0; x.ndim()];
    let mut limit = x.shape().to_vec();
    start[axis] = b;
    limit[axis] = b + 1;
    let mut shape = x.shape().to_vec();
    shape.remove(axis);
    lax::reshape(&lax::slice(x, &start, &limit), &shape)
}

type Case2 = Box<dyn Fn(&Array, &(Array, Array)) -> Array + Send + Sync>;

/// Several arguments (an array and a `(array, scalar)` pair addressed by a
/// nested `in_axes` prefix), each mapped along a random axis or not, through
/// control flow with batched predicates: `vmap` equals stacking.
#[test]
fn property_vmap_with_nested_in_axes_and_control_flow_equals_stacking() {
    let mut rng = Lcg(11);
    let cases: Vec<(&str, Case2)> = vec![
        (
            "mix",
            Box::new(|x: &Array, p: &(Array, Array)| x * &p.0 + &p.1),
        ),
        (
            "cond",
            Box::new(|x: &Array, p: &(Array, Array)| {
                lax::cond(
                    &jnp::greater((x + &p.0).sum(), &p.1),
                    |v: &(Array, Array)| jnp::sin(&v.0) * &v.1,
                    |v: &(Array, Array)| &v.0 - &v.1,
                    &(x.clone(), p.0.clone()),
                )
            }),
        ),
        (
            "while",
            Box::new(|x: &Array, p: &(Array, Array)| {
                let (_, v) = lax::while_loop(
                    |c: &(Array, Array)| {
                        jnp::logical_and(jnp::less(&c.0, 4i32), jnp::less(c.1.sum(), &p.1 * 8.0f32))
                    },
                    |c: &(Array, Array)| (&c.0 + 1i32, jnp::abs(&c.1) * 1.5f32 + &p.0),
                    &(jnp::array(0i32), x.clone()),
                );
                v
            }),
        ),
        (
            "scan",
            Box::new(|x: &Array, p: &(Array, Array)| {
                let (carry, ys) = lax::scan(
                    |c: &Array, row: &Array| {
                        let next = c * 0.5f32 + row * &p.1;
                        (next.clone(), next.sum())
                    },
                    &jnp::zeros_like(&pick(x, 0, 0)),
                    &(x * &p.0),
                );
                carry.sum() + ys.sum()
            }),
        ),
    ];
    for case in 0..32 {
        let rank = 1 + rng.below(2);
        let shape: Vec<usize> = (0..rank).map(|_| 1 + rng.below(3)).collect();
        let batch = 1 + rng.below(4);
        let (_name, f) = &cases[case % cases.len()];
        // Each leaf: mapped along a random axis, or not (at least one mapped).
        let mut axes: Vec<Option<usize>> = (0..3)
            .map(|leaf| {
                let r = if leaf == 2 { 0 } else { rank };
                (rng.below(3) > 0).then(|| rng.below(r + 1))
            })
            .collect();
        if axes.iter().all(Option::is_none) {
            axes[0] = Some(0);
        }
        let make = |shape: &[usize], axis: Option<usize>, seed: u32| {
            let mut s = shape.to_vec();
            if let Some(a) = axis {
                s.insert(a, batch);
            }
            data(&s, seed)
        };
        let x = make(&shape, axes[0], case as u32);
        let a = make(&shape, axes[1], case as u32 + 100);
        let c = make(&[], axes[2], case as u32 + 200);
        let spec = |a: Option<usize>| a.map_or(InAxis::None, |a| InAxis::Axis(a as isize));
        let opts = VmapOptions {
            in_axes: [
                spec(axes[0]),
                InAxis::Tree(vec![spec(axes[1]), spec(axes[2])]),
            ]
            .into(),
            ..Default::default()
        };
        let got =
            vmap_with(|x: &Array, p: &(Array, Array)| f(x, p), opts)(&x, &(a.clone(), c.clone()));
        let at =
            |v: &Array, axis: Option<usize>, b: usize| axis.map_or(v.clone(), |ax| pick(v, ax, b));
        for b in 0..batch {
            let want = f(
                &at(&x, axes[0], b),
                &(at(&a, axes[1], b), at(&c, axes[2], b)),
            );
            assert_close(&pick(&got, 0, b), &want);
        }
    }
}

#[test]
fn nested_in_axes_must_be_a_prefix_of_the_argument() {
    let opts = VmapOptions {
        in_axes: [InAxis::Tree(vec![
            InAxis::Axis(0),
            InAxis::None,
            InAxis::None,
        ])]
        .into(),
        ..Default::default()
    };
    let msg = panic_message(|| {
        vmap_with(|p: &(Array, Array)| &p.0 + &p.1, opts)(&(jnp::ones([2]), jnp::ones([2])));
    });
    assert!(
        msg.starts_with("ValueError: vmap in_axes specification must be a tree prefix of the corresponding value; vmap in_axes[0] is a container of 3 entries"),
        "{msg}"
    );
}

#[test]
fn batched_starts_handle_empty_batches_and_unsigned_indices() {
    let f = |x: &Array, i: &Array| lax::dynamic_slice(x, &[i], &[2]);
    let empty = vmap(f)(
        &jnp::zeros([0, 5]),
        &Array::from_vec(Vec::<i32>::new(), [0]),
    );
    assert_eq!(empty.shape(), &[0, 2]);
    // A huge uint32 start clamps to the last window, batched or not.
    let xs = data(&[2, 5], 9);
    let starts = Array::from_vec(vec![4_000_000_000u32, 1], [2]);
    let got = vmap(f)(&xs, &starts);
    for b in 0..2usize {
        assert_close(&got.at(b).get(), &f(&xs.at(b).get(), &starts.at(b).get()));
    }
}
