#include "tote/labels.h"

const char *tote_lb_strerror(tote_lb_err err)
{
    switch (err) {
#define TOTE_LB_ERR_TEXT(name, value, text) \
    case TOTE_LB_E_##name:                  \
        return text;
        TOTE_LB_ERRNO_MAP(TOTE_LB_ERR_TEXT)
#undef TOTE_LB_ERR_TEXT
    }
    return "unknown error";
}
