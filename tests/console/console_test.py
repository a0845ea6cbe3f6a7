#!/usr/bin/python3
"""The web console in a real headless browser (docs/console.md).

Starts five registries' simulators and a gateway with its console, submits cases from two
offices and a life situation (єМалятко) from a third, and drives Debian's chromium through chromium-driver as a supervisor and as an auditor,
each with their own client certificate in their own NSS database:

  - a supervisor sees their own office's cases only, and is refused the audit pages;
  - an auditor sees the situation's steps drawn in their order, finds a case, opens its exchange (masked, then in full: that view is logged),
    downloads the evidence bundle, and `vikno audit check-bundle` accepts it;
  - the quality page's figures match the cases submitted here; so does its CSV;
  - a certificate of no listed person gets 403; an office's certificate does not get through TLS.

Chromium picks a client certificate without asking only where a policy says so: the README's
test command installs /etc/chromium/policies/managed/vikno-console-test.json (.ci/install-deps.sh)
for https://127.0.0.1 only.

Usage: tests/console/console_test.py --build DIR [--postgres CONNINFO_FILE] [--screenshots DIR]
"""

import argparse
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from fault_run import ROOT, Build, Stack, wait_ready  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

POLICY = "/etc/chromium/policies/managed/vikno-console-test.json"
VINNYTSIA, KHARKIV, KYIV = "vinnytsia-po-01", "kharkiv-cnap-03", "kyiv-cnap-11"
# єМалятко's registries (config/situations/emalyatko.json); business for the other definition there.
REGISTRIES = ("civil_registry", "demographic_registry", "tax_registry", "igov", "business")
FINAL = {"completed", "rejected", "failed", "partly_completed", "cancelled"}
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


class Browser:
    """One person's chromium: a HOME whose NSS database holds their certificate and nothing else."""

    def __init__(self, build, scratch, person, downloads):
        self.home = os.path.join(scratch, "home-" + person)
        nssdb = os.path.join(self.home, ".pki", "nssdb")
        os.makedirs(nssdb)
        p12 = os.path.join(scratch, person + ".p12")
        subprocess.run(["openssl", "pkcs12", "-export", "-in", build.cert(person + ".crt"), "-inkey",
                        build.cert(person + ".key"), "-out", p12, "-passout", "pass:", "-name", person], check=True)
        subprocess.run(["certutil", "-N", "-d", "sql:" + nssdb, "--empty-password"], check=True)
        subprocess.run(["pk12util", "-i", p12, "-d", "sql:" + nssdb, "-W", ""], check=True, capture_output=True)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1360,1300",
                         "--ignore-certificate-errors", "--user-data-dir=" + os.path.join(self.home, "profile")):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                                  "download.prompt_for_download": False})
        env = dict(os.environ, HOME=self.home)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=env), options=options)
        self.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        self.wait = WebDriverWait(self.driver, 20)

    def open(self, url):
        self.driver.get(url)

    def text(self, element_id):
        try:
            return self.wait.until(ready.visibility_of_element_located((By.ID, element_id))).text
        except Exception:
            self.give_up(element_id)

    def rows(self, container_id):
        try:
            self.wait.until(ready.presence_of_element_located((By.ID, container_id)))
        except Exception:
            self.give_up(container_id)
        return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
                for row in self.driver.find_elements(By.CSS_SELECTOR, f"#{container_id} tbody tr")]

    def give_up(self, element_id):
        """Ends the test with what the page shows instead of the element it waited for."""
        problems = self.driver.find_elements(By.ID, "problem")
        shown = problems[0].text if problems else self.driver.find_element(By.TAG_NAME, "body").text[:500]
        console = [entry["message"] for entry in self.driver.get_log("browser")][-5:]
        sys.exit(f"console test: no #{element_id} on {self.driver.current_url}: {shown!r}; browser console: {console}")

    def screenshot(self, folder, name):
        if folder:
            self.driver.save_screenshot(os.path.join(folder, name + ".png"))

    def quit(self):
        self.driver.quit()


def submit(stack, office_cert, office, key, child_last_name=None, sample="birth-extract.json"):
    body = json.load(open(os.path.join(ROOT, "config", "samples", sample)))
    body["office"]["id"] = office
    if child_last_name:
        body["subject"]["child"]["last_name"] = child_last_name
    context = ssl.create_default_context(cafile=stack.build.cert("ca-chain.crt"))
    context.check_hostname = False
    context.load_cert_chain(stack.build.cert(office_cert + ".crt"), stack.build.cert(office_cert + ".key"))
    saved, stack.client_context = stack.client_context, context
    try:
        status, _, reply = stack.request("POST", "/v1/cases", json.dumps(body).encode(),
                                         {"Content-Type": "application/json", "Idempotency-Key": key})
    finally:
        stack.client_context = saved
    if status != 202:
        sys.exit(f"console test: a submission was refused: {status} {reply[:300]}")
    return json.loads(reply)["id"]


