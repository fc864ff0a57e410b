//! `fedctl screen`: one name, or every row of a CSV file over one ScreenBatch stream.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use tonic::transport::Channel;

use super::{ExitCode, Failure, Output, print};
use crate::proto::operator_client::OperatorClient;
use crate::proto::*;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PartyType {
    Person,
    Organisation,
    Vessel,
    Aircraft,
}

impl PartyType {
    pub fn entity_type(self) -> EntityType {
        match self {
            PartyType::Person => EntityType::Person,
            PartyType::Organisation => EntityType::Organisation,
            PartyType::Vessel => EntityType::Vessel,
            PartyType::Aircraft => EntityType::Aircraft,
        }
    }
}

/// `fedctl screen`'s arguments.
#[derive(clap::Args)]
pub struct ScreenArgs {
    /// The name to screen.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 country of the party: a mismatch lowers the score.
    #[arg(long)]
    pub country: Option<String>,
    /// The party's type: a mismatch lowers the score.
    #[arg(long = "type", value_enum)]
    pub party_type: Option<PartyType>,
    /// Lowest score to report (0..1); default: the node's threshold.
    #[arg(long, default_value_t = 0.0)]
    pub min_score: f64,
    /// At most this many hits per name.
    #[arg(long, default_value_t = 10)]
    pub limit: u32,
    /// A CSV file with a header row: name[,country][,type]. Hits go to stdout as CSV
    /// (or JSON with -o json), with a progress bar on a terminal.
    #[arg(long)]
    pub file: Option<PathBuf>,
}

pub(super) async fn run(client: &mut OperatorClient<Channel>, args: ScreenArgs, output: Output) -> Result<(), Failure> {
    let template = ScreenRequest {
        name: args.name.unwrap_or_default(),
        country: args.country.unwrap_or_default(),
        entity_type: args.party_type.map_or(0, |t| t.entity_type() as i32),
        min_score: args.min_score,
        limit: args.limit,
        ..ScreenRequest::default()
    };
    match args.file {
        Some(file) => self::file(client, &file, template, output).await,
        None => one(client, template, output).await,
    }
}

pub async fn one(client: &mut OperatorClient<Channel>, request: ScreenRequest, output: Output) -> Result<(), Failure> {
    let response = client.screen(request).await?.into_inner();
    print(output, &response, || hits_table(&response))?;
    complete(1, response.unindexed_records)
}

/// Exit 5 when answers may lack records the node holds but had not yet indexed (a bulk
/// load in progress, a node just started): a "no match" then is not final.
fn complete(answers: usize, unindexed: u64) -> Result<(), Failure> {
    if unindexed == 0 {
        return Ok(());
    }
    Err(Failure {
        code: ExitCode::Incomplete,
        message: format!(
            "incomplete: {answers} answer(s) given while the node's screening index had not yet read \
             {unindexed} record versions it holds; screen again shortly"
        ),
    })
}

fn features(hit: &ScreenHit) -> String {
    let parts: Vec<String> = hit
        .features
        .iter()
        .map(|f| format!("{}={:+.2}", f.name, f.weight))
        .collect();
    parts.join(" ")
}

fn hits_table(response: &ScreenResponse) -> String {
    if response.hits.is_empty() {
        return format!("no match ({})", response.algorithm);
    }
    let mut table = super::table::Table::new(&["SCORE", "MATCHED NAME", "RECORD", "AUTHOR", "FEATURES"]);
    for hit in &response.hits {
        table.row(vec![
            format!("{:.3}", hit.score),
            hit.matched_name.clone(),
            format!("{}/{}", hit.collection, hit.id),
            hit.author.clone(),
            features(hit),
        ]);
    }
    format!("{}\n({})", table.render(), response.algorithm)
}

