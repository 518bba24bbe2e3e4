//! `ConvDimensionNumbers`: which axes of a convolution's operands and output
//! are batch, feature and spatial (`lax.ConvDimensionNumbers`,
//! `lax.conv_dimension_numbers`, `lax.conv_general_permutations`).

use crate::core::shape::fmt_tuple;

/// The batch, feature and spatial axes of a convolution, as JAX's
/// `ConvDimensionNumbers`: `lhs_spec` is `(batch, feature, spatial...)`,
/// `rhs_spec` is `(out feature, in feature, spatial...)`, `out_spec` is
/// `(batch, feature, spatial...)`. Spatial axes are listed in the kernel's
/// spatial order.
///
/// Builds from JAX's string form, e.g. `("NHWC", "HWIO", "NHWC").into()`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConvDimensionNumbers {
    /// Input axes: batch, feature, spatial....
    pub lhs_spec: Vec<usize>,
    /// Kernel axes: output feature, input feature, spatial....
    pub rhs_spec: Vec<usize>,
    /// Output axes: batch, feature, spatial....
    pub out_spec: Vec<usize>,
}

impl ConvDimensionNumbers {
    /// JAX's default for operands of rank `ndim`: `NCHW`/`OIHW`/`NCHW` style
    /// (every spec is `0..ndim`).
    pub fn default_for_rank(ndim: usize) -> ConvDimensionNumbers {
        let iota: Vec<usize> = (0..ndim).collect();
        ConvDimensionNumbers {
            lhs_spec: iota.clone(),
            rhs_spec: iota.clone(),
            out_spec: iota,
        }
    }

    /// Number of spatial dimensions.
    pub fn spatial_dims(&self) -> usize {
        self.rhs_spec.len().saturating_sub(2)
    }

    /// The specs with the first two entries of each swapped (JAX's
    /// `_conv_spec_transpose`, applied to all three).
    pub(crate) fn swap_first_two(spec: &[usize]) -> Vec<usize> {
        let mut s = spec.to_vec();
        s.swap(0, 1);
        s
    }
}

impl std::fmt::Display for ConvDimensionNumbers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ConvDimensionNumbers(lhs_spec={}, rhs_spec={}, out_spec={})",
            fmt_tuple(&self.lhs_spec),
            fmt_tuple(&self.rhs_spec),
            fmt_tuple(&self.out_spec)
        )
    }
}

impl From<(&str, &str, &str)> for ConvDimensionNumbers {
    fn from(specs: (&str, &str, &str)) -> Self {
        let (lhs_spec, rhs_spec, out_spec) = conv_general_permutations([specs.0, specs.1, specs.2]);
        ConvDimensionNumbers {
            lhs_spec,
            rhs_spec,
            out_spec,
        }
    }
}

impl From<[&str; 3]> for ConvDimensionNumbers {
    fn from(s: [&str; 3]) -> Self {
        (s[0], s[1], s[2]).into()
    }
}

/// `lax.conv_general_permutations`: the `(lhs, rhs, out)` axis permutations
/// that string dimension numbers such as `("NHWC", "HWIO", "NHWC")` mean.
/// Panics with JAX's TypeError on malformed strings.
pub fn conv_general_permutations(specs: [&str; 3]) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let pairs = [('N', 'C'), ('O', 'I'), ('N', 'C')];
    let chars: Vec<Vec<char>> = specs.iter().map(|s| s.chars().collect()).collect();
    for (i, (a, b)) in pairs.iter().enumerate() {
        let count = |c: char| chars[i].iter().filter(|&&x| x == c).count();
        if count(*a) != 1 || count(*b) != 1 {
            panic!(
                "TypeError: convolution dimension_numbers[{i}] must contain the characters \
                 '{a}' and '{b}' exactly once, got {}.",
                specs[i]
            );
        }
        let mut seen = chars[i].clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != chars[i].len() {
            panic!(
                "TypeError: convolution dimension_numbers[{i}] cannot have duplicate characters, \
                 got {}.",
                specs[i]
            );
        }
    }
    let spatial = |i: usize| -> Vec<char> {
        let mut s: Vec<char> = chars[i]
            .iter()
            .copied()
            .filter(|&c| c != pairs[i].0 && c != pairs[i].1)
            .collect();
        s.sort_unstable();
        s
    };
    if spatial(0) != spatial(1) || spatial(1) != spatial(2) {
        panic!(
            "TypeError: convolution dimension_numbers elements must each have the same set of \
             spatial characters, got ('{}', '{}', '{}').",
            specs[0], specs[1], specs[2]
        );
    }
    let rhs = &chars[1];
    let perm = |i: usize| -> Vec<usize> {
        let spec = &chars[i];
        let (a, b) = pairs[i];
        let pos = |c: char| spec.iter().position(|&x| x == c).unwrap();
        let mut sp: Vec<usize> = (0..spec.len())
            .filter(|&k| spec[k] != a && spec[k] != b)
            .collect();
        // Spatial axes in the order the kernel spec lists them.
        sp.sort_by_key(|&k| rhs.iter().position(|&x| x == spec[k]).unwrap());
        let mut p = vec![pos(a), pos(b)];
        p.extend(sp);
        p
    };
    (perm(0), perm(1), perm(2))
}

/// `lax.conv_dimension_numbers`: `dimension_numbers` checked against the
/// operand shapes, or JAX's default (`NCHW`/`OIHW`/`NCHW` style) for `None`.
pub fn conv_dimension_numbers(
    lhs_shape: &[usize],
    rhs_shape: &[usize],
    dimension_numbers: Option<ConvDimensionNumbers>,
) -> ConvDimensionNumbers {
    if lhs_shape.len() != rhs_shape.len() {
        panic!(
            "TypeError: convolution requires lhs and rhs ndim to be equal, got {} and {}.",
            lhs_shape.len(),
            rhs_shape.len()
        );
    }
    let Some(dn) = dimension_numbers else {
        return ConvDimensionNumbers::default_for_rank(lhs_shape.len());
    };
    for (i, spec) in [&dn.lhs_spec, &dn.rhs_spec, &dn.out_spec]
        .iter()
        .enumerate()
    {
        if spec.len() != lhs_shape.len() {
            panic!(
                "TypeError: convolution dimension_numbers[{i}] must have len equal to the ndim \
                 of lhs and rhs, got {} for lhs and rhs shapes {} and {}.",
                spec.len(),
                fmt_tuple(lhs_shape),
                fmt_tuple(rhs_shape)
            );
        }
        let mut sorted = spec.to_vec();
        sorted.sort_unstable();
        if sorted != (0..spec.len()).collect::<Vec<_>>() {
            panic!(
                "TypeError: convolution dimension_numbers[{i}] must be a permutation of the \
                 axes 0..{}, got {}.",
                spec.len(),
                fmt_tuple(spec)
            );
        }
    }
    dn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_specs_match_jax() {
        let dn: ConvDimensionNumbers = ("NHWC", "HWIO", "NHWC").into();
        assert_eq!(dn.lhs_spec, [0, 3, 1, 2]);
        assert_eq!(dn.rhs_spec, [3, 2, 0, 1]);
        assert_eq!(dn.out_spec, [0, 3, 1, 2]);
        // Spatial axes follow the kernel's order.
        let dn: ConvDimensionNumbers = ("NCWH", "OIHW", "NHWC").into();
        assert_eq!(dn.lhs_spec, [0, 1, 3, 2]);
        assert_eq!(dn.out_spec, [0, 3, 1, 2]);
    }
}
