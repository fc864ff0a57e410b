//! A data directory that stops taking writes: read-only (made immutable with
//! `chattr +i`, as a disk remounted read-only would be) or full (a small tmpfs filled up).
//! Writes fail with Unavailable and a clear message, reads keep working, and writes
//! resume once the fault is cleared; what was acknowledged survives a restart.
//!
//! Both faults need root. Outside CI a machine without it skips with a message; under
//! CI (`CI` set) a missing capability fails the test, so it can never pass vacuously.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;
use fedx::proto::operator_client::OperatorClient;
use tonic::Code;
use tonic::transport::Channel;

fn run(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).status().is_ok_and(|s| s.success())
}

/// Fails under CI, skips elsewhere, when the machine cannot inject the fault.
fn cannot_inject(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "cannot inject the fault under CI: {what}"
    );
    eprintln!("SKIPPED: {what}");
}

/// Undoes a fault even when the test fails, so the temporary directory can be removed.
struct Undo(Vec<Vec<String>>);

impl Drop for Undo {
    fn drop(&mut self) {
        for command in &self.0 {
            let args: Vec<&str> = command[1..].iter().map(String::as_str).collect();
            run(&command[0], &args);
        }
    }
}

async fn put_id(client: &mut OperatorClient<Channel>, id: &str) -> Result<(), tonic::Status> {
    client.put(put("denials", id, denial(id))).await.map(drop)
}

/// While the fault lasts: the write is refused with Unavailable and the message the
/// operator is meant to read, and reads still answer.
async fn assert_refused_but_readable(
    client: &mut OperatorClient<Channel>,
    id: &str,
    held: &str,
    expected: impl Fn(&str) -> bool,
) {
    let refused = put_id(client, id).await.unwrap_err();
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");
    let message = refused.message();
    assert!(expected(message), "not the message expected: {message}");
    assert!(
        get(client, "denials", held).await.is_some(),
        "{held} unreadable during the fault"
    );
    let listed = client.list(fedx::proto::ListRequest {
        collection: "denials".into(),
        ..Default::default()
    });
    let ids: Vec<String> = listed
        .await
        .unwrap()
        .into_inner()
        .records
        .into_iter()
        .map(|r| r.record.unwrap().header.unwrap().id)
        .collect();
    assert!(ids.iter().any(|i| i == held), "{ids:?}");
    status(client).await;
}

