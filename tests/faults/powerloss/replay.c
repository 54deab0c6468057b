/*
 * powerloss_replay: looks into a power-loss journal (journal.h) and rebuilds
 * the database as a power cut would leave it. For debugging a failure the
 * power-loss test reports:
 *
 *   powerloss_replay list JOURNAL
 *   powerloss_replay rebuild JOURNAL CRASH keep|drop|random|torn SEED OUT.db
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

static int usage(void)
{
    fprintf(stderr, "usage: powerloss_replay list JOURNAL\n"
                    "       powerloss_replay rebuild JOURNAL CRASH keep|drop|random|torn SEED OUT.db\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    pl_journal *j = pl_journal_load(argv[2]);
    if (!j) {
        fprintf(stderr, "powerloss_replay: cannot read the journal %s\n", argv[2]);
        return 1;
    }
    static const char *types[] = {"?", "write", "sync", "trunc", "unlink", "mark"};
    static const char *files[] = {"db", "wal", "journal"};
    int rc = 0;
    if (strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < pl_journal_count(j); i++) {
            const pl_rec *r = pl_journal_rec(j, i);
            printf("%6zu pid %-7u %-6s %-7s", i, r->pid, r->type <= PL_MARK ? types[r->type] : "?",
                   r->file < PL_NFILES ? files[r->file] : "-");
            if (r->type == PL_WRITE)
                printf(" off %lld len %u", (long long)r->off, r->len);
            else if (r->type == PL_TRUNC)
                printf(" to %lld", (long long)r->off);
            else if (r->type == PL_MARK)
                printf(" %.*s", (int)r->len, (const char *)r->data);
            printf("\n");
        }
    } else if (strcmp(argv[1], "rebuild") == 0 && argc == 7) {
        pl_mode mode = PL_KEEP;
        for (int m = 0; m <= PL_TORN; m++)
            if (strcmp(argv[4], pl_mode_name((pl_mode)m)) == 0)
                mode = (pl_mode)m;
        if (pl_rebuild(j, strtoull(argv[3], NULL, 10), mode, strtoull(argv[5], NULL, 10), argv[6]) != 0) {
            fprintf(stderr, "powerloss_replay: cannot write %s\n", argv[6]);
            rc = 1;
        }
    } else {
        rc = usage();
    }
    pl_journal_free(&j);
    return rc;
}
