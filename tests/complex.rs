//! complex64 against golden values from real JAX
//! (`tests/fixtures/complex/gen_complex.py`): elementwise math with NumPy's
//! branch cuts, arithmetic, reductions, matmul, conversions, and gradients
//! (JAX's conjugate convention, and `holomorphic=True`); plus promotion,
//! printing, and the errors JAX raises.

use jaxide::prelude::*;
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/complex/complex.json");

fn parse_f32(v: &Value) -> f32 {
    match v.as_str().expect("floats are strings") {
        "nan" => f32::NAN,
        "inf" => f32::INFINITY,
        "-inf" => f32::NEG_INFINITY,
        s => s.parse::<f64>().unwrap() as f32,
    }
}

fn input(v: &Value) -> Array {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let data = v["data"].as_array().unwrap();
    match v["dtype"].as_str().unwrap() {
        "complex64" => Array::from_vec(
            data.iter()
                .map(|p| Complex32::new(parse_f32(&p[0]), parse_f32(&p[1])))
                .collect(),
            shape,
        ),
        "float32" => Array::from_vec(data.iter().map(parse_f32).collect(), shape),
        d => panic!("unexpected input dtype {d}"),
    }
}

/// Equal within `rtol` of the magnitude plus a small absolute slack (XLA
/// loses a few digits to cancellation near 0, e.g. in `sinh(1e-3+1e-3j)`);
/// NaNs and infinities must match.
fn close(got: f32, want: f32, scale: f32, rtol: f32) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= rtol * scale + 1e-7
}

