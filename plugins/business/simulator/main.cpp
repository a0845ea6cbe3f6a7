// vikno-sim-business: the simulated Unified State Register (ЄДР) over X-Road REST.

#include "edr_registry.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-business",
        "  --fixtures FILE        seeded subjects (default: the plugin's fixtures/subjects.json)\n"
        "  --schema FILE          the registration XSD (default: schema/fop_registration.xsd)\n"
        "  --instance, --member-class, --member-code, --subsystem   the register's X-Road address\n",
        [](const vikno::sim::Options& options) { return std::make_unique<vikno::business::EdrRegistry>(options); });
}
