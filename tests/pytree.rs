//! Pytrees (`jaxide::tree`): flatten order, round trips, structure equality,
//! printing, `#[derive(PyTree)]`, tree_map/2/3 and mismatch panics.
//!
//! Expected `PyTreeDef(...)` strings were printed by real JAX (0.10.2) for the
//! same structures, with `1.0` for each leaf, e.g.
//! `jax.tree_util.tree_structure((1.0, [1.0, None], {'x': (1.0,)}))`.
//! Derived structs correspond to dataclasses registered with
//! `jax.tree_util.register_dataclass(cls, data_fields=[...], meta_fields=[...])`;
//! JAX prints their static data with Python reprs (`('lin',)`), we print
//! Rust `Debug` (`("lin",)`).

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use jaxide::prelude::*;

/// A one-element f32 array holding `v`.
fn a(v: f32) -> Array {
    Array::from_vec(vec![v], [1])
}

/// The first element of every leaf.
fn vals(leaves: &[Array]) -> Vec<f32> {
    leaves.iter().map(|x| x.to_vec::<f32>()[0]).collect()
}

/// Checks leaf order, the printed structure, num_leaves/num_nodes (from JAX)
/// and that unflattening gives back the same leaves and structure.
fn check<T: PyTree>(tree: &T, leaves: &[f32], printed: &str, num_nodes: usize) {
    let (ls, def) = tree_flatten(tree);
    assert_eq!(vals(&ls), leaves, "leaf order of {def}");
    assert_eq!(def.to_string(), printed);
    assert_eq!(format!("{def:?}"), printed);
    assert_eq!(def.num_leaves(), leaves.len());
    assert_eq!(def.num_nodes(), num_nodes, "num_nodes of {def}");
    let back: T = tree_unflatten(&def, ls.clone());
    let (ls2, def2) = tree_flatten(&back);
    assert_eq!(def2, def);
    assert_eq!(vals(&ls2), leaves);
    assert_eq!(tree_leaves(tree).len(), leaves.len());
    assert_eq!(tree_structure(tree), def);
}

// ---------------------------------------------------------------- builtins

#[test]
fn array_is_a_leaf() {
    // JAX: PyTreeDef(*), 1 leaf, 1 node.
    check(&a(1.0), &[1.0], "PyTreeDef(*)", 1);
    let def = tree_structure(&a(1.0));
    assert!(def.is_leaf());
    assert!(def.children().is_empty());
    // A leaf keeps the whole array, not just a scalar.
    let x = jnp::array([1.0f32, 2.0, 3.0]);
    assert_eq!(tree_leaves(&x)[0].to_vec::<f32>(), vec![1.0, 2.0, 3.0]);
}

#[test]
fn unit_is_the_empty_tuple() {
    // JAX: PyTreeDef(()), 0 leaves, 1 node.
    check(&(), &[], "PyTreeDef(())", 1);
    assert!(!tree_structure(&()).is_leaf());
}

#[test]
fn tuples() {
    // JAX: PyTreeDef((*,)) 2 nodes; PyTreeDef((*, *)) 3 nodes.
    check(&(a(1.0),), &[1.0], "PyTreeDef((*,))", 2);
    check(&(a(1.0), a(2.0)), &[1.0, 2.0], "PyTreeDef((*, *))", 3);
    check(
        &(a(1.0), (a(2.0), a(3.0)), a(4.0)),
        &[1.0, 2.0, 3.0, 4.0],
        "PyTreeDef((*, (*, *), *))",
        6,
    );
}

#[test]
fn tuple_of_twelve() {
    let t = (
        a(0.0),
        a(1.0),
        a(2.0),
        a(3.0),
        a(4.0),
        a(5.0),
        a(6.0),
        a(7.0),
        a(8.0),
        a(9.0),
        a(10.0),
        a(11.0),
    );
    let expected: Vec<f32> = (0..12).map(|i| i as f32).collect();
    // JAX: 12 leaves, 13 nodes.
    check(
        &t,
        &expected,
        "PyTreeDef((*, *, *, *, *, *, *, *, *, *, *, *))",
        13,
    );
}

