#include "tote/handheld.h"

const char *tote_hh_strerror(tote_hh_err err)
{
    switch (err) {
#define TOTE_HH_ERR_TEXT(name, value, text) \
    case TOTE_HH_E_##name:                  \
        return text;
        TOTE_HH_ERRNO_MAP(TOTE_HH_ERR_TEXT)
#undef TOTE_HH_ERR_TEXT
    }
    return "unknown error";
}
