//! Bad-input behaviour of `jaxide::numpy`: panic messages for invalid calls,
//! and the non-panicking JAX semantics for integer division by zero and
//! out-of-range `.at[]` indices.
//!
//! Expected messages are JAX's (jax 0.10.2, see the reference notes); jaxide
//! prefixes the Python exception type (`ValueError: ...`), so the checks look
//! for JAX's message text inside the panic message. Where JAX gives no useful
//! message (e.g. `argmax` says `tuple index out of range`), the check uses the
//! normalized NumPy-style `axis N is out of bounds for array of dimension M`.

use jaxide::lax;
use jaxide::numpy as jnp;
use jaxide::{Array, DType};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Silences the default panic output for the expected panics caught below
/// (only on the thread that is catching them).
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                default(info);
            }
        }));
    });
}

/// The panic message of `f`, or `None` if it returned normally.
fn panic_message<R>(f: impl FnOnce() -> R) -> Option<String> {
    install_quiet_hook();
    QUIET.with(|q| q.set(true));
    let res = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    let err = res.err()?;
    Some(if let Some(s) = err.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = err.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "<non-string panic payload>".to_string()
    })
}

/// Collects every failed expectation of a test, so one run reports them all;
/// panics with the full list when dropped.
struct Checks {
    failures: Vec<String>,
}

impl Checks {
    fn new() -> Checks {
        Checks {
            failures: Vec::new(),
        }
    }

    /// Expects `f` to panic with a message containing `expected`.
    #[track_caller]
    fn panics_with<R>(&mut self, expected: &str, f: impl FnOnce() -> R) {
        let loc = std::panic::Location::caller();
        match panic_message(f) {
            None => self.failures.push(format!(
                "line {}: expected a panic containing {expected:?}, but the call returned normally",
                loc.line()
            )),
            Some(msg) if !msg.contains(expected) => self.failures.push(format!(
                "line {}: panic message does not contain the expected text\n    expected: \
                 {expected:?}\n    got:      {msg:?}",
                loc.line()
            )),
            Some(_) => {}
        }
    }
}

impl Drop for Checks {
    fn drop(&mut self) {
        if !self.failures.is_empty() && !std::thread::panicking() {
            panic!(
                "{} check(s) failed:\n  {}",
                self.failures.len(),
                self.failures.join("\n  ")
            );
        }
    }
}

fn ones(shape: &[usize]) -> Array {
    jnp::ones(shape.to_vec())
}

fn i32s(v: &[i32]) -> Array {
    Array::from_vec(v.to_vec(), [v.len()])
}

// ---------------------------------------------------------------------------
// Broadcasting
// ---------------------------------------------------------------------------

#[test]
fn broadcast_different_rank() {
    let mut c = Checks::new();
    c.panics_with(
        "Incompatible shapes for broadcasting: shapes=[(2, 3), (4,)]",
        || jnp::add(ones(&[2, 3]), ones(&[4])),
    );
    c.panics_with(
        "Incompatible shapes for broadcasting: shapes=[(2, 3), (5, 1, 4)]",
        || &ones(&[2, 3]) + &ones(&[5, 1, 4]),
    );
    // Shapes are listed in argument order.
    c.panics_with(
        "Incompatible shapes for broadcasting: shapes=[(4,), (2, 3)]",
        || jnp::add(ones(&[4]), ones(&[2, 3])),
    );
    c.panics_with(
        "Incompatible shapes for broadcasting: shapes=[(2,), (3,), (4,)]",
        || jnp::broadcast_arrays(&[&ones(&[2]), &ones(&[3]), &ones(&[4])]),
    );
}

