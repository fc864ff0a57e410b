//! The node's screening index: built from the store and kept current by following the
//! store's log, so a record that arrives (locally or from a peer) is screenable right
//! after its commit, and a revoked or delisted one stops matching.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{EntityKind, Hit, Index, NameStrength, Particulars, PartyDoc, Query};
use crate::error::{Error, Result};
use crate::proto::record_body::Kind;
use crate::proto::*;
use crate::records::validate::body_kind;
use crate::records::{Envelope, header_of};
/// (collection, id): what a hit points at.
pub use crate::store::RecordKey;
use crate::store::{Store, StreamId};

/// Log entries read per step while following.
const STEP: usize = 1000;
/// Pauses before following the store again after failed reads: doubled each time.
const FOLLOW_RETRY: Duration = Duration::from_secs(1);
const FOLLOW_RETRY_MAX: Duration = Duration::from_secs(30);

#[derive(Default)]
struct State {
    index: Index<RecordKey>,
    /// kind and author of each indexed record, for the hits.
    origin: HashMap<RecordKey, (&'static str, String)>,
}

#[derive(Clone)]
pub struct Screening {
    state: Arc<RwLock<State>>,
    /// The task following the store: awaited at shutdown, as it keeps the store open.
    follower: Arc<Mutex<Option<JoinHandle<()>>>>,
    /// How far the index has read each stream of the store's log. A screen or check waits
    /// until it covers the store's version vector, so it never misses a stored record.
    indexed: watch::Sender<HashMap<StreamId, u64>>,
    /// Fires when the node stops: a screen or check waiting for the index answers then,
    /// rather than hold the shutdown up for the rest of its wait.
    stopping: CancellationToken,
}

/// A hit with where it came from.
pub struct Found {
    pub hit: Hit<RecordKey>,
    pub kind: &'static str,
    pub author: String,
}

impl Screening {
    /// Starts following `store`; the index catches up in the background.
    pub fn start(store: Store, cancel: CancellationToken) -> Self {
        let screening = Screening {
            state: Arc::default(),
            follower: Arc::default(),
            indexed: watch::Sender::new(HashMap::new()),
            stopping: cancel.clone(),
        };
        let follower = screening.clone();
        let task = tokio::spawn(async move {
            // A failed read (a storage fault) is retried from where each stream got to:
            // checks wait for it rather than answer without what it missed.
            let (mut loaded, mut pause) = (false, FOLLOW_RETRY);
            while let Err(e) = follower.follow(&store, &cancel, &mut loaded).await {
                tracing::error!(error = %e, retry_in = ?pause, "the screening index could not follow the store");
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(FOLLOW_RETRY_MAX);
            }
        });
        *screening.follower.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
        screening
    }

    /// Waits, at most `within`, until the index has read the log of the collections
    /// `wanted` accepts as far as the store holds it now (a write acknowledged or a peer's
    /// record stored before a screen or check began). Returns how many log entries
    /// (record versions) it still had not read: 0, except while it indexes a bulk load or
    /// loads a large store at start, or when the node began to stop meanwhile.
    pub async fn caught_up(&self, store: &Store, within: Duration, wanted: impl Fn(&str) -> bool) -> u64 {
        let target = store.snapshot();
        let unread_now = |indexed: &HashMap<StreamId, u64>| {
            let heads = target
                .version_vector
                .iter()
                .filter(|(stream, _)| wanted(&stream.collection));
            unread(indexed, heads)
        };
        let mut indexed = self.indexed.subscribe();
        tokio::select! {
            _ = tokio::time::timeout(within, indexed.wait_for(|i| unread_now(i) == 0)) => {}
            _ = self.stopping.cancelled() => {}
        }
        unread_now(&self.indexed.borrow())
    }

