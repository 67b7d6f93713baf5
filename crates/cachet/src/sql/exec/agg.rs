//! Hash aggregation and the aggregate functions.

use super::eval::{eval, holds, numeric_div, out_of_range};
use super::sort::compare_keys;
use super::{Env, Operator, Tuple};
use crate::error::{Error, Result};
use crate::sql::expr::{AggCall, AggFunc, Expr};
use crate::types::{DataType, Interval, Value};
use rust_decimal::prelude::*;
use std::collections::{HashMap, HashSet};

/// The running state of one aggregate in one group.
#[derive(Debug)]
pub enum Acc {
    Count(i64),
    SumInt(Option<i128>),
    SumNumeric(Option<Decimal>),
    SumFloat(Option<f64>),
    SumInterval(Option<Interval>),
    AvgNumeric(Decimal, i64),
    AvgFloat(f64, i64),
    AvgInterval(i128, i128, i64),
    Extreme(Option<Value>),
    Bool(Option<bool>),
    StringAgg(Option<String>),
    Collect(Vec<Value>),
    /// count, sum and sum of squares, exact for integer and numeric inputs.
    MomentsNumeric(i64, Decimal, Decimal),
    MomentsFloat(i64, f64, f64),
    Pairs(Vec<(Value, Value)>),
}

impl Acc {
    pub fn new(call: &AggCall) -> Acc {
        let input = call.args.first().map(|a| a.ty()).unwrap_or(DataType::Int8);
        match call.func {
            AggFunc::CountStar | AggFunc::Count => Acc::Count(0),
            AggFunc::Sum => match input {
                DataType::Int2 | DataType::Int4 | DataType::Int8 => Acc::SumInt(None),
                DataType::Float4 | DataType::Float8 => Acc::SumFloat(None),
                DataType::Interval => Acc::SumInterval(None),
                _ => Acc::SumNumeric(None),
            },
            AggFunc::Avg => match input {
                DataType::Float4 | DataType::Float8 => Acc::AvgFloat(0.0, 0),
                DataType::Interval => Acc::AvgInterval(0, 0, 0),
                _ => Acc::AvgNumeric(Decimal::ZERO, 0),
            },
            AggFunc::Min | AggFunc::Max => Acc::Extreme(None),
            AggFunc::BoolAnd | AggFunc::BoolOr => Acc::Bool(None),
            AggFunc::StringAgg => Acc::StringAgg(None),
            AggFunc::ArrayAgg | AggFunc::JsonAgg | AggFunc::JsonbAgg => Acc::Collect(Vec::new()),
            AggFunc::JsonObjectAgg | AggFunc::JsonbObjectAgg => Acc::Pairs(Vec::new()),
            AggFunc::StddevSamp | AggFunc::StddevPop | AggFunc::VarSamp | AggFunc::VarPop => match input {
                DataType::Float4 | DataType::Float8 => Acc::MomentsFloat(0, 0.0, 0.0),
                _ => Acc::MomentsNumeric(0, Decimal::ZERO, Decimal::ZERO),
            },
        }
    }

