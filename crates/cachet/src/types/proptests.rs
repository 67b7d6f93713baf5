//! Property tests for the type layer: every type's text output reads back to the same
//! value, and arbitrary input to the input functions, casts and date/time helpers
//! returns a value or an error but never panics.

use super::datetime::*;
use super::io::{format_value, parse_value};
use super::json::Jsonb;
use super::{cast, cast_context, Array, CastContext, DataType, Interval, NumericTypmod, TimeZone, Value};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::sync::Arc;

fn zones() -> impl Strategy<Value = TimeZone> {
    prop_oneof![
        Just(TimeZone::Utc),
        (-15 * 3600..15 * 3600i32).prop_map(TimeZone::Fixed),
        prop::sample::select(vec![
            "America/New_York",
            "Europe/Paris",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "America/St_Johns",
        ])
        .prop_map(|z| TimeZone::parse(z).expect("known zone")),
    ]
}

fn numeric() -> impl Strategy<Value = Decimal> {
    (any::<i128>(), 0u32..=28).prop_map(|(m, s)| {
        let m = m % (1i128 << 96);
        Decimal::try_from_i128_with_scale(m, s).unwrap_or_default()
    })
}

fn interval() -> impl Strategy<Value = Interval> {
    (any::<i32>(), any::<i32>(), (i64::MIN + 1)..=i64::MAX).prop_map(|(m, d, us)| Interval::new(m, d, us))
}

fn json_leaf() -> impl Strategy<Value = Jsonb> {
    prop_oneof![
        Just(Jsonb::Null),
        any::<bool>().prop_map(Jsonb::Bool),
        numeric().prop_map(Jsonb::number),
        "[a-z0-9 \"\\\\/\u{1}é😀]{0,8}".prop_map(Jsonb::String),
        (1u32..400, any::<bool>()).prop_map(|(e, neg)| {
            let text = format!("{}1.25e{}{e}", if neg { "-" } else { "" }, if e % 2 == 0 { "-" } else { "" });
            Jsonb::parse(&text).expect("valid number")
        }),
    ]
}

fn jsonb() -> impl Strategy<Value = Jsonb> {
    json_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Jsonb::Array),
            prop::collection::vec(("[a-c]{0,3}", inner), 0..6).prop_map(Jsonb::object),
        ]
    })
}

/// A value and its type, for every type.
fn typed_value() -> impl Strategy<Value = (Value, DataType)> {
    prop_oneof![
        any::<bool>().prop_map(|b| (Value::Bool(b), DataType::Bool)),
        any::<i16>().prop_map(|i| (Value::Int2(i), DataType::Int2)),
        any::<i32>().prop_map(|i| (Value::Int4(i), DataType::Int4)),
        any::<i64>().prop_map(|i| (Value::Int8(i), DataType::Int8)),
        any::<f32>().prop_map(|f| (Value::Float4(f), DataType::Float4)),
        any::<f64>().prop_map(|f| (Value::Float8(f), DataType::Float8)),
        numeric().prop_map(|d| (Value::Numeric(d), DataType::Numeric(None))),
        ".*".prop_map(|s: String| (Value::text(s), DataType::Text)),
        prop::collection::vec(any::<u8>(), 0..32).prop_map(|b| (Value::Bytea(b.into()), DataType::Bytea)),
        prop_oneof![DATE_MIN..DATE_END, Just(DATE_POS_INFINITY), Just(DATE_NEG_INFINITY)]
            .prop_map(|d| (Value::Date(d), DataType::Date)),
        (0..=USECS_PER_DAY).prop_map(|t| (Value::Time(t), DataType::Time)),
        prop_oneof![TIMESTAMP_MIN..TIMESTAMP_END, Just(TS_POS_INFINITY), Just(TS_NEG_INFINITY)]
            .prop_map(|t| (Value::Timestamp(t), DataType::Timestamp)),
        interval().prop_map(|i| (Value::Interval(i), DataType::Interval)),
        any::<[u8; 16]>().prop_map(|u| (Value::Uuid(u), DataType::Uuid)),
        jsonb().prop_map(|j| (Value::Jsonb(Arc::new(j)), DataType::Jsonb)),
        jsonb().prop_map(|j| (Value::Json(j.to_string().into()), DataType::Json)),
        prop::collection::vec(prop::option::of(any::<i32>()), 0..6).prop_map(|items| {
            let items = items.into_iter().map(|x| x.map_or(Value::Null, Value::Int4)).collect();
            (
                Value::Array(Arc::new(Array { element_type: DataType::Int4, items })),
                DataType::Array(Box::new(DataType::Int4)),
            )
        }),
        prop::collection::vec(prop::option::of(".{0,6}"), 0..6).prop_map(|items| {
            let items = items.into_iter().map(|x| x.map_or(Value::Null, Value::text)).collect();
            (
                Value::Array(Arc::new(Array { element_type: DataType::Text, items })),
                DataType::Array(Box::new(DataType::Text)),
            )
        }),
    ]
}

