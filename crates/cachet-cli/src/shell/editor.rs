//! Line editing for the interactive shell: rustyline, history and tab completion.
//!
//! **History** is kept in `~/.cachet_history`, or in the file named by the
//! `CACHET_HISTORY` environment variable (empty: no history file). A whole statement
//! is one history entry, even when it was typed over several lines, so Up recalls it
//! whole. New entries are appended to the file as soon as they are entered, so a shell
//! that is killed keeps its history.
//!
//! **Completion** (Tab) looks at the word before the cursor:
//! - at the start of a line that begins with `.` or `\`: dot command names, then each
//!   command's argument kind ([`Completes`]): file names, table names, modes, on/off;
//! - after `name.`: the columns of table or view `name`, or of the table that an alias
//!   `name` stands for in the statement;
//! - after FROM, JOIN, INTO, UPDATE, TABLE: table and view names;
//! - elsewhere: SQL key words, table and view names, and the columns of the tables the
//!   statement mentions (of every table when it mentions none).
//!
//! Key words follow the case of what was typed (`sel` completes to `select`, `SEL` to
//! `SELECT`); names are quoted when they need it. Completion reads the session's
//! catalog, so it also knows tables created in the open transaction. It reads the
//! pending lines of a multi-line statement through a shared cell that the shell loop
//! updates before each prompt.

use super::dot::{Completes, COMMANDS};
use super::dump::quote_ident;
use super::output::Mode;
use cachet::session::TxnStatus;
use cachet::Connection;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::config::Configurer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::rc::Rc;

/// The environment variable that names the history file.
pub const HISTORY_ENV: &str = "CACHET_HISTORY";

/// The history file, if history is kept.
pub fn history_path() -> Option<PathBuf> {
    match std::env::var_os(HISTORY_ENV) {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".cachet_history")),
    }
}

/// SQL key words, type names and common functions offered by completion.
const KEYWORDS: &[&str] = &[
    "ABORT",
    "ALL",
    "ALTER",
    "ANALYZE",
    "AND",
    "ANY",
    "ARRAY",
    "AS",
    "ASC",
    "AVG",
    "BEGIN",
    "BETWEEN",
    "BIGINT",
    "BOOLEAN",
    "BY",
    "BYTEA",
    "CASCADE",
    "CASE",
    "CAST",
    "CHAR",
    "CHECK",
    "COALESCE",
    "COLUMN",
    "COMMIT",
    "CONSTRAINT",
    "COUNT",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "CURRENT_TIMESTAMP",
    "DATE",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DOUBLE PRECISION",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FETCH",
    "FIRST",
    "FROM",
    "FULL",
    "GROUP BY",
    "HAVING",
    "IF",
    "ILIKE",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INTEGER",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "IS",
    "ISOLATION LEVEL",
    "JOIN",
    "JSON",
    "JSONB",
    "KEY",
    "LATERAL",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MAX",
    "MIN",
    "NOT",
    "NOW",
    "NULL",
    "NULLS",
    "NUMERIC",
    "OFFSET",
    "ON",
    "ONLY",
    "OR",
    "ORDER BY",
    "OUTER",
    "OVER",
    "PARTITION BY",
    "PRIMARY KEY",
    "READ COMMITTED",
    "REAL",
    "RECURSIVE",
    "REPEATABLE READ",
    "RESET",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "SELECT",
    "SERIALIZABLE",
    "SET",
    "SHOW",
    "SMALLINT",
    "SUM",
    "TABLE",
    "TEXT",
    "THEN",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "TRANSACTION",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "UUID",
    "VALUES",
    "VARCHAR",
    "VIEW",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
];

/// Words after which only a relation name makes sense.
const RELATION_CONTEXT: &[&str] = &["from", "join", "into", "update", "table"];

/// The rustyline helper.
pub struct SqlHelper {
    conn: Rc<Connection>,
    /// The pending lines of an unfinished statement.
    pending: Rc<RefCell<String>>,
    files: FilenameCompleter,
}

