//! Transport: gRPC over TLS 1.3 with client certificates. The only module that touches
//! rustls and X.509.
//!
//! Identity lives in the certificate's DNS names: a node of agency `DE-BAFA` holds
//! `de-bafa.node.fedx`, an operator of that agency `de-bafa.operator.fedx`. Every
//! certificate is issued by the federation CA, so a name in a verified certificate is
//! trusted.

pub mod pki;

use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::AbortHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

use crate::config::TlsConfig;
use crate::error::{Error, Result};

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_PENDING_HANDSHAKES: usize = 128;
/// Open connections (handshaking or established), at most: a client past it waits in
/// the listen backlog.
const MAX_CONNECTIONS: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Another agency's node (or ours, seen from a client): may only replicate.
    Node,
    /// An operator or application of an agency: may write and administer its own node.
    Operator,
}

/// Who is calling, from the verified client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub agency: String,
    pub role: Role,
}

impl std::fmt::Display for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let role = match self.role {
            Role::Node => "peer",
            Role::Operator => "operator",
        };
        write!(f, "{role}:{}", self.agency)
    }
}

pub fn node_dns_name(agency: &str) -> String {
    format!("{}.node.fedx", agency.to_ascii_lowercase())
}

pub fn operator_dns_name(agency: &str) -> String {
    format!("{}.operator.fedx", agency.to_ascii_lowercase())
}

/// The caller of a request on our TLS server, as its connection's certificate names it.
pub fn caller<T>(request: &tonic::Request<T>) -> Result<Caller> {
    match request.extensions().get::<PeerIdentity>() {
        Some(PeerIdentity(identity)) => identity.clone().map_err(Error::Unauthenticated),
        None => Err(Error::Unauthenticated("no client certificate".into())),
    }
}

/// Who is at the other end of a connection, read from its verified client certificate
/// once, at the handshake, rather than parsed again for every call; or why it names no one.
#[derive(Debug, Clone)]
pub struct PeerIdentity(std::result::Result<Caller, String>);

impl PeerIdentity {
    fn of(tls: &TlsStream<TcpStream>) -> Self {
        let leaf = tls.get_ref().1.peer_certificates().and_then(|certs| certs.first());
        PeerIdentity(match leaf {
            Some(leaf) => identity_of(leaf.as_ref()).map_err(|e| match e {
                Error::Unauthenticated(reason) => reason,
                other => other.to_string(),
            }),
            None => Err("no client certificate".into()),
        })
    }
}

/// The identity a DER certificate claims; exactly one federation name is allowed.
pub fn identity_of(der: &[u8]) -> Result<Caller> {
    use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| Error::Unauthenticated(format!("unreadable certificate: {e}")))?;
    let names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| san.value.general_names.clone())
        .unwrap_or_default();
    let mut identities = names.iter().filter_map(|name| match name {
        GeneralName::DNSName(dns) => parse_identity(dns),
        _ => None,
    });
    match (identities.next(), identities.next()) {
        (Some(identity), None) => Ok(identity),
        (None, _) => Err(Error::Unauthenticated(
            "certificate names no federation identity".into(),
        )),
        (Some(_), Some(_)) => Err(Error::Unauthenticated(
            "certificate names more than one identity".into(),
        )),
    }
}

fn parse_identity(dns: &str) -> Option<Caller> {
    let (agency, role) = if let Some(agency) = dns.strip_suffix(".node.fedx") {
        (agency, Role::Node)
    } else {
        (dns.strip_suffix(".operator.fedx")?, Role::Operator)
    };
    let agency = agency.to_ascii_uppercase();
    crate::config::check_agency_id(&agency).ok()?;
    Some(Caller { agency, role })
}

/// The identity in a PEM certificate file (fedctl uses it to name the node it expects).
pub fn identity_of_pem_file(path: &std::path::Path) -> Result<Caller> {
    let cert = CertificateDer::from_pem_file(path)
        .map_err(|e| Error::config(format!("cannot read certificate {}: {e}", path.display())))?;
    identity_of(cert.as_ref())
}

