//! The start-up check of the node's own certificate: a node must not start with one that
//! no peer would accept (expired, another identity's, issued by another CA), since it
//! would then run without a word while every peer refuses it.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{Caller, Role, identity_of, node_dns_name, provider};
use crate::config::TlsConfig;
use crate::error::{Error, Result};

/// Checks that `tls.cert` is `agency`'s node certificate, valid now and issued by the CA
/// in `tls.ca`; the error names what is wrong, in one line.
pub fn check_node_certificate(tls: &TlsConfig, agency: &str) -> Result<()> {
    let chain = read_chain(&tls.cert)?;
    let Some(leaf) = chain.first() else {
        return Err(Error::config(format!(
            "tls.cert {}: no certificate in the file",
            tls.cert.display()
        )));
    };
    let name = node_dns_name(agency);
    let cert_error = |what: String| Error::config(format!("tls.cert {}: {what}", tls.cert.display()));
    let expected = Caller {
        agency: agency.to_string(),
        role: Role::Node,
    };
    match identity_of(leaf.as_ref()) {
        Ok(identity) if identity == expected => {}
        Ok(identity) => {
            return Err(cert_error(format!(
                "is the certificate of {identity}, not of this node ({name})"
            )));
        }
        Err(e) => return Err(cert_error(format!("{e}; this node needs {name}"))),
    }
    check_validity(leaf.as_ref()).map_err(cert_error)?;
    let roots = read_chain(&tls.ca)?;
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store
            .add(root)
            .map_err(|e| Error::config(format!("tls.ca {}: {e}", tls.ca.display())))?;
    }
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider())
        .build()
        .map_err(|e| Error::config(format!("tls.ca {}: {e}", tls.ca.display())))?;
    let server_name = ServerName::try_from(name.clone()).map_err(|e| cert_error(e.to_string()))?;
    verifier
        .verify_server_cert(leaf, &chain[1..], &server_name, &[], UnixTime::now())
        .map_err(|e| match e {
            e if is_unknown_issuer(&e) => cert_error(format!(
                "is not issued by the federation CA in tls.ca {}",
                tls.ca.display()
            )),
            other => cert_error(format!("not accepted with tls.ca {}: {other}", tls.ca.display())),
        })?;
    Ok(())
}

/// Why the node would refuse the client certificate `cert_pem`, if it is not valid now or
/// not issued by the CA in `ca_pem` (fedctl checks before calling: the node's TLS alert
/// itself is lost when the connection breaks first).
pub fn check_client_certificate(ca_pem: &[u8], cert_pem: &[u8]) -> std::result::Result<(), String> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| format!("unreadable certificate: {e}"))?;
    let leaf = chain.first().ok_or("no certificate in the file")?;
    check_validity(leaf.as_ref())?;
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(ca_pem) {
        let ca = ca.map_err(|e| format!("unreadable CA certificate: {e}"))?;
        roots.add(ca).map_err(|e| format!("CA certificate: {e}"))?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| format!("CA certificate: {e}"))?;
    verifier
        .verify_client_cert(leaf, &chain[1..], UnixTime::now())
        .map(|_| ())
        .map_err(|e| match e {
            e if is_unknown_issuer(&e) => "it is not issued by the federation CA (--cacert)".to_string(),
            other => other.to_string(),
        })
}

/// Whether a verification failed because the certificate is not signed by a trusted CA
/// (an unknown issuer name, or a CA of the same name with another key).
#[allow(deprecated)]
fn is_unknown_issuer(error: &rustls::Error) -> bool {
    use rustls::CertificateError::{BadSignature, UnknownIssuer};
    matches!(error, rustls::Error::InvalidCertificate(UnknownIssuer | BadSignature))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| Error::config(format!("cannot read certificate {}: {e}", path.display())))
}

/// Whether the certificate is valid now, or since or until when it is not.
fn check_validity(der: &[u8]) -> std::result::Result<(), String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| format!("unreadable certificate: {e}"))?;
    let validity = cert.validity();
    let now = x509_parser::time::ASN1Time::now();
    if now < validity.not_before {
        return Err(format!(
            "not valid before {} (check the system clock)",
            validity.not_before
        ));
    }
    if now > validity.not_after {
        return Err(format!("expired on {}", validity.not_after));
    }
    Ok(())
}
