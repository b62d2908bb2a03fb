package argofuncs

import (
	"regexp"
	"strings"
)

// Slugify is Argo CD's `slugify` (SlugifyName in applicationset/utils/utils.go). Its arguments are
// positional the way Argo CD reads them: the last one is always the text; before it, the first is the
// maximum length (an int, default 50) and the second turns smart truncation on or off (a bool,
// default true); any further argument is ignored. An argument of the wrong type fails the call the
// way Argo CD's type assertion does (text/template reports the panic as "error calling slugify").
//
// Argo CD normalizes the text and hands it to github.com/gosimple/slug. Because normalizing leaves
// only [-a-z0-9.], slug's transliteration and language tables have nothing left to do, and what
// remains is done below: '.' becomes '-', runs of '-' collapse, and the result is cut to the length.
// The conformance generator checks this against gosimple/slug itself.
func Slugify(args ...any) string {
	maxLength, smartTruncate, text := 50, true, ""
	for position, arg := range args {
		switch position {
		case len(args) - 1:
			text = arg.(string)
		case 0:
			maxLength = arg.(int)
		case 1:
			smartTruncate = arg.(bool)
		}
	}
	return slugOf(Normalize(text), maxLength, smartTruncate)
}

var dashRun = regexp.MustCompile(`-+`)

// slugOf is gosimple/slug's Make for text that is already lowercase [-a-z0-9.].
func slugOf(text string, maxLength int, smartTruncate bool) string {
	// The plain cut happens before dots become dashes, as in slug.MakeLang: a maximum of 0 without
	// smart truncation yields "", and a negative one fails the call (slice bounds) as it does there.
	if !smartTruncate && len(text) >= maxLength {
		text = text[:maxLength]
	}
	text = strings.ReplaceAll(text, ".", "-")
	text = dashRun.ReplaceAllString(text, "-")
	text = strings.Trim(text, "-_")
	if smartTruncate && maxLength > 0 && len(text) > maxLength {
		text = cutAtLastDash(text, maxLength)
	}
	return text
}

// cutAtLastDash cuts before the last '-' at or before maxLength (so no word is split), or at
// maxLength when the first word is longer than that.
func cutAtLastDash(text string, maxLength int) string {
	if dash := strings.LastIndexByte(text[:maxLength+1], '-'); dash >= 0 {
		return text[:dash]
	}
	return text[:maxLength]
}
