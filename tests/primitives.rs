//! Property tests: every primitive against a naive reference written here,
//! plus a coverage check that fails when a primitive family has no test.

use jaxide::ir::{BinaryOp, CompareOp, CumulativeOp, ReduceOp, UnaryOp};
use jaxide::lax;
use jaxide::lax::PRIMITIVE_FAMILIES;
use jaxide::{Array, DType};

/// Families exercised below. Adding a primitive family without adding it
/// here (and a test) fails `every_primitive_family_is_tested`.
const TESTED: &[&str] = &[
    "Unary",
    "Binary",
    "Compare",
    "Select",
    "ConvertElementType",
    "BitcastConvertType",
    "Fma",
    "ComplexPart",
    "Conj",
    "MakeComplex",
    "IntegerPow",
    "Reduce",
    "ArgReduce",
    "Cumulative",
    "ReduceWindow",
    "SelectAndGatherAdd",
    "SelectAndScatterAdd",
    "Reshape",
    "BroadcastInDim",
    "Transpose",
    "Squeeze",
    "Rev",
    "Slice",
    "Pad",
    "Concatenate",
    "DynamicSlice",
    "DynamicUpdateSlice",
    "DotGeneral",
    "ConvGeneralDilated",
    "Iota",
    "Threefry2x32",
    "Sort",
    "Gather",
    "Scatter",
    "StopGradient",
    "Name",
    "CustomLin",
    "Cond",
    "While",
    "Scan",
    "Qr",
    "Eigh",
    "Svd",
    "Eig",
    "Cholesky",
    "TriangularSolve",
    "Lu",
];

#[test]
fn every_primitive_family_is_tested() {
    let mut a: Vec<&str> = PRIMITIVE_FAMILIES.to_vec();
    let mut b: Vec<&str> = TESTED.to_vec();
    a.sort();
    b.sort();
    assert_eq!(a, b, "primitive families and tested families differ");
}

/// Deterministic pseudo-random values in [lo, hi).
fn values(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

fn f32s(v: &[f64]) -> Array {
    Array::from_vec(v.iter().map(|&x| x as f32).collect(), [v.len()])
}

fn unary_reference(op: UnaryOp, x: f64) -> f64 {
    use UnaryOp::*;
    match op {
        Neg => -x,
        Abs => x.abs(),
        Sign => {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                x
            }
        }
        Floor => x.floor(),
        Ceil => x.ceil(),
        Round => x.round_ties_even(),
        IsFinite => x.is_finite() as u8 as f64,
        Exp => x.exp(),
        Exp2 => x.exp2(),
        Expm1 => x.exp_m1(),
        Log => x.ln(),
        Log1p => x.ln_1p(),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Asinh => x.asinh(),
        Acosh => x.acosh(),
        Atanh => x.atanh(),
        Sqrt => x.sqrt(),
        Rsqrt => 1.0 / x.sqrt(),
        Cbrt => x.cbrt(),
        Logistic => 1.0 / (1.0 + (-x).exp()),
        Erf => erf_reference(x),
        Erfc => erfc_reference(x),
        ErfInv => erf_inv_reference(x),
        BesselI0e => bessel_reference(x, 0) * (-x.abs()).exp(),
        BesselI1e => bessel_reference(x, 1) * (-x.abs()).exp(),
        Square => x * x,
        Not => unreachable!(),
    }
}

/// `erfc(x)`: `1 - erf(x)` near zero, else the continued fraction
/// `exp(-x²)/sqrt(pi) / (x + 1/2 / (x + 1 / (x + 3/2 / ...)))`, reflected.
fn erfc_reference(x: f64) -> f64 {
    if x.abs() < 2.0 {
        return 1.0 - erf_reference(x);
    }
    let a = x.abs();
    let mut f = a;
    for k in (1..200).rev() {
        f = a + (k as f64 / 2.0) / f;
    }
    let y = (-a * a).exp() / std::f64::consts::PI.sqrt() / f;
    if x < 0.0 {
        2.0 - y
    } else {
        y
    }
}

/// The modified Bessel function I0 or I1 by its power series
/// `sum (x/2)^(2k+n) / (k! (k+n)!)`.
fn bessel_reference(x: f64, n: i32) -> f64 {
    let q = x * x / 4.0;
    let mut term = if n == 0 { 1.0 } else { x / 2.0 };
    let mut sum = term;
    for k in 1..200 {
        term *= q / (k as f64 * (k + n) as f64);
        sum += term;
        if term.abs() < 1e-18 * sum.abs() {
            break;
        }
    }
    sum
}

/// erf_inv by Newton's method on [`erf_reference`].
fn erf_inv_reference(x: f64) -> f64 {
    let mut y = 0.0f64;
    for _ in 0..60 {
        let slope = 2.0 / std::f64::consts::PI.sqrt() * (-y * y).exp();
        y -= (erf_reference(y) - x) / slope;
    }
    y
}

/// erf by its Taylor series.
fn erf_reference(x: f64) -> f64 {
    // Taylor series: accurate to ~1e-12 for |x| <= 3.5 (the tested domain).
    let mut sum = 0.0f64;
    let mut term = x;
    let mut n = 0.0;
    while term.abs() > 1e-17 * sum.abs().max(1e-300) || n < 3.0 {
        sum += term / (2.0 * n + 1.0);
        n += 1.0;
        term *= -x * x / n;
        if n > 200.0 {
            break;
        }
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

fn domain(op: UnaryOp) -> (f64, f64) {
    use UnaryOp::*;
    match op {
        Log | Sqrt | Rsqrt => (1e-3, 50.0),
        Log1p => (-0.9, 50.0),
        Asin | Acos | Atanh | ErfInv => (-0.99, 0.99),
        Acosh => (1.0, 50.0),
        Erf => (-3.5, 3.5),
        Exp | Exp2 | Expm1 | Sinh | Cosh => (-20.0, 20.0),
        _ => (-20.0, 20.0),
    }
}

#[test]
fn unary_float_ops_match_reference() {
    for op in UnaryOp::ALL {
        if op == UnaryOp::Not {
            continue;
        }
        let (lo, hi) = domain(op);
        let v = values(3001, lo, hi, op as u64 + 1);
        let out = lax::unary(op, &f32s(&v));
        let got: Vec<f64> = if op == UnaryOp::IsFinite {
            out.to_vec::<bool>()
                .iter()
                .map(|&b| b as u8 as f64)
                .collect()
        } else {
            out.to_vec::<f32>().iter().map(|&x| x as f64).collect()
        };
        for (x, g) in v.iter().zip(&got) {
            let xf = *x as f32 as f64;
            let want = unary_reference(op, xf) as f32 as f64;
            // Cephes' float32 Bessel expansions are good to 1.5e-6 (as in
            // XLA). XLA's erfc tail is good to 33 eps (jaxide gives JAX's
            // bits, e.g. erfc(8.164237) = 7.7359175e-31, 32 eps from exact).
            let ulps = match op {
                UnaryOp::BesselI0e | UnaryOp::BesselI1e => 16.0,
                UnaryOp::Erfc => 40.0,
                _ => 4.0,
            };
            let tol = ulps * f32::EPSILON as f64 * want.abs().max(f32::MIN_POSITIVE as f64);
            // XLA flushes subnormal results to zero, and so does jaxide.
            let flushed = *g == 0.0 && want.abs() < f32::MIN_POSITIVE as f64;
            assert!(
                (g - want).abs() <= tol || flushed || (g.is_nan() && want.is_nan()),
                "{}({xf}) = {g}, want {want}",
                op.name()
            );
        }
    }
}

#[test]
fn unary_ops_on_f64_and_half_match_reference() {
    for op in [
        UnaryOp::Exp,
        UnaryOp::Tanh,
        UnaryOp::Log,
        UnaryOp::Sin,
        UnaryOp::Sqrt,
    ] {
        let (lo, hi) = domain(op);
        let v = values(257, lo.max(1e-3), hi.min(10.0), 7);
        let x64 = Array::from_vec(v.clone(), [v.len()]); // x64 off: stored as f32
        assert_eq!(x64.dtype(), DType::F32);
        let h = lax::convert_element_type(&f32s(&v), DType::F16);
        let out: Vec<half::f16> = lax::unary(op, &h).to_vec();
        for (x, g) in v.iter().zip(out) {
            let xh = half::f16::from_f64(*x).to_f64();
            let want = half::f16::from_f64(unary_reference(op, xh)).to_f64();
            assert!(
                (g.to_f64() - want).abs() <= 2.0 * 0.000977 * want.abs().max(1e-4),
                "f16 {}({xh}) = {g}, want {want}",
                op.name()
            );
        }
    }
}

fn int_reference(op: BinaryOp, a: i32, b: i32) -> i32 {
    use BinaryOp::*;
    match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Mul => a.wrapping_mul(b),
        Div => {
            if b == 0 {
                -1
            } else {
                a.wrapping_div(b)
            }
        }
        Rem => {
            if b == 0 {
                a
            } else {
                a.wrapping_rem(b)
            }
        }
        Max => a.max(b),
        Min => a.min(b),
        And => a & b,
        Or => a | b,
        Xor => a ^ b,
        ShiftLeft => {
            if (b as u32) >= 32 {
                0
            } else {
                a << b
            }
        }
        ShiftRightArithmetic => a >> (b as u32).min(31),
        ShiftRightLogical => {
            if (b as u32) >= 32 {
                0
            } else {
                ((a as u32) >> b) as i32
            }
        }
        Pow | Atan2 => unreachable!(),
    }
}

fn i32s(v: &[i32]) -> Array {
    Array::from_vec(v.to_vec(), [v.len()])
}

#[test]
fn binary_int_ops_match_reference() {
    let a: Vec<i32> = vec![7, -7, 0, i32::MIN, i32::MAX, 3, 100, -1, 5, 1 << 20];
    let b: Vec<i32> = vec![2, 2, 0, -1, 0, -3, 7, 40, 31, 33];
    for op in BinaryOp::ALL {
        if matches!(op, BinaryOp::Pow | BinaryOp::Atan2) {
            continue;
        }
        let got = lax::binary(op, &i32s(&a), &i32s(&b)).to_vec::<i32>();
        for i in 0..a.len() {
            assert_eq!(
                got[i],
                int_reference(op, a[i], b[i]),
                "{}({}, {})",
                op.name(),
                a[i],
                b[i]
            );
        }
        // A rank-0 operand broadcasts on either side.
        let s = Array::from_vec(vec![b[0]], ());
        let got = lax::binary(op, &i32s(&a), &s).to_vec::<i32>();
        for i in 0..a.len() {
            assert_eq!(
                got[i],
                int_reference(op, a[i], b[0]),
                "{} scalar rhs",
                op.name()
            );
        }
    }
}

#[test]
fn binary_float_ops_match_reference() {
    let a = values(1001, -5.0, 5.0, 11);
    let b = values(1001, 0.5, 3.0, 12);
    for op in [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Rem,
        BinaryOp::Pow,
        BinaryOp::Max,
        BinaryOp::Min,
        BinaryOp::Atan2,
    ] {
        let got = lax::binary(op, &f32s(&a), &f32s(&b)).to_vec::<f32>();
        for i in 0..a.len() {
            let (x, y) = (a[i] as f32, b[i] as f32);
            let want = match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x * y,
                BinaryOp::Div => x / y,
                BinaryOp::Rem => x % y,
                BinaryOp::Pow => (x as f64).powf(y as f64) as f32,
                BinaryOp::Max => x.max(y),
                BinaryOp::Min => x.min(y),
                BinaryOp::Atan2 => (x as f64).atan2(y as f64) as f32,
                _ => unreachable!(),
            };
            let tol = 2.0 * f32::EPSILON * want.abs().max(f32::MIN_POSITIVE);
            assert!(
                (got[i] - want).abs() <= tol || (got[i].is_nan() && want.is_nan()),
                "{}({x}, {y}) = {}, want {want}",
                op.name(),
                got[i]
            );
        }
    }
    // NaN propagates through max/min.
    let n = f32s(&[f64::NAN, 1.0]);
    let one = f32s(&[1.0, f64::NAN]);
    assert!(lax::max(&n, &one)
        .to_vec::<f32>()
        .iter()
        .all(|v| v.is_nan()));
    assert!(lax::min(&n, &one)
        .to_vec::<f32>()
        .iter()
        .all(|v| v.is_nan()));
}

