// vikno-sim-demographic_registry: the simulated demographic register (ЄДДР) for development and tests.

#include "eddr_registry.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-demographic_registry",
        "  --fixtures FILE        birth records that already have a UNZR (default: fixtures/records.json)\n"
        "  --xroad-schemas DIR    X-Road and SOAP schemas (default: the SDK's share/xroad)\n"
        "  --instance, --member-class, --member-code, --subsystem   the registry's X-Road identity\n",
        [](const vikno::sim::Options& options) {
            return std::make_unique<vikno::demographic_registry::EddrRegistry>(options);
        });
}
