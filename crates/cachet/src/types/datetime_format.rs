//! Template formatting: `to_char` for timestamps, intervals and numbers, and the
//! template parsers `to_timestamp(text, text)` and `to_date(text, text)`, following
//! PostgreSQL's `formatting.c`.
//!
//! # Templates
//!
//! A template is split into *keywords* (matched case-sensitively, first match in
//! PostgreSQL's keyword order, so `HH24` wins over `HH` and `Month` differs from
//! `MONTH`), *literal* characters, double-quoted text (where a backslash escapes the
//! next character) and a backslash before a double quote. Keywords take the `FM`
//! (fill mode: no padding) and `TM` (ignored: only English names) prefixes and the
//! `TH`/`th` ordinal suffix.
//!
//! Date/time keywords: `YYYY YYY YY Y Y,YYY IYYY IYY IY I CC MM MONTH Month month MON
//! Mon mon RM rm DD DDD IDDD D ID DAY Day day DY Dy dy W WW IW Q J HH HH12 HH24 MI SS
//! MS US FF1..FF6 SSSS SSSSS AM PM A.M. P.M. (and lowercase) BC AD B.C. A.D. TZ tz TZH
//! TZM OF`.
//!
//! Number templates (`to_char(numeric, text)`): `9 0 . , D G S MI PL SG PR L FM EEEE V
//! RN TH`, in the C locale (`D` is `.`, `G` is `,`, `L` is a blank currency symbol).
//!
//! # Parsing
//!
//! `to_timestamp`/`to_date` read numeric fields greedily when a separator follows
//! (otherwise exactly the field's width), skip whitespace before fields, let any
//! separator in the template match any one separator in the input, and ignore input
//! left over after the template ends, as PostgreSQL does outside `FX` mode. Fields
//! not given default to year 1 BC (as PostgreSQL), January, day 1, midnight.
//!
//! Limits: `FX` exact mode is accepted but matching stays lenient, ISO week-date
//! fields (`IYYY`, `IW`, `ID`) are not accepted by the parsers, and `TZ`/`OF` are
//! output-only (as in PostgreSQL 15).

use super::datetime::*;
use super::numeric::f64_to_decimal;
use super::timezone::TimeZone;
use super::value::{Interval, Value};
use crate::error::{Error, Result, SqlState};
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::Write as _;

// ---------------------------------------------------------------------------
// Template parsing
// ---------------------------------------------------------------------------

/// Template keywords, named after their spelling in PostgreSQL's keyword table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
enum K {
    AD_,
    AM_,
    AD,
    AM,
    BC_,
    BC,
    CC,
    DAY,
    DDD,
    DD,
    DY,
    Day,
    Dy,
    D,
    FF(u8),
    FX,
    HH24,
    HH12,
    HH,
    IDDD,
    ID,
    IW,
    IYYY,
    IYY,
    IY,
    I,
    J,
    MI,
    MM,
    MONTH,
    MON,
    MS,
    Month,
    Mon,
    OF,
    PM_,
    PM,
    Q,
    RM,
    SSSS,
    SS,
    TZH,
    TZM,
    TZ,
    US,
    WW,
    W,
    YCommaYYY,
    YYYY,
    YYY,
    YY,
    Y,
    LowerAD_,
    LowerAM_,
    LowerAD,
    LowerAM,
    LowerBC_,
    LowerBC,
    LowerDay,
    LowerDy,
    LowerMonth,
    LowerMon,
    LowerPM_,
    LowerPM,
    LowerRM,
    LowerTZ,
}

/// PostgreSQL's `DCH_keywords`, in its match order.
const KEYWORDS: &[(&str, K)] = &[
    ("A.D.", K::AD_),
    ("A.M.", K::AM_),
    ("AD", K::AD),
    ("AM", K::AM),
    ("B.C.", K::BC_),
    ("BC", K::BC),
    ("CC", K::CC),
    ("DAY", K::DAY),
    ("DDD", K::DDD),
    ("DD", K::DD),
    ("DY", K::DY),
    ("Day", K::Day),
    ("Dy", K::Dy),
    ("D", K::D),
    ("FF1", K::FF(1)),
    ("FF2", K::FF(2)),
    ("FF3", K::FF(3)),
    ("FF4", K::FF(4)),
    ("FF5", K::FF(5)),
    ("FF6", K::FF(6)),
    ("FX", K::FX),
    ("HH24", K::HH24),
    ("HH12", K::HH12),
    ("HH", K::HH),
    ("IDDD", K::IDDD),
    ("ID", K::ID),
    ("IW", K::IW),
    ("IYYY", K::IYYY),
    ("IYY", K::IYY),
    ("IY", K::IY),
    ("I", K::I),
    ("J", K::J),
    ("MI", K::MI),
    ("MM", K::MM),
    ("MONTH", K::MONTH),
    ("MON", K::MON),
    ("MS", K::MS),
    ("Month", K::Month),
    ("Mon", K::Mon),
    ("OF", K::OF),
    ("P.M.", K::PM_),
    ("PM", K::PM),
    ("Q", K::Q),
    ("RM", K::RM),
    ("SSSSS", K::SSSS),
    ("SSSS", K::SSSS),
    ("SS", K::SS),
    ("TZH", K::TZH),
    ("TZM", K::TZM),
    ("TZ", K::TZ),
    ("US", K::US),
    ("WW", K::WW),
    ("W", K::W),
    ("Y,YYY", K::YCommaYYY),
    ("YYYY", K::YYYY),
    ("YYY", K::YYY),
    ("YY", K::YY),
    ("Y", K::Y),
    ("a.d.", K::LowerAD_),
    ("a.m.", K::LowerAM_),
    ("ad", K::LowerAD),
    ("am", K::LowerAM),
    ("b.c.", K::LowerBC_),
    ("bc", K::LowerBC),
    ("cc", K::CC),
    ("day", K::LowerDay),
    ("ddd", K::DDD),
    ("dd", K::DD),
    ("dy", K::LowerDy),
    ("d", K::D),
    ("ff1", K::FF(1)),
    ("ff2", K::FF(2)),
    ("ff3", K::FF(3)),
    ("ff4", K::FF(4)),
    ("ff5", K::FF(5)),
    ("ff6", K::FF(6)),
    ("fx", K::FX),
    ("hh24", K::HH24),
    ("hh12", K::HH12),
    ("hh", K::HH),
    ("iddd", K::IDDD),
    ("id", K::ID),
    ("iw", K::IW),
    ("iyyy", K::IYYY),
    ("iyy", K::IYY),
    ("iy", K::IY),
    ("i", K::I),
    ("j", K::J),
    ("mi", K::MI),
    ("mm", K::MM),
    ("month", K::LowerMonth),
    ("mon", K::LowerMon),
    ("ms", K::MS),
    ("of", K::OF),
    ("p.m.", K::LowerPM_),
    ("pm", K::LowerPM),
    ("q", K::Q),
    ("rm", K::LowerRM),
    ("sssss", K::SSSS),
    ("ssss", K::SSSS),
    ("ss", K::SS),
    ("tzh", K::TZH),
    ("tzm", K::TZM),
    ("tz", K::LowerTZ),
    ("us", K::US),
    ("ww", K::WW),
    ("w", K::W),
    ("y,yyy", K::YCommaYYY),
    ("yyyy", K::YYYY),
    ("yyy", K::YYY),
    ("yy", K::YY),
    ("y", K::Y),
];

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Action {
        key: K,
        name: &'static str,
        fm: bool,
        th: Option<bool>,
    },
    /// A literal character; `quoted` for text from double quotes.
    Char(char, bool),
}

fn parse_template(fmt: &str) -> Vec<Node> {
    let mut nodes = Vec::new();
    let mut rest = fmt;
    while !rest.is_empty() {
        // Prefixes.
        let mut fm = false;
        let mut probe = rest;
        loop {
            if let Some(r) = probe.strip_prefix("FM").or_else(|| probe.strip_prefix("fm")) {
                fm = true;
                probe = r;
            } else if let Some(r) = probe.strip_prefix("TM").or_else(|| probe.strip_prefix("tm")) {
                probe = r;
            } else {
                break;
            }
        }
        if let Some((name, key)) = KEYWORDS.iter().find(|(name, _)| probe.starts_with(name)) {
            probe = &probe[name.len()..];
            let mut th = None;
            loop {
                if let Some(r) = probe.strip_prefix("TH") {
                    th = Some(true);
                    probe = r;
                } else if let Some(r) = probe.strip_prefix("th") {
                    th = Some(false);
                    probe = r;
                } else if let Some(r) = probe.strip_prefix("SP").or_else(|| probe.strip_prefix("sp")) {
                    probe = r;
                } else {
                    break;
                }
            }
            nodes.push(Node::Action { key: *key, name, fm, th });
            rest = probe;
            continue;
        }
        // Not a keyword: the prefixes (if any) are literal text.
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        if c == '"' {
            let mut inner = chars.as_str().chars();
            loop {
                match inner.next() {
                    None => break,
                    Some('"') => break,
                    Some('\\') => match inner.next() {
                        Some(e) => nodes.push(Node::Char(e, true)),
                        None => nodes.push(Node::Char('\\', true)),
                    },
                    Some(x) => nodes.push(Node::Char(x, true)),
                }
            }
            rest = inner.as_str();
        } else if c == '\\' && chars.as_str().starts_with('"') {
            nodes.push(Node::Char('"', false));
            rest = &chars.as_str()[1..];
        } else {
            nodes.push(Node::Char(c, false));
            rest = chars.as_str();
        }
    }
    nodes
}

