//! `.import FILE TABLE`: loading a CSV file into a table.
//!
//! The file is parsed as RFC 4180 CSV (quoted fields may hold separators, doubled
//! quotes and line breaks). As in PostgreSQL's `COPY ... CSV`, an unquoted empty field
//! is NULL and a quoted empty field (`""`) is the empty string.
//!
//! **Header detection.** `--header` and `--no-header` decide explicitly. Otherwise:
//! when the table exists, the first record is a header if its fields are the table's
//! column names (in any case), or if it has a non-number where a numeric column
//! expects one; when the table does not exist, the first record is a header if its
//! fields are distinct, non-empty, and none of them is a number.
//!
//! **Type inference.** A new table gets one column per field, named after the header
//! (or `column1`, `column2`, ...). A column whose non-NULL values are all integers
//! becomes `bigint`, all numbers `double precision`, anything else `text`. Integers
//! with leading zeros (zip codes, ids like `007`) count as text, so they keep their
//! zeros.
//!
//! **Loading.** Everything runs in one transaction (the caller's, if one is open), so
//! a failure leaves the database as it was, and every row goes through one prepared
//! `INSERT`, parsed and planned once. Files of more than [`PROGRESS_THRESHOLD`] records
//! show an indicatif progress bar on a terminal. Ctrl-C stops the import and rolls it
//! back.
//!
//! NB: the whole file is read and parsed before the first row is inserted, because
//! inference and header detection need every row; memory use is a few times the
//! file's size.

use super::dump::quote_ident;
use cachet::session::TxnStatus;
use cachet::{Connection, DataType, Value};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Records above which a progress bar is shown.
pub const PROGRESS_THRESHOLD: usize = 10_000;

/// One CSV record and the line it starts on.
#[derive(Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    /// `None` is an unquoted empty field (NULL).
    pub fields: Vec<Option<String>>,
}

/// Parses CSV text into records. Blank lines are skipped.
pub fn parse_csv(text: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    loop {
        // Skip blank lines between records.
        while let Some(&c) = chars.peek() {
            if c == '\n' {
                line += 1;
                chars.next();
            } else if c == '\r' {
                chars.next();
            } else {
                break;
            }
        }
        if chars.peek().is_none() {
            break;
        }
        let start = line;
        let mut fields = Vec::new();
        loop {
            // One field.
            let mut field = String::new();
            let mut quoted = false;
            if chars.peek() == Some(&'"') {
                quoted = true;
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err(format!("line {start}: unterminated quoted field")),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.push(c);
                        }
                    }
                }
            }
            while let Some(&c) = chars.peek() {
                if c == ',' || c == '\n' || c == '\r' {
                    break;
                }
                if quoted {
                    return Err(format!("line {line}: unexpected character {c:?} after a closing quote"));
                }
                field.push(c);
                chars.next();
            }
            fields.push(if field.is_empty() && !quoted { None } else { Some(field) });
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        records.push(Record { line: start, fields });
    }
    Ok(records)
}

/// What a column's values look like, for type inference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Integer,
    Float,
    Text,
}

fn kind(s: &str) -> Kind {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let leading_zero = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
    if leading_zero || digits.is_empty() {
        return Kind::Text;
    }
    if digits.chars().all(|c| c.is_ascii_digit()) {
        return if s.parse::<i64>().is_ok() { Kind::Integer } else { Kind::Float };
    }
    // Only plain decimal notation: Rust would also accept "inf" and "NaN".
    let plain = digits.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'));
    if plain && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') && s.parse::<f64>().is_ok() {
        Kind::Float
    } else {
        Kind::Text
    }
}

