//! Float-to-text conversion that reproduces NumPy's output exactly.
//!
//! NumPy prints `float16`/`float32`/`float64` with its Dragon4 implementation
//! (Steele & White / Burger & Dybvig with IEEE unbiased rounding). The digit
//! generator here works on exact big integers the same way, so shortest
//! round-trip digits are computed *in the element's own dtype*, and cut-off
//! digits are rounded from the exact binary value (ties to even digit).
//!
//! `bfloat16` is not a NumPy float type: NumPy prints it through the
//! ml_dtypes scalar `repr`, which is C++ `ostream << float`, i.e. `%g` with
//! six significant digits. [`bf16_repr`] reproduces that.

use super::bigint::BigUint;
use std::cmp::Ordering;

/// The float dtypes that NumPy prints through Dragon4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FloatTy {
    F16,
    F32,
    F64,
}

impl FloatTy {
    /// (mantissa bits, exponent bits, exponent bias).
    fn layout(self) -> (u32, u32, i32) {
        match self {
            FloatTy::F16 => (10, 5, 15),
            FloatTy::F32 => (23, 8, 127),
            FloatTy::F64 => (52, 11, 1023),
        }
    }

    /// Rounds an f64 to this dtype and back (round to nearest even).
    fn round(self, x: f64) -> f64 {
        match self {
            FloatTy::F16 => half::f16::from_f64(x).to_f64(),
            FloatTy::F32 => f64::from(x as f32),
            FloatTy::F64 => x,
        }
    }

    /// `a / b` computed in this dtype, as NumPy's ufunc would.
    fn div(self, a: f64, b: f64) -> f64 {
        match self {
            // float32 has more than 2 * 11 + 2 bits, so dividing in float32
            // and rounding once more to float16 equals the exact float16 quotient.
            FloatTy::F16 => half::f16::from_f32(a as f32 / b as f32).to_f64(),
            FloatTy::F32 => f64::from(a as f32 / b as f32),
            FloatTy::F64 => a / b,
        }
    }

    /// `10 ** min(8, finfo(dtype).precision)`: at or above it arrays go scientific.
    fn array_exp_cutoff(self) -> f64 {
        match self {
            FloatTy::F16 => 1e3,
            FloatTy::F32 => 1e6,
            FloatTy::F64 => 1e8,
        }
    }

    /// Scalar `str` switches to scientific notation at or above this.
    fn scalar_max_positional(self) -> f64 {
        match self {
            FloatTy::F16 => 1e3,
            FloatTy::F32 => 1e6,
            FloatTy::F64 => 1e16,
        }
    }
}

/// One float element: its dtype and raw bit pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FloatVal {
    ty: FloatTy,
    bits: u64,
}

impl FloatVal {
    /// A float16 element.
    pub(super) fn f16(x: half::f16) -> Self {
        FloatVal {
            ty: FloatTy::F16,
            bits: u64::from(x.to_bits()),
        }
    }

    /// A float32 element.
    pub(super) fn f32(x: f32) -> Self {
        FloatVal {
            ty: FloatTy::F32,
            bits: u64::from(x.to_bits()),
        }
    }

    /// A float64 element.
    pub(super) fn f64(x: f64) -> Self {
        FloatVal {
            ty: FloatTy::F64,
            bits: x.to_bits(),
        }
    }

    /// The exact value as f64 (every float16/float32 value is an f64 value).
    pub(super) fn to_f64(self) -> f64 {
        match self.ty {
            FloatTy::F16 => half::f16::from_bits(self.bits as u16).to_f64(),
            FloatTy::F32 => f64::from(f32::from_bits(self.bits as u32)),
            FloatTy::F64 => f64::from_bits(self.bits),
        }
    }

