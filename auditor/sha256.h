/*
 * SHA-256 (FIPS 180-4) of a byte string, as lowercase hex: the policy's
 * fingerprint in reports, so that an auditor can tell which policy file an
 * audit applied. Leaf utility: includes nothing from the core.
 */
#ifndef PRIVAUDIT_SHA256_H
#define PRIVAUDIT_SHA256_H

#include <stddef.h>

/* Write the 64 hex digits of SHA-256(data[0..len)) and a NUL into out. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
