//! fedx: a federation node for export-control authorities.
//!
//! See ARCHITECTURE.md for the bird's-eye view and the code map.

pub mod error;
pub mod proto;
pub mod records;

pub use error::{Error, Refusal, Result};
pub mod api;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod consult;
pub mod crypto;
pub mod import;
pub mod licensing;
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

/// Turns transparent huge pages off for this process (what `MIMALLOC_ALLOW_THP=0` does).
/// The kernel zeroes 2 MiB at the first touch of each huge page, and again after the
/// allocator returns part of one: 13% of the federation benchmark's CPU went there.
/// Called first thing by `fednode` (and the benchmark, to measure the same process).
pub fn disable_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours. A
    // kernel without it keeps its setting, which is only slower.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
