//! Our side as receiver: one task per peer keeps a `Replicate` stream open, asks for the
//! streams routing assigns to this peer, admits and stores what arrives. Admission of the
//! next batch (signatures, in parallel) overlaps the store's commit of the previous one.
//! A failed or closed stream is retried with exponential backoff and jitter.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng as _;
use rayon::prelude::*;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use super::incoming::Incoming;
use super::lane::{self, Lane};
use super::pipeline::Pipeline;
use super::routing::Routing;
use super::{Inner, LinkState, lock};
use tonic::codec::CompressionEncoding;

use crate::error::{Error, Refusal, Result};
use crate::proto::replication_client::ReplicationClient;
use crate::proto::{Batch, Cursor};
use crate::records::Envelope;
use crate::records::hlc::wall_clock_ahead;
use crate::store::StreamId;
use crate::transport;

/// Batches with fewer records are admitted on one thread, larger ones in parallel.
const PARALLEL_FROM: usize = 128;
/// `key_hint` of a record in the `_keys` collection.
const KEYS_PREFIX: &str = "_keys/";
const BACKOFF_MIN: Duration = Duration::from_millis(200);
const ROUTING_RECHECK: Duration = Duration::from_secs(1);
/// How long the peer may take to answer the opening of a replication stream.
pub(super) const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// A link cut for minutes heals within this (jittered by up to half) of the line coming
/// back; a reconnection attempt to an unreachable peer costs one TCP connect.
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// A session that lasted this long resets the backoff.
const HEALTHY_SESSION: Duration = Duration::from_secs(30);

pub async fn run(inner: Arc<Inner>, agency: String, endpoint: String, cancel: CancellationToken) {
    let mut backoff = BACKOFF_MIN;
    loop {
        inner.update_status(&agency, |s| s.state = LinkState::Connecting);
        let started = Instant::now();
        let result = tokio::select! {
            _ = cancel.cancelled() => return,
            result = session(&inner, &agency, &endpoint, &cancel) => result,
        };
        let error = match result {
            Ok(()) => "the peer closed the stream".to_string(),
            Err(e) => e.to_string(),
        };
        tracing::info!(peer = %agency, %error, "replication link down");
        {
            let mut routing = lock(&inner.routing);
            routing.drop_peer(&agency);
            inner.reassign(&mut routing, &inner.store.snapshot().version_vector, Instant::now());
        }
        inner.routing_changed.send_modify(|g| *g += 1);
        inner.update_status(&agency, |s| {
            s.state = LinkState::Backoff;
            s.last_error = error;
        });
        if started.elapsed() > HEALTHY_SESSION {
            backoff = BACKOFF_MIN;
        }
        let jittered = backoff.mul_f64(rand::thread_rng().gen_range(0.5..1.5));
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(jittered) => {}
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// One connected session; returns when the stream ends or fails.
async fn session(inner: &Arc<Inner>, agency: &str, endpoint: &str, cancel: &CancellationToken) -> Result<()> {
    let limits = &inner.config.limits;
    let channel = transport::replication_channel(endpoint, &inner.tls, &transport::node_dns_name(agency))?;
    let mut client = ReplicationClient::new(channel)
        .max_decoding_message_size(limits.max_message_bytes)
        .max_encoding_message_size(limits.max_message_bytes)
        .accept_compressed(CompressionEncoding::Zstd)
        .accept_compressed(CompressionEncoding::Gzip);
    let (wants, wants_rx) = mpsc::channel(8);
    // A peer that completes TLS but never answers the call must not hold the link.
    let opened = tokio::time::timeout(OPEN_TIMEOUT, client.replicate(ReceiverStream::new(wants_rx)));
    let batches = opened
        .await
        .map_err(|_| Error::Unavailable(format!("{agency}: no answer within {OPEN_TIMEOUT:?}")))?
        .map_err(|s| Error::Unavailable(format!("{agency}: {}", s.message())))?
        .into_inner();
    let mut batches = Incoming::new(batches);
    lock(&inner.routing).connected(agency);
    inner.update_status(agency, |s| {
        s.state = LinkState::Connected;
        s.heads_known = false;
        s.last_error.clear();
    });
    tracing::info!(peer = %agency, %endpoint, "replication link up");
    let mut routing_changed = inner.routing_changed.subscribe();
    let mut wanted: Option<Vec<StreamId>> = None;
    // The urgent lane runs beside this one, on the same connection, and ends with it.
    let mut urgent = AbortOnDropHandle::new(tokio::spawn(lane::receive_urgent(
        inner.clone(),
        agency.to_string(),
        client.clone(),
        cancel.child_token(),
    )));
    let mut pipeline = Pipeline::start(inner, agency);
    // Routing also changes with time alone (a source that stands still or never
    // delivers what it claims), not only when a batch arrives.
    let mut recheck = tokio::time::interval(ROUTING_RECHECK);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            _ = recheck.tick() => reassign(inner, agency),
            stored = pipeline.stopped() => return stored,
            ended = &mut urgent => {
                return ended.map_err(|e| Error::Internal(format!("urgent lane task: {e}")))?;
            }
            batch = batches.next(limits.batch_records) => {
                let batch = batch.map_err(|s| Error::Unavailable(format!("{agency}: {}", s.message())))?;
                let Some(batch) = batch else { return Ok(()) };
                pipeline.take(inner, agency, batch).await?;
            }
            _ = routing_changed.changed() => {}
        }
        let now_wanted = lane::wanted(inner, agency, Lane::Main);
        if wanted.as_ref() != Some(&now_wanted) {
            let want = lane::want(inner, &now_wanted);
            tracing::debug!(node = %inner.config.agency, peer = %agency, cursors = ?want.cursors, "want");
            wants
                .send(want)
                .await
                .map_err(|_| Error::Unavailable(format!("{agency}: stream closed")))?;
            wanted = Some(now_wanted);
        }
    }
}