    /// Waits until the follower has stopped (once its `cancel` fired) and let go of the store.
    pub async fn stopped(&self) {
        let task = self.follower.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// Screens one query (CPU work: call it from the blocking pool).
    pub fn screen(&self, query: &Query) -> Vec<Found> {
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        state
            .index
            .screen(query)
            .into_iter()
            .map(|hit| {
                let (kind, author) = state.origin.get(&hit.key).cloned().unwrap_or(("", String::new()));
                Found { hit, kind, author }
            })
            .collect()
    }

    /// Screens the names of one party: the best hit per record over all of them, best
    /// first, at most the first query's limit.
    pub fn screen_all(&self, queries: &[Query]) -> Vec<Found> {
        let mut best: HashMap<RecordKey, Found> = HashMap::new();
        for found in queries.iter().flat_map(|query| self.screen(query)) {
            let better = |kept: &Found| found.hit.score > kept.hit.score;
            if best.get(&found.hit.key).is_none_or(better) {
                best.insert(found.hit.key.clone(), found);
            }
        }
        let mut found: Vec<Found> = best.into_values().collect();
        found.sort_by(|a, b| {
            b.hit
                .score
                .total_cmp(&a.hit.score)
                .then_with(|| a.hit.key.cmp(&b.hit.key))
        });
        found.truncate(queries.first().map_or(0, |q| q.limit));
        found
    }

    async fn follow(&self, store: &Store, cancel: &CancellationToken, loaded: &mut bool) -> Result<()> {
        let at_start = store.snapshot().version_vector.clone();
        let mut snapshots = store.subscribe();
        while !cancel.is_cancelled() {
            if !*loaded && unread(&self.indexed.borrow(), &at_start) == 0 {
                tracing::info!(streams = at_start.len(), "screening index loaded");
                *loaded = true;
            }
            let repaired = store.take_repaired();
            if !repaired.is_empty() {
                let this = self.clone();
                store.read(move |store| this.reindex(store, repaired)).await?;
            }
            let snapshot = snapshots.borrow_and_update().clone();
            let behind = lagging(&self.indexed.borrow(), &snapshot.version_vector);
            if behind.is_empty() {
                tokio::select! {
                    _ = cancel.cancelled() => return Ok(()),
                    changed = snapshots.changed() => changed.map_err(|_| Error::Unavailable("store closed".into()))?,
                }
                continue;
            }
            let this = self.clone();
            store.read(move |store| this.read_streams(store, behind)).await?;
        }
        Ok(())
    }

    /// Indexes the next step of each lagging stream, recording each stream's progress as
    /// it goes, so that a stream that cannot be read holds back no other.
    fn read_streams(&self, store: &Store, behind: Vec<(StreamId, u64, u64)>) -> Result<()> {
        let mut failed = None;
        for (stream, done, head) in behind {
            let step = store.log_range(&stream, done, head, STEP).and_then(|records| {
                // A short read covers the whole range, holes included (a damaged store):
                // counting records instead would never reach `head`.
                let upto = match records.last().and_then(|r| header_of(&r.record)) {
                    Some(last) if records.len() == STEP => last.seq,
                    _ => head,
                };
                self.apply(store, &stream.collection, records).map(|()| upto)
            });
            match step {
                Ok(upto) => self.indexed.send_modify(|indexed| {
                    indexed.insert(stream, upto);
                }),
                Err(e) => failed = Some(e),
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// Re-indexes the ids these log entries touch, from their current winners.
    fn apply(&self, store: &Store, collection: &str, records: Vec<SignedRecord>) -> Result<()> {
        // The last logged version of each id is usually its winner: then it is not read again.
        let mut latest: BTreeMap<String, SignedRecord> = BTreeMap::new();
        for signed in records {
            if let Some(header) = header_of(&signed.record) {
                latest.insert(header.id, signed);
            }
        }
        for (id, logged) in latest {
            let logged = Envelope::open(logged, usize::MAX)?;
            let current = match store.winner_hash(collection, &id)? {
                Some(hash) if hash == logged.hash => Some(logged),
                Some(_) => store.get(collection, &id)?,
                None => None,
            };
            self.index(RecordKey::new(collection, id), current);
        }
        Ok(())
    }

    /// Re-indexes ids from their current winners (those the store repaired behind its log);
    /// what it cannot read goes back on the store's queue for the next attempt.
    fn reindex(&self, store: &Store, keys: Vec<RecordKey>) -> Result<()> {
        for (done, key) in keys.iter().enumerate() {
            match store.get(&key.collection, &key.id) {
                Ok(current) => self.index(key.clone(), current),
                Err(e) => {
                    store.requeue_repaired(keys[done..].to_vec());
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Indexes the screened parties of an id's current winner, or unindexes the id.
    fn index(&self, key: RecordKey, current: Option<Envelope>) {
        let parties = current
            .as_ref()
            .map(|e| screened_parties(&e.record))
            .unwrap_or_default();
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        if parties.is_empty() {
            state.index.remove(&key);
            state.origin.remove(&key);
        } else if let Some(envelope) = current {
            let kind = envelope
                .record
                .body
                .as_ref()
                .and_then(body_kind)
                .map_or("", |k| k.as_str());
            state
                .origin
                .insert(key.clone(), (kind, envelope.header().author.clone()));
            state.index.upsert(key, parties);
        }
    }
}

/// The streams the index has not read as far as `heads`: (stream, read up to, head).
fn lagging(indexed: &HashMap<StreamId, u64>, heads: &HashMap<StreamId, u64>) -> Vec<(StreamId, u64, u64)> {
    heads
        .iter()
        .filter_map(|(stream, &head)| {
            let done = indexed.get(stream).copied().unwrap_or(0);
            (head > done).then(|| (stream.clone(), done, head))
        })
        .collect()
}

/// Log entries up to `heads` the index has not read.
fn unread<'a>(indexed: &HashMap<StreamId, u64>, heads: impl IntoIterator<Item = (&'a StreamId, &'a u64)>) -> u64 {
    heads
        .into_iter()
        .map(|(stream, &head)| head.saturating_sub(indexed.get(stream).copied().unwrap_or(0)))
        .sum()
}

/// The parties of a record that screening should find: active watchlist entries, active
/// (or amended) denials, and end-use checks that came back unfavorable or unverifiable.
fn screened_parties(record: &Record) -> Vec<PartyDoc> {
    let parties: Vec<&Party> = match record.body.as_ref().and_then(|b| b.kind.as_ref()) {
        Some(Kind::WatchlistEntry(e)) if e.status == WatchlistStatus::Active as i32 => e.party.iter().collect(),
        Some(Kind::LicenseDenial(d))
            if d.status == DenialStatus::Active as i32 || d.status == DenialStatus::Amended as i32 =>
        {
            d.consignee.iter().chain(&d.end_user).chain(&d.intermediaries).collect()
        }
        Some(Kind::EndUseCheck(c))
            if c.status == CheckStatus::Active as i32
                && (c.outcome == CheckOutcome::Unfavorable as i32
                    || c.outcome == CheckOutcome::UnableToVerify as i32) =>
        {
            c.parties.iter().collect()
        }
        _ => Vec::new(),
    };
    parties.into_iter().map(party_doc).collect()
}

/// A party as the matcher sees it.
pub fn party_doc(party: &Party) -> PartyDoc {
    let names = party
        .names
        .iter()
        .map(|n| {
            let strength = if n.kind == NameKind::WeakAlias as i32 {
                NameStrength::Weak
            } else {
                NameStrength::Strong
            };
            (n.full_name.clone(), strength)
        })
        .collect();
    let countries = party
        .countries
        .iter()
        .chain(party.addresses.iter().map(|a| &a.country))
        .filter(|c| !c.is_empty())
        .cloned()
        .collect();
    PartyDoc {
        names,
        entity: entity_kind(party.entity_type),
        countries,
        identifiers: party.identifiers.iter().map(|i| i.value.clone()).collect(),
        particulars: particulars(party),
    }
}

/// A party's places and birth dates as the matcher compares them.
pub fn particulars(party: &Party) -> Particulars {
    Particulars {
        cities: party.addresses.iter().map(|a| a.city.clone()).collect(),
        postal_codes: party.addresses.iter().map(|a| a.postal_code.clone()).collect(),
        birth_dates: party.birth_dates.clone(),
    }
}

/// Our entity type as the matcher's.
pub fn entity_kind(entity_type: i32) -> EntityKind {
    match EntityType::try_from(entity_type) {
        Ok(EntityType::Person) => EntityKind::Person,
        Ok(EntityType::Organisation) => EntityKind::Organisation,
        Ok(EntityType::Vessel) => EntityKind::Vessel,
        Ok(EntityType::Aircraft) => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}
