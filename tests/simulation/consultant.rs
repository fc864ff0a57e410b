//! Consultations among the simulation's writers: now and then a writer, instead of a write,
//! takes the next step open to its agency: it replies to a consultation in its inbox,
//! informs or closes one in its outbox, or opens one on a partner's denial it holds. Each
//! step a node acknowledged is kept; at the end both authorities of every consultation
//! must show the same steps, every acknowledged one among them, and no other node may
//! show it at all.

use std::collections::{BTreeMap, BTreeSet};

use fedx::proto::operator_client::OperatorClient;
use fedx::proto::*;
use rand::Rng;
use rand::rngs::StdRng;
use tonic::transport::Channel;

use super::{AGENCIES, CALL, NODES};

/// Percent of a writer's turns spent on a consultation step.
pub const PERCENT: u32 = 8;

/// The steps nodes acknowledged, by consultation.
#[derive(Default)]
pub struct Acknowledged {
    /// Consultation id → (requester, denier, record ids of the acknowledged steps).
    steps: BTreeMap<String, (String, String, BTreeSet<String>)>,
    pub anomalies: Vec<String>,
}

impl Acknowledged {
    pub fn len(&self) -> usize {
        self.steps.values().map(|(_, _, s)| s.len()).sum()
    }

    pub fn consultations(&self) -> usize {
        self.steps.len()
    }
}

fn application() -> Application {
    serde_json::from_str(include_str!("../../config/examples/application-identical.json")).expect("the example parses")
}

/// One step for `agency`, through its node; what the node acknowledged goes into `acked`.
pub async fn step(
    agency: &str,
    n: u64,
    rng: &mut StdRng,
    client: &mut OperatorClient<Channel>,
    acked: &std::sync::Mutex<Acknowledged>,
) {
    let Ok(Ok(listed)) = tokio::time::timeout(CALL, client.consult_list(ConsultListRequest::default())).await else {
        return;
    };
    let all = listed.into_inner().consultations;
    let reason = format!("simulated step {n} by {agency}");
    let find = |inbox: bool, states: &[ConsultationState]| {
        all.iter()
            .find(|c| c.inbox == inbox && states.contains(&c.state()))
            .map(|c| c.id.clone())
    };
    use ConsultationState as S;
    let call = async {
        if let Some(id) = find(true, &[S::Open, S::Acknowledged]) {
            let kinds = [
                ReplyKind::NoObjection,
                ReplyKind::Objection,
                ReplyKind::InformationRequested,
            ];
            let kind = kinds[rng.gen_range(0..kinds.len())] as i32;
            let request = ConsultReplyRequest { id, kind, reason };
            return client.consult_reply(request).await.map(|r| r.into_inner());
        }
        if let Some(id) = find(false, &[S::InformationRequested]) {
            let request = ConsultInformRequest { id, reason };
            return client.consult_inform(request).await.map(|r| r.into_inner());
        }
        if let Some(id) = find(false, &[S::Replied, S::NoReply]) {
            let decisions = [CloseDecision::Granted, CloseDecision::Withdrawn];
            let request = ConsultCloseRequest {
                id,
                decision: decisions[rng.gen_range(0..decisions.len())] as i32,
                reason,
                r#override: false,
                licence_reference: format!("{agency}-LIC-{n}"),
            };
            return client
                .consult_close(request)
                .await
                .map(|r| r.into_inner().consultation.unwrap_or_default());
        }
        let request = ListRequest {
            collection: "denials".into(),
            limit: 200,
            ..Default::default()
        };
        let denials = client.list(request).await?.into_inner().records;
        let theirs: Vec<String> = denials
            .iter()
            .filter_map(|r| r.record.as_ref()?.header.as_ref())
            .filter(|h| h.author != agency && !h.tombstone)
            .map(|h| h.id.clone())
            .collect();
        if theirs.is_empty() {
            return Err(tonic::Status::failed_precondition("no partner's denial held yet"));
        }
        let request = ConsultOpenRequest {
            denials: vec![DenialRef {
                collection: "denials".into(),
                id: theirs[rng.gen_range(0..theirs.len())].clone(),
            }],
            application: Some(application()),
            reason,
        };
        client.consult_open(request).await.map(|r| r.into_inner())
    };
    let result = tokio::time::timeout(CALL, call)
        .await
        .unwrap_or_else(|_| Err(tonic::Status::deadline_exceeded("no answer")));
    let mut acked = acked.lock().unwrap();
    match result {
        Ok(view) => {
            // Our new step is our newest: the node's clock is past every step it holds.
            let Some(ours) = view.events.iter().rev().find(|e| e.author == agency) else {
                return acked
                    .anomalies
                    .push(format!("{agency}: a step acknowledged but not shown: {view:?}"));
            };
            let entry = acked
                .steps
                .entry(view.id.clone())
                .or_insert_with(|| (view.requester.clone(), view.denier.clone(), BTreeSet::new()));
            entry.2.insert(ours.record_id.clone());
        }
        // A race with the other side's step, a denial revoked or not yet replicated, a
        // sealing key not yet announced, or a node down: nothing acknowledged.
        Err(status)
            if matches!(
                status.code(),
                tonic::Code::InvalidArgument
                    | tonic::Code::FailedPrecondition
                    | tonic::Code::NotFound
                    | tonic::Code::Unavailable
                    | tonic::Code::Unknown
                    | tonic::Code::Cancelled
                    | tonic::Code::DeadlineExceeded
                    | tonic::Code::Aborted
            ) => {}
        Err(status) => acked
            .anomalies
            .push(format!("{agency}: consultation step failed: {status:?}")),
    }
}

/// Both authorities of every consultation show the same steps, every acknowledged one among
/// them; the other nodes do not show it.
pub async fn check(seed: u64, acked: &Acknowledged, operator: impl Fn(usize) -> OperatorClient<Channel>) {
    for (id, (requester, denier, steps)) in &acked.steps {
        let mut views = Vec::new();
        for (i, agency) in AGENCIES.iter().enumerate().take(NODES) {
            let request = ConsultShowRequest { id: id.clone() };
            let shown = tokio::time::timeout(CALL, operator(i).consult_show(request))
                .await
                .unwrap_or_else(|_| panic!("seed {seed}: node {i} does not answer"));
            let party = agency == requester || agency == denier;
            match shown {
                Ok(view) if party => views.push(view.into_inner()),
                Err(status) if !party && status.code() == tonic::Code::NotFound => {}
                other => panic!("seed {seed}: node {i} ({agency}) shows {id}: {other:?}"),
            }
        }
        let held =
            |view: &Consultation| -> BTreeSet<String> { view.events.iter().map(|e| e.record_id.clone()).collect() };
        let (first, second) = (&views[0], &views[1]);
        assert_eq!(
            (held(first), first.state),
            (held(second), second.state),
            "seed {seed}: {requester} and {denier} see consultation {id} differently"
        );
        let shown = held(first);
        let lost: Vec<_> = steps.difference(&shown).collect();
        assert!(
            lost.is_empty(),
            "seed {seed}: acknowledged steps of {id} lost: {lost:?}"
        );
    }
}
