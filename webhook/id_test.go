package webhook_test

import "partnergraph/relay"

func relayGlobalID(typ string, id int64) string { return relay.GlobalID(typ, id) }
