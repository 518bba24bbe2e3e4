//! Global configuration flags, like `jax.config`.
//!
//! ```
//! jaxide::config::set_enable_x64(false); // the default, as in JAX
//! assert!(!jaxide::config::enable_x64());
//! ```

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLE_X64: AtomicBool = AtomicBool::new(false);

/// Whether 64-bit dtypes are enabled (`jax_enable_x64`). Off by default.
///
/// The environment variable `JAXIDE_ENABLE_X64=1` turns it on at startup.
pub fn enable_x64() -> bool {
    init_from_env();
    ENABLE_X64.load(Ordering::Relaxed)
}

/// Turns 64-bit dtypes on or off (`jax.config.update("jax_enable_x64", on)`).
pub fn set_enable_x64(on: bool) {
    init_from_env();
    ENABLE_X64.store(on, Ordering::Relaxed);
}

fn init_from_env() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        if let Ok(v) = std::env::var("JAXIDE_ENABLE_X64") {
            let on = matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on");
            ENABLE_X64.store(on, Ordering::Relaxed);
        }
    });
}
