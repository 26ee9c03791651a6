package lazyfs

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkWriteFsync measures appending a block and fsyncing it, the
// pattern of a broker with sync: always, through the lazy store and on
// the plain disk under it.
func BenchmarkWriteFsync(b *testing.B) {
	for _, size := range []int{512, 4096, 65536} {
		block := make([]byte, size)
		run := func(b *testing.B, dir string) {
			f, err := os.OpenFile(filepath.Join(dir, "log"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(int64(size))
			b.ResetTimer()
			for b.Loop() {
				if _, err := f.Write(block); err != nil {
					b.Fatal(err)
				}
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.Run(fmtSize(size)+"/disk", func(b *testing.B) { run(b, b.TempDir()) })
		b.Run(fmtSize(size)+"/lazyfs", func(b *testing.B) {
			_, _, mnt := mountT(b)
			run(b, mnt)
		})
	}
}

// BenchmarkWrite measures appending without fsync: on the lazy store
// the bytes only reach memory.
func BenchmarkWrite(b *testing.B) {
	block := make([]byte, 4096)
	run := func(b *testing.B, dir string) {
		f, err := os.OpenFile(filepath.Join(dir, "log"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		b.SetBytes(int64(len(block)))
		for b.Loop() {
			if _, err := f.Write(block); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("4KiB/disk", func(b *testing.B) { run(b, b.TempDir()) })
	b.Run("4KiB/lazyfs", func(b *testing.B) {
		_, _, mnt := mountT(b)
		run(b, mnt)
	})
}

func fmtSize(n int) string {
	if n >= 1024 {
		return strconv.Itoa(n/1024) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}
