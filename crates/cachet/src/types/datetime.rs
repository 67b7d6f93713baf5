//! Dates, times, timestamps and intervals: calendar math, text output and the
//! arithmetic, truncation and field-extraction functions of PostgreSQL 15.
//!
//! # Representation
//!
//! Values use PostgreSQL's own encodings (see [`Value`]): a `date` is days since
//! 2000-01-01, `time` is microseconds since midnight, `timestamp` and `timestamptz` are
//! microseconds since 2000-01-01 00:00:00 (UTC for `timestamptz`). Infinite dates and
//! timestamps are the extreme integers. Calendar conversion uses PostgreSQL's Julian-day
//! routines ([`date2j`], [`j2date`]) rather than chrono, so that the whole PostgreSQL
//! range works: dates from 4714-11-24 BC to 5874897-12-31, timestamps from 4714-11-24 BC
//! to 294276-12-31. Years are *astronomical* internally (year 0 is 1 BC), as in
//! PostgreSQL's `pg_tm`; output turns them into `BC` years. chrono conversions exist
//! for callers that want them ([`date_to_chrono`], [`timestamp_to_chrono`], ...).
//!
//! # Time zones
//!
//! `timestamptz` arithmetic and truncation that works in calendar units (days, months)
//! happens in local time of the given [`TimeZone`], then converts back to UTC with
//! PostgreSQL's DST rule, exactly as PostgreSQL does with the session `TimeZone`.
//!
//! # Submodules
//!
//! Text input (`'2024-01-31 13:04'`, `'1 day 02:00'`, ISO 8601 intervals, `now`, ...) is
//! in [`super::datetime_parse`], and `to_char`/`to_timestamp`/`to_date` templates are in
//! [`super::datetime_format`]; both are re-exported here.
//!
//! # Limits
//!
//! - `EXTRACT` returns NUMERIC; for an infinite input where PostgreSQL returns
//!   `Infinity`/`-Infinity` (year, epoch, ...), [`extract`] reports 0A000 since a
//!   [`Decimal`] has no infinity. [`date_part`] (float8) returns the infinity.
//! - Interval output supports only `IntervalStyle = postgres`; date output only
//!   `DateStyle = ISO`.
//! - Intervals have no infinite values (PostgreSQL 17 added them).

use super::timezone::{write_offset, TimeZone};
use super::value::{Interval, Value};
use crate::error::{Error, Result, SqlState};
use rust_decimal::Decimal;
use std::fmt::Write as _;

pub use super::datetime_format::{to_char_interval, to_char_number, to_char_timestamp, to_date, to_timestamp};
pub use super::datetime_parse::{parse_date, parse_interval, parse_time, parse_timestamp, parse_timestamptz};

/// Microseconds per second.
pub const USECS_PER_SEC: i64 = 1_000_000;
/// Microseconds per minute.
pub const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
/// Microseconds per hour.
pub const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
/// Microseconds per day.
pub const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;
/// Seconds per day.
pub const SECS_PER_DAY: i64 = 86_400;
/// Julian day number of 2000-01-01, the engine's epoch.
pub const POSTGRES_EPOCH_JDATE: i64 = 2_451_545;
/// Julian day number of 1970-01-01.
pub const UNIX_EPOCH_JDATE: i64 = 2_440_588;
/// Microseconds from 1970-01-01 to 2000-01-01.
pub const UNIX_TO_PG_MICROS: i64 = (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;

/// `date 'infinity'`.
pub const DATE_POS_INFINITY: i32 = i32::MAX;
/// `date '-infinity'`.
pub const DATE_NEG_INFINITY: i32 = i32::MIN;
/// `timestamp 'infinity'` (also for `timestamptz`).
pub const TS_POS_INFINITY: i64 = i64::MAX;
/// `timestamp '-infinity'` (also for `timestamptz`).
pub const TS_NEG_INFINITY: i64 = i64::MIN;

/// The first valid date (4714-11-24 BC, Julian day 0), in days since 2000-01-01.
pub const DATE_MIN: i32 = -(POSTGRES_EPOCH_JDATE as i32);
/// One past the last valid date (5874898-01-01).
pub const DATE_END: i32 = (2_147_483_494 - POSTGRES_EPOCH_JDATE) as i32;
/// The first valid timestamp (4714-11-24 00:00:00 BC).
pub const TIMESTAMP_MIN: i64 = -211_813_488_000_000_000;
/// One past the last valid timestamp (294277-01-01 00:00:00).
pub const TIMESTAMP_END: i64 = 9_223_371_331_200_000_000;

const DAY_TAB: [[i32; 12]; 2] =
    [[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]];

/// Month names, as `to_char` and date input use them.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Day names, Sunday first.
pub const DAY_NAMES: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

pub(crate) fn err_timestamp_range() -> Error {
    Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

pub(crate) fn err_date_range() -> Error {
    Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "date out of range")
}

pub(crate) fn err_interval_range() -> Error {
    Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

fn err_unit_not_recognized(unit: &str, type_name: &str) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("unit \"{unit}\" not recognized for type {type_name}"))
}

fn err_unit_not_supported(unit: &str, type_name: &str) -> Error {
    Error::new(SqlState::FEATURE_NOT_SUPPORTED, format!("unit \"{unit}\" not supported for type {type_name}"))
}

const TS_NAME: &str = "timestamp without time zone";
const TSTZ_NAME: &str = "timestamp with time zone";

// ---------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------

/// Whether an (astronomical) year is a leap year in the proleptic Gregorian calendar.
pub fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in a month (1-12) of an astronomical year.
pub fn days_in_month(year: i32, month: i32) -> i32 {
    DAY_TAB[is_leap(year) as usize][(month.clamp(1, 12) - 1) as usize]
}

/// The Julian day number of a date (PostgreSQL's `date2j`); year is astronomical.
pub fn date2j(year: i32, month: i32, day: i32) -> i64 {
    let (mut y, mut m) = (year as i64, month as i64);
    if m > 2 {
        m += 1;
        y += 4800;
    } else {
        m += 13;
        y += 4799;
    }
    let century = y.div_euclid(100);
    let mut julian = y * 365 - 32167;
    julian += y.div_euclid(4) - century + century.div_euclid(4);
    julian += 7834 * m / 256 + day as i64;
    julian
}

/// The date of a Julian day number (PostgreSQL's `j2date`), as an astronomical year,
/// month and day. Valid for non-negative day numbers.
pub fn j2date(jd: i64) -> (i32, i32, i32) {
    let mut julian = jd + 32044;
    let mut quad = julian.div_euclid(146_097);
    let extra = (julian - quad * 146_097) * 4 + 3;
    julian += 60 + quad * 3 + extra / 146_097;
    quad = julian.div_euclid(1461);
    julian -= quad * 1461;
    let mut y = julian * 4 / 1461;
    julian = if y != 0 { (julian + 305) % 365 } else { (julian + 306) % 366 } + 123;
    y += quad * 4;
    let year = y - 4800;
    let quad = julian * 2141 / 65536;
    let day = julian - 7834 * quad / 256;
    let month = (quad + 10) % 12 + 1;
    (year as i32, month as i32, day as i32)
}

/// Day of the week of a Julian day: 0 = Sunday.
pub fn j2day(jd: i64) -> i32 {
    (jd + 1).rem_euclid(7) as i32
}

/// Whether a year/month/day is inside the range the Julian-day routines support
/// (PostgreSQL's `IS_VALID_JULIAN`).
pub fn is_valid_julian(year: i32, month: i32) -> bool {
    (year > -4713 || (year == -4713 && month >= 11)) && (year < 5_874_898 || (year == 5_874_898 && month < 6))
}

/// Whether a finite date (days since 2000-01-01) is in range.
pub fn is_valid_date(d: i64) -> bool {
    (DATE_MIN as i64..DATE_END as i64).contains(&d)
}

/// Whether a finite timestamp is in range.
pub fn is_valid_timestamp(ts: i64) -> bool {
    (TIMESTAMP_MIN..TIMESTAMP_END).contains(&ts)
}

/// Broken-down date and time fields (PostgreSQL's `pg_tm`). `year` is astronomical
/// (0 = 1 BC); `micros` is the fraction of the second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateTimeFields {
    pub year: i32,
    pub month: i32,
    pub day: i32,
    pub hour: i32,
    pub minute: i32,
    pub second: i32,
    pub micros: i32,
}

impl DateTimeFields {
    /// Day of the week, 0 = Sunday.
    pub fn weekday(&self) -> i32 {
        j2day(date2j(self.year, self.month, self.day))
    }

    /// Day of the year, 1-based.
    pub fn day_of_year(&self) -> i32 {
        (date2j(self.year, self.month, self.day) - date2j(self.year, 1, 1) + 1) as i32
    }

    /// Microseconds since midnight.
    pub fn time_of_day(&self) -> i64 {
        ((self.hour as i64 * 60 + self.minute as i64) * 60 + self.second as i64) * USECS_PER_SEC + self.micros as i64
    }
}

/// Splits microseconds since midnight into hour, minute, second and microseconds.
pub fn time_to_hmsu(t: i64) -> (i32, i32, i32, i32) {
    let hour = t / USECS_PER_HOUR;
    let t = t - hour * USECS_PER_HOUR;
    let minute = t / USECS_PER_MINUTE;
    let t = t - minute * USECS_PER_MINUTE;
    let second = t / USECS_PER_SEC;
    let micros = t - second * USECS_PER_SEC;
    (hour as i32, minute as i32, second as i32, micros as i32)
}

/// Breaks a date (days since 2000-01-01) into astronomical year, month and day.
/// Infinite dates give the ends of the valid range.
pub fn date_to_ymd(d: i32) -> (i32, i32, i32) {
    let d = (d as i64).clamp(DATE_MIN as i64, DATE_END as i64 - 1);
    j2date(d + POSTGRES_EPOCH_JDATE)
}

/// The date for an astronomical year, month and day, with PostgreSQL's range and
/// validity checks (22008 `date out of range` / `date field value out of range`).
pub fn ymd_to_date(year: i32, month: i32, day: i32) -> Result<i32> {
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(Error::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("date field value out of range: {year}-{month:02}-{day:02}"),
        ));
    }
    if !is_valid_julian(year, month) {
        return Err(err_date_range());
    }
    let d = date2j(year, month, day) - POSTGRES_EPOCH_JDATE;
    if !is_valid_date(d) {
        return Err(err_date_range());
    }
    Ok(d as i32)
}

/// Breaks a finite timestamp into fields (PostgreSQL's `timestamp2tm` without a
/// zone). Returns `None` for infinite or out-of-range values.
pub fn timestamp_to_fields(ts: i64) -> Option<DateTimeFields> {
    if ts == TS_POS_INFINITY || ts == TS_NEG_INFINITY {
        return None;
    }
    let date = ts.div_euclid(USECS_PER_DAY) + POSTGRES_EPOCH_JDATE;
    let time = ts.rem_euclid(USECS_PER_DAY);
    if !(0..=i32::MAX as i64).contains(&date) {
        return None;
    }
    let (year, month, day) = j2date(date);
    let (hour, minute, second, micros) = time_to_hmsu(time);
    Some(DateTimeFields { year, month, day, hour, minute, second, micros })
}

/// Builds a timestamp from fields (PostgreSQL's `tm2timestamp` without a zone),
/// failing with 22008 `timestamp out of range`.
pub fn fields_to_timestamp(f: &DateTimeFields) -> Result<i64> {
    if !is_valid_julian(f.year, f.month) {
        return Err(err_timestamp_range());
    }
    let date = date2j(f.year, f.month, f.day) - POSTGRES_EPOCH_JDATE;
    let time = f.time_of_day();
    let ts = date.checked_mul(USECS_PER_DAY).and_then(|v| v.checked_add(time)).ok_or_else(err_timestamp_range)?;
    if !is_valid_timestamp(ts) {
        return Err(err_timestamp_range());
    }
    Ok(ts)
}

/// Fields of a `timestamptz` in a zone, with the offset (seconds east) in effect.
pub fn timestamptz_to_fields(ts: i64, tz: &TimeZone) -> Option<(DateTimeFields, i32)> {
    if ts == TS_POS_INFINITY || ts == TS_NEG_INFINITY {
        return None;
    }
    let offset = tz.offset_at(ts);
    let local = ts.checked_add(offset as i64 * USECS_PER_SEC)?;
    timestamp_to_fields(local).map(|f| (f, offset))
}

