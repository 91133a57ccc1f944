package relay

import pg "partnergraph"

// The concrete connection types the schema names; gqlgen binds to these.
type (
	PartnerConnection            = Connection[*pg.Partner]
	PartnerEdge                  = Edge[*pg.Partner]
	PartnershipConnection        = Connection[*pg.Partnership]
	PartnershipEdge              = Edge[*pg.Partnership]
	ProjectConnection            = Connection[*pg.Project]
	ProjectEdge                  = Edge[*pg.Project]
	TierConnection               = Connection[*pg.Tier]
	TierEdge                     = Edge[*pg.Tier]
	CategoryConnection           = Connection[*pg.Category]
	CategoryEdge                 = Edge[*pg.Category]
	StageConnection              = Connection[*pg.Stage]
	StageEdge                    = Edge[*pg.Stage]
	TagConnection                = Connection[*pg.Tag]
	TagEdge                      = Edge[*pg.Tag]
	CustomFieldConnection        = Connection[*pg.CustomField]
	CustomFieldEdge              = Edge[*pg.CustomField]
	RelationshipConnection       = Connection[*pg.Relationship]
	RelationshipEdge             = Edge[*pg.Relationship]
	PartnerIntegrationConnection = Connection[*pg.PartnerIntegration]
	PartnerIntegrationEdge       = Edge[*pg.PartnerIntegration]
	ConnectionConnection         = Connection[*pg.Connection]
	ConnectionEdge               = Edge[*pg.Connection]
	APIKeyConnection             = Connection[*pg.APIKey]
	APIKeyEdge                   = Edge[*pg.APIKey]
	UserConnection               = Connection[*pg.User]
	UserEdge                     = Edge[*pg.User]
	EventConnection              = Connection[*pg.Event]
	EventEdge                    = Edge[*pg.Event]
	WebhookEndpointConnection    = Connection[*pg.WebhookEndpoint]
	WebhookEndpointEdge          = Edge[*pg.WebhookEndpoint]
	WebhookAttemptConnection     = Connection[*pg.WebhookAttempt]
	WebhookAttemptEdge           = Edge[*pg.WebhookAttempt]
)

// Node is any object with a global ID; the generated executor resolves its
// concrete type.
type Node interface{}
