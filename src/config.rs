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

/// Which tier runs jitted loops (`while`, `scan`, `fori_loop`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum JitTier {
    /// Always the interpreter (every step through the executable).
    Interp,
    /// Compile each loop to machine code before its first run, and use it.
    Native,
    /// Run the interpreter until a background thread has compiled the loop,
    /// then switch to the machine code (the default: no call waits for codegen).
    Auto,
}

static JIT_TIER: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(u8::MAX);

/// The loop tier in force. The environment variable
/// `JAXIDE_JIT_TIER=interp|native|auto` sets it at startup; `auto` is the default.
pub fn jit_tier() -> JitTier {
    let mut t = JIT_TIER.load(Ordering::Relaxed);
    if t == u8::MAX {
        let from_env = match std::env::var("JAXIDE_JIT_TIER") {
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "interp" => JitTier::Interp,
                "native" => JitTier::Native,
                "auto" | "" => JitTier::Auto,
                _ => {
                    warn_bad_env("JAXIDE_JIT_TIER", &v, "interp, native or auto");
                    JitTier::Auto
                }
            },
            Err(_) => JitTier::Auto,
        };
        t = from_env as u8;
        let _ = JIT_TIER.compare_exchange(u8::MAX, t, Ordering::Relaxed, Ordering::Relaxed);
        t = JIT_TIER.load(Ordering::Relaxed);
    }
    match t {
        0 => JitTier::Interp,
        1 => JitTier::Native,
        _ => JitTier::Auto,
    }
}

/// Chooses the loop tier (see [`jit_tier`]).
pub fn set_jit_tier(tier: JitTier) {
    JIT_TIER.store(tier as u8, Ordering::Relaxed);
}
