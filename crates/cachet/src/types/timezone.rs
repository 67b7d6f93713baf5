//! Session time zones, with PostgreSQL's `SET TIME ZONE` semantics.
//!
//! A [`TimeZone`] is one of:
//! - [`TimeZone::Utc`], the default;
//! - [`TimeZone::Fixed`], a fixed offset set as a number of hours (`SET TIME ZONE -8`,
//!   ISO sign: positive is east of Greenwich), which PostgreSQL shows as `<-08>+08`;
//! - [`TimeZone::Posix`], a POSIX-style fixed-offset spec kept with its text, such as
//!   `+02:00`, `UTC+3` or `<+03>-03`. NB: POSIX offsets count *west* of Greenwich, so
//!   `SET TIME ZONE '+02:00'` means UTC-2 in PostgreSQL, and so it does here;
//! - [`TimeZone::Named`], an IANA zone from `chrono-tz` (`Europe/Paris`), matched
//!   case-insensitively and shown in its canonical spelling, as PostgreSQL does.
//!
//! Conversions work on the engine's microsecond timestamps (since 2000-01-01).
//! [`TimeZone::offset_at`] gives the offset in effect at a UTC instant, and
//! [`TimeZone::local_to_utc`] resolves a local wall-clock time with PostgreSQL's rule
//! for DST transitions: of the two candidate interpretations (the offsets before and
//! after the transition), the later UTC instant wins. So a time in a spring-forward gap
//! is read with the pre-transition offset (`02:30` becomes `03:30` DST) and an
//! ambiguous fall-back time is read as standard time.
//!
//! chrono-tz lists transitions up to 2099; for later years the rules of the year in
//! 2062-2089 with the same calendar (leap year and weekday of January 1st) are used,
//! which reproduces PostgreSQL's extrapolation of the zone's current POSIX rule.
//!
//! Limits: POSIX specs with a DST part are accepted only when they name an IANA zone
//! (`EST5EDT`, `PST8PDT`), and instants before chrono's year range (-262143) use the
//! offset at the edge of that range.

use crate::error::{Error, Result, SqlState};
use chrono::{DateTime, NaiveDateTime, Offset, TimeZone as _};
use chrono_tz::{OffsetName, Tz};
use std::sync::Arc;

/// Microseconds between 1970-01-01 and 2000-01-01.
const UNIX_TO_PG_MICROS: i64 = 946_684_800_000_000;

/// A session time zone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum TimeZone {
    #[default]
    Utc,
    /// A fixed offset in seconds east of UTC.
    Fixed(i32),
    /// A POSIX-style fixed offset as the user wrote it, with its offset in seconds
    /// east of UTC.
    Posix { name: Arc<str>, offset: i32 },
    /// An IANA time zone.
    Named(Tz),
}

fn invalid_timezone(s: &str) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid value for parameter \"TimeZone\": \"{s}\""))
}

impl TimeZone {
    /// A fixed offset in seconds east of UTC.
    pub fn fixed(offset_seconds: i32) -> TimeZone {
        if offset_seconds == 0 {
            TimeZone::Fixed(0)
        } else {
            TimeZone::Fixed(offset_seconds)
        }
    }

    /// Parses a `TimeZone` setting as PostgreSQL's `SET TIME ZONE` does: a number of
    /// hours (ISO sign), an IANA zone name (any case), or a POSIX fixed-offset spec.
    pub fn parse(s: &str) -> Result<TimeZone> {
        let t = s.trim();
        if t.is_empty() {
            return Err(invalid_timezone(s));
        }
        // A plain number of hours, possibly fractional.
        if let Some(hours) = parse_hours(t) {
            if !hours.is_finite() || hours.abs() > 168.0 {
                return Err(invalid_timezone(s));
            }
            return Ok(TimeZone::Fixed((hours * 3600.0) as i32));
        }
        if t.eq_ignore_ascii_case("utc") {
            return Ok(TimeZone::Utc);
        }
        if let Some(tz) = lookup_zone(t) {
            return Ok(TimeZone::Named(tz));
        }
        if let Some(offset) = parse_posix(t) {
            return Ok(TimeZone::Posix { name: t.into(), offset });
        }
        Err(invalid_timezone(s))
    }

