//! Precision and recall on the labelled evaluation set, among synthetic distractors.
//! Run with `cargo test --release --test eval -- --nocapture` to see the figures (and misses with
//! `SCREEN_EVAL_VERBOSE=1`).

#[path = "screening/corpus.rs"]
mod corpus;
#[path = "screening/eval_set.rs"]
mod eval_set;

use fedx::screening::{DEFAULT_MIN_SCORE, Index};

const DISTRACTORS: u64 = 5_000;

#[test]
fn precision_and_recall_at_default_threshold() {
    let cases = eval_set::load();
    let mut index = Index::new();
    eval_set::index_cases(&mut index, &cases);
    let mut corpus = corpus::Corpus::new(7);
    for i in 0..DISTRACTORS {
        index.upsert(1_000_000 + i, vec![corpus.party()]);
    }
    let verbose = std::env::var_os("SCREEN_EVAL_VERBOSE").is_some();
    let m = eval_set::evaluate(&cases, |q| index.screen(q), verbose);
    println!(
        "eval @ {DEFAULT_MIN_SCORE}: {} cases, {} parties indexed | recall {:.4} ({} / {}) | precision {:.4} ({} false positives / {} look-alikes)",
        cases.len(),
        index.len(),
        m.recall(),
        m.true_pos,
        m.true_pos + m.false_neg,
        m.precision(),
        m.false_pos,
        m.false_pos + m.true_neg
    );
    for (why, (missed, accepted)) in m.errors.iter().filter(|(_, e)| e.0 + e.1 > 0) {
        println!("  {why:<24} missed {missed:>3}  false positives {accepted:>3}");
    }
    assert!(m.recall() >= 0.95, "recall {:.4}", m.recall());
    assert!(m.precision() >= 0.90, "precision {:.4}", m.precision());
}