#[test]
fn comparisons_and_select_match_reference() {
    let a = values(500, -3.0, 3.0, 21);
    let b = values(500, -3.0, 3.0, 22);
    let (xa, xb) = (f32s(&a), f32s(&b));
    for op in CompareOp::ALL {
        let got = lax::compare(op, &xa, &xb).to_vec::<bool>();
        for i in 0..a.len() {
            let (x, y) = (a[i] as f32, b[i] as f32);
            let want = match op {
                CompareOp::Eq => x == y,
                CompareOp::Ne => x != y,
                CompareOp::Lt => x < y,
                CompareOp::Le => x <= y,
                CompareOp::Gt => x > y,
                CompareOp::Ge => x >= y,
            };
            assert_eq!(got[i], want, "{}", op.name());
        }
    }
    let p = lax::gt(&xa, &xb);
    let s = lax::select(&p, &xa, &xb).to_vec::<f32>();
    for i in 0..a.len() {
        assert_eq!(s[i], (a[i] as f32).max(b[i] as f32));
    }
}

#[test]
fn convert_and_integer_pow_match_reference() {
    let v = vec![-2.7f32, -0.5, 0.0, 0.5, 2.7, 300.0, f32::NAN];
    let x = Array::from_vec(v.clone(), [v.len()]);
    let as_i8 = lax::convert_element_type(&x, DType::I8).to_vec::<i8>();
    let as_u8 = lax::convert_element_type(&x, DType::U8).to_vec::<u8>();
    let as_bool = lax::convert_element_type(&x, DType::Bool).to_vec::<bool>();
    for i in 0..v.len() {
        assert_eq!(as_i8[i], v[i] as i8);
        assert_eq!(as_u8[i], v[i] as u8);
        assert_eq!(as_bool[i], v[i] != 0.0);
    }
    let y = lax::integer_pow(&x, 3).to_vec::<f32>();
    for i in 0..v.len() {
        let w = v[i] * v[i] * v[i];
        assert!(y[i] == w || (y[i].is_nan() && w.is_nan()));
    }
    let r = lax::integer_pow(&x, -2).to_vec::<f32>();
    assert_eq!(r[0], 1.0 / (2.7f32 * 2.7));
    let ints = lax::integer_pow(&i32s(&[3, -2, 1 << 16]), 2).to_vec::<i32>();
    assert_eq!(ints, vec![9, 4, 0]);
}

/// Naive reduction of a row-major array over `axes`.
fn reduce_reference(x: &[f64], shape: &[usize], axes: &[usize], op: ReduceOp) -> Vec<f64> {
    let out_shape: Vec<usize> = (0..shape.len())
        .filter(|d| !axes.contains(d))
        .map(|d| shape[d])
        .collect();
    let n_out: usize = out_shape.iter().product();
    let init = match op {
        ReduceOp::Sum => 0.0,
        ReduceOp::Prod => 1.0,
        ReduceOp::Max => f64::NEG_INFINITY,
        ReduceOp::Min => f64::INFINITY,
        _ => unreachable!(),
    };
    let mut out = vec![init; n_out];
    let strides: Vec<usize> = (0..shape.len())
        .map(|d| shape[d + 1..].iter().product())
        .collect();
    for (flat, &v) in x.iter().enumerate() {
        let mut o = 0;
        for d in 0..shape.len() {
            if !axes.contains(&d) {
                o = o * shape[d] + (flat / strides[d]) % shape[d];
            }
        }
        out[o] = match op {
            ReduceOp::Sum => out[o] + v,
            ReduceOp::Prod => out[o] * v,
            ReduceOp::Max => out[o].max(v),
            ReduceOp::Min => out[o].min(v),
            _ => unreachable!(),
        };
    }
    out
}

#[test]
fn reductions_match_reference_for_all_axis_sets() {
    let shape = [3usize, 4, 5];
    let v = values(60, 0.5, 1.5, 31);
    let x = Array::from_vec(v.iter().map(|&a| a as f32).collect(), shape);
    let vf: Vec<f64> = v.iter().map(|&a| a as f32 as f64).collect();
    let axis_sets: [&[usize]; 7] = [&[0], &[1], &[2], &[0, 1], &[0, 2], &[1, 2], &[0, 1, 2]];
    for op in [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Max, ReduceOp::Min] {
        for axes in axis_sets {
            let got = lax::reduce(&x, op, axes).to_vec::<f32>();
            let want = reduce_reference(&vf, &shape, axes, op);
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    ((*g as f64) - w).abs() <= 1e-5 * w.abs().max(1.0),
                    "{op:?} {axes:?}: {g} vs {w}"
                );
            }
        }
    }
    let b = Array::from_vec(vec![true, false, true, true], [2, 2]);
    assert_eq!(
        lax::reduce(&b, ReduceOp::And, &[1]).to_vec::<bool>(),
        vec![false, true]
    );
    assert_eq!(
        lax::reduce(&b, ReduceOp::Or, &[0]).to_vec::<bool>(),
        vec![true, true]
    );
    let ai = Array::from_vec(vec![3i32, 9, 9, 1, 0, 4], [2, 3]);
    assert_eq!(
        lax::arg_reduce(&ai, ReduceOp::ArgMax, 1, DType::I32).to_vec::<i32>(),
        vec![1, 2]
    );
    assert_eq!(
        lax::arg_reduce(&ai, ReduceOp::ArgMin, 0, DType::I32).to_vec::<i32>(),
        vec![1, 1, 1]
    );
    let nan = Array::from_vec(vec![1.0f32, f32::NAN, 5.0, f32::NAN], [4]);
    assert_eq!(
        lax::arg_reduce(&nan, ReduceOp::ArgMax, 0, DType::I32).item::<i32>(),
        1
    );
}

