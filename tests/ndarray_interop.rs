//! `From`/`TryFrom` between `Array` and `ndarray` arrays (cargo feature
//! `ndarray`). This binary turns x64 on in every test, so 64-bit element
//! types keep their dtype.
#![cfg(feature = "ndarray")]

use half::{bf16, f16};
use jaxide::core::element::{Complex32, Complex64, Element};
use jaxide::io::NdarrayError;
use jaxide::prelude::*;
use ndarray::{s, Array2, Array3, ArrayD, Axis, IxDyn};

/// Round-trips a 2×3 ndarray built from `vals` (6 values) through Array,
/// also as its transpose and a strided slice.
fn round_trip<T: Element>(vals: [T; 6]) {
    jaxide::config::set_enable_x64(true);
    let nd = Array2::from_shape_vec((2, 3), vals.to_vec()).unwrap();
    let x = Array::from(nd.clone());
    assert_eq!(x.dtype(), T::DTYPE);
    assert_eq!(x.shape(), &[2, 3]);
    assert_eq!(x.to_vec::<T>(), vals.to_vec());
    let back = ArrayD::<T>::try_from(&x).unwrap();
    assert_eq!(back, nd.clone().into_dyn());
    let back2 = Array2::<T>::try_from(x.clone()).unwrap();
    assert_eq!(back2, nd);
    // A transposed view: C order of the logical (3, 2) array.
    let t = Array::from(nd.t());
    assert_eq!(t.shape(), &[3, 2]);
    let want: Vec<T> = nd.t().iter().copied().collect();
    assert_eq!(t.to_vec::<T>(), want);
    // A strided, reversed slice.
    let sl = nd.slice(s![.., ..;-2]);
    let y = Array::from(&sl);
    assert_eq!(y.shape(), &[2, 2]);
    assert_eq!(y.to_vec::<T>(), sl.iter().copied().collect::<Vec<_>>());
    // And back out of a transposed jaxide view.
    let jt = jnp::transpose(&x);
    assert_eq!(ArrayD::<T>::try_from(&jt).unwrap(), nd.t().into_dyn());
}

#[test]
fn every_element_type_round_trips_in_any_layout() {
    round_trip([true, false, true, true, false, false]);
    round_trip([i8::MIN, -1, 0, 1, 2, i8::MAX]);
    round_trip([i16::MIN, -1, 0, 1, 2, i16::MAX]);
    round_trip([i32::MIN, -1, 0, 1, 2, i32::MAX]);
    round_trip([i64::MIN, -1, 0, 1, 2, i64::MAX]);
    round_trip([0u8, 1, 2, 3, 4, u8::MAX]);
    round_trip([0u16, 1, 2, 3, 4, u16::MAX]);
    round_trip([0u32, 1, 2, 3, 4, u32::MAX]);
    round_trip([0u64, 1, 2, 3, 4, u64::MAX]);
    round_trip([0.5f32, -1.0, 2.25, f32::MAX, f32::MIN_POSITIVE, -0.0]);
    round_trip([0.1f64, -1.0, 2.25, f64::MAX, 5e-324, -0.0]);
    round_trip([1.0, -2.5, 65504.0, 0.0, 3.0, -0.5].map(f16::from_f32));
    round_trip([1.0, -2.5, 1e30, 0.0, 3.0, -0.5].map(bf16::from_f32));
    round_trip([0.5, 1.0, -2.0, 3.0, 4.0, 5.0].map(|v: f32| Complex32::new(v, -v)));
    round_trip([0.5, 1.0, -2.0, 3.0, 4.0, 5.0].map(|v: f64| Complex64::new(v, 1.0 / v)));
}

#[test]
fn any_dimension_and_empty_and_scalar() {
    jaxide::config::set_enable_x64(true);
    let nd = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 100 + j * 10 + k) as i32);
    // A permuted 3-d layout.
    let p = nd.view().permuted_axes([2, 0, 1]);
    let x = Array::from(p);
    assert_eq!(x.shape(), &[4, 2, 3]);
    assert_eq!(x.to_vec::<i32>(), p.iter().copied().collect::<Vec<_>>());
    assert_eq!(
        x.to_vec::<i32>(),
        jnp::transpose_axes(&Array::from(nd.clone()), &[2, 0, 1]).to_vec::<i32>()
    );
    // Inverted axis.
    let mut inv = nd.clone();
    inv.invert_axis(Axis(1));
    assert_eq!(
        Array::from(&inv).to_vec::<i32>(),
        inv.iter().copied().collect::<Vec<_>>()
    );
    let e = ArrayD::<f32>::zeros(IxDyn(&[0, 5]));
    let x = Array::from(e.clone());
    assert_eq!(x.shape(), &[0, 5]);
    assert_eq!(ArrayD::<f32>::try_from(&x).unwrap(), e);
    let s = ndarray::arr0(7u8);
    let x = Array::from(s.clone());
    assert_eq!(x.shape(), &[] as &[usize]);
    assert_eq!(ndarray::Array0::<u8>::try_from(&x).unwrap(), s);
}

#[test]
fn mismatches_are_clear_errors() {
    jaxide::config::set_enable_x64(true);
    let x = jnp::ones([2, 3]).astype(DType::F32);
    let err = ArrayD::<f64>::try_from(&x).unwrap_err();
    assert!(matches!(err, NdarrayError::DType { .. }));
    assert_eq!(
        err.to_string(),
        "cannot convert an array of dtype float32 to an ndarray of f64 (dtype float64); \
         convert first with .astype(DType::F64)"
    );
    let err = ndarray::Array1::<f32>::try_from(&x).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot convert an array of shape [2, 3] to an ndarray of 1 dimensions"
    );
    let err = ArrayD::<bool>::try_from(&jnp::arange(3)).unwrap_err();
    assert!(err.to_string().contains("dtype int64"), "{err}");
    // A tracer has no values.
    let seen = std::sync::Mutex::new(String::new());
    let _ = jit(|x: &Array| {
        *seen.lock().unwrap() = ArrayD::<f32>::try_from(x).unwrap_err().to_string();
        x.clone()
    })(&x);
    assert!(seen
        .lock()
        .unwrap()
        .starts_with("cannot convert a traced array"));
}

#[test]
fn computed_results_convert_back() {
    jaxide::config::set_enable_x64(true);
    let a = ndarray::arr2(&[[1.0f64, 2.0], [3.0, 4.0]]);
    let x = Array::from(&a);
    let y = jnp::matmul(&x, jnp::transpose(&x));
    let nd = Array2::<f64>::try_from(&y).unwrap();
    assert_eq!(nd, a.dot(&a.t()));
}