/// A batch after admission, waiting for the store.
pub(super) struct Admitted {
    records: Vec<Envelope>,
    refusals: Vec<(String, Error)>,
    heads: Heads,
}

/// The sender's heads a batch carries: all of them, or those that moved since its previous
/// batch on this stream.
#[derive(Debug)]
pub(super) enum Heads {
    All(Vec<Cursor>),
    Moved(Vec<Cursor>),
}

impl Default for Heads {
    fn default() -> Self {
        Heads::Moved(Vec::new())
    }
}

/// Checks a batch's records (`admit_records`) after its size.
pub(super) async fn admit(inner: &Arc<Inner>, agency: &str, batch: Batch) -> Result<Admitted> {
    let Batch {
        records,
        heads,
        heads_changed_only,
    } = batch;
    let heads = if heads_changed_only {
        Heads::Moved(heads)
    } else {
        Heads::All(heads)
    };
    let limit = inner.config.limits.batch_records;
    if records.len() > limit {
        // Our own senders never exceed it: a peer that does is misbehaving; drop the session.
        let error = Error::refused(
            Refusal::Oversize,
            format!(
                "{agency} sent {} records in one batch; the limit is {limit}",
                records.len()
            ),
        );
        audit_refusals(inner, agency, &[(String::new(), error)]).await;
        inner.refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Err(Error::Unavailable(format!(
            "{agency} sent an oversize batch; disconnected"
        )));
    }
    tracing::debug!(node = %inner.config.agency, peer = %agency, records = records.len(), ?heads, "batch");
    let count = records.len() as u64;
    inner.update_status(agency, |s| s.records_received += count);
    let (records, refusals) = if records.is_empty() {
        (Vec::new(), Vec::new()) // heads only: nothing to take to the blocking pool
    } else {
        admit_records(inner.policy.clone(), records).await?
    };
    Ok(Admitted {
        records,
        refusals,
        heads,
    })
}

