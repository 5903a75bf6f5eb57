"""Sends one trace the way Phoenix's users set up tracing: `phoenix.otel.register(endpoint=…)`
(arize-phoenix-otel, spans exported as they end); prints the trace id."""
import sys

from phoenix.otel import register

tracer_provider = register(
    endpoint=sys.argv[1] + "/v1/traces",
    project_name="phoenix-register-demo",
    batch=False,
    verbose=False,
)
tracer = tracer_provider.get_tracer("plume-serve-test")
with tracer.start_as_current_span("answer-question") as chain:
    chain.set_attribute("openinference.span.kind", "CHAIN")
    with tracer.start_as_current_span("ChatCompletion") as llm:
        llm.set_attribute("openinference.span.kind", "LLM")
        llm.set_attribute("llm.model_name", "gpt-4o-mini")
        llm.set_attribute("llm.input_messages.0.message.role", "user")
        llm.set_attribute("llm.input_messages.0.message.content", "Hello from phoenix.otel.register")
    trace_id = format(chain.get_span_context().trace_id, "032x")
tracer_provider.shutdown()
print(trace_id)
