//! Offline bundles between nodes that are never connected: A and B peer, C is alone.
//! Records cross by want file and bundle, through `fedctl`, and C ends with what A holds
//! of every collection C may read; tampered, misaddressed and forged bundles are refused
//! as docs/bundles.md says, audited, and change nothing else.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::*;
use fedx::bundle::format::{self, MAGIC, Reader};
use fedx::proto::*;
use prost::Message as _;

const A: usize = 0;
const B: usize = 1;
const C: usize = 2;

/// Runs fedctl as node `i`'s operator, bounded in time.
async fn fedctl(fed: &Federation, i: usize, args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_fedctl"));
    command.args(args).kill_on_drop(true);
    for (name, value) in fed.fedctl_env(i) {
        command.env(name, value);
    }
    let output = command.output();
    tokio::time::timeout(Duration::from_secs(60), output)
        .await
        .unwrap_or_else(|_| panic!("fedctl {args:?} did not finish in 60 s"))
        .expect("fedctl runs")
}

fn ok(output: Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "fedctl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("fedctl -o json prints JSON")
}

/// C's want file carried to A, A's bundle carried to C and imported there: the summary.
async fn carry_a_to_c(fed: &Federation, name: &str) -> serde_json::Value {
    let dir = fed.dir.path();
    let want = dir.join(format!("{name}.want.json"));
    let bundle = dir.join(format!("{name}.fedx"));
    ok(fedctl(fed, C, &["-o", "json", "bundle", "want", "--out", path(&want)]).await);
    let to = fed.agency(C).to_string();
    let export = [
        "-o",
        "json",
        "bundle",
        "export",
        "--to",
        &to,
        "--want",
        path(&want),
        "--out",
        path(&bundle),
    ];
    ok(fedctl(fed, A, &export).await);
    ok(fedctl(fed, C, &["-o", "json", "bundle", "import", path(&bundle)]).await)
}

