//! COPY FROM STDIN and COPY TO STDOUT, in text and CSV formats.
//!
//! The engine has no COPY statement: COPY is a protocol feature here, built from
//! ordinary statements. `COPY t (a, b) FROM STDIN` prepares `INSERT INTO t (a, b)
//! VALUES ($1, $2)` and runs it once per row, all in one transaction (the client's
//! own transaction block if it has one, else one the server opens and commits). Each
//! field is parsed with the column's input function, so a bad value fails with the
//! same error as an INSERT would, plus PostgreSQL's `COPY t, line N, column c`
//! context. `COPY t TO STDOUT` and `COPY (query) TO STDOUT` run the query and format
//! each row.
//!
//! The statement itself is parsed here, because sqlparser's COPY grammar misses
//! options PostgreSQL clients send (pgbench sends `WITH (freeze on)`).
//!
//! Text format: fields separated by a delimiter (tab), `\N` for NULL, backslash
//! escapes (`\t`, `\n`, `\\`, octal and `\x` hex), and `\.` ending the data. CSV
//! format: RFC 4180 quoting with configurable quote and escape characters, NULL as
//! an unquoted empty field by default, optional header line, FORCE_QUOTE,
//! FORCE_NOT_NULL and FORCE_NULL.

use cachet::{Error, SqlState};

/// Where the rows of a COPY go or come from.
#[derive(Clone, Debug, PartialEq)]
pub enum CopySource {
    /// A table, with an optional column list; the names are SQL text, quoted as the
    /// client wrote them.
    Table { name: String, columns: Vec<String> },
    /// `COPY (query) TO`.
    Query(String),
}

/// A parsed COPY statement.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyStatement {
    pub source: CopySource,
    /// `COPY ... FROM STDIN` (else `TO STDOUT`).
    pub from: bool,
    pub options: CopyOptions,
}

/// COPY options.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyOptions {
    pub csv: bool,
    pub delimiter: char,
    pub null: String,
    pub header: bool,
    pub quote: char,
    pub escape: char,
    /// FORCE_QUOTE: column names, or `None` for `*`.
    pub force_quote: Option<Vec<String>>,
    pub force_quote_all: bool,
    pub force_not_null: Vec<String>,
    pub force_null: Vec<String>,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            csv: false,
            delimiter: '\t',
            null: "\\N".into(),
            header: false,
            quote: '"',
            escape: '"',
            force_quote: None,
            force_quote_all: false,
            force_not_null: Vec::new(),
            force_null: Vec::new(),
        }
    }
}

fn bad(msg: impl Into<String>) -> Error {
    Error::syntax(msg)
}

fn unsupported(msg: impl Into<String>) -> Error {
    Error::unsupported(msg)
}

/// A token of a COPY statement.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// An unquoted word, lower-cased, with its original text.
    Word(String, String),
    /// A quoted identifier, with its original text (quotes included).
    Quoted(String, String),
    Str(String),
    Number(String),
    Punct(char),
}

/// Tokenizes, keeping byte ranges so that a parenthesized query can be cut out.
fn tokenize(sql: &str) -> cachet::Result<Vec<(Tok, usize, usize)>> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let end = sql[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            i = end;
        } else if c == b'\'' || ((c == b'e' || c == b'E') && b.get(i + 1) == Some(&b'\'')) {
            let start = i;
            let escapes = c != b'\'';
            if escapes {
                i += 1;
            }
            i += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = sql[i..].chars().next() else {
                    return Err(bad("unterminated quoted string"));
                };
                if ch == '\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        s.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                if escapes && ch == '\\' {
                    let Some(n) = sql[i + 1..].chars().next() else {
                        return Err(bad("unterminated quoted string"));
                    };
                    s.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        other => other,
                    });
                    i += 1 + n.len_utf8();
                    continue;
                }
                s.push(ch);
                i += ch.len_utf8();
            }
            out.push((Tok::Str(s), start, i));
        } else if c == b'"' {
            let start = i;
            i += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = sql[i..].chars().next() else {
                    return Err(bad("unterminated quoted identifier"));
                };
                if ch == '"' {
                    if b.get(i + 1) == Some(&b'"') {
                        s.push('"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                s.push(ch);
                i += ch.len_utf8();
            }
            out.push((Tok::Quoted(s, sql[start..i].to_string()), start, i));
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80) {
                i += 1;
            }
            let w = &sql[start..i];
            out.push((Tok::Word(w.to_lowercase(), w.to_string()), start, i));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            out.push((Tok::Number(sql[start..i].to_string()), start, i));
        } else {
            let ch = sql[i..].chars().next().unwrap_or(' ');
            out.push((Tok::Punct(ch), i, i + ch.len_utf8()));
            i += ch.len_utf8();
        }
    }
    Ok(out)
}