/// Equality for round trips: floats bitwise (so NaN and -0 count), the rest by `Eq`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float8(x), Value::Float8(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Value::Float4(x), Value::Float4(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Value::Numeric(x), Value::Numeric(y)) => x == y && x.scale() == y.scale(),
        (Value::Interval(x), Value::Interval(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.items.len() == y.items.len() && x.items.iter().zip(&y.items).all(|(p, q)| same(p, q))
        }
        _ => a == b && a.data_type() == b.data_type(),
    }
}

fn all_types() -> Vec<DataType> {
    use DataType::*;
    vec![
        Bool,
        Int2,
        Int4,
        Int8,
        Float4,
        Float8,
        Numeric(None),
        Numeric(Some(NumericTypmod { precision: 5, scale: 2 })),
        Text,
        Varchar(Some(3)),
        Char(Some(3)),
        Bytea,
        Date,
        Time,
        Timestamp,
        TimestampTz,
        Interval,
        Uuid,
        Json,
        Jsonb,
        Array(Box::new(Int4)),
        Array(Box::new(Text)),
        Array(Box::new(Date)),
        Unknown,
    ]
}

/// Strings made of the characters the parsers care about, to reach deep paths.
fn parser_noise() -> impl Strategy<Value = String> {
    "[0-9 :+\\-./,TZtzPYMDHSWabcdejlmnoprsuvwxy{}\\[\\]\"\\\\@]{0,40}"
}