    /// Feeds one input row's argument values.
    pub fn feed(&mut self, func: AggFunc, args: &[Value]) -> Result<()> {
        let v = args.first().cloned().unwrap_or(Value::Null);
        if func == AggFunc::CountStar {
            if let Acc::Count(n) = self {
                *n += 1;
            }
            return Ok(());
        }
        // Aggregates ignore NULL inputs, except the collecting ones.
        if v.is_null() && !matches!(self, Acc::Collect(_) | Acc::Pairs(_)) {
            return Ok(());
        }
        let numeric_overflow = || Error::out_of_range("value overflows numeric format");
        match self {
            Acc::Count(n) => *n += 1,
            Acc::SumInt(s) => *s = Some(s.unwrap_or(0) + v.as_i64().unwrap_or(0) as i128),
            Acc::SumNumeric(s) => {
                let d = to_decimal(&v)?;
                *s = Some(s.unwrap_or(Decimal::ZERO).checked_add(d).ok_or_else(numeric_overflow)?);
            }
            Acc::SumFloat(s) => *s = Some(s.unwrap_or(0.0) + v.as_f64().unwrap_or(0.0)),
            Acc::SumInterval(s) => {
                if let Value::Interval(i) = v {
                    let cur = s.unwrap_or_default();
                    *s = Some(Interval::new(
                        cur.months.checked_add(i.months).ok_or_else(|| out_of_range("interval"))?,
                        cur.days.checked_add(i.days).ok_or_else(|| out_of_range("interval"))?,
                        cur.micros.checked_add(i.micros).ok_or_else(|| out_of_range("interval"))?,
                    ));
                }
            }
            Acc::AvgNumeric(s, n) => {
                *s = s.checked_add(to_decimal(&v)?).ok_or_else(numeric_overflow)?;
                *n += 1;
            }
            Acc::AvgFloat(s, n) => {
                *s += v.as_f64().unwrap_or(0.0);
                *n += 1;
            }
            Acc::AvgInterval(m, us, n) => {
                if let Value::Interval(i) = v {
                    *m += i.months as i128;
                    *us += i.days as i128 * crate::types::value::USECS_PER_DAY as i128 + i.micros as i128;
                    *n += 1;
                }
            }
            Acc::Extreme(cur) => {
                let replace = match cur {
                    None => true,
                    Some(c) => match func {
                        AggFunc::Min => v < *c,
                        _ => v > *c,
                    },
                };
                if replace {
                    *cur = Some(v);
                }
            }
            Acc::Bool(cur) => {
                let b = v.as_bool().unwrap_or(false);
                *cur = Some(match (func, *cur) {
                    (_, None) => b,
                    (AggFunc::BoolAnd, Some(c)) => c && b,
                    (_, Some(c)) => c || b,
                });
            }
            Acc::StringAgg(cur) => {
                let delim = args.get(1).and_then(|d| d.as_str().map(str::to_string));
                let piece = match &v {
                    Value::Text(s) => s.to_string(),
                    Value::Bytea(b) => String::from_utf8_lossy(b).into_owned(),
                    other => crate::types::format_value(other, &Default::default()),
                };
                match cur {
                    None => *cur = Some(piece),
                    Some(s) => {
                        if let Some(d) = delim {
                            s.push_str(&d);
                        }
                        s.push_str(&piece);
                    }
                }
            }
            Acc::Collect(items) => items.push(v),
            Acc::Pairs(items) => items.push((v, args.get(1).cloned().unwrap_or(Value::Null))),
            Acc::MomentsNumeric(n, s, s2) => {
                let d = to_decimal(&v)?;
                *n += 1;
                *s = s.checked_add(d).ok_or_else(numeric_overflow)?;
                *s2 = s2.checked_add(d.checked_mul(d).ok_or_else(numeric_overflow)?).ok_or_else(numeric_overflow)?;
            }
            Acc::MomentsFloat(n, s, s2) => {
                let f = v.as_f64().unwrap_or(0.0);
                *n += 1;
                *s += f;
                *s2 += f * f;
            }
        }
        Ok(())
    }

