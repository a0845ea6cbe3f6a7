#pragma once
// Durable state of cases, in five parts with one job each, so that each has a small interface both
// stores implement (SQLite: sqlite_case_store; PostgreSQL for several gateway instances next):
//
//   CaseRecords        the case documents, history, idempotency, exchange bytes   case_records.h
//   Outbox             cases to send, claims, attempts, due times                 outbox.h
//   RegistryCallbacks  cases awaiting a registry's callback                       registry_callbacks.h
//   CaseEvents         events for CNAP back-ends                                  case_events.h
//   SituationSteps     life situations and their steps                            situation_steps.h
//
// They share one database because their writes go together: a final answer changes the case, removes
// its outbox row and adds its event in one transaction.

#include "store/case_events.h"
#include "store/case_records.h"
#include "store/outbox.h"
#include "store/registry_callbacks.h"
#include "store/situation_steps.h"

namespace vikno::gateway {

class CaseStore : public CaseRecords,
                  public Outbox,
                  public RegistryCallbacks,
                  public CaseEvents,
                  public SituationSteps {
public:
    ~CaseStore() override = default;
};

}  // namespace vikno::gateway
