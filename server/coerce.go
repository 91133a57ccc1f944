package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
	"partnergraph/scalar"
)

// inputCoercion holds an operation's inputs to the specification's input
// coercion before it executes, where gqlparser's variable coercion is lax:
// it reads the string "2" as an Int, takes any 64-bit integer, and matches
// enum values ignoring case. Here, as the specification says (§3.5, §3.9):
//
//   - an Int variable is an integral number within 32 bits, a Float a finite
//     number, neither a string;
//   - a String or ID holds no U+0000; an ID is a string or an integer;
//   - an enum value is one of the enum's names, exactly as written.
//
// It also refuses null on a field of an update input that null cannot
// remove (one not marked @goField(omittable: true), clientMutationId
// aside): null there used to be read as "absent" and silently change
// nothing.
//
// Each refusal is a request error (BAD_USER_INPUT naming the variable or
// field) before any resolver runs, so before the cost is computed from an
// out-of-range first and before any SQL, worded as graphql-js words it:
// Variable "$n" got invalid value 2.5; Int cannot represent non-integer
// value: 2.5. The scalars' unmarshalers (scalar/builtin.go) apply the same
// rules to literals during execution.
//
// gqlparser coerces the variables first, and refuses some values itself in
// words that mislead ("cannot use value 0 as Int" for 2.5, "cannot use
// string as Int" for a number in an input object): the variables as sent
// are kept with the operation (sentVariables), and the error presenter
// words such a refusal from them by these rules instead.
type inputCoercion struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = inputCoercion{}

func (inputCoercion) ExtensionName() string                   { return "InputCoercion" }
func (inputCoercion) Validate(graphql.ExecutableSchema) error { return nil }

// sentVariablesName names the variables as sent in an operation's stats.
const sentVariablesName = "SentVariables"

// sentVariables are an operation's variables as its request sent them.
type sentVariables struct {
	coercion inputCoercion
	values   map[string]any
}

// MutateOperationParameters keeps the variables as sent, before gqlparser
// coerces them.
func (c inputCoercion) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	graphql.GetOperationContext(ctx).Stats.SetExtension(sentVariablesName, &sentVariables{coercion: c, values: p.Variables})
	return nil
}

func (c inputCoercion) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if err := c.variables(oc.Operation, oc.Variables); err != nil {
		return err
	}
	u := updateNulls{coercion: c, vars: oc.Variables, seen: map[string]bool{}}
	return u.set(oc.Operation.SelectionSet)
}

// variables holds each of op's variables in vars to its type's coercion.
func (c inputCoercion) variables(op *ast.OperationDefinition, vars map[string]any) *gqlerror.Error {
	for _, def := range op.VariableDefinitions {
		path := ast.Path{ast.PathName("variable"), ast.PathName(def.Variable)}
		v, ok := vars[def.Variable]
		switch {
		case !ok && def.Type.NonNull && def.DefaultValue == nil:
			return inputError(path, "Variable \"$%s\" of required type \"%s\" was not provided.", def.Variable, def.Type)
		case ok && v == nil && def.Type.NonNull:
			return inputError(path, "Variable \"$%s\" of non-null type \"%s\" must not be null.", def.Variable, def.Type)
		case !ok:
			continue
		}
		if err := c.check(v, def.Type, path); err != nil {
			return err
		}
	}
	return nil
}

// explainVariables words gqlparser's refusal of an operation's variables
// (ge, at a variable's path) by this coercion's rules, from the variables
// as sent; it returns nil when they find nothing wrong, and gqlparser's
// words stand.
func explainVariables(ctx context.Context, ge *gqlerror.Error) *gqlerror.Error {
	if !graphql.HasOperationContext(ctx) || len(ge.Path) < 2 || ge.Path[0] != ast.PathName("variable") {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	sent, ok := oc.Stats.GetExtension(sentVariablesName).(*sentVariables)
	if !ok || oc.Operation == nil || oc.Variables != nil {
		return nil
	}
	return sent.coercion.variables(oc.Operation, sent.values)
}

// check holds v, a coerced variable value, to typ's input coercion.
func (c inputCoercion) check(v any, typ *ast.Type, path ast.Path) *gqlerror.Error {
	if typ.NonNull && v == nil {
		return variableError(path, nil, fmt.Sprintf("Expected non-nullable type \"%s\" not to be null", typ))
	}
	if v == nil {
		return nil
	}
	if typ.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			// A single value stands for a list of one (§3.11).
			return c.check(v, typ.Elem, path)
		}
		for i, item := range items {
			if err := c.check(item, typ.Elem, append(path, ast.PathIndex(i))); err != nil {
				return err
			}
		}
		return nil
	}
	def := c.schema.Types[typ.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.Enum:
		s, _ := v.(string)
		if def.EnumValues.ForName(s) == nil {
			return variableError(path, nil, fmt.Sprintf("%s is one of %s, written exactly so", def.Name, enumNames(def)))
		}
	case ast.InputObject:
		return c.checkObject(v, def, path)
	case ast.Scalar:
		return checkScalar(v, def.Name, path)
	}
	return nil
}

