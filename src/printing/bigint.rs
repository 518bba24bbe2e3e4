//! A minimal arbitrary-precision unsigned integer, just enough for Dragon4.
//!
//! Values are little-endian `u32` limbs with no high zero limbs, so the zero
//! value has no limbs at all. Only the operations Dragon4 needs exist.

use std::cmp::Ordering;

/// Unsigned big integer (little-endian base-2^32 limbs, normalized).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct BigUint {
    limbs: Vec<u32>,
}

impl BigUint {
    /// The value `v`.
    pub(super) fn from_u64(v: u64) -> Self {
        let mut out = BigUint {
            limbs: vec![v as u32, (v >> 32) as u32],
        };
        out.normalize();
        out
    }

    /// `2^exp`.
    pub(super) fn pow2(exp: u32) -> Self {
        let mut out = BigUint::from_u64(1);
        out.shl(exp);
        out
    }

    fn normalize(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// Whether the value is zero.
    pub(super) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// `self <<= bits`.
    pub(super) fn shl(&mut self, bits: u32) {
        if self.is_zero() {
            return;
        }
        let limb_shift = (bits / 32) as usize;
        let bit_shift = bits % 32;
        if bit_shift != 0 {
            let mut carry = 0u32;
            for limb in &mut self.limbs {
                let next = *limb >> (32 - bit_shift);
                *limb = (*limb << bit_shift) | carry;
                carry = next;
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if limb_shift != 0 {
            self.limbs.splice(0..0, std::iter::repeat_n(0, limb_shift));
        }
    }

    /// `self *= m`.
    pub(super) fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.limbs {
            let prod = u64::from(*limb) * u64::from(m) + carry;
            *limb = prod as u32;
            carry = prod >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.normalize();
    }

    /// `self *= 10^n`.
    pub(super) fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        if n > 0 {
            self.mul_small(10u32.pow(n));
        }
    }

    /// `self + other`.
    pub(super) fn add(&self, other: &BigUint) -> BigUint {
        let (long, short) = if self.limbs.len() >= other.limbs.len() {
            (&self.limbs, &other.limbs)
        } else {
            (&other.limbs, &self.limbs)
        };
        let mut limbs = Vec::with_capacity(long.len() + 1);
        let mut carry = 0u64;
        for (i, &a) in long.iter().enumerate() {
            let b = short.get(i).copied().unwrap_or(0);
            let sum = u64::from(a) + u64::from(b) + carry;
            limbs.push(sum as u32);
            carry = sum >> 32;
        }
        if carry != 0 {
            limbs.push(carry as u32);
        }
        BigUint { limbs }
    }

    /// `self -= other`; requires `self >= other`.
    fn sub_assign(&mut self, other: &BigUint) {
        debug_assert!(self.cmp_big(other) != Ordering::Less);
        let mut borrow = 0i64;
        for i in 0..self.limbs.len() {
            let b = i64::from(other.limbs.get(i).copied().unwrap_or(0));
            let mut diff = i64::from(self.limbs[i]) - b - borrow;
            if diff < 0 {
                diff += 1 << 32;
                borrow = 1;
            } else {
                borrow = 0;
            }
            self.limbs[i] = diff as u32;
        }
        self.normalize();
    }

    /// Three-way comparison of the values.
    pub(super) fn cmp_big(&self, other: &BigUint) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    /// Replaces `self` by `self % divisor` and returns `self / divisor`,
    /// which the caller guarantees to be at most 9.
    pub(super) fn div_rem_digit(&mut self, divisor: &BigUint) -> u32 {
        let mut q = 0;
        while self.cmp_big(divisor) != Ordering::Less {
            self.sub_assign(divisor);
            q += 1;
        }
        debug_assert!(q <= 9);
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_u128(b: &BigUint) -> u128 {
        b.limbs
            .iter()
            .rev()
            .fold(0u128, |acc, &l| (acc << 32) | u128::from(l))
    }

    #[test]
    fn arithmetic_matches_u128() {
        let mut a = BigUint::from_u64(0xdead_beef_1234_5678);
        a.shl(37);
        assert_eq!(to_u128(&a), 0xdead_beef_1234_5678u128 << 37);
        a.mul_small(10);
        assert_eq!(to_u128(&a), (0xdead_beef_1234_5678u128 << 37) * 10);
        let mut b = BigUint::from_u64(7);
        b.mul_pow10(20);
        assert_eq!(to_u128(&b), 7 * 10u128.pow(20));
        let c = a.add(&b);
        assert_eq!(to_u128(&c), to_u128(&a) + to_u128(&b));
        let mut r = BigUint::from_u64(95);
        assert_eq!(r.div_rem_digit(&BigUint::from_u64(10)), 9);
        assert_eq!(to_u128(&r), 5);
        assert!(BigUint::from_u64(0).is_zero());
        assert_eq!(to_u128(&BigUint::pow2(100)), 1u128 << 100);
    }
}