fn check(name: &str, got: &Array, want: &Value, rtol: f32) {
    assert_eq!(
        got.dtype().name(),
        want["dtype"].as_str().unwrap(),
        "{name}: dtype"
    );
    let shape: Vec<usize> = want["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(got.shape(), &shape[..], "{name}: shape");
    assert_eq!(
        got.weak_type(),
        want["weak_type"].as_bool().unwrap(),
        "{name}: weak_type"
    );
    let data = want["data"].as_array().unwrap();
    match got.dtype() {
        DType::C64 => {
            for (i, (g, w)) in got.to_vec::<Complex32>().iter().zip(data).enumerate() {
                let (wr, wi) = (parse_f32(&w[0]), parse_f32(&w[1]));
                let scale = wr.abs().max(wi.abs());
                assert!(
                    close(g.re, wr, scale, rtol) && close(g.im, wi, scale, rtol),
                    "{name}[{i}]: got {g}, JAX gives {wr}{wi:+}j"
                );
                // Signs of zeros pick the side of a branch cut.
                let cut = matches!(
                    name,
                    "sqrt"
                        | "log"
                        | "arcsin"
                        | "arccos"
                        | "arcsinh"
                        | "arccosh"
                        | "arctanh"
                        | "log1p"
                        | "conj"
                );
                if cut && wi == 0.0 && g.im == 0.0 {
                    assert_eq!(
                        g.im.is_sign_negative(),
                        wi.is_sign_negative(),
                        "{name}[{i}]: sign of imag 0"
                    );
                }
            }
        }
        DType::F32 => {
            for (i, (g, w)) in got.to_vec::<f32>().iter().zip(data).enumerate() {
                let w = parse_f32(w);
                assert!(
                    close(*g, w, w.abs(), rtol),
                    "{name}[{i}]: got {g}, JAX gives {w}"
                );
            }
        }
        DType::Bool => {
            let want: Vec<bool> = data.iter().map(|b| b.as_bool().unwrap()).collect();
            assert_eq!(got.to_vec::<bool>(), want, "{name}");
        }
        d => panic!("{name}: unexpected dtype {d}"),
    }
}

fn unary(f: &str, x: &Array) -> Array {
    match f {
        "exp" => jnp::exp(x),
        "log" => jnp::log(x),
        "sqrt" => jnp::sqrt(x),
        "sin" => jnp::sin(x),
        "cos" => jnp::cos(x),
        "tan" => jnp::tan(x),
        "arcsin" => jnp::arcsin(x),
        "arccos" => jnp::arccos(x),
        "arctan" => jnp::arctan(x),
        "sinh" => jnp::sinh(x),
        "cosh" => jnp::cosh(x),
        "tanh" => jnp::tanh(x),
        "arcsinh" => jnp::arcsinh(x),
        "arccosh" => jnp::arccosh(x),
        "arctanh" => jnp::arctanh(x),
        "expm1" => jnp::expm1(x),
        "log1p" => jnp::log1p(x),
        "exp2" => jnp::exp2(x),
        "square" => jnp::square(x),
        "sign" => jnp::sign(x),
        "abs" => jnp::abs(x),
        "angle" => jnp::angle(x),
        "conj" => jnp::conj(x),
        "real" => jnp::real(x),
        "imag" => jnp::imag(x),
        "reciprocal" => jnp::reciprocal(x),
        "negative" => jnp::negative(x),
        "isfinite" => jnp::isfinite(x),
        "isnan" => jnp::isnan(x),
        "iscomplex" => jnp::iscomplex(x),
        "isreal" => jnp::isreal(x),
        "log10" => jnp::log10(x),
        "log2" => jnp::log2(x),
        "sum" => jnp::sum(x),
        "prod" => jnp::prod(x),
        "mean" => jnp::mean(x),
        "var" => jnp::var(x),
        "std" => jnp::std(x),
        "cumsum" => jnp::cumsum(x),
        "cumprod" => jnp::cumprod(x),
        "astype_c64" => x.astype(DType::C64),
        "astype_f32" => x.astype(DType::F32),
        "mul_by_1j" => x * Complex64::new(0.0, 1.0),
        "sort" => jnp::sort(x),
        "round" => jnp::round(x),
        _ => grad_case(f, x),
    }
}

/// `vmap(grad(f))` over the inputs, as the generator computes it.
fn grad_case(f: &str, z: &Array) -> Array {
    let holo = GradOptions {
        holomorphic: true,
        ..Default::default()
    };
    let g = |h: fn(&Array) -> Array, o: GradOptions| vmap(grad_with(h, Arg0, o))(z);
    let real = GradOptions::default();
    match f {
        "grad_abs2" => g(|z| jnp::abs(z).pow(2), real),
        "grad_abs" => g(|z| jnp::abs(z), real),
        "grad_angle" => g(|z| jnp::angle(z), real),
        "grad_real_sq" => g(|z| jnp::real(z * z), real),
        "grad_imag_exp" => g(|z| jnp::imag(jnp::exp(z)), real),
        "grad_abs_sin" => g(|z| jnp::abs(jnp::sin(z)), real),
        "grad_real_log" => g(|z| jnp::real(jnp::log(z)), real),
        "grad_real_conj_mul" => g(|z| jnp::real(jnp::conj(z) * z * 2.0), real),
        "grad_holo_sq" => g(|z| z * z, holo),
        "grad_holo_sin" => g(|z| jnp::sin(z), holo),
        "grad_holo_exp_div" => g(|z| jnp::exp(z) / (z + 2.0), holo),
        "grad_holo_sqrt" => g(|z| jnp::sqrt(z), holo),
        "grad_holo_pow3" => g(|z| z.pow(3), holo),
        _ => panic!("no dispatch for {f}"),
    }
}

fn binary(f: &str, x: &Array, y: &Array) -> Array {
    match f {
        "add" => jnp::add(x, y),
        "subtract" => jnp::subtract(x, y),
        "multiply" => jnp::multiply(x, y),
        "divide" => jnp::divide(x, y),
        "power" => jnp::power(x, y),
        "equal" => jnp::equal(x, y),
        "not_equal" => jnp::not_equal(x, y),
        "matmul" => jnp::matmul(x, y),
        "complex_from_parts" => jaxide::lax::complex(x, y),
        _ => panic!("no dispatch for {f}"),
    }
}

#[test]
fn golden_cases_match_jax() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 70);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let f = c["fn"].as_str().unwrap();
        let args: Vec<Array> = c["args"].as_array().unwrap().iter().map(input).collect();
        let got = match args.len() {
            1 => unary(f, &args[0]),
            2 => binary(f, &args[0], &args[1]),
            n => panic!("{name}: {n} args"),
        };
        check(name, &got, &c["out"], c["rtol"].as_f64().unwrap() as f32);
    }
}

fn panic_message(f: impl FnOnce() -> Array) -> String {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    match r {
        Ok(v) => panic!("expected a panic, got {v:?}"),
        Err(e) => e.downcast::<String>().map(|s| *s).unwrap_or_else(|e| {
            e.downcast::<&str>()
                .map(|s| s.to_string())
                .unwrap_or_default()
        }),
    }
}

