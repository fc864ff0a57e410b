//! The server's side of connections: the accept loop (TLS handshakes off the loop, bounded
//! in number and time), the slot each established connection holds, and the connection
//! itself, which closes when idle or when the node force-closes it.
//!
//! Slots: `max_connections` in all, `operator_connections` of them kept for our own
//! operators, and at most `connections_per_identity` for any other identity (an agency's
//! node, an agency's operators, or a certificate naming no one). The identity is read from
//! the certificate at the handshake; a connection over its limits is closed at once. So a
//! partner, however many connections it opens, can neither lock our operators out nor
//! take every slot from the other agencies.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::server::Acceptor;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::AbortHandle;
use tokio::time::Sleep;
use tokio_rustls::LazyConfigAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use super::idle::{Calls, Timeouts};
use super::{Caller, ConnectionInfo, HANDSHAKE_TIMEOUT, PeerIdentity, Role, peer_identity};
use crate::config::Config;

const MAX_PENDING_HANDSHAKES: usize = 128;

/// The `[limits]` on connections, and whose operators the reserved slots are for.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub our_agency: String,
    pub max_connections: usize,
    pub operator_connections: usize,
    pub connections_per_identity: usize,
    pub first_call_timeout: Duration,
    pub idle_timeout: Duration,
}

impl ConnectionLimits {
    pub fn of(config: &Config) -> Self {
        let limits = &config.limits;
        ConnectionLimits {
            our_agency: config.agency.clone(),
            max_connections: limits.max_connections,
            operator_connections: limits.operator_connections,
            connections_per_identity: limits.connections_per_identity,
            first_call_timeout: limits.first_call_timeout,
            idle_timeout: limits.idle_timeout,
        }
    }

    fn timeouts(&self) -> Timeouts {
        Timeouts {
            first_call: self.first_call_timeout,
            idle: self.idle_timeout,
        }
    }
}