    fn decode(self) -> Decoded {
        let (mant_bits, exp_bits, bias) = self.ty.layout();
        let frac = self.bits & ((1u64 << mant_bits) - 1);
        let biased = ((self.bits >> mant_bits) & ((1u64 << exp_bits) - 1)) as i32;
        let neg = (self.bits >> (mant_bits + exp_bits)) & 1 == 1;
        let class = if biased == (1 << exp_bits) - 1 {
            if frac == 0 {
                Class::Inf
            } else {
                Class::Nan
            }
        } else if biased != 0 {
            Class::Finite {
                mantissa: frac | (1u64 << mant_bits),
                exponent: biased - bias - mant_bits as i32,
                mantissa_bit: mant_bits,
                unequal_margins: biased != 1 && frac == 0,
            }
        } else {
            Class::Finite {
                mantissa: frac,
                exponent: 1 - bias - mant_bits as i32,
                mantissa_bit: frac.checked_ilog2().unwrap_or(0),
                unequal_margins: false,
            }
        };
        Decoded { neg, class }
    }
}

struct Decoded {
    neg: bool,
    class: Class,
}

enum Class {
    Nan,
    Inf,
    /// value = mantissa * 2^exponent
    Finite {
        mantissa: u64,
        exponent: i32,
        mantissa_bit: u32,
        unequal_margins: bool,
    },
}

/// Trailing-zero handling, NumPy's `trim` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Trim {
    /// `'k'`: keep trailing zeros and the decimal point.
    Keep,
    /// `'0'`: trim trailing zeros but leave one zero after the point.
    LeaveOneZero,
    /// `'.'`: trim all trailing zeros, keep the point.
    Zeros,
    /// `'-'`: trim trailing zeros and the point.
    DptZeros,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cutoff {
    /// Limits count significant digits.
    Total,
    /// Limits count digits after the decimal point.
    Fraction,
}

