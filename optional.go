package partnergraph

// Optional is an update field in one of three states: absent (leave the stored
// value unchanged), null (remove it) or a value. Seed 001 relies on the
// difference: "set to null to remove".
type Optional[T any] struct {
	Set   bool
	Value *T
}

// Some returns an Optional holding v.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: &v} }

// Null returns an Optional that removes the stored value.
func Null[T any]() Optional[T] { return Optional[T]{Set: true} }

// IsNull reports whether o asks for the value to be removed.
func (o Optional[T]) IsNull() bool { return o.Set && o.Value == nil }
