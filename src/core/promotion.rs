//! JAX's dtype promotion lattice, including weak types.
//!
//! This is a port of the promotion rules in `jax/_src/dtypes.py`
//! (`_type_promotion_lattice`, `_least_upper_bound`, `lattice_result_type`,
//! `result_type`, `promote_types`). Dtypes are nodes of a small lattice; the
//! result of promoting several dtypes is their least upper bound. Besides the
//! 15 concrete dtypes the lattice has three *weak* nodes, `int`, `float` and
//! `complex` (JAX's `i*`, `f*` and `c*`), which stand for Python scalars (and other
//! weakly-typed values): a weak value adopts the dtype of the strong operand
//! it meets instead of forcing a wider one.
//!
//! The standard lattice (x64 on) restricted to our dtypes is:
//!
//! ```text
//! bool -> i* -> u8 -> u16 -> u32 -> u64 -> f* -> bf16 -> f32 -> f64 -> c128
//!         i* -> i8 -> i16 -> i32 -> i64 -> f* -> f16  -> f32 -> c64 -> c128
//!               u8 -> i16,  u16 -> i32,  u32 -> i64,  f* -> c* -> c64
//! ```
//!
//! With x64 off JAX uses a variant where `u32 -> i32` replaces `u32 -> i64`
//! so that no 64-bit type is formed from 32-bit inputs. The strict lattice
//! (`jax_numpy_dtype_promotion='strict'`) only allows weak types to promote.
//!
//! Some consequences worth knowing (all checked against real JAX by the
//! golden tests below):
//!
//! * `int32[] + 2.5` is a **weak** float of the default width
//!   (`float32` / `float64`), not a strong float.
//! * `bool[] + 2` is a **weak** default int; `bool[] + True` stays `bool`.
//! * `uint8[] + 2` is `uint8` (strong); `float16[] + 2.5` is `float16`.
//! * `int64 + uint64` (and `uint64 + int8`, ...) is a **weak** `float64`.
//! * Two weak operands promote like their strong counterparts and stay weak,
//!   so a weak `float16` array plus a Python int is a weak `float16` for ops,
//!   while `jnp.result_type` widens weak results to the default dtype.

use super::dtype::{DType, DTypeKind};
use std::fmt;

/// Which promotion lattice to use (JAX's `jax_numpy_dtype_promotion` flag).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum PromotionMode {
    /// The default lattice: mixed-kind and mixed-width promotion is allowed.
    #[default]
    Standard,
    /// Only weak types may be promoted; distinct strong dtypes are an error.
    Strict,
}

impl PromotionMode {
    /// JAX's name for the mode (`"standard"` / `"strict"`).
    pub const fn name(self) -> &'static str {
        match self {
            PromotionMode::Standard => "standard",
            PromotionMode::Strict => "strict",
        }
    }
}

/// A dtype plus JAX's weak-type flag (Rust scalars are weak: i32/i64 literals
/// → weak int, f32/f64 → weak float; bool is never weak).
///
/// To mirror Python scalars exactly, give weak scalars the default dtype for
/// the x64 mode ([`WeakDType::weak_int`], [`WeakDType::weak_float`]); a weak
/// value of another width (e.g. weak `float16`) behaves like a weakly-typed
/// JAX array of that dtype.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct WeakDType {
    /// The element type.
    pub dtype: DType,
    /// JAX's `weak_type` flag.
    pub weak: bool,
}

impl WeakDType {
    /// A dtype with the given weak flag.
    pub const fn new(dtype: DType, weak: bool) -> Self {
        WeakDType { dtype, weak }
    }

    /// A strongly-typed dtype (e.g. an array's dtype).
    pub const fn strong(dtype: DType) -> Self {
        WeakDType { dtype, weak: false }
    }

    /// A weakly-typed dtype.
    pub const fn weak(dtype: DType) -> Self {
        WeakDType { dtype, weak: true }
    }

    /// A Rust/Python integer scalar: weak `int64` with x64, else weak `int32`.
    pub const fn weak_int(x64: bool) -> Self {
        WeakDType::weak(if x64 { DType::I64 } else { DType::I32 })
    }