#[test]
fn cumulative_ops_match_reference() {
    let x = i32s(&[1, 2, 3, 4, 5, 6]);
    let x = lax::reshape(&x, &[2, 3]);
    assert_eq!(
        lax::cumulative(&x, CumulativeOp::Sum, 1, false).to_vec::<i32>(),
        vec![1, 3, 6, 4, 9, 15]
    );
    assert_eq!(
        lax::cumulative(&x, CumulativeOp::Sum, 0, false).to_vec::<i32>(),
        vec![1, 2, 3, 5, 7, 9]
    );
    assert_eq!(
        lax::cumulative(&x, CumulativeOp::Prod, 1, true).to_vec::<i32>(),
        vec![6, 6, 3, 120, 30, 6]
    );
    assert_eq!(
        lax::cumulative(&x, CumulativeOp::Max, 1, false).to_vec::<i32>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        lax::cumulative(&x, CumulativeOp::Min, 1, true).to_vec::<i32>(),
        vec![1, 2, 3, 4, 5, 6]
    );
}

/// The taps of every window (flat input index, `None` in the padding or
/// a base-dilation hole), in window order, by naive index arithmetic.
struct NaiveWindows {
    out_shape: Vec<usize>,
    taps: Vec<Vec<Option<usize>>>,
}

fn naive_windows(
    shape: &[usize],
    w: &[usize],
    s: &[usize],
    pad: &[(i64, i64)],
    bd: &[usize],
    wd: &[usize],
) -> NaiveWindows {
    let n = shape.len();
    let dil = |d: usize, k: usize| if d == 0 { 0 } else { (d - 1) * k + 1 };
    let out_shape: Vec<usize> = (0..n)
        .map(|d| {
            let padded = dil(shape[d], bd[d]) as i64 + pad[d].0 + pad[d].1;
            (((padded - dil(w[d], wd[d]) as i64).div_euclid(s[d] as i64)) + 1).max(0) as usize
        })
        .collect();
    let n_out: usize = out_shape.iter().product();
    let n_win: usize = w.iter().product();
    let taps = (0..n_out)
        .map(|o| {
            let oi = unravel(o, &out_shape);
            (0..n_win)
                .map(|k| {
                    let ki = unravel(k, w);
                    let mut idx = vec![0; n];
                    for d in 0..n {
                        let q = (oi[d] * s[d] + ki[d] * wd[d]) as i64 - pad[d].0;
                        if q < 0 || q % bd[d] as i64 != 0 || q / bd[d] as i64 >= shape[d] as i64 {
                            return None;
                        }
                        idx[d] = (q / bd[d] as i64) as usize;
                    }
                    Some(ravel(&idx, shape))
                })
                .collect()
        })
        .collect();
    NaiveWindows { out_shape, taps }
}

/// Operand shape, window, strides, padding, base and window dilation.
type WindowCase = (
    Vec<usize>,
    Vec<usize>,
    Vec<usize>,
    Vec<(i64, i64)>,
    Vec<usize>,
    Vec<usize>,
);

#[test]
// `!(a >= b)` is XLA's selection rule: NaN comparisons are false on purpose.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn windowed_ops_match_reference() {
    use lax::{ReduceWindowOptions, SelectPrim};
    let configs: Vec<WindowCase> = vec![
        (
            vec![5, 6],
            vec![2, 3],
            vec![1, 2],
            vec![(1, 0), (0, 2)],
            vec![1, 1],
            vec![1, 1],
        ),
        (
            vec![4, 5],
            vec![3, 2],
            vec![2, 1],
            vec![(2, 1), (-1, 1)],
            vec![2, 1],
            vec![1, 2],
        ),
        (
            vec![2, 4, 3],
            vec![1, 2, 2],
            vec![1, 2, 1],
            vec![(0, 0), (1, 1), (0, 1)],
            vec![1, 1, 1],
            vec![1, 1, 1],
        ),
        (vec![9], vec![4], vec![3], vec![(2, 3)], vec![1], vec![2]),
    ];
    for (k, (shape, w, s, pad, bd, wd)) in configs.into_iter().enumerate() {
        let n: usize = shape.iter().product();
        // Small integers: exact sums and plenty of ties.
        let xv: Vec<f64> = values(n, 0.0, 4.0, k as u64 + 10)
            .iter()
            .map(|v| v.floor())
            .collect();
        let tv = values(n, -1.0, 1.0, k as u64 + 20);
        let x = Array::from_vec(xv.iter().map(|&v| v as f32).collect(), shape.clone());
        let t = Array::from_vec(tv.iter().map(|&v| v as f32).collect(), shape.clone());
        let opts = ReduceWindowOptions {
            base_dilation: Some(bd.clone()),
            window_dilation: Some(wd.clone()),
        };
        let nw = naive_windows(&shape, &w, &s, &pad, &bd, &wd);
        let pads = || lax::Padding::Explicit(pad.clone());
        let got_sum = lax::reduce_window_sum(&x, &w, &s, pads(), opts.clone());
        let got_max = lax::reduce_window_max(&x, &w, &s, pads(), opts.clone());
        let got_min = lax::reduce_window_min(&x, &w, &s, pads(), opts.clone());
        let got_gather =
            lax::select_and_gather_add(&t, &x, SelectPrim::Ge, &w, &s, pads(), opts.clone());
        assert_eq!(got_sum.shape(), &nw.out_shape[..], "config {k}");
        let (mut sum, mut max, mut min, mut gat) = (vec![], vec![], vec![], vec![]);
        for taps in &nw.taps {
            let vals: Vec<f64> = taps.iter().flatten().map(|&i| xv[i]).collect();
            sum.push(vals.iter().sum::<f64>());
            max.push(vals.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)));
            min.push(vals.iter().fold(f64::INFINITY, |a, &b| a.min(b)));
            // The fold from (-inf, 0): a later element replaces only a smaller one.
            let mut acc = (f64::NEG_INFINITY, 0.0);
            for &i in taps.iter().flatten() {
                if !(acc.0 >= xv[i]) {
                    acc = (xv[i], tv[i] as f32 as f64);
                }
            }
            gat.push(acc.1);
        }
        assert_eq!(f64s_of(&got_sum), sum, "sum, config {k}");
        assert_eq!(f64s_of(&got_max), max, "max, config {k}");
        assert_eq!(f64s_of(&got_min), min, "min, config {k}");
        assert_eq!(f64s_of(&got_gather), gat, "gather, config {k}");
        // select_and_scatter_add has no dilation; padding taps count as -inf.
        if bd.iter().chain(&wd).all(|&d| d == 1) {
            let src = values(nw.taps.len(), -1.0, 1.0, k as u64 + 30);
            let src_a = Array::from_vec(
                src.iter().map(|&v| v as f32).collect(),
                nw.out_shape.clone(),
            );
            let got = lax::select_and_scatter_add(&src_a, &x, SelectPrim::Ge, &w, &s, pads());
            let mut want = vec![0.0f32; n];
            for (o, taps) in nw.taps.iter().enumerate() {
                let key = |t: &Option<usize>| t.map_or(f64::NEG_INFINITY, |i| xv[i]);
                let mut best = taps[0];
                for t in &taps[1..] {
                    if !(key(&best) >= key(t)) {
                        best = *t;
                    }
                }
                if let Some(i) = best {
                    want[i] += src[o] as f32;
                }
            }
            assert_eq!(got.to_vec::<f32>(), want, "scatter, config {k}");
        }
    }
    // Integer and bool operands.
    let xi = Array::from_vec(vec![3i32, -7, 12, 5, 0, i32::MIN], [6]);
    assert_eq!(
        lax::reduce_window_max(&xi, &[2], &[1], [(1, 1)], Default::default()).to_vec::<i32>(),
        vec![3, 3, 12, 12, 5, 0, i32::MIN]
    );
    assert_eq!(
        lax::reduce_window_sum(&xi, &[3], &[3], "VALID", Default::default()).to_vec::<i32>(),
        vec![8, i32::MIN + 5]
    );
    let b = Array::from_vec(vec![true, false, false, true], [4]);
    assert_eq!(
        lax::reduce_window_min(&b, &[2], &[1], "SAME", Default::default()).to_vec::<bool>(),
        vec![false, false, false, true]
    );
}

/// Row-major index helpers for the layout references.
fn unravel(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = i % shape[d];
        i /= shape[d];
    }
    idx
}

fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &s)| acc * s + i)
}

