//! Window padding specifications shared by convolutions and windowed
//! reductions (`lax.padtype_to_pads`, JAX's `PaddingType`).

/// A padding specification: one of JAX's padding strings, or explicit
/// `(low, high)` pairs per spatial dimension.
///
/// Converts from `"VALID"`, `"SAME"`, `"SAME_LOWER"` (any case) and from
/// pair lists, so `lax::conv(&x, &w, &[1, 1], "SAME")` and
/// `lax::conv(&x, &w, &[1, 1], [(1, 1), (0, 0)])` both read like JAX.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Padding {
    /// No padding.
    Valid,
    /// Output size `ceil(in / stride)`; an odd total puts the extra element at the end.
    Same,
    /// As `Same`, but an odd total puts the extra element at the start.
    SameLower,
    /// Explicit `(low, high)` pairs, one per spatial dimension (may be negative).
    Explicit(Vec<(i64, i64)>),
}

impl Padding {
    /// Parses a JAX padding string; panics with JAX's message otherwise.
    pub fn parse(s: &str) -> Padding {
        match s.to_ascii_uppercase().as_str() {
            "VALID" => Padding::Valid,
            "SAME" => Padding::Same,
            "SAME_LOWER" => Padding::SameLower,
            _ => panic!(
                "RuntimeError: Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', got {s}."
            ),
        }
    }

    /// Resolves this specification to `(low, high)` pairs (`lax.padtype_to_pads`
    /// for the string forms). `window_shape` is the dilated window size.
    pub fn to_pads(
        &self,
        in_shape: &[usize],
        window_shape: &[usize],
        window_strides: &[usize],
    ) -> Vec<(i64, i64)> {
        match self {
            Padding::Explicit(p) => p.clone(),
            p => padtype_to_pads(in_shape, window_shape, window_strides, p.clone()),
        }
    }
}

impl From<&str> for Padding {
    fn from(s: &str) -> Self {
        Padding::parse(s)
    }
}

impl From<String> for Padding {
    fn from(s: String) -> Self {
        Padding::parse(&s)
    }
}

impl From<Vec<(i64, i64)>> for Padding {
    fn from(p: Vec<(i64, i64)>) -> Self {
        Padding::Explicit(p)
    }
}

impl From<&[(i64, i64)]> for Padding {
    fn from(p: &[(i64, i64)]) -> Self {
        Padding::Explicit(p.to_vec())
    }
}

impl<const N: usize> From<[(i64, i64); N]> for Padding {
    fn from(p: [(i64, i64); N]) -> Self {
        Padding::Explicit(p.to_vec())
    }
}

impl<const N: usize> From<&[(i64, i64); N]> for Padding {
    fn from(p: &[(i64, i64); N]) -> Self {
        Padding::Explicit(p.to_vec())
    }
}

/// `lax.padtype_to_pads`: the `(low, high)` pairs a padding string means for
/// inputs of `in_shape` under windows of `window_shape` (already dilated) and
/// `window_strides`. `Explicit` padding is returned as given.
pub fn padtype_to_pads(
    in_shape: &[usize],
    window_shape: &[usize],
    window_strides: &[usize],
    padding: impl Into<Padding>,
) -> Vec<(i64, i64)> {
    let padding = padding.into();
    let n = in_shape.len();
    assert!(
        window_shape.len() == n && window_strides.len() == n,
        "padtype_to_pads: in_shape, window_shape and window_strides must have the same length, \
         got {n}, {} and {}",
        window_shape.len(),
        window_strides.len()
    );
    match padding {
        Padding::Valid => vec![(0, 0); n],
        Padding::Explicit(p) => p,
        Padding::Same | Padding::SameLower => (0..n)
            .map(|i| {
                let (d, w, s) = (
                    in_shape[i] as i64,
                    window_shape[i] as i64,
                    window_strides[i].max(1) as i64,
                );
                let out = (d + s - 1) / s;
                let total = ((out - 1) * s + w - d).max(0);
                if padding == Padding::Same {
                    (total / 2, total - total / 2)
                } else {
                    (total - total / 2, total / 2)
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_valid_and_same_lower_match_jax() {
        // jax.lax.padtype_to_pads((5, 6), (3, 2), (2, 1), 'SAME') == [(1, 1), (0, 1)]
        assert_eq!(
            padtype_to_pads(&[5, 6], &[3, 2], &[2, 1], "SAME"),
            vec![(1, 1), (0, 1)]
        );
        assert_eq!(
            padtype_to_pads(&[5, 6], &[3, 2], &[2, 1], "same_lower"),
            vec![(1, 1), (1, 0)]
        );
        assert_eq!(
            padtype_to_pads(&[5, 6], &[3, 2], &[2, 1], "VALID"),
            vec![(0, 0), (0, 0)]
        );
        // A window smaller than the stride needs no padding.
        assert_eq!(padtype_to_pads(&[4], &[1], &[2], "SAME"), vec![(0, 0)]);
    }

    #[test]
    #[should_panic(expected = "Unrecognized padding type")]
    fn unknown_string_is_jax_error() {
        let _ = Padding::from("FULL");
    }
}
