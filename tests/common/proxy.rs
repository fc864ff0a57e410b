//! A fault-injecting TCP proxy for one directed link: a node's peer endpoint points at the
//! proxy, which forwards to the real node. Loopback only. The TLS session runs end to end
//! through it (the client verifies the peer by its agency name, not by host:port), so the
//! proxy sees only ciphertext and can only delay, cut or drop bytes.
//!
//! A cut takes one of four forms (`Fault`); `heal` ends it:
//! - `Reset`: live connections are dropped, new ones are closed at once (a refused port);
//! - `Blackhole`: live connections are dropped, new ones are accepted but get no answer
//!   until the heal, when they are forwarded (what a retransmitted SYN would find);
//! - `Stall`: nothing is dropped; bytes stop flowing both ways, on live and new
//!   connections alike, and flow again after the heal (a partition TCP survives);
//! - `Hang`: live connections are dropped; new ones are accepted and never answered, not
//!   even after the heal (a hung host): only the client can give up on them.
//!
//! `shape` makes it a slow line instead ([`Line`]): a bandwidth, a delay each way with
//! jitter, and now and then a lost packet, which above TCP is a pause while it is sent
//! again (the bytes behind it wait too).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Reset,
    Blackhole,
    Stall,
    /// Like `Blackhole`, but a connection accepted during the cut is never answered, even
    /// after the heal (a hung host): only the client can give up on it.
    Hang,
}

/// A slow, lossy line.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    pub bits_per_second: u64,
    /// Half the round trip.
    pub one_way: Duration,
    /// Added to `one_way`, uniformly between zero and this.
    pub jitter: Duration,
    /// Chance that a chunk of 2 kB meets a lost packet and waits `retransmit` more.
    pub loss: f64,
    pub retransmit: Duration,
}

impl Line {
    fn transmit(&self, bytes: usize) -> Duration {
        Duration::from_secs_f64(bytes as f64 * 8.0 / self.bits_per_second as f64)
    }