#[test]
fn vec_and_fixed_array_are_lists() {
    // JAX: PyTreeDef([*, *, *]) 4 nodes; PyTreeDef([]) 1 node; PyTreeDef([*, *]) 3 nodes.
    check(
        &vec![a(1.0), a(2.0), a(3.0)],
        &[1.0, 2.0, 3.0],
        "PyTreeDef([*, *, *])",
        4,
    );
    check(&Vec::<Array>::new(), &[], "PyTreeDef([])", 1);
    check(&[a(1.0), a(2.0)], &[1.0, 2.0], "PyTreeDef([*, *])", 3);
    check(
        &[(a(1.0), a(2.0)), (a(3.0), a(4.0))],
        &[1.0, 2.0, 3.0, 4.0],
        "PyTreeDef([(*, *), (*, *)])",
        7,
    );
    // Both are Python lists, so a Vec of length 2 and a [T; 2] share a structure.
    assert_eq!(
        tree_structure(&vec![a(1.0), a(2.0)]),
        tree_structure(&[a(3.0), a(4.0)])
    );
    let def = tree_structure(&vec![a(1.0), a(2.0)]);
    let arr: [Array; 2] = tree_unflatten(&def, [a(5.0), a(6.0)]);
    assert_eq!(vals(&arr), [5.0, 6.0]);
}

#[test]
fn option_none_has_no_leaves() {
    // JAX: PyTreeDef(None) 0 leaves 1 node; PyTreeDef((*, None)) 3 nodes.
    check(&None::<Array>, &[], "PyTreeDef(None)", 1);
    check(&Some(a(1.0)), &[1.0], "PyTreeDef(*)", 1);
    check(
        &(Some(a(1.0)), None::<Array>),
        &[1.0],
        "PyTreeDef((*, None))",
        3,
    );
    let def = tree_structure(&(Some(a(1.0)), None::<Array>));
    let (x, y): (Option<Array>, Option<Array>) = tree_unflatten(&def, [a(7.0)]);
    assert_eq!(vals(&[x.unwrap()]), [7.0]);
    assert!(y.is_none());
}

#[test]
fn box_is_transparent() {
    check(
        &Box::new((a(1.0), a(2.0))),
        &[1.0, 2.0],
        "PyTreeDef((*, *))",
        3,
    );
}

#[test]
fn btreemap_is_a_dict_in_key_order() {
    let mut m = BTreeMap::new();
    m.insert("b".to_string(), a(1.0));
    m.insert("a".to_string(), a(2.0));
    // JAX: tree_structure({'b': 1.0, 'a': 2.0}) == PyTreeDef({'a': *, 'b': *}), 3 nodes.
    check(&m, &[2.0, 1.0], "PyTreeDef({'a': *, 'b': *})", 3);
    check(&BTreeMap::<String, Array>::new(), &[], "PyTreeDef({})", 1);
}

#[test]
fn hashmap_is_a_dict_in_sorted_key_order() {
    // JAX: tree_leaves({'b': (1., [2., None]), 'a': 3., 'c': {'z': 4., 'y': 5.}})
    //   == [3.0, 1.0, 2.0, 5.0, 4.0]
    let mut inner = HashMap::new();
    inner.insert("z".to_string(), (a(4.0), vec![]));
    inner.insert("y".to_string(), (a(5.0), vec![]));
    let mut m: HashMap<String, (Array, Vec<Option<Array>>)> = HashMap::new();
    m.insert("b".to_string(), (a(1.0), vec![Some(a(2.0)), None]));
    m.insert("a".to_string(), (a(3.0), vec![]));
    m.insert("c".to_string(), (a(6.0), vec![]));
    let (leaves, def) = tree_flatten(&m);
    assert_eq!(vals(&leaves), [3.0, 1.0, 2.0, 6.0]);
    assert_eq!(
        def.to_string(),
        "PyTreeDef({'a': (*, []), 'b': (*, [*, None]), 'c': (*, [])})"
    );
    let back: HashMap<String, (Array, Vec<Option<Array>>)> = tree_unflatten(&def, leaves);
    let mut keys: Vec<_> = back.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["a", "b", "c"]);
    assert!(back["b"].1[1].is_none());

    let nested: HashMap<String, HashMap<String, (Array, Vec<Array>)>> =
        [("c".to_string(), inner)].into_iter().collect();
    assert_eq!(vals(&tree_leaves(&nested)), [5.0, 4.0]);

    // HashMap and BTreeMap with the same keys have the same structure.
    let bt: BTreeMap<String, (Array, Vec<Option<Array>>)> = m.clone().into_iter().collect();
    assert_eq!(tree_structure(&bt), tree_structure(&m));
}