    /// A Rust/Python float scalar: weak `float64` with x64, else weak `float32`.
    pub const fn weak_float(x64: bool) -> Self {
        WeakDType::weak(if x64 { DType::F64 } else { DType::F32 })
    }

    /// A Rust/Python `bool` scalar, which is never weak.
    pub const fn bool_scalar() -> Self {
        WeakDType::strong(DType::Bool)
    }
}

impl From<DType> for WeakDType {
    fn from(dtype: DType) -> Self {
        WeakDType::strong(dtype)
    }
}

impl fmt::Display for WeakDType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weak {
            write!(f, "weak {}", self.dtype)
        } else {
            write!(f, "{}", self.dtype)
        }
    }
}

/// A node of the promotion lattice: a strong dtype or one of the weak nodes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum LatticeNode {
    /// A strongly-typed dtype.
    Strong(DType),
    /// JAX's `i*` (Python `int`): any weakly-typed integer, signed or unsigned.
    WeakInt,
    /// JAX's `f*` (Python `float`): any weakly-typed float.
    WeakFloat,
    /// JAX's `c*` (Python `complex`): any weakly-typed complex value.
    WeakComplex,
}

/// Number of lattice nodes (15 dtypes + 3 weak nodes).
const NODES: usize = 18;
const WEAK_INT: usize = 15;
const WEAK_FLOAT: usize = 16;
const WEAK_COMPLEX: usize = 17;

impl LatticeNode {
    /// Every node, in a fixed order (the dtypes in `DType::ALL` order, then
    /// `WeakInt`, `WeakFloat`, `WeakComplex`).
    pub const ALL: [LatticeNode; NODES] = {
        let mut out = [LatticeNode::WeakInt; NODES];
        let mut i = 0;
        while i < DType::ALL.len() {
            out[i] = LatticeNode::Strong(DType::ALL[i]);
            i += 1;
        }
        out[WEAK_FLOAT] = LatticeNode::WeakFloat;
        out[WEAK_COMPLEX] = LatticeNode::WeakComplex;
        out
    };

    /// The lattice node of a (possibly weak) dtype, like JAX's `_jax_type`:
    /// weak bool is just bool, weak signed/unsigned ints map to `WeakInt`,
    /// weak floats (any width) to `WeakFloat`.
    pub const fn of(d: WeakDType) -> Self {
        if !d.weak {
            return LatticeNode::Strong(d.dtype);
        }
        match d.dtype.kind() {
            DTypeKind::Bool => LatticeNode::Strong(DType::Bool),
            DTypeKind::SignedInt | DTypeKind::UnsignedInt => LatticeNode::WeakInt,
            DTypeKind::Float => LatticeNode::WeakFloat,
            DTypeKind::Complex => LatticeNode::WeakComplex,
            DTypeKind::Float0 => LatticeNode::Strong(DType::Float0),
        }
    }

    /// True for the weak nodes.
    pub const fn is_weak(self) -> bool {
        matches!(
            self,
            LatticeNode::WeakInt | LatticeNode::WeakFloat | LatticeNode::WeakComplex
        )
    }

    /// The node's dtype without canonicalization (NumPy's `np.dtype(node)`):
    /// `WeakInt` → `int64`, `WeakFloat` → `float64`, `WeakComplex` →
    /// `complex128`.
    pub const fn numpy_dtype(self) -> DType {
        match self {
            LatticeNode::Strong(d) => d,
            LatticeNode::WeakInt => DType::I64,
            LatticeNode::WeakFloat => DType::F64,
            LatticeNode::WeakComplex => DType::C128,
        }
    }

    /// The node's canonical dtype (JAX's `dtypes.dtype(node)`): weak nodes
    /// give the default int/float, and 64-bit types become 32-bit without x64.
    pub const fn to_dtype(self, x64: bool) -> DType {
        canonicalize(self.numpy_dtype(), x64)
    }

    /// The name JAX prints for the node in error messages: the dtype name, or
    /// `<class 'int'>` / `<class 'float'>` for the weak nodes.
    pub const fn jax_str(self) -> &'static str {
        match self {
            LatticeNode::Strong(d) => d.name(),
            LatticeNode::WeakInt => "<class 'int'>",
            LatticeNode::WeakFloat => "<class 'float'>",
            LatticeNode::WeakComplex => "<class 'complex'>",
        }
    }

    const fn index(self) -> usize {
        match self {
            LatticeNode::Strong(d) => dtype_index(d),
            LatticeNode::WeakInt => WEAK_INT,
            LatticeNode::WeakFloat => WEAK_FLOAT,
            LatticeNode::WeakComplex => WEAK_COMPLEX,
        }
    }
}

