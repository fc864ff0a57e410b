//! An application against one denial: which parties match, which entries relate, and the
//! class that follows (docs/consultations.md, "The matching rule").
//!
//! Essentially identical: same destination, a strong match between the application's
//! consignee or end user and the denial's consignee or end user, and a related
//! control-list entry, on a denial that names entries (not a catch-all). Related: any other
//! strong party match, shared goods and destination with only a possible or intermediary
//! match, or any party match on a catch-all denial.

use chrono::{Months, NaiveDate};

use super::entries::{is_catch_all, relation};
use super::parties::{self, Matched};
use crate::proto::{
    Application, DenialMatch, DenialStatus, EntryMatch, LicenseDenial, MatchClass, Party, PartyMatch,
    PartyMatchStrength, PartyRole,
};
use crate::records::validate::REVIEW_MONTHS;

/// A denial counts for the no-undercut rule while it is active or amended and its review
/// due date has not passed. A date that does not parse keeps it in force: when in doubt,
/// the officer consults.
pub fn in_force(denial: &LicenseDenial, today: NaiveDate) -> bool {
    let status_in_force = denial.status == DenialStatus::Active as i32 || denial.status == DenialStatus::Amended as i32;
    status_in_force && review_due(denial).is_none_or(|due| due >= today)
}

/// The review due date: as set, or three years after the decision.
pub fn review_due(denial: &LicenseDenial) -> Option<NaiveDate> {
    let parse = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
    if !denial.review_due_date.trim().is_empty() {
        return parse(&denial.review_due_date);
    }
    parse(&denial.decision_date)?.checked_add_months(Months::new(REVIEW_MONTHS))
}

/// The parties of a transaction by role, the principal ones (consignee, end user) first.
fn parties_of<'a>(
    consignee: Option<&'a Party>,
    end_user: Option<&'a Party>,
    intermediaries: &'a [Party],
) -> Vec<(PartyRole, &'a Party)> {
    let principal = [(PartyRole::Consignee, consignee), (PartyRole::EndUser, end_user)];
    let principal = principal.into_iter().filter_map(|(role, party)| Some((role, party?)));
    principal
        .chain(intermediaries.iter().map(|p| (PartyRole::Intermediary, p)))
        .collect()
}

fn is_principal(role: PartyRole) -> bool {
    matches!(role, PartyRole::Consignee | PartyRole::EndUser)
}

/// Compares the application with a denial; `None` when nothing matches.
pub fn compare(application: &Application, denial: &LicenseDenial) -> Option<DenialMatch> {
    let ours = parties_of(
        application.consignee.as_ref(),
        application.end_user.as_ref(),
        &application.intermediaries,
    );
    let theirs = parties_of(
        denial.consignee.as_ref(),
        denial.end_user.as_ref(),
        &denial.intermediaries,
    );
    let mut parties = Vec::new();
    for (our_role, our_party) in &ours {
        // A consignee receives the goods in the destination country.
        let fallback = (*our_role == PartyRole::Consignee).then_some(application.destination_country.as_str());
        for (their_role, their_party) in &theirs {
            if let Some(matched) = parties::compare(our_party, fallback, their_party) {
                parties.push(party_match(*our_role, *their_role, matched));
            }
        }
    }
    if parties.is_empty() {
        return None;
    }
    // Strong (1) before possible (2), then by score.
    parties.sort_by(|a, b| a.strength.cmp(&b.strength).then(b.name_score.total_cmp(&a.name_score)));
    let catch_all = is_catch_all(&denial.control_list_entries);
    let entries = if catch_all {
        Vec::new()
    } else {
        related_entries(&application.control_list_entries, &denial.control_list_entries)
    };
    let same_destination = application
        .destination_country
        .trim()
        .eq_ignore_ascii_case(denial.destination_country.trim());
    let (class, explanation) = classify(&parties, &entries, same_destination, catch_all)?;
    Some(DenialMatch {
        class: class as i32,
        reference: denial.reference.clone(),
        decision_date: denial.decision_date.clone(),
        review_due_date: review_due(denial).map(|d| d.to_string()).unwrap_or_default(),
        same_destination,
        catch_all,
        parties,
        entries,
        explanation,
        ..DenialMatch::default()
    })
}

fn party_match(application_role: PartyRole, denial_role: PartyRole, matched: Matched) -> PartyMatch {
    PartyMatch {
        application_role: application_role as i32,
        application_name: matched.application_name,
        denial_role: denial_role as i32,
        denial_name: matched.denial_name,
        name_score: matched.score,
        features: matched.features,
        corroboration: matched.corroboration,
        strength: matched.strength as i32,
    }
}

fn related_entries(application: &[String], denied: &[String]) -> Vec<EntryMatch> {
    let mut related = Vec::new();
    for ours in application {
        for theirs in denied {
            if let Some(how) = relation(ours, theirs) {
                related.push(EntryMatch {
                    application_entry: ours.clone(),
                    denial_entry: theirs.clone(),
                    relation: how as i32,
                });
            }
        }
    }
    related
}

/// The class of a denial with at least one party match, and the sentence that explains it.
fn classify(
    parties: &[PartyMatch],
    entries: &[EntryMatch],
    same_destination: bool,
    catch_all: bool,
) -> Option<(MatchClass, String)> {
    let strong = |m: &&PartyMatch| m.strength() == PartyMatchStrength::Strong;
    let principal = |m: &&PartyMatch| is_principal(m.application_role()) && is_principal(m.denial_role());
    let strong_principal = parties.iter().filter(strong).any(|m| principal(&m));
    let any_strong = parties.iter().any(|m| strong(&m));
    let related = |why: &str| Some((MatchClass::Related, why.to_string()));
    if catch_all {
        return related(
            "a party matches a catch-all denial (items on no control list): it informs, no consultation is required",
        );
    }
    if same_destination && strong_principal && !entries.is_empty() {
        return Some((
            MatchClass::EssentiallyIdentical,
            "same destination, the consignee or end user matches the denied consignee or end user, and a control-list entry is related: consult the denying authority before granting".into(),
        ));
    }
    if entries.is_empty() {
        return if any_strong {
            related("a party matches, for other goods (no related control-list entry)")
        } else {
            None
        };
    }
    if same_destination {
        return related("same goods and destination, but only a possible or intermediary party match");
    }
    if any_strong {
        return related("a party matches for related goods, to another destination");
    }
    None
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
