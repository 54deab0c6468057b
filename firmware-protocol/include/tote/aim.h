/*
 * AIM symbology identifiers (ISO/IEC 15424): "]" + code character + modifier,
 * sent by a scanner before the data ("]C1", "]E0", "]d2", "]Q3"...).
 * Pure functions: no I/O, no allocation; every returned string is static.
 */
#ifndef TOTE_AIM_H
#define TOTE_AIM_H

typedef enum tote_symbology {
    TOTE_SYM_UNKNOWN = 0,
    TOTE_SYM_CODE128,
    TOTE_SYM_GS1_128,
    TOTE_SYM_EAN13,
    TOTE_SYM_EAN8,
    TOTE_SYM_UPCA,
    TOTE_SYM_UPCE,
    TOTE_SYM_DATAMATRIX,
    TOTE_SYM_GS1_DATAMATRIX,
    TOTE_SYM_QR,
    TOTE_SYM_GS1_QR,
    TOTE_SYM_CODE39,
    TOTE_SYM_ITF,
    TOTE_SYM_GS1_DATABAR,
    TOTE_SYM_PDF417,
    TOTE_SYM_CODABAR,
    TOTE_SYM_CODE93,
    TOTE_SYM_AZTEC
} tote_symbology;

/*
 * Parses the AIM identifier in the first 3 characters of aim (a NUL-terminated
 * string, which may continue with data; NULL allowed). Returns the symbology,
 * or TOTE_SYM_UNKNOWN if aim does not start with an identifier this table
 * knows. If is_gs1 is not NULL, *is_gs1 is set to 1 when the identifier says
 * the data is a GS1 element string (FNC1 in first position: ]C1, ]d2, ]Q3,
 * ]e0-]e3, ]z1 (Aztec, unverified)), else 0.
 *
 * ]E0 (EAN-13, and UPC-A / UPC-E sent as 13 digits) gives TOTE_SYM_EAN13;
 * ]E3 (EAN/UPC with add-on) too; ]E4 gives TOTE_SYM_EAN8. The identifier
 * cannot tell UPC-A from EAN-13: tote_barcode_parse() refines that from the
 * data.
 */
tote_symbology tote_aim_parse(const char *aim, int *is_gs1);

/* Lower-case stable name: "code128", "gs1-128", "ean13", "ean8", "upca",
 * "upce", "datamatrix", "gs1-datamatrix", "qr", "gs1-qr", "code39", "itf",
 * "gs1-databar", "pdf417", "codabar", "code93", "aztec"; "unknown" for
 * TOTE_SYM_UNKNOWN or a value outside the enum. */
const char *tote_symbology_name(tote_symbology s);

/* Inverse of tote_symbology_name (exact, lower case); TOTE_SYM_UNKNOWN for a
 * name it does not know (or NULL). */
tote_symbology tote_symbology_from_name(const char *name);

/* The canonical AIM identifier a scanner sends for s ("]C0", "]C1", "]E0",
 * "]E4", "]d1", "]d2", "]Q1", "]Q3", "]A0", "]I0", "]e0", "]L2", "]F0",
 * "]G0", "]z0"); UPC-A and UPC-E give "]E0". "" for TOTE_SYM_UNKNOWN.
 * Lets a transport that knows the symbology by other means (e.g. a Zebra SSI
 * barcode type byte) hand it on in the same form. */
const char *tote_symbology_aim(tote_symbology s);

/* 1 if s is one of the GS1 symbologies (gs1-128, gs1-datamatrix, gs1-qr,
 * gs1-databar), else 0. */
int tote_symbology_is_gs1(tote_symbology s);

#endif
