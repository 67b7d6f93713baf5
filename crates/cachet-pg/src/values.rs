//! Values on the wire: PostgreSQL's text and binary formats.
//!
//! Text is the engine's own output and input ([`format_value`], and parameters passed
//! as text for the engine to parse with the statement's parameter types), so only the
//! binary format is implemented here: `typsend`/`typreceive` for every type the engine
//! has. The engine's values already use PostgreSQL's binary epochs (dates in days and
//! timestamps in microseconds since 2000-01-01), so most conversions are byte copies.
//!
//! NUMERIC travels as PostgreSQL's base-10000 digit groups: `ndigits`, `weight` (of
//! the first group, in groups before the point), `sign` and `dscale`. Arrays carry
//! their dimensions, a null flag and the element type OID before the elements.

use bytes::{BufMut, BytesMut};
use cachet::types::{format_value, parse_value, Array, DataType, Interval, Jsonb, TimeZone, Value};
use cachet::{Error, SqlState};
use rust_decimal::Decimal;
use std::sync::Arc;

/// Format codes of the protocol.
pub const TEXT: i16 = 0;
pub const BINARY: i16 = 1;

/// OIDs of types the engine does not have but clients name for parameters.
const OID_OID: u32 = 26;
const OID_CHAR: u32 = 18;
const OID_NAME: u32 = 19;

/// The engine type for a type OID a client declared, if the engine has one.
pub fn type_for_oid(oid: u32) -> Option<DataType> {
    use DataType::*;
    Some(match oid {
        16 => Bool,
        17 => Bytea,
        20 => Int8,
        21 => Int2,
        23 => Int4,
        25 | OID_NAME | OID_CHAR => Text,
        // oid is an unsigned 32-bit integer: bigint holds every value.
        OID_OID => Int8,
        114 => Json,
        700 => Float4,
        701 => Float8,
        705 => Unknown,
        1042 => Char(None),
        1043 => Varchar(None),
        1082 => Date,
        1083 => Time,
        1114 => Timestamp,
        1184 => TimestampTz,
        1186 => Interval,
        1700 => Numeric(None),
        2950 => Uuid,
        3802 => Jsonb,
        _ => {
            let elem = match oid {
                1000 => Bool,
                1001 => Bytea,
                1005 => Int2,
                1007 => Int4,
                1009 => Text,
                1014 => Char(None),
                1015 => Varchar(None),
                1016 => Int8,
                1021 => Float4,
                1022 => Float8,
                1182 => Date,
                1183 => Time,
                1115 => Timestamp,
                1185 => TimestampTz,
                1187 => Interval,
                1231 => Numeric(None),
                2951 => Uuid,
                199 => Json,
                3807 => Jsonb,
                _ => return None,
            };
            Array(Box::new(elem))
        }
    })
}

/// Appends a value in the requested format; `None` means SQL NULL. The declared
/// column type wins over the value's own representation, so that a column described
/// as `bigint` is always sent as eight bytes.
pub fn encode(v: &Value, ty: &DataType, format: i16, tz: &TimeZone) -> Option<Vec<u8>> {
    if v.is_null() {
        return None;
    }
    if format == BINARY {
        let mut buf = BytesMut::new();
        let converted;
        let v = if needs_cast(v, ty) {
            match cachet::types::cast(v.clone(), ty, cachet::types::CastContext::Explicit, tz) {
                Ok(c) => {
                    converted = c;
                    &converted
                }
                Err(_) => v,
            }
        } else {
            v
        };
        encode_binary(&mut buf, v, tz);
        return Some(buf.to_vec());
    }
    Some(format_value(v, tz).into_bytes())
}

/// Whether a value's representation differs from the binary layout of `ty`.
fn needs_cast(v: &Value, ty: &DataType) -> bool {
    match (v, ty) {
        (Value::Text(_), DataType::Text | DataType::Varchar(_) | DataType::Char(_) | DataType::Unknown) => false,
        (Value::Numeric(_), DataType::Numeric(_)) => false,
        (Value::Array(_), DataType::Array(_)) => false,
        (_, DataType::Unknown) => false,
        (v, t) => v.data_type() != *t,
    }
}

