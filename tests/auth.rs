//! Who may connect and call what.

mod common;

use common::*;
use fedx::proto::operator_client::OperatorClient;
use fedx::proto::replication_client::ReplicationClient;
use fedx::proto::*;
use fedx::transport::{self, ClientTls};
use tonic::Code;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_a_certificate_or_from_another_ca_cannot_connect() {
    let mut fed = Federation::new(2, &[]);
    fed.start(0).await;

    // No client certificate at all.
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(std::fs::read(&fed.pki.ca_cert).unwrap()))
        .domain_name(transport::node_dns_name(fed.agency(0)));
    let channel = Endpoint::from_shared(fed.endpoint(0))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect_lazy();
    let result = OperatorClient::new(channel).status(StatusRequest {}).await;
    assert!(result.is_err(), "a client without a certificate got {result:?}");

    // A certificate from another CA claiming our operator's identity.
    let other = fedx::transport::pki::generate(&fed.dir.path().join("other-pki"), &["DE-BAFA".to_string()]).unwrap();
    let forged = &other.agencies[0];
    let mut client = fed.client_with(0, &fed.pki.ca_cert, &forged.operator_cert, &forged.operator_key);
    assert!(client.status(StatusRequest {}).await.is_err());

    // The real operator certificate works.
    status(&mut fed.operator(0)).await;
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_certificate_cannot_write_or_administer_and_an_operator_cannot_replicate() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start(0).await;
    let b = &fed.pki.agencies[1];
    let mut as_peer = fed.client_with(0, &fed.pki.ca_cert, &b.node_cert, &b.node_key);

    // An id of our agency: our operator's put of it succeeds (below), so only the role
    // check can refuse it.
    let put_request = put("denials", "DE-BAFA/1", denial("X"));
    assert_eq!(denied(as_peer.put(put_request.clone()).await), Code::PermissionDenied);
    assert_eq!(denied(as_peer.status(StatusRequest {}).await), Code::PermissionDenied);
    let peer = Some(PeerEntry {
        agency: "FR-SBDU".into(),
        endpoint: "https://127.0.0.1:1".into(),
    });
    assert_eq!(
        denied(as_peer.add_peer(AddPeerRequest { peer }).await),
        Code::PermissionDenied
    );
    let get_request = GetRequest {
        collection: "denials".into(),
        id: "x".into(),
    };
    assert_eq!(denied(as_peer.get(get_request).await), Code::PermissionDenied);

    // Another agency's operator is not our operator.
    let mut foreign_operator = fed.client_with(0, &fed.pki.ca_cert, &b.operator_cert, &b.operator_key);
    assert_eq!(
        denied(foreign_operator.put(put_request.clone()).await),
        Code::PermissionDenied
    );

    // Our own operator may not pose as a peer node.
    let a = &fed.pki.agencies[0];
    let tls = ClientTls {
        ca: std::fs::read(&fed.pki.ca_cert).unwrap(),
        cert: std::fs::read(&a.operator_cert).unwrap(),
        key: std::fs::read(&a.operator_key).unwrap(),
    };
    let channel = transport::channel(&fed.endpoint(0), &tls, &transport::node_dns_name(fed.agency(0))).unwrap();
    let wants = tokio_stream::iter(vec![Want::default()]);
    let result = ReplicationClient::new(channel).replicate(wants).await;
    assert_eq!(result.map(|_| ()).unwrap_err().code(), Code::PermissionDenied);

    // Nothing was stored by any of it (the node announces its own sealing key by itself).
    let status = status(&mut fed.operator(0)).await;
    let stored = status.collections.iter().filter(|c| c.name != "_sealing_keys");
    assert!(
        stored.clone().all(|c| c.records == 0),
        "{:?}",
        stored.collect::<Vec<_>>()
    );
    // The same put from our operator is accepted.
    fed.operator(0).put(put_request).await.expect("our operator's put");
    fed.stop_all().await;
}

fn denied<T: std::fmt::Debug>(result: Result<T, tonic::Status>) -> Code {
    result.unwrap_err().code()
}

#[test]
fn plaintext_endpoints_are_a_configuration_error() {
    let tls = ClientTls {
        ca: vec![],
        cert: vec![],
        key: vec![],
    };
    let error = transport::channel("http://127.0.0.1:7101", &tls, "x.node.fedx").unwrap_err();
    assert!(error.to_string().contains("https://"), "{error}");

    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.configs[0].peers[0].endpoint = "http://127.0.0.1:7102".into();
    assert!(fed.configs[0].validate().is_err());
}
