//! `jaxide-bench compare [--json] [case ...]`: runs jaxide, then NumPy and JAX
//! (through `python3`, where installed) in the same run, and prints medians
//! and ratios.

use jaxide_bench::{cases, timing};
use std::collections::BTreeMap;
use std::process::Command;

fn fmt_time(s: Option<f64>) -> String {
    match s {
        None => "-".into(),
        Some(s) if s < 1e-3 => format!("{:.3} us", s * 1e6),
        Some(s) if s < 1.0 => format!("{:.3} ms", s * 1e3),
        Some(s) => format!("{s:.3} s"),
    }
}

/// `a/b` as `0.57x`, or as `1/548` when below 0.1 (small ratios need the digits).
fn ratio(a: f64, b: Option<f64>) -> String {
    b.map(|b| {
        let r = a / b;
        if r < 0.1 {
            format!("1/{:.0}", 1.0 / r)
        } else {
            format!("{r:.2}x")
        }
    })
    .unwrap_or_else(|| "-".into())
}

/// Runs the Python peers; returns (case, peer) → median seconds.
fn run_peers(wanted: &[String]) -> BTreeMap<(String, String), f64> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/compare.py");
    let out = Command::new("python3")
        .arg(script)
        .args(wanted)
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output();
    let mut map = BTreeMap::new();
    match out {
        Ok(o) => {
            for line in String::from_utf8_lossy(&o.stdout).lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                    if let (Some(c), Some(p), Some(t)) = (
                        v["case"].as_str(),
                        v["peer"].as_str(),
                        v["median_s"].as_f64(),
                    ) {
                        map.insert((c.to_string(), p.to_string()), t);
                    }
                }
            }
            if !o.status.success() {
                eprintln!(
                    "note: the Python peers failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                        .lines()
                        .last()
                        .unwrap_or("")
                );
            }
        }
        Err(e) => eprintln!("note: python3 not available ({e}); peers skipped"),
    }
    map
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("compare") {
        eprintln!("usage: jaxide-bench compare [--json] [case ...]");
        std::process::exit(2);
    }
    let json = args.iter().any(|a| a == "--json");
    let wanted: Vec<String> = args[1..]
        .iter()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    let mut results: Vec<(&'static str, f64)> = Vec::new();
    for mut c in cases::all_cases() {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == c.name) {
            continue;
        }
        let t = timing::measure(&mut c.run);
        if !json {
            eprintln!("  .. jaxide {}: {}", c.name, fmt_time(Some(t)));
        }
        results.push((c.name, t));
    }
    let mut peers = run_peers(&wanted);
    peers.extend(rust_peers(&wanted, json));
    let get = |c: &str, p: &str| peers.get(&(c.to_string(), p.to_string())).copied();
    let names: &[&str] = if cfg!(feature = "candle") {
        &["numpy", "jax", "candle"]
    } else {
        &["numpy", "jax"]
    };
    if json {
        for (name, t) in &results {
            let mut obj = serde_json::json!({ "case": name, "jaxide_s": t });
            for p in names {
                obj[format!("{p}_s")] = serde_json::json!(get(name, p));
            }
            println!("{obj}");
        }
        return;
    }
    let mut header = format!("{:<22} {:>12}", "case", "jaxide");
    for p in names {
        header += &format!(" {p:>12}");
    }
    for p in names {
        header += &format!(" {:>12}", format!("jaxide/{p}"));
    }
    println!("{header}");
    for (name, t) in &results {
        let mut row = format!("{:<22} {:>12}", name, fmt_time(Some(*t)));
        for p in names {
            row += &format!(" {:>12}", fmt_time(get(name, p)));
        }
        for p in names {
            row += &format!(" {:>12}", ratio(*t, get(name, p)));
        }
        println!("{row}");
    }
}

/// Runs the peers written in Rust (candle, behind the `candle` feature).
#[allow(unused_variables)]
fn rust_peers(wanted: &[String], quiet: bool) -> BTreeMap<(String, String), f64> {
    #[allow(unused_mut)]
    let mut map = BTreeMap::new();
    #[cfg(feature = "candle")]
    for mut c in jaxide_bench::candle_cases::candle_cases() {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == c.name) {
            continue;
        }
        let t = timing::measure(&mut c.run);
        if !quiet {
            eprintln!("  .. candle {}: {}", c.name, fmt_time(Some(t)));
        }
        map.insert((c.name.to_string(), "candle".to_string()), t);
    }
    map
}