fn encode_binary(buf: &mut BytesMut, v: &Value, tz: &TimeZone) {
    match v {
        Value::Null => {}
        Value::Bool(b) => buf.put_u8(*b as u8),
        Value::Int2(i) => buf.put_i16(*i),
        Value::Int4(i) => buf.put_i32(*i),
        Value::Int8(i) => buf.put_i64(*i),
        Value::Float4(f) => buf.put_f32(*f),
        Value::Float8(f) => buf.put_f64(*f),
        Value::Numeric(d) => encode_numeric(buf, d),
        Value::Text(s) | Value::Json(s) => buf.put_slice(s.as_bytes()),
        Value::Bytea(b) => buf.put_slice(b),
        Value::Date(d) => buf.put_i32(*d),
        Value::Time(t) => buf.put_i64(*t),
        Value::Timestamp(t) | Value::TimestampTz(t) => buf.put_i64(*t),
        Value::Interval(iv) => {
            buf.put_i64(iv.micros);
            buf.put_i32(iv.days);
            buf.put_i32(iv.months);
        }
        Value::Uuid(u) => buf.put_slice(u),
        Value::Jsonb(j) => {
            buf.put_u8(1);
            let mut s = String::new();
            j.write_to(&mut s);
            buf.put_slice(s.as_bytes());
        }
        Value::Array(a) => encode_array(buf, a, tz),
    }
}

fn encode_array(buf: &mut BytesMut, a: &Array, tz: &TimeZone) {
    let has_null = a.items.iter().any(Value::is_null);
    if a.items.is_empty() {
        buf.put_i32(0);
        buf.put_i32(0);
        buf.put_u32(a.element_type.oid());
        return;
    }
    buf.put_i32(1);
    buf.put_i32(has_null as i32);
    buf.put_u32(a.element_type.oid());
    buf.put_i32(a.items.len() as i32);
    buf.put_i32(1);
    for item in &a.items {
        match encode(item, &a.element_type, BINARY, tz) {
            None => buf.put_i32(-1),
            Some(bytes) => {
                buf.put_i32(bytes.len() as i32);
                buf.put_slice(&bytes);
            }
        }
    }
}

/// PostgreSQL's `numeric_send`.
fn encode_numeric(buf: &mut BytesMut, d: &Decimal) {
    let scale = d.scale() as usize;
    let mantissa = d.mantissa();
    let negative = mantissa < 0;
    let digits = mantissa.unsigned_abs().to_string();
    // Split into the integer and fraction digit strings.
    let (int_part, frac_part) = if digits.len() > scale {
        (digits[..digits.len() - scale].to_string(), digits[digits.len() - scale..].to_string())
    } else {
        (String::new(), format!("{}{}", "0".repeat(scale - digits.len()), digits))
    };
    // Pad the integer part on the left and the fraction on the right to whole groups.
    let int_pad = (4 - int_part.len() % 4) % 4;
    let int_digits = format!("{}{}", "0".repeat(int_pad), int_part);
    let frac_pad = (4 - frac_part.len() % 4) % 4;
    let frac_digits = format!("{}{}", frac_part, "0".repeat(frac_pad));
    let mut groups: Vec<i16> = Vec::new();
    for chunk in int_digits.as_bytes().chunks(4).chain(frac_digits.as_bytes().chunks(4)) {
        let n = chunk.iter().fold(0i16, |acc, c| acc * 10 + (c - b'0') as i16);
        groups.push(n);
    }
    let mut weight = (int_digits.len() / 4) as i16 - 1;
    // Strip leading and trailing zero groups.
    let mut start = 0;
    while start < groups.len() && groups[start] == 0 {
        start += 1;
        weight -= 1;
    }
    let mut end = groups.len();
    while end > start && groups[end - 1] == 0 {
        end -= 1;
    }
    let groups = &groups[start..end];
    if groups.is_empty() {
        weight = 0;
    }
    buf.put_i16(groups.len() as i16);
    buf.put_i16(weight);
    buf.put_u16(if negative && !groups.is_empty() { 0x4000 } else { 0 });
    buf.put_u16(scale as u16);
    for g in groups {
        buf.put_i16(*g);
    }
}

