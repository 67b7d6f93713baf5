//! The engine's one error type.
//!
//! Every failure the engine reports is an [`Error`]: a PostgreSQL SQLSTATE code
//! ([`SqlState`]), a message in PostgreSQL's wording where one exists, and optional
//! position, detail and hint fields, exactly the fields a PostgreSQL `ErrorResponse`
//! carries. Keeping one type with a SQLSTATE (rather than one enum variant per Rust
//! call site) lets every face of Cachet (the Rust API, the shell, the PostgreSQL
//! server) report errors the way PostgreSQL clients expect.
//!
//! The position is a 1-based character offset into the statement text, as in
//! PostgreSQL; [`Error::line_column`] turns it into a line and column for humans.

use std::fmt;

/// Shorthand for results of engine operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A five-character PostgreSQL SQLSTATE code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SqlState(pub &'static str);

impl SqlState {
    pub const SUCCESSFUL_COMPLETION: SqlState = SqlState("00000");
    pub const WARNING: SqlState = SqlState("01000");
    pub const FEATURE_NOT_SUPPORTED: SqlState = SqlState("0A000");
    pub const INVALID_TRANSACTION_STATE: SqlState = SqlState("25000");
    pub const ACTIVE_SQL_TRANSACTION: SqlState = SqlState("25001");
    pub const NO_ACTIVE_SQL_TRANSACTION: SqlState = SqlState("25P01");
    pub const IN_FAILED_SQL_TRANSACTION: SqlState = SqlState("25P02");
    pub const READ_ONLY_SQL_TRANSACTION: SqlState = SqlState("25006");
    pub const CARDINALITY_VIOLATION: SqlState = SqlState("21000");
    pub const DATA_EXCEPTION: SqlState = SqlState("22000");
    pub const STRING_DATA_RIGHT_TRUNCATION: SqlState = SqlState("22001");
    pub const NUMERIC_VALUE_OUT_OF_RANGE: SqlState = SqlState("22003");
    pub const NULL_VALUE_NOT_ALLOWED: SqlState = SqlState("22004");
    pub const INVALID_DATETIME_FORMAT: SqlState = SqlState("22007");
    pub const DATETIME_FIELD_OVERFLOW: SqlState = SqlState("22008");
    pub const INVALID_TIME_ZONE_DISPLACEMENT: SqlState = SqlState("22009");
    pub const INVALID_PARAMETER_VALUE: SqlState = SqlState("22023");
    pub const ARRAY_SUBSCRIPT_ERROR: SqlState = SqlState("2202E");
    pub const INVALID_ARGUMENT_FOR_LOG: SqlState = SqlState("2201E");
    pub const INVALID_ARGUMENT_FOR_POWER: SqlState = SqlState("2201F");
    pub const INVALID_ROW_COUNT_IN_LIMIT: SqlState = SqlState("2201W");
    pub const INVALID_ROW_COUNT_IN_OFFSET: SqlState = SqlState("2201X");
    pub const INVALID_REGULAR_EXPRESSION: SqlState = SqlState("2201B");
    pub const INVALID_ESCAPE_SEQUENCE: SqlState = SqlState("22025");
    pub const DIVISION_BY_ZERO: SqlState = SqlState("22012");
    pub const INVALID_TEXT_REPRESENTATION: SqlState = SqlState("22P02");
    pub const INVALID_BINARY_REPRESENTATION: SqlState = SqlState("22P03");
    pub const CHARACTER_NOT_IN_REPERTOIRE: SqlState = SqlState("22021");
    pub const UNTRANSLATABLE_CHARACTER: SqlState = SqlState("22P05");
    pub const INVALID_JSON_TEXT: SqlState = SqlState("22P02");
    pub const INTEGRITY_CONSTRAINT_VIOLATION: SqlState = SqlState("23000");
    pub const NOT_NULL_VIOLATION: SqlState = SqlState("23502");
    pub const FOREIGN_KEY_VIOLATION: SqlState = SqlState("23503");
    pub const UNIQUE_VIOLATION: SqlState = SqlState("23505");
    pub const CHECK_VIOLATION: SqlState = SqlState("23514");
    pub const RESTRICT_VIOLATION: SqlState = SqlState("23001");
    pub const INVALID_CURSOR_NAME: SqlState = SqlState("34000");
    pub const INVALID_SQL_STATEMENT_NAME: SqlState = SqlState("26000");
    pub const INVALID_AUTHORIZATION_SPECIFICATION: SqlState = SqlState("28000");
    pub const INVALID_PASSWORD: SqlState = SqlState("28P01");
    pub const SERIALIZATION_FAILURE: SqlState = SqlState("40001");
    pub const DEADLOCK_DETECTED: SqlState = SqlState("40P01");
    pub const SYNTAX_ERROR: SqlState = SqlState("42601");
    pub const INSUFFICIENT_PRIVILEGE: SqlState = SqlState("42501");
    pub const UNDEFINED_COLUMN: SqlState = SqlState("42703");
    pub const UNDEFINED_TABLE: SqlState = SqlState("42P01");
    pub const UNDEFINED_FUNCTION: SqlState = SqlState("42883");
    pub const UNDEFINED_OBJECT: SqlState = SqlState("42704");
    pub const UNDEFINED_PARAMETER: SqlState = SqlState("42P02");
    pub const DUPLICATE_TABLE: SqlState = SqlState("42P07");
    pub const DUPLICATE_COLUMN: SqlState = SqlState("42701");
    pub const DUPLICATE_OBJECT: SqlState = SqlState("42710");
    pub const DUPLICATE_ALIAS: SqlState = SqlState("42712");
    pub const AMBIGUOUS_COLUMN: SqlState = SqlState("42702");
    pub const AMBIGUOUS_FUNCTION: SqlState = SqlState("42725");
    pub const DATATYPE_MISMATCH: SqlState = SqlState("42804");
    pub const CANNOT_COERCE: SqlState = SqlState("42846");
    pub const GROUPING_ERROR: SqlState = SqlState("42803");
    pub const WINDOWING_ERROR: SqlState = SqlState("42P20");
    pub const INVALID_RECURSION: SqlState = SqlState("42P19");
    pub const INVALID_FOREIGN_KEY: SqlState = SqlState("42830");
    pub const INVALID_NAME: SqlState = SqlState("42602");
    pub const NAME_TOO_LONG: SqlState = SqlState("42622");
    pub const INVALID_COLUMN_REFERENCE: SqlState = SqlState("42P10");
    pub const INVALID_TABLE_DEFINITION: SqlState = SqlState("42P16");
    pub const INVALID_OBJECT_DEFINITION: SqlState = SqlState("42P17");
    pub const WRONG_OBJECT_TYPE: SqlState = SqlState("42809");
    pub const UNDEFINED_SCHEMA: SqlState = SqlState("3F000");
    pub const DEPENDENT_OBJECTS_STILL_EXIST: SqlState = SqlState("2BP01");
    pub const OBJECT_NOT_IN_PREREQUISITE_STATE: SqlState = SqlState("55000");
    pub const LOCK_NOT_AVAILABLE: SqlState = SqlState("55P03");
    pub const QUERY_CANCELED: SqlState = SqlState("57014");
    pub const ADMIN_SHUTDOWN: SqlState = SqlState("57P01");
    pub const OUT_OF_MEMORY: SqlState = SqlState("53200");
    pub const DISK_FULL: SqlState = SqlState("53100");
    pub const PROGRAM_LIMIT_EXCEEDED: SqlState = SqlState("54000");
    pub const STATEMENT_TOO_COMPLEX: SqlState = SqlState("54001");
    pub const TOO_MANY_CONNECTIONS: SqlState = SqlState("53300");
    pub const IO_ERROR: SqlState = SqlState("58030");
    pub const DATA_CORRUPTED: SqlState = SqlState("XX001");
    pub const INTERNAL_ERROR: SqlState = SqlState("XX000");