    fn delay(&self, rng: &mut impl Rng) -> Duration {
        let jitter = self.jitter.mul_f64(rng.r#gen::<f64>());
        let lost = rng.r#gen::<f64>() < self.loss;
        self.one_way + jitter + if lost { self.retransmit } else { Duration::ZERO }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Open,
    Cut(Fault),
}

struct Shared {
    upstream: SocketAddr,
    state: watch::Sender<State>,
    /// Cancelled (and replaced) to drop every connection made before it.
    generation: Mutex<CancellationToken>,
    /// Bytes forwarded to the upstream node, and from it.
    sent_up: AtomicU64,
    sent_down: AtomicU64,
    /// A slow line in both directions, if shaped (for connections made after).
    line: Mutex<Option<Line>>,
}

pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _accept: AbortOnDropHandle<()>,
}

impl Proxy {
    /// A proxy on a fresh loopback port forwarding to `upstream` (a loopback address).
    pub async fn start(upstream: SocketAddr) -> Proxy {
        assert!(upstream.ip().is_loopback(), "the proxy forwards to loopback only");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream,
            state: watch::channel(State::Open).0,
            generation: Mutex::new(CancellationToken::new()),
            sent_up: AtomicU64::new(0),
            sent_down: AtomicU64::new(0),
            line: Mutex::new(None),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        Proxy {
            addr,
            shared,
            _accept: AbortOnDropHandle::new(accept),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Bytes forwarded so far: (to the upstream node, from it), TLS records included.
    pub fn bytes(&self) -> (u64, u64) {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        (read(&self.shared.sent_up), read(&self.shared.sent_down))
    }

    /// Makes new connections through the proxy cross `line` (both directions).
    pub fn shape(&self, line: Line) {
        *self.shared.line.lock().unwrap() = Some(line);
    }

    pub fn state(&self) -> State {
        *self.shared.state.borrow()
    }

    pub fn cut(&self, fault: Fault) {
        self.shared.state.send_replace(State::Cut(fault));
        if fault != Fault::Stall {
            self.drop_connections();
        }
    }

    pub fn heal(&self) {
        self.shared.state.send_replace(State::Open);
    }

    /// Drops every connection through the proxy (both sides see it close).
    pub fn drop_connections(&self) {
        let old = std::mem::take(&mut *self.shared.generation.lock().unwrap());
        old.cancel();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.drop_connections();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let generation = shared.generation.lock().unwrap().clone();
        let state = *shared.state.borrow();
        if state == State::Cut(Fault::Reset) {
            // Closed before a byte is read: the client's handshake fails at once, as against a
            // port nobody listens on.
            drop(client);
            continue;
        }
        tokio::spawn(connection(client, shared.clone(), generation));
    }
}

/// One client connection: waits while the link is cut (blackholed or stalled), then
/// forwards both ways until either side closes or the connection is dropped by a cut.
async fn connection(client: TcpStream, shared: Arc<Shared>, generation: CancellationToken) {
    if *shared.state.borrow() == State::Cut(Fault::Hang) {
        // Held open, never read, until a later cut or the proxy drops it.
        generation.cancelled().await;
        return;
    }
    let forward = async {
        if open(&shared).await.is_err() {
            return;
        }
        let connect = TcpStream::connect(shared.upstream);
        let Ok(Ok(upstream)) = tokio::time::timeout(Duration::from_secs(5), connect).await else {
            return; // the node is down: the client sees the connection close
        };
        let _ = client.set_nodelay(true);
        let _ = upstream.set_nodelay(true);
        let (client_read, client_write) = client.into_split();
        let (upstream_read, upstream_write) = upstream.into_split();
        let line = *shared.line.lock().unwrap();
        match line {
            None => {
                tokio::join!(
                    pump(client_read, upstream_write, shared.clone(), Direction::Up),
                    pump(upstream_read, client_write, shared.clone(), Direction::Down),
                );
            }
            Some(line) => {
                tokio::join!(
                    slow_pump(client_read, upstream_write, shared.clone(), Direction::Up, line),
                    slow_pump(upstream_read, client_write, shared.clone(), Direction::Down, line),
                );
            }
        }
    };
    tokio::select! {
        _ = generation.cancelled() => {}
        _ = forward => {}
    }
}

/// Waits until the link is open.
async fn open(shared: &Shared) -> Result<(), ()> {
    let mut state = shared.state.subscribe();
    state.wait_for(|s| *s == State::Open).await.map(|_| ()).map_err(|_| ())
}

#[derive(Clone, Copy)]
enum Direction {
    Up,
    Down,
}

impl Shared {
    fn counter(&self, direction: Direction) -> &AtomicU64 {
        match direction {
            Direction::Up => &self.sent_up,
            Direction::Down => &self.sent_down,
        }
    }
}

/// Copies one direction across a slow line: read at the line's rate, each chunk handed
/// to the far side once its delay has passed, in order.
async fn slow_pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    shared: Arc<Shared>,
    direction: Direction,
    line: Line,
) {
    // A few chunks in flight: a router that buffers half a second, not a bufferbloated one.
    let (chunks, mut arriving) = tokio::sync::mpsc::channel::<(tokio::time::Instant, Vec<u8>)>(8);
    let deliver = async move {
        while let Some((at, chunk)) = arriving.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    let read = async move {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut last = tokio::time::Instant::now();
        let mut buf = vec![0u8; 2048];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            tokio::time::sleep(line.transmit(n)).await;
            let at = (tokio::time::Instant::now() + line.delay(&mut rng)).max(last);
            last = at;
            shared.counter(direction).fetch_add(n as u64, Ordering::Relaxed);
            if chunks.send((at, buf[..n].to_vec())).await.is_err() {
                break;
            }
        }
    };
    tokio::join!(read, deliver);
}

/// Copies one direction, counting; holds what it read while the link is stalled.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, shared: Arc<Shared>, direction: Direction) {
    let counter = shared.counter(direction);
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if open(&shared).await.is_err() || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }
    let _ = to.shutdown().await;
}