#[test]
fn dict_keys_print_like_python_reprs() {
    // JAX: tree_structure({"it's": 1., 'q"': 1., 'a\\b': 1.})
    //   == PyTreeDef({'a\\b': *, "it's": *, 'q"': *})
    let m: BTreeMap<String, Array> = ["it's", "q\"", "a\\b"]
        .iter()
        .map(|k| (k.to_string(), a(1.0)))
        .collect();
    check(
        &m,
        &[1.0, 1.0, 1.0],
        r#"PyTreeDef({'a\\b': *, "it's": *, 'q"': *})"#,
        4,
    );
}

#[test]
fn nested_builtins() {
    // JAX: tree_structure((1., [1., None], {'x': (1.,)}))
    //   == PyTreeDef((*, [*, None], {'x': (*,)})), 3 leaves, 8 nodes.
    let mut d = BTreeMap::new();
    d.insert("x".to_string(), (a(3.0),));
    let t = (a(1.0), vec![Some(a(2.0)), None], d);
    check(
        &t,
        &[1.0, 2.0, 3.0],
        "PyTreeDef((*, [*, None], {'x': (*,)}))",
        8,
    );
    assert_eq!(tree_structure(&t).children().len(), 3);
}

#[test]
fn structure_equality_and_hash() {
    let s1 = tree_structure(&(a(1.0), vec![a(2.0)]));
    let s2 = tree_structure(&(a(5.0), vec![a(6.0)]));
    let s3 = tree_structure(&(a(1.0), vec![a(2.0), a(3.0)]));
    assert_eq!(s1, s2);
    assert_ne!(s1, s3);
    // A tuple and a list are different nodes, as in JAX.
    assert_ne!(
        tree_structure(&(a(1.0), a(2.0))),
        tree_structure(&vec![a(1.0), a(2.0)])
    );
    // None and () differ; Some(x) is x.
    assert_ne!(tree_structure(&None::<Array>), tree_structure(&()));
    assert_eq!(tree_structure(&Some(a(1.0))), tree_structure(&a(2.0)));
    let set: HashSet<TreeDef> = [s1.clone(), s2, s3.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&s1) && set.contains(&s3));
}

// ------------------------------------------------------------------ derive

#[derive(PyTree, Clone, Debug)]
struct Params {
    w: Array,
    b: Array,
    #[pytree(static)]
    name: String,
}

#[derive(PyTree, Clone)]
struct Pair(Array, Array);

#[derive(PyTree, Clone, PartialEq, Debug)]
struct Unit;

#[derive(PyTree, Clone)]
struct Mlp {
    layers: Vec<Params>,
    #[pytree(static)]
    activation: &'static str,
    #[pytree(static)]
    depth: usize,
}

#[derive(PyTree, Clone)]
struct Wrapper<T> {
    inner: T,
    extra: Option<T>,
    #[pytree(static)]
    tag: u32,
}

#[derive(PyTree, Clone)]
struct Tagged<T, M> {
    value: T,
    #[pytree(static)]
    meta: M,
}

#[derive(PyTree, Clone)]
struct WithMap {
    #[pytree(static)]
    step: i64,
    state: BTreeMap<String, Pair>,
    r#type: Box<Unit>,
}

fn params(w: f32, b: f32, name: &str) -> Params {
    Params {
        w: a(w),
        b: a(b),
        name: name.to_string(),
    }
}