impl fmt::Display for LatticeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LatticeNode::Strong(d) => write!(f, "{d}"),
            LatticeNode::WeakInt => f.write_str("int"),
            LatticeNode::WeakFloat => f.write_str("float"),
            LatticeNode::WeakComplex => f.write_str("complex"),
        }
    }
}

/// Position of a dtype in `DType::ALL` (= its lattice node index).
const fn dtype_index(d: DType) -> usize {
    match d {
        DType::Bool => 0,
        DType::I8 => 1,
        DType::I16 => 2,
        DType::I32 => 3,
        DType::I64 => 4,
        DType::U8 => 5,
        DType::U16 => 6,
        DType::U32 => 7,
        DType::U64 => 8,
        DType::F16 => 9,
        DType::BF16 => 10,
        DType::F32 => 11,
        DType::F64 => 12,
        DType::C64 => 13,
        DType::C128 => 14,
        DType::Float0 => panic!(
            "TypeError: type promotion does not accept dtype float0. float0 arrays are the \
             gradients of integer and bool inputs (grad with allow_int) and take part in no \
             operation."
        ),
    }
}

/// Bit set of one node.
const fn bit(d: DType) -> u32 {
    1 << dtype_index(d)
}

const ALL_INTS: u32 = bit(DType::I8)
    | bit(DType::I16)
    | bit(DType::I32)
    | bit(DType::I64)
    | bit(DType::U8)
    | bit(DType::U16)
    | bit(DType::U32)
    | bit(DType::U64);
const ALL_FLOATS: u32 = bit(DType::F16) | bit(DType::BF16) | bit(DType::F32) | bit(DType::F64);
const ALL_COMPLEX: u32 = bit(DType::C64) | bit(DType::C128);

/// Immediate successors of every node (JAX's `_type_promotion_lattice`,
/// restricted to our dtypes; sub-byte and 8-bit float nodes are dropped,
/// which changes no least upper bound among the remaining nodes).
const fn lattice_edges(mode: PromotionMode, x64: bool) -> [u32; NODES] {
    let mut e = [0u32; NODES];
    match mode {
        PromotionMode::Standard => {
            e[dtype_index(DType::Bool)] = 1 << WEAK_INT;
            e[WEAK_INT] = bit(DType::U8) | bit(DType::I8);
            e[dtype_index(DType::U8)] = bit(DType::I16) | bit(DType::U16);
            e[dtype_index(DType::U16)] = bit(DType::I32) | bit(DType::U32);
            // Without x64, u32 promotes to i32 rather than forming an i64.
            e[dtype_index(DType::U32)] = if x64 {
                bit(DType::I64) | bit(DType::U64)
            } else {
                bit(DType::I32) | bit(DType::U64)
            };
            e[dtype_index(DType::U64)] = 1 << WEAK_FLOAT;
            e[dtype_index(DType::I8)] = bit(DType::I16);
            e[dtype_index(DType::I16)] = bit(DType::I32);
            e[dtype_index(DType::I32)] = bit(DType::I64);
            e[dtype_index(DType::I64)] = 1 << WEAK_FLOAT;
            e[WEAK_FLOAT] = bit(DType::BF16) | bit(DType::F16) | (1 << WEAK_COMPLEX);
            e[dtype_index(DType::BF16)] = bit(DType::F32);
            e[dtype_index(DType::F16)] = bit(DType::F32);
            e[dtype_index(DType::F32)] = bit(DType::F64) | bit(DType::C64);
            e[dtype_index(DType::F64)] = bit(DType::C128);
            e[WEAK_COMPLEX] = bit(DType::C64);
            e[dtype_index(DType::C64)] = bit(DType::C128);
        }
        PromotionMode::Strict => {
            e[WEAK_INT] = (1 << WEAK_FLOAT) | ALL_INTS;
            e[WEAK_FLOAT] = (1 << WEAK_COMPLEX) | ALL_FLOATS;
            e[WEAK_COMPLEX] = ALL_COMPLEX;
        }
    }
    e
}

