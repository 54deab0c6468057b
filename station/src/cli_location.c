/* tote location — not built yet; see the open issues. */
#include "cli_internal.h"

int tote_cmd_location(const tote_cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    return tote_cli_fail(TOTE_EXIT_FAIL, "'tote location' is not implemented yet");
}