fn is_number(s: &str) -> bool {
    kind(s) != Kind::Text || s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Whether the first record is a header. `existing` holds the table's visible columns.
fn detect_header(records: &[Record], existing: Option<&[(String, DataType)]>) -> bool {
    let Some(first) = records.first() else {
        return false;
    };
    match existing {
        Some(cols) => {
            let names_match = first.fields.len() == cols.len()
                && first
                    .fields
                    .iter()
                    .zip(cols)
                    .all(|(f, (n, _))| f.as_deref().is_some_and(|f| f.trim().eq_ignore_ascii_case(n)));
            let type_clash = first
                .fields
                .iter()
                .zip(cols)
                .any(|(f, (_, ty))| numeric(ty) && f.as_deref().is_some_and(|f| !is_number(f.trim())));
            names_match || type_clash
        }
        None => {
            let mut seen = std::collections::BTreeSet::new();
            first.fields.iter().all(|f| match f.as_deref() {
                Some(f) if !f.trim().is_empty() && !is_number(f.trim()) => seen.insert(f.trim().to_lowercase()),
                _ => false,
            })
        }
    }
}

fn numeric(ty: &DataType) -> bool {
    matches!(
        ty,
        DataType::Int2 | DataType::Int4 | DataType::Int8 | DataType::Float4 | DataType::Float8 | DataType::Numeric(_)
    )
}

/// Options of one `.import`.
#[derive(Debug, Default)]
pub struct ImportOptions {
    /// `Some(true)`: the first record is a header; `Some(false)`: it is data.
    pub header: Option<bool>,
}

/// Imports CSV `text` into `table`. Returns a summary line for the user.
pub fn import(
    conn: &Connection,
    text: &str,
    table: &str,
    options: &ImportOptions,
    interrupted: &dyn Fn() -> bool,
) -> Result<String, String> {
    let records = parse_csv(text)?;
    let catalog = conn.with_session(|s| s.catalog());
    let existing: Option<Vec<(String, DataType)>> =
        catalog.table(table).map(|t| t.schema.visible_columns().map(|(_, c)| (c.name.clone(), c.ty.clone())).collect());
    if existing.is_none() && catalog.view(table).is_some() {
        return Err(format!("cannot import into view \"{table}\""));
    }
    let header = options.header.unwrap_or_else(|| detect_header(&records, existing.as_deref()));
    let (head, data) = match records.split_first() {
        Some((h, rest)) if header => (Some(h), rest),
        _ => (None, &records[..]),
    };
    let width = match &existing {
        Some(cols) => cols.len(),
        None => head.map(|h| h.fields.len()).or_else(|| data.first().map(|r| r.fields.len())).unwrap_or(0),
    };
    if width == 0 {
        return Err("nothing to import: the file has no columns".into());
    }
    for r in data {
        if r.fields.len() < width {
            return Err(format!(
                "line {}: missing data for column {} (expected {width} fields, found {})",
                r.line,
                r.fields.len() + 1,
                r.fields.len()
            ));
        }
        if r.fields.len() > width {
            return Err(format!(
                "line {}: extra data after last expected column (expected {width} fields, found {})",
                r.line,
                r.fields.len()
            ));
        }
    }

    let idle = conn.with_session(|s| s.status() == TxnStatus::Idle);
    if idle {
        conn.execute_batch("BEGIN").map_err(|e| e.to_string())?;
    }
    let result = load(conn, table, existing.is_none(), head, data, width, interrupted);
    if idle {
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        if let Err(e) = conn.execute_batch(end) {
            return Err(e.to_string());
        }
    }
    let n = result?;
    let created = if existing.is_none() { " (created the table)" } else { "" };
    Ok(format!("Imported {n} {} into \"{table}\"{created}.", if n == 1 { "row" } else { "rows" }))
}

fn load(
    conn: &Connection,
    table: &str,
    create: bool,
    head: Option<&Record>,
    data: &[Record],
    width: usize,
    interrupted: &dyn Fn() -> bool,
) -> Result<usize, String> {
    if create {
        let names = column_names(head, width);
        let kinds: Vec<Kind> = (0..width)
            .map(|i| {
                data.iter().filter_map(|r| r.fields[i].as_deref()).map(|f| kind(f.trim())).max().unwrap_or(Kind::Text)
            })
            .collect();
        let cols: Vec<String> = names
            .iter()
            .zip(&kinds)
            .map(|(n, k)| {
                let ty = match k {
                    Kind::Integer => "bigint",
                    Kind::Float => "double precision",
                    Kind::Text => "text",
                };
                format!("{} {ty}", quote_ident(n))
            })
            .collect();
        let ddl = format!("CREATE TABLE {} ({})", quote_ident(table), cols.join(", "));
        conn.execute_batch(&ddl).map_err(|e| e.to_string())?;
    }
    let placeholders: Vec<String> = (1..=width).map(|i| format!("${i}")).collect();
    let insert = format!("INSERT INTO {} VALUES ({})", quote_ident(table), placeholders.join(", "));
    let bar = progress_bar(data.len());
    let result = conn.with_session(|s| -> Result<usize, String> {
        let prepared = s.prepare(&insert).map_err(|e| e.to_string())?;
        let types = prepared.param_types.clone();
        let mut params = Vec::with_capacity(width);
        for (n, r) in data.iter().enumerate() {
            if n % 1024 == 0 {
                if interrupted() {
                    return Err("interrupted; nothing was imported".into());
                }
                bar.set_position(n as u64);
            }
            params.clear();
            for (f, ty) in r.fields.iter().zip(&types) {
                params.push(match f {
                    None => Value::Null,
                    // Numbers may carry spaces that the type's input function rejects.
                    Some(f) if numeric(ty) => Value::text(f.trim()),
                    Some(f) => Value::text(f.as_str()),
                });
            }
            s.execute_prepared(&prepared, &params).map_err(|e| format!("line {}: {e}", r.line))?;
        }
        Ok(data.len())
    });
    bar.finish_and_clear();
    result
}

/// Column names for a new table: the header's, made unique, or `column1`, ...
fn column_names(head: Option<&Record>, width: usize) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(width);
    for i in 0..width {
        let base = head
            .and_then(|h| h.fields.get(i))
            .and_then(|f| f.as_deref())
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| format!("column{}", i + 1));
        let mut name = base.clone();
        let mut k = 1;
        while names.contains(&name) {
            k += 1;
            name = format!("{base}_{k}");
        }
        names.push(name);
    }
    names
}

