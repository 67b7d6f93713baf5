//! STUB (to be replaced): session time zones.

/// A session time zone.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum TimeZone {
    #[default]
    Utc,
    /// A fixed offset in seconds east of UTC.
    Fixed(i32),
}
