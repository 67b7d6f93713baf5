//! Rendering result sets in the shell's output modes.
//!
//! Every mode renders the same input: the result columns, the rows as engine
//! [`Value`]s, and the session's time zone (values are turned into text with the
//! engine's own `format_value`, so the shell shows exactly what PostgreSQL would send
//! as text). Modes differ only in layout:
//!
//! | mode       | layout                                                      |
//! |------------|-------------------------------------------------------------|
//! | `table`    | ASCII grid (comfy-table), numbers right-aligned, `(n rows)` |
//! | `box`      | the same with Unicode box-drawing characters                |
//! | `markdown` | a GitHub-flavoured Markdown table                           |
//! | `csv`      | RFC 4180: fields quoted only when needed                    |
//! | `tsv`      | tab-separated; tab, newline, CR and backslash escaped       |
//! | `json`     | an array of objects, one row per line, typed JSON values    |
//! | `line`     | one `column = value` line per column, rows separated by a blank line |
//!
//! `headers` applies to the grid modes, csv and tsv; json and line always name their
//! values. NULL is shown as the `nullvalue` text everywhere except in json, where it is
//! `null`.

use cachet::sql::binder::OutputColumn;
use cachet::types::{format_value, TimeZone};
use cachet::{DataType, Value};
use comfy_table::{CellAlignment, Table};
use std::io::{self, Write};

/// The output modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Table,
    Box,
    Csv,
    Tsv,
    Json,
    Line,
    Markdown,
}

impl Mode {
    pub const NAMES: &'static [&'static str] = &["table", "box", "csv", "tsv", "json", "line", "markdown"];

    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s.to_ascii_lowercase().as_str() {
            "table" => Mode::Table,
            "box" => Mode::Box,
            "csv" => Mode::Csv,
            "tsv" | "tabs" => Mode::Tsv,
            "json" => Mode::Json,
            "line" => Mode::Line,
            "markdown" => Mode::Markdown,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Table => "table",
            Mode::Box => "box",
            Mode::Csv => "csv",
            Mode::Tsv => "tsv",
            Mode::Json => "json",
            Mode::Line => "line",
            Mode::Markdown => "markdown",
        }
    }
}

/// How results are shown.
#[derive(Clone, Debug)]
pub struct Format {
    pub mode: Mode,
    pub headers: bool,
    /// The text shown for NULL.
    pub null: String,
}

impl Default for Format {
    fn default() -> Self {
        Format { mode: Mode::Table, headers: true, null: String::new() }
    }
}

/// comfy-table presets, in the order of `comfy_table::TableComponent`: borders, header
/// separator, column separators, no lines between rows. They match sqlite3's `table`
/// and `box` modes.
const TABLE_PRESET: &str = "||--+-++|    ++++++";
const BOX_PRESET: &str = "││──├─┼┤│    ┬┴┌┐└┘";

