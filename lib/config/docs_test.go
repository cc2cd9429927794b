package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigurationDocNamesEveryField: docs/configuration.md names every
// field a target may have as `Field` and every global as `Config.Name`,
// so the reference cannot fall behind the loader.
func TestConfigurationDocNamesEveryField(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	names := fieldNames()
	if len(names) < 10 {
		t.Fatalf("only %d target fields: %v", len(names), names)
	}
	for _, f := range names {
		if !strings.Contains(doc, "| `"+f+"` |") {
			t.Errorf("docs/configuration.md has no row for the target field `%s`", f)
		}
	}
	for _, g := range globalFields {
		if !strings.Contains(doc, "| `Config."+g+"` |") {
			t.Errorf("docs/configuration.md has no row for the global `Config.%s`", g)
		}
	}
}
