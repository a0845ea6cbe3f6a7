#!/usr/bin/python3
"""vikno-plugin-check on every plugin in this tree, and on one it must fail (docs/plugin-guide.md).

Each of the seven plugins passes the whole battery against its own simulator; the credulous test
plugin (tests/plugins/credulous.cpp: every answer completes, its reason names the applicant) fails
the fault, hostile-answer and personal-data checks, and the kit says so with exit status 1.

Usage: tests/sdk/plugin_check.py --build DIR
"""

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = ["civil_registry", "real_estate", "igov", "business", "diia", "demographic_registry", "tax_registry"]
# What a plugin or its simulator needs beyond the defaults (as in config/vikno.jsonc).
EXTRA = {"diia": ["--setting", "acquirer_token=vikno-dev-acquirer", "--setting", "auth_basic=vikno:dev-secret",
                  "--setting", "branch_id=branch-vinnytsia-01",
                  "--simulator-arg", "--callback-url", "--simulator-arg", "https://127.0.0.1:9/v1/callbacks/diia"]}


def kit(build, library, simulator, samples, extra=()):
    argv = [os.path.join(build, "bin", "vikno-plugin-check"), library, "--simulator", simulator,
            "--pki", os.path.join(build, "pki"), "--samples", samples, *extra]
    return subprocess.run(argv, capture_output=True, text=True, timeout=240)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    build = os.path.abspath(parser.parse_args().build)
    failures = []
    for name in PLUGINS:
        done = kit(build, os.path.join(build, "lib", "plugins", f"libvikno-{name}.so"),
                   os.path.join(build, "bin", f"vikno-sim-{name}"), os.path.join(ROOT, "config", "samples"),
                   EXTRA.get(name, []))
        summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()
        ok = done.returncode == 0 and " 0 failed" in summary
        print(("ok   " if ok else "FAIL ") + summary, flush=True)
        if not ok:
            print(done.stdout + done.stderr)
            failures.append(name)

    done = kit(build, os.path.join(build, "lib", "test-plugins", "libvikno-test-credulous.so"),
               os.path.join(build, "bin", "vikno-sim-civil_registry"),
               os.path.join(ROOT, "config", "samples", "birth-extract.json"))
    expected = ["FAIL a simulator failing (its own 5xx, signed) gives retry or failed (completed)",
                "FAIL a hostile answer, an empty answer, is not taken (completed)",
                "FAIL no reason"]
    missing = [line for line in expected if line not in done.stdout]
    ok = done.returncode == 1 and not missing
    print(("ok   " if ok else "FAIL ") + "the credulous plugin fails the kit (exit 1): " +
          (f"missing {missing}" if missing else done.stdout.strip().splitlines()[-1]), flush=True)
    if not ok:
        print(done.stdout + done.stderr)
        failures.append("credulous")
    if failures:
        print(f"plugin check: failed for {failures}")
        return 1
    print("plugin check: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
