//! When a connection is idle: the calls in progress on it, counted by a tower layer around
//! every service, and the deadline after which a connection with none is closed.
//!
//! HTTP/2 keepalive pings only detect a dead peer: a live client that answers them holds
//! its connection for ever without calling anything. So the server closes a connection
//! that starts no call within `first_call_timeout` of its handshake (a silent client,
//! before or after the HTTP/2 preface), or has none in progress for `idle_timeout`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::BodyExt;
use tokio::time::Instant;
use tonic::codegen::{Body, Bytes, Service, http};

use super::ConnectionInfo;

/// How long a connection may go without a call.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timeouts {
    pub first_call: Duration,
    pub idle: Duration,
}

const NO_CALL_ENDED: u64 = u64::MAX;

/// The calls in progress on one connection, and when the last one ended.
#[derive(Debug)]
pub(super) struct Calls {
    opened: Instant,
    in_progress: AtomicUsize,
    /// Milliseconds from `opened` to the end of the last call.
    last_ended_ms: AtomicU64,
}

impl Calls {
    pub fn new() -> Self {
        Calls {
            opened: Instant::now(),
            in_progress: AtomicUsize::new(0),
            last_ended_ms: AtomicU64::new(NO_CALL_ENDED),
        }
    }

    fn start(self: &Arc<Self>) -> CallInProgress {
        self.in_progress.fetch_add(1, Ordering::SeqCst);
        CallInProgress(self.clone())
    }

    /// When the connection is to be closed if no call starts before; `None` while a call
    /// is in progress.
    pub fn idle_deadline(&self, timeouts: Timeouts) -> Option<Instant> {
        if self.in_progress.load(Ordering::SeqCst) > 0 {
            return None;
        }
        Some(match self.last_ended_ms.load(Ordering::SeqCst) {
            NO_CALL_ENDED => self.opened + timeouts.first_call,
            ms => self.opened + Duration::from_millis(ms) + timeouts.idle,
        })
    }
}

/// Counts as a call in progress until dropped (when the response has been sent, or the
/// call is cancelled).
struct CallInProgress(Arc<Calls>);

impl Drop for CallInProgress {
    fn drop(&mut self) {
        let ms = self
            .0
            .opened
            .elapsed()
            .as_millis()
            .try_into()
            .unwrap_or(NO_CALL_ENDED - 1);
        // The end time first: a reader that sees no call in progress sees it.
        self.0.last_ended_ms.store(ms, Ordering::SeqCst);
        self.0.in_progress.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The tower layer that counts each request as a call of its connection until its
/// response body is finished or dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrackCalls;

impl<S> tower_layer::Layer<S> for TrackCalls {
    type Service = Tracked<S>;

    fn layer(&self, inner: S) -> Tracked<S> {
        Tracked(inner)
    }
}

#[derive(Debug, Clone)]
pub struct Tracked<S>(S);

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B, R> Service<http::Request<B>> for Tracked<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Body<Data = Bytes> + Send + 'static,
    R::Error: Into<tonic::codegen::StdError>,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Self::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let call = request
            .extensions()
            .get::<ConnectionInfo>()
            .map(|info| info.calls.start());
        let response = self.0.call(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| {
                // The body owns the call: it ends when the body is sent or dropped.
                tonic::body::Body::new(body.map_frame(move |frame| {
                    let _in_progress = &call;
                    frame
                }))
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_is_idle_from_its_handshake_and_from_its_last_call() {
        let timeouts = Timeouts {
            first_call: Duration::from_secs(10),
            idle: Duration::from_secs(120),
        };
        let calls = Arc::new(Calls::new());
        assert_eq!(calls.idle_deadline(timeouts), Some(calls.opened + timeouts.first_call));
        let first = calls.start();
        let second = calls.start();
        drop(first);
        assert_eq!(calls.idle_deadline(timeouts), None, "one call still in progress");
        let before_end = Instant::now();
        drop(second);
        let deadline = calls.idle_deadline(timeouts).expect("no call in progress");
        assert!(deadline + Duration::from_millis(1) >= before_end + timeouts.idle);
        assert!(deadline <= Instant::now() + timeouts.idle);
    }
}