/// Accepted TLS connections, handshakes done off the accept loop and bounded in number
/// and time, so a slow or silent client cannot stall others.
/// `close_all` force-closes every connection accepted here, even one in the middle of a
/// call (a shutdown that has waited long enough for calls to finish).
pub fn incoming(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    limits: ConnectionLimits,
    cancel: CancellationToken,
    close_all: CancellationToken,
) -> ReceiverStream<std::io::Result<Connection>> {
    let (accepted, stream) = mpsc::channel(MAX_PENDING_HANDSHAKES);
    let slots = Arc::new(Slots::new(&limits));
    tokio::spawn(async move {
        let mut pending = PendingHandshakes::default();
        loop {
            let (tcp, peer) = tokio::select! {
                _ = cancel.cancelled() => return,
                accepted = listener.accept() => match accepted {
                    Ok(connection) => connection,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            pending.make_room();
            let (config, hello) = (config.clone(), Arc::new(AtomicU8::new(NOT_LOOKED_AT)));
            let said_hello = hello.clone();
            let handshake = tokio::spawn(async move {
                let _ = tcp.set_nodelay(true);
                said_hello.store(SILENT, Ordering::SeqCst);
                let accept = async {
                    let start = LazyConfigAcceptor::new(Acceptor::default(), tcp).await?;
                    said_hello.store(SAID_HELLO, Ordering::SeqCst);
                    start.into_stream(config).await
                };
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, accept).await {
                    Ok(Ok(tls)) => Some(tls),
                    Ok(Err(e)) => {
                        tracing::info!(%peer, error = %e, "TLS handshake refused");
                        None
                    }
                    Err(_) => {
                        tracing::info!(%peer, "TLS handshake timed out");
                        None
                    }
                }
            });
            pending.push(handshake.abort_handle(), hello);
            // Let the handshake look for its hello before the next accept: under a flood the
            // loop would otherwise accept (and evict) many times before it ever ran.
            tokio::task::yield_now().await;
            // Handing over is outside the abortable part: a finished handshake is kept.
            let (accepted, slots, limits) = (accepted.clone(), slots.clone(), limits.clone());
            let closed = Box::pin(close_all.clone().cancelled_owned());
            tokio::spawn(async move {
                let Ok(Some(tls)) = handshake.await else {
                    return;
                };
                let identity = peer_identity(&tls);
                match slots.take(&identity) {
                    Ok(slot) => {
                        let connection = Connection::new(tls, identity, slot, closed, limits.timeouts());
                        let _ = accepted.send(Ok(connection)).await;
                    }
                    Err(full) => {
                        let caller = identity.as_ref().map_or("unidentified".to_string(), Caller::to_string);
                        tracing::info!(%peer, %caller, "connection closed after its handshake: {full}");
                    }
                }
            });
        }
    });
    ReceiverStream::new(stream)
}

/// Where a pending handshake stands: its task has not run yet, it has looked for the
/// client's hello and found none yet, or the hello has come.
const NOT_LOOKED_AT: u8 = 0;
const SILENT: u8 = 1;
const SAID_HELLO: u8 = 2;

/// Handshakes in progress, oldest first, and where each stands.
#[derive(Default)]
struct PendingHandshakes(VecDeque<(AbortHandle, Arc<AtomicU8>)>);

impl PendingHandshakes {
    /// When there are too many, one gives way: the oldest of those whose client was
    /// found silent, else the oldest not looked at yet (a busy node may not have run its
    /// task), else the oldest. Real clients send their hello at once, so silent
    /// connections, however many and however fast they are reopened, only evict each
    /// other; and a real handshake takes milliseconds, so it would have to be outrun by a
    /// full queue of newer hellos.
    fn make_room(&mut self) {
        self.0.retain(|(handshake, _)| !handshake.is_finished());
        if self.0.len() < MAX_PENDING_HANDSHAKES {
            return;
        }
        let oldest = |state: u8| self.0.iter().position(|(_, s)| s.load(Ordering::SeqCst) == state);
        let victim = oldest(SILENT).or_else(|| oldest(NOT_LOOKED_AT)).unwrap_or(0);
        if let Some((handshake, _)) = self.0.remove(victim) {
            handshake.abort();
        }
    }

    fn push(&mut self, handshake: AbortHandle, hello: Arc<AtomicU8>) {
        self.0.push_back((handshake, hello));
    }
}

/// The open connections' slots.
struct Slots {
    our_agency: String,
    per_identity: usize,
    /// Slots any caller may take.
    shared: Arc<Semaphore>,
    /// Slots only our own operators may take, once the shared ones are all taken.
    operators: Arc<Semaphore>,
    /// Connections held per identity (`None`: certificates naming no identity).
    held: Arc<Mutex<HashMap<Option<Caller>, usize>>>,
}

/// One open connection's place in [`Slots`], given back when dropped.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    _counted: Option<IdentityCount>,
}

/// One connection counted against its identity's limit.
struct IdentityCount {
    identity: Option<Caller>,
    held: Arc<Mutex<HashMap<Option<Caller>, usize>>>,
}

impl Drop for IdentityCount {
    fn drop(&mut self) {
        let mut held = self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = held.get_mut(&self.identity) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.identity);
            }
        }
    }
}

impl Slots {
    fn new(limits: &ConnectionLimits) -> Self {
        let shared = limits.max_connections.saturating_sub(limits.operator_connections);
        Slots {
            our_agency: limits.our_agency.clone(),
            per_identity: limits.connections_per_identity,
            shared: Arc::new(Semaphore::new(shared)),
            operators: Arc::new(Semaphore::new(limits.operator_connections)),
            held: Default::default(),
        }
    }

