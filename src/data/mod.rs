//! Feeding training loops: a shuffling, batching iterator over in-memory
//! arrays ([`DataLoader`]), loading named arrays from `.npz` files
//! ([`from_npz`]), and the digits dataset shipped in `data/digits/`
//! ([`load_digits`]).
//!
//! | part | file |
//! |---|---|
//! | `DataLoader`, `DataLoaderState` | `loader.rs` |
//! | `from_npz`, `DataError` | `npz.rs` |
//! | `load_digits`, `Digits` | `digits.rs` |

mod digits;
mod loader;
mod npz;

pub use digits::{load_digits, Digits, DIGITS_SPLIT_SEED, DIGITS_TEST_SIZE};
pub use loader::{DataLoader, DataLoaderState, EpochBatches};
pub use npz::{from_npz, DataError};