fn progress_bar(len: usize) -> ProgressBar {
    if len < PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} rows, {eta} left") {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<Option<String>>> {
        parse_csv(text).unwrap().into_iter().map(|r| r.fields).collect()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn csv_parsing() {
        assert_eq!(fields("a,b\n1,2\n"), vec![vec![s("a"), s("b")], vec![s("1"), s("2")]]);
        assert_eq!(fields("a,,\"\"\r\n"), vec![vec![s("a"), None, s("")]]);
        assert_eq!(fields("\"x,\"\"y\"\"\nz\",1\n\n2,3"), vec![vec![s("x,\"y\"\nz"), s("1")], vec![s("2"), s("3")]]);
        let lines: Vec<usize> = parse_csv("a\n\"b\nc\"\nd").unwrap().iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4]);
        assert!(parse_csv("\"open").is_err());
        assert!(parse_csv("\"a\"b").is_err());
    }

    #[test]
    fn kinds() {
        let cases = [
            ("1", Kind::Integer),
            ("-12", Kind::Integer),
            ("007", Kind::Text),
            ("0", Kind::Integer),
            ("0.5", Kind::Float),
            ("1e3", Kind::Float),
            (".5", Kind::Float),
            ("99999999999999999999", Kind::Float),
            ("inf", Kind::Text),
            ("NaN", Kind::Text),
            ("1.2.3", Kind::Text),
            ("abc", Kind::Text),
            ("-", Kind::Text),
        ];
        for (input, want) in cases {
            assert_eq!(kind(input), want, "{input}");
        }
    }

    #[test]
    fn headers() {
        let recs = |t: &str| parse_csv(t).unwrap();
        assert!(detect_header(&recs("id,name\n1,ada\n"), None));
        assert!(!detect_header(&recs("1,ada\n2,bob\n"), None));
        assert!(!detect_header(&recs("a,a\n1,2\n"), None));
        let cols = vec![("id".to_string(), DataType::Int8), ("name".to_string(), DataType::Text)];
        assert!(detect_header(&recs("ID,Name\n1,ada\n"), Some(&cols)));
        assert!(detect_header(&recs("key,label\n1,ada\n"), Some(&cols)));
        assert!(!detect_header(&recs("1,ada\n"), Some(&cols)));
    }
}
