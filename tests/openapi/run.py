#!/usr/bin/env python3
"""
docs/openapi.yaml against the OpenAPI 3.0 schema, by a real validator: swagger-cli
(npm @apidevtools/swagger-cli, pinned in package-lock.json here; npm ci installs it
when node_modules lacks it). Prints TAP: one test, ok only when the validator says the
document is valid and nothing else.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import REPO, npm_ci  # noqa: E402

DOC = os.path.join("docs", "openapi.yaml")
NAME = "openapi: docs/openapi.yaml is valid OpenAPI 3.0 (swagger-cli validate)"


def main():
    print("1..1")
    if not shutil.which("node"):
        print(f"not ok 1 - {NAME}: node is not installed (deploy/install-deps --test installs it)")
        return 1
    error = npm_ci(HERE, os.path.join("@apidevtools", "swagger-cli"))
    if error:
        print(f"not ok 1 - {NAME}: the validator could not be installed: {error}")
        return 1
    cli = os.path.join(HERE, "node_modules", ".bin", "swagger-cli")
    out = subprocess.run([cli, "validate", DOC], cwd=REPO, capture_output=True, text=True, timeout=120)
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    if out.returncode == 0 and lines == [f"{DOC} is valid"]:
        print(f"ok 1 - {NAME}")
        return 0
    print(f"not ok 1 - {NAME}: exit {out.returncode}, {len(lines)} lines of messages")
    for line in lines[:60]:
        print(f"#   {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
