//! Dot commands (`.tables`, `.mode csv`, ...) and their psql-style aliases (`\dt`, ...).
//!
//! A dot command is one line that starts with `.` or `\` while no SQL statement is
//! pending. Its arguments are split at whitespace; single or double quotes group an
//! argument that contains spaces. [`COMMANDS`] is the one table of commands: `.help`
//! prints it and tab completion offers its names, so a command added there is
//! documented and completed for free.
//!
//! Catalog listings (`.tables`, `.schema`, `\d`) read the session's catalog, so they
//! include tables created in the open transaction. Tabular listings (`\dt`, `\d TABLE`,
//! `.stats`) go through the current output mode like query results.

use super::dump::{create_index_sql, dump, name_matches, quote_ident, schema_sql};
use super::import::{import, ImportOptions};
use super::output::{write_rows, Mode};
use super::state::{Flow, Origin, Shell};
use cachet::catalog::{Catalog, TableSchema};
use cachet::sql::binder::OutputColumn;
use cachet::types::format_value;
use cachet::{DataType, Database, Value};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// One dot command, for `.help` and completion.
pub struct DotCommand {
    /// The name with its leading `.` or `\`.
    pub name: &'static str,
    pub args: &'static str,
    pub help: &'static str,
    /// What the arguments are, for completion.
    pub completes: Completes,
}

/// What kind of argument a command takes, for tab completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completes {
    Nothing,
    Tables,
    Files,
    /// A file, then a table (`.import`).
    FileThenTable,
    Modes,
    OnOff,
}

const fn cmd(name: &'static str, args: &'static str, help: &'static str, completes: Completes) -> DotCommand {
    DotCommand { name, args, help, completes }
}

/// Every dot command and alias.
pub const COMMANDS: &[DotCommand] = &[
    cmd(".bail", "on|off", "Stop a script at its first error (default off)", Completes::OnOff),
    cmd(".dump", "[TABLE]", "SQL text that recreates the database, or the tables matching TABLE", Completes::Tables),
    cmd(".echo", "on|off", "Print each command before running it", Completes::OnOff),
    cmd(".exit", "", "Exit the shell", Completes::Nothing),
    cmd(".headers", "on|off", "Show column names (default on)", Completes::OnOff),
    cmd(".help", "", "Show this message", Completes::Nothing),
    cmd(
        ".import",
        "[--header|--no-header] FILE TABLE",
        "Load CSV FILE into TABLE, creating it if missing",
        Completes::FileThenTable,
    ),
    cmd(".indexes", "[TABLE]", "List indexes, of all tables or of TABLE", Completes::Tables),
    cmd(".mode", "[MODE]", "Set the output mode: table, box, csv, tsv, json, line or markdown", Completes::Modes),
    cmd(".nullvalue", "TEXT", "Show NULL as TEXT (default: empty)", Completes::Nothing),
    cmd(".once", "FILE", "Send the next command's output to FILE", Completes::Files),
    cmd(".output", "[FILE]", "Send output to FILE, or back to the screen", Completes::Files),
    cmd(".print", "TEXT...", "Print TEXT", Completes::Nothing),
    cmd(".quit", "", "Exit the shell (also Ctrl-D)", Completes::Nothing),
    cmd(".read", "FILE", "Run the SQL and commands in FILE", Completes::Files),
    cmd(".schema", "[PATTERN]", "Show the CREATE statements of tables, indexes and views", Completes::Tables),
    cmd(".show", "", "Show the current settings", Completes::Nothing),
    cmd(".stats", "", "Show engine and cache statistics", Completes::Nothing),
    cmd(
        ".tables",
        "[PATTERN]",
        "List tables and views (PATTERN: % or * any text, _ or ? one character)",
        Completes::Tables,
    ),
    cmd(".timer", "on|off", "Show how long each statement takes", Completes::OnOff),
    cmd("\\?", "", "Same as .help", Completes::Nothing),
    cmd("\\d", "[NAME]", "Describe a table or view; without NAME, list them", Completes::Tables),
    cmd("\\di", "[PATTERN]", "List indexes", Completes::Tables),
    cmd("\\dt", "[PATTERN]", "List tables", Completes::Tables),
    cmd("\\dv", "[PATTERN]", "List views", Completes::Tables),
    cmd("\\i", "FILE", "Same as .read", Completes::Files),
    cmd("\\o", "[FILE]", "Same as .output", Completes::Files),
    cmd("\\q", "", "Same as .quit", Completes::Nothing),
    cmd("\\timing", "[on|off]", "Toggle or set the timer", Completes::OnOff),
    cmd("\\x", "[on|off]", "Toggle expanded output (line mode)", Completes::OnOff),
];