    /// A slot for a connection of `identity`, or why there is none.
    fn take(&self, identity: &PeerIdentity) -> Result<Slot, &'static str> {
        if let Ok(caller) = identity
            && caller.role == Role::Operator
            && caller.agency == self.our_agency
        {
            let permit = self
                .shared
                .clone()
                .try_acquire_owned()
                .or_else(|_| self.operators.clone().try_acquire_owned())
                .map_err(|_| "every connection slot is taken")?;
            return Ok(Slot {
                _permit: permit,
                _counted: None,
            });
        }
        let counted = self.count(identity.as_ref().ok().cloned())?;
        let permit = self
            .shared
            .clone()
            .try_acquire_owned()
            .map_err(|_| "every connection slot open to other callers is taken")?;
        Ok(Slot {
            _permit: permit,
            _counted: Some(counted),
        })
    }

    fn count(&self, identity: Option<Caller>) -> Result<IdentityCount, &'static str> {
        let mut held = self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = held.entry(identity.clone()).or_default();
        if *count >= self.per_identity {
            return Err("this identity holds limits.connections_per_identity connections already");
        }
        *count += 1;
        Ok(IdentityCount {
            identity,
            held: self.held.clone(),
        })
    }
}

/// An accepted TLS connection; it holds its [`Slot`] until dropped.
pub struct Connection {
    tls: TlsStream<TcpStream>,
    info: ConnectionInfo,
    timeouts: Timeouts,
    /// Fires at the idle deadline as last computed; checked again when it does.
    idle: Pin<Box<Sleep>>,
    /// Ready once the server force-closes its connections: reads and writes then fail.
    closed: Pin<Box<WaitForCancellationFutureOwned>>,
    _slot: Slot,
}

impl Connection {
    fn new(
        tls: TlsStream<TcpStream>,
        identity: PeerIdentity,
        slot: Slot,
        closed: Pin<Box<WaitForCancellationFutureOwned>>,
        timeouts: Timeouts,
    ) -> Self {
        let calls = Arc::new(Calls::new());
        let first_deadline = tokio::time::Instant::now() + timeouts.first_call;
        Connection {
            tls,
            info: ConnectionInfo { identity, calls },
            timeouts,
            idle: Box::pin(tokio::time::sleep_until(first_deadline)),
            closed,
            _slot: slot,
        }
    }

    /// Fails the I/O once the connection is force-closed; registers the waker meanwhile,
    /// so an idle connection wakes up to close too.
    fn check_open(&mut self, cx: &mut Context<'_>) -> std::io::Result<()> {
        match self.closed.as_mut().poll(cx) {
            Poll::Ready(()) => Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "the node is shutting down",
            )),
            Poll::Pending => Ok(()),
        }
    }

    /// Whether the connection has gone without a call past its deadline; registers the
    /// waker for the deadline meanwhile (HTTP/2 always has a read pending).
    fn is_idle_past_deadline(&mut self, cx: &mut Context<'_>) -> bool {
        while self.idle.as_mut().poll(cx).is_ready() {
            let now = tokio::time::Instant::now();
            match self.info.calls.idle_deadline(self.timeouts) {
                Some(deadline) if deadline <= now => return true,
                Some(deadline) => self.idle.as_mut().reset(deadline),
                // A call in progress: look again later (its end moves the deadline).
                None => self.idle.as_mut().reset(now + self.timeouts.idle),
            }
        }
        false
    }
}

/// tonic puts it in every request's extensions, where [`super::caller`] finds it.
impl tonic::transport::server::Connected for Connection {
    type ConnectInfo = ConnectionInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.info.clone()
    }
}

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        self.check_open(cx)?;
        if self.is_idle_past_deadline(cx) {
            // End of stream: the server closes the connection as if the client had, with
            // no call to cut short.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.tls).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.check_open(cx)?;
        Pin::new(&mut self.tls).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.check_open(cx)?;
        Pin::new(&mut self.tls).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tls).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.check_open(cx)?;
        Pin::new(&mut self.tls).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tls.is_write_vectored()
    }
}