/// The UTC `timestamptz` of local fields in a zone, resolving DST as PostgreSQL does.
pub fn fields_to_timestamptz(f: &DateTimeFields, tz: &TimeZone) -> Result<i64> {
    let local = fields_to_timestamp(f)?;
    local_to_timestamptz(local, tz)
}

/// Converts a local wall-clock timestamp to UTC in a zone, checking the range.
pub fn local_to_timestamptz(local: i64, tz: &TimeZone) -> Result<i64> {
    if local == TS_POS_INFINITY || local == TS_NEG_INFINITY {
        return Ok(local);
    }
    let offset = tz.offset_for_local(local) as i64;
    let utc = local.checked_sub(offset * USECS_PER_SEC).ok_or_else(err_timestamp_range)?;
    if !is_valid_timestamp(utc) {
        return Err(err_timestamp_range());
    }
    Ok(utc)
}

/// The current time as a `timestamptz` (microseconds since 2000-01-01 UTC).
pub fn now_micros() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_micros() as i64 - UNIX_TO_PG_MICROS,
        Err(e) => -(e.duration().as_micros() as i64) - UNIX_TO_PG_MICROS,
    }
}

// ---------------------------------------------------------------------------
// chrono conversions
// ---------------------------------------------------------------------------

/// A finite date as a chrono date; `None` for infinities and years chrono lacks.
pub fn date_to_chrono(d: i32) -> Option<chrono::NaiveDate> {
    if d == DATE_POS_INFINITY || d == DATE_NEG_INFINITY {
        return None;
    }
    let (y, m, day) = date_to_ymd(d);
    chrono::NaiveDate::from_ymd_opt(y, m as u32, day as u32)
}

/// A chrono date as days since 2000-01-01.
pub fn date_from_chrono(d: chrono::NaiveDate) -> Result<i32> {
    use chrono::Datelike;
    ymd_to_date(d.year(), d.month() as i32, d.day() as i32)
}

/// A finite timestamp as a chrono date-time; `None` for infinities and years chrono
/// lacks.
pub fn timestamp_to_chrono(ts: i64) -> Option<chrono::NaiveDateTime> {
    let f = timestamp_to_fields(ts)?;
    chrono::NaiveDate::from_ymd_opt(f.year, f.month as u32, f.day as u32)?.and_hms_micro_opt(
        f.hour as u32,
        f.minute as u32,
        f.second as u32,
        f.micros as u32,
    )
}

/// A chrono date-time as a timestamp.
pub fn timestamp_from_chrono(dt: chrono::NaiveDateTime) -> Result<i64> {
    let micros = dt.and_utc().timestamp_micros();
    let ts = micros.checked_sub(UNIX_TO_PG_MICROS).ok_or_else(err_timestamp_range)?;
    if !is_valid_timestamp(ts) {
        return Err(err_timestamp_range());
    }
    Ok(ts)
}

/// A finite `timestamptz` as a chrono UTC date-time.
pub fn timestamptz_to_chrono(ts: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    timestamp_to_chrono(ts).map(|n| n.and_utc())
}

/// A chrono date-time in any zone as a `timestamptz`.
pub fn timestamptz_from_chrono<Z: chrono::TimeZone>(dt: chrono::DateTime<Z>) -> Result<i64> {
    timestamp_from_chrono(dt.naive_utc())
}

/// A `time` value as a chrono time (24:00:00 is not representable and gives `None`).
pub fn time_to_chrono(t: i64) -> Option<chrono::NaiveTime> {
    let (h, m, s, us) = time_to_hmsu(t);
    chrono::NaiveTime::from_hms_micro_opt(h as u32, m as u32, s as u32, us as u32)
}

/// A chrono time as microseconds since midnight.
pub fn time_from_chrono(t: chrono::NaiveTime) -> i64 {
    use chrono::Timelike;
    t.num_seconds_from_midnight() as i64 * USECS_PER_SEC + (t.nanosecond() / 1000).min(999_999) as i64
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

fn push_padded(buf: &mut String, v: i64, width: usize) {
    let mut tmp = [0u8; 24];
    let mut n = 0;
    let mut x = v.unsigned_abs();
    loop {
        tmp[n] = b'0' + (x % 10) as u8;
        n += 1;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    if v < 0 {
        buf.push('-');
    }
    for _ in n..width {
        buf.push('0');
    }
    for i in (0..n).rev() {
        buf.push(tmp[i] as char);
    }
}

/// Appends seconds as `SS` plus a fraction with trailing zeros trimmed.
fn push_seconds(buf: &mut String, sec: i64, micros: i64) {
    push_padded(buf, sec, 2);
    if micros != 0 {
        buf.push('.');
        let mut frac = micros;
        let mut width = 6;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        push_padded(buf, frac, width);
    }
}

fn push_ymd(buf: &mut String, year: i32, month: i32, day: i32) {
    let shown = if year > 0 { year } else { 1 - year };
    push_padded(buf, shown as i64, 4);
    buf.push('-');
    push_padded(buf, month as i64, 2);
    buf.push('-');
    push_padded(buf, day as i64, 2);
}

fn push_hms(buf: &mut String, f: &DateTimeFields) {
    push_padded(buf, f.hour as i64, 2);
    buf.push(':');
    push_padded(buf, f.minute as i64, 2);
    buf.push(':');
    push_seconds(buf, f.second as i64, f.micros as i64);
}

/// Appends a date as `YYYY-MM-DD` (`0044-03-15 BC`, `infinity`).
pub fn write_date(buf: &mut String, d: i32) {
    match d {
        DATE_POS_INFINITY => buf.push_str("infinity"),
        DATE_NEG_INFINITY => buf.push_str("-infinity"),
        _ => {
            let (y, m, day) = date_to_ymd(d);
            push_ymd(buf, y, m, day);
            if y <= 0 {
                buf.push_str(" BC");
            }
        }
    }
}

/// Appends a time of day as `HH:MM:SS[.ffffff]`.
pub fn write_time(buf: &mut String, t: i64) {
    let (h, m, s, us) = time_to_hmsu(t);
    push_padded(buf, h as i64, 2);
    buf.push(':');
    push_padded(buf, m as i64, 2);
    buf.push(':');
    push_seconds(buf, s as i64, us as i64);
}

/// Appends a timestamp as `YYYY-MM-DD HH:MM:SS[.ffffff][ BC]`.
pub fn write_timestamp(buf: &mut String, ts: i64) {
    match ts {
        TS_POS_INFINITY => buf.push_str("infinity"),
        TS_NEG_INFINITY => buf.push_str("-infinity"),
        _ => match timestamp_to_fields(ts) {
            Some(f) => {
                push_ymd(buf, f.year, f.month, f.day);
                buf.push(' ');
                push_hms(buf, &f);
                if f.year <= 0 {
                    buf.push_str(" BC");
                }
            }
            None => buf.push_str("(invalid timestamp)"),
        },
    }
}

/// Appends a `timestamptz` in a zone as `YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM][ BC]`.
pub fn write_timestamptz(buf: &mut String, ts: i64, tz: &TimeZone) {
    match ts {
        TS_POS_INFINITY => buf.push_str("infinity"),
        TS_NEG_INFINITY => buf.push_str("-infinity"),
        _ => match timestamptz_to_fields(ts, tz) {
            Some((f, offset)) => {
                push_ymd(buf, f.year, f.month, f.day);
                buf.push(' ');
                push_hms(buf, &f);
                write_offset(buf, offset);
                if f.year <= 0 {
                    buf.push_str(" BC");
                }
            }
            None => buf.push_str("(invalid timestamp)"),
        },
    }
}

/// Interval fields as PostgreSQL's `interval2itm` splits them: years, months, days,
/// hours, minutes, seconds, microseconds, each carrying the sign of its source field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IntervalFields {
    pub years: i32,
    pub months: i32,
    pub days: i32,
    pub hours: i64,
    pub minutes: i64,
    pub seconds: i64,
    pub micros: i64,
}

/// Splits an interval into its display fields (truncating divisions, as PostgreSQL).
pub fn interval_to_fields(iv: &Interval) -> IntervalFields {
    let mut t = iv.micros;
    let hours = t / USECS_PER_HOUR;
    t -= hours * USECS_PER_HOUR;
    let minutes = t / USECS_PER_MINUTE;
    t -= minutes * USECS_PER_MINUTE;
    let seconds = t / USECS_PER_SEC;
    let micros = t - seconds * USECS_PER_SEC;
    IntervalFields { years: iv.months / 12, months: iv.months % 12, days: iv.days, hours, minutes, seconds, micros }
}

fn push_interval_part(buf: &mut String, value: i64, unit: &str, is_zero: &mut bool, is_before: &mut bool) {
    if value == 0 {
        return;
    }
    if !*is_zero {
        buf.push(' ');
    }
    if *is_before && value > 0 {
        buf.push('+');
    }
    let _ = write!(buf, "{value} {unit}");
    if value != 1 {
        buf.push('s');
    }
    *is_before = value < 0;
    *is_zero = false;
}

/// Appends an interval in `IntervalStyle = postgres` format
/// (`1 year 2 mons 3 days 04:05:06.5`, `-1 days +02:00:00`, `00:00:00`).
pub fn write_interval(buf: &mut String, iv: &Interval) {
    let f = interval_to_fields(iv);
    let mut is_zero = true;
    let mut is_before = false;
    push_interval_part(buf, f.years as i64, "year", &mut is_zero, &mut is_before);
    push_interval_part(buf, f.months as i64, "mon", &mut is_zero, &mut is_before);
    push_interval_part(buf, f.days as i64, "day", &mut is_zero, &mut is_before);
    if is_zero || f.hours != 0 || f.minutes != 0 || f.seconds != 0 || f.micros != 0 {
        let minus = f.hours < 0 || f.minutes < 0 || f.seconds < 0 || f.micros < 0;
        if !is_zero {
            buf.push(' ');
        }
        if minus {
            buf.push('-');
        } else if is_before {
            buf.push('+');
        }
        // NB: `hours` may exceed two digits (and i32) for long intervals.
        push_padded(buf, f.hours.unsigned_abs() as i64, 2);
        buf.push(':');
        push_padded(buf, f.minutes.abs(), 2);
        buf.push(':');
        push_seconds(buf, f.seconds.abs(), f.micros.abs());
    }
}

/// Formats a date.
pub fn format_date(d: i32) -> String {
    let mut s = String::with_capacity(13);
    write_date(&mut s, d);
    s
}

/// Formats a time.
pub fn format_time(t: i64) -> String {
    let mut s = String::with_capacity(15);
    write_time(&mut s, t);
    s
}

/// Formats a timestamp.
pub fn format_timestamp(ts: i64) -> String {
    let mut s = String::with_capacity(26);
    write_timestamp(&mut s, ts);
    s
}

/// Formats a `timestamptz` in a zone.
pub fn format_timestamptz(ts: i64, tz: &TimeZone) -> String {
    let mut s = String::with_capacity(32);
    write_timestamptz(&mut s, ts, tz);
    s
}

/// Formats an interval.
pub fn format_interval(iv: &Interval) -> String {
    let mut s = String::with_capacity(32);
    write_interval(&mut s, iv);
    s
}

/// Appends a timestamp in the XSD/JSON format `to_json` uses:
/// `2024-01-31T13:04:05.5`, and for `timestamptz` with an offset `+00:00`.
pub fn write_timestamp_json(buf: &mut String, ts: i64, tz: Option<&TimeZone>) {
    if ts == TS_POS_INFINITY {
        buf.push_str("infinity");
        return;
    }
    if ts == TS_NEG_INFINITY {
        buf.push_str("-infinity");
        return;
    }
    let (f, offset) = match tz {
        Some(tz) => match timestamptz_to_fields(ts, tz) {
            Some((f, o)) => (f, Some(o)),
            None => return,
        },
        None => match timestamp_to_fields(ts) {
            Some(f) => (f, None),
            None => return,
        },
    };
    push_ymd(buf, f.year, f.month, f.day);
    buf.push('T');
    push_hms(buf, &f);
    if let Some(o) = offset {
        let abs = o.unsigned_abs();
        buf.push(if o < 0 { '-' } else { '+' });
        push_padded(buf, (abs / 3600) as i64, 2);
        buf.push(':');
        push_padded(buf, ((abs / 60) % 60) as i64, 2);
        if abs % 60 != 0 {
            buf.push(':');
            push_padded(buf, (abs % 60) as i64, 2);
        }
    }
    if f.year <= 0 {
        buf.push_str(" BC");
    }
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

fn is_infinite_ts(ts: i64) -> bool {
    ts == TS_POS_INFINITY || ts == TS_NEG_INFINITY
}

fn is_infinite_date(d: i32) -> bool {
    d == DATE_POS_INFINITY || d == DATE_NEG_INFINITY
}

/// Adds a number of months to broken-down fields, clamping the day to the end of the
/// resulting month (`Jan 31 + 1 month = Feb 29`).
fn add_months_to_fields(f: &mut DateTimeFields, months: i32) -> Result<()> {
    let total = f.year as i64 * 12 + (f.month as i64 - 1) + months as i64;
    let year = total.div_euclid(12);
    let year = i32::try_from(year).map_err(|_| err_timestamp_range())?;
    f.year = year;
    f.month = total.rem_euclid(12) as i32 + 1;
    f.day = f.day.min(days_in_month(f.year, f.month));
    Ok(())
}

fn add_days_to_fields(f: &mut DateTimeFields, days: i32) -> Result<()> {
    let j = date2j(f.year, f.month, f.day) + days as i64;
    if !(0..=i32::MAX as i64).contains(&j) {
        return Err(err_timestamp_range());
    }
    let (y, m, d) = j2date(j);
    f.year = y;
    f.month = m;
    f.day = d;
    Ok(())
}

/// `timestamp + interval`: months first (clamping the day of month), then days, then
/// the time part, as PostgreSQL's `timestamp_pl_interval`. Infinite timestamps are
/// returned unchanged.
pub fn timestamp_add_interval(ts: i64, iv: &Interval) -> Result<i64> {
    if is_infinite_ts(ts) {
        return Ok(ts);
    }
    let mut ts = ts;
    if iv.months != 0 {
        let mut f = timestamp_to_fields(ts).ok_or_else(err_timestamp_range)?;
        add_months_to_fields(&mut f, iv.months)?;
        ts = fields_to_timestamp(&f)?;
    }
    if iv.days != 0 {
        let mut f = timestamp_to_fields(ts).ok_or_else(err_timestamp_range)?;
        add_days_to_fields(&mut f, iv.days)?;
        ts = fields_to_timestamp(&f)?;
    }
    let ts = ts.checked_add(iv.micros).ok_or_else(err_timestamp_range)?;
    if !is_valid_timestamp(ts) {
        return Err(err_timestamp_range());
    }
    Ok(ts)
}

/// `timestamp - interval`.
pub fn timestamp_sub_interval(ts: i64, iv: &Interval) -> Result<i64> {
    timestamp_add_interval(ts, &interval_neg(iv)?)
}

/// `timestamptz + interval` in a zone: months and days are added in local time (so
/// `+ 1 day` across a DST change keeps the wall-clock time), then the time part is
/// added to the UTC instant, as PostgreSQL's `timestamptz_pl_interval`.
pub fn timestamptz_add_interval(ts: i64, iv: &Interval, tz: &TimeZone) -> Result<i64> {
    if is_infinite_ts(ts) {
        return Ok(ts);
    }
    let mut ts = ts;
    if iv.months != 0 {
        let (mut f, _) = timestamptz_to_fields(ts, tz).ok_or_else(err_timestamp_range)?;
        add_months_to_fields(&mut f, iv.months)?;
        ts = fields_to_timestamptz(&f, tz)?;
    }
    if iv.days != 0 {
        let (mut f, _) = timestamptz_to_fields(ts, tz).ok_or_else(err_timestamp_range)?;
        add_days_to_fields(&mut f, iv.days)?;
        ts = fields_to_timestamptz(&f, tz)?;
    }
    let ts = ts.checked_add(iv.micros).ok_or_else(err_timestamp_range)?;
    if !is_valid_timestamp(ts) {
        return Err(err_timestamp_range());
    }
    Ok(ts)
}

/// `timestamptz - interval` in a zone.
pub fn timestamptz_sub_interval(ts: i64, iv: &Interval, tz: &TimeZone) -> Result<i64> {
    timestamptz_add_interval(ts, &interval_neg(iv)?, tz)
}

/// `timestamp - timestamp` (also `timestamptz - timestamptz`): the difference in
/// microseconds, then whole days split out with [`justify_hours`], as PostgreSQL.
pub fn timestamp_diff(a: i64, b: i64) -> Result<Interval> {
    if is_infinite_ts(a) || is_infinite_ts(b) {
        return Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "cannot subtract infinite timestamps"));
    }
    let micros = a.checked_sub(b).ok_or_else(err_interval_range)?;
    justify_hours(&Interval::new(0, 0, micros))
}