/// Upper-bound sets (reflexive-transitive closure of the edges), one bit set
/// per node, as in JAX's `_make_lattice_upper_bounds`.
const fn upper_bounds(mode: PromotionMode, x64: bool) -> [u32; NODES] {
    let edges = lattice_edges(mode, x64);
    let mut ub = [0u32; NODES];
    let mut n = 0;
    while n < NODES {
        let mut set: u32 = 1 << n;
        loop {
            let mut next = set;
            let mut m = 0;
            while m < NODES {
                if set & (1 << m) != 0 {
                    next |= edges[m];
                }
                m += 1;
            }
            if next == set {
                break;
            }
            set = next;
        }
        ub[n] = set;
        n += 1;
    }
    ub
}

const UB_STANDARD_X64: [u32; NODES] = upper_bounds(PromotionMode::Standard, true);
const UB_STANDARD_X32: [u32; NODES] = upper_bounds(PromotionMode::Standard, false);
const UB_STRICT: [u32; NODES] = upper_bounds(PromotionMode::Strict, true);

const fn upper_bound_table(mode: PromotionMode, x64: bool) -> &'static [u32; NODES] {
    match (mode, x64) {
        (PromotionMode::Standard, true) => &UB_STANDARD_X64,
        (PromotionMode::Standard, false) => &UB_STANDARD_X32,
        (PromotionMode::Strict, _) => &UB_STRICT,
    }
}

/// Why a promotion failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromotionError {
    /// The inputs have no common upper bound in the lattice (JAX's
    /// `TypePromotionError`). `nodes` are the inputs in the order given.
    NoPromotionPath {
        /// The lattice nodes that were being promoted.
        nodes: Vec<LatticeNode>,
        /// The lattice that was used.
        mode: PromotionMode,
    },
    /// `result_type` was called without operands (JAX's `ValueError`).
    NoOperands,
}

impl fmt::Display for PromotionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PromotionError::NoPromotionPath { nodes, mode } => {
                // Python's repr of a tuple of str(node).
                f.write_str("Input dtypes (")?;
                for (i, n) in nodes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    let s = n.jax_str();
                    if s.contains('\'') {
                        write!(f, "\"{s}\"")?;
                    } else {
                        write!(f, "'{s}'")?;
                    }
                }
                if nodes.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(") have no available implicit dtype promotion path")?;
                match mode {
                    PromotionMode::Strict => f.write_str(
                        " when jax_numpy_dtype_promotion=strict. Try explicitly casting \
                         inputs to the desired output type, or set \
                         jax_numpy_dtype_promotion=standard.",
                    ),
                    PromotionMode::Standard => {
                        f.write_str(". Try explicitly casting inputs to the desired output type.")
                    }
                }
            }
            PromotionError::NoOperands => f.write_str("at least one array or dtype is required"),
        }
    }
}

impl std::error::Error for PromotionError {}

/// Least upper bound of `nodes` in the lattice for `mode` / `x64` (JAX's
/// `_least_upper_bound`). `x64` only selects the lattice variant; nothing is
/// canonicalized.
pub fn least_upper_bound(
    nodes: &[LatticeNode],
    mode: PromotionMode,
    x64: bool,
) -> Result<LatticeNode, PromotionError> {
    if nodes.is_empty() {
        return Err(PromotionError::NoOperands);
    }
    let ub = upper_bound_table(mode, x64);
    let mut set: u32 = 0;
    let mut common: u32 = u32::MAX;
    for n in nodes {
        set |= 1 << n.index();
        common &= ub[n.index()];
    }
    // Shortcut: an input that bounds all the others is the answer.
    let lub = if common & set != 0 {
        common & set
    } else {
        let mut lub = 0u32;
        for (c, ub_c) in ub.iter().enumerate() {
            if common & (1 << c) != 0 && common & !ub_c == 0 {
                lub |= 1 << c;
            }
        }
        lub
    };
    if lub == 0 {
        return Err(PromotionError::NoPromotionPath {
            nodes: nodes.to_vec(),
            mode,
        });
    }
    debug_assert_eq!(lub.count_ones(), 1, "ill-formed promotion lattice");
    Ok(LatticeNode::ALL[lub.trailing_zeros() as usize])
}

