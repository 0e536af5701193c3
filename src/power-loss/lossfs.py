#!/usr/bin/env python3
"""lossfs: a FUSE passthrough file system that can simulate a power cut.

    python lossfs.py --backing B --mount M --report R [--loss unsynced|torn] [--seed N]

M is served as a passthrough of B. Every change that a power cut could lose is journalled:

* file contents: before a write/truncate reaches B, the bytes it overwrites (only those inside the
  size the file had at its last fsync/fdatasync, each byte at most once per sync interval) are
  saved, with that size. FUSE `fsync` (fsync and fdatasync, on any handle of the file) clears the
  journal. `flush`/`release` (close) are NOT durable.
* directory entries: create, mknod, mkdir, rename, unlink, rmdir, link and symlink are recorded in
  order. An entry operation is durable once every directory it touched (both, for a rename across
  directories) has been fsync'd (FUSE `fsyncdir`) after it. Files that an unlink or a rename
  removes are kept (hard link / rename) in a trash dir beside B, `B/../.lossfs-trash-<pid>/`.

On SIGUSR1 the power cut: every further operation answers EIO; the non-durable entry operations
are undone newest first (a created name is removed, a rename is moved back and the name it replaced
restored, an unlinked name restored, a made directory removed with its contents, a removed
directory made again); then every file still in B whose contents changed since its last fsync is
cut back to its synced size and its saved bytes written back. A file never fsync'd is left empty.

`--loss torn` additionally keeps part of the last unsynced modification of each file, when that
modification was a write of n >= 2 bytes at offset o: after the undo, bytes [0, k) of that write
are written back at o, with k = random.Random(seed).randint(1, n - 1) drawn per file in sorted
path order. A gap between the synced size and o reads as zeros (a hole), as when a later data block
and the size reached the disk but an earlier block did not.

Then the JSON report R is written, M is lazily unmounted, the trash removed, and the process exits 0.
SIGTERM/SIGINT/SIGHUP: unmount and exit 0 without a cut (B keeps everything the kernel had).

On SIGUSR2 the settle, as a file system's journal commit: everything written so far becomes durable
(every undo journal and every recorded entry operation is dropped, the trash emptied). Before
dropping them it writes to --settle-report what a cut at that moment would have lost (`atRisk`:
names a cut would remove, `entries`: non-durable entry operations, `files`: contents not fsync'd)
and prints `lossfs settled N` (N counts settles from 1), or `lossfs settle failed N: reason`.

Not modelled: metadata other than size (mode, owner, times), xattrs, writes through shared mmap.
"""

import argparse
import errno
import json
import os
import random
import shutil
import signal
import stat as statmod
import subprocess
import sys
import threading
import time
from collections import Counter

from fuse import FUSE, FuseOSError, Operations

UNDO_ALWAYS_DIR_SYNCED = -1


class FileState:
    """Per inode: size at last fsync, saved original bytes, unsynced write bookkeeping."""

    __slots__ = ('synced_size', 'saved', 'unsynced_bytes', 'last', 'dirty', 'last_path')

    def __init__(self, synced_size, path):
        self.synced_size = synced_size
        self.saved = []  # list of (start, bytes) disjoint ranges inside [0, synced_size)
        self.unsynced_bytes = 0
        self.last = None  # ('write', offset, data) or ('truncate', length)
        self.dirty = False
        self.last_path = path

    def covered_gaps(self, start, end):
        """Sub-ranges of [start, end) not yet saved."""
        gaps = [(start, end)]
        for s, data in self.saved:
            e = s + len(data)
            nxt = []
            for a, b in gaps:
                if e <= a or s >= b:
                    nxt.append((a, b))
                    continue
                if a < s:
                    nxt.append((a, s))
                if e < b:
                    nxt.append((e, b))
            gaps = nxt
            if not gaps:
                break
        return gaps


