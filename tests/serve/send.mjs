// Sends one agent trace with an OpenInference LLM span through the OpenTelemetry JS SDK
// (`@opentelemetry/sdk-trace-node`) and its OTLP/HTTP protobuf exporter, as a Node app would:
// `node send.mjs URL`; prints the trace id and whether the export succeeded.
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';

const endpoint = process.argv[2];
const memory = new InMemorySpanExporter();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'live-demo-node', 'openinference.project.name': 'live-demo' }),
  spanProcessors: [new SimpleSpanProcessor(memory)],
});
// As an app does: the context manager that makes a span opened inside another its child.
provider.register();
const tracer = provider.getTracer('plume-serve-test');
let traceId;
tracer.startActiveSpan('support-agent', (root) => {
  root.setAttribute('openinference.span.kind', 'AGENT');
  traceId = root.spanContext().traceId;
  tracer.startActiveSpan('ChatCompletion', (llm) => {
    llm.setAttributes({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'Hello from the Node SDK',
      'llm.token_count.prompt': 9,
    });
    llm.end();
  });
  root.end();
});
await provider.forceFlush();
const exporter = new OTLPTraceExporter({ url: `${endpoint}/v1/traces` });
const result = await new Promise((resolve) => exporter.export(memory.getFinishedSpans(), resolve));
await exporter.shutdown();
console.log(traceId, result.code === 0 ? 'SUCCESS' : `FAILURE ${result.error}`);
