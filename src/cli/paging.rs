//! Paging through `List`: a node answers a page bounded by bytes as well as by count (large
//! records make short pages), so every client of `List` keeps asking after the last id it
//! got until it has what it wants or the node says there is no more.

use tonic::transport::Channel;

use super::Failure;
use crate::proto::operator_client::OperatorClient;
use crate::proto::*;

/// The most one `List` call asks for (the node's cap).
const PAGE_LIMIT: u32 = 1000;
/// What `limit = 0` means, as on the node.
const DEFAULT_LIMIT: u32 = 100;

/// Up to `request.limit` records from `request.start_after` on, over as many pages as it
/// takes; `next_start_after` is set when more follow.
pub async fn list(client: &mut OperatorClient<Channel>, mut request: ListRequest) -> Result<ListResponse, Failure> {
    let wanted = match request.limit {
        0 => DEFAULT_LIMIT,
        n => n,
    } as usize;
    let mut all = ListResponse::default();
    loop {
        let remaining = wanted - all.records.len();
        request.limit = PAGE_LIMIT.min(remaining as u32);
        let page = client.list(request.clone()).await?.into_inner();
        all.records.extend(page.records);
        all.next_start_after = page.next_start_after;
        if all.next_start_after.is_empty() || all.records.len() >= wanted {
            return Ok(all);
        }
        request.start_after = all.next_start_after.clone();
    }
}

/// Visits every current version under `prefix` (deleted ones have no body), page by page.
pub async fn for_each_record(
    client: &mut OperatorClient<Channel>,
    collection: &str,
    prefix: &str,
    mut visit: impl FnMut(&str, &RecordBody),
) -> Result<(), Failure> {
    let mut start_after = String::new();
    loop {
        let request = ListRequest {
            collection: collection.to_string(),
            id_prefix: prefix.to_string(),
            start_after: start_after.clone(),
            limit: PAGE_LIMIT,
        };
        let page = client.list(request).await?.into_inner();
        for stored in &page.records {
            let record = stored.record.as_ref();
            let id = record.and_then(|r| r.header.as_ref()).map(|h| h.id.as_str());
            if let (Some(id), Some(body)) = (id, record.and_then(|r| r.body.as_ref())) {
                visit(id, body);
            }
        }
        if page.next_start_after.is_empty() {
            return Ok(());
        }
        start_after = page.next_start_after;
    }
}
