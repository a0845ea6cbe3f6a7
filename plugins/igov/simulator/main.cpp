// vikno-sim-igov: the simulated iGov portal (REST over X-Road, HTTP message signatures).

#include "igov_portal.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-igov",
        "  --fixtures FILE        orders known at start (default: the plugin's fixtures/orders.json)\n"
        "  --instance, --member-class, --member-code, --subsystem   the portal's X-Road address\n",
        [](const vikno::sim::Options& options) { return std::make_unique<vikno::igov::IgovPortal>(options); });
}
