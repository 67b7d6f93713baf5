//! The harness's error: a message, and whether retrying the operation may succeed
//! (a SQLite writer that found the database busy, a Cachet serialization failure).

use std::fmt;

#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub retryable: bool,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error { message: message.into(), retryable: false }
    }

    /// Adds what was being done to the message.
    pub fn context(self, what: impl fmt::Display) -> Error {
        Error { message: format!("{what}: {}", self.message), retryable: self.retryable }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<cachet::Error> for Error {
    fn from(e: cachet::Error) -> Error {
        Error { retryable: e.is_retryable(), message: format!("cachet: {e}") }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        let retryable = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        Error { retryable, message: format!("sqlite: {e}") }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::new(format!("i/o: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::new(format!("json: {e}"))
    }
}
