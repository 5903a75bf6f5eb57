
ì
ê
"
telemetry.sdk.language
python
%
telemetry.sdk.name
opentelemetry
!
telemetry.sdk.version
1.45.2
=
service.instance.id&
$3b9302cf-fbf5-4b07-8cc6-378bb1be66d7

service.name
genai-otel-v2

service.version
1.4.0
$
deployment.environment.name
dev˝
)
'opentelemetry.instrumentation.openai_v2õ*=2;
9
content.
,You answer weather questions. Use the tools.2
gen_ai