//! The transport against clients that hold connections without using them: idle TLS
//! connections of another agency, slots kept for our operators, silent HTTP/2 clients,
//! floods of silent TCP connections.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use fedx::proto::StatusRequest;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A plain TLS client of node `i` with the given certificate: it completes the handshake
/// (offering HTTP/2) and then does whatever the test does, or nothing.
struct RawClient {
    connector: tokio_rustls::TlsConnector,
    server: ServerName<'static>,
    addr: std::net::SocketAddr,
}

impl RawClient {
    fn new(fed: &Federation, i: usize, cert: &Path, key: &Path) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        for ca in CertificateDer::pem_file_iter(&fed.pki.ca_cert).unwrap() {
            roots.add(ca.unwrap()).unwrap();
        }
        let chain = CertificateDer::pem_file_iter(cert)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .unwrap();
        config.alpn_protocols = vec![b"h2".to_vec()];
        RawClient {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
            server: ServerName::try_from(fedx::transport::node_dns_name(fed.agency(i))).unwrap(),
            addr: fed.configs[i].listen,
        }
    }

    /// A connection whose TLS handshake completed, or `None` if it did not within 5 s.
    async fn connect(&self) -> Option<TlsStream<TcpStream>> {
        let handshake = async {
            let tcp = TcpStream::connect(self.addr).await.ok()?;
            self.connector.connect(self.server.clone(), tcp).await.ok()
        };
        tokio::time::timeout(Duration::from_secs(5), handshake)
            .await
            .ok()
            .flatten()
    }

    /// `n` connections opened 50 at a time, those whose handshake completed.
    async fn connect_many(&self, n: usize) -> Vec<TlsStream<TcpStream>> {
        let mut open = Vec::with_capacity(n);
        for batch in 0..n.div_ceil(50) {
            let size = 50.min(n - batch * 50);
            let connects = (0..size).map(|_| self.connect());
            open.extend(futures_util::future::join_all(connects).await.into_iter().flatten());
        }
        open
    }
}

/// Whether the server closes `connection` within `within` (reads end or fail); whatever
/// the server sends meanwhile is read and dropped. A client that sent the HTTP/2 preface
/// (`live`) also acknowledges the server's settings and pings, as a live client would.
async fn closed_within(connection: &mut TlsStream<TcpStream>, within: Duration, live: bool) -> bool {
    let read_until_closed = async {
        loop {
            let mut header = [0u8; 9];
            if connection.read_exact(&mut header).await.is_err() {
                return;
            }
            let length = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
            let mut payload = vec![0u8; length];
            if connection.read_exact(&mut payload).await.is_err() {
                return;
            }
            let (kind, flags) = (header[3], header[4]);
            let ack = match kind {
                4 if flags & 1 == 0 => Some(frame(4, 1, &[])),
                6 if flags & 1 == 0 => Some(frame(6, 1, &payload)),
                _ => None,
            };
            if live
                && let Some(ack) = ack
                && connection.write_all(&ack).await.is_err()
            {
                return;
            }
        }
    };
    tokio::time::timeout(within, read_until_closed).await.is_ok()
}

/// An HTTP/2 frame on stream 0.
fn frame(kind: u8, flags: u8, payload: &[u8]) -> Vec<u8> {
    let length = (payload.len() as u32).to_be_bytes();
    let mut frame = vec![length[1], length[2], length[3], kind, flags, 0, 0, 0, 0];
    frame.extend_from_slice(payload);
    frame
}

async fn status_within(fed: &Federation, i: usize, within: Duration) -> Result<(), String> {
    let mut client = fed.operator(i);
    match tokio::time::timeout(within, client.status(StatusRequest {})).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(status)) => Err(format!("status failed: {status:?}")),
        Err(_) => Err(format!("status took more than {within:?}")),
    }
}

/// The probe: more idle connections than the node has slots, with another agency's
/// operator certificate. Our operator still gets `status`, the partner keeps at most its
/// per-identity share, and even those are closed once they have gone without a call for
/// `first_call_timeout`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_of_a_partner_cannot_lock_our_operator_out() {
    init_logging();
    let mut fed = Federation::new(2, &[]);
    fed.start(0).await;
    let partner = &fed.pki.agencies[1];
    let client = RawClient::new(&fed, 0, &partner.operator_cert, &partner.operator_key);
    let mut idle = client.connect_many(600).await;
    assert!(idle.len() >= 512, "only {} handshakes completed", idle.len());

    status_within(&fed, 0, Duration::from_secs(20)).await.unwrap();

    let mut kept = Vec::new();
    for mut connection in idle.drain(..) {
        if !closed_within(&mut connection, Duration::from_millis(50), false).await {
            kept.push(connection);
        }
    }
    let per_identity = fed.configs[0].limits.connections_per_identity;
    assert!(!kept.is_empty(), "the partner's first connections are accepted");
    assert!(
        kept.len() <= per_identity,
        "{} idle connections of one partner kept open, more than {per_identity}",
        kept.len()
    );
    let deadline = fed.configs[0].limits.first_call_timeout + Duration::from_secs(20);
    for connection in &mut kept {
        assert!(
            closed_within(connection, deadline, false).await,
            "an idle connection is still open after {deadline:?}"
        );
    }
    fed.stop_all().await;
}

