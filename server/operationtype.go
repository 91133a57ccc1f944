package server

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
)

// operationType is the type of the operation name selects in doc (the one
// operation when name is empty), read with the lexer alone: no parse, no
// validation, at most maxTokens tokens (0: no bound). It is "" when doc
// does not say within them, which validation or the limits will report.
func operationType(doc, name string, maxTokens int) ast.Operation {
	l := lexer.New(&ast.Source{Input: doc})
	type operation struct {
		typ  ast.Operation
		name string
	}
	var ops []operation
	braces, parens := 0, 0
	// pending is the operation whose keyword was read and whose name, if
	// any, comes next; fragment definitions are read past.
	var pending *operation
	for n := 1; ; n++ {
		tok, err := l.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break
		}
		if maxTokens > 0 && n > maxTokens {
			return ""
		}
		top := braces == 0 && parens == 0
		switch tok.Kind {
		case lexer.BraceL:
			if top && pending == nil {
				ops = append(ops, operation{typ: ast.Query}) // { … } is a query
			}
			if top && pending != nil {
				ops, pending = append(ops, *pending), nil
			}
			braces++
		case lexer.BraceR:
			braces--
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens--
		case lexer.Name:
			switch {
			case !top:
			case pending == nil && (tok.Value == "query" || tok.Value == "mutation" || tok.Value == "subscription"):
				pending = &operation{typ: ast.Operation(tok.Value)}
			case pending == nil && tok.Value == "fragment":
				pending = &operation{typ: "fragment"}
			case pending != nil && pending.name == "":
				pending.name = tok.Value
			}
		}
	}
	var selected []operation
	for _, op := range ops {
		if op.typ != "fragment" && (name == "" || op.name == name) {
			selected = append(selected, op)
		}
	}
	if len(selected) != 1 {
		return ""
	}
	return selected[0].typ
}
