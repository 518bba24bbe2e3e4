//! The planning half of `jnp.einsum`: subscript parsing, contraction-path
//! search and the contraction list, as JAX gets them from opt_einsum
//! (`contract_path`). Everything here works on shapes only; `einsum.rs`
//! turns the plan into lax operations.
//!
//! The path optimizers reproduce opt_einsum 3.4's choices exactly,
//! including its tie-breaking: `optimal` and the branch-and-bound searches
//! walk pairs in the iteration order of a CPython `set` of tensor ids, so
//! [`IdSet`] models CPython's set table (open addressing, linear probes,
//! resizes) for the few operations those searches use.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::fmt;

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// How `einsum` orders its pairwise contractions (JAX's `optimize`
/// argument, whose strategies come from opt_einsum).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[allow(clippy::enum_variant_names)] // `NoOptimize` reads as JAX's `optimize=False`.
pub enum Optimize {
    /// JAX's default `"auto"`: `Optimal` for up to 4 operands, `BranchAll`
    /// for 5–6, `Branch2` for 7–8, `Branch1` for 9–14, `Greedy` beyond.
    #[default]
    Auto,
    /// `"greedy"`: repeatedly contracts the pair that removes the most
    /// memory, then forms outer products from the smallest up.
    Greedy,
    /// `"optimal"` (also `optimize=True`): exhaustive depth-first search for
    /// the fewest flops. Factorial in the number of operands.
    Optimal,
    /// `"branch-all"`: the depth-first search with heuristic pruning.
    BranchAll,
    /// `"branch-2"`: the search restricted to the two best pairs per step.
    Branch2,
    /// `"branch-1"`: the search restricted to the best pair per step.
    Branch1,
    /// `optimize=False`: contract left to right, `[(0, 1), (0, 1), ...]`.
    NoOptimize,
    /// An explicit contraction list, as [`einsum_path`](super::einsum_path)
    /// returns: each step names positions in the current operand list; the
    /// contracted operands are removed and the result appended.
    Path(Vec<Vec<usize>>),
}

// ---------------------------------------------------------------------------
// Label sets
// ---------------------------------------------------------------------------

/// At most this many distinct labels in one einsum.
const MAX_LABELS: usize = 256;

/// A set of label ids (bit `i` = label `i`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LabelSet([u64; MAX_LABELS / 64]);

impl LabelSet {
    fn with(mut self, i: usize) -> Self {
        self.0[i / 64] |= 1 << (i % 64);
        self
    }
    fn contains(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }
    fn zip(self, o: Self, f: impl Fn(u64, u64) -> u64) -> Self {
        let mut r = self;
        for (a, b) in r.0.iter_mut().zip(o.0) {
            *a = f(*a, b);
        }
        r
    }
    fn or(self, o: Self) -> Self {
        self.zip(o, |a, b| a | b)
    }
    fn and(self, o: Self) -> Self {
        self.zip(o, |a, b| a & b)
    }
    fn minus(self, o: Self) -> Self {
        self.zip(o, |a, b| a & !b)
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }
    fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    fn iter(self) -> impl Iterator<Item = usize> {
        (0..MAX_LABELS).filter(move |&i| self.contains(i))
    }
    /// The product of the label sizes (opt_einsum's `compute_size_by_dict`).
    fn size(self, sizes: &[usize]) -> u128 {
        self.iter()
            .fold(1u128, |acc, i| acc.saturating_mul(sizes[i] as u128))
    }
}

/// opt_einsum's `flop_count`.
fn flop_count(idx: LabelSet, inner: bool, num_terms: usize, sizes: &[usize]) -> u128 {
    let factor = (num_terms.saturating_sub(1)).max(1) + inner as usize;
    idx.size(sizes).saturating_mul(factor as u128)
}

// ---------------------------------------------------------------------------
// A CPython set of small non-negative ints, for its iteration order
// ---------------------------------------------------------------------------

const EMPTY: i64 = -1;
const DUMMY: i64 = -2;
const LINEAR_PROBES: usize = 9;

/// The table of a CPython `set` of ints whose hash is the value. Only the
/// operations the path searches use: `set(range(n))`, `a - b`, `a | b`,
/// iteration. Matches CPython 3.9–3.13 (checked against real sets).
#[derive(Clone, Debug)]
struct IdSet {
    table: Vec<i64>,
    fill: usize,
    used: usize,
}