#[test]
fn layout_ops_match_reference() {
    let shape = [2usize, 3, 4];
    let data: Vec<i32> = (0..24).collect();
    let x = Array::from_vec(data.clone(), shape);
    // transpose
    let perm = [2usize, 0, 1];
    let t = lax::transpose(&x, &perm).to_vec::<i32>();
    let tshape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    for (i, &v) in t.iter().enumerate() {
        let oi = unravel(i, &tshape);
        let mut ii = vec![0; 3];
        for (k, &p) in perm.iter().enumerate() {
            ii[p] = oi[k];
        }
        assert_eq!(v, data[ravel(&ii, &shape)]);
    }
    // broadcast_in_dim
    let row = Array::from_vec(vec![1i32, 2, 3], [3]);
    let b = lax::broadcast_in_dim(&row, &[2, 3, 2], &[1]).to_vec::<i32>();
    for (i, &v) in b.iter().enumerate() {
        assert_eq!(v, unravel(i, &[2, 3, 2])[1] as i32 + 1);
    }
    // reshape and squeeze preserve order
    assert_eq!(lax::reshape(&x, &[4, 6]).to_vec::<i32>(), data);
    let s = lax::reshape(&x, &[1, 24, 1]);
    assert_eq!(lax::squeeze(&s, &[0, 2]).shape(), &[24]);
    // rev
    let r = lax::rev(&x, &[0, 2]).to_vec::<i32>();
    for (i, &v) in r.iter().enumerate() {
        let mut idx = unravel(i, &shape);
        idx[0] = 1 - idx[0];
        idx[2] = 3 - idx[2];
        assert_eq!(v, data[ravel(&idx, &shape)]);
    }
    // strided slice
    let sl = lax::slice_with_strides(&x, &[0, 1, 0], &[2, 3, 4], &[1, 1, 2]);
    assert_eq!(sl.shape(), &[2, 2, 2]);
    let got = sl.to_vec::<i32>();
    for (i, &v) in got.iter().enumerate() {
        let o = unravel(i, &[2, 2, 2]);
        assert_eq!(v, data[ravel(&[o[0], o[1] + 1, o[2] * 2], &shape)]);
    }
    // pad with interior and negative edges
    let v = i32s(&[1, 2, 3]);
    let nine = Array::from_vec(vec![9i32], ());
    assert_eq!(
        lax::pad(&v, &nine, &[(1, 2, 1)]).to_vec::<i32>(),
        vec![9, 1, 9, 2, 9, 3, 9, 9]
    );
    assert_eq!(
        lax::pad(&v, &nine, &[(-1, 1, 0)]).to_vec::<i32>(),
        vec![2, 3, 9]
    );
    // concatenate
    let c = lax::concatenate(&[&lax::reshape(&v, &[1, 3]), &lax::reshape(&v, &[1, 3])], 0);
    assert_eq!(c.to_vec::<i32>(), vec![1, 2, 3, 1, 2, 3]);
    let c1 = lax::concatenate(&[&x, &x], 2);
    assert_eq!(c1.shape(), &[2, 3, 8]);
    assert_eq!(c1.to_vec::<i32>()[4..8], data[0..4]);
    // iota
    let io = lax::broadcasted_iota(DType::I32, &[2, 3], 1).to_vec::<i32>();
    assert_eq!(io, vec![0, 1, 2, 0, 1, 2]);
}

#[test]
fn dynamic_slices_clamp_like_xla() {
    let x = lax::reshape(&i32s(&(0..12).collect::<Vec<_>>()), &[3, 4]);
    let idx = |v: i32| Array::from_vec(vec![v], ());
    let s = lax::dynamic_slice(&x, &[&idx(2), &idx(1)], &[2, 2]);
    // start row 2 clamps to 1 so the 2-row window fits.
    assert_eq!(s.to_vec::<i32>(), vec![5, 6, 9, 10]);
    let u = lax::dynamic_update_slice(
        &x,
        &lax::reshape(&i32s(&[-1, -2]), &[1, 2]),
        &[&idx(0), &idx(9)],
    );
    assert_eq!(u.to_vec::<i32>()[..4], [0, 1, -1, -2]);
    assert_eq!(
        x.to_vec::<i32>()[..4],
        [0, 1, 2, 3],
        "the operand is unchanged"
    );
}

#[test]
fn dot_general_matches_reference() {
    let (b, m, k, n) = (2usize, 3usize, 4usize, 5usize);
    let lv = values(b * m * k, -1.0, 1.0, 41);
    let rv = values(b * k * n, -1.0, 1.0, 42);
    let l = Array::from_vec(lv.iter().map(|&v| v as f32).collect(), [b, m, k]);
    let r = Array::from_vec(rv.iter().map(|&v| v as f32).collect(), [b, k, n]);
    let out = lax::dot_general(&l, &r, (&[2], &[1]), (&[0], &[0]), None).to_vec::<f32>();
    for bi in 0..b {
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k)
                    .map(|p| {
                        lv[bi * m * k + i * k + p] as f32 as f64
                            * rv[bi * k * n + p * n + j] as f32 as f64
                    })
                    .sum();
                let got = out[bi * m * n + i * n + j] as f64;
                assert!((got - want).abs() < 1e-5, "{got} vs {want}");
            }
        }
    }
    // Contracting a non-trailing lhs axis (needs a transpose internally), ints.
    let li = lax::reshape(&i32s(&(0..6).collect::<Vec<_>>()), &[3, 2]);
    let ri = lax::reshape(&i32s(&(0..6).collect::<Vec<_>>()), &[3, 2]);
    let o = lax::dot_general(&li, &ri, (&[0], &[0]), (&[], &[]), None).to_vec::<i32>();
    assert_eq!(o, vec![20, 26, 26, 35]);
}

/// Every order of an operand's batch, free, contracting and size-1 axes:
/// the kernel reads row-major and transposed operands in place and copies
/// the rest, and each agrees with a direct triple loop (f32, f64, i32).
#[test]
fn dot_general_reads_every_operand_layout() {
    fn perms(n: usize) -> Vec<Vec<usize>> {
        if n == 1 {
            return vec![vec![0]];
        }
        let mut out = Vec::new();
        for p in perms(n - 1) {
            for i in 0..n {
                let mut q = p.clone();
                q.insert(i, n - 1);
                out.push(q);
            }
        }
        out
    }
    let (b, m, k, n) = (2usize, 3usize, 5usize, 4usize);
    let lv: Vec<i32> = (0..b * m * k).map(|i| (i as i32 * 7) % 11 - 5).collect();
    let rv: Vec<i32> = (0..b * k * n).map(|i| (i as i32 * 5) % 13 - 6).collect();
    let mut want = vec![0i32; b * m * n];
    for bi in 0..b {
        for i in 0..m {
            for j in 0..n {
                want[(bi * m + i) * n + j] = (0..k)
                    .map(|p| lv[(bi * m + i) * k + p] * rv[(bi * k + p) * n + j])
                    .sum();
            }
        }
    }
    // Canonical operands with a trailing unit axis: (b, m, k, 1), (b, k, n, 1).
    let canon_l = lax::reshape(&i32s(&lv), &[b, m, k, 1]);
    let canon_r = lax::reshape(&i32s(&rv), &[b, k, n, 1]);
    let all = perms(4);
    for (ip, lp) in all.iter().enumerate() {
        for rp in all.iter().skip(ip % 3).step_by(3) {
            let pos = |p: &Vec<usize>, axis: usize| p.iter().position(|&a| a == axis).unwrap();
            // Axis roles: lhs (0 batch, 1 m, 2 k, 3 unit); rhs (0 batch, 1 k, 2 n, 3 unit).
            let contract = ([pos(lp, 2)], [pos(rp, 1)]);
            let batch = ([pos(lp, 0)], [pos(rp, 0)]);
            for dt in [DType::F32, DType::F64, DType::I32] {
                let l = lax::transpose(&canon_l, lp).astype(dt);
                let r = lax::transpose(&canon_r, rp).astype(dt);
                let out = lax::dot_general(
                    &l,
                    &r,
                    (&contract.0, &contract.1),
                    (&batch.0, &batch.1),
                    None,
                );
                let got = lax::reshape(&out, &[b * m * n])
                    .astype(DType::I32)
                    .to_vec::<i32>();
                assert_eq!(got, want, "{dt} lhs axes {lp:?}, rhs axes {rp:?}");
            }
        }
    }
}

/// `conv_general_dilated` against a direct loop over output positions and
/// window taps (strides, padding, both dilations, feature groups, NCHW/OIHW).
#[test]
fn conv_general_dilated_matches_reference() {
    let (n, c, h, w, o, g) = (2usize, 4usize, 5usize, 6usize, 6usize, 2usize);
    let (kh, kw) = (3usize, 2usize);
    let (stride, pad, ldil, rdil) = (
        [2usize, 1],
        [(1i64, 2i64), (-1, 1)],
        [1usize, 2],
        [2usize, 1],
    );
    let lv = values(n * c * h * w, -1.0, 1.0, 51);
    let rv = values(o * (c / g) * kh * kw, -1.0, 1.0, 52);
    let l = Array::from_vec(lv.iter().map(|&v| v as f32).collect(), [n, c, h, w]);
    let r = Array::from_vec(rv.iter().map(|&v| v as f32).collect(), [o, c / g, kh, kw]);
    let opts = lax::ConvOptions {
        lhs_dilation: Some(ldil.to_vec()),
        rhs_dilation: Some(rdil.to_vec()),
        feature_group_count: g,
        ..Default::default()
    };
    let out = lax::conv_general_dilated(&l, &r, &stride, pad, opts);
    let dil = |d: usize, r: usize| (d - 1) * r + 1;
    let size = |i: usize, k: usize, d: usize| {
        let padded = dil(i, ldil[d]) as i64 + pad[d].0 + pad[d].1;
        ((padded - dil(k, rdil[d]) as i64) / stride[d] as i64 + 1) as usize
    };
    let (oh, ow) = (size(h, kh, 0), size(w, kw, 1));
    assert_eq!(out.shape(), &[n, o, oh, ow]);
    let got = out.to_vec::<f32>();
    // The input value at dilated-and-padded position (y, x), or 0.
    let at = |b: usize, ch: usize, y: i64, x: i64| -> f64 {
        let (y, x) = (y - pad[0].0, x - pad[1].0);
        if y < 0 || x < 0 || y % ldil[0] as i64 != 0 || x % ldil[1] as i64 != 0 {
            return 0.0;
        }
        let (y, x) = ((y / ldil[0] as i64) as usize, (x / ldil[1] as i64) as usize);
        if y >= h || x >= w {
            return 0.0;
        }
        lv[((b * c + ch) * h + y) * w + x] as f32 as f64
    };
    let cg = c / g;
    for b in 0..n {
        for oc in 0..o {
            let grp = oc / (o / g);
            for y in 0..oh {
                for x in 0..ow {
                    let mut want = 0.0;
                    for ic in 0..cg {
                        for i in 0..kh {
                            for j in 0..kw {
                                let py = (y * stride[0] + i * rdil[0]) as i64;
                                let px = (x * stride[1] + j * rdil[1]) as i64;
                                let wv = rv[((oc * cg + ic) * kh + i) * kw + j] as f32 as f64;
                                want += at(b, grp * cg + ic, py, px) * wv;
                            }
                        }
                    }
                    let v = got[((b * o + oc) * oh + y) * ow + x] as f64;
                    assert!((v - want).abs() < 1e-5, "[{b},{oc},{y},{x}] {v} vs {want}");
                }
            }
        }
    }
}

