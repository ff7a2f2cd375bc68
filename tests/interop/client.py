#!/usr/bin/env python3
"""Interoperability check with a gRPC client that is not ours.

Generates Python stubs from proto/msgscreen/v1/screening.proto with
grpcio-tools, then calls a running msgscreen server: Screen (allow, redact,
block, INVALID_ARGUMENT), ScreenStream, GetRuleset and grpc.health.v1.

Usage: client.py HOST:PORT     Exits non-zero on the first failed check and
prints 'N passed, 0 failed' when every check passed.
"""
import os
import sys
import tempfile

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_tools import protoc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def generate(out):
    proto_dir = os.path.join(ROOT, "proto")
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    rc = protoc.main([
        "grpc_tools.protoc",
        f"-I{proto_dir}",
        f"-I{include}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        os.path.join(proto_dir, "msgscreen", "v1", "screening.proto"),
    ])
    if rc != 0:
        sys.exit(f"protoc failed with {rc}")
    sys.path.insert(0, out)


def main(target):
    out = tempfile.mkdtemp(prefix="msgscreen-py-")
    generate(out)
    from msgscreen.v1 import screening_pb2 as pb, screening_pb2_grpc as rpc  # noqa: E402

    checks = 0
    channel = grpc.insecure_channel(target)
    grpc.channel_ready_future(channel).result(timeout=10)
    stub = rpc.ScreeningStub(channel)

    def check(cond, what):
        nonlocal checks
        if not cond:
            sys.exit(f"FAILED: {what}")
        checks += 1
        print(f"ok {what}")

    text = "text me at 206-555-0142 tonight"
    r = stub.Screen(pb.ScreenRequest(message_id="py-1", text=text, sender=pb.SENDER_SELLER), timeout=5)
    check(r.message_id == "py-1", "Screen echoes message_id")
    check(r.verdict == pb.VERDICT_REDACT, "Screen redacts a phone number")
    phone = [f for f in r.findings if f.category == "contact.phone"]
    raw = text.encode()
    check(phone and raw[phone[0].start:phone[0].end] == b"206-555-0142", "finding span is the original bytes")
    check(len(r.policy_checks) == 5, "five policy checks")
    check("206-555-0142" not in r.redacted_text, "redacted text drops the number")

    r = stub.Screen(pb.ScreenRequest(message_id="py-2", text="See you at 3pm!", sender=pb.SENDER_BUYER), timeout=5)
    check(r.verdict == pb.VERDICT_ALLOW, "Screen allows fulfillment chatter")

    try:
        stub.Screen(pb.ScreenRequest(message_id="py-3", text="hi"), timeout=5)
        check(False, "unspecified sender is rejected")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.INVALID_ARGUMENT and "sender" in e.details(),
              "unspecified sender gets INVALID_ARGUMENT naming the field")

    reqs = [pb.ScreenRequest(message_id=f"py-s{i}", text="hello", sender=pb.SENDER_BUYER) for i in range(5)]
    ids = [resp.message_id for resp in stub.ScreenStream(iter(reqs), timeout=10)]
    check(ids == [f"py-s{i}" for i in range(5)], "ScreenStream answers in order")

    rs = stub.GetRuleset(pb.GetRulesetRequest(), timeout=5)
    check(len(rs.version) == 16 and rs.source == "embedded", "GetRuleset reports version and source")

    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "msgscreen.v1.Screening"):
        h = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        check(h.status == health_pb2.HealthCheckResponse.SERVING, f"health SERVING for {service!r}")

    print(f"interop: {checks} passed, 0 failed")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
