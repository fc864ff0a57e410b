//! Transport: gRPC over TLS 1.3 with client certificates. The only module that touches
//! rustls and X.509.
//!
//! Identity lives in the certificate's DNS names: a node of agency `DE-BAFA` holds
//! `de-bafa.node.fedx`, an operator of that agency `de-bafa.operator.fedx`. Every
//! certificate is issued by the federation CA, so a name in a verified certificate is
//! trusted.

mod accept;
mod certs;
mod failure;
mod idle;
pub mod pki;

pub use accept::{Connection, ConnectionLimits, incoming};
pub use certs::{check_client_certificate, check_node_certificate};
pub use failure::describe_transport_failure;
pub use idle::TrackCalls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

use crate::config::TlsConfig;
use crate::error::{Error, Result};

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Another agency's node (or ours, seen from a client): may only replicate.
    Node,
    /// An operator or application of an agency: may write and administer its own node.
    Operator,
}

/// Who is calling, from the verified client certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    match request.extensions().get::<ConnectionInfo>() {
        Some(info) => info.identity.clone().map_err(Error::Unauthenticated),
        None => Err(Error::Unauthenticated("no client certificate".into())),
    }
}

/// Who is at the other end of a connection, read from its verified client certificate
/// once, at the handshake, rather than parsed again for every call; or why it names no one.
pub type PeerIdentity = std::result::Result<Caller, String>;

/// What tonic puts in every request's extensions: the connection's identity, and its call
/// count (which tells when the connection is idle).
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    identity: PeerIdentity,
    calls: Arc<idle::Calls>,
}

fn peer_identity(tls: &TlsStream<TcpStream>) -> PeerIdentity {
    let leaf = tls.get_ref().1.peer_certificates().and_then(|certs| certs.first());
    match leaf {
        Some(leaf) => identity_of(leaf.as_ref()).map_err(|e| match e {
            Error::Unauthenticated(reason) => reason,
            other => other.to_string(),
        }),
        None => Err("no client certificate".into()),
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
    Ok(endpoint_of(endpoint, tls, server_name)?.connect_lazy())
}

/// A channel for replication: its flow-control windows are small, so that on a slow
/// line little is in flight ahead of a record sent next (a denial after a bulk load) and
/// a keepalive answer is not queued behind seconds of data. 128 KiB still fills a
/// 1 MB/s line with a round trip of 100 ms.
pub fn replication_channel(endpoint: &str, tls: &ClientTls, server_name: &str) -> Result<Channel> {
    let endpoint = endpoint_of(endpoint, tls, server_name)?
        .initial_stream_window_size(REPLICATION_WINDOW)
        .initial_connection_window_size(2 * REPLICATION_WINDOW);
    Ok(endpoint.connect_lazy())
}

const REPLICATION_WINDOW: u32 = 64 * 1024;

fn endpoint_of(endpoint: &str, tls: &ClientTls, server_name: &str) -> Result<Endpoint> {
    crate::config::check_endpoint(endpoint)?;
    let tls_config = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&tls.ca))
        .identity(Identity::from_pem(&tls.cert, &tls.key))
        .domain_name(server_name)
        // `connect_timeout` bounds the TCP connect only: without this, a peer that accepts
        // the connection but never answers the handshake (a hung host) holds us for ever.
        .timeout(HANDSHAKE_TIMEOUT);
    Ok(Endpoint::from_shared(endpoint.to_string())
        .map_err(|e| Error::config(format!("endpoint {endpoint:?}: {e}")))?
        .tls_config(tls_config)
        .map_err(|e| Error::config(format!("TLS: {e}")))?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(20))
        .keep_alive_timeout(Duration::from_secs(20))
        .keep_alive_while_idle(true))
}

/// The address a listener really bound (port 0 becomes a real port).
pub fn local_addr(listener: &TcpListener) -> Result<SocketAddr> {
    listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("listener address: {e}")))
}