/// Dragon4 in "unique" mode: the shortest digits that round-trip in the
/// value's dtype, but stopping at `cutoff_max` digits (rounded from the exact
/// value) and continuing to at least `cutoff_min` digits. Negative limits mean
/// "none". Returns the ASCII digits and the decimal exponent of the first one.
fn dragon4(
    mantissa: u64,
    exponent: i32,
    mantissa_bit: u32,
    unequal_margins: bool,
    mode: Cutoff,
    cutoff_max: i32,
    cutoff_min: i32,
) -> (Vec<u8>, i32) {
    if mantissa == 0 {
        return (vec![b'0'], 0);
    }
    // value = r / s; the round-trip interval is (value - m_low/s, value + m_high/s).
    let mut r = BigUint::from_u64(mantissa);
    let (mut s, mut m_low) = if unequal_margins {
        if exponent > 0 {
            r.shl(exponent as u32 + 2);
            (BigUint::from_u64(4), BigUint::pow2(exponent as u32))
        } else {
            r.shl(2);
            (BigUint::pow2((2 - exponent) as u32), BigUint::from_u64(1))
        }
    } else if exponent > 0 {
        r.shl(exponent as u32 + 1);
        (BigUint::from_u64(2), BigUint::pow2(exponent as u32))
    } else {
        r.shl(1);
        (BigUint::pow2((1 - exponent) as u32), BigUint::from_u64(1))
    };
    let margin_factor = if unequal_margins { 2 } else { 1 };
    let mut m_high = m_low.clone();
    m_high.mul_small(margin_factor);
    let is_even = mantissa & 1 == 0;

    // Estimate floor(log10(value)) + 1; correct or one too small.
    let log10_2 = std::f64::consts::LOG10_2;
    let mut k = ((f64::from(mantissa_bit as i32 + exponent)) * log10_2 - 0.69).ceil() as i32;
    if cutoff_max >= 0 && mode == Cutoff::Fraction && k <= -cutoff_max {
        // Nothing is printed below the cutoff digit.
        k = -cutoff_max + 1;
    }
    if k > 0 {
        s.mul_pow10(k as u32);
    } else if k < 0 {
        r.mul_pow10((-k) as u32);
        m_low.mul_pow10((-k) as u32);
        m_high.mul_pow10((-k) as u32);
    }
    if r.cmp_big(&s) != Ordering::Less {
        k += 1;
    } else {
        r.mul_small(10);
        m_low.mul_small(10);
        m_high.mul_small(10);
    }

    let mut cut_max_exp = k - 100_000;
    if cutoff_max >= 0 {
        let desired = match mode {
            Cutoff::Total => k - cutoff_max,
            Cutoff::Fraction => -cutoff_max,
        };
        cut_max_exp = cut_max_exp.max(desired);
    }
    let mut cut_min_exp = k;
    if cutoff_min >= 0 {
        let desired = match mode {
            Cutoff::Total => k - cutoff_min,
            Cutoff::Fraction => -cutoff_min,
        };
        cut_min_exp = cut_min_exp.min(desired);
    }

    let mut digits = Vec::new();
    let mut out_exp = k - 1;
    let mut digit_exp = k;
    let (digit, low, high) = loop {
        digit_exp -= 1;
        let digit = r.div_rem_digit(&s);
        let r_high = r.add(&m_high);
        let cmp_low = r.cmp_big(&m_low);
        let low = if is_even {
            cmp_low != Ordering::Greater
        } else {
            cmp_low == Ordering::Less
        };
        let cmp_high = r_high.cmp_big(&s);
        let high = if is_even {
            cmp_high != Ordering::Less
        } else {
            cmp_high == Ordering::Greater
        };
        if ((low || high) && digit_exp <= cut_min_exp) || digit_exp == cut_max_exp {
            break (digit, low, high);
        }
        digits.push(b'0' + digit as u8);
        r.mul_small(10);
        m_low.mul_small(10);
        m_high.mul_small(10);
    };

    // Round the last digit: towards the side that stays inside the interval,
    // else to nearest with ties to an even digit.
    let mut round_down = low;
    if low == high {
        let mut twice = r.clone();
        twice.mul_small(2);
        round_down = match twice.cmp_big(&s) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => digit & 1 == 0,
        };
    }
    if round_down {
        digits.push(b'0' + digit as u8);
    } else if digit < 9 {
        digits.push(b'0' + digit as u8 + 1);
    } else {
        // Propagate the carry through trailing nines.
        loop {
            match digits.pop() {
                None => {
                    digits.push(b'1');
                    out_exp += 1;
                    break;
                }
                Some(b'9') => {}
                Some(d) => {
                    digits.push(d + 1);
                    break;
                }
            }
        }
    }
    (digits, out_exp)
}

fn inf_nan(neg: bool, is_nan: bool) -> String {
    match (is_nan, neg) {
        (true, _) => "nan".to_string(),
        (false, true) => "-inf".to_string(),
        (false, false) => "inf".to_string(),
    }
}

/// Strips trailing `'0'`s from a digit string.
fn strip_zeros(frac: &mut String) {
    while frac.ends_with('0') {
        frac.pop();
    }
}