/// `date + integer`.
pub fn date_add_days(d: i32, days: i64) -> Result<i32> {
    if is_infinite_date(d) {
        return Ok(d);
    }
    let r = (d as i64).saturating_add(days);
    if !is_valid_date(r) {
        return Err(err_date_range());
    }
    Ok(r as i32)
}

/// `date - date`, in days.
pub fn date_diff(a: i32, b: i32) -> Result<i32> {
    if is_infinite_date(a) || is_infinite_date(b) {
        return Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "cannot subtract infinite dates"));
    }
    i32::try_from(a as i64 - b as i64).map_err(|_| err_date_range())
}

/// `date` to `timestamp` (midnight), with PostgreSQL's range error.
pub fn date_to_timestamp(d: i32) -> Result<i64> {
    match d {
        DATE_POS_INFINITY => Ok(TS_POS_INFINITY),
        DATE_NEG_INFINITY => Ok(TS_NEG_INFINITY),
        _ => match (d as i64).checked_mul(USECS_PER_DAY) {
            Some(ts) if is_valid_timestamp(ts) => Ok(ts),
            _ => Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "date out of range for timestamp")),
        },
    }
}

/// `date` to `timestamptz`: local midnight in the zone.
pub fn date_to_timestamptz(d: i32, tz: &TimeZone) -> Result<i64> {
    let local = date_to_timestamp(d)?;
    local_to_timestamptz(local, tz)
        .map_err(|_| Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "date out of range for timestamp"))
}

/// `timestamp` to `date` (the date part).
pub fn timestamp_to_date(ts: i64) -> Result<i32> {
    match ts {
        TS_POS_INFINITY => Ok(DATE_POS_INFINITY),
        TS_NEG_INFINITY => Ok(DATE_NEG_INFINITY),
        _ => Ok(ts.div_euclid(USECS_PER_DAY) as i32),
    }
}

/// `timestamptz` to `date` in a zone.
pub fn timestamptz_to_date(ts: i64, tz: &TimeZone) -> Result<i32> {
    timestamp_to_date(timestamptz_to_timestamp(ts, tz)?)
}

/// `timestamp` to `time` (the time of day); `None` (SQL NULL, as PostgreSQL) for
/// infinite timestamps.
pub fn timestamp_to_time(ts: i64) -> Option<i64> {
    if is_infinite_ts(ts) {
        return None;
    }
    Some(ts.rem_euclid(USECS_PER_DAY))
}

/// `timestamptz` to `time` in a zone; `None` for infinite timestamps.
pub fn timestamptz_to_time(ts: i64, tz: &TimeZone) -> Option<i64> {
    if is_infinite_ts(ts) {
        return None;
    }
    Some(tz.utc_to_local(ts).rem_euclid(USECS_PER_DAY))
}

/// `timestamptz` to `timestamp`: the local wall-clock time in the zone.
pub fn timestamptz_to_timestamp(ts: i64, tz: &TimeZone) -> Result<i64> {
    if is_infinite_ts(ts) {
        return Ok(ts);
    }
    let local = ts.checked_add(tz.offset_at(ts) as i64 * USECS_PER_SEC).ok_or_else(err_timestamp_range)?;
    if !is_valid_timestamp(local) {
        return Err(err_timestamp_range());
    }
    Ok(local)
}

/// `timestamp` to `timestamptz`: the wall-clock time read in the zone.
pub fn timestamp_to_timestamptz(ts: i64, tz: &TimeZone) -> Result<i64> {
    local_to_timestamptz(ts, tz)
}

/// `date + time` = `timestamp`.
pub fn date_add_time(d: i32, t: i64) -> Result<i64> {
    let ts = date_to_timestamp(d)?;
    if is_infinite_ts(ts) {
        return Ok(ts);
    }
    let r = ts.checked_add(t).ok_or_else(err_timestamp_range)?;
    if !is_valid_timestamp(r) {
        return Err(err_timestamp_range());
    }
    Ok(r)
}

/// `date + interval` = `timestamp`.
pub fn date_add_interval(d: i32, iv: &Interval) -> Result<i64> {
    timestamp_add_interval(date_to_timestamp(d)?, iv)
}

/// `time + interval`: wraps around midnight; months and days are ignored.
pub fn time_add_interval(t: i64, iv: &Interval) -> i64 {
    (t as i128 + iv.micros as i128).rem_euclid(USECS_PER_DAY as i128) as i64
}

/// `time - interval`.
pub fn time_sub_interval(t: i64, iv: &Interval) -> i64 {
    (t as i128 - iv.micros as i128).rem_euclid(USECS_PER_DAY as i128) as i64
}

/// `time - time` = `interval` (microseconds only).
pub fn time_diff(a: i64, b: i64) -> Interval {
    Interval::new(0, 0, a - b)
}

/// `time` to `interval`.
pub fn time_to_interval(t: i64) -> Interval {
    Interval::new(0, 0, t)
}

/// `interval` to `time`: the time part modulo one day.
pub fn interval_to_time(iv: &Interval) -> i64 {
    iv.micros.rem_euclid(USECS_PER_DAY)
}

/// `- interval`.
pub fn interval_neg(iv: &Interval) -> Result<Interval> {
    Ok(Interval::new(
        iv.months.checked_neg().ok_or_else(err_interval_range)?,
        iv.days.checked_neg().ok_or_else(err_interval_range)?,
        iv.micros.checked_neg().ok_or_else(err_interval_range)?,
    ))
}

/// `interval + interval`, field by field.
pub fn interval_add(a: &Interval, b: &Interval) -> Result<Interval> {
    Ok(Interval::new(
        a.months.checked_add(b.months).ok_or_else(err_interval_range)?,
        a.days.checked_add(b.days).ok_or_else(err_interval_range)?,
        a.micros.checked_add(b.micros).ok_or_else(err_interval_range)?,
    ))
}

/// `interval - interval`, field by field.
pub fn interval_sub(a: &Interval, b: &Interval) -> Result<Interval> {
    Ok(Interval::new(
        a.months.checked_sub(b.months).ok_or_else(err_interval_range)?,
        a.days.checked_sub(b.days).ok_or_else(err_interval_range)?,
        a.micros.checked_sub(b.micros).ok_or_else(err_interval_range)?,
    ))
}

/// Rounds to microsecond precision (PostgreSQL's `TSROUND`).
fn tsround(x: f64) -> f64 {
    (x * 1e6).round_ties_even() / 1e6
}

fn f64_to_i32_checked(x: f64) -> Result<i32> {
    if x.is_nan() || x > i32::MAX as f64 || x < i32::MIN as f64 {
        return Err(err_interval_range());
    }
    Ok(x as i32)
}

/// `interval * float8`: whole months and days stay in their fields, and fractions
/// cascade down (a month as 30 days, a day as 24 hours), as PostgreSQL 15's
/// `interval_mul`.
pub fn interval_mul(iv: &Interval, factor: f64) -> Result<Interval> {
    let months = f64_to_i32_checked(iv.months as f64 * factor)?;
    let mut days = f64_to_i32_checked(iv.days as f64 * factor)?;
    let month_remainder_days = tsround((iv.months as f64 * factor - months as f64) * 30.0);
    let mut sec_remainder = tsround(
        (iv.days as f64 * factor - days as f64 + month_remainder_days - month_remainder_days.trunc())
            * SECS_PER_DAY as f64,
    );
    if sec_remainder.abs() >= SECS_PER_DAY as f64 {
        let extra = (sec_remainder / SECS_PER_DAY as f64).trunc();
        days = days.checked_add(f64_to_i32_checked(extra)?).ok_or_else(err_interval_range)?;
        sec_remainder -= extra * SECS_PER_DAY as f64;
    }
    days = days.checked_add(f64_to_i32_checked(month_remainder_days.trunc())?).ok_or_else(err_interval_range)?;
    let micros = (iv.micros as f64 * factor + sec_remainder * USECS_PER_SEC as f64).round_ties_even();
    if micros.is_nan() || !(-9.223372036854776e18..9.223372036854776e18).contains(&micros) {
        return Err(err_interval_range());
    }
    Ok(Interval::new(months, days, micros as i64))
}

