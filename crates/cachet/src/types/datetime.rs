//! STUB (to be replaced): date and time input, output and arithmetic.
