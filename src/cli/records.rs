//! Commands on single records: put, get, list, revoke, delete.

use std::path::PathBuf;

use tonic::transport::Channel;

use super::table::Table;
use super::{Failure, Output, paging, print};
use crate::proto::operator_client::OperatorClient;
use crate::proto::*;
use crate::records::hlc;

type Client = OperatorClient<Channel>;

pub(super) async fn put(
    client: &mut Client,
    collection: String,
    id: String,
    file: Option<PathBuf>,
    output: Output,
) -> Result<(), Failure> {
    let request = PutRequest {
        collection,
        id,
        body: Some(read_body(file)?),
    };
    let response = client.put(request).await?.into_inner();
    print(output, &response, || written(&response))
}

pub(super) async fn get(client: &mut Client, collection: String, id: String, output: Output) -> Result<(), Failure> {
    let record = client.get(GetRequest { collection, id }).await?.into_inner();
    print(output, &record, || record_text(&record))
}

pub(super) async fn list(client: &mut Client, request: ListRequest, output: Output) -> Result<(), Failure> {
    let page = paging::list(client, request).await?;
    print(output, &page, || list_table(&page))
}

pub(super) async fn revoke(client: &mut Client, collection: String, id: String, output: Output) -> Result<(), Failure> {
    let response = client.revoke(RevokeRequest { collection, id }).await?.into_inner();
    print(output, &response, || written(&response))
}

pub(super) async fn delete(client: &mut Client, collection: String, id: String, output: Output) -> Result<(), Failure> {
    let response = client.delete(DeleteRequest { collection, id }).await?.into_inner();
    print(output, &response, || written(&response))
}

fn read_body(file: Option<PathBuf>) -> Result<RecordBody, Failure> {
    let (name, text) = match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure::invalid(format!("cannot read {}: {e}", path.display())))?;
            (path.display().to_string(), text)
        }
        None => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| Failure::invalid(format!("cannot read stdin: {e}")))?;
            ("stdin".to_string(), text)
        }
    };
    serde_json::from_str(&text).map_err(|e| {
        Failure::invalid(format!(
            "{name}: not a record body ({e}); expected {{\"license_denial\": {{...}}}}, \
             {{\"watchlist_entry\": {{...}}}} or {{\"end_use_check\": {{...}}}}"
        ))
    })
}

fn written(response: &PutResponse) -> String {
    let header = response.header.clone().unwrap_or_default();
    if response.outcome == PutOutcome::Unchanged as i32 {
        return format!(
            "unchanged {}/{}: seq {} already has this body",
            header.collection, header.id, header.seq
        );
    }
    format!(
        "stored {}/{} seq {} at {}{}",
        header.collection,
        header.id,
        header.seq,
        hlc::to_rfc3339(header.hlc),
        if response.current {
            ""
        } else {
            " (a newer version already wins)"
        }
    )
}

fn record_text(record: &StoredRecord) -> String {
    let inner = record.record.clone().unwrap_or_default();
    let header = inner.header.unwrap_or_default();
    let body = inner
        .body
        .map(|b| serde_json::to_string_pretty(&b).unwrap_or_default())
        .unwrap_or_else(|| "(deleted)".into());
    format!(
        "{}/{}\nauthor {}  seq {}  key {}  at {}\nsha256 {}\n{}",
        header.collection,
        header.id,
        header.author,
        header.seq,
        header.key_id,
        hlc::to_rfc3339(header.hlc),
        record.sha256,
        body
    )
}

fn list_table(page: &ListResponse) -> String {
    let mut table = Table::new(&["ID", "AUTHOR", "STATUS", "UPDATED"]);
    for stored in &page.records {
        let record = stored.record.clone().unwrap_or_default();
        let header = record.header.unwrap_or_default();
        table.row(vec![
            header.id,
            header.author,
            record.body.as_ref().map_or("deleted".into(), status_of),
            hlc::to_rfc3339(header.hlc),
        ]);
    }
    let mut text = table.render();
    if !page.next_start_after.is_empty() {
        text.push_str(&format!("\n(more: --start-after {})", page.next_start_after));
    }
    text
}

fn status_of(body: &RecordBody) -> String {
    use record_body::Kind;
    let status = match &body.kind {
        Some(Kind::LicenseDenial(d)) => DenialStatus::try_from(d.status).map(|s| s.as_str_name()),
        Some(Kind::WatchlistEntry(w)) => WatchlistStatus::try_from(w.status).map(|s| s.as_str_name()),
        Some(Kind::EndUseCheck(c)) => CheckStatus::try_from(c.status).map(|s| s.as_str_name()),
        Some(Kind::KeyAnnouncement(_) | Kind::SealingKey(_)) => return "announced".into(),
        Some(Kind::SealedStep(_)) => return "sealed".into(),
        Some(Kind::GrantNotice(_)) => return "granted".into(),
        None => return "deleted".into(),
    };
    status
        .map(|s| s.rsplit('_').next().unwrap_or(s).to_lowercase())
        .unwrap_or_else(|_| "unknown".into())
}
