//! OTLP/gRPC: `TraceService/Export` and `LogsService/Export`, answered by the same
//! [`receive`](super::receive) and kept the same way as OTLP/HTTP. Messages stay bytes (a codec
//! that does not decode), so one reader serves both transports and no generated service code
//! (nor the OpenTelemetry SDK's logs code that `opentelemetry-proto`'s logs service brings) is
//! built. Status codes as the OTLP specification maps them: `INVALID_ARGUMENT` for what does not
//! read, `UNAVAILABLE` (retryable) when busy or the disk fails, `UNAUTHENTICATED` without the
//! token.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Bytes;
use tonic::body::Body;
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::{Service, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Code, Status};

use crate::serve::disk::Signal;
use crate::serve::http::{Shared, UNAUTHORIZED, authorized, keep};

/// The gRPC routes.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    tonic::service::Routes::new(Exporter::<Traces>::new(shared.clone()))
        .add_service(Exporter::<Logs>::new(shared))
        .into_axum_router()
}

/// Which service: its name and signal.
trait Kind: Send + Sync + 'static {
    const NAME: &'static str;
    const SIGNAL: Signal;
}

struct Traces;
impl Kind for Traces {
    const NAME: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
    const SIGNAL: Signal = Signal::Traces;
}

struct Logs;
impl Kind for Logs {
    const NAME: &'static str = "opentelemetry.proto.collector.logs.v1.LogsService";
    const SIGNAL: Signal = Signal::Logs;
}

/// One OTLP export service.
struct Exporter<K> {
    shared: Arc<Shared>,
    kind: std::marker::PhantomData<K>,
}

impl<K> Exporter<K> {
    fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            kind: std::marker::PhantomData,
        }
    }
}

impl<K> Clone for Exporter<K> {
    fn clone(&self) -> Self {
        Self::new(self.shared.clone())
    }
}

impl<K: Kind> NamedService for Exporter<K> {
    const NAME: &'static str = K::NAME;
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<K: Kind, B> Service<http::Request<B>> for Exporter<K>
where
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<tonic::codegen::StdError> + Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> BoxFuture<Self::Response, Infallible> {
        let export = format!("/{}/Export", K::NAME);
        if request.uri().path() != export {
            return Box::pin(async { Ok(Status::unimplemented("only Export").into_http()) });
        }
        let call = Export::<K>(self.clone());
        Box::pin(async move {
            let mut grpc = Grpc::new(Raw).accept_compressed(CompressionEncoding::Gzip);
            Ok(grpc.unary(call, request).await)
        })
    }
}

/// The `Export` method of one service.
struct Export<K>(Exporter<K>);

impl<K: Kind> UnaryService<Vec<u8>> for Export<K> {
    type Response = Vec<u8>;
    type Future = BoxFuture<tonic::Response<Vec<u8>>, Status>;

    fn call(&mut self, request: tonic::Request<Vec<u8>>) -> Self::Future {
        let shared = self.0.shared.clone();
        Box::pin(async move {
            let given = request
                .metadata()
                .get("authorization")
                .and_then(|v| v.to_str().ok());
            if !authorized(shared.token.as_deref(), given) {
                return Err(Status::unauthenticated(UNAUTHORIZED));
            }
            let body = Bytes::from(request.into_inner());
            let protobuf = Some("application/x-protobuf".to_owned());
            let receipt = keep(&shared, K::SIGNAL, protobuf, None, body)
                .await
                .map_err(Status::unavailable)?;
            match receipt.refusal {
                None => Ok(tonic::Response::new(receipt.reply.body)),
                Some(why) => Err(Status::new(
                    match receipt.reply.status {
                        413 => Code::ResourceExhausted,
                        _ => Code::InvalidArgument,
                    },
                    why,
                )),
            }
        })
    }
}

/// Messages as their bytes: [`receive`](super::receive) reads them as it reads an HTTP body.
#[derive(Clone, Copy, Default)]
struct Raw;

impl Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Raw;
    type Decoder = Raw;

    fn encoder(&mut self) -> Raw {
        Raw
    }

    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buffer: &mut EncodeBuf<'_>) -> Result<(), Status> {
        use bytes::BufMut;
        buffer.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, buffer: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        use bytes::Buf;
        let mut message = vec![0; buffer.remaining()];
        buffer.copy_to_slice(&mut message);
        Ok(Some(message))
    }
}
