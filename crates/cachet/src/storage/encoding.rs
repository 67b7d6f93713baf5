//! Order-preserving ("memcomparable") key encoding.
//!
//! Index keys are byte strings whose bytewise order equals the sort order of the values
//! they encode (`Value`'s `Ord`, which is PostgreSQL's default btree order with NULLs
//! last and the "C" collation for text). Ordered maps can then compare keys with a
//! plain `memcmp`, and a composite key's prefix is a byte prefix, which is what
//! composite-prefix range scans need.
//!
//! Each value starts with a marker byte: `0x01` for a value, `0x02` for NULL, so that
//! NULL sorts after every value. Then:
//! - integers of every width: the i64 in big-endian with the sign bit flipped, so that
//!   `int2`, `int4` and `int8` keys compare with each other;
//! - floats: the f64 bits, flipped so that the order is numeric (NaN canonical, last);
//! - numeric: a sign byte, then for non-zero values a biased exponent and the decimal
//!   digits ending in a terminator, all inverted for negatives;
//! - text and bytea: the bytes with `0x00` escaped as `0x00 0xFF`, ending `0x00 0x00`;
//! - dates, times and timestamps: the integer, sign-flipped; intervals: their total
//!   microseconds as an i128; uuids: the 16 bytes; booleans: one byte.
//!
//! json, jsonb and arrays cannot be keys.

use crate::error::{Error, Result, SqlState};
use crate::types::Value;
use rust_decimal::Decimal;
use smallvec::SmallVec;

/// An encoded key. Short keys (up to 16 bytes: any integer, most short strings) live
/// inline without a heap allocation.
pub type Key = SmallVec<[u8; 16]>;

const VALUE: u8 = 0x01;
const NULL: u8 = 0x02;

/// Appends the encoding of one value.
pub fn encode_value(v: &Value, out: &mut Key) -> Result<()> {
    if v.is_null() {
        out.push(NULL);
        return Ok(());
    }
    out.push(VALUE);
    match v {
        Value::Null => {}
        Value::Bool(b) => out.push(*b as u8),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) => {
            let i = v.as_i64().expect("integer value");
            out.extend_from_slice(&((i as u64) ^ (1 << 63)).to_be_bytes());
        }
        Value::Float4(f) => encode_f64(*f as f64, out),
        Value::Float8(f) => encode_f64(*f, out),
        Value::Numeric(d) => encode_decimal(*d, out),
        Value::Text(s) => encode_bytes(s.as_bytes(), out),
        Value::Bytea(b) => encode_bytes(b, out),
        Value::Date(d) => out.extend_from_slice(&((*d as u32) ^ (1 << 31)).to_be_bytes()),
        Value::Time(t) | Value::Timestamp(t) | Value::TimestampTz(t) => {
            out.extend_from_slice(&((*t as u64) ^ (1 << 63)).to_be_bytes())
        }
        Value::Interval(i) => out.extend_from_slice(&((i.total_micros() as u128) ^ (1 << 127)).to_be_bytes()),
        Value::Uuid(u) => out.extend_from_slice(u),
        Value::Json(_) | Value::Jsonb(_) | Value::Array(_) => {
            return Err(Error::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("values of type {} cannot be used in an index key", v.data_type()),
            ))
        }
    }
    Ok(())
}

/// Encodes a sequence of values as one composite key.
pub fn encode_key(values: &[Value]) -> Result<Key> {
    let mut out = Key::new();
    for v in values {
        encode_value(v, &mut out)?;
    }
    Ok(out)
}

fn encode_f64(f: f64, out: &mut Key) {
    let f = if f.is_nan() {
        f64::NAN
    } else if f == 0.0 {
        0.0
    } else {
        f
    };
    let bits = f.to_bits();
    let bits = if bits >> 63 == 1 { !bits } else { bits ^ (1 << 63) };
    out.extend_from_slice(&bits.to_be_bytes());
}