/// Runs replication's admission over records from anywhere (a peer's batch, a bundle):
/// (admitted, refused with the record they name). Key announcements go first, one by
/// one, and teach the keyring at once: records later in the batch may be signed with the
/// key just announced. The rest are checked in parallel on the blocking pool.
pub(crate) async fn admit_records(
    policy: Arc<crate::records::Policy>,
    records: Vec<crate::proto::SignedRecord>,
) -> Result<(Vec<Envelope>, Vec<(String, Error)>)> {
    let now = wall_clock_ahead(policy.limits.clock_ahead);
    let (admitted, refused): (Vec<_>, Vec<_>) = tokio::task::spawn_blocking(move || {
        let admit = |record| {
            let target = crate::records::key_hint(&record);
            policy.admit_remote(record, now).map_err(|e| (target, e))
        };
        let (announcements, records): (Vec<_>, Vec<_>) = records
            .into_iter()
            .partition(|r| crate::records::key_hint(r).starts_with(KEYS_PREFIX));
        let mut results: Vec<_> = announcements
            .into_iter()
            .map(|record| {
                let admitted = admit(record)?;
                policy
                    .learn(&admitted)
                    .map_err(|e| (crate::records::key_hint(&admitted.signed), e))?;
                Ok(admitted)
            })
            .collect();
        // A few records are checked here: waking the pool's threads, which then spin a
        // while for more work, would cost more than the checks.
        if records.len() < PARALLEL_FROM {
            results.extend(records.into_iter().map(admit));
        } else {
            results.extend(records.into_par_iter().map(admit).collect::<Vec<_>>());
        }
        results.into_iter().partition(Result::is_ok)
    })
    .await
    .map_err(|e| Error::Internal(format!("admission task: {e}")))?;
    Ok((
        admitted.into_iter().flatten().collect(),
        refused.into_iter().filter_map(Result::err).collect(),
    ))
}

/// Stores admitted batches in order, then updates routing with the sender's heads (which
/// are only meaningful against what we hold after storing).
pub(super) async fn store_batches(
    inner: Arc<Inner>,
    agency: String,
    mut queue: mpsc::Receiver<Admitted>,
) -> Result<()> {
    while let Some(mut admitted) = queue.recv().await {
        let heads = std::mem::take(&mut admitted.heads);
        // A batch is mostly runs of one stream: one id per run, not two strings per record.
        let mut stored: Vec<StreamId> = Vec::new();
        for header in admitted.records.iter().map(Envelope::header) {
            if stored
                .last()
                .is_none_or(|s| s.collection != header.collection || s.author != header.author)
            {
                stored.push(StreamId::of(header));
            }
        }
        let (_, refused) = store_admitted(&inner, &agency, admitted).await?;
        update_routing(&inner, &agency, heads, stored);
        if refused.count() > 0 {
            // A refused record leaves a gap our version vector cannot pass, and the sender's
            // cursor is already beyond it. Reconnecting (with backoff) restarts the stream
            // from what we hold: a transient refusal (clock skew) heals, and a peer that
            // keeps sending what we refuse is disconnected and backed off.
            return Err(Error::Unavailable(format!(
                "{agency} sent {refused}; reconnecting from our version vector"
            )));
        }
    }
    Ok(())
}

/// Records refused from one batch, by reason: what `last_error` and a sync report say.
#[derive(Debug, Default)]
pub(super) struct RefusedRecords {
    by_reason: BTreeMap<&'static str, u64>,
    /// The first refusal's message, shortened.
    first: Option<String>,
}

/// Characters of the first refusal's message kept for `last_error`.
const FIRST_REFUSAL_CHARS: usize = 200;

impl RefusedRecords {
    fn add(&mut self, error: &Error) {
        *self.by_reason.entry(error.refusal_name()).or_default() += 1;
        self.first
            .get_or_insert_with(|| error.to_string().chars().take(FIRST_REFUSAL_CHARS).collect());
    }

    pub(super) fn count(&self) -> u64 {
        self.by_reason.values().sum()
    }
}

impl std::fmt::Display for RefusedRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reasons: Vec<String> = self.by_reason.iter().map(|(r, n)| format!("{r} {n}")).collect();
        write!(f, "{} records we refused ({})", self.count(), reasons.join(", "))?;
        if let Some(first) = &self.first {
            write!(f, ", the first: {first}")?;
        }
        Ok(())
    }
}

/// Audits and counts the refusals, stores the admitted records: (stored, refused).
pub(super) async fn store_admitted(
    inner: &Arc<Inner>,
    agency: &str,
    admitted: Admitted,
) -> Result<(u64, RefusedRecords)> {
    let Admitted {
        records, mut refusals, ..
    } = admitted;
    let mut stored = 0;
    if !records.is_empty() {
        let outcome = inner.store.ingest(records, format!("peer:{agency}")).await?;
        inner.metrics.count_ingest(agency, outcome.stored, outcome.duplicates);
        refusals.extend(outcome.refused);
        stored = outcome.stored as u64;
    }
    let mut refused = RefusedRecords::default();
    if !refusals.is_empty() {
        audit_refusals(inner, agency, &refusals).await;
        refusals.iter().for_each(|(_, error)| refused.add(error));
    }
    inner
        .refused
        .fetch_add(refused.count(), std::sync::atomic::Ordering::Relaxed);
    Ok((stored, refused))
}

