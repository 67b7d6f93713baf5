//! Parsing SQL text with `sqlparser`, PostgreSQL dialect.
//!
//! The text is tokenized once, split into statements at top-level semicolons, and each
//! statement is parsed on its own, which gives every statement its exact source text.
//! Before parsing, a bare `?` in an operand position is rewritten into a numbered
//! placeholder (`$1`, `$2`, ...) so that the Rust API can use `?` parameters while
//! `?` stays the jsonb key-exists operator between two operands. Parser errors become
//! SQLSTATE 42601 with PostgreSQL's "syntax error at or near" wording and a position.

use crate::error::{Error, Result, SqlState};
use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};

/// How deeply expressions may nest before parsing fails with 54001.
const RECURSION_LIMIT: usize = 64;

/// One parsed statement and its source.
#[derive(Clone, Debug)]
pub struct ParsedStatement {
    pub ast: ast::Statement,
    /// The statement's own text, without the terminating semicolon.
    pub text: String,
}

fn dialect() -> PostgreSqlDialect {
    PostgreSqlDialect {}
}

/// Parses a script of zero or more statements.
pub fn parse(sql: &str) -> Result<Vec<ParsedStatement>> {
    let tokens = tokenize(sql)?;
    let lines = LineIndex::new(sql);
    let mut out = Vec::new();
    for chunk in split(tokens) {
        let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
            continue;
        };
        let text = lines.slice(sql, first.span.start, last.span.end).to_string();
        // Statements sqlparser does not know: CHECKPOINT becomes `PRAGMA checkpoint`.
        if chunk.len() == 1 && matches!(&first.token, Token::Word(w) if w.value.eq_ignore_ascii_case("checkpoint")) {
            let name = ast::ObjectName::from(vec![ast::Ident::new("checkpoint")]);
            out.push(ParsedStatement { ast: ast::Statement::Pragma { name, value: None, is_eq: false }, text });
            continue;
        }
        let d = dialect();
        let mut parser = Parser::new(&d).with_recursion_limit(RECURSION_LIMIT).with_tokens_with_locations(chunk);
        let stmt = parser.parse_statement().map_err(|e| syntax_error(sql, e))?;
        // Anything left over is an error at that token.
        let next = parser.peek_token();
        if next.token != Token::EOF {
            return Err(syntax_at(sql, &next.token, next.span.start, None));
        }
        out.push(ParsedStatement { ast: stmt, text });
    }
    Ok(out)
}

/// Parses one expression (stored defaults and CHECK constraints).
pub fn parse_expr(sql: &str) -> Result<ast::Expr> {
    let tokens = tokenize(sql)?;
    let d = dialect();
    let mut parser = Parser::new(&d).with_recursion_limit(RECURSION_LIMIT).with_tokens_with_locations(tokens);
    let e = parser.parse_expr().map_err(|e| syntax_error(sql, e))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(syntax_at(sql, &next.token, next.span.start, None));
    }
    Ok(e)
}

fn tokenize(sql: &str) -> Result<Vec<TokenWithSpan>> {
    let d = dialect();
    let raw = Tokenizer::new(&d, sql).tokenize_with_location().map_err(|e| {
        let msg = e.message.clone();
        let err = Error::syntax(format!("syntax error: {msg}"));
        if e.location.line > 0 {
            err.with_location(sql, e.location.line as u32, e.location.column as u32)
        } else {
            err
        }
    })?;
    number_placeholders(raw)
}

/// Rewrites `?` placeholders into `$n`, leaving the jsonb `?` operator alone.
fn number_placeholders(tokens: Vec<TokenWithSpan>) -> Result<Vec<TokenWithSpan>> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut n = 0;
    let mut dollar = false;
    for t in tokens {
        let question = match &t.token {
            Token::Placeholder(p) if p.starts_with('?') => true,
            Token::Question => operand_position(&out),
            Token::Placeholder(p) if p.starts_with('$') => {
                dollar = true;
                false
            }
            _ => false,
        };
        if question {
            n += 1;
            out.push(TokenWithSpan { token: Token::Placeholder(format!("${n}")), span: t.span });
        } else {
            out.push(t);
        }
    }
    if n > 0 && dollar {
        return Err(Error::syntax("cannot mix ? and $n parameters in one statement"));
    }
    Ok(out)
}

/// Whether the next token starts an operand, judging by the previous significant token.
fn operand_position(prev: &[TokenWithSpan]) -> bool {
    let Some(t) = prev.iter().rev().find(|t| !matches!(t.token, Token::Whitespace(_))) else {
        return true;
    };
    match &t.token {
        Token::Word(w) => matches!(
            w.keyword,
            Keyword::SELECT
                | Keyword::WHERE
                | Keyword::AND
                | Keyword::OR
                | Keyword::NOT
                | Keyword::VALUES
                | Keyword::SET
                | Keyword::BY
                | Keyword::LIMIT
                | Keyword::OFFSET
                | Keyword::IN
                | Keyword::BETWEEN
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::IS
                | Keyword::THEN
                | Keyword::WHEN
                | Keyword::ELSE
                | Keyword::CASE
                | Keyword::ON
                | Keyword::RETURNING
                | Keyword::HAVING
                | Keyword::ANY
                | Keyword::ALL
                | Keyword::SOME
                | Keyword::DISTINCT
                | Keyword::FETCH
                | Keyword::ESCAPE
        ),
        Token::Number(..)
        | Token::SingleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::RParen
        | Token::RBracket
        | Token::Placeholder(_) => false,
        _ => true,
    }
}

