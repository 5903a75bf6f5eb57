//! What spans mean, whichever convention wrote them: OpenInference, the OpenTelemetry GenAI
//! conventions (all three generations), OpenLLMetry, the Vercel AI SDK, Pydantic AI, LangSmith
//! and Langfuse.
//!
//! - [`read_span`] runs once per span as it is stored: its kind in OpenInference's terms and
//!   the [`Call`](crate::model::Call) it records (tokens, models, provider, a recorded cost),
//!   kept in the arena so that counting and pricing never read attributes again.
//! - [`describe`] reads one span on demand into a [`Meaning`]: its messages and their parts
//!   (text, images and other media, tool calls, tool results), system instructions, tools
//!   offered, parameters, documents, a tool's run — from its attributes, its events and the log
//!   records about it.
//! - [`Prices`] and [`call_cost`]: what a call cost, recorded or estimated from the price
//!   table, and [`CostTotal`], sums that say how many calls had no price.
//!
//! A key no convention here defines is never an error and never dropped: it stays in the
//! span's attributes, shown raw.

mod cost;
mod describe;
mod facts;
pub mod meaning;
mod messages;
mod openinference;
pub mod prices;

pub use cost::{CallCost, CallPricer, CostSource, CostTotal, ModelCalls, call_cost, models_cost};
pub use describe::{describe, logs_of};
pub use facts::{read_span, session_of};
pub use meaning::Meaning;
pub use prices::{PriceFile, Prices};