fn read(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::config(format!("cannot read {}: {e}", path.display())))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS 1.3 only, client certificate required and verified against the federation CA.
pub fn server_config(tls: &TlsConfig) -> Result<Arc<rustls::ServerConfig>> {
    let tls_error = |e: &dyn std::fmt::Display| Error::config(format!("TLS: {e}"));
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(&tls.ca).map_err(|e| tls_error(&e))? {
        roots.add(ca.map_err(|e| tls_error(&e))?).map_err(|e| tls_error(&e))?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| tls_error(&e))?;
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .map_err(|e| tls_error(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error(&e))?;
    let key = PrivateKeyDer::from_pem_file(&tls.key).map_err(|e| tls_error(&e))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| tls_error(&e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .map_err(|e| tls_error(&e))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepted TLS connections, handshakes done off the accept loop and bounded in number
/// and time, so a slow or silent client cannot stall others.
/// `close_all` force-closes every connection accepted here, even one in the middle of a
/// call (a shutdown that has waited long enough for calls to finish).
pub fn incoming(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    cancel: CancellationToken,
    close_all: CancellationToken,
) -> ReceiverStream<std::io::Result<Connection>> {
    let acceptor = TlsAcceptor::from(config);
    let (accepted, stream) = mpsc::channel(MAX_PENDING_HANDSHAKES);
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        // Handshakes in progress, oldest first. When all slots are taken the oldest gives
        // way: silent connections cannot lock new clients out, since a real handshake
        // takes milliseconds and would have to be outrun by a full pool of newer ones.
        let mut pending: VecDeque<AbortHandle> = VecDeque::with_capacity(MAX_PENDING_HANDSHAKES);
        loop {
            let Ok(open) = connections.clone().acquire_owned().await else {
                return;
            };
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
            pending.retain(|handshake| !handshake.is_finished());
            if pending.len() >= MAX_PENDING_HANDSHAKES
                && let Some(oldest) = pending.pop_front()
            {
                oldest.abort();
            }
            let (acceptor, accepted) = (acceptor.clone(), accepted.clone());
            let closed = Box::pin(close_all.clone().cancelled_owned());
            let handshake = tokio::spawn(async move {
                let _ = tcp.set_nodelay(true);
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => Some(Connection {
                        identity: PeerIdentity::of(&tls),
                        tls,
                        closed,
                        _open: open,
                    }),
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
            pending.push_back(handshake.abort_handle());
            // Handing over is outside the abortable part: a finished handshake is kept.
            tokio::spawn(async move {
                if let Ok(Some(connection)) = handshake.await {
                    let _ = accepted.send(Ok(connection)).await;
                }
            });
        }
    });
    ReceiverStream::new(stream)
}

/// An accepted TLS connection; it holds one of the `MAX_CONNECTIONS` slots until dropped.
pub struct Connection {
    tls: TlsStream<TcpStream>,
    identity: PeerIdentity,
    /// Ready once the server force-closes its connections: reads and writes then fail.
    closed: Pin<Box<WaitForCancellationFutureOwned>>,
    _open: OwnedSemaphorePermit,
}

impl Connection {
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
}

/// tonic puts it in every request's extensions, where [`caller`] finds it.
impl tonic::transport::server::Connected for Connection {
    type ConnectInfo = PeerIdentity;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.identity.clone()
    }
}

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        self.check_open(cx)?;
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

/// Where a client finds its TLS material.
#[derive(Debug, Clone)]
pub struct ClientTls {
    pub ca: Vec<u8>,
    pub cert: Vec<u8>,
    pub key: Vec<u8>,
}

impl ClientTls {
    pub fn load(tls: &TlsConfig) -> Result<Self> {
        Ok(ClientTls {
            ca: read(&tls.ca)?,
            cert: read(&tls.cert)?,
            key: read(&tls.key)?,
        })
    }
}

/// A lazily connecting mTLS channel to `endpoint`, whose certificate must name
/// `server_name` (a node's federation name), so we talk to the agency we expect.
pub fn channel(endpoint: &str, tls: &ClientTls, server_name: &str) -> Result<Channel> {
    crate::config::check_endpoint(endpoint)?;
    let tls_config = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&tls.ca))
        .identity(Identity::from_pem(&tls.cert, &tls.key))
        .domain_name(server_name)
        // `connect_timeout` bounds the TCP connect only: without this, a peer that accepts
        // the connection but never answers the handshake (a hung host) holds us for ever.
        .timeout(HANDSHAKE_TIMEOUT);
    let endpoint = Endpoint::from_shared(endpoint.to_string())
        .map_err(|e| Error::config(format!("endpoint {endpoint:?}: {e}")))?
        .tls_config(tls_config)
        .map_err(|e| Error::config(format!("TLS: {e}")))?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(20))
        .keep_alive_timeout(Duration::from_secs(20))
        .keep_alive_while_idle(true);
    Ok(endpoint.connect_lazy())
}

/// The address a listener really bound (port 0 becomes a real port).
pub fn local_addr(listener: &TcpListener) -> Result<SocketAddr> {
    listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("listener address: {e}")))
}
