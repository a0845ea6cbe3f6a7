// The plugin's entry point: the registry's description with the plugin's three functions.

#include "passport_check.h"

VIKNO_XROAD_PLUGIN(PassportCheckPlugin,
                   passport_check::registry().parts(passport_check::validate_case, passport_check::request_body,
                                                    passport_check::interpret_answer))
