//! Engine errors and notices as protocol messages.

use cachet::Error;
use pgwire::messages::response::{ErrorResponse, NoticeResponse};
use pgwire::messages::PgWireBackendMessage;

/// Severity of an error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    /// The connection ends after the message.
    Fatal,
}

/// An `ErrorResponse` for an engine error. `offset` is added to the position, for
/// statements that were part of a longer query string.
pub fn error_response(e: &Error, severity: Severity, offset: usize, context: Option<&str>) -> PgWireBackendMessage {
    let sev = match severity {
        Severity::Error => "ERROR",
        Severity::Fatal => "FATAL",
    };
    let mut fields = vec![(b'S', sev.to_string()), (b'V', sev.to_string()), (b'C', e.code().code().to_string())];
    fields.push((b'M', e.message().to_string()));
    if let Some(d) = e.detail() {
        fields.push((b'D', d.to_string()));
    }
    if let Some(h) = e.hint() {
        fields.push((b'H', h.to_string()));
    }
    if let Some(p) = e.position() {
        fields.push((b'P', (p as usize + offset).to_string()));
    }
    if let Some(c) = context {
        fields.push((b'W', c.to_string()));
    }
    if let Some(c) = e.constraint() {
        fields.push((b'n', c.to_string()));
    }
    PgWireBackendMessage::ErrorResponse(ErrorResponse::new(fields))
}

/// A `NoticeResponse`. The engine's notices are plain text; the ones PostgreSQL
/// raises as warnings keep that severity and their SQLSTATE.
pub fn notice_response(text: &str) -> PgWireBackendMessage {
    let (severity, code) = match text {
        "there is no transaction in progress" => ("WARNING", "25P01"),
        "there is already a transaction in progress" => ("WARNING", "25001"),
        "SET TRANSACTION can only be used in transaction blocks" => ("WARNING", "25P01"),
        _ => ("NOTICE", "00000"),
    };
    let fields = vec![
        (b'S', severity.to_string()),
        (b'V', severity.to_string()),
        (b'C', code.to_string()),
        (b'M', text.to_string()),
    ];
    PgWireBackendMessage::NoticeResponse(NoticeResponse::new(fields))
}

/// A protocol-level error (bad message sequence, unknown statement name).
pub fn protocol_error(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(cachet::SqlState(code), message)
}
