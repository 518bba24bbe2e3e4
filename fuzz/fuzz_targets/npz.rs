//! Arbitrary bytes into `from_npz_bytes`: an error or the arrays, never a
//! panic, an abort or a large allocation (zip bombs, lying sizes). What
//! loads must save (stored and compressed) and load again identically.
#![no_main]

use jaxide::io::{from_npz_bytes, to_npy_bytes, to_npz_bytes, to_npz_bytes_compressed, NpzFile};
use libfuzzer_sys::fuzz_target;

fn same(a: &NpzFile, b: &NpzFile) {
    assert_eq!(a.files(), b.files());
    for ((_, x), (_, y)) in a.iter().zip(b.iter()) {
        assert_eq!(to_npy_bytes(x).unwrap(), to_npy_bytes(y).unwrap());
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(npz) = from_npz_bytes(data) else {
        return;
    };
    let stored = to_npz_bytes(&npz).expect("loaded arrays save");
    same(&npz, &from_npz_bytes(&stored).expect("a saved archive loads"));
    let deflated = to_npz_bytes_compressed(&npz).expect("loaded arrays save compressed");
    same(&npz, &from_npz_bytes(&deflated).expect("a compressed archive loads"));
});
