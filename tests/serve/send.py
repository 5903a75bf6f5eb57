"""Sends one agent trace with an OpenInference LLM span through the OpenTelemetry Python SDK's own
OTLP exporter, as an app would: `send.py http URL` (OTLP/HTTP protobuf) or `send.py grpc HOST:PORT`;
prints the trace id and whether the export succeeded."""
import sys

from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

protocol, endpoint = sys.argv[1], sys.argv[2]
memory = InMemorySpanExporter()
provider = TracerProvider(resource=Resource.create({"service.name": "live-demo", "openinference.project.name": "live-demo"}))
provider.add_span_processor(SimpleSpanProcessor(memory))
tracer = provider.get_tracer("plume-serve-test")
with tracer.start_as_current_span("support-agent") as root:
    root.set_attribute("openinference.span.kind", "AGENT")
    with tracer.start_as_current_span("ChatCompletion") as llm:
        llm.set_attribute("openinference.span.kind", "LLM")
        llm.set_attribute("llm.model_name", "gpt-4o-mini")
        llm.set_attribute("llm.input_messages.0.message.role", "user")
        llm.set_attribute("llm.input_messages.0.message.content", "Hello from a real SDK")
        llm.set_attribute("llm.output_messages.0.message.role", "assistant")
        llm.set_attribute("llm.output_messages.0.message.content", "Hello, Plume")
        llm.set_attribute("llm.token_count.prompt", 12)
        llm.set_attribute("llm.token_count.completion", 4)
    trace_id = format(root.get_span_context().trace_id, "032x")
provider.shutdown()
if protocol == "grpc":
    exporter = GrpcExporter(endpoint=endpoint, insecure=True)
else:
    exporter = HttpExporter(endpoint=endpoint + "/v1/traces")
result = exporter.export(memory.get_finished_spans())
print(trace_id, "SUCCESS" if result == SpanExportResult.SUCCESS else "FAILURE")
