/* Private to security.c and security_keys.c. */
#ifndef TOTE_SECURITY_INTERNAL_H
#define TOTE_SECURITY_INTERNAL_H

/* malloc'd formatted sentence (at most 599 bytes), NULL if out of memory. */
char *security_dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Hands msg to *err_msg when err_msg is not NULL, else frees it. */
void security_set_err(char **err_msg, char *msg);

#endif
