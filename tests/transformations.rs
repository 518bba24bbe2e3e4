//! The transformations of the porting issue's section 3, against JAX 0.10:
//! `eval_shape` with `ShapeDtypeStruct` (sizes far beyond memory, sampling
//! beyond 2^32 elements with x64 off) and `lax::map` with `batch_size`.
//! No test here turns x64 on.

mod common;

use jaxide::prelude::*;
use jaxide::random;

#[test]
fn shapes_print_as_jax_prints_them() {
    let s = |shape: &[usize], dt| ShapeDtypeStruct::new(shape.to_vec(), dt);
    assert_eq!(
        eval_shape(|x: &Array| x * 2.0f32, &(s(&[3], DType::F32),)).to_string(),
        "ShapeDtypeStruct(shape=(3,), dtype=float32)"
    );
    assert_eq!(
        eval_shape(|x: &Array| x + 1i32, &(s(&[4], DType::I32),)).to_string(),
        "ShapeDtypeStruct(shape=(4,), dtype=int32)"
    );
    // A weak-typed scalar in, weak out (`jax.eval_shape(lambda x: x * 2., 1.)`).
    let weak = ShapeDtypeStruct::new([], DType::F32).weak();
    assert_eq!(
        eval_shape(|x: &Array| x * 2.0, &(weak,)).to_string(),
        "ShapeDtypeStruct(shape=(), dtype=float32, weak_type=True)"
    );
    // Pytree outputs keep their structure.
    let out = eval_shape(
        |x: &Array| {
            let mut m = std::collections::BTreeMap::new();
            m.insert("a".to_string(), vec![x.clone()]);
            m.insert("b".to_string(), vec![x.sum(), jnp::astype(x, DType::I32)]);
            m
        },
        &(s(&[2, 3], DType::F32),),
    );
    assert_eq!(
        out.to_string(),
        "{'a': [ShapeDtypeStruct(shape=(2, 3), dtype=float32)], 'b': \
         [ShapeDtypeStruct(shape=(), dtype=float32), ShapeDtypeStruct(shape=(2, 3), dtype=int32)]}"
    );
    assert_eq!(out.leaves().len(), 3);
    assert_eq!(out[2].dtype, DType::I32);
    // bool outputs, and concrete arrays as specs.
    let x = jnp::array([1.0f32, -1.0]);
    assert_eq!(
        eval_shape(|x: &Array| x.gt(0.0), &(x,))
            .single()
            .to_string(),
        "ShapeDtypeStruct(shape=(2,), dtype=bool)"
    );
}

#[test]
fn nothing_is_computed_or_allocated() {
    let big = ShapeDtypeStruct::new([1usize << 40], DType::F32);
    let out = eval_shape(|x: &Array| jnp::exp(x).sum(), &(big.clone(),));
    assert_eq!(out.single().shape(), &[] as &[usize]);
    let out = eval_shape(|x: &Array| jnp::reshape(x, &[1 << 20, -1]), &(big,));
    assert_eq!(out.single().shape(), &[1 << 20, 1 << 20]);
}

#[test]
fn sampling_beyond_two_to_the_32_elements_traces_with_x64_off() {
    assert!(!jaxide::config::enable_x64());
    let key = random::key(0);
    for n in [(1usize << 32) + 3, 1 << 40] {
        let out = eval_shape(|k: &random::Key| random::normal(k, &[n]), &(key.clone(),));
        assert_eq!(
            out.to_string(),
            format!("ShapeDtypeStruct(shape=({n},), dtype=float32)")
        );
        let out = eval_shape(|k: &random::Key| random::bits64(k, &[n]), &(key.clone(),));
        assert_eq!(out.single().dtype, DType::U64);
    }
}

#[test]
fn a_mismatched_spec_is_a_clear_error() {
    let msg = common::panic_message(|| {
        eval_shape(
            |x: &Array, y: &Array| x + y,
            &(ShapeDtypeStruct::new([3], DType::F32),),
        )
    });
    assert!(msg.contains("PyTreeDef"), "{msg}");
    let msg = common::panic_message(|| {
        eval_shape(
            |x: &Array, y: &Array| x + y,
            &(
                ShapeDtypeStruct::new([3], DType::F32),
                ShapeDtypeStruct::new([4], DType::F32),
            ),
        )
    });
    assert!(
        msg.contains("add got incompatible shapes for broadcasting: (3,), (4,)"),
        "{msg}"
    );
}