impl IdSet {
    fn new() -> Self {
        IdSet {
            table: vec![EMPTY; 8],
            fill: 0,
            used: 0,
        }
    }
    fn mask(&self) -> usize {
        self.table.len() - 1
    }
    /// The probe sequence for `hash`: runs of linear probes, then CPython's
    /// perturbed jumps.
    fn probe(mask: usize, hash: usize, mut visit: impl FnMut(usize) -> bool) {
        let mut i = hash & mask;
        let mut perturb = hash;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for j in i..=i + probes {
                if visit(j) {
                    return;
                }
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb)) & mask;
        }
    }
    fn of(keys: &[usize]) -> Self {
        let mut s = IdSet::new();
        for &k in keys {
            s.add(k);
        }
        s
    }
    fn keys(&self) -> Vec<usize> {
        self.table
            .iter()
            .filter(|&&e| e >= 0)
            .map(|&e| e as usize)
            .collect()
    }
    fn len(&self) -> usize {
        self.used
    }
    fn add(&mut self, k: usize) {
        let mask = self.mask();
        let mut slot = None;
        let table = &self.table;
        Self::probe(mask, k, |j| {
            if table[j] == EMPTY {
                slot = Some(j);
                true
            } else {
                table[j] == k as i64
            }
        });
        if let Some(j) = slot {
            self.table[j] = k as i64;
            self.fill += 1;
            self.used += 1;
            if self.fill * 5 >= mask * 3 {
                let minused = if self.used > 50000 {
                    self.used * 2
                } else {
                    self.used * 4
                };
                self.resize(minused);
            }
        }
    }
    fn insert_clean(table: &mut [i64], k: usize) {
        let mask = table.len() - 1;
        let mut slot = 0;
        Self::probe(mask, k, |j| {
            slot = j;
            table[j] == EMPTY
        });
        table[slot] = k as i64;
    }
    fn resize(&mut self, minused: usize) {
        let mut n = 8;
        while n <= minused {
            n <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![EMPTY; n]);
        self.fill = self.used;
        for e in old.into_iter().filter(|&e| e >= 0) {
            Self::insert_clean(&mut self.table, e as usize);
        }
    }
    fn contains(&self, k: usize) -> bool {
        let mut found = false;
        Self::probe(self.mask(), k, |j| {
            if self.table[j] == EMPTY {
                return true;
            }
            found = self.table[j] == k as i64;
            found
        });
        found
    }
    fn discard(&mut self, k: usize) {
        let mut slot = None;
        let table = &self.table;
        Self::probe(self.mask(), k, |j| {
            if table[j] == EMPTY {
                return true;
            }
            if table[j] == k as i64 {
                slot = Some(j);
                return true;
            }
            false
        });
        if let Some(j) = slot {
            self.table[j] = DUMMY;
            self.used -= 1;
        }
    }
    /// `set_merge`: how `set.copy()` and `|` insert another set.
    fn merge(&mut self, other: &IdSet) {
        if (self.fill + other.used) * 5 >= self.mask() * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.mask() == other.mask() && other.fill == other.used {
            self.table.clone_from(&other.table);
            self.fill = other.fill;
            self.used = other.used;
            return;
        }
        if self.fill == 0 {
            self.fill = other.used;
            self.used = other.used;
            for &e in other.table.iter().filter(|&&e| e >= 0) {
                Self::insert_clean(&mut self.table, e as usize);
            }
            return;
        }
        for &e in other.table.iter().filter(|&&e| e >= 0) {
            self.add(e as usize);
        }
    }
    fn copy(&self) -> IdSet {
        let mut r = IdSet::new();
        r.merge(self);
        r
    }
    /// `remaining - {i, j} | {k}`, as the searches build their next set.
    fn replace_pair(&self, i: usize, j: usize, k: usize) -> IdSet {
        let other = IdSet::of(&[i, j]);
        let diff = if (self.used >> 2) > other.used {
            let mut r = self.copy();
            for key in other.keys() {
                r.discard(key);
            }
            r
        } else {
            let mut r = IdSet::new();
            for key in self.keys() {
                if !other.contains(key) {
                    r.add(key);
                }
            }
            r
        };
        let mut r = diff.copy();
        r.merge(&IdSet::of(&[k]));
        r
    }
    /// `itertools.combinations(s, 2)` with each pair sorted.
    fn pairs(&self) -> Vec<(usize, usize)> {
        let keys = self.keys();
        let mut out = Vec::with_capacity(keys.len() * keys.len().saturating_sub(1) / 2);
        for a in 0..keys.len() {
            for &kb in &keys[a + 1..] {
                out.push((keys[a].min(kb), keys[a].max(kb)));
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Path optimizers
// ---------------------------------------------------------------------------

/// Converts a path of static single-assignment ids to one of positions in
/// the shrinking operand list (opt_einsum's `ssa_to_linear`).
fn ssa_to_linear(ssa_path: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n: usize = ssa_path.iter().map(|s| s.len()).sum::<usize>() + 1 - ssa_path.len();
    let mut ids: Vec<usize> = (0..n).collect();
    let mut path = Vec::with_capacity(ssa_path.len());
    for (ssa, scon) in (n..).zip(ssa_path) {
        let mut con: Vec<usize> = scon
            .iter()
            .map(|s| ids.partition_point(|&x| x < *s))
            .collect();
        con.sort_unstable();
        for &j in con.iter().rev() {
            ids.remove(j);
        }
        ids.push(ssa);
        path.push(con);
    }
    path
}

/// The indices and flop count of contracting `inputs[i]` with `inputs[j]`
/// while the tensors `remaining` stay (opt_einsum's `calc_k12_flops`).
fn calc_k12_flops(
    inputs: &[LabelSet],
    output: LabelSet,
    remaining: &IdSet,
    i: usize,
    j: usize,
    sizes: &[usize],
) -> (LabelSet, u128) {
    let (k1, k2) = (inputs[i], inputs[j]);
    let either = k1.or(k2);
    let shared = k1.and(k2);
    let mut keep = output;
    for r in remaining.keys() {
        if r != i && r != j {
            keep = keep.or(inputs[r]);
        }
    }
    let k12 = either.and(keep);
    let cost = flop_count(either, !shared.minus(keep).is_empty(), 2, sizes);
    (k12, cost)
}

type PairCache = HashMap<(LabelSet, LabelSet), (LabelSet, u128)>;

/// opt_einsum's `optimal`: every pairwise order, depth first, pruned by
/// the best flop count found so far.
fn optimal(inputs: &[LabelSet], output: LabelSet, sizes: &[usize]) -> Vec<Vec<usize>> {
    struct Search<'a> {
        output: LabelSet,
        sizes: &'a [usize],
        best_flops: Option<u128>,
        best_path: Vec<Vec<usize>>,
        cache: PairCache,
    }
    impl Search<'_> {
        fn iterate(
            &mut self,
            path: &mut Vec<Vec<usize>>,
            remaining: &IdSet,
            inputs: &mut Vec<LabelSet>,
            flops: u128,
        ) {
            if remaining.len() == 1 {
                self.best_flops = Some(flops);
                self.best_path = path.clone();
                return;
            }
            for (i, j) in remaining.pairs() {
                let key = (inputs[i], inputs[j]);
                let (k12, flops12) = match self.cache.get(&key) {
                    Some(&v) => v,
                    None => {
                        let v = calc_k12_flops(inputs, self.output, remaining, i, j, self.sizes);
                        self.cache.insert(key, v);
                        v
                    }
                };
                let new_flops = flops.saturating_add(flops12);
                if self.best_flops.is_some_and(|b| new_flops >= b) {
                    continue;
                }
                let next = remaining.replace_pair(i, j, inputs.len());
                path.push(vec![i, j]);
                inputs.push(k12);
                self.iterate(path, &next, inputs, new_flops);
                inputs.pop();
                path.pop();
            }
        }
    }
    let n = inputs.len();
    let mut s = Search {
        output,
        sizes,
        best_flops: None,
        best_path: vec![(0..n).collect()],
        cache: HashMap::new(),
    };
    let mut ins = inputs.to_vec();
    s.iterate(
        &mut Vec::new(),
        &IdSet::of(&(0..n).collect::<Vec<_>>()),
        &mut ins,
        0,
    );
    ssa_to_linear(&s.best_path)
}

/// opt_einsum's `BranchBound` (flops first, `memory-removed` cost,
/// `cutoff_flops_factor` 4): depth first over the `nbranch` best candidate
/// pairs at each step (all of them for `None`), outer products only when
/// no pair shares an index.
fn branch(
    inputs: &[LabelSet],
    output: LabelSet,
    sizes: &[usize],
    nbranch: Option<usize>,
) -> Vec<Vec<usize>> {
    const CUTOFF_FLOPS_FACTOR: u128 = 4;
    struct Candidate {
        cost: i128,
        flops12: u128,
        new_flops: u128,
        new_size: u128,
        pair: (usize, usize),
        k12: LabelSet,
    }
    struct Search<'a> {
        output: LabelSet,
        sizes: &'a [usize],
        nbranch: Option<usize>,
        best_flops: Option<u128>,
        best_size: Option<u128>,
        best_path: Vec<Vec<usize>>,
        best_progress: HashMap<usize, u128>,
        size_cache: HashMap<LabelSet, u128>,
        cache: PairCache,
    }
    impl Search<'_> {
        fn size_of(&mut self, k: LabelSet) -> u128 {
            let sizes = self.sizes;
            *self.size_cache.entry(k).or_insert_with(|| k.size(sizes))
        }
        #[allow(clippy::too_many_arguments)]
        fn assess(
            &mut self,
            inputs: &[LabelSet],
            remaining: &IdSet,
            flops: u128,
            size: u128,
            i: usize,
            j: usize,
        ) -> Option<Candidate> {
            let key = (inputs[i], inputs[j]);
            let (k12, flops12) = match self.cache.get(&key) {
                Some(&v) => v,
                None => {
                    let v = calc_k12_flops(inputs, self.output, remaining, i, j, self.sizes);
                    self.cache.insert(key, v);
                    v
                }
            };
            let size12 = self.size_of(k12);
            let new_flops = flops.saturating_add(flops12);
            let new_size = size.max(size12);
            // (new_flops, new_size) < (best_flops, best_size), None = infinity.
            let better = match (self.best_flops, self.best_size) {
                (None, _) => true,
                (Some(bf), bs) => {
                    new_flops < bf || (new_flops == bf && bs.is_none_or(|bs| new_size < bs))
                }
            };
            if !better {
                return None;
            }
            let progress = self.best_progress.get(&inputs.len()).copied();
            match progress {
                Some(p) if new_flops >= p => {
                    if new_flops > CUTOFF_FLOPS_FACTOR.saturating_mul(p) {
                        return None;
                    }
                }
                _ => {
                    self.best_progress.insert(inputs.len(), new_flops);
                }
            }
            let (size1, size2) = (self.size_of(inputs[i]), self.size_of(inputs[j]));
            let cost = size12 as i128 - size1 as i128 - size2 as i128;
            Some(Candidate {
                cost,
                flops12,
                new_flops,
                new_size,
                pair: (i, j),
                k12,
            })
        }
        fn iterate(
            &mut self,
            path: &mut Vec<Vec<usize>>,
            inputs: &mut Vec<LabelSet>,
            remaining: &IdSet,
            flops: u128,
            size: u128,
        ) {
            if remaining.len() == 1 {
                self.best_size = Some(size);
                self.best_flops = Some(flops);
                self.best_path = path.clone();
                return;
            }
            type Key = (i128, u128, u128, u128, (usize, usize));
            let mut heap: BinaryHeap<Reverse<(Key, usize)>> = BinaryHeap::new();
            let mut found: Vec<Candidate> = Vec::new();
            let pairs = remaining.pairs();
            for outer in [false, true] {
                for &(i, j) in &pairs {
                    if !outer && inputs[i].and(inputs[j]).is_empty() {
                        continue;
                    }
                    if let Some(c) = self.assess(inputs, remaining, flops, size, i, j) {
                        let key = (c.cost, c.flops12, c.new_flops, c.new_size, c.pair);
                        heap.push(Reverse((key, found.len())));
                        found.push(c);
                    }
                }
                if !heap.is_empty() {
                    break;
                }
            }
            let mut bi = 0;
            while self.nbranch.is_none_or(|nb| bi < nb) {
                let Some(Reverse((_, idx))) = heap.pop() else {
                    break;
                };
                let c = &found[idx];
                let (i, j) = c.pair;
                let (k12, new_flops, new_size) = (c.k12, c.new_flops, c.new_size);
                let next = remaining.replace_pair(i, j, inputs.len());
                path.push(vec![i, j]);
                inputs.push(k12);
                self.iterate(path, inputs, &next, new_flops, new_size);
                inputs.pop();
                path.pop();
                bi += 1;
            }
        }
    }
    let n = inputs.len();
    let mut s = Search {
        output,
        sizes,
        nbranch,
        best_flops: None,
        best_size: None,
        best_path: Vec::new(),
        best_progress: HashMap::new(),
        size_cache: inputs.iter().map(|&k| (k, k.size(sizes))).collect(),
        cache: HashMap::new(),
    };
    let mut ins = inputs.to_vec();
    s.iterate(
        &mut Vec::new(),
        &mut ins,
        &IdSet::of(&(0..n).collect::<Vec<_>>()),
        0,
        0,
    );
    ssa_to_linear(&s.best_path)
}