#[test]
fn broadcast_same_rank_names_the_primitive() {
    let mut c = Checks::new();
    c.panics_with(
        "add got incompatible shapes for broadcasting: (2, 3), (3, 2).",
        || jnp::add(ones(&[2, 3]), ones(&[3, 2])),
    );
    let (a, b) = (ones(&[3]), ones(&[4]));
    c.panics_with(
        "add got incompatible shapes for broadcasting: (3,), (4,).",
        || &a + &b,
    );
    c.panics_with(
        "mul got incompatible shapes for broadcasting: (3,), (4,).",
        || &a * &b,
    );
    c.panics_with(
        "sub got incompatible shapes for broadcasting: (3,), (4,).",
        || &a - &b,
    );
    c.panics_with(
        "div got incompatible shapes for broadcasting: (3,), (4,).",
        || &a / &b,
    );
    c.panics_with(
        "max got incompatible shapes for broadcasting: (3,), (4,).",
        || jnp::maximum(&a, &b),
    );
    c.panics_with(
        "eq got incompatible shapes for broadcasting: (3,), (4,).",
        || jnp::equal(&a, &b),
    );
    c.panics_with(
        "lt got incompatible shapes for broadcasting: (3,), (4,).",
        || jnp::less(&a, &b),
    );
    c.panics_with(
        "pow got incompatible shapes for broadcasting: (3,), (4,).",
        || jnp::power(&a, &b),
    );
    // Float floor_divide calls lax.rem first in JAX.
    c.panics_with(
        "rem got incompatible shapes for broadcasting: (3,), (4,).",
        || jnp::floor_divide(&a, &b),
    );
}

#[test]
fn broadcast_to_incompatible() {
    let mut c = Checks::new();
    c.panics_with(
        "Incompatible types for broadcasting: input type=float32[2,3] and requested \
         type=float32[4,3]",
        || jnp::broadcast_to(&ones(&[2, 3]), &[4, 3]),
    );
}

// ---------------------------------------------------------------------------
// Reshape
// ---------------------------------------------------------------------------

#[test]
fn reshape_size_not_conserved() {
    let mut c = Checks::new();
    let x = ones(&[2, 3]);
    c.panics_with(
        "cannot reshape array of shape (2, 3) (size 6) into shape (4, 2) (size 8)",
        || jnp::reshape(&x, &[4, 2]),
    );
    c.panics_with(
        "cannot reshape array of shape (2, 3) (size 6) into shape (4, 2) (size 8)",
        || x.reshape(&[4, 2]),
    );
}

#[test]
fn reshape_minus_one_does_not_divide() {
    let mut c = Checks::new();
    c.panics_with(
        "cannot reshape array of shape (2, 3) (size 6) into shape (-1, 4) because the product \
         of specified axis sizes (4) does not evenly divide 6",
        || jnp::reshape(&ones(&[2, 3]), &[-1, 4]),
    );
}

#[test]
fn reshape_two_minus_ones() {
    let mut c = Checks::new();
    c.panics_with(
        "can only specify one unknown axis size with a `-1` value, got (-1, -1)",
        || jnp::reshape(&ones(&[2, 3]), &[-1, -1]),
    );
}

#[test]
fn reshape_other_negative_size() {
    let mut c = Checks::new();
    c.panics_with(
        "cannot reshape array of shape (2, 3) (size 6) into shape (-2, 3)",
        || jnp::reshape(&ones(&[2, 3]), &[-2, 3]),
    );
}

// ---------------------------------------------------------------------------
// Axis out of range
// ---------------------------------------------------------------------------

#[test]
fn sum_axis_out_of_range() {
    let mut c = Checks::new();
    let x = ones(&[2, 3]);
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::sum_axis(&x, 2, false)
    });
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::sum_axis(&x, 2, true)
    });
    c.panics_with("axis -3 is out of bounds for array of dimension 2", || {
        jnp::sum_axis(&x, -3, false)
    });
    c.panics_with("axis 0 is out of bounds for array of dimension 0", || {
        jnp::sum_axis(&jnp::ones(()), 0, false)
    });
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::max_axis(&x, 2, false)
    });
    c.panics_with("axis -3 is out of bounds for array of dimension 2", || {
        jnp::prod_axis(&x, -3, false)
    });
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::cumsum_axis(&x, 2)
    });
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::flip(&x, 2)
    });
}