/// Takes `agency`'s heads into routing, and re-chooses the sources of the streams whose
/// heads moved and of those we just `stored` records of (we may hold all a source has).
fn update_routing(inner: &Arc<Inner>, agency: &str, heads: Heads, mut stored: Vec<StreamId>) {
    let known = |cursors: Vec<Cursor>| -> HashMap<StreamId, u64> {
        cursors
            .into_iter()
            .filter(|c| inner.policy.federation.may_hold_stream(&c.collection, &c.author))
            .map(|c| (StreamId::new(c.collection, c.author), c.seq))
            .collect()
    };
    let snapshot = inner.store.snapshot();
    let local = &snapshot.version_vector;
    let changed = {
        let mut routing = lock(&inner.routing);
        let now = Instant::now();
        // Only the streams whose heads moved are re-chosen: in a mesh every record moves
        // a head at every peer, and re-choosing every stream each time cost peers times
        // streams per peer per record. The rest waits for the next recheck.
        let changed = match heads {
            Heads::All(all) => {
                routing.set_heads(agency, known(all), now);
                inner.reassign(&mut routing, local, now)
            }
            Heads::Moved(moved) => {
                let moved = known(moved);
                stored.extend(moved.keys().cloned());
                stored.sort_unstable();
                stored.dedup();
                routing.update_heads(agency, moved, now);
                inner.reassign_streams(&mut routing, &stored, local, now)
            }
        };
        if routing.has_heads(agency) {
            update_lag(inner, &routing, agency, local, now);
        }
        changed
    };
    if changed {
        inner.routing_changed.send_modify(|g| *g += 1);
    }
}

/// What we lack of what `agency` holds, for status: after each of its batches, and every
/// routing recheck (we may have taken the records from another peer since).
fn update_lag(inner: &Arc<Inner>, routing: &Routing, agency: &str, local: &HashMap<StreamId, u64>, now: Instant) {
    let lag = routing.lag(agency, local);
    inner.update_status(agency, |s| {
        s.lag_records = lag;
        s.heads_known = true;
        s.behind_since = match (lag, s.behind_since) {
            (0, _) => None,
            (_, Some(since)) => Some(since),
            (_, None) => Some(now),
        };
    });
}

/// Re-chooses every stream's source, unless another link did within half a
/// `ROUTING_RECHECK` (about once per node, not once per link: its cost grows with peers
/// times streams), and refreshes `agency`'s lag; wakes the links if anything moved.
pub(super) fn reassign(inner: &Arc<Inner>, agency: &str) {
    let local = inner.store.snapshot();
    let changed = {
        let mut routing = lock(&inner.routing);
        let now = Instant::now();
        // Half the period: the links' timers drift, and one full pass a period must happen.
        let due = routing.reassign_due(now, ROUTING_RECHECK / 2);
        let changed = due && inner.reassign(&mut routing, &local.version_vector, now);
        if routing.has_heads(agency) {
            update_lag(inner, &routing, agency, &local.version_vector, now);
        }
        changed
    };
    if changed {
        inner.routing_changed.send_modify(|g| *g += 1);
    }
}

/// Counts each refusal and audits them at the rate every refusal is audited
/// (`api::refusals`): a peer sending garbage cannot flood the audit log.
async fn audit_refusals(inner: &Arc<Inner>, agency: &str, refusals: &[(String, Error)]) {
    let actor = format!("peer:{agency}");
    for (_, error) in refusals {
        inner.metrics.count_refusal(&actor, error);
    }
    tracing::warn!(peer = %agency, count = refusals.len(), first = %refusals[0].1, "refused records from peer");
    let refusals = refusals.iter().map(|(target, error)| (target.as_str(), error));
    inner.refusals.record(&inner.store, &actor, refusals).await;
}
