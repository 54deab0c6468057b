/* tote: the station's command line. All logic is in libtote_station. */
#include "tote/cli.h"

int main(int argc, char **argv)
{
    return tote_cli_main(argc, argv);
}