/// Reads `name[,country][,type]` rows (with that header) into requests; the reference is
/// the line number the row starts on.
fn requests_of(file: &Path, template: &ScreenRequest) -> Result<Vec<ScreenRequest>, Failure> {
    let contents = std::fs::read(file).map_err(|e| Failure::invalid(format!("cannot read {}: {e}", file.display())))?;
    let mut reader = csv::Reader::from_reader(contents.as_slice());
    let header = reader
        .headers()
        .map_err(|e| Failure::invalid(format!("{}: {e}", file.display())))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let name_at = column("name").ok_or_else(|| Failure::invalid(format!("{}: no \"name\" column", file.display())))?;
    let (country_at, type_at) = (column("country"), column("type"));
    let mut requests = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Failure::invalid(format!("{}: {e}", file.display())))?;
        let line = record.position().map_or(0, |p| line_at(&contents, p.byte()));
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("").trim().to_string();
        let entity_type = match cell(type_at).to_lowercase().as_str() {
            "" => template.entity_type,
            kind => <PartyType as clap::ValueEnum>::from_str(kind, true)
                .map_err(|_| Failure::invalid(format!("{} line {line}: unknown type {kind:?}", file.display())))?
                .entity_type() as i32,
        };
        requests.push(ScreenRequest {
            name: cell(Some(name_at)),
            country: Some(cell(country_at))
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| template.country.clone()),
            entity_type,
            reference: line.to_string(),
            ..template.clone()
        });
    }
    Ok(requests)
}

/// Line number of the row read from byte `offset`, counting `\n` (so `\r\n` too) before it: the
/// reader's own line count is one short per CRLF row. A row's position is where the reader
/// started, before the blank lines it skips.
fn line_at(contents: &[u8], offset: u64) -> u64 {
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(contents.len());
    let blank = contents[start..]
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count();
    1 + contents[..start + blank].iter().filter(|b| **b == b'\n').count() as u64
}

pub async fn file(
    client: &mut OperatorClient<Channel>,
    file: &Path,
    template: ScreenRequest,
    output: Output,
) -> Result<(), Failure> {
    let requests = requests_of(file, &template)?;
    let names: Vec<(String, String)> = requests.iter().map(|r| (r.reference.clone(), r.name.clone())).collect();
    let progress = ProgressBar::new(requests.len() as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} parties {elapsed}") {
        progress.set_style(style);
    }
    let mut stream = client.screen_batch(tokio_stream::iter(requests)).await?.into_inner();
    let mut responses = Vec::new();
    while let Some(response) = stream.message().await? {
        progress.inc(1);
        responses.push(response);
    }
    progress.finish_and_clear();
    match output {
        Output::Json => print(output, &responses, String::new),
        Output::Table => write_csv(&responses, &names),
    }?;
    let partial = responses.iter().map(|r| r.unindexed_records).filter(|n| *n > 0);
    complete(partial.clone().count(), partial.max().unwrap_or(0))
}

/// One CSV row per hit (a party without hits gets one row with empty hit columns).
fn write_csv(responses: &[ScreenResponse], names: &[(String, String)]) -> Result<(), Failure> {
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    let fail = |e: csv::Error| Failure {
        code: ExitCode::Error,
        message: format!("cannot write CSV: {e}"),
    };
    out.write_record([
        "line",
        "name",
        "score",
        "matched_name",
        "collection",
        "id",
        "kind",
        "author",
    ])
    .map_err(fail)?;
    for response in responses {
        let name = names
            .iter()
            .find(|(line, _)| *line == response.reference)
            .map_or("", |(_, n)| n.as_str());
        if response.hits.is_empty() {
            out.write_record([response.reference.as_str(), name, "", "", "", "", "", ""])
                .map_err(fail)?;
        }
        for hit in &response.hits {
            let score = format!("{:.3}", hit.score);
            out.write_record([
                response.reference.as_str(),
                name,
                &score,
                &hit.matched_name,
                &hit.collection,
                &hit.id,
                &hit.kind,
                &hit.author,
            ])
            .map_err(fail)?;
        }
    }
    out.flush().map_err(|e| Failure {
        code: ExitCode::Error,
        message: format!("cannot write CSV: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference of each request read from `contents`.
    fn lines_of(contents: &str) -> Vec<String> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("parties.csv");
        std::fs::write(&path, contents).expect("write");
        let requests = requests_of(&path, &ScreenRequest::default()).expect("requests");
        requests.into_iter().map(|r| r.reference).collect()
    }

    #[test]
    fn references_are_line_numbers_whatever_the_line_endings() {
        let rows = [
            "name,country",
            "Acme Trading,RU",
            "\"Ocean\nStar\",PA",
            "",
            "Petr Ivanov,",
        ];
        for ending in ["\n", "\r\n"] {
            let lines = lines_of(&(rows.join(ending) + ending));
            assert_eq!(lines, ["2", "3", "6"], "line ending {ending:?}");
        }
    }
}
