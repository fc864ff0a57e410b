//! Anti-entropy: what the fast path (version vectors) cannot see, a periodic comparison of
//! winners finds. For each collection we share with a peer:
//!
//! 1. compare the collection's count and digest (the peer's are kept incrementally, so
//!    this is cheap); equal means in sync;
//! 2. otherwise compare 256 bucket fingerprints (ids spread by SHA-256), then the peer's
//!    (id, hash) lists of the differing buckets only, as many buckets per call as a
//!    message holds (each call costs the peer a scan), looking each id up here;
//! 3. fetch the peer's winner of every id whose hash differs, admit and store it like any
//!    replicated record; the winner rule settles which version stays.
//!
//! Each side pulls, so after both have run (periodically, or `fedctl sync` on each) they
//! hold the same winners, and the transfer is about the difference.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Inner, LinkState, LinkStatus, SyncState, lock};
use tonic::codec::CompressionEncoding;
use tonic::transport::Channel;

use crate::error::{Error, Result};
use crate::proto::replication_client::ReplicationClient;
use crate::proto::{CollectionSync, FetchRequest, PeerSync, SummaryRequest, SummaryResponse};
use crate::store::{BUCKETS, Fingerprint};
use crate::transport;

/// A comparison that takes longer (a peer that accepts connections but never answers)
/// is abandoned and reported as failed.
const ROUND_TIMEOUT: Duration = Duration::from_secs(60);
/// One call to the peer; a peer that takes longer is treated as unreachable.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a round waiting for a peer's stream to catch up looks again.
const SETTLE_POLL: Duration = Duration::from_millis(200);
/// A stream that delivered nothing for this long is not waited for.
const SETTLE_STALLED: Duration = Duration::from_secs(2);
/// Records we sent this recently may not be in the peer's store yet.
const IN_FLIGHT: Duration = Duration::from_secs(1);

type Client = ReplicationClient<Channel>;

/// Runs a comparison with every peer each `anti_entropy_interval`.
pub async fn run(inner: Arc<Inner>, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(inner.config.anti_entropy_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut channels = Channels::default();
    // The first tick fires at once: a restarted node checks itself early.
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let peers: Vec<(String, String)> = lock(&inner.peers)
            .iter()
            .map(|(agency, peer)| (agency.clone(), peer.endpoint.clone()))
            .collect();
        for (agency, endpoint) in peers {
            if !lock(&inner.repair_backoff).due(&agency, std::time::Instant::now()) {
                continue;
            }
            let report = tokio::select! {
                _ = cancel.cancelled() => return,
                report = async {
                    settle(&inner, &agency).await;
                    channels.sync(&inner, &agency, &endpoint).await
                } => report,
            };
            if !report.error.is_empty() {
                tracing::debug!(peer = %agency, error = %report.error, "anti-entropy round failed");
            }
        }
    }
}

/// Channels to peers for the periodic rounds, kept from one round to the next: a new
/// connection each round cost every node a TLS handshake with every peer every interval,
/// most of an idle node's traffic in a full mesh of many nodes. A round that fails on a
/// kept channel (its connection gone, the peer restarted) is retried at once on a new one.
#[derive(Default)]
struct Channels(HashMap<String, (String, Channel)>);

impl Channels {
    async fn sync(&mut self, inner: &Arc<Inner>, agency: &str, endpoint: &str) -> PeerSync {
        let kept = match self.0.get(agency) {
            Some((at, channel)) if at == endpoint => Some(channel.clone()),
            _ => None,
        };
        if let Some(channel) = kept {
            let started = Instant::now();
            let report = sync_over(inner, agency, Ok(channel)).await;
            // A peer that did not answer in time would not answer a new connection either.
            if report.error.is_empty() || started.elapsed() >= CALL_TIMEOUT {
                return report;
            }
        }
        self.0.remove(agency);
        let channel = transport::channel(endpoint, &inner.tls, &transport::node_dns_name(agency));
        if let Ok(channel) = &channel {
            self.0
                .insert(agency.to_string(), (endpoint.to_string(), channel.clone()));
        }
        sync_over(inner, agency, channel).await
    }
}

/// Waits while the stream from `agency` is connecting or catching up, or `agency` is
/// catching up from us, and records still move (at most one interval): until then a
/// comparison finds the records about to arrive, on one side or the other, and fetches
/// them a second time, or scans both stores for nothing. A peer that is down, or that
/// claims more than it delivers, is compared without waiting longer.
async fn settle(inner: &Inner, agency: &str) {
    let deadline = Instant::now() + inner.config.anti_entropy_interval;
    let mut delivered = None;
    let mut moved = Instant::now();
    while Instant::now() < deadline {
        let Some(received) = catching_up(inner, agency) else {
            return;
        };
        if delivered != Some(received) {
            (delivered, moved) = (Some(received), Instant::now());
        } else if moved.elapsed() > SETTLE_STALLED {
            return;
        }
        tokio::time::sleep(SETTLE_POLL).await;
    }
}