struct Parser<'a> {
    sql: &'a str,
    toks: Vec<(Tok, usize, usize)>,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.0.clone());
        self.pos += 1;
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x, _)) if x == w)
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.is_word(w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_punct(&mut self, p: char) -> bool {
        if self.peek() == Some(&Tok::Punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, p: char) -> cachet::Result<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn unexpected(&self) -> Error {
        match self.toks.get(self.pos) {
            Some((_, start, end)) => bad(format!("syntax error at or near \"{}\"", &self.sql[*start..*end]))
                .with_position(self.sql[..*start].chars().count() as u32 + 1),
            None => bad("syntax error at end of input").with_position(self.sql.chars().count() as u32 + 1),
        }
    }

    /// An identifier, as SQL text (quoted identifiers keep their quotes).
    fn ident(&mut self) -> cachet::Result<String> {
        match self.next() {
            Some(Tok::Word(_, orig)) => Ok(orig),
            Some(Tok::Quoted(_, orig)) => Ok(orig),
            _ => {
                self.pos -= 1;
                Err(self.unexpected())
            }
        }
    }

    /// A possibly qualified name, as SQL text.
    fn name(&mut self) -> cachet::Result<String> {
        let mut s = self.ident()?;
        while self.eat_punct('.') {
            s.push('.');
            s.push_str(&self.ident()?);
        }
        Ok(s)
    }

    fn ident_list(&mut self) -> cachet::Result<Vec<String>> {
        self.expect_punct('(')?;
        let mut v = vec![self.ident()?];
        while self.eat_punct(',') {
            v.push(self.ident()?);
        }
        self.expect_punct(')')?;
        Ok(v)
    }

    fn string(&mut self) -> cachet::Result<String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(s),
            _ => {
                self.pos -= 1;
                Err(self.unexpected())
            }
        }
    }

    /// An option value: a string, a word, a number, or nothing.
    fn option_value(&mut self) -> Option<String> {
        match self.peek() {
            Some(Tok::Str(s)) | Some(Tok::Number(s)) | Some(Tok::Word(s, _)) => {
                let s = s.clone();
                self.pos += 1;
                Some(s)
            }
            _ => None,
        }
    }
}

fn single_char(what: &str, s: &str) -> cachet::Result<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => {
            Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, format!("COPY {what} must be a single one-byte character")))
        }
    }
}

fn bool_option(name: &str, v: Option<String>) -> cachet::Result<bool> {
    match v.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("true") | Some("on") | Some("1") => Ok(true),
        Some("false") | Some("off") | Some("0") => Ok(false),
        Some(other) => {
            Err(Error::new(SqlState::SYNTAX_ERROR, format!("{name} requires a Boolean value, not \"{other}\"")))
        }
    }
}

