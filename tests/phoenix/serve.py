"""Phoenix for Plume's sending test: the real server, listening on loopback only.

Phoenix 20.26 binds its OTLP gRPC server on every interface whatever PHOENIX_HOST says, so it is
constructed disabled here; the HTTP server (UI, REST API, OTLP/HTTP /v1/traces) follows
PHOENIX_HOST and PHOENIX_PORT, which the caller sets to 127.0.0.1 and a free port, with
PHOENIX_WORKING_DIR a fresh directory and PHOENIX_ALLOWED_ORIGINS the viewer's origin.
"""

import functools
import sys

from phoenix.server import grpc_server

_init = grpc_server.GrpcServer.__init__


@functools.wraps(_init)
def _disabled_init(self, *args, **kwargs):
    kwargs["disabled"] = True
    _init(self, *args, **kwargs)


grpc_server.GrpcServer.__init__ = _disabled_init

from phoenix.server.main import main  # noqa: E402  (after the patch, on purpose)

sys.argv = ["phoenix", "serve"]
main()