// ---------------------------------------------------------------------------
// to_char for timestamps and intervals
// ---------------------------------------------------------------------------

/// The broken-down value to_char works on.
struct CharTm {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    usec: i64,
    /// Day of week (0 = Sunday) and day of year, for timestamps.
    wday: i64,
    yday: i64,
    /// Zone abbreviation and offset (seconds east), for timestamptz.
    tz: Option<(String, i32)>,
    is_interval: bool,
}

fn ordinal_suffix(n: i64, upper: bool) -> &'static str {
    let n = n.unsigned_abs();
    let s = if (11..=13).contains(&(n % 100)) {
        "th"
    } else {
        match n % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    };
    if upper {
        match s {
            "st" => "ST",
            "nd" => "ND",
            "rd" => "RD",
            _ => "TH",
        }
    } else {
        s
    }
}

fn push_num(out: &mut String, v: i64, width: usize, fm: bool, th: Option<bool>) {
    if fm {
        let _ = write!(out, "{v}");
    } else if v < 0 {
        let _ = write!(out, "-{:0w$}", v.unsigned_abs(), w = width.saturating_sub(1));
    } else {
        let _ = write!(out, "{v:0width$}");
    }
    if let Some(upper) = th {
        out.push_str(ordinal_suffix(v, upper));
    }
}

const ROMAN_MONTHS: [&str; 12] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

fn push_padded_name(out: &mut String, name: &str, fm: bool) {
    if fm {
        out.push_str(name);
    } else {
        let _ = write!(out, "{name:<9}");
    }
}

fn capitalize_variant(name: &str, upper: bool, lower: bool) -> String {
    if upper {
        name.to_ascii_uppercase()
    } else if lower {
        name.to_ascii_lowercase()
    } else {
        name.to_string()
    }
}

fn char_tm_format(tm: &CharTm, nodes: &[Node]) -> String {
    let mut out = String::new();
    let adj_year = if tm.is_interval || tm.year > 0 { tm.year } else { -(tm.year - 1) };
    let (iso_year, iso_week, jd) = if tm.is_interval {
        (tm.year, 0, 0)
    } else {
        let (y, m, d) = (tm.year as i32, tm.mon as i32, tm.mday as i32);
        (date2isoyear(y, m, d) as i64, date2isoweek(y, m, d) as i64, date2j(y, m, d))
    };
    let adj_iso_year = if tm.is_interval || iso_year > 0 { iso_year } else { -(iso_year - 1) };
    // `timestamp` formats its offset as +00, as PostgreSQL; intervals have none.
    let zone_offset: Option<i32> = if tm.is_interval { None } else { Some(tm.tz.as_ref().map_or(0, |z| z.1)) };
    for node in nodes {
        let (key, fm, th) = match node {
            Node::Char(c, _) => {
                out.push(*c);
                continue;
            }
            Node::Action { key, fm, th, .. } => (*key, *fm, *th),
        };
        let pm = tm.hour >= 12;
        let bc = !tm.is_interval && tm.year <= 0;
        let month_name = MONTH_NAMES[((tm.mon - 1).clamp(0, 11)) as usize];
        let day_name = DAY_NAMES[tm.wday.clamp(0, 6) as usize];
        match key {
            K::AM | K::PM => out.push_str(if pm { "PM" } else { "AM" }),
            K::AM_ | K::PM_ => out.push_str(if pm { "P.M." } else { "A.M." }),
            K::LowerAM | K::LowerPM => out.push_str(if pm { "pm" } else { "am" }),
            K::LowerAM_ | K::LowerPM_ => out.push_str(if pm { "p.m." } else { "a.m." }),
            K::AD | K::BC => out.push_str(if bc { "BC" } else { "AD" }),
            K::AD_ | K::BC_ => out.push_str(if bc { "B.C." } else { "A.D." }),
            K::LowerAD | K::LowerBC => out.push_str(if bc { "bc" } else { "ad" }),
            K::LowerAD_ | K::LowerBC_ => out.push_str(if bc { "b.c." } else { "a.d." }),
            K::HH | K::HH12 => {
                let h = if tm.hour % 12 == 0 { 12 } else { tm.hour % 12 };
                push_num(&mut out, h, 2, fm, th);
            }
            K::HH24 => push_num(&mut out, tm.hour, 2, fm, th),
            K::MI => push_num(&mut out, tm.min, 2, fm, th),
            K::SS => push_num(&mut out, tm.sec, 2, fm, th),
            K::MS => push_num(&mut out, tm.usec / 1000, 3, fm, th),
            K::US => push_num(&mut out, tm.usec, 6, fm, th),
            K::FF(n) => {
                let v = tm.usec / 10i64.pow(6 - n as u32);
                push_num(&mut out, v, n as usize, fm, th);
            }
            K::SSSS => push_num(&mut out, (tm.hour * 60 + tm.min) * 60 + tm.sec, 0, true, th),
            K::TZ | K::LowerTZ => {
                if let Some((abbrev, _)) = &tm.tz {
                    if key == K::TZ {
                        out.push_str(&abbrev.to_ascii_uppercase());
                    } else {
                        out.push_str(&abbrev.to_ascii_lowercase());
                    }
                }
            }
            K::TZH => {
                if let Some(off) = &zone_offset {
                    let _ = write!(out, "{}{:02}", if *off < 0 { '-' } else { '+' }, off.unsigned_abs() / 3600);
                }
            }
            K::TZM => {
                if let Some(off) = &zone_offset {
                    push_num(&mut out, ((off.unsigned_abs() / 60) % 60) as i64, 2, fm, th);
                }
            }
            K::OF => {
                if let Some(off) = &zone_offset {
                    let abs = off.unsigned_abs();
                    out.push(if *off < 0 { '-' } else { '+' });
                    push_num(&mut out, (abs / 3600) as i64, 2, fm, None);
                    if (abs / 60) % 60 != 0 {
                        let _ = write!(out, ":{:02}", (abs / 60) % 60);
                    }
                }
            }
            K::MONTH | K::Month | K::LowerMonth => {
                if !tm.is_interval || tm.mon != 0 {
                    let n = capitalize_variant(month_name, key == K::MONTH, key == K::LowerMonth);
                    push_padded_name(&mut out, &n, fm);
                }
            }
            K::MON | K::Mon | K::LowerMon => {
                if !tm.is_interval || tm.mon != 0 {
                    out.push_str(&capitalize_variant(&month_name[..3], key == K::MON, key == K::LowerMon));
                }
            }
            K::MM => push_num(&mut out, tm.mon, 2, fm, th),
            K::DAY | K::Day | K::LowerDay => {
                if !tm.is_interval {
                    let n = capitalize_variant(day_name, key == K::DAY, key == K::LowerDay);
                    push_padded_name(&mut out, &n, fm);
                }
            }
            K::DY | K::Dy | K::LowerDy => {
                if !tm.is_interval {
                    out.push_str(&capitalize_variant(&day_name[..3], key == K::DY, key == K::LowerDy));
                }
            }
            K::DDD => push_num(&mut out, tm.yday, 3, fm, th),
            K::IDDD => {
                let start = {
                    let day4 = date2j(iso_year as i32, 1, 4);
                    day4 - j2day(day4 - 1) as i64
                };
                push_num(&mut out, jd - start + 1, 3, fm, th)
            }
            K::DD => push_num(&mut out, tm.mday, 2, fm, th),
            K::D => push_num(&mut out, tm.wday + 1, 1, fm, th),
            K::ID => push_num(&mut out, if tm.wday == 0 { 7 } else { tm.wday }, 1, fm, th),
            K::WW => push_num(&mut out, (tm.yday - 1) / 7 + 1, 2, fm, th),
            K::IW => push_num(&mut out, iso_week, 2, fm, th),
            K::Q => {
                if !tm.is_interval || tm.mon != 0 {
                    push_num(&mut out, (tm.mon - 1) / 3 + 1, 1, fm, th)
                }
            }
            K::CC => {
                let i = if tm.is_interval {
                    tm.year / 100
                } else if tm.year > 0 {
                    (tm.year - 1) / 100 + 1
                } else {
                    tm.year / 100 - 1
                };
                if (-99..=99).contains(&i) {
                    push_num(&mut out, i, if i >= 0 { 2 } else { 3 }, fm, th);
                } else {
                    push_num(&mut out, i, 0, true, th);
                }
            }
            K::YCommaYYY => {
                let _ = write!(out, "{},{:03}", adj_year / 1000, adj_year.abs() % 1000);
                if let Some(upper) = th {
                    out.push_str(ordinal_suffix(adj_year, upper));
                }
            }
            K::YYYY => push_num(&mut out, adj_year, 4, fm, th),
            K::YYY => push_num(&mut out, adj_year % 1000, 3, fm, th),
            K::YY => push_num(&mut out, adj_year % 100, 2, fm, th),
            K::Y => push_num(&mut out, adj_year % 10, 1, fm, th),
            K::IYYY => push_num(&mut out, adj_iso_year, 4, fm, th),
            K::IYY => push_num(&mut out, adj_iso_year % 1000, 3, fm, th),
            K::IY => push_num(&mut out, adj_iso_year % 100, 2, fm, th),
            K::I => push_num(&mut out, adj_iso_year % 10, 1, fm, th),
            K::RM | K::LowerRM => {
                if (1..=12).contains(&tm.mon) {
                    let r = ROMAN_MONTHS[(tm.mon - 1) as usize];
                    let r = if key == K::LowerRM { r.to_ascii_lowercase() } else { r.to_string() };
                    if fm {
                        out.push_str(&r);
                    } else {
                        let _ = write!(out, "{r:<4}");
                    }
                }
            }
            K::W => push_num(&mut out, (tm.mday - 1) / 7 + 1, 1, fm, th),
            K::J => push_num(&mut out, jd, 0, true, th),
            K::FX => {}
        }
    }
    out
}

