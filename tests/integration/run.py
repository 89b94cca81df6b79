#!/usr/bin/env python3
"""
Runs the integration tests (tests/integration/test_*.py, or the modules named on
the command line) and prints TAP: one "ok"/"not ok" line per test.

A module may define setup() returning a shared context and teardown(ctx); each
test then gets that context as its argument (or none if the module has no setup).
"""
import importlib
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402


def main(argv):
    names = argv or sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    number = 0
    failed = 0
    results = []
    for name in names:
        start = len(harness.TESTS)
        module = importlib.import_module(name)
        tests = harness.TESTS[start:]
        ctx = None
        setup_error = None
        if hasattr(module, "setup"):
            try:
                ctx = module.setup()
            except Exception:  # noqa: BLE001 - reported as failures below
                setup_error = traceback.format_exc()
        for fn in tests:
            number += 1
            label = f"{name}.{fn.__name__}"
            began = time.time()
            error = setup_error
            if not error:
                try:
                    fn(ctx) if hasattr(module, "setup") else fn()
                except Exception:  # noqa: BLE001
                    error = traceback.format_exc()
            took = time.time() - began
            if error:
                failed += 1
                print(f"not ok {number} - {label} ({took:.2f}s)")
                for line in error.rstrip().splitlines()[-30:]:
                    print(f"#   {line}")
                if error is setup_error:
                    setup_error = "the module's setup() failed: see the first test of the module\n"
            else:
                print(f"ok {number} - {label} ({took:.2f}s)")
            sys.stdout.flush()
        if hasattr(module, "teardown") and ctx is not None:
            number += 1
            try:
                module.teardown(ctx)
                print(f"ok {number} - {name}.teardown (clean shutdown, no sanitizer report)")
            except Exception:  # noqa: BLE001
                failed += 1
                print(f"not ok {number} - {name}.teardown")
                for line in traceback.format_exc().rstrip().splitlines()[-30:]:
                    print(f"#   {line}")
    print(f"1..{number}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
