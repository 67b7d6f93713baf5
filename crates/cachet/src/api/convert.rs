//! Conversions between Rust values and SQL values.

use super::Column;
use crate::error::{Error, Result, SqlState};
use crate::types::Value;
use rust_decimal::Decimal;

/// A Rust value usable as a statement parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// A Rust value readable from a SQL value.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self>;
}

fn mismatch(v: &Value, want: &str) -> Error {
    Error::new(SqlState::DATATYPE_MISMATCH, format!("cannot read a value of type {} as {want}", v.data_type()))
}

macro_rules! to_value_via_from {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::from(self.clone())
            }
        }
    )*};
}
to_value_via_from!(bool, i16, i32, i64, f32, f64, Decimal, String, Vec<u8>);

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::text(self)
    }
}
impl ToValue for &[u8] {
    fn to_value(&self) -> Value {
        Value::Bytea((*self).into())
    }
}
impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Int8(*self as i64)
    }
}
impl ToValue for usize {
    fn to_value(&self) -> Value {
        Value::Int8(*self as i64)
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

fn int(v: &Value, want: &str) -> Result<i64> {
    v.as_i64().ok_or_else(|| mismatch(v, want))
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<Self> {
        int(v, "i64")
    }
}
impl FromValue for i32 {
    fn from_value(v: &Value) -> Result<Self> {
        i32::try_from(int(v, "i32")?).map_err(|_| Error::out_of_range("integer out of range for i32"))
    }
}
impl FromValue for i16 {
    fn from_value(v: &Value) -> Result<Self> {
        i16::try_from(int(v, "i16")?).map_err(|_| Error::out_of_range("integer out of range for i16"))
    }
}
impl FromValue for u64 {
    fn from_value(v: &Value) -> Result<Self> {
        u64::try_from(int(v, "u64")?).map_err(|_| Error::out_of_range("integer out of range for u64"))
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<Self> {
        v.as_f64().ok_or_else(|| mismatch(v, "f64"))
    }
}
impl FromValue for f32 {
    fn from_value(v: &Value) -> Result<Self> {
        v.as_f64().map(|f| f as f32).ok_or_else(|| mismatch(v, "f32"))
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self> {
        v.as_bool().ok_or_else(|| mismatch(v, "bool"))
    }
}
impl FromValue for Decimal {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Numeric(d) => Ok(*d),
            v => v.as_i64().map(Decimal::from).ok_or_else(|| mismatch(v, "Decimal")),
        }
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Null => Err(mismatch(v, "String")),
            Value::Text(s) | Value::Json(s) => Ok(s.to_string()),
            other => Ok(crate::types::format_value(other, &Default::default())),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Bytea(b) => Ok(b.to_vec()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            v => Err(mismatch(v, "Vec<u8>")),
        }
    }
}
impl FromValue for Value {
    fn from_value(v: &Value) -> Result<Self> {
        Ok(v.clone())
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self> {
        if v.is_null() {
            Ok(None)
        } else {
            T::from_value(v).map(Some)
        }
    }
}

/// A column index: a position or a name.
pub trait RowIndex {
    fn index(&self, columns: &[Column]) -> Result<usize>;
}

impl RowIndex for usize {
    fn index(&self, columns: &[Column]) -> Result<usize> {
        if *self < columns.len() {
            Ok(*self)
        } else {
            Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("column index {self} out of range")))
        }
    }
}

impl RowIndex for &str {
    fn index(&self, columns: &[Column]) -> Result<usize> {
        columns.iter().position(|c| c.name == *self).ok_or_else(|| {
            Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{self}\" does not exist in the result"))
        })
    }
}

/// Statement parameters.
pub trait Params {
    fn into_values(self) -> Vec<Value>;
}

impl Params for () {
    fn into_values(self) -> Vec<Value> {
        Vec::new()
    }
}

impl Params for &[&dyn ToValue] {
    fn into_values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl<const N: usize> Params for [&dyn ToValue; N] {
    fn into_values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl<const N: usize> Params for &[&dyn ToValue; N] {
    fn into_values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl Params for Vec<Value> {
    fn into_values(self) -> Vec<Value> {
        self
    }
}

impl Params for &[Value] {
    fn into_values(self) -> Vec<Value> {
        self.to_vec()
    }
}

/// Builds statement parameters: `params![1, "a", None::<i64>]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[&dyn $crate::ToValue] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::ToValue),+] as &[&dyn $crate::ToValue] };
}
