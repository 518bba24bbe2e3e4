//! `Display` (NumPy's `str`) and `Debug` (JAX's `repr`) for arrays.

use super::array::{Array, Repr};
use super::dtype::DType;
use crate::printing::{format_repr, format_str, HostSlice};
use half::{bf16, f16};

fn with_host_slice<R>(x: &Array, f: impl FnOnce(HostSlice<'_>) -> R) -> R {
    let buf = x.buffer("printing an array");
    match x.dtype() {
        DType::Bool => {
            let v: Vec<bool> = buf.as_slice::<u8>().iter().map(|&b| b != 0).collect();
            f(HostSlice::Bool(&v))
        }
        DType::I8 => f(HostSlice::I8(buf.as_slice())),
        DType::I16 => f(HostSlice::I16(buf.as_slice())),
        DType::I32 => f(HostSlice::I32(buf.as_slice())),
        DType::I64 => f(HostSlice::I64(buf.as_slice())),
        DType::U8 => f(HostSlice::U8(buf.as_slice())),
        DType::U16 => f(HostSlice::U16(buf.as_slice())),
        DType::U32 => f(HostSlice::U32(buf.as_slice())),
        DType::U64 => f(HostSlice::U64(buf.as_slice())),
        DType::F16 => f(HostSlice::F16(buf.as_slice::<f16>())),
        DType::BF16 => f(HostSlice::BF16(buf.as_slice::<bf16>())),
        DType::F32 => f(HostSlice::F32(buf.as_slice())),
        DType::F64 => f(HostSlice::F64(buf.as_slice())),
        DType::C64 => f(HostSlice::C64(buf.as_slice())),
        DType::C128 => f(HostSlice::C128(buf.as_slice())),
        DType::Float0 => f(HostSlice::Float0(x.size())),
    }
}

impl std::fmt::Display for Array {
    /// NumPy's `str(x)`, e.g. `[1. 2. 3.]`. Tracers print as `Traced<f32[3]>with<jvp>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Repr::Tracer(_) = &self.0 {
            return write!(f, "{:?}", self.0);
        }
        let s = with_host_slice(self, |h| format_str(h, self.shape()));
        f.write_str(&s)
    }
}

impl std::fmt::Debug for Array {
    /// JAX's `repr(x)`, e.g. `Array([1., 2.], dtype=float32)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Repr::Tracer(_) = &self.0 {
            return write!(f, "{:?}", self.0);
        }
        let s = with_host_slice(self, |h| format_repr(h, self.shape(), self.weak_type()));
        f.write_str(&s)
    }
}