/// Records exchanged with `agency` so far, while either side is behind the other.
fn catching_up(inner: &Inner, agency: &str) -> Option<u64> {
    lock(&inner.status).get(agency).and_then(exchanging)
}

/// Records exchanged over the link so far, while either side is behind the other.
fn exchanging(link: &LinkStatus) -> Option<u64> {
    let we_are_behind = match link.state {
        LinkState::Connecting => true,
        LinkState::Connected => !link.heads_known || link.lag_records > 0,
        LinkState::Backoff => false,
    };
    let in_flight = link.last_sent.is_some_and(|at| at.elapsed() < IN_FLIGHT);
    let peer_is_behind = link.to_send > 0 || in_flight;
    (we_are_behind || peer_is_behind).then_some(link.records_received + link.records_sent)
}

/// One comparison and repair with one peer, on a new connection; records the outcome in
/// the peer's status.
pub async fn sync_peer(inner: &Arc<Inner>, agency: &str, endpoint: &str) -> PeerSync {
    let channel = transport::channel(endpoint, &inner.tls, &transport::node_dns_name(agency));
    sync_over(inner, agency, channel).await
}

/// `sync_peer` over `channel` (or the error of making it).
async fn sync_over(inner: &Arc<Inner>, agency: &str, channel: Result<Channel>) -> PeerSync {
    let round = tokio::time::timeout(ROUND_TIMEOUT, compare_all(inner, agency, channel));
    let (collections, error) = match round.await {
        Ok(Ok(collections)) => (collections, String::new()),
        Ok(Err((collections, e))) => (collections, e.to_string()),
        Err(_) => (vec![], format!("{agency}: no answer within {ROUND_TIMEOUT:?}")),
    };
    if error.is_empty() {
        lock(&inner.repair_backoff).clear(agency);
        let in_sync = collections.iter().all(|c| c.in_sync);
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        inner.update_status(agency, |s| {
            s.sync_state = if in_sync {
                SyncState::InSync
            } else {
                SyncState::Diverged
            };
            if in_sync {
                s.diverged_since = None;
            } else if s.diverged_since.is_none() {
                s.diverged_since = Some(now.clone());
            }
            s.last_sync = Some(now);
        });
    }
    let stored: u64 = collections.iter().map(|c| c.stored).sum();
    if stored > 0 {
        tracing::info!(peer = %agency, stored, "anti-entropy repaired records");
    }
    PeerSync {
        agency: agency.to_string(),
        collections,
        error,
    }
}

async fn compare_all(
    inner: &Arc<Inner>,
    agency: &str,
    channel: Result<Channel>,
) -> std::result::Result<Vec<CollectionSync>, (Vec<CollectionSync>, Error)> {
    let limits = &inner.config.limits;
    let channel = channel.map_err(|e| (vec![], e))?;
    let mut client = ReplicationClient::new(channel)
        .max_decoding_message_size(limits.max_message_bytes)
        .max_encoding_message_size(limits.max_message_bytes)
        .accept_compressed(CompressionEncoding::Zstd)
        .accept_compressed(CompressionEncoding::Gzip);
    let shared: Vec<String> = inner
        .policy
        .federation
        .releasable_to(agency)
        .map(|c| c.name.clone())
        .collect();
    let mut done = Vec::new();
    for collection in shared {
        let mut sync = CollectionSync {
            collection: collection.clone(),
            ..Default::default()
        };
        let compared = compare(inner, &mut client, agency, &collection, &mut sync).await;
        // What was fetched before a failure is reported too.
        done.push(sync);
        if let Err(e) = compared {
            return Err((done, e));
        }
    }
    Ok(done)
}