    /// The aggregate's result.
    pub fn finish(self, call: &AggCall) -> Result<Value> {
        let ty = &call.ty;
        Ok(match self {
            Acc::Count(n) => Value::Int8(n),
            Acc::SumInt(s) => match s {
                None => Value::Null,
                Some(s) if *ty == DataType::Int8 => Value::Int8(i64::try_from(s).map_err(|_| out_of_range("bigint"))?),
                Some(s) => Value::Numeric(Decimal::from_i128_with_scale(s, 0)),
            },
            Acc::SumNumeric(s) => s.map_or(Value::Null, Value::Numeric),
            Acc::SumFloat(s) => match (s, ty) {
                (None, _) => Value::Null,
                (Some(s), DataType::Float4) => Value::Float4(s as f32),
                (Some(s), _) => Value::Float8(s),
            },
            Acc::SumInterval(s) => s.map_or(Value::Null, Value::Interval),
            Acc::AvgNumeric(s, n) => {
                if n == 0 {
                    Value::Null
                } else {
                    Value::Numeric(numeric_div(s, Decimal::from(n))?)
                }
            }
            Acc::AvgFloat(s, n) => {
                if n == 0 {
                    Value::Null
                } else {
                    Value::Float8(s / n as f64)
                }
            }
            Acc::AvgInterval(m, us, n) => {
                if n == 0 {
                    Value::Null
                } else {
                    // Spread fractional months into days and microseconds, as PostgreSQL does.
                    let n = n as i128;
                    let months = m / n;
                    let rem_us = (m % n) * 30 * crate::types::value::USECS_PER_DAY as i128 + us;
                    let per = rem_us / n;
                    let days = per / crate::types::value::USECS_PER_DAY as i128;
                    let micros = per % crate::types::value::USECS_PER_DAY as i128;
                    Value::Interval(Interval::new(months as i32, days as i32, micros as i64))
                }
            }
            Acc::Extreme(v) => v.unwrap_or(Value::Null),
            Acc::Bool(b) => b.map_or(Value::Null, Value::Bool),
            Acc::StringAgg(s) => match (s, ty) {
                (None, _) => Value::Null,
                (Some(s), DataType::Bytea) => Value::Bytea(s.into_bytes().into()),
                (Some(s), _) => Value::text(s),
            },
            Acc::Collect(items) => {
                if items.is_empty() {
                    Value::Null
                } else {
                    crate::sql::functions::finish_collect(call.func, items, ty)?
                }
            }
            Acc::Pairs(items) => {
                if items.is_empty() {
                    Value::Null
                } else {
                    crate::sql::functions::finish_object_agg(call.func, items)?
                }
            }
            Acc::MomentsNumeric(n, s, s2) => moments_numeric(call.func, n, s, s2)?,
            Acc::MomentsFloat(n, s, s2) => {
                let sample = matches!(call.func, AggFunc::StddevSamp | AggFunc::VarSamp);
                if n == 0 || (sample && n == 1) {
                    Value::Null
                } else {
                    let nf = n as f64;
                    let num = (nf * s2 - s * s).max(0.0);
                    let var = num / if sample { nf * (nf - 1.0) } else { nf * nf };
                    Value::Float8(if matches!(call.func, AggFunc::StddevSamp | AggFunc::StddevPop) {
                        var.sqrt()
                    } else {
                        var
                    })
                }
            }
        })
    }
}

fn to_decimal(v: &Value) -> Result<Decimal> {
    match v {
        Value::Numeric(d) => Ok(*d),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) => Ok(Decimal::from(v.as_i64().unwrap_or(0))),
        other => Decimal::from_f64(other.as_f64().unwrap_or(0.0))
            .ok_or_else(|| Error::out_of_range("value overflows numeric format")),
    }
}

fn moments_numeric(func: AggFunc, n: i64, s: Decimal, s2: Decimal) -> Result<Value> {
    let sample = matches!(func, AggFunc::StddevSamp | AggFunc::VarSamp);
    if n == 0 || (sample && n == 1) {
        return Ok(Value::Null);
    }
    let overflow = || Error::out_of_range("value overflows numeric format");
    let nd = Decimal::from(n);
    let num = nd
        .checked_mul(s2)
        .ok_or_else(overflow)?
        .checked_sub(s.checked_mul(s).ok_or_else(overflow)?)
        .ok_or_else(overflow)?;
    let num = num.max(Decimal::ZERO);
    let den = if sample { nd * Decimal::from(n - 1) } else { nd * nd };
    let var = numeric_div(num, den)?;
    if matches!(func, AggFunc::StddevSamp | AggFunc::StddevPop) {
        let root = var.sqrt().ok_or_else(overflow)?;
        let scale = var.scale();
        Ok(Value::Numeric(root.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero)))
    } else {
        Ok(Value::Numeric(var))
    }
}