/// opt_einsum's `greedy` (`ssa_greedy_optimize` with the `memory-removed`
/// cost): Hadamard products of equal index sets first, then the cheapest
/// pair sharing an index (cost = output size minus input sizes, ties by
/// ids), then outer products from the smallest tensors up.
fn greedy(inputs: &[LabelSet], output: LabelSet, sizes: &[usize]) -> Vec<Vec<usize>> {
    if inputs.len() == 1 {
        return vec![vec![0]];
    }
    type Entry = ((i128, usize, usize), LabelSet, LabelSet, LabelSet);
    // A dim every tensor has is contracted last anyway: treat it as output.
    let common = inputs[1..].iter().fold(inputs[0], |acc, k| acc.and(*k));
    let output = output.or(common);
    let mut remaining: HashMap<LabelSet, usize> = HashMap::new();
    let mut next_id = inputs.len();
    let mut ssa_path: Vec<Vec<usize>> = Vec::new();
    for (id, &key) in inputs.iter().enumerate() {
        if let Some(&old) = remaining.get(&key) {
            ssa_path.push(vec![old, id]);
            remaining.insert(key, next_id);
            next_id += 1;
        } else {
            remaining.insert(key, id);
        }
    }
    let mut dim_to_keys: HashMap<usize, HashSet<LabelSet>> = HashMap::new();
    for &key in remaining.keys() {
        for dim in key.minus(output).iter() {
            dim_to_keys.entry(dim).or_default().insert(key);
        }
    }
    let mut ref2 = LabelSet::default();
    let mut ref3 = LabelSet::default();
    for (&dim, keys) in &dim_to_keys {
        if keys.len() >= 2 && !output.contains(dim) {
            ref2 = ref2.with(dim);
        }
        if keys.len() >= 3 && !output.contains(dim) {
            ref3 = ref3.with(dim);
        }
    }
    let mut footprints: HashMap<LabelSet, u128> =
        remaining.keys().map(|&k| (k, k.size(sizes))).collect();

    let candidate = |remaining: &HashMap<LabelSet, usize>,
                     footprints: &HashMap<LabelSet, u128>,
                     ref2: LabelSet,
                     ref3: LabelSet,
                     k1: LabelSet,
                     k2: LabelSet|
     -> Entry {
        let either = k1.or(k2);
        let two = k1.and(k2);
        let one = either.minus(two);
        let k12 = either.and(output).or(two.and(ref3)).or(one.and(ref2));
        let cost = k12.size(sizes) as i128 - footprints[&k1] as i128 - footprints[&k2] as i128;
        let (mut k1, mut k2) = (k1, k2);
        let (mut id1, mut id2) = (remaining[&k1], remaining[&k2]);
        if id1 > id2 {
            std::mem::swap(&mut k1, &mut k2);
            std::mem::swap(&mut id1, &mut id2);
        }
        ((cost, id2, id1), k1, k2, k12)
    };
    let mut queue: BinaryHeap<Reverse<Entry>> = BinaryHeap::new();
    for keys in dim_to_keys.values() {
        let mut list: Vec<LabelSet> = keys.iter().copied().collect();
        list.sort_by_key(|k| remaining[k]);
        for i in 0..list.len().saturating_sub(1) {
            let best = list[i + 1..]
                .iter()
                .map(|&k2| candidate(&remaining, &footprints, ref2, ref3, list[i], k2))
                .min()
                .expect("nonempty");
            queue.push(Reverse(best));
        }
    }
    while let Some(Reverse((_, k1, k2, k12))) = queue.pop() {
        if !remaining.contains_key(&k1) || !remaining.contains_key(&k2) {
            continue;
        }
        let id1 = remaining.remove(&k1).expect("present");
        let id2 = remaining.remove(&k2).expect("present");
        for dim in k1.minus(output).iter() {
            if let Some(keys) = dim_to_keys.get_mut(&dim) {
                keys.remove(&k1);
            }
        }
        for dim in k2.minus(output).iter() {
            if let Some(keys) = dim_to_keys.get_mut(&dim) {
                keys.remove(&k2);
            }
        }
        ssa_path.push(vec![id1, id2]);
        if let Some(&old) = remaining.get(&k12) {
            ssa_path.push(vec![old, next_id]);
            next_id += 1;
        } else {
            for dim in k12.minus(output).iter() {
                dim_to_keys.entry(dim).or_default().insert(k12);
            }
        }
        remaining.insert(k12, next_id);
        next_id += 1;
        for dim in k1.or(k2.minus(output)).iter() {
            let count = dim_to_keys.get(&dim).map_or(0, |s| s.len());
            let bit = LabelSet::default().with(dim);
            if count <= 1 {
                ref2 = ref2.minus(bit);
                ref3 = ref3.minus(bit);
            } else if count == 2 {
                ref2 = ref2.or(bit);
                ref3 = ref3.minus(bit);
            } else {
                ref2 = ref2.or(bit);
                ref3 = ref3.or(bit);
            }
        }
        footprints.insert(k12, k12.size(sizes));
        let mut k2s: HashSet<LabelSet> = HashSet::new();
        for dim in k12.iter() {
            if let Some(keys) = dim_to_keys.get(&dim) {
                k2s.extend(keys.iter().copied());
            }
        }
        k2s.remove(&k12);
        if let Some(best) = k2s
            .into_iter()
            .map(|k2| candidate(&remaining, &footprints, ref2, ref3, k12, k2))
            .min()
        {
            queue.push(Reverse(best));
        }
    }
    // Outer products, smallest first.
    let mut final_queue: BinaryHeap<Reverse<(u128, usize, LabelSet)>> = remaining
        .iter()
        .map(|(&k, &id)| Reverse((k.and(output).size(sizes), id, k)))
        .collect();
    let Reverse((_, mut id1, mut k1)) = final_queue.pop().expect("nonempty");
    while let Some(Reverse((_, id2, k2))) = final_queue.pop() {
        ssa_path.push(vec![id1.min(id2), id1.max(id2)]);
        let k12 = k1.or(k2).and(output);
        let cost = k12.size(sizes);
        let id12 = next_id;
        next_id += 1;
        final_queue.push(Reverse((cost, id12, k12)));
        let Reverse((_, i, k)) = final_queue.pop().expect("nonempty");
        id1 = i;
        k1 = k;
    }
    ssa_to_linear(&ssa_path)
}

