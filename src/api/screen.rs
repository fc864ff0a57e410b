//! The Screen and ScreenBatch RPCs: checked queries against the node's screening index,
//! run on the blocking pool (matching is CPU work), timed into the screen histogram.

use std::sync::Arc;

use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status, Streaming};

use super::Context;
use crate::error::{Error, Result};
use crate::proto::*;
use crate::screening::live::entity_kind;
use crate::screening::{ALGORITHM_VERSION, DEFAULT_MIN_SCORE, Particulars, Query};

const DEFAULT_LIMIT: u32 = 10;
const MAX_LIMIT: u32 = 100;
/// How long a screen waits for the index to hold what the store holds. Past it (a bulk
/// load the index is still reading, a large store loading at start) the screen answers
/// from the index as it is and says how many records it had not read.
const CATCH_UP_WAIT: std::time::Duration = std::time::Duration::from_secs(1);
/// Screening responses queued towards a batch client.
const BATCH_QUEUE: usize = 16;

/// The queries of a request: its name, or every name of its party.
fn queries_of(request: &ScreenRequest) -> Result<Vec<Query>> {
    let Some(party) = &request.party else {
        return Ok(vec![query_of(request, request.name.trim(), Particulars::default())?]);
    };
    if !request.name.trim().is_empty() {
        return Err(Error::invalid("give either a name or a party, not both"));
    }
    crate::records::validate::check_screened_party(party)?;
    let mut request = request.clone();
    if request.entity_type == EntityType::Unspecified as i32 {
        request.entity_type = party.entity_type;
    }
    request
        .identifiers
        .extend(party.identifiers.iter().map(|i| i.value.clone()));
    // One country stands for the party only when it names one: a query has a single country.
    let mut countries: Vec<&String> = party
        .countries
        .iter()
        .chain(party.addresses.iter().map(|a| &a.country))
        .collect();
    countries.retain(|c| !c.is_empty());
    countries.sort_unstable();
    countries.dedup();
    if request.country.trim().is_empty()
        && let [country] = countries[..]
    {
        request.country = country.clone();
    }
    let particulars = crate::screening::live::particulars(party);
    party
        .names
        .iter()
        .map(|name| query_of(&request, name.full_name.trim(), particulars.clone()))
        .collect()
}

fn query_of(request: &ScreenRequest, name: &str, particulars: Particulars) -> Result<Query> {
    if name.is_empty() && request.identifiers.is_empty() {
        return Err(Error::invalid("name is empty (and no identifier given)"));
    }
    if name.len() > crate::records::validate::NAME_MAX {
        return Err(Error::invalid("name is longer than 512 bytes"));
    }
    let country = Some(request.country.trim().to_uppercase()).filter(|c| !c.is_empty());
    if let Some(code) = &country
        && isocountry::CountryCode::for_alpha2(code).is_err()
    {
        return Err(Error::invalid(format!(
            "country {code:?} is not an ISO 3166-1 alpha-2 code"
        )));
    }
    if !(0.0..=1.0).contains(&request.min_score) {
        return Err(Error::invalid("min_score must be between 0 and 1"));
    }
    if request.limit > MAX_LIMIT {
        return Err(Error::invalid(format!("limit is at most {MAX_LIMIT}")));
    }
    Ok(Query {
        name: name.to_string(),
        country,
        entity: (request.entity_type != EntityType::Unspecified as i32).then(|| entity_kind(request.entity_type)),
        identifiers: request.identifiers.clone(),
        particulars,
        min_score: if request.min_score == 0.0 {
            DEFAULT_MIN_SCORE
        } else {
            request.min_score
        },
        limit: if request.limit == 0 {
            DEFAULT_LIMIT
        } else {
            request.limit
        } as usize,
    })
}

/// Screens one request.
pub async fn screen(context: &Arc<Context>, request: ScreenRequest) -> Result<ScreenResponse> {
    let queries = queries_of(&request)?;
    let unindexed_records = context
        .screening
        .caught_up(&context.store, CATCH_UP_WAIT, |_| true)
        .await;
    let (screening, timer) = (context.screening.clone(), context.metrics.screen_seconds.clone());
    let found = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let found = screening.screen_all(&queries);
        timer.observe(started.elapsed().as_secs_f64());
        found
    })
    .await
    .map_err(|e| Error::Internal(format!("screening task: {e}")))?;
    let hits = found
        .into_iter()
        .map(|f| ScreenHit {
            score: f.hit.score,
            matched_name: f.hit.matched_name,
            features: f
                .hit
                .features
                .into_iter()
                .map(|feature| ScreenFeature {
                    name: feature.name.to_string(),
                    weight: feature.weight,
                })
                .collect(),
            collection: f.hit.key.collection,
            id: f.hit.key.id,
            kind: f.kind.to_string(),
            author: f.author,
        })
        .collect();
    Ok(ScreenResponse {
        reference: request.reference,
        algorithm: ALGORITHM_VERSION.to_string(),
        hits,
        unindexed_records,
    })
}

/// Screens a stream of requests in order; a bad request ends the stream with its error,
/// audited like a refused `Screen`.
pub fn screen_batch(
    context: Arc<Context>,
    caller: String,
    mut requests: Streaming<ScreenRequest>,
) -> ReceiverStream<std::result::Result<ScreenResponse, Status>> {
    let (responses, stream) = tokio::sync::mpsc::channel(BATCH_QUEUE);
    tokio::spawn(async move {
        loop {
            let request = match requests.message().await {
                Ok(Some(request)) => request,
                Ok(None) => return,
                Err(status) => {
                    let _ = responses.send(Err(status)).await;
                    return;
                }
            };
            let reference = request.reference.clone();
            let answer = match screen(&context, request).await {
                Ok(response) => Ok(response),
                Err(error) => {
                    context.audit_refusal(&caller, "screen_batch", &error).await;
                    let status = Status::from(error);
                    let message = format!("{reference}: {}", status.message());
                    Err(Status::with_metadata(status.code(), message, status.metadata().clone()))
                }
            };
            let failed = answer.is_err();
            if responses.send(answer).await.is_err() || failed {
                return;
            }
        }
    });
    ReceiverStream::new(stream)
}
