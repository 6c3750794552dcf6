/*
 * Message translation (gettext, text domain "privaudit"). _() translates a
 * string where it is shown; N_() only marks a string in a static table for
 * xgettext, which is then translated with _() where it is shown. Only what
 * a person reads is translated: the JSON report, check ids, finding
 * messages and reasons stored in the audit stay English, so that a JSON
 * report is byte-identical whatever the language (po/README).
 */
#ifndef PRIVAUDIT_I18N_H
#define PRIVAUDIT_I18N_H

#include <libintl.h>

#define PRIVAUDIT_TEXTDOMAIN "privaudit"

#define _(s) gettext(s)
#define N_(s) s

#endif