/// Runs the optimizer `optimize` names on `inputs` (more than two of them).
fn find_path(
    optimize: &Optimize,
    inputs: &[LabelSet],
    output: LabelSet,
    sizes: &[usize],
) -> Vec<Vec<usize>> {
    let n = inputs.len();
    match optimize {
        Optimize::Optimal => optimal(inputs, output, sizes),
        Optimize::Greedy => greedy(inputs, output, sizes),
        Optimize::BranchAll => branch(inputs, output, sizes, None),
        Optimize::Branch2 => branch(inputs, output, sizes, Some(2)),
        Optimize::Branch1 => branch(inputs, output, sizes, Some(1)),
        Optimize::NoOptimize => vec![vec![0, 1]; n - 1],
        Optimize::Auto => match n {
            1..=4 => optimal(inputs, output, sizes),
            5..=6 => branch(inputs, output, sizes, None),
            7..=8 => branch(inputs, output, sizes, Some(2)),
            9..=14 => branch(inputs, output, sizes, Some(1)),
            _ => greedy(inputs, output, sizes),
        },
        Optimize::Path(p) => p.clone(),
    }
}

// ---------------------------------------------------------------------------
// Subscript parsing
// ---------------------------------------------------------------------------

const BASE_SYMBOLS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// opt_einsum's `get_symbol`: the 52 letters, then code points from 192 on
/// (skipping surrogates).
fn get_symbol(i: usize) -> char {
    if i < 52 {
        BASE_SYMBOLS.as_bytes()[i] as char
    } else {
        let cp = if i >= 55296 { i + 2048 } else { i + 140 };
        char::from_u32(cp as u32).expect("valid code point")
    }
}

