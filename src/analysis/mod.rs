//! Trace assembly and what is computed from it.
