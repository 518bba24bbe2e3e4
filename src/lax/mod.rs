//! lax: the primitives and thin wrappers that bind them.
//!
//! Every primitive is a small params struct implementing [`PrimitiveRules`];
//! all of its rules (abstract evaluation, CPU implementation, fusion class,
//! jvp, transpose and batching) live in that one impl, grouped by
//! family in the files below. [`Primitive`] is the closed set of them. A new
//! rule added to the trait without a default is a compile error for every
//! primitive that lacks it, so no rule can be silently missing.
//!
//! | family | file |
//! |---|---|
//! | unary, binary, compare, select, convert, integer_pow, fma, complex, bitcast | `elementwise/` (one file each) |
//! | reduce_*, argmax/argmin, cumulative | `reduction.rs` |
//! | reshape, broadcast_in_dim, transpose, squeeze, rev, slice, pad, concatenate | `layout/` (one file each) |
//! | dynamic_slice, dynamic_update_slice | `indexing.rs` |
//! | dot_general | `contraction.rs` |
//! | conv_general_dilated (and the `conv*` API) | `convolution/` |
//! | iota | `creation.rs` |
//! | gather, scatter (replace, add, sub, mul, min, max) | `gather.rs` |
//! | sort | `sort.rs` |
//! | threefry2x32 | `prng.rs` |
//! | qr, eigh, svd, eig | `linalg/` |
//! | stop_gradient, name, custom_lin | `custom.rs` |
//! | cond, while, scan (and the `cond`/`switch`/`while_loop`/`fori_loop`/`scan` API) | `control/` |
//! | cholesky, triangular_solve, lu (`lax::linalg`) | `linalg/` |
//! | reduce_window_*, select_and_gather_add, select_and_scatter_add | `windowed/` |
//!
//! Shared helpers for the jvp and transpose rules are in `ad_util.rs`.

pub mod ad_util;
pub mod batching;
pub mod contraction;
pub mod control;
pub mod convolution;
pub mod creation;
pub mod custom;
pub mod elementwise;
pub mod gather;
pub mod indexing;
pub mod layout;
pub mod linalg;
pub mod padding;
pub mod prng;
pub mod reduction;
pub mod sort;
pub mod windowed;

pub use contraction::*;
pub use control::api::*;
pub use control::associative_scan::{
    associative_scan, associative_scan_with, AssociativeScanOptions,
};
pub use control::map::{map, map_with, MapOptions};
pub use control::{Cond, Scan, SubJaxpr, While};
pub use convolution::*;
pub use creation::*;
pub use custom::*;
pub use elementwise::*;
pub use gather::*;
pub use indexing::*;
pub use layout::*;
pub use linalg::{eig, eigh, qr, svd, Eig, Eigh, Qr, Svd};
pub use padding::{padtype_to_pads, Padding};
pub use prng::*;
pub use reduction::*;
pub use sort::*;
pub use windowed::*;

pub use ad_util::{Cotangents, Differentiability, JvpResult, LinearArg, Tangents};

use crate::backend::cpu::buffer::Buffer;
use crate::core::array::Array;
use crate::core::aval::ShapedArray;
use smallvec::SmallVec;

/// Output abstract values of a primitive.
pub type Avals = SmallVec<[ShapedArray; 1]>;
/// Output buffers of a primitive.
pub type Buffers = SmallVec<[Buffer; 1]>;

/// How the compiler may fuse a primitive with its neighbours: the fusion
/// planner (`compiler::fusion`) fuses only `Elementwise` primitives (plus
/// `broadcast_in_dim`), and ends a kernel only with a `Reduction`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FusionClass {
    /// Elementwise: fuses freely into blockwise kernels.
    Elementwise,
    /// Reduction: may take an elementwise prologue.
    Reduction,
    /// Data movement: reshapes are free, others become index maps.
    Layout,
    /// Matrix products: may take an elementwise epilogue.
    Contraction,
    /// Runs as its own kernel.
    Opaque,
}

