//! Arbitrary bytes into `from_safetensors_bytes`: an error or the arrays,
//! never a panic, an abort or a large allocation. What loads must save
//! and load again identically.
#![no_main]

use jaxide::io::{from_safetensors_bytes, to_npy_bytes, to_safetensors_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(arrays) = from_safetensors_bytes(data) else {
        return;
    };
    let saved = to_safetensors_bytes(&arrays, None).expect("loaded arrays save");
    let again = from_safetensors_bytes(&saved).expect("saved arrays load");
    assert_eq!(
        arrays.keys().collect::<Vec<_>>(),
        again.keys().collect::<Vec<_>>()
    );
    for (x, y) in arrays.values().zip(again.values()) {
        assert_eq!(to_npy_bytes(x).unwrap(), to_npy_bytes(y).unwrap());
    }
});
