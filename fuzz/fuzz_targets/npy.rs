//! Arbitrary bytes into `from_npy_bytes`: an error or an array, never a
//! panic, an abort or a large allocation. Whatever loads must save and
//! load again to the same array (same dtype, shape and bits).
#![no_main]

use jaxide::io::{from_npy_bytes, to_npy_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(x) = from_npy_bytes(data) else {
        return;
    };
    let saved = to_npy_bytes(&x).expect("a loaded array saves");
    let y = from_npy_bytes(&saved).expect("a saved array loads");
    assert_eq!((x.dtype(), x.shape()), (y.dtype(), y.shape()));
    assert_eq!(saved, to_npy_bytes(&y).unwrap(), "round trip changed the bytes");
});
