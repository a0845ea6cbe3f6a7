// vikno-sim-diia: the simulated Diia partner API, which also plays the applicant calling back.

#include "diia_api.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-diia",
        "  --callback-url URL     where to post callbacks (the gateway's /v1/callbacks/diia)\n"
        "  --callback-ready-file FILE   or: read the gateway's host:port from FILE at callback time\n"
        "  --callback-delay-ms N  how long the applicant takes (default 100)\n"
        "  --decline yes          the applicant declines (the callback carries no files)\n"
        "  --callback-attack A    also send, before the genuine callback, an attacker's copy: unbound (the\n"
        "                         trace header not signed), retarget (named another pending request),\n"
        "                         duplicate (a second trace header first); replay: the callback twice\n"
        "  --acquirer-token T, --auth-basic LOGIN:PASSWORD, --branch-id B   the partner account\n"
        "The callback trusts --client-ca for the gateway's TLS certificate and is signed with --signing-key,\n"
        "covering X-Document-Request-Trace-Id. Each callback's answer is printed.\n",
        [](const vikno::sim::Options& options) { return std::make_unique<vikno::diia::DiiaApi>(options); });
}
