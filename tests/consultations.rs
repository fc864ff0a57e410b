//! Consultations between real nodes: A denies, C consults A through B (no A–C link), every
//! step arrives sealed, B relays without reading, the grant notice reaches every reader of
//! the denial; invalid steps are refused with their status and change nothing; silence
//! past the reply-by time shows as no reply.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use fedx::proto::operator_client::OperatorClient;
use fedx::proto::*;
use tonic::Code;
use tonic::transport::Channel;

const WAIT: Duration = Duration::from_secs(30);
const DENIAL: &str = "DE-BAFA/DN-0042";

fn application() -> Application {
    serde_json::from_str(include_str!("../config/examples/application-identical.json")).expect("the example parses")
}

async fn open(client: &mut OperatorClient<Channel>, reason: &str) -> Consultation {
    let request = ConsultOpenRequest {
        denials: vec![DenialRef {
            collection: "denials".into(),
            id: DENIAL.into(),
        }],
        application: Some(application()),
        reason: reason.into(),
    };
    // The partner's sealing key may still be on its way: FailedPrecondition until it is.
    eventually("the consultation to open", WAIT, || {
        let (mut client, request) = (client.clone(), request.clone());
        async move {
            match client.consult_open(request).await {
                Ok(view) => Some(view.into_inner()),
                Err(status) if status.code() == Code::FailedPrecondition => None,
                Err(status) => panic!("open refused: {status:?}"),
            }
        }
    })
    .await
}

async fn show(client: &mut OperatorClient<Channel>, id: &str) -> Result<Consultation, tonic::Status> {
    let request = ConsultShowRequest { id: id.into() };
    client.consult_show(request).await.map(|r| r.into_inner())
}

/// Waits until `node` shows the consultation in `state`.
async fn reaches(client: &OperatorClient<Channel>, id: &str, state: ConsultationState) -> Consultation {
    eventually(&format!("{id} to be {state:?}"), WAIT, || {
        let mut client = client.clone();
        async move { show(&mut client, id).await.ok().filter(|c| c.state() == state) }
    })
    .await
}

async fn reply(
    client: &mut OperatorClient<Channel>,
    id: &str,
    kind: ReplyKind,
    reason: &str,
) -> Result<Consultation, tonic::Status> {
    let request = ConsultReplyRequest {
        id: id.into(),
        kind: kind as i32,
        reason: reason.into(),
    };
    client.consult_reply(request).await.map(|r| r.into_inner())
}