/// NumPy's `format_float_positional(x, precision, unique=True, fractional=True,
/// trim, pad_left, pad_right, min_digits)`; negative numbers mean "unset".
pub(super) fn format_positional(
    v: FloatVal,
    precision: i32,
    min_digits: i32,
    trim: Trim,
    pad_left: i32,
    pad_right: i32,
) -> String {
    let d = v.decode();
    let (mantissa, exponent, mantissa_bit, unequal_margins) = match d.class {
        Class::Nan => return inf_nan(d.neg, true),
        Class::Inf => return inf_nan(d.neg, false),
        Class::Finite {
            mantissa,
            exponent,
            mantissa_bit,
            unequal_margins,
        } => (mantissa, exponent, mantissa_bit, unequal_margins),
    };
    let (digits, pexp) = dragon4(
        mantissa,
        exponent,
        mantissa_bit,
        unequal_margins,
        Cutoff::Fraction,
        precision,
        min_digits,
    );
    let digits = String::from_utf8(digits).expect("ASCII digits");
    let (int_part, mut frac) = if pexp >= 0 {
        let whole = (pexp + 1) as usize;
        if digits.len() <= whole {
            (
                digits.clone() + &"0".repeat(whole - digits.len()),
                String::new(),
            )
        } else {
            (digits[..whole].to_string(), digits[whole..].to_string())
        }
    } else {
        (
            "0".to_string(),
            "0".repeat((-(pexp + 1)) as usize) + &digits,
        )
    };
    let mut point = !frac.is_empty() || trim != Trim::DptZeros;
    let desired = min_digits.max(0) as usize;
    if trim == Trim::LeaveOneZero && frac.is_empty() {
        frac.push('0');
    } else if trim == Trim::Keep && desired > frac.len() {
        frac.push_str(&"0".repeat(desired - frac.len()));
    }
    if trim != Trim::Keep && !frac.is_empty() {
        strip_zeros(&mut frac);
        if frac.is_empty() {
            match trim {
                Trim::LeaveOneZero => frac.push('0'),
                Trim::DptZeros => point = false,
                _ => {}
            }
        }
    }

    let mut out = String::new();
    if d.neg {
        out.push('-');
    }
    out.push_str(&int_part);
    if point {
        out.push('.');
    }
    out.push_str(&frac);
    if pad_right >= frac.len() as i32 {
        if trim == Trim::DptZeros && frac.is_empty() {
            out.push(' ');
        }
        out.push_str(&" ".repeat(pad_right as usize - frac.len()));
    }
    let left_used = int_part.len() as i32 + i32::from(d.neg);
    if pad_left > left_used {
        out.insert_str(0, &" ".repeat((pad_left - left_used) as usize));
    }
    out
}

/// NumPy's `format_float_scientific(x, precision, unique=True, trim, pad_left,
/// exp_digits, min_digits)`; negative numbers mean "unset".
pub(super) fn format_scientific(
    v: FloatVal,
    precision: i32,
    min_digits: i32,
    trim: Trim,
    pad_left: i32,
    exp_digits: i32,
) -> String {
    let d = v.decode();
    let (mantissa, exponent, mantissa_bit, unequal_margins) = match d.class {
        Class::Nan => return inf_nan(d.neg, true),
        Class::Inf => return inf_nan(d.neg, false),
        Class::Finite {
            mantissa,
            exponent,
            mantissa_bit,
            unequal_margins,
        } => (mantissa, exponent, mantissa_bit, unequal_margins),
    };
    let (digits, pexp) = dragon4(
        mantissa,
        exponent,
        mantissa_bit,
        unequal_margins,
        Cutoff::Total,
        if precision < 0 { -1 } else { precision + 1 },
        if min_digits < 0 { -1 } else { min_digits + 1 },
    );
    let digits = String::from_utf8(digits).expect("ASCII digits");

    let mut out = String::new();
    let left_used = 1 + i32::from(d.neg);
    if pad_left > left_used {
        out.push_str(&" ".repeat((pad_left - left_used) as usize));
    }
    if d.neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    let mut frac = digits[1..].to_string();
    let point = !frac.is_empty() || trim != Trim::DptZeros;
    let add_digits = min_digits.max(0) as usize;
    if trim == Trim::LeaveOneZero && frac.is_empty() {
        frac.push('0');
    } else if trim == Trim::Keep && add_digits > frac.len() {
        frac.push_str(&"0".repeat(add_digits - frac.len()));
    }
    if trim != Trim::Keep && !frac.is_empty() {
        strip_zeros(&mut frac);
        if frac.is_empty() && trim == Trim::LeaveOneZero {
            frac.push('0');
        }
    }
    if point {
        out.push('.');
    }
    out.push_str(&frac);

    let exp_width = if exp_digits < 0 {
        2
    } else {
        exp_digits.min(5) as usize
    };
    out.push('e');
    out.push(if pexp >= 0 { '+' } else { '-' });
    out.push_str(&format!("{:0>exp_width$}", pexp.unsigned_abs()));
    out
}