/// `to_char(timestamp, text)` (with `tz = None`) or `to_char(timestamptz, text)` in a
/// zone. Infinite timestamps give `None` (SQL NULL), as PostgreSQL.
pub fn to_char_timestamp(ts: i64, fmt: &str, tz: Option<&TimeZone>) -> Option<String> {
    let (f, zone) = match tz {
        Some(z) => {
            let (f, off) = timestamptz_to_fields(ts, z)?;
            (f, Some((z.abbreviation_at(ts), off)))
        }
        None => (timestamp_to_fields(ts)?, None),
    };
    let tm = CharTm {
        year: f.year as i64,
        mon: f.month as i64,
        mday: f.day as i64,
        hour: f.hour as i64,
        min: f.minute as i64,
        sec: f.second as i64,
        usec: f.micros as i64,
        wday: f.weekday() as i64,
        yday: f.day_of_year() as i64,
        tz: zone,
        is_interval: false,
    };
    Some(char_tm_format(&tm, &parse_template(fmt)))
}

/// `to_char(interval, text)`: fields as PostgreSQL splits them (hours may exceed 24).
pub fn to_char_interval(iv: &Interval, fmt: &str) -> String {
    let f = interval_to_fields(iv);
    let tm = CharTm {
        year: f.years as i64,
        mon: f.months as i64,
        mday: f.days as i64,
        hour: f.hours,
        min: f.minutes,
        sec: f.seconds,
        usec: f.micros,
        wday: 0,
        yday: 0,
        tz: None,
        is_interval: true,
    };
    char_tm_format(&tm, &parse_template(fmt))
}

// ---------------------------------------------------------------------------
// to_char for numbers
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
enum NTok {
    Nine,
    Zero,
    Point,
    Group,
    S,
    MI,
    PL,
    SG,
    PR,
    L,
    EEEE,
    V,
    RN(bool),
    TH(bool),
    Lit(char),
}