/// Labels that appear exactly once, sorted (implicit-mode output).
fn find_output_str(inputs: &[Vec<char>]) -> Vec<char> {
    let mut count: HashMap<char, usize> = HashMap::new();
    for c in inputs.iter().flatten() {
        *count.entry(*c).or_default() += 1;
    }
    let mut out: Vec<char> = count
        .into_iter()
        .filter(|&(_, n)| n == 1)
        .map(|(c, _)| c)
        .collect();
    out.sort_unstable();
    out
}

fn value_error(msg: String) -> ! {
    panic!("ValueError: {msg}")
}

/// Parses `subscripts` for operands of rank `ndims` (opt_einsum's
/// `parse_einsum_input`): spaces dropped, `...` expanded to fresh labels,
/// the implicit output built. Returns the input terms and the output term.
pub(crate) fn parse_subscripts(subscripts: &str, ndims: &[usize]) -> (Vec<Vec<char>>, Vec<char>) {
    let s: String = subscripts.chars().filter(|&c| c != ' ').collect();
    let arrows_ok =
        s.matches('-').count() <= 1 && s.matches('>').count() <= 1 && s.matches("->").count() == 1;
    if (s.contains('-') || s.contains('>')) && !arrows_ok {
        value_error("Subscripts can only contain one '->'.".into());
    }
    let (input_str, output_str) = match s.split_once("->") {
        Some((i, o)) => (i.to_string(), Some(o.to_string())),
        None => (s.clone(), None),
    };
    let mut terms: Vec<String> = input_str.split(',').map(str::to_string).collect();
    let output: Vec<char> = if s.contains('.') {
        let used: HashSet<char> = s.chars().filter(|c| !".,->".contains(*c)).collect();
        let max_ndim = ndims.iter().copied().max().unwrap_or(0);
        let mut ellipse_inds: Vec<char> = Vec::with_capacity(max_ndim);
        let mut i = 0;
        while ellipse_inds.len() < max_ndim {
            let c = get_symbol(i);
            i += 1;
            if !used.contains(&c) {
                ellipse_inds.push(c);
            }
        }
        let mut longest = 0;
        for (num, sub) in terms.iter_mut().enumerate() {
            if !sub.contains('.') {
                continue;
            }
            if sub.matches('.').count() != 3 || sub.matches("...").count() != 1 {
                value_error("Invalid Ellipses.".into());
            }
            let ndim = ndims.get(num).copied().unwrap_or(0);
            let count = if ndim == 0 {
                0
            } else {
                ndim.max(1) as isize - (sub.chars().count() as isize - 3)
            };
            if count > longest {
                longest = count;
            }
            if count < 0 {
                value_error("Ellipses lengths do not match.".into());
            }
            let fill: String = ellipse_inds[max_ndim - count as usize..].iter().collect();
            *sub = sub.replacen("...", &fill, 1);
        }
        let out_ellipse: Vec<char> = ellipse_inds[max_ndim - longest as usize..].to_vec();
        match &output_str {
            Some(o) => {
                let fill: String = out_ellipse.iter().collect();
                o.replace("...", &fill).chars().collect()
            }
            None => {
                let chars: Vec<Vec<char>> = terms.iter().map(|t| t.chars().collect()).collect();
                let mut out = out_ellipse.clone();
                out.extend(
                    find_output_str(&chars)
                        .into_iter()
                        .filter(|c| !out_ellipse.contains(c)),
                );
                out
            }
        }
    } else {
        match &output_str {
            Some(o) => o.chars().collect(),
            None => {
                let chars: Vec<Vec<char>> = terms.iter().map(|t| t.chars().collect()).collect();
                find_output_str(&chars)
            }
        }
    };
    let inputs: Vec<Vec<char>> = terms.iter().map(|t| t.chars().collect()).collect();
    for &c in &output {
        if output.iter().filter(|&&o| o == c).count() != 1 {
            value_error(format!(
                "Output character '{c}' appeared more than once in the output."
            ));
        }
        if !inputs.iter().any(|t| t.contains(&c)) {
            value_error(format!(
                "Output character '{c}' did not appear in the input"
            ));
        }
    }
    if inputs.len() != ndims.len() {
        value_error(format!(
            "Number of einsum subscripts, {}, must be equal to the number of operands, {}.",
            inputs.len(),
            ndims.len()
        ));
    }
    (inputs, output)
}

