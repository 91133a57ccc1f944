package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// maxValidationErrors is how many errors validation reports, as graphql-js
// stops at 100: a document of twenty thousand unknown directives would
// otherwise be answered with megabytes of errors.
const maxValidationErrors = 100

// validationRules returns the rules every document is validated with, for
// one validation: gqlparser's defaults, with OverlappingFieldsCanBeMerged
// replaced by overlappingFieldsRule, literals held to the specification's
// input coercion (literalsRule), the
// values of the document never repeated in an error (a password written
// inline with the wrong type would be), and at most maxValidationErrors
// errors, the last of which says the rest were left out.
func validationRules() *rules.Rules {
	all := []core.Rule{overlappingFieldsRule, literalsRule}
	for name, f := range rules.NewDefaultRules().GetInner() {
		switch name {
		case overlappingFieldsRule.Name:
		case rules.ValuesOfCorrectTypeRule.Name:
			all = append(all, core.Rule{Name: name, RuleFunc: withoutValues(f)})
		default:
			all = append(all, core.Rule{Name: name, RuleFunc: f})
		}
	}
	errs := 0
	capped := func(addError core.AddErrFunc) core.AddErrFunc {
		return func(options ...core.ErrorOption) {
			errs++
			switch {
			case errs < maxValidationErrors:
				addError(options...)
			case errs == maxValidationErrors:
				addError(core.Message("The document has more errors than the %d reported; validation stopped reporting them.", maxValidationErrors-1))
			}
		}
	}
	out := rules.NewRules()
	for _, r := range all {
		f := r.RuleFunc
		out.AddRule(r.Name, func(observers *core.Events, addError core.AddErrFunc) { f(observers, capped(addError)) })
	}
	return out
}

// withoutValues wraps ValuesOfCorrectType so that its messages name the
// kind of a wrong value, never the value: "String cannot represent a non
// string value: <Int value>".
func withoutValues(rule core.RuleFunc) core.RuleFunc {
	return func(observers *core.Events, addError core.AddErrFunc) {
		// Observers run in the order they were added, so this one sees
		// each value just before the rule checks it.
		var current *ast.Value
		observers.OnValue(func(_ *core.Walker, v *ast.Value) { current = v })
		rule(observers, func(options ...core.ErrorOption) {
			if current != nil {
				v := current
				options = append(options, func(err *gqlerror.Error) { err.Message = redactValue(err.Message, v) })
			}
			addError(options...)
		})
	}
}

// redactValue replaces v where a message of ValuesOfCorrectType quotes it:
// after ": ", after "found " or as the enum value of `Value "…"`. A number
// where a number belongs stays, as graphql-js shows it ("Int cannot
// represent non-integer value: 2.0"): it was not sent in a secret's place.
func redactValue(message string, v *ast.Value) string {
	if (v.Kind == ast.IntValue || v.Kind == ast.FloatValue) &&
		(strings.HasPrefix(message, "Int cannot represent") || strings.HasPrefix(message, "Float cannot represent")) {
		return message
	}
	text := v.String()
	for _, before := range []string{": ", "found ", `Value "`} {
		if i := strings.Index(message, before+text); i >= 0 {
			at := i + len(before)
			return message[:at] + "<" + valueKind(v) + ">" + message[at+len(text):]
		}
	}
	return message
}

func valueKind(v *ast.Value) string {
	switch v.Kind {
	case ast.IntValue:
		return "Int value"
	case ast.FloatValue:
		return "Float value"
	case ast.StringValue, ast.BlockValue:
		return "String value"
	case ast.BooleanValue:
		return "Boolean value"
	case ast.EnumValue:
		return "enum value"
	case ast.ListValue:
		return "list"
	case ast.ObjectValue:
		return "input object"
	case ast.NullValue:
		return "null"
	}
	return "value"
}

// literalsRule holds the document's literal arguments to the input
// coercion gqlparser leaves out: an Int is a 32-bit signed integer (§3.5.1;
// gqlparser accepts any 64-bit literal), and a String or ID holds no U+0000
// (PostgreSQL text cannot). Each error names the input field at fault.
var literalsRule = core.Rule{
	Name: "Literals",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		observers.OnField(func(_ *core.Walker, f *ast.Field) {
			for _, arg := range f.Arguments {
				checkLiteral(arg.Value, []string{arg.Name}, addError)
			}
		})
	},
}

func checkLiteral(v *ast.Value, path []string, addError core.AddErrFunc) {
	for _, c := range v.Children {
		p := path
		if c.Name != "" {
			p = append(p[:len(p):len(p)], c.Name)
		}
		checkLiteral(c.Value, p, addError)
	}
	if v.Definition == nil {
		return
	}
	field := core.ErrorOption(func(err *gqlerror.Error) {
		err.Extensions = map[string]any{"field": inputField(pathOf(path))}
	})
	switch {
	case v.Kind == ast.IntValue && v.Definition.Name == "Int":
		// Past 64 bits, ValuesOfCorrectType reports it already.
		if _, err := strconv.ParseInt(v.Raw, 10, 64); err != nil {
			return
		}
		if _, err := strconv.ParseInt(v.Raw, 10, 32); err != nil {
			addError(core.Message("Int cannot represent a value outside %s; Int is a 32-bit signed integer.", int32Range), core.At(v.Position), field)
		}
	case (v.Kind == ast.StringValue || v.Kind == ast.BlockValue) && strings.IndexByte(v.Raw, 0) >= 0:
		addError(core.Message("%s cannot hold the character U+0000.", v.Definition.Name), core.At(v.Position), field)
	}
}

func pathOf(names []string) ast.Path {
	p := make(ast.Path, len(names))
	for i, n := range names {
		p[i] = ast.PathName(n)
	}
	return p
}

var int32Range = fmt.Sprintf("%d to %d", -1<<31, 1<<31-1)