/// A number in fedctl's proto3 JSON: 64-bit ones are strings, zeros are left out.
fn num(value: &serde_json::Value, field: &str) -> u64 {
    match &value[field] {
        serde_json::Value::String(s) => s.parse().expect("a number"),
        serde_json::Value::Number(n) => n.as_u64().expect("a whole number"),
        _ => 0,
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// Every collection C holds, with A's and C's (records, digest).
async fn compare_with_a(fed: &Federation) -> Vec<(String, (u64, String), (u64, String))> {
    let at_a = status(&mut fed.operator(A)).await.collections;
    let at_c = status(&mut fed.operator(C)).await.collections;
    at_c.into_iter()
        .map(|c| {
            let a = at_a.iter().find(|a| a.name == c.name).expect("A holds what C holds");
            (c.name, (a.records, a.digest.clone()), (c.records, c.digest))
        })
        .collect()
}

/// The records of a bundle file, read as the node reads it.
fn records_in(file: &Path) -> Vec<RecordHeader> {
    let mut reader = Reader::default();
    reader.push(&std::fs::read(file).unwrap());
    let mut headers = Vec::new();
    let _header = reader.next_message().unwrap().expect("a header");
    while let Some(chunk) = reader.next_message().unwrap() {
        for record in BundleChunk::decode(chunk.as_slice()).unwrap().records {
            headers.push(fedx::records::header_of(&record.record).expect("a record header"));
        }
    }
    reader.finish().unwrap();
    headers
}

async fn put_denials(fed: &Federation, i: usize, from: usize, to: usize) {
    let mut client = fed.operator(i);
    for n in from..to {
        let id = format!("{}/bundle-{n}", fed.agency(i));
        client.put(put("denials", &id, denial(&id))).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_never_connected_catches_up_by_bundle_and_then_only_on_what_changed() {
    init_logging();
    let mut fed = Federation::new(3, &[(A, B)]);
    fed.start_all().await;
    put_denials(&fed, A, 0, 20).await;
    put_denials(&fed, B, 0, 10).await;
    let mut a = fed.operator(A);
    for n in 0..5 {
        let id = format!("{}/eu-{n}", fed.agency(A));
        a.put(put("restricted", &id, end_use_check())).await.unwrap();
        let entry = format!("shared-{n}");
        a.put(put("shared", &entry, watchlist_entry(&entry))).await.unwrap();
    }
    eventually("A holds B's denials", Duration::from_secs(20), || async {
        (records_held(&mut fed.operator(A), "denials").await == 30).then_some(())
    })
    .await;

    // Round one: C knows nothing of A or B but their configured keys.
    let summary = carry_a_to_c(&fed, "one").await;
    assert_eq!(num(&summary, "refused_count"), 0, "{summary}");
    let stored = num(&summary, "stored");
    assert!(stored >= 35, "A's and B's denials and the shared entries: {summary}");
    let bundle = fed.dir.path().join("one.fedx");
    let carried = records_in(&bundle);
    assert!(
        carried.iter().all(|h| h.collection != "restricted"),
        "C may not read `restricted`; it never goes into a bundle for C"
    );
    // C's own sealing key announcement goes the other way, so A holds what C does.
    let back = fed.dir.path().join("back.fedx");
    let to_a = fed.agency(A).to_string();
    ok(fedctl(
        &fed,
        C,
        &["-o", "json", "bundle", "export", "--to", &to_a, "--out", path(&back)],
    )
    .await);
    ok(fedctl(&fed, A, &["-o", "json", "bundle", "import", path(&back)]).await);
    for (name, at_a, at_c) in compare_with_a(&fed).await {
        assert_eq!(at_a, at_c, "collection {name}: A and C differ after the exchange");
    }

    // Round two carries only what changed since C's want file.
    put_denials(&fed, A, 20, 23).await;
    let summary = carry_a_to_c(&fed, "two").await;
    assert_eq!(num(&summary, "records"), 3, "{summary}");
    assert_eq!(num(&summary, "stored"), 3, "{summary}");
    // The same bundle again changes nothing.
    let again = ok(fedctl(
        &fed,
        C,
        &["-o", "json", "bundle", "import", path(&fed.dir.path().join("two.fedx"))],
    )
    .await);
    assert_eq!(num(&again, "stored"), 0, "{again}");
    assert_eq!(num(&again, "already_held"), 3, "{again}");
    let records_at_c = records_held(&mut fed.operator(C), "denials").await;
    assert_eq!(records_at_c, 33);
    let audit = audit_actions(&fed, C).await;
    assert!(audit.iter().any(|(action, _)| action == "bundle.import"), "{audit:?}");
    fed.stop_all().await;
}

async fn audit_actions(fed: &Federation, i: usize) -> Vec<(String, String)> {
    let request = AuditTailRequest {
        limit: 1000,
        after_seq: 0,
    };
    let tail = fed.operator(i).audit_tail(request).await.unwrap().into_inner();
    tail.entries
        .into_iter()
        .map(|e| (e.action, format!("{} {} {}", e.actor, e.target, e.detail)))
        .collect()
}

/// (digests, audit entries) of C: what must not change but for the audit.
async fn state_of_c(fed: &Federation) -> Vec<(String, u64, String)> {
    digests(&mut fed.operator(C)).await
}

/// A and B peer, C is alone; A holds `denials` of its own and has written everything C
/// may read into a bundle for C: the federation and the bundle's path.
async fn a_bundle_for_c(denials: usize) -> (Federation, PathBuf) {
    init_logging();
    let mut fed = Federation::new(3, &[(A, B)]);
    fed.start_all().await;
    put_denials(&fed, A, 0, denials).await;
    let good = fed.dir.path().join("good.fedx");
    let to_c = fed.agency(C).to_string();
    let export = ["-o", "json", "bundle", "export", "--to", &to_c, "--out", path(&good)];
    ok(fedctl(&fed, A, &export).await);
    (fed, good)
}

fn flipped(file: &Path, at: usize, name: &str) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    bytes[at] ^= 0x01;
    let out = file.with_file_name(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_misaddressed_and_forged_bundles_are_refused() {
    let (mut fed, good) = a_bundle_for_c(12).await;
    let dir = fed.dir.path().to_path_buf();
    let before = state_of_c(&fed).await;

    // Damage the bundle refuses whole: nothing stored.
    let bytes = std::fs::read(&good).unwrap();
    let header_at = MAGIC.len() + 2;
    let refusals = [
        (0, "magic", "not a fedx bundle"),
        (header_at, "header", "the bundle header"),
        (header_at + 40, "header", "the bundle header"),
    ];
    for (at, what, expected) in refusals {
        let file = flipped(&good, at, &format!("flip-{at}.fedx"));
        let output = fedctl(&fed, C, &["bundle", "import", path(&file)]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "a flipped byte in the {what} is refused whole"
        );
        assert!(stderr.contains(expected), "{what}: {stderr}");
        assert_eq!(state_of_c(&fed).await, before, "a refused bundle changes nothing");
    }

    // A bundle for B, imported at C.
    let for_b = dir.join("for-b.fedx");
    let to_b = fed.agency(B).to_string();
    ok(fedctl(
        &fed,
        A,
        &["-o", "json", "bundle", "export", "--to", &to_b, "--out", path(&for_b)],
    )
    .await);
    let output = fedctl(&fed, C, &["bundle", "import", path(&for_b)]).await;
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the bundle is for \"FR-SBDU\", not NL-CDIU"),
        "{stderr}"
    );
    assert_eq!(state_of_c(&fed).await, before);

    // A byte flipped inside one record: that record is refused by name, the rest stored.
    let mut reader = Reader::default();
    reader.push(&bytes);
    let _header = reader.next_message().unwrap().unwrap();
    let chunk = BundleChunk::decode(reader.next_message().unwrap().unwrap().as_slice()).unwrap();
    let victim = &chunk.records[3];
    let victim_name = fedx::records::key_hint(victim);
    let at = find(&bytes, &victim.signature) + 10;
    let file = flipped(&good, at, "flip-record.fedx");
    let output = fedctl(&fed, C, &["-o", "json", "bundle", "import", path(&file)]).await;
    assert_eq!(output.status.code(), Some(1), "refusals make the import fail");
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let refused: Vec<String> = summary["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["record"].as_str().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert!(refused.contains(&format!("{victim_name} bad_signature")), "{refused:?}");
    assert!(refused.contains(&"chunk 0 altered".to_string()), "{refused:?}");
    assert_eq!(num(&summary, "stored"), records_in(&good).len() as u64 - 1, "{summary}");
    let audit = audit_actions(&fed, C).await;
    for action in [
        "refuse:malformed",
        "refuse:bad_signature",
        "refuse:wrong_recipient",
        "refuse:altered",
    ] {
        assert!(audit.iter().any(|(a, _)| a == action), "{action} audited: {audit:?}");
    }
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_bundle_with_a_forged_record_stores_the_rest() {
    let (mut fed, good) = a_bundle_for_c(6).await;
    let dir = fed.dir.path().to_path_buf();

    // The sender's node signs a bundle holding a record whose own signature is bad.
    let mut reader = Reader::default();
    reader.push(&std::fs::read(&good).unwrap());
    let signed = SignedBundleHeader::decode(reader.next_message().unwrap().unwrap().as_slice()).unwrap();
    let mut header = BundleHeader::decode(signed.header.as_slice()).unwrap();
    let mut chunks = Vec::new();
    while let Some(chunk) = reader.next_message().unwrap() {
        chunks.push(BundleChunk::decode(chunk.as_slice()).unwrap());
    }
    let forged = chunks
        .iter_mut()
        .flat_map(|c| &mut c.records)
        .find(|r| fedx::records::header_of(&r.record).is_some_and(|h| h.collection == "denials"));
    let forged = forged.expect("a denial in the bundle");
    forged.signature[5] ^= 0x80;
    let forged_name = fedx::records::key_hint(forged);
    header.chunk_sha256 = chunks
        .iter()
        .map(|c| fedx::records::sha256(&c.encode_to_vec()).to_vec())
        .collect();
    let files = &fed.pki.agencies[A];
    let signer = fedx::crypto::Signer::load(&files.signing_key, &files.signing_key_id).unwrap();
    let mut bytes = MAGIC.to_vec();
    bytes.extend(format::sign_header(&header, &signer).encode_length_delimited_to_vec());
    for chunk in &chunks {
        bytes.extend(chunk.encode_length_delimited_to_vec());
    }
    let file = dir.join("forged.fedx");
    std::fs::write(&file, bytes).unwrap();

    let output = fedctl(&fed, C, &["-o", "json", "bundle", "import", path(&file)]).await;
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let refused = summary["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{summary}");
    assert_eq!(refused[0]["record"].as_str(), Some(forged_name.as_str()));
    assert_eq!(refused[0]["reason"].as_str(), Some("bad_signature"));
    assert_eq!(num(&summary, "stored"), header.records - 1, "{summary}");
    let audit = audit_actions(&fed, C).await;
    assert!(
        audit
            .iter()
            .any(|(action, detail)| action == "refuse:bad_signature" && detail.contains(&forged_name)),
        "{audit:?}"
    );
    fed.stop_all().await;
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the bytes are in the file")
}
