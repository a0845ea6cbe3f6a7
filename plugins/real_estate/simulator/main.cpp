// vikno-sim-real_estate: the simulated State Register of Real Property Rights (ДРРП).

#include "drrp_registry.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-real_estate",
        "  --fixtures FILE        seeded objects (default: the plugin's fixtures/records.json)\n"
        "  --schema FILE          the plugin's XSD (default: schema/real_estate.xsd)\n"
        "  --xroad-schemas DIR    X-Road and SOAP schemas (default: the SDK's share/xroad)\n"
        "  --instance, --member-class, --member-code, --subsystem   the registry's X-Road identity\n",
        [](const vikno::sim::Options& options) { return std::make_unique<vikno::real_estate::DrrpRegistry>(options); });
}
