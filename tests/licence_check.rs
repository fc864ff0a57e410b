//! Licence checks against real nodes: a partner's denial replicated to C is found by C's
//! check as essentially identical, related or not at all, as the matching rule says; only
//! denials in force and only other agencies' denials count; bad applications are refused.

mod common;

use std::time::Duration;

use common::process::fedctl;
use common::*;
use fedx::proto::operator_client::OperatorClient;
use fedx::proto::record_body::Kind;
use fedx::proto::*;
use tonic::transport::Channel;

const WAIT: Duration = Duration::from_secs(20);

fn example_application() -> Application {
    let text = include_str!("../config/examples/application-identical.json");
    serde_json::from_str(text).expect("the example application parses")
}

/// The example application with the acceptance test's consignee, destination and entries.
fn application(destination: &str, entries: &[&str]) -> Application {
    let mut application = example_application();
    application.destination_country = destination.into();
    application.control_list_entries = entries.iter().map(|e| e.to_string()).collect();
    application.consignee.as_mut().unwrap().names[0].full_name = "GULF PRECISION MACHINERY TRDG L.L.C.".into();
    application.consignee.as_mut().unwrap().addresses.clear();
    application
}

async fn check(client: &mut OperatorClient<Channel>, application: Application) -> CheckResponse {
    let request = CheckRequest {
        application: Some(application),
    };
    client.check_application(request).await.expect("check").into_inner()
}

fn classes(response: &CheckResponse) -> Vec<(String, MatchClass)> {
    response.matches.iter().map(|m| (m.id.clone(), m.class())).collect()
}