/// Parses a COPY statement.
pub fn parse(sql: &str) -> cachet::Result<CopyStatement> {
    let mut p = Parser { sql, toks: tokenize(sql)?, pos: 0 };
    if !p.eat_word("copy") {
        return Err(p.unexpected());
    }
    let source = if p.peek() == Some(&Tok::Punct('(')) {
        let open = p.pos;
        let mut depth = 0;
        let mut close = None;
        for (i, (t, _, _)) in p.toks.iter().enumerate().skip(open) {
            match t {
                Tok::Punct('(') => depth += 1,
                Tok::Punct(')') => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            return Err(bad("syntax error at end of input"));
        };
        let query = sql[p.toks[open].2..p.toks[close].1].trim().to_string();
        p.pos = close + 1;
        CopySource::Query(query)
    } else {
        let name = p.name()?;
        let columns = if p.peek() == Some(&Tok::Punct('(')) { p.ident_list()? } else { Vec::new() };
        CopySource::Table { name, columns }
    };
    let from = if p.eat_word("from") {
        true
    } else if p.eat_word("to") {
        false
    } else {
        return Err(p.unexpected());
    };
    if from && matches!(source, CopySource::Query(_)) {
        return Err(bad("syntax error at or near \"FROM\""));
    }
    match p.peek() {
        Some(Tok::Word(w, _)) if (from && w == "stdin") || (!from && w == "stdout") => {
            p.pos += 1;
        }
        Some(Tok::Word(w, _)) if w == "program" || w == "stdin" || w == "stdout" => {
            return Err(unsupported(format!(
                "COPY {} {} is not supported",
                if from { "FROM" } else { "TO" },
                w.to_uppercase()
            )));
        }
        Some(Tok::Str(_)) => {
            return Err(unsupported(format!(
                "COPY {} a file is not supported; use COPY {} STD{} from the client (psql's \\copy)",
                if from { "from" } else { "to" },
                if from { "FROM" } else { "TO" },
                if from { "IN" } else { "OUT" }
            )))
        }
        _ => return Err(p.unexpected()),
    }
    let mut options = CopyOptions::default();
    let mut null_set = false;
    let mut delimiter_set = false;
    let mut escape_set = false;
    let with = p.eat_word("with");
    if p.eat_punct('(') {
        loop {
            let name = match p.next() {
                Some(Tok::Word(w, _)) => w,
                _ => {
                    p.pos -= 1;
                    return Err(p.unexpected());
                }
            };
            match name.as_str() {
                "format" => match p.option_value().as_deref() {
                    Some("text") => options.csv = false,
                    Some("csv") => options.csv = true,
                    Some("binary") => return Err(unsupported("COPY BINARY is not supported")),
                    Some(other) => {
                        return Err(Error::new(
                            SqlState::INVALID_PARAMETER_VALUE,
                            format!("COPY format \"{other}\" not recognized"),
                        ))
                    }
                    None => return Err(p.unexpected()),
                },
                "freeze" => {
                    // Rows are visible to everyone at commit anyway: FREEZE changes nothing.
                    bool_option("freeze", p.option_value())?;
                }
                "delimiter" => {
                    options.delimiter = single_char("delimiter", &p.string()?)?;
                    delimiter_set = true;
                }
                "null" => {
                    options.null = p.string()?;
                    null_set = true;
                }
                "header" => {
                    let v = p.option_value();
                    options.header = v.as_deref() == Some("match") || bool_option("header", v)?;
                }
                "quote" => options.quote = single_char("quote", &p.string()?)?,
                "escape" => {
                    options.escape = single_char("escape", &p.string()?)?;
                    escape_set = true;
                }
                "force_quote" => {
                    if p.eat_punct('*') {
                        options.force_quote_all = true;
                    } else {
                        options.force_quote = Some(p.ident_list()?);
                    }
                }
                "force_not_null" => options.force_not_null = p.ident_list()?,
                "force_null" => options.force_null = p.ident_list()?,
                "encoding" => {
                    let e = p.string()?;
                    let norm = e.to_lowercase().replace(['-', '_'], "");
                    if norm != "utf8" && norm != "sqlascii" {
                        return Err(unsupported(format!("encoding \"{e}\" is not supported; Cachet speaks UTF8")));
                    }
                }
                other => {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, format!("option \"{other}\" not recognized")));
                }
            }
            if p.eat_punct(',') {
                continue;
            }
            p.expect_punct(')')?;
            break;
        }
    } else {
        // Options in the pre-9.0 syntax.
        let _ = with;
        loop {
            if p.eat_word("binary") {
                return Err(unsupported("COPY BINARY is not supported"));
            } else if p.eat_word("csv") {
                options.csv = true;
            } else if p.eat_word("header") {
                options.header = true;
            } else if p.eat_word("delimiter") {
                p.eat_word("as");
                options.delimiter = single_char("delimiter", &p.string()?)?;
                delimiter_set = true;
            } else if p.eat_word("null") {
                p.eat_word("as");
                options.null = p.string()?;
                null_set = true;
            } else if p.eat_word("quote") {
                p.eat_word("as");
                options.quote = single_char("quote", &p.string()?)?;
            } else if p.eat_word("escape") {
                p.eat_word("as");
                options.escape = single_char("escape", &p.string()?)?;
                escape_set = true;
            } else if p.eat_word("force") {
                if p.eat_word("quote") {
                    if p.eat_punct('*') {
                        options.force_quote_all = true;
                    } else {
                        let mut v = vec![p.ident()?];
                        while p.eat_punct(',') {
                            v.push(p.ident()?);
                        }
                        options.force_quote = Some(v);
                    }
                } else if p.eat_word("not") {
                    if !p.eat_word("null") {
                        return Err(p.unexpected());
                    }
                    let mut v = vec![p.ident()?];
                    while p.eat_punct(',') {
                        v.push(p.ident()?);
                    }
                    options.force_not_null = v;
                } else {
                    return Err(p.unexpected());
                }
            } else {
                break;
            }
        }
    }
    if p.is_word("where") {
        return Err(unsupported("COPY FROM ... WHERE is not supported"));
    }
    if p.peek().is_some() {
        return Err(p.unexpected());
    }
    if options.csv {
        if !delimiter_set {
            options.delimiter = ',';
        }
        if !null_set {
            options.null = String::new();
        }
        if !escape_set {
            options.escape = options.quote;
        }
    } else if options.header {
        return Err(unsupported("COPY HEADER available only in CSV mode"));
    }
    if options.delimiter == '\n' || options.delimiter == '\r' || options.delimiter == '\\' && !options.csv {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "COPY delimiter cannot be newline, carriage return or backslash",
        ));
    }
    Ok(CopyStatement { source, from, options })
}

