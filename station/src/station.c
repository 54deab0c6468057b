#include "tote/station.h"

const char *tote_st_strerror(tote_st_err err)
{
    switch (err) {
#define TOTE_ST_ERR_TEXT(name, value, text) \
    case TOTE_ST_E_##name:                  \
        return text;
        TOTE_ST_ERRNO_MAP(TOTE_ST_ERR_TEXT)
#undef TOTE_ST_ERR_TEXT
    }
    return "unknown error";
}
