package partnergraph

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"
)

// validLength checks a required string's length in characters.
func validLength(field, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	switch {
	case n < min && n == 0:
		return badField(field, ReasonRequired, limit(min), "%s is required.", field)
	case n < min:
		return badField(field, ReasonTooShort, limit(min), "%s must be at least %d characters.", field, min)
	case n > max:
		return badField(field, ReasonTooLong, limit(max), "%s must be at most %d characters.", field, max)
	}
	return nil
}

// MaxListItems is the most items a list in an input may hold: the tags
// and users a partnership links, its custom field values and a value's
// choices, a stage's allowed next stages, a field's options, event types.
// Lists are read back whole (not paged), and each goes to the database in
// one statement.
const MaxListItems = 100

// ValidateList checks that a list input on field holds at most
// MaxListItems items: TOO_LONG with the limit otherwise.
func ValidateList(field string, n int) error {
	if n > MaxListItems {
		return badField(field, ReasonTooLong, limit(MaxListItems), "%s may hold at most %d items.", field, MaxListItems)
	}
	return nil
}

func limit(n int) *int64 {
	l := int64(n)
	return &l
}

// validName checks a required display name: not blank, at most 200 characters.
func validName(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return badField(field, ReasonRequired, limit(1), "%s must not be blank.", field)
	}
	return validLength(field, v, 1, 200)
}

func validEmail(field, v string) error {
	if err := validLength(field, v, 1, 100); err != nil {
		return err
	}
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Address != v || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
		return badField(field, ReasonInvalidFormat, nil, "%s must be a valid email address.", field)
	}
	return nil
}

func validURL(field string, v *string) error {
	if v == nil {
		return nil
	}
	u, err := url.Parse(*v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(*v) > 2048 {
		return badField(field, ReasonInvalidFormat, nil, "%s must be an http or https URL.", field)
	}
	return nil
}

func validOptionalLength(field string, v *string, max int) error {
	if v == nil {
		return nil
	}
	return validLength(field, *v, 0, max)
}
