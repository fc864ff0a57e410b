//! Screening on a real node: the index follows replication (a record put at A is
//! screenable at B; revoked, it stops matching), a whole party's particulars corroborate or
//! contradict a name, bad queries are refused, and `fedctl screen` works for one name and
//! for a CSV file over the streaming RPC.

mod common;

use std::time::Duration;

use common::*;
use fedx::proto::*;

fn query(name: &str) -> ScreenRequest {
    ScreenRequest {
        name: name.into(),
        ..ScreenRequest::default()
    }
}

async fn hits(
    client: &mut fedx::proto::operator_client::OperatorClient<tonic::transport::Channel>,
    name: &str,
) -> Vec<ScreenHit> {
    client.screen(query(name)).await.expect("screen").into_inner().hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replicated_entry_is_screenable_and_stops_matching_when_delisted() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    let mut a = fed.operator(0);
    let id = "SCREEN-1";
    a.put(put("shared", id, watchlist_entry("Rosoboronexport Trading LLC")))
        .await
        .unwrap();

    let b = fed.operator(1);
    let hit = eventually("B screens the replicated entry", Duration::from_secs(30), || {
        let mut b = b.clone();
        async move {
            hits(&mut b, "ROSOBORONEXPORT TRADING")
                .await
                .into_iter()
                .find(|h| h.id == id)
        }
    })
    .await;
    assert_eq!(hit.collection, "shared");
    assert_eq!(hit.kind, "watchlist_entry");
    assert_eq!(hit.author, fed.agency(0));
    assert_eq!(hit.matched_name, "Rosoboronexport Trading LLC");
    assert!(hit.score >= 0.85, "{hit:?}");
    let sum: f64 = hit.features.iter().map(|f| f.weight).sum();
    assert!((sum - hit.score).abs() < 1e-6, "features explain the score: {hit:?}");
    // A look-alike that is not the party does not match.
    let mut b2 = b.clone();
    assert!(
        hits(&mut b2, "Rostec Aviation Holding")
            .await
            .iter()
            .all(|h| h.id != id)
    );

    a.revoke(RevokeRequest {
        collection: "shared".into(),
        id: id.into(),
    })
    .await
    .unwrap();
    eventually(
        "the delisted entry stops matching at B",
        Duration::from_secs(30),
        || {
            let mut b = b.clone();
            async move {
                hits(&mut b, "Rosoboronexport Trading LLC")
                    .await
                    .iter()
                    .all(|h| h.id != id)
                    .then_some(())
            }
        },
    )
    .await;
    fed.stop_all().await;
}

/// A write acknowledged, or a record a peer delivered, is considered by the very next
/// screen: screens wait for the index to read the log as far as the store holds it. Each
/// round's entry comes last in a full batch, so the index has work to do before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_is_screenable_as_soon_as_its_node_holds_it() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    let (mut a, mut b) = (fed.operator(0), fed.operator(1));
    let names = [
        "Karvel Brookstein Holdings",
        "Tormund Varolindt Machinery",
        "Zedrik Quessary Optics",
    ];
    for (round, name) in names.into_iter().enumerate() {
        let mut puts: Vec<PutRequest> = (0..511)
            .map(|i| {
                put(
                    "shared",
                    &format!("FILL-{round}-{i}"),
                    watchlist_entry(&format!("Filler {round} {i} Trading")),
                )
            })
            .collect();
        let id = format!("NOW-{round}");
        puts.push(put("shared", &id, watchlist_entry(name)));
        let stored = a.batch_put(BatchPutRequest { puts }).await.unwrap().into_inner();
        let header = stored.results.last().and_then(|r| r.header.clone()).expect("header");
        let answer = a.screen(query(name)).await.expect("screen").into_inner();
        assert_eq!(answer.unindexed_records, 0, "the index covers what A held");
        let found = answer.hits;
        assert!(
            found.iter().any(|h| h.id == id),
            "{name} right after its put: {found:?}"
        );
        eventually("B holds the entry", Duration::from_secs(30), || {
            let (mut b, header) = (b.clone(), header.clone());
            async move { published(&mut b, &header).await.then_some(()) }
        })
        .await;
        let found = hits(&mut b, name).await;
        assert!(found.iter().any(|h| h.id == id), "{name} once B holds it: {found:?}");
    }
    fed.stop_all().await;
}