impl SqlHelper {
    /// Tables and views with their visible column names.
    fn relations(&self) -> Vec<(String, Vec<String>)> {
        let (catalog, idle) = self.conn.with_session(|s| (s.catalog(), s.status() == TxnStatus::Idle));
        let mut out: Vec<(String, Vec<String>)> = catalog
            .tables()
            .map(|t| (t.schema.name.clone(), t.schema.visible_columns().map(|(_, c)| c.name.clone()).collect()))
            .collect();
        for v in catalog.views() {
            let columns = match &v.columns {
                Some(c) => c.clone(),
                // NB: probing a view runs a statement; inside a transaction a failure
                // would abort the user's transaction, so only probe when idle.
                None if idle => {
                    let probe = format!("SELECT * FROM {} LIMIT 0", quote_ident(&v.name));
                    self.conn
                        .with_session(|s| s.execute(&probe, &[]))
                        .ok()
                        .and_then(|r| r.into_iter().next())
                        .and_then(|r| r.columns)
                        .map(|c| c.iter().map(|c| c.name.clone()).collect())
                        .unwrap_or_default()
                }
                None => Vec::new(),
            };
            out.push((v.name.clone(), columns));
        }
        out
    }

    fn complete_dot(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let lead = before.len() - before.trim_start().len();
        let body = &before[lead..];
        let Some(space) = body.find(char::is_whitespace) else {
            let names = COMMANDS.iter().map(|c| c.name.to_string());
            return Ok((lead, matching(body, names, false)));
        };
        let name = &body[..space];
        let Some(command) = COMMANDS.iter().find(|c| c.name == name) else {
            return Ok((pos, Vec::new()));
        };
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &before[start..];
        let done_args = body[space..]
            .split_whitespace()
            .filter(|a| !a.starts_with("--"))
            .count()
            .saturating_sub(usize::from(!word.is_empty() && !word.starts_with("--")));
        let kind = match (command.completes, done_args) {
            (Completes::FileThenTable, 0) => Completes::Files,
            (Completes::FileThenTable, _) => Completes::Tables,
            (k, 0) => k,
            _ => Completes::Nothing,
        };
        let candidates = match kind {
            Completes::Nothing | Completes::FileThenTable => Vec::new(),
            Completes::Files => return self.files.complete(line, pos, ctx),
            Completes::Tables => matching(word, self.relations().into_iter().map(|(n, _)| n), false),
            Completes::Modes => matching(word, Mode::NAMES.iter().map(|m| m.to_string()), false),
            Completes::OnOff => matching(word, ["on", "off"].map(String::from).into_iter(), false),
        };
        Ok((start, candidates))
    }

    fn complete_sql(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphanumeric() || c == '_' || c == '$' || c == '"')
            .last()
            .map_or(before.len(), |(i, _)| i);
        let word = &before[start..];
        let pending = self.pending.borrow();
        let words_before = lowercase_words(&format!("{pending}\n{before}"));
        let words = lowercase_words(&format!("{pending}\n{line}"));
        let relations = self.relations();
        let known: Vec<String> = relations.iter().map(|(n, _)| n.to_lowercase()).collect();
        // `qualifier.` before the word: that relation's columns only.
        if let Some(head) = before[..start].strip_suffix('.') {
            let q_start = head
                .char_indices()
                .rev()
                .take_while(|&(_, c)| c.is_alphanumeric() || c == '_' || c == '$' || c == '"')
                .last()
                .map_or(head.len(), |(i, _)| i);
            let qualifier = head[q_start..].trim_matches('"').to_lowercase();
            let table = resolve_alias(&words, &qualifier, &known).unwrap_or(qualifier);
            let columns = relations.iter().filter(|(n, _)| n.to_lowercase() == table).flat_map(|(_, c)| c.clone());
            return (start, matching(word, columns, true));
        }
        // The word before this one decides the context.
        let previous = words_before.iter().rev().nth(usize::from(!word.is_empty())).map(String::as_str);
        let names = relations.iter().map(|(n, _)| n.clone());
        if previous.is_some_and(|p| RELATION_CONTEXT.contains(&p)) {
            return (start, matching(word, names, true));
        }
        if word.is_empty() {
            return (start, Vec::new());
        }
        let mentioned: Vec<&(String, Vec<String>)> =
            relations.iter().filter(|(n, _)| words.contains(&n.to_lowercase())).collect();
        let columns: Vec<String> = if mentioned.is_empty() {
            relations.iter().flat_map(|(_, c)| c.clone()).collect()
        } else {
            mentioned.iter().flat_map(|(_, c)| c.clone()).collect()
        };
        let lower = word.chars().any(|c| c.is_lowercase());
        let keywords = KEYWORDS.iter().map(|k| if lower { k.to_lowercase() } else { k.to_string() });
        let mut out = matching(word, names.chain(columns), true);
        out.extend(matching(word, keywords, false));
        out.sort_by(|a, b| a.replacement.cmp(&b.replacement));
        out.dedup_by(|a, b| a.replacement == b.replacement);
        (start, out)
    }
}

