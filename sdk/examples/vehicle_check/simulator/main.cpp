// vikno-sim-vehicle_check: the simulated vehicle register, with every fault the SDK's simulator
// framework offers (--help lists them: slow, failing, malformed, unsigned answers...).

#include "vehicle_registry.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-vehicle_check",
        "  --fixtures FILE        vehicles and their owners (default: fixtures/vehicles.json)\n"
        "  --instance, --member-class, --member-code, --subsystem   the register's X-Road address\n",
        [](const vikno::sim::Options& options) { return std::make_unique<vehicle_check::VehicleRegistry>(options); });
}
