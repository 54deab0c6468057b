/* Private: the verbs of the `tote` command line, one file cli_<verb>.c each. */
#ifndef TOTE_CLI_INTERNAL_H
#define TOTE_CLI_INTERNAL_H

#include "tote/cli.h"

/* Each verb gets argv[0] = the verb name, and argc counting it. */
#define TOTE_CLI_VERBS(X)                                                                \
    X(init, "create or upgrade the database")                                            \
    X(serve, "run the station (handheld ROUTER, PUB events, print spooler)")             \
    X(console, "supervisor console (terminal UI)")                                       \
    X(import, "import shopify-products|shopify-orders|stock|orders-json|locations FILE") \
    X(order, "list|show|release|hold|cancel|paid orders")                                \
    X(customer, "show a customer's history")                                             \
    X(stock, "list|check|adjust stock")                                                  \
    X(location, "list|add bins")                                                         \
    X(wave, "create|list waves and pick lists")                                          \
    X(reorder, "what to buy: products at or below their reorder point")                  \
    X(manifest, "the day's shipments")                                                   \
    X(label, "zpl|preview|reprint shipping labels")                                      \
    X(printer, "add|list|status printers (CUPS)")                                        \
    X(report, "reports: top-products, pickers, cycle-time, ...")                         \
    X(barcode, "parse DATA: what a scan means")                                          \
    X(device, "add|list|revoke|rekey handhelds and benches")                             \
    X(operator, "add|list|badge operators and their badge labels")                       \
    X(config, "get|set|list warehouse settings")

#define TOTE_CLI_DECLARE(name, help) int tote_cmd_##name(const tote_cli_ctx *ctx, int argc, char **argv);
TOTE_CLI_VERBS(TOTE_CLI_DECLARE)
#undef TOTE_CLI_DECLARE

#endif
