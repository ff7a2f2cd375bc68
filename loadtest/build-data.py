#!/usr/bin/env python3
"""Builds loadtest/data.json, the ghz `-D` data file, from a labeled corpus.

ghz round-robins a JSON array: each element is one ScreenRequest in the
protobuf JSON mapping. Usage (from the repository root):

    python3 loadtest/build-data.py [tests/cases/dev.jsonl] [loadtest/data.json]
"""

import json
import sys

SENDERS = {"seller": "SENDER_SELLER", "buyer": "SENDER_BUYER"}


def main() -> int:
    src = sys.argv[1] if len(sys.argv) > 1 else "tests/cases/dev.jsonl"
    dst = sys.argv[2] if len(sys.argv) > 2 else "loadtest/data.json"
    requests = []
    with open(src, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            case = json.loads(line)
            if case["sender"] not in SENDERS:
                print(f"{src}:{n}: unknown sender {case['sender']!r}", file=sys.stderr)
                return 2
            requests.append(
                {
                    "message_id": case["id"],
                    "text": case["text"],
                    "sender": SENDERS[case["sender"]],
                }
            )
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(requests, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"wrote {len(requests)} requests to {dst}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