/// Where parsing stopped in the data stream.
pub enum Record {
    /// A complete row: fields (`None` is NULL), and whether each field was quoted.
    Row(Vec<Option<String>>),
    /// The end-of-data marker `\.`.
    End,
}

/// An incremental parser of COPY FROM data.
pub struct RowReader {
    pub options: CopyOptions,
    buf: Vec<u8>,
    /// Lines consumed so far (for error context).
    pub line: u64,
    pub ended: bool,
    skip_header: bool,
    /// For CSV: which fields were quoted in the last row.
    pub quoted: Vec<bool>,
}

fn bad_copy(msg: impl Into<String>) -> Error {
    Error::new(SqlState("22P04"), msg)
}

impl RowReader {
    pub fn new(options: CopyOptions) -> Self {
        let skip_header = options.header;
        RowReader { options, buf: Vec::new(), line: 0, ended: false, skip_header, quoted: Vec::new() }
    }

    pub fn push(&mut self, data: &[u8]) {
        if !self.ended {
            self.buf.extend_from_slice(data);
        }
    }

    /// The next complete record, if the buffer holds one. With `eof`, a final line
    /// without a newline counts as complete.
    pub fn next_record(&mut self, eof: bool) -> cachet::Result<Option<Record>> {
        loop {
            if self.ended {
                return Ok(None);
            }
            let r = if self.options.csv { self.next_csv(eof)? } else { self.next_text(eof)? };
            match r {
                Some(Record::Row(_)) if self.skip_header => {
                    self.skip_header = false;
                    continue;
                }
                Some(Record::End) => {
                    self.ended = true;
                    self.buf.clear();
                    return Ok(Some(Record::End));
                }
                other => return Ok(other),
            }
        }
    }

