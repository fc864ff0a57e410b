//! The bad-input catalogue (DESIGN §3–§5: "nothing a partner sends can corrupt our store,
//! forge another agency's record, or see collections it is not entitled to"; "every
//! refusal path has a test that sends the bad input and asserts the exact status code and
//! that nothing was stored"). Each bad input has its exact expected outcome, and afterwards
//! the store (record counts), the per-collection digests and the version vectors are
//! exactly as before (`Status`).
//!
//! - Local path (`Operator` service, our own operators): the exact gRPC status code, and
//!   the `fedx-refusal` reason and `fedx_refused_records_total{source="local"}` count
//!   where a record is refused.
//! - Peer path: a fake peer (`common::fake_peer`) serves as FR-SBDU and pushes
//!   hand-crafted batches to the real node DE-BAFA. Nothing is returned to the sender, so
//!   each refusal is asserted in the node's metrics (exactly one more
//!   `fedx_refused_records_total{source="peer:FR-SBDU",reason=...}` of the expected
//!   reason, nothing ingested) and audit log (`refuse:<reason>` naming the record), and
//!   the node ends the session (a batch with refusals does). The content rules are the
//!   same on both paths: those cases run on both.
//! - Anti-entropy path: some of the same records, offered by the fake peer and fetched by
//!   `Sync`.
//! - An old or duplicate version is no error and changes nothing; an equivocation is
//!   refused and kept as evidence, shown in `Status`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::fake_peer::*;
use common::*;
use fedx::config::{CollectionConfig, KeyConfig, KeyState};
use fedx::crypto::Signer;
use fedx::proto::operator_client::OperatorClient;
use fedx::proto::replication_client::ReplicationClient;
use fedx::proto::*;
use fedx::records::{Mode, RecordKind, hlc};
use fedx::transport::{self, ClientTls};
use prost::Message as _;
use tokio::time::Instant;
use tonic::transport::Channel;
use tonic::{Code, Status};

const DE: &str = "DE-BAFA";
const FR: &str = "FR-SBDU";
const SOURCE: &str = "peer:FR-SBDU";
const WAIT: Duration = Duration::from_secs(20);

/// 2019-06-01T00:00:00Z and 2020-01-01T00:00:00Z, as HLC timestamps.
fn hlc_2019() -> u64 {
    hlc::from_duration(Duration::from_secs(1_559_347_200))
}
const REVOKED_AT: &str = "2020-01-01T00:00:00Z";

fn seconds_from_now(seconds: u64) -> u64 {
    hlc::wall_clock() + hlc::from_duration(Duration::from_secs(seconds))
}

// ---------------------------------------------------------------------------------------
// The federation: DE-BAFA real, FR-SBDU the fake peer
// ---------------------------------------------------------------------------------------

struct Harness {
    fed: Federation,
    fake: FakePeer,
    op: OperatorClient<Channel>,
    /// FR-SBDU-OLD: listed as revoked at 2020-01-01.
    revoked: Signer,
    /// FR-SBDU-LOST: listed as revoked, without a date (nothing it signed verifies).
    revoked_all: Signer,
    /// A key nobody lists, with the id of FR-SBDU's real key (FR-SBDU-1).
    stranger: Signer,
    /// The last session the node ended: later sessions are new.
    closed_session: u64,
    /// Bad inputs walked so far (for the report).
    walked: Vec<String>,
}

fn extra_key(dir: &Path, id: &str) -> (Signer, String) {
    std::fs::create_dir_all(dir).unwrap();
    let (pem, public) = fedx::crypto::generate_signing_key().unwrap();
    let path = dir.join(format!("{id}.pem"));
    std::fs::write(&path, pem).unwrap();
    (Signer::load(&path, id).unwrap(), public)
}

fn collection(name: &str, writers: &[&str], readers: &[&str]) -> CollectionConfig {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    CollectionConfig {
        name: name.into(),
        kind: RecordKind::LicenseDenial,
        mode: Mode::Owner,
        writers: names(writers),
        readers: names(readers),
    }
}

/// DE-BAFA (node 0, real) peers with FR-SBDU (the fake peer). Besides the usual
/// collections, node 0 knows `de-only` (only DE-BAFA writes), `fr-only` (only FR-SBDU
/// writes, both read) and `fr-private` (FR-SBDU only: node 0 does not hold it), and two
/// revoked keys of FR-SBDU. Periodic anti-entropy is off (one round at start).
async fn harness() -> Harness {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    let dir = fed.dir.path().join("extra-keys");
    let (revoked, revoked_public) = extra_key(&dir, "FR-SBDU-OLD");
    let (revoked_all, lost_public) = extra_key(&dir, "FR-SBDU-LOST");
    let (stranger, _) = extra_key(&dir.join("stranger"), "FR-SBDU-1");
    let config = &mut fed.configs[0];
    config.anti_entropy_interval = Duration::from_secs(3600);
    config.collections.extend([
        collection("de-only", &[DE], &[DE, FR]),
        collection("fr-only", &[FR], &[DE, FR]),
        collection("fr-private", &[FR], &[FR]),
    ]);
    let fr = config.members.iter_mut().find(|m| m.agency == FR).unwrap();
    fr.keys.push(KeyConfig {
        id: "FR-SBDU-OLD".into(),
        public_key: revoked_public,
        status: KeyState::Revoked,
        revoked_at: Some(REVOKED_AT.into()),
    });
    fr.keys.push(KeyConfig {
        id: "FR-SBDU-LOST".into(),
        public_key: lost_public,
        status: KeyState::Revoked,
        revoked_at: None,
    });
    let fake = FakePeer::start(&mut fed, 1).await;
    fed.start(0).await;
    let op = fed.operator(0);
    Harness {
        fed,
        fake,
        op,
        revoked,
        revoked_all,
        stranger,
        closed_session: 0,
        walked: Vec::new(),
    }
}

type Counters = BTreeMap<String, u64>;

