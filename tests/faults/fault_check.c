/*
 * fault_check: holds a Tote database to the acknowledgement logs of
 * simulated handhelds (faults.h). For soak scripts and by hand:
 *
 *   fault_check --db tote.db [--final] [LOG.jsonl...]
 *
 * Prints each broken invariant; exit 0 when all hold, 1 when not, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"

int main(int argc, char **argv)
{
    const char *db = NULL;
    int flags = 0;
    fa_acks acks = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (strcmp(argv[i], "--final") == 0)
            flags |= FA_FINAL;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: fault_check --db DB [--final] [LOG...]\n");
            return 2;
        } else if (fa_acks_load(&acks, argv[i]) < 0) {
            fprintf(stderr, "fault_check: cannot read %s\n", argv[i]);
            return 2;
        }
    }
    if (!db) {
        fprintf(stderr, "usage: fault_check --db DB [--final] [LOG...]\n");
        return 2;
    }
    long p = fa_check(db, &acks, flags, stdout);
    printf("fault_check: %zu acknowledgements, %ld violations logged by handhelds, %ld invariant(s) broken\n",
           acks.n, acks.violations, p);
    int rc = p == 0 && acks.violations == 0 ? 0 : 1;
    fa_acks_free(&acks);
    return rc;
}
