//! Generates the gRPC and serde code from `proto/` with a vendored protoc, so a fresh
//! machine needs no system protoc.
use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    // SAFETY: build scripts are single-threaded; prost-build reads PROTOC.
    unsafe { env::set_var("PROTOC", protoc) };

    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let descriptors = out_dir.join("fedx_descriptor.bin");
    tonic_prost_build::configure()
        .file_descriptor_set_path(&descriptors)
        // Undecodable requests are InvalidArgument, not Internal (`src/api/codec.rs`).
        .codec_path("crate::api::codec::ProstCodec")
        .compile_protos(&["proto/fedx.proto"], &["proto"])?;

    pbjson_build::Builder::new()
        .register_descriptors(&std::fs::read(&descriptors)?)?
        .preserve_proto_field_names()
        .build(&[".fedx"])?;
    println!("cargo:rerun-if-changed=proto");
    Ok(())
}