#[test]
fn reduction_duplicate_axes() {
    let mut c = Checks::new();
    let x = ones(&[2, 3]);
    c.panics_with("duplicate value in 'axis': (0, 0)", || {
        jnp::sum_axis(&x, [0, 0], false)
    });
    c.panics_with("duplicate value in 'axis': (0, -2)", || {
        jnp::sum_axis(&x, [0, -2], false)
    });
}

#[test]
fn argmax_axis_out_of_range() {
    let mut c = Checks::new();
    // JAX raises IndexError("tuple index out of range") here; jaxide gives the
    // normalized axis message.
    let x = ones(&[2, 3]);
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::argmax_axis(&x, 2, false)
    });
    c.panics_with("axis -3 is out of bounds for array of dimension 2", || {
        jnp::argmin_axis(&x, -3, true)
    });
}

#[test]
fn expand_dims_axis_out_of_range() {
    let mut c = Checks::new();
    // Checked against the output rank (3).
    let x = ones(&[2, 3]);
    c.panics_with("axis 3 is out of bounds for array of dimension 3", || {
        jnp::expand_dims(&x, 3)
    });
    c.panics_with("axis -4 is out of bounds for array of dimension 3", || {
        jnp::expand_dims(&x, -4)
    });
    c.panics_with("axis 1 is out of bounds for array of dimension 1", || {
        jnp::expand_dims(&jnp::ones(()), 1)
    });
    c.panics_with("repeated axis in lax.expand_dims: (0, 0)", || {
        jnp::expand_dims(&x, [0, 0])
    });
}

#[test]
fn swapaxes_axis_out_of_range() {
    let mut c = Checks::new();
    // JAX: IndexError "index 2 is out of bounds for axis 0 with size 2".
    let x = ones(&[2, 3]);
    c.panics_with("2 is out of bounds", || jnp::swapaxes(&x, 0, 2));
    c.panics_with("-3 is out of bounds", || jnp::swapaxes(&x, -3, 0));
}

#[test]
fn moveaxis_transpose_stack_axis_out_of_range() {
    let mut c = Checks::new();
    let x = ones(&[2, 3]);
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::moveaxis(&x, 2, 0)
    });
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::transpose_axes(&x, &[0, 2])
    });
    c.panics_with("axis 3 is out of bounds for array of dimension 3", || {
        jnp::stack(&[&x, &x], 3)
    });
    c.panics_with(
        "cannot select an axis to squeeze out which has size not equal to one, got \
         shape=(2, 3) and dimensions=(0,)",
        || jnp::squeeze(&x, 0),
    );
}

#[test]
fn concatenate_errors() {
    let mut c = Checks::new();
    let a = ones(&[2, 3]);
    c.panics_with("axis 2 is out of bounds for array of dimension 2", || {
        jnp::concatenate(&[&a, &a], 2)
    });
    c.panics_with("axis -3 is out of bounds for array of dimension 2", || {
        jnp::concatenate(&[&a, &a], -3)
    });
    c.panics_with(
        "Cannot concatenate arrays with shapes that differ in dimensions other than the one \
         being concatenated: concatenating along dimension 0 for shapes (2, 3), (2, 4).",
        || jnp::concatenate(&[&a, &ones(&[2, 4])], 0),
    );
    c.panics_with(
        "Cannot concatenate arrays with different numbers of dimensions: got (2, 3), (3,).",
        || jnp::concatenate(&[&a, &ones(&[3])], 0),
    );
    c.panics_with("Need at least one array to concatenate.", || {
        jnp::concatenate(Vec::<Array>::new(), 0)
    });
    c.panics_with("Zero-dimensional arrays cannot be concatenated.", || {
        let s = jnp::ones(());
        jnp::concatenate(&[&s, &s], 0)
    });
}

#[test]
fn split_and_stack_shape_errors() {
    let mut c = Checks::new();
    c.panics_with("array split does not result in an equal division", || {
        jnp::split(&ones(&[5]), 2usize, 0)
    });
    c.panics_with("All input arrays must have the same shape", || {
        jnp::stack(&[&ones(&[2]), &ones(&[3])], 0)
    });
}

// ---------------------------------------------------------------------------
// Bitwise operations on floats
// ---------------------------------------------------------------------------