#[test]
fn lax_map_matches_jax_with_and_without_batch_size() {
    use jaxide::lax::MapOptions;
    let traces = std::sync::atomic::AtomicUsize::new(0);
    let f = |x: &Array| {
        traces.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        x * 10.0f32
    };
    let want: Vec<f32> = (0..7).map(|i| i as f32 * 10.0).collect();
    let xs = jnp::arange_dtype(7, DType::F32);
    assert_eq!(lax::map(f, &xs).to_vec::<f32>(), want);
    for (n, b, traced) in [(7, 3, 2), (6, 3, 1), (2, 5, 1), (3, 0, 1)] {
        traces.store(0, std::sync::atomic::Ordering::Relaxed);
        let xs = jnp::arange_dtype(n, DType::F32);
        let ys = lax::map_with(
            f,
            &xs,
            MapOptions {
                batch_size: Some(b),
            },
        );
        assert_eq!(ys.to_vec::<f32>(), want[..n].to_vec(), "n={n} b={b}");
        // JAX traces f once for the scan and once for the remainder.
        assert_eq!(
            traces.load(std::sync::atomic::Ordering::Relaxed),
            traced,
            "n={n} b={b}"
        );
    }
    // Pytrees in and out (JAX: (t0+t1, t0*t1) over (arange(5), arange(5)*2), batch_size=2).
    let a = jnp::arange(5);
    let b = &a * 2i32;
    let (s, p) = lax::map_with(
        |t: &(Array, Array)| (&t.0 + &t.1, &t.0 * &t.1),
        &(a, b),
        MapOptions {
            batch_size: Some(2),
        },
    );
    assert_eq!(s.to_vec::<i32>(), vec![0, 3, 6, 9, 12]);
    assert_eq!(p.to_vec::<i32>(), vec![0, 2, 8, 18, 32]);
    // Under jit and grad.
    let g = grad(|x: &Array| {
        lax::map_with(
            |v: &Array| jnp::sin(v),
            x,
            MapOptions {
                batch_size: Some(2),
            },
        )
        .sum()
    });
    let x = jnp::array([0.0f32, 1.0, 2.0]);
    let want: Vec<f32> = [0.0f32, 1.0, 2.0].iter().map(|v| v.cos()).collect();
    let got = jit(g)(&x).to_vec::<f32>();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-6, "{got:?} vs {want:?}");
    }
    // Leading axes that differ.
    let msg = common::panic_message(|| {
        lax::map(
            |t: &(Array, Array)| &t.0 + &t.1,
            &(jnp::ones([3]), jnp::ones([4])),
        )
    });
    assert_eq!(
        msg,
        "ValueError: scan got values with different leading axis sizes: 3, 4."
    );
}

