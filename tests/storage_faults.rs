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

/// While the fault lasts: the write is refused with Unavailable and a message that says
/// it is the storage, and reads still answer.
async fn assert_refused_but_readable(client: &mut OperatorClient<Channel>, id: &str, held: &str) {
    let refused = put_id(client, id).await.unwrap_err();
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");
    let message = refused.message();
    assert!(
        message.contains("storage") || message.contains("data directory"),
        "unclear message: {message}"
    );
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
    let undo = Undo(vec![vec!["chattr".into(), "-R".into(), "-i".into(), dir]]);

    for id in ["DE-BAFA/RO-2", "DE-BAFA/RO-3"] {
        assert_refused_but_readable(&mut a, id, "DE-BAFA/RO-1").await;
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
    if !run("mount", &["-t", "tmpfs", "-o", "size=48m", "tmpfs", &path]) {
        return cannot_inject("mount a small tmpfs as the data directory (needs root)");
    }
    // Lazy unmount: the node may still hold files open when a failing test unwinds.
    let _unmount = Undo(vec![vec!["umount".into(), "-l".into(), path]]);
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
    assert_refused_but_readable(&mut a, &refused_at, "DE-BAFA/FULL-1").await;

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
