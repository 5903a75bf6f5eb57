"""An app running while the page watches: the OpenTelemetry Python SDK with its batch span processor
and OTLP/HTTP exporter, as an app is set up, sending to `plume serve` as spans end.

`live.py URL TOKEN`, then lines on stdin:
- at the start it ends the LLM call inside a still-open agent span and flushes: prints
  `children TRACE_ID LLM_SPAN_ID` (the agent span, the root, has not been sent: it has not ended);
- `end` ends the root and flushes: prints `root`;
- `more` sends one more whole trace: prints `more TRACE_ID`.
"""
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

url, token = sys.argv[1], sys.argv[2]
exporter = OTLPSpanExporter(endpoint=url + "/v1/traces", headers={"authorization": "Bearer " + token})
provider = TracerProvider(resource=Resource.create({"service.name": "live-demo", "openinference.project.name": "live-demo"}))
provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=100))
tracer = provider.get_tracer("plume-live-test")


def say(*words):
    print(*words, flush=True)


root = tracer.start_span("support-agent", attributes={"openinference.span.kind": "AGENT"})
with tracer.start_as_current_span("ChatCompletion", context=trace.set_span_in_context(root)) as llm:
    llm.set_attribute("openinference.span.kind", "LLM")
    llm.set_attribute("llm.model_name", "gpt-4o-mini")
    llm.set_attribute("llm.input_messages.0.message.role", "user")
    llm.set_attribute("llm.input_messages.0.message.content", "Is my order late?")
    llm.set_attribute("llm.output_messages.0.message.role", "assistant")
    llm.set_attribute("llm.output_messages.0.message.content", "Let me check.")
    llm_id = format(llm.get_span_context().span_id, "016x")
trace_id = format(root.get_span_context().trace_id, "032x")
provider.force_flush()
say("children", trace_id, llm_id)

for line in sys.stdin:
    command = line.strip()
    if command == "end":
        root.end()
        provider.force_flush()
        say("root")
    elif command == "more":
        with tracer.start_as_current_span("follow-up", attributes={"openinference.span.kind": "CHAIN"}) as more:
            more_id = format(more.get_span_context().trace_id, "032x")
        provider.force_flush()
        say("more", more_id)
provider.shutdown()