/// After the fault is cleared: writes resume by themselves, and every acknowledged write
/// is there after a restart.
async fn assert_recovers(fed: &mut Federation, acknowledged: &[&str], next: &str) {
    let a = fed.operator(0);
    eventually(
        "writes resume after the fault is cleared",
        Duration::from_secs(30),
        || {
            let mut a = a.clone();
            async move { put_id(&mut a, next).await.ok() }
        },
    )
    .await;
    fed.stop(0).await;
    fed.start(0).await;
    let mut a = fed.operator(0);
    for id in acknowledged.iter().chain([&next]) {
        assert!(get(&mut a, "denials", id).await.is_some(), "{id} lost");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_fail_with_unavailable_while_the_disk_is_read_only_and_resume_after() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let mut a = fed.operator(0);
    put_id(&mut a, "DE-BAFA/RO-1").await.unwrap();
    let dir = fed.data_dir(0).display().to_string();
    if !run("chattr", &["-R", "+i", &dir]) {
        return cannot_inject("chattr +i on the data directory (needs root and ext4-like file system)");
    }
    let undo = Undo(vec![vec!["chattr".into(), "-R".into(), "-i".into(), dir.clone()]]);

    // The first refusal (sled's failed write) and the next (the directory still refuses
    // a probe) read the same: one cause, in the operator's words, once.
    let expected = format!(
        "storage: the data directory {dir} refuses writes: permission denied; \
         writes resume once it takes them again"
    );
    for id in ["DE-BAFA/RO-2", "DE-BAFA/RO-3"] {
        assert_refused_but_readable(&mut a, id, "DE-BAFA/RO-1", |m| m == expected).await;
    }
    drop(undo);
    assert_recovers(&mut fed, &["DE-BAFA/RO-1"], "DE-BAFA/RO-4").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_fail_with_unavailable_while_the_disk_is_full_and_resume_after() {
    let mut fed = Federation::new(1, &[]);
    let dir: PathBuf = fed.data_dir(0).to_path_buf();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.display().to_string();
    if !run("mount", &["-t", "tmpfs", "-o", "size=96m", "tmpfs", &path]) {
        return cannot_inject("mount a small tmpfs as the data directory (needs root)");
    }
    // Lazy unmount: the node may still hold files open when a failing test unwinds.
    let _unmount = Undo(vec![vec!["umount".into(), "-l".into(), path.clone()]]);
    fed.start(0).await;
    let mut a = fed.operator(0);
    put_id(&mut a, "DE-BAFA/FULL-1").await.unwrap();

    let filler = fill(&dir);
    let mut acknowledged = vec!["DE-BAFA/FULL-1".to_string()];
    // sled may still have room in a segment it already holds: write until it refuses.
    let refused_at = 'write: {
        for i in 2..5_000 {
            let id = format!("DE-BAFA/FULL-{i}");
            match put_id(&mut a, &id).await {
                Ok(()) => acknowledged.push(id),
                Err(refused) => {
                    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");
                    break 'write id;
                }
            }
        }
        panic!("a full disk never refused a write");
    };
    let is_full = |message: &str| {
        message.starts_with(&format!("storage: the data directory {path} is full ("))
            && message.ends_with(" MiB free; writes resume once 48 MiB are free)")
    };
    assert_refused_but_readable(&mut a, &refused_at, "DE-BAFA/FULL-1", is_full).await;

    std::fs::remove_file(filler).unwrap();
    let acknowledged: Vec<&str> = acknowledged.iter().map(String::as_str).collect();
    assert_recovers(&mut fed, &acknowledged, "DE-BAFA/FULL-NEXT").await;
    fed.stop(0).await;
}

/// Fills the file system holding `dir` with one file, returned so the test can free it.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    // The last partial chunk: fill the remaining bytes too.
    while file.write_all(&chunk[..512]).is_ok() {}
    while file.write_all(&chunk[..1]).is_ok() {}
    path
}

/// A denial of about 30 KB: four free-text fields of 7,500 characters each, varied so
/// that nothing compresses it away.
fn large_denial(reference: &str) -> fedx::proto::RecordBody {
    let mut body = denial(reference);
    let text = |field: u64| -> String {
        let mut state = field
            ^ reference.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
        (0..7_500)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                char::from(b'a' + (state >> 59) as u8 % 26)
            })
            .collect()
    };
    if let Some(fedx::proto::record_body::Kind::LicenseDenial(d)) = &mut body.kind {
        d.item_description = text(1);
        d.stated_end_use = text(2);
        d.reason = text(3);
        d.quantity = text(4);
    }
    body
}

/// How long any one call may take while the disk is full: an answer, not a hang.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

/// Puts large records until the store refuses one; every put must be answered within
/// `ANSWER_WITHIN`. Returns the acknowledged ids and the refused ones.
async fn put_large_until_refused(client: &mut OperatorClient<Channel>, prefix: &str) -> (Vec<String>, Vec<String>) {
    let mut acknowledged = Vec::new();
    let mut refused = Vec::new();
    for i in 0..10_000 {
        let id = format!("{prefix}-{i}");
        let call = client.put(put("denials", &id, large_denial(&id)));
        match tokio::time::timeout(ANSWER_WITHIN, call).await {
            Err(_) => panic!(
                "put {id} got no answer within {ANSWER_WITHIN:?} ({} acknowledged before)",
                acknowledged.len()
            ),
            Ok(Ok(_)) if refused.is_empty() => acknowledged.push(id),
            Ok(Ok(_)) => panic!("{id} acknowledged after a refusal, on a full disk"),
            Ok(Err(status)) => {
                assert_eq!(status.code(), Code::Unavailable, "{status:?}");
                assert!(
                    status.message().contains("data directory") || status.message().contains("storage"),
                    "unclear message: {}",
                    status.message()
                );
                refused.push(id);
                // A few more: each must be refused just as fast.
                if refused.len() == 3 {
                    return (acknowledged, refused);
                }
            }
        }
    }
    panic!("a full disk never refused a write");
}

