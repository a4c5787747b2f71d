package syncengine

// Hub event names (Amplify's datastore channel, SYNC-PROTOCOL §3).
const (
	EventNetworkStatus             = "networkStatus"
	EventSubscriptionsEstablished  = "subscriptionsEstablished"
	EventSyncQueriesStarted        = "syncQueriesStarted"
	EventModelSynced               = "modelSynced"
	EventSyncQueriesReady          = "syncQueriesReady"
	EventReady                     = "ready"
	EventOutboxMutationEnqueued    = "outboxMutationEnqueued"
	EventOutboxMutationProcessed   = "outboxMutationProcessed"
	EventOutboxStatus              = "outboxStatus"
	EventNonApplicableDataReceived = "nonApplicableDataReceived"
)

// Event is one Hub event: Type is the event name, Data its payload in
// Amplify's shape (nil for events without data), ready to be written as
// JSON:
//
//	networkStatus             {active}
//	syncQueriesStarted        {models: [names]}
//	modelSynced               {model, isFullSync, isDeltaSync, counts: {new, updated, deleted}}
//	outboxMutationEnqueued    {model, element}   (the local change)
//	outboxMutationProcessed   {model, element}   (the server's record)
//	outboxStatus              {isEmpty}
//	nonApplicableDataReceived {errors: [messages], modelName}
type Event struct {
	Type string
	Data map[string]any
}
