//! Reporting engine errors and notices the way psql does.
//!
//! ```text
//! ERROR:  column "x" does not exist (SQLSTATE 42703)
//! LINE 1: SELECT x FROM t;
//!                ^
//! HINT:  ...
//! ```
//!
//! The engine reports a position as a 1-based character offset into the statement text
//! it was given. The shell passes each statement on its own, starting at its first
//! significant character (see [`super::input`]), so the offset indexes the same text
//! that is shown after `LINE n:`. Long lines are cut around the position, with `...`
//! marking the cuts, so the caret stays on screen.

use cachet::Error;

/// The widest statement line shown in full.
const MAX_LINE: usize = 80;
/// Characters kept before the position when a long line is cut.
const CONTEXT_BEFORE: usize = 40;

/// The full error report, one line per `\n`, ending with a newline. `prefix` goes in
/// front of the `ERROR:` line (psql's `file:line: ` for scripts).
pub fn format_error(e: &Error, sql: Option<&str>, prefix: &str) -> String {
    let mut out = format!("{prefix}ERROR:  {} (SQLSTATE {})\n", e.message(), e.code());
    if let (Some(sql), Some(pos)) = (sql, e.position()) {
        out.push_str(&caret(sql, pos as usize));
    }
    if let Some(detail) = e.detail() {
        out.push_str(&format!("DETAIL:  {detail}\n"));
    }
    if let Some(hint) = e.hint() {
        out.push_str(&format!("HINT:  {hint}\n"));
    }
    out
}

/// A notice, as psql prints it.
pub fn format_notice(message: &str) -> String {
    format!("NOTICE:  {message}\n")
}

/// The `LINE n: ...` line and the caret line under character `pos` (1-based) of `sql`.
fn caret(sql: &str, pos: usize) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let index = pos.saturating_sub(1).min(chars.len());
    let line_no = 1 + chars[..index].iter().filter(|&&c| c == '\n').count();
    let line_start = chars[..index].iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1);
    let line_end = chars[index..].iter().position(|&c| c == '\n').map_or(chars.len(), |i| index + i);
    let mut line: Vec<char> =
        chars[line_start..line_end].iter().map(|&c| if c.is_whitespace() { ' ' } else { c }).collect();
    let mut column = index - line_start;
    let mut head = String::new();
    if line.len() > MAX_LINE {
        let from = column.saturating_sub(CONTEXT_BEFORE);
        let to = (from + MAX_LINE).min(line.len());
        if to < line.len() {
            line.truncate(to);
            line.extend("...".chars());
        }
        if from > 0 {
            line.drain(..from);
            head.push_str("...");
            column = column - from + 3;
        }
    }
    let label = format!("LINE {line_no}: ");
    let shown: String = head.chars().chain(line.iter().copied()).collect();
    format!("{label}{shown}\n{}^\n", " ".repeat(label.len() + column))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cachet::SqlState;

    #[test]
    fn carets() {
        let e = Error::new(SqlState::UNDEFINED_COLUMN, "column \"x\" does not exist").with_position(8);
        assert_eq!(
            format_error(&e, Some("SELECT x FROM t;"), ""),
            "ERROR:  column \"x\" does not exist (SQLSTATE 42703)\nLINE 1: SELECT x FROM t;\n               ^\n"
        );
        let e = Error::syntax("syntax error at or near \"FORM\"").with_position(15).with_hint("check it");
        assert_eq!(
            format_error(&e, Some("SELECT 1,\n  2 FORM t;"), "f.sql:3: "),
            "f.sql:3: ERROR:  syntax error at or near \"FORM\" (SQLSTATE 42601)\nLINE 2:   2 FORM t;\n            ^\nHINT:  check it\n"
        );
        let long = format!("SELECT {} x", "a, ".repeat(40));
        let out = caret(&long, long.len());
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("LINE 1: ..."), "{out}");
        assert_eq!(lines[1].find('^').map(|i| lines[0].chars().nth(i)), Some(Some('x')), "{out}");
    }
}
