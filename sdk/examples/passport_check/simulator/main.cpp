// vikno-sim-passport_check: the simulated document check, with every fault the SDK's simulator
// framework offers (--help lists them: slow, failing, malformed, unsigned answers...).

#include "passport_registry.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-passport_check",
        "  --fixtures FILE        documents and their holders (default: fixtures/documents.json)\n"
        "  --xroad-schemas DIR    X-Road and SOAP schemas (default: the SDK's share/vikno/xroad)\n"
        "  --instance, --member-class, --member-code, --subsystem   the registry's X-Road identity\n",
        [](const vikno::sim::Options& options) { return std::make_unique<passport_check::PassportRegistry>(options); });
}
