//! A request that is not a protobuf message at all: the caller's bad input.

mod common;

use common::*;
use tonic::Code;

/// Raw bytes for a request.
#[derive(Debug, Clone, Default)]
struct RawCodec;

struct RawEncoder;

impl tonic::codec::Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut tonic::codec::EncodeBuf<'_>) -> Result<(), tonic::Status> {
        use prost::bytes::BufMut;
        dst.put_slice(&item);
        Ok(())
    }
}

impl tonic::codec::Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = fedx::proto::StatusResponse;
    type Encoder = RawEncoder;
    type Decoder = tonic_prost::ProstDecoder<fedx::proto::StatusResponse>;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        tonic_prost::ProstDecoder::default()
    }
}

/// A request that is not a protobuf message is the caller's bad input.
#[tokio::test]
async fn an_undecodable_request_is_invalid_argument() {
    init_logging();
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let mut grpc = tonic::client::Grpc::new(fed.operator_channel(0));
    grpc.ready().await.unwrap();
    // Field 1 with wire type 7, which does not exist.
    let garbage = vec![0x0f, 0xff, 0xff, 0xff];
    let path = tonic::codegen::http::uri::PathAndQuery::from_static("/fedx.v1.Operator/Status");
    let status = grpc
        .unary(tonic::Request::new(garbage), path, RawCodec)
        .await
        .expect_err("garbage is refused");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().contains("undecodable"), "{status:?}");
    fed.stop_all().await;
}