fn delta(before: &Counters, after: &Counters) -> Counters {
    after
        .iter()
        .map(|(k, n)| (k.clone(), n - before.get(k).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn counters_of(expected: &[(&str, u64)]) -> Counters {
    expected.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

impl Harness {
    /// What node 0 counted from the peer: `refused:<reason>`, `stored`, `duplicate`.
    async fn counters(&self) -> Counters {
        let text = scrape(&self.fed, 0).await;
        let mut counters: Counters = refusals(&text, SOURCE)
            .into_iter()
            .map(|(reason, n)| (format!("refused:{reason}"), n))
            .collect();
        let (stored, duplicates) = ingested(&text, FR);
        counters.insert("stored".into(), stored);
        counters.insert("duplicate".into(), duplicates);
        counters
    }

    async fn local_refusals(&self) -> BTreeMap<String, u64> {
        refusals(&scrape(&self.fed, 0).await, "local")
    }

    /// Pushes `records` as one batch and waits until node 0's counters have moved by
    /// exactly `expected` (failing at once on anything else); returns the session. If the
    /// node dropped the session unread (a link being restarted), pushes on the next one.
    async fn deliver(&mut self, what: &str, records: Vec<SignedRecord>, expected: &[(&str, u64)]) -> Arc<Session> {
        let expected = counters_of(expected);
        let before = self.counters().await;
        for _attempt in 0..3 {
            let session = self.fake.session_after(self.closed_session, WAIT).await;
            let deadline = Instant::now() + WAIT;
            if self.fake.push_on(&session, batch(records.clone())).await {
                loop {
                    // Counters move before the node ends a session, so read `closed` first.
                    let closed = session.is_closed();
                    let got = delta(&before, &self.counters().await);
                    if got == expected {
                        return session;
                    }
                    let exceeded = got.iter().any(|(k, n)| expected.get(k).is_none_or(|e| n > e));
                    assert!(!exceeded, "{what}: expected {expected:?}, node 0 counted {got:?}");
                    if closed && got.is_empty() {
                        break;
                    }
                    assert!(
                        Instant::now() < deadline,
                        "{what}: expected {expected:?} within {WAIT:?}, node 0 counted {got:?}"
                    );
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
            }
            self.closed_session = self.closed_session.max(session.id);
        }
        panic!("{what}: node 0 never read the batch");
    }

    /// After a refusal the node ends the session and backs off; re-pointing the peer
    /// (`AddPeer`, same endpoint) restarts the link at once.
    async fn restart_link(&mut self, what: &str, session: &Session) {
        tokio::time::timeout(WAIT, self.fake.wait_closed(session, WAIT))
            .await
            .unwrap_or_else(|_| panic!("{what}: node 0 kept the session open after a refusal"));
        self.closed_session = self.closed_session.max(session.id);
        let peer = Some(PeerEntry {
            agency: FR.into(),
            endpoint: self.fake.endpoint(),
        });
        self.op.add_peer(AddPeerRequest { peer }).await.unwrap();
    }

    /// The first audit entry after `after` by the peer with `action`.
    async fn audited(&mut self, what: &str, after: u64, action: &str) -> AuditEntry {
        let op = self.op.clone();
        eventually(&format!("{what}: audit {action}"), WAIT, || {
            let mut op = op.clone();
            async move {
                audit_after(&mut op, after)
                    .await
                    .into_iter()
                    .find(|e| e.actor == SOURCE && e.action == action)
            }
        })
        .await
    }

    /// A record from the peer that must be refused for `reason`, audited with `target`
    /// (`collection/id`, or "" when the bytes do not decode that far), and change nothing.
    async fn refuse_from_peer(&mut self, what: &str, record: SignedRecord, reason: &str, target: &str) {
        self.refuse_batch_from_peer(what, vec![record], reason, target).await;
    }

    /// A batch from the peer that must be refused once for `reason` (audited with
    /// `target`), storing nothing.
    async fn refuse_batch_from_peer(&mut self, what: &str, records: Vec<SignedRecord>, reason: &str, target: &str) {
        let before = store_state(&mut self.op).await;
        let audit = audit_head(&mut self.op).await;
        let expected = format!("refused:{reason}");
        let session = self.deliver(what, records, &[(expected.as_str(), 1)]).await;
        let entry = self.audited(what, audit, &format!("refuse:{reason}")).await;
        assert_eq!(entry.target, target, "{what}: audit target");
        assert_eq!(store_state(&mut self.op).await, before, "{what}: the store changed");
        self.restart_link(what, &session).await;
        self.walked.push(format!("peer: {what} -> {reason}"));
    }

    /// A record offered by the peer to anti-entropy, fetched by `Sync`: refused for
    /// `reason`, nothing stored.
    async fn refuse_from_sync(
        &mut self,
        what: &str,
        collection: &str,
        record: SignedRecord,
        reason: &str,
        target: &str,
    ) {
        let before = store_state(&mut self.op).await;
        let counted = self.counters().await;
        let audit = audit_head(&mut self.op).await;
        self.fake.offer(collection, vec![record]);
        let synced = self
            .op
            .sync(SyncRequest { peer: FR.into() })
            .await
            .unwrap()
            .into_inner();
        self.fake.offer(collection, vec![]);
        let peer = &synced.peers[0];
        let sync = peer
            .collections
            .iter()
            .find(|c| c.collection == collection)
            .unwrap_or_else(|| panic!("{what}: no sync of {collection}: {synced:?}"));
        assert_eq!((sync.fetched, sync.stored), (1, 0), "{what}: {synced:?}");
        let got = delta(&counted, &self.counters().await);
        assert_eq!(got, counters_of(&[(format!("refused:{reason}").as_str(), 1)]), "{what}");
        let entry = self.audited(what, audit, &format!("refuse:{reason}")).await;
        assert_eq!(entry.target, target, "{what}: audit target");
        assert_eq!(store_state(&mut self.op).await, before, "{what}: the store changed");
        self.walked.push(format!("anti-entropy: {what} -> {reason}"));
    }

    /// A local call that must fail with `code` (and, for a refused record, the
    /// `fedx-refusal` reason, counted once in the local refusal metric), changing nothing.
    async fn refuse_local(&mut self, what: &str, call: Call, code: Code, reason: Option<&str>) {
        let before = store_state(&mut self.op).await;
        let counted = self.local_refusals().await;
        let status = self
            .call(call)
            .await
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted"));
        assert_eq!(status.code(), code, "{what}: {status:?}");
        let refusal = status
            .metadata()
            .get(fedx::api::status::REFUSAL_METADATA)
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(refusal.as_deref(), reason, "{what}: {status:?}");
        if let Some(reason) = reason {
            let got: Vec<_> = delta(&counted, &self.local_refusals().await).into_iter().collect();
            assert_eq!(got, vec![(reason.to_string(), 1)], "{what}: local refusal metric");
        }
        assert_eq!(store_state(&mut self.op).await, before, "{what}: the store changed");
        self.walked
            .push(format!("local: {what} -> {code:?} {}", reason.unwrap_or("")));
    }

    async fn call(&self, call: Call) -> Result<(), Status> {
        let mut op = self.op.clone();
        let files = &self.fed.pki.agencies;
        match call {
            Call::Put(request) => op.put(request).await.map(drop),
            Call::BatchPut(puts) => op.batch_put(BatchPutRequest { puts }).await.map(drop),
            Call::Revoke(collection, id) => op
                .revoke(RevokeRequest {
                    collection: collection.into(),
                    id,
                })
                .await
                .map(drop),
            Call::Delete(collection, id) => op
                .delete(DeleteRequest {
                    collection: collection.into(),
                    id,
                })
                .await
                .map(drop),
            Call::Get(collection, id) => op
                .get(GetRequest {
                    collection: collection.into(),
                    id,
                })
                .await
                .map(drop),
            Call::List(request) => op.list(request).await.map(drop),
            Call::Screen(request) => op.screen(request).await.map(drop),
            Call::ScreenBatch(requests) => {
                let mut responses = op.screen_batch(tokio_stream::iter(requests)).await?.into_inner();
                loop {
                    match responses.message().await? {
                        Some(_) => continue,
                        None => return Ok(()),
                    }
                }
            }
            Call::AddPeer(peer) => op.add_peer(AddPeerRequest { peer }).await.map(drop),
            Call::RemovePeer(agency) => op.remove_peer(RemovePeerRequest { agency }).await.map(drop),
            Call::Sync(peer) => op.sync(SyncRequest { peer }).await.map(drop),
            Call::PutAsPeerNode(request) => {
                let mut client =
                    self.fed
                        .client_with(0, &self.fed.pki.ca_cert, &files[1].node_cert, &files[1].node_key);
                client.put(request).await.map(drop)
            }
            Call::StatusAsPeerNode => {
                let mut client =
                    self.fed
                        .client_with(0, &self.fed.pki.ca_cert, &files[1].node_cert, &files[1].node_key);
                client.status(StatusRequest {}).await.map(drop)
            }
            Call::PutAsPartnerOperator(request) => {
                let (cert, key) = (&files[1].operator_cert, &files[1].operator_key);
                let mut client = self.fed.client_with(0, &self.fed.pki.ca_cert, cert, key);
                client.put(request).await.map(drop)
            }
            Call::ReplicateAsOperator => {
                let mut client = self.replication_as(&files[0].operator_cert, &files[0].operator_key);
                let wants = tokio_stream::iter(vec![Want::default()]);
                client.replicate(wants).await.map(drop)
            }
            Call::Summarize(request) => {
                let mut client = self.replication_as(&files[1].node_cert, &files[1].node_key);
                client.summarize(request).await.map(drop)
            }
            Call::Fetch(request) => {
                let mut client = self.replication_as(&files[1].node_cert, &files[1].node_key);
                client.fetch(request).await.map(drop)
            }
        }
    }

    /// A `Replication` client of node 0 with the given certificate.
    fn replication_as(&self, cert: &Path, key: &Path) -> ReplicationClient<Channel> {
        let tls = ClientTls {
            ca: std::fs::read(&self.fed.pki.ca_cert).unwrap(),
            cert: std::fs::read(cert).unwrap(),
            key: std::fs::read(key).unwrap(),
        };
        let channel = transport::channel(&self.fed.endpoint(0), &tls, &transport::node_dns_name(DE)).unwrap();
        ReplicationClient::new(channel)
    }

    /// Records of both agencies to protect: ours (one revoked, one deleted) and the
    /// partner's through the fake peer (one signed with a since-revoked key before its
    /// revocation, which still verifies).
    async fn seed(&mut self) {
        let puts = [
            ("denials", "DE-BAFA/SEED-1", denial("SEED-1")),
            ("denials", "DE-BAFA/REVOKED", denial("REVOKED")),
            ("denials", "DE-BAFA/GONE", denial("GONE")),
            ("shared", "W-1", watchlist_entry("Seed Holdings")),
            ("restricted", "DE-BAFA/C-1", end_use_check()),
            ("de-only", "DE-BAFA/D-1", denial("D-1")),
        ];
        for (collection, id, body) in puts {
            self.op.put(put(collection, id, body)).await.unwrap();
        }
        let revoke = RevokeRequest {
            collection: "denials".into(),
            id: "DE-BAFA/REVOKED".into(),
        };
        self.op.revoke(revoke).await.unwrap();
        let delete = DeleteRequest {
            collection: "denials".into(),
            id: "DE-BAFA/GONE".into(),
        };
        self.op.delete(delete).await.unwrap();

        let f = &self.fake;
        let mut old = f.record("denials", "FR-SBDU/OLD-1", 3, denial("OLD-1"));
        let header = old.header.as_mut().unwrap();
        header.hlc = hlc_2019();
        header.key_id = "FR-SBDU-OLD".into();
        let records = vec![
            f.sign(&f.record("denials", "FR-SBDU/SEED-1", 1, denial("FR-1"))),
            f.sign(&f.record("denials", "FR-SBDU/SEED-2", 2, denial("FR-2"))),
            sign_record(&self.revoked, &old),
            f.sign(&f.record("shared", "FR-W-1", 1, watchlist_entry("Seed Trading"))),
            f.sign(&f.record("fr-only", "FR-SBDU/O-1", 1, denial("O-1"))),
        ];
        self.deliver("seed", records, &[("stored", 5)]).await;
        let state = store_state(&mut self.op).await;
        assert_eq!(state.seq("denials", FR), 3, "{state:?}");
        assert_eq!(state.seq("denials", DE), 5, "{state:?}");
        assert_eq!(state.records("denials"), 6, "{state:?}");
        assert!(get(&mut self.op, "denials", "FR-SBDU/OLD-1").await.is_some());
        // The fake peer is talking to the node we expect, over mTLS.
        assert!(
            self.fake.callers().iter().all(|c| c == "peer:DE-BAFA"),
            "{:?}",
            self.fake.callers()
        );
    }
}

enum Call {
    Put(PutRequest),
    BatchPut(Vec<PutRequest>),
    Revoke(&'static str, String),
    Delete(&'static str, String),
    Get(&'static str, String),
    List(ListRequest),
    Screen(ScreenRequest),
    ScreenBatch(Vec<ScreenRequest>),
    AddPeer(Option<PeerEntry>),
    RemovePeer(String),
    Sync(String),
    PutAsPeerNode(PutRequest),
    StatusAsPeerNode,
    PutAsPartnerOperator(PutRequest),
    ReplicateAsOperator,
    Summarize(SummaryRequest),
    Fetch(FetchRequest),
}

// ---------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------

fn denial_with(reference: &str, mutate: impl FnOnce(&mut LicenseDenial)) -> RecordBody {
    let mut body = denial(reference);
    if let Some(record_body::Kind::LicenseDenial(d)) = &mut body.kind {
        mutate(d);
    }
    body
}

fn consignee(d: &mut LicenseDenial) -> &mut Party {
    d.consignee.as_mut().unwrap()
}

fn announcement(key_id: &str, public_key: &str, previous_key_id: &str) -> RecordBody {
    RecordBody {
        kind: Some(record_body::Kind::KeyAnnouncement(KeyAnnouncement {
            key_id: key_id.into(),
            public_key: public_key.into(),
            previous_key_id: previous_key_id.into(),
        })),
    }
}

/// A bad record that could come from either path: written by `own`, about `other`;
/// `not_writable` is a collection `own` may read but not write.
struct Content {
    what: &'static str,
    collection: &'static str,
    id: String,
    body: Option<RecordBody>,
    reason: &'static str,
}

fn content_cases(own: &str, other: &str, not_writable: &'static str) -> Vec<Content> {
    let case = |what, collection, id: String, body: Option<RecordBody>, reason| Content {
        what,
        collection,
        id,
        body,
        reason,
    };
    let d = |id: &str| Some(denial(id));
    let id = |n: u32| format!("{own}/C-{n}");
    // Every entry under 256 characters, the record over 64 KiB.
    let long_entries: Vec<String> = (0..300).map(|i| format!("{i:03}{}", "A".repeat(247))).collect();
    vec![
        case("unknown collection", "nope", id(1), d("C-1"), "unknown_collection"),
        case(
            "a collection this node may not read",
            "fr-private",
            id(2),
            d("C-2"),
            "unknown_collection",
        ),
        case(
            "author not a writer of the collection",
            not_writable,
            id(3),
            d("C-3"),
            "not_writer",
        ),
        case(
            "owner-mode id of another agency",
            "denials",
            format!("{other}/C-4"),
            d("C-4"),
            "foreign_id",
        ),
        case(
            "owner-mode id without an agency",
            "denials",
            "C-5".into(),
            d("C-5"),
            "foreign_id",
        ),
        case(
            "owner-mode id that is only the agency",
            "denials",
            format!("{own}/"),
            d("C-6"),
            "foreign_id",
        ),
        case(
            "owner-mode id with a longer agency prefix",
            "denials",
            format!("{own}X/C-7"),
            d("C-7"),
            "foreign_id",
        ),
        case("empty id", "denials", String::new(), d("C-8"), "invalid_content"),
        case(
            "control character in the id",
            "denials",
            format!("{own}/C\u{0}9"),
            d("C-9"),
            "invalid_content",
        ),
        case(
            "id over 256 bytes",
            "denials",
            format!("{own}/{}", "9".repeat(250)),
            d("C-10"),
            "invalid_content",
        ),
        case(
            "id with trailing whitespace",
            "denials",
            format!("{own}/C-11 "),
            d("C-11"),
            "invalid_content",
        ),
        case(
            "body of the wrong kind for the collection",
            "denials",
            id(12),
            Some(watchlist_entry("Wrong Kind")),
            "invalid_content",
        ),
        case("no body", "denials", id(13), None, "invalid_content"),
        case(
            "empty body (no kind)",
            "denials",
            id(14),
            Some(RecordBody::default()),
            "invalid_content",
        ),
        case(
            "missing required field (consignee)",
            "denials",
            id(15),
            Some(denial_with("C-15", |d| d.consignee = None)),
            "invalid_content",
        ),
        case(
            "invalid country code",
            "denials",
            id(16),
            Some(denial_with("C-16", |d| d.destination_country = "XX".into())),
            "invalid_content",
        ),
        case(
            "invalid date",
            "denials",
            id(17),
            Some(denial_with("C-17", |d| d.decision_date = "2026-02-30".into())),
            "invalid_content",
        ),
        case(
            "date with a time",
            "denials",
            id(18),
            Some(denial_with("C-18", |d| d.decision_date = "2026-03-14T00:00:00Z".into())),
            "invalid_content",
        ),
        case(
            "review date before the decision",
            "denials",
            id(19),
            Some(denial_with("C-19", |d| d.review_due_date = "2026-03-13".into())),
            "invalid_content",
        ),
        case(
            "unknown enum value",
            "denials",
            id(20),
            Some(denial_with("C-20", |d| d.regime = 42)),
            "invalid_content",
        ),
        case(
            "required enum unspecified",
            "denials",
            id(21),
            Some(denial_with("C-21", |d| d.action = 0)),
            "invalid_content",
        ),
        case(
            "two primary names",
            "denials",
            id(22),
            Some(denial_with("C-22", |d| {
                let primary = consignee(d).names[0].clone();
                consignee(d).names.push(primary);
            })),
            "invalid_content",
        ),
        case(
            "birth date of an organisation",
            "denials",
            id(23),
            Some(denial_with("C-23", |d| {
                consignee(d).birth_dates.push("1970-01-01".into())
            })),
            "invalid_content",
        ),
        case(
            "text over 8192 characters",
            "denials",
            id(24),
            Some(denial_with("C-24", |d| d.reason = "x".repeat(8193))),
            "invalid_content",
        ),
        case(
            "key announcement in a denial collection",
            "denials",
            id(25),
            Some(announcement("K-2", "AAAA", "K-1")),
            "invalid_content",
        ),
        case(
            "oversize record (valid fields, over 64 KiB)",
            "denials",
            id(26),
            Some(denial_with("C-26", |d| d.control_list_entries = long_entries)),
            "oversize",
        ),
    ]
}

/// The status code a local refusal gets (DESIGN §7: identity and write permission are
/// PermissionDenied, bad input InvalidArgument).
fn local_code(reason: &str) -> Code {
    match reason {
        "not_writer" | "foreign_id" => Code::PermissionDenied,
        _ => Code::InvalidArgument,
    }
}

// ---------------------------------------------------------------------------------------
// Local path
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_from_our_operators_gets_the_exact_code_and_changes_nothing() {
    let started = std::time::Instant::now();
    let mut h = harness().await;
    h.seed().await;
    let base = store_state(&mut h.op).await;

    for c in content_cases(DE, FR, "fr-only") {
        let request = PutRequest {
            collection: c.collection.into(),
            id: c.id,
            body: c.body,
        };
        h.refuse_local(c.what, Call::Put(request), local_code(c.reason), Some(c.reason))
            .await;
    }

    let s = |v: &str| v.to_string();
    let screen = |name: &str| ScreenRequest {
        name: name.into(),
        ..Default::default()
    };
    let peer = |agency: &str, endpoint: &str| {
        Some(PeerEntry {
            agency: agency.into(),
            endpoint: endpoint.into(),
        })
    };
    let fr_endpoint = h.fake.endpoint();
    let batch_limit = h.fed.configs[0].limits.batch_records;
    let cases: Vec<(&str, Call, Code, Option<&str>)> = vec![
        (
            "put into the built-in _keys collection",
            Call::Put(put("_keys", "DE-BAFA/K-9", announcement("K-9", "AAAA", "DE-BAFA-1"))),
            Code::PermissionDenied,
            Some("not_writer"),
        ),
        (
            "batch put with one bad record in the middle",
            Call::BatchPut(vec![
                put("denials", "DE-BAFA/B-1", denial("B-1")),
                put(
                    "denials",
                    "DE-BAFA/B-2",
                    denial_with("B-2", |d| d.destination_country = "XX".into()),
                ),
                put("denials", "DE-BAFA/B-3", denial("B-3")),
            ]),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "batch put with a partner's id last",
            Call::BatchPut(vec![
                put("denials", "DE-BAFA/B-4", denial("B-4")),
                put("denials", "FR-SBDU/B-5", denial("B-5")),
            ]),
            Code::PermissionDenied,
            Some("foreign_id"),
        ),
        (
            "batch put over the batch limit",
            Call::BatchPut(
                (0..=batch_limit)
                    .map(|i| put("denials", &format!("DE-BAFA/L-{i}"), denial("L")))
                    .collect(),
            ),
            Code::InvalidArgument,
            None,
        ),
        (
            "revoke an id that does not exist",
            Call::Revoke("denials", s("DE-BAFA/NONE")),
            Code::NotFound,
            None,
        ),
        (
            "revoke what is already revoked",
            Call::Revoke("denials", s("DE-BAFA/REVOKED")),
            Code::FailedPrecondition,
            None,
        ),
        (
            "revoke a deleted record",
            Call::Revoke("denials", s("DE-BAFA/GONE")),
            Code::FailedPrecondition,
            None,
        ),
        (
            "revoke a partner's denial",
            Call::Revoke("denials", s("FR-SBDU/SEED-1")),
            Code::PermissionDenied,
            Some("foreign_id"),
        ),
        (
            "revoke in an unknown collection",
            Call::Revoke("nope", s("DE-BAFA/SEED-1")),
            Code::InvalidArgument,
            Some("unknown_collection"),
        ),
        (
            "revoke in a collection we may not write",
            Call::Revoke("fr-only", s("FR-SBDU/O-1")),
            Code::PermissionDenied,
            Some("not_writer"),
        ),
        (
            "delete an id that does not exist",
            Call::Delete("denials", s("DE-BAFA/NONE")),
            Code::NotFound,
            None,
        ),
        (
            "delete what is already deleted",
            Call::Delete("denials", s("DE-BAFA/GONE")),
            Code::FailedPrecondition,
            None,
        ),
        (
            "delete a partner's denial",
            Call::Delete("denials", s("FR-SBDU/SEED-1")),
            Code::PermissionDenied,
            Some("foreign_id"),
        ),
        (
            "delete with an empty id",
            Call::Delete("denials", String::new()),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "get an id that does not exist",
            Call::Get("denials", s("DE-BAFA/NONE")),
            Code::NotFound,
            None,
        ),
        (
            "get in an unknown collection",
            Call::Get("nope", s("DE-BAFA/SEED-1")),
            Code::NotFound,
            None,
        ),
        (
            "list an unknown collection",
            Call::List(ListRequest {
                collection: s("nope"),
                ..Default::default()
            }),
            Code::NotFound,
            None,
        ),
        (
            "screen an empty name",
            Call::Screen(screen("  ")),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "screen with an invalid country",
            Call::Screen(ScreenRequest {
                country: s("XX"),
                ..screen("Acme")
            }),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "screen with min_score above 1",
            Call::Screen(ScreenRequest {
                min_score: 1.5,
                ..screen("Acme")
            }),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "screen with min_score NaN",
            Call::Screen(ScreenRequest {
                min_score: f64::NAN,
                ..screen("Acme")
            }),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "screen with a limit over 100",
            Call::Screen(ScreenRequest {
                limit: 101,
                ..screen("Acme")
            }),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "screen a name over 512 bytes",
            Call::Screen(screen(&"Acme ".repeat(103))),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "screen batch with a bad second request",
            Call::ScreenBatch(vec![screen("Acme"), screen("")]),
            Code::InvalidArgument,
            Some("invalid_content"),
        ),
        (
            "add a peer without a peer",
            Call::AddPeer(None),
            Code::InvalidArgument,
            None,
        ),
        (
            "add a peer at a plaintext endpoint",
            Call::AddPeer(peer(FR, &fr_endpoint.replace("https://", "http://"))),
            Code::InvalidArgument,
            None,
        ),
        (
            "add a peer without a port or scheme",
            Call::AddPeer(peer(FR, "127.0.0.1")),
            Code::InvalidArgument,
            None,
        ),
        (
            "add a peer that is not a member",
            Call::AddPeer(peer("XX-EVIL", "https://127.0.0.1:1")),
            Code::InvalidArgument,
            None,
        ),
        (
            "add ourselves as a peer",
            Call::AddPeer(peer(DE, "https://127.0.0.1:1")),
            Code::InvalidArgument,
            None,
        ),
        (
            "remove a peer that is not one",
            Call::RemovePeer(s("NL-CDIU")),
            Code::NotFound,
            None,
        ),
        (
            "sync with a peer that is not one",
            Call::Sync(s("NL-CDIU")),
            Code::NotFound,
            None,
        ),
        (
            "put with a partner node's certificate",
            Call::PutAsPeerNode(put("denials", "FR-SBDU/X-1", denial("X-1"))),
            Code::PermissionDenied,
            None,
        ),
        (
            "status with a partner node's certificate",
            Call::StatusAsPeerNode,
            Code::PermissionDenied,
            None,
        ),
        (
            "put with a partner operator's certificate",
            Call::PutAsPartnerOperator(put("denials", "FR-SBDU/X-2", denial("X-2"))),
            Code::PermissionDenied,
            None,
        ),
        (
            "replicate with our operator's certificate",
            Call::ReplicateAsOperator,
            Code::PermissionDenied,
            None,
        ),
        (
            "peer summarizes an unknown collection",
            Call::Summarize(SummaryRequest {
                collection: s("nope"),
                ..Default::default()
            }),
            Code::NotFound,
            None,
        ),
        (
            "peer summarizes a collection this node does not hold",
            Call::Summarize(SummaryRequest {
                collection: s("fr-private"),
                ..Default::default()
            }),
            Code::NotFound,
            None,
        ),
        (
            "peer summarizes more than 256 buckets",
            Call::Summarize(SummaryRequest {
                collection: s("denials"),
                buckets: (0..257).collect(),
                fingerprints: false,
            }),
            Code::InvalidArgument,
            None,
        ),
        (
            "peer fetches more ids than a batch holds",
            Call::Fetch(FetchRequest {
                collection: s("denials"),
                ids: (0..=batch_limit).map(|i| format!("DE-BAFA/{i}")).collect(),
            }),
            Code::InvalidArgument,
            None,
        ),
        (
            "peer fetches from an unknown collection",
            Call::Fetch(FetchRequest {
                collection: s("nope"),
                ids: vec![s("DE-BAFA/SEED-1")],
            }),
            Code::NotFound,
            None,
        ),
    ];
    for (what, call, code, reason) in cases {
        h.refuse_local(what, call, code, reason).await;
    }

    assert_eq!(store_state(&mut h.op).await, base);
    let walked = h.walked.len();
    eprintln!(
        "{walked} bad inputs on the local path in {:.1}s:\n{}",
        started.elapsed().as_secs_f64(),
        h.walked.join("\n")
    );
    assert!(walked >= 40, "{walked}");
    h.fed.stop_all().await;
}

// ---------------------------------------------------------------------------------------
// Peer path
// ---------------------------------------------------------------------------------------

/// Replaces the header of a record (built by the fake peer), keeping the body.
fn with_header(mut record: Record, change: impl FnOnce(&mut RecordHeader)) -> Record {
    change(record.header.as_mut().unwrap());
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_from_a_peer_is_refused_with_its_reason_and_changes_nothing() {
    let started = std::time::Instant::now();
    let mut h = harness().await;
    h.seed().await;
    let base = store_state(&mut h.op).await;
    let members = h.op.list_members(ListMembersRequest {}).await.unwrap().into_inner();

    let mut cases: Vec<(String, SignedRecord, &str, String)> = Vec::new();
    // The content rules of the local path, on records FR-SBDU signed.
    for c in content_cases(FR, DE, "de-only") {
        let f = &h.fake;
        let record = Record {
            header: Some(f.header(c.collection, &c.id, base.seq(c.collection, FR) + 1)),
            body: c.body,
        };
        let target = format!("{}/{}", c.collection, c.id);
        cases.push((c.what.to_string(), f.sign(&record), c.reason, target));
    }

    let f = &h.fake;
    let seq = base.seq("denials", FR) + 1;
    let good = |id: &str| f.record("denials", id, seq, denial(id));
    let target = |id: &str| format!("denials/{id}");
    let mut add = |what: &str, record: SignedRecord, reason: &'static str, target: String| {
        cases.push((what.to_string(), record, reason, target));
    };

    // Signatures.
    let mut flipped = f.sign(&good("FR-SBDU/P-1"));
    flipped.signature[10] ^= 0x01;
    add(
        "signature with one bit flipped",
        flipped,
        "bad_signature",
        target("FR-SBDU/P-1"),
    );
    let mut short = f.sign(&good("FR-SBDU/P-2"));
    short.signature.truncate(63);
    add("signature of 63 bytes", short, "bad_signature", target("FR-SBDU/P-2"));
    let mut unsigned = f.sign(&good("FR-SBDU/P-3"));
    unsigned.signature.clear();
    add("no signature", unsigned, "bad_signature", target("FR-SBDU/P-3"));
    let replayed = SignedRecord {
        record: good("FR-SBDU/P-4").encode_to_vec(),
        signature: f.sign(&good("FR-SBDU/P-4b")).signature,
    };
    add(
        "signature of another record (replayed)",
        replayed,
        "bad_signature",
        target("FR-SBDU/P-4"),
    );
    let mut altered = f.sign(&good("FR-SBDU/P-5"));
    // The last byte is the denial's status (field 16, the last): ACTIVE becomes AMENDED.
    *altered.record.last_mut().unwrap() = DenialStatus::Amended as u8;
    match Record::decode(altered.record.as_slice()).unwrap().body.unwrap().kind {
        Some(record_body::Kind::LicenseDenial(d)) => assert_eq!(d.status, DenialStatus::Amended as i32),
        other => panic!("{other:?}"),
    }
    add(
        "bytes altered after signing (status changed)",
        altered,
        "bad_signature",
        target("FR-SBDU/P-5"),
    );
    add(
        "signed by a key nobody lists, under FR-SBDU's key id",
        sign_record(&h.stranger, &good("FR-SBDU/P-6")),
        "bad_signature",
        target("FR-SBDU/P-6"),
    );
    let forged = with_header(good("DE-BAFA/P-7"), |header| {
        header.author = DE.into();
        header.key_id = "DE-BAFA-1".into();
        header.seq = base.seq("denials", DE) + 1;
    });
    add(
        "forged as our own agency (DE-BAFA's key id, FR-SBDU's signature)",
        f.sign(&forged),
        "bad_signature",
        target("DE-BAFA/P-7"),
    );
    // Authors and keys.
    let borrowed = with_header(good("FR-SBDU/P-8"), |header| header.key_id = "DE-BAFA-1".into());
    add(
        "another agency's key id",
        f.sign(&borrowed),
        "unknown_key",
        target("FR-SBDU/P-8"),
    );
    let unknown_key = with_header(good("FR-SBDU/P-9"), |header| header.key_id = "FR-SBDU-9".into());
    add(
        "unknown key id",
        f.sign(&unknown_key),
        "unknown_key",
        target("FR-SBDU/P-9"),
    );
    let stranger = with_header(good("XX-EVIL/P-10"), |header| {
        header.author = "XX-EVIL".into();
        header.key_id = "XX-EVIL-1".into();
        header.seq = 1;
    });
    add(
        "unknown author",
        f.sign(&stranger),
        "unknown_author",
        target("XX-EVIL/P-10"),
    );
    let revoked = with_header(good("FR-SBDU/P-11"), |header| header.key_id = "FR-SBDU-OLD".into());
    add(
        "key revoked (revoked_at in the past), record stamped now",
        sign_record(&h.revoked, &revoked),
        "revoked_key",
        target("FR-SBDU/P-11"),
    );
    let lost = with_header(good("FR-SBDU/P-12"), |header| {
        header.key_id = "FR-SBDU-LOST".into();
        header.hlc = hlc_2019();
    });
    add(
        "key revoked without a date, record stamped 2019",
        sign_record(&h.revoked_all, &lost),
        "revoked_key",
        target("FR-SBDU/P-12"),
    );
    // Time.
    for (what, id, stamp) in [
        (
            "timestamp 5 minutes ahead (max_clock_skew 60 s)",
            "FR-SBDU/P-13",
            seconds_from_now(300),
        ),
        (
            "timestamp 10 years ahead",
            "FR-SBDU/P-14",
            seconds_from_now(10 * 365 * 86_400),
        ),
        ("timestamp u64::MAX", "FR-SBDU/P-15", u64::MAX),
    ] {
        let record = with_header(good(id), |header| header.hlc = stamp);
        add(what, f.sign(&record), "future_timestamp", target(id));
    }
    // Bytes.
    add(
        "garbage bytes",
        f.sign_bytes(vec![0xff; 64]),
        "malformed",
        String::new(),
    );
    let bytes = good("FR-SBDU/P-17").encode_to_vec();
    add(
        "record truncated by one byte",
        f.sign_bytes(bytes[..bytes.len() - 1].to_vec()),
        "malformed",
        String::new(),
    );
    add(
        "record truncated to half",
        f.sign_bytes(bytes[..bytes.len() / 2].to_vec()),
        "malformed",
        String::new(),
    );
    add("empty record bytes", f.sign_bytes(vec![]), "malformed", String::new());
    let mut bad_utf8 = good("FR-SBDU/P-UTF8").encode_to_vec();
    let at = bad_utf8.windows(4).position(|w| w == b"UTF8").unwrap();
    bad_utf8[at] = 0xff;
    add(
        "invalid UTF-8 in the id",
        f.sign_bytes(bad_utf8),
        "malformed",
        String::new(),
    );
    let headless = Record {
        header: None,
        body: Some(denial("P-19")),
    };
    add("body without a header", f.sign(&headless), "malformed", String::new());
    // Header fields.
    type Change = fn(&mut RecordHeader);
    let missing: [(&str, &str, Change); 5] = [
        ("header without a collection", "FR-SBDU/P-20", |h| h.collection.clear()),
        ("header without an author", "FR-SBDU/P-21", |h| h.author.clear()),
        ("header without a key id", "FR-SBDU/P-22", |h| h.key_id.clear()),
        ("header with sequence number 0", "FR-SBDU/P-23", |h| h.seq = 0),
        ("header with timestamp 0", "FR-SBDU/P-24", |h| h.hlc = 0),
    ];
    for (what, id, change) in missing {
        let record = with_header(good(id), change);
        let target = format!("{}/{id}", record.header.as_ref().unwrap().collection);
        add(what, f.sign(&record), "malformed", target);
    }
    for (what, id, version) in [
        ("unknown schema version 2", "FR-SBDU/P-25", 2),
        ("schema version 0", "FR-SBDU/P-26", 0),
    ] {
        let record = with_header(good(id), |header| header.schema_version = version);
        add(what, f.sign(&record), "unknown_schema", target(id));
    }
    let tombstone = with_header(good("FR-SBDU/P-27"), |header| header.tombstone = true);
    add(
        "tombstone carrying a body",
        f.sign(&tombstone),
        "malformed",
        target("FR-SBDU/P-27"),
    );
    let lower = f.record(
        "denials",
        "FR-SBDU/P-28",
        seq,
        denial_with("P-28", |d| d.destination_country = "ae".into()),
    );
    add(
        "lower-case country code (signed bytes are never normalised)",
        f.sign(&lower),
        "invalid_content",
        target("FR-SBDU/P-28"),
    );
    // Key announcements (the built-in _keys collection).
    let (_, new_public) = fedx::crypto::generate_signing_key().unwrap();
    let weak = {
        use base64::Engine as _;
        let mut identity = [0u8; 32];
        identity[0] = 1;
        base64::engine::general_purpose::STANDARD.encode(identity)
    };
    let keys_seq = base.seq("_keys", FR) + 1;
    for (what, id, body, reason) in [
        (
            "key announcement for another agency",
            "DE-BAFA/DE-BAFA-9",
            announcement("DE-BAFA-9", &new_public, "DE-BAFA-1"),
            "foreign_id",
        ),
        (
            "key announcement not signed by the key it replaces",
            "FR-SBDU/FR-SBDU-2",
            announcement("FR-SBDU-2", &new_public, "FR-SBDU-OLD"),
            "invalid_content",
        ),
        (
            "key announcement whose id does not name the new key",
            "FR-SBDU/FR-SBDU-3",
            announcement("FR-SBDU-2", &new_public, "FR-SBDU-1"),
            "invalid_content",
        ),
        (
            "key announcement with a public key that is not base64",
            "FR-SBDU/FR-SBDU-2",
            announcement("FR-SBDU-2", "not base64!", "FR-SBDU-1"),
            "invalid_content",
        ),
        (
            "key announcement with a weak (small-order) key",
            "FR-SBDU/FR-SBDU-2",
            announcement("FR-SBDU-2", &weak, "FR-SBDU-1"),
            "invalid_content",
        ),
        (
            "key announcement replacing a key by itself",
            "FR-SBDU/FR-SBDU-1",
            announcement("FR-SBDU-1", &f.signer.public_key_base64(), "FR-SBDU-1"),
            "invalid_content",
        ),
    ] {
        let record = f.record("_keys", id, keys_seq, body);
        add(what, f.sign(&record), reason, format!("_keys/{id}"));
    }
    let backdated = with_header(
        f.record(
            "_keys",
            "FR-SBDU/FR-SBDU-2",
            keys_seq,
            announcement("FR-SBDU-2", &new_public, "FR-SBDU-OLD"),
        ),
        |header| {
            header.key_id = "FR-SBDU-OLD".into();
            header.hlc = hlc_2019();
        },
    );
    add(
        "key announcement by a revoked key, stamped before revoked_at",
        sign_record(&h.revoked, &backdated),
        "revoked_key",
        "_keys/FR-SBDU/FR-SBDU-2".into(),
    );

    // The consultation records: a step is written by one of its two authorities (both
    // members) under `<author>/<consultation>/…`; a sealing key is announced by its agency
    // under `<agency>/<key id>`; a grant notice names its author as the granting authority.
    let sealed = |consultation: &str, requester: &str, denier: &str| {
        let copy = |agency: &str| SealedCopy {
            agency: agency.into(),
            key_id: format!("{agency}-1"),
            encapsulated_key: vec![7; 32],
            ciphertext: b"opaque to a relay".to_vec(),
        };
        RecordBody {
            kind: Some(record_body::Kind::SealedStep(SealedStep {
                consultation: consultation.into(),
                requester: requester.into(),
                denier: denier.into(),
                copies: vec![copy(requester), copy(denier)],
            })),
        }
    };
    let steps_seq = base.seq("_consultations", FR) + 1;
    for (what, id, body, reason) in [
        (
            "a reply under the denier's id, signed by the requester",
            "DE-BAFA/C-00000000000000a1/reply-00000001",
            sealed("C-00000000000000a1", FR, DE),
            "foreign_id",
        ),
        (
            "a step by an agency that is neither party",
            "FR-SBDU/C-00000000000000a2/reply-00000001",
            sealed("C-00000000000000a2", DE, "NL-CDIU"),
            "invalid_content",
        ),
        (
            "a step with a party that is no member",
            "FR-SBDU/C-00000000000000a3/open-00000001",
            sealed("C-00000000000000a3", FR, "XX-NONE"),
            "invalid_content",
        ),
        (
            "a step whose id names another consultation",
            "FR-SBDU/C-00000000000000a9/open-00000001",
            sealed("C-00000000000000a4", FR, DE),
            "invalid_content",
        ),
        (
            "a step without a copy for the denier",
            "FR-SBDU/C-00000000000000a5/open-00000001",
            {
                let mut body = sealed("C-00000000000000a5", FR, DE);
                if let Some(record_body::Kind::SealedStep(step)) = body.kind.as_mut() {
                    step.copies.truncate(1);
                }
                body
            },
            "invalid_content",
        ),
    ] {
        let record = f.record("_consultations", id, steps_seq, body);
        add(what, f.sign(&record), reason, format!("_consultations/{id}"));
    }
    let sealing_key = |key_id: &str| RecordBody {
        kind: Some(record_body::Kind::SealingKey(SealingKey {
            key_id: key_id.into(),
            public_key: f.signer.sealing_key().public_key(),
        })),
    };
    let sealing_seq = base.seq("_sealing_keys", FR) + 1;
    for (what, id, body, reason) in [
        (
            "a sealing key announced for another agency",
            "DE-BAFA/DE-BAFA-1",
            sealing_key("DE-BAFA-1"),
            "foreign_id",
        ),
        (
            "a sealing key whose id does not name it",
            "FR-SBDU/OTHER",
            sealing_key("FR-SBDU-1"),
            "invalid_content",
        ),
    ] {
        let record = f.record("_sealing_keys", id, sealing_seq, body);
        add(what, f.sign(&record), reason, format!("_sealing_keys/{id}"));
    }
    let forged_grant = RecordBody {
        kind: Some(record_body::Kind::GrantNotice(GrantNotice {
            denial_collection: "denials".into(),
            denial_id: "FR-SBDU/P-1".into(),
            denial_version_hash: "00".repeat(32),
            denial_reference: "P-1".into(),
            denial_author: FR.into(),
            licence_reference: "DE-2026-1".into(),
            reasons: "granted in another's name".into(),
            granted_date: "2026-12-01".into(),
            granted_by: DE.into(),
        })),
    };
    let grant = f.record(
        "_grants.denials",
        "FR-SBDU/G-1",
        base.seq("_grants.denials", FR) + 1,
        forged_grant,
    );
    add(
        "a grant notice claiming another agency granted",
        f.sign(&grant),
        "invalid_content",
        "_grants.denials/FR-SBDU/G-1".into(),
    );

    let peer_cases = cases.len();
    for (what, record, reason, target) in cases {
        h.refuse_from_peer(&what, record, reason, &target).await;
    }

    // Some of the same through anti-entropy: offered by the peer, fetched by `Sync`.
    let f = &h.fake;
    let good = |id: &str| f.record("denials", id, seq, denial(id));
    let mut flipped = f.sign(&good("FR-SBDU/AE-1"));
    flipped.signature[0] ^= 0x80;
    let foreign = f.sign(&f.record("denials", "DE-BAFA/AE-2", seq, denial("AE-2")));
    let future = f.sign(&with_header(good("FR-SBDU/AE-3"), |header| {
        header.hlc = seconds_from_now(600)
    }));
    let sync_cases = [
        ("bad signature", flipped, "bad_signature", "denials/FR-SBDU/AE-1"),
        (
            "owner-mode id of another agency",
            foreign,
            "foreign_id",
            "denials/DE-BAFA/AE-2",
        ),
        (
            "timestamp 10 minutes ahead",
            future,
            "future_timestamp",
            "denials/FR-SBDU/AE-3",
        ),
    ];
    let sync_count = sync_cases.len();
    for (what, record, reason, target) in sync_cases {
        h.refuse_from_sync(what, "denials", record, reason, target).await;
    }

    // Nothing of it reached the store, and no key was learned.
    assert_eq!(store_state(&mut h.op).await, base);
    let status = status(&mut h.op).await;
    assert_eq!(status.refused_records, (peer_cases + sync_count) as u64);
    assert!(status.equivocations.is_empty(), "{:?}", status.equivocations);
    let members_after = h.op.list_members(ListMembersRequest {}).await.unwrap().into_inner();
    assert_eq!(members_after, members, "the keyring changed");
    for id in [
        "FR-SBDU/P-1",
        "FR-SBDU/P-5",
        "DE-BAFA/P-7",
        "XX-EVIL/P-10",
        "FR-SBDU/P-28",
    ] {
        assert!(get(&mut h.op, "denials", id).await.is_none(), "{id} was stored");
    }

    // A batch of more records than `limits.batch_records` (each valid on its own): refused
    // as a whole, once. (Counted in metrics and audited, not in Status.refused_records.)
    let limit = h.fed.configs[0].limits.batch_records;
    let f = &h.fake;
    let records = (0..=limit as u64)
        .map(|i| {
            let id = format!("FR-SBDU/BULK-{i}");
            f.sign(&f.record("denials", &id, seq + i, denial(&id)))
        })
        .collect();
    h.refuse_batch_from_peer("a batch over limits.batch_records", records, "oversize", "")
        .await;
    assert_eq!(store_state(&mut h.op).await, base);

    let walked = h.walked.len();
    eprintln!(
        "{walked} bad inputs on the peer path in {:.1}s:\n{}",
        started.elapsed().as_secs_f64(),
        h.walked.join("\n")
    );
    assert!(walked >= 40, "{walked}");
    h.fed.stop_all().await;
}

// ---------------------------------------------------------------------------------------
// Old, duplicate and equivocating versions
// ---------------------------------------------------------------------------------------

fn sha(record: &SignedRecord) -> String {
    hex::encode(fedx::records::sha256(&record.record))
}

async fn current_sha(op: &mut OperatorClient<Channel>, id: &str) -> String {
    get(op, "denials", id).await.expect("stored").sha256
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_and_duplicate_versions_from_a_peer_are_idempotent() {
    let mut h = harness().await;
    let f = &h.fake;
    let now = hlc::wall_clock();
    let stamped = |id: &str, seq: u64, hlc: u64, reference: &str| {
        let record = with_header(f.record("denials", id, seq, denial(reference)), |h| h.hlc = hlc);
        f.sign(&record)
    };
    let v1 = stamped("FR-SBDU/E-1", 1, now - 3_000, "v1");
    let v2 = stamped("FR-SBDU/E-1", 2, now - 2_000, "v2");
    let v3 = stamped("FR-SBDU/E-2", 3, now - 1_000, "v3");
    // Seq 4, an older version of E-1 (stamped before v1) that arrives late.
    let late = stamped("FR-SBDU/E-1", 4, now - 4_000, "late");

    let session = h
        .deliver("two versions", vec![v1.clone(), v2.clone()], &[("stored", 2)])
        .await;
    let state = store_state(&mut h.op).await;
    assert_eq!(
        (state.records("denials"), state.seq("denials", FR)),
        (1, 2),
        "{state:?}"
    );
    assert_eq!(current_sha(&mut h.op, "FR-SBDU/E-1").await, sha(&v2));

    // A duplicate of a stored version: no error, nothing changes, the link stays up.
    h.deliver("a duplicate", vec![v1.clone()], &[("duplicate", 1)]).await;
    assert_eq!(store_state(&mut h.op).await, state);
    // The same record twice in one batch: stored once.
    h.deliver(
        "twice in one batch",
        vec![v3.clone(), v3.clone()],
        &[("stored", 1), ("duplicate", 1)],
    )
    .await;
    let state = store_state(&mut h.op).await;
    assert_eq!(
        (state.records("denials"), state.seq("denials", FR)),
        (2, 3),
        "{state:?}"
    );
    // The whole stream again (a peer restarting from 0).
    h.deliver(
        "the stream replayed",
        vec![v1.clone(), v2.clone(), v3.clone()],
        &[("duplicate", 3)],
    )
    .await;
    assert_eq!(store_state(&mut h.op).await, state);
    // An old version arriving late: it is the author's next record, so it is logged (and
    // the version vector moves on, as it must for the stream to continue), but it does not
    // win: record counts, digests and the current version stay as they were.
    h.deliver("an old version", vec![late.clone()], &[("stored", 1)]).await;
    let after = store_state(&mut h.op).await;
    assert_eq!(after.collections, state.collections, "an old version changed a digest");
    assert_eq!(after.seq("denials", FR), 4);
    assert_eq!(current_sha(&mut h.op, "FR-SBDU/E-1").await, sha(&v2));
    h.deliver("the old version again", vec![late], &[("duplicate", 1)])
        .await;
    assert_eq!(store_state(&mut h.op).await, after);

    // None of it was refused or ended the session.
    let status = status(&mut h.op).await;
    assert_eq!(status.refused_records, 0);
    assert!(status.equivocations.is_empty());
    assert!(!session.is_closed(), "the node dropped the link");
    assert_eq!(h.fake.sessions(), 1);
    let peer = status.peers.iter().find(|p| p.agency == FR).unwrap();
    assert_eq!(peer.state, "connected", "{peer:?}");
    h.fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equivocating_peer_is_refused_and_the_evidence_kept_in_status() {
    let mut h = harness().await;
    let f = &h.fake;
    let v1 = f.sign(&f.record("denials", "FR-SBDU/Q-1", 1, denial("Q-1")));
    let v2 = f.sign(&f.record("denials", "FR-SBDU/Q-1", 2, denial("Q-1 amended")));
    // Same author, same sequence number (and timestamp), same id, different bytes.
    let twin = {
        let mut record = Record::decode(v2.record.as_slice()).unwrap();
        record.body = Some(denial("Q-1 other"));
        f.sign(&record)
    };
    // Same author and sequence number, another id.
    let elsewhere = f.sign(&f.record("denials", "FR-SBDU/Q-9", 1, denial("Q-9")));
    h.deliver("two versions", vec![v1.clone(), v2.clone()], &[("stored", 2)])
        .await;
    let state = store_state(&mut h.op).await;

    let audit = audit_head(&mut h.op).await;
    let session = h
        .deliver("equivocation", vec![twin.clone()], &[("refused:equivocation", 1)])
        .await;
    let entry = h.audited("equivocation", audit, "refuse:equivocation").await;
    assert_eq!(entry.target, "denials/FR-SBDU/Q-1");
    assert_eq!(
        store_state(&mut h.op).await,
        state,
        "the equivocation changed the store"
    );
    assert_eq!(current_sha(&mut h.op, "FR-SBDU/Q-1").await, sha(&v2));
    h.restart_link("equivocation", &session).await;

    let session = h
        .deliver(
            "equivocation on another id",
            vec![elsewhere.clone()],
            &[("refused:equivocation", 1)],
        )
        .await;
    assert_eq!(store_state(&mut h.op).await, state);
    assert!(get(&mut h.op, "denials", "FR-SBDU/Q-9").await.is_none());
    h.restart_link("equivocation on another id", &session).await;
    // The same conflicting record again: refused again, the evidence is kept once.
    let session = h
        .deliver("equivocation again", vec![twin.clone()], &[("refused:equivocation", 1)])
        .await;
    h.restart_link("equivocation again", &session).await;

    let expected = |held: &SignedRecord, other: &SignedRecord, seq: u64| Equivocation {
        collection: "denials".into(),
        author: FR.into(),
        seq,
        held_sha256: sha(held),
        other_sha256: sha(other),
    };
    // Same author and timestamp as v2, another sequence number and id: stored (refusing
    // it would stall the author's stream) and kept as evidence.
    let same_stamp = {
        let hlc = Record::decode(v2.record.as_slice()).unwrap().header.unwrap().hlc;
        signed_with_hlc(&h, "FR-SBDU/Q-3", 3, hlc)
    };
    h.deliver("same timestamp", vec![same_stamp.clone()], &[("stored", 1)])
        .await;
    assert_eq!(current_sha(&mut h.op, "FR-SBDU/Q-3").await, sha(&same_stamp));
    let state = store_state(&mut h.op).await;

    let mut want = vec![
        expected(&v1, &elsewhere, 1),
        expected(&v2, &twin, 2),
        expected(&v2, &same_stamp, 3),
    ];
    want.sort_by_key(|e| e.seq);
    let mut got = status(&mut h.op).await.equivocations;
    got.sort_by_key(|e| e.seq);
    assert_eq!(got, want);
    assert_eq!(status(&mut h.op).await.refused_records, 3);

    // The evidence is on disk: it survives a restart, and the store is as it was.
    h.fed.stop(0).await;
    h.fed.start(0).await;
    h.op = h.fed.operator(0);
    let mut got = status(&mut h.op).await.equivocations;
    got.sort_by_key(|e| e.seq);
    assert_eq!(got, want);
    assert_eq!(store_state(&mut h.op).await, state);
    h.fed.stop_all().await;
}

// ---------------------------------------------------------------------------------------
// A revoked key announces no key
// ---------------------------------------------------------------------------------------

/// A denial by FR-SBDU stamped with `hlc`.
fn signed_with_hlc(h: &Harness, id: &str, seq: u64, hlc: u64) -> SignedRecord {
    let f = &h.fake;
    f.sign(&with_header(f.record("denials", id, seq, denial(id)), |header| {
        header.hlc = hlc
    }))
}

/// What a thief of FR-SBDU-OLD sends: an announcement of its own key, signed with the
/// stolen key and stamped 2019 (before the key's `revoked_at`, so the signature alone
/// verifies), and a record signed now with the key it announced.
fn thief(h: &Harness, evil: &Signer, evil_public: &str, seq: u64) -> (SignedRecord, SignedRecord) {
    let f = &h.fake;
    let body = announcement("FR-SBDU-EVIL", evil_public, "FR-SBDU-OLD");
    let announce = with_header(f.record("_keys", "FR-SBDU/FR-SBDU-EVIL", 1, body), |header| {
        header.key_id = "FR-SBDU-OLD".into();
        header.hlc = hlc_2019();
    });
    let id = format!("FR-SBDU/EVIL-{seq}");
    let minted = with_header(f.record("denials", &id, seq, denial(&id)), |header| {
        header.key_id = "FR-SBDU-EVIL".into();
    });
    (sign_record(&h.revoked, &announce), sign_record(evil, &minted))
}

/// FR-SBDU-OLD in node 0's config.
fn old_key(fed: &mut Federation) -> &mut KeyConfig {
    let fr = fed.configs[0].members.iter_mut().find(|m| m.agency == FR).unwrap();
    fr.keys.iter_mut().find(|k| k.id == "FR-SBDU-OLD").unwrap()
}

/// DESIGN §3 and docs/operations.md ("A compromised key"): once a key is revoked the
/// federation stops trusting it, even for announcements. Its holder can stamp anything
/// before `revoked_at`, so a key announced by a revoked key would be a fresh key for the
/// thief, valid for ever: a revoked key announces nothing, whatever the timestamp.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_announces_no_key_even_back_dated() {
    let mut h = harness().await;
    let (evil, evil_public) = extra_key(&h.fed.dir.path().join("evil"), "FR-SBDU-EVIL");
    let keys = member_keys(&mut h.op, FR).await;
    let (announce, minted) = thief(&h, &evil, &evil_public, 1);
    h.refuse_from_peer(
        "back-dated announcement by a revoked key",
        announce,
        "revoked_key",
        "_keys/FR-SBDU/FR-SBDU-EVIL",
    )
    .await;
    h.refuse_from_peer(
        "a record signed by the key it announced",
        minted,
        "unknown_key",
        "denials/FR-SBDU/EVIL-1",
    )
    .await;
    assert_eq!(member_keys(&mut h.op, FR).await, keys, "the keyring changed");
    h.fed.stop_all().await;
}

/// The same announcement, stored while the key was still trusted: once the key is revoked
/// in config and the node restarts (the documented procedure), the key it announced is
/// not learned again, and what it signs is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_announced_by_a_key_revoked_later_is_not_trusted_after_restart() {
    let mut h = harness().await;
    let (evil, evil_public) = extra_key(&h.fed.dir.path().join("evil"), "FR-SBDU-EVIL");
    // Before the theft is known: FR-SBDU-OLD is an active key.
    h.fed.stop(0).await;
    *old_key(&mut h.fed) = KeyConfig {
        status: KeyState::Active,
        revoked_at: None,
        ..old_key(&mut h.fed).clone()
    };
    h.fed.start(0).await;
    h.op = h.fed.operator(0);
    let (announce, minted) = thief(&h, &evil, &evil_public, 1);
    h.deliver("announcement by a trusted key", vec![announce], &[("stored", 1)])
        .await;
    h.deliver("a record signed by the announced key", vec![minted], &[("stored", 1)])
        .await;
    assert!(
        member_keys(&mut h.op, FR)
            .await
            .contains(&("FR-SBDU-EVIL".into(), "active".into()))
    );

    // The theft comes to light: FR-SBDU-OLD is revoked in config, the node restarts.
    h.fed.stop(0).await;
    *old_key(&mut h.fed) = KeyConfig {
        status: KeyState::Revoked,
        revoked_at: Some(REVOKED_AT.into()),
        ..old_key(&mut h.fed).clone()
    };
    h.fed.start(0).await;
    h.op = h.fed.operator(0);
    let keys = member_keys(&mut h.op, FR).await;
    assert!(
        !keys.iter().any(|(id, _)| id == "FR-SBDU-EVIL"),
        "a key announced by a revoked key is trusted after restart: {keys:?}"
    );
    let (_, minted) = thief(&h, &evil, &evil_public, 2);
    h.refuse_from_peer(
        "a record signed by the announced key, after the revocation",
        minted,
        "unknown_key",
        "denials/FR-SBDU/EVIL-2",
    )
    .await;
    h.fed.stop_all().await;
}