    /// Takes one line (without its terminator) off the buffer.
    fn take_line(&mut self, eof: bool) -> Option<Vec<u8>> {
        let (line, consumed) = match self.buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let end = if i > 0 && self.buf[i - 1] == b'\r' { i - 1 } else { i };
                (self.buf[..end].to_vec(), i + 1)
            }
            None if eof && !self.buf.is_empty() => {
                let mut end = self.buf.len();
                if self.buf[end - 1] == b'\r' {
                    end -= 1;
                }
                (self.buf[..end].to_vec(), self.buf.len())
            }
            None => return None,
        };
        self.buf.drain(..consumed);
        self.line += 1;
        Some(line)
    }

    fn next_text(&mut self, eof: bool) -> cachet::Result<Option<Record>> {
        let Some(line) = self.take_line(eof) else {
            return Ok(None);
        };
        if line == b"\\." {
            return Ok(Some(Record::End));
        }
        let line = String::from_utf8(line).map_err(|_| {
            Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\"")
        })?;
        let delim = self.options.delimiter;
        let mut fields = Vec::new();
        let mut raw = String::new();
        let mut value = String::new();
        let mut chars = line.chars().peekable();
        loop {
            match chars.next() {
                None => {
                    fields.push(self.text_field(&raw, std::mem::take(&mut value)));
                    break;
                }
                Some(c) if c == delim => {
                    fields.push(self.text_field(&raw, std::mem::take(&mut value)));
                    raw.clear();
                }
                Some('\\') => {
                    raw.push('\\');
                    let Some(n) = chars.next() else {
                        // A lone backslash at the end of the line.
                        value.push('\\');
                        continue;
                    };
                    raw.push(n);
                    match n {
                        'b' => value.push('\u{8}'),
                        'f' => value.push('\u{c}'),
                        'n' => value.push('\n'),
                        'r' => value.push('\r'),
                        't' => value.push('\t'),
                        'v' => value.push('\u{b}'),
                        '0'..='7' => {
                            let mut code = n.to_digit(8).unwrap_or(0);
                            for _ in 0..2 {
                                match chars.peek().and_then(|c| c.to_digit(8)) {
                                    Some(d) => {
                                        code = code * 8 + d;
                                        raw.push(chars.next().unwrap_or('0'));
                                    }
                                    None => break,
                                }
                            }
                            value.push(char::from_u32(code & 0xff).unwrap_or('\0'));
                        }
                        'x' if chars.peek().is_some_and(|c| c.is_ascii_hexdigit()) => {
                            let mut code = 0;
                            for _ in 0..2 {
                                match chars.peek().and_then(|c| c.to_digit(16)) {
                                    Some(d) => {
                                        code = code * 16 + d;
                                        raw.push(chars.next().unwrap_or('0'));
                                    }
                                    None => break,
                                }
                            }
                            value.push(char::from_u32(code).unwrap_or('\0'));
                        }
                        other => value.push(other),
                    }
                }
                Some(c) => {
                    raw.push(c);
                    value.push(c);
                }
            }
        }
        Ok(Some(Record::Row(fields)))
    }

    fn text_field(&self, raw: &str, value: String) -> Option<String> {
        if raw == self.options.null {
            None
        } else {
            Some(value)
        }
    }

    fn next_csv(&mut self, eof: bool) -> cachet::Result<Option<Record>> {
        let o = &self.options;
        let (delim, quote, escape) = (o.delimiter, o.quote, o.escape);
        // Find the end of the record: a newline outside quotes.
        let text = match std::str::from_utf8(&self.buf) {
            Ok(t) => t,
            Err(e) => {
                // Only complete characters can be parsed; an incomplete one at the end waits.
                if e.error_len().is_some() {
                    return Err(Error::new(
                        SqlState::CHARACTER_NOT_IN_REPERTOIRE,
                        "invalid byte sequence for encoding \"UTF8\"",
                    ));
                }
                std::str::from_utf8(&self.buf[..e.valid_up_to()]).unwrap_or("")
            }
        };
        if text.starts_with("\\.\n") || text.starts_with("\\.\r\n") || (eof && (text == "\\." || text == "\\.\r")) {
            return Ok(Some(Record::End));
        }
        let mut fields = Vec::new();
        let mut quoted_flags = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut in_quotes = false;
        let mut lines = 0;
        let mut end = None;
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if in_quotes {
                if c == escape && escape != quote && iter.peek().is_some_and(|(_, n)| *n == quote || *n == escape) {
                    let (_, n) = iter.next().expect("peeked");
                    field.push(n);
                } else if c == quote {
                    if escape == quote && iter.peek().is_some_and(|(_, n)| *n == quote) {
                        iter.next();
                        field.push(quote);
                    } else {
                        in_quotes = false;
                    }
                } else {
                    if c == '\n' {
                        lines += 1;
                    }
                    field.push(c);
                }
                continue;
            }
            if c == delim {
                fields.push(std::mem::take(&mut field));
                quoted_flags.push(std::mem::replace(&mut quoted, false));
            } else if c == quote {
                in_quotes = true;
                quoted = true;
            } else if c == '\n' || c == '\r' {
                let next = if c == '\r' && iter.peek().is_some_and(|(_, n)| *n == '\n') {
                    iter.next();
                    i + 2
                } else {
                    i + 1
                };
                end = Some(next);
                break;
            } else {
                field.push(c);
            }
        }
        let consumed = match end {
            Some(e) => e,
            None if eof && !text.is_empty() => {
                if in_quotes {
                    return Err(bad_copy("unterminated CSV quoted field"));
                }
                text.len()
            }
            None => return Ok(None),
        };
        fields.push(field);
        quoted_flags.push(quoted);
        self.buf.drain(..consumed);
        self.line += 1 + lines;
        let null = &self.options.null;
        let row =
            fields.into_iter().zip(&quoted_flags).map(|(f, q)| if !q && f == *null { None } else { Some(f) }).collect();
        self.quoted = quoted_flags;
        Ok(Some(Record::Row(row)))
    }
}

