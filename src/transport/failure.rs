//! What a client tells its user when a call fails below gRPC: the causes in a transport
//! error's source chain (tonic → hyper → h2/io → rustls), with the TLS ones explained.

use std::error::Error as StdError;

use rustls::{AlertDescription, CertificateError};

/// One line naming why a call failed in transport, most specific cause first.
pub fn describe_transport_failure(error: &(dyn StdError + 'static)) -> String {
    let mut causes: Vec<String> = Vec::new();
    let mut explained = None;
    let mut next = Some(error);
    while let Some(error) = next {
        if explained.is_none() {
            explained = error.downcast_ref::<rustls::Error>().map(explain_tls);
        }
        let text = error.to_string();
        // Wrappers often repeat their source's text: keep each cause once.
        if !causes.iter().any(|cause| cause.contains(&text)) {
            causes.push(text);
        }
        next = error.source();
    }
    let chain = causes.join(": ");
    match explained {
        Some(explained) => format!("{explained} ({chain})"),
        None => chain,
    }
}

fn explain_tls(error: &rustls::Error) -> String {
    match error {
        rustls::Error::AlertReceived(AlertDescription::CertificateExpired) => {
            "the node refused our client certificate as expired or not yet valid: check its dates and this host's clock"
                .into()
        }
        rustls::Error::AlertReceived(AlertDescription::UnknownCA) => {
            "the node refused our client certificate: it is not issued by the federation CA".into()
        }
        rustls::Error::AlertReceived(
            alert @ (AlertDescription::BadCertificate
            | AlertDescription::CertificateUnknown
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateRequired),
        ) => {
            format!("the node refused our client certificate ({alert:?})")
        }
        rustls::Error::AlertReceived(alert) => format!("the node ended the TLS session ({alert:?})"),
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the node's certificate is not issued by the CA we trust (--cacert)".into()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => "the node's certificate is not our agency's node: check the endpoint".into(),
        rustls::Error::InvalidCertificate(e) => format!("the node's certificate is not acceptable: {e}"),
        other => format!("TLS: {other}"),
    }
}