// checkObject holds an input object's value to its type: an object of its
// fields only, each required one given.
func (c inputCoercion) checkObject(v any, def *ast.Definition, path ast.Path) *gqlerror.Error {
	fields, ok := v.(map[string]any)
	if !ok {
		return variableError(path, nil, fmt.Sprintf("Expected type \"%s\" to be an object", def.Name))
	}
	for name := range fields {
		// gqlparser takes __typename in an input object; so does this.
		if name != "__typename" && def.Fields.ForName(name) == nil {
			return variableError(append(path, ast.PathName(name)), nil, fmt.Sprintf("Field \"%s\" is not defined by type \"%s\"", name, def.Name))
		}
	}
	for _, f := range def.Fields {
		fv, ok := fields[f.Name]
		at := append(path[:len(path):len(path)], ast.PathName(f.Name))
		if !ok {
			if f.Type.NonNull && f.DefaultValue == nil {
				return variableError(at, nil, fmt.Sprintf("Field \"%s\" of required type \"%s\" was not provided", f.Name, f.Type))
			}
			continue
		}
		if err := c.check(fv, f.Type, at); err != nil {
			return err
		}
	}
	return nil
}

// checkScalar holds a built-in scalar's value to its coercion; custom
// scalars (UUID, Date, Time, JSON) are their unmarshalers' to judge.
func checkScalar(v any, name string, path ast.Path) *gqlerror.Error {
	var err error
	switch name {
	case "Int":
		_, err = scalar.UnmarshalInt32(v)
	case "Float":
		_, err = scalar.UnmarshalFloat(v)
	case "String":
		_, err = scalar.UnmarshalString(v)
	case "ID":
		_, err = scalar.UnmarshalID(v)
	case "Boolean":
		_, err = scalar.UnmarshalBoolean(v)
	}
	if err != nil {
		var shown any
		if name == "Int" || name == "Float" {
			shown = v
		}
		return variableError(path, shown, err.Error())
	}
	return nil
}

// variableError is a request error at a variable's path, as graphql-js
// words it: Variable "$in" got invalid value 2.5 at "in.rank"; why. The
// value is shown only when it is a number where a number belongs (shown
// set): any other may be a secret sent in the wrong place.
func variableError(path ast.Path, shown any, why string) *gqlerror.Error {
	value := "an invalid value"
	switch n := shown.(type) {
	case json.Number:
		value = "invalid value " + string(n)
	case int, int32, int64, float64:
		value = fmt.Sprintf("invalid value %v", n)
	}
	var at strings.Builder
	for i, el := range path[2:] {
		if i == 0 {
			at.WriteString(fmt.Sprint(path[1]))
		}
		switch el := el.(type) {
		case ast.PathIndex:
			fmt.Fprintf(&at, "[%d]", int(el))
		default:
			fmt.Fprintf(&at, ".%s", el)
		}
	}
	where := ""
	if at.Len() > 0 {
		where = fmt.Sprintf(" at \"%s\"", at.String())
	}
	return inputError(path, "Variable \"$%s\" got %s%s; %s", path[1], value, where, why)
}

func enumNames(def *ast.Definition) string {
	names := make([]string, len(def.EnumValues))
	for i, v := range def.EnumValues {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

// inputError is a request error at a variable's path: ["variable", "n"]
// names n, and ["variable", "in", "tags", 0] the input field tags.0, as
// domain errors name the fields of an input.
func inputError(path ast.Path, format string, args ...any) *gqlerror.Error {
	err := gqlerror.ErrorPathf(append(ast.Path(nil), path...), format, args...)
	field := path[1:]
	if len(field) > 1 {
		field = field[1:]
	}
	names := make([]string, len(field))
	for i, el := range field {
		names[i] = fmt.Sprint(el)
	}
	err.Extensions = map[string]any{"code": string(pg.BadUserInput), "field": strings.Join(names, ".")}
	return err
}

// updateNulls finds null given to an update input's field that null
// cannot remove, in the operation's arguments, each fragment once.
type updateNulls struct {
	coercion inputCoercion
	vars     map[string]any
	seen     map[string]bool
}

func (u updateNulls) set(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			for _, arg := range s.Arguments {
				if err = u.argument(arg); err != nil {
					return err
				}
			}
			err = u.set(s.SelectionSet)
		case *ast.InlineFragment:
			err = u.set(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition != nil && !u.seen[s.Name] {
				u.seen[s.Name] = true
				err = u.set(s.Definition.SelectionSet)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (u updateNulls) argument(arg *ast.Argument) *gqlerror.Error {
	def := arg.Value.Definition
	if def == nil || def.Kind != ast.InputObject || !strings.HasPrefix(def.Name, "Update") {
		return nil
	}
	for _, f := range def.Fields {
		if f.Type.NonNull || f.Name == "clientMutationId" || removable(f) {
			continue
		}
		if u.null(arg.Value, f.Name) {
			err := gqlerror.ErrorPosf(arg.Value.Position, "%s cannot be removed: leave it out to keep its value.", f.Name)
			err.Extensions = map[string]any{"code": string(pg.BadUserInput), "field": f.Name}
			return err
		}
	}
	return nil
}

// null reports whether the input object value gives field an explicit null,
// written in the document or through a variable.
func (u updateNulls) null(v *ast.Value, field string) bool {
	if v.Kind == ast.Variable {
		m, _ := u.vars[v.Raw].(map[string]any)
		fv, ok := m[field]
		return ok && fv == nil
	}
	child := v.Children.ForName(field)
	if child == nil {
		return false
	}
	if child.Kind == ast.Variable {
		fv, ok := u.vars[child.Raw]
		return ok && fv == nil
	}
	return child.Kind == ast.NullValue
}

// removable reports whether null removes the field's value: the schema
// marks such fields @goField(omittable: true) ("null removes.").
func removable(f *ast.FieldDefinition) bool {
	d := f.Directives.ForName("goField")
	if d == nil {
		return false
	}
	arg := d.Arguments.ForName("omittable")
	return arg != nil && arg.Value.Raw == "true"
}
