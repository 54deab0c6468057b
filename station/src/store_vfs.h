/*
 * The store's VFS (store_vfs.c): SQLite's default VFS with one change, a
 * WAL file's writes are gathered in memory and handed to the file in a few
 * large writes per commit. Internal to the station library.
 */
#ifndef TOTE_STORE_VFS_H
#define TOTE_STORE_VFS_H

/* Registers the VFS once (thread-safe) and returns its name for
 * sqlite3_open_v2(), or NULL if it could not be registered (the caller then
 * opens with SQLite's default VFS). */
const char *store_vfs_name(void);

/* Process-wide counts since start, for tests and benches: xWrite calls
 * SQLite made on WAL files, and the writes that reached the files. */
void store_vfs_counts(long long *wal_writes, long long *file_writes);

#endif
