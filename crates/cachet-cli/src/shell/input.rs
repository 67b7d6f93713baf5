//! Splitting shell input into complete SQL statements.
//!
//! The shell reads input a line at a time (from the terminal, a script or a command-line
//! argument) and must decide, after each line, whether a statement is complete: the
//! interactive shell shows the continuation prompt until it is, and every mode executes
//! statements one by one so that output, errors and `--bail` apply per statement.
//!
//! A statement ends at a `;` that is outside string literals (`'...'`, `E'...'` with
//! backslash escapes), quoted identifiers (`"..."`), dollar-quoted strings (`$tag$...$tag$`),
//! comments (`-- ...` and nested `/* ... */`) and parentheses, which is how psql decides.
//! This is a small lexer of its own rather than the engine's tokenizer because it must
//! work on *incomplete* input, where a real tokenizer reports an unterminated literal.
//!
//! Each emitted statement keeps its terminating `;` and drops leading whitespace and
//! comments, so that error positions reported by the engine (1-based character offsets
//! into the statement text) point into exactly the text the shell shows under `LINE n:`.

/// A complete statement and the input line it started on (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub line: usize,
}

/// Where the lexer is inside the pending text.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Lex {
    Normal,
    /// Inside `'...'`; `escapes` is true for `E'...'` strings, where `\'` does not end it.
    Single {
        escapes: bool,
    },
    /// Inside a `"quoted identifier"`.
    Double,
    /// Inside `$tag$ ... $tag$`; holds the whole delimiter, e.g. `$fn$`.
    Dollar(String),
    LineComment,
    /// Inside `/* ... */`, with the nesting depth.
    BlockComment(u32),
}

/// Accumulates lines until statements are complete.
#[derive(Debug)]
pub struct StatementBuffer {
    text: String,
    lex: Lex,
    depth: i32,
    /// Byte offset in `text` of the first significant character of the pending
    /// statement; `None` while only whitespace and comments have been seen.
    content_start: Option<usize>,
    /// The line on which the pending statement's first significant character appeared.
    start_line: usize,
}

impl Default for StatementBuffer {
    fn default() -> Self {
        StatementBuffer { text: String::new(), lex: Lex::Normal, depth: 0, content_start: None, start_line: 0 }
    }
}

/// Whether `c` can be part of an unquoted identifier or keyword.
fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

impl StatementBuffer {
    pub fn new() -> Self {
        Self::default()
    }

    /// True when nothing but whitespace and complete comments is pending, so that the
    /// next line starts a new statement (and may be a dot command).
    pub fn is_empty(&self) -> bool {
        self.content_start.is_none() && matches!(self.lex, Lex::Normal | Lex::LineComment)
    }

    /// The pending text of the unfinished statement (for completion context).
    pub fn pending(&self) -> &str {
        match self.content_start {
            Some(start) => &self.text[start..],
            None => "",
        }
    }

