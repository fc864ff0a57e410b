//! Our side as sender: for one receiving peer and lane (`lane`), push the records of the
//! streams it wants from its cursors on, in order, then live as our log grows; send our
//! heads for every stream of the lane it may read, all of them in the first batch and
//! then those that moved. Only collections whose `readers` name the peer are ever read
//! here.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use prost::Message as _;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::lane::Lane;
use super::{Inner, lock};
use crate::proto::{Batch, Cursor, SignedRecord, Want};
use crate::store::{Snapshot, StreamId};

/// Batches queued towards the receiver: small, so a slow receiver slows us, not our memory.
const QUEUE: usize = 1;
/// Under a stream of writes, at most one batch per this interval: what a batch costs both
/// sides (a log read, framing, compression, a trip to the verification pool, a commit)
/// is then shared by the records written meanwhile. A record after a quiet spell leaves
/// at once.
const LINGER: Duration = Duration::from_millis(5);

type Outbound = Result<Batch, tonic::Status>;

pub fn start(inner: Arc<Inner>, agency: String, lane: Lane, wants: tonic::Streaming<Want>) -> ReceiverStream<Outbound> {
    let (batches, stream) = mpsc::channel(QUEUE);
    let cancel = inner.cancel.child_token();
    if let Some(previous) = lock(&inner.serving).insert((agency.clone(), lane), cancel.clone()) {
        previous.cancel(); // a reconnecting peer replaces its older stream
    }
    let task_inner = inner.clone();
    inner.tasks.spawn(async move {
        let result = serve(&task_inner, &agency, lane, wants, batches, &cancel).await;
        tracing::debug!(peer = %agency, ?lane, ?result, "stopped serving");
    });
    ReceiverStream::new(stream)
}

async fn serve(
    inner: &Arc<Inner>,
    agency: &str,
    lane: Lane,
    mut wants: tonic::Streaming<Want>,
    batches: mpsc::Sender<Outbound>,
    cancel: &CancellationToken,
) -> Result<(), &'static str> {
    let readable: HashSet<String> = inner
        .policy
        .federation
        .releasable_to(agency)
        .map(|c| c.name.clone())
        .collect();
    let federation = &inner.policy.federation;
    let on_lane =
        |collection: &str| readable.contains(collection) && federation.urgent(collection) == (lane == Lane::Urgent);
    let limits = inner.config.limits.clone();
    let mut cursors: HashMap<StreamId, u64> = HashMap::new();
    let mut snapshots = inner.store.subscribe();
    // The heads the receiver has from us; `None` until our first batch (which lists all).
    let mut sent_heads: Option<HashMap<StreamId, u64>> = None;
    let mut last_batch = tokio::time::Instant::now() - LINGER;
    loop {
        // Wants that arrived while batches were going out are taken before the next
        // batch: a stream the receiver has just asked for (a new denial's) is not held
        // behind a backlog that keeps every batch full.
        loop {
            tokio::select! {
                biased;
                want = wants.message() => match want {
                    Ok(Some(want)) => apply_want(&mut cursors, want, &readable),
                    Ok(None) | Err(_) => return Err("receiver closed"),
                },
                () = std::future::ready(()) => break,
            }
        }
        let snapshot = snapshots.borrow_and_update().clone();
        // Each lane then carries the heads of its own streams; the main lane opens with
        // all of them, which is what ends the receiver's wait for what we hold.
        let opening = sent_heads.is_none();
        let heads = match (lane, opening) {
            (Lane::Main, true) => snapshot.cursors(|collection| readable.contains(collection)),
            _ => moved_heads(&snapshot, &on_lane, sent_heads.as_ref()),
        };
        let records = next_records(
            inner,
            &mut cursors,
            &snapshot,
            limits.batch_records,
            limits.max_message_bytes / 2,
        )
        .await
        .map_err(|_| "cannot read the log")?;
        let bytes: usize = records.iter().map(|r| r.encoded_len()).sum();
        let full = records.len() >= limits.batch_records || bytes >= limits.max_message_bytes / 2;
        if !records.is_empty() || !heads.is_empty() || opening {
            let sent = records.len();
            let to_send = still_to_send(&cursors, &snapshot);
            // Only the main lane's first batch ends the receiver's wait for our heads.
            let heads_changed_only = lane == Lane::Urgent || sent_heads.is_some();
            let known = sent_heads.get_or_insert_with(HashMap::new);
            for head in &heads {
                known.insert(StreamId::new(head.collection.clone(), head.author.clone()), head.seq);
            }
            let batch = Batch {
                records,
                heads,
                heads_changed_only,
            };
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                sent = batches.send(Ok(batch)) => sent.map_err(|_| "receiver gone")?,
            }
            inner.count_sent(agency, sent, (lane == Lane::Main).then_some(to_send));
            last_batch = tokio::time::Instant::now();
        }
        if full {
            continue;
        }
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            want = wants.message() => match want {
                Ok(Some(want)) => apply_want(&mut cursors, want, &readable),
                Ok(None) | Err(_) => return Err("receiver closed"),
            },
            changed = snapshots.changed() => {
                changed.map_err(|_| "store closed")?;
                tokio::select! {
                    _ = cancel.cancelled() => return Ok(()),
                    () = tokio::time::sleep_until(last_batch + LINGER) => {}
                }
            }
        }
    }
}