/// `jnp.promote_types(a, b)` under the given mode and x64 flag: the least
/// upper bound of two strong dtypes, not canonicalized (a weak result, e.g.
/// from `int64` and `uint64`, is NumPy's `float64`).
pub fn try_promote_types(
    a: DType,
    b: DType,
    mode: PromotionMode,
    x64: bool,
) -> Result<DType, PromotionError> {
    least_upper_bound(&[LatticeNode::Strong(a), LatticeNode::Strong(b)], mode, x64)
        .map(LatticeNode::numpy_dtype)
}

/// jnp.promote_types(a, b) for two strong dtypes (no canonicalization; works
/// like JAX's with jax_enable_x64 on and standard promotion, where every pair
/// of our dtypes has a promotion).
pub fn promote_types(a: DType, b: DType) -> DType {
    match try_promote_types(a, b, PromotionMode::Standard, true) {
        Ok(d) => d,
        Err(e) => unreachable!("standard lattice is total on our dtypes: {e}"),
    }
}

/// 64-bit → 32-bit canonicalization when x64 is off (int64→int32,
/// uint64→uint32, float64→float32, complex128→complex64); the identity when
/// x64 is on.
pub const fn canonicalize(d: DType, x64: bool) -> DType {
    if x64 {
        return d;
    }
    match d {
        DType::I64 => DType::I32,
        DType::U64 => DType::U32,
        DType::F64 => DType::F32,
        DType::C128 => DType::C64,
        other => other,
    }
}

/// The default dtype of a kind (JAX's `default_types`): what a weak result of
/// that kind becomes in `jnp.result_type`.
pub const fn default_dtype(kind: DTypeKind, x64: bool) -> DType {
    let d = match kind {
        DTypeKind::Bool => DType::Bool,
        DTypeKind::SignedInt => DType::I64,
        DTypeKind::UnsignedInt => DType::U64,
        DTypeKind::Float => DType::F64,
        DTypeKind::Complex => DType::C128,
        DTypeKind::Float0 => DType::Float0,
    };
    canonicalize(d, x64)
}

/// The dtype and weak flag that `jax.numpy` operations promote their operands
/// to (JAX's `dtypes.lattice_result_type`, used by `promote_dtypes`, e.g. in
/// `jnp.add`), canonicalized for `x64`.
///
/// Unlike [`try_result_type`], a weak result keeps its width: two weak
/// `float16` operands give a weak `float16`.
///
/// Operands are taken as arrays (their dtypes are used as given, as JAX does
/// for arrays); the lattice is chosen by `x64` and the result canonicalized.
pub fn try_lattice_result_type(
    operands: &[WeakDType],
    mode: PromotionMode,
    x64: bool,
) -> Result<WeakDType, PromotionError> {
    let first = *operands.first().ok_or(PromotionError::NoOperands)?;
    let all_weak = operands.iter().all(|o| o.weak);
    let (dtype, weak) = if operands.len() == 1 {
        (first.dtype, first.weak)
    } else if operands.iter().all(|o| o.dtype == first.dtype) && !all_weak {
        // Trivial promotion: identical dtypes, at least one strong.
        (first.dtype, false)
    } else if all_weak && mode == PromotionMode::Standard {
        // All weak: promote the strong counterparts and make the result weak.
        let nodes: Vec<LatticeNode> = operands
            .iter()
            .map(|o| LatticeNode::Strong(o.dtype))
            .collect();
        (least_upper_bound(&nodes, mode, x64)?.to_dtype(x64), true)
    } else {
        let nodes: Vec<LatticeNode> = operands.iter().map(|&o| LatticeNode::of(o)).collect();
        let lub = least_upper_bound(&nodes, mode, x64)?;
        (lub.to_dtype(x64), lub.is_weak())
    };
    let dtype = canonicalize(dtype, x64);
    Ok(WeakDType {
        dtype,
        weak: weak && dtype != DType::Bool,
    })
}