#[test]
fn complex_dtypes_promote_print_and_convert_as_in_jax() {
    let z = jnp::array([Complex32::new(1.0, 2.0), Complex32::new(1.5, 2.25)]);
    assert_eq!(
        format!("{z:?}"),
        "Array([1. +2.j  , 1.5+2.25j], dtype=complex64)"
    );
    assert_eq!(format!("{z}"), "[1. +2.j   1.5+2.25j]");
    // A Rust complex scalar is weak, like Python's `1j`.
    let w = jnp::array(Complex64::new(0.0, 1.0));
    assert_eq!(
        format!("{w:?}"),
        "Array(0.+1.j, dtype=complex64, weak_type=True)"
    );
    assert_eq!(format!("{w}"), "1j");
    let h = jnp::ones_dtype([2], DType::F16) * Complex64::new(0.0, 1.0);
    assert_eq!(h.dtype(), DType::C64);
    assert_eq!(jnp::promote_types(DType::F64, DType::C64), DType::C128);
    assert_eq!(
        (jnp::array([1i32, 2]) * Complex64::new(1.0, 1.0)).dtype(),
        DType::C64
    );
    assert_eq!(jnp::abs(&z).dtype(), DType::F32);
    assert!(jnp::iscomplexobj(&z) && jnp::isrealobj(jnp::array([1.0f32])));
    // A complex128 request without x64 is complex64, as in JAX.
    assert_eq!(jnp::zeros_dtype([2], DType::C128).dtype(), DType::C64);
    assert_eq!(
        format!("{:?}", jnp::angle_with(&z, jnp::Angle { deg: true })),
        "Array([63.43495 , 56.309933], dtype=float32)"
    );
    // jit and vmap run complex programs (complex ops never fuse into the f32 kernels).
    let f = jit(|z: &Array| (jnp::exp(z) * jnp::abs(z)).sum());
    let (got, want) = (
        f(&z).item::<Complex32>(),
        (jnp::exp(&z) * jnp::abs(&z)).sum().item::<Complex32>(),
    );
    assert!((got - want).norm() <= 1e-5 * want.norm(), "{got} vs {want}");
    let g = vmap(|z: &Array| jnp::real(z) * jnp::imag(z));
    assert_eq!(g(&z).to_vec::<f32>(), vec![2.0, 3.375]);
    // The at[] updates and gathers move complex values.
    let u = z.at(1).add(Complex64::new(0.5, -0.25));
    assert_eq!(u.to_vec::<Complex32>()[1], Complex32::new(2.0, 2.0));
    assert_eq!(
        jnp::take(&z, jnp::array([1i32, 0])).to_vec::<Complex32>()[0],
        Complex32::new(1.5, 2.25)
    );
}

#[test]
fn complex_inputs_are_rejected_where_jax_rejects_them() {
    let z = jnp::array([Complex32::new(0.0, 1.0)]);
    let m = panic_message(|| jnp::less(&z, &z));
    assert!(m.starts_with("TypeError: lt does not accept dtype complex64 at position 0. Accepted dtypes at position 0 are subtypes of integer, floating, bool."), "{m}");
    let m = panic_message(|| jaxide::lax::rem(&z, &z));
    assert!(m.starts_with("TypeError: rem does not accept dtype complex64 at position 0. Accepted dtypes at position 0 are subtypes of integer, floating."), "{m}");
    let m = panic_message(|| jnp::floor(&z));
    assert!(m.starts_with("TypeError: floor does not accept dtype complex64. Accepted dtypes are subtypes of floating."), "{m}");
    let m = panic_message(|| jaxide::lax::exp(&jnp::array([1i32])));
    assert!(
        m.contains("Accepted dtypes are subtypes of floating, complexfloating."),
        "{m}"
    );
    let m = panic_message(|| jnp::argmax(&z));
    assert!(
        m.starts_with("TypeError: gt does not accept dtype complex64"),
        "{m}"
    );
    let m = panic_message(|| jaxide::lax::complex(&jnp::array([1i32]), &jnp::array([1i32])));
    assert!(
        m.starts_with("TypeError: complex does not accept dtype int32"),
        "{m}"
    );
}