/// The per-group state of one aggregate call.
struct AggState {
    acc: Acc,
    /// For DISTINCT: the argument tuples already fed.
    seen: Option<HashSet<Vec<Value>>>,
    /// For aggregates with ORDER BY: buffered (sort key, args) pairs.
    buffered: Option<Vec<(Vec<Value>, Vec<Value>)>>,
}

impl AggState {
    fn new(call: &AggCall) -> Self {
        AggState {
            acc: Acc::new(call),
            seen: call.distinct.then(HashSet::new),
            buffered: (!call.order_by.is_empty()).then(Vec::new),
        }
    }

    fn feed(&mut self, call: &AggCall, row: &[Value], env: &Env) -> Result<()> {
        if let Some(f) = &call.filter {
            if !holds(f, row, env)? {
                return Ok(());
            }
        }
        let args: Vec<Value> = call.args.iter().map(|a| eval(a, row, env)).collect::<Result<_>>()?;
        if let Some(buf) = &mut self.buffered {
            let keys = call.order_by.iter().map(|k| eval(&k.expr, row, env)).collect::<Result<_>>()?;
            buf.push((keys, args));
            return Ok(());
        }
        self.feed_args(call, args)
    }

    fn feed_args(&mut self, call: &AggCall, args: Vec<Value>) -> Result<()> {
        if let Some(seen) = &mut self.seen {
            if args.first().is_some_and(Value::is_null) && !matches!(call.func, AggFunc::ArrayAgg) {
                return Ok(());
            }
            if !seen.insert(args.clone()) {
                return Ok(());
            }
        }
        self.acc.feed(call.func, &args)
    }

    fn finish(mut self, call: &AggCall) -> Result<Value> {
        if let Some(mut buf) = self.buffered.take() {
            buf.sort_by(|a, b| compare_keys(&call.order_by, &a.0, &b.0));
            for (_, args) in buf {
                self.feed_args(call, args)?;
            }
        }
        self.acc.finish(call)
    }
}

/// Groups its input with a hash table and computes the aggregates of each group.
pub struct AggregateOp<'p> {
    input: Box<dyn Operator + 'p>,
    group_by: &'p [Expr],
    aggs: &'p [AggCall],
    output: Option<std::vec::IntoIter<Tuple>>,
}

impl<'p> AggregateOp<'p> {
    pub fn new(input: Box<dyn Operator + 'p>, group_by: &'p [Expr], aggs: &'p [AggCall]) -> Self {
        AggregateOp { input, group_by, aggs, output: None }
    }

    fn compute(&mut self, env: &Env) -> Result<Vec<Tuple>> {
        let mut groups: HashMap<Vec<Value>, Vec<AggState>> = HashMap::new();
        let mut order: Vec<Vec<Value>> = Vec::new();
        while let Some(row) = self.input.next(env)? {
            let key: Vec<Value> = self.group_by.iter().map(|g| eval(g, &row, env)).collect::<Result<_>>()?;
            let states = match groups.get_mut(&key) {
                Some(s) => s,
                None => {
                    order.push(key.clone());
                    groups.entry(key).or_insert_with(|| self.aggs.iter().map(AggState::new).collect())
                }
            };
            for (state, call) in states.iter_mut().zip(self.aggs) {
                state.feed(call, &row, env)?;
            }
        }
        // Without GROUP BY there is exactly one group, even over no rows.
        if self.group_by.is_empty() && groups.is_empty() {
            order.push(Vec::new());
            groups.insert(Vec::new(), self.aggs.iter().map(AggState::new).collect());
        }
        let mut out = Vec::with_capacity(order.len());
        for key in order {
            let states = groups.remove(&key).expect("group recorded");
            let mut row = key;
            for (state, call) in states.into_iter().zip(self.aggs) {
                row.push(state.finish(call)?);
            }
            out.push(row);
        }
        Ok(out)
    }
}

impl Operator for AggregateOp<'_> {
    fn next(&mut self, env: &Env) -> Result<Option<Tuple>> {
        if self.output.is_none() {
            let rows = self.compute(env)?;
            self.output = Some(rows.into_iter());
        }
        Ok(self.output.as_mut().expect("computed").next())
    }
}
