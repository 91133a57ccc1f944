// Package loaders batches the graph's edges, so a query costs a number of
// SQL statements set by its shape, never by how many rows it returns.
//
// # The three parts
//
// Batches (batch.go) are the statements: one method per edge, taking the
// keys of a whole batch and returning what it found by key. They are bound
// to the request's Actor and every statement is scoped to what that actor
// may see (store/scope.go), so an edge never reaches another organization's
// rows. They are the one source of SQL for edges: the dataloaders call them,
// and so does the compiled executor of reads.
//
// Loaders (loaders.go) are graph-gophers dataloaders, one per edge (Tier,
// TagsByPartnership, PartnershipsByPartner …), built fresh for every request
// or subscription operation by New and carried on its context (NewContext,
// For). Field resolvers call them: loaders.For(ctx).Tier().Load(ctx, id)().
//
// The registry (registry.go) makes batches independent of timing. Root
// fields register the records they list (RegisterPartners,
// RegisterPartnerships …) and loaders register what they fetch. A loader's
// batch then asks for its keys and for those of every registered record at
// once (memo.go's expand), and remembers every answer, so a later batch of
// the same edge finds its keys answered and sends nothing. Without it, the
// wait window of a dataloader would split one level of a query into as many
// statements as the scheduler happened to produce.
//
// Nested connections (page.go) are keyed by parent and arguments (PageKey):
// parents asked with the same arguments share one statement.
//
// # Changes
//
// What a loader remembers is right for one snapshot of the data. After each
// mutation field's resolver commits its change, Refresh (a field
// middleware of Extension, the gqlgen extension that gives each operation
// its loaders) makes the request's loaders Forget all they hold: the mutation's payload, and any later mutation of the same
// operation, read the values as they are after the change. What the change
// itself read, as it left it, its resolver hands over with AfterChange
// (updatePartnership: the partnership, the tags and the stage it set), and
// the loaders are primed with it once they have forgotten the rest: the
// payload shows it without reading it again.
package loaders
