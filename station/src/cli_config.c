/* tote config — not built yet; see the open issues. */
#include "cli_internal.h"

int tote_cmd_config(const tote_cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    (void)argv;
    return tote_cli_fail(TOTE_EXIT_FAIL, "'tote config' is not implemented yet");
}
