// The demographic register plugin: SOAP over Trembita, signed with XML-DSig.

#include "registry.h"

VIKNO_XROAD_PLUGIN(DemographicRegistryPlugin,
                   vikno::demographic_registry::registry().parts(vikno::demographic_registry::validate_case,
                                                                 vikno::demographic_registry::request_body,
                                                                 vikno::demographic_registry::interpret_answer))