#[test]
fn grad_follows_jax_conventions_for_complex_values() {
    let z = jnp::array(Complex32::new(3.0, 4.0));
    // Conjugate convention: grad |z|² at 3+4j is 6-8j.
    let g = grad(|z: &Array| jnp::abs(z).pow(2))(&z);
    assert_eq!(g.item::<Complex32>(), Complex32::new(6.0, -8.0));
    let m = panic_message(|| grad(|z: &Array| z * z)(&z));
    assert_eq!(
        m,
        "TypeError: grad requires real-valued outputs (output dtype that is a sub-dtype of \
         np.floating), but got complex64. For holomorphic differentiation, pass \
         holomorphic=True. For differentiation of non-holomorphic functions involving complex \
         outputs, use jax.vjp directly."
    );
    let holo = GradOptions {
        holomorphic: true,
        ..Default::default()
    };
    let m = panic_message(|| grad_with(|z: &Array| z * z, Arg0, holo)(&jnp::array(1.0f32)));
    assert_eq!(m, "TypeError: grad with holomorphic=True requires inputs with complex dtype, but got float32.");
    let m = panic_message(|| grad_with(|z: &Array| jnp::real(z), Arg0, holo)(&z));
    assert_eq!(m, "TypeError: grad with holomorphic=True requires outputs with complex dtype, but got float32.");
    let (v, d) = value_and_grad_with(|z: &Array| z.pow(2), Arg0, holo)(&z);
    assert_eq!(v.item::<Complex32>(), Complex32::new(-7.0, 24.0));
    assert_eq!(d.item::<Complex32>(), Complex32::new(6.0, 8.0));
    let m = panic_message(|| grad(|x: &Array| x * 1.0)(&jnp::array(1i32)));
    assert!(m.ends_with("If you want to use Boolean- or integer-valued inputs, use vjp or set allow_int to True."), "{m}");
}

#[test]
fn grad_allow_int_gives_float0_tangents() {
    let opts = GradOptions {
        allow_int: true,
        ..Default::default()
    };
    let f = |x: &Array, n: &Array| (x * n.astype(DType::F32)).sum();
    let (gx, gn) =
        grad_with(f, (Arg0, Arg1), opts)(&jnp::array([1.0f32, 2.0]), &jnp::array([3i32, 4]));
    assert_eq!(gx.to_vec::<f32>(), vec![3.0, 4.0]);
    assert_eq!((gn.dtype(), gn.shape()), (DType::Float0, &[2usize][..]));
    assert_eq!(
        format!("{gn:?}"),
        "TypedNdArray([(b'',), (b'',)], dtype=void)"
    );
    assert_eq!(format!("{gn}"), "[(b'',) (b'',)]");
    let g0 = grad_with(|x: &Array| x.astype(DType::F32) * 2.0, Arg0, opts)(&jnp::array(3i32));
    assert_eq!(
        format!("{g0:?} {g0}"),
        "TypedNdArray((b'',), dtype=void) (b'',)"
    );
    let gb = grad_with(|x: &Array| x.astype(DType::F32).sum(), Arg0, opts)(&jnp::zeros_dtype(
        [0],
        DType::Bool,
    ));
    assert_eq!(
        format!("{gb:?}"),
        "TypedNdArray([], shape=(0,), dtype=void)"
    );
    let wide = grad_with(|x: &Array| x.astype(DType::F32).sum(), Arg0, opts)(&jnp::zeros_dtype(
        [2, 3],
        DType::I32,
    ));
    assert_eq!(
        format!("{wide:?}"),
        "TypedNdArray([[(b'',), (b'',), (b'',)],\n              [(b'',), (b'',), (b'',)]], dtype=void)"
    );
    // float0 values take part in no operation.
    let m = panic_message(|| &gn + 1.0);
    assert!(m.contains("does not accept dtype float0"), "{m}");
}

#[test]
fn grad_options_combine_with_has_aux() {
    let holo = GradOptions {
        holomorphic: true,
        ..Default::default()
    };
    let f = |z: &Array| (z * z, jnp::abs(z));
    let z = jnp::array(Complex32::new(1.0, 2.0));
    let (g, aux) = grad_has_aux_with(f, Arg0, holo)(&z);
    assert_eq!(g.item::<Complex32>(), Complex32::new(2.0, 4.0));
    assert_eq!(aux.dtype(), DType::F32);
    let ((v, _), g) = value_and_grad_has_aux_with(f, Arg0, holo)(&z);
    assert_eq!(v.item::<Complex32>(), Complex32::new(-3.0, 4.0));
    assert_eq!(g.item::<Complex32>(), Complex32::new(2.0, 4.0));
}