fn parse_num_template(fmt: &str) -> (Vec<NTok>, bool) {
    const KW: &[(&str, NTok)] = &[
        ("EEEE", NTok::EEEE),
        ("eeee", NTok::EEEE),
        ("FM", NTok::Lit('\0')),
        ("fm", NTok::Lit('\0')),
        ("MI", NTok::MI),
        ("mi", NTok::MI),
        ("PL", NTok::PL),
        ("pl", NTok::PL),
        ("PR", NTok::PR),
        ("pr", NTok::PR),
        ("RN", NTok::RN(true)),
        ("rn", NTok::RN(false)),
        ("SG", NTok::SG),
        ("sg", NTok::SG),
        ("TH", NTok::TH(true)),
        ("th", NTok::TH(false)),
        ("S", NTok::S),
        ("s", NTok::S),
        ("9", NTok::Nine),
        ("0", NTok::Zero),
        (".", NTok::Point),
        ("D", NTok::Point),
        ("d", NTok::Point),
        (",", NTok::Group),
        ("G", NTok::Group),
        ("g", NTok::Group),
        ("L", NTok::L),
        ("l", NTok::L),
        ("V", NTok::V),
        ("v", NTok::V),
    ];
    let mut toks = Vec::new();
    let mut fm = false;
    let mut rest = fmt;
    while !rest.is_empty() {
        if let Some((name, t)) = KW.iter().find(|(name, _)| rest.starts_with(name)) {
            if *t == NTok::Lit('\0') {
                fm = true;
            } else {
                toks.push(*t);
            }
            rest = &rest[name.len()..];
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        if c == '"' {
            let mut inner = chars.as_str().chars();
            loop {
                match inner.next() {
                    None | Some('"') => break,
                    Some(x) => toks.push(NTok::Lit(x)),
                }
            }
            rest = inner.as_str();
        } else {
            toks.push(NTok::Lit(c));
            rest = chars.as_str();
        }
    }
    (toks, fm)
}

fn to_roman(n: i64) -> Option<String> {
    if !(1..=3999).contains(&n) {
        return None;
    }
    const TABLE: [(i64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = n;
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    Some(s)
}

fn value_to_decimal(v: &Value) -> Result<Option<Decimal>> {
    Ok(Some(match v {
        Value::Int2(i) => Decimal::from(*i),
        Value::Int4(i) => Decimal::from(*i),
        Value::Int8(i) => Decimal::from(*i),
        Value::Numeric(d) => *d,
        Value::Float4(f) if f.is_finite() => f64_to_decimal(*f as f64)?,
        Value::Float8(f) if f.is_finite() => f64_to_decimal(*f)?,
        Value::Float4(_) | Value::Float8(_) => return Ok(None),
        other => {
            return Err(Error::new(
                SqlState::UNDEFINED_FUNCTION,
                format!("function to_char({}, unknown) does not exist", other.data_type()),
            ))
        }
    }))
}

/// `to_char(number, text)` for integers, floats and NUMERIC (see the module docs for
/// the supported template patterns). Non-finite floats print as `#` in every digit
/// position.
pub fn to_char_number(v: &Value, fmt: &str) -> Result<String> {
    let (toks, fm) = parse_num_template(fmt);
    let value = value_to_decimal(v)?;
    let digit_count = toks.iter().filter(|t| matches!(t, NTok::Nine | NTok::Zero)).count();
    if let Some(NTok::RN(upper)) = toks.iter().find(|t| matches!(t, NTok::RN(_))) {
        let n = value
            .map(|d| d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
            .and_then(|d| rust_decimal::prelude::ToPrimitive::to_i64(&d));
        let r = n.and_then(to_roman).unwrap_or_else(|| "#".repeat(15));
        let r = if *upper { r } else { r.to_ascii_lowercase() };
        return Ok(if fm { r } else { format!("{r:>15}") });
    }
    let point_idx = toks.iter().position(|t| *t == NTok::Point);
    let v_idx = toks.iter().position(|t| *t == NTok::V);
    let is_digit = |t: &NTok| matches!(t, NTok::Nine | NTok::Zero);
    let (pre, post) = match point_idx {
        Some(p) => (toks[..p].iter().filter(|t| is_digit(t)).count(), toks[p..].iter().filter(|t| is_digit(t)).count()),
        None => (digit_count, 0),
    };
    let v_mult = v_idx.map_or(0, |vi| toks[vi..].iter().filter(|t| is_digit(t)).count());
    // The sign of the value as printed: a value that rounds to zero is not negative.
    let mut negative = value.is_some_and(|d| d.is_sign_negative() && !d.is_zero());
    let explicit_sign = toks.iter().any(|t| matches!(t, NTok::S | NTok::MI | NTok::SG | NTok::PR));

    // Scientific notation.
    if toks.contains(&NTok::EEEE) {
        let mut out = String::new();
        let Some(d) = value else {
            return Ok("#".repeat(digit_count + usize::from(point_idx.is_some()) + 5));
        };
        let f = rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(0.0);
        let s = format!("{:.*e}", post, f.abs());
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        if negative {
            out.push('-');
        } else if !fm {
            out.push(' ');
        }
        out.push_str(mant);
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return Ok(out);
    }

    // Digits of the (scaled, rounded) absolute value.
    let (mut int_digits, frac_digits, overflow) = match value {
        Some(d) => {
            let mut d = d.abs();
            for _ in 0..v_mult {
                d = d.checked_mul(Decimal::TEN).unwrap_or(Decimal::MAX);
            }
            let mut r = d.round_dp_with_strategy(post as u32, RoundingStrategy::MidpointAwayFromZero);
            r.rescale(post as u32);
            if r.is_zero() {
                negative = false;
            }
            let s = r.to_string();
            let (i, f) = s.split_once('.').unwrap_or((&s, ""));
            let mut i = i.to_string();
            if i == "0" && (point_idx.is_some() || pre == 0) {
                i.clear();
            }
            if i.is_empty() && point_idx.is_none() {
                i.push('0');
            }
            let overflow = i.len() > pre;
            (i, f.to_string(), overflow)
        }
        None => (String::new(), String::new(), true),
    };
    let first_zero = toks.iter().position(|t| *t == NTok::Zero);
    let last_zero_after_point = point_idx.and_then(|p| toks.iter().rposition(|t| *t == NTok::Zero).filter(|z| *z > p));

    // Fraction digits kept in fill mode: trailing zeros trimmed down to the last `0`.
    let mut frac_keep = frac_digits.len();
    if fm {
        let min_keep = match (point_idx, last_zero_after_point) {
            (Some(p), Some(z)) => toks[p..=z].iter().filter(|t| is_digit(t)).count(),
            _ => 0,
        };
        while frac_keep > min_keep && frac_digits.as_bytes().get(frac_keep - 1) == Some(&b'0') {
            frac_keep -= 1;
        }
        // Fill mode never prints a bare point: zero shows as "0.".
        if int_digits.is_empty() && frac_keep == 0 && !overflow && pre > 0 {
            int_digits.push('0');
        }
    }

    // The sign is anchored: it is written right before the first digit or point.
    // A leading `S` shows `+` for positive numbers; `PR` writes `<` there.
    let leading_s = toks.first() == Some(&NTok::S);
    let has_pr = toks.contains(&NTok::PR);
    let anchored = !explicit_sign || leading_s || has_pr;
    let sign_char = if has_pr {
        if negative {
            Some('<')
        } else if fm {
            None
        } else {
            Some(' ')
        }
    } else if negative {
        Some('-')
    } else if leading_s {
        Some('+')
    } else if fm {
        None
    } else {
        Some(' ')
    };
    let mut out = String::new();
    let mut started = false;
    let start = |out: &mut String, started: &mut bool| {
        if !*started {
            *started = true;
            if anchored {
                if let Some(c) = sign_char {
                    out.push(c);
                }
            }
        }
    };
    let mut int_pos = 0usize;
    let mut frac_pos = 0usize;
    let mut after_point = false;
    let lead = pre.saturating_sub(int_digits.len());
    for (idx, t) in toks.iter().enumerate() {
        match t {
            NTok::Nine | NTok::Zero if !after_point => {
                if overflow {
                    start(&mut out, &mut started);
                    out.push('#');
                } else if int_pos < lead {
                    if first_zero.is_some_and(|z| z <= idx) {
                        start(&mut out, &mut started);
                        out.push('0');
                    } else if !fm {
                        out.push(' ');
                    }
                } else {
                    start(&mut out, &mut started);
                    out.push(int_digits.as_bytes()[int_pos - lead] as char);
                }
                int_pos += 1;
            }
            NTok::Nine | NTok::Zero => {
                if overflow {
                    out.push('#');
                } else if frac_pos < frac_keep {
                    out.push(frac_digits.as_bytes()[frac_pos] as char);
                } else if !fm {
                    out.push(' ');
                }
                frac_pos += 1;
            }
            NTok::Point => {
                after_point = true;
                if post == 0 && !overflow {
                    continue;
                }
                start(&mut out, &mut started);
                out.push('.');
            }
            NTok::Group => {
                if started {
                    out.push(',');
                } else if !fm {
                    out.push(' ');
                }
            }
            NTok::S => {
                if idx > 0 {
                    out.push(if negative { '-' } else { '+' });
                }
            }
            NTok::MI => {
                if negative {
                    out.push('-');
                } else if !fm {
                    out.push(' ');
                }
            }
            NTok::PL => {
                if !negative {
                    out.push('+');
                } else if !fm {
                    out.push(' ');
                }
            }
            NTok::SG => out.push(if negative { '-' } else { '+' }),
            NTok::PR => {
                if negative {
                    out.push('>');
                } else if !fm {
                    out.push(' ');
                }
            }
            NTok::L => out.push(' '),
            NTok::TH(upper) => {
                if !negative && !overflow {
                    if let Ok(n) = int_digits.parse::<i64>() {
                        out.push_str(ordinal_suffix(n, *upper));
                    }
                }
            }
            NTok::Lit(c) => out.push(*c),
            NTok::V | NTok::EEEE | NTok::RN(_) => {}
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// to_timestamp / to_date
// ---------------------------------------------------------------------------

/// Parsed template fields (PostgreSQL's `TmFromChar`): 0 means "not given".
#[derive(Default)]
struct FromChar {
    year: i64,
    yysz: u8,
    bc: i64,
    cc: i64,
    mm: i64,
    dd: i64,
    ddd: i64,
    hh: i64,
    clock12: bool,
    pm: i64,
    mi: i64,
    ss: i64,
    ssss: i64,
    ms: i64,
    us: i64,
    j: i64,
    tzsign: i64,
    tzh: i64,
    tzm: i64,
}

fn bad_value(value: &str, field: &str, detail: &str) -> Error {
    Error::new(SqlState::INVALID_DATETIME_FORMAT, format!("invalid value \"{value}\" for \"{field}\""))
        .with_detail(detail.to_string())
}

/// PostgreSQL's `from_char_set_int`: a field may be set twice only to the same value.
fn set_field(slot: &mut i64, v: i64, field: &str) -> Result<()> {
    if *slot != 0 && *slot != v {
        return Err(Error::new(
            SqlState::INVALID_DATETIME_FORMAT,
            format!("conflicting values for \"{field}\" field in formatting string"),
        )
        .with_detail("This value contradicts a previous setting for the same field type."));
    }
    *slot = v;
    Ok(())
}

/// Whether a character separates fields (printable ASCII, not a letter or digit).
fn is_separator_char(c: char) -> bool {
    c.is_ascii_graphic() && !c.is_ascii_alphanumeric()
}

/// PostgreSQL's `is_next_separator`: whether the field after `idx` cannot continue
/// a number, so that a number may be read greedily.
fn is_next_separator(nodes: &[Node], idx: usize) -> bool {
    if let Some(Node::Action { th: Some(_), .. }) = nodes.get(idx) {
        return true;
    }
    match nodes.get(idx + 1) {
        None => true,
        Some(Node::Action { key, .. }) => !key_is_digit(*key),
        Some(Node::Char(c, _)) => !c.is_ascii_digit(),
    }
}

/// Whether a keyword reads digits.
fn key_is_digit(k: K) -> bool {
    !matches!(
        k,
        K::AD_
            | K::AM_
            | K::AD
            | K::AM
            | K::BC_
            | K::BC
            | K::DAY
            | K::DY
            | K::Day
            | K::Dy
            | K::FX
            | K::MONTH
            | K::MON
            | K::Month
            | K::Mon
            | K::OF
            | K::PM_
            | K::PM
            | K::RM
            | K::TZH
            | K::TZ
            | K::LowerAD_
            | K::LowerAM_
            | K::LowerAD
            | K::LowerAM
            | K::LowerBC_
            | K::LowerBC
            | K::LowerDay
            | K::LowerDy
            | K::LowerMonth
            | K::LowerMon
            | K::LowerPM_
            | K::LowerPM
            | K::LowerRM
            | K::LowerTZ
    )
}

/// C `strtol` over `s`: leading whitespace, a sign, digits. Returns the value (or
/// `None` on overflow of `long`) and the number of bytes used (0 if no digits).
fn c_strtol(s: &str) -> (Option<i64>, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: Option<i64> = Some(0);
    while i < b.len() && b[i].is_ascii_digit() {
        let d = (b[i] - b'0') as i64;
        v = v.and_then(|v| v.checked_mul(10)).and_then(|v| if neg { v.checked_sub(d) } else { v.checked_add(d) });
        i += 1;
    }
    if i == start {
        return (Some(0), 0);
    }
    (v, i)
}

/// PostgreSQL's `from_char_parse_int_len`: reads an integer field of `len`
/// characters, or greedily in fill mode or before a non-digit field. Returns the
/// value and the number of characters consumed.
fn read_int(s: &mut &str, len: usize, greedy: bool, field: &str) -> Result<(i64, usize)> {
    let init = *s;
    let trimmed = init.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let copy: String = trimmed.chars().take(len).collect();
    let (value, used) = if greedy {
        let (v, used) = c_strtol(init);
        *s = &init[used..];
        (v, used)
    } else {
        let copied = copy.chars().count();
        if copied < len {
            return Err(Error::new(
                SqlState::INVALID_DATETIME_FORMAT,
                format!("source string too short for \"{field}\" formatting field"),
            )
            .with_detail(format!("Field requires {len} characters, but only {copied} remain."))
            .with_hint("If your source string is not fixed-width, try using the \"FM\" modifier."));
        }
        let (v, used) = c_strtol(&copy);
        if used > 0 && used < copy.len() {
            return Err(bad_value(
                &copy,
                field,
                &format!("Field requires {len} characters, but only {used} could be parsed."),
            )
            .with_hint("If your source string is not fixed-width, try using the \"FM\" modifier."));
        }
        let skipped = init.len() - trimmed.len();
        *s = &init[if used == 0 { 0 } else { skipped + used }..];
        (v, used)
    };
    if used == 0 {
        return Err(bad_value(&copy, field, "Value must be an integer."));
    }
    match value {
        Some(v) if i32::try_from(v).is_ok() => Ok((v, init.len() - s.len())),
        _ => Err(Error::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("value for \"{field}\" in source string is out of range"),
        )
        .with_detail(format!("Value must be in the range {} to {}.", i32::MIN, i32::MAX))),
    }
}

/// PostgreSQL's `from_char_seq_search`: the index of the first choice that the input
/// starts with, ignoring case.
fn read_word(s: &mut &str, choices: &[&str], field: &str) -> Result<usize> {
    let input = *s;
    for (i, c) in choices.iter().enumerate() {
        if input.len() >= c.len() && input.is_char_boundary(c.len()) && input[..c.len()].eq_ignore_ascii_case(c) {
            *s = &input[c.len()..];
            return Ok(i);
        }
    }
    let shown: String = input.chars().take_while(|c| !c.is_whitespace()).collect();
    Err(bad_value(&shown, field, "The given value did not match any of the allowed values for this field."))
}

fn parse_from_char(input: &str, fmt: &str) -> Result<FromChar> {
    let nodes = parse_template(fmt);
    let mut fc = FromChar::default();
    let mut s = input;
    let mut fx_mode = false;
    let mut extra_skip: i64 = 0;
    for (idx, node) in nodes.iter().enumerate() {
        if s.is_empty() {
            break;
        }
        let is_action = matches!(node, Node::Action { .. });
        let is_fx = matches!(node, Node::Action { key: K::FX, .. });
        // Spaces are ignored at the start and before fields, outside FX mode.
        // NB: PostgreSQL 15 also skips spaces before a template space or separator
        // (so "1 .2" matches "MI SS").
        let is_sep = matches!(node, Node::Char(c, false) if *c == ' ' || is_separator_char(*c));
        if !fx_mode && !is_fx && (is_action || is_sep || idx == 0) {
            let trimmed = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
            extra_skip += (s.len() - trimmed.len()) as i64;
            s = trimmed;
        }
        if s.is_empty() {
            break;
        }
        let (key, name, fm, th) = match node {
            Node::Char(c, quoted) => {
                let first = s.chars().next().unwrap_or(' ');
                if !quoted && (*c == ' ' || is_separator_char(*c)) {
                    // A template space or separator matches one space or separator,
                    // or nothing.
                    if fx_mode {
                        s = &s[first.len_utf8()..];
                    } else {
                        extra_skip -= 1;
                        if first.is_ascii_whitespace() || is_separator_char(first) {
                            s = &s[first.len_utf8()..];
                            extra_skip += 1;
                        }
                    }
                } else if !fx_mode && extra_skip > 0 {
                    // Characters skipped before may have stood for this one.
                    extra_skip -= 1;
                } else {
                    s = &s[first.len_utf8()..];
                }
                continue;
            }
            Node::Action { key, name, fm, th } => (*key, *name, *fm, *th),
        };
        let greedy = fm || is_next_separator(&nodes, idx);
        match key {
            K::FX => fx_mode = true,
            K::YYYY | K::IYYY => {
                let (v, _) = read_int(&mut s, 4, greedy, name)?;
                set_field(&mut fc.year, v, name)?;
                fc.yysz = 4;
            }
            K::YYY | K::IYY => {
                let (v, _) = read_int(&mut s, 3, greedy, name)?;
                set_field(&mut fc.year, adjust_partial_year(v), name)?;
                fc.yysz = 3;
            }
            K::YY | K::IY => {
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.year, adjust_partial_year(v), name)?;
                fc.yysz = 2;
            }
            K::Y | K::I => {
                let (v, _) = read_int(&mut s, 1, greedy, name)?;
                set_field(&mut fc.year, adjust_partial_year(v), name)?;
                fc.yysz = 1;
            }
            K::YCommaYYY => {
                // sscanf("%d,%03d")
                let (millennia, used) = c_strtol(s);
                let rest = &s[used..];
                let years = rest.strip_prefix(',').map(|r| {
                    let digits: String = r.chars().take(3).take_while(char::is_ascii_digit).collect();
                    (digits.parse::<i64>().ok(), digits.len())
                });
                let (Some(m), true, Some((Some(y), n))) = (millennia, used > 0, years) else {
                    return Err(Error::new(SqlState::INVALID_DATETIME_FORMAT, "invalid input string for \"Y,YYY\""));
                };
                set_field(&mut fc.year, m.saturating_mul(1000).saturating_add(y), name)?;
                fc.yysz = 4;
                s = &rest[1 + n..];
            }
            K::CC => {
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.cc, v, name)?;
            }
            K::MM => {
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.mm, v, name)?;
            }
            K::DD => {
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.dd, v, name)?;
            }
            K::DDD | K::IDDD => {
                let (v, _) = read_int(&mut s, 3, greedy, name)?;
                set_field(&mut fc.ddd, v, name)?;
            }
            K::HH | K::HH12 => {
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.hh, v, name)?;
                fc.clock12 = true;
            }
            K::HH24 => {
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.hh, v, name)?;
            }
            K::MI => {
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.mi, v, name)?;
            }
            K::SS => {
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.ss, v, name)?;
            }
            K::MS => {
                let (v, used) = read_int(&mut s, 3, greedy, name)?;
                // "12" means 120 milliseconds.
                let v = v.saturating_mul(match used {
                    1 => 100,
                    2 => 10,
                    _ => 1,
                });
                set_field(&mut fc.ms, v, name)?;
            }
            K::US | K::FF(_) => {
                let width = if let K::FF(n) = key { n as usize } else { 6 };
                let (v, used) = read_int(&mut s, width, greedy, name)?;
                let v = v.saturating_mul(10i64.pow(6u32.saturating_sub(used as u32)));
                set_field(&mut fc.us, v, name)?;
            }
            K::SSSS => {
                let (v, _) = read_int(&mut s, 5, greedy, name)?;
                set_field(&mut fc.ssss, v, name)?;
            }
            K::J => {
                let (v, _) = read_int(&mut s, 7, greedy, name)?;
                set_field(&mut fc.j, v, name)?;
            }
            K::D | K::ID | K::W | K::Q => {
                read_int(&mut s, 1, greedy, name)?;
            }
            K::WW | K::IW => {
                read_int(&mut s, 2, greedy, name)?;
            }
            K::TZH => {
                // NB: a minus sign may have been skipped as a separator.
                let consumed_before = input.len() - s.len();
                if let Some(r) = s.strip_prefix(['+', '-', ' ']) {
                    fc.tzsign = if s.starts_with('-') { -1 } else { 1 };
                    s = r;
                } else if extra_skip > 0 && consumed_before > 0 && input.as_bytes()[consumed_before - 1] == b'-' {
                    fc.tzsign = -1;
                } else {
                    fc.tzsign = 1;
                }
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.tzh, v, name)?;
            }
            K::TZM => {
                if fc.tzsign == 0 {
                    fc.tzsign = 1;
                }
                let (v, _) = read_int(&mut s, 2, greedy, name)?;
                set_field(&mut fc.tzm, v, name)?;
            }
            K::MONTH | K::Month | K::LowerMonth => {
                let i = read_word(&mut s, &MONTH_NAMES, name)?;
                set_field(&mut fc.mm, i as i64 + 1, name)?;
            }
            K::MON | K::Mon | K::LowerMon => {
                let short: Vec<&str> = MONTH_NAMES.iter().map(|m| &m[..3]).collect();
                let i = read_word(&mut s, &short, name)?;
                set_field(&mut fc.mm, i as i64 + 1, name)?;
            }
            K::RM | K::LowerRM => {
                const REVERSED: [&str; 12] = ["XII", "XI", "X", "IX", "VIII", "VII", "VI", "V", "IV", "III", "II", "I"];
                let i = read_word(&mut s, &REVERSED, name)?;
                set_field(&mut fc.mm, 12 - i as i64, name)?;
            }
            K::DAY | K::Day | K::LowerDay => {
                read_word(&mut s, &DAY_NAMES, name)?;
            }
            K::DY | K::Dy | K::LowerDy => {
                let short: Vec<&str> = DAY_NAMES.iter().map(|m| &m[..3]).collect();
                read_word(&mut s, &short, name)?;
            }
            K::AM | K::PM | K::LowerAM | K::LowerPM => {
                let i = read_word(&mut s, &["am", "pm"], name)?;
                set_field(&mut fc.pm, i as i64, name)?;
                fc.clock12 = true;
            }
            K::AM_ | K::PM_ | K::LowerAM_ | K::LowerPM_ => {
                let i = read_word(&mut s, &["a.m.", "p.m."], name)?;
                set_field(&mut fc.pm, i as i64, name)?;
                fc.clock12 = true;
            }
            K::AD | K::BC | K::LowerAD | K::LowerBC => {
                let i = read_word(&mut s, &["ad", "bc"], name)?;
                set_field(&mut fc.bc, i as i64, name)?;
            }
            K::AD_ | K::BC_ | K::LowerAD_ | K::LowerBC_ => {
                let i = read_word(&mut s, &["a.d.", "b.c."], name)?;
                set_field(&mut fc.bc, i as i64, name)?;
            }
            K::TZ | K::LowerTZ | K::OF => {
                return Err(Error::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!("formatting field \"{name}\" is only supported in to_char"),
                ))
            }
        }
        // An ordinal suffix in the template skips two input characters.
        if th.is_some() {
            let mut chars = s.chars();
            for _ in 0..2 {
                if chars.next().is_some_and(|c| !c.is_ascii_whitespace()) {
                    s = chars.as_str();
                }
            }
        }
    }
    Ok(fc)
}