/// Mounts a tmpfs of `size` on `dir`, unmounted (lazily) when the guard drops.
fn mount_tmpfs(dir: &Path, size: &str) -> Option<Undo> {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.display().to_string();
    if !run("mount", &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", &path]) {
        cannot_inject("mount a small tmpfs as the data directory (needs root)");
        return None;
    }
    Some(Undo(vec![vec!["umount".into(), "-l".into(), path]]))
}

/// Grows the tmpfs on `dir`, as an operator freeing or adding space would.
fn grow_tmpfs(dir: &Path, size: &str) {
    let path = dir.display().to_string();
    assert!(
        run("mount", &["-o", &format!("remount,size={size}"), &path]),
        "remount {path}"
    );
}

/// Stops node `i`, which must not take longer than its drain bound and then some.
async fn stop_within_bound(fed: &mut Federation, i: usize) {
    tokio::time::timeout(Duration::from_secs(40), fed.stop(i))
        .await
        .expect("the node stops within its bound on a full disk");
}

/// Large records fill the disk through sled's own writes (not a filler file): every put
/// is answered, the full disk refuses with Unavailable, refused records are never
/// readable, writes resume by themselves once there is space, and the node stops in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_records_filling_the_disk_are_refused_in_bounded_time_and_writes_resume() {
    let mut fed = Federation::new(1, &[]);
    let dir = fed.data_dir(0).to_path_buf();
    let Some(_unmount) = mount_tmpfs(&dir, "64m") else {
        return;
    };
    fed.start(0).await;
    let mut a = fed.operator(0);

    let (acknowledged, refused) = put_large_until_refused(&mut a, "DE-BAFA/BIG").await;
    assert!(
        acknowledged.len() > 100,
        "the disk filled too early: {}",
        acknowledged.len()
    );
    for id in &refused {
        let found = tokio::time::timeout(ANSWER_WITHIN, get(&mut a, "denials", id))
            .await
            .expect("a get is answered");
        assert!(found.is_none(), "{id} was never acknowledged but is readable");
    }
    let held = &acknowledged[0];
    assert!(
        get(&mut a, "denials", held).await.is_some(),
        "{held} unreadable during the fault"
    );
    let counted = status(&mut a)
        .await
        .collections
        .into_iter()
        .find(|c| c.name == "denials")
        .unwrap();
    assert_eq!(
        counted.records,
        acknowledged.len() as u64,
        "status counts what was never acknowledged"
    );

    grow_tmpfs(&dir, "256m");
    let next = "DE-BAFA/BIG-NEXT";
    eventually("writes resume once there is space", ANSWER_WITHIN, || {
        let mut a = a.clone();
        async move { a.put(put("denials", next, large_denial(next))).await.ok() }
    })
    .await;
    stop_within_bound(&mut fed, 0).await;
    fed.start(0).await;
    let mut a = fed.operator(0);
    for id in acknowledged.iter().map(String::as_str).chain([next]) {
        assert!(get(&mut a, "denials", id).await.is_some(), "{id} lost");
    }
    fed.stop(0).await;
}