// ---------------------------------------------------------------------------
// The contraction list
// ---------------------------------------------------------------------------

/// One step of a contraction plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractionStep {
    /// Positions of the contracted operands in the current list, largest
    /// first (the order they are removed in).
    pub operands: Vec<usize>,
    /// The labels of those operands, in the same order.
    pub inputs: Vec<Vec<char>>,
    /// The labels of the result, appended to the operand list.
    pub result: Vec<char>,
    /// Labels summed away by this step, sorted.
    pub removed: Vec<char>,
    /// The step as an einsum string (`"kl,jk->lj"`).
    pub einsum_str: String,
    /// The operand list after this step (`None` past 20 operands).
    pub remaining: Option<Vec<String>>,
    /// opt_einsum's BLAS classification (`"GEMM"`, `"TDOT"`, ...), `None`
    /// where no BLAS call fits (the report prints it as Python formats
    /// `False`: `0`).
    pub blas: Option<&'static str>,
    /// The number of distinct labels involved.
    pub scaling: usize,
    /// The estimated flop count.
    pub flops: u128,
    /// The number of elements of the result.
    pub size: u128,
}

/// What [`einsum_path`](super::einsum_path) reports about a contraction
/// path (opt_einsum's `PathInfo`); `Display` prints opt_einsum's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathInfo {
    /// The full contraction with ellipses expanded (`"ij,jk,kl->il"`).
    pub eq: String,
    /// The contraction path (as returned next to this report).
    pub path: Vec<Vec<usize>>,
    /// The steps of the path.
    pub steps: Vec<ContractionStep>,
    /// The number of distinct labels.
    pub naive_scaling: usize,
    /// Flops of a single all-at-once contraction.
    pub naive_cost: u128,
    /// Flops of the path.
    pub opt_cost: u128,
    /// The largest intermediate, in elements.
    pub largest_intermediate: u128,
    /// The output labels.
    pub output_subscript: String,
}

/// `x` in Python's `Decimal` `.3e` format (`"9.000e+3"`): four significant
/// digits, rounded half to even.
fn fmt_sci(num: u128, den: u128) -> String {
    if num == 0 {
        return "0.000e+3".into();
    }
    // Scale so that q = num * 10^s / den has at least 4 integer digits.
    let (mut n, mut d) = (num, den.max(1));
    let mut exp10: i32 = 0;
    // Normalize to 1000 <= n/d < 10000.
    while n / d >= 10000 {
        if d <= u128::MAX / 10 {
            d *= 10;
        } else {
            n /= 10;
        }
        exp10 += 1;
    }
    while n / d < 1000 {
        if n <= u128::MAX / 10 {
            n *= 10;
        } else {
            d /= 10;
        }
        exp10 -= 1;
    }
    let mut q = n / d;
    let r = n % d;
    // Round half to even.
    if 2 * r > d || (2 * r == d && q % 2 == 1) {
        q += 1;
    }
    if q == 10000 {
        q = 1000;
        exp10 += 1;
    }
    let e = exp10 + 3;
    format!(
        "{}.{:03}e{}{}",
        q / 1000,
        q % 1000,
        if e < 0 { '-' } else { '+' },
        e.abs()
    )
}