/// PostgreSQL's `adjust_partial_year_to_2020`: a year read by `YYY`, `YY` or `Y`
/// moves toward 2020 (0-69 → 2000s, 70-99 → 1900s, 100-519 → 2000s, 520-999 → 1000s).
fn adjust_partial_year(year: i64) -> i64 {
    match year {
        i64::MIN..=69 => year + 2000,
        70..=99 => year + 1900,
        100..=519 => year + 2000,
        520..=999 => year + 1000,
        _ => year,
    }
}

fn out_of_range(input: &str) -> Error {
    Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("date/time field value out of range: \"{input}\""))
}

/// Resolves parsed fields into local date-time fields, as PostgreSQL's
/// `do_to_timestamp`.
fn resolve(fc: &FromChar, input: &str) -> Result<DateTimeFields> {
    let mut year: i64 = 0;
    let mut mon: i64 = 1;
    let mut mday: i64 = 1;
    let mut year_set = false;
    if fc.year != 0 {
        if fc.cc != 0 && fc.yysz <= 2 {
            let cc = if fc.bc != 0 { -fc.cc } else { fc.cc };
            year = fc.year % 100;
            if year != 0 {
                year = if cc >= 0 {
                    year.saturating_add((cc - 1).saturating_mul(100))
                } else {
                    (cc + 1).saturating_mul(100).saturating_sub(year).saturating_add(1)
                };
            } else {
                year = cc.saturating_mul(100).saturating_add(if cc >= 0 { 0 } else { 1 });
            }
        } else {
            year = if fc.bc != 0 { -fc.year } else { fc.year };
            if year < 0 {
                year += 1;
            }
        }
        year_set = true;
    } else if fc.cc != 0 {
        let cc = if fc.bc != 0 { -fc.cc } else { fc.cc };
        year = if cc >= 0 {
            (cc - 1).saturating_mul(100).saturating_add(1)
        } else {
            cc.saturating_mul(100).saturating_add(1)
        };
        year_set = true;
    }
    let mut date_set = year_set;
    if fc.j != 0 {
        if !(0..=i32::MAX as i64).contains(&fc.j) {
            return Err(out_of_range(input));
        }
        let (y, m, d) = j2date(fc.j);
        year = y as i64;
        mon = m as i64;
        mday = d as i64;
        date_set = true;
    }
    if fc.dd != 0 {
        mday = fc.dd;
        date_set = true;
    }
    if fc.mm != 0 {
        mon = fc.mm;
        date_set = true;
    }
    let year32 = i32::try_from(year).map_err(|_| out_of_range(input))?;
    if fc.ddd != 0 && (mon <= 1 || mday <= 1) {
        if year == 0 && fc.bc == 0 {
            return Err(Error::new(
                SqlState::INVALID_DATETIME_FORMAT,
                "cannot calculate day of year without year information",
            ));
        }
        let days_before = |m: i64| -> i64 { (1..m).map(|k| days_in_month(year32, k as i32) as i64).sum() };
        let mut i = 1;
        while i <= 12 && fc.ddd > days_before(i + 1) {
            i += 1;
        }
        if mon <= 1 {
            mon = i;
        }
        if mday <= 1 {
            mday = fc.ddd - days_before(i);
        }
    }
    // Range-check the date as ValidateDate does (always a field overflow here).
    if date_set || fc.ddd != 0 {
        if !(1..=12).contains(&mon) || !(1..=31).contains(&mday) {
            return Err(out_of_range(input));
        }
        if (year_set || fc.j != 0) && mday > days_in_month(year32, mon as i32) as i64 {
            return Err(out_of_range(input));
        }
    }
    let (mut hour, mut min, mut sec) = (0i64, 0i64, 0i64);
    if fc.ssss != 0 {
        hour = fc.ssss / 3600;
        min = (fc.ssss % 3600) / 60;
        sec = fc.ssss % 60;
    }
    if fc.ss != 0 {
        sec = fc.ss;
    }
    if fc.mi != 0 {
        min = fc.mi;
    }
    if fc.hh != 0 {
        hour = fc.hh;
    }
    if fc.clock12 {
        if !(1..=12).contains(&hour) {
            return Err(Error::new(
                SqlState::INVALID_DATETIME_FORMAT,
                format!("hour \"{hour}\" is invalid for the 12-hour clock"),
            )
            .with_hint("Use the 24-hour clock, or give an hour between 1 and 12."));
        }
        if fc.pm != 0 && hour < 12 {
            hour += 12;
        } else if fc.pm == 0 && hour == 12 {
            hour = 0;
        }
    }
    let micros = fc.ms.saturating_mul(1000).saturating_add(fc.us);
    if !(0..24).contains(&hour)
        || !(0..60).contains(&min)
        || !(0..60).contains(&sec)
        || !(0..1_000_000).contains(&micros)
    {
        return Err(out_of_range(input));
    }
    if fc.tzsign != 0 && (!(0..=15).contains(&fc.tzh) || !(0..60).contains(&fc.tzm)) {
        return Err(Error::new(
            SqlState::INVALID_TIME_ZONE_DISPLACEMENT,
            format!("time zone displacement out of range: \"{input}\""),
        ));
    }
    Ok(DateTimeFields {
        year: year32,
        month: mon as i32,
        day: mday as i32,
        hour: hour as i32,
        minute: min as i32,
        second: sec as i32,
        micros: micros as i32,
    })
}

