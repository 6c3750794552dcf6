/*
 * What the accounts family exports besides its family symbol: the
 * password-in-description matcher, so that it can be tested on its own.
 */
#ifndef PRIVAUDIT_ACCOUNTS_H
#define PRIVAUDIT_ACCOUNTS_H

#include <stdbool.h>

/*
 * Whether text holds a password keyword followed by ':' '=' or U+FF1A and
 * a token of at least 4 non-space characters; *keyword (if not NULL) gets
 * the keyword matched (static).
 */
bool acct_password_match(const char *text, const char **keyword);

#endif