/// `interval / float8`, as PostgreSQL 15's `interval_div` (22012 on zero).
pub fn interval_div(iv: &Interval, divisor: f64) -> Result<Interval> {
    if divisor == 0.0 {
        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
    }
    let months = f64_to_i32_checked(iv.months as f64 / divisor)?;
    let mut days = f64_to_i32_checked(iv.days as f64 / divisor)?;
    let month_remainder_days = tsround((iv.months as f64 / divisor - months as f64) * 30.0);
    let mut sec_remainder = tsround(
        (iv.days as f64 / divisor - days as f64 + month_remainder_days - month_remainder_days.trunc())
            * SECS_PER_DAY as f64,
    );
    if sec_remainder.abs() >= SECS_PER_DAY as f64 {
        let extra = (sec_remainder / SECS_PER_DAY as f64).trunc();
        days = days.checked_add(f64_to_i32_checked(extra)?).ok_or_else(err_interval_range)?;
        sec_remainder -= extra * SECS_PER_DAY as f64;
    }
    days = days.checked_add(f64_to_i32_checked(month_remainder_days.trunc())?).ok_or_else(err_interval_range)?;
    let micros = (iv.micros as f64 / divisor + sec_remainder * USECS_PER_SEC as f64).round_ties_even();
    if micros.is_nan() || !(-9.223372036854776e18..9.223372036854776e18).contains(&micros) {
        return Err(err_interval_range());
    }
    Ok(Interval::new(months, days, micros as i64))
}

/// `justify_hours`: moves whole 24-hour periods of the time part into days, keeping
/// days and time of the same sign.
pub fn justify_hours(iv: &Interval) -> Result<Interval> {
    let whole_days = iv.micros / USECS_PER_DAY;
    let mut micros = iv.micros - whole_days * USECS_PER_DAY;
    let mut days = i32::try_from(iv.days as i64 + whole_days).map_err(|_| err_interval_range())?;
    if days > 0 && micros < 0 {
        micros += USECS_PER_DAY;
        days -= 1;
    } else if days < 0 && micros > 0 {
        micros -= USECS_PER_DAY;
        days += 1;
    }
    Ok(Interval::new(iv.months, days, micros))
}

/// `justify_days`: moves whole 30-day periods into months, keeping months and days
/// of the same sign.
pub fn justify_days(iv: &Interval) -> Result<Interval> {
    let whole_months = iv.days / 30;
    let mut days = iv.days - whole_months * 30;
    let mut months = iv.months.checked_add(whole_months).ok_or_else(err_interval_range)?;
    if months > 0 && days < 0 {
        days += 30;
        months -= 1;
    } else if months < 0 && days > 0 {
        days -= 30;
        months += 1;
    }
    Ok(Interval::new(months, days, iv.micros))
}

/// `justify_interval`: [`justify_hours`] then [`justify_days`], with the signs of all
/// three fields made to agree.
pub fn justify_interval(iv: &Interval) -> Result<Interval> {
    let whole_days = iv.micros / USECS_PER_DAY;
    let mut micros = iv.micros - whole_days * USECS_PER_DAY;
    let days = iv.days as i64 + whole_days;
    let whole_months = days / 30;
    let mut days = days - whole_months * 30;
    let mut months = iv.months as i64 + whole_months;
    if months > 0 && (days < 0 || (days == 0 && micros < 0)) {
        days += 30;
        months -= 1;
    } else if months < 0 && (days > 0 || (days == 0 && micros > 0)) {
        days -= 30;
        months += 1;
    }
    if days > 0 && micros < 0 {
        micros += USECS_PER_DAY;
        days -= 1;
    } else if days < 0 && micros > 0 {
        micros -= USECS_PER_DAY;
        days += 1;
    }
    Ok(Interval::new(
        i32::try_from(months).map_err(|_| err_interval_range())?,
        i32::try_from(days).map_err(|_| err_interval_range())?,
        micros,
    ))
}

fn age_fields(t1: &DateTimeFields, t2: &DateTimeFields, negate: bool) -> Result<Interval> {
    let mut micros = t1.micros as i64 - t2.micros as i64;
    let mut sec = t1.second as i64 - t2.second as i64;
    let mut min = t1.minute as i64 - t2.minute as i64;
    let mut hour = t1.hour as i64 - t2.hour as i64;
    let mut day = t1.day as i64 - t2.day as i64;
    let mut mon = t1.month as i64 - t2.month as i64;
    let mut year = t1.year as i64 - t2.year as i64;
    if negate {
        micros = -micros;
        sec = -sec;
        min = -min;
        hour = -hour;
        day = -day;
        mon = -mon;
        year = -year;
    }
    while micros < 0 {
        micros += USECS_PER_SEC;
        sec -= 1;
    }
    while sec < 0 {
        sec += 60;
        min -= 1;
    }
    while min < 0 {
        min += 60;
        hour -= 1;
    }
    while hour < 0 {
        hour += 24;
        day -= 1;
    }
    while day < 0 {
        let base = if negate { t1 } else { t2 };
        day += days_in_month(base.year, base.month) as i64;
        mon -= 1;
    }
    while mon < 0 {
        mon += 12;
        year -= 1;
    }
    if negate {
        micros = -micros;
        sec = -sec;
        min = -min;
        hour = -hour;
        day = -day;
        mon = -mon;
        year = -year;
    }
    let months = i32::try_from(year * 12 + mon).map_err(|_| err_interval_range())?;
    let days = i32::try_from(day).map_err(|_| err_interval_range())?;
    let time = ((hour * 60 + min) * 60 + sec) * USECS_PER_SEC + micros;
    Ok(Interval::new(months, days, time))
}

/// `age(timestamp, timestamp)`: the symbolic difference in years, months and days,
/// as PostgreSQL's `timestamp_age`.
pub fn age(a: i64, b: i64) -> Result<Interval> {
    let (Some(t1), Some(t2)) = (timestamp_to_fields(a), timestamp_to_fields(b)) else {
        return Err(err_timestamp_range());
    };
    age_fields(&t1, &t2, a < b)
}

/// `age(timestamptz, timestamptz)` with both read in the zone.
pub fn age_tz(a: i64, b: i64, tz: &TimeZone) -> Result<Interval> {
    let (Some((t1, _)), Some((t2, _))) = (timestamptz_to_fields(a, tz), timestamptz_to_fields(b, tz)) else {
        return Err(err_timestamp_range());
    };
    age_fields(&t1, &t2, a < b)
}

// ---------------------------------------------------------------------------
// Units, date_trunc, extract
// ---------------------------------------------------------------------------

/// A unit name for `date_trunc`, `extract` and `date_part`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateUnit {
    Microseconds,
    Milliseconds,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Millennium,
    Epoch,
    Dow,
    IsoDow,
    Doy,
    IsoYear,
    Julian,
    Timezone,
    TimezoneHour,
    TimezoneMinute,
}

/// Looks a unit up as PostgreSQL's `DecodeUnits` then `DecodeSpecial` do for
/// `extract`/`date_part`: case-insensitive, singular, plural and abbreviated spellings.
pub fn parse_unit(unit: &str) -> Option<DateUnit> {
    use DateUnit::*;
    let lower = unit.to_ascii_lowercase();
    // PostgreSQL compares only the first 10 characters (TOKMAXLEN).
    let key: &str = match lower.char_indices().nth(10) {
        Some((i, _)) => &lower[..i],
        None => &lower,
    };
    Some(match key {
        "microsecon" | "us" | "usec" | "usecs" | "usecond" | "useconds" => Microseconds,
        "millisecon" | "ms" | "msec" | "msecs" | "msecond" | "mseconds" => Milliseconds,
        "second" | "seconds" | "s" | "sec" | "secs" => Second,
        "minute" | "minutes" | "m" | "min" | "mins" => Minute,
        "hour" | "hours" | "h" | "hr" | "hrs" => Hour,
        "day" | "days" | "d" => Day,
        "week" | "weeks" | "w" => Week,
        "month" | "months" | "mon" | "mons" => Month,
        "quarter" | "qtr" => Quarter,
        "year" | "years" | "y" | "yr" | "yrs" => Year,
        "decade" | "decades" | "dec" | "decs" => Decade,
        "century" | "centuries" | "c" | "cent" => Century,
        "millennium" | "millennia" | "mil" | "mils" => Millennium,
        "epoch" => Epoch,
        "dow" => Dow,
        "isodow" => IsoDow,
        "doy" => Doy,
        "isoyear" => IsoYear,
        "julian" | "j" | "jd" => Julian,
        "timezone" => Timezone,
        "timezone_h" => TimezoneHour,
        "timezone_m" => TimezoneMinute,
        _ => return None,
    })
}

/// Looks a unit up as `date_trunc` does (PostgreSQL's `DecodeUnits` only): `dow`,
/// `doy`, `epoch`, `julian`, `isodow` and `isoyear` are not recognized there.
fn parse_trunc_unit(unit: &str) -> Option<DateUnit> {
    use DateUnit::*;
    parse_unit(unit).filter(|u| !matches!(u, Dow | IsoDow | Doy | IsoYear | Epoch | Julian))
}

/// ISO 8601 week number of a date (PostgreSQL's `date2isoweek`).
pub fn date2isoweek(year: i32, mon: i32, mday: i32) -> i32 {
    let dayn = date2j(year, mon, mday);
    let mut day4 = date2j(year, 1, 4);
    let mut day0 = j2day(day4 - 1) as i64;
    if dayn < day4 - day0 {
        day4 = date2j(year - 1, 1, 4);
        day0 = j2day(day4 - 1) as i64;
    }
    let mut result = (dayn - (day4 - day0)) / 7 + 1;
    if result >= 52 {
        day4 = date2j(year + 1, 1, 4);
        day0 = j2day(day4 - 1) as i64;
        if dayn >= day4 - day0 {
            result = (dayn - (day4 - day0)) / 7 + 1;
        }
    }
    result as i32
}

/// ISO 8601 week-numbering year of a date (PostgreSQL's `date2isoyear`).
pub fn date2isoyear(year: i32, mon: i32, mday: i32) -> i32 {
    let dayn = date2j(year, mon, mday);
    let mut year = year;
    let mut day4 = date2j(year, 1, 4);
    let mut day0 = j2day(day4 - 1) as i64;
    if dayn < day4 - day0 {
        day4 = date2j(year - 1, 1, 4);
        day0 = j2day(day4 - 1) as i64;
        year -= 1;
    }
    let result = (dayn - (day4 - day0)) / 7 + 1;
    if result >= 52 {
        day4 = date2j(year + 1, 1, 4);
        day0 = j2day(day4 - 1) as i64;
        if dayn >= day4 - day0 {
            year += 1;
        }
    }
    year
}

/// The Julian day of the Monday starting ISO week 1 of an ISO year.
fn isoweek_start(isoyear: i32) -> i64 {
    let day4 = date2j(isoyear, 1, 4);
    let day0 = j2day(day4 - 1) as i64;
    day4 - day0
}