/// The candidates that start with `word` (case-insensitively), quoted as identifiers
/// if `idents`.
fn matching(word: &str, candidates: impl Iterator<Item = String>, idents: bool) -> Vec<Pair> {
    let typed = word.trim_start_matches('"').to_lowercase();
    let set: BTreeSet<String> = candidates.filter(|c| c.to_lowercase().starts_with(&typed)).collect();
    set.into_iter()
        .map(|c| {
            let replacement = if idents { quote_ident(&c) } else { c.clone() };
            Pair { display: c, replacement }
        })
        .collect()
}

/// The identifier-like words of SQL text, lowercased, without quotes.
fn lowercase_words(sql: &str) -> Vec<String> {
    sql.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '"'))
        .map(|w| w.trim_matches('"').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The table that `alias` stands for: `FROM table alias` or `FROM table AS alias`.
fn resolve_alias(words: &[String], alias: &str, relations: &[String]) -> Option<String> {
    (0..words.len()).find_map(|i| {
        let after = |k: usize| words.get(i + k).map(String::as_str);
        let aliased = after(1) == Some(alias) || (after(1) == Some("as") && after(2) == Some(alias));
        (aliased && relations.contains(&words[i])).then(|| words[i].clone())
    })
}

impl Completer for SqlHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let starts_dot = line[..pos].trim_start().starts_with(['.', '\\']);
        if starts_dot && self.pending.borrow().trim().is_empty() {
            return self.complete_dot(line, pos, ctx);
        }
        Ok(self.complete_sql(line, pos))
    }
}

impl Hinter for SqlHelper {
    type Hint = String;
}

impl Highlighter for SqlHelper {}

impl Validator for SqlHelper {}

impl Helper for SqlHelper {}

/// A line editor with completion over `conn`'s catalog.
pub fn new_editor(
    conn: Rc<Connection>,
    pending: Rc<RefCell<String>>,
) -> rustyline::Result<Editor<SqlHelper, FileHistory>> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .history_ignore_space(true)
        .build();
    let mut editor = Editor::with_config(config)?;
    editor.set_history_ignore_dups(true)?;
    editor.set_max_history_size(10_000)?;
    editor.set_helper(Some(SqlHelper { conn, pending, files: FilenameCompleter::new() }));
    Ok(editor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> SqlHelper {
        let db = cachet::Database::open_in_memory().unwrap();
        let conn = Rc::new(db.connect());
        conn.execute_batch(
            "CREATE TABLE customers (id bigint PRIMARY KEY, full_name text); CREATE TABLE orders (id bigint, customer_id bigint, \"Total\" numeric)",
        )
        .unwrap();
        SqlHelper { conn, pending: Rc::new(RefCell::new(String::new())), files: FilenameCompleter::new() }
    }

    #[test]
    fn sql_completion() {
        let h = helper();
        // (text before the cursor, expected replacements)
        // (line with `|` at the cursor, expected replacements)
        let cases: &[(&str, &[&str])] = &[
            ("SELECT * FROM cus|", &["customers"]),
            ("select * from |", &["customers", "orders"]),
            ("sel|", &["select"]),
            ("SEL|", &["SELECT"]),
            ("SELECT full|", &["full_name", "full"]),
            ("SELECT cu|", &["current_date", "current_timestamp", "customer_id", "customers"]),
            ("SELECT CU|", &["CURRENT_DATE", "CURRENT_TIMESTAMP", "customer_id", "customers"]),
            ("SELECT o.cu|", &[]),
            ("SELECT orders.cu|", &["customer_id"]),
            ("SELECT o.T| FROM orders o", &["\"Total\""]),
            ("SELECT c.| FROM customers c", &["full_name", "id"]),
            ("SELECT * FROM orders AS o WHERE o.|", &["\"Total\"", "customer_id", "id"]),
            ("SELECT fu| FROM orders", &["full"]),
            ("SELECT 1|", &[]),
        ];
        for (text, want) in cases {
            let pos = text.find('|').unwrap();
            let line = text.replace('|', "");
            let (_, got) = h.complete_sql(&line, pos);
            let mut got: Vec<&str> = got.iter().map(|p| p.replacement.as_str()).collect();
            let mut want = want.to_vec();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "completing {text:?}");
        }
    }

    #[test]
    fn aliases() {
        let words = lowercase_words("SELECT c.x FROM customers AS c JOIN orders o ON true");
        let known = ["customers".to_string(), "orders".to_string()];
        assert_eq!(resolve_alias(&words, "c", &known).as_deref(), Some("customers"));
        assert_eq!(resolve_alias(&words, "o", &known).as_deref(), Some("orders"));
        assert_eq!(resolve_alias(&words, "x", &known), None);
    }
}
