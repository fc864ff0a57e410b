"""Calls a running fedx node from Python's grpcio over mutual TLS: the standard health
service, server reflection (v1alpha, as grpcio-reflection's client uses it), and a
handshake without a client certificate, which must fail.

Usage: grpc_interop.py ENDPOINT CA CERT KEY SERVER_NAME
Exit 0 when every check passes; 3 when grpcio is not installed (scripts/test.sh installs it).
"""
import sys

try:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
    from google.protobuf import descriptor_pb2
except ImportError as e:
    print(f"grpcio is missing ({e}); run the tests with scripts/test.sh", file=sys.stderr)
    sys.exit(3)


def channel(endpoint, server_name, ca, cert=None, key=None):
    credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)
    options = [("grpc.ssl_target_name_override", server_name), ("grpc.default_authority", server_name)]
    return grpc.secure_channel(endpoint, credentials, options)


def check_health(ch):
    stub = health_pb2_grpc.HealthStub(ch)
    for service in ["", "fedx.v1.Operator", "fedx.v1.Replication"]:
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, (service, reply)
    try:
        stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
        raise AssertionError("an unknown service must be NOT_FOUND")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.NOT_FOUND, e


def check_reflection(ch):
    stub = reflection_pb2_grpc.ServerReflectionStub(ch)
    requests = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="fedx.v1.Operator"),
    ]
    replies = list(stub.ServerReflectionInfo(iter(requests), timeout=10))
    services = {s.name for s in replies[0].list_services_response.service}
    for wanted in ["fedx.v1.Operator", "fedx.v1.Replication", "grpc.health.v1.Health"]:
        assert wanted in services, (wanted, services)
    methods = set()
    for raw in replies[1].file_descriptor_response.file_descriptor_proto:
        file = descriptor_pb2.FileDescriptorProto.FromString(raw)
        for service in file.service:
            if service.name == "Operator":
                methods |= {m.name for m in service.method}
    for wanted in ["Put", "BatchPut", "Get", "Status"]:
        assert wanted in methods, (wanted, methods)


def check_no_certificate_is_refused(endpoint, server_name, ca):
    ch = channel(endpoint, server_name, ca)
    stub = health_pb2_grpc.HealthStub(ch)
    try:
        stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        raise AssertionError("a client without a certificate was served")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.UNAVAILABLE, e


def main():
    endpoint, ca_path, cert_path, key_path, server_name = sys.argv[1:6]
    read = lambda p: open(p, "rb").read()
    ca, cert, key = read(ca_path), read(cert_path), read(key_path)
    with channel(endpoint, server_name, ca, cert, key) as ch:
        check_health(ch)
        check_reflection(ch)
    check_no_certificate_is_refused(endpoint, server_name, ca)
    print("health, reflection and the certificate requirement check out from Python grpcio")


if __name__ == "__main__":
    main()
