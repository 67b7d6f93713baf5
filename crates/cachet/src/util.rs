//! Small shared helpers.

/// Runs `f`, first growing the stack if less than 128 KiB of it is left. Recursive
/// walks over expressions call this, so that deeply nested (or long left-deep) SQL
/// expressions cannot overflow the stack of whatever thread runs the engine.
#[inline]
pub fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, f)
}
