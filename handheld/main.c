/* tote-handheld: one per scanner. All logic is in libtote_handheld. */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tote-handheld: not built yet\n");
    return 1;
}