/// Our contiguous heads of the streams of the collections `carried` that differ from what
/// the receiver has from us (all of them before our first batch), in order.
fn moved_heads(
    snapshot: &Snapshot,
    carried: &impl Fn(&str) -> bool,
    sent: Option<&HashMap<StreamId, u64>>,
) -> Vec<Cursor> {
    snapshot.cursors_where(|stream, seq| {
        carried(&stream.collection) && sent.is_none_or(|sent| sent.get(stream) != Some(&seq))
    })
}

/// Records the receiver wants that we hold and have not sent it yet.
fn still_to_send(cursors: &HashMap<StreamId, u64>, snapshot: &Snapshot) -> u64 {
    cursors
        .iter()
        .map(|(stream, &sent)| {
            let head = snapshot.version_vector.get(stream).copied().unwrap_or(0);
            head.saturating_sub(sent)
        })
        .sum()
}

/// A receiver's `Want` replaces the set of streams; within one stream the cursor never
/// moves back (records in flight are already on their way).
fn apply_want(cursors: &mut HashMap<StreamId, u64>, want: Want, readable: &HashSet<String>) {
    let mut next = HashMap::new();
    for cursor in want.cursors {
        if !readable.contains(&cursor.collection) {
            continue;
        }
        let stream = StreamId::new(cursor.collection, cursor.author);
        let seq = cursors.get(&stream).map_or(cursor.seq, |&sent| sent.max(cursor.seq));
        next.insert(stream, seq);
    }
    *cursors = next;
}

/// Up to `limit` records (and about `max_bytes`) after the cursors, read on the blocking
/// pool; advances the cursors past what it returns.
async fn next_records(
    inner: &Arc<Inner>,
    cursors: &mut HashMap<StreamId, u64>,
    snapshot: &Snapshot,
    limit: usize,
    max_bytes: usize,
) -> crate::Result<Vec<SignedRecord>> {
    let mut behind: Vec<(StreamId, u64, u64)> = cursors
        .iter()
        .filter_map(|(stream, &sent)| {
            let head = snapshot.version_vector.get(stream).copied().unwrap_or(0);
            (head > sent).then(|| (stream.clone(), sent, head))
        })
        .collect();
    // The streams with the fewest records to send go first: a new denial travels in the
    // next batch, not behind a bulk load of another stream (the rest of the batch is
    // still filled from the bulk).
    behind.sort_by(|a, b| (a.2 - a.1, &a.0).cmp(&(b.2 - b.1, &b.0)));
    if behind.is_empty() {
        return Ok(Vec::new());
    }
    let read = inner
        .store
        .read(move |store| {
            let mut out: Vec<(StreamId, u64, SignedRecord)> = Vec::new();
            let mut bytes = 0;
            for (stream, sent, head) in behind {
                if out.len() >= limit || bytes >= max_bytes {
                    break;
                }
                for (i, record) in store
                    .log_range(&stream, sent, head, limit - out.len())?
                    .into_iter()
                    .enumerate()
                {
                    bytes += record.encoded_len();
                    out.push((stream.clone(), sent + 1 + i as u64, record));
                    if bytes >= max_bytes {
                        break;
                    }
                }
            }
            Ok(out)
        })
        .await?;
    Ok(read
        .into_iter()
        .map(|(stream, seq, record)| {
            cursors.insert(stream, seq);
            record
        })
        .collect())
}
