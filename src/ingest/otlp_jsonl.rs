//! OTLP JSON Lines: one `ExportTraceServiceRequest` per line, as the Collector's file exporter
//! writes. Each line stands alone: a bad line is reported with its number and the others load.

use crate::ingest::error::Located;
use crate::ingest::otlp::{Origin, SpanWriter};
use crate::ingest::otlp_json;

/// Reads every line; only a full arena stops the reading.
pub(crate) fn read(bytes: &[u8], writer: &mut SpanWriter<'_>) -> Result<(), Located> {
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = index as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match otlp_json::parse(line) {
            Ok(batches) => writer.write(&batches, &Origin::line(number))?,
            Err(mut located) => {
                located.place.line = Some(number);
                writer.errors.push(located);
            }
        }
    }
    Ok(())
}
