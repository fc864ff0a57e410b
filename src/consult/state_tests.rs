//! The lifecycle folded from steps, and the transitions our operators may make.

use super::*;
use crate::proto::{ConsultationAck, ConsultationClose, ConsultationInform, ConsultationOpen, ConsultationReply};

const DAY: u64 = 86_400;

fn at(day: u64) -> u64 {
    // 2026-12-01 plus `day` days, as an HLC timestamp.
    hlc::from_duration(std::time::Duration::from_secs(1_796_083_200 + day * DAY))
}

fn step(author: &str, day: u64, kind: Kind) -> Step {
    Step {
        record_id: format!("{author}/C-0000000000000001/{day}"),
        author: author.into(),
        hlc: at(day),
        version_hash: String::new(),
        content: Ok(ConsultationStep { step: Some(kind) }),
    }
}

fn open(reply_by: &str) -> Kind {
    Kind::Open(ConsultationOpen {
        reply_by: reply_by.into(),
        reason: "minded to grant".into(),
        ..ConsultationOpen::default()
    })
}

fn reply(kind: ReplyKind) -> Kind {
    Kind::Reply(ConsultationReply {
        kind: kind as i32,
        reason: "because".into(),
        ..ConsultationReply::default()
    })
}

const PARTIES: Parties = Parties {
    id: "C-0000000000000001",
    requester: "NL-CDIU",
    denier: "DE-BAFA",
    us: "NL-CDIU",
};

fn day(n: u64) -> DateTime<Utc> {
    time_of(at(n))
}

#[test]
fn the_full_lifecycle_with_a_paused_clock() {
    let steps = vec![
        step("NL-CDIU", 0, open("2026-12-31T00:00:00Z")),
        step("DE-BAFA", 1, Kind::Ack(ConsultationAck {})),
        step("DE-BAFA", 2, reply(ReplyKind::InformationRequested)),
        step(
            "NL-CDIU",
            7,
            Kind::Inform(ConsultationInform {
                reason: "end user audited".into(),
            }),
        ),
    ];
    let view = fold(&PARTIES, steps, day(8));
    assert_eq!(view.state(), ConsultationState::Acknowledged);
    assert_eq!(
        view.reply_by, "2027-01-05T00:00:00Z",
        "five days awaiting information move the date on"
    );
    assert!(
        check_inform(&view, "NL-CDIU", "more").is_err(),
        "nothing was requested now"
    );
    assert!(check_close(&view, "NL-CDIU", CloseDecision::Granted, "why", false).is_err());
    check_close(&view, "NL-CDIU", CloseDecision::Granted, "why", true).unwrap();
    check_close(&view, "NL-CDIU", CloseDecision::Withdrawn, "why", false).unwrap();
}

#[test]
fn past_the_reply_by_date_without_a_reply_is_no_reply_and_may_be_granted() {
    let steps = vec![
        step("NL-CDIU", 0, open("2026-12-03T00:00:00Z")),
        step("DE-BAFA", 1, Kind::Ack(ConsultationAck {})),
    ];
    let view = fold(&PARTIES, steps, day(2));
    assert_eq!(
        view.state(),
        ConsultationState::Acknowledged,
        "before the reply-by time"
    );
    let steps = vec![step("NL-CDIU", 0, open("2026-12-03T00:00:00Z"))];
    let view = fold(&PARTIES, steps, day(3) + chrono::TimeDelta::seconds(1));
    assert_eq!(view.state(), ConsultationState::NoReply);
    assert!(view.overdue);
    check_close(&view, "NL-CDIU", CloseDecision::Granted, "silence recorded", false).unwrap();
}

#[test]
fn steps_by_the_wrong_authority_or_after_closing_are_ignored_with_a_reason() {
    let steps = vec![
        step("NL-CDIU", 0, open("2026-12-31T00:00:00Z")),
        step("NL-CDIU", 1, reply(ReplyKind::NoObjection)),
        step(
            "NL-CDIU",
            2,
            Kind::Close(ConsultationClose {
                decision: CloseDecision::Withdrawn as i32,
                reason: "no longer needed".into(),
                r#override: false,
            }),
        ),
        step("DE-BAFA", 3, reply(ReplyKind::Objection)),
    ];
    let view = fold(&PARTIES, steps, day(4));
    assert_eq!(view.state(), ConsultationState::Closed);
    assert_eq!(view.reply(), ReplyKind::Unspecified);
    let ignored: Vec<&str> = view.events.iter().map(|e| e.ignored.as_str()).collect();
    assert_eq!(
        ignored,
        [
            "",
            "only the denying authority replies",
            "",
            "a step after the consultation was closed"
        ]
    );
}

#[test]
fn only_the_right_authority_may_act() {
    let view = fold(&PARTIES, vec![step("NL-CDIU", 0, open("2026-12-31T00:00:00Z"))], day(1));
    let denied = check_reply(&view, "NL-CDIU", ReplyKind::Objection, "x").unwrap_err();
    assert!(matches!(denied, Error::PermissionDenied(_)), "{denied:?}");
    assert!(matches!(
        check_close(&view, "DE-BAFA", CloseDecision::Granted, "x", true),
        Err(Error::PermissionDenied(_))
    ));
    assert!(matches!(
        check_reply(&view, "DE-BAFA", ReplyKind::Objection, " "),
        Err(Error::Refused { .. })
    ));
    check_reply(&view, "DE-BAFA", ReplyKind::Objection, "diversion risk").unwrap();
}