/// `stop_gradient` is the identity on values (bound directly, it copies).
#[test]
fn stop_gradient_is_the_identity() {
    let v = values(7, -3.0, 3.0, 41);
    let x = f32s(&v);
    let p = lax::Primitive::StopGradient(lax::StopGradient);
    let y = jaxide::core::trace::bind1(&p, &[&x]);
    assert_eq!(y.to_vec::<f32>(), x.to_vec::<f32>());
    assert_eq!(lax::stop_gradient(&x).to_vec::<f32>(), x.to_vec::<f32>());
}

/// `name` (checkpoint_name) is the identity on values, eagerly and traced.
#[test]
fn checkpoint_name_is_the_identity() {
    let x = f32s(&values(9, -3.0, 3.0, 43));
    let p = lax::Primitive::Name(lax::Name { name: "h".into() });
    let y = jaxide::core::trace::bind1(&p, &[&x]);
    assert_eq!(y.to_vec::<f32>(), x.to_vec::<f32>());
    let j = jaxide::prelude::jit(|x: &Array| lax::checkpoint_name(&(x * 2.0f32), "h"))(&x);
    assert_eq!(j.to_vec::<f32>(), (&x * 2.0f32).to_vec::<f32>());
    let jaxpr = jaxide::prelude::make_jaxpr(|x: &Array| lax::checkpoint_name(x, "h"))(&x);
    assert!(jaxpr.to_string().contains("name[name=h]"), "{jaxpr}");
}

/// `custom_lin` only exists to be transposed: its abstract value is the
/// declared output type, and evaluating it is JAX's forward-mode error.
#[test]
fn custom_lin_has_its_declared_type_and_no_forward_evaluation() {
    use jaxide::core::aval::ShapedArray;
    use jaxide::core::shape::Shape;
    let out = ShapedArray::new(Shape::new(&[3]), DType::F32);
    let p = lax::Primitive::CustomLin(lax::CustomLin {
        bwd: std::sync::Arc::new(|_: &[Array], c: &[Array]| c.to_vec()),
        num_res: 0,
        in_avals: vec![out.clone()],
        out_avals: vec![out.clone()],
    });
    assert_eq!(p.abstract_eval(&[&out])[0], out);
    let x = f32s(&[1.0, 2.0, 3.0]);
    let bind = std::panic::AssertUnwindSafe(|| jaxide::core::trace::bind1(&p, &[&x]));
    let err = std::panic::catch_unwind(bind).unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("can't apply forward-mode autodiff (jvp) to a custom_vjp function"),
        "{msg}"
    );
}

/// `cond` against `if`, `while` against a Rust loop, `scan` against a fold.
#[test]
fn control_flow_matches_rust_loops() {
    let v = values(7, -2.0, 2.0, 11);
    let x = f32s(&v);
    for k in 0..4 {
        let y = lax::switch(
            &Array::scalar(k),
            &[
                &|x: &Array| lax::sin(x),
                &|x: &Array| lax::mul(x, x),
                &|x: &Array| lax::neg(x),
            ],
            &x,
        );
        let want: Vec<f32> = v
            .iter()
            .map(|&a| {
                let a = a as f32;
                match k {
                    0 => a.sin(),
                    1 => a * a,
                    _ => -a,
                }
            })
            .collect();
        assert_eq!(y.to_vec::<f32>(), want, "branch {k}");
    }
    // while: halve until the sum of squares drops below 1.
    let r = lax::while_loop(
        |c: &Array| lax::ge(&lax::mul(c, c).sum(), &Array::scalar(1.0f32)),
        |c: &Array| lax::mul(c, &Array::scalar(0.5f32)),
        &x,
    );
    let mut want: Vec<f32> = v.iter().map(|&a| a as f32).collect();
    while want.iter().map(|a| a * a).sum::<f32>() >= 1.0 {
        want.iter_mut().for_each(|a| *a *= 0.5);
    }
    assert_eq!(r.to_vec::<f32>(), want);
    // scan: running max with the running sum as ys.
    let xs = Array::from_vec(v.iter().map(|&a| a as f32).collect(), [7, 1]);
    let (m, sums) = lax::scan(
        |c: &(Array, Array), x: &Array| {
            let m = lax::max(&c.0, x);
            let s = lax::add(&c.1, x);
            ((m, s.clone()), s)
        },
        &(f32s(&[-10.0]), f32s(&[0.0])),
        &xs,
    );
    let (mut mx, mut sum, mut want_sums) = (-10.0f32, 0.0f32, vec![]);
    for &a in &v {
        mx = mx.max(a as f32);
        sum += a as f32;
        want_sums.push(sum);
    }
    assert_eq!(m.0.to_vec::<f32>(), vec![mx]);
    assert_eq!(m.1.to_vec::<f32>(), vec![sum]);
    assert_eq!(sums.to_vec::<f32>(), want_sums);
}

#[test]
fn threefry2x32_matches_random123_known_answers() {
    let u = |v: &[u32]| Array::from_vec(v.to_vec(), vec![v.len()]);
    // Counters as arrays, keys as scalars and as arrays.
    let (y0, y1) = lax::threefry2x32(
        &Array::scalar(0u32),
        &Array::scalar(0u32),
        &u(&[0, 0x243F_6A88]),
        &u(&[0, 0x85A3_08D3]),
    );
    assert_eq!(y0.to_vec::<u32>()[0], 0x6B20_0159);
    assert_eq!(y1.to_vec::<u32>()[0], 0x99BA_4EFE);
    let (y0, y1) = lax::threefry2x32(
        &u(&[u32::MAX, 0x1319_8A2E]),
        &u(&[u32::MAX, 0x0370_7344]),
        &u(&[u32::MAX, 0x243F_6A88]),
        &u(&[u32::MAX, 0x85A3_08D3]),
    );
    assert_eq!(y0.to_vec::<u32>(), vec![0x1CB9_96FC, 0xC492_3A9C]);
    assert_eq!(y1.to_vec::<u32>(), vec![0xBB00_2BE7, 0x483D_F7A0]);
}

