//! Text rendering of arrays, character-for-character identical to NumPy's
//! `str(x)` and JAX's `repr(x)` under NumPy 2.x default print options.
//!
//! The defaults reproduced are: `precision=8`, `floatmode='maxprec'`,
//! `suppress=False`, `sign='-'`, `threshold=1000`, `edgeitems=3`,
//! `linewidth=75`, `nanstr='nan'`, `infstr='inf'`.
//!
//! * Floats (`float16`, `float32`, `float64`) use NumPy's Dragon4 rules: the
//!   shortest digits that round-trip in the element's own dtype, cut to 8
//!   fractional digits (positional) or 8 mantissa digits (scientific) by
//!   rounding the exact binary value. An array switches to scientific
//!   notation when its largest nonzero magnitude reaches
//!   `10**min(8, finfo.precision)` (1e3 / 1e6 / 1e8), its smallest is below
//!   `1e-4`, or their ratio exceeds 1000 (all compared in the dtype).
//! * `bfloat16` is not a NumPy float type; NumPy prints each element with the
//!   ml_dtypes scalar `repr` (`%g`, six significant digits) and no padding.
//! * Arrays with more than 1000 elements are summarized with `...`, keeping
//!   3 items at each edge of every axis longer than 6.
//!
//! This module depends only on `std` and `half`.

mod bigint;
mod float_format;
#[cfg(test)]
mod golden_tests;

use float_format::{bf16_repr, complex_part_str, scalar_str, FloatVal, FloatingFormat};