fn encode_bytes(b: &[u8], out: &mut Key) {
    for &c in b {
        out.push(c);
        if c == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

fn encode_decimal(d: Decimal, out: &mut Key) {
    if d.is_zero() {
        out.push(1);
        return;
    }
    // Write the magnitude as 0.DIGITS x 10^exp, without trailing zeros.
    let m = d.abs().normalize();
    let digits = m.mantissa().to_string();
    let exp = digits.len() as i32 - m.scale() as i32;
    let mut body: SmallVec<[u8; 40]> = SmallVec::new();
    body.extend_from_slice(&((exp as i16 as u16) ^ (1 << 15)).to_be_bytes());
    body.extend(digits.bytes().map(|c| c - b'0' + 1));
    body.push(0);
    if d.is_sign_negative() {
        out.push(0);
        out.extend(body.iter().map(|b| !b));
    } else {
        out.push(2);
        out.extend_from_slice(&body);
    }
}

/// The successor of every key that has `prefix` as a prefix: the smallest byte string
/// greater than all of them, or `None` if there is none (the prefix is all `0xFF`).
pub fn prefix_end(prefix: &[u8]) -> Option<Key> {
    let mut end: Key = prefix.into();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Decodes an encoded `int8` key (the hidden row id of tables without a primary key).
pub fn decode_i64(key: &[u8]) -> Option<i64> {
    let bytes: [u8; 8] = key.get(1..9)?.try_into().ok()?;
    Some((u64::from_be_bytes(bytes) ^ (1 << 63)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Interval;
    use proptest::prelude::*;

    fn enc(v: &Value) -> Key {
        encode_key(std::slice::from_ref(v)).unwrap()
    }

    #[test]
    fn order_matches_values() {
        let values =
            [Value::Int4(-5), Value::Int8(-1), Value::Int2(0), Value::Int4(7), Value::Int8(i64::MAX), Value::Null];
        for w in values.windows(2) {
            assert!(enc(&w[0]) < enc(&w[1]), "{:?} < {:?}", w[0], w[1]);
        }
        assert_eq!(enc(&Value::Int2(3)), enc(&Value::Int8(3)));
        let texts = ["", "\0", "\0a", "a", "a\0", "ab", "b"];
        for w in texts.windows(2) {
            assert!(enc(&Value::text(w[0])) < enc(&Value::text(w[1])));
        }
        assert!(enc(&Value::Interval(Interval::new(0, 29, 0))) < enc(&Value::Interval(Interval::new(1, 0, 1))));
    }

    #[test]
    fn decimal_order() {
        let ds =
            ["-100", "-10.5", "-10", "-1", "-0.5", "-0.05", "0", "0.001", "0.01", "0.5", "1", "1.5", "10", "100.25"];
        let keys: Vec<Key> = ds.iter().map(|s| enc(&Value::Numeric(s.parse().unwrap()))).collect();
        for w in keys.windows(2) {
            assert!(w[0] < w[1]);
        }
        assert_eq!(enc(&Value::Numeric("1.50".parse().unwrap())), enc(&Value::Numeric("1.5".parse().unwrap())));
    }

    proptest! {
        #[test]
        fn floats_order(a in any::<f64>(), b in any::<f64>()) {
            let (va, vb) = (Value::Float8(a), Value::Float8(b));
            prop_assert_eq!(va.cmp(&vb), enc(&va).cmp(&enc(&vb)));
        }

        #[test]
        fn ints_and_texts_order(a in any::<i64>(), b in any::<i64>(), s in ".*", t in ".*") {
            let k1 = encode_key(&[Value::Int8(a), Value::text(s.as_str())]).unwrap();
            let k2 = encode_key(&[Value::Int8(b), Value::text(t.as_str())]).unwrap();
            prop_assert_eq!((a, s.as_bytes()).cmp(&(b, t.as_bytes())), k1.cmp(&k2));
        }

        #[test]
        fn decimals_order(a in any::<i64>(), sa in 0u32..10, b in any::<i64>(), sb in 0u32..10) {
            let (x, y) = (Decimal::new(a, sa), Decimal::new(b, sb));
            prop_assert_eq!(x.cmp(&y), enc(&Value::Numeric(x)).cmp(&enc(&Value::Numeric(y))));
        }
    }
}