/// Formats one row for COPY TO. `quote_cols` says which columns FORCE_QUOTE applies to.
pub fn format_row(options: &CopyOptions, fields: &[Option<String>], quote_cols: &[bool], out: &mut Vec<u8>) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            push_char(out, options.delimiter);
        }
        match f {
            None => out.extend_from_slice(options.null.as_bytes()),
            Some(s) if options.csv => {
                let must_quote = quote_cols.get(i).copied().unwrap_or(false)
                    || options.force_quote_all
                    || *s == options.null
                    || s.starts_with("\\.")
                    || s.chars().any(|c| c == options.delimiter || c == options.quote || c == '\n' || c == '\r');
                if must_quote {
                    push_char(out, options.quote);
                    for c in s.chars() {
                        if c == options.quote || c == options.escape {
                            push_char(out, options.escape);
                        }
                        push_char(out, c);
                    }
                    push_char(out, options.quote);
                } else {
                    out.extend_from_slice(s.as_bytes());
                }
            }
            Some(s) => {
                for c in s.chars() {
                    match c {
                        '\\' => out.extend_from_slice(b"\\\\"),
                        '\n' => out.extend_from_slice(b"\\n"),
                        '\r' => out.extend_from_slice(b"\\r"),
                        '\t' => out.extend_from_slice(b"\\t"),
                        '\u{8}' => out.extend_from_slice(b"\\b"),
                        '\u{c}' => out.extend_from_slice(b"\\f"),
                        '\u{b}' => out.extend_from_slice(b"\\v"),
                        c if c == options.delimiter => {
                            out.push(b'\\');
                            push_char(out, c);
                        }
                        c => push_char(out, c),
                    }
                }
            }
        }
    }
    out.push(b'\n');
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut b = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_copy_statements() {
        let c = parse("copy pgbench_accounts from stdin with (freeze on)").unwrap();
        assert_eq!(c.source, CopySource::Table { name: "pgbench_accounts".into(), columns: vec![] });
        assert!(c.from);
        let c =
            parse("COPY \"T\" (a, \"B\") FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL 'x')").unwrap();
        assert_eq!(c.source, CopySource::Table { name: "\"T\"".into(), columns: vec!["a".into(), "\"B\"".into()] });
        assert!(c.options.csv && c.options.header);
        assert_eq!((c.options.delimiter, c.options.null.as_str()), (';', "x"));
        let c = parse("COPY (SELECT 1, ')' FROM t) TO STDOUT WITH CSV HEADER").unwrap();
        assert_eq!(c.source, CopySource::Query("SELECT 1, ')' FROM t".into()));
        assert!(c.options.csv && c.options.header && !c.from);
        assert_eq!(c.options.delimiter, ',');
        assert!(parse("COPY t FROM '/etc/passwd'").unwrap_err().code() == SqlState::FEATURE_NOT_SUPPORTED);
        assert!(parse("COPY t TO STDIN").is_err());
    }

    fn rows(options: CopyOptions, data: &str) -> Vec<Vec<Option<String>>> {
        let mut r = RowReader::new(options);
        r.push(data.as_bytes());
        let mut out = Vec::new();
        while let Some(rec) = r.next_record(true).unwrap() {
            match rec {
                Record::Row(f) => out.push(f),
                Record::End => break,
            }
        }
        out
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn text_format() {
        let r = rows(CopyOptions::default(), "1\ta\\tb\t\\N\n2\t\\\\x\t\\101\n\\.\nignored\n");
        assert_eq!(r, vec![vec![s("1"), s("a\tb"), None], vec![s("2"), s("\\x"), s("A")]]);
    }

    #[test]
    fn csv_format() {
        let o = parse("copy t from stdin csv header").unwrap().options;
        let r = rows(o, "a,b,c\n1,\"x,\"\"y\"\"\nz\",\n2,\"\",3");
        assert_eq!(r, vec![vec![s("1"), s("x,\"y\"\nz"), None], vec![s("2"), s(""), s("3")]]);
    }

    #[test]
    fn formats_rows() {
        let mut out = Vec::new();
        let o = CopyOptions::default();
        format_row(&o, &[s("a\tb"), None, s("c\\")], &[], &mut out);
        assert_eq!(out, b"a\\tb\t\\N\tc\\\\\n");
        let o = parse("copy t to stdout csv").unwrap().options;
        out.clear();
        format_row(&o, &[s("a,b"), None, s(""), s("q\"")], &[], &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "\"a,b\",,\"\",\"q\"\"\"\n");
    }
}
