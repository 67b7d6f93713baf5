//! STUB (to be replaced): numeric helpers.