/// NumPy's `str()` of a float16/float32/float64 scalar (also used for 0-d
/// arrays): shortest round-trip digits, positional between 1e-4 and a
/// per-dtype maximum, scientific otherwise.
pub(super) fn scalar_str(v: FloatVal) -> String {
    let x = v.to_f64();
    let a = x.abs();
    let positional = x.is_nan() || x == 0.0 || (a < v.ty.scalar_max_positional() && a >= 1e-4);
    if positional {
        format_positional(v, -1, -1, Trim::LeaveOneZero, -1, -1)
    } else {
        format_scientific(v, -1, -1, Trim::DptZeros, -1, -1)
    }
}

/// NumPy's `FloatingFormat` with default options (precision 8,
/// floatmode `'maxprec'`, `suppress=False`, `sign='-'`): the common layout of
/// all elements of one array, fixed from the (possibly summarized) data.
#[derive(Clone, Debug)]
pub(super) struct FloatingFormat {
    /// NumPy's `sign='+'` (used for imaginary parts): positive values get a `+`.
    plus: bool,
    exp_format: bool,
    precision: i32,
    min_digits: i32,
    trim: Trim,
    pad_left: i32,
    pad_right: i32,
    exp_size: i32,
}

impl FloatingFormat {
    /// Chooses notation, digit count and padding for `data` (all of one dtype).
    pub(super) fn new(data: &[FloatVal]) -> Self {
        Self::with_sign(data, false)
    }

    /// [`FloatingFormat::new`] with NumPy's `sign='+'` when `plus` (the
    /// imaginary parts of a complex array).
    pub(super) fn with_sign(data: &[FloatVal], plus: bool) -> Self {
        let finite: Vec<FloatVal> = data
            .iter()
            .copied()
            .filter(|v| v.to_f64().is_finite())
            .collect();
        let mut exp_format = false;
        let nonzero: Vec<f64> = finite
            .iter()
            .map(|v| v.to_f64().abs())
            .filter(|&a| a != 0.0)
            .collect();
        if let Some(ty) = finite.first().map(|v| v.ty) {
            if !nonzero.is_empty() {
                let max = nonzero.iter().copied().fold(f64::MIN, f64::max);
                let min = nonzero.iter().copied().fold(f64::MAX, f64::min);
                // NumPy compares in the array's dtype (Python floats are weak).
                exp_format = max >= ty.array_exp_cutoff()
                    || min < ty.round(1e-4)
                    || ty.div(max, min) > 1000.0;
            }
        }

        let mut f = FloatingFormat {
            plus,
            exp_format,
            precision: 8,
            min_digits: -1,
            trim: Trim::Zeros,
            pad_left: 0,
            pad_right: 0,
            exp_size: -1,
        };
        if finite.is_empty() {
            // All elements are nan/inf: only the padding below matters.
        } else if exp_format {
            let mut max_int = 0;
            let mut max_frac = 0;
            let mut max_exp = 0;
            for &v in &finite {
                let s = signed(format_scientific(v, 8, -1, Trim::Zeros, -1, -1), plus);
                let (mant, exp) = s.split_once('e').expect("scientific output has 'e'");
                let (int_part, frac) = mant.split_once('.').unwrap_or((mant, ""));
                max_int = max_int.max(int_part.len());
                max_frac = max_frac.max(frac.len());
                max_exp = max_exp.max(exp.len());
            }
            f.exp_size = max_exp as i32 - 1;
            f.trim = Trim::Keep;
            f.precision = max_frac as i32;
            f.min_digits = f.precision;
            f.pad_left = max_int as i32;
            f.pad_right = f.exp_size + 2 + f.precision;
        } else {
            let mut max_int = 0;
            let mut max_frac = 0;
            for &v in &finite {
                let s = signed(format_positional(v, 8, -1, Trim::Zeros, -1, -1), plus);
                let (int_part, frac) = s.split_once('.').unwrap_or((&s, ""));
                max_int = max_int.max(int_part.len());
                max_frac = max_frac.max(frac.len());
            }
            f.pad_left = max_int as i32;
            f.pad_right = max_frac as i32;
            f.min_digits = 0;
        }

        if finite.len() != data.len() {
            let neg_inf = plus
                || data.iter().any(|v| {
                    let x = v.to_f64();
                    x.is_infinite() && x < 0.0
                });
            let offset = f.pad_right + 1;
            f.pad_left = f
                .pad_left
                .max(3 - offset)
                .max(3 + i32::from(neg_inf) - offset);
        }
        f
    }