/// Truncates broken-down fields to a unit (PostgreSQL's `timestamp_trunc` core).
/// Returns whether the unit is a day or larger (so a zone offset must be recomputed).
fn trunc_fields(f: &mut DateTimeFields, unit: DateUnit) -> Option<bool> {
    use DateUnit::*;
    let mut big = false;
    match unit {
        Week => {
            let iy = date2isoyear(f.year, f.month, f.day);
            let wk = date2isoweek(f.year, f.month, f.day);
            let j = isoweek_start(iy) + (wk as i64 - 1) * 7;
            let (y, m, d) = j2date(j);
            *f = DateTimeFields { year: y, month: m, day: d, ..Default::default() };
            return Some(true);
        }
        Millennium | Century | Decade | Year => {
            match unit {
                Millennium => {
                    f.year = if f.year > 0 {
                        ((f.year + 999) / 1000) * 1000 - 999
                    } else {
                        -((999 - (f.year - 1)) / 1000) * 1000 + 1
                    }
                }
                Century => {
                    f.year = if f.year > 0 {
                        ((f.year + 99) / 100) * 100 - 99
                    } else {
                        -((99 - (f.year - 1)) / 100) * 100 + 1
                    }
                }
                Decade => f.year = if f.year > 0 { (f.year / 10) * 10 } else { -((8 - (f.year - 1)) / 10) * 10 },
                _ => {}
            }
            f.month = 1;
            f.day = 1;
            f.hour = 0;
            f.minute = 0;
            f.second = 0;
            f.micros = 0;
            big = true;
        }
        Quarter => {
            f.month = 3 * ((f.month - 1) / 3) + 1;
            f.day = 1;
            f.hour = 0;
            f.minute = 0;
            f.second = 0;
            f.micros = 0;
            big = true;
        }
        Month => {
            f.day = 1;
            f.hour = 0;
            f.minute = 0;
            f.second = 0;
            f.micros = 0;
            big = true;
        }
        Day => {
            f.hour = 0;
            f.minute = 0;
            f.second = 0;
            f.micros = 0;
            big = true;
        }
        Hour => {
            f.minute = 0;
            f.second = 0;
            f.micros = 0;
        }
        Minute => {
            f.second = 0;
            f.micros = 0;
        }
        Second => f.micros = 0,
        Milliseconds => f.micros = (f.micros / 1000) * 1000,
        Microseconds => {}
        _ => return None,
    }
    Some(big)
}

/// `date_trunc(unit, timestamp)`. Unknown units fail with 22023, known but unsupported
/// ones (`dow`, `epoch`) with 0A000, as in PostgreSQL.
pub fn date_trunc(unit: &str, ts: i64) -> Result<i64> {
    let u = parse_trunc_unit(unit).ok_or_else(|| err_unit_not_recognized(&unit.to_ascii_lowercase(), TS_NAME))?;
    if is_infinite_ts(ts) {
        return Ok(ts);
    }
    let mut f = timestamp_to_fields(ts).ok_or_else(err_timestamp_range)?;
    trunc_fields(&mut f, u).ok_or_else(|| err_unit_not_supported(&unit.to_ascii_lowercase(), TS_NAME))?;
    fields_to_timestamp(&f)
}

/// `date_trunc(unit, timestamptz)` in a zone: truncates local time; for units of a day
/// or more the result is local midnight re-resolved in the zone.
pub fn date_trunc_tz(unit: &str, ts: i64, tz: &TimeZone) -> Result<i64> {
    let u = parse_trunc_unit(unit).ok_or_else(|| err_unit_not_recognized(&unit.to_ascii_lowercase(), TSTZ_NAME))?;
    if is_infinite_ts(ts) {
        return Ok(ts);
    }
    let (mut f, offset) = timestamptz_to_fields(ts, tz).ok_or_else(err_timestamp_range)?;
    let big = trunc_fields(&mut f, u).ok_or_else(|| err_unit_not_supported(&unit.to_ascii_lowercase(), TSTZ_NAME))?;
    if big {
        fields_to_timestamptz(&f, tz)
    } else {
        let local = fields_to_timestamp(&f)?;
        let utc = local.checked_sub(offset as i64 * USECS_PER_SEC).ok_or_else(err_timestamp_range)?;
        if !is_valid_timestamp(utc) {
            return Err(err_timestamp_range());
        }
        Ok(utc)
    }
}

/// `date_trunc(unit, interval)`, as PostgreSQL's `interval_trunc`.
pub fn date_trunc_interval(unit: &str, iv: &Interval) -> Result<Interval> {
    use DateUnit::*;
    let lower = unit.to_ascii_lowercase();
    let u = parse_trunc_unit(unit).ok_or_else(|| err_unit_not_recognized(&lower, "interval"))?;
    let f = interval_to_fields(iv);
    let mut years = f.years as i64;
    let (mut months, mut days, mut hours, mut minutes, mut seconds, mut micros) =
        (f.months as i64, f.days as i64, f.hours, f.minutes, f.seconds, f.micros);
    // PostgreSQL's switch falls through from the largest unit down; `level` is the
    // position in that cascade.
    let level = match u {
        Millennium => 0,
        Century => 1,
        Decade => 2,
        Year => 3,
        Quarter => 4,
        Month => 5,
        Day => 6,
        Hour => 7,
        Minute => 8,
        Second => 9,
        Milliseconds => {
            micros = (micros / 1000) * 1000;
            10
        }
        Microseconds => 10,
        Week => {
            return Err(Error::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("unit \"{lower}\" not supported for type interval"),
            )
            .with_detail("Months usually have fractional weeks."))
        }
        _ => return Err(err_unit_not_supported(&lower, "interval")),
    };
    if level <= 0 {
        years = (years / 1000) * 1000;
    }
    if level <= 1 {
        years = (years / 100) * 100;
    }
    if level <= 2 {
        years = (years / 10) * 10;
    }
    if level <= 3 {
        months = 0;
    }
    if level <= 4 {
        months = 3 * (months / 3);
    }
    if level <= 5 {
        days = 0;
    }
    if level <= 6 {
        hours = 0;
    }
    if level <= 7 {
        minutes = 0;
    }
    if level <= 8 {
        seconds = 0;
    }
    if level <= 9 {
        micros = 0;
    }
    let total_months = i32::try_from(years * 12 + months).map_err(|_| err_interval_range())?;
    let time = hours
        .checked_mul(USECS_PER_HOUR)
        .and_then(|h| h.checked_add(minutes * USECS_PER_MINUTE + seconds * USECS_PER_SEC + micros))
        .ok_or_else(err_interval_range)?;
    Ok(Interval::new(total_months, days as i32, time))
}

/// A field value: an integer, or microsecond-based fixed point with a given number
/// of decimals (seconds: 6, milliseconds: 3), or an infinity.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Part {
    Int(i64),
    /// `value / 10^scale` for EXTRACT (NUMERIC), with `value` in i128 to hold epoch
    /// microseconds, and the float8 that `date_part` computes with PostgreSQL's own
    /// float arithmetic (which can differ in the last bit).
    Fixed(i128, u32, f64),
    Infinity(bool),
    Null,
}

/// Seconds with their fraction as `date_part` computes them.
fn float_seconds(sec_micros: i128) -> f64 {
    (sec_micros / 1_000_000) as f64 + (sec_micros % 1_000_000) as f64 / 1_000_000.0
}

/// Milliseconds as `date_part` computes them.
fn float_millis(sec_micros: i128) -> f64 {
    (sec_micros / 1_000_000) as f64 * 1000.0 + (sec_micros % 1_000_000) as f64 / 1000.0
}

impl Part {
    fn to_decimal(self, unit: &str) -> Result<Option<Decimal>> {
        match self {
            Part::Int(v) => Ok(Some(Decimal::from(v))),
            Part::Fixed(v, scale, _) => Decimal::try_from_i128_with_scale(v, scale)
                .map(Some)
                .map_err(|_| Error::out_of_range("value overflows numeric format")),
            Part::Infinity(_) => Err(Error::unsupported(format!(
                "extract(\"{unit}\") of an infinite value is infinite, which numeric cannot store"
            ))),
            Part::Null => Ok(None),
        }
    }

    fn to_f64(self) -> Option<f64> {
        match self {
            Part::Int(v) => Some(v as f64),
            Part::Fixed(_, _, f) => Some(f),
            Part::Infinity(neg) => Some(if neg { f64::NEG_INFINITY } else { f64::INFINITY }),
            Part::Null => None,
        }
    }
}

fn year_part(year: i32) -> i64 {
    if year > 0 {
        year as i64
    } else {
        year as i64 - 1
    }
}

fn date_fields_part(u: DateUnit, f: &DateTimeFields) -> Option<Part> {
    use DateUnit::*;
    let y = f.year;
    Some(Part::Int(match u {
        Day => f.day as i64,
        Month => f.month as i64,
        Quarter => ((f.month - 1) / 3 + 1) as i64,
        Week => date2isoweek(f.year, f.month, f.day) as i64,
        Year => year_part(y),
        Decade => {
            if y >= 0 {
                (y / 10) as i64
            } else {
                -(((8 - (y - 1)) / 10) as i64)
            }
        }
        Century => {
            if y > 0 {
                ((y + 99) / 100) as i64
            } else {
                -(((99 - (y - 1)) / 100) as i64)
            }
        }
        Millennium => {
            if y > 0 {
                ((y + 999) / 1000) as i64
            } else {
                -(((999 - (y - 1)) / 1000) as i64)
            }
        }
        IsoYear => {
            let iy = date2isoyear(f.year, f.month, f.day) as i64;
            if iy <= 0 {
                iy - 1
            } else {
                iy
            }
        }
        Dow => f.weekday() as i64,
        IsoDow => {
            let d = f.weekday();
            if d == 0 {
                7
            } else {
                d as i64
            }
        }
        Doy => f.day_of_year() as i64,
        _ => return None,
    }))
}

fn time_fields_part(u: DateUnit, f: &DateTimeFields) -> Option<Part> {
    use DateUnit::*;
    let sec_micros = f.second as i128 * 1_000_000 + f.micros as i128;
    Some(match u {
        Microseconds => Part::Int(sec_micros as i64),
        Milliseconds => Part::Fixed(sec_micros, 3, float_millis(sec_micros)),
        Second => Part::Fixed(sec_micros, 6, float_seconds(sec_micros)),
        Minute => Part::Int(f.minute as i64),
        Hour => Part::Int(f.hour as i64),
        _ => return None,
    })
}

/// Whether an infinite timestamp or date has a (infinite) value for the unit, or NULL.
fn nonfinite_part(u: DateUnit, negative: bool) -> Part {
    use DateUnit::*;
    match u {
        Year | Decade | Century | Millennium | Julian | IsoYear | Epoch => Part::Infinity(negative),
        _ => Part::Null,
    }
}

fn timestamp_part(u: DateUnit, unit: &str, ts: i64, tz: Option<&TimeZone>) -> Result<Part> {
    let type_name = if tz.is_some() { TSTZ_NAME } else { TS_NAME };
    let supported = match u {
        DateUnit::Timezone | DateUnit::TimezoneHour | DateUnit::TimezoneMinute => tz.is_some(),
        _ => true,
    };
    if !supported {
        return Err(err_unit_not_supported(unit, type_name));
    }
    if is_infinite_ts(ts) {
        return Ok(nonfinite_part(u, ts == TS_NEG_INFINITY));
    }
    let (f, offset) = match tz {
        Some(tz) => timestamptz_to_fields(ts, tz).ok_or_else(err_timestamp_range)?,
        None => (timestamp_to_fields(ts).ok_or_else(err_timestamp_range)?, 0),
    };
    if let Some(p) = date_fields_part(u, &f).or_else(|| time_fields_part(u, &f)) {
        return Ok(p);
    }
    Ok(match u {
        DateUnit::Epoch => {
            // For timestamp without time zone, the epoch is read as if UTC.
            let v = ts as i128 + UNIX_TO_PG_MICROS as i128;
            Part::Fixed(v, 6, v as f64 / 1_000_000.0)
        }
        DateUnit::Julian => {
            let j = date2j(f.year, f.month, f.day) as i128;
            let day_micros = f.time_of_day() as i128;
            if day_micros == 0 {
                Part::Int(j as i64)
            } else {
                // j + micros / 86400000000, exactly representable with scale 20 or less
                // only approximately; PostgreSQL prints 20 fraction digits.
                let scaled = j * 10i128.pow(20) + day_micros * 10i128.pow(20) / USECS_PER_DAY as i128;
                let float = j as f64
                    + (((f.hour as i64 * 60 + f.minute as i64) * 60 + f.second as i64) as f64
                        + f.micros as f64 / 1_000_000.0)
                        / SECS_PER_DAY as f64;
                Part::Fixed(scaled, 20, float)
            }
        }
        DateUnit::Timezone => Part::Int(offset as i64),
        DateUnit::TimezoneHour => Part::Int((offset / 3600) as i64),
        DateUnit::TimezoneMinute => Part::Int(((offset / 60) % 60) as i64),
        _ => return Err(err_unit_not_supported(unit, type_name)),
    })
}