#[test]
fn gather_and_scatter_match_naive_loops() {
    use lax::{GatherDimensionNumbers, GatherScatterMode as M, ScatterDimensionNumbers};
    // x: (4, 5); windows of (1, 3) at row/col starts, clipped or filled.
    let xv: Vec<f32> = (0..20).map(|v| v as f32).collect();
    let x = Array::from_vec(xv.clone(), [4, 5]);
    let starts = [[1i32, 0], [3, 4], [-1, 2], [2, 9]];
    let idx = Array::from_vec(starts.iter().flatten().copied().collect::<Vec<_>>(), [4, 2]);
    let dn = GatherDimensionNumbers {
        offset_dims: vec![1],
        collapsed_slice_dims: vec![0],
        start_index_map: vec![0, 1],
        ..Default::default()
    };
    let clip = lax::gather(&x, &idx, dn.clone(), &[1, 3], M::Clip).to_vec::<f32>();
    let fill = lax::gather(&x, &idx, dn, &[1, 3], M::FillOrDrop).to_vec::<f32>();
    for (b, s) in starts.iter().enumerate() {
        let r = s[0].clamp(0, 3) as usize;
        let c = s[1].clamp(0, 2) as usize;
        let fits = (0..=3).contains(&s[0]) && (0..=2).contains(&s[1]);
        for k in 0..3 {
            assert_eq!(clip[b * 3 + k], xv[r * 5 + c + k], "clip window {b}");
            if fits {
                assert_eq!(fill[b * 3 + k], xv[r * 5 + c + k]);
            } else {
                assert!(fill[b * 3 + k].is_nan(), "fill window {b}");
            }
        }
    }
    // Operand batching dims: row b of a (2, 5) operand at its own start.
    let y = Array::from_vec((0..10).map(|v| v as f32).collect::<Vec<_>>(), [2, 5]);
    let own = Array::from_vec(vec![3i32, 1], [2, 1]);
    let dn = GatherDimensionNumbers {
        offset_dims: vec![1],
        start_index_map: vec![1],
        operand_batching_dims: vec![0],
        start_indices_batching_dims: vec![0],
        ..Default::default()
    };
    let got = lax::gather(&y, &own, dn, &[1, 2], M::Clip).to_vec::<f32>();
    assert_eq!(got, vec![3.0, 4.0, 6.0, 7.0]);
    // scatter-add with duplicate rows accumulates; scatter replaces; drop skips.
    let rows = Array::from_vec(vec![2i32, 0, 2, 9], [4, 1]);
    let upd = Array::from_vec((0..20).map(|v| v as f32 * 0.5).collect::<Vec<_>>(), [4, 5]);
    let sdn = ScatterDimensionNumbers {
        update_window_dims: vec![1],
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..Default::default()
    };
    let zeros = Array::from_vec(vec![0.0f32; 20], [4, 5]);
    let added = lax::scatter_add(&zeros, &rows, &upd, sdn.clone(), M::FillOrDrop).to_vec::<f32>();
    let replaced = lax::scatter(&zeros, &rows, &upd, sdn, M::FillOrDrop).to_vec::<f32>();
    let u = |b: usize, k: usize| (b * 5 + k) as f32 * 0.5;
    for k in 0..5 {
        assert_eq!(added[2 * 5 + k], u(0, k) + u(2, k));
        assert_eq!(added[k], u(1, k));
        assert_eq!(added[5 + k], 0.0);
        assert_eq!(added[15 + k], 0.0, "row 9 is dropped");
        assert_eq!(replaced[2 * 5 + k], u(2, k), "the last update wins");
    }
}

#[test]
fn sort_matches_a_stable_reference_sort() {
    // Two keys with many ties (stability and the second key matter), values
    // carried along, on every axis of a rank-3 array; floats with NaN and -0.
    let shape = [3usize, 5, 4];
    let n: usize = shape.iter().product();
    let k1: Vec<i32> = values(n, 0.0, 3.0, 21)
        .iter()
        .map(|v| v.floor() as i32)
        .collect();
    let mut k2: Vec<f32> = values(n, -2.0, 2.0, 22)
        .iter()
        .map(|&v| (v * 2.0).round() as f32 / 2.0)
        .collect();
    k2[3] = f32::NAN;
    k2[7] = -0.0;
    k2[8] = 0.0;
    let vals: Vec<i32> = (0..n as i32).collect();
    let arr = |v: Vec<i32>| Array::from_vec(v, shape);
    for dim in 0..3 {
        let out = lax::sort(
            &[
                &arr(k1.clone()),
                &Array::from_vec(k2.clone(), shape),
                &arr(vals.clone()),
            ],
            dim,
            true,
            2,
        );
        let got = out[2].to_vec::<i32>();
        let stride: usize = shape[dim + 1..].iter().product();
        let outer: usize = shape[..dim].iter().product();
        for o in 0..outer {
            for i in 0..stride {
                let base = o * shape[dim] * stride + i;
                let mut lane: Vec<usize> = (0..shape[dim]).map(|k| base + k * stride).collect();
                let key2 = |j: usize| {
                    if k2[j].is_nan() {
                        f32::INFINITY
                    } else {
                        k2[j] + 0.0
                    }
                };
                lane.sort_by(|&a, &b| {
                    k1[a].cmp(&k1[b]).then(
                        (k2[a].is_nan())
                            .cmp(&k2[b].is_nan())
                            .then(key2(a).partial_cmp(&key2(b)).unwrap()),
                    )
                });
                for (k, &src) in lane.iter().enumerate() {
                    assert_eq!(got[base + k * stride], vals[src], "dim {dim} lane {o},{i}");
                }
            }
        }
    }
    let x = Array::from_vec(vec![3.0f32, f32::NAN, -1.0, 2.0], [4]);
    let s = lax::sort(&[&x], 0, true, 1).remove(0).to_vec::<f32>();
    assert_eq!(&s[..3], &[-1.0, 2.0, 3.0]);
    assert!(s[3].is_nan());
}

#[test]
fn fma_rounds_once() {
    // a*b = 1 - 2^-46 exactly; rounded to f32 first it would be 1.0 and the sum 0.
    let a = 1.0f32 - 2f32.powi(-23);
    let b = 1.0f32 + 2f32.powi(-23);
    let fused = lax::fma(
        &Array::scalar(a),
        &Array::scalar(b),
        &Array::scalar(-1.0f32),
    );
    assert_eq!(fused.to_vec::<f32>()[0], -(2f32.powi(-46)));
    // Against f64 (exact products of f32 values), with scalars broadcasting
    // in every position.
    let xs = values(37, -3.0, 3.0, 11);
    let ys = values(37, -3.0, 3.0, 12);
    let zs = values(37, -3.0, 3.0, 13);
    let full = |v: &[f64]| f32s(v);
    let got = lax::fma(&full(&xs), &full(&ys), &full(&zs)).to_vec::<f32>();
    for i in 0..37 {
        let (x, y, z) = (xs[i] as f32, ys[i] as f32, zs[i] as f32);
        assert_eq!(got[i], x.mul_add(y, z));
    }
    let s = |v: f32| Array::scalar(v);
    let got = lax::fma(&s(0.5), &full(&ys), &s(0.25)).to_vec::<f32>();
    let got2 = lax::fma(&full(&ys), &s(0.5), &full(&zs)).to_vec::<f32>();
    for i in 0..37 {
        assert_eq!(got[i], 0.5f32.mul_add(ys[i] as f32, 0.25));
        assert_eq!(got2[i], (ys[i] as f32).mul_add(0.5, zs[i] as f32));
    }
    assert_eq!(lax::fma(&s(2.0), &s(3.0), &s(1.0)).shape(), &[] as &[usize]);
}

#[test]
fn fma_rejects_mixed_dtypes_and_shapes() {
    let msg = |f: Box<dyn Fn()>| {
        let e = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    let m = msg(Box::new(|| {
        lax::fma(
            &Array::scalar(1i32),
            &Array::scalar(1i32),
            &Array::scalar(1i32),
        );
    }));
    assert!(m.contains("fma requires float operands"), "{m}");
    let m = msg(Box::new(|| {
        lax::fma(
            &f32s(&[1.0, 2.0]),
            &f32s(&[1.0, 2.0, 3.0]),
            &Array::scalar(1.0f32),
        );
    }));
    assert!(
        m.contains("incompatible shapes for broadcasting: (2,), (3,)"),
        "{m}"
    );
}

#[test]
fn bitcast_reinterprets_bits() {
    let x = Array::from_vec(vec![1.0f32, -2.5, f32::INFINITY], vec![3]);
    let b = lax::bitcast_convert_type(&x, DType::U32);
    assert_eq!(b.dtype(), DType::U32);
    assert_eq!(
        b.to_vec::<u32>(),
        vec![
            1.0f32.to_bits(),
            (-2.5f32).to_bits(),
            f32::INFINITY.to_bits()
        ]
    );
    let back = lax::bitcast_convert_type(&b, DType::F32);
    assert_eq!(back.to_vec::<f32>(), x.to_vec::<f32>());
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lax::bitcast_convert_type(&x, DType::F64)
    }));
    let msg = r
        .unwrap_err()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default();
    assert!(
        msg.contains("bitcast_convert_type from float32 to float64"),
        "{msg}"
    );
}

#[test]
fn scatter_gradient_goes_to_the_update_that_was_written() {
    use lax::{GatherScatterMode as M, ScatterDimensionNumbers};
    let dn = ScatterDimensionNumbers {
        inserted_window_dims: vec![0],
        scatter_dims_to_operand_dims: vec![0],
        ..Default::default()
    };
    let idx = Array::from_vec(vec![0i32, 0, 2], [3, 1]);
    let f = move |u: &Array| {
        let out = lax::scatter(
            &Array::from_vec(vec![0.0f32; 3], [3]),
            &idx,
            u,
            dn.clone(),
            M::Clip,
        );
        (out * Array::from_vec(vec![1.0f32, 2.0, 3.0], [3])).sum()
    };
    let g = jaxide::prelude::grad(f)(&Array::from_vec(vec![5.0f32, 6.0, 7.0], [3]));
    // The second update to row 0 overwrote the first.
    assert_eq!(g.to_vec::<f32>(), vec![0.0, 1.0, 3.0]);
}

#[test]
fn cumsum_of_negative_zeros_is_positive_zero_as_in_xla() {
    let x = Array::from_vec(vec![-0.0f32; 20], [20]);
    let y = jaxide::numpy::cumsum(&x).to_vec::<f32>();
    assert!(y.iter().all(|v| *v == 0.0 && v.is_sign_positive()));
}

