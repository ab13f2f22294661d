/* Writing results (netpolc.h: npc_write_file, npc_write_stream,
 * npc_make_dir): whole or
 * not at all, and a coded diagnostic when the system refuses. */
/* realpath() is XSI */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/diag.h"

static npc_status write_failed(npc_ctx *ctx, const char *name, int err)
{
    npc_loc none = {NULL, 0, 0};
    npc_error(ctx, NPC010, none, "cannot write %s: %s", *name ? name : "'' (an empty file name)",
              strerror(err));
    return NPC_ERR_IO;
}

npc_status npc_write_stream(npc_ctx *ctx, FILE *f, const char *name, const npc_buf *b)
{
    errno = 0;
    if ((b->len && fwrite(b->data, 1, b->len, f) != b->len) || fflush(f) != 0)
        return write_failed(ctx, name, errno ? errno : EIO);
    return NPC_OK;
}

/* Writes all of b to fd; returns 0 or an errno value. */
static int write_all(int fd, const npc_buf *b)
{
    size_t done = 0;
    while (done < b->len) {
        ssize_t n = write(fd, b->data + done, b->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        done += (size_t)n;
    }
    return 0;
}

/* A device, a pipe or a terminal: there is nothing to rename over. */
static npc_status write_in_place(npc_ctx *ctx, const char *path, const npc_buf *b)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        return write_failed(ctx, path, errno);
    int err = write_all(fd, b);
    if (close(fd) != 0 && !err)
        err = errno;
    return err ? write_failed(ctx, path, err) : NPC_OK;
}

npc_status npc_write_file(npc_ctx *ctx, const char *path, const npc_buf *b)
{
    if (strcmp(path, "-") == 0)
        return npc_write_stream(ctx, stdout, "standard output", b);
    struct stat st, lst;
    int exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode))
            return write_failed(ctx, path, EISDIR);
        return write_in_place(ctx, path, b);
    }
    /* A symbolic link keeps naming the file it names: replace that one. */
    char *real = NULL;
    if (exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
        real = realpath(path, NULL);
    const char *target = real ? real : path;
    /* The temporary file sits next to the target (a rename does not cross
     * file systems) and is created with O_EXCL, so the umask applies and no
     * other file is ever overwritten; a replaced file keeps its mode. */
    const char *slash = strrchr(target, '/');
    size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
    npc_buf tmp = NPC_BUF_INIT;
    int fd = -1;
    for (unsigned attempt = 0; attempt < 100 && fd < 0; attempt++) {
        npc_buf_reset(&tmp);
        npc_buf_append(&tmp, target, dirlen);
        npc_buf_printf(&tmp, ".%s.%ld.%u.tmp", target + dirlen, (long)getpid(), attempt);
        fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    int err = fd < 0 ? errno : write_all(fd, b);
    if (fd >= 0) {
        if (!err && exists && fchmod(fd, st.st_mode & 07777) != 0)
            err = errno;
        if (!err && fsync(fd) != 0)
            err = errno;
        if (close(fd) != 0 && !err)
            err = errno;
        if (!err && rename(tmp.data, target) != 0)
            err = errno;
        if (err)
            unlink(tmp.data);
    }
    npc_buf_free(&tmp);
    free(real);
    return err ? write_failed(ctx, path, err) : NPC_OK;
}

npc_status npc_make_dir(npc_ctx *ctx, const char *path)
{
    npc_buf p = NPC_BUF_INIT;
    npc_buf_puts(&p, path);
    int err = p.len ? 0 : ENOENT;
    if (err)
        npc_buf_putc(&p, '\0'); /* names the empty folder in the message */
    /* each folder from the top down; the last one is path itself */
    for (size_t i = 1; i <= p.len && !err; i++) {
        if (i < p.len && p.data[i] != '/')
            continue;
        char c = i < p.len ? p.data[i] : '\0';
        if (i < p.len)
            p.data[i] = '\0';
        struct stat st;
        if (mkdir(p.data, 0777) != 0 && errno != EEXIST)
            err = errno;
        else if (stat(p.data, &st) != 0)
            err = errno;
        else if (!S_ISDIR(st.st_mode))
            err = ENOTDIR;
        if (err)
            break;
        if (i < p.len)
            p.data[i] = c;
    }
    if (err) {
        npc_loc none = {NULL, 0, 0};
        npc_error(ctx, NPC010, none, "cannot create the folder '%s': %s", p.data, strerror(err));
    }
    npc_buf_free(&p);
    return err ? NPC_ERR_IO : NPC_OK;
}