    /// Formats one element with the common layout.
    pub(super) fn format(&self, v: FloatVal) -> String {
        let x = v.to_f64();
        if !x.is_finite() {
            let s = match (x.is_nan(), x < 0.0, self.plus) {
                (true, _, false) => "nan",
                (true, _, true) => "+nan",
                (false, true, _) => "-inf",
                (false, false, false) => "inf",
                (false, false, true) => "+inf",
            };
            let width = (self.pad_left + self.pad_right + 1).max(0) as usize;
            return format!("{s:>width$}");
        }
        if self.plus {
            // Format unpadded, add the sign, then pad the integer part.
            let s = if self.exp_format {
                format_scientific(
                    v,
                    self.precision,
                    self.min_digits,
                    self.trim,
                    -1,
                    self.exp_size,
                )
            } else {
                format_positional(
                    v,
                    self.precision,
                    self.min_digits,
                    self.trim,
                    -1,
                    self.pad_right,
                )
            };
            let s = signed(s, true);
            let int_len = s.find(['.', 'e']).unwrap_or(s.len()) as i32;
            let pad = (self.pad_left - int_len).max(0) as usize;
            return format!("{}{s}", " ".repeat(pad));
        }
        if self.exp_format {
            format_scientific(
                v,
                self.precision,
                self.min_digits,
                self.trim,
                self.pad_left,
                self.exp_size,
            )
        } else {
            format_positional(
                v,
                self.precision,
                self.min_digits,
                self.trim,
                self.pad_left,
                self.pad_right,
            )
        }
    }
}

/// `s` with a leading `+` if `plus` and it has no `-` (Dragon4's `sign=True`).
fn signed(s: String, plus: bool) -> String {
    if plus && !s.starts_with('-') {
        format!("+{s}")
    } else {
        s
    }
}

/// NumPy's `str()` of one part of a complex scalar: shortest round-trip
/// digits with trailing zeros and the point trimmed (`1`, `0.5`, `1e+07`),
/// positional between `1e-4` and the dtype's maximum; `plus` adds `+`.
pub(super) fn complex_part_str(v: FloatVal, plus: bool) -> String {
    let x = v.to_f64();
    if !x.is_finite() {
        let s = if x.is_nan() {
            "nan"
        } else if x < 0.0 {
            "-inf"
        } else {
            "inf"
        };
        return signed(s.to_string(), plus);
    }
    let a = x.abs();
    let s = if a == 0.0 || (a < v.ty.scalar_max_positional() && a >= 1e-4) {
        format_positional(v, -1, -1, Trim::DptZeros, -1, -1)
    } else {
        format_scientific(v, -1, -1, Trim::DptZeros, -1, -1)
    };
    signed(s, plus)
}

