//! The binary encoding of values, rows and log records.
//!
//! Both the write-ahead log and checkpoints store *logical* records: a row is written as
//! its table id, encoded key, expiry and values; a schema change as the whole set of
//! definitions. The byte layout is specified in `docs/file-format.md`; this module is
//! its implementation. Decoding never trusts its input: every read is bounds-checked
//! and malformed bytes give an `XX001 data_corrupted` error, never a panic.

use crate::catalog::{Catalog, Table, TableSchema, ViewDef};
use crate::error::{Error, Result, SqlState};
use crate::storage::Key;
use crate::types::{Array, DataType, Interval, Value};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Every definition of a catalog, as logged on schema changes and in checkpoints.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CatalogDefs {
    pub next_id: u32,
    pub tables: Vec<TableSchema>,
    pub views: Vec<ViewDef>,
}

impl CatalogDefs {
    pub fn of(catalog: &Catalog) -> Self {
        CatalogDefs {
            next_id: catalog.next_id(),
            tables: catalog.tables().map(|t: &Arc<Table>| (*t.schema).clone()).collect(),
            views: catalog.views().map(|v| (**v).clone()).collect(),
        }
    }
}

/// One logical change.
#[derive(Clone, Debug)]
pub enum LogOp {
    /// The row under `key` is now `row` (insert or update).
    Put {
        table: u32,
        key: Key,
        expires: i64,
        row: Vec<Value>,
    },
    /// The row under `key` is gone.
    Delete {
        table: u32,
        key: Key,
    },
    /// The definitions are now these (checkpoints).
    Catalog(Box<CatalogDefs>),
    /// A table was created or its definition changed (schema changes in the log).
    PutTable(Box<TableSchema>),
    DropTable(u32),
    PutView(Box<ViewDef>),
    DropView(String),
}

const OP_PUT: u8 = 1;
const OP_DELETE: u8 = 2;
const OP_CATALOG: u8 = 3;
const OP_PUT_TABLE: u8 = 4;
const OP_DROP_TABLE: u8 = 5;
const OP_PUT_VIEW: u8 = 6;
const OP_DROP_VIEW: u8 = 7;

/// The schema changes that turn catalog `old` into `new`, as log operations.
pub fn catalog_diff(old: &Catalog, new: &Catalog) -> Vec<LogOp> {
    let mut ops = Vec::new();
    for t in old.tables() {
        if new.table_by_id(t.schema.id).is_none() {
            ops.push(LogOp::DropTable(t.schema.id));
        }
    }
    for t in new.tables() {
        let changed = match old.table_by_id(t.schema.id) {
            Some(o) => !Arc::ptr_eq(&o.schema, &t.schema) && o.schema != t.schema,
            None => true,
        };
        if changed {
            ops.push(LogOp::PutTable(Box::new((*t.schema).clone())));
        }
    }
    for v in old.views() {
        if new.view(&v.name).is_none() {
            ops.push(LogOp::DropView(v.name.clone()));
        }
    }
    for v in new.views() {
        if old.view(&v.name).is_none_or(|o| **o != **v) {
            ops.push(LogOp::PutView(Box::new((**v).clone())));
        }
    }
    ops
}