#[test]
fn bitwise_and_on_floats() {
    let mut c = Checks::new();
    let (a, b) = (ones(&[3]), ones(&[3]));
    let msg = "and does not accept dtype float32 at position 0. Accepted dtypes at position 0 \
               are subtypes of integer, bool.";
    c.panics_with(msg, || &a & &b);
    c.panics_with(msg, || jnp::bitwise_and(&a, &b));
    // Promotion to float32 happens first.
    c.panics_with(msg, || &i32s(&[1, 2, 3]) & &b);
    c.panics_with(msg, || &i32s(&[1, 2, 3]) & 1.0f64);
}

#[test]
fn bitwise_or_xor_on_floats() {
    let mut c = Checks::new();
    let (a, b) = (ones(&[3]), ones(&[3]));
    c.panics_with(
        "or does not accept dtype float32 at position 0. Accepted dtypes at position 0 are \
         subtypes of integer, bool.",
        || &a | &b,
    );
    c.panics_with(
        "xor does not accept dtype float32 at position 0. Accepted dtypes at position 0 are \
         subtypes of integer, bool.",
        || &a ^ &b,
    );
}

#[test]
fn shifts_on_floats() {
    let mut c = Checks::new();
    let a = ones(&[3]);
    c.panics_with(
        "shift_left does not accept dtype float32 at position 0. Accepted dtypes at position \
         0 are subtypes of integer.",
        || &a << 1i32,
    );
    c.panics_with(
        "shift_left does not accept dtype float32 at position 0. Accepted dtypes at position \
         0 are subtypes of integer.",
        || jnp::left_shift(&a, &a),
    );
    c.panics_with(
        "shift_right_arithmetic does not accept dtype float32 at position 0. Accepted dtypes \
         at position 0 are subtypes of integer.",
        || &a >> 1i32,
    );
}

#[test]
fn not_on_floats() {
    let mut c = Checks::new();
    let a = ones(&[3]);
    c.panics_with(
        "not does not accept dtype float32. Accepted dtypes are subtypes of integer, bool.",
        || !&a,
    );
    c.panics_with("not does not accept dtype float32.", || jnp::invert(&a));
}

#[test]
fn bitwise_on_valid_dtypes_works() {
    // The valid counterparts, so the tests above are about the dtype only.
    let b = Array::from_vec(vec![true, false], [2]);
    assert_eq!((!&b).to_vec::<bool>(), vec![false, true]);
    let u = Array::from_vec(vec![0u8, 1], [2]);
    assert_eq!((!&u).to_vec::<u8>(), vec![255, 254]);
    assert_eq!(
        (&i32s(&[1, 1, -8, -8]) << 31i32).to_vec::<i32>()[0],
        i32::MIN
    );
    assert_eq!(
        jnp::right_shift(i32s(&[-8, -8]), i32s(&[1, 40])).to_vec::<i32>(),
        vec![-4, -1]
    );
}

// ---------------------------------------------------------------------------
// Integer division by zero: no panic, JAX's values
// ---------------------------------------------------------------------------

const DIVIDENDS: [i32; 5] = [7, -7, 0, i32::MIN, i32::MAX];

#[test]
fn floor_divide_by_zero() {
    let x = i32s(&DIVIDENDS);
    let z = i32s(&[0; 5]);
    let q = jnp::floor_divide(&x, &z);
    assert_eq!(q.dtype(), DType::I32);
    assert_eq!(q.to_vec::<i32>(), vec![-2, -2, -1, -2, -2]);
    // With a scalar divisor too.
    assert_eq!(
        jnp::floor_divide(&x, 0).to_vec::<i32>(),
        vec![-2, -2, -1, -2, -2]
    );
}