/// Splits tokens into statements at top-level semicolons, dropping empty statements,
/// whitespace and comments at the edges.
fn split(tokens: Vec<TokenWithSpan>) -> Vec<Vec<TokenWithSpan>> {
    let mut out = Vec::new();
    let mut cur: Vec<TokenWithSpan> = Vec::new();
    let mut depth = 0i32;
    for t in tokens {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::SemiColon if depth <= 0 => {
                out.push(std::mem::take(&mut cur));
                depth = 0;
                continue;
            }
            Token::EOF => continue,
            _ => {}
        }
        cur.push(t);
    }
    out.push(cur);
    out.into_iter()
        .map(|mut c| {
            while c.last().is_some_and(|t| matches!(t.token, Token::Whitespace(_))) {
                c.pop();
            }
            let start = c.iter().position(|t| !matches!(t.token, Token::Whitespace(_))).unwrap_or(c.len());
            c.drain(..start);
            c
        })
        .filter(|c| !c.is_empty())
        .collect()
}

/// Maps line/column locations to byte offsets.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(sql: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(sql.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn byte(&self, sql: &str, loc: Location) -> usize {
        let Some(&start) = self.starts.get((loc.line as usize).saturating_sub(1)) else {
            return sql.len();
        };
        let line = &sql[start..];
        let col = (loc.column as usize).saturating_sub(1);
        start + line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
    }

    fn slice<'s>(&self, sql: &'s str, from: Location, to: Location) -> &'s str {
        let a = self.byte(sql, from);
        let b = self.byte(sql, to).max(a);
        &sql[a..b]
    }
}

fn syntax_at(sql: &str, token: &Token, loc: Location, detail: Option<String>) -> Error {
    let msg = match token {
        Token::EOF => "syntax error at end of input".to_string(),
        t => format!("syntax error at or near \"{}\"", token_text(t)),
    };
    let mut e = Error::syntax(msg);
    if let Some(d) = detail {
        e = e.with_detail(d);
    }
    if loc.line > 0 {
        e = e.with_location(sql, loc.line as u32, loc.column as u32);
    } else if *token == Token::EOF {
        e = e.with_position(sql.chars().count() as u32 + 1).resolve_location(sql);
    }
    e
}

fn token_text(t: &Token) -> String {
    match t {
        Token::Word(w) => w.value.clone(),
        Token::SingleQuotedString(s) => format!("'{s}'"),
        Token::Whitespace(Whitespace::Space) => " ".into(),
        other => other.to_string(),
    }
}

/// Converts a parser error into 42601 with the position sqlparser reports.
fn syntax_error(sql: &str, e: ParserError) -> Error {
    let msg = match e {
        ParserError::RecursionLimitExceeded => {
            return Error::new(SqlState::STATEMENT_TOO_COMPLEX, "stack depth limit exceeded")
                .with_hint("The statement nests expressions too deeply.")
        }
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m,
    };
    // sqlparser ends messages with " at Line: L, Column: C".
    let (body, loc) = match msg.rfind(" at Line: ") {
        Some(i) => {
            let tail = &msg[i + " at Line: ".len()..];
            let mut parts = tail.split(", Column: ");
            let line = parts.next().and_then(|l| l.trim().parse::<u64>().ok());
            let col = parts.next().and_then(|c| c.trim().parse::<u64>().ok());
            (msg[..i].to_string(), line.zip(col))
        }
        None => (msg.clone(), None),
    };
    let found = body.rsplit_once("found: ").map(|(_, f)| f.trim().to_string());
    let message = match found.as_deref() {
        Some("EOF") | None if body.contains("EOF") => "syntax error at end of input".to_string(),
        Some(f) => format!("syntax error at or near \"{f}\""),
        None => format!("syntax error: {body}"),
    };
    let mut err = Error::syntax(message).with_detail(body);
    match loc {
        Some((line, col)) => err = err.with_location(sql, line as u32, col as u32),
        None => {
            if err.message() == "syntax error at end of input" {
                err = err.with_position(sql.chars().count() as u32 + 1).resolve_location(sql);
            }
        }
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_with_text() {
        let s = parse("SELECT 1; ;\n SELECT 'a;b' ;").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "SELECT 1");
        assert_eq!(s[1].text, "SELECT 'a;b'");
    }

    #[test]
    fn question_marks_become_parameters() {
        let s = parse("SELECT * FROM t WHERE a = ? AND b IN (?, ?)").unwrap();
        assert_eq!(s[0].ast.to_string(), "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)");
        let s = parse("SELECT j ? 'k' FROM t WHERE x = ?").unwrap();
        assert_eq!(s[0].ast.to_string(), "SELECT j ? 'k' FROM t WHERE x = $1");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("SELECT 1 FORM t").unwrap_err();
        assert_eq!(e.code(), SqlState::SYNTAX_ERROR);
        assert_eq!(e.message(), "syntax error at or near \"t\"");
        assert!(e.position().is_some(), "{e}");
        let e = parse("SELECT (1").unwrap_err();
        assert_eq!(e.code(), SqlState::SYNTAX_ERROR);
        assert!(e.position().is_some(), "{e}");
    }
}