    /// The setting as `SHOW TIME ZONE` prints it.
    pub fn name(&self) -> String {
        match self {
            TimeZone::Utc => "UTC".to_string(),
            TimeZone::Fixed(east) => {
                let abs = east.unsigned_abs();
                let mut off = format!("{:02}", abs / 3600);
                let rem = abs % 3600;
                if rem != 0 {
                    off.push_str(&format!(":{:02}", rem / 60));
                    if rem % 60 != 0 {
                        off.push_str(&format!(":{:02}", rem % 60));
                    }
                }
                if *east < 0 {
                    format!("<-{off}>+{off}")
                } else {
                    format!("<+{off}>-{off}")
                }
            }
            TimeZone::Posix { name, .. } => name.to_string(),
            TimeZone::Named(tz) => tz.name().to_string(),
        }
    }

    /// The offset from UTC, in seconds east, in effect at a UTC instant given in
    /// microseconds since 2000-01-01.
    pub fn offset_at(&self, utc_micros: i64) -> i32 {
        match self {
            TimeZone::Utc => 0,
            TimeZone::Fixed(o) | TimeZone::Posix { offset: o, .. } => *o,
            TimeZone::Named(tz) => {
                let naive = zone_naive(utc_micros);
                tz.offset_from_utc_datetime(&naive).fix().local_minus_utc()
            }
        }
    }

    /// The zone abbreviation in effect at a UTC instant (`CET`, `EST`, `UTC`), or the
    /// numeric offset (`+05:30`, `-08`) where the zone has no abbreviation.
    pub fn abbreviation_at(&self, utc_micros: i64) -> String {
        match self {
            TimeZone::Utc => "UTC".to_string(),
            TimeZone::Named(tz) => {
                let naive = zone_naive(utc_micros);
                let off = tz.offset_from_utc_datetime(&naive);
                match off.abbreviation() {
                    Some(a) => a.to_string(),
                    None => format_offset(off.fix().local_minus_utc()),
                }
            }
            _ => format_offset(self.offset_at(utc_micros)),
        }
    }

    /// Converts a UTC instant to local wall-clock microseconds since 2000-01-01,
    /// saturating at the ends of the range.
    pub fn utc_to_local(&self, utc_micros: i64) -> i64 {
        utc_micros.saturating_add(self.offset_at(utc_micros) as i64 * 1_000_000)
    }

    /// The offset (seconds east) that applies to a local wall-clock time, resolving
    /// DST gaps and overlaps as PostgreSQL does.
    pub fn offset_for_local(&self, local_micros: i64) -> i32 {
        match self {
            TimeZone::Utc => 0,
            TimeZone::Fixed(o) | TimeZone::Posix { offset: o, .. } => *o,
            TimeZone::Named(tz) => {
                let naive = zone_naive(local_micros);
                let before = tz.offset_from_utc_datetime(&(naive - chrono::Duration::days(1))).fix().local_minus_utc();
                let after = tz.offset_from_utc_datetime(&(naive + chrono::Duration::days(1))).fix().local_minus_utc();
                let candidates = match tz.offset_from_local_datetime(&naive) {
                    chrono::LocalResult::Single(o) => return o.fix().local_minus_utc(),
                    chrono::LocalResult::Ambiguous(a, b) => (a.fix().local_minus_utc(), b.fix().local_minus_utc()),
                    chrono::LocalResult::None => (before, after),
                };
                // The later UTC instant is the one with the smaller offset.
                candidates.0.min(candidates.1)
            }
        }
    }

    /// Converts a local wall-clock time (microseconds since 2000-01-01) to UTC,
    /// saturating at the ends of the range.
    pub fn local_to_utc(&self, local_micros: i64) -> i64 {
        local_micros.saturating_sub(self.offset_for_local(local_micros) as i64 * 1_000_000)
    }
}

/// Formats an offset in seconds east as PostgreSQL prints it in timestamps: `+00`,
/// `+05:30`, `-08`, `+00:09:21`.
pub fn format_offset(east: i32) -> String {
    let mut s = String::with_capacity(9);
    write_offset(&mut s, east);
    s
}

/// Appends an offset in seconds east as PostgreSQL prints it in timestamps.
pub fn write_offset(buf: &mut String, east: i32) {
    let abs = east.unsigned_abs();
    let (h, m, s) = (abs / 3600, (abs / 60) % 60, abs % 60);
    buf.push(if east < 0 { '-' } else { '+' });
    push2(buf, h);
    if m != 0 || s != 0 {
        buf.push(':');
        push2(buf, m);
    }
    if s != 0 {
        buf.push(':');
        push2(buf, s);
    }
}

