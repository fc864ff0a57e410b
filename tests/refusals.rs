//! Bad input from our own operators: the exact status code, and nothing stored.

mod common;

use common::*;
use fedx::proto::*;
use tonic::Code;

fn denial_with(mutate: impl FnOnce(&mut LicenseDenial)) -> RecordBody {
    let mut body = denial("REF");
    if let Some(record_body::Kind::LicenseDenial(d)) = &mut body.kind {
        mutate(d);
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_puts_get_the_right_code_and_leave_the_store_untouched() {
    let mut fed = Federation::new(3, &[]);
    fed.start(0).await;
    let mut a = fed.operator(0);
    a.put(put("denials", "DE-BAFA/GOOD", denial("GOOD"))).await.unwrap();
    let before = digests(&mut a).await;
    let huge = "x".repeat(70 * 1024);

    let cases: Vec<(&str, PutRequest, Code)> = vec![
        (
            "unknown collection",
            put("nope", "DE-BAFA/1", denial("R")),
            Code::InvalidArgument,
        ),
        (
            "another agency's id",
            put("denials", "FR-SBDU/1", denial("R")),
            Code::PermissionDenied,
        ),
        (
            "id without agency",
            put("denials", "1", denial("R")),
            Code::PermissionDenied,
        ),
        ("empty id", put("denials", "", denial("R")), Code::InvalidArgument),
        (
            "control character in id",
            put("denials", "DE-BAFA/a\u{0}b", denial("R")),
            Code::InvalidArgument,
        ),
        (
            "wrong kind",
            put("denials", "DE-BAFA/1", watchlist_entry("X")),
            Code::InvalidArgument,
        ),
        (
            "no body",
            PutRequest {
                collection: "denials".into(),
                id: "DE-BAFA/1".into(),
                body: None,
            },
            Code::InvalidArgument,
        ),
        (
            "invalid country",
            put(
                "denials",
                "DE-BAFA/1",
                denial_with(|d| d.destination_country = "XX".into()),
            ),
            Code::InvalidArgument,
        ),
        (
            "invalid date",
            put(
                "denials",
                "DE-BAFA/1",
                denial_with(|d| d.decision_date = "2026-02-30".into()),
            ),
            Code::InvalidArgument,
        ),
        (
            "missing consignee",
            put("denials", "DE-BAFA/1", denial_with(|d| d.consignee = None)),
            Code::InvalidArgument,
        ),
        (
            "oversize",
            put(
                "denials",
                "DE-BAFA/1",
                denial_with(|d| d.item_description = huge.clone()),
            ),
            Code::InvalidArgument,
        ),
    ];
    for (what, request, expected) in cases {
        let code = a.put(request).await.map(|_| ()).unwrap_err().code();
        assert_eq!(code, expected, "{what}");
        assert_eq!(digests(&mut a).await, before, "{what} changed the store");
    }

    // A batch with one bad record in the middle stores nothing at all.
    let puts = vec![
        put("denials", "DE-BAFA/B1", denial("B1")),
        put(
            "denials",
            "DE-BAFA/B2",
            denial_with(|d| d.item_description = huge.clone()),
        ),
        put("denials", "DE-BAFA/B3", denial("B3")),
    ];
    let error = a.batch_put(BatchPutRequest { puts }).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert!(error.message().contains("puts[1]"), "{}", error.message());
    assert_eq!(digests(&mut a).await, before);

    // Revoking what does not exist, or twice.
    let revoke = |id: &str| RevokeRequest {
        collection: "denials".into(),
        id: id.into(),
    };
    assert_eq!(
        a.revoke(revoke("DE-BAFA/none")).await.unwrap_err().code(),
        Code::NotFound
    );
    a.revoke(revoke("DE-BAFA/GOOD")).await.unwrap();
    let after_revoke = digests(&mut a).await;
    assert_eq!(
        a.revoke(revoke("DE-BAFA/GOOD")).await.unwrap_err().code(),
        Code::FailedPrecondition
    );
    assert_eq!(digests(&mut a).await, after_revoke);
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_outside_writers_cannot_put() {
    // NL-CDIU is neither writer nor reader of `restricted`.
    let mut fed = Federation::new(3, &[]);
    fed.start(2).await;
    let mut c = fed.operator(2);
    let before = digests(&mut c).await;
    let code = c
        .put(put("restricted", "NL-CDIU/1", end_use_check()))
        .await
        .unwrap_err()
        .code();
    assert_eq!(
        code,
        Code::InvalidArgument,
        "the collection does not exist on this node"
    );
    assert_eq!(digests(&mut c).await, before);
    fed.stop_all().await;
}
