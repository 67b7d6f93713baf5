//! Sorting.

use super::eval::eval;
use super::{Env, Operator, Tuple};
use crate::error::Result;
use crate::sql::expr::SortKey;
use crate::types::Value;
use std::cmp::Ordering;

/// Compares two key tuples under ORDER BY semantics.
pub fn compare_keys(keys: &[SortKey], a: &[Value], b: &[Value]) -> Ordering {
    for (k, (x, y)) in keys.iter().zip(a.iter().zip(b)) {
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if k.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if k.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o = x.cmp(y);
                if k.desc {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Sorts its whole input.
pub struct SortOp<'p> {
    input: Box<dyn Operator + 'p>,
    keys: &'p [SortKey],
    output: Option<std::vec::IntoIter<Tuple>>,
}

impl<'p> SortOp<'p> {
    pub fn new(input: Box<dyn Operator + 'p>, keys: &'p [SortKey]) -> Self {
        SortOp { input, keys, output: None }
    }
}

impl Operator for SortOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        if self.output.is_none() {
            let mut rows: Vec<(Vec<Value>, Tuple)> = Vec::new();
            while let Some(row) = self.input.next(env)? {
                let key = self.keys.iter().map(|k| eval(&k.expr, &row, env)).collect::<Result<Vec<_>>>()?;
                rows.push((key, row));
            }
            rows.sort_by(|a, b| compare_keys(self.keys, &a.0, &b.0));
            self.output = Some(rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>().into_iter());
        }
        Ok(self.output.as_mut().expect("sorted").next())
    }
}