/// A start on a full disk fails with a clear error, and must leave nothing behind that
/// keeps the store from opening once there is space (sled leaves an empty snapshot it
/// could not write): the next start opens it with every acknowledged record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_that_failed_on_a_full_disk_leaves_the_store_openable() {
    let mut fed = Federation::new(1, &[]);
    let dir = fed.data_dir(0).to_path_buf();
    let Some(_unmount) = mount_tmpfs(&dir, "64m") else {
        return;
    };
    fed.start(0).await;
    let mut a = fed.operator(0);
    // Many pages, so that sled's snapshot of them is large.
    let ids: Vec<String> = (0..400).map(|i| format!("DE-BAFA/START-{i}")).collect();
    for id in &ids {
        a.put(put("denials", id, large_denial(id))).await.unwrap();
    }
    stop_within_bound(&mut fed, 0).await;

    // Starts with less and less room: each fails at some step of opening the store (the
    // last with room enough may succeed), and none may leave the store unopenable.
    let filler = fill(&dir);
    let full = std::fs::metadata(&filler).unwrap().len();
    let mut failures = 0;
    for pages in (0u64..=1024).step_by(4) {
        let file = std::fs::OpenOptions::new().write(true).open(&filler).unwrap();
        file.set_len(full.saturating_sub(pages * 4096)).unwrap();
        let listener = tokio::net::TcpListener::bind(fed.configs[0].listen).await.unwrap();
        match fedx::node::Node::start_on(fed.configs[0].clone(), fed.own_records[0], listener).await {
            Ok(node) => {
                node.shutdown().await.unwrap();
                break;
            }
            Err(error) => {
                failures += 1;
                let message = error.to_string();
                assert!(message.contains("No space left"), "unclear error: {message}");
            }
        }
    }
    assert!(failures > 0, "no start failed on a full disk");

    std::fs::remove_file(filler).unwrap();
    fed.start(0).await;
    let mut a = fed.operator(0);
    for id in &ids {
        assert!(get(&mut a, "denials", id).await.is_some(), "{id} lost");
    }
    put_id(&mut a, "DE-BAFA/START-NEXT").await.unwrap();
    fed.stop(0).await;
}

/// The same with the disk filled by a peer's records replicated in: the full node answers
/// its own writes with Unavailable in time, and once there is room it catches up with the
/// peer and takes writes again by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_filled_by_replication_refuses_in_bounded_time_and_catches_up_after() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    let dir = fed.data_dir(1).to_path_buf();
    let Some(_unmount) = mount_tmpfs(&dir, "64m") else {
        return;
    };
    fed.start_all().await;
    let (mut a, mut b) = (fed.operator(0), fed.operator(1));
    let mut sent = 0u64;
    let refused = 'fill: {
        for round in 0..100 {
            for _ in 0..40 {
                let id = format!("DE-BAFA/REP-{sent}");
                a.put(put("denials", &id, large_denial(&id))).await.unwrap();
                sent += 1;
            }
            let id = format!("FR-SBDU/OWN-{round}");
            let call = b.put(put("denials", &id, denial(&id)));
            match tokio::time::timeout(ANSWER_WITHIN, call).await {
                Err(_) => panic!("a put on the filling node got no answer within {ANSWER_WITHIN:?}"),
                Ok(Ok(_)) => {}
                Ok(Err(status)) => {
                    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
                    assert!(
                        status.message().contains("data directory"),
                        "unclear: {}",
                        status.message()
                    );
                    break 'fill id;
                }
            }
        }
        panic!("replication never filled the disk");
    };
    assert!(
        get(&mut b, "denials", &refused).await.is_none(),
        "a refused write is readable"
    );
    assert!(
        get(&mut b, "denials", "DE-BAFA/REP-0").await.is_some(),
        "unreadable during the fault"
    );

    grow_tmpfs(&dir, "512m");
    holds_denials(&fed, 1, sent, Duration::from_secs(120)).await;
    let next = "FR-SBDU/OWN-NEXT";
    eventually("writes resume once there is space", ANSWER_WITHIN, || {
        let mut b = b.clone();
        async move { b.put(put("denials", next, denial(next))).await.ok() }
    })
    .await;
    stop_within_bound(&mut fed, 1).await;
    fed.stop(0).await;
}