fn push2(buf: &mut String, v: u32) {
    if v < 10 {
        buf.push('0');
    }
    let _ = std::fmt::Write::write_fmt(buf, format_args!("{v}"));
}

/// The last year for which chrono-tz has explicit transitions; later years reuse the
/// rules of an equivalent earlier year.
const LAST_RULE_YEAR: i32 = 2089;

/// A chrono date-time for looking up zone rules at microseconds since 2000-01-01.
/// Years after [`LAST_RULE_YEAR`] are mapped to the year in the 28 years before it
/// that has the same calendar (leap year and weekday of January 1st), so that rules
/// like "second Sunday in March" keep applying as PostgreSQL's POSIX-rule
/// extrapolation does. Other instants are clamped to chrono's range.
fn zone_naive(micros: i64) -> NaiveDateTime {
    use crate::types::datetime::{date2j, is_leap, j2date, j2day, POSTGRES_EPOCH_JDATE, USECS_PER_DAY};
    let days = micros.div_euclid(USECS_PER_DAY);
    let (year, month, day) = j2date((days + POSTGRES_EPOCH_JDATE).max(0));
    if year <= LAST_RULE_YEAR {
        return naive_from_micros(micros);
    }
    let weekday = j2day(date2j(year, 1, 1));
    let same = (LAST_RULE_YEAR - 27..=LAST_RULE_YEAR)
        .find(|&y| is_leap(y) == is_leap(year) && j2day(date2j(y, 1, 1)) == weekday)
        .unwrap_or(LAST_RULE_YEAR);
    let secs = micros.rem_euclid(USECS_PER_DAY) / 1_000_000;
    chrono::NaiveDate::from_ymd_opt(same, month as u32, day as u32)
        .and_then(|d| d.and_hms_opt((secs / 3600) as u32, ((secs / 60) % 60) as u32, (secs % 60) as u32))
        .unwrap_or_else(|| naive_from_micros(micros))
}

/// A NaiveDateTime for microseconds since 2000-01-01, clamped to chrono's range.
fn naive_from_micros(micros: i64) -> NaiveDateTime {
    let unix = micros.saturating_add(UNIX_TO_PG_MICROS);
    let secs = unix.div_euclid(1_000_000);
    let secs = secs.clamp(
        DateTime::<chrono::Utc>::MIN_UTC.timestamp() + 2 * 86_400,
        DateTime::<chrono::Utc>::MAX_UTC.timestamp() - 2 * 86_400,
    );
    DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc()).unwrap_or_default()
}

/// A whole-string decimal number of hours, as `strtod` would accept it.
fn parse_hours(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i == start || i != b.len() || !s[start..].bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Finds an IANA zone by name, ignoring case.
pub fn lookup_zone(name: &str) -> Option<Tz> {
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz);
    }
    chrono_tz::TZ_VARIANTS.iter().copied().find(|tz| tz.name().eq_ignore_ascii_case(name))
}