#[test]
fn remainder_by_zero() {
    let x = i32s(&DIVIDENDS);
    let z = i32s(&[0; 5]);
    assert_eq!(jnp::remainder(&x, &z).to_vec::<i32>(), vec![0; 5]);
    assert_eq!(jnp::r#mod(&x, &z).to_vec::<i32>(), vec![0; 5]);
    assert_eq!((&x % 0i32).to_vec::<i32>(), vec![0; 5]);
    assert_eq!(jnp::fmod(&x, &z).to_vec::<i32>(), vec![0; 5]);
}

#[test]
fn lax_div_and_rem_by_zero() {
    let x = i32s(&DIVIDENDS);
    let z = i32s(&[0; 5]);
    assert_eq!(lax::div(&x, &z).to_vec::<i32>(), vec![-1; 5]);
    assert_eq!(lax::rem(&x, &z).to_vec::<i32>(), DIVIDENDS.to_vec());
}

#[test]
fn unsigned_and_small_int_division_by_zero() {
    let u = Array::from_vec(vec![7u32, 0, u32::MAX], [3]);
    let uz = Array::from_vec(vec![0u32; 3], [3]);
    assert_eq!(
        jnp::floor_divide(&u, &uz).to_vec::<u32>(),
        vec![u32::MAX; 3]
    );
    assert_eq!(lax::div(&u, &uz).to_vec::<u32>(), vec![u32::MAX; 3]);
    assert_eq!(jnp::remainder(&u, &uz).to_vec::<u32>(), vec![0; 3]);
    assert_eq!(lax::rem(&u, &uz).to_vec::<u32>(), vec![7, 0, u32::MAX]);

    let i8x = Array::from_vec(vec![5i8, -5, 0], [3]);
    let i8z = Array::from_vec(vec![0i8; 3], [3]);
    assert_eq!(
        jnp::floor_divide(&i8x, &i8z).to_vec::<i8>(),
        vec![-2, -2, -1]
    );
    assert_eq!(jnp::remainder(&i8x, &i8z).to_vec::<i8>(), vec![0; 3]);

    let u8x = Array::from_vec(vec![5u8, 0], [2]);
    let u8z = Array::from_vec(vec![0u8; 2], [2]);
    assert_eq!(jnp::floor_divide(&u8x, &u8z).to_vec::<u8>(), vec![255, 255]);
}

#[test]
fn true_divide_int_by_zero_is_float() {
    let q = &i32s(&DIVIDENDS) / &i32s(&[0; 5]);
    assert_eq!(q.dtype(), DType::F32);
    let v = q.to_vec::<f32>();
    assert_eq!(v[0], f32::INFINITY);
    assert_eq!(v[1], f32::NEG_INFINITY);
    assert!(v[2].is_nan());
    assert_eq!(v[3], f32::NEG_INFINITY);
    assert_eq!(v[4], f32::INFINITY);
}

#[test]
fn int_min_divided_by_minus_one_wraps() {
    let x = i32s(&[i32::MIN]);
    let m1 = i32s(&[-1]);
    assert_eq!(jnp::floor_divide(&x, &m1).to_vec::<i32>(), vec![i32::MIN]);
    assert_eq!(lax::div(&x, &m1).to_vec::<i32>(), vec![i32::MIN]);
    assert_eq!(jnp::remainder(&x, &m1).to_vec::<i32>(), vec![0]);
    assert_eq!(jnp::fmod(&x, &m1).to_vec::<i32>(), vec![0]);
    assert_eq!(lax::rem(&x, &m1).to_vec::<i32>(), vec![0]);
    let y = Array::from_vec(vec![-128i8], [1]);
    let ym1 = Array::from_vec(vec![-1i8], [1]);
    assert_eq!(jnp::floor_divide(&y, &ym1).to_vec::<i8>(), vec![-128]);
}

#[test]
fn float_remainder_by_zero_is_nan() {
    let x = Array::from_vec(vec![1.0f32, -1.0, 0.0, f32::INFINITY], [4]);
    let r = jnp::remainder(&x, 0.0);
    assert!(
        r.to_vec::<f32>().iter().all(|v| v.is_nan()),
        "{:?}",
        r.to_vec::<f32>()
    );
    let q = jnp::floor_divide(&x, 0.0).to_vec::<f32>();
    assert_eq!(q[0], f32::INFINITY);
    assert_eq!(q[1], f32::NEG_INFINITY);
    assert!(q[2].is_nan());
    assert_eq!(q[3], f32::INFINITY);
}

// ---------------------------------------------------------------------------
// Ragged nested input
// ---------------------------------------------------------------------------

#[test]
fn ragged_nested_input() {
    let mut c = Checks::new();
    c.panics_with(
        "setting an array element with a sequence. The requested array has an inhomogeneous \
         shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part.",
        || jnp::array(vec![vec![1, 2], vec![3]]),
    );
    c.panics_with(
        "setting an array element with a sequence. The requested array has an inhomogeneous \
         shape after 2 dimensions. The detected shape was (2, 1) + inhomogeneous part.",
        || jnp::array(vec![vec![vec![1]], vec![vec![2, 3]]]),
    );
    c.panics_with(
        "The requested array has an inhomogeneous shape after 1 dimensions. The detected shape \
         was (2,) + inhomogeneous part.",
        || {
            jnp::array(vec![
                vec![vec![1.0f32, 2.], vec![3., 4.]],
                vec![vec![5., 6.]],
            ])
        },
    );
    c.panics_with(
        "The requested array has an inhomogeneous shape after 1 dimensions. The detected shape \
         was (2,) + inhomogeneous part.",
        || jnp::array(vec![vec![1, 2], vec![]]),
    );
}

#[test]
fn rectangular_nested_input_works() {
    let x = jnp::array(vec![vec![1, 2], vec![3, 4], vec![5, 6]]);
    assert_eq!(x.shape(), &[3, 2]);
    assert_eq!(x.to_vec::<i32>(), vec![1, 2, 3, 4, 5, 6]);
}

// ---------------------------------------------------------------------------
// .at[] out of range: clamped reads, dropped writes (no panic)
// ---------------------------------------------------------------------------

#[test]
fn at_get_out_of_range_clamps() {
    let x = jnp::arange(5);
    assert_eq!(x.at(10).get().item::<i32>(), 4);
    assert_eq!(x.at(5).get().item::<i32>(), 4);
    assert_eq!(x.at(-10).get().item::<i32>(), 0);
    assert_eq!(x.at(-6).get().item::<i32>(), 0);
    assert_eq!(x.at(-1).get().item::<i32>(), 4);
    let z = jnp::arange(6).reshape(&[2, 3]);
    assert_eq!(z.at((1, 10)).get().item::<i32>(), 5);
    assert_eq!(z.at((10, 0)).get().item::<i32>(), 3);
}

#[test]
fn at_set_out_of_range_is_dropped() {
    let x = jnp::arange(5);
    let orig = vec![0, 1, 2, 3, 4];
    assert_eq!(x.at(10).set(1).to_vec::<i32>(), orig);
    assert_eq!(x.at(5).set(9).to_vec::<i32>(), orig);
    assert_eq!(x.at(-10).set(1).to_vec::<i32>(), orig);
    assert_eq!(x.at(-6).set(9).to_vec::<i32>(), orig);
    assert_eq!(x.at(10).add(100).to_vec::<i32>(), orig);
    assert_eq!(x.at(-1).set(9).to_vec::<i32>(), vec![0, 1, 2, 3, 9]);
    assert_eq!(x.at(10..20).set(9).to_vec::<i32>(), orig);
    assert_eq!(x.at(3..10).set(9).to_vec::<i32>(), vec![0, 1, 2, 9, 9]);
    let z = jnp::zeros([2, 3]);
    assert_eq!(z.at((1, 10)).set(5.0).to_vec::<f32>(), vec![0.0; 6]);
    // The original is never modified.
    assert_eq!(x.to_vec::<i32>(), orig);
}

#[test]
fn at_bad_index_or_value() {
    let mut c = Checks::new();
    let x = jnp::arange(5);
    c.panics_with(
        "Too many indices: array is 1-dimensional, but 2 were indexed",
        || x.at((0, 0)).get(),
    );
    c.panics_with(
        "Too many indices: array is 0-dimensional, but 1 were indexed",
        || jnp::asarray(3).at(0).set(9),
    );
    // JAX: "Incompatible types for broadcasting: input type=int32[3] and
    // requested type=int32[2]".
    c.panics_with("Incompatible types for broadcasting", || {
        x.at(1..3).set(jnp::arange(3))
    });
}

// ---------------------------------------------------------------------------
// Matmul / dot shape errors
// ---------------------------------------------------------------------------

#[test]
fn matmul_contracting_mismatch() {
    let mut c = Checks::new();
    let msg =
        "dot_general requires contracting dimensions to have the same shape, got (3,) and (4,).";
    c.panics_with(msg, || jnp::matmul(ones(&[2, 3]), ones(&[4, 5])));
    c.panics_with(msg, || jnp::matmul(ones(&[3]), ones(&[4])));
    c.panics_with(msg, || jnp::matmul(ones(&[2, 3]), ones(&[4])));
    c.panics_with(msg, || jnp::matmul(ones(&[3]), ones(&[4, 5])));
    c.panics_with(msg, || jnp::dot(ones(&[2, 3]), ones(&[4, 5])));
    c.panics_with(msg, || jnp::vdot(ones(&[3]), ones(&[4])));
    c.panics_with(msg, || jnp::inner(ones(&[2, 3]), ones(&[4])));
    c.panics_with(msg, || jnp::tensordot(ones(&[2, 3]), ones(&[4, 5]), 1));
}

#[test]
fn matmul_batch_mismatch_and_scalars() {
    let mut c = Checks::new();
    c.panics_with(
        "Incompatible types for matmul arguments: float32[2,2,3] and float32[3,3,4]",
        || jnp::matmul(ones(&[2, 2, 3]), ones(&[3, 3, 4])),
    );
    c.panics_with(
        "matmul input operand 0 must have ndim at least 1, but it has ndim 0",
        || jnp::matmul(jnp::ones(()), ones(&[2, 2])),
    );
    c.panics_with(
        "matmul input operand 1 must have ndim at least 1, but it has ndim 0",
        || jnp::matmul(ones(&[2, 2]), jnp::ones(())),
    );
    c.panics_with(
        "matmul input operand 0 must have ndim at least 1, but it has ndim 0",
        || jnp::matmul(jnp::ones(()), jnp::ones(())),
    );
}

// ---------------------------------------------------------------------------
// Other invalid dtypes and empty reductions
// ---------------------------------------------------------------------------

#[test]
fn empty_reductions() {
    let mut c = Checks::new();
    let e = jnp::zeros([0]);
    c.panics_with(
        "zero-size array to reduction operation max which has no identity",
        || jnp::max(&e),
    );
    c.panics_with(
        "zero-size array to reduction operation min which has no identity",
        || jnp::min(&e),
    );
    c.panics_with(
        "zero-size array to reduction operation max which has no identity",
        || jnp::max_axis(&jnp::zeros([0, 3]), 0, false),
    );
    c.panics_with("attempt to get argmax of an empty sequence", || {
        jnp::argmax(&e)
    });
    c.panics_with("attempt to get argmin of an empty sequence", || {
        jnp::argmin(&e)
    });
}

#[test]
fn invalid_dtypes_for_elementwise() {
    let mut c = Checks::new();
    let b = Array::from_vec(vec![true, false], [2]);
    c.panics_with("sign does not accept dtype bool.", || jnp::sign(&b));
    c.panics_with("neg does not accept dtype bool.", || jnp::negative(&b));
    c.panics_with("neg does not accept dtype bool.", || -&b);
    c.panics_with("not inexact", || jnp::round(&b));
    c.panics_with(
        "Integers cannot be raised to negative powers, got integer_pow(int32[4], -1)",
        || jnp::power(jnp::arange(4), -1),
    );
}

#[test]
fn int_scalar_overflow() {
    let mut c = Checks::new();
    c.panics_with("too large to convert to int32", || {
        &jnp::arange(3) + 1_099_511_627_776i64
    });
}

#[test]
fn arange_zero_step() {
    let mut c = Checks::new();
    c.panics_with("ZeroDivisionError", || jnp::arange((0, 10, 0)));
    c.panics_with("ZeroDivisionError", || jnp::arange((0.0, 1.0, 0.0)));
}