/// Writes a result set.
pub fn write_rows(
    w: &mut dyn Write,
    format: &Format,
    columns: &[OutputColumn],
    rows: &[Vec<Value>],
    tz: &TimeZone,
) -> io::Result<()> {
    let text = |v: &Value| -> String {
        match v {
            Value::Null => format.null.clone(),
            v => format_value(v, tz),
        }
    };
    match format.mode {
        Mode::Table | Mode::Box | Mode::Markdown => {
            if columns.is_empty() {
                // Nothing to draw: PostgreSQL allows `SELECT FROM t`.
                return footer(w, format.mode, rows.len());
            }
            let mut table = Table::new();
            table.load_preset(match format.mode {
                Mode::Table => TABLE_PRESET,
                Mode::Box => BOX_PRESET,
                _ => comfy_table::presets::ASCII_MARKDOWN,
            });
            table.force_no_tty();
            let markdown = format.mode == Mode::Markdown;
            let cell = |s: String| if markdown { markdown_escape(&s) } else { s };
            if format.headers || markdown {
                table.set_header(columns.iter().map(|c| cell(c.name.clone())));
            }
            for row in rows {
                table.add_row(row.iter().map(|v| cell(text(v))));
            }
            for (i, c) in columns.iter().enumerate() {
                if is_numeric(&c.ty) {
                    if let Some(col) = table.column_mut(i) {
                        col.set_cell_alignment(CellAlignment::Right);
                    }
                }
            }
            for line in table.lines() {
                writeln!(w, "{line}")?;
            }
            footer(w, format.mode, rows.len())
        }
        Mode::Csv | Mode::Tsv => {
            let (sep, quote): (&str, fn(&str) -> String) =
                if format.mode == Mode::Csv { (",", csv_field) } else { ("\t", tsv_field) };
            if format.headers {
                let names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
                writeln!(w, "{}", names.join(sep))?;
            }
            for row in rows {
                let fields: Vec<String> = row.iter().map(|v| quote(&text(v))).collect();
                writeln!(w, "{}", fields.join(sep))?;
            }
            Ok(())
        }
        Mode::Json => {
            if rows.is_empty() {
                return writeln!(w, "[]");
            }
            for (i, row) in rows.iter().enumerate() {
                let fields: Vec<String> = columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| format!("{}:{}", json_string(&c.name), json_value(v, tz)))
                    .collect();
                let open = if i == 0 { "[" } else { "" };
                let close = if i + 1 == rows.len() { "]" } else { "," };
                writeln!(w, "{open}{{{}}}{close}", fields.join(","))?;
            }
            Ok(())
        }
        Mode::Line => {
            let width = columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    writeln!(w)?;
                }
                for (c, v) in columns.iter().zip(row) {
                    writeln!(w, "{:>width$} = {}", c.name, text(v))?;
                }
            }
            Ok(())
        }
    }
}

/// psql's row count under grid output.
fn footer(w: &mut dyn Write, mode: Mode, n: usize) -> io::Result<()> {
    match mode {
        Mode::Table | Mode::Box => writeln!(w, "({n} {})", if n == 1 { "row" } else { "rows" }),
        _ => Ok(()),
    }
}

fn is_numeric(ty: &DataType) -> bool {
    matches!(
        ty,
        DataType::Int2 | DataType::Int4 | DataType::Int8 | DataType::Float4 | DataType::Float8 | DataType::Numeric(_)
    )
}

/// A CSV field, quoted when it contains a separator, quote, line break, or leading or
/// trailing space (which some readers would trim).
pub fn csv_field(s: &str) -> String {
    let needs = s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ');
    if needs {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A TSV field, escaped the way PostgreSQL's COPY text format does.
fn tsv_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn markdown_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as JSON: numbers and booleans as such, json/jsonb embedded as they are,
/// everything else (including NaN and infinities) as its text in a string.
fn json_value(v: &Value, tz: &TimeZone) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_) => {
            let s = format_value(v, tz);
            if s.parse::<f64>().is_ok_and(f64::is_finite) {
                s
            } else {
                json_string(&s)
            }
        }
        Value::Float4(f) if f.is_finite() => format_value(v, tz),
        Value::Float8(f) if f.is_finite() => format_value(v, tz),
        Value::Json(s) => s.to_string(),
        Value::Jsonb(_) => format_value(v, tz),
        v => json_string(&format_value(v, tz)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_escaping() {
        let cases = [
            ("plain", "plain", "plain"),
            ("a,b", "\"a,b\"", "a,b"),
            ("say \"hi\"", "\"say \"\"hi\"\"\"", "say \"hi\""),
            ("a\tb\nc\\", "\"a\tb\nc\\\"", "a\\tb\\nc\\\\"),
            (" pad", "\" pad\"", " pad"),
        ];
        for (input, csv, tsv) in cases {
            assert_eq!(csv_field(input), csv, "csv of {input:?}");
            assert_eq!(tsv_field(input), tsv, "tsv of {input:?}");
        }
        assert_eq!(json_string("a\"b\\\n\u{1}"), "\"a\\\"b\\\\\\n\\u0001\"");
    }
}
