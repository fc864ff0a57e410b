//! Code generated from `proto/fedx.proto` (never edited by hand): prost messages, tonic
//! services and pbjson serde impls (proto3 JSON with snake_case names).
#![allow(clippy::all, clippy::pedantic)]

tonic::include_proto!("fedx.v1");
include!(concat!(env!("OUT_DIR"), "/fedx.v1.serde.rs"));

/// The encoded file descriptor set, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fedx_descriptor.bin"));
