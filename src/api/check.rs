//! The Check RPC: a proposed transaction against every partner denial in force that this
//! node holds. Candidates come from the screening index (never a scan of all denials);
//! each candidate's current winner is read from the store and compared by `licensing`.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::Context;
use crate::error::{Error, Result};
use crate::licensing::{self, parties::POSSIBLE_NAME};
use crate::proto::record_body::Kind;
use crate::proto::*;
use crate::records::{Policy, RecordKind, grants_collection, validate};
use crate::screening::live::{Screening, entity_kind};
use crate::screening::{ALGORITHM_VERSION, Particulars, Query};
use crate::store::{RecordKey, Store};

/// Screening hits asked for per application name: generous, as watchlist entries compete
/// with denials for the places and only denials count here.
const CANDIDATES_PER_NAME: usize = 200;
/// How long a check waits for the screening index to have read every denial the store
/// holds before it answers Unavailable: a check never answers without one of them.
const CATCH_UP_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

pub async fn check(context: &Arc<Context>, request: CheckRequest) -> Result<CheckResponse> {
    let application = request
        .application
        .ok_or_else(|| Error::invalid("application is missing"))?;
    validate::check_application(&application)?;
    let denials = |collection: &str| holds_denials(&context.policy, collection);
    let unindexed = context
        .screening
        .caught_up(&context.store, CATCH_UP_WAIT, denials)
        .await;
    if unindexed > 0 {
        return Err(Error::Unavailable(format!(
            "the screening index has not yet read {unindexed} denial versions this node holds (waited up to {CATCH_UP_WAIT:?}, or the node is stopping); retry shortly"
        )));
    }
    let (screening, policy) = (context.screening.clone(), context.policy.clone());
    let today = chrono::Utc::now().date_naive();
    context
        .store
        .read(move |store| {
            let candidates = candidates(&screening, &application);
            let mut matches = Vec::new();
            for key in candidates {
                if let Some(found) = compare_with(store, &policy, &application, key, today)? {
                    matches.push(found);
                }
            }
            matches.sort_by(|a, b| a.class.cmp(&b.class).then(best_score(b).total_cmp(&best_score(a))));
            Ok(CheckResponse {
                consultation_required: matches.iter().any(|m| m.class() == MatchClass::EssentiallyIdentical),
                matches,
                algorithm: ALGORITHM_VERSION.into(),
            })
        })
        .await
}

fn best_score(found: &DenialMatch) -> f64 {
    found.parties.iter().map(|p| p.name_score).fold(0.0, f64::max)
}

/// Every denial whose parties the screening index finds for one of the application's
/// party names or identifiers. Scored as screening scores them (rarity among the names
/// held included, so a denial that shares only common words is none), with the party's
/// birth dates as `parties::compare` weighs them.
fn candidates(screening: &Screening, application: &Application) -> BTreeSet<RecordKey> {
    let parties = application
        .consignee
        .iter()
        .chain(&application.end_user)
        .chain(&application.intermediaries);
    let mut keys = BTreeSet::new();
    for party in parties {
        let entity = (party.entity_type != EntityType::Unspecified as i32).then(|| entity_kind(party.entity_type));
        for name in &party.names {
            let query = Query {
                name: name.full_name.clone(),
                country: None,
                entity,
                identifiers: party.identifiers.iter().map(|i| i.value.clone()).collect(),
                min_score: POSSIBLE_NAME,
                limit: CANDIDATES_PER_NAME,
                particulars: Particulars {
                    birth_dates: party.birth_dates.clone(),
                    ..Default::default()
                },
            };
            let found = screening.screen(&query);
            let denials = found
                .into_iter()
                .filter(|f| f.kind == RecordKind::LicenseDenial.as_str());
            keys.extend(denials.map(|f| f.hit.key));
        }
    }
    keys
}

/// Whether a collection this node holds is one of licence denials.
fn holds_denials(policy: &Policy, collection: &str) -> bool {
    policy
        .federation
        .held(collection)
        .is_some_and(|c| c.kind == RecordKind::LicenseDenial)
}

/// The candidate's current winner compared with the application, if it is another
/// agency's denial in force in a collection we hold.
fn compare_with(
    store: &Store,
    policy: &Policy,
    application: &Application,
    RecordKey { collection, id }: RecordKey,
    today: chrono::NaiveDate,
) -> Result<Option<DenialMatch>> {
    if !holds_denials(policy, &collection) {
        return Ok(None);
    }
    let Some(envelope) = store.get(&collection, &id)? else {
        return Ok(None);
    };
    let author = &envelope.header().author;
    let body = envelope.record.body.as_ref().and_then(|b| b.kind.as_ref());
    let Some(Kind::LicenseDenial(denial)) = body else {
        return Ok(None);
    };
    if author == policy.agency() || !licensing::in_force(denial, today) {
        return Ok(None);
    }
    let Some(found) = licensing::compare(application, denial) else {
        return Ok(None);
    };
    Ok(Some(DenialMatch {
        grants: grants_on(store, &collection, &id)?,
        collection,
        id,
        author: author.clone(),
        version_hash: hex::encode(envelope.hash),
        ..found
    }))
}

/// The grant notices partners published after consulting on this denial.
fn grants_on(store: &Store, collection: &str, id: &str) -> Result<Vec<GrantNotice>> {
    let mut grants = Vec::new();
    store.each(&grants_collection(collection), "", |envelope| {
        if let Some(Kind::GrantNotice(notice)) = envelope.record.body.as_ref().and_then(|b| b.kind.as_ref())
            && notice.denial_id == id
        {
            grants.push(notice.clone());
        }
    })?;
    Ok(grants)
}
