//! safetensors load and save against files written by the Python
//! `safetensors` package (`tests/fixtures/safetensors/gen_safetensors.py`),
//! and bad files.

use jaxide::io::{from_safetensors_bytes, to_safetensors_bytes, SafetensorsError};
use jaxide::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/safetensors")
}

fn as_f64s(x: &Array) -> Vec<f64> {
    jnp::astype(x, DType::F32)
        .to_vec::<f32>()
        .into_iter()
        .map(f64::from)
        .collect()
}

#[test]
fn python_files_load_with_every_dtype() {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("manifest.json")).unwrap())
            .unwrap();
    let arrays = jaxide::io::load_safetensors(dir().join("model.safetensors")).unwrap();
    let tensors = manifest["tensors"].as_object().unwrap();
    assert_eq!(arrays.len(), tensors.len());
    for (name, t) in tensors {
        let x = &arrays[name];
        let dtype = DType::from_name(t["dtype"].as_str().unwrap()).unwrap();
        assert_eq!(
            x.dtype(),
            jaxide::core::promotion::canonicalize(dtype, false),
            "{name}"
        );
        let shape: Vec<usize> = t["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(x.shape(), &shape[..], "{name}");
        let want: Vec<f64> = t["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| match v {
                Value::Bool(b) => *b as u8 as f64,
                Value::String(s) => s.parse::<f64>().unwrap(),
                n => n.as_f64().unwrap(),
            })
            .collect();
        let got = as_f64s(x);
        assert_eq!(got.len(), want.len(), "{name}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(*g as f32, *w as f32, "{name}");
        }
    }
}

#[test]
fn saving_writes_what_python_writes_and_round_trips() {
    let path = dir().join("portable.safetensors");
    let theirs = std::fs::read(&path).unwrap();
    let arrays = from_safetensors_bytes(&theirs).unwrap();
    let ours = to_safetensors_bytes(&arrays, None).unwrap();
    assert_eq!(
        ours, theirs,
        "bytes differ from safetensors.numpy.save_file's"
    );
    let tmp = std::env::temp_dir().join(format!("jaxide_st_{}.safetensors", std::process::id()));
    let mut m = BTreeMap::new();
    m.insert(
        "w".to_string(),
        jnp::reshape(&jnp::arange_dtype(6, DType::F32), &[2, 3]),
    );
    m.insert("mask".to_string(), jnp::array([true, false]));
    jaxide::io::save_safetensors(&tmp, &m).unwrap();
    let back = jaxide::io::load_safetensors(&tmp).unwrap();
    assert_eq!(back["w"].to_vec::<f32>(), m["w"].to_vec::<f32>());
    assert_eq!(back["mask"].to_vec::<bool>(), vec![true, false]);
    std::fs::remove_file(&tmp).unwrap();
    let z = jnp::array([jaxide::core::element::Complex32::new(1.0, 1.0)]);
    let mut c = BTreeMap::new();
    c.insert("z".to_string(), z);
    assert!(matches!(
        to_safetensors_bytes(&c, None),
        Err(SafetensorsError::UnsupportedDtype(_))
    ));
    let meta = jaxide::io::load_safetensors(dir().join("metadata.safetensors")).unwrap();
    assert_eq!(meta["w"].to_vec::<f32>(), vec![1.0; 3]);
}

fn file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut b = (header.len() as u64).to_le_bytes().to_vec();
    b.extend_from_slice(header.as_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn bad_files_are_errors_not_panics() {
    let good = std::fs::read(dir().join("model.safetensors")).unwrap();
    for n in 0..good.len() {
        assert!(from_safetensors_bytes(&good[..n]).is_err(), "prefix {n}");
    }
    let bad = |b: &[u8]| from_safetensors_bytes(b).unwrap_err().to_string();
    // A declared header length far beyond the file.
    assert!(bad(&u64::MAX.to_le_bytes()).starts_with("bad safetensors file"));
    // Overlapping offsets.
    let overlap = file(
        r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
        &[0; 12],
    );
    assert!(
        bad(&overlap).starts_with("bad safetensors file"),
        "{}",
        bad(&overlap)
    );
    // A shape that does not match its bytes, and one whose size overflows.
    let lying = file(
        r#"{"a":{"dtype":"F32","shape":[1000000],"data_offsets":[0,8]}}"#,
        &[0; 8],
    );
    assert!(bad(&lying).starts_with("bad safetensors file"));
    let huge = file(
        r#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#,
        &[0; 8],
    );
    assert!(bad(&huge).starts_with("bad safetensors file"));
    // Not UTF-8, and an unknown dtype.
    let mut non_utf8 = file(
        r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
        &[0; 4],
    );
    non_utf8[10] = 0xff;
    assert!(bad(&non_utf8).starts_with("bad safetensors file"));
    let f8 = file(
        r#"{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#,
        &[0],
    );
    assert!(
        bad(&f8).starts_with("unsupported safetensors dtype"),
        "{}",
        bad(&f8)
    );
}