    /// Forgets everything pending (Ctrl-C, or a dot command after stray comments).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Adds one line of input (without its line terminator) and returns the statements
    /// it completed, in order.
    pub fn push_line(&mut self, line: &str, line_no: usize) -> Vec<Statement> {
        let mut done = Vec::new();
        let base = self.text.len();
        self.text.push_str(line);
        self.text.push('\n');
        // Indices into `text` of this line's characters, plus the newline.
        let chars: Vec<(usize, char)> = self.text[base..].char_indices().map(|(i, c)| (base + i, c)).collect();
        let mut k = 0;
        while k < chars.len() {
            let (at, c) = chars[k];
            let next = chars.get(k + 1).map(|&(_, c)| c);
            let prev = if k > 0 { Some(chars[k - 1].1) } else { self.text[..at].chars().next_back() };
            k += 1;
            match &mut self.lex {
                Lex::LineComment => {
                    if c == '\n' {
                        self.lex = Lex::Normal;
                    }
                }
                Lex::BlockComment(n) => {
                    if c == '*' && next == Some('/') {
                        k += 1;
                        *n -= 1;
                        if *n == 0 {
                            self.lex = Lex::Normal;
                        }
                    } else if c == '/' && next == Some('*') {
                        k += 1;
                        *n += 1;
                    }
                }
                Lex::Single { escapes } => {
                    if *escapes && c == '\\' {
                        k += 1;
                    } else if c == '\'' {
                        if next == Some('\'') {
                            k += 1;
                        } else {
                            self.lex = Lex::Normal;
                        }
                    }
                }
                Lex::Double => {
                    if c == '"' {
                        if next == Some('"') {
                            k += 1;
                        } else {
                            self.lex = Lex::Normal;
                        }
                    }
                }
                Lex::Dollar(tag) => {
                    if c == '$' && self.text[at..].starts_with(tag.as_str()) {
                        k += tag.chars().count() - 1;
                        self.lex = Lex::Normal;
                    }
                }
                Lex::Normal => {
                    if c.is_whitespace() {
                        continue;
                    }
                    if c == '-' && next == Some('-') {
                        k += 1;
                        self.lex = Lex::LineComment;
                        continue;
                    }
                    if c == '/' && next == Some('*') {
                        k += 1;
                        self.lex = Lex::BlockComment(1);
                        continue;
                    }
                    if c == ';' && self.depth <= 0 {
                        if let Some(start) = self.content_start {
                            done.push(Statement { sql: self.text[start..=at].to_string(), line: self.start_line });
                        }
                        self.content_start = None;
                        self.depth = 0;
                        continue;
                    }
                    if self.content_start.is_none() {
                        self.content_start = Some(at);
                        self.start_line = line_no;
                    }
                    match c {
                        '(' => self.depth += 1,
                        ')' => self.depth -= 1,
                        '\'' => {
                            let escapes = matches!(prev, Some('e' | 'E'))
                                && !self.text[..at].chars().rev().nth(1).is_some_and(ident_char);
                            self.lex = Lex::Single { escapes };
                        }
                        '"' => self.lex = Lex::Double,
                        '$' if !prev.is_some_and(ident_char) => {
                            if let Some(tag) = dollar_tag(&self.text[at..]) {
                                k += tag.chars().count() - 1;
                                self.lex = Lex::Dollar(tag);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        // Drop consumed text so the buffer holds only the pending statement.
        match self.content_start {
            Some(start) if start > 0 => {
                self.text.drain(..start);
                self.content_start = Some(0);
            }
            Some(_) => {}
            None if self.is_empty() => self.text.clear(),
            None => {}
        }
        done
    }

    /// At the end of input: the unfinished statement, if any (run without its `;`, as
    /// psql does).
    pub fn finish(&mut self) -> Option<Statement> {
        let start = self.content_start?;
        let sql = self.text[start..].trim_end().to_string();
        let line = self.start_line;
        self.clear();
        Some(Statement { sql, line })
    }
}

/// The dollar-quote delimiter at the start of `s` (which starts with `$`): `$$` or
/// `$tag$`. `$1` is a parameter, not a delimiter.
fn dollar_tag(s: &str) -> Option<String> {
    let rest = &s[1..];
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag.chars().enumerate().all(|(i, c)| c == '_' || c.is_alphabetic() || (i > 0 && c.is_ascii_digit()));
    valid.then(|| format!("${tag}$"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` line by line; returns the statements and whether input is pending.
    fn split(input: &str) -> (Vec<String>, bool) {
        let mut b = StatementBuffer::new();
        let mut out = Vec::new();
        for (i, line) in input.lines().enumerate() {
            out.extend(b.push_line(line, i + 1).into_iter().map(|s| s.sql));
        }
        (out, !b.is_empty())
    }

    #[test]
    fn splitting() {
        // (input, statements, still pending)
        let cases: &[(&str, &[&str], bool)] = &[
            ("SELECT 1;", &["SELECT 1;"], false),
            ("SELECT 1; SELECT 2;", &["SELECT 1;", "SELECT 2;"], false),
            ("SELECT\n1\n;", &["SELECT\n1\n;"], false),
            ("SELECT 1", &[], true),
            ("SELECT 'a;b';", &["SELECT 'a;b';"], false),
            ("SELECT 'it''s;';", &["SELECT 'it''s;';"], false),
            ("SELECT 'a\n;b';", &["SELECT 'a\n;b';"], false),
            ("SELECT E'\\';';", &["SELECT E'\\';';"], false),
            ("SELECT e'\\'';", &["SELECT e'\\'';"], false),
            ("SELECT '\\';", &["SELECT '\\';"], false),
            ("SELECT \"a;\"\"b\";", &["SELECT \"a;\"\"b\";"], false),
            ("SELECT $$a;b$$;", &["SELECT $$a;b$$;"], false),
            ("SELECT $x$a;$$;b$x$;", &["SELECT $x$a;$$;b$x$;"], false),
            ("SELECT $1;", &["SELECT $1;"], false),
            ("SELECT a$b;", &["SELECT a$b;"], false),
            ("SELECT 1 -- no; end\n;", &["SELECT 1 -- no; end\n;"], false),
            ("-- leading\nSELECT 1;", &["SELECT 1;"], false),
            ("/* a /* nested; */ still; */ SELECT 1;", &["SELECT 1;"], false),
            ("/* open", &[], true),
            ("SELECT (1;\n2);", &["SELECT (1;\n2);"], false),
            (";;", &[], false),
            ("SELECT 1; -- trailing", &["SELECT 1;"], false),
            ("SELECT 'open", &[], true),
            ("   ", &[], false),
        ];
        for (input, want, pending) in cases {
            let (got, p) = split(input);
            assert_eq!(&got, want, "input {input:?}");
            assert_eq!(p, *pending, "pending after {input:?}");
        }
    }

    #[test]
    fn start_lines_and_finish() {
        let mut b = StatementBuffer::new();
        assert!(b.push_line("", 1).is_empty());
        let got = b.push_line("SELECT 1; SELECT", 2);
        assert_eq!(got, vec![Statement { sql: "SELECT 1;".into(), line: 2 }]);
        assert_eq!(b.pending(), "SELECT\n");
        assert!(b.push_line("2", 3).is_empty());
        assert_eq!(b.finish(), Some(Statement { sql: "SELECT\n2".into(), line: 2 }));
        assert!(b.finish().is_none());
    }
}