/// Splits a dot command's arguments: whitespace separates, quotes group.
pub fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let mut arg = String::new();
        if first == '\'' || first == '"' {
            chars.next();
            for c in chars.by_ref() {
                if c == first {
                    break;
                }
                arg.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                arg.push(c);
                chars.next();
            }
        }
        out.push(arg);
    }
    out
}

fn on_off(arg: Option<&str>) -> Option<bool> {
    match arg?.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" | "1" => Some(true),
        "off" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Cache statistics, when the engine keeps them: `(name, value)` pairs.
///
/// NB: the storage layer does not count cache hits, misses, evictions or memory use
/// yet. When it does, return them here and `.stats` shows them.
pub fn cache_statistics(_db: &Database) -> Option<Vec<(String, String)>> {
    None
}

fn text_column(name: &str) -> OutputColumn {
    OutputColumn { name: name.into(), ty: DataType::Text }
}

impl Shell {
    /// Runs one dot command line.
    pub fn dot_command(&mut self, line: &str, line_no: usize, origin: &Origin) -> Flow {
        let (name, rest) = match line.find(char::is_whitespace) {
            Some(i) => (&line[..i], line[i..].trim()),
            None => (line, ""),
        };
        let args = split_args(rest);
        match self.dispatch(name, &args, line_no, origin) {
            Ok(flow) => flow,
            Err(message) => {
                self.fail(origin, line_no, &message);
                self.after_error()
            }
        }
    }

    fn dispatch(&mut self, name: &str, args: &[String], line_no: usize, origin: &Origin) -> Result<Flow, String> {
        let arg = args.first().map(String::as_str);
        let switch = |usage: &str| on_off(arg).ok_or_else(|| format!("usage: {name} {usage}"));
        match name {
            ".quit" | ".exit" | ".q" | "\\q" => return Ok(Flow::Quit),
            ".help" | "\\?" | "\\h" => self.help(),
            ".mode" => self.mode(arg)?,
            ".headers" | ".header" => self.format.headers = switch("on|off")?,
            ".nullvalue" => self.format.null = arg.unwrap_or("").to_string(),
            ".timer" => self.timer = switch("on|off")?,
            ".bail" => self.bail = switch("on|off")?,
            ".echo" => self.echo = switch("on|off")?,
            "\\timing" => {
                self.timer = if arg.is_none() { !self.timer } else { switch("[on|off]")? };
                let state = if self.timer { "on" } else { "off" };
                self.message(&format!("Timing is {state}."));
            }
            "\\x" => {
                let on = if arg.is_none() { self.format.mode != Mode::Line } else { switch("[on|off]")? };
                self.format.mode = if on { Mode::Line } else { Mode::Table };
                self.message(&format!("Expanded display is {}.", if on { "on" } else { "off" }));
            }
            ".print" => {
                let text = args.join(" ");
                let _ = writeln!(self.out(), "{text}");
            }
            ".output" | "\\o" => self.redirect(arg.map(PathBuf::from), false)?,
            ".once" => self.redirect(Some(PathBuf::from(arg.ok_or("usage: .once FILE")?)), true)?,
            ".read" | "\\i" => return Ok(self.read_file(arg.ok_or("usage: .read FILE")?, origin, line_no)),
            ".tables" => self.tables(arg),
            ".schema" => {
                let tz = self.conn.with_session(|s| s.settings.time_zone.clone());
                let catalog = self.catalog();
                for stmt in schema_sql(&catalog, arg, &tz) {
                    let _ = writeln!(self.out(), "{stmt}");
                }
            }
            ".indexes" | ".indices" => self.indexes(arg),
            "\\di" | "\\di+" => self.list_indexes(arg)?,
            "\\dt" | "\\dt+" => self.list_relations(arg, true, false)?,
            "\\dv" | "\\dv+" => self.list_relations(arg, false, true)?,
            "\\d" | "\\d+" => match arg {
                None => self.list_relations(None, true, true)?,
                Some(n) => self.describe(n)?,
            },
            ".dump" => {
                let conn = self.conn.clone();
                dump(self.out(), &conn, arg)?;
            }
            ".import" => self.import(args)?,
            ".stats" => self.stats()?,
            ".show" => self.show(),
            other => return Err(format!("unknown command \"{other}\"; enter \".help\" for a list")),
        }
        Ok(Flow::Continue)
    }

    fn catalog(&self) -> Arc<Catalog> {
        self.conn.with_session(|s| s.catalog())
    }

    /// An informational line (suppressed by `--quiet`).
    fn message(&mut self, text: &str) {
        if !self.quiet {
            let _ = writeln!(self.out(), "{text}");
        }
    }

    fn help(&mut self) {
        let width = COMMANDS.iter().map(|c| c.name.len() + 1 + c.args.len()).max().unwrap_or(0);
        let mut text = String::new();
        for c in COMMANDS {
            let usage = if c.args.is_empty() { c.name.to_string() } else { format!("{} {}", c.name, c.args) };
            text.push_str(&format!("{usage:width$}  {}\n", c.help));
        }
        text.push_str("SQL statements end with \";\" and may span lines. Ctrl-C cancels the input; Ctrl-D exits.\n");
        let _ = write!(self.out(), "{text}");
    }

    fn mode(&mut self, arg: Option<&str>) -> Result<(), String> {
        match arg {
            None => {
                let m = self.format.mode.name();
                let _ = writeln!(self.out(), "current output mode: {m}");
            }
            Some(m) => {
                self.format.mode = Mode::parse(m)
                    .ok_or_else(|| format!("unknown mode \"{m}\"; choose one of: {}", Mode::NAMES.join(", ")))?;
            }
        }
        Ok(())
    }

    fn tables(&mut self, pattern: Option<&str>) {
        let catalog = self.catalog();
        let mut names: Vec<&str> = catalog
            .tables()
            .map(|t| t.schema.name.as_str())
            .chain(catalog.views().map(|v| v.name.as_str()))
            .filter(|n| name_matches(pattern, n))
            .collect();
        names.sort_unstable();
        for n in names {
            let _ = writeln!(self.out(), "{n}");
        }
    }

    fn indexes(&mut self, table: Option<&str>) {
        let catalog = self.catalog();
        for t in catalog.tables().filter(|t| name_matches(table, &t.schema.name)) {
            let pk = t.schema.pk_name().map(str::to_string);
            for name in pk.into_iter().chain(t.schema.indexes.iter().map(|i| i.name.clone())) {
                let _ = writeln!(self.out(), "{name}");
            }
        }
    }

    /// Writes a listing through the current output mode.
    fn listing(&mut self, columns: Vec<OutputColumn>, rows: Vec<Vec<Value>>) -> Result<(), String> {
        let tz = self.conn.with_session(|s| s.settings.time_zone.clone());
        let format = self.format.clone();
        write_rows(self.out(), &format, &columns, &rows, &tz).map_err(|e| format!("cannot write output: {e}"))
    }

    fn list_relations(&mut self, pattern: Option<&str>, tables: bool, views: bool) -> Result<(), String> {
        let catalog = self.catalog();
        let mut found: Vec<(&str, &str)> = Vec::new();
        if tables {
            found.extend(catalog.tables().map(|t| (t.schema.name.as_str(), "table")));
        }
        if views {
            found.extend(catalog.views().map(|v| (v.name.as_str(), "view")));
        }
        found.retain(|(n, _)| name_matches(pattern, n));
        found.sort_unstable();
        let rows = found.into_iter().map(|(n, t)| vec![Value::text(n), Value::text(t)]).collect();
        self.listing(vec![text_column("name"), text_column("type")], rows)
    }

    fn list_indexes(&mut self, pattern: Option<&str>) -> Result<(), String> {
        let catalog = self.catalog();
        let mut rows = Vec::new();
        for t in catalog.tables() {
            let s = &t.schema;
            if let Some((name, cols)) = &s.primary_key {
                if name_matches(pattern, name) {
                    rows.push(vec![
                        Value::text(name.as_str()),
                        Value::text(s.name.as_str()),
                        Value::text(format!("PRIMARY KEY ({})", column_names(s, cols))),
                    ]);
                }
            }
            for idx in s.indexes.iter().filter(|i| name_matches(pattern, &i.name)) {
                let def = if idx.constraint {
                    format!("UNIQUE CONSTRAINT ({})", column_names(s, &idx.columns))
                } else {
                    create_index_sql(s, idx).trim_end_matches(';').to_string()
                };
                rows.push(vec![Value::text(idx.name.as_str()), Value::text(s.name.as_str()), Value::text(def)]);
            }
        }
        self.listing(vec![text_column("name"), text_column("table"), text_column("definition")], rows)
    }

    /// psql's `\d NAME`.
    fn describe(&mut self, name: &str) -> Result<(), String> {
        let catalog = self.catalog();
        let tz = self.conn.with_session(|s| s.settings.time_zone.clone());
        if let Some(t) = catalog.table(name) {
            let s = t.schema.clone();
            let _ = writeln!(self.out(), "Table \"{}\"", s.name);
            let rows = s
                .visible_columns()
                .map(|(_, c)| {
                    vec![
                        Value::text(c.name.as_str()),
                        Value::text(c.ty.to_string()),
                        Value::text(if c.nullable { "" } else { "not null" }),
                        Value::text(c.default.clone().unwrap_or_default()),
                    ]
                })
                .collect();
            let cols = ["column", "type", "nullable", "default"].map(text_column).to_vec();
            self.listing(cols, rows)?;
            self.describe_extras(&s, &tz);
            return Ok(());
        }
        if let Some(v) = catalog.view(name).cloned() {
            let _ = writeln!(self.out(), "View \"{}\"", v.name);
            let probe = format!("SELECT * FROM {} LIMIT 0", quote_ident(&v.name));
            let result = self.conn.with_session(|s| s.execute(&probe, &[])).map_err(|e| e.to_string())?;
            let columns = result.into_iter().next().and_then(|r| r.columns).unwrap_or_default();
            let rows =
                columns.iter().map(|c| vec![Value::text(c.name.as_str()), Value::text(c.ty.to_string())]).collect();
            self.listing(vec![text_column("column"), text_column("type")], rows)?;
            let _ = writeln!(self.out(), "View definition:\n    {};", v.sql.trim_end_matches(';'));
            return Ok(());
        }
        Err(format!("did not find any relation named \"{name}\""))
    }

    fn describe_extras(&mut self, s: &TableSchema, tz: &cachet::types::TimeZone) {
        let mut lines = Vec::new();
        if s.primary_key.is_some() || !s.indexes.is_empty() {
            lines.push("Indexes:".to_string());
            if let Some((name, cols)) = &s.primary_key {
                lines.push(format!("    \"{name}\" PRIMARY KEY ({})", column_names(s, cols)));
            }
            for idx in &s.indexes {
                let kind = match (idx.constraint, idx.unique) {
                    (true, _) => "UNIQUE CONSTRAINT ",
                    (false, true) => "UNIQUE ",
                    (false, false) => "",
                };
                lines.push(format!("    \"{}\" {kind}({})", idx.name, column_names(s, &idx.columns)));
            }
        }
        if !s.checks.is_empty() {
            lines.push("Check constraints:".to_string());
            for c in &s.checks {
                lines.push(format!("    \"{}\" CHECK ({})", c.name, c.expr));
            }
        }
        let mut options = Vec::new();
        if let Some(ttl) = &s.options.ttl {
            options.push(format!("ttl={}", format_value(&Value::Interval(*ttl), tz)));
        }
        if let Some(e) = s.options.evictable {
            options.push(format!("evictable={e}"));
        }
        if !options.is_empty() {
            lines.push(format!("Options: {}", options.join(", ")));
        }
        for l in lines {
            let _ = writeln!(self.out(), "{l}");
        }
    }

    fn import(&mut self, args: &[String]) -> Result<(), String> {
        const USAGE: &str = "usage: .import [--header|--no-header] FILE TABLE";
        let mut options = ImportOptions::default();
        let mut positional = Vec::new();
        for a in args {
            match a.as_str() {
                "--header" | "-header" => options.header = Some(true),
                "--no-header" | "-no-header" | "--noheader" => options.header = Some(false),
                "--csv" | "-csv" => {}
                f if f.starts_with("--") => return Err(format!("unknown option {f}; {USAGE}")),
                _ => positional.push(a.as_str()),
            }
        }
        let [file, table] = positional[..] else {
            return Err(USAGE.into());
        };
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read \"{file}\": {e}"))?;
        let interrupt = self.interrupt.clone();
        let conn = self.conn.clone();
        let summary = import(&conn, &text, table, &options, &|| interrupt.requested());
        interrupt.clear();
        let summary = summary?;
        self.message(&summary);
        Ok(())
    }

    fn stats(&mut self) -> Result<(), String> {
        let s = self.db.stats();
        let mut rows = vec![
            vec![Value::text("statements parsed"), Value::text(s.parses.load(Ordering::Relaxed).to_string())],
            vec![Value::text("statements planned"), Value::text(s.plans.load(Ordering::Relaxed).to_string())],
            vec![Value::text("statements executed"), Value::text(s.statements.load(Ordering::Relaxed).to_string())],
        ];
        let cache = cache_statistics(&self.db);
        if let Some(cache) = &cache {
            rows.extend(cache.iter().map(|(k, v)| vec![Value::text(k.as_str()), Value::text(v.as_str())]));
        }
        self.listing(vec![text_column("statistic"), text_column("value")], rows)?;
        if cache.is_none() {
            let _ = writeln!(
                self.out(),
                "Cache: no statistics yet (the engine does not count hits, misses and evictions yet)."
            );
        }
        Ok(())
    }

    fn show(&mut self) {
        let on = |b: bool| if b { "on" } else { "off" };
        let output = match &self.out_path {
            Some(p) => p.display().to_string(),
            None => "stdout".into(),
        };
        let lines = [
            ("database", self.location.clone()),
            ("mode", self.format.mode.name().to_string()),
            ("headers", on(self.format.headers).to_string()),
            ("nullvalue", format!("\"{}\"", self.format.null)),
            ("timer", on(self.timer).to_string()),
            ("bail", on(self.bail).to_string()),
            ("echo", on(self.echo).to_string()),
            ("output", output),
        ];
        for (k, v) in lines {
            let _ = writeln!(self.out(), "{k:>9}: {v}");
        }
    }
}

fn column_names(s: &TableSchema, cols: &[usize]) -> String {
    cols.iter().filter_map(|&c| s.columns.get(c)).map(|c| quote_ident(&c.name)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let cases: &[(&str, &[&str])] =
            &[("", &[]), ("a b", &["a", "b"]), ("  'my file.csv'  t ", &["my file.csv", "t"]), ("\"x y\"", &["x y"])];
        for (input, want) in cases {
            assert_eq!(split_args(input), *want, "{input:?}");
        }
        assert_eq!(on_off(Some("ON")), Some(true));
        assert_eq!(on_off(Some("maybe")), None);
    }
}
