//! The authorization matrix (`docs/authorization.md`): every RPC of both services, and the
//! health check, called by each kind of caller, against the outcome the table expects.
//!
//! Each flawed caller presents the identity the RPC would accept, except for the one flaw
//! that names its kind: an agency that is not a member, a certificate of another CA, an
//! expired certificate, the other role (a peer agency's operator, our own node: so that
//! the role check and the agency check are each tested alone). Every write asks for something the node does for an authorised
//! caller (the operator column proves it), so a refusal elsewhere is the role check, not
//! the content.
//!
//! The client does its own TLS (tokio-rustls) and waits for the server's first bytes
//! before handing the connection to gRPC: in TLS 1.3 a client finishes its handshake
//! before the server has checked the client certificate, so only the server's first
//! record tells an accepted handshake from a refused one (a fatal alert). A refused
//! handshake thus fails the call with the alert as its cause, never with a gRPC status
//! from the server.

mod common;

use std::collections::BTreeSet;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use common::*;
use fedx::api::status::REFUSAL_METADATA;
use fedx::proto::operator_client::OperatorClient;
use fedx::proto::replication_client::ReplicationClient;
use fedx::proto::*;
use fedx::transport::pki::DevCa;
use fedx::transport::{self, Role};
use hyper_util::rt::TokioIo;
use rustls::AlertDescription;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tonic::transport::{Channel, Endpoint, Uri};
use tonic::{Code, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    /// (1) An operator certificate of our agency.
    Operator,
    /// (2) The node certificate of a configured peer.
    Peer,
    /// (3) A certificate of our CA for an agency that is not a member.
    UnknownAgency,
    /// (4) A certificate of another CA, naming the identity the RPC accepts.
    OtherCa,
    /// (5) An expired certificate of our CA, naming the identity the RPC accepts.
    Expired,
    /// (6) No client certificate.
    NoCertificate,
    /// (7) An operator certificate of a peer agency: the role check of `Replication` alone
    /// refuses it (the agency is a peer), as the agency check of `Operator`.
    PeerOperator,
    /// (8) Our own node's certificate: the role check of `Operator` alone refuses it (the
    /// agency is ours); we are no peer of ourselves.
    OwnNode,
}

/// The columns of the matrix, in order.
const CALLERS: [Caller; 8] = [
    Caller::Operator,
    Caller::Peer,
    Caller::UnknownAgency,
    Caller::OtherCa,
    Caller::Expired,
    Caller::NoCertificate,
    Caller::PeerOperator,
    Caller::OwnNode,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    /// The call succeeds.
    Allowed,
    /// The server answers PermissionDenied, refusing the caller (no record refusal).
    Denied,
    /// The node ends the TLS handshake with a fatal alert: no request reaches a service.
    Refused,
}
use Expected::{Allowed, Denied, Refused};

impl Caller {
    /// The alert the node's TLS server refuses this caller's handshake with.
    fn alert(self) -> Option<AlertDescription> {
        match self {
            // The development CAs all have the same name: the node finds "its" CA as the
            // issuer, and the signature does not verify (another name: UnknownCA).
            Caller::OtherCa => Some(AlertDescription::DecryptError),
            Caller::Expired => Some(AlertDescription::CertificateExpired),
            Caller::NoCertificate => Some(AlertDescription::CertificateRequired),
            Caller::Operator | Caller::Peer | Caller::UnknownAgency | Caller::PeerOperator | Caller::OwnNode => None,
        }
    }
}

/// A consultation id that names no consultation.
const NO_CONSULTATION: &str = "C-0000000000000000";

fn example_application() -> Application {
    serde_json::from_str(include_str!("../config/examples/application-identical.json"))
        .expect("the example application parses")
}

/// A call that names something absent: NotFound means it passed authorization.
fn past_authorization<T>(result: Result<tonic::Response<T>, Status>) -> Result<(), Status> {
    match result {
        Err(status) if status.code() == Code::NotFound => Ok(()),
        other => other.map(drop),
    }
}