#[test]
fn gather_rejects_mismatched_batching_dims() {
    use lax::{GatherDimensionNumbers, GatherScatterMode as M};
    let dn = GatherDimensionNumbers {
        collapsed_slice_dims: vec![0],
        start_index_map: vec![0],
        operand_batching_dims: vec![1],
        start_indices_batching_dims: vec![0],
        ..Default::default()
    };
    let r = std::panic::catch_unwind(|| {
        lax::gather(
            &Array::from_vec(vec![0.0f32; 6], [3, 2]),
            &Array::from_vec(vec![0i32; 3], [3, 1]),
            dn,
            &[1, 1],
            M::Clip,
        )
    });
    let e = r.unwrap_err();
    let msg = e.downcast_ref::<String>().unwrap();
    assert!(msg.contains("do not fit operand"), "{msg}");
}

/// `complex`, `real`, `imag`, `conj` and complex arithmetic against a naive
/// reference on (re, im) pairs.
#[test]
fn complex_primitives_match_pairs_of_reals() {
    use jaxide::core::element::Complex32;
    let n = 64;
    let (a, b) = (values(n, -3.0, 3.0, 11), values(n, -3.0, 3.0, 12));
    let (c, d) = (values(n, -3.0, 3.0, 13), values(n, 0.5, 3.0, 14));
    let z = lax::complex(&f32s(&a), &f32s(&b));
    let w = lax::complex(&f32s(&c), &f32s(&d));
    assert_eq!(z.dtype(), DType::C64);
    let zs = z.to_vec::<Complex32>();
    for i in 0..n {
        assert_eq!((zs[i].re, zs[i].im), (a[i] as f32, b[i] as f32));
    }
    assert_eq!(lax::real(&z).to_vec::<f32>(), f32s(&a).to_vec::<f32>());
    assert_eq!(lax::imag(&z).to_vec::<f32>(), f32s(&b).to_vec::<f32>());
    let conj = lax::conj(&z).to_vec::<Complex32>();
    let prod = lax::mul(&z, &w).to_vec::<Complex32>();
    let quot = lax::div(&z, &w).to_vec::<Complex32>();
    let abs = lax::abs(&z).to_vec::<f32>();
    for i in 0..n {
        let (ar, ai, br, bi) = (a[i], b[i], c[i], d[i]);
        assert_eq!((conj[i].re, conj[i].im), (ar as f32, -(ai as f32)));
        let (pr, pi) = (ar * br - ai * bi, ar * bi + ai * br);
        assert!((prod[i].re as f64 - pr).abs() < 1e-5 && (prod[i].im as f64 - pi).abs() < 1e-5);
        let den = br * br + bi * bi;
        let (qr, qi) = ((ar * br + ai * bi) / den, (ai * br - ar * bi) / den);
        assert!((quot[i].re as f64 - qr).abs() < 1e-5 && (quot[i].im as f64 - qi).abs() < 1e-5);
        assert!((abs[i] as f64 - ar.hypot(ai)).abs() < 1e-5);
    }
    // conj of a real array is complex, with -0 imaginary parts.
    let c = lax::conj(&f32s(&a));
    assert_eq!(c.dtype(), DType::C64);
    assert!(c
        .to_vec::<Complex32>()
        .iter()
        .all(|v| v.im == 0.0 && v.im.is_sign_negative()));
}

// ---- linear algebra (qr, eigh, svd, eig) against naive f64 references ----

/// Row-major `m×n` f64 matrix product.
fn naive_matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for p in 0..k {
            for j in 0..n {
                c[i * n + j] += a[i * k + p] * b[p * n + j];
            }
        }
    }
    c
}

fn naive_transpose(a: &[f64], m: usize, n: usize) -> Vec<f64> {
    (0..n * m).map(|t| a[(t % m) * n + t / m]).collect()
}

/// Eigenvalues of a symmetric matrix by cyclic Jacobi rotations, ascending.
fn jacobi_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
    let mut a = a.to_vec();
    for _sweep in 0..100 {
        let off: f64 = (0..n * n)
            .filter(|t| t / n != t % n)
            .map(|t| a[t] * a[t])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p * n + q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * a[p * n + q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
        }
    }
    let mut w: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
    w.sort_by(|x, y| x.partial_cmp(y).unwrap());
    w
}

fn f64s_of(x: &Array) -> Vec<f64> {
    x.to_vec::<f32>().iter().map(|&v| v as f64).collect()
}

fn assert_all_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

#[test]
fn qr_matches_naive_gram_schmidt() {
    for (m, n, seed) in [(5, 3, 1), (4, 4, 2), (3, 5, 3)] {
        let a = values(m * n, -1.0, 1.0, seed);
        let x = lax::reshape(&f32s(&a), &[m, n]);
        let k = m.min(n);
        for full in [false, true] {
            let (q, r) = lax::qr(&x, full);
            let kq = if full { m } else { k };
            assert_eq!((q.shape(), r.shape()), (&[m, kq][..], &[kq, n][..]));
            let (qv, rv) = (f64s_of(&q), f64s_of(&r));
            // r is upper triangular, q has orthonormal columns, q r = a.
            for i in 0..kq {
                for j in 0..i.min(n) {
                    assert_eq!(rv[i * n + j], 0.0, "r[{i},{j}]");
                }
            }
            let qtq = naive_matmul(&naive_transpose(&qv, m, kq), &qv, kq, m, kq);
            let eye: Vec<f64> = (0..kq * kq)
                .map(|t| (t / kq == t % kq) as u8 as f64)
                .collect();
            assert_all_close(&qtq, &eye, 1e-5, "qᵀq");
            assert_all_close(&naive_matmul(&qv, &rv, m, kq, n), &a, 1e-5, "q r");
            // The first k columns are Gram–Schmidt's, up to the sign making diag(r) positive.
            for j in 0..k {
                let mut col: Vec<f64> = (0..m).map(|i| a[i * n + j]).collect();
                for p in 0..j {
                    let sgn = rv[p * n + p].signum();
                    let qp: Vec<f64> = (0..m).map(|i| qv[i * kq + p] * sgn).collect();
                    let d: f64 = (0..m).map(|i| qp[i] * a[i * n + j]).sum();
                    for i in 0..m {
                        col[i] -= d * qp[i];
                    }
                }
                let norm = col.iter().map(|v| v * v).sum::<f64>().sqrt();
                assert!((rv[j * n + j].abs() - norm).abs() < 1e-5, "|r[{j},{j}]|");
                let sgn = rv[j * n + j].signum();
                let got: Vec<f64> = (0..m).map(|i| qv[i * kq + j] * sgn).collect();
                let want: Vec<f64> = col.iter().map(|v| v / norm).collect();
                assert_all_close(&got, &want, 1e-4, "q column");
            }
        }
    }
}

#[test]
fn eigh_and_svd_match_naive_jacobi() {
    let n = 5;
    let b = values(n * n, -1.0, 1.0, 7);
    let sym: Vec<f64> = (0..n * n).map(|t| b[t] + b[(t % n) * n + t / n]).collect();
    let (v, w) = lax::eigh(&lax::reshape(&f32s(&sym), &[n, n]), true, false, true);
    assert_eq!((v.shape(), w.shape()), (&[n, n][..], &[n][..]));
    assert_all_close(&f64s_of(&w), &jacobi_eigenvalues(&sym, n), 1e-5, "eigh w");
    let vv = f64s_of(&v);
    let vw: Vec<f64> = (0..n * n).map(|t| vv[t] * f64s_of(&w)[t % n]).collect();
    let recon = naive_matmul(&vw, &naive_transpose(&vv, n, n), n, n, n);
    assert_all_close(&recon, &sym, 1e-5, "v diag(w) vᵀ");
    // Only the lower triangle is read when the input is not symmetrized.
    let mut lower_only = sym.clone();
    for i in 0..n {
        for j in i + 1..n {
            lower_only[i * n + j] = 99.0;
        }
    }
    let (_, w2) = lax::eigh(
        &lax::reshape(&f32s(&lower_only), &[n, n]),
        true,
        false,
        true,
    );
    assert_all_close(&f64s_of(&w2), &jacobi_eigenvalues(&sym, n), 1e-5, "lower");
    for (m, k, seed) in [(6, 4, 8), (3, 5, 9)] {
        let a = values(m * k, -1.0, 1.0, seed);
        let o = lax::svd(&lax::reshape(&f32s(&a), &[m, k]), false, true);
        let (s, u, vt) = (&o[0], &o[1], &o[2]);
        let r = m.min(k);
        let ata = naive_matmul(&naive_transpose(&a, m, k), &a, k, m, k);
        let mut want: Vec<f64> = jacobi_eigenvalues(&ata, k)
            .iter()
            .rev()
            .take(r)
            .map(|e| e.max(0.0).sqrt())
            .collect();
        want.truncate(r);
        assert_all_close(&f64s_of(s), &want, 1e-5, "svd s");
        let (uv, sv) = (f64s_of(u), f64s_of(s));
        let us: Vec<f64> = (0..m * r).map(|t| uv[t] * sv[t % r]).collect();
        assert_all_close(
            &naive_matmul(&us, &f64s_of(vt), m, r, k),
            &a,
            1e-5,
            "u s vt",
        );
        let only_s = lax::svd(&lax::reshape(&f32s(&a), &[m, k]), true, false);
        assert_eq!(only_s.len(), 1);
        assert_all_close(&f64s_of(&only_s[0]), &want, 1e-5, "s only");
    }
}

