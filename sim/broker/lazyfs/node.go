//go:build linux

package lazyfs

import (
	"context"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// node is a file or folder of the mount. It is go-fuse's loopback node
// with the data path replaced: files open to a handle that keeps
// unsynced bytes in memory, attributes report the size with those
// bytes, truncation cuts them, and every change passes the freeze
// gate. Metadata changes go to the backing folder at once.
type node struct {
	*fs.LoopbackNode
	lfs *FS
}

var (
	_ fs.NodeWrapChilder    = (*node)(nil)
	_ fs.NodeLookuper       = (*node)(nil)
	_ fs.NodeGetattrer      = (*node)(nil)
	_ fs.NodeStatxer        = (*node)(nil)
	_ fs.NodeSetattrer      = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeTmpfiler       = (*node)(nil)
	_ fs.NodeCopyFileRanger = (*node)(nil)
	_ fs.NodeMkdirer        = (*node)(nil)
	_ fs.NodeMknoder        = (*node)(nil)
	_ fs.NodeSymlinker      = (*node)(nil)
	_ fs.NodeLinker         = (*node)(nil)
	_ fs.NodeUnlinker       = (*node)(nil)
	_ fs.NodeRmdirer        = (*node)(nil)
	_ fs.NodeRenamer        = (*node)(nil)
	_ fs.NodeSetxattrer     = (*node)(nil)
	_ fs.NodeRemovexattrer  = (*node)(nil)
)

// WrapChild makes every node go-fuse's loopback creates one of ours.
func (n *node) WrapChild(ctx context.Context, ops fs.InodeEmbedder) fs.InodeEmbedder {
	if lb, ok := ops.(*fs.LoopbackNode); ok {
		return &node{LoopbackNode: lb, lfs: n.lfs}
	}
	return ops
}

// backingPath returns the node's path in the backing folder. For a
// file with no name left (unlinked while open) it is a path that does
// not exist, as in go-fuse's loopback.
func (n *node) backingPath() string {
	return filepath.Join(n.RootData.Path, n.Path(n.RootData.RootNode.EmbeddedInode()))
}

func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	ch, errno := n.LoopbackNode.Lookup(ctx, name, out)
	if errno == 0 {
		out.Attr.Size = n.lfs.sizeAt(filepath.Join(n.backingPath(), name), out.Attr.Size)
	}
	return ch, errno
}

func (n *node) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if h, ok := f.(*handle); ok {
		return h.Getattr(ctx, out)
	}
	if errno := n.LoopbackNode.Getattr(ctx, nil, out); errno != 0 {
		return errno
	}
	out.Size = n.lfs.sizeAt(n.backingPath(), out.Size)
	return 0
}

// Statx answers ENOSYS, so the kernel falls back to Getattr for good,
// which knows about unsynced bytes.
func (n *node) Statx(ctx context.Context, f fs.FileHandle, flags, mask uint32, out *fuse.StatxOut) syscall.Errno {
	return syscall.ENOSYS
}

// Setattr applies a size change to both the backing file and the dirty
// bytes, and every other attribute to the backing file, at once.
func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if !n.lfs.enter() {
		return syscall.EIO
	}
	defer n.lfs.leave()
	if size, ok := in.GetSize(); ok {
		var errno syscall.Errno
		if h, ok := f.(*handle); ok {
			errno = h.truncate(size)
		} else {
			errno = n.lfs.truncatePath(n.backingPath(), size)
		}
		if errno != 0 {
			return errno
		}
	}
	rest := *in
	rest.Valid &^= fuse.FATTR_SIZE | fuse.FATTR_FH | fuse.FATTR_LOCKOWNER
	if rest.Valid != 0 {
		if errno := n.LoopbackNode.Setattr(ctx, nil, &rest, out); errno != 0 {
			return errno
		}
	}
	return n.Getattr(ctx, f, out)
}

// truncatePath truncates the backing file at path, with no open
// handle at hand, and cuts its dirty bytes if it has any.
func (l *FS) truncatePath(path string, size uint64) syscall.Errno {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return fs.ToErrno(err)
	}
	f := l.lookup(keyOf(&st))
	if f != nil {
		f.mu.Lock()
		defer f.mu.Unlock()
	}
	if err := syscall.Truncate(path, int64(size)); err != nil {
		return fs.ToErrno(err)
	}
	if f != nil {
		f.dirty.truncate(int64(size))
	}
	return 0
}

// Open opens the backing file and returns a lazy handle on it. The
// kernel is told not to cache the file's pages (direct I/O), so every
// read and write reaches the handle and a drop is seen at once.
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	trunc := int(flags)&syscall.O_TRUNC != 0
	if trunc {
		if !n.lfs.enter() {
			return nil, 0, syscall.EIO
		}
		defer n.lfs.leave()
	}
	p := n.backingPath()
	fd, err := syscall.Open(p, backingFlags(flags), 0)
	if err != nil {
		return nil, 0, fs.ToErrno(err)
	}
	h, errno := n.lfs.newHandle(os.NewFile(uintptr(fd), p), flags)
	if errno != 0 {
		return nil, 0, errno
	}
	if trunc {
		if errno := h.truncate(0); errno != 0 {
			h.Release(ctx)
			return nil, 0, errno
		}
	}
	return h, fuse.FOPEN_DIRECT_IO, 0
}