/// Parses a POSIX fixed-offset spec without a DST part: an optional zone name
/// (three or more letters, or `<...>`), then `[+-]hh[:mm[:ss]]`. Returns the offset
/// in seconds *east* (the POSIX sign flipped).
fn parse_posix(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let mut i = 0;
    let named;
    if b.first() == Some(&b'<') {
        let close = s.find('>')?;
        i = close + 1;
        named = true;
    } else {
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i > 0 && i < 3 {
            return None;
        }
        named = i > 0;
    }
    let mut sign = 1i64;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        if b[i] == b'-' {
            sign = -1;
        }
        i += 1;
    } else if !named {
        return None;
    }
    let mut parts = [0i64; 3];
    let mut n = 0;
    while n < 3 {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i - start > 3 {
            return None;
        }
        parts[n] = s[start..i].parse().ok()?;
        n += 1;
        if i < b.len() && b[i] == b':' {
            i += 1;
        } else {
            break;
        }
    }
    if i != b.len() || parts[0] > 167 || parts[1] > 59 || parts[2] > 59 {
        return None;
    }
    let west = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    Some((-west) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Microseconds since 2000-01-01 for a UTC date and time.
    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        let dt = chrono::NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap();
        dt.and_utc().timestamp() * 1_000_000 - UNIX_TO_PG_MICROS
    }

    #[test]
    fn parse_and_show_match_postgres() {
        let cases = [
            ("-8", "<-08>+08", -8 * 3600),
            ("+02:00", "+02:00", -2 * 3600),
            ("UTC+3", "UTC+3", -3 * 3600),
            ("europe/paris", "Europe/Paris", 3600),
            ("utc", "UTC", 0),
            ("gmt", "GMT", 0),
            ("Etc/GMT+5", "Etc/GMT+5", -5 * 3600),
            ("5.5", "<+05:30>-05:30", 5 * 3600 + 1800),
            ("EST", "EST", -5 * 3600),
            ("<+03>-03", "<+03>-03", 3 * 3600),
            ("2", "<+02>-02", 2 * 3600),
            ("UTC0", "UTC0", 0),
            ("Asia/Kolkata", "Asia/Kolkata", 5 * 3600 + 1800),
        ];
        let jan = ts(2024, 1, 31, 13, 0);
        for (input, shown, offset) in cases {
            let tz = TimeZone::parse(input).unwrap();
            assert_eq!(tz.name(), shown, "{input}");
            assert_eq!(tz.offset_at(jan), offset, "{input}");
        }
        for bad in ["Foo/Bar", "z", "", "abc", "+", "UTC+", "1e400", "nan"] {
            let e = TimeZone::parse(bad).unwrap_err();
            assert_eq!(e.code(), SqlState::INVALID_PARAMETER_VALUE, "{bad}");
            assert_eq!(e.message(), format!("invalid value for parameter \"TimeZone\": \"{bad}\""));
        }
        assert_eq!(TimeZone::default(), TimeZone::Utc);
    }

    #[test]
    fn dst_rules() {
        let ny = TimeZone::parse("America/New_York").unwrap();
        // Summer and winter offsets.
        assert_eq!(ny.offset_at(ts(2024, 7, 31, 13, 0)), -4 * 3600);
        assert_eq!(ny.offset_at(ts(2024, 1, 31, 13, 0)), -5 * 3600);
        // Spring-forward gap: 02:30 local is read with the EST offset → 07:30 UTC.
        assert_eq!(ny.local_to_utc(ts(2024, 3, 10, 2, 30)), ts(2024, 3, 10, 7, 30));
        // Fall-back overlap: 01:30 local is read as EST → 06:30 UTC.
        assert_eq!(ny.local_to_utc(ts(2024, 11, 3, 1, 30)), ts(2024, 11, 3, 6, 30));
        // Ordinary times.
        assert_eq!(ny.local_to_utc(ts(2024, 7, 1, 12, 0)), ts(2024, 7, 1, 16, 0));
        // Local mean time before standard zones.
        assert_eq!(ny.offset_at(ts(1850, 1, 1, 5, 0)), -(4 * 3600 + 56 * 60 + 2));
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        assert_eq!(paris.offset_at(ts(1900, 1, 1, 0, 0)), 9 * 60 + 21);
        assert_eq!(paris.abbreviation_at(ts(2024, 1, 1, 0, 0)), "CET");
        assert_eq!(paris.abbreviation_at(ts(2024, 7, 1, 0, 0)), "CEST");
        assert_eq!(TimeZone::Utc.abbreviation_at(0), "UTC");
        // Beyond chrono-tz's table, the current rules continue.
        assert_eq!(ny.offset_at(ts(2150, 7, 1, 12, 0)), -4 * 3600);
        assert_eq!(ny.offset_at(ts(2150, 1, 1, 12, 0)), -5 * 3600);
        let far = crate::types::datetime::parse_timestamptz("9940-06-07 America/New_York", &TimeZone::Utc).unwrap();
        assert_eq!(crate::types::datetime::format_timestamptz(far, &TimeZone::Utc), "9940-06-07 04:00:00+00");
        // Extreme instants do not panic.
        let _ = ny.offset_at(i64::MAX);
        let _ = ny.offset_at(i64::MIN);
        let _ = ny.local_to_utc(i64::MAX);
        let _ = ny.local_to_utc(i64::MIN);
    }

    #[test]
    fn offsets_format() {
        assert_eq!(format_offset(0), "+00");
        assert_eq!(format_offset(19800), "+05:30");
        assert_eq!(format_offset(-8 * 3600), "-08");
        assert_eq!(format_offset(561), "+00:09:21");
        assert_eq!(format_offset(-(4 * 3600 + 56 * 60 + 2)), "-04:56:02");
    }
}
