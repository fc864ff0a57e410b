//! Consultations, the no-undercut workflow (docs/consultations.md): an authority minded
//! to grant a licence essentially identical to a partner's denial in force consults the
//! denier first. Every step is a record signed by its author and sealed to the two
//! authorities (`channel`), folded into a state (`state`); the node acknowledges receipt
//! and announces its sealing keys by itself (`follower`).

pub mod book;
pub mod channel;
pub mod follower;
pub mod keys;
pub mod state;