/// Appends an unsigned LEB128 integer.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Appends one value.
pub fn put_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(0),
        Value::Bool(b) => out.extend_from_slice(&[1, *b as u8]),
        Value::Int2(i) => {
            out.push(2);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Int4(i) => {
            out.push(3);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Int8(i) => {
            out.push(4);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float4(f) => {
            out.push(5);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Float8(f) => {
            out.push(6);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Numeric(d) => {
            out.push(7);
            out.extend_from_slice(&d.serialize());
        }
        Value::Text(s) => {
            out.push(8);
            put_bytes(out, s.as_bytes());
        }
        Value::Bytea(b) => {
            out.push(9);
            put_bytes(out, b);
        }
        Value::Date(d) => {
            out.push(10);
            out.extend_from_slice(&d.to_le_bytes());
        }
        Value::Time(t) => {
            out.push(11);
            out.extend_from_slice(&t.to_le_bytes());
        }
        Value::Timestamp(t) => {
            out.push(12);
            out.extend_from_slice(&t.to_le_bytes());
        }
        Value::TimestampTz(t) => {
            out.push(13);
            out.extend_from_slice(&t.to_le_bytes());
        }
        Value::Interval(i) => {
            out.push(14);
            out.extend_from_slice(&i.months.to_le_bytes());
            out.extend_from_slice(&i.days.to_le_bytes());
            out.extend_from_slice(&i.micros.to_le_bytes());
        }
        Value::Uuid(u) => {
            out.push(15);
            out.extend_from_slice(u);
        }
        Value::Json(s) => {
            out.push(16);
            put_bytes(out, s.as_bytes());
        }
        Value::Jsonb(j) => {
            out.push(17);
            put_bytes(out, j.to_string().as_bytes());
        }
        Value::Array(a) => {
            out.push(18);
            let ty = postcard::to_allocvec(&a.element_type).unwrap_or_default();
            put_bytes(out, &ty);
            put_varint(out, a.items.len() as u64);
            for item in &a.items {
                put_value(out, item);
            }
        }
    }
}

/// Appends a row: its length and values.
pub fn put_row(out: &mut Vec<u8>, row: &[Value]) {
    put_varint(out, row.len() as u64);
    for v in row {
        put_value(out, v);
    }
}

/// Appends one log operation.
pub fn put_op(out: &mut Vec<u8>, op: &LogOp) {
    match op {
        LogOp::Put { table, key, expires, row } => {
            out.push(OP_PUT);
            out.extend_from_slice(&table.to_le_bytes());
            put_bytes(out, key);
            out.extend_from_slice(&expires.to_le_bytes());
            put_row(out, row);
        }
        LogOp::Delete { table, key } => {
            out.push(OP_DELETE);
            out.extend_from_slice(&table.to_le_bytes());
            put_bytes(out, key);
        }
        LogOp::Catalog(defs) => {
            out.push(OP_CATALOG);
            put_bytes(out, &postcard::to_allocvec(defs.as_ref()).unwrap_or_default());
        }
        LogOp::PutTable(schema) => {
            out.push(OP_PUT_TABLE);
            put_bytes(out, &postcard::to_allocvec(schema.as_ref()).unwrap_or_default());
        }
        LogOp::DropTable(id) => {
            out.push(OP_DROP_TABLE);
            out.extend_from_slice(&id.to_le_bytes());
        }
        LogOp::PutView(view) => {
            out.push(OP_PUT_VIEW);
            put_bytes(out, &postcard::to_allocvec(view.as_ref()).unwrap_or_default());
        }
        LogOp::DropView(name) => {
            out.push(OP_DROP_VIEW);
            put_bytes(out, name.as_bytes());
        }
    }
}

/// A bounds-checked cursor over bytes.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn corrupt(what: &str) -> Error {
    Error::new(SqlState::DATA_CORRUPTED, format!("malformed record: {what}"))
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len()).ok_or_else(|| corrupt("truncated"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    pub fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(corrupt("varint too long"))
    }

    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.varint()?;
        self.take(usize::try_from(n).map_err(|_| corrupt("length"))?)
    }

    fn str(&mut self) -> Result<&'a str> {
        std::str::from_utf8(self.bytes()?).map_err(|_| corrupt("invalid UTF-8"))
    }

    pub fn value(&mut self) -> Result<Value> {
        Ok(match self.u8()? {
            0 => Value::Null,
            1 => Value::Bool(self.u8()? != 0),
            2 => Value::Int2(i16::from_le_bytes(self.array()?)),
            3 => Value::Int4(i32::from_le_bytes(self.array()?)),
            4 => Value::Int8(self.i64()?),
            5 => Value::Float4(f32::from_bits(self.u32()?)),
            6 => Value::Float8(f64::from_bits(self.u64()?)),
            7 => {
                let bytes: [u8; 16] = self.array()?;
                // Byte 2 holds the scale, which rust_decimal caps at 28.
                if bytes[2] > 28 {
                    return Err(corrupt("numeric scale"));
                }
                Value::Numeric(Decimal::deserialize(bytes))
            }
            8 => Value::Text(self.str()?.into()),
            9 => Value::Bytea(self.bytes()?.into()),
            10 => Value::Date(i32::from_le_bytes(self.array()?)),
            11 => Value::Time(self.i64()?),
            12 => Value::Timestamp(self.i64()?),
            13 => Value::TimestampTz(self.i64()?),
            14 => {
                let months = i32::from_le_bytes(self.array()?);
                let days = i32::from_le_bytes(self.array()?);
                Value::Interval(Interval::new(months, days, self.i64()?))
            }
            15 => Value::Uuid(self.array()?),
            16 => Value::Json(self.str()?.into()),
            17 => {
                let text = self.str()?;
                crate::types::parse_value(text, &DataType::Jsonb, &Default::default())
                    .map_err(|e| corrupt(&format!("jsonb: {}", e.message())))?
            }
            18 => {
                let ty: DataType = postcard::from_bytes(self.bytes()?).map_err(|_| corrupt("array type"))?;
                let n = self.varint()?;
                let mut items = Vec::with_capacity(n.min(1 << 16) as usize);
                for _ in 0..n {
                    items.push(self.value()?);
                }
                Value::Array(Arc::new(Array { element_type: ty, items }))
            }
            t => return Err(corrupt(&format!("unknown value tag {t}"))),
        })
    }

    pub fn row(&mut self) -> Result<Vec<Value>> {
        let n = self.varint()?;
        let mut row = Vec::with_capacity(n.min(1 << 12) as usize);
        for _ in 0..n {
            row.push(self.value()?);
        }
        Ok(row)
    }

    pub fn op(&mut self) -> Result<LogOp> {
        Ok(match self.u8()? {
            OP_PUT => {
                let table = self.u32()?;
                let key = Key::from_slice(self.bytes()?);
                let expires = self.i64()?;
                let row = self.row()?;
                LogOp::Put { table, key, expires, row }
            }
            OP_DELETE => {
                let table = self.u32()?;
                LogOp::Delete { table, key: Key::from_slice(self.bytes()?) }
            }
            OP_CATALOG => {
                let defs: CatalogDefs =
                    postcard::from_bytes(self.bytes()?).map_err(|_| corrupt("catalog definitions"))?;
                LogOp::Catalog(Box::new(defs))
            }
            OP_PUT_TABLE => {
                LogOp::PutTable(Box::new(postcard::from_bytes(self.bytes()?).map_err(|_| corrupt("table definition"))?))
            }
            OP_DROP_TABLE => LogOp::DropTable(self.u32()?),
            OP_PUT_VIEW => {
                LogOp::PutView(Box::new(postcard::from_bytes(self.bytes()?).map_err(|_| corrupt("view definition"))?))
            }
            OP_DROP_VIEW => LogOp::DropView(self.str()?.to_string()),
            t => return Err(corrupt(&format!("unknown operation {t}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let values = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int2(-3),
            Value::Int4(1 << 30),
            Value::Int8(i64::MIN),
            Value::Float4(1.5),
            Value::Float8(f64::NAN),
            Value::Numeric("-12.340".parse().unwrap()),
            Value::text("héllo"),
            Value::Bytea(vec![0, 1, 255].into()),
            Value::Date(-1),
            Value::Time(123),
            Value::Timestamp(i64::MAX),
            Value::TimestampTz(-5),
            Value::Interval(Interval::new(1, -2, 3)),
            Value::Uuid([7; 16]),
            Value::Json("{\"a\": 1}".into()),
            Value::Array(Arc::new(Array { element_type: DataType::Int4, items: vec![Value::Int4(1), Value::Null] })),
        ];
        let mut buf = Vec::new();
        put_row(&mut buf, &values);
        let back = Reader::new(&buf).row().unwrap();
        assert_eq!(back.len(), values.len());
        for (a, b) in values.iter().zip(&back) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
    }

    #[test]
    fn garbage_is_an_error() {
        for bytes in [&[0xFF][..], &[8, 200], &[3, 1], &[1], &[18, 1, 0]] {
            assert!(Reader::new(bytes).value().is_err());
        }
    }
}