#[test]
fn derive_named_struct() {
    // JAX (register_dataclass, meta_fields=['name']):
    //   PyTreeDef(CustomNode(Params[('lin',)], [*, *])), 3 nodes.
    check(
        &params(1.0, 2.0, "lin"),
        &[1.0, 2.0],
        r#"PyTreeDef(CustomNode(Params[("lin",)], [*, *]))"#,
        3,
    );
    let def = tree_structure(&params(1.0, 2.0, "lin"));
    let p: Params = tree_unflatten(&def, [a(3.0), a(4.0)]);
    assert_eq!(vals(&[p.w, p.b]), [3.0, 4.0]);
    assert_eq!(p.name, "lin");
}

#[test]
fn derive_tuple_and_unit_structs() {
    // JAX: PyTreeDef(CustomNode(Pair[()], [*, *])), 3 nodes;
    //      PyTreeDef(CustomNode(Unit[()], [])), 1 node.
    check(
        &Pair(a(1.0), a(2.0)),
        &[1.0, 2.0],
        "PyTreeDef(CustomNode(Pair[()], [*, *]))",
        3,
    );
    check(&Unit, &[], "PyTreeDef(CustomNode(Unit[()], []))", 1);
    let u: Unit = tree_unflatten(&tree_structure(&Unit), []);
    assert_eq!(u, Unit);
}

#[test]
fn derive_nested_structs() {
    // JAX: tree_structure(Mlp([Params(1.,2.,'l0'), Params(3.,4.,'l1')], 'relu', 2)) ==
    //   PyTreeDef(CustomNode(Mlp[('relu', 2)], [[CustomNode(Params[('l0',)], [*, *]),
    //   CustomNode(Params[('l1',)], [*, *])]])), leaves [1., 2., 3., 4.], 8 nodes.
    let mlp = Mlp {
        layers: vec![params(1.0, 2.0, "l0"), params(3.0, 4.0, "l1")],
        activation: "relu",
        depth: 2,
    };
    check(
        &mlp,
        &[1.0, 2.0, 3.0, 4.0],
        r#"PyTreeDef(CustomNode(Mlp[("relu", 2)], [[CustomNode(Params[("l0",)], [*, *]), CustomNode(Params[("l1",)], [*, *])]]))"#,
        8,
    );
    let doubled = tree_map(|x| x * 2.0, &mlp);
    assert_eq!(vals(&tree_leaves(&doubled)), [2.0, 4.0, 6.0, 8.0]);
    assert_eq!(doubled.layers[1].name, "l1");
    assert_eq!((doubled.activation, doubled.depth), ("relu", 2));
}

#[test]
fn derive_generic_structs() {
    let w = Wrapper {
        inner: (a(1.0), a(2.0)),
        extra: None,
        tag: 7,
    };
    check(
        &w,
        &[1.0, 2.0],
        "PyTreeDef(CustomNode(Wrapper[(7,)], [(*, *), None]))",
        5,
    );
    let w2 = Wrapper {
        inner: vec![a(1.0)],
        extra: Some(vec![a(2.0), a(3.0)]),
        tag: 0,
    };
    check(
        &w2,
        &[1.0, 2.0, 3.0],
        "PyTreeDef(CustomNode(Wrapper[(0,)], [[*], [*, *]]))",
        6,
    );

    let t = Tagged {
        value: params(1.0, 2.0, "p"),
        meta: (String::from("m"), 3u8),
    };
    check(
        &t,
        &[1.0, 2.0],
        r#"PyTreeDef(CustomNode(Tagged[(("m", 3),)], [CustomNode(Params[("p",)], [*, *])]))"#,
        4,
    );
    let back: Tagged<Params, (String, u8)> = tree_unflatten(&tree_structure(&t), [a(5.0), a(6.0)]);
    assert_eq!(back.meta, ("m".to_string(), 3));
    assert_eq!(back.value.name, "p");
    assert_eq!(vals(&[back.value.w, back.value.b]), [5.0, 6.0]);

    // Same Rust generic, different instantiation: different node identity.
    assert_ne!(
        tree_structure(&Wrapper {
            inner: a(1.0),
            extra: None,
            tag: 1
        }),
        tree_structure(&Wrapper {
            inner: Some(a(1.0)),
            extra: None,
            tag: 1
        })
    );
}

