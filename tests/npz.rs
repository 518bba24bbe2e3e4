//! `.npz` load and save against archives written by NumPy
//! (`tests/fixtures/npz/gen_npz.py`), NumPy reading what jaxide writes
//! (when `python3` with numpy is installed), and bad archives.
//!
//! This binary turns x64 on in every test, so 64-bit members load with
//! their own dtype and every member can be compared bit for bit.

use jaxide::io::{
    from_npz_bytes, load_npz, to_npy_bytes, to_npz_bytes, to_npz_bytes_compressed, NpyError,
    NpzError,
};
use jaxide::prelude::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/npz")
}

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture_dir().join("manifest.json")).unwrap())
        .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The array's elements as bytes in C order (the data part of its `.npy`).
fn data_bytes(x: &Array) -> Vec<u8> {
    let npy = to_npy_bytes(x).unwrap();
    let n = x.size() * x.dtype().size_of();
    npy[npy.len() - n..].to_vec()
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("jaxide_npz_{tag}_{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Checks every member of `npz` against the manifest entries, in order.
fn check_members(npz: &jaxide::io::NpzFile, entries: &[Value], what: &str) {
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(npz.files(), names, "{what}: member order");
    for e in entries {
        let name = e["name"].as_str().unwrap();
        let x = &npz[name];
        let shape: Vec<usize> = e["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(x.shape(), &shape[..], "{what}/{name}");
        assert_eq!(
            x.dtype().name(),
            e["dtype"].as_str().unwrap(),
            "{what}/{name}"
        );
        assert_eq!(
            hex(&data_bytes(x)),
            e["hex"].as_str().unwrap(),
            "{what}/{name}: bits differ"
        );
    }
}

/// The raw bytes of each member of a zip archive, by name.
fn raw_members(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

#[test]
fn numpy_archives_load_bit_for_bit_stored_and_compressed() {
    jaxide::config::set_enable_x64(true);
    let m = manifest();
    let entries = m["members"].as_array().unwrap();
    assert!(entries.len() >= 20);
    for file in ["stored.npz", "compressed.npz"] {
        let npz = load_npz(fixture_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        check_members(&npz, entries, file);
        let bytes = std::fs::read(fixture_dir().join(file)).unwrap();
        check_members(&from_npz_bytes(&bytes).unwrap(), entries, file);
    }
    let pos = load_npz(fixture_dir().join("positional.npz")).unwrap();
    check_members(&pos, m["positional"].as_array().unwrap(), "positional.npz");
}

#[test]
fn saved_members_are_the_bytes_numpy_writes() {
    jaxide::config::set_enable_x64(true);
    let m = manifest();
    let numpy = std::fs::read(fixture_dir().join("stored.npz")).unwrap();
    let npz = from_npz_bytes(&numpy).unwrap();
    let ours = to_npz_bytes(&npz).unwrap();
    let (theirs, mine) = (raw_members(&numpy), raw_members(&ours));
    assert_eq!(theirs.len(), mine.len());
    for ((e, (tn, tb)), (mn, mb)) in m["members"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&theirs)
        .zip(&mine)
    {
        assert_eq!(tn, mn);
        if e["canonical"].as_bool().unwrap() {
            assert_eq!(
                hex(tb),
                hex(mb),
                "{tn}: member bytes differ from np.savez's"
            );
        }
    }
    // Both forms round-trip bit for bit, in order.
    for bytes in [ours, to_npz_bytes_compressed(&npz).unwrap()] {
        check_members(
            &from_npz_bytes(&bytes).unwrap(),
            m["members"].as_array().unwrap(),
            "round trip",
        );
    }
}

#[test]
fn positional_and_named_forms_and_the_file_api() {
    jaxide::config::set_enable_x64(true);
    let dir = temp_dir("api");
    let path = dir.join("p.npz");
    let (a, b) = (jnp::arange(4), jnp::ones([2, 3]));
    jnp::savez(&path, [&a, &b]).unwrap();
    let npz = load_npz(&path).unwrap();
    assert_eq!(npz.files(), vec!["arr_0", "arr_1"]);
    assert_eq!(npz["arr_0"].to_vec::<i64>(), vec![0, 1, 2, 3]);
    jnp::savez_compressed(&path, [("w", &b), ("bias", &a)]).unwrap();
    let npz = load_npz(&path).unwrap();
    assert_eq!(npz.files(), vec!["w", "bias"]);
    assert!(npz.contains("w") && npz.get("nope").is_none());
    assert_eq!(npz.len(), 2);
    let map = npz.clone().into_map();
    assert_eq!(map.keys().collect::<Vec<_>>(), vec!["bias", "w"]);
    // Saving a map or a vector of pairs works too.
    jaxide::io::savez(&path, &map).unwrap();
    assert_eq!(load_npz(&path).unwrap().files(), vec!["bias", "w"]);
    jaxide::io::savez(&path, vec![("z", a.clone())]).unwrap();
    assert_eq!(load_npz(&path).unwrap().files(), vec!["z"]);
    jaxide::io::savez(&path, vec![a.clone(), b.clone()]).unwrap();
    assert_eq!(load_npz(&path).unwrap().len(), 2);
    // An empty archive is fine.
    jaxide::io::savez(&path, Vec::<Array>::new()).unwrap();
    assert!(load_npz(&path).unwrap().is_empty());
    // Only the archive is left in the directory (no temporary files).
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // A transposed (non-contiguous) view saves its logical contents.
    let t = jnp::transpose(&b.reshape(&[3, 2]));
    let back = from_npz_bytes(&to_npz_bytes([&t]).unwrap()).unwrap();
    assert_eq!(back["arr_0"].to_vec::<f64>(), t.to_vec::<f64>());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[should_panic(expected = "KeyError: 'b is not a file in the archive'")]
fn indexing_a_missing_name_panics_like_numpy() {
    let npz = from_npz_bytes(&to_npz_bytes([("a", &jnp::zeros([1]))]).unwrap()).unwrap();
    let _ = &npz["b"];
}

#[test]
fn save_errors_leave_no_file() {
    jaxide::config::set_enable_x64(true);
    let dir = temp_dir("saveerr");
    let path = dir.join("d.npz");
    let a = jnp::zeros([2]);
    let err = jnp::savez(&path, [("x", &a), ("x", &a)]).unwrap_err();
    assert!(
        matches!(err, NpzError::DuplicateName(ref n) if n == "x"),
        "{err}"
    );
    assert_eq!(err.to_string(), "duplicate array name \"x\" in .npz");
    // float0 has no file form.
    let g = grad_with(
        |n: &Array| n.astype(DType::F32).sum(),
        Arg0,
        GradOptions {
            allow_int: true,
            ..Default::default()
        },
    )(&jnp::arange(2));
    let err = jnp::savez(&path, [&a, &g]).unwrap_err();
    assert!(
        matches!(
            err,
            NpzError::Member {
                source: NpyError::UnsupportedDtype(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(to_npz_bytes([&g]).is_err());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(
        load_npz(dir.join("nope.npz")),
        Err(NpzError::Io(_))
    ));
}

/// A zip archive with the given members (name, bytes, deflated?).
fn zip_of(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes, deflate) in members {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        z.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn npy_header(text: &str) -> Vec<u8> {
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(text.len() as u16).to_le_bytes());
    b.extend_from_slice(text.as_bytes());
    b
}

#[test]
fn bad_archives_are_errors_not_panics() {
    let good = to_npz_bytes([("a", &jnp::arange(10)), ("b", &jnp::ones([3]))]).unwrap();
    let err = |b: &[u8]| from_npz_bytes(b).unwrap_err().to_string();
    // Not a zip at all (e.g. a .npy file).
    let npy = to_npy_bytes(&jnp::arange(3)).unwrap();
    assert!(err(&npy).starts_with("bad .npz archive"), "{}", err(&npy));
    assert!(err(b"").starts_with("bad .npz archive"));
    // Every prefix of a valid archive fails cleanly.
    for n in 0..good.len() {
        assert!(from_npz_bytes(&good[..n]).is_err(), "prefix {n}");
    }
    // Every single-byte corruption either fails cleanly or loads.
    for i in 0..good.len() {
        let mut b = good.clone();
        b[i] ^= 0x55;
        let _ = from_npz_bytes(&b);
    }
    // A flipped data byte is caught by the CRC.
    let mut flipped = good.clone();
    let at = good.len() / 4;
    flipped[at] ^= 1;
    assert!(from_npz_bytes(&flipped).is_err());
    // A member that is not .npy.
    let e = err(&zip_of(&[("readme.txt", b"hello", false)]));
    assert!(
        e.starts_with(".npz member \"readme.txt\": not a .npy file"),
        "{e}"
    );
    // A member whose header lies about its shape allocates nothing.
    let huge = npy_header(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }\n",
    );
    let e = err(&zip_of(&[("h.npy", &huge, true)]));
    assert!(e.contains("truncated .npy file"), "{e}");
    // Duplicate names in an archive.
    // (`x` and `x.npy` both name the array `x`.)
    let e = err(&zip_of(&[("x.npy", &npy, false), ("x", &npy, true)]));
    assert!(e.contains("duplicate array name \"x\""), "{e}");
    // A zip bomb: a member whose zeros inflate far beyond what its header
    // declares still reads only the declared data.
    let mut bomb = npy_header("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }\n");
    bomb.resize(bomb.len() + (64 << 20), 0);
    let z = zip_of(&[("bomb.npy", &bomb, true)]);
    assert!(z.len() < 1 << 20);
    assert_eq!(
        from_npz_bytes(&z).unwrap()["bomb"].to_vec::<u8>(),
        vec![0; 4]
    );
}

#[test]
fn lying_zip_sizes_are_errors() {
    // A stored member whose central directory claims a huge uncompressed
    // size, and one claiming a huge compressed size.
    let npy = to_npy_bytes(&jnp::arange(3)).unwrap();
    let z = zip_of(&[("a.npy", &npy, false)]);
    // The central directory entry starts with PK\x01\x02; sizes are at
    // offsets 20 (compressed) and 24 (uncompressed).
    let cd = z.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    for off in [20, 24] {
        let mut b = z.clone();
        b[cd + off..cd + off + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
        let e = from_npz_bytes(&b).unwrap_err().to_string();
        assert!(e.starts_with("bad .npz archive"), "{e}");
    }
}

/// `python3` with numpy, or `None` (with a note) when it is not installed.
fn python_with_numpy() -> Option<&'static str> {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        println!("skipped: python3 with numpy is not installed, so np.load is not checked");
        return None;
    }
    Some("python3")
}

fn numpy_compare(python: &str, ours: &Path, theirs: &Path) {
    let script = r#"
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.files == b.files, (a.files, b.files)
for k in a.files:
    x, y = a[k], b[k]
    assert x.dtype.newbyteorder('=') == y.dtype.newbyteorder('='), (k, x.dtype, y.dtype)
    assert x.shape == y.shape, (k, x.shape, y.shape)
    assert np.ascontiguousarray(x).tobytes() == np.ascontiguousarray(y).astype(
        y.dtype.newbyteorder('<')).tobytes(), k
print("ok", len(a.files))
"#;
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(ours)
        .arg(theirs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "np.load disagrees: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn numpy_reads_what_jaxide_writes() {
    jaxide::config::set_enable_x64(true);
    let Some(python) = python_with_numpy() else {
        return;
    };
    let dir = temp_dir("numpy");
    let npz = load_npz(fixture_dir().join("stored.npz")).unwrap();
    let theirs = fixture_dir().join("stored.npz");
    let ours = dir.join("ours.npz");
    jnp::savez(&ours, &npz).unwrap();
    numpy_compare(python, &ours, &theirs);
    jnp::savez_compressed(&ours, &npz).unwrap();
    numpy_compare(python, &ours, &theirs);
    std::fs::remove_dir_all(&dir).unwrap();
}
