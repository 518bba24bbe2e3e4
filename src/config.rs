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
        if let Some(on) = env_flag("JAXIDE_ENABLE_X64") {
            ENABLE_X64.store(on, Ordering::Relaxed);
        }
    });
}

/// Reads a boolean environment variable; an unrecognized value is ignored
/// with a warning naming the accepted spellings.
fn env_flag(var: &str) -> Option<bool> {
    let v = std::env::var(var).ok()?;
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => {
            warn_bad_env(var, &v, "1/true/yes/on or 0/false/no/off");
            None
        }
    }
}

/// Prints, once per variable, that `var=value` is ignored and what it accepts.
pub(crate) fn warn_bad_env(var: &str, value: &str, accepted: &str) {
    static WARNED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if warned.iter().any(|w| w == var) {
        return;
    }
    warned.push(var.to_string());
    eprintln!("jaxide: warning: ignoring {var}={value:?}: expected {accepted}.");
}

static LOG_COMPILES: AtomicBool = AtomicBool::new(false);
static LOG_INIT: std::sync::Once = std::sync::Once::new();

/// Whether each jit compilation is printed with its reason (`jax_log_compiles`).
///
/// The environment variable `JAXIDE_LOG_COMPILES=1` turns it on at startup.
pub fn log_compiles() -> bool {
    LOG_INIT.call_once(|| {
        if let Some(on) = env_flag("JAXIDE_LOG_COMPILES") {
            LOG_COMPILES.store(on, Ordering::Relaxed);
        }
    });
    LOG_COMPILES.load(Ordering::Relaxed)
}

/// Turns compilation logging on or off.
pub fn set_log_compiles(on: bool) {
    log_compiles();
    LOG_COMPILES.store(on, Ordering::Relaxed);
}

static JIT_CACHE_SIZE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(64);

/// How many compiled versions each jitted function keeps (least recently used are evicted).
pub fn jit_cache_size() -> usize {
    JIT_CACHE_SIZE.load(Ordering::Relaxed)
}

/// Sets the per-function jit cache bound (at least 1).
pub fn set_jit_cache_size(n: usize) {
    JIT_CACHE_SIZE.store(n.max(1), Ordering::Relaxed);
}
