//! Over-long names and bad peer endpoints: refused early with InvalidArgument, and never
//! echoed whole (a megabyte id in an error message breaks clients' metadata limits, and in
//! a log line or audit entry costs a megabyte each time).

mod common;

use common::*;
use fedx::proto::replication_client::ReplicationClient;
use fedx::proto::*;
use fedx::transport::{self, ClientTls};
use tonic::Code;

/// Larger than anything an error message may carry.
const MESSAGE_MAX: usize = 1024;

fn check<T>(what: &str, result: Result<T, tonic::Status>) {
    let Err(status) = result else {
        panic!("{what}: accepted");
    };
    assert_eq!(status.code(), Code::InvalidArgument, "{what}: {}", status.code());
    assert!(
        status.message().len() < MESSAGE_MAX,
        "{what}: a message of {} bytes",
        status.message().len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_megabyte_id_or_collection_name_is_refused_without_being_echoed() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start(0).await;
    let mut op = fed.operator(0).max_decoding_message_size(64 << 20);
    let huge = "x".repeat(1 << 20);
    let huge_id = format!("DE-BAFA/{huge}");
    let before = status(&mut op).await;

    let get = |collection: &str, id: &str| GetRequest {
        collection: collection.into(),
        id: id.into(),
    };
    check("get a huge id", op.get(get("denials", &huge_id)).await);
    check("get in a huge collection", op.get(get(&huge, "DE-BAFA/1")).await);
    check("put a huge id", op.put(put("denials", &huge_id, denial("R"))).await);
    check(
        "put into a huge collection",
        op.put(put(&huge, "DE-BAFA/1", denial("R"))).await,
    );
    let revoke = RevokeRequest {
        collection: "denials".into(),
        id: huge_id.clone(),
    };
    check("revoke a huge id", op.revoke(revoke).await);
    let list = ListRequest {
        collection: "denials".into(),
        id_prefix: huge_id.clone(),
        ..Default::default()
    };
    check("list a huge prefix", op.list(list).await);

    let files = &fed.pki.agencies[1];
    let tls = ClientTls {
        ca: std::fs::read(&fed.pki.ca_cert).unwrap(),
        cert: std::fs::read(&files.node_cert).unwrap(),
        key: std::fs::read(&files.node_key).unwrap(),
    };
    let channel = transport::channel(&fed.endpoint(0), &tls, &transport::node_dns_name(fed.agency(0))).unwrap();
    let mut peer = ReplicationClient::new(channel);
    let fetch = FetchRequest {
        collection: huge.clone(),
        ids: vec!["DE-BAFA/1".into()],
    };
    check("fetch from a huge collection", peer.fetch(fetch).await);
    let fetch = FetchRequest {
        collection: "denials".into(),
        ids: vec![huge_id.clone()],
    };
    check("fetch a huge id", peer.fetch(fetch).await);

    let after = status(&mut op).await;
    assert_eq!(after.collections, before.collections, "nothing stored");
    let audited = fedx_audit(&mut op, before.audit_entries).await;
    assert!(
        audited
            .iter()
            .all(|e| e.detail.len() < MESSAGE_MAX && e.target.len() < MESSAGE_MAX)
    );
    assert!(audited.len() >= 8, "each refusal is audited: {audited:?}");
    fed.stop_all().await;
}

async fn fedx_audit(
    op: &mut fedx::proto::operator_client::OperatorClient<tonic::transport::Channel>,
    after_seq: u64,
) -> Vec<AuditEntry> {
    op.audit_tail(AuditTailRequest { limit: 1000, after_seq })
        .await
        .unwrap()
        .into_inner()
        .entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_peer_refuses_a_huge_endpoint_and_ports_out_of_range() {
    init_logging();
    let mut fed = Federation::new(3, &[(0, 1)]);
    fed.start(0).await;
    let mut op = fed.operator(0);
    let huge = format!("https://{}:7101", "h".repeat(1 << 20));
    for endpoint in [
        huge.as_str(),
        "https://127.0.0.1:0",
        "https://127.0.0.1:99999",
        "https://127.0.0.1:x",
    ] {
        let peer = PeerEntry {
            agency: fed.agency(2).into(),
            endpoint: endpoint.into(),
        };
        let shown: String = endpoint.chars().take(40).collect();
        check(
            &format!("add peer at {shown}"),
            op.add_peer(AddPeerRequest { peer: Some(peer) }).await,
        );
    }
    let peers = op.list_peers(ListPeersRequest {}).await.unwrap().into_inner().peers;
    assert_eq!(peers.len(), 1, "{peers:?}");
    fed.stop_all().await;
}