fn person(name: &str, born: &str, city: &str) -> Party {
    Party {
        names: vec![Name {
            full_name: name.into(),
            kind: NameKind::Primary as i32,
        }],
        entity_type: EntityType::Person as i32,
        addresses: vec![Address {
            city: city.into(),
            postal_code: "101000".into(),
            country: "RU".into(),
            ..Address::default()
        }],
        birth_dates: vec![born.into()],
        ..Party::default()
    }
}

fn listed(party: Party) -> RecordBody {
    let mut body = watchlist_entry("");
    if let Some(record_body::Kind::WatchlistEntry(w)) = &mut body.kind {
        w.party = Some(party);
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_party_is_corroborated_or_contradicted_by_its_particulars() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let mut a = fed.operator(0);
    let same = person("Sergei Viktorovich Lebedev", "1970-01-01", "Moscow");
    let namesake = person("Sergei Viktorovich Lebedev", "1982-03-04", "Kazan");
    a.put(put("shared", "P-SAME", listed(same.clone()))).await.unwrap();
    a.put(put("shared", "P-OTHER", listed(namesake))).await.unwrap();

    // Screenable once the index has followed the log to both puts.
    let by_name = eventually("both entries are screenable", Duration::from_secs(10), || {
        let mut a = a.clone();
        async move {
            let found = hits(&mut a, "Sergey Lebedev").await;
            (found.len() == 2).then_some(found)
        }
    })
    .await;
    let mut applicant = same.clone();
    applicant.names[0].full_name = "Sergey Lebedev".into();
    let request = ScreenRequest {
        party: Some(applicant),
        min_score: 0.5,
        ..query("")
    };
    let by_party = a.screen(request).await.expect("screen a party").into_inner().hits;
    let score = |hits: &[ScreenHit], id: &str| hits.iter().find(|h| h.id == id).map(|h| h.score);
    let feature = |id: &str, name: &str| {
        let hit = by_party.iter().find(|h| h.id == id).expect("hit");
        hit.features.iter().any(|f| f.name == name)
    };
    let (same_by_name, other_by_name) = (score(&by_name, "P-SAME"), score(&by_name, "P-OTHER"));
    assert_eq!(
        same_by_name, other_by_name,
        "the names alone cannot tell them apart: {by_name:?}"
    );
    assert!(score(&by_party, "P-SAME") > same_by_name, "corroborated: {by_party:?}");
    assert!(
        score(&by_party, "P-OTHER") < other_by_name,
        "contradicted: {by_party:?}"
    );
    for name in ["birth_date_match", "postal_code_match", "city_match"] {
        assert!(feature("P-SAME", name), "{name}: {by_party:?}");
    }
    assert!(feature("P-OTHER", "birth_date_mismatch"), "{by_party:?}");
    for hit in &by_party {
        let sum: f64 = hit.features.iter().map(|f| f.weight).sum();
        let clamped = sum.clamp(0.0, 1.0);
        assert!(
            (clamped - hit.score).abs() < 1e-6,
            "features explain the score: {hit:?}"
        );
    }
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_screening_queries_are_invalid_argument() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let mut client = fed.operator(0);
    let bad = [
        query("   "),
        ScreenRequest {
            country: "XX".into(),
            ..query("Ivan Petrov")
        },
        ScreenRequest {
            min_score: 1.5,
            ..query("Ivan Petrov")
        },
        ScreenRequest {
            limit: 100_000,
            ..query("Ivan Petrov")
        },
        ScreenRequest {
            party: Some(person("Ivan Petrov", "1970-01-01", "Moscow")),
            ..query("Ivan Petrov")
        },
        ScreenRequest {
            party: Some(Party::default()),
            ..query("")
        },
        ScreenRequest {
            party: Some(too_many_names()),
            ..query("")
        },
    ];
    let audited = |mut client: fedx::proto::operator_client::OperatorClient<tonic::transport::Channel>| async move {
        let tail = AuditTailRequest {
            limit: 1000,
            after_seq: 0,
        };
        let entries = client.audit_tail(tail).await.unwrap().into_inner().entries;
        entries.into_iter().filter(|e| e.action.starts_with("refuse")).count()
    };
    for (i, request) in bad.iter().enumerate() {
        let status = client.screen(request.clone()).await.expect_err("refused");
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{request:?}: {status:?}");
        assert_eq!(audited(client.clone()).await, i + 1, "{request:?} is audited");
    }
    // In a batch, the bad request ends the stream and is audited too.
    let batch = vec![query("Ivan Petrov"), bad[1].clone(), query("Olga Ivanova")];
    let mut responses = client
        .screen_batch(tokio_stream::iter(batch))
        .await
        .unwrap()
        .into_inner();
    assert!(responses.message().await.unwrap().is_some(), "the first answer");
    let status = responses.message().await.expect_err("the bad request ends the stream");
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    assert_eq!(
        audited(client.clone()).await,
        bad.len() + 1,
        "the batch's refusal is audited"
    );
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fedctl_screens_a_name_and_a_csv_file() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let mut a = fed.operator(0);
    a.put(put(
        "shared",
        "SCREEN-2",
        watchlist_entry("Golden Crescent Shipping Company"),
    ))
    .await
    .unwrap();
    let run = |args: Vec<String>| {
        let env = fed.fedctl_env(0);
        async move {
            let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_fedctl"))
                .args(args)
                .envs(env)
                .kill_on_drop(true)
                .output();
            tokio::time::timeout(Duration::from_secs(60), output)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let one = eventually("fedctl finds the entry", Duration::from_secs(30), || {
        let run = &run;
        async move {
            let out = run(vec![
                "-o".into(),
                "json".into(),
                "screen".into(),
                "GOLDEN CRESCENT SHIPPING CO".into(),
            ])
            .await;
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            (json["hits"][0]["id"] == "SCREEN-2").then_some(json)
        }
    })
    .await;
    assert!(one["algorithm"].as_str().unwrap().starts_with("fedx-screen"));

    let file = fed.dir.path().join("parties.csv");
    std::fs::write(&file, "name,country\nGolden Crescent Shipping,\nMaria Schmidt,DE\n").unwrap();
    let out = run(vec!["screen".into(), "--file".into(), file.display().to_string()]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "line,name,score,matched_name,collection,id,kind,author");
    assert!(
        lines[1].starts_with("2,Golden Crescent Shipping,") && lines[1].contains(",shared,SCREEN-2,"),
        "{csv}"
    );
    assert_eq!(lines[2], "3,Maria Schmidt,,,,,,", "{csv}");
    fed.stop_all().await;
}

/// After a restart the index is rebuilt from the store; a screen meanwhile waits for it
/// (a second at most) and never misses what the node holds without saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_node_never_misses_a_held_entry_without_saying_so() {
    const ENTRIES: usize = 4_000;
    const SYLLABLES: [&str; 10] = ["zor", "va", "nek", "tal", "mu", "rix", "pe", "quen", "sha", "bel"];
    let name = |i: usize| {
        let word = |n: usize| -> String { (0..4).map(|k| SYLLABLES[(n / 10usize.pow(k)) % 10]).collect() };
        format!("{} {} Trading", word(i), word(ENTRIES - 1 - i))
    };
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let mut a = fed.operator(0);
    for chunk in (0..ENTRIES).collect::<Vec<_>>().chunks(500) {
        let puts = chunk
            .iter()
            .map(|&i| put("shared", &format!("WL-{i}"), watchlist_entry(&name(i))))
            .collect();
        a.batch_put(BatchPutRequest { puts }).await.unwrap();
    }
    fed.stop(0).await;
    fed.start(0).await;
    // The last entry stored is the last one the rebuilt index takes in.
    let last = ENTRIES - 1;
    let answer = fed
        .operator(0)
        .screen(query(&name(last)))
        .await
        .expect("screen")
        .into_inner();
    let found = answer.hits.iter().any(|h| h.id == format!("WL-{last}"));
    assert!(
        found || answer.unindexed_records > 0,
        "a screen right after the restart missed an entry the node holds and said nothing: {answer:?}"
    );
    fed.stop_all().await;
}

/// A party with more names than `Screen` takes (each name is a full screening).
fn too_many_names() -> Party {
    let mut party = person("Ivan Petrov", "1970-01-01", "Moscow");
    for i in 0..fedx::records::validate::SCREENED_NAMES_MAX {
        party.names.push(Name {
            full_name: format!("Ivan Petrov {i}"),
            kind: NameKind::Alias as i32,
        });
    }
    party
}