fn binary_error(ty: &DataType) -> Error {
    Error::new(
        SqlState::INVALID_BINARY_REPRESENTATION,
        format!("incorrect binary data format in bind parameter of type {ty}"),
    )
}

fn take<const N: usize>(data: &[u8], ty: &DataType) -> cachet::Result<[u8; N]> {
    data.try_into().map_err(|_| binary_error(ty))
}

/// Decodes a parameter sent in binary format as a value of `ty` (`typreceive`).
pub fn decode_binary(data: &[u8], ty: &DataType, tz: &TimeZone) -> cachet::Result<Value> {
    use DataType as T;
    Ok(match ty {
        T::Bool => Value::Bool(take::<1>(data, ty)?[0] != 0),
        T::Int2 => Value::Int2(i16::from_be_bytes(take(data, ty)?)),
        T::Int4 => Value::Int4(i32::from_be_bytes(take(data, ty)?)),
        T::Int8 => match data.len() {
            // An `oid` parameter is four bytes, unsigned.
            4 => Value::Int8(u32::from_be_bytes(take(data, ty)?) as i64),
            _ => Value::Int8(i64::from_be_bytes(take(data, ty)?)),
        },
        T::Float4 => Value::Float4(f32::from_be_bytes(take(data, ty)?)),
        T::Float8 => Value::Float8(f64::from_be_bytes(take(data, ty)?)),
        T::Numeric(_) => {
            let text = decode_numeric(data).ok_or_else(|| binary_error(ty))?;
            parse_value(&text, ty, tz)?
        }
        T::Text | T::Varchar(_) | T::Char(_) | T::Unknown => {
            let s = std::str::from_utf8(data).map_err(|_| invalid_utf8())?;
            parse_value(s, ty, tz)?
        }
        T::Json => {
            let s = std::str::from_utf8(data).map_err(|_| invalid_utf8())?;
            parse_value(s, ty, tz)?
        }
        T::Jsonb => {
            let Some((&1, rest)) = data.split_first() else {
                return Err(Error::new(SqlState::INVALID_BINARY_REPRESENTATION, "unsupported jsonb version number"));
            };
            let s = std::str::from_utf8(rest).map_err(|_| invalid_utf8())?;
            Value::Jsonb(Arc::new(Jsonb::parse(s)?))
        }
        T::Bytea => Value::Bytea(data.into()),
        T::Date => Value::Date(i32::from_be_bytes(take(data, ty)?)),
        T::Time => Value::Time(i64::from_be_bytes(take(data, ty)?)),
        T::Timestamp => Value::Timestamp(i64::from_be_bytes(take(data, ty)?)),
        T::TimestampTz => Value::TimestampTz(i64::from_be_bytes(take(data, ty)?)),
        T::Interval => {
            let b: [u8; 16] = take(data, ty)?;
            let micros = i64::from_be_bytes(b[0..8].try_into().expect("8 bytes"));
            let days = i32::from_be_bytes(b[8..12].try_into().expect("4 bytes"));
            let months = i32::from_be_bytes(b[12..16].try_into().expect("4 bytes"));
            Value::Interval(Interval::new(months, days, micros))
        }
        T::Uuid => Value::Uuid(take(data, ty)?),
        T::Array(elem) => decode_array(data, elem, tz)?,
    })
}

fn invalid_utf8() -> Error {
    Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\"")
}

fn decode_array(data: &[u8], elem: &DataType, tz: &TimeZone) -> cachet::Result<Value> {
    let ty = DataType::Array(Box::new(elem.clone()));
    let mut r = Reader { data, ty: &ty };
    let ndim = r.i32()?;
    let _has_null = r.i32()?;
    let elem_oid = r.i32()? as u32;
    let elem_ty = type_for_oid(elem_oid).unwrap_or_else(|| elem.clone());
    if ndim == 0 {
        return Ok(Value::Array(Arc::new(Array { element_type: elem.clone(), items: Vec::new() })));
    }
    if ndim != 1 {
        return Err(Error::unsupported("multidimensional arrays are not supported"));
    }
    let len = r.i32()?;
    let _lower = r.i32()?;
    let mut items = Vec::with_capacity(len.clamp(0, 1024) as usize);
    for _ in 0..len {
        let n = r.i32()?;
        if n < 0 {
            items.push(Value::Null);
            continue;
        }
        let bytes = r.bytes(n as usize)?;
        let v = decode_binary(bytes, &elem_ty, tz)?;
        let v =
            if elem_ty != *elem { cachet::types::cast(v, elem, cachet::types::CastContext::Explicit, tz)? } else { v };
        items.push(v);
    }
    Ok(Value::Array(Arc::new(Array { element_type: elem.clone(), items })))
}