#[test]
fn associative_scan_takes_a_user_function_as_jax() {
    use jaxide::lax::AssociativeScanOptions as Opts;
    let add = |a: &Array, b: &Array| a + b;
    let x = jnp::arange(8) + 1;
    assert_eq!(
        lax::associative_scan(add, &x).to_vec::<i32>(),
        vec![1, 3, 6, 10, 15, 21, 28, 36]
    );
    let rev = Opts {
        reverse: true,
        ..Default::default()
    };
    assert_eq!(
        lax::associative_scan_with(add, &x, rev).to_vec::<i32>(),
        vec![36, 35, 33, 30, 26, 21, 15, 8]
    );
    let m = jnp::reshape(&jnp::arange(6), &[2, 3]);
    for axis in [1, -1] {
        let s = lax::associative_scan_with(
            add,
            &m,
            Opts {
                axis,
                ..Default::default()
            },
        );
        assert_eq!(s.to_vec::<i32>(), vec![0, 1, 3, 3, 7, 12]);
    }
    // Lengths 0, 1 and odd.
    for n in [0usize, 1, 5, 7] {
        let v = jnp::arange(n) + 1;
        let got = lax::associative_scan(add, &v).to_vec::<i32>();
        let want: Vec<i32> = (1..=n as i32)
            .scan(0, |s, v| {
                *s += v;
                Some(*s)
            })
            .collect();
        assert_eq!(got, want, "n={n}");
    }
    // Pytrees and a non-commutative fn: affine maps x -> a*x + b composed
    // left to right (JAX 0.10: a=[2,3,4,5], b=1).
    let compose = |x: &(Array, Array), y: &(Array, Array)| (&y.0 * &x.0, &y.0 * &x.1 + &y.1);
    let elems = (jnp::array([2.0f32, 3., 4., 5.]), jnp::ones([4]));
    let (a, b) = lax::associative_scan(compose, &elems);
    assert_eq!(a.to_vec::<f32>(), vec![2., 6., 24., 120.]);
    assert_eq!(b.to_vec::<f32>(), vec![1., 4., 17., 86.]);
    let (a, b) = lax::associative_scan_with(compose, &elems, rev);
    assert_eq!(a.to_vec::<f32>(), vec![120., 60., 20., 5.]);
    assert_eq!(b.to_vec::<f32>(), vec![33., 16., 5., 1.]);
    // Matrix products keep the order: out[i] = M0 @ ... @ Mi.
    let ms = jnp::reshape(&jnp::arange_dtype(16, DType::F32), &[4, 2, 2]);
    let got = lax::associative_scan(|a: &Array, b: &Array| jnp::matmul(a, b), &ms);
    let mut acc = ms.idx(0);
    for i in 1..4 {
        acc = jnp::matmul(&acc, ms.idx(i));
        assert_eq!(got.idx(i).to_vec::<f32>(), acc.to_vec::<f32>(), "i={i}");
    }
    // Under jit and grad.
    let g = grad(|x: &Array| lax::associative_scan(|a: &Array, b: &Array| a * b, x).sum());
    let gx = jit(g)(&jnp::array([1.0f32, 2., 3.])).to_vec::<f32>();
    // d/dx of x0 + x0 x1 + x0 x1 x2 at (1, 2, 3): (1 + 2 + 6, 1 + 3, 2)
    assert_eq!(gx, vec![9.0, 4.0, 2.0]);
    // Errors, with JAX's messages.
    let msg = common::panic_message(|| {
        lax::associative_scan(
            |a: &(Array, Array), b: &(Array, Array)| (&a.0 + &b.0, &a.1 + &b.1),
            &(jnp::ones([3]), jnp::ones([4])),
        )
    });
    assert_eq!(
        msg,
        "ValueError: Array inputs to associative_scan must have the same first dimension. (saw: [(3,), (4,)])"
    );
    let msg = common::panic_message(|| lax::associative_scan(add, &Array::scalar(1.0f32)));
    assert_eq!(
        msg,
        "ValueError: axis 0 is out of bounds for array of dimension 0"
    );
}

/// Total elements of the residuals a vjp keeps (its linear program's constants).
fn residual_elements(f: impl Fn(&Array) -> Array, x: &Array) -> usize {
    let (_, lin) = jaxide::transforms::vjp(f, x);
    lin.jaxpr().consts.iter().map(|c| c.size()).sum()
}

#[test]
fn checkpoint_recomputes_instead_of_storing() {
    use jaxide::transforms::{Checkpoint, CheckpointPolicy};
    let chain = |x: &Array| jnp::sin(jnp::sin(jnp::sin(jnp::sin(x))));
    let x = jnp::linspace(-1.0, 1.0, 1000);
    let plain = residual_elements(chain, &x);
    let kept = residual_elements(checkpoint(chain), &x);
    assert!(plain >= 4000, "{plain}");
    assert!(kept <= 1001, "checkpoint keeps only the input: {kept}");
    // Same values and gradients, eagerly, under jit, and to second order.
    let loss = |x: &Array| chain(x).sum();
    let closs = |x: &Array| checkpoint(chain)(x).sum();
    let (v0, g0) = value_and_grad(loss)(&x);
    let (v1, g1) = value_and_grad(closs)(&x);
    assert_eq!(v0.item::<f32>(), v1.item::<f32>());
    assert_eq!(g0.to_vec::<f32>(), g1.to_vec::<f32>());
    assert_eq!(jit(grad(closs))(&x).to_vec::<f32>(), g0.to_vec::<f32>());
    let s = Array::scalar(0.7f32);
    let h0 = grad(grad(|x: &Array| chain(x)))(&s).item::<f32>();
    let h1 = grad(grad(|x: &Array| checkpoint(chain)(x)))(&s).item::<f32>();
    assert!((h0 - h1).abs() < 1e-6, "{h0} vs {h1}");
    // Forward mode differentiates through the function.
    let (_, t) = jvp(checkpoint(chain), &x, &jnp::ones([1000]));
    let (_, t0) = jvp(chain, &x, &jnp::ones([1000]));
    assert_eq!(t.to_vec::<f32>(), t0.to_vec::<f32>());
    // jax.value_and_grad(jax.checkpoint(g))(2.0) with g = sin(sin(x)):
    // (0.78907233, -0.25563914)
    let g = remat(|x: &Array| jnp::sin(jnp::sin(x)));
    let (v, d) = value_and_grad(|x: &Array| g(x))(&jnp::array(2.0));
    assert!((v.item::<f32>() - 0.78907233).abs() < 1e-6);
    assert!((d.item::<f32>() + 0.25563914).abs() < 1e-6);

    // Policies: dots saved (their results become residuals), same gradients.
    let layer = |(w, x): &(Array, Array)| jnp::tanh(jnp::matmul(w, jnp::tanh(jnp::matmul(w, x))));
    let w = jnp::reshape(&jnp::linspace(-0.5, 0.5, 64), &[8, 8]);
    let xv = jnp::linspace(0.0, 1.0, 8);
    let want = grad(|w: &Array| layer(&(w.clone(), xv.clone())).sum())(&w).to_vec::<f32>();
    for policy in [
        CheckpointPolicy::NothingSaveable,
        CheckpointPolicy::EverythingSaveable,
        CheckpointPolicy::DotsSaveable,
        CheckpointPolicy::DotsWithNoBatchDimsSaveable,
    ] {
        let c = checkpoint_with(
            layer,
            Checkpoint {
                policy: policy.clone(),
            },
        );
        let got = grad(|w: &Array| c(&(w.clone(), xv.clone())).sum())(&w).to_vec::<f32>();
        for (a, b) in got.iter().zip(&want) {
            assert!((a - b).abs() < 1e-6, "{policy:?}: {a} vs {b}");
        }
    }
    let res = |policy| {
        let c = checkpoint_with(layer, Checkpoint { policy });
        let (_, lin) = jaxide::transforms::vjp(|w: &Array| c(&(w.clone(), xv.clone())), &w);
        lin.jaxpr().consts.iter().map(|c| c.size()).sum::<usize>()
    };
    let (nothing, dots) = (
        res(CheckpointPolicy::NothingSaveable),
        res(CheckpointPolicy::DotsSaveable),
    );
    assert_eq!(dots, nothing + 16, "two saved 8-vectors");
}

