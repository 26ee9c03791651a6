// Package lazyfs is a store that loses what was not fsynced: a FUSE
// filesystem, served by the faultline process, that passes through to
// a backing folder on the real disk except that file data written and
// not yet fsynced is kept in memory, as LazyFS does for Jepsen. A
// power cut (DropUnsynced) discards that memory, so what remains on
// the backing folder is exactly what was fsynced.
//
// # Data
//
// A write goes to an in-memory set of dirty byte ranges of its file
// (shared by every handle and every hard link of the file), never to
// the backing file. A read returns the backing file's bytes with the
// dirty ranges laid over them, so a process reads its own writes; the
// size the mount reports is the larger of the backing file's size and
// the end of the highest dirty byte, with zeros in any gap. The kernel
// does not cache file pages (direct I/O) nor names and attributes
// (zero timeouts), so a drop is visible at once.
//
// What persists a file's dirty bytes (writes them to the backing file
// and fsyncs it):
//   - fsync(2) and fdatasync(2) on any descriptor of the file, even a
//     read-only one: all of the file's dirty bytes, whoever wrote them.
//   - a write through a descriptor opened with O_SYNC or O_DSYNC: that
//     write returns once persisted, as the flags promise.
//
// What does not:
//   - close(2): on Linux close does not fsync, so here it persists
//     nothing; a program that relies on close loses data on a power
//     cut, as it would on a real disk.
//   - sync_file_range(2), sync(2), syncfs(2): they do not reach a FUSE
//     filesystem as a flush of this store (sync_file_range gives no
//     durability guarantee on any Linux filesystem either).
//   - fsync of a directory: it is passed to the backing directory.
//     Metadata is already applied there (below), so it changes
//     nothing in this model; file data in the folder stays lazy, as on
//     Linux, where fsync of a directory does not flush its files.
//   - unmounting: Unmount does not write dirty bytes back.
//
// fallocate(2), copy_file_range(2) and O_TMPFILE are refused
// (EOPNOTSUPP); callers fall back to reads and writes, which the model
// covers.
//
// # Metadata
//
// Metadata operations — create, mkdir, mknod, symlink, link, rename,
// unlink, rmdir, truncate, chmod, chown, utimes, xattrs — are applied
// to the backing folder at once, as if the journal of a
// metadata-journalling filesystem (ext4 with data=ordered) had
// committed them the moment they were made; only file data is lazy.
// Truncation applies to both: the backing file is truncated at once and
// the dirty bytes at or past the new size are forgotten.
//
// Why: it is the simple, defensible middle. It keeps the one
// behaviour the durability question is about — acknowledged but
// unfsynced data vanishing, as in Jepsen's NATS 2.12.1 finding — and it
// never invents a crash state a journalling filesystem could not
// produce for metadata (such as a rename that half happened). Against a
// real ext4 it is kinder in one way: ext4 commits its journal every few
// seconds, so after a power cut it can also lose recent creates and
// renames, which this store never does. It is harsher in another:
// ext4's auto_da_alloc flushes a file's data when the file is renamed
// over another or truncated to zero and rewritten, and this store does
// not, so writing a file and renaming it into place without fsync
// leaves it empty after a cut (as ext4 mounted noauto_da_alloc can).
//
// For a crash this means: a file created and never fsynced survives,
// with the size and bytes of its last fsync (empty if none); a file
// extended and not fsynced shrinks back to its synced size; synced
// bytes overwritten and not fsynced come back; a rename or unlink
// survives even if its folder was never fsynced; a truncation survives.
//
// # Faults
//
// Freeze makes the mount refuse every change with EIO until Thaw, and
// returns only when no change is in flight, so nothing lands between a
// power cut and the kill of the processes using the store. DropUnsynced
// is the power cut itself. Between them the usual sequence is Freeze,
// DropUnsynced, kill the processes, Thaw, restart them.
//
// Edits made to the backing folder behind the mount (a corruption fault
// applied to a store file while its node is down) are seen through the
// mount at once, but dirty bytes still held for that file are laid
// over them: apply such edits after DropUnsynced, or while no process
// has unsynced writes to the file.
//
// # Mounting
//
// Mount uses mount(2) directly (no fusermount), so it needs Linux, root
// and /dev/fuse; where any is missing, Mount's error matches ErrNoFUSE
// and names what is missing. Unmount works while processes still hold
// files on the mount: it detaches the mount and aborts its FUSE
// connection through the fuse control filesystem (mounting fusectl on a
// temporary folder if it is not mounted), so those processes get
// ENOTCONN instead of hanging, and every goroutine the mount started
// ends.
//
// Memory: dirty bytes are held until fsync, truncation, unlink of the
// file's last name or a drop, so a process that never fsyncs grows the
// faultline process by what it writes. DirtyBytes says how much is
// held.
package lazyfs