class LossFS(Operations):
    use_ns = True

    def __init__(self, backing, trash):
        self.root = os.path.realpath(backing)
        self.trash = trash
        self.mu = threading.RLock()
        self.dead = False
        self.counts = Counter()
        self.count_lock = threading.Lock()
        self.files = {}  # ino -> FileState
        self.fh_ino = {}  # fh -> ino
        self.dir_sync = {}  # dir ino -> seq of its last fsyncdir
        self.entries = []  # entry operations in order
        self.seq = 0
        self.trash_n = 0

    # ---- plumbing -------------------------------------------------------------------------------

    def __call__(self, op, *args):
        if self.dead:
            raise FuseOSError(errno.EIO)
        with self.count_lock:
            self.counts[op] += 1
        if not hasattr(self, op):
            raise FuseOSError(errno.EFAULT)
        return getattr(self, op)(*args)

    def _full(self, path):
        return self.root + path if path != '/' else self.root

    def _split(self, path):
        parent, name = os.path.split(path)
        return parent or '/', name

    def _dir_ino(self, path):
        return os.lstat(self._full(path)).st_ino

    def _next_seq(self):
        self.seq += 1
        return self.seq

    def _trash_path(self):
        self.trash_n += 1
        return os.path.join(self.trash, str(self.trash_n))

    def _check_alive(self):
        if self.dead:
            raise FuseOSError(errno.EIO)

    def _record(self, op, **fields):
        fields['op'] = op
        fields['seq'] = self._next_seq()
        self.entries.append(fields)

    def _state_for(self, ino, path, size_if_new):
        st = self.files.get(ino)
        if st is None:
            st = FileState(size_if_new, path)
            self.files[ino] = st
        return st

    def _journal(self, st, fh, start, end):
        """Saves the synced bytes in [start, end) that have not been saved since the last sync."""
        end = min(end, st.synced_size)
        if start >= end:
            return
        for a, b in st.covered_gaps(start, end):
            data = self._pread(fh, b - a, a)
            # bytes past the current end of file are already gone (a shrink saved them before)
            st.saved.append((a, data))

    def _pread(self, fh, n, off):
        try:
            return os.pread(fh, n, off)
        except OSError as e:
            if e.errno != errno.EBADF:
                raise
            fd = os.open('/proc/self/fd/%d' % fh, os.O_RDONLY)
            try:
                return os.pread(fd, n, off)
            finally:
                os.close(fd)

    # ---- read-only operations ------------------------------------------------------------------

    def access(self, path, mode):
        if not os.access(self._full(path), mode):
            raise FuseOSError(errno.EACCES)

    def getattr(self, path, fh=None):
        st = os.fstat(fh) if fh is not None else os.lstat(self._full(path))
        return {
            'st_mode': st.st_mode, 'st_ino': st.st_ino, 'st_nlink': st.st_nlink, 'st_uid': st.st_uid,
            'st_gid': st.st_gid, 'st_size': st.st_size, 'st_blocks': st.st_blocks,
            'st_atime': st.st_atime_ns, 'st_mtime': st.st_mtime_ns, 'st_ctime': st.st_ctime_ns,
        }

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._full(path))

    def readlink(self, path):
        return os.readlink(self._full(path))

    def statfs(self, path):
        sv = os.statvfs(self._full(path))
        return {k: getattr(sv, k) for k in ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail',
                                            'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def flush(self, path, fh):
        return 0  # close is not durable

    def release(self, path, fh):
        with self.mu:
            self.fh_ino.pop(fh, None)
        os.close(fh)
        return 0

    def opendir(self, path):
        return 0

    def releasedir(self, path, fh):
        return 0

    # ---- metadata passthrough (not modelled) ---------------------------------------------------

    def chmod(self, path, mode):
        with self.mu:
            self._check_alive()
            os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        with self.mu:
            self._check_alive()
            os.lchown(self._full(path), uid, gid)

    def utimens(self, path, times=None):
        with self.mu:
            self._check_alive()
            if times is None:
                os.utime(self._full(path), follow_symlinks=False)
            else:
                os.utime(self._full(path), ns=times, follow_symlinks=False)

    # ---- file contents -------------------------------------------------------------------------

    def _open_backing(self, full, flags, mode=None):
        flags &= ~os.O_APPEND  # the kernel passes the append offset itself
        if flags & os.O_ACCMODE == os.O_WRONLY:
            try:
                rw = (flags & ~os.O_ACCMODE) | os.O_RDWR
                return os.open(full, rw, mode) if mode is not None else os.open(full, rw)
            except OSError as e:
                if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise
        return os.open(full, flags, mode) if mode is not None else os.open(full, flags)

    def open(self, path, flags):
        with self.mu:
            self._check_alive()
            full = self._full(path)
            if flags & os.O_TRUNC and flags & os.O_ACCMODE != os.O_RDONLY:
                # truncation on open (without atomic_o_trunc the kernel sends setattr, but be safe)
                fh = self._open_backing(full, flags & ~os.O_TRUNC)
                self._truncate_fh(fh, path, 0)
            else:
                fh = self._open_backing(full, flags)
            self.fh_ino[fh] = os.fstat(fh).st_ino
            return fh

    def create(self, path, mode, fi=None):
        with self.mu:
            self._check_alive()
            full = self._full(path)
            parent, name = self._split(path)
            existed = os.path.lexists(full)
            fh = self._open_backing(full, os.O_RDWR | os.O_CREAT, mode)
            ino = os.fstat(fh).st_ino
            self.fh_ino[fh] = ino
            if not existed:
                self.files[ino] = FileState(0, path)
                self._record('create', dirs=[self._dir_ino(parent)], parent=self._dir_ino(parent), name=name,
                             path=path, ino=ino, kind='file')
            return fh

    def write(self, path, data, offset, fh):
        with self.mu:
            self._check_alive()
            ino = self.fh_ino.get(fh)
            if ino is None:
                ino = os.fstat(fh).st_ino
                self.fh_ino[fh] = ino
            st = self._state_for(ino, path, os.fstat(fh).st_size)
            self._journal(st, fh, offset, offset + len(data))
            n = os.pwrite(fh, data, offset)
            st.dirty = True
            st.unsynced_bytes += n
            st.last = ('write', offset, bytes(data[:n]))
            st.last_path = path
            return n

    def _truncate_fh(self, fh, path, length):
        ino = os.fstat(fh).st_ino
        size = os.fstat(fh).st_size
        st = self._state_for(ino, path, size)
        if length < size:
            self._journal(st, fh, length, size)
        os.ftruncate(fh, length)
        st.dirty = True
        st.unsynced_bytes += max(0, size - length)
        st.last = ('truncate', length)
        st.last_path = path

    def truncate(self, path, length, fh=None):
        with self.mu:
            self._check_alive()
            if fh is not None:
                self._truncate_fh(fh, path, length)
                return 0
            fd = os.open(self._full(path), os.O_RDWR)
            try:
                self._truncate_fh(fd, path, length)
            finally:
                os.close(fd)
            return 0

    def fsync(self, path, datasync, fh):
        with self.mu:
            self._check_alive()
            if datasync:
                os.fdatasync(fh)
            else:
                os.fsync(fh)
            fst = os.fstat(fh)
            st = self.files.get(fst.st_ino)
            if st is not None:
                st.synced_size = fst.st_size
                st.saved = []
                st.unsynced_bytes = 0
                st.last = None
                st.dirty = False
            return 0

    # ---- directory entries ---------------------------------------------------------------------

    def fsyncdir(self, path, datasync, fh):
        with self.mu:
            self._check_alive()
            full = self._full(path)
            fd = os.open(full, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
                ino = os.fstat(fd).st_ino
            finally:
                os.close(fd)
            self.dir_sync[ino] = self._next_seq()
            return 0

    def mknod(self, path, mode, dev):
        with self.mu:
            self._check_alive()
            os.mknod(self._full(path), mode, dev)
            parent, name = self._split(path)
            ino = os.lstat(self._full(path)).st_ino
            if statmod.S_ISREG(mode):
                self.files[ino] = FileState(0, path)
            self._record('mknod', dirs=[self._dir_ino(parent)], parent=self._dir_ino(parent), name=name, path=path,
                         ino=ino, kind='file')

    def mkdir(self, path, mode):
        with self.mu:
            self._check_alive()
            os.mkdir(self._full(path), mode)
            parent, name = self._split(path)
            ino = os.lstat(self._full(path)).st_ino
            self._record('mkdir', dirs=[self._dir_ino(parent)], parent=self._dir_ino(parent), name=name, path=path,
                         ino=ino, kind='dir')

    def symlink(self, target, source):
        with self.mu:
            self._check_alive()
            os.symlink(source, self._full(target))
            parent, name = self._split(target)
            ino = os.lstat(self._full(target)).st_ino
            self._record('symlink', dirs=[self._dir_ino(parent)], parent=self._dir_ino(parent), name=name,
                         path=target, ino=ino, kind='file')

    def link(self, target, source):
        with self.mu:
            self._check_alive()
            os.link(self._full(source), self._full(target))
            parent, name = self._split(target)
            ino = os.lstat(self._full(target)).st_ino
            self._record('link', dirs=[self._dir_ino(parent)], parent=self._dir_ino(parent), name=name, path=target,
                         ino=ino, kind='file')

    def unlink(self, path):
        with self.mu:
            self._check_alive()
            full = self._full(path)
            parent, name = self._split(path)
            ino = os.lstat(full).st_ino
            parent_ino = self._dir_ino(parent)
            keep = self._trash_path()
            os.rename(full, keep)  # keeps the inode (and open handles) alive for an undo
            self._record('unlink', dirs=[parent_ino], parent=parent_ino, name=name, path=path, ino=ino, trash=keep)

    def rmdir(self, path):
        with self.mu:
            self._check_alive()
            full = self._full(path)
            parent, name = self._split(path)
            mode = os.lstat(full).st_mode
            parent_ino = self._dir_ino(parent)
            os.rmdir(full)
            self._record('rmdir', dirs=[parent_ino], parent=parent_ino, name=name, path=path, mode=mode)

    def rename(self, old, new):
        with self.mu:
            self._check_alive()
            fold, fnew = self._full(old), self._full(new)
            op, on = self._split(old)
            np_, nn = self._split(new)
            src_parent = self._dir_ino(op)
            dst_parent = self._dir_ino(np_)
            moved = os.lstat(fold).st_ino
            replaced = None
            try:
                target = os.lstat(fnew)
            except FileNotFoundError:
                target = None
            if target is not None and target.st_ino != moved:
                if statmod.S_ISDIR(target.st_mode):
                    replaced = {'dir_mode': target.st_mode}
                else:
                    keep = self._trash_path()
                    os.link(fnew, keep, follow_symlinks=False)
                    replaced = {'trash': keep, 'ino': target.st_ino}
            try:
                os.rename(fold, fnew)
            except OSError:
                if replaced and 'trash' in replaced:
                    os.unlink(replaced['trash'])
                raise
            dirs = [src_parent] if src_parent == dst_parent else [src_parent, dst_parent]
            self._record('rename', dirs=dirs, parent=src_parent, name=on, dst_parent=dst_parent, dst_name=nn,
                         path=old, to=new, ino=moved, replaced=replaced)

    # ---- the settle (journal commit) -----------------------------------------------------------

    def _not_durable(self):
        return [e for e in self.entries
                if not all(self.dir_sync.get(d, UNDO_ALWAYS_DIR_SYNCED) > e['seq'] for d in e['dirs'])]

    def settle(self):
        """Makes everything durable; returns what a cut just before would have lost."""
        with self.mu:
            self._check_alive()
            paths = self._walk()
            pending = self._not_durable()
            entries = []
            names = set()
            for entry in pending:
                item = {'op': entry['op'], 'path': entry['path']}
                if entry['op'] == 'rename':
                    item['to'] = entry['to']
                entries.append(item)
                if entry['op'] in ('create', 'mknod', 'mkdir', 'symlink', 'link', 'rename'):
                    name = entry['to'] if entry['op'] == 'rename' else entry['path']
                    try:
                        here = os.lstat(self._full(name)).st_ino == entry['ino']
                    except OSError:
                        here = False
                    if here:
                        names.add(name)
                    elif entry['op'] != 'link':  # moved since: wherever the inode is now
                        names.update(paths.get(entry['ino'], []))
            names.discard('/')
            top = sorted(n for n in names if not any(n.startswith(other + '/') for other in names))
            at_risk = []
            for name in top:
                full = self._full(name)
                is_dir = os.path.isdir(full) and not os.path.islink(full)
                inside = sum(len(d) + len(f) for _, d, f in os.walk(full)) if is_dir else 0
                at_risk.append({'path': name, 'kind': 'dir' if is_dir else 'file', 'entriesInside': inside})
            files = []
            for ino, st in list(self.files.items()):
                where = sorted(paths.get(ino, []))
                if not where:
                    del self.files[ino]
                    continue
                size = os.lstat(self._full(where[0])).st_size
                if st.dirty:
                    files.append({'path': where[0], 'syncedSize': st.synced_size, 'size': size,
                                  'unsyncedBytes': st.unsynced_bytes})
                st.synced_size = size
                st.saved = []
                st.unsynced_bytes = 0
                st.last = None
                st.dirty = False
            for entry in self.entries:
                for keep in (entry.get('trash'), (entry.get('replaced') or {}).get('trash')):
                    if keep:
                        try:
                            os.unlink(keep)
                        except OSError:
                            pass
            self.entries = []
            files.sort(key=lambda f: f['path'])
            return {'atRisk': at_risk, 'entries': entries, 'files': files}

    # ---- the power cut -------------------------------------------------------------------------

    def _walk(self):
        """ino -> list of paths (relative, '/'-rooted) for everything in B, plus dir ino -> path."""
        paths = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = dirpath[len(self.root):] or '/'
            try:
                paths.setdefault(os.lstat(dirpath).st_ino, []).append(rel)
            except OSError:
                pass
            for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                try:
                    ino = os.lstat(os.path.join(dirpath, name)).st_ino
                except OSError:
                    continue
                paths.setdefault(ino, []).append(os.path.join(rel, name))
        return paths

    def _resolve_dir(self, ino, cache):
        rel = cache.get('map', {}).get(ino)
        if rel is not None:
            try:
                if os.lstat(self._full(rel[0])).st_ino == ino:
                    return rel[0]
            except OSError:
                pass
        cache['map'] = self._walk()
        rel = cache['map'].get(ino)
        return rel[0] if rel else None

    def _undo(self, entry, cache, problems):
        op = entry['op']
        parent = self._resolve_dir(entry['parent'], cache)
        if parent is None:
            return  # its directory is gone (an undone mkdir): nothing left to undo in it
        here = self._full(os.path.join(parent, entry['name']))
        if op in ('create', 'mknod', 'symlink', 'link', 'mkdir'):
            try:
                st = os.lstat(here)
            except FileNotFoundError:
                return
            if st.st_ino != entry['ino']:
                problems.append('%s %s: a different inode sits there now; left alone' % (op, entry['path']))
                return
            if statmod.S_ISDIR(st.st_mode):
                shutil.rmtree(here)
            else:
                os.unlink(here)
        elif op == 'unlink':
            if os.path.lexists(here):
                problems.append('unlink %s: the name is taken again; overwriting' % entry['path'])
                if os.path.isdir(here) and not os.path.islink(here):
                    shutil.rmtree(here)
            os.rename(entry['trash'], here)
        elif op == 'rmdir':
            if not os.path.lexists(here):
                os.mkdir(here, statmod.S_IMODE(entry['mode']))
        elif op == 'rename':
            dst_parent = self._resolve_dir(entry['dst_parent'], cache)
            if dst_parent is None:
                problems.append('rename %s -> %s: destination directory is gone' % (entry['path'], entry['to']))
                return
            there = self._full(os.path.join(dst_parent, entry['dst_name']))
            try:
                st = os.lstat(there)
            except FileNotFoundError:
                st = None
            if st is None or st.st_ino != entry['ino']:
                problems.append('rename %s -> %s: the moved inode is no longer there' % (entry['path'], entry['to']))
            else:
                os.rename(there, here)
                cache.pop('map', None)
            replaced = entry.get('replaced')
            if replaced:
                if 'trash' in replaced:
                    os.rename(replaced['trash'], there)
                elif not os.path.lexists(there):
                    os.mkdir(there, statmod.S_IMODE(replaced['dir_mode']))
                cache.pop('map', None)

    def cut(self, loss, seed):
        with self.mu:
            self.dead = True
            problems = []
            undone = []
            for entry in self.entries:
                entry['durable'] = all(self.dir_sync.get(d, UNDO_ALWAYS_DIR_SYNCED) > entry['seq'] for d in entry['dirs'])
            cache = {}
            for entry in reversed(self.entries):
                if entry['durable']:
                    continue
                try:
                    self._undo(entry, cache, problems)
                except OSError as e:
                    problems.append('%s %s: %s' % (entry['op'], entry['path'], e))
                    cache.pop('map', None)
                item = {'op': entry['op'], 'path': entry['path'], 'undone': True}
                if entry['op'] == 'rename':
                    item['to'] = entry['to']
                    item['replaced'] = bool(entry.get('replaced'))
                undone.append(item)

            paths = self._walk()
            rng = random.Random(seed)
            files = []
            dirty = []
            for ino, st in self.files.items():
                if not st.dirty:
                    continue
                where = sorted(p for p in paths.get(ino, []))
                dirty.append((where[0] if where else st.last_path, bool(where), ino, st))
            dirty.sort(key=lambda item: item[0])
            for path, present, ino, st in dirty:
                record = {'path': path, 'syncedSize': st.synced_size, 'unsyncedBytes': st.unsynced_bytes}
                if not present:
                    record.update({'droppedBytes': st.unsynced_bytes, 'sizeBeforeCut': None, 'sizeAfterCut': None,
                                   'removed': True})
                    files.append(record)
                    continue
                full = self._full(path)
                fd = os.open(full, os.O_RDWR)
                try:
                    before = os.fstat(fd).st_size
                    os.ftruncate(fd, st.synced_size)
                    for start, data in st.saved:
                        os.pwrite(fd, data, start)
                    kept = 0
                    if loss == 'torn' and st.last is not None and st.last[0] == 'write' and len(st.last[2]) >= 2:
                        _, offset, data = st.last
                        kept = rng.randint(1, len(data) - 1)
                        os.pwrite(fd, data[:kept], offset)
                        record.update({'tornAt': offset + kept, 'tornOffset': offset, 'tornKept': kept,
                                       'tornWriteLength': len(data)})
                    after = os.fstat(fd).st_size
                finally:
                    os.close(fd)
                record.update({'droppedBytes': max(0, st.unsynced_bytes - kept), 'sizeBeforeCut': before,
                               'sizeAfterCut': after})
                files.append(record)
            return {
                'loss': loss,
                'seed': seed,
                'files': files,
                'entries': undone,
                'ops': dict(sorted(self.counts.items())),
                'problems': problems,
            }


def unmount(mount):
    for cmd in (['fusermount', '-u', '-z', mount], ['umount', '-l', mount]):
        try:
            if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10).returncode == 0:
                return True
        except (OSError, subprocess.TimeoutExpired):
            continue
    return False


def main():
    parser = argparse.ArgumentParser(description='FUSE passthrough that simulates a power cut on SIGUSR1')
    parser.add_argument('--backing', required=True)
    parser.add_argument('--mount', required=True)
    parser.add_argument('--report', required=True)
    parser.add_argument('--settle-report', help='where SIGUSR2 (the settle) writes what a cut would have lost')
    parser.add_argument('--loss', choices=['unsynced', 'torn'], default='unsynced')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--ready-timeout', type=float, default=20.0)
    parser.add_argument('--exit-with-parent', action='store_true',
                        help='unmount and exit (no cut) when the process that started lossfs dies')
    args = parser.parse_args()

    backing = os.path.realpath(args.backing)
    mount = os.path.realpath(args.mount)
    if not os.path.isdir(backing):
        sys.exit('lossfs: backing dir %s does not exist' % backing)
    trash = os.path.join(os.path.dirname(backing), '.lossfs-trash-%d' % os.getpid())
    os.makedirs(trash, exist_ok=True)
    fs = LossFS(backing, trash)

    def finish(code, report=None):
        # Runs on the watcher thread: the mount must be gone before the process exits.
        unmount(mount)
        shutil.rmtree(trash, ignore_errors=True)
        if report is not None:
            sys.stdout.write('lossfs cut: %d files, %d entries undone\n' % (len(report['files']), len(report['entries'])))
        sys.stdout.flush()
        os._exit(code)

    if args.exit_with_parent:
        # A harness that dies (even by SIGKILL) takes the mount with it: SIGTERM = unmount, no cut.
        try:
            import ctypes
            parent = os.getppid()
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:
                sys.exit('lossfs: parent exited during startup')
        except (OSError, AttributeError):
            pass

    rfd, wfd = os.pipe()
    os.set_blocking(wfd, False)
    for sig in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    signal.set_wakeup_fd(wfd)

    settles = [0]

    def watcher():
        while True:
            data = os.read(rfd, 1)
            if not data:
                return
            sig = data[0]
            if sig == signal.SIGUSR1:
                try:
                    report = fs.cut(args.loss, args.seed)
                    tmp = args.report + '.tmp'
                    with open(tmp, 'w') as out:
                        json.dump(report, out, indent=2)
                    os.replace(tmp, args.report)
                except BaseException as error:  # noqa: BLE001 - report and exit non-zero
                    sys.stderr.write('lossfs: power cut failed: %r\n' % (error,))
                    finish(1)
                finish(0, report)
            elif sig == signal.SIGUSR2:
                settles[0] += 1
                try:
                    if not args.settle_report:
                        raise ValueError('started without --settle-report')
                    report = fs.settle()
                    report['settle'] = settles[0]
                    tmp = args.settle_report + '.tmp'
                    with open(tmp, 'w') as out:
                        json.dump(report, out, indent=2)
                    os.replace(tmp, args.settle_report)
                    sys.stdout.write('lossfs settled %d\n' % settles[0])
                except BaseException as error:  # noqa: BLE001 - the harness reads the line and fails
                    sys.stdout.write('lossfs settle failed %d: %r\n' % (settles[0], error))
                sys.stdout.flush()
            elif sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                with fs.mu:
                    fs.dead = True
                finish(0)

    def ready():
        deadline = time.monotonic() + args.ready_timeout
        while time.monotonic() < deadline:
            try:
                if os.path.ismount(mount) and os.stat(mount) is not None:
                    sys.stdout.write('lossfs ready\n')
                    sys.stdout.flush()
                    return
            except OSError:
                pass
            time.sleep(0.02)
        sys.stderr.write('lossfs: mount did not answer within %.0f s\n' % args.ready_timeout)
        sys.stderr.flush()

    threading.Thread(target=watcher, daemon=True).start()
    threading.Thread(target=ready, daemon=True).start()
    try:
        FUSE(fs, mount, foreground=True, nothreads=False, default_permissions=True, big_writes=True,
             fsname='lossfs', subtype='lossfs')
    finally:
        # fuse_main returned (unmounted from outside, or SIGINT through libfuse's handler)
        unmount(mount)
        shutil.rmtree(trash, ignore_errors=True)


if __name__ == '__main__':
    main()
