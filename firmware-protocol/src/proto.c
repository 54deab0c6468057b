#include "tote/proto.h"

const char *tote_proto_strerror(tote_proto_err err)
{
    switch (err) {
#define TOTE_PROTO_ERR_TEXT(name, value, text) \
    case TOTE_PROTO_E_##name:                  \
        return text;
        TOTE_PROTO_ERRNO_MAP(TOTE_PROTO_ERR_TEXT)
#undef TOTE_PROTO_ERR_TEXT
    }
    return "unknown error";
}

const char *tote_proto_errname(tote_proto_err err)
{
    switch (err) {
#define TOTE_PROTO_ERR_NAME(name, value, text) \
    case TOTE_PROTO_E_##name:                  \
        return #name;
        TOTE_PROTO_ERRNO_MAP(TOTE_PROTO_ERR_NAME)
#undef TOTE_PROTO_ERR_NAME
    }
    return "UNKNOWN";
}
