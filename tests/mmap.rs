//! Memory-mapped `.npy` loading (`jaxide::io::load_mmap`, like
//! `np.load(f, mmap_mode="c")`): zero-copy when the file allows it, the
//! same result as `load` otherwise, and never a write to the file.

use jaxide::io::{from_npy_bytes, load_mmap, to_npy_bytes, NpyError};
use jaxide::prelude::*;
use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("jaxide_mmap_{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn is_mapped(x: &Array) -> bool {
    x.as_device()
        .map(|d| d.buffer().is_file_mapped())
        .unwrap_or(false)
}

#[test]
fn large_files_map_without_copying_and_the_file_never_changes() {
    let path = temp("large.npy");
    let n = 1 << 22; // 16 MiB of f32
    let x = jnp::arange_dtype(n, DType::F32) * 0.5f32;
    jnp::save(&path, &x).unwrap();
    let on_disk = std::fs::read(&path).unwrap();

    let y = load_mmap(&path).unwrap();
    assert!(
        is_mapped(&y),
        "a C-order little-endian f32 file maps zero-copy"
    );
    assert_eq!((y.shape(), y.dtype()), (&[n][..], DType::F32));
    assert_eq!(y.to_vec::<f32>(), x.to_vec::<f32>());
    assert_eq!(
        jnp::sum(&y).item::<f32>(),
        jnp::sum(&x).item::<f32>(),
        "computing on it"
    );

    // Donated under jit: the computation may reuse the mapped buffer in
    // place; the update lands in private pages.
    let step = jit_donate(|(p, g): &(Array, Array)| (p - g).at(0).set(-7.0f32), Arg0);
    let g = jnp::ones([n]);
    let z = step((y, g));
    let got = z.to_vec::<f32>();
    assert_eq!(got[0], -7.0);
    assert_eq!(got[1], 0.5 - 1.0);
    assert_eq!(got[n - 1], (n - 1) as f32 * 0.5 - 1.0);
    drop(z);
    // Eagerly too.
    let w = load_mmap(&path).unwrap();
    let w2 = w.at(3).set(100.0f32);
    assert_eq!(w2.to_vec::<f32>()[3], 100.0);
    assert_eq!(w.to_vec::<f32>()[3], 1.5);
    drop((w, w2));
    assert!(std::fs::read(&path).unwrap() == on_disk, "the file changed");

    // Saving over the mapped path is safe: the mapping keeps the old file.
    let m = load_mmap(&path).unwrap();
    jnp::save(&path, &jnp::zeros([4])).unwrap();
    assert_eq!(m.to_vec::<f32>()[..3], [0.0, 0.5, 1.0]);
    assert_eq!(jnp::load(&path).unwrap().to_vec::<f32>(), vec![0.0; 4]);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn every_numpy_fixture_loads_the_same_as_load() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/npy");
    let mut mapped = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().and_then(|s| s.to_str()) != Some("npy") {
            continue;
        }
        let a = jnp::load(&path).unwrap();
        let b = load_mmap(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!((a.shape(), a.dtype()), (b.shape(), b.dtype()), "{path:?}");
        assert_eq!(
            to_npy_bytes(&a).unwrap(),
            to_npy_bytes(&b).unwrap(),
            "{path:?}"
        );
        mapped += is_mapped(&b) as usize;
    }
    // float32, int32, complex64, float16, bfloat16, (u)int8/16/32, ...
    assert!(mapped >= 8, "{mapped}");
}

/// A `.npy` file whose data starts at `align` (16: what NumPy before 1.13
/// wrote), holding `data` as `descr`.
fn npy_aligned_to(align: usize, descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % align != 0 || (align < 64 && (10 + h.len() + 1) % 64 == 0) {
        h.push(' ');
    }
    h.push('\n');
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(h.len() as u16).to_le_bytes());
    b.extend_from_slice(h.as_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn unaligned_and_odd_files_fall_back_to_a_copy() {
    let data: Vec<u8> = (0..32i32).flat_map(|v| v.to_le_bytes()).collect();
    let path = temp("old.npy");
    std::fs::write(&path, npy_aligned_to(16, "<i4", "(4, 8)", &data)).unwrap();
    let x = load_mmap(&path).unwrap();
    assert!(!is_mapped(&x));
    assert_eq!(x.shape(), &[4, 8]);
    assert_eq!(x.to_vec::<i32>(), (0..32).collect::<Vec<_>>());

    // Bools other than 0/1 are normalized, in the private mapping only.
    let bools = [0u8, 1, 2, 255];
    let path_b = temp("bools.npy");
    let file = npy_aligned_to(64, "|b1", "(4,)", &bools);
    std::fs::write(&path_b, &file).unwrap();
    let b = load_mmap(&path_b).unwrap();
    assert_eq!(b.to_vec::<bool>(), vec![false, true, true, true]);
    assert_eq!(jnp::astype(&b, DType::U8).to_vec::<u8>(), vec![0, 1, 1, 1]);
    assert_eq!(std::fs::read(&path_b).unwrap(), file);

    // Empty arrays.
    let path_e = temp("empty.npy");
    jnp::save(&path_e, &jnp::zeros([0, 3])).unwrap();
    assert_eq!(load_mmap(&path_e).unwrap().shape(), &[0, 3]);

    // Truncated files and bad headers are errors, as for `load`.
    let path_t = temp("trunc.npy");
    let good = to_npy_bytes(&jnp::arange(100)).unwrap();
    std::fs::write(&path_t, &good[..good.len() - 1]).unwrap();
    assert!(matches!(
        load_mmap(&path_t),
        Err(NpyError::Truncated { .. })
    ));
    std::fs::write(&path_t, b"not npy").unwrap();
    assert!(matches!(load_mmap(&path_t), Err(NpyError::BadMagic)));
    assert!(matches!(
        load_mmap(temp("missing.npy")),
        Err(NpyError::Io(_))
    ));
    // A huge declared shape maps nothing.
    std::fs::write(
        &path_t,
        npy_aligned_to(64, "<f4", "(1099511627776, 1099511627776)", &[]),
    )
    .unwrap();
    assert!(matches!(
        load_mmap(&path_t),
        Err(NpyError::Truncated { .. })
    ));
    // What from_npy_bytes accepts, load_mmap accepts.
    assert_eq!(
        from_npy_bytes(&std::fs::read(&path_b).unwrap())
            .unwrap()
            .to_vec::<bool>(),
        b.to_vec::<bool>()
    );
    for p in [path, path_b, path_e, path_t] {
        std::fs::remove_file(p).unwrap();
    }
}