#[test]
fn checkpoint_name_policies_keep_the_named_values() {
    use jaxide::transforms::{Checkpoint, CheckpointPolicy};
    // h(x) = sin(sin(x) tagged 'a') tagged 'b', summed.
    let h = |x: &Array| {
        let a = lax::checkpoint_name(&jnp::sin(x), "a");
        let b = lax::checkpoint_name(&jnp::sin(&a), "b");
        jnp::sin(&b)
    };
    let x = jnp::linspace(-1.0, 1.0, 100);
    let want = grad(|x: &Array| h(x).sum())(&x).to_vec::<f32>();
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let kept = |policy: CheckpointPolicy| {
        let c = checkpoint_with(
            h,
            Checkpoint {
                policy: policy.clone(),
            },
        );
        let got = grad(|x: &Array| c(x).sum())(&x).to_vec::<f32>();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-6, "{policy:?}: {g} vs {w}");
        }
        residual_elements(|x: &Array| c(x), &x)
    };
    let nothing = kept(CheckpointPolicy::NothingSaveable);
    assert_eq!(
        kept(CheckpointPolicy::SaveOnlyTheseNames(names(&["a"]))),
        nothing + 100
    );
    assert_eq!(
        kept(CheckpointPolicy::SaveOnlyTheseNames(names(&["a", "b"]))),
        nothing + 200
    );
    assert_eq!(
        kept(CheckpointPolicy::SaveAnyNamesButThese(names(&["a"]))),
        nothing + 100
    );
    assert_eq!(
        kept(CheckpointPolicy::SaveOnlyTheseNames(names(&["c"]))),
        nothing
    );
    // Saving anything but 'b' keeps the untagged values too (the sin
    // outputs), so more than the two named values.
    let all_but_b = kept(CheckpointPolicy::SaveAnythingExceptTheseNames(names(&[
        "b",
    ])));
    assert!(all_but_b > nothing + 200, "{all_but_b}");
    // Offloading is saving on the CPU.
    let offload = CheckpointPolicy::SaveAndOffloadOnlyTheseNames {
        saved: names(&["a"]),
        offloaded: names(&["b"]),
        src: "device".into(),
        dst: "pinned_host".into(),
    };
    assert_eq!(kept(offload), nothing + 200);
    let clash = std::panic::catch_unwind(|| {
        let _ = checkpoint_with(
            h,
            Checkpoint {
                policy: CheckpointPolicy::SaveAndOffloadOnlyTheseNames {
                    saved: names(&["a"]),
                    offloaded: names(&["a"]),
                    src: "device".into(),
                    dst: "pinned_host".into(),
                },
            },
        );
    });
    let msg = *clash.unwrap_err().downcast::<String>().unwrap();
    assert!(
        msg.starts_with("ValueError: The names should be exclusive"),
        "{msg}"
    );
}
