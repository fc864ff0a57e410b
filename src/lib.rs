//! fedx: a federation node for export-control authorities.
//!
//! See ARCHITECTURE.md for the bird's-eye view and the code map.

pub mod error;
pub mod proto;
pub mod records;

pub use error::{Error, Refusal, Result};
pub mod api;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod import;
pub mod metrics;
pub mod node;
pub mod replication;
pub mod screening;
pub mod store;
pub mod transport;

/// Every binary linking the node (fednode, fedctl, tests, benches) allocates with mimalloc:
/// the store and the gRPC stack allocate and free many short-lived buffers from several
/// threads, where glibc's allocator spent about a fifth of the node's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