#[test]
fn derive_with_map_box_and_raw_ident() {
    let mut state = BTreeMap::new();
    state.insert("m".to_string(), Pair(a(1.0), a(2.0)));
    let s = WithMap {
        step: 3,
        state,
        r#type: Box::new(Unit),
    };
    check(
        &s,
        &[1.0, 2.0],
        "PyTreeDef(CustomNode(WithMap[(3,)], [{'m': CustomNode(Pair[()], [*, *])}, CustomNode(Unit[()], [])]))",
        6,
    );
}

#[test]
fn static_fields_round_trip_and_affect_equality() {
    let p = params(1.0, 2.0, "lin");
    let def = tree_structure(&p);
    // Same statics, other leaves: equal (JAX: True).
    assert_eq!(def, tree_structure(&params(3.0, 4.0, "lin")));
    // Different static value: unequal (JAX: False).
    let other = tree_structure(&params(1.0, 2.0, "other"));
    assert_ne!(def, other);
    let set: HashSet<TreeDef> =
        [def.clone(), other, tree_structure(&params(0.0, 0.0, "lin"))].into();
    assert_eq!(set.len(), 2);
    // The static value comes back from the def, not from the leaves.
    let q: Params = tree_unflatten(&def, [a(9.0), a(8.0)]);
    assert_eq!(q.name, "lin");
    // Static data through the public custom-node API.
    let (children, statics) = def.custom_parts::<Params>();
    assert_eq!(children.len(), 2);
    assert_eq!(
        statics[0].downcast_ref::<String>().map(String::as_str),
        Some("lin")
    );
    assert_eq!(statics[0].to_string(), "\"lin\"");
    assert!(statics[0].eq_dyn(&String::from("lin")));
    assert!(!statics[0].eq_dyn(&5u32));
}

// ---------------------------------------------------------------- tree_map

#[test]
fn tree_map_applies_in_leaf_order() {
    let t = (a(1.0), vec![a(2.0), a(3.0)]);
    let mut seen = Vec::new();
    let out = tree_map(
        |x| {
            seen.push(x.to_vec::<f32>()[0]);
            x + 10.0
        },
        &t,
    );
    assert_eq!(seen, [1.0, 2.0, 3.0]);
    assert_eq!(vals(&tree_leaves(&out)), [11.0, 12.0, 13.0]);
    assert_eq!(tree_structure(&out), tree_structure(&t));
}

#[test]
fn tree_map2_and_map3() {
    let x = params(1.0, 2.0, "lin");
    let y = params(10.0, 20.0, "lin");
    let z = params(100.0, 200.0, "lin");
    let s = tree_map2(|a, b| a + b, &x, &y);
    assert_eq!(vals(&[s.w.clone(), s.b.clone()]), [11.0, 22.0]);
    assert_eq!(s.name, "lin");
    let s3 = tree_map3(|a, b, c| &(a + b) + c, &x, &y, &z);
    assert_eq!(vals(&tree_leaves(&s3)), [111.0, 222.0]);
    let m = tree_map2(
        |a, b| a * b,
        &vec![(a(2.0), None), (a(3.0), None)],
        &vec![(a(4.0), None), (a(5.0), None)],
    );
    let m: Vec<(Array, Option<Array>)> = m;
    assert_eq!(vals(&tree_leaves(&m)), [8.0, 15.0]);
}

// --------------------------------------------------------------- mismatches
// JAX (flatten_up_to) says e.g. "List arity mismatch: 3 != 2; list: [1.0, 2.0, 3.0].",
// "Dict key mismatch; expected keys: ['a']; present keys: ['b'].",
// "Mismatch custom dataclass node data: ('lin',) != ('other',); value: ...",
// "Expected None, got 1.0.", "Too few leaves for PyTreeDef; expected 2, got 1".

#[test]
#[should_panic(expected = "tree_map2: pytree structure mismatch at key path tree: \
                           List arity mismatch: 3 != 2; list: [*, *, *].\n  \
                           first tree:  PyTreeDef([*, *])\n  \
                           second tree: PyTreeDef([*, *, *])")]
