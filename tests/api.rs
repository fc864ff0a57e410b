//! The operator API's reads.

mod common;

use common::*;
use fedx::proto::*;

async fn ids(
    client: &mut fedx::proto::operator_client::OperatorClient<tonic::transport::Channel>,
    prefix: &str,
    start_after: &str,
    limit: u32,
) -> (Vec<String>, String) {
    let request = ListRequest {
        collection: "denials".into(),
        id_prefix: prefix.into(),
        start_after: start_after.into(),
        limit,
    };
    let page = client.list(request).await.unwrap().into_inner();
    let ids = page
        .records
        .iter()
        .map(|r| r.record.as_ref().unwrap().header.as_ref().unwrap().id.clone())
        .collect();
    (ids, page.next_start_after)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_through_a_prefix_whatever_start_after_says() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let mut a = fed.operator(0);
    let puts = ["DE-BAFA/A1", "DE-BAFA/A2", "DE-BAFA/B1", "DE-BAFA/B2", "DE-BAFA/C1"]
        .iter()
        .map(|id| put("denials", id, denial(id)))
        .collect();
    a.batch_put(BatchPutRequest { puts }).await.unwrap();

    assert_eq!(ids(&mut a, "", "", 0).await.0.len(), 5);
    // A start_after before the prefix must not end the listing early.
    assert_eq!(
        ids(&mut a, "DE-BAFA/B", "DE-BAFA/A", 0).await.0,
        vec!["DE-BAFA/B1", "DE-BAFA/B2"]
    );
    // Paging one at a time within a prefix.
    let (first, next) = ids(&mut a, "DE-BAFA/B", "", 1).await;
    assert_eq!((first, next.as_str()), (vec!["DE-BAFA/B1".to_string()], "DE-BAFA/B1"));
    let (second, next) = ids(&mut a, "DE-BAFA/B", &next, 1).await;
    assert_eq!(second, vec!["DE-BAFA/B2"]);
    assert!(next.is_empty(), "the last page of the prefix says there is no more");
    let (rest, next) = ids(&mut a, "DE-BAFA/B", "DE-BAFA/B2", 1).await;
    assert!(rest.is_empty() && next.is_empty());
    fed.stop_all().await;
}

/// The store signs the puts of concurrent requests together; a request must still see
/// what an earlier one in the same commit wrote, so sixteen concurrent puts of one body
/// make one version, and every other put is answered as unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_puts_of_one_body_make_one_version() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let a = fed.operator(0);
    for round in 0..5 {
        let id = format!("DE-BAFA/SAME-{round}");
        let puts = (0..16).map(|_| {
            let (mut a, id) = (a.clone(), id.clone());
            async move { a.put(put("denials", &id, denial(&id))).await.unwrap().into_inner() }
        });
        let answers = futures_util::future::join_all(puts).await;
        let created = answers
            .iter()
            .filter(|r| r.outcome == PutOutcome::Created as i32)
            .count();
        let unchanged = answers
            .iter()
            .filter(|r| r.outcome == PutOutcome::Unchanged as i32)
            .count();
        assert_eq!((created, unchanged), (1, 15), "round {round}: {answers:?}");
        assert!(
            answers
                .iter()
                .all(|r| r.header.as_ref().unwrap().seq == answers[0].header.as_ref().unwrap().seq)
        );
    }
    fed.stop_all().await;
}
