package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline-sim/faultline/sim/simtest"
)

// openers open each store in dir and close it at once.
var openers = map[string]func(dir string) (interface{ Close() error }, error){
	OrdersFile: func(dir string) (interface{ Close() error }, error) {
		return nilIfErr(OpenOrders(dir, OrdersConfig{}))
	},
	PaymentsFile: func(dir string) (interface{ Close() error }, error) {
		return nilIfErr(OpenPayments(dir, PaymentsConfig{}))
	},
	InventoryFile: func(dir string) (interface{ Close() error }, error) {
		return nilIfErr(OpenInventory(dir, InventoryConfig{}))
	},
}

// nilIfErr turns a typed nil store into a nil interface.
func nilIfErr[S interface{ Close() error }](s S, err error) (interface{ Close() error }, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}

func TestOpenFailureNamesTheFile(t *testing.T) {
	base := t.TempDir()
	notDir := filepath.Join(base, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(base, "garbage")
	if err := os.Mkdir(garbage, 0o700); err != nil {
		t.Fatal(err)
	}
	occupied := filepath.Join(base, "occupied") // each store's file is a folder
	readOnly := filepath.Join(base, "read-only")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dir, wantText string
		skip                string
	}{
		{name: "missing folder", dir: filepath.Join(base, "missing"), wantText: "no such file or directory"},
		{name: "folder is a file", dir: notDir, wantText: "is not a directory"},
		{name: "not a database", dir: garbage, wantText: "not a database"},
		{name: "file is a folder", dir: occupied, wantText: "unable to open"},
		{name: "no permission", dir: readOnly, wantText: "unable to open",
			skip: map[bool]string{true: "root writes to a read-only folder"}[os.Geteuid() == 0]},
	}
	for file, open := range openers {
		if err := os.WriteFile(filepath.Join(garbage, file), []byte(strings.Repeat("not a store. ", 500)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(occupied, file), 0o700); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(file+"/"+c.name, func(t *testing.T) {
				if c.skip != "" {
					t.Skip(c.skip)
				}
				s, err := open(c.dir)
				if err == nil {
					s.Close() //nolint:errcheck // the test fails anyway
					t.Fatal("opened")
				}
				path := filepath.Join(c.dir, file)
				if !errors.Is(err, ErrOpen) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.wantText) {
					t.Errorf("error %q: want ErrOpen, naming %s, saying %q", err, path, c.wantText)
				}
				t.Log(err)
			})
		}
	}
}

func TestReopenKeepsState(t *testing.T) {
	dir := t.TempDir()
	ctx := simtest.Context(t)
	pay, err := OpenPayments(dir, PaymentsConfig{Balance: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := pay.Charge(ctx, 1, Change{Key: "k1"}); err != nil || r.Outcome != Applied {
		t.Fatal(r, err)
	}
	if err := pay.Close(); err != nil {
		t.Fatal(err)
	}
	pay, err = OpenPayments(dir, PaymentsConfig{Balance: 5})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, pay)
	snap, err := pay.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Balance != 900 || snap.Ops[1].Charges != 1 {
		t.Errorf("after reopening: balance %d, charges %+v; want 900 and one charge", snap.Balance, snap.Ops)
	}
	if r, err := pay.Charge(ctx, 1, Change{Key: "k1"}); err != nil || !r.Replayed {
		t.Errorf("the key charged before closing: %+v, %v; want a replay", r, err)
	}
	if got, want := pay.Path(), filepath.Join(dir, PaymentsFile); got != want {
		t.Errorf("Path %q, want %q", got, want)
	}
}

// TestCheckpointsWhileOpen: what is committed reaches the database file
// while the store is open, with no commit crossing the automatic
// checkpoint's threshold (the checkpointer copies it).
func TestCheckpointsWhileOpen(t *testing.T) {
	dir := t.TempDir()
	ctx := simtest.Context(t)
	pay, err := OpenPayments(dir, PaymentsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, pay)
	size := func() int64 {
		info, err := os.Stat(pay.Path())
		if err != nil {
			t.Fatal(err)
		}
		return info.Size()
	}
	before := size()
	for op := range uint64(200) { // a few hundred pages of log, far below the threshold
		if _, err := pay.Charge(ctx, op, Change{Key: strings.Repeat("k", 200) + fmt.Sprint(op)}); err != nil {
			t.Fatal(err)
		}
	}
	simtest.Eventually(t, "the database file grows", func() bool { return size() > before })
}

// TestFolderNamesAreTakenLiterally: characters a SQLite URI would read
// (?, #, %) and others a shell would stay literal in the folder's name: the
// store is where Path says, in that folder.
func TestFolderNamesAreTakenLiterally(t *testing.T) {
	ctx := simtest.Context(t)
	for _, name := range []string{"a b", "a#b", "a?b=c", "a%20b", "a&b=c"} {
		dir := filepath.Join(t.TempDir(), name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		o, err := OpenOrders(dir, OrdersConfig{})
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		if _, err := o.Place(ctx, 1, Change{}); err != nil {
			t.Errorf("%q: %v", name, err)
		}
		if err := o.Close(); err != nil {
			t.Errorf("%q: %v", name, err)
		}
		if o.Path() != filepath.Join(dir, OrdersFile) {
			t.Errorf("%q: Path %q, want %q", name, o.Path(), filepath.Join(dir, OrdersFile))
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Name() != OrdersFile {
			t.Errorf("%q holds %v, want only %s", name, entries, OrdersFile)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	inv, err := OpenInventory(t.TempDir(), InventoryConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := inv.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