    /// The five-character code, e.g. `"42601"`.
    pub fn code(&self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// An error reported by the engine. Boxed inside, so `Result<T>` stays small.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    code: SqlState,
    message: String,
    /// 1-based character offset into the statement text.
    position: Option<u32>,
    /// 1-based line and column of `position`, when known.
    line_column: Option<(u32, u32)>,
    detail: Option<String>,
    hint: Option<String>,
    constraint: Option<String>,
}

impl Error {
    /// A new error with a SQLSTATE and a message.
    pub fn new(code: SqlState, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            code,
            message: message.into(),
            position: None,
            line_column: None,
            detail: None,
            hint: None,
            constraint: None,
        }))
    }

    /// The SQLSTATE.
    pub fn code(&self) -> SqlState {
        self.0.code
    }

    /// The primary message, without SQLSTATE or position.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The 1-based character offset into the statement, as PostgreSQL reports it.
    pub fn position(&self) -> Option<u32> {
        self.0.position
    }

    /// The 1-based line and column of the position, when known.
    pub fn line_column(&self) -> Option<(u32, u32)> {
        self.0.line_column
    }

    pub fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }

    pub fn hint(&self) -> Option<&str> {
        self.0.hint.as_deref()
    }

    /// The name of the violated constraint, for integrity errors.
    pub fn constraint(&self) -> Option<&str> {
        self.0.constraint.as_deref()
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.0.hint = Some(hint.into());
        self
    }

    pub fn with_constraint(mut self, name: impl Into<String>) -> Self {
        self.0.constraint = Some(name.into());
        self
    }

    /// Attaches a position given as a 1-based character offset, unless one is set.
    pub fn with_position(mut self, offset: u32) -> Self {
        if self.0.position.is_none() {
            self.0.position = Some(offset);
        }
        self
    }

    /// Attaches a position given as line and column (both 1-based) in `sql`,
    /// unless one is already set.
    pub fn with_location(mut self, sql: &str, line: u32, column: u32) -> Self {
        if self.0.position.is_none() && line > 0 && column > 0 {
            self.0.position = Some(offset_of(sql, line, column));
            self.0.line_column = Some((line, column));
        }
        self
    }

    /// Fills in the line and column from an offset-only position.
    pub fn resolve_location(mut self, sql: &str) -> Self {
        if let (Some(pos), None) = (self.0.position, self.0.line_column) {
            self.0.line_column = Some(line_column_of(sql, pos));
        }
        self
    }

    /// Whether retrying the whole transaction may succeed: serialization failures
    /// and deadlocks.
    pub fn is_retryable(&self) -> bool {
        self.0.code == SqlState::SERIALIZATION_FAILURE || self.0.code == SqlState::DEADLOCK_DETECTED
    }

    // Constructors for the most common kinds.

    pub fn syntax(message: impl Into<String>) -> Self {
        Error::new(SqlState::SYNTAX_ERROR, message)
    }

    pub fn unsupported(what: impl Into<String>) -> Self {
        Error::new(SqlState::FEATURE_NOT_SUPPORTED, what)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(SqlState::INTERNAL_ERROR, message)
    }

    pub fn out_of_range(message: impl Into<String>) -> Self {
        Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, message)
    }

    pub fn invalid_text(type_name: &str, input: &str) -> Self {
        Error::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type {type_name}: \"{input}\""),
        )
    }

    pub fn io(message: impl Into<String>) -> Self {
        Error::new(SqlState::IO_ERROR, message)
    }
}