/// `repr()` of an ml_dtypes `bfloat16` scalar, which NumPy uses for every
/// bfloat16 element: C++ `ostream << float`, i.e. `printf("%g")` with six
/// significant digits; NaN prints without a sign.
pub(super) fn bf16_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0");
    }
    const P: i32 = 6;
    // Correctly rounded (ties to even) P significant digits of the exact value.
    let e_form = format!("{:.*e}", (P - 1) as usize, x.abs());
    let (mant, exp) = e_form.split_once('e').expect("LowerExp has 'e'");
    let exp: i32 = exp.parse().expect("LowerExp exponent");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let body = if (-4..P).contains(&exp) {
        let (int_part, frac) = if exp >= 0 {
            let n = exp as usize + 1;
            (digits[..n].to_string(), digits[n..].to_string())
        } else {
            ("0".to_string(), "0".repeat((-exp - 1) as usize) + &digits)
        };
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            int_part
        } else {
            format!("{int_part}.{frac}")
        }
    } else {
        let frac = digits[1..].trim_end_matches('0');
        let mut m = digits[..1].to_string();
        if !frac.is_empty() {
            m.push('.');
            m.push_str(frac);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{esign}{:02}", exp.unsigned_abs())
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use half::f16;

    fn pos(x: f64) -> String {
        format_positional(FloatVal::f64(x), -1, -1, Trim::Keep, -1, -1)
    }

    #[test]
    fn shortest_digits_per_dtype() {
        assert_eq!(scalar_str(FloatVal::f16(f16::from_f64(0.1))), "0.1");
        assert_eq!(scalar_str(FloatVal::f32(0.1)), "0.1");
        assert_eq!(scalar_str(FloatVal::f64(0.1)), "0.1");
        assert_eq!(
            scalar_str(FloatVal::f64(f64::from(0.1f32))),
            "0.10000000149011612"
        );
        assert_eq!(
            scalar_str(FloatVal::f16(f16::from_f64(65504.0))),
            "6.55e+04"
        );
        assert_eq!(scalar_str(FloatVal::f32(1e-4)), "1e-04");
        assert_eq!(scalar_str(FloatVal::f16(f16::from_f64(1e-4))), "0.0001");
        assert_eq!(scalar_str(FloatVal::f64(1e16)), "1e+16");
        assert_eq!(scalar_str(FloatVal::f64(1e15)), "1000000000000000.0");
        assert_eq!(scalar_str(FloatVal::f64(-0.0)), "-0.0");
        assert_eq!(scalar_str(FloatVal::f64(f64::NAN)), "nan");
        assert_eq!(scalar_str(FloatVal::f32(f32::NEG_INFINITY)), "-inf");
        assert_eq!(pos(123.456), "123.456");
        assert_eq!(pos(5e-324), format!("0.{}5", "0".repeat(323)));
    }

    #[test]
    fn cutoff_rounds_exact_value_ties_to_even() {
        let p = |x: f64| format_positional(FloatVal::f64(x), 2, -1, Trim::Zeros, -1, -1);
        assert_eq!(p(0.125), "0.12");
        assert_eq!(p(0.375), "0.38");
        assert_eq!(p(0.995), "0.99"); // 0.995 is below the tie in binary
        let s = |x: f64| format_scientific(FloatVal::f64(x), 1, -1, Trim::Zeros, -1, -1);
        assert_eq!(s(0.125), "1.2e-01");
        assert_eq!(s(9.96), "1.e+01");
    }

    #[test]
    fn bf16_is_percent_g() {
        let b = |x: f64| bf16_repr(half::bf16::from_f64(x).to_f64());
        assert_eq!(b(0.1), "0.100098");
        assert_eq!(b(3.140625), "3.14062"); // exact tie, to even
        assert_eq!(b(1e10), "9.99922e+09");
        assert_eq!(b(1e-5), "1.00136e-05");
        assert_eq!(b(1e-4), "0.000100136");
        assert_eq!(b(123456.0), "123392");
        assert_eq!(b(-0.0), "-0");
        assert_eq!(b(1.0), "1");
        assert_eq!(b(-f64::NAN), "nan");
    }
}