impl fmt::Display for PathInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt_scaling = self.steps.iter().map(|s| s.scaling).max().unwrap_or(0);
        writeln!(f, "  Complete contraction:  {}", self.eq)?;
        writeln!(f, "         Naive scaling:  {}", self.naive_scaling)?;
        writeln!(f, "     Optimized scaling:  {opt_scaling}")?;
        writeln!(
            f,
            "      Naive FLOP count:  {}",
            fmt_sci(self.naive_cost, 1)
        )?;
        writeln!(f, "  Optimized FLOP count:  {}", fmt_sci(self.opt_cost, 1))?;
        writeln!(
            f,
            "   Theoretical speedup:  {}",
            fmt_sci(self.naive_cost, self.opt_cost.max(1))
        )?;
        writeln!(
            f,
            "  Largest intermediate:  {} elements",
            fmt_sci(self.largest_intermediate, 1)
        )?;
        writeln!(f, "{}", "-".repeat(80))?;
        writeln!(
            f,
            "{:>6} {:>11} {:>22} {:>37}",
            "scaling", "BLAS", "current", "remaining"
        )?;
        write!(f, "{}", "-".repeat(80))?;
        for s in &self.steps {
            let remaining = match &s.remaining {
                Some(r) => format!("{}->{}", r.join(","), self.output_subscript),
                None => "...".into(),
            };
            let width = 56usize.saturating_sub(s.einsum_str.chars().count().max(22));
            write!(
                f,
                "\n{:>4} {:>14} {:>22}    {:>width$}",
                s.scaling,
                s.blas.unwrap_or("0"),
                s.einsum_str,
                remaining
            )?;
        }
        Ok(())
    }
}

/// opt_einsum's `can_blas`: which BLAS call a pairwise step maps to.
fn can_blas(
    inputs: &[Vec<char>],
    result: &[char],
    removed: &[char],
    shapes: &[Vec<usize>],
) -> Option<&'static str> {
    if inputs.len() != 2 {
        return None;
    }
    let (l, r) = (&inputs[0], &inputs[1]);
    let mut all: Vec<char> = l.iter().chain(r.iter()).copied().collect();
    all.sort_unstable();
    all.dedup();
    for c in all {
        let nl = l.iter().filter(|&&x| x == c).count();
        let nr = r.iter().filter(|&&x| x == c).count();
        if nl > 1 || nr > 1 || nl + nr > 2 {
            return None;
        }
        if nl + nr - 1 == result.contains(&c) as usize {
            return None;
        }
    }
    for c in removed {
        let pl = l.iter().position(|x| x == c).expect("removed label in lhs");
        let pr = r.iter().position(|x| x == c).expect("removed label in rhs");
        if shapes[0][pl] != shapes[1][pr] {
            return None;
        }
    }
    if removed.is_empty() {
        return Some("OUTER/EINSUM");
    }
    let rs = removed.len();
    let set = |v: &Vec<char>| -> Vec<char> {
        let mut s = v.clone();
        s.sort_unstable();
        s.dedup();
        s
    };
    if l == r {
        return Some("DOT");
    }
    if set(l) == set(r) {
        return Some("DOT/EINSUM");
    }
    let tail = |v: &Vec<char>| v[v.len().saturating_sub(rs)..].to_vec();
    let head = |v: &Vec<char>| v[..rs.min(v.len())].to_vec();
    if tail(l) == head(r) || head(l) == tail(r) || tail(l) == tail(r) || head(l) == head(r) {
        return Some("GEMM");
    }
    let keep_l = l.iter().filter(|c| !removed.contains(c)).count();
    let keep_r = r.iter().filter(|c| !removed.contains(c)).count();
    if keep_l == 0 || keep_r == 0 {
        Some("GEMV/EINSUM")
    } else {
        Some("TDOT")
    }
}

fn join(chars: &[char]) -> String {
    chars.iter().collect()
}

