/*
 * privaudit's exit codes: the contract with CI pipelines. Documented in the
 * README and in --help; tests keep the three in step.
 */
#ifndef PRIVAUDIT_EXITCODE_H
#define PRIVAUDIT_EXITCODE_H

enum {
	EXIT_PASS = 0,     /* the gate passed */
	EXIT_GATE = 1,     /* an unwaived finding at or above gate.fail_on */
	EXIT_INPUT = 2,    /* usage, policy or input (LDIF, CSV) error */
	EXIT_LDAP = 3,     /* the directory could not be read over LDAP */
	EXIT_REPORT = 4,   /* a report could not be written */
};

#endif
