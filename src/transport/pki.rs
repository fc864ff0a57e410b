//! A development PKI: a CA, and for each agency a node certificate, an operator
//! certificate and an ed25519 signing key. For local use and tests only.

use std::net::{IpAddr, Ipv4Addr};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SanType,
};

use super::Role;
use crate::error::{Error, Result};

/// Files of one agency inside the PKI directory (`<dir>/<agency lower case>/...`).
#[derive(Debug, Clone)]
pub struct AgencyFiles {
    pub agency: String,
    pub node_cert: PathBuf,
    pub node_key: PathBuf,
    pub operator_cert: PathBuf,
    pub operator_key: PathBuf,
    pub signing_key: PathBuf,
    /// `<AGENCY>-1`.
    pub signing_key_id: String,
    pub signing_public_key: String,
}

#[derive(Debug, Clone)]
pub struct DevPki {
    pub ca_cert: PathBuf,
    pub agencies: Vec<AgencyFiles>,
}

const WARNING: &str =
    "DEVELOPMENT PKI - FOR LOCAL USE ONLY. These keys are public; never use them for a real federation.\n";

fn pki_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("certificate generation: {e}"))
}

fn write(path: &Path, contents: &str) -> Result<()> {
    std::fs::write(path, contents).map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))
}

/// Generates a fresh CA and, for each agency, its node and operator certificates and
/// signing key, under `dir`. Also writes `members.toml`, the `[[members]]` block every
/// node's config needs.
pub fn generate(dir: &Path, agencies: &[String]) -> Result<DevPki> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Internal(format!("cannot create {}: {e}", dir.display())))?;
    let ca = DevCa::new()?;
    let ca_path = dir.join("ca.pem");
    write(&ca_path, &ca.cert_pem)?;
    write(&dir.join("README.txt"), WARNING)?;

    let mut members = format!("# {WARNING}");
    let mut out = Vec::new();
    for agency in agencies {
        crate::config::check_agency_id(agency)?;
        let agency_dir = dir.join(agency.to_ascii_lowercase());
        std::fs::create_dir_all(&agency_dir).map_err(|e| Error::Internal(format!("{}: {e}", agency_dir.display())))?;
        let node = ca.issue(agency, Role::Node, None)?;
        let operator = ca.issue(agency, Role::Operator, None)?;
        let (signing_pem, signing_public_key) = crate::crypto::generate_signing_key()?;
        let files = AgencyFiles {
            agency: agency.clone(),
            node_cert: agency_dir.join("node.pem"),
            node_key: agency_dir.join("node.key"),
            operator_cert: agency_dir.join("operator.pem"),
            operator_key: agency_dir.join("operator.key"),
            signing_key: agency_dir.join("signing.key"),
            signing_key_id: format!("{agency}-1"),
            signing_public_key,
        };
        write(&files.node_cert, &node.0)?;
        write(&files.node_key, &node.1)?;
        write(&files.operator_cert, &operator.0)?;
        write(&files.operator_key, &operator.1)?;
        write(&files.signing_key, &signing_pem)?;
        members.push_str(&format!(
            "\n[[members]]\nagency = \"{agency}\"\nkeys = [{{ id = \"{}\", public_key = \"{}\" }}]\n",
            files.signing_key_id, files.signing_public_key
        ));
        out.push(files);
    }
    write(&dir.join("members.toml"), &members)?;
    Ok(DevPki {
        ca_cert: ca_path,
        agencies: out,
    })
}

/// A development CA. `generate` uses a fresh one and keeps no copy of its key; tests keep
/// one to issue more certificates (expired ones, or for agencies outside the federation).
pub struct DevCa {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
}

impl DevCa {
    /// A fresh CA with a new key.
    pub fn new() -> Result<Self> {
        let ca_key = KeyPair::generate().map_err(pki_error)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(pki_error)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "fedx development CA (local use only)");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(pki_error)?;
        Ok(DevCa {
            issuer: Issuer::new(ca_params, ca_key),
            cert_pem: ca_cert.pem(),
        })
    }

    /// The CA certificate (PEM).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// (certificate PEM, private key PEM) for `agency`'s node (a server and client
    /// certificate, also valid for `localhost`) or operator (a client certificate), valid
    /// over `validity` (`None`: from 1975 to 4096, as `generate` issues them).
    pub fn issue(&self, agency: &str, role: Role, validity: Option<Range<SystemTime>>) -> Result<(String, String)> {
        crate::config::check_agency_id(agency)?;
        match role {
            Role::Node => leaf(
                &self.issuer,
                agency,
                &[super::node_dns_name(agency), "localhost".into()],
                true,
                validity,
            ),
            Role::Operator => leaf(
                &self.issuer,
                agency,
                &[super::operator_dns_name(agency)],
                false,
                validity,
            ),
        }
    }
}

/// (certificate PEM, private key PEM) for one identity.
fn leaf(
    issuer: &Issuer<'_, KeyPair>,
    agency: &str,
    names: &[String],
    server: bool,
    validity: Option<Range<SystemTime>>,
) -> Result<(String, String)> {
    let key = KeyPair::generate().map_err(pki_error)?;
    let mut params = CertificateParams::new(names.to_vec()).map_err(pki_error)?;
    if let Some(validity) = validity {
        params.not_before = validity.start.into();
        params.not_after = validity.end.into();
    }
    params.distinguished_name.push(DnType::CommonName, names[0].clone());
    params.distinguished_name.push(DnType::OrganizationName, agency);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    if server {
        params.extended_key_usages.push(ExtendedKeyUsagePurpose::ServerAuth);
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }
    let cert = params.signed_by(&key, issuer).map_err(pki_error)?;
    Ok((cert.pem(), key.serialize_pem()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    use x509_parser::prelude::{FromDer, X509Certificate};

    use super::*;
    use crate::transport::{Caller, identity_of};

    fn der(pem: &str) -> Vec<u8> {
        CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().to_vec()
    }

    #[test]
    fn a_ca_issues_node_and_operator_certificates_for_any_agency_and_validity() {
        let ca = DevCa::new().unwrap();
        for role in [Role::Node, Role::Operator] {
            let (cert, _) = ca.issue("US-BIS", role, None).unwrap();
            let caller = Caller {
                agency: "US-BIS".into(),
                role,
            };
            assert_eq!(identity_of(&der(&cert)).unwrap(), caller);
        }
        let now = SystemTime::now();
        let day = Duration::from_secs(86_400);
        let (cert, _) = ca
            .issue("DE-BAFA", Role::Operator, Some(now - 2 * day..now - day))
            .unwrap();
        let der = der(&cert);
        let (_, parsed) = X509Certificate::from_der(&der).unwrap();
        assert!(!parsed.validity().is_valid(), "{:?}", parsed.validity());
        assert!(ca.issue("not an agency", Role::Node, None).is_err());
    }
}
