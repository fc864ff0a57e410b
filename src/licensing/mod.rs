//! Licence checks, the no-undercut rule: before granting, a licensing authority compares
//! the proposed transaction with every partner denial in force and consults the denier of
//! any that is essentially identical (docs/consultations.md). Domain code: the candidates
//! come from the screening index, the denials from the store; nothing here knows gRPC.

pub mod compare;
pub mod entries;
pub mod parties;

pub use compare::{compare, in_force, review_due};
