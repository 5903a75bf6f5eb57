//! OTLP JSON Lines: one `ExportTraceServiceRequest` per line, as the Collector's file exporter
//! writes. Each line stands alone: a bad line is reported with its number and the others load.

use crate::ingest::error::{Located, Problem};
use crate::ingest::otlp::SpanWriter;
use crate::ingest::otlp_json::{self, Sink};

/// Reads every line, the first being line `first` of the file; only a full arena stops the
/// reading.
pub(crate) fn read(bytes: &[u8], first: u64, writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = first + index as u64;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut sink = Sink::write(writer, Some(number));
        match otlp_json::read_document(line, &mut sink) {
            Ok(()) => {}
            Err(located) if matches!(located.problem, Problem::TooLarge(_)) => return Err(located),
            Err(mut located) => {
                located.place.line = Some(number);
                writer.errors.push(located);
            }
        }
    }
    Ok(())
}
