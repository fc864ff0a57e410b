//! Large records make large pages: `List` and `Fetch` answers are bounded by bytes as well
//! as by count, so none is refused for its size (the caller continues after it), and the
//! paging clients (`fedctl list`, `export`, `import --full-sync`) keep going until done.
//! `Fetch` answers a repeated id once.

mod common;

use common::process::{fedctl, json};
use common::*;
use fedx::proto::replication_client::ReplicationClient;
use fedx::proto::*;
use fedx::transport::{self, ClientTls};
use prost::Message as _;
use tonic::transport::Channel;

/// Watchlist entries of about 4 KB each.
const RECORDS: usize = 300;
/// Small enough that a page of `RECORDS` entries is several times over it.
const MAX_MESSAGE: usize = 1024 * 1024;

fn big_entry(i: usize) -> RecordBody {
    let mut body = watchlist_entry(&format!("Large Entry {i}"));
    if let Some(record_body::Kind::WatchlistEntry(w)) = &mut body.kind {
        w.reason = format!("{i} ").repeat(4000 / (format!("{i} ").len()));
    }
    body
}

fn id(i: usize) -> String {
    format!("DE-BAFA/BIG-{i:04}")
}

/// One node (DE-BAFA) holding `RECORDS` large entries in `shared`.
async fn node_with_large_records() -> Federation {
    init_logging();
    let mut fed = Federation::new(2, &[]);
    fed.configs[0].limits.max_message_bytes = MAX_MESSAGE;
    fed.start(0).await;
    let mut op = fed.operator(0);
    for chunk in (0..RECORDS).collect::<Vec<_>>().chunks(100) {
        let puts = chunk.iter().map(|&i| put("shared", &id(i), big_entry(i))).collect();
        op.batch_put(BatchPutRequest { puts }).await.unwrap();
    }
    fed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_large_records_stay_under_the_message_limit_and_clients_page_through_them() {
    let mut fed = node_with_large_records().await;
    let mut op = fed.operator(0);
    let (mut listed, mut start_after, mut pages) = (0, String::new(), 0);
    loop {
        let request = ListRequest {
            collection: "shared".into(),
            start_after: start_after.clone(),
            limit: 1000,
            ..Default::default()
        };
        let page = op
            .list(request)
            .await
            .expect("a page is never refused for its size")
            .into_inner();
        assert!(
            page.encoded_len() <= MAX_MESSAGE / 2 + 64 * 1024,
            "{} bytes",
            page.encoded_len()
        );
        listed += page.records.len();
        pages += 1;
        if page.next_start_after.is_empty() {
            break;
        }
        start_after = page.next_start_after;
    }
    assert_eq!(listed, RECORDS);
    assert!(pages > 1, "one page of {RECORDS} large records");

    let all = json(&fedctl(&fed, 0, &["-o", "json", "list", "shared", "--limit", "1000"], None).await);
    assert_eq!(all["records"].as_array().unwrap().len(), RECORDS);
    let some = json(&fedctl(&fed, 0, &["-o", "json", "list", "shared", "--limit", "250"], None).await);
    assert_eq!(some["records"].as_array().unwrap().len(), 250);
    assert_eq!(some["next_start_after"], id(249));

    let out = fed.dir.path().join("shared.jsonl");
    let path = out.to_str().unwrap();
    let export = ["export", "--collection", "shared", "--format", "jsonl", "--out", path];
    let exported = fedctl(&fed, 0, &export, None).await;
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), RECORDS);
    let import = [
        "-o",
        "json",
        "import",
        "--format",
        "jsonl",
        "--collection",
        "shared",
        "--batch",
        "100",
        "--full-sync",
        path,
    ];
    let imported = json(&fedctl(&fed, 0, &import, None).await);
    assert_eq!(imported["unchanged"], RECORDS);
    assert_eq!(imported["delisted"], 0);
    fed.stop_all().await;
}

/// A `Replication` client of node 0 as the node of agency 1.
fn as_peer(fed: &Federation) -> ReplicationClient<Channel> {
    let files = &fed.pki.agencies[1];
    let tls = ClientTls {
        ca: std::fs::read(&fed.pki.ca_cert).unwrap(),
        cert: std::fs::read(&files.node_cert).unwrap(),
        key: std::fs::read(&files.node_key).unwrap(),
    };
    let channel = transport::channel(&fed.endpoint(0), &tls, &transport::node_dns_name(fed.agency(0))).unwrap();
    ReplicationClient::new(channel).max_decoding_message_size(64 * 1024 * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_answers_each_id_once_and_within_a_byte_budget() {
    let mut fed = node_with_large_records().await;
    // The node must take FR-SBDU as a peer to answer it.
    let mut op = fed.operator(0);
    let peer = PeerEntry {
        agency: fed.agency(1).into(),
        endpoint: fed.endpoint(1),
    };
    op.add_peer(AddPeerRequest { peer: Some(peer) }).await.unwrap();
    let mut client = as_peer(&fed);

    let repeated = FetchRequest {
        collection: "shared".into(),
        ids: vec![id(7); 512],
    };
    let answer = client.fetch(repeated).await.unwrap().into_inner();
    assert_eq!(answer.records.len(), 1, "a repeated id is answered once");

    let all = FetchRequest {
        collection: "shared".into(),
        ids: (0..RECORDS).map(id).collect(),
    };
    let answer = client.fetch(all).await.expect("not refused for its size").into_inner();
    assert!(
        answer.encoded_len() <= MAX_MESSAGE / 2 + 64 * 1024,
        "{} bytes",
        answer.encoded_len()
    );
    let answered: Vec<String> = answer
        .records
        .iter()
        .map(|r| fedx::records::header_of(&r.record).unwrap().id)
        .collect();
    let expected: Vec<String> = (0..answered.len()).map(id).collect();
    assert_eq!(answered, expected, "the first ids asked, in order");
    assert!(answered.len() < RECORDS);
    fed.stop_all().await;
}