fn map2_list_arity_mismatch() {
    tree_map2(
        |x, _| x.clone(),
        &vec![a(1.0), a(2.0)],
        &vec![a(1.0), a(2.0), a(3.0)],
    );
}

#[test]
#[should_panic(
    expected = "at key path tree: Dict key mismatch; expected keys: ['a']; present keys: ['b']"
)]
fn map2_dict_key_mismatch() {
    let x: BTreeMap<String, Array> = [("a".to_string(), a(1.0))].into();
    let y: BTreeMap<String, Array> = [("b".to_string(), a(1.0))].into();
    tree_map2(|x, _| x.clone(), &x, &y);
}

#[test]
#[should_panic(expected = "at key path tree[1]: Expected None, got *.")]
fn map2_none_vs_leaf() {
    tree_map2(|x, _| x.clone(), &(a(1.0), None), &(a(1.0), Some(a(2.0))));
}

#[test]
#[should_panic(expected = "at key path tree[0][1]: Expected leaf, got None.")]
fn map2_leaf_vs_none() {
    tree_map2(
        |x, _| x.clone(),
        &vec![(a(1.0), Some(a(2.0)))],
        &vec![(a(1.0), None)],
    );
}

#[test]
#[should_panic(expected = "tree_map2: pytree structure mismatch at key path tree: \
                           Mismatch custom node data: (\"lin\",) != (\"other\",); \
                           value: CustomNode(Params[(\"other\",)], [*, *]).")]
fn map2_static_mismatch() {
    tree_map2(
        |x, _| x.clone(),
        &params(1.0, 2.0, "lin"),
        &params(1.0, 2.0, "other"),
    );
}

#[test]
#[should_panic(
    expected = "at key path tree.layers[1]: Mismatch custom node data: (\"l1\",) != (\"lx\",)"
)]
fn map2_nested_key_path() {
    let m1 = Mlp {
        layers: vec![params(1.0, 2.0, "l0"), params(3.0, 4.0, "l1")],
        activation: "relu",
        depth: 2,
    };
    let mut m2 = m1.clone();
    m2.layers[1].name = "lx".into();
    tree_map2(|x, _| x.clone(), &m1, &m2);
}

#[test]
#[should_panic(
    expected = "tree_map3: pytree structure mismatch at key path tree.0['k']: \
                           List arity mismatch: 0 != 1; list: [].\n  \
                           first tree: PyTreeDef(CustomNode(Tagged3[(1,)], [{'k': [*]}]))\n  \
                           third tree: PyTreeDef(CustomNode(Tagged3[(1,)], [{'k': []}]))"
)]
fn map3_third_tree_mismatch() {
    #[derive(PyTree)]
    struct Tagged3(BTreeMap<String, Vec<Array>>, #[pytree(static)] u8);
    let t = |v: Vec<Array>| Tagged3([("k".to_string(), v)].into(), 1);
    tree_map3(
        |x, _, _| x.clone(),
        &t(vec![a(1.0)]),
        &t(vec![a(2.0)]),
        &t(vec![]),
    );
}

#[test]
#[should_panic(
    expected = "tree_unflatten: too few leaves for PyTreeDef((*, *)); expected 2, got 1"
)]
fn unflatten_too_few_leaves() {
    let def = tree_structure(&(a(1.0), a(2.0)));
    let _: (Array, Array) = tree_unflatten(&def, [a(1.0)]);
}

#[test]
#[should_panic(
    expected = "tree_unflatten: too many leaves for PyTreeDef((*, *)); expected 2, got 3"
)]
fn unflatten_too_many_leaves() {
    let def = tree_structure(&(a(1.0), a(2.0)));
    let _: (Array, Array) = tree_unflatten(&def, [a(1.0), a(2.0), a(3.0)]);
}

#[test]
#[should_panic(
    expected = "cannot unflatten PyTreeDef((*, *, *)) into `(jaxide::core::array::Array, \
                           jaxide::core::array::Array)`: expected a tuple of 2 children, \
                           found a tuple of 3 children"
)]
fn unflatten_wrong_tuple_arity() {
    let def = tree_structure(&(a(1.0), a(2.0), a(3.0)));
    let _: (Array, Array) = tree_unflatten(&def, [a(1.0), a(2.0), a(3.0)]);
}