/// A borrowed view of host values for printing, one variant per dtype.
///
/// The slice holds the elements of a C-contiguous (row-major) array.
#[derive(Clone, Copy, Debug)]
pub enum HostSlice<'a> {
    /// `bool`
    Bool(&'a [bool]),
    /// `int8`
    I8(&'a [i8]),
    /// `int16`
    I16(&'a [i16]),
    /// `int32`
    I32(&'a [i32]),
    /// `int64`
    I64(&'a [i64]),
    /// `uint8`
    U8(&'a [u8]),
    /// `uint16`
    U16(&'a [u16]),
    /// `uint32`
    U32(&'a [u32]),
    /// `uint64`
    U64(&'a [u64]),
    /// `float16`
    F16(&'a [half::f16]),
    /// `bfloat16`
    BF16(&'a [half::bf16]),
    /// `float32`
    F32(&'a [f32]),
    /// `float64`
    F64(&'a [f64]),
    /// `complex64`
    C64(&'a [num_complex::Complex32]),
    /// `complex128`
    C128(&'a [num_complex::Complex64]),
    /// `float0`: no values, only a count (NumPy's void records `(b'',)`).
    Float0(usize),
}

impl HostSlice<'_> {
    /// Number of elements in the slice.
    pub fn len(&self) -> usize {
        match self {
            HostSlice::Bool(d) => d.len(),
            HostSlice::I8(d) => d.len(),
            HostSlice::I16(d) => d.len(),
            HostSlice::I32(d) => d.len(),
            HostSlice::I64(d) => d.len(),
            HostSlice::U8(d) => d.len(),
            HostSlice::U16(d) => d.len(),
            HostSlice::U32(d) => d.len(),
            HostSlice::U64(d) => d.len(),
            HostSlice::F16(d) => d.len(),
            HostSlice::BF16(d) => d.len(),
            HostSlice::F32(d) => d.len(),
            HostSlice::F64(d) => d.len(),
            HostSlice::C64(d) => d.len(),
            HostSlice::C128(d) => d.len(),
            HostSlice::Float0(n) => *n,
        }
    }

    /// Whether the slice has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// NumPy's name of the element dtype, e.g. `"float32"` or `"bfloat16"`.
    pub fn dtype_name(&self) -> &'static str {
        match self {
            HostSlice::Bool(_) => "bool",
            HostSlice::I8(_) => "int8",
            HostSlice::I16(_) => "int16",
            HostSlice::I32(_) => "int32",
            HostSlice::I64(_) => "int64",
            HostSlice::U8(_) => "uint8",
            HostSlice::U16(_) => "uint16",
            HostSlice::U32(_) => "uint32",
            HostSlice::U64(_) => "uint64",
            HostSlice::F16(_) => "float16",
            HostSlice::BF16(_) => "bfloat16",
            HostSlice::F32(_) => "float32",
            HostSlice::F64(_) => "float64",
            HostSlice::C64(_) => "complex64",
            HostSlice::C128(_) => "complex128",
            HostSlice::Float0(_) => "void",
        }
    }
}

/// NumPy's default `linewidth`.
const LINE_WIDTH: usize = 75;
/// NumPy's default `threshold`: larger arrays are summarized.
const THRESHOLD: usize = 1000;
/// NumPy's default `edgeitems`.
const EDGE_ITEMS: usize = 3;

/// NumPy's `str(x)` with default print options, for a C-contiguous row-major
/// array of `shape`.
///
/// A 0-d array prints like its scalar (`1.0` for float32 one, `True`), an
/// array with a zero-length axis prints as `[]`.
///
/// # Panics
///
/// Panics if `values.len()` differs from the product of `shape`.
pub fn format_str(values: HostSlice<'_>, shape: &[usize]) -> String {
    check_len(&values, shape);
    if shape.is_empty() {
        return scalar_to_string(&values);
    }
    if values.is_empty() {
        return "[]".to_string();
    }
    array2string(&values, shape, " ", "", LINE_WIDTH)
}

/// JAX's `repr(x)`, e.g. `Array([1., 2.], dtype=float32)`; `weak_type` adds
/// `, weak_type=True` as JAX does.
///
/// Zero-size arrays print as `Array([], shape=(0, 3), dtype=float32)`. Like
/// JAX, when the dtype does not fit on the last line it is separated by six
/// spaces instead of one (JAX does not insert a line break).
///
/// # Panics
///
/// Panics if `values.len()` differs from the product of `shape`.
pub fn format_repr(values: HostSlice<'_>, shape: &[usize], weak_type: bool) -> String {
    check_len(&values, shape);
    if let HostSlice::Float0(_) = values {
        return float0_repr(values, shape);
    }
    const PREFIX: &str = "Array(";
    let dtype_str = if weak_type {
        format!("dtype={}, weak_type=True", values.dtype_name())
    } else {
        format!("dtype={}", values.dtype_name())
    };
    let body = if values.is_empty() {
        format!("[], shape={}", python_tuple(shape))
    } else {
        // array2string(..., prefix='Array(', suffix=',', separator=', ')
        // reserves the suffix's width.
        array2string(&values, shape, ", ", PREFIX, LINE_WIDTH - 1)
    };
    // Reproduces JAX's `len(s) - s.rfind('\n') + 1` (rfind gives -1 if absent).
    let last_line_len = match body.rfind('\n') {
        Some(i) => body.len() - i + 1,
        None => body.len() + 2,
    };
    let sep = if last_line_len + dtype_str.len() + 2 > LINE_WIDTH {
        " ".repeat(PREFIX.len())
    } else {
        " ".to_string()
    };
    format!("{PREFIX}{body},{sep}{dtype_str})")
}

/// How NumPy prints one element of JAX's `float0` (a void record).
const FLOAT0_ELEMENT: &str = "(b'',)";

/// JAX's `repr` of a `float0` array: NumPy's `array_repr` of a
/// `TypedNdArray`, e.g. `TypedNdArray([(b'',), (b'',)], dtype=void)`, with
/// NumPy's rule of moving the dtype to its own line when it does not fit.
fn float0_repr(values: HostSlice<'_>, shape: &[usize]) -> String {
    const PREFIX: &str = "TypedNdArray(";
    const DTYPE: &str = "dtype=void";
    if values.is_empty() {
        return format!("{PREFIX}[], shape={}, {DTYPE})", python_tuple(shape));
    }
    let body = format!(
        "{PREFIX}{},",
        array2string(&values, shape, ", ", PREFIX, LINE_WIDTH - 1)
    );
    let last_line_len = body.len() - body.rfind('\n').map_or(0, |i| i + 1);
    let spacer = if last_line_len + DTYPE.len() + 1 > LINE_WIDTH {
        format!("\n{}", " ".repeat(PREFIX.len()))
    } else {
        " ".to_string()
    };
    format!("{body}{spacer}{DTYPE})")
}

fn check_len(values: &HostSlice<'_>, shape: &[usize]) {
    let size: usize = shape.iter().product();
    assert_eq!(
        values.len(),
        size,
        "printing: {} values do not fill shape {:?}",
        values.len(),
        shape
    );
}

/// Python's `str(tuple)` of a shape: `()`, `(3,)`, `(0, 3)`.
fn python_tuple(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// `str()` of the single element of a 0-d array (NumPy scalar `str`).
fn scalar_to_string(values: &HostSlice<'_>) -> String {
    match *values {
        HostSlice::Bool(d) => if d[0] { "True" } else { "False" }.to_string(),
        HostSlice::I8(d) => d[0].to_string(),
        HostSlice::I16(d) => d[0].to_string(),
        HostSlice::I32(d) => d[0].to_string(),
        HostSlice::I64(d) => d[0].to_string(),
        HostSlice::U8(d) => d[0].to_string(),
        HostSlice::U16(d) => d[0].to_string(),
        HostSlice::U32(d) => d[0].to_string(),
        HostSlice::U64(d) => d[0].to_string(),
        HostSlice::F16(d) => scalar_str(FloatVal::f16(d[0])),
        HostSlice::BF16(d) => bf16_repr(d[0].to_f64()),
        HostSlice::F32(d) => scalar_str(FloatVal::f32(d[0])),
        HostSlice::F64(d) => scalar_str(FloatVal::f64(d[0])),
        HostSlice::C64(d) => complex_scalar_str(FloatVal::f32(d[0].re), FloatVal::f32(d[0].im)),
        HostSlice::C128(d) => complex_scalar_str(FloatVal::f64(d[0].re), FloatVal::f64(d[0].im)),
        HostSlice::Float0(_) => FLOAT0_ELEMENT.to_string(),
    }
}

/// NumPy's `str()` of a complex scalar: `(1+2j)`, or `2j` when the real
/// part is +0.
fn complex_scalar_str(re: FloatVal, im: FloatVal) -> String {
    let r = re.to_f64();
    if r == 0.0 && r.is_sign_positive() {
        return format!("{}j", complex_part_str(im, false));
    }
    format!(
        "({}{}j)",
        complex_part_str(re, false),
        complex_part_str(im, true)
    )
}

/// Formats one element (by flat index) with the layout shared by the array.
type ElementFormatter<'a> = Box<dyn Fn(usize) -> String + 'a>;

/// Builds the per-element formatter, its layout fixed from the elements at
/// flat indices `sample` (all of them, or the corners of a summarized array).
fn element_formatter<'a>(
    values: &HostSlice<'a>,
    sample: &[usize],
    zero_d: bool,
) -> ElementFormatter<'a> {
    match *values {
        HostSlice::Bool(d) => {
            // " True" pads to the width of "False", except in 0-d arrays.
            let true_str = if zero_d { "True" } else { " True" };
            Box::new(move |i| if d[i] { true_str } else { "False" }.to_string())
        }
        HostSlice::I8(d) => int_formatter(d, sample),
        HostSlice::I16(d) => int_formatter(d, sample),
        HostSlice::I32(d) => int_formatter(d, sample),
        HostSlice::I64(d) => int_formatter(d, sample),
        HostSlice::U8(d) => int_formatter(d, sample),
        HostSlice::U16(d) => int_formatter(d, sample),
        HostSlice::U32(d) => int_formatter(d, sample),
        HostSlice::U64(d) => int_formatter(d, sample),
        HostSlice::F16(d) => float_formatter(d, sample, FloatVal::f16),
        HostSlice::F32(d) => float_formatter(d, sample, FloatVal::f32),
        HostSlice::F64(d) => float_formatter(d, sample, FloatVal::f64),
        HostSlice::BF16(d) => Box::new(move |i| bf16_repr(d[i].to_f64())),
        HostSlice::C64(d) => complex_formatter(sample, move |i| {
            (FloatVal::f32(d[i].re), FloatVal::f32(d[i].im))
        }),
        HostSlice::C128(d) => complex_formatter(sample, move |i| {
            (FloatVal::f64(d[i].re), FloatVal::f64(d[i].im))
        }),
        HostSlice::Float0(_) => Box::new(|_| FLOAT0_ELEMENT.to_string()),
    }
}

/// NumPy's `ComplexFloatingFormat`: the real parts laid out as one float
/// array, the imaginary parts as another with `sign='+'`, and the `j`
/// placed before the imaginary part's right padding.
fn complex_formatter<'a>(
    sample: &[usize],
    parts: impl Fn(usize) -> (FloatVal, FloatVal) + 'a,
) -> ElementFormatter<'a> {
    let (re, im): (Vec<FloatVal>, Vec<FloatVal>) = sample.iter().map(|&i| parts(i)).unzip();
    let re_format = FloatingFormat::new(&re);
    let im_format = FloatingFormat::with_sign(&im, true);
    Box::new(move |i| {
        let (r, m) = parts(i);
        let imag = im_format.format(m);
        let end = imag.trim_end().len();
        format!("{}{}j{}", re_format.format(r), &imag[..end], &imag[end..])
    })
}

/// NumPy's `IntegerFormat`: right-aligned to the widest of min and max.
fn int_formatter<'a, T>(data: &'a [T], sample: &[usize]) -> ElementFormatter<'a>
where
    T: Copy + Into<i128> + 'a,
{
    let mut min = i128::MAX;
    let mut max = i128::MIN;
    for &i in sample {
        let v: i128 = data[i].into();
        min = min.min(v);
        max = max.max(v);
    }
    let width = max.to_string().len().max(min.to_string().len());
    Box::new(move |i| format!("{:>width$}", data[i].into()))
}

fn float_formatter<'a, T>(
    data: &'a [T],
    sample: &[usize],
    to_val: fn(T) -> FloatVal,
) -> ElementFormatter<'a>
where
    T: Copy + 'a,
{
    let vals: Vec<FloatVal> = sample.iter().map(|&i| to_val(data[i])).collect();
    let format = FloatingFormat::new(&vals);
    Box::new(move |i| format.format(to_val(data[i])))
}

/// The indices kept along one axis of length `len`.
fn axis_indices(len: usize, summarize: bool) -> Vec<usize> {
    if summarize && len > 2 * EDGE_ITEMS {
        (0..EDGE_ITEMS).chain(len - EDGE_ITEMS..len).collect()
    } else {
        (0..len).collect()
    }
}

/// Flat indices of the elements NumPy looks at to choose the element layout:
/// all of them, or the corners kept by summarization (`_leading_trailing`).
fn sample_indices(shape: &[usize], strides: &[usize], summarize: bool) -> Vec<usize> {
    let mut flat = vec![0usize];
    for (axis, &len) in shape.iter().enumerate() {
        let keep = axis_indices(len, summarize);
        flat = flat
            .iter()
            .flat_map(|&base| keep.iter().map(move |&k| base + k * strides[axis]))
            .collect();
    }
    flat
}

fn row_major_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1usize; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1];
    }
    strides
}

/// NumPy's `array2string` for a non-empty array with the given separator,
/// prefix (only its width matters) and line width.
fn array2string(
    values: &HostSlice<'_>,
    shape: &[usize],
    separator: &str,
    prefix: &str,
    line_width: usize,
) -> String {
    let summarize = values.len() > THRESHOLD;
    let strides = row_major_strides(shape);
    let sample = sample_indices(shape, &strides, summarize);
    let format = element_formatter(values, &sample, shape.is_empty());
    let layout = Layout {
        shape,
        strides: &strides,
        format: &format,
        separator,
        summarize,
    };
    let hanging_indent = " ".repeat(1 + prefix.len());
    layout.recurse(0, 0, &hanging_indent, line_width as isize)
}

/// NumPy's `_formatArray`: nested brackets, wrapping and summarization.
struct Layout<'l, 'a> {
    shape: &'l [usize],
    strides: &'l [usize],
    format: &'l ElementFormatter<'a>,
    separator: &'l str,
    summarize: bool,
}

impl Layout<'_, '_> {
    fn recurse(&self, axis: usize, offset: usize, hanging_indent: &str, width: isize) -> String {
        let ndim = self.shape.len();
        if axis == ndim {
            return (self.format)(offset);
        }
        let axes_left = ndim - axis;
        // Nested levels are indented by one more and lose one column to "]".
        let next_indent = format!("{hanging_indent} ");
        let next_width = width - 1;
        let len = self.shape[axis];
        let stride = self.strides[axis];
        let show_summary = self.summarize && len > 2 * EDGE_ITEMS;
        let (leading, trailing) = if show_summary {
            (EDGE_ITEMS, EDGE_ITEMS)
        } else {
            (0, len)
        };
        // Element order: `leading` from the front, then `trailing` from the back.
        let positions: Vec<usize> = (0..leading).chain(len - trailing..len).collect();
        let child =
            |k: usize| self.recurse(axis + 1, offset + k * stride, &next_indent, next_width);

        let mut s = String::new();
        if axes_left == 1 {
            // Room left for a word before the separator / closing bracket.
            let sep_trimmed = self.separator.trim_end();
            let elem_width = width - sep_trimmed.len().max(1) as isize;
            let mut line = hanging_indent.to_string();
            for (n, &k) in positions.iter().enumerate() {
                if show_summary && n == leading {
                    extend_line(&mut s, &mut line, "...", elem_width, hanging_indent);
                    line.push_str(self.separator);
                }
                extend_line(&mut s, &mut line, &child(k), elem_width, hanging_indent);
                if n + 1 < positions.len() {
                    line.push_str(self.separator);
                }
            }
            s.push_str(&line);
        } else {
            let line_sep = format!(
                "{}{}",
                self.separator.trim_end(),
                "\n".repeat(axes_left - 1)
            );
            for (n, &k) in positions.iter().enumerate() {
                if show_summary && n == leading {
                    s.push_str(hanging_indent);
                    s.push_str("...");
                    s.push_str(&line_sep);
                }
                s.push_str(hanging_indent);
                s.push_str(&child(k));
                if n + 1 < positions.len() {
                    s.push_str(&line_sep);
                }
            }
        }
        // Drop the hanging indent of the first line and wrap in brackets.
        format!("[{}]", &s[hanging_indent.len()..])
    }
}

/// NumPy's `_extendLine`: appends `word`, first breaking the line if it
/// would pass `width` (unless the line holds nothing but the indent).
fn extend_line(s: &mut String, line: &mut String, word: &str, width: isize, next_prefix: &str) {
    let needs_wrap = (line.len() + word.len()) as isize > width && line.len() > next_prefix.len();
    if needs_wrap {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = next_prefix.to_string();
    }
    line.push_str(word);
}

#[cfg(test)]
mod tests {
    use super::*;
    use half::{bf16, f16};

    #[test]
    fn basic_float_arrays() {
        assert_eq!(format_str(HostSlice::F32(&[1.0, 2.5]), &[2]), "[1.  2.5]");
        assert_eq!(
            format_repr(HostSlice::F32(&[1.0, 2.0]), &[2], false),
            "Array([1., 2.], dtype=float32)"
        );
        assert_eq!(format_str(HostSlice::F32(&[1.0]), &[]), "1.0");
        assert_eq!(
            format_repr(HostSlice::F32(&[1.0]), &[], false),
            "Array(1., dtype=float32)"
        );
        assert_eq!(
            format_repr(HostSlice::F64(&[3.0]), &[], true),
            "Array(3., dtype=float64, weak_type=True)"
        );
        assert_eq!(
            format_str(
                HostSlice::F64(&[f64::NAN, 1.5, f64::NEG_INFINITY, 1e10]),
                &[4]
            ),
            "[    nan 1.5e+00    -inf 1.0e+10]"
        );
        assert_eq!(
            format_str(HostSlice::F64(&[-0.0, 1e-5]), &[2]),
            "[-0.e+00  1.e-05]"
        );
    }

    #[test]
    fn dtype_aware_thresholds() {
        // float32 compares against float32(1e-4), so this stays positional.
        assert_eq!(
            format_str(HostSlice::F32(&[1e-4, 0.01]), &[2]),
            "[0.0001 0.01  ]"
        );
        // float16 goes scientific at 1e3, float32 at 1e6.
        let h: Vec<f16> = [1000.0, 1.0].iter().map(|&x| f16::from_f64(x)).collect();
        assert_eq!(format_str(HostSlice::F16(&h), &[2]), "[1.e+03 1.e+00]");
        assert_eq!(
            format_str(HostSlice::F32(&[999999.0, 1.0]), &[2]),
            "[9.99999e+05 1.00000e+00]"
        );
        let tenth = [f16::from_f64(0.1), f16::from_f64(0.2)];
        assert_eq!(format_str(HostSlice::F16(&tenth), &[2]), "[0.1 0.2]");
    }

    #[test]
    fn ints_bools_bf16() {
        assert_eq!(
            format_str(HostSlice::I32(&[1, -20, 300]), &[3]),
            "[  1 -20 300]"
        );
        assert_eq!(
            format_str(HostSlice::Bool(&[true, false]), &[2]),
            "[ True False]"
        );
        assert_eq!(format_str(HostSlice::Bool(&[true]), &[]), "True");
        assert_eq!(
            format_repr(HostSlice::U64(&[u64::MAX]), &[1], false),
            "Array([18446744073709551615], dtype=uint64)"
        );
        let b: Vec<bf16> = [0.1, 1.0, 1000.0]
            .iter()
            .map(|&x| bf16::from_f64(x))
            .collect();
        assert_eq!(format_str(HostSlice::BF16(&b), &[3]), "[0.100098 1 1000]");
    }

    #[test]
    fn empty_and_nested() {
        assert_eq!(format_str(HostSlice::F32(&[]), &[0, 3]), "[]");
        assert_eq!(
            format_repr(HostSlice::F32(&[]), &[0, 3], false),
            "Array([], shape=(0, 3), dtype=float32)"
        );
        assert_eq!(
            format_repr(HostSlice::I32(&[]), &[0], false),
            "Array([], shape=(0,), dtype=int32)"
        );
        let v: Vec<i32> = (0..8).collect();
        assert_eq!(
            format_str(HostSlice::I32(&v), &[2, 2, 2]),
            "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"
        );
    }

    #[test]
    fn wrapping_and_summary() {
        let v: Vec<f32> = (0..26).map(|x| x as f32).collect();
        assert_eq!(
            format_repr(HostSlice::F32(&v), &[26], false),
            "Array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n       \
             13., 14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25.],      dtype=float32)"
        );
        let v: Vec<i64> = (0..2000).collect();
        assert_eq!(
            format_str(HostSlice::I64(&v), &[2000]),
            "[   0    1    2 ... 1997 1998 1999]"
        );
    }

    #[test]
    #[should_panic(expected = "do not fill shape")]
    fn length_mismatch_panics() {
        format_str(HostSlice::F32(&[1.0]), &[2]);
    }
}