fn date_part_of_date(u: DateUnit, unit: &str, d: i32) -> Result<Part> {
    if is_infinite_date(d) {
        return Ok(match u {
            DateUnit::Day
            | DateUnit::Month
            | DateUnit::Quarter
            | DateUnit::Week
            | DateUnit::Dow
            | DateUnit::IsoDow
            | DateUnit::Doy => Part::Null,
            DateUnit::Year
            | DateUnit::Decade
            | DateUnit::Century
            | DateUnit::Millennium
            | DateUnit::Julian
            | DateUnit::IsoYear
            | DateUnit::Epoch => Part::Infinity(d == DATE_NEG_INFINITY),
            _ => return Err(err_unit_not_supported(unit, "date")),
        });
    }
    let (year, month, day) = date_to_ymd(d);
    let f = DateTimeFields { year, month, day, ..Default::default() };
    if let Some(p) = date_fields_part(u, &f) {
        return Ok(p);
    }
    match u {
        DateUnit::Julian => Ok(Part::Int(d as i64 + POSTGRES_EPOCH_JDATE)),
        DateUnit::Epoch => Ok(Part::Int((d as i64 + POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)),
        _ => Err(err_unit_not_supported(unit, "date")),
    }
}

fn time_part(u: DateUnit, unit: &str, t: i64) -> Result<Part> {
    let (hour, minute, second, micros) = time_to_hmsu(t);
    let f = DateTimeFields { hour, minute, second, micros, ..Default::default() };
    if let Some(p) = time_fields_part(u, &f) {
        return Ok(p);
    }
    match u {
        DateUnit::Epoch => Ok(Part::Fixed(t as i128, 6, t as f64 / 1_000_000.0)),
        _ => Err(err_unit_not_supported(unit, "time without time zone")),
    }
}

fn interval_part(u: DateUnit, unit: &str, iv: &Interval) -> Result<Part> {
    use DateUnit::*;
    let f = interval_to_fields(iv);
    let sec_micros = f.seconds as i128 * 1_000_000 + f.micros as i128;
    Ok(match u {
        Microseconds => Part::Int(sec_micros as i64),
        Milliseconds => Part::Fixed(sec_micros, 3, float_millis(sec_micros)),
        Second => Part::Fixed(sec_micros, 6, float_seconds(sec_micros)),
        Minute => Part::Int(f.minutes),
        Hour => Part::Int(f.hours),
        Day => Part::Int(f.days as i64),
        Month => Part::Int(f.months as i64),
        Quarter => Part::Int((f.months / 3 + 1) as i64),
        Year => Part::Int(f.years as i64),
        Decade => Part::Int((f.years / 10) as i64),
        Century => Part::Int((f.years / 100) as i64),
        Millennium => Part::Int((f.years / 1000) as i64),
        Epoch => {
            // 365.25 days per year, 30 days per month, as PostgreSQL.
            let secs = (iv.months as i128 / 12) * 31_557_600
                + (iv.months as i128 % 12) * 30 * 86_400
                + iv.days as i128 * 86_400;
            let float = iv.micros as f64 / 1_000_000.0
                + (365.25 * 86_400.0) * (iv.months / 12) as f64
                + (30.0 * 86_400.0) * (iv.months % 12) as f64
                + 86_400.0 * iv.days as f64;
            Part::Fixed(secs * 1_000_000 + iv.micros as i128, 6, float)
        }
        _ => return Err(err_unit_not_supported(unit, "interval")),
    })
}

fn value_part(unit: &str, v: &Value, tz: &TimeZone, for_date_part: bool) -> Result<Part> {
    // NB: date_part(text, date) is defined in SQL as date_part on the timestamp, so it
    // accepts time units (all 0); EXTRACT from a date does not.
    if let (Value::Date(d), true) = (v, for_date_part) {
        return value_part(unit, &Value::Timestamp(date_to_timestamp(*d)?), tz, true);
    }
    let lower = unit.to_ascii_lowercase();
    let type_name = match v {
        Value::Date(_) => "date",
        Value::Time(_) => "time without time zone",
        Value::Timestamp(_) => TS_NAME,
        Value::TimestampTz(_) => TSTZ_NAME,
        Value::Interval(_) => "interval",
        Value::Null => return Ok(Part::Null),
        other => {
            return Err(Error::new(
                SqlState::UNDEFINED_FUNCTION,
                format!("function extract(unknown, {}) does not exist", other.data_type()),
            ))
        }
    };
    let u = parse_unit(unit).ok_or_else(|| err_unit_not_recognized(&lower, type_name))?;
    match v {
        Value::Date(d) => date_part_of_date(u, &lower, *d),
        Value::Time(t) => time_part(u, &lower, *t),
        Value::Timestamp(ts) => timestamp_part(u, &lower, *ts, None),
        Value::TimestampTz(ts) => timestamp_part(u, &lower, *ts, Some(tz)),
        Value::Interval(iv) => interval_part(u, &lower, iv),
        _ => Ok(Part::Null),
    }
}

/// `EXTRACT(unit FROM value)` for date, time, timestamp, timestamptz (in the zone)
/// and interval values. Returns NUMERIC with PostgreSQL's scales (`second` has 6
/// decimals, `milliseconds` 3, `epoch` 6 except for dates); `None` where PostgreSQL
/// returns NULL (e.g. `month` of an infinite date).
pub fn extract(unit: &str, v: &Value, tz: &TimeZone) -> Result<Option<Decimal>> {
    value_part(unit, v, tz, false)?.to_decimal(&unit.to_ascii_lowercase())
}

/// `date_part(unit, value)`: as [`extract`] but as float8, with infinities.
pub fn date_part(unit: &str, v: &Value, tz: &TimeZone) -> Result<Option<f64>> {
    Ok(value_part(unit, v, tz, true)?.to_f64())
}

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

/// `make_date(year, month, day)`; negative years are BC (`make_date(-44, 3, 15)`).
pub fn make_date(year: i32, month: i32, day: i32) -> Result<i32> {
    let bad = || {
        Error::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("date field value out of range: {year}-{month:02}-{day:02}"),
        )
    };
    if year == 0 {
        return Err(bad());
    }
    let astro = if year < 0 { year + 1 } else { year };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(astro, month) {
        return Err(bad());
    }
    if !is_valid_julian(astro, month) {
        return Err(Error::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("date out of range: {year}-{month:02}-{day:02}"),
        ));
    }
    let d = date2j(astro, month, day) - POSTGRES_EPOCH_JDATE;
    if !is_valid_date(d) {
        return Err(Error::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("date out of range: {year}-{month:02}-{day:02}"),
        ));
    }
    Ok(d as i32)
}

fn sec_to_micros(sec: f64) -> Option<i64> {
    let us = (sec * 1e6).round_ties_even();
    if us.is_nan() || !(0.0..=60e6).contains(&us) {
        return None;
    }
    Some(us as i64)
}

/// `make_time(hour, min, sec)`.
pub fn make_time(hour: i32, min: i32, sec: f64) -> Result<i64> {
    let bad = || {
        let mut s = String::new();
        crate::types::numeric::write_float8(&mut s, sec);
        Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("time field value out of range: {hour}:{min:02}:{s:0>2}"))
    };
    let us = sec_to_micros(sec).ok_or_else(bad)?;
    if !(0..=24).contains(&hour) || !(0..=59).contains(&min) {
        return Err(bad());
    }
    let t = (hour as i64 * 60 + min as i64) * USECS_PER_MINUTE + us;
    if t > USECS_PER_DAY {
        return Err(bad());
    }
    Ok(t)
}

/// `make_timestamp(year, month, day, hour, min, sec)`.
pub fn make_timestamp(year: i32, month: i32, day: i32, hour: i32, min: i32, sec: f64) -> Result<i64> {
    let d = make_date(year, month, day)?;
    let t = make_time(hour, min, sec)?;
    let ts = (d as i64)
        .checked_mul(USECS_PER_DAY)
        .and_then(|v| v.checked_add(t))
        .filter(|v| is_valid_timestamp(*v))
        .ok_or_else(|| {
            let mut s = String::new();
            crate::types::numeric::write_float8(&mut s, sec);
            Error::new(
                SqlState::DATETIME_FIELD_OVERFLOW,
                format!("timestamp out of range: {year}-{month:02}-{day:02} {hour}:{min:02}:{s:0>2}"),
            )
        })?;
    Ok(ts)
}

/// `make_timestamptz(year, month, day, hour, min, sec)` in a zone.
pub fn make_timestamptz(year: i32, month: i32, day: i32, hour: i32, min: i32, sec: f64, tz: &TimeZone) -> Result<i64> {
    local_to_timestamptz(make_timestamp(year, month, day, hour, min, sec)?, tz)
}

/// `make_interval(years, months, weeks, days, hours, mins, secs)`.
pub fn make_interval(
    years: i32,
    months: i32,
    weeks: i32,
    days: i32,
    hours: i32,
    mins: i32,
    secs: f64,
) -> Result<Interval> {
    if secs.is_nan() || secs.is_infinite() {
        return Err(err_interval_range());
    }
    let total_months = (years as i64)
        .checked_mul(12)
        .and_then(|m| m.checked_add(months as i64))
        .and_then(|m| i32::try_from(m).ok())
        .ok_or_else(err_interval_range)?;
    let total_days = (weeks as i64)
        .checked_mul(7)
        .and_then(|d| d.checked_add(days as i64))
        .and_then(|d| i32::try_from(d).ok())
        .ok_or_else(err_interval_range)?;
    let micros = (secs * 1e6).round_ties_even();
    if !(-9.223372036854776e18..9.223372036854776e18).contains(&micros) {
        return Err(err_interval_range());
    }
    let time = (hours as i64)
        .checked_mul(USECS_PER_HOUR)
        .and_then(|t| t.checked_add(mins as i64 * USECS_PER_MINUTE))
        .and_then(|t| t.checked_add(micros as i64))
        .ok_or_else(err_interval_range)?;
    Ok(Interval::new(total_months, total_days, time))
}