#[test]
#[should_panic(
    expected = "cannot unflatten PyTreeDef(CustomNode(Params[(\"lin\",)], [*, *])) into `pytree::Pair`: \
                           expected a custom node of this type, found a custom node of type `pytree::Params`"
)]
fn unflatten_wrong_custom_type() {
    let def = tree_structure(&params(1.0, 2.0, "lin"));
    let _: Pair = tree_unflatten(&def, [a(1.0), a(2.0)]);
}

#[test]
#[should_panic(
    expected = "cannot unflatten PyTreeDef([*]) into `jaxide::core::array::Array`: \
                           expected a leaf, found a list of 1 children"
)]
fn unflatten_list_into_array() {
    let def = tree_structure(&vec![a(1.0)]);
    let _: Array = tree_unflatten(&def, [a(1.0)]);
}

#[test]
#[should_panic(
    expected = "cannot unflatten PyTreeDef((*, *)) into `alloc::vec::Vec<jaxide::core::array::Array>`: \
                           expected a list, found a tuple of 2 children"
)]
fn unflatten_tuple_into_vec() {
    let def = tree_structure(&(a(1.0), a(2.0)));
    let _: Vec<Array> = tree_unflatten(&def, [a(1.0), a(2.0)]);
}

#[test]
#[should_panic(
    expected = "PyTree::unflatten_from: ran out of leaves while unflattening PyTreeDef(*)"
)]
fn unflatten_from_runs_out_of_leaves() {
    let def = tree_structure(&(a(1.0), a(2.0)));
    let _ = <(Array, Array)>::unflatten_from(&def, &mut std::iter::once(a(1.0)));
}

mod with_path {
    use jaxide::prelude::*;
    use jaxide::tree::{
        keystr, keystr_simple, tree_all, tree_flatten_with_path, tree_leaves_with_path,
        tree_map_with_path, tree_reduce, tree_reduce_leaves, tree_transpose,
    };
    use std::collections::BTreeMap;

    type Sample = BTreeMap<String, (Vec<Array>, Option<BTreeMap<String, Array>>)>;

    /// `{'a': ([1, 2], None), 'b': ([3], {'c': 4})}` as jaxide values.
    fn sample() -> Sample {
        let s = |v: f32| Array::scalar(v);
        let mut inner = BTreeMap::new();
        inner.insert("c".to_string(), s(4.0));
        let mut t = BTreeMap::new();
        t.insert("a".to_string(), (vec![s(1.0), s(2.0)], None));
        t.insert("b".to_string(), (vec![s(3.0)], Some(inner)));
        t
    }

    #[test]
    fn paths_print_as_jax_prints_them() {
        // JAX 0.10: tree_leaves_with_path({'a': [1, 2], 'b': ([3], {'c': 4})})
        let leaves = tree_leaves_with_path(&sample());
        let shown: Vec<String> = leaves.iter().map(|(p, _)| format!("{p:?}")).collect();
        assert_eq!(
            shown,
            [
                "(DictKey(key='a'), SequenceKey(idx=0), SequenceKey(idx=0))",
                "(DictKey(key='a'), SequenceKey(idx=0), SequenceKey(idx=1))",
                "(DictKey(key='b'), SequenceKey(idx=0), SequenceKey(idx=0))",
                "(DictKey(key='b'), SequenceKey(idx=1), DictKey(key='c'))",
            ]
        );
        let strs: Vec<String> = leaves.iter().map(|(p, _)| keystr(p)).collect();
        assert_eq!(
            strs,
            ["['a'][0][0]", "['a'][0][1]", "['b'][0][0]", "['b'][1]['c']"]
        );
        assert_eq!(keystr_simple(&leaves[3].0, "/"), "b/1/c");
        assert_eq!(leaves[3].1.item::<f32>(), 4.0);
        let (_, def) = tree_flatten_with_path(&sample());
        assert_eq!(
            def.to_string(),
            "PyTreeDef({'a': ([*, *], None), 'b': ([*], {'c': *})})"
        );
    }

