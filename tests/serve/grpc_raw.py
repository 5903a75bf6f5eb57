"""Calls OTLP/gRPC's TraceService/Export with raw bytes, as any gRPC client can:
`grpc_raw.py HOST:PORT HEX [TOKEN]`; prints the status code's name and its details."""
import sys

import grpc

target, body = sys.argv[1], bytes.fromhex(sys.argv[2])
metadata = [("authorization", f"Bearer {sys.argv[3]}")] if len(sys.argv) > 3 else []
with grpc.insecure_channel(target) as channel:
    export = channel.unary_unary(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
        request_serializer=lambda raw: raw,
        response_deserializer=lambda raw: raw,
    )
    try:
        export(body, metadata=metadata, timeout=10)
        print("OK")
    except grpc.RpcError as error:
        print(error.code().name, error.details())