proptest! {
    #[test]
    fn output_reads_back((v, ty) in typed_value()) {
        let tz = TimeZone::Utc;
        let text = format_value(&v, &tz);
        let back = parse_value(&text, &ty, &tz);
        prop_assert!(back.is_ok(), "{v:?} printed as {text:?} fails: {:?}", back.err());
        let back = back.unwrap_or_default();
        prop_assert!(same(&v, &back), "{v:?} -> {text:?} -> {back:?}");
    }

    #[test]
    fn timestamptz_reads_back_in_any_zone(
        ts in prop_oneof![
            (TIMESTAMP_MIN + 2 * USECS_PER_DAY)..(TIMESTAMP_END - 2 * USECS_PER_DAY),
            -(100 * 366 * USECS_PER_DAY)..(100 * 366 * USECS_PER_DAY),
        ],
        tz in zones(),
    ) {
        let v = Value::TimestampTz(ts);
        let text = format_value(&v, &tz);
        let back = parse_value(&text, &DataType::TimestampTz, &tz);
        prop_assert_eq!(back.ok(), Some(v), "{}", text);
    }

    #[test]
    fn jsonb_canonical_text_is_stable(j in jsonb()) {
        let text = j.to_string();
        let back = Jsonb::parse(&text);
        prop_assert!(back.is_ok(), "{text}");
        let back = back.unwrap_or(Jsonb::Null);
        prop_assert_eq!(&back, &j);
        prop_assert_eq!(back.to_string(), text);
        prop_assert!(j.contains(&back));
        let pretty = Jsonb::parse(&j.to_pretty_string());
        prop_assert_eq!(pretty.ok(), Some(j));
    }

    #[test]
    fn jsonb_order_is_total(a in jsonb(), b in jsonb(), c in jsonb()) {
        use std::cmp::Ordering;
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        if a.cmp(&b) != Ordering::Greater && b.cmp(&c) != Ordering::Greater {
            prop_assert!(a.cmp(&c) != Ordering::Greater);
        }
    }

    #[test]
    fn garbage_input_never_panics(s in ".{0,40}") {
        let tz = TimeZone::Utc;
        for ty in all_types() {
            let _ = parse_value(&s, &ty, &tz);
        }
        let _ = Jsonb::parse(&s);
        let _ = parse_interval(&s);
        let _ = TimeZone::parse(&s);
    }

    #[test]
    fn parser_noise_never_panics(s in parser_noise(), tz in zones()) {
        for ty in all_types() {
            if let Ok(v) = parse_value(&s, &ty, &tz) {
                // Whatever parses must print and parse again.
                let text = format_value(&v, &tz);
                let again = parse_value(&text, &ty, &tz);
                prop_assert!(again.is_ok(), "{s:?} as {ty} printed as {text:?}: {:?}", again.err());
            }
        }
    }

    #[test]
    fn casts_never_panic((v, _ty) in typed_value(), tz in zones()) {
        for to in all_types() {
            for ctx in [CastContext::Implicit, CastContext::Assignment, CastContext::Explicit] {
                let r = cast(v.clone(), &to, ctx, &tz);
                if r.is_err() {
                    continue;
                }
                prop_assert!(
                    cast_context(&v.data_type(), &to).is_some() || v.is_null() || to == DataType::Unknown,
                    "{v:?} -> {to} has no cast"
                );
            }
        }
    }

    #[test]
    fn datetime_helpers_never_panic(
        ts in any::<i64>(),
        d in any::<i32>(),
        iv in (any::<i32>(), any::<i32>(), any::<i64>()).prop_map(|(m, d, u)| Interval::new(m, d, u)),
        f in any::<f64>(),
        unit in "[a-z_]{0,12}",
        pattern in "[A-Za-z0-9 .,:\"\\\\-]{0,20}",
        input in "[A-Za-z0-9 .,:+-]{0,24}",
        tz in zones(),
    ) {
        let _ = timestamp_add_interval(ts, &iv);
        let _ = timestamptz_add_interval(ts, &iv, &tz);
        let _ = timestamp_diff(ts, ts / 3);
        let _ = interval_mul(&iv, f);
        let _ = interval_div(&iv, f);
        let _ = justify_interval(&iv);
        let _ = justify_days(&iv);
        let _ = justify_hours(&iv);
        let _ = age(ts, ts / 7);
        let _ = age_tz(ts, ts / 7, &tz);
        let _ = date_add_days(d, ts);
        let _ = date_trunc(&unit, ts);
        let _ = date_trunc_tz(&unit, ts, &tz);
        let _ = date_trunc_interval(&unit, &iv);
        for v in [Value::Timestamp(ts), Value::TimestampTz(ts), Value::Date(d), Value::Time(ts.rem_euclid(USECS_PER_DAY)), Value::Interval(iv)] {
            let _ = extract(&unit, &v, &tz);
            let _ = date_part(&unit, &v, &tz);
            let _ = format_value(&v, &tz);
        }
        let _ = to_char_timestamp(ts, &pattern, Some(&tz));
        let _ = to_char_interval(&iv, &pattern);
        let _ = to_char_number(&Value::Float8(f), &pattern);
        let _ = to_timestamp(&input, &pattern, &tz);
        let _ = to_date(&input, &pattern);
        let _ = to_timestamp_epoch(f);
        let _ = make_timestamp(d, d % 13, d % 32, d % 25, d % 60, f);
        let _ = make_interval(d, d, d, d, d, d, f);
    }
}