    #[derive(PyTree, Clone)]
    struct Linear {
        w: Array,
        b: Array,
    }

    #[test]
    fn struct_fields_are_attribute_keys() {
        let p = Linear {
            w: jnp::ones([2]),
            b: jnp::zeros([1]),
        };
        let leaves = tree_leaves_with_path(&p);
        assert_eq!(format!("{:?}", leaves[0].0), "(GetAttrKey(name='w'),)");
        assert_eq!(keystr(&leaves[1].0), ".b");
        // Weight decay on `w` only, chosen by path.
        let out = tree_map_with_path(
            |path, x| {
                if keystr(path) == ".w" {
                    x * 0.5f32
                } else {
                    x.clone()
                }
            },
            &p,
        );
        assert_eq!(out.w.to_vec::<f32>(), vec![0.5, 0.5]);
        assert_eq!(out.b.to_vec::<f32>(), vec![0.0]);
    }

    #[test]
    fn reduce_all_and_transpose_follow_jax() {
        let t = sample();
        // jax.tree.reduce(operator.add, t) -> 10; with initializer 100 -> 110.
        let sum = tree_reduce_leaves(|a, b| &a + b, &t);
        assert_eq!(sum.item::<f32>(), 10.0);
        let total = tree_reduce(|acc: f32, x| acc + x.item::<f32>(), &t, 100.0);
        assert_eq!(total, 110.0);
        // A left fold: ((x0 - x1) - x2) - x3.
        assert_eq!(tree_reduce_leaves(|a, b| &a - b, &t).item::<f32>(), -8.0);
        let empty: Vec<Array> = vec![];
        let msg = super::common::panic_message(|| tree_reduce_leaves(|a, _| a, &empty));
        assert_eq!(
            msg,
            "TypeError: reduce() of empty iterable with no initial value"
        );
        assert_eq!(tree_reduce(|n: usize, _| n + 1, &empty, 0), 0);

        assert!(tree_all(&(
            Array::scalar(true),
            vec![Array::scalar(1i32), Array::scalar(2i32)]
        )));
        assert!(!tree_all(&(Array::scalar(true), vec![Array::scalar(0i32)])));
        assert!(tree_all(&empty));
        let msg = super::common::panic_message(|| tree_all(&jnp::array([true, false])));
        assert!(
            msg.starts_with(
                "ValueError: The truth value of an array with more than one element is ambiguous"
            ),
            "{msg}"
        );

        // [{'a':1,'b':2},{'a':3,'b':4}] -> {'a': [1, 3], 'b': [2, 4]}
        let d = |a: f32, b: f32| {
            let mut m = BTreeMap::new();
            m.insert("a".to_string(), Array::scalar(a));
            m.insert("b".to_string(), Array::scalar(b));
            m
        };
        let x = vec![d(1.0, 2.0), d(3.0, 4.0)];
        let outer = tree_structure(&vec![Array::scalar(0.0f32); 2]);
        let inner = tree_structure(&d(0.0, 0.0));
        for inner in [Some(&inner), None] {
            let y: BTreeMap<String, Vec<Array>> = tree_transpose(&outer, inner, &x);
            let vals: Vec<f32> = y["b"].iter().map(|v| v.item::<f32>()).collect();
            assert_eq!(vals, vec![2.0, 4.0]);
            assert_eq!(y["a"][1].item::<f32>(), 3.0);
        }
        let outer3 = tree_structure(&vec![Array::scalar(0.0f32); 3]);
        let msg = super::common::panic_message(|| {
            let _: BTreeMap<String, Vec<Array>> = tree_transpose(&outer3, Some(&inner), &x);
        });
        assert_eq!(
            msg,
            "TypeError: Mismatch\nPyTreeDef([{'a': *, 'b': *}, {'a': *, 'b': *}])\n != \n\
             PyTreeDef([{'a': *, 'b': *}, {'a': *, 'b': *}, {'a': *, 'b': *}])"
        );
    }
}