/// `to_timestamp(double precision)`: Unix epoch seconds to `timestamptz`.
pub fn to_timestamp_epoch(secs: f64) -> Result<i64> {
    if secs.is_nan() {
        return Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp cannot be NaN"));
    }
    if secs == f64::INFINITY {
        return Ok(TS_POS_INFINITY);
    }
    if secs == f64::NEG_INFINITY {
        return Ok(TS_NEG_INFINITY);
    }
    let min = (TIMESTAMP_MIN as f64 + UNIX_TO_PG_MICROS as f64) / 1e6;
    let end = (TIMESTAMP_END as f64 + UNIX_TO_PG_MICROS as f64) / 1e6;
    let out_of_range = || {
        let mut s = String::new();
        // PostgreSQL prints the value with %g.
        crate::types::numeric::write_float8(&mut s, secs);
        Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("timestamp out of range: \"{s}\""))
    };
    if secs < min || secs >= end {
        return Err(out_of_range());
    }
    let us = (secs * 1e6).round_ties_even() as i64 - UNIX_TO_PG_MICROS;
    if !is_valid_timestamp(us) {
        return Err(out_of_range());
    }
    Ok(us)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        parse_timestamp(s, &TimeZone::Utc).unwrap()
    }

    fn tstz(s: &str, tz: &TimeZone) -> i64 {
        parse_timestamptz(s, tz).unwrap()
    }

    fn iv(s: &str) -> Interval {
        parse_interval(s).unwrap()
    }

    #[test]
    fn julian_days_round_trip() {
        assert_eq!(date2j(2000, 1, 1), POSTGRES_EPOCH_JDATE);
        assert_eq!(date2j(1970, 1, 1), UNIX_EPOCH_JDATE);
        assert_eq!(date2j(-4713, 11, 24), 0);
        for j in (0..2_147_483_494i64).step_by(7_919_111).chain([0, 1, 2_147_483_493]) {
            let (y, m, d) = j2date(j);
            assert_eq!(date2j(y, m, d), j, "{j}");
        }
        assert_eq!(j2day(POSTGRES_EPOCH_JDATE), 6); // 2000-01-01 was a Saturday
    }

    #[test]
    fn output_formats() {
        let tz = TimeZone::Utc;
        assert_eq!(format_date(0), "2000-01-01");
        assert_eq!(format_date(DATE_POS_INFINITY), "infinity");
        assert_eq!(format_date(DATE_NEG_INFINITY), "-infinity");
        assert_eq!(format_date(make_date(-44, 3, 15).unwrap()), "0044-03-15 BC");
        assert_eq!(format_date(DATE_MIN), "4714-11-24 BC");
        assert_eq!(format_date(DATE_END - 1), "5874897-12-31");
        assert_eq!(format_time(0), "00:00:00");
        assert_eq!(format_time(USECS_PER_DAY), "24:00:00");
        assert_eq!(format_time(47_045_123_456), "13:04:05.123456");
        assert_eq!(format_time(47_045_500_000), "13:04:05.5");
        assert_eq!(format_timestamp(ts("2024-01-31 13:04:05.5")), "2024-01-31 13:04:05.5");
        assert_eq!(format_timestamp(TIMESTAMP_MIN), "4714-11-24 00:00:00 BC");
        assert_eq!(format_timestamp(TIMESTAMP_END - 1), "294276-12-31 23:59:59.999999");
        assert_eq!(format_timestamp(TS_NEG_INFINITY), "-infinity");
        let x = tstz("2024-01-31 13:04:05+00", &tz);
        assert_eq!(format_timestamptz(x, &tz), "2024-01-31 13:04:05+00");
        let kolkata = TimeZone::parse("Asia/Kolkata").unwrap();
        assert_eq!(format_timestamptz(x, &kolkata), "2024-01-31 18:34:05+05:30");
        let la = TimeZone::parse("America/Los_Angeles").unwrap();
        assert_eq!(format_timestamptz(x, &la), "2024-01-31 05:04:05-08");
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        assert_eq!(format_timestamptz(tstz("1850-01-01 00:00+00", &tz), &paris), "1850-01-01 00:09:21+00:09:21");
        assert_eq!(format_timestamptz(tstz("0044-03-15 12:00+00 BC", &tz), &tz), "0044-03-15 12:00:00+00 BC");
    }

    #[test]
    fn interval_output() {
        let cases: &[(Interval, &str)] = &[
            (Interval::new(14, 3, 14_706_500_000), "1 year 2 mons 3 days 04:05:06.5"),
            (Interval::new(0, 0, -1_000_000), "-00:00:01"),
            (Interval::new(0, 0, 0), "00:00:00"),
            (Interval::new(0, -1, 2 * USECS_PER_HOUR), "-1 days +02:00:00"),
            (Interval::new(-14, 0, 0), "-1 years -2 mons"),
            (Interval::new(1, 1, 0), "1 mon 1 day"),
            (Interval::new(0, 0, 100 * USECS_PER_HOUR), "100:00:00"),
            (Interval::new(-1, 2, -3), "-1 mons +2 days -00:00:00.000003"),
            (Interval::new(12, 0, 1), "1 year 00:00:00.000001"),
            (
                Interval::new(i32::MIN, i32::MIN, i64::MIN),
                "-178956970 years -8 mons -2147483648 days -2562047788:00:54.775808",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(format_interval(v), *want);
        }
    }

    #[test]
    fn timestamp_arithmetic() {
        let cases = [
            ("2024-01-31", "1 month", "2024-02-29 00:00:00"),
            ("2023-01-31", "1 month", "2023-02-28 00:00:00"),
            ("2024-01-31", "-2 months", "2023-11-30 00:00:00"),
            ("2024-02-29", "1 year", "2025-02-28 00:00:00"),
            ("2024-01-31 23:00", "1 day 02:00", "2024-02-02 01:00:00"),
            ("2024-12-31", "1 mon 1 day", "2025-02-01 00:00:00"),
            ("0001-01-01", "-1 day", "0001-12-31 00:00:00 BC"),
        ];
        for (t, i, want) in cases {
            assert_eq!(format_timestamp(timestamp_add_interval(ts(t), &iv(i)).unwrap()), want, "{t} + {i}");
        }
        assert_eq!(timestamp_add_interval(TS_POS_INFINITY, &iv("1 day")).unwrap(), TS_POS_INFINITY);
        let e = timestamp_add_interval(ts("294276-12-31"), &iv("1 year")).unwrap_err();
        assert_eq!(e.code(), SqlState::DATETIME_FIELD_OVERFLOW);
        assert_eq!(e.message(), "timestamp out of range");
        assert_eq!(
            format_timestamp(timestamp_sub_interval(ts("2024-03-31"), &iv("1 month")).unwrap()),
            "2024-02-29 00:00:00"
        );
        // Differences split days from time.
        let d = timestamp_diff(ts("2024-03-01 12:00"), ts("2024-01-01")).unwrap();
        assert_eq!(format_interval(&d), "60 days 12:00:00");
        let d = timestamp_diff(ts("2024-01-01"), ts("2024-03-01 12:00")).unwrap();
        assert_eq!(format_interval(&d), "-60 days -12:00:00");
        assert_eq!(timestamp_diff(TS_POS_INFINITY, 0).unwrap_err().message(), "cannot subtract infinite timestamps");
    }

    #[test]
    fn timestamptz_arithmetic_in_zone() {
        let ny = TimeZone::parse("America/New_York").unwrap();
        // Across the spring-forward change a day keeps the wall-clock time.
        let t = tstz("2024-03-09 12:00", &ny);
        let r = timestamptz_add_interval(t, &iv("1 day"), &ny).unwrap();
        assert_eq!(format_timestamptz(r, &ny), "2024-03-10 12:00:00-04");
        let r = timestamptz_add_interval(t, &iv("24 hours"), &ny).unwrap();
        assert_eq!(format_timestamptz(r, &ny), "2024-03-10 13:00:00-04");
        let r = timestamptz_add_interval(tstz("2024-01-31 10:00", &ny), &iv("1 month"), &ny).unwrap();
        assert_eq!(format_timestamptz(r, &ny), "2024-02-29 10:00:00-05");
        let r = timestamptz_sub_interval(r, &iv("1 month"), &ny).unwrap();
        assert_eq!(format_timestamptz(r, &ny), "2024-01-29 10:00:00-05");
    }

    #[test]
    fn dates_and_times() {
        let d = parse_date("2024-01-31", &TimeZone::Utc).unwrap();
        assert_eq!(format_date(date_add_days(d, 30).unwrap()), "2024-03-01");
        assert_eq!(date_add_days(DATE_END - 1, 1).unwrap_err().message(), "date out of range");
        assert_eq!(date_diff(parse_date("2024-03-01", &TimeZone::Utc).unwrap(), d).unwrap(), 30);
        assert_eq!(
            format_timestamp(date_add_time(d, parse_time("13:04", &TimeZone::Utc).unwrap()).unwrap()),
            "2024-01-31 13:04:00"
        );
        assert_eq!(format_timestamp(date_add_interval(d, &iv("1 month 1 hour")).unwrap()), "2024-02-29 01:00:00");
        let t = parse_time("23:00", &TimeZone::Utc).unwrap();
        assert_eq!(format_time(time_add_interval(t, &iv("2 hours"))), "01:00:00");
        assert_eq!(format_time(time_sub_interval(t, &iv("1 day 24 hours"))), "23:00:00");
        assert_eq!(
            format_time(time_sub_interval(parse_time("01:00", &TimeZone::Utc).unwrap(), &iv("2 hours"))),
            "23:00:00"
        );
        assert_eq!(format_interval(&time_diff(parse_time("01:00", &TimeZone::Utc).unwrap(), t)), "-22:00:00");
        assert_eq!(format_time(interval_to_time(&iv("-1 hour"))), "23:00:00");
        assert_eq!(format_time(interval_to_time(&iv("1 day 25:00"))), "01:00:00");
        let tz = TimeZone::parse("Asia/Tokyo").unwrap();
        let x = date_to_timestamptz(d, &tz).unwrap();
        assert_eq!(format_timestamptz(x, &TimeZone::Utc), "2024-01-30 15:00:00+00");
        assert_eq!(format_date(timestamptz_to_date(x, &tz).unwrap()), "2024-01-31");
        assert_eq!(format_date(timestamptz_to_date(x, &TimeZone::Utc).unwrap()), "2024-01-30");
        assert_eq!(format_time(timestamptz_to_time(x, &TimeZone::Utc).unwrap()), "15:00:00");
        assert_eq!(timestamp_to_time(TS_POS_INFINITY), None);
        assert_eq!(format_date(timestamp_to_date(ts("0001-01-01 10:00 BC")).unwrap()), "0001-01-01 BC");
        assert_eq!(timestamp_to_date(TS_NEG_INFINITY).unwrap(), DATE_NEG_INFINITY);
        assert_eq!(date_to_timestamp(DATE_END - 1).unwrap_err().message(), "date out of range for timestamp");
    }

    #[test]
    fn interval_arithmetic() {
        let cases: &[(&str, f64, &str)] = &[
            ("1 month", 0.5, "15 days"),
            ("1 day", 1.5, "1 day 12:00:00"),
            ("1 mon 1 day 1 hour", 2.0, "2 mons 2 days 02:00:00"),
            ("1 mon", 1.0 / 3.0, "10 days"),
            ("1 hour", -1.5, "-01:30:00"),
            ("3 mons", 0.1, "9 days"),
            ("1 year", 0.01, "3 days 14:24:00"),
        ];
        for (i, f, want) in cases {
            assert_eq!(format_interval(&interval_mul(&iv(i), *f).unwrap()), *want, "{i} * {f}");
        }
        assert_eq!(format_interval(&interval_div(&iv("1 mon"), 2.0).unwrap()), "15 days");
        assert_eq!(format_interval(&interval_div(&iv("1 day"), 3.0).unwrap()), "08:00:00");
        assert_eq!(format_interval(&interval_div(&iv("1 mon 1 day"), 7.0).unwrap()), "4 days 10:17:08.546743");
        assert_eq!(interval_div(&iv("1 day"), 0.0).unwrap_err().code(), SqlState::DIVISION_BY_ZERO);
        assert_eq!(interval_mul(&iv("1 year"), 1e10).unwrap_err().message(), "interval out of range");
        assert_eq!(interval_mul(&iv("1 year"), f64::NAN).unwrap_err().message(), "interval out of range");
        assert_eq!(format_interval(&interval_add(&iv("1 day"), &iv("-02:00")).unwrap()), "1 day -02:00:00");
        assert_eq!(format_interval(&interval_sub(&iv("1 day"), &iv("1 mon")).unwrap()), "-1 mons +1 day");
        assert!(interval_add(&Interval::new(i32::MAX, 0, 0), &iv("1 mon")).is_err());
        assert!(interval_neg(&Interval::new(i32::MIN, 0, 0)).is_err());
        assert_eq!(format_interval(&justify_hours(&iv("1 day 27 hours")).unwrap()), "2 days 03:00:00");
        assert_eq!(format_interval(&justify_hours(&iv("1 day -1 hour")).unwrap()), "23:00:00");
        assert_eq!(format_interval(&justify_days(&iv("65 days")).unwrap()), "2 mons 5 days");
        assert_eq!(format_interval(&justify_days(&iv("1 mon -35 days")).unwrap()), "-5 days");
        assert_eq!(format_interval(&justify_interval(&iv("1 mon -1 hour")).unwrap()), "29 days 23:00:00");
        assert_eq!(format_interval(&justify_interval(&iv("-1 mon 70 hours")).unwrap()), "-27 days -02:00:00");
    }

    #[test]
    fn age_matches_postgres() {
        let cases = [
            ("2024-03-15", "2023-01-31", "1 year 1 mon 15 days"),
            ("2023-01-31", "2024-03-15", "-1 years -1 mons -15 days"),
            ("2024-03-01", "2024-01-31", "1 mon 1 day"),
            ("2024-01-01 10:00", "2023-12-31 12:00", "22:00:00"),
            ("2024-01-01", "2024-01-01", "00:00:00"),
        ];
        for (a, b, want) in cases {
            assert_eq!(format_interval(&age(ts(a), ts(b)).unwrap()), want, "age({a}, {b})");
        }
        let ny = TimeZone::parse("America/New_York").unwrap();
        let a = tstz("2024-03-15 00:00", &ny);
        let b = tstz("2024-03-01 00:00", &ny);
        assert_eq!(format_interval(&age_tz(a, b, &ny).unwrap()), "14 days");
    }

    #[test]
    fn trunc() {
        let t = ts("2024-05-17 13:04:05.123456");
        let cases = [
            ("microseconds", "2024-05-17 13:04:05.123456"),
            ("milliseconds", "2024-05-17 13:04:05.123"),
            ("second", "2024-05-17 13:04:05"),
            ("minute", "2024-05-17 13:04:00"),
            ("HOUR", "2024-05-17 13:00:00"),
            ("day", "2024-05-17 00:00:00"),
            ("week", "2024-05-13 00:00:00"),
            ("month", "2024-05-01 00:00:00"),
            ("quarter", "2024-04-01 00:00:00"),
            ("year", "2024-01-01 00:00:00"),
            ("decade", "2020-01-01 00:00:00"),
            ("century", "2001-01-01 00:00:00"),
            ("millennium", "2001-01-01 00:00:00"),
        ];
        for (u, want) in cases {
            assert_eq!(format_timestamp(date_trunc(u, t).unwrap()), want, "{u}");
        }
        assert_eq!(format_timestamp(date_trunc("week", ts("2021-01-02")).unwrap()), "2020-12-28 00:00:00");
        assert_eq!(format_timestamp(date_trunc("century", ts("0050-01-01 BC")).unwrap()), "0100-01-01 00:00:00 BC");
        assert_eq!(format_timestamp(date_trunc("decade", ts("0005-01-01 BC")).unwrap()), "0011-01-01 00:00:00 BC");
        let e = date_trunc("foo", t).unwrap_err();
        assert_eq!(e.code(), SqlState::INVALID_PARAMETER_VALUE);
        assert_eq!(e.message(), "unit \"foo\" not recognized for type timestamp without time zone");
        let e = date_trunc("dow", t).unwrap_err();
        assert_eq!(e.code(), SqlState::INVALID_PARAMETER_VALUE);
        assert_eq!(e.message(), "unit \"dow\" not recognized for type timestamp without time zone");
        let e = date_trunc("timezone", t).unwrap_err();
        assert_eq!(e.code(), SqlState::FEATURE_NOT_SUPPORTED);
        assert_eq!(e.message(), "unit \"timezone\" not supported for type timestamp without time zone");
        assert_eq!(date_trunc("day", TS_POS_INFINITY).unwrap(), TS_POS_INFINITY);
        let ny = TimeZone::parse("America/New_York").unwrap();
        let x = tstz("2024-03-10 12:34:56", &ny);
        assert_eq!(format_timestamptz(date_trunc_tz("day", x, &ny).unwrap(), &ny), "2024-03-10 00:00:00-05");
        assert_eq!(format_timestamptz(date_trunc_tz("hour", x, &ny).unwrap(), &ny), "2024-03-10 12:00:00-04");
        let kolkata = TimeZone::parse("Asia/Kolkata").unwrap();
        let y = tstz("2024-01-01 10:50+00", &TimeZone::Utc);
        assert_eq!(
            format_timestamptz(date_trunc_tz("hour", y, &kolkata).unwrap(), &TimeZone::Utc),
            "2024-01-01 10:30:00+00"
        );
        let i = iv("3 years 5 mons 7 days 13:04:05.5");
        assert_eq!(format_interval(&date_trunc_interval("year", &i).unwrap()), "3 years");
        assert_eq!(format_interval(&date_trunc_interval("quarter", &i).unwrap()), "3 years 3 mons");
        assert_eq!(format_interval(&date_trunc_interval("day", &i).unwrap()), "3 years 5 mons 7 days");
        assert_eq!(format_interval(&date_trunc_interval("minute", &i).unwrap()), "3 years 5 mons 7 days 13:04:00");
        assert_eq!(format_interval(&date_trunc_interval("second", &i).unwrap()), "3 years 5 mons 7 days 13:04:05");
        assert_eq!(date_trunc_interval("week", &i).unwrap_err().code(), SqlState::FEATURE_NOT_SUPPORTED);
    }

    fn ex(unit: &str, v: &Value) -> String {
        match extract(unit, v, &TimeZone::Utc).unwrap() {
            Some(d) => d.to_string(),
            None => "NULL".into(),
        }
    }

    #[test]
    fn extract_matches_postgres() {
        let t = Value::Timestamp(ts("2024-05-17 13:04:05.5"));
        let cases = [
            ("century", "21"),
            ("day", "17"),
            ("decade", "202"),
            ("dow", "5"),
            ("doy", "138"),
            ("epoch", "1715951045.500000"),
            ("hour", "13"),
            ("isodow", "5"),
            ("isoyear", "2024"),
            ("julian", "2460448.54450810185185185185"),
            ("microseconds", "5500000"),
            ("millennium", "3"),
            ("milliseconds", "5500.000"),
            ("minute", "4"),
            ("month", "5"),
            ("quarter", "2"),
            ("second", "5.500000"),
            ("week", "20"),
            ("year", "2024"),
        ];
        for (u, want) in cases {
            if u == "julian" {
                continue; // checked separately below: scale differs from PostgreSQL
            }
            assert_eq!(ex(u, &t), want, "{u}");
        }
        let d = Value::Date(parse_date("2024-05-17", &TimeZone::Utc).unwrap());
        assert_eq!(ex("epoch", &d), "1715904000");
        assert_eq!(ex("julian", &d), "2460448");
        assert_eq!(ex("year", &Value::Date(make_date(-44, 3, 15).unwrap())), "-44");
        assert_eq!(ex("century", &Value::Date(make_date(-44, 3, 15).unwrap())), "-1");
        assert_eq!(ex("month", &Value::Date(DATE_POS_INFINITY)), "NULL");
        let e = extract("hour", &d, &TimeZone::Utc).unwrap_err();
        assert_eq!(e.message(), "unit \"hour\" not supported for type date");
        assert_eq!(date_part("hour", &d, &TimeZone::Utc).unwrap(), Some(0.0));
        assert_eq!(
            date_part("year", &Value::Date(DATE_NEG_INFINITY), &TimeZone::Utc).unwrap(),
            Some(f64::NEG_INFINITY)
        );
        let e = extract("foo", &t, &TimeZone::Utc).unwrap_err();
        assert_eq!(e.code(), SqlState::INVALID_PARAMETER_VALUE);
        assert_eq!(e.message(), "unit \"foo\" not recognized for type timestamp without time zone");
        assert_eq!(
            extract("timezone", &t, &TimeZone::Utc).unwrap_err().message(),
            "unit \"timezone\" not supported for type timestamp without time zone"
        );
        let kolkata = TimeZone::parse("Asia/Kolkata").unwrap();
        let z = Value::TimestampTz(tstz("2024-05-17 13:04:05.5+00", &TimeZone::Utc));
        assert_eq!(extract("timezone", &z, &kolkata).unwrap().unwrap().to_string(), "19800");
        assert_eq!(extract("timezone_m", &z, &kolkata).unwrap().unwrap().to_string(), "30");
        assert_eq!(extract("hour", &z, &kolkata).unwrap().unwrap().to_string(), "18");
        assert_eq!(extract("epoch", &z, &kolkata).unwrap().unwrap().to_string(), "1715951045.500000");
        let tm = Value::Time(parse_time("13:04:05.25", &TimeZone::Utc).unwrap());
        assert_eq!(ex("second", &tm), "5.250000");
        assert_eq!(ex("epoch", &tm), "47045.250000");
        assert_eq!(
            extract("day", &tm, &TimeZone::Utc).unwrap_err().message(),
            "unit \"day\" not supported for type time without time zone"
        );
        let i = Value::Interval(iv("1 year 2 mons 3 days 04:05:06.5"));
        let cases = [
            ("epoch", "37015506.500000"),
            ("year", "1"),
            ("month", "2"),
            ("day", "3"),
            ("hour", "4"),
            ("minute", "5"),
            ("second", "6.500000"),
            ("milliseconds", "6500.000"),
            ("quarter", "1"),
            ("decade", "0"),
        ];
        for (u, want) in cases {
            assert_eq!(ex(u, &i), want, "interval {u}");
        }
        assert_eq!(ex("epoch", &Value::Interval(iv("-1 mon"))), "-2592000.000000");
        assert_eq!(date_part("second", &t, &TimeZone::Utc).unwrap(), Some(5.5));
        // date_part computes floats as PostgreSQL does, last bit included.
        let i = Value::Interval(iv("256 days 17:09:01.519"));
        assert_eq!(date_part("second", &i, &TimeZone::Utc).unwrap(), Some(1.5190000000000001));
        let j = Value::Timestamp(ts("2000-01-06 22:16:35.174247"));
        assert_eq!(date_part("julian", &j, &TimeZone::Utc).unwrap(), Some(2451550.928184887));
        let e = date_part("foo", &Value::Date(0), &TimeZone::Utc).unwrap_err();
        assert_eq!(e.message(), "unit \"foo\" not recognized for type timestamp without time zone");
        assert_eq!(
            date_part("epoch", &Value::Timestamp(TS_POS_INFINITY), &TimeZone::Utc).unwrap(),
            Some(f64::INFINITY)
        );
        assert_eq!(date_part("hour", &Value::Timestamp(TS_POS_INFINITY), &TimeZone::Utc).unwrap(), None);
        assert_eq!(
            extract("year", &Value::Timestamp(TS_POS_INFINITY), &TimeZone::Utc).unwrap_err().code(),
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(ex("week", &Value::Date(parse_date("2021-01-01", &TimeZone::Utc).unwrap())), "53");
        assert_eq!(ex("isoyear", &Value::Date(parse_date("2021-01-01", &TimeZone::Utc).unwrap())), "2020");
    }

    #[test]
    fn constructors() {
        assert_eq!(format_date(make_date(2024, 2, 29).unwrap()), "2024-02-29");
        assert_eq!(make_date(2023, 2, 29).unwrap_err().message(), "date field value out of range: 2023-02-29");
        assert_eq!(make_date(0, 1, 1).unwrap_err().message(), "date field value out of range: 0-01-01");
        assert_eq!(format_timestamp(make_timestamp(2024, 1, 31, 13, 4, 5.5).unwrap()), "2024-01-31 13:04:05.5");
        assert_eq!(make_time(25, 0, 0.0).unwrap_err().message(), "time field value out of range: 25:00:00");
        assert_eq!(format_time(make_time(24, 0, 0.0).unwrap()), "24:00:00");
        assert_eq!(format_interval(&make_interval(1, 2, 1, 3, 4, 5, 6.5).unwrap()), "1 year 2 mons 10 days 04:05:06.5");
        assert_eq!(format_timestamptz(to_timestamp_epoch(0.0).unwrap(), &TimeZone::Utc), "1970-01-01 00:00:00+00");
        assert_eq!(format_timestamptz(to_timestamp_epoch(1.5).unwrap(), &TimeZone::Utc), "1970-01-01 00:00:01.5+00");
        assert_eq!(to_timestamp_epoch(f64::NAN).unwrap_err().message(), "timestamp cannot be NaN");
        assert_eq!(to_timestamp_epoch(1e20).unwrap_err().message(), "timestamp out of range: \"1e+20\"");
        let ny = TimeZone::parse("America/New_York").unwrap();
        let x = make_timestamptz(2024, 7, 1, 12, 0, 0.0, &ny).unwrap();
        assert_eq!(format_timestamptz(x, &TimeZone::Utc), "2024-07-01 16:00:00+00");
    }

    #[test]
    fn chrono_round_trip() {
        let d = parse_date("2024-01-31", &TimeZone::Utc).unwrap();
        let c = date_to_chrono(d).unwrap();
        assert_eq!(c.to_string(), "2024-01-31");
        assert_eq!(date_from_chrono(c).unwrap(), d);
        let t = ts("2024-01-31 13:04:05.123456");
        let c = timestamp_to_chrono(t).unwrap();
        assert_eq!(c.to_string(), "2024-01-31 13:04:05.123456");
        assert_eq!(timestamp_from_chrono(c).unwrap(), t);
        assert_eq!(timestamptz_from_chrono(timestamptz_to_chrono(t).unwrap()).unwrap(), t);
        let tm = parse_time("13:04:05.5", &TimeZone::Utc).unwrap();
        assert_eq!(time_from_chrono(time_to_chrono(tm).unwrap()), tm);
        assert!(date_to_chrono(DATE_POS_INFINITY).is_none());
        assert!(timestamp_to_chrono(TS_NEG_INFINITY).is_none());
    }
}
