// vikno-sim-civil_registry: the simulated civil status registry (ДРАЦС) for development and tests.

#include "drac_registry.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-civil_registry",
        "  --fixtures FILE        seeded records (default: the plugin's fixtures/records.json)\n"
        "  --schema FILE          the plugin's XSD (default: schema/civil_registry.xsd)\n"
        "  --xroad-schemas DIR    X-Road and SOAP schemas (default: the SDK's share/xroad)\n"
        "  --instance, --member-class, --member-code, --subsystem   the registry's X-Road identity\n",
        [](const vikno::sim::Options& options) {
            return std::make_unique<vikno::civil_registry::DracRegistry>(options);
        });
}