#[test]
fn eig_matches_known_spectra() {
    // Block upper triangular: eigenvalues 2, -1 and the rotation block's 0.5 ± 2i.
    let a = [
        2.0, 1.0, 0.3, -0.7, //
        0.0, -1.0, 0.5, 0.2, //
        0.0, 0.0, 0.5, -2.0, //
        0.0, 0.0, 2.0, 0.5,
    ];
    let x = lax::reshape(&f32s(&a), &[4, 4]);
    let o = lax::eig(&x, true, true);
    assert_eq!(o.len(), 3);
    let mut w: Vec<(f64, f64)> = o[0]
        .to_vec::<jaxide::prelude::Complex32>()
        .iter()
        .map(|z| (z.re as f64, z.im as f64))
        .collect();
    w.sort_by(|p, q| p.partial_cmp(q).unwrap());
    let want = [(-1.0, 0.0), (0.5, -2.0), (0.5, 2.0), (2.0, 0.0)];
    for (g, e) in w.iter().zip(want) {
        assert!(
            (g.0 - e.0).abs() < 1e-5 && (g.1 - e.1).abs() < 1e-5,
            "{g:?} vs {e:?}"
        );
    }
    // a vr = vr diag(w) and vlᴴ a = diag(w) vlᴴ, with unit-norm columns.
    let wv = o[0].to_vec::<jaxide::prelude::Complex32>();
    let (vl, vr) = (
        o[1].to_vec::<jaxide::prelude::Complex32>(),
        o[2].to_vec::<jaxide::prelude::Complex32>(),
    );
    for j in 0..4 {
        let (mut nl, mut nr) = (0.0f32, 0.0f32);
        for i in 0..4 {
            let mut av = jaxide::prelude::Complex32::new(0.0, 0.0);
            let mut la = jaxide::prelude::Complex32::new(0.0, 0.0);
            for k in 0..4 {
                av += vr[k * 4 + j] * a[i * 4 + k] as f32;
                la += vl[k * 4 + j].conj() * a[k * 4 + i] as f32;
            }
            assert!((av - wv[j] * vr[i * 4 + j]).norm() < 1e-5, "right {j}");
            assert!(
                (la - wv[j] * vl[i * 4 + j].conj()).norm() < 1e-5,
                "left {j}"
            );
            nl += vl[i * 4 + j].norm_sqr();
            nr += vr[i * 4 + j].norm_sqr();
        }
        assert!((nl - 1.0).abs() < 1e-5 && (nr - 1.0).abs() < 1e-5);
    }
    let only_w = lax::eig(&x, false, false);
    assert_eq!((only_w.len(), only_w[0].dtype()), (1, DType::C64));
}

// ------------------------------------------------------------ linalg

/// A naive row-major `n × n` product `a @ b`.
fn naive_matmul_square_k(a: &[f64], b: &[f64], n: usize, m: usize) -> Vec<f64> {
    let k = a.len() / n;
    let mut out = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            out[i * m + j] = (0..k).map(|t| a[i * k + t] * b[t * m + j]).sum();
        }
    }
    out
}

#[test]
fn cholesky_matches_a_naive_factorization() {
    // Batches of SPD matrices `B Bᵀ + n I` (float32) against the textbook loop in f64.
    for (batch, n) in [(1usize, 1usize), (2, 3), (3, 6), (1, 40)] {
        let mut data = Vec::new();
        for b in 0..batch {
            let r = values(n * n, -1.0, 1.0, 30 + (b * n) as u64);
            let mut a = naive_matmul_square_k(&r, &transpose_sq(&r, n), n, n);
            for i in 0..n {
                a[i * n + i] += n as f64;
            }
            data.extend(a.iter().map(|&v| v as f32 as f64));
        }
        let x = Array::from_vec(to_f32s(&data), [batch, n, n]);
        let got = lax::linalg::cholesky(&x, false).to_vec::<f32>();
        for b in 0..batch {
            let a = &data[b * n * n..(b + 1) * n * n];
            let mut l = vec![0.0f64; n * n];
            for j in 0..n {
                let d = a[j * n + j] - (0..j).map(|k| l[j * n + k] * l[j * n + k]).sum::<f64>();
                l[j * n + j] = d.sqrt();
                for i in j + 1..n {
                    let s = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
                    l[i * n + j] = s / l[j * n + j];
                }
            }
            for (g, w) in got[b * n * n..(b + 1) * n * n].iter().zip(&l) {
                assert!(
                    (*g as f64 - w).abs() <= 1e-5 * (n as f64),
                    "n={n}: {g} vs {w}"
                );
            }
        }
    }
}

fn transpose_sq(a: &[f64], n: usize) -> Vec<f64> {
    (0..n * n).map(|k| a[(k % n) * n + k / n]).collect()
}

#[test]
fn triangular_solve_matches_naive_substitution() {
    // Every option combination: the result satisfies op(a) x = b (or x op(a) = b)
    // with a read only through its named triangle (the other holds junk).
    let m = 5;
    let junk = values(m * m, -9.0, 9.0, 41);
    for bits in 0..32u32 {
        let o = lax::linalg::TriangularSolveOptions {
            left_side: bits & 1 != 0,
            lower: bits & 2 != 0,
            transpose_a: bits & 4 != 0,
            conjugate_a: bits & 8 != 0,
            unit_diagonal: bits & 16 != 0,
        };
        let mut t = vec![0.0f64; m * m];
        let mut a = junk.clone();
        let r = values(m * m, -1.0, 1.0, 42 + bits as u64);
        for i in 0..m {
            for j in 0..m {
                let inside = if o.lower { j <= i } else { j >= i };
                if inside {
                    let v = if i == j {
                        if o.unit_diagonal {
                            1.0
                        } else {
                            3.0 + r[i * m + j]
                        }
                    } else {
                        r[i * m + j]
                    };
                    t[i * m + j] = v;
                    if !(i == j && o.unit_diagonal) {
                        a[i * m + j] = v;
                    }
                }
            }
        }
        let op = if o.transpose_a {
            transpose_sq(&t, m)
        } else {
            t.clone()
        };
        let (rows, cols) = if o.left_side { (m, 3) } else { (3, m) };
        let b = values(rows * cols, -1.0, 1.0, 77 + bits as u64);
        let x = lax::linalg::triangular_solve_with(
            &Array::from_vec(to_f32s(&a), [m, m]),
            &Array::from_vec(to_f32s(&b), [rows, cols]),
            o,
        )
        .to_vec::<f32>()
        .iter()
        .map(|&v| v as f64)
        .collect::<Vec<_>>();
        let back = if o.left_side {
            naive_matmul_square_k(&op, &x, m, cols)
        } else {
            naive_matmul_square_k(&x, &op, rows, m)
        };
        for (g, w) in back.iter().zip(&b) {
            assert!((g - w).abs() < 1e-4, "options {o:?}: {g} vs {w}");
        }
    }
}

#[test]
fn lu_matches_a_naive_partial_pivoting() {
    // Square, wide, tall and batched; pivots and permutation exactly, factors to rounding.
    for (batch, m, n) in [
        (1usize, 4usize, 4usize),
        (2, 3, 5),
        (1, 6, 3),
        (3, 7, 7),
        (1, 260, 260),
    ] {
        let data: Vec<f64> = to_f32s(&values(batch * m * n, -1.0, 1.0, 50 + m as u64))
            .iter()
            .map(|&v| v as f64)
            .collect();
        let (lu, piv, perm) = lax::linalg::lu(&Array::from_vec(to_f32s(&data), [batch, m, n]));
        assert_eq!(piv.shape(), &[batch, m.min(n)]);
        assert_eq!(perm.dtype(), DType::I32);
        let (lu, piv, perm) = (
            lu.to_vec::<f32>(),
            piv.to_vec::<i32>(),
            perm.to_vec::<i32>(),
        );
        for b in 0..batch {
            let mut a = data[b * m * n..(b + 1) * m * n].to_vec();
            let mut order: Vec<i32> = (0..m as i32).collect();
            for j in 0..m.min(n) {
                let p = (j..m).fold(j, |best, i| {
                    if a[i * n + j].abs() > a[best * n + j].abs() {
                        i
                    } else {
                        best
                    }
                });
                assert_eq!(
                    piv[b * m.min(n) + j],
                    p as i32,
                    "{m}x{n} batch {b} step {j}"
                );
                for c in 0..n {
                    a.swap(j * n + c, p * n + c);
                }
                order.swap(j, p);
                for i in j + 1..m {
                    let l = a[i * n + j] / a[j * n + j];
                    a[i * n + j] = l;
                    for c in j + 1..n {
                        a[i * n + c] -= l * a[j * n + c];
                    }
                }
            }
            assert_eq!(&perm[b * m..(b + 1) * m], &order[..]);
            for (g, w) in lu[b * m * n..(b + 1) * m * n].iter().zip(&a) {
                assert!((*g as f64 - w).abs() < 2e-3, "{m}x{n}: {g} vs {w}");
            }
        }
    }
}

fn to_f32s(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}
