package argofuncs

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/gosimple/slug"
)

// referenceSlug is what Argo CD's SlugifyName computes: gosimple/slug on the normalized text.
func referenceSlug(maxLength int, smartTruncate bool, text string) (out string, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	slug.MaxLength = maxLength
	slug.EnableSmartTruncate = smartTruncate
	return slug.Make(Normalize(text)), false
}

func ownSlug(maxLength int, smartTruncate bool, text string) (out string, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	return Slugify(maxLength, smartTruncate, text), false
}

// TestSlugifyMatchesGosimpleSlug compares Slugify with the library Argo CD calls, on random texts
// made of the characters that matter (separators, case, dots, non-ASCII) and on every length.
func TestSlugifyMatchesGosimpleSlug(t *testing.T) {
	alphabet := []rune("aZ09-_. ./--..éß/:@&")
	random := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		runes := make([]rune, random.Intn(40))
		for j := range runes {
			runes[j] = alphabet[random.Intn(len(alphabet))]
		}
		text := string(runes)
		maxLength := random.Intn(45) - 2
		smart := random.Intn(2) == 0
		want, wantPanic := referenceSlug(maxLength, smart, text)
		got, gotPanic := ownSlug(maxLength, smart, text)
		if got != want || gotPanic != wantPanic {
			t.Fatalf("slugify %d %v %q: got %q (panic %v), gosimple/slug gives %q (panic %v)", maxLength, smart, text, got, gotPanic, want, wantPanic)
		}
	}
}

func TestSlugifyArguments(t *testing.T) {
	for _, c := range []struct {
		args []any
		want string
	}{
		{[]any{"Hello World"}, "hello-world"},
		{[]any{5, "Hello World"}, "hello"},
		{[]any{7, false, "Hello World"}, "hello-w"},
		{[]any{7, false, "ignored", "Hello World"}, "hello-w"},
		{nil, ""},
	} {
		if got := Slugify(c.args...); got != c.want {
			t.Errorf("Slugify(%s) = %q, want %q", fmt.Sprint(c.args...), got, c.want)
		}
	}
}
