//! Servers teams keep traces in (Phoenix, Tempo, Jaeger, Zipkin), read on demand: the servers
//! connected to and the form that connects one (`connections.rs`, `connect_form.rs`), a
//! server's traces (`source_page.rs`, `remote_traces.rs`), and one of them opened
//! (`source_trace.rs`).

pub(crate) mod connect_form;
pub(crate) mod connections;
pub(crate) mod remote_traces;
pub(crate) mod source_page;
pub(crate) mod source_trace;
