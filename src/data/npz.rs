//! Named arrays from a `.npz` archive, ready for a [`DataLoader`](super::DataLoader).

use crate::io::{load_npz, NpzError};
use crate::Array;
use std::path::Path;

/// Why a dataset could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The archive could not be read.
    #[error("{0}")]
    Npz(#[from] NpzError),
    /// The archive lacks an array that was asked for.
    #[error("no array named {name:?} in the .npz archive (it holds {available:?})")]
    MissingArray {
        /// The name asked for.
        name: String,
        /// The names the archive holds, in archive order.
        available: Vec<String>,
    },
    /// The arrays are not what the dataset should hold.
    #[error("{0}")]
    Invalid(String),
}

/// Loads the arrays `names` from a `.npz` archive, in that order
/// (`[np.load(path)[n] for n in names]`).
///
/// ```
/// use jaxide::prelude::*;
/// let path = std::env::temp_dir().join("jaxide_doc_from_npz.npz");
/// jnp::savez(&path, [("x", &jnp::ones([4, 2])), ("y", &jnp::arange(4))]).unwrap();
/// let xy = jaxide::data::from_npz(&path, &["x", "y"]).unwrap();
/// assert_eq!(xy[1].shape(), &[4]);
/// assert!(jaxide::data::from_npz(&path, &["z"]).is_err());
/// ```
pub fn from_npz(path: impl AsRef<Path>, names: &[&str]) -> Result<Vec<Array>, DataError> {
    let npz = load_npz(path)?;
    names
        .iter()
        .map(|&name| {
            npz.get(name)
                .cloned()
                .ok_or_else(|| DataError::MissingArray {
                    name: name.to_string(),
                    available: npz.files().iter().map(|s| s.to_string()).collect(),
                })
        })
        .collect()
}