/// Converts a 1-based line and column into a 1-based character offset.
fn offset_of(sql: &str, line: u32, column: u32) -> u32 {
    let mut offset = 0u32;
    for (i, l) in sql.split('\n').enumerate() {
        if i + 1 == line as usize {
            return offset + column;
        }
        offset += l.chars().count() as u32 + 1;
    }
    offset + column
}

/// Converts a 1-based character offset into a 1-based line and column.
fn line_column_of(sql: &str, offset: u32) -> (u32, u32) {
    let (mut line, mut column) = (1u32, 1u32);
    for (i, c) in sql.chars().enumerate() {
        if i as u32 + 1 >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (SQLSTATE {})", self.0.message, self.0.code)?;
        if let Some((line, column)) = self.0.line_column {
            write!(f, " at line {line}, column {column}")?;
        } else if let Some(pos) = self.0.position {
            write!(f, " at character {pos}")?;
        }
        if let Some(detail) = &self.0.detail {
            write!(f, "\nDETAIL: {detail}")?;
        }
        if let Some(hint) = &self.0.hint {
            write!(f, "\nHINT: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.raw_os_error() == Some(28) {
            return Error::new(SqlState::DISK_FULL, format!("could not write: {e}"));
        }
        Error::io(e.to_string())
    }
}

/// Returns early with an error built from a SQLSTATE and a format string.
#[macro_export]
macro_rules! bail {
    ($code:expr, $($arg:tt)*) => {
        return Err($crate::Error::new($code, format!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip() {
        let sql = "SELECT 1,\n  x FROM t";
        let e = Error::syntax("boom").with_location(sql, 2, 3);
        assert_eq!(e.position(), Some(13));
        assert_eq!(line_column_of(sql, 13), (2, 3));
        assert!(e.to_string().contains("at line 2, column 3"));
    }
}
