#pragma once
// Registries that answer later (Diia): which case awaits which callback, taken by one caller at a
// time and answered once. One part of the store (case_store.h).

#include "store/case_records.h"

#include <string>

namespace vikno::gateway {

/// What claim_callback() found for a registry's callback.
struct CallbackClaim {
    enum class State {
        Unknown,   ///< no case ever awaited it
        Answered,  ///< an earlier callback for the same request was processed
        Busy,      ///< another callback for it is being processed right now
        Taken      ///< this caller may process it for `case_id`
    };
    State state = State::Unknown;
    std::string case_id;
};

class RegistryCallbacks {
public:
    virtual ~RegistryCallbacks() = default;

    /// Takes `registry`'s callback `correlation` for one caller at a time: the awaiting case, or why
    /// there is none. A taken callback is finished or released; a crash releases it at start.
    virtual CallbackClaim claim_callback(const std::string& registry, const std::string& correlation) = 0;
    /// Gives a taken callback back (it could not be processed now); the case awaits it again.
    virtual void release_callback(const std::string& registry, const std::string& correlation) = 0;
    /// The callback arrived: final status, outcome and the callback's exchange, atomically, and the
    /// callback is marked answered; false (and nothing changed) unless this caller had taken it.
    virtual bool finish_callback(const std::string& case_id, const std::string& registry,
                                 const std::string& correlation, CaseStatus status, const Outcome& outcome,
                                 const std::string& note, const ExchangeRecord& exchange) = 0;
};

}  // namespace vikno::gateway