/// The rules of one primitive, all in one place.
pub trait PrimitiveRules {
    /// JAX's primitive name, as printed in jaxprs.
    fn name(&self) -> &'static str;
    /// Parameters, as `name=value` pairs for jaxpr printing.
    fn params(&self) -> Vec<(&'static str, String)>;
    /// Shape and dtype inference; panics with a JAX-quality message on bad input.
    fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals;
    /// Runs the primitive on the CPU backend, given ready input buffers.
    fn impl_cpu(
        &self,
        inputs: &[&ShapedArray],
        bufs: &[&Buffer],
        outputs: &[ShapedArray],
    ) -> Buffers;
    /// The fusion class for the compiler.
    fn fusion_class(&self) -> FusionClass;
    /// Forward-mode rule: primal outputs and output tangents, given primals
    /// and tangents (`None` is a symbolic zero; at least one is present).
    fn jvp(&self, primals: &[&Array], tangents: &[Option<&Array>]) -> JvpResult;
    /// Transpose rule for primitives linear in some operands: cotangents of
    /// the `Undefined` operands from the output cotangents.
    fn transpose(&self, cts: &[Array], args: &[LinearArg<'_>]) -> Cotangents;
    /// Whether the primitive is linear, differentiable, or has zero tangents.
    fn differentiability(&self) -> Differentiability;
    /// Batching rule (`vmap`): the primitive applied to operands of which
    /// some carry a batch axis `dims[i]` of length `size` (at least one
    /// does), as one bigger operation; returns the outputs and their batch axes.
    fn batch(&self, args: &[&Array], dims: &[Option<usize>], size: usize) -> batching::BatchResult;
    /// Partial-evaluation rule, for an application whose inputs are partly
    /// known (concrete or outer values) and partly unknown (`pe`'s
    /// tracers): computes what it can now and stages the rest. `None`, the
    /// default, stages the whole application; control flow splits its body.
    fn partial_eval(
        &self,
        _pe: &crate::interpreters::partial_eval::PartialEvalTrace,
        _inputs: &[&Array],
    ) -> Option<crate::core::trace::Outputs> {
        None
    }
}

macro_rules! define_primitives {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        /// The closed set of primitives. Each variant's params type implements
        /// [`PrimitiveRules`].
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Primitive { $($variant($ty)),* }

        impl Primitive {
            /// The rules of this primitive.
            pub fn rules(&self) -> &dyn PrimitiveRules {
                match self { $(Primitive::$variant(p) => p),* }
            }
        }

        $(impl From<$ty> for Primitive {
            fn from(p: $ty) -> Primitive { Primitive::$variant(p) }
        })*

        /// One example of every primitive family, so tests can enumerate them.
        pub const PRIMITIVE_FAMILIES: &[&str] = &[$(stringify!($variant)),*];
    };
}

define_primitives! {
    Unary(Unary),
    Binary(Binary),
    Compare(Compare),
    Select(Select),
    ConvertElementType(ConvertElementType),
    BitcastConvertType(BitcastConvertType),
    Fma(Fma),
    ComplexPart(ComplexPart),
    Conj(Conj),
    MakeComplex(MakeComplex),
    IntegerPow(IntegerPow),
    Reduce(Reduce),
    ArgReduce(ArgReduce),
    Cumulative(Cumulative),
    Reshape(Reshape),
    BroadcastInDim(BroadcastInDim),
    Transpose(Transpose),
    Squeeze(Squeeze),
    Rev(Rev),
    Slice(Slice),
    Pad(Pad),
    Concatenate(Concatenate),
    DynamicSlice(DynamicSlice),
    DynamicUpdateSlice(DynamicUpdateSlice),
    DotGeneral(DotGeneral),
    ConvGeneralDilated(ConvGeneralDilated),
    Iota(Iota),
    Threefry2x32(Threefry2x32),
    Sort(Sort),
    Gather(Gather),
    Scatter(Scatter),
    StopGradient(StopGradient),
    Name(Name),
    CustomLin(CustomLin),
    Cond(Cond),
    While(While),
    Scan(Scan),
    Qr(Qr),
    Eigh(Eigh),
    Svd(Svd),
    Eig(Eig),
    Cholesky(linalg::Cholesky),
    TriangularSolve(linalg::TriangularSolve),
    Lu(linalg::Lu),
    ReduceWindow(ReduceWindow),
    SelectAndGatherAdd(SelectAndGatherAdd),
    SelectAndScatterAdd(SelectAndScatterAdd),
}

impl Primitive {
    /// JAX's primitive name.
    pub fn name(&self) -> &'static str {
        self.rules().name()
    }

    /// The primitive's `impl` (JAX's `primitive.impl`): runs it on concrete
    /// arrays through eager dispatch. `bind` calls it when no trace is
    /// active; panics on a tracer input.
    pub fn eval(&self, inputs: &[&Array]) -> crate::core::trace::Outputs {
        crate::runtime::dispatch::apply(self, inputs)
    }

    /// Whether this is a control-flow primitive with sub-jaxprs.
    pub fn is_control_flow(&self) -> bool {
        matches!(
            self,
            Primitive::Cond(_) | Primitive::While(_) | Primitive::Scan(_)
        )
    }

    /// Shape and dtype inference.
    pub fn abstract_eval(&self, inputs: &[&ShapedArray]) -> Avals {
        self.rules().abstract_eval(inputs)
    }
}

/// Panics unless `inputs` has `n` entries (an internal consistency check).
pub(crate) fn expect_arity(name: &str, inputs: &[&ShapedArray], n: usize) {
    assert_eq!(
        inputs.len(),
        n,
        "{name} takes {n} operand(s), got {}",
        inputs.len()
    );
}
