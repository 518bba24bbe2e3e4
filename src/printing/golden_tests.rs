//! Golden tests against NumPy/JAX output recorded by
//! `tests/fixtures/printing/gen_printing.py`.

use super::{format_repr, format_str, HostSlice};
use half::{bf16, f16};
use serde_json::Value;

const FIXTURE: &str = include_str!("../../tests/fixtures/printing/printing.json");

/// Owned element storage for one fixture case.
enum Owned {
    Bool(Vec<bool>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F16(Vec<f16>),
    BF16(Vec<bf16>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    C64(Vec<num_complex::Complex32>),
    C128(Vec<num_complex::Complex64>),
}

impl Owned {
    fn slice(&self) -> HostSlice<'_> {
        match self {
            Owned::Bool(v) => HostSlice::Bool(v),
            Owned::I8(v) => HostSlice::I8(v),
            Owned::I16(v) => HostSlice::I16(v),
            Owned::I32(v) => HostSlice::I32(v),
            Owned::I64(v) => HostSlice::I64(v),
            Owned::U8(v) => HostSlice::U8(v),
            Owned::U16(v) => HostSlice::U16(v),
            Owned::U32(v) => HostSlice::U32(v),
            Owned::U64(v) => HostSlice::U64(v),
            Owned::F16(v) => HostSlice::F16(v),
            Owned::BF16(v) => HostSlice::BF16(v),
            Owned::F32(v) => HostSlice::F32(v),
            Owned::F64(v) => HostSlice::F64(v),
            Owned::C64(v) => HostSlice::C64(v),
            Owned::C128(v) => HostSlice::C128(v),
        }
    }
}

fn u64s(values: &[Value]) -> Vec<u64> {
    values
        .iter()
        .map(|v| v.as_u64().expect("unsigned integer"))
        .collect()
}

fn i64s(values: &[Value]) -> Vec<i64> {
    values
        .iter()
        .map(|v| v.as_i64().expect("signed integer"))
        .collect()
}

/// Rebuilds typed values: floats from raw bits, ints from JSON numbers.
fn decode(dtype: &str, values: &[Value]) -> Owned {
    let narrow_i = |v: Vec<i64>| v.into_iter();
    let narrow_u = |v: Vec<u64>| v.into_iter();
    match dtype {
        "bool" => Owned::Bool(values.iter().map(|v| v.as_bool().expect("bool")).collect()),
        "int8" => Owned::I8(narrow_i(i64s(values)).map(|x| x as i8).collect()),
        "int16" => Owned::I16(narrow_i(i64s(values)).map(|x| x as i16).collect()),
        "int32" => Owned::I32(narrow_i(i64s(values)).map(|x| x as i32).collect()),
        "int64" => Owned::I64(i64s(values)),
        "uint8" => Owned::U8(narrow_u(u64s(values)).map(|x| x as u8).collect()),
        "uint16" => Owned::U16(narrow_u(u64s(values)).map(|x| x as u16).collect()),
        "uint32" => Owned::U32(narrow_u(u64s(values)).map(|x| x as u32).collect()),
        "uint64" => Owned::U64(u64s(values)),
        "float16" => Owned::F16(
            narrow_u(u64s(values))
                .map(|b| f16::from_bits(b as u16))
                .collect(),
        ),
        "bfloat16" => Owned::BF16(
            narrow_u(u64s(values))
                .map(|b| bf16::from_bits(b as u16))
                .collect(),
        ),
        "float32" => Owned::F32(
            narrow_u(u64s(values))
                .map(|b| f32::from_bits(b as u32))
                .collect(),
        ),
        "float64" => Owned::F64(narrow_u(u64s(values)).map(f64::from_bits).collect()),
        "complex64" => Owned::C64(
            u64s(values)
                .chunks(2)
                .map(|p| {
                    num_complex::Complex32::new(
                        f32::from_bits(p[0] as u32),
                        f32::from_bits(p[1] as u32),
                    )
                })
                .collect(),
        ),
        "complex128" => Owned::C128(
            u64s(values)
                .chunks(2)
                .map(|p| num_complex::Complex64::new(f64::from_bits(p[0]), f64::from_bits(p[1])))
                .collect(),
        ),
        other => panic!("unknown dtype {other}"),
    }
}

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("printing.json parses")
}

#[test]
fn golden_cases() {
    let fixture = fixture();
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let dtype = case["dtype"].as_str().expect("dtype");
        let shape: Vec<usize> = case["shape"]
            .as_array()
            .expect("shape")
            .iter()
            .map(|d| d.as_u64().expect("dim") as usize)
            .collect();
        let owned = decode(dtype, case["values"].as_array().expect("values"));
        assert_eq!(owned.slice().dtype_name(), dtype, "{name}");
        let weak = case["weak_type"].as_bool().expect("weak_type");
        let got_str = format_str(owned.slice(), &shape);
        let want_str = case["str"].as_str().expect("str");
        if got_str != want_str {
            failures.push(format!(
                "case {name} str:\n--- expected\n{want_str}\n--- got\n{got_str}\n"
            ));
        }
        let got_repr = format_repr(owned.slice(), &shape, weak);
        let want_repr = case["repr"].as_str().expect("repr");
        if got_repr != want_repr {
            failures.push(format!(
                "case {name} repr:\n--- expected\n{want_repr}\n--- got\n{got_repr}\n"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden checks failed:\n{}",
        failures.len(),
        2 * cases.len(),
        failures.join("\n")
    );
}

#[test]
fn golden_scalar_sweep() {
    let fixture = fixture();
    let scalars = fixture["scalars"].as_array().expect("scalars");
    let mut failures = Vec::new();
    for s in scalars {
        let dtype = s["dtype"].as_str().expect("dtype");
        let owned = decode(dtype, std::slice::from_ref(&s["bits"]));
        let got_str = format_str(owned.slice(), &[]);
        let got_repr = format_repr(owned.slice(), &[], false);
        let (want_str, want_repr) = (s["str"].as_str().unwrap(), s["repr"].as_str().unwrap());
        if got_str != want_str || got_repr != want_repr {
            failures.push(format!(
                "{dtype} bits {}: expected {want_str:?} / {want_repr:?}, got {got_str:?} / {got_repr:?}",
                s["bits"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scalars failed:\n{}",
        failures.len(),
        scalars.len(),
        failures.join("\n")
    );
}