/// A client that completes the HTTP/2 preface and answers pings, but never calls, is
/// closed after `first_call_timeout` (pings alone would keep it open for ever).
#[tokio::test]
async fn a_live_http2_client_that_never_calls_is_closed() {
    init_logging();
    let mut fed = Federation::new(2, &[]);
    fed.start(0).await;
    let partner = &fed.pki.agencies[1];
    let client = RawClient::new(&fed, 0, &partner.node_cert, &partner.node_key);
    let mut connection = client.connect().await.expect("handshake");
    let mut preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    preface.extend(frame(4, 0, &[]));
    connection.write_all(&preface).await.unwrap();
    let deadline = fed.configs[0].limits.first_call_timeout + Duration::from_secs(20);
    assert!(
        closed_within(&mut connection, deadline, true).await,
        "a silent HTTP/2 client is still connected after {deadline:?}"
    );
    fed.stop_all().await;
}

/// Past the shared slots, only our own operators connect: other agencies' connections
/// are closed at once, whatever their identity.
#[tokio::test]
async fn our_operators_keep_reserved_slots_when_partners_take_all_others() {
    init_logging();
    let mut fed = Federation::new(3, &[]);
    let limits = &mut fed.configs[0].limits;
    limits.max_connections = 12;
    limits.operator_connections = 4;
    limits.connections_per_identity = 4;
    limits.first_call_timeout = Duration::from_secs(120);
    fed.start(0).await;
    let (one, two) = (&fed.pki.agencies[1], &fed.pki.agencies[2]);
    let mut held = Vec::new();
    for (cert, key) in [(&one.operator_cert, &one.operator_key), (&one.node_cert, &one.node_key)] {
        let client = RawClient::new(&fed, 0, cert, key);
        for mut connection in client.connect_many(5).await {
            if !closed_within(&mut connection, Duration::from_millis(200), false).await {
                held.push(connection);
            }
        }
    }
    assert_eq!(
        held.len(),
        8,
        "each identity keeps its 4 connections, the shared 8 slots"
    );

    let third = RawClient::new(&fed, 0, &two.node_cert, &two.node_key);
    let mut refused = third.connect().await.expect("handshake");
    assert!(
        closed_within(&mut refused, Duration::from_secs(5), false).await,
        "a ninth connection of another agency is kept though the shared slots are taken"
    );
    status_within(&fed, 0, Duration::from_secs(10)).await.unwrap();
    drop(held);
    fed.stop_all().await;
}

/// Silent TCP connections, reopened as fast as they are evicted from the handshakes in
/// progress, do not evict real handshakes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_silent_connections_does_not_evict_real_handshakes() {
    init_logging();
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let addr = fed.configs[0].listen;
    let flood: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(async move {
                let mut open = std::collections::VecDeque::new();
                loop {
                    if let Ok(connection) = TcpStream::connect(addr).await {
                        open.push_back(connection);
                        if open.len() > 100 {
                            open.pop_front();
                        }
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ours = &fed.pki.agencies[0];
    let client = RawClient::new(&fed, 0, &ours.operator_cert, &ours.operator_key);
    let mut failed = 0;
    for _ in 0..10 {
        // A slow network: the flood goes on while the server's answer is on its way.
        let tcp = SlowToAnswer::new(TcpStream::connect(addr).await.unwrap());
        let handshake = client.connector.connect(client.server.clone(), tcp);
        match tokio::time::timeout(Duration::from_secs(5), handshake).await {
            Ok(Ok(_)) => {}
            _ => failed += 1,
        }
    }
    flood.iter().for_each(|task| task.abort());
    assert_eq!(failed, 0, "{failed} of 10 handshakes failed during the flood");
    fed.stop_all().await;
}

/// A connection whose first read waits 300 ms: the client's hello leaves at once, the
/// server's answer reaches it late.
struct SlowToAnswer {
    tcp: TcpStream,
    delay: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl SlowToAnswer {
    fn new(tcp: TcpStream) -> Self {
        let delay = Some(Box::pin(tokio::time::sleep(Duration::from_millis(300))));
        SlowToAnswer { tcp, delay }
    }
}

impl tokio::io::AsyncRead for SlowToAnswer {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if let Some(delay) = self.delay.as_mut() {
            std::task::ready!(delay.as_mut().poll(cx));
            self.delay = None;
        }
        std::pin::Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for SlowToAnswer {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// A replication link holds its stream open: it is a call in progress however long no
/// record flows, so idle deadlines far shorter than the test never close it.
#[tokio::test]
async fn replication_links_are_never_idle() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    for config in &mut fed.configs {
        config.limits.first_call_timeout = Duration::from_millis(500);
        config.limits.idle_timeout = Duration::from_millis(500);
    }
    fed.start_all().await;
    let mut client = fed.operator(0);
    let connected = |status: &fedx::proto::StatusResponse| {
        status.peers.iter().all(|peer| peer.state == "connected") && !status.peers.is_empty()
    };
    eventually("the link is up", Duration::from_secs(20), || {
        let mut client = client.clone();
        async move { connected(&status(&mut client).await).then_some(()) }
    })
    .await;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = status(&mut client).await;
        assert!(connected(&now), "the link dropped while idle: {:?}", now.peers);
    }
    client
        .put(put("denials", "DE-BAFA/after-idle", denial("R-1")))
        .await
        .unwrap();
    holds_denials(&fed, 1, 1, Duration::from_secs(20)).await;
    fed.stop_all().await;
}
