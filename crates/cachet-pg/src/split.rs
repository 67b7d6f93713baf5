//! Splitting a simple-query string into statements.
//!
//! A `Query` message may hold several statements. The server runs them one by one
//! (so that each gets its own result messages and an error stops the rest), which
//! needs each statement's text and its offset in the whole string: error positions
//! are reported relative to the whole query, as PostgreSQL does. The splitter knows
//! just enough lexical structure to find top-level semicolons: quoted strings
//! (including `E'...'` escapes), quoted identifiers, dollar quotes, and line and
//! nested block comments.

/// One statement of a query string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece<'a> {
    /// The statement text, trimmed, without the terminating semicolon.
    pub text: &'a str,
    /// The character offset of `text` in the whole query (0-based).
    pub char_offset: usize,
    /// Whether the text has anything but whitespace and comments.
    pub empty: bool,
}

/// Splits `sql` at top-level semicolons.
pub fn split<'a>(sql: &'a str) -> Vec<Piece<'a>> {
    let bytes = sql.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut significant = false;
    let push = |start: usize, end: usize, significant: bool, pieces: &mut Vec<Piece<'a>>| {
        let raw = &sql[start..end];
        let trimmed_start = raw.len() - raw.trim_start().len();
        let text = raw.trim();
        let byte = start + trimmed_start;
        pieces.push(Piece { text, char_offset: sql[..byte].chars().count(), empty: !significant });
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b';' => {
                push(start, i, significant, &mut pieces);
                significant = false;
                i += 1;
                start = i;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'\'' => {
                significant = true;
                let escapes = i > 0 && matches!(bytes[i - 1], b'e' | b'E') && !is_ident_byte(bytes, i.wrapping_sub(2));
                i += 1;
                while i < bytes.len() {
                    if escapes && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            b'"' => {
                significant = true;
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'"' {
                        if bytes.get(i + 1) == Some(&b'"') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            b'$' if !is_ident_byte(bytes, i.wrapping_sub(1)) => {
                significant = true;
                // A dollar quote: $tag$ ... $tag$, where tag is empty or an identifier.
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] >= 0x80) {
                    j += 1;
                }
                let tag_ok = j < bytes.len() && bytes[j] == b'$' && (j == i + 1 || !bytes[i + 1].is_ascii_digit());
                if tag_ok {
                    let tag = &sql[i..=j];
                    match sql[j + 1..].find(tag) {
                        Some(end) => i = j + 1 + end + tag.len(),
                        None => i = bytes.len(),
                    }
                    continue;
                }
                i += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => significant = true,
        }
        i += 1;
    }
    if start < bytes.len() || pieces.is_empty() {
        push(start, bytes.len(), significant, &mut pieces);
    }
    pieces
}

fn is_ident_byte(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80)
}

/// The first `n` words of a statement, lower-cased, skipping comments.
pub fn first_words(text: &str, n: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = text;
    while words.len() < n {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, r)| r);
            continue;
        }
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, r)| r);
            continue;
        }
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        words.push(rest[..end].to_lowercase());
        rest = &rest[end..];
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).into_iter().filter(|p| !p.empty).map(|p| p.text).collect()
    }

    #[test]
    fn splits_at_top_level_semicolons() {
        assert_eq!(texts("select 1; select 2"), ["select 1", "select 2"]);
        assert_eq!(texts("select ';'; select \"a;b\""), ["select ';'", "select \"a;b\""]);
        assert_eq!(texts("select $$a;b$$; select $x$;$x$"), ["select $$a;b$$", "select $x$;$x$"]);
        assert_eq!(texts("select E'\\';'; select 2"), ["select E'\\';'", "select 2"]);
        assert_eq!(
            texts("select 1 -- x;y\n; select /* a; /* b; */ c; */ 2"),
            ["select 1 -- x;y", "select /* a; /* b; */ c; */ 2"]
        );
        assert_eq!(texts("select $1; select 'it''s;'"), ["select $1", "select 'it''s;'"]);
    }

    #[test]
    fn empty_statements() {
        assert!(split("").iter().all(|p| p.empty));
        assert!(split(" ; -- nothing\n;").iter().all(|p| p.empty));
    }

    #[test]
    fn offsets_are_characters() {
        let p = split("select 'é'; select 2");
        assert_eq!(p[1].char_offset, 12);
        assert_eq!(first_words("/* c */ CREATE  user bob", 2), ["create", "user"]);
    }
}