/// Parses `subscripts` for operands of the given shapes and plans the
/// contraction with `optimize` (opt_einsum's `contract_path`).
pub(crate) fn contract_path(
    subscripts: &str,
    shapes: &[Vec<usize>],
    optimize: &Optimize,
) -> PathInfo {
    let ndims: Vec<usize> = shapes.iter().map(|s| s.len()).collect();
    let (inputs, output) = parse_subscripts(subscripts, &ndims);
    // Label ids, in order of first appearance.
    let mut ids: HashMap<char, usize> = HashMap::new();
    let mut sizes: HashMap<char, usize> = HashMap::new();
    for (tnum, term) in inputs.iter().enumerate() {
        let sh = &shapes[tnum];
        if sh.len() != term.len() {
            value_error(format!(
                "Einstein sum subscript '{}' does not contain the correct number of indices \
                 for operand {tnum}.",
                join(term)
            ));
        }
        for (&c, &dim) in term.iter().zip(sh) {
            let n = ids.len();
            ids.entry(c).or_insert(n);
            match sizes.get(&c).copied() {
                Some(1) => {
                    sizes.insert(c, dim);
                }
                Some(prev) if dim != 1 && dim != prev => value_error(format!(
                    "Size of label '{c}' for operand {tnum} ({prev}) does not match previous \
                     terms ({dim})."
                )),
                Some(_) => {}
                None => {
                    sizes.insert(c, dim);
                }
            }
        }
    }
    if ids.len() > MAX_LABELS {
        value_error(format!(
            "einsum supports at most {MAX_LABELS} distinct indices, got {}.",
            ids.len()
        ));
    }
    let mut size_by_id = vec![0usize; ids.len()];
    for (c, &i) in &ids {
        size_by_id[i] = sizes[c];
    }
    let to_set = |term: &[char]| term.iter().fold(LabelSet::default(), |s, c| s.with(ids[c]));
    let mut input_sets: Vec<LabelSet> = inputs.iter().map(|t| to_set(t)).collect();
    let output_set = to_set(&output);
    let indices = input_sets.iter().fold(LabelSet::default(), |a, &b| a.or(b));
    let num_ops = inputs.len();
    let inner = input_sets.iter().map(|s| s.len()).sum::<usize>() > indices.len();
    let naive_cost = flop_count(indices, inner, num_ops, &size_by_id);

    let path: Vec<Vec<usize>> = match optimize {
        Optimize::Path(p) => p.clone(),
        _ if num_ops <= 2 => vec![(0..num_ops).collect()],
        o => find_path(o, &input_sets, output_set, &size_by_id),
    };
    let label_of: HashMap<usize, char> = ids.iter().map(|(&c, &i)| (i, c)).collect();
    let to_chars = |s: LabelSet| -> Vec<char> {
        let mut v: Vec<char> = s.iter().map(|i| label_of[&i]).collect();
        v.sort_unstable();
        v
    };

    let mut input_list: Vec<Vec<char>> = inputs.clone();
    let mut input_shapes: Vec<Vec<usize>> = shapes.to_vec();
    let mut steps = Vec::with_capacity(path.len());
    for (cnum, step) in path.iter().enumerate() {
        let mut contract_inds = step.clone();
        contract_inds.sort_unstable_by(|a, b| b.cmp(a));
        let bad = contract_inds.is_empty()
            || contract_inds.windows(2).any(|w| w[0] == w[1])
            || contract_inds[0] >= input_list.len();
        if bad {
            value_error(format!(
                "einsum: invalid contraction path {path:?}: step {cnum} ({step:?}) must name \
                 distinct operands among the {} remaining.",
                input_list.len()
            ));
        }
        // find_contraction
        let contracted: Vec<LabelSet> = contract_inds.iter().map(|&i| input_sets[i]).collect();
        for &i in &contract_inds {
            input_sets.remove(i);
        }
        let idx_contract = contracted.iter().fold(LabelSet::default(), |a, &b| a.or(b));
        let idx_remain = input_sets.iter().fold(output_set, |a, &b| a.or(b));
        let new_result = idx_remain.and(idx_contract);
        let idx_removed = idx_contract.minus(new_result);
        input_sets.push(new_result);

        let flops = flop_count(
            idx_contract,
            !idx_removed.is_empty(),
            contract_inds.len(),
            &size_by_id,
        );
        let tmp_inputs: Vec<Vec<char>> = contract_inds
            .iter()
            .map(|&i| input_list.remove(i))
            .collect();
        let tmp_shapes: Vec<Vec<usize>> = contract_inds
            .iter()
            .map(|&i| input_shapes.remove(i))
            .collect();
        let removed = to_chars(idx_removed);
        let result_chars = to_chars(new_result);
        let blas = can_blas(&tmp_inputs, &result_chars, &removed, &tmp_shapes);
        let idx_result: Vec<char> = if cnum + 1 == path.len() {
            output.clone()
        } else {
            // tensordot order: by first appearance in the inputs.
            let all: Vec<char> = tmp_inputs.iter().flatten().copied().collect();
            let mut r = result_chars.clone();
            r.sort_by_key(|c| all.iter().position(|x| x == c));
            r
        };
        let shp_result: Vec<usize> = idx_result
            .iter()
            .map(|c| {
                tmp_inputs
                    .iter()
                    .zip(&tmp_shapes)
                    .filter_map(|(t, s)| t.iter().position(|x| x == c).map(|p| s[p]))
                    .max()
                    .unwrap_or(1)
            })
            .collect();
        let einsum_str = format!(
            "{}->{}",
            tmp_inputs
                .iter()
                .map(|t| join(t))
                .collect::<Vec<_>>()
                .join(","),
            join(&idx_result)
        );
        input_list.push(idx_result.clone());
        input_shapes.push(shp_result);
        let remaining =
            (input_list.len() <= 20).then(|| input_list.iter().map(|t| join(t)).collect());
        steps.push(ContractionStep {
            operands: contract_inds,
            inputs: tmp_inputs,
            result: idx_result,
            removed,
            einsum_str,
            remaining,
            blas,
            scaling: idx_contract.len(),
            flops,
            size: new_result.size(&size_by_id),
        });
    }
    if input_list.len() != 1 {
        value_error(format!(
            "einsum: invalid contraction path {path:?}: it leaves {} operands; a path must \
             contract all operands into one.",
            input_list.len()
        ));
    }
    PathInfo {
        eq: format!(
            "{}->{}",
            inputs.iter().map(|t| join(t)).collect::<Vec<_>>().join(","),
            join(&output)
        ),
        path,
        naive_scaling: indices.len(),
        naive_cost,
        opt_cost: steps.iter().fold(0u128, |a, s| a.saturating_add(s.flops)),
        largest_intermediate: steps.iter().map(|s| s.size).max().unwrap_or(1),
        output_subscript: join(&output),
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssa_to_linear_matches_opt_einsum() {
        let p = ssa_to_linear(&[vec![0, 3], vec![2, 4], vec![1, 5]]);
        assert_eq!(p, vec![vec![0, 3], vec![1, 2], vec![0, 1]]);
    }

    #[test]
    fn id_set_iterates_like_cpython() {
        // list({3, 8}) == [8, 3] in CPython (8 & 7 == 0).
        assert_eq!(IdSet::of(&[3, 8]).keys(), vec![8, 3]);
        // list(set(range(5)) - {1, 2} | {9}) == [0, 9, 3, 4]
        let s = IdSet::of(&[0, 1, 2, 3, 4]).replace_pair(1, 2, 9);
        assert_eq!(s.keys(), vec![0, 9, 3, 4]);
    }

    #[test]
    fn decimal_format() {
        assert_eq!(fmt_sci(0, 1), "0.000e+3");
        assert_eq!(fmt_sci(9000, 1), "9.000e+3");
        assert_eq!(fmt_sci(12345, 1), "1.234e+4");
        assert_eq!(fmt_sci(12355, 1), "1.236e+4");
        assert_eq!(fmt_sci(1, 1), "1.000e+0");
        assert_eq!(fmt_sci(9999999, 1), "1.000e+7");
        assert_eq!(fmt_sci(9000, 3060), "2.941e+0");
    }
}