def console_api(stack, address, person, path, method="GET"):
    """The console's API as `person`; (status, body)."""
    context = ssl.create_default_context(cafile=stack.build.cert("ca-chain.crt"))
    context.check_hostname = False
    context.load_cert_chain(stack.build.cert(person + ".crt"), stack.build.cert(person + ".key"))
    host, port = address.rsplit(":", 1)
    import http.client
    connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=20)
    try:
        connection.request(method, path, headers={"X-Vikno-Console": "1"})
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def resumes_session(address, context, path):
    """Two connections, the second resuming the first's TLS session, as browsers and pooled clients do.
    True when the second handshake resumed and the request on it was answered."""
    host, port = address.rsplit(":", 1)
    session = None
    for _ in range(2):
        try:
            with socket.create_connection((host, int(port)), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname=host, session=session) as tls:
                    tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                    answer = b""
                    while chunk := tls.recv(65536):
                        answer += chunk
                    if not answer.startswith(b"HTTP/1.1 "):
                        return False
                    resumed, session = tls.session_reused, tls.session  # TLS 1.3: the ticket follows the handshake
        except ssl.SSLError as e:
            print(f"     the handshake failed: {e}")
            return False
    return resumed


def wait_for(what, condition, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.1)
    sys.exit(f"console test: timed out waiting for {what}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--postgres", metavar="CONNINFO_FILE",
                        help="the store and audit log in PostgreSQL (a schema of its own in the database the file "
                             "names, as tests/support/pg_test_cluster.sh writes it)")
    parser.add_argument("--screenshots", help="save a screenshot of each page into this folder (docs/console/)")
    args = parser.parse_args()
    for tool in ("/usr/bin/chromium", "/usr/bin/chromedriver", "certutil", "pk12util"):
        if not shutil.which(tool):
            sys.exit(f"console test: {tool} is missing (make deps installs chromium, chromium-driver, libnss3-tools)")
    if not os.path.exists(POLICY):
        sys.exit(f"console test: {POLICY} is missing: chromium would ask which certificate to show "
                 "(make deps writes it; see .ci/install-deps.sh)")
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    build = Build(args.build)
    scratch = tempfile.mkdtemp(prefix="vikno-console-")
    downloads = os.path.join(scratch, "downloads")
    os.makedirs(downloads)
    postgres = None
    if args.postgres:
        base = open(args.postgres).read().strip()
        schema = "console_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", base, "-qc", f"CREATE SCHEMA {schema}"], check=True)
        postgres = base + f" options='-c search_path={schema}'"
    stack = Stack(build, scratch, postgres=postgres)
    browsers = []
    try:
        for registry in REGISTRIES:
            stack.start_registry(registry)
        console_ready = os.path.join(scratch, "console.ready")
        stack.start_gateway({"workers": 4}, offices=[{"id": office, "services": ["*"]}
                                                     for office in (VINNYTSIA, KHARKIV, KYIV)], extra={
            "situations": {"dir": os.path.join(ROOT, "config", "situations")},
            "console": {"listen": "127.0.0.1:0", "ready_file": console_ready, "client_ca": build.cert("console-ca.crt"),
                        "users": [{"name": "auditor-olena", "role": "auditor"},
                                  {"name": "supervisor-vinnytsia", "role": "supervisor", "office": VINNYTSIA}]}})
        console = wait_ready(console_ready, stack.gateway, "the console")
        base = f"https://{console}/console/"

        # Three cases in Vinnytsia, two in Kharkiv of which one the registry cannot find (rejected).
        ours = [submit(stack, "office-vinnytsia", VINNYTSIA, "c-" + uuid.uuid4().hex) for _ in range(3)]
        theirs = [submit(stack, "office-kharkiv", KHARKIV, "c-" + uuid.uuid4().hex),
                  submit(stack, "office-kharkiv", KHARKIV, "c-" + uuid.uuid4().hex, child_last_name="Невідома")]

        # And Kyiv's єМалятко: a life situation whose steps are cases of their own.
        situation = submit(stack, "office-kyiv", KYIV, "c-" + uuid.uuid4().hex, sample="situation-emalyatko.json")

        def all_final():
            status, body = console_api(stack, console, "console-auditor", "/console/api/cases")
            cases = json.loads(body)["cases"] if status == 200 else []
            ids = {c["id"] for c in cases}
            return set(ours + theirs + [situation]) <= ids and all(c["status"] in FINAL for c in cases)
        wait_for("every case to end", all_final, timeout=60)
        kyiv = json.loads(console_api(stack, console, "console-auditor", "/console/api/cases?office=" + KYIV)[1])["cases"]

        # Who gets in at all.
        status, body = console_api(stack, console, "console-stranger", "/console/api/me")
        check(status == 403 and b"console-user-unknown" in body, "a console certificate of no listed person gets 403")
        try:
            console_api(stack, console, "office-vinnytsia", "/console/api/me")
            check(False, "an office's certificate is refused by the console's TLS handshake")
        except (ssl.SSLError, ConnectionError, socket.error):
            check(True, "an office's certificate is refused by the console's TLS handshake")

        # OpenSSL refuses to resume a client-certificate session on a context without a session id
        # context: each browser's second connection failed (the API's pooled clients' too).
        person = ssl.create_default_context(cafile=build.cert("ca-chain.crt"))
        person.check_hostname = False
        person.load_cert_chain(build.cert("console-auditor.crt"), build.cert("console-auditor.key"))
        check(resumes_session(console, person, "/console/api/me"), "a TLS session resumes on the console")
        check(resumes_session(stack.address, stack.client_context, "/v1/services"), "a TLS session resumes on the API")

        # The supervisor.
        supervisor = Browser(build, scratch, "console-supervisor-vinnytsia", downloads)
        browsers.append(supervisor)
        supervisor.open(base + "#/cases")
        check("supervisor-vinnytsia" in supervisor.text("who"), "the supervisor is named in the header")
        rows = supervisor.rows("case-table")
        check(len(rows) == 3 and all(row[2] == VINNYTSIA for row in rows),
              f"the supervisor sees their office's 3 cases and no other (saw {len(rows)})")
        check(not supervisor.driver.find_element(By.ID, "nav-audit").is_displayed(), "no Audit link for a supervisor")
        supervisor.screenshot(args.screenshots, "cases-supervisor")
        supervisor.open(base + "#/audit")
        check("403" in supervisor.text("problem"), "the audit page refuses a supervisor (403)")
        supervisor.open(base + "#/case/" + theirs[0])
        check("404" in supervisor.text("problem"), "another office's case is not found for a supervisor")
        status, _ = console_api(stack, console, "console-supervisor-vinnytsia", f"/console/api/cases/{theirs[0]}/bundle")
        check(status == 403, "a supervisor cannot download an evidence bundle")
        supervisor.open(base + "#/quality")
        check(supervisor.text("q-cases") == "3" and supervisor.text("q-completed") == "3",
              "the supervisor's quality figures: 3 cases, 3 completed")
        operators = supervisor.rows("q-operators")
        check(len(operators) == 1 and operators[0][1] == "3", "one operator with 3 cases in the supervisor's figures")
        supervisor.screenshot(args.screenshots, "quality-supervisor")

        # The auditor.
        auditor = Browser(build, scratch, "console-auditor", downloads)
        browsers.append(auditor)
        auditor.open(base + "#/cases?id=" + ours[0])
        rows = auditor.rows("case-table")
        check(len(rows) == 1 and rows[0][1] == ours[0], "the auditor finds a case by its id")
        auditor.driver.find_element(By.CSS_SELECTOR, "#case-table tbody tr").click()
        entries = auditor.rows("case-entries")
        check([row[2] for row in entries] == ["case", "exchange", "case"],
              "the case's audit entries: received, the exchange, the end")
        check("completed" in auditor.text("case-facts"), "the case page shows it completed")
        auditor.screenshot(args.screenshots, "case-auditor")

        # The life situation's steps as a picture, with what each waits for.
        auditor.open(base + "#/case/" + situation)
        auditor.rows("history")
        steps = auditor.driver.find_elements(By.CSS_SELECTOR, "#steps-picture g.step-box")
        arrows = auditor.driver.find_elements(By.CSS_SELECTOR, "#steps-picture line.arrow")
        check(len(steps) == 7 and len(arrows) >= 5, f"the situation's 7 steps are drawn with their order "
              f"(saw {len(steps)} steps, {len(arrows)} arrows)")
        auditor.screenshot(args.screenshots, "situation")

        # The bundle once a checkpoint seals the case (every 5 s in this config).
        def sealed():
            status, body = console_api(stack, console, "console-auditor", "/console/api/audit/state")
            return status == 200 and json.loads(body)["unsealed"] == 0
        wait_for("a checkpoint to seal the log", sealed)
        auditor.open(base + "#/case/" + ours[0])
        auditor.wait.until(ready.element_to_be_clickable((By.ID, "bundle-link"))).click()
        bundle = os.path.join(downloads, f"evidence-{ours[0]}.json")
        wait_for("the bundle download", lambda: os.path.exists(bundle) and os.path.getsize(bundle) > 0)
        checked = subprocess.run([os.path.join(build.bin, "vikno"), "audit", "check-bundle", bundle, "--cert",
                                  build.cert("gateway-signing.crt")], capture_output=True, text=True)
        check(checked.returncode == 0 and checked.stdout.startswith("OK"),
              "vikno audit check-bundle accepts the downloaded bundle: " + checked.stdout.strip().splitlines()[0])

        # The exchange, opened from its attempt: masked, then in full, and that view is in the audit log.
        auditor.open(base + "#/case/" + ours[0])
        exchange_seq = auditor.rows("case-entries")[1][0]
        attempts = auditor.rows("attempts")
        check(len(attempts) == 1 and attempts[0][-1] == exchange_seq,
              f"the attempt names its audit entry {exchange_seq} (saw {attempts})")
        auditor.driver.find_element(By.CSS_SELECTOR, "#attempts tbody tr").click()
        auditor.wait.until(ready.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Audit entry " + exchange_seq))
        request = auditor.text("message-request")
        check("BirthRecordExtractRequest" in request and "Коваленко" not in request and "К********" in request,
              "the exchange's request is shown masked")
        check(auditor.text("signature-check") == "verified", "the answer's signature check is shown")
        auditor.driver.execute_script("document.getElementById('message-response').scrollIntoView()")
        auditor.screenshot(args.screenshots, "entry-masked")
        auditor.driver.find_element(By.ID, "reveal").click()
        auditor.wait.until(ready.text_to_be_present_in_element((By.ID, "mask-state"), "in full"))
        check("Коваленко" in auditor.text("message-request"), "shown in full on request")
        def views():
            status, body = console_api(stack, console, "console-auditor", "/console/api/audit/entries?case=" + ours[0])
            return [e for e in json.loads(body)["entries"] if e["kind"] == "console_full_view"] if status == 200 else []
        # Durable before the bytes were shown; in PostgreSQL's log once the sequencer has numbered it.
        wait_for("the full view in the audit log", views, timeout=10)
        check(len(views()) == 1, "the full view is recorded in the audit log, with the case")
        auditor.open(base + "#/audit")
        check(auditor.text("log-verdict") == "verified", "the audit page shows the whole log verified")
        auditor.screenshot(args.screenshots, "audit")

        # Every office's figures, and the CSV.
        auditor.open(base + "#/quality")
        kyiv_completed = sum(c["status"] == "completed" for c in kyiv)
        kyiv_rejected = sum(c["status"] == "rejected" for c in kyiv)
        check(auditor.text("q-cases") == str(5 + len(kyiv)) and
              auditor.text("q-completed") == str(4 + kyiv_completed) and
              auditor.text("q-rejected") == str(1 + kyiv_rejected),
              f"the auditor's quality figures: Vinnytsia's and Kharkiv's 5 cases (4 completed, 1 rejected) and "
              f"Kyiv's {len(kyiv)} (the situation and its steps)")
        offices = {row[0]: row for row in auditor.rows("q-offices")}
        check(offices.get(KHARKIV, [None, None, None, None])[3] == "1" and offices.get(VINNYTSIA, ["", ""])[1] == "3",
              "per office: Vinnytsia 3 cases, Kharkiv one rejected")
        listed = {row[0] for row in auditor.rows("q-registries")}
        check({"civil_registry", "demographic_registry", "tax_registry", "igov"} <= listed,
              f"every registry the cases went to has its availability listed (listed: {sorted(listed)})")
        auditor.screenshot(args.screenshots, "quality-auditor")
        status, body = console_api(stack, console, "console-auditor", "/console/api/quality.csv")
        lines = body.decode().splitlines()
        office_lines = {line.split(",")[1].strip('"'): line.split(",") for line in lines if line.startswith("office,")}
        check(status == 200 and office_lines[KHARKIV][2:5] == ["2", "1", "1"],
              "the CSV has Kharkiv's 2 cases, 1 completed, 1 rejected")
        status, body = console_api(stack, console, "console-supervisor-vinnytsia", "/console/api/quality.csv?office=" + KHARKIV)
        check(KHARKIV not in body.decode() and "office,\"" + VINNYTSIA in body.decode(),
              "a supervisor's CSV holds their own office only, whatever the query says")
    finally:
        for browser in browsers:
            browser.quit()
        stack.stop()
    if failures:
        print(f"console test: {len(failures)} failed; scratch kept in {scratch}")
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    print("console test: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