/// `to_timestamp(text, template)`: a `timestamptz`, read in `tz` unless the input
/// carries `TZH`/`TZM`.
pub fn to_timestamp(input: &str, fmt: &str, tz: &TimeZone) -> Result<i64> {
    let fc = parse_from_char(input, fmt)?;
    let f = resolve(&fc, input)?;
    let range = || Error::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    let local = fields_to_timestamp(&f).map_err(|_| range())?;
    if fc.tzsign != 0 {
        let off = fc
            .tzh
            .checked_mul(3600)
            .and_then(|h| h.checked_add(fc.tzm.saturating_mul(60)))
            .and_then(|o| o.checked_mul(fc.tzsign))
            .ok_or_else(range)?;
        local.checked_sub(off.saturating_mul(1_000_000)).filter(|t| is_valid_timestamp(*t)).ok_or_else(range)
    } else {
        local_to_timestamptz(local, tz)
    }
}

/// `to_date(text, template)`.
pub fn to_date(input: &str, fmt: &str) -> Result<i32> {
    let fc = parse_from_char(input, fmt)?;
    let f = resolve(&fc, input)?;
    if !is_valid_julian(f.year, f.month) {
        return Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("date out of range: \"{input}\"")));
    }
    let d = date2j(f.year, f.month, f.day) - POSTGRES_EPOCH_JDATE;
    if !is_valid_date(d) {
        return Err(Error::new(SqlState::DATETIME_FIELD_OVERFLOW, format!("date out of range: \"{input}\"")));
    }
    Ok(d as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn ts(s: &str) -> i64 {
        parse_timestamp(s, &TimeZone::Utc).unwrap()
    }

    #[test]
    fn to_char_timestamps_match_postgres() {
        let ny = TimeZone::parse("America/New_York").unwrap();
        let x = parse_timestamptz("2024-03-05 14:04:05.123456+00", &TimeZone::Utc).unwrap();
        assert_eq!(
            to_char_timestamp(x, "YYYY-MM-DD HH24:MI:SS.MS US TZ OF TZH:TZM", Some(&ny)).unwrap(),
            "2024-03-05 09:04:05.123 123456 EST -05 -05:00"
        );
        let t = ts("2024-03-05 14:04:05.123456");
        let cases = [
            (
                "Day Dy DAY DY day dy D ID DDD IDDD W WW IW Q CC J",
                "Tuesday   Tue TUESDAY   TUE tuesday   tue 3 2 065 065 1 10 10 1 21 2460375",
            ),
            (
                "Month|MONTH|month|Mon|MON|mon|FMMonth|FMDay|",
                "March    |MARCH    |march    |Mar|MAR|mar|March|Tuesday|",
            ),
            ("yyyy mm dd hh24 mi ss", "2024 03 05 14 04 05"),
            ("TZ", ""),
        ];
        for (f, want) in cases {
            assert_eq!(to_char_timestamp(t, f, None).unwrap(), want, "{f}");
        }
        let t = ts("2024-03-05 04:04:05");
        assert_eq!(
            to_char_timestamp(t, "HH HH12 HH24 AM am PM pm A.M. a.m. FMHH12 DDth DDTH FMDDth Y,YYY YYY YY Y IYYY IY BC AD B.C. RM rm SSSS SSSSS FF1 FF3", None).unwrap(),
            "04 04 04 AM am AM am A.M. a.m. 4 05th 05TH 5th 2,024 024 24 4 2024 24 AD AD A.D. III  iii  14645 14645 0 000"
        );
        assert_eq!(
            to_char_timestamp(t, r#""Quoted text" YYYY "x\"y" \\ hh24 mi foo"#, None).unwrap(),
            r#"Quoted text 2024 x"y \\ 04 04 foo"#
        );
        assert_eq!(
            to_char_timestamp(ts("0044-03-15 BC"), "YYYY BC AD Y,YYY CC", None).unwrap(),
            "0044 BC BC 0,044 -01"
        );
        assert_eq!(to_char_timestamp(ts("2024-01-01 00:00"), "HH12 AM", None).unwrap(), "12 AM");
        assert_eq!(to_char_timestamp(ts("2024-01-01 12:00"), "HH12 PM", None).unwrap(), "12 PM");
        assert_eq!(to_char_timestamp(TS_POS_INFINITY, "YYYY", None), None);
        assert_eq!(to_char_timestamp(ts("2024-03-01"), "FMDD FMMM FMHH24 FMD", None).unwrap(), "1 3 0 6");
        for (d, want) in
            [("2024-03-21", "21st"), ("2024-03-22", "22nd"), ("2024-03-23", "23rd"), ("2024-03-11", "11th")]
        {
            assert_eq!(to_char_timestamp(ts(d), "DDth", None).unwrap(), want);
        }
        assert_eq!(to_char_timestamp(ts("2024-03-02"), "ddth", None).unwrap(), "02nd");
        assert_eq!(to_char_timestamp(t, "est", Some(&ny)).unwrap(), "est");
        // A timestamp without zone shows offset +00 and no abbreviation.
        assert_eq!(to_char_timestamp(t, "TZ OF TZH:TZM", None).unwrap(), " +00 +00:00");
    }

    #[test]
    fn to_char_intervals_match_postgres() {
        let iv = parse_interval("1 year 2 mons 3 days 04:05:06.5").unwrap();
        assert_eq!(to_char_interval(&iv, "YYYY MM DD HH24 HH MI SS MS"), "0001 02 03 04 04 05 06 500");
        assert_eq!(to_char_interval(&parse_interval("-25 hours").unwrap(), "HH24:MI:SS"), "-25:00:00");
        assert_eq!(to_char_interval(&parse_interval("25 hours").unwrap(), "HH12:MI"), "01:00");
    }

    fn num(v: &str, f: &str) -> String {
        to_char_number(&Value::Numeric(Decimal::from_str(v).unwrap()), f).unwrap()
    }

    #[test]
    fn to_char_numbers_match_postgres() {
        let cases = [
            ("1234.5", "9,999.99", " 1,234.50"),
            ("-12.3", "999.9", " -12.3"),
            ("12", "0000", " 0012"),
            ("1234.5", "FM9999.99", "1234.5"),
            ("123", "99", " ##"),
            ("-123", "S999", "-123"),
            ("123", "S999", "+123"),
            ("-123", "999MI", "123-"),
            ("123", "999MI", "123 "),
            ("-123", "999PR", "<123>"),
            ("123.456", "999D99", " 123.46"),
            ("1234567", "9G999G999", " 1,234,567"),
            ("0.5", "9.99", "  .50"),
            ("0.5", "0.99", " 0.50"),
            ("0", "999", "   0"),
            ("0", "FM999", "0"),
            ("-0.5", "9.9", " -.5"),
            ("12345.678", "9.99EEEE", " 1.23e+04"),
            ("-5", "FM999", "-5"),
            ("5", "PL999", "+   5"),
            ("-5", "PL999", "   -5"),
            ("-5", "S999", "  -5"),
            ("5", "999S", "  5+"),
            ("-5", "999PR", "  <5>"),
            ("5", "FM999PR", "5"),
            ("-5", "SG999", "-  5"),
            ("485", "RN", "        CDLXXXV"),
            ("3", "FMRN", "III"),
            ("21", "999th", "  21st"),
            ("1.999", "9.99", " 2.00"),
            ("99.999", "99.99", " ##.##"),
            ("123.4", "FM999.000", "123.400"),
            ("12", "9 9", " 1 2"),
            ("1234", "9,999", " 1,234"),
            ("123", "9,999", "   123"),
            ("-1234", "FM9,999", "-1,234"),
            ("12.5", "99V9", " 125"),
            ("0.001", "FM0.999", "0.001"),
            ("-0.1", "FM9.99", "-.1"),
            ("-1", "0000", "-0001"),
            ("-1", "FM0000", "-0001"),
            ("1", "L999", "    1"),
            ("-12", "MI99", "-12"),
            ("12", "x999y", "x  12y"),
            ("-0.4", "S999", "  +0"),
            ("0", "FM9999.99", "0."),
            ("0.001", "FM9.99", "0."),
            ("0.5", "FM9.99", ".5"),
            ("1", "FM9.99", "1."),
            ("0", "9.99", "  .00"),
            ("98612", "999th", " ###"),
            ("-0.5", "999th", "  -1"),
            ("5", "999th", "   5th"),
            ("-0.4", "FM999MI", "0"),
            ("-0.2", "999PR", "   0 "),
            ("-0.4", "PL999", "+   0"),
        ];
        for (v, f, want) in cases {
            assert_eq!(num(v, f), want, "to_char({v}, '{f}')");
        }
        assert_eq!(to_char_number(&Value::Float8(1.5), "999.999").unwrap(), "   1.500");
        assert_eq!(to_char_number(&Value::Int8(123456789), "999").unwrap(), " ###");
        assert_eq!(to_char_number(&Value::Float8(1e20), "999").unwrap(), " ###");
    }

    #[test]
    fn to_timestamp_and_to_date_match_postgres() {
        let utc = TimeZone::Utc;
        let d = |s: &str, f: &str| format_date(to_date(s, f).unwrap_or_else(|e| panic!("{s} / {f}: {e}")));
        let cases = [
            ("2024-01-31xyz", "YYYY-MM-DD", "2024-01-31"),
            ("2024-01-31", "YYYY-MM-DD HH24", "2024-01-31"),
            ("2024 01 31", "YYYY-MM-DD", "2024-01-31"),
            ("2024/1/5", "YYYY-MM-DD", "2024-01-05"),
            ("20240131", "YYYYMMDD", "2024-01-31"),
            ("31 Jan 2024", "DD Mon YYYY", "2024-01-31"),
            ("31 january 2024", "DD Month YYYY", "2024-01-31"),
            ("  2024-01-31", "YYYY-MM-DD", "2024-01-31"),
            ("24-01-31", "YY-MM-DD", "2024-01-31"),
            ("2024 060", "YYYY DDD", "2024-02-29"),
            ("44-03-15 BC", "YYYY-MM-DD BC", "0044-03-15 BC"),
            ("2024-01", "YYYY-MM-DD", "2024-01-01"),
            ("2024-01-31", "YYYY-MM-DD-MM", "2024-01-31"),
            ("12345-01-01", "YYYY-MM-DD", "12345-01-01"),
            ("III 2024", "RM YYYY", "2024-03-01"),
        ];
        for (s, f, want) in cases {
            assert_eq!(d(s, f), want, "to_date({s}, {f})");
        }
        let t = |s: &str, f: &str| {
            format_timestamptz(to_timestamp(s, f, &utc).unwrap_or_else(|e| panic!("{s}: {e}")), &utc)
        };
        assert_eq!(t("2024-01-31 13:04:05.123", "YYYY-MM-DD HH24:MI:SS.MS"), "2024-01-31 13:04:05.123+00");
        assert_eq!(t("2024-01-31 01:04 PM", "YYYY-MM-DD HH:MI AM"), "2024-01-31 13:04:00+00");
        assert_eq!(t("12:30", "HH24:MI"), "0001-01-01 12:30:00+00 BC");
        assert_eq!(t("2024-01-31 13:04 +05:30", "YYYY-MM-DD HH24:MI TZH:TZM"), "2024-01-31 07:34:00+00");
        assert_eq!(t("2024-01-31 13:04:05.123456", "YYYY-MM-DD HH24:MI:SS.US"), "2024-01-31 13:04:05.123456+00");
        assert_eq!(t("1 2 3", "YYYY MM DD"), "0001-02-03 00:00:00+00");
        assert_eq!(t("2024-01-31 13:04:05", r#"YYYY-MM-DD"T"HH24:MI:SS"#), "2024-01-31 13:04:05+00");
        let ny = TimeZone::parse("America/New_York").unwrap();
        let x = to_timestamp("2024-07-01 12:00", "YYYY-MM-DD HH24:MI", &ny).unwrap();
        assert_eq!(format_timestamptz(x, &utc), "2024-07-01 16:00:00+00");

        let e = to_date("2024-13-01", "YYYY-MM-DD").unwrap_err();
        assert_eq!(e.code(), SqlState::DATETIME_FIELD_OVERFLOW);
        assert_eq!(e.message(), "date/time field value out of range: \"2024-13-01\"");
        let e = to_date("2024-ab-01", "YYYY-MM-DD").unwrap_err();
        assert_eq!(e.code(), SqlState::INVALID_DATETIME_FORMAT);
        assert_eq!(e.message(), "invalid value \"ab\" for \"MM\"");
        assert_eq!(e.detail(), Some("Value must be an integer."));
        let e = to_date("2024 Foo 01", "YYYY Mon DD").unwrap_err();
        assert_eq!(e.message(), "invalid value \"Foo\" for \"Mon\"");
        let e = to_timestamp("2024-01-31 13:04", "YYYY-MM-DD HH:MI", &utc).unwrap_err();
        assert_eq!(e.message(), "hour \"13\" is invalid for the 12-hour clock");
        assert_eq!(
            to_date("2024-02-30", "YYYY-MM-DD").unwrap_err().message(),
            "date/time field value out of range: \"2024-02-30\""
        );
        assert_eq!(
            to_timestamp("2024-01-31 25:00", "YYYY-MM-DD HH24:MI", &utc).unwrap_err().message(),
            "date/time field value out of range: \"2024-01-31 25:00\""
        );
        // Oversized fields are errors, not overflows.
        for (input, fmt) in [
            ("9223372036854775807", "MS"),
            ("99999999999999999999", "YYYY"),
            ("9223372036854775807 x", "YY x"),
            ("9223372036854775807", "J"),
            ("9223372036854775807", "CC"),
            ("9223372036854775807", "SSSS"),
            ("1234567", "US"),
            ("12 99999999999", "HH12 MI"),
        ] {
            assert!(to_timestamp(input, fmt, &utc).is_err(), "{input} / {fmt}");
            assert!(to_date(input, fmt).is_err(), "{input} / {fmt}");
        }
        assert!(to_timestamp("9223372036854775807:00", "TZH:TZM", &utc).is_err());
        let more = [
            ("24/00/2421 bc ", "DD/MM/YYYY BC", "2421-01-24 00:00:00+00 BC"),
            ("6-0-1220", "FMDD-FMMM-YYYY", "1220-01-06 00:00:00+00"),
            ("9724.00", "YYYY-MM", "9724-01-01 00:00:00+00"),
            ("december 0, 0994", "Month DD, YYYY", "0994-12-01 00:00:00+00"),
            ("1 .2", "MI SS", "0001-01-01 00:01:02+00 BC"),
            ("1  .2", "MI SS", "0001-01-01 00:01:02+00 BC"),
            ("10:00 -2", "HH24:MI SS", "0001-01-01 10:00:02+00 BC"),
            ("2024-01-01 10:00 .2", "YYYY-MM-DD HH24:MI TZH", "2024-01-01 08:00:00+00"),
            ("3--86--76", "YY-MM-DD", "error"),
            ("2024013", "YYYYMMDD", "2024-01-03 00:00:00+00"),
            ("202401", "YYYYMMDDHH24", "2024-01-01 00:00:00+00"),
        ];
        for (input, fmt, want) in more {
            match to_timestamp(input, fmt, &utc) {
                Ok(v) => assert_eq!(format_timestamptz(v, &utc), want, "{input} / {fmt}"),
                Err(e) => assert_eq!("error", want, "{input} / {fmt}: {e}"),
            }
        }
        let errors: &[(&str, &str, SqlState, &str)] = &[
            ("08:70 P.M.", "HH12:MI AM", SqlState::INVALID_DATETIME_FORMAT, "invalid value \"P.M.\" for \"AM\""),
            (
                "2024-01-01 10:00 .22:55",
                "YYYY-MM-DD HH24:MI TZH:TZM",
                SqlState::INVALID_TIME_ZONE_DISPLACEMENT,
                "time zone displacement out of range: \"2024-01-01 10:00 .22:55\"",
            ),
            (
                "1948.24.05 87:85 .22:55",
                "YYYY-MM-DD HH24:MI TZH:TZM",
                SqlState::DATETIME_FIELD_OVERFLOW,
                "date/time field value out of range: \"1948.24.05 87:85 .22:55\"",
            ),
            ("1 ..2", "MI SS", SqlState::INVALID_DATETIME_FORMAT, "invalid value \".2\" for \"SS\""),
            ("1x2", "MI SS", SqlState::INVALID_DATETIME_FORMAT, "invalid value \"x2\" for \"SS\""),
            (
                "0695--06--13 37:45 +44:18",
                "YYYY-MM-DD HH24:MI TZH:TZM",
                SqlState::DATETIME_FIELD_OVERFLOW,
                "date/time field value out of range: \"0695--06--13 37:45 +44:18\"",
            ),
            (
                "537233 ",
                "YYYYMMDD",
                SqlState::DATETIME_FIELD_OVERFLOW,
                "date/time field value out of range: \"537233 \"",
            ),
            ("20241x01", "YYYYMMDD", SqlState::INVALID_DATETIME_FORMAT, "invalid value \"1x\" for \"MM\""),
        ];
        for (input, fmt, code, msg) in errors {
            let e = to_timestamp(input, fmt, &utc).unwrap_err();
            assert_eq!(e.message(), *msg, "{input} / {fmt}");
            assert_eq!(e.code(), *code, "{input} / {fmt}");
        }
        let e = to_date("2024-01-31 2024", "YYYY-MM-DD YYYY").unwrap();
        assert_eq!(format_date(e), "2024-01-31");
        assert!(to_date("2024-01-31 2025", "YYYY-MM-DD YYYY").is_err());
    }
}
