//! Describing how two [`TreeDef`]s differ, in JAX's words.

use std::fmt::Write;

use super::treedef::{py_str_repr, Kind, StaticsTuple, TreeDef};

/// Panics with a message naming the first place where `got` differs from
/// `expected`, and both whole structures. `op` is the calling function;
/// the names say which arguments the two trees are ("first tree", ...).
pub(crate) fn assert_same_structure(
    op: &str,
    expected_name: &str,
    expected: &TreeDef,
    got_name: &str,
    got: &TreeDef,
) {
    if expected == got {
        return;
    }
    let mut path = String::from("tree");
    let detail = first_difference(expected, got, &mut path)
        .unwrap_or_else(|| "structures differ".to_string());
    let width = expected_name.len().max(got_name.len()) + 1;
    panic!(
        "{op}: pytree structure mismatch at key path {path}: {detail}.\n  \
         {:<width$} {expected}\n  {:<width$} {got}",
        format!("{expected_name}:"),
        format!("{got_name}:"),
    );
}

/// Describes the first node (depth-first) where `got` differs from
/// `expected`, leaving its key path in `path`; `None` if they are equal.
fn first_difference(expected: &TreeDef, got: &TreeDef, path: &mut String) -> Option<String> {
    if expected == got {
        return None;
    }
    let (e, g) = (expected.node(), got.node());
    let (ne, ng) = (e.children.len(), g.children.len());
    let got_str = got.inner_string();
    let mismatch = match (&e.kind, &g.kind) {
        (Kind::Tuple, Kind::Tuple) if ne != ng => Some(format!(
            "Tuple arity mismatch: {ng} != {ne}; tuple: {got_str}"
        )),
        (Kind::List, Kind::List) if ne != ng => Some(format!(
            "List arity mismatch: {ng} != {ne}; list: {got_str}"
        )),
        (Kind::Dict(ke), Kind::Dict(kg)) if ke != kg => Some(format!(
            "Dict key mismatch; expected keys: {}; present keys: {}",
            py_key_list(ke),
            py_key_list(kg)
        )),
        (Kind::Custom(ce), Kind::Custom(cg)) if ce.type_name != cg.type_name => Some(format!(
            "Custom node type mismatch; expected type: {}, value: {got_str}",
            ce.type_name
        )),
        (Kind::Custom(ce), Kind::Custom(cg)) if ce.statics != cg.statics => Some(format!(
            "Mismatch custom node data: {} != {}; value: {got_str}",
            StaticsTuple(&ce.statics),
            StaticsTuple(&cg.statics)
        )),
        (ke, kg) if std::mem::discriminant(ke) != std::mem::discriminant(kg) => {
            Some(format!("Expected {}, got {got_str}", kind_name(ke)))
        }
        _ => None,
    };
    if mismatch.is_some() {
        return mismatch;
    }
    // Same node; recurse into the children in order.
    for (i, (ce, cg)) in e.children.iter().zip(&g.children).enumerate() {
        let len = path.len();
        match &e.kind {
            Kind::Dict(keys) => write!(path, "[{}]", py_str_repr(&keys[i])),
            Kind::Custom(c) => write!(path, ".{}", c.fields[i]),
            _ => write!(path, "[{i}]"),
        }
        .expect("writing to a String cannot fail");
        if let Some(d) = first_difference(ce, cg, path) {
            return Some(d);
        }
        path.truncate(len);
    }
    None
}

/// The kind of node JAX would name in "Expected ..., got ...".
fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Leaf => "leaf".to_string(),
        Kind::None => "None".to_string(),
        Kind::Tuple => "tuple".to_string(),
        Kind::List => "list".to_string(),
        Kind::Dict(_) => "dict".to_string(),
        Kind::Custom(c) => format!("custom node `{}`", c.type_name),
    }
}

/// Keys as a Python list literal: `['a', 'b']`.
fn py_key_list(keys: &[String]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| py_str_repr(k)).collect();
    format!("[{}]", quoted.join(", "))
}