async fn close(
    client: &mut OperatorClient<Channel>,
    id: &str,
    decision: CloseDecision,
    override_: bool,
) -> Result<ConsultCloseResponse, tonic::Status> {
    let request = ConsultCloseRequest {
        id: id.into(),
        decision: decision as i32,
        reason: "the end user was audited on site".into(),
        r#override: override_,
        licence_reference: "NL-LIC-2026-77".into(),
    };
    client.consult_close(request).await.map(|r| r.into_inner())
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if std::fs::read(&path).unwrap().windows(needle.len()).any(|w| w == needle) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

async fn publish_denial(fed: &Federation) {
    publish_denial_between(fed.operator(0), fed.operator(2)).await;
}

/// A publishes the denial; waits until C holds it.
async fn publish_denial_between(mut a: OperatorClient<Channel>, c: OperatorClient<Channel>) {
    let stored = a
        .put(put("denials", DENIAL, denial("BAFA-DN-2026-0042")))
        .await
        .unwrap();
    let header = stored.into_inner().header.expect("header");
    eventually("C to hold A's denial", WAIT, || {
        let (mut c, header) = (c.clone(), header.clone());
        async move { published(&mut c, &header).await.then_some(()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultation_relayed_through_b_stays_between_a_and_c() {
    let mut fed = Federation::new(3, &[(0, 1), (1, 2)]);
    fed.start_all().await;
    publish_denial(&fed).await;
    let (mut a, mut b, mut c) = (fed.operator(0), fed.operator(1), fed.operator(2));
    let marker = format!("MARKER-{:016x}", rand::random::<u64>());

    let opened = open(&mut c, &format!("minded to grant: {marker}")).await;
    let id = opened.id.clone();
    assert_eq!(
        (opened.requester.as_str(), opened.denier.as_str()),
        ("NL-CDIU", "DE-BAFA")
    );
    // A's node acknowledges by itself; C sees the acknowledgement.
    let at_a = reaches(&a, &id, ConsultationState::Acknowledged).await;
    assert!(at_a.inbox);
    assert_eq!(at_a.opened.unwrap().reason, format!("minded to grant: {marker}"));
    reaches(&c, &id, ConsultationState::Acknowledged).await;
    let inbox = a
        .consult_list(ConsultListRequest {
            inbox: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(inbox.into_inner().consultations.len(), 1);

    reply(
        &mut a,
        &id,
        ReplyKind::InformationRequested,
        "who audited the end user?",
    )
    .await
    .unwrap();
    reaches(&c, &id, ConsultationState::InformationRequested).await;
    let request = ConsultInformRequest {
        id: id.clone(),
        reason: "our embassy, on 2026-11-30".into(),
    };
    c.consult_inform(request).await.unwrap();
    let informed = reaches(&a, &id, ConsultationState::Acknowledged).await;
    assert!(
        informed
            .events
            .iter()
            .any(|e| e.step == "inform" && e.author == "NL-CDIU")
    );
    reply(&mut a, &id, ReplyKind::Objection, "the diversion risk stands")
        .await
        .unwrap();
    let replied = reaches(&c, &id, ConsultationState::Replied).await;
    assert_eq!(replied.reply(), ReplyKind::Objection);

    let closed = close(&mut c, &id, CloseDecision::Granted, true).await.unwrap();
    assert_eq!(closed.consultation.unwrap().state(), ConsultationState::Closed);
    let notice_id = closed.grant_notices[0].header.as_ref().unwrap().id.clone();
    for (node, client) in [("A", &a), ("B", &b)] {
        let notice = eventually(&format!("the grant notice at {node}"), WAIT, || {
            let (mut client, notice_id) = (client.clone(), notice_id.clone());
            async move { get(&mut client, "_grants.denials", &notice_id).await }
        })
        .await;
        let text = format!("{:?}", notice.record);
        assert!(text.contains(DENIAL) && text.contains("NL-LIC-2026-77"), "{text}");
        assert!(
            !text.contains(&marker),
            "the consultation's content is not in the notice"
        );
    }
    // A partner's check of the same transaction shows the denial with the grant.
    let request = CheckRequest {
        application: Some(application()),
    };
    let checked = b.check_application(request).await.unwrap().into_inner();
    let grant = &checked.matches[0].grants[0];
    assert_eq!(
        (grant.granted_by.as_str(), grant.licence_reference.as_str()),
        ("NL-CDIU", "NL-LIC-2026-77")
    );
    let shown = reaches(&a, &id, ConsultationState::Closed).await;
    assert_eq!(shown.events.len(), 6, "{:#?}", shown.events);
    assert!(
        shown
            .events
            .iter()
            .all(|e| e.signature_verified && e.ignored.is_empty())
    );

    // B relayed every step and can read none of them.
    let at_b = status(&mut b).await;
    let relayed = at_b.collections.iter().find(|c| c.name == "_consultations").unwrap();
    assert_eq!(relayed.records, 6, "B holds the sealed steps it relayed");
    assert_eq!(show(&mut b, &id).await.unwrap_err().code(), Code::NotFound);
    let listed = b
        .consult_list(ConsultListRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(listed.consultations.is_empty());
    fed.stop_all().await;
    assert_eq!(
        files_containing(fed.data_dir(1), marker.as_bytes()),
        Vec::<String>::new()
    );
    assert_eq!(
        files_containing(fed.data_dir(0), marker.as_bytes()),
        Vec::<String>::new(),
        "sealed at rest too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_steps_are_refused_audited_and_change_nothing() {
    let mut fed = Federation::new(3, &[(0, 1), (1, 2), (0, 2)]);
    fed.start_all().await;
    publish_denial(&fed).await;
    let (mut a, mut b, mut c) = (fed.operator(0), fed.operator(1), fed.operator(2));
    let id = open(&mut c, "minded to grant").await.id;
    // Both sides hold the acknowledgment before "nothing changed" is taken.
    reaches(&a, &id, ConsultationState::Acknowledged).await;
    reaches(&c, &id, ConsultationState::Acknowledged).await;
    let before = (digests(&mut a).await, digests(&mut c).await);

    let refusals: Vec<(&str, Code, tonic::Status)> = vec![
        (
            "the requester replies",
            Code::PermissionDenied,
            reply(&mut c, &id, ReplyKind::NoObjection, "x").await.unwrap_err(),
        ),
        (
            "the denier closes",
            Code::PermissionDenied,
            close(&mut a, &id, CloseDecision::Withdrawn, false).await.unwrap_err(),
        ),
        (
            "a third agency replies",
            Code::NotFound,
            reply(&mut b, &id, ReplyKind::Objection, "x").await.unwrap_err(),
        ),
        ("informing unasked", Code::FailedPrecondition, {
            let request = ConsultInformRequest {
                id: id.clone(),
                reason: "x".into(),
            };
            c.consult_inform(request).await.unwrap_err()
        }),
        (
            "granting unanswered",
            Code::FailedPrecondition,
            close(&mut c, &id, CloseDecision::Granted, false).await.unwrap_err(),
        ),
        (
            "a reply without a reason",
            Code::InvalidArgument,
            reply(&mut a, &id, ReplyKind::Objection, " ").await.unwrap_err(),
        ),
    ];
    for (what, code, status) in &refusals {
        assert_eq!(status.code(), *code, "{what}: {status:?}");
    }
    assert_eq!((digests(&mut a).await, digests(&mut c).await), before, "nothing stored");
    let tail = AuditTailRequest {
        limit: 1000,
        after_seq: 0,
    };
    // The steps refused above (not the polls of `show` before the consultation arrived, nor
    // an `open` retried until the partner's sealing key had replicated).
    let steps = ["consult.reply", "consult.inform", "consult.close"];
    let audited = |entries: Vec<AuditEntry>| {
        entries
            .iter()
            .filter(|e| e.action.starts_with("refuse") && steps.contains(&e.target.as_str()))
            .count()
    };
    assert_eq!(audited(a.audit_tail(tail).await.unwrap().into_inner().entries), 2);
    assert_eq!(audited(c.audit_tail(tail).await.unwrap().into_inner().entries), 3);

    // Closed is closed: no reply after it.
    close(&mut c, &id, CloseDecision::Withdrawn, false).await.unwrap();
    reaches(&a, &id, ConsultationState::Closed).await;
    let late = reply(&mut a, &id, ReplyKind::Objection, "too late").await.unwrap_err();
    assert_eq!(late.code(), Code::FailedPrecondition, "{late:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_past_the_reply_by_time_shows_as_no_reply_and_survives_a_restart() {
    let mut fed = Federation::new(3, &[(0, 1), (1, 2), (0, 2)]);
    fed.configs[2].consultations.reply_within = Duration::from_secs(2);
    fed.start_all().await;
    publish_denial(&fed).await;
    let mut c = fed.operator(2);
    let id = open(&mut c, "minded to grant").await.id;
    let silent = reaches(&c, &id, ConsultationState::NoReply).await;
    assert!(silent.overdue);
    let request = ConsultListRequest {
        overdue: true,
        outbox: true,
        ..Default::default()
    };
    let overdue = c.consult_list(request).await.unwrap().into_inner().consultations;
    assert_eq!(overdue.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);

    // Both sides keep the consultation across a kill-like stop and a restart.
    fed.stop_all().await;
    fed.start_all().await;
    reaches(&fed.operator(2), &id, ConsultationState::NoReply).await;
    let at_a = eventually("A to show the consultation after its restart", WAIT, || {
        let mut a = fed.operator(0);
        let id = id.clone();
        async move { show(&mut a, &id).await.ok() }
    })
    .await;
    assert!(at_a.inbox);
    // Silence is not consent, but once it is recorded the requester may decide.
    close(&mut fed.operator(2), &id, CloseDecision::Granted, false)
        .await
        .unwrap();
}

/// A `fednode` process per side (so each can be killed with SIGKILL), linked both ways.
struct Processes {
    fed: Federation,
    nodes: Vec<Option<tokio::process::Child>>,
    endpoints: Vec<String>,
}

impl Processes {
    async fn start(fed: Federation) -> Processes {
        let mut processes = Processes {
            nodes: vec![None, None],
            endpoints: vec![String::new(), String::new()],
            fed,
        };
        for i in 0..2 {
            processes.restart(i).await;
        }
        processes.link().await;
        processes
    }

    fn client(&self, i: usize) -> OperatorClient<Channel> {
        operator_at(&self.fed, i, &self.endpoints[i])
    }

    /// SIGKILL: no drain, no flush beyond what each acknowledgement already did.
    async fn kill(&mut self, i: usize) {
        let mut node = self.nodes[i].take().expect("running");
        node.start_kill().unwrap();
        node.wait().await.unwrap();
    }

    async fn restart(&mut self, i: usize) {
        let path = self.fed.dir.path().join(format!("node-{i}.toml"));
        std::fs::write(&path, config_toml(&self.fed.configs[i], "127.0.0.1:0")).unwrap();
        let (node, endpoint) = common::process::fednode(&path).await;
        (self.nodes[i], self.endpoints[i]) = (Some(node), endpoint);
    }

    /// Each side learns where the other listens now (a restart picks a new port).
    async fn link(&self) {
        for (i, other) in [(0, 1), (1, 0)] {
            let peer = PeerEntry {
                agency: self.fed.agency(other).to_string(),
                endpoint: self.endpoints[other].clone(),
            };
            let request = AddPeerRequest { peer: Some(peer) };
            self.client(i).add_peer(request).await.unwrap();
        }
    }
}

/// Each acknowledged step survives a SIGKILL of its author's node (and of the other side),
/// and the consultation goes on after the restart: A = DE-BAFA denies, C = FR-SBDU asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consultation_steps_survive_sigkill_on_both_sides() {
    let mut nodes = Processes::start(Federation::new(2, &[])).await;
    publish_denial_between(nodes.client(0), nodes.client(1)).await;
    let id = open(&mut nodes.client(1), "minded to grant").await.id;
    reaches(&nodes.client(0), &id, ConsultationState::Acknowledged).await;

    // A asks for information and is killed at once, and C with it.
    let asked = reply(
        &mut nodes.client(0),
        &id,
        ReplyKind::InformationRequested,
        "the end user?",
    )
    .await;
    assert_eq!(asked.unwrap().state(), ConsultationState::InformationRequested);
    nodes.kill(0).await;
    nodes.kill(1).await;
    nodes.restart(0).await;
    nodes.restart(1).await;
    let at_a = show(&mut nodes.client(0), &id)
        .await
        .expect("A still has the consultation");
    assert_eq!(at_a.state(), ConsultationState::InformationRequested);
    nodes.link().await;
    reaches(&nodes.client(1), &id, ConsultationState::InformationRequested).await;

    // C informs and is killed at once.
    let request = ConsultInformRequest {
        id: id.clone(),
        reason: "the end user is a university laboratory".into(),
    };
    nodes.client(1).consult_inform(request).await.unwrap();
    nodes.kill(1).await;
    nodes.restart(1).await;
    let at_c = show(&mut nodes.client(1), &id)
        .await
        .expect("C still has the consultation");
    assert_eq!(
        at_c.state(),
        ConsultationState::Acknowledged,
        "the inform step was lost"
    );
    nodes.link().await;
    reaches(&nodes.client(0), &id, ConsultationState::Acknowledged).await;

    // A objects, C grants anyway (after a reply: no override needed); both are killed.
    reply(&mut nodes.client(0), &id, ReplyKind::Objection, "diversion risk stands")
        .await
        .unwrap();
    reaches(&nodes.client(1), &id, ConsultationState::Replied).await;
    close(&mut nodes.client(1), &id, CloseDecision::Granted, false)
        .await
        .unwrap();
    nodes.kill(1).await;
    nodes.kill(0).await;
    nodes.restart(0).await;
    nodes.restart(1).await;
    nodes.link().await;
    for i in [1, 0] {
        let closed = reaches(&nodes.client(i), &id, ConsultationState::Closed).await;
        assert_eq!(closed.decision(), CloseDecision::Granted);
        assert_eq!(closed.reply(), ReplyKind::Objection);
        let steps: Vec<&str> = closed.events.iter().map(|e| e.step.as_str()).collect();
        assert_eq!(
            steps,
            ["open", "ack", "reply", "inform", "reply", "close"],
            "at node {i}"
        );
        assert!(closed.events.iter().all(|e| e.ignored.is_empty()), "{closed:?}");
    }
}