async fn compare(
    inner: &Arc<Inner>,
    client: &mut Client,
    agency: &str,
    collection: &str,
    sync: &mut CollectionSync,
) -> Result<()> {
    let ours = inner
        .store
        .snapshot()
        .collections
        .get(collection)
        .copied()
        .unwrap_or_default();
    // Count and digest first: fingerprints cost the peer a scan of the collection and
    // about 11 KiB on the wire, every round, and are only needed when these differ.
    let totals = summarize(client, agency, collection, false, vec![]).await?;
    if totals.count == ours.records && totals.digest.as_slice() == ours.digest.as_slice() {
        sync.in_sync = true;
        return Ok(());
    }
    let theirs = summarize(client, agency, collection, true, vec![]).await?;
    let name = collection.to_string();
    let ours = inner.store.read(move |s| s.fingerprints(&name)).await?;
    let differing = differing_buckets(&ours, &theirs);
    sync.differing_buckets = differing.len() as u32;
    // Equal by now: the difference arrived between the two calls.
    sync.in_sync = differing.is_empty();
    let per_call = entries_per_call(inner.config.limits.max_message_bytes);
    for buckets in calls(&differing, &bucket_counts(&theirs), per_call) {
        let theirs = summarize(client, agency, collection, false, buckets).await?;
        // Listing buckets costs the peer a scan of the collection; here, a lookup per id.
        let name = collection.to_string();
        let wanted: Vec<String> = inner
            .store
            .read(move |s| {
                let mut wanted = Vec::new();
                for entry in theirs.entries {
                    if s.winner_hash(&name, &entry.id)?
                        .is_none_or(|ours| ours.as_slice() != entry.sha256)
                    {
                        wanted.push(entry.id);
                    }
                }
                Ok(wanted)
            })
            .await?;
        for ids in wanted.chunks(inner.config.limits.batch_records) {
            let mut ids = ids.to_vec();
            // The peer answers as many as fit its byte budget, in the order asked: ask
            // again for the rest, until it answers none of them.
            while !ids.is_empty() {
                ids = fetch(inner, client, agency, collection, ids, sync).await?;
            }
        }
    }
    Ok(())
}

/// The peer's count of winners in each bucket, from its fingerprints.
fn bucket_counts(theirs: &SummaryResponse) -> Vec<u64> {
    let mut counts = vec![0; BUCKETS];
    for b in &theirs.buckets {
        if let Some(slot) = counts.get_mut(b.bucket as usize) {
            *slot = b.count;
        }
    }
    counts
}

/// (id, hash) entries one `Summarize` answer may carry: half a message, ids at their
/// longest.
fn entries_per_call(max_message_bytes: usize) -> u64 {
    const ENTRY_BYTES: usize = crate::records::validate::ID_MAX + 32 + 8;
    (max_message_bytes / 2 / ENTRY_BYTES).max(1) as u64
}

/// Groups the differing buckets into calls of about `per_call` entries each (by the
/// peer's counts), at least one bucket a call: every call costs the peer a scan of the
/// collection, so the fewer the better.
fn calls(differing: &[u32], counts: &[u64], per_call: u64) -> Vec<Vec<u32>> {
    let mut calls: Vec<Vec<u32>> = Vec::new();
    let mut room = 0;
    for &bucket in differing {
        let count = counts.get(bucket as usize).copied().unwrap_or(0);
        match calls.last_mut() {
            Some(call) if count <= room => {
                call.push(bucket);
                room -= count;
            }
            _ => {
                calls.push(vec![bucket]);
                room = per_call.saturating_sub(count);
            }
        }
    }
    calls
}

fn differing_buckets(ours: &[Fingerprint], theirs: &SummaryResponse) -> Vec<u32> {
    let mut their_buckets = vec![Fingerprint::default(); BUCKETS];
    for b in &theirs.buckets {
        if let (Some(slot), Ok(digest)) = (their_buckets.get_mut(b.bucket as usize), b.digest.as_slice().try_into()) {
            *slot = Fingerprint { count: b.count, digest };
        }
    }
    (0..BUCKETS as u32)
        .filter(|&b| ours[b as usize] != their_buckets[b as usize])
        .collect()
}

async fn summarize(
    client: &mut Client,
    agency: &str,
    collection: &str,
    fingerprints: bool,
    buckets: Vec<u32>,
) -> Result<SummaryResponse> {
    let request = SummaryRequest {
        collection: collection.to_string(),
        buckets,
        fingerprints,
    };
    match tokio::time::timeout(CALL_TIMEOUT, client.summarize(request)).await {
        Ok(answer) => answer
            .map(tonic::Response::into_inner)
            .map_err(|s| Error::Unavailable(format!("{agency}: {}", s.message()))),
        Err(_) => Err(Error::Unavailable(format!(
            "{agency}: no answer within {CALL_TIMEOUT:?}"
        ))),
    }
}