/// The matrix: what each kind of caller gets from each RPC. Columns as in `CALLERS`.
#[rustfmt::skip]
const MATRIX: &[(&str, [Expected; 8])] = &[
    //                        operator peer     unknown  other CA expired  no cert  peer op. own node
    // fedx.v1.Replication: the nodes of our peers only.
    ("Replicate",            [Denied,  Allowed, Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("Summarize",            [Denied,  Allowed, Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("Fetch",                [Denied,  Allowed, Denied,  Refused, Refused, Refused, Denied,  Denied]),
    // fedx.v1.Operator: our own agency's operators only.
    ("Screen",               [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ScreenBatch",          [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("CheckApplication",     [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ConsultOpen",          [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ConsultList",          [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ConsultShow",          [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ConsultReply",         [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ConsultInform",        [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ConsultClose",         [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("Put",                  [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("BatchPut",             [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("Get",                  [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("List",                 [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("Revoke",               [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("Status",               [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ListPeers",            [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("AddPeer",              [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("RemovePeer",           [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ListMembers",          [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("Delete",               [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("RotateKey",            [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("AuditTail",            [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("AuditVerify",          [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("Sync",                 [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("WantBundle",           [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ExportBundle",         [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    ("ImportBundle",         [Allowed, Denied,  Denied,  Refused, Refused, Refused, Denied,  Denied]),
    // grpc.health.v1.Health and grpc.reflection.v1.ServerReflection: any certificate of
    // our CA, no role or membership needed.
    ("Check",                [Allowed, Allowed, Allowed, Refused, Refused, Refused, Allowed, Allowed]),
    ("ServerReflectionInfo", [Allowed, Allowed, Allowed, Refused, Refused, Refused, Allowed, Allowed]),
];

/// The node under test is node 0 (DE-BAFA); node 1 (FR-SBDU) is its peer; node 2
/// (NL-CDIU) is a member but not a peer; US-BIS is no member at all.
const NODE: usize = 0;
const PEER: &str = "FR-SBDU";
const UNKNOWN_AGENCY: &str = "US-BIS";

/// Seeded before the matrix runs: read by Get, List and Fetch, revoked by Revoke, deleted
/// by Delete.
const SEED: &str = "DE-BAFA/seed";
const SEED_REVOKE: &str = "DE-BAFA/seed-revoke";
const SEED_DELETE: &str = "DE-BAFA/seed-delete";
/// Stored by Put and BatchPut.
const PUT: &str = "DE-BAFA/put";
const BATCH: [&str; 2] = ["DE-BAFA/batch-1", "DE-BAFA/batch-2"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Service {
    Replication,
    Operator,
    /// The standard gRPC services: health and reflection.
    Standard,
}

type Call = Box<dyn Fn(Channel) -> Pin<Box<dyn Future<Output = Result<(), Status>> + Send>>>;

fn call<F, Fut>(rpc: &'static str, service: Service, call: F) -> (&'static str, Service, Call)
where
    F: Fn(Channel) -> Fut + 'static,
    Fut: Future<Output = Result<(), Status>> + Send + 'static,
{
    (rpc, service, Box::new(move |channel| Box::pin(call(channel))))
}

/// How each RPC is called: with a request an authorised caller succeeds with.
fn calls() -> Vec<(&'static str, Service, Call)> {
    use Service::{Operator, Replication, Standard};
    let op = OperatorClient::new;
    let replication = ReplicationClient::new;
    vec![
        call("Replicate", Replication, move |ch| async move {
            let wants = tokio_stream::iter(vec![Want::default()]);
            replication(ch).replicate(wants).await.map(drop)
        }),
        call("Summarize", Replication, move |ch| async move {
            let request = SummaryRequest {
                collection: "denials".into(),
                buckets: vec![0, 1],
                fingerprints: true,
            };
            replication(ch).summarize(request).await.map(drop)
        }),
        call("Fetch", Replication, move |ch| async move {
            let request = FetchRequest {
                collection: "denials".into(),
                ids: vec![SEED.into()],
            };
            let batch = replication(ch).fetch(request).await?.into_inner();
            check(batch.records.len() == 1, "Fetch returns the seeded record")
        }),
        call("Screen", Operator, move |ch| async move {
            op(ch).screen(screen_request()).await.map(drop)
        }),
        call("ScreenBatch", Operator, move |ch| async move {
            let requests = tokio_stream::iter(vec![screen_request()]);
            let mut answers = op(ch).screen_batch(requests).await?.into_inner();
            check(answers.message().await?.is_some(), "ScreenBatch answers")
        }),
        call("CheckApplication", Operator, move |ch| async move {
            let request = CheckRequest {
                application: Some(example_application()),
            };
            op(ch).check_application(request).await.map(drop)
        }),
        // The consultation calls name a consultation or denial that does not exist: getting
        // NotFound means the caller was let through to the workflow.
        call("ConsultOpen", Operator, move |ch| async move {
            let request = ConsultOpenRequest {
                denials: vec![DenialRef {
                    collection: "denials".into(),
                    id: "FR-SBDU/none".into(),
                }],
                application: Some(example_application()),
                reason: "authorization matrix".into(),
            };
            past_authorization(op(ch).consult_open(request).await)
        }),
        call("ConsultList", Operator, move |ch| async move {
            op(ch).consult_list(ConsultListRequest::default()).await.map(drop)
        }),
        call("ConsultShow", Operator, move |ch| async move {
            let request = ConsultShowRequest {
                id: NO_CONSULTATION.into(),
            };
            past_authorization(op(ch).consult_show(request).await)
        }),
        call("ConsultReply", Operator, move |ch| async move {
            let request = ConsultReplyRequest {
                id: NO_CONSULTATION.into(),
                kind: ReplyKind::Objection as i32,
                reason: "authorization matrix".into(),
            };
            past_authorization(op(ch).consult_reply(request).await)
        }),
        call("ConsultInform", Operator, move |ch| async move {
            let request = ConsultInformRequest {
                id: NO_CONSULTATION.into(),
                reason: "authorization matrix".into(),
            };
            past_authorization(op(ch).consult_inform(request).await)
        }),
        call("ConsultClose", Operator, move |ch| async move {
            let request = ConsultCloseRequest {
                id: NO_CONSULTATION.into(),
                decision: CloseDecision::Withdrawn as i32,
                reason: "authorization matrix".into(),
                ..ConsultCloseRequest::default()
            };
            past_authorization(op(ch).consult_close(request).await)
        }),
        call("Put", Operator, move |ch| async move {
            op(ch).put(put("denials", PUT, denial("AUTH-PUT"))).await.map(drop)
        }),
        call("BatchPut", Operator, move |ch| async move {
            let puts = BATCH.iter().map(|id| put("denials", id, denial(id))).collect();
            op(ch).batch_put(BatchPutRequest { puts }).await.map(drop)
        }),
        call("Get", Operator, move |ch| async move {
            let request = GetRequest {
                collection: "denials".into(),
                id: SEED.into(),
            };
            op(ch).get(request).await.map(drop)
        }),
        call("List", Operator, move |ch| async move {
            let request = ListRequest {
                collection: "denials".into(),
                ..Default::default()
            };
            let listed = op(ch).list(request).await?.into_inner();
            check(!listed.records.is_empty(), "List returns the seeded records")
        }),
        call("Revoke", Operator, move |ch| async move {
            let request = RevokeRequest {
                collection: "denials".into(),
                id: SEED_REVOKE.into(),
            };
            op(ch).revoke(request).await.map(drop)
        }),
        call("Status", Operator, move |ch| async move {
            op(ch).status(StatusRequest {}).await.map(drop)
        }),
        call("ListPeers", Operator, move |ch| async move {
            op(ch).list_peers(ListPeersRequest {}).await.map(drop)
        }),
        call("AddPeer", Operator, move |ch| async move {
            // A member that is not a peer yet (at an address where nothing listens).
            let peer = Some(PeerEntry {
                agency: "NL-CDIU".into(),
                endpoint: "https://127.0.0.1:1".into(),
            });
            op(ch).add_peer(AddPeerRequest { peer }).await.map(drop)
        }),
        call("RemovePeer", Operator, move |ch| async move {
            let request = RemovePeerRequest { agency: PEER.into() };
            op(ch).remove_peer(request).await.map(drop)
        }),
        call("ListMembers", Operator, move |ch| async move {
            op(ch).list_members(ListMembersRequest {}).await.map(drop)
        }),
        call("Delete", Operator, move |ch| async move {
            let request = DeleteRequest {
                collection: "denials".into(),
                id: SEED_DELETE.into(),
            };
            op(ch).delete(request).await.map(drop)
        }),
        call("RotateKey", Operator, move |ch| async move {
            op(ch).rotate_key(RotateKeyRequest {}).await.map(drop)
        }),
        call("AuditTail", Operator, move |ch| async move {
            let request = AuditTailRequest {
                limit: 10,
                after_seq: 0,
            };
            let tail = op(ch).audit_tail(request).await?.into_inner();
            check(!tail.entries.is_empty(), "AuditTail returns entries")
        }),
        call("AuditVerify", Operator, move |ch| async move {
            let verified = op(ch).audit_verify(AuditVerifyRequest {}).await?.into_inner();
            check(verified.ok, "the audit log verifies")
        }),
        call("Sync", Operator, move |ch| async move {
            op(ch).sync(SyncRequest { peer: String::new() }).await.map(drop)
        }),
        call("WantBundle", Operator, move |ch| async move {
            let want = op(ch).want_bundle(BundleWantRequest {}).await?.into_inner();
            check(want.agency == "DE-BAFA", "WantBundle names our agency")
        }),
        call("ExportBundle", Operator, move |ch| async move {
            let request = BundleExportRequest {
                recipient: PEER.into(),
                want: None,
            };
            let mut parts = op(ch).export_bundle(request).await?.into_inner();
            let mut header = false;
            while let Some(part) = parts.message().await? {
                header |= matches!(part.part, Some(bundle_export_part::Part::SignedHeader(_)));
            }
            check(header, "ExportBundle ends with the signed header")
        }),
        // An empty bundle: refused as such means the caller was let through to the import.
        call("ImportBundle", Operator, move |ch| async move {
            let pieces = tokio_stream::iter(Vec::<BundlePiece>::new());
            match op(ch).import_bundle(pieces).await {
                Err(status) if status.message().contains("the bundle is empty") => Ok(()),
                other => other.map(drop),
            }
        }),
        call("Check", Standard, |ch| async move {
            let request = HealthCheckRequest { service: String::new() };
            let health = HealthClient::new(ch).check(request).await?.into_inner();
            check(
                health.status == ServingStatus::Serving as i32,
                "the node reports SERVING",
            )
        }),
        call("ServerReflectionInfo", Standard, |ch| async move {
            let request = ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            };
            let mut client = ServerReflectionClient::new(ch);
            let mut answers = client
                .server_reflection_info(tokio_stream::iter([request]))
                .await?
                .into_inner();
            let answer = answers.message().await?.and_then(|a| a.message_response);
            let lists_operator = matches!(answer, Some(MessageResponse::ListServicesResponse(list))
                if list.service.iter().any(|s| s.name == "fedx.v1.Operator"));
            check(lists_operator, "reflection lists fedx.v1.Operator")
        }),
    ]
}

fn screen_request() -> ScreenRequest {
    ScreenRequest {
        name: "Example Trading".into(),
        ..Default::default()
    }
}

/// A check inside an allowed call. Its failure is a status without a transport cause and
/// with a code no cell expects, so it fails whatever the cell expects.
fn check(ok: bool, what: &str) -> Result<(), Status> {
    if ok {
        Ok(())
    } else {
        Err(Status::failed_precondition(format!("test check failed: {what}")))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rpc_admits_exactly_the_callers_the_matrix_allows() {
    // The matrix covers every RPC of the wire contract, and the calls cover the matrix.
    let proto = include_str!("../proto/fedx.proto");
    let in_proto: BTreeSet<&str> = proto
        .lines()
        .filter_map(|line| line.trim().strip_prefix("rpc "))
        .map(|rest| rest.split('(').next().unwrap().trim())
        .chain(["Check", "ServerReflectionInfo"])
        .collect();
    let in_matrix: BTreeSet<&str> = MATRIX.iter().map(|(rpc, _)| *rpc).collect();
    assert_eq!(
        in_matrix, in_proto,
        "the matrix and proto/fedx.proto name different RPCs"
    );
    assert_eq!(in_matrix.len(), MATRIX.len(), "an RPC is in the matrix twice");
    let calls = calls();
    let called: Vec<&str> = calls.iter().map(|(rpc, ..)| *rpc).collect();
    assert_eq!(called, MATRIX.iter().map(|(rpc, _)| *rpc).collect::<Vec<_>>());

    let mut setup = Setup::start().await;
    let mut operator = setup.fed.operator(NODE);
    let before = state(&mut operator).await;
    let audited_before = status(&mut operator).await.audit_entries;

    // Every caller but our operator first: none of them may change anything. Our operator
    // last, since its writes succeed (which proves the requests are ones the node accepts).
    let mut failures = Vec::new();
    let mut refusals = 0;
    for caller in &CALLERS[1..] {
        refusals += run_column(&setup, &calls, *caller, &mut failures).await;
    }
    assert_cells(&failures);
    assert_eq!(state(&mut operator).await, before, "a refused caller changed the node");
    for id in BATCH.iter().chain([&PUT]) {
        assert!(get(&mut operator, "denials", id).await.is_none(), "{id} was stored");
    }
    let revoked = get(&mut operator, "denials", SEED_REVOKE).await.expect("seed");
    assert_eq!(denial_status(&revoked), DenialStatus::Active);
    let deleted = get(&mut operator, "denials", SEED_DELETE).await.expect("seed");
    assert!(!deleted.record.unwrap().header.unwrap().tombstone);
    let audited = status(&mut operator).await.audit_entries - audited_before;
    assert_eq!(audited, refusals, "every refusal of a caller is audited");

    run_column(&setup, &calls, Caller::Operator, &mut failures).await;
    assert_cells(&failures);

    // Our operator's writes took effect.
    for id in BATCH.iter().chain([&PUT]) {
        assert!(get(&mut operator, "denials", id).await.is_some(), "{id} is missing");
    }
    let revoked = get(&mut operator, "denials", SEED_REVOKE).await.expect("seed");
    assert_eq!(denial_status(&revoked), DenialStatus::Revoked);
    let deleted = get(&mut operator, "denials", SEED_DELETE).await.expect("a tombstone");
    assert!(deleted.record.unwrap().header.unwrap().tombstone);
    let peers = operator
        .list_peers(ListPeersRequest {})
        .await
        .unwrap()
        .into_inner()
        .peers;
    let peers: Vec<&str> = peers.iter().map(|p| p.agency.as_str()).collect();
    assert_eq!(peers, ["NL-CDIU"]);
    setup.fed.stop_all().await;
}

/// Calls every RPC as `caller`, each on a connection of its own, noting each cell that
/// differs from the matrix; returns how many cells expect PermissionDenied.
async fn run_column(setup: &Setup, calls: &[(&str, Service, Call)], caller: Caller, failures: &mut Vec<String>) -> u64 {
    let column = CALLERS.iter().position(|&c| c == caller).unwrap();
    let mut refusals = 0;
    for ((rpc, expected), (_, service, call)) in MATRIX.iter().zip(calls) {
        let expected = expected[column];
        let channel = setup.channel(setup.identity(caller, *service));
        let outcome = Outcome::of(tokio::time::timeout(Duration::from_secs(20), call(channel)).await);
        if !outcome.matches(expected, caller) {
            failures.push(format!("{rpc:<20} {caller:?}: expected {expected:?}, got {outcome:?}"));
        }
        refusals += u64::from(expected == Denied);
    }
    refusals
}

fn assert_cells(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} of {} cells differ from the matrix:\n{}",
        failures.len(),
        MATRIX.len() * CALLERS.len(),
        failures.join("\n")
    );
}

/// What a refused caller could have changed: every collection's count and digest (records,
/// revocations, deletions, key announcements), the peers, the members' keys.
async fn state(operator: &mut OperatorClient<Channel>) -> (Vec<(String, u64, String)>, String, String) {
    let collections = status(operator)
        .await
        .collections
        .into_iter()
        .map(|c| (c.name, c.records, c.digest))
        .collect();
    let peers = operator.list_peers(ListPeersRequest {}).await.unwrap().into_inner();
    let members = operator.list_members(ListMembersRequest {}).await.unwrap().into_inner();
    (collections, format!("{peers:?}"), format!("{members:?}"))
}

/// What a call came back with.
#[derive(Debug)]
enum Outcome {
    Ok,
    /// A status the server sent (tonic gives those no error source).
    Status(Status),
    /// The node ended the TLS handshake with this alert.
    HandshakeRefused(AlertDescription),
    /// Any other failure below gRPC (tonic made the status from a transport error): the
    /// error chain, for the failure message.
    Transport(#[allow(dead_code)] String),
    TimedOut,
}

impl Outcome {
    fn of(result: Result<Result<(), Status>, tokio::time::error::Elapsed>) -> Self {
        let status = match result {
            Err(_) => return Outcome::TimedOut,
            Ok(Ok(())) => return Outcome::Ok,
            Ok(Err(status)) => status,
        };
        let Some(source) = std::error::Error::source(&status) else {
            return Outcome::Status(status);
        };
        let mut chain = format!("{:?}: {}", status.code(), status.message());
        let mut next = Some(source);
        while let Some(error) = next {
            // `io::Error::source` skips the error it wraps, so look inside each one.
            let inner = error.downcast_ref::<io::Error>().and_then(|e| e.get_ref());
            let inner = inner.map(|e| e as &(dyn std::error::Error + 'static));
            for error in [Some(error), inner].into_iter().flatten() {
                if let Some(rustls::Error::AlertReceived(alert)) = error.downcast_ref::<rustls::Error>() {
                    return Outcome::HandshakeRefused(*alert);
                }
            }
            chain.push_str(&format!(" <- {error}"));
            next = error.source();
        }
        Outcome::Transport(chain)
    }

    fn matches(&self, expected: Expected, caller: Caller) -> bool {
        match (expected, self) {
            (Allowed, Outcome::Ok) => true,
            // A refused caller, not a refused record (that would name its reason).
            (Denied, Outcome::Status(status)) => {
                status.code() == Code::PermissionDenied && status.metadata().get(REFUSAL_METADATA).is_none()
            }
            (Refused, Outcome::HandshakeRefused(alert)) => Some(*alert) == caller.alert(),
            _ => false,
        }
    }
}

/// A certificate and its key, PEM.
struct Pem {
    cert: Vec<u8>,
    key: Vec<u8>,
}

impl Pem {
    fn read(cert: &std::path::Path, key: &std::path::Path) -> Self {
        Pem {
            cert: std::fs::read(cert).unwrap(),
            key: std::fs::read(key).unwrap(),
        }
    }

    fn issued((cert, key): (String, String)) -> Self {
        Pem {
            cert: cert.into_bytes(),
            key: key.into_bytes(),
        }
    }
}

/// Nodes 0 and 1 running, records seeded on node 0, and every certificate the matrix
/// presents.
struct Setup {
    fed: Federation,
    /// Our CA: every client checks the node's certificate against it.
    ca: Vec<u8>,
    our_operator: Pem,
    peer_node: Pem,
    peer_operator: Pem,
    own_node: Pem,
    unknown_operator: Pem,
    unknown_node: Pem,
    forged_operator: Pem,
    forged_node: Pem,
    expired_operator: Pem,
    expired_node: Pem,
}

impl Setup {
    async fn start() -> Self {
        init_logging();
        let mut fed = Federation::new(3, &[(0, 1)]);
        let ca = keep_ca(&fed);
        let other_ca = DevCa::new().unwrap();
        let day = Duration::from_secs(24 * 3600);
        let now = SystemTime::now();
        let expired = Some(now - 30 * day..now - day);
        let ours = fed.agency(NODE).to_string();
        let (our_files, peer_files) = (&fed.pki.agencies[NODE], &fed.pki.agencies[1]);
        assert_eq!(peer_files.agency, PEER);
        let our_operator = Pem::read(&our_files.operator_cert, &our_files.operator_key);
        let peer_node = Pem::read(&peer_files.node_cert, &peer_files.node_key);
        let peer_operator = Pem::read(&peer_files.operator_cert, &peer_files.operator_key);
        let own_node = Pem::read(&our_files.node_cert, &our_files.node_key);
        fed.start(0).await;
        fed.start(1).await;
        let mut operator = fed.operator(NODE);
        for id in [SEED, SEED_REVOKE, SEED_DELETE] {
            operator.put(put("denials", id, denial(id))).await.expect("seed");
        }
        // The peer's sealing key reaches us by replication: wait for it, so that the
        // state compared before and after the refused calls does not change on its own.
        eventually("both sealing keys held", Duration::from_secs(20), || async {
            (records_held(&mut fed.operator(NODE), "_sealing_keys").await == 2).then_some(())
        })
        .await;
        Setup {
            fed,
            ca: ca.cert_pem().as_bytes().to_vec(),
            our_operator,
            peer_node,
            peer_operator,
            own_node,
            unknown_operator: Pem::issued(ca.issue(UNKNOWN_AGENCY, Role::Operator, None).unwrap()),
            unknown_node: Pem::issued(ca.issue(UNKNOWN_AGENCY, Role::Node, None).unwrap()),
            forged_operator: Pem::issued(other_ca.issue(&ours, Role::Operator, None).unwrap()),
            forged_node: Pem::issued(other_ca.issue(PEER, Role::Node, None).unwrap()),
            expired_operator: Pem::issued(ca.issue(&ours, Role::Operator, expired.clone()).unwrap()),
            expired_node: Pem::issued(ca.issue(PEER, Role::Node, expired).unwrap()),
        }
    }

    /// What a caller of kind `caller` presents to an RPC of `service`: for the flawed
    /// kinds, the identity that RPC accepts, with the flaw.
    fn identity(&self, caller: Caller, service: Service) -> Option<&Pem> {
        let replication = service == Service::Replication;
        match caller {
            Caller::Operator => Some(&self.our_operator),
            Caller::Peer => Some(&self.peer_node),
            Caller::UnknownAgency if replication => Some(&self.unknown_node),
            Caller::UnknownAgency => Some(&self.unknown_operator),
            Caller::OtherCa if replication => Some(&self.forged_node),
            Caller::OtherCa => Some(&self.forged_operator),
            Caller::Expired if replication => Some(&self.expired_node),
            Caller::Expired => Some(&self.expired_operator),
            Caller::NoCertificate => None,
            Caller::PeerOperator => Some(&self.peer_operator),
            Caller::OwnNode => Some(&self.own_node),
        }
    }

    /// A channel to node 0 that presents `identity` on a connection of its own.
    fn channel(&self, identity: Option<&Pem>) -> Channel {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(&self.ca).unwrap()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_root_certificates(roots);
        let mut config = match identity {
            Some(pem) => {
                let chain = vec![CertificateDer::from_pem_slice(&pem.cert).unwrap()];
                let key = PrivateKeyDer::from_pem_slice(&pem.key).unwrap();
                builder.with_client_auth_cert(chain, key).unwrap()
            }
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"h2".to_vec()];
        let connector = Handshake {
            addr: self.fed.configs[NODE].listen,
            config: Arc::new(config),
            name: ServerName::try_from(transport::node_dns_name(self.fed.agency(NODE))).unwrap(),
        };
        // `http://`: the connector does the TLS.
        Endpoint::from_shared(format!("http://{}", self.fed.configs[NODE].listen))
            .unwrap()
            .connect_timeout(Duration::from_secs(5))
            .connect_with_connector_lazy(connector)
    }
}

/// Makes a fresh CA the issuer of `fed`'s PKI before any node starts (the CA certificate
/// and every node and operator certificate are rewritten, signing keys kept) and returns
/// it, to issue more certificates the nodes trust.
fn keep_ca(fed: &Federation) -> DevCa {
    let ca = DevCa::new().unwrap();
    std::fs::write(&fed.pki.ca_cert, ca.cert_pem()).unwrap();
    for files in &fed.pki.agencies {
        let certs = [
            (Role::Node, &files.node_cert, &files.node_key),
            (Role::Operator, &files.operator_cert, &files.operator_key),
        ];
        for (role, cert, key) in certs {
            let (cert_pem, key_pem) = ca.issue(&files.agency, role, None).unwrap();
            std::fs::write(cert, cert_pem).unwrap();
            std::fs::write(key, key_pem).unwrap();
        }
    }
    ca
}

/// Connects over TLS 1.3 and reads the server's first bytes (its HTTP/2 SETTINGS) before
/// the connection is used: a refused handshake fails the connection with the server's
/// alert.
#[derive(Clone)]
struct Handshake {
    addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
}

impl tonic::codegen::Service<Uri> for Handshake {
    type Response = TokioIo<Primed>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let Handshake { addr, config, name } = self.clone();
        Box::pin(async move {
            let tcp = TcpStream::connect(addr).await?;
            let mut tls = tokio_rustls::TlsConnector::from(config).connect(name, tcp).await?;
            let mut first = vec![0; 1024];
            let n = tls.read(&mut first).await?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed without an alert"));
            }
            first.truncate(n);
            Ok(TokioIo::new(Primed { first, tls }))
        })
    }
}

/// A TLS stream whose first bytes were already read; reads return them first.
struct Primed {
    first: Vec<u8>,
    tls: TlsStream<TcpStream>,
}

impl AsyncRead for Primed {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.first.is_empty() {
            return Pin::new(&mut self.tls).poll_read(cx, buf);
        }
        let n = self.first.len().min(buf.remaining());
        buf.put_slice(&self.first[..n]);
        self.first.drain(..n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Primed {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tls).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tls).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tls).poll_shutdown(cx)
    }
}
