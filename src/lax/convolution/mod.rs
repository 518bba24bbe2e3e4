//! Convolutions: the `conv_general_dilated` primitive (`primitive.rs`, with
//! its transpose rules in `ad.rs` and vmap rule in `batching.rs`), dimension
//! numbers, and the `lax.conv*` API (`api.rs`). The CPU kernel is
//! `backend/cpu/kernels/conv.rs`.

mod ad;
mod api;
mod batching;
mod dimension_numbers;
mod primitive;
mod shapes;

pub use api::{
    conv, conv_general_dilated, conv_transpose, conv_with_general_padding, ConvOptions,
    ConvTransposeOptions,
};
pub use dimension_numbers::{
    conv_dimension_numbers, conv_general_permutations, ConvDimensionNumbers,
};
pub use primitive::ConvGeneralDilated;
pub use shapes::{conv_general_shape_tuple, conv_shape_tuple, conv_transpose_shape_tuple};
