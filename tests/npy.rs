//! `.npy` load and save against files written by NumPy
//! (`tests/fixtures/npy/gen_npy.py`), and bad files.

use jaxide::core::element::Complex32;
use jaxide::io::{from_npy_bytes, to_npy_bytes, NpyError};
use jaxide::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/npy")
}

fn f64_of(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}

/// The array's elements in C order, in the manifest's encoding.
fn values(x: &Array) -> Vec<Value> {
    let f = |v: f64| Value::String(format!("{v:?}"));
    match x.dtype() {
        DType::Bool => x.to_vec::<bool>().into_iter().map(Value::from).collect(),
        DType::I8 | DType::I16 | DType::I32 => jnp::astype(x, DType::I32)
            .to_vec::<i32>()
            .into_iter()
            .map(Value::from)
            .collect(),
        DType::U8 | DType::U16 | DType::U32 => jnp::astype(x, DType::U32)
            .to_vec::<u32>()
            .into_iter()
            .map(Value::from)
            .collect(),
        DType::C64 => x
            .to_vec::<Complex32>()
            .into_iter()
            .map(|z| Value::from(vec![f(z.re as f64), f(z.im as f64)]))
            .collect(),
        _ => jnp::astype(x, DType::F32)
            .to_vec::<f32>()
            .into_iter()
            .map(|v| f(v as f64))
            .collect(),
    }
}

fn same(got: &[Value], want: &[Value]) -> bool {
    got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| match (g, w) {
            (Value::String(_), Value::String(_)) => (f64_of(g) as f32) == (f64_of(w) as f32),
            (Value::Array(a), Value::Array(b)) => same(a, b),
            _ => g == w,
        })
}

#[test]
fn numpy_files_load_and_canonical_ones_save_byte_for_byte() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_dir().join("manifest.json")).unwrap(),
    )
    .unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert!(files.len() >= 20);
    for e in files {
        let name = e["file"].as_str().unwrap();
        let path = fixture_dir().join(name);
        let x = jnp::load(&path).unwrap_or_else(|err| panic!("{name}: {err}"));
        let shape: Vec<usize> = e["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(x.shape(), &shape[..], "{name}");
        let want_dtype = DType::from_name(e["dtype"].as_str().unwrap()).unwrap();
        let canonical = jaxide::core::promotion::canonicalize(want_dtype, false);
        assert_eq!(x.dtype(), canonical, "{name}");
        let want = e["values"].as_array().unwrap();
        assert!(
            same(&values(&x), want),
            "{name}: {:?} vs {want:?}",
            values(&x)
        );
        if e["canonical"].as_bool().unwrap() {
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(
                to_npy_bytes(&x).unwrap(),
                bytes,
                "{name}: bytes differ from np.save's"
            );
        }
    }
}

#[test]
fn save_then_load_round_trips_atomically() {
    let dir = std::env::temp_dir().join(format!("jaxide_npy_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("x.npy");
    let x = jnp::reshape(&jnp::arange_dtype(24, DType::F32), &[2, 3, 4]);
    jnp::save(&path, &x).unwrap();
    let y = jnp::load(&path).unwrap();
    assert_eq!(
        (y.shape(), y.to_vec::<f32>()),
        (x.shape(), x.to_vec::<f32>())
    );
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A transposed (non-contiguous) view saves its logical C-order contents.
    let t = jnp::transpose(&x);
    let back = from_npy_bytes(&to_npy_bytes(&t).unwrap()).unwrap();
    assert_eq!(back.to_vec::<f32>(), t.to_vec::<f32>());
    // float0 has no file form.
    let g = grad_with(
        |n: &Array| n.astype(DType::F32).sum(),
        Arg0,
        GradOptions {
            allow_int: true,
            ..Default::default()
        },
    )(&jnp::arange(2));
    assert!(matches!(
        to_npy_bytes(&g),
        Err(NpyError::UnsupportedDtype(_))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
    // A missing file is an I/O error.
    assert!(matches!(
        jnp::load(dir.join("nope.npy")),
        Err(NpyError::Io(_))
    ));
}

fn header(text: &str) -> Vec<u8> {
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(text.len() as u16).to_le_bytes());
    b.extend_from_slice(text.as_bytes());
    b
}

#[test]
fn bad_files_are_errors_not_panics() {
    let good = to_npy_bytes(&jnp::arange(10)).unwrap();
    let err = |b: &[u8]| from_npy_bytes(b).unwrap_err().to_string();
    assert!(err(b"\x89PNG not npy").contains("magic"));
    let npz = jaxide::io::to_npz_bytes([&jnp::arange(2)]).unwrap();
    assert_eq!(
        err(&npz),
        "not a .npy file: this is a zip archive (.npz); load it with jnp::load_npz"
    );
    assert!(err(&good[..5]).contains("magic"));
    assert!(err(&good[..good.len() - 3]).starts_with("truncated .npy file"));
    let mut v9 = good.clone();
    v9[6] = 9;
    assert!(err(&v9).contains("unsupported .npy format version 9.0"));
    // A lying header: a huge shape over a tiny file allocates nothing.
    let huge = header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }\n",
    );
    assert!(
        err(&huge).starts_with("truncated .npy file"),
        "{}",
        err(&huge)
    );
    let unicode = header("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }\n");
    assert!(
        err(&unicode).contains("unsupported .npy dtype \"<U3\""),
        "{}",
        err(&unicode)
    );
    let objects = header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n");
    assert!(err(&objects).contains("unsupported .npy dtype"));
    let mut non_ascii = header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n");
    non_ascii[12] = 0xff;
    assert!(err(&non_ascii).starts_with("bad .npy header"));
    let long = b"\x93NUMPY\x02\x00\xff\xff\xff\x7f".to_vec();
    assert!(err(&long).starts_with("bad .npy header"));
    // Every prefix of a valid file fails cleanly.
    for n in 0..good.len() {
        assert!(from_npy_bytes(&good[..n]).is_err(), "prefix {n}");
    }
}