fn denial_decided(reference: &str, decision_date: &str) -> RecordBody {
    let mut body = denial(reference);
    if let Some(Kind::LicenseDenial(d)) = &mut body.kind {
        d.decision_date = decision_date.into();
        d.review_due_date.clear();
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_denial_is_essentially_identical_related_or_no_match_as_the_rule_says() {
    let mut fed = Federation::new(3, &[(0, 1), (1, 2), (0, 2)]);
    fed.start_all().await;
    let (mut a, mut c) = (fed.operator(0), fed.operator(2));
    let id = format!("{}/DN-0042", fed.agency(0));
    a.put(put("denials", &id, denial("BAFA-DN-2026-0042"))).await.unwrap();
    // C's own, identical denial never counts: a check is about partners' denials.
    let own = format!("{}/DN-OWN", fed.agency(2));
    c.put(put("denials", &own, denial("OWN-1"))).await.unwrap();
    // A denial past its review date (decided more than three years ago) is not in force.
    let stale = format!("{}/DN-STALE", fed.agency(0));
    a.put(put("denials", &stale, denial_decided("OLD-1", "2021-01-04")))
        .await
        .unwrap();
    let mut held = Vec::new();
    for key in [&id, &stale] {
        held.push(
            eventually("C to hold A's denials", WAIT, || {
                let mut c = c.clone();
                let key = key.clone();
                async move {
                    let stored = get(&mut c, "denials", &key).await?;
                    let header = stored.record.as_ref()?.header.as_ref()?;
                    published(&mut c, header).await.then_some(stored.clone())
                }
            })
            .await,
        );
    }

    let identical = check(&mut c, application("AE", &["2B001.b"])).await;
    assert!(identical.consultation_required, "{identical:#?}");
    assert_eq!(classes(&identical), [(id.clone(), MatchClass::EssentiallyIdentical)]);
    let found = &identical.matches[0];
    assert_eq!(found.author, fed.agency(0));
    assert_eq!(found.reference, "BAFA-DN-2026-0042");
    assert_eq!(found.version_hash, held[0].sha256, "the version compared is named");
    assert_eq!(found.entries[0].relation(), EntryRelation::Parent);
    assert_eq!(found.parties[0].denial_name, "Gulf Precision Machinery Trading LLC");
    assert!(!found.explanation.is_empty());

    let other_goods = check(&mut c, application("AE", &["3A001"])).await;
    assert!(!other_goods.consultation_required);
    assert_eq!(classes(&other_goods), [(id.clone(), MatchClass::Related)]);

    let elsewhere = check(&mut c, application("SA", &["2B001.b"])).await;
    assert!(!elsewhere.consultation_required, "{elsewhere:#?}");

    // Once A revokes it, nothing is in force for this transaction.
    a.revoke(RevokeRequest {
        collection: "denials".into(),
        id: id.clone(),
    })
    .await
    .unwrap();
    let revoked = eventually("C's check to drop the revoked denial", WAIT, || {
        let mut c = c.clone();
        async move {
            let response = check(&mut c, application("AE", &["2B001.b"])).await;
            response.matches.is_empty().then_some(response)
        }
    })
    .await;
    assert!(!revoked.consultation_required);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedctl_check_exits_4_when_a_consultation_is_required_and_refuses_bad_applications() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    let id = format!("{}/DN-CLI", fed.agency(0));
    let stored = fed.operator(0).put(put("denials", &id, denial("CLI-1"))).await.unwrap();
    let header = stored.into_inner().header.expect("header");
    eventually("B to hold A's denial", WAIT, || {
        let (mut b, header) = (fed.operator(1), header.clone());
        async move { published(&mut b, &header).await.then_some(()) }
    })
    .await;
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/config/examples");
    let identical = format!("{examples}/application-identical.json");
    let output = fedctl(&fed, 1, &["-o", "json", "check", &identical], None).await;
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    let response: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(response["consultation_required"], true);
    assert_eq!(response["matches"][0]["class"], "MATCH_CLASS_ESSENTIALLY_IDENTICAL");
    let related = format!("{examples}/application-related.json");
    let output = fedctl(&fed, 1, &["check", &related], None).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("related"),
        "{output:?}"
    );

    // A bad application: InvalidArgument, audited, nothing stored.
    let before = digests(&mut fed.operator(1)).await;
    let mut bad = example_application();
    bad.destination_country = "XX".into();
    let refused = fed
        .operator(1)
        .check_application(CheckRequest { application: Some(bad) })
        .await
        .expect_err("refused");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument, "{refused:?}");
    assert!(refused.message().contains("destination_country"), "{refused:?}");
    let missing = fed
        .operator(1)
        .check_application(CheckRequest { application: None })
        .await
        .expect_err("refused");
    assert_eq!(missing.code(), tonic::Code::InvalidArgument);
    let tail = AuditTailRequest {
        limit: 100,
        after_seq: 0,
    };
    let entries = fed.operator(1).audit_tail(tail).await.unwrap().into_inner().entries;
    let refusals = entries
        .iter()
        .filter(|e| e.action.starts_with("refuse") && e.target == "check");
    assert_eq!(refusals.count(), 2, "{entries:#?}");
    assert_eq!(digests(&mut fed.operator(1)).await, before, "nothing stored");
}

/// A check considers a partner's denial as soon as the node holds it, even when it came
/// last in a full batch the index is still reading (checks wait for the index).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_counts_as_soon_as_the_node_holds_it() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    let (mut a, mut b) = (fed.operator(0), fed.operator(1));
    let author = fed.agency(0).to_string();
    let mut puts: Vec<PutRequest> = (0..511)
        .map(|i| {
            let mut body = denial(&format!("FILL-{i}"));
            if let Some(Kind::LicenseDenial(d)) = &mut body.kind {
                d.consignee.as_mut().unwrap().names[0].full_name = format!("Filler {i} Optics Trading");
            }
            put("denials", &format!("{author}/FILL-{i}"), body)
        })
        .collect();
    let id = format!("{author}/DN-LAST");
    puts.push(put("denials", &id, denial("BAFA-DN-LAST")));
    let stored = a.batch_put(BatchPutRequest { puts }).await.unwrap().into_inner();
    let header = stored.results.last().and_then(|r| r.header.clone()).expect("header");
    eventually("B holds the batch", WAIT, || {
        let (mut b, header) = (b.clone(), header.clone());
        async move { published(&mut b, &header).await.then_some(()) }
    })
    .await;
    let response = check(&mut b, application("AE", &["2B001.b"])).await;
    assert!(response.consultation_required, "{response:#?}");
    assert_eq!(classes(&response), [(id, MatchClass::EssentiallyIdentical)]);
}