/// [`try_lattice_result_type`] with standard promotion; panics without operands.
pub fn lattice_result_type(operands: &[WeakDType], x64: bool) -> WeakDType {
    try_lattice_result_type(operands, PromotionMode::Standard, x64)
        .unwrap_or_else(|e| panic!("lattice_result_type: {e}"))
}

/// `jnp.result_type(*operands)` with its weak flag
/// (`dtypes.result_type(..., return_weak_type_flag=True)`), canonicalized for
/// `x64`: like [`try_lattice_result_type`], but a weak result is widened to
/// the default dtype of its kind (weak `float16` → weak `float32`/`float64`).
pub fn try_result_type(
    operands: &[WeakDType],
    mode: PromotionMode,
    x64: bool,
) -> Result<WeakDType, PromotionError> {
    let r = try_lattice_result_type(operands, mode, x64)?;
    Ok(if r.weak {
        WeakDType::weak(default_dtype(r.dtype.kind(), x64))
    } else {
        r
    })
}

/// jnp.result_type semantics over operands: returns the result dtype and
/// whether it is weak, then canonicalized for x64 = `x64` (64-bit → 32-bit
/// when false). Uses standard promotion; panics if `operands` is empty.
///
/// For operands whose weak dtypes have the default width (Rust/Python
/// scalars and results of ops on them) this equals [`lattice_result_type`],
/// i.e. what binary ops such as `jnp.add` produce.
pub fn result_type(operands: &[WeakDType], x64: bool) -> WeakDType {
    try_result_type(operands, PromotionMode::Standard, x64)
        .unwrap_or_else(|e| panic!("result_type: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    fn s(d: DType) -> WeakDType {
        WeakDType::strong(d)
    }
    fn w(d: DType) -> WeakDType {
        WeakDType::weak(d)
    }
    /// Python `2` / Rust integer literal.
    fn int(x64: bool) -> WeakDType {
        WeakDType::weak_int(x64)
    }
    /// Python `2.5` / Rust float literal.
    fn float(x64: bool) -> WeakDType {
        WeakDType::weak_float(x64)
    }

    #[test]
    fn weak_scalars_adopt_the_array_dtype() {
        for x64 in [false, true] {
            // float32 array * weak float -> float32 (strong).
            assert_eq!(result_type(&[s(F32), float(x64)], x64), s(F32));
            assert_eq!(result_type(&[s(F16), float(x64)], x64), s(F16));
            assert_eq!(result_type(&[s(BF16), int(x64)], x64), s(BF16));
            // uint8 + weak int -> uint8 (strong).
            assert_eq!(result_type(&[s(U8), int(x64)], x64), s(U8));
            assert_eq!(result_type(&[int(x64), s(I8)], x64), s(I8));
        }
    }

    #[test]
    fn int_array_with_weak_float_is_weak_default_float() {
        // int32 array * 2.5 -> *weak* float32 (x64 off) / float64 (x64 on).
        assert_eq!(result_type(&[s(I32), float(false)], false), w(F32));
        assert_eq!(result_type(&[s(I32), float(true)], true), w(F64));
        assert_eq!(result_type(&[s(U8), float(true)], true), w(F64));
    }

    #[test]
    fn bool_rules() {
        for x64 in [false, true] {
            let b = WeakDType::bool_scalar();
            // bool array + weak int -> weak default int.
            assert_eq!(result_type(&[s(Bool), int(x64)], x64), int(x64));
            // bool array + weak float -> weak default float.
            assert_eq!(result_type(&[s(Bool), float(x64)], x64), float(x64));
            // bool + True stays bool; bools are never weak.
            assert_eq!(result_type(&[s(Bool), b], x64), s(Bool));
            assert_eq!(result_type(&[w(Bool), w(Bool)], x64), s(Bool));
        }
    }

    #[test]
    fn weak_with_weak_stays_weak() {
        assert_eq!(result_type(&[int(true), float(true)], true), w(F64));
        assert_eq!(result_type(&[int(false), int(false)], false), w(I32));
        // Non-default weak widths: ops keep the width, jnp.result_type widens.
        assert_eq!(lattice_result_type(&[w(F16), w(F16)], true), w(F16));
        assert_eq!(result_type(&[w(F16), w(F16)], true), w(F64));
        assert_eq!(lattice_result_type(&[w(I8), int(false)], false), w(I32));
        // A weak int8 is just "int" against a strong dtype.
        assert_eq!(lattice_result_type(&[w(I8), s(U8)], true), s(U8));
    }

    #[test]
    fn mixed_signedness() {
        assert_eq!(promote_types(U32, I32), I64);
        assert_eq!(promote_types(U8, I8), I16);
        assert_eq!(result_type(&[s(U32), s(I32)], false), s(I32));
        // int64 + uint64 has no integer bound: weak float64.
        assert_eq!(promote_types(I64, U64), F64);
        assert_eq!(result_type(&[s(I64), s(U64)], true), w(F64));
        assert_eq!(result_type(&[s(U64), s(I8)], true), w(F64));
        assert_eq!(promote_types(F16, BF16), F32);
        assert_eq!(canonicalize(promote_types(I64, F16), false), F16);
    }

    #[test]
    fn strict_mode_errors() {
        let e = try_promote_types(I8, I16, PromotionMode::Strict, true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Input dtypes ('int8', 'int16') have no available implicit dtype promotion \
             path when jax_numpy_dtype_promotion=strict. Try explicitly casting inputs to \
             the desired output type, or set jax_numpy_dtype_promotion=standard."
        );
        let weak_float_int8 = [LatticeNode::WeakFloat, LatticeNode::Strong(I8)];
        let e = least_upper_bound(&weak_float_int8, PromotionMode::Strict, true).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("Input dtypes (\"<class 'float'>\", 'int8') have no available implicit"));
        // Weak types still promote in strict mode.
        let r = try_result_type(&[s(I8), int(true)], PromotionMode::Strict, true);
        assert_eq!(r, Ok(s(I8)));
        assert_eq!(
            try_result_type(&[], PromotionMode::Standard, true),
            Err(PromotionError::NoOperands)
        );
    }

    #[test]
    fn standard_lattice_is_total_and_symmetric() {
        for x64 in [false, true] {
            for a in LatticeNode::ALL {
                for b in LatticeNode::ALL {
                    let ab = least_upper_bound(&[a, b], PromotionMode::Standard, x64);
                    let ba = least_upper_bound(&[b, a], PromotionMode::Standard, x64);
                    assert!(ab.is_ok(), "{a} {b}");
                    assert_eq!(ab, ba);
                }
            }
        }
    }

    mod golden {
        use super::super::*;
        use serde_json::Value;

        const FIXTURE: &str = include_str!("../../tests/fixtures/promotion/promotion.json");

        /// Expected value of a case: `[dtype, weak]`, a dtype name, or an error.
        #[derive(Debug, PartialEq)]
        enum Expected {
            Ok(WeakDType),
            Err(String),
        }

        fn dtype(v: &Value) -> DType {
            let name = v.as_str().expect("dtype name");
            DType::from_name(name).unwrap_or_else(|| panic!("unknown dtype {name}"))
        }

        fn node(v: &Value) -> LatticeNode {
            match v.as_str().expect("node name") {
                "int" => LatticeNode::WeakInt,
                "float" => LatticeNode::WeakFloat,
                "complex" => LatticeNode::WeakComplex,
                _ => LatticeNode::Strong(dtype(v)),
            }
        }

        fn operand(v: &Value) -> WeakDType {
            WeakDType::new(dtype(&v[0]), v[1].as_bool().expect("weak flag"))
        }

        fn error(v: &Value) -> Option<String> {
            v.get("error")
                .map(|e| e.as_str().expect("error").to_string())
        }

        fn expected(v: &Value) -> Expected {
            match error(v) {
                Some(e) => Expected::Err(e),
                None => Expected::Ok(operand(v)),
            }
        }

        /// Errors in op cases are recorded by exception type only.
        fn actual_kind(r: Result<WeakDType, PromotionError>) -> Expected {
            match r {
                Ok(d) => Expected::Ok(d),
                Err(PromotionError::NoPromotionPath { .. }) => {
                    Expected::Err("TypePromotionError".into())
                }
                Err(PromotionError::NoOperands) => Expected::Err("ValueError".into()),
            }
        }

        fn node_result(v: &Value) -> Result<String, String> {
            match error(v) {
                Some(e) => Err(e),
                None => Ok(v.as_str().expect("result name").to_string()),
            }
        }

        #[test]
        fn golden_promotion_cases() {
            let data: Value = serde_json::from_str(FIXTURE).expect("valid fixture JSON");
            let mut checked = 0usize;
            let mut failures = Vec::new();
            let mut check = |ok: bool, case: String| {
                checked += 1;
                if !ok {
                    failures.push(case);
                }
            };
            let configs = data["configs"].as_array().expect("configs");
            assert_eq!(configs.len(), 4);
            for cfg in configs {
                let x64 = cfg["x64"].as_bool().expect("x64");
                let mode = match cfg["mode"].as_str().expect("mode") {
                    "standard" => PromotionMode::Standard,
                    "strict" => PromotionMode::Strict,
                    m => panic!("unknown mode {m}"),
                };
                let tag = format!("[x64={x64} mode={}]", mode.name());

                for case in cfg["lub"].as_array().expect("lub") {
                    let (a, b) = (node(&case[0]), node(&case[1]));
                    let got = least_upper_bound(&[a, b], mode, x64)
                        .map(|n| n.to_string())
                        .map_err(|e| e.to_string());
                    let want = node_result(&case[2]);
                    check(
                        got == want,
                        format!("{tag} lub({a}, {b}): got {got:?}, want {want:?}"),
                    );
                }

                for case in cfg["promote_types"].as_array().expect("promote_types") {
                    let (a, b) = (dtype(&case[0]), dtype(&case[1]));
                    let got = try_promote_types(a, b, mode, x64)
                        .map(|d| d.name().to_string())
                        .map_err(|e| e.to_string());
                    let want = node_result(&case[2]);
                    check(
                        got == want,
                        format!("{tag} promote_types({a}, {b}): got {got:?}, want {want:?}"),
                    );
                    if mode == PromotionMode::Standard && x64 {
                        let got = promote_types(a, b).name().to_string();
                        check(
                            Ok(got.clone()) == want,
                            format!("{tag} promote_types({a}, {b}): got {got}, want {want:?}"),
                        );
                    }
                }

                for case in cfg["binary"].as_array().expect("binary") {
                    let ops = [operand(&case["a"]), operand(&case["b"])];
                    let desc = format!("{tag} {} + {}", case["a"], case["b"]);
                    let got = actual_kind(try_lattice_result_type(&ops, mode, x64));
                    let want = expected(&case["add"]);
                    check(
                        got == want,
                        format!("{desc}: jnp.add got {got:?}, want {want:?}"),
                    );
                    let got = actual_kind(try_result_type(&ops, mode, x64));
                    let want = expected(&case["result_type"]);
                    check(
                        got == want,
                        format!("{desc}: jnp.result_type got {got:?}, want {want:?}"),
                    );
                    if mode == PromotionMode::Standard {
                        let got = result_type(&ops, x64);
                        check(
                            Expected::Ok(got) == want,
                            format!("{desc}: result_type got {got:?}, want {want:?}"),
                        );
                    }
                }

                for case in cfg["nary"].as_array().expect("nary") {
                    let ops: Vec<WeakDType> = case["ops"]
                        .as_array()
                        .expect("ops")
                        .iter()
                        .map(operand)
                        .collect();
                    let desc = format!("{tag} {}", case["ops"]);
                    let got = actual_kind(try_lattice_result_type(&ops, mode, x64));
                    let want = expected(&case["lattice"]);
                    check(
                        got == want,
                        format!("{desc}: lattice_result_type got {got:?}, want {want:?}"),
                    );
                    let got = actual_kind(try_result_type(&ops, mode, x64));
                    let want = expected(&case["result_type"]);
                    check(
                        got == want,
                        format!("{desc}: result_type got {got:?}, want {want:?}"),
                    );
                }
            }
            for f in failures.iter().take(50) {
                eprintln!("FAIL {f}");
            }
            assert!(
                failures.is_empty(),
                "{} of {checked} golden checks failed (first 50 printed above)",
                failures.len()
            );
            println!("{checked} golden promotion checks passed");
            assert!(checked > 10_000, "fixture unexpectedly small: {checked}");
        }
    }
}