struct Reader<'a> {
    data: &'a [u8],
    ty: &'a DataType,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> cachet::Result<&'a [u8]> {
        if self.data.len() < n {
            return Err(binary_error(self.ty));
        }
        let (a, b) = self.data.split_at(n);
        self.data = b;
        Ok(a)
    }

    fn i32(&mut self) -> cachet::Result<i32> {
        let b = self.bytes(4)?;
        Ok(i32::from_be_bytes(b.try_into().expect("4 bytes")))
    }
}

/// PostgreSQL's `numeric_recv`, to text.
fn decode_numeric(data: &[u8]) -> Option<String> {
    if data.len() < 8 {
        return None;
    }
    let ndigits = i16::from_be_bytes([data[0], data[1]]) as usize;
    let weight = i16::from_be_bytes([data[2], data[3]]) as i32;
    let sign = u16::from_be_bytes([data[4], data[5]]);
    let dscale = u16::from_be_bytes([data[6], data[7]]) as usize;
    if data.len() != 8 + 2 * ndigits {
        return None;
    }
    match sign {
        0xC000 => return Some("NaN".into()),
        0xD000 => return Some("Infinity".into()),
        0xF000 => return Some("-Infinity".into()),
        0 | 0x4000 => {}
        _ => return None,
    }
    let groups: Vec<i16> = (0..ndigits).map(|i| i16::from_be_bytes([data[8 + 2 * i], data[9 + 2 * i]])).collect();
    if groups.iter().any(|g| !(0..10000).contains(g)) {
        return None;
    }
    let mut int_part = String::new();
    for i in 0..=weight.max(-1) {
        let g = groups.get(i as usize).copied().unwrap_or(0);
        if int_part.is_empty() {
            if g != 0 {
                int_part.push_str(&g.to_string());
            }
        } else {
            int_part.push_str(&format!("{g:04}"));
        }
    }
    if int_part.is_empty() {
        int_part.push('0');
    }
    let mut frac = String::new();
    let mut pos = weight + 1;
    while frac.len() < dscale {
        let g = if pos < 0 { 0 } else { groups.get(pos as usize).copied().unwrap_or(0) };
        frac.push_str(&format!("{g:04}"));
        pos += 1;
    }
    frac.truncate(dscale);
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    out.push_str(&int_part);
    if dscale > 0 {
        out.push('.');
        out.push_str(&frac);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn roundtrip(s: &str) {
        let d = Decimal::from_str(s).unwrap();
        let mut buf = BytesMut::new();
        encode_numeric(&mut buf, &d);
        assert_eq!(decode_numeric(&buf).unwrap(), s, "numeric {s}");
    }

    #[test]
    fn numeric_binary_round_trips() {
        for s in ["0", "1", "-1", "12345", "10000", "1.5", "-0.0001", "123456789.123456789", "0.10", "99990000", "0.00"]
        {
            roundtrip(s);
        }
    }

    #[test]
    fn numeric_binary_matches_postgres() {
        // SELECT numeric_send(12345.678): ndigits 3, weight 1, sign 0, dscale 3, 1 2345 6780.
        let mut buf = BytesMut::new();
        encode_numeric(&mut buf, &Decimal::from_str("12345.678").unwrap());
        assert_eq!(&buf[..], &[0, 3, 0, 1, 0, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1a, 0x7c]);
    }

    #[test]
    fn declared_types() {
        assert_eq!(type_for_oid(23), Some(DataType::Int4));
        assert_eq!(type_for_oid(1007), Some(DataType::Array(Box::new(DataType::Int4))));
        assert_eq!(type_for_oid(999_999), None);
    }
}
