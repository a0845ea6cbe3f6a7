#!/usr/bin/python3
"""The SDK as an author outside this tree gets it (docs/plugin-guide.md).

Installs the SDK from the build into a clean prefix, and with nothing else:
  - a project asking for another interface version is refused at configure time;
  - sdk/examples/passport_check configures with find_package(ViknoSdk 5 REQUIRED), builds, and
    passes its own tests;
  - the installed vikno-dev-pki issues the PKI with certificates for the new registry;
  - the installed vikno-plugin-check passes the example against its own simulator;
  - the example's simulator and a gateway that loads the example's library run, and a document
    check submitted to the gateway completes, signed and verified both ways.

Usage: tests/sdk/out_of_tree.py --build DIR
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_run import ROOT, Build, Stack  # noqa: E402

EXAMPLE = os.path.join(ROOT, "sdk", "examples", "passport_check")
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def run(argv, **kwargs):
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.exit(f"out-of-tree test: {' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-3000:]}"
                 f"\n{done.stderr[-3000:]}")
    return done


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    build = Build(args.build)
    scratch = tempfile.mkdtemp(prefix="vikno-sdk-")
    prefix = os.path.join(scratch, "prefix")
    run(["cmake", "--install", build.folder, "--prefix", prefix])
    check(os.path.exists(os.path.join(prefix, "lib", "cmake", "ViknoSdk", "ViknoPlugin.cmake")) and
          os.access(os.path.join(prefix, "bin", "vikno-dev-pki"), os.X_OK),
          "the installed SDK has its CMake package, vikno_add_registry_plugin() and vikno-dev-pki")

    # Another interface version is refused when the author configures, not when the gateway starts.
    other = os.path.join(scratch, "other-version")
    os.makedirs(other)
    with open(os.path.join(other, "CMakeLists.txt"), "w") as out:
        out.write("cmake_minimum_required(VERSION 3.25)\nproject(other LANGUAGES CXX)\n"
                  "find_package(ViknoSdk 6 REQUIRED)\n")
    refused = subprocess.run(["cmake", "-S", other, "-B", os.path.join(other, "build"), f"-DCMAKE_PREFIX_PATH={prefix}"],
                             capture_output=True, text=True)
    check(refused.returncode != 0 and "version: 5." in refused.stderr,
          "find_package(ViknoSdk 6) is refused by the interface-5 SDK at configure time")

    # The example, against the installed SDK only.
    example_build = os.path.join(scratch, "passport_check")
    run(["cmake", "-S", EXAMPLE, "-B", example_build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
         "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", example_build, "-j", str(os.cpu_count() or 2)])
    tests = subprocess.run(["ctest", "--output-on-failure"], cwd=example_build, capture_output=True, text=True)
    check(tests.returncode == 0 and "100% tests passed" in tests.stdout,
          "the example builds out of tree and passes its own tests")

    # A stack made of the installed PKI command, the example's simulator and library, and the gateway.
    stack_dir = os.path.join(scratch, "stack-build")
    os.makedirs(os.path.join(stack_dir, "bin"))
    os.makedirs(os.path.join(stack_dir, "lib", "plugins"))
    os.symlink(os.path.join(build.bin, "vikno"), os.path.join(stack_dir, "bin", "vikno"))
    os.symlink(os.path.join(example_build, "vikno-sim-passport_check"),
               os.path.join(stack_dir, "bin", "vikno-sim-passport_check"))
    os.symlink(os.path.join(example_build, "libvikno-passport_check.so"),
               os.path.join(stack_dir, "lib", "plugins", "libvikno-passport_check.so"))
    run([os.path.join(prefix, "bin", "vikno-dev-pki"), "--registry", "passport_check", os.path.join(stack_dir, "pki")])
    check(os.path.exists(os.path.join(stack_dir, "pki", "passport_check-signing.crt")),
          "vikno-dev-pki --registry issues the new registry's certificates")
    # The installed conformance kit on the example, against the example's own simulator.
    checked = subprocess.run([os.path.join(prefix, "bin", "vikno-plugin-check"),
                              os.path.join(example_build, "libvikno-passport_check.so"),
                              "--simulator", os.path.join(example_build, "vikno-sim-passport_check"),
                              "--pki", os.path.join(stack_dir, "pki"), "--samples", os.path.join(EXAMPLE, "samples")],
                             capture_output=True, text=True, timeout=240)
    summary = checked.stdout.strip().splitlines()[-1] if checked.stdout.strip() else checked.stderr
    check(checked.returncode == 0, "the installed vikno-plugin-check passes the example: " + summary)
    if checked.returncode != 0:
        print(checked.stdout + checked.stderr)
    stack = Stack(Build(stack_dir), scratch)
    try:
        stack.start_registry("passport_check")
        stack.start_gateway({"workers": 2})
        status, _, body = stack.request("GET", "/v1/services")
        check(status == 200 and b"dms.document-check" in body, "the gateway offers the example's service")
        sample = open(os.path.join(EXAMPLE, "samples", "document-check.json")).read()
        status, _, body = stack.request("POST", "/v1/cases", sample.encode(),
                                        {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
        check(status == 202, f"the sample case is accepted ({status})")
        case_id = json.loads(body)["id"]
        deadline = time.time() + 30
        case = {}
        while time.time() < deadline:
            case = json.loads(stack.request("GET", "/v1/cases/" + case_id)[2])
            if case.get("status") in ("completed", "rejected", "failed"):
                break
            time.sleep(0.1)
        check(case.get("status") == "completed" and case.get("outcome", {}).get("document", {}).get("status") == "valid",
              f"the document check completes through the gateway: {case.get('status')}")
        records = stack.records("passport_check")
        # The simulator answers 200 only to a request whose schema and signature it checked; the
        # gateway completes a case only on an answer whose signature it verified.
        check(len(records) == 1 and records[0]["status"] == 200 and records[0]["outcome"] == "valid",
              f"the simulator received one request, checked it and answered it: {records[:1]}")
    finally:
        stack.stop()
    if failures:
        print(f"out-of-tree test: {len(failures)} failed; scratch kept in {scratch}")
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    print("out-of-tree test: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