/// Fetches the peer's winners of `ids`, admits and stores them, counting them in `sync`;
/// returns the ids after the last one answered, to ask for again. A batch with refused records ends
/// the round and backs repair from this peer off (`backoff`): a peer answering garbage
/// costs one batch per round, and fewer and fewer rounds.
async fn fetch(
    inner: &Arc<Inner>,
    client: &mut Client,
    agency: &str,
    collection: &str,
    ids: Vec<String>,
    sync: &mut CollectionSync,
) -> Result<Vec<String>> {
    let request = FetchRequest {
        collection: collection.to_string(),
        ids: ids.clone(),
    };
    let batch = match tokio::time::timeout(CALL_TIMEOUT, client.fetch(request)).await {
        Ok(answer) => answer.map_err(|s| Error::Unavailable(format!("{agency}: {}", s.message())))?,
        Err(_) => {
            return Err(Error::Unavailable(format!(
                "{agency}: no answer within {CALL_TIMEOUT:?}"
            )));
        }
    }
    .into_inner();
    sync.fetched += batch.records.len() as u64;
    let rest = unanswered(&ids, &batch);
    let admitted = super::link::admit(inner, agency, batch).await?;
    let (stored, refused) = super::link::store_admitted(inner, agency, admitted).await?;
    sync.stored += stored;
    if refused.count() > 0 {
        let delay = lock(&inner.repair_backoff).refused(agency, std::time::Instant::now());
        return Err(Error::Unavailable(format!(
            "{agency} answered a fetch with {refused}; repair from it is backed off for {delay:?}"
        )));
    }
    Ok(rest)
}

/// The ids asked for after the last one `batch` answers (none if it answers none).
fn unanswered(ids: &[String], batch: &crate::proto::Batch) -> Vec<String> {
    let answered: std::collections::HashSet<String> = batch
        .records
        .iter()
        .filter_map(|r| crate::records::header_of(&r.record))
        .map(|h| h.id)
        .collect();
    match ids.iter().rposition(|id| answered.contains(id)) {
        Some(last) => ids[last + 1..].to_vec(),
        None => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connected() -> LinkStatus {
        LinkStatus {
            state: LinkState::Connected,
            heads_known: true,
            records_received: 7,
            records_sent: 3,
            ..LinkStatus::default()
        }
    }

    #[test]
    fn differing_buckets_are_asked_for_in_as_few_calls_as_fit_a_message() {
        let mut counts = vec![0; BUCKETS];
        counts[1] = 40;
        counts[2] = 50;
        counts[3] = 20;
        counts[4] = 250; // more than one call holds: alone
        counts[5] = 10;
        assert_eq!(
            calls(&[1, 2, 3, 4, 5, 6], &counts, 100),
            vec![vec![1, 2], vec![3], vec![4], vec![5, 6]]
        );
        assert_eq!(calls(&[], &counts, 100), Vec::<Vec<u32>>::new());
        // An 8 MiB message holds thousands of entries of the longest ids.
        assert_eq!(entries_per_call(8 * 1024 * 1024), 14_169);
    }

    #[test]
    fn a_fetch_answered_in_part_is_continued_after_the_last_id_answered() {
        let record = |id: &str| {
            let header = crate::proto::RecordHeader {
                id: id.into(),
                ..Default::default()
            };
            let record = crate::proto::Record {
                header: Some(header),
                body: None,
            };
            crate::proto::SignedRecord {
                record: prost::Message::encode_to_vec(&record),
                signature: vec![],
            }
        };
        let ids: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let batch = |answered: &[&str]| crate::proto::Batch {
            records: answered.iter().map(|id| record(id)).collect(),
            ..Default::default()
        };
        // "b" is not held by the peer; "c" was the last that fit its budget.
        assert_eq!(unanswered(&ids, &batch(&["a", "c"])), vec!["d".to_string()]);
        assert_eq!(unanswered(&ids, &batch(&["a", "b", "c", "d"])), Vec::<String>::new());
        assert_eq!(unanswered(&ids, &batch(&[])), Vec::<String>::new(), "none held: done");
    }

    #[test]
    fn a_comparison_waits_while_records_move_either_way() {
        assert_eq!(exchanging(&connected()), None, "caught up both ways");
        let behind = |change: fn(&mut LinkStatus)| {
            let mut link = connected();
            change(&mut link);
            exchanging(&link)
        };
        assert_eq!(behind(|l| l.state = LinkState::Connecting), Some(10));
        assert_eq!(behind(|l| l.heads_known = false), Some(10));
        assert_eq!(behind(|l| l.lag_records = 1), Some(10), "we are catching up");
        assert_eq!(behind(|l| l.to_send = 1), Some(10), "the peer is catching up from us");
        let just_sent = behind(|l| l.last_sent = Some(std::time::Instant::now()));
        assert_eq!(just_sent, Some(10), "our last records may not be stored yet");
        let long_ago = std::time::Instant::now().checked_sub(IN_FLIGHT * 2);
        let mut link = connected();
        link.last_sent = long_ago;
        assert_eq!(exchanging(&link), None);
        assert_eq!(
            behind(|l| l.state = LinkState::Backoff),
            None,
            "a peer that is down is compared at once"
        );
    }
}