// Create makes the file in the backing folder at once (metadata is not
// lazy) and opens a lazy handle on it.
func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if !n.lfs.enter() {
		return nil, nil, 0, syscall.EIO
	}
	defer n.lfs.leave()
	p := filepath.Join(n.backingPath(), name)
	fd, err := syscall.Open(p, backingFlags(flags)|syscall.O_CREAT|int(flags)&syscall.O_EXCL, mode&07777)
	if err != nil {
		return nil, nil, 0, fs.ToErrno(err)
	}
	f := os.NewFile(uintptr(fd), p)
	if caller, ok := fuse.FromContext(ctx); ok && os.Geteuid() == 0 {
		// As go-fuse's loopback does: the file belongs to the caller.
		_ = f.Chown(int(caller.Uid), int(caller.Gid))
	}
	h, errno := n.lfs.newHandle(f, flags)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	if int(flags)&syscall.O_TRUNC != 0 {
		if errno := h.truncate(0); errno != 0 {
			h.Release(ctx)
			return nil, nil, 0, errno
		}
	}
	ch, errno := n.Lookup(ctx, name, out)
	if errno != 0 {
		h.Release(ctx)
		return nil, nil, 0, errno
	}
	return ch, h, fuse.FOPEN_DIRECT_IO, 0
}

// Tmpfile refuses O_TMPFILE: go-fuse's loopback would hand out a plain
// backing descriptor, bypassing the lazy handle.
func (n *node) Tmpfile(ctx context.Context, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	return nil, nil, 0, syscall.EOPNOTSUPP
}

// CopyFileRange refuses, so the kernel copies through read and write,
// which see and make dirty bytes.
func (n *node) CopyFileRange(ctx context.Context, fhIn fs.FileHandle, offIn uint64, out *fs.Inode, fhOut fs.FileHandle, offOut uint64, size uint64, flags uint64) (uint32, syscall.Errno) {
	return 0, syscall.EOPNOTSUPP
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if !n.lfs.enter() {
		return nil, syscall.EIO
	}
	defer n.lfs.leave()
	return n.LoopbackNode.Mkdir(ctx, name, mode, out)
}

func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if !n.lfs.enter() {
		return nil, syscall.EIO
	}
	defer n.lfs.leave()
	return n.LoopbackNode.Mknod(ctx, name, mode, rdev, out)
}

func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if !n.lfs.enter() {
		return nil, syscall.EIO
	}
	defer n.lfs.leave()
	return n.LoopbackNode.Symlink(ctx, target, name, out)
}

func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if !n.lfs.enter() {
		return nil, syscall.EIO
	}
	defer n.lfs.leave()
	ch, errno := n.LoopbackNode.Link(ctx, target, name, out)
	if errno == 0 {
		out.Attr.Size = n.lfs.sizeAt(filepath.Join(n.backingPath(), name), out.Attr.Size)
	}
	return ch, errno
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	if !n.lfs.enter() {
		return syscall.EIO
	}
	defer n.lfs.leave()
	return n.LoopbackNode.Rmdir(ctx, name)
}

// lastLink returns the key of the regular file at path when removing
// that name removes the file's last link.
func lastLink(path string) (fileKey, bool) {
	var st syscall.Stat_t
	if syscall.Lstat(path, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Nlink > 1 {
		return fileKey{}, false
	}
	return keyOf(&st), true
}

// Unlink removes the name in the backing folder at once. When that was
// the file's last name, its dirty bytes are forgotten (once no handle
// holds the file), so a new file that reuses the inode number starts
// clean.
func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	if !n.lfs.enter() {
		return syscall.EIO
	}
	defer n.lfs.leave()
	key, last := lastLink(filepath.Join(n.backingPath(), name))
	errno := n.LoopbackNode.Unlink(ctx, name)
	if errno == 0 && last {
		n.lfs.forget(key)
	}
	return errno
}

// Rename renames in the backing folder at once. The file keeps its
// dirty bytes (they belong to the inode, not the name); a file
// replaced by the rename is forgotten as by Unlink.
func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if !n.lfs.enter() {
		return syscall.EIO
	}
	defer n.lfs.leave()
	var replaced fileKey
	var last bool
	if np, ok := newParent.(*node); ok && flags&unix.RENAME_EXCHANGE == 0 {
		replaced, last = lastLink(filepath.Join(np.backingPath(), newName))
		var src syscall.Stat_t
		if last && syscall.Lstat(filepath.Join(n.backingPath(), name), &src) == nil && keyOf(&src) == replaced {
			last = false // renaming a file onto itself (a hard link)
		}
	}
	errno := n.LoopbackNode.Rename(ctx, name, newParent, newName, flags)
	if errno == 0 && last {
		n.lfs.forget(replaced)
	}
	return errno
}

func (n *node) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	if !n.lfs.enter() {
		return syscall.EIO
	}
	defer n.lfs.leave()
	return n.LoopbackNode.Setxattr(ctx, attr, data, flags)
}

func (n *node) Removexattr(ctx context.Context, attr string) syscall.Errno {
	if !n.lfs.enter() {
		return syscall.EIO
	}
	defer n.lfs.leave()
	return n.LoopbackNode.Removexattr(ctx, attr)
}
