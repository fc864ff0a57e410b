//! `fedctl check FILE`: a proposed transaction against every partner denial in force.
//! Exits 4 when a match is essentially identical (consultation required), so a licensing
//! system can gate a grant on it.

use std::path::Path;

use tonic::transport::Channel;

use super::{ExitCode, Failure, Output, print, table::Table};
use crate::proto::operator_client::OperatorClient;
use crate::proto::*;

pub async fn run(client: &mut OperatorClient<Channel>, file: &Path, output: Output) -> Result<(), Failure> {
    let text =
        std::fs::read_to_string(file).map_err(|e| Failure::invalid(format!("cannot read {}: {e}", file.display())))?;
    let application: Application = serde_json::from_str(&text).map_err(|e| {
        Failure::invalid(format!(
            "{}: not an application ({e}); see config/examples/application-identical.json",
            file.display()
        ))
    })?;
    let response = client
        .check_application(CheckRequest {
            application: Some(application),
        })
        .await?
        .into_inner();
    print(output, &response, || matches_table(&response))?;
    if response.consultation_required {
        return Err(Failure {
            code: ExitCode::ConsultationRequired,
            message: "consultation required: an essentially identical denial is in force (see above)".into(),
        });
    }
    Ok(())
}

fn matches_table(response: &CheckResponse) -> String {
    if response.matches.is_empty() {
        return format!("no denial in force matches ({})", response.algorithm);
    }
    let mut table = Table::new(&[
        "CLASS",
        "DENIAL",
        "AUTHOR",
        "REFERENCE",
        "REVIEW DUE",
        "PARTIES",
        "ENTRIES",
    ]);
    for found in &response.matches {
        table.row(vec![
            class_name(found.class()).into(),
            format!("{}/{}", found.collection, found.id),
            found.author.clone(),
            found.reference.clone(),
            found.review_due_date.clone(),
            parties(found),
            entries(found),
        ]);
    }
    let explanations: Vec<String> = response
        .matches
        .iter()
        .map(|m| {
            let grants: Vec<String> = m
                .grants
                .iter()
                .map(|g| {
                    format!(
                        " {} granted licence {} on {} after consulting: {}",
                        g.granted_by, g.licence_reference, g.granted_date, g.reasons
                    )
                })
                .collect();
            format!("{}/{}: {}{}", m.collection, m.id, m.explanation, grants.join(""))
        })
        .collect();
    format!(
        "{}\n{}\n({})",
        table.render(),
        explanations.join("\n"),
        response.algorithm
    )
}

fn class_name(class: MatchClass) -> &'static str {
    match class {
        MatchClass::EssentiallyIdentical => "essentially_identical",
        MatchClass::Related => "related",
        MatchClass::Unspecified => "unspecified",
    }
}

fn parties(found: &DenialMatch) -> String {
    let described: Vec<String> = found
        .parties
        .iter()
        .map(|p| {
            format!(
                "{} {:?} ~ {} {:?} {:.2} {} [{}]",
                role(p.application_role()),
                p.application_name,
                role(p.denial_role()),
                p.denial_name,
                p.name_score,
                strength(p.strength()),
                p.corroboration.join(", ")
            )
        })
        .collect();
    described.join("; ")
}

fn role(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Consignee => "consignee",
        PartyRole::EndUser => "end user",
        PartyRole::Intermediary => "intermediary",
        PartyRole::Unspecified => "party",
    }
}

fn strength(strength: PartyMatchStrength) -> &'static str {
    match strength {
        PartyMatchStrength::Strong => "strong",
        PartyMatchStrength::Possible => "possible",
        PartyMatchStrength::Unspecified => "",
    }
}

fn entries(found: &DenialMatch) -> String {
    if found.catch_all {
        return "catch-all denial".into();
    }
    let described: Vec<String> = found
        .entries
        .iter()
        .map(|e| {
            let how = match e.relation() {
                EntryRelation::Equal => "=",
                EntryRelation::Parent => "⊃",
                EntryRelation::Child => "⊂",
                EntryRelation::Unspecified => "?",
            };
            format!("{} {how} {}", e.application_entry, e.denial_entry)
        })
        .collect();
    described.join(", ")
}
