//! `plume serve`'s parts that need no network: what an OTLP export request comes to
//! ([`receive`]) and the folder what was received is kept in ([`disk`]). Native only.

pub mod disk;
pub mod receive;
