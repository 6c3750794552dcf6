/*
 * JUnit XML for CI dashboards (GitLab, Jenkins, GitHub test reporters),
 * `privaudit audit --junit FILE`. The shape is the common Jenkins one
 * (tests/data/junit.xsd):
 *
 *   <testsuites name="privaudit" tests= failures= errors= skipped= time=>
 *     <testsuite name="privaudit" ... timestamp="evaluated_at">
 *       <properties> domain, domain_sid, evaluated_at, fail_on, verdict,
 *                    policy, policy_sha256 </properties>
 *       <testcase classname="FAMILY" name="CHECK-ID" time="SECONDS">
 *         <failure message="N unwaived findings" type="SEVERITY">one line
 *           per unwaived finding</failure>          (its unwaived findings)
 *         <skipped message="disabled by the policy"/>        (disabled)
 *         <error message="REASON" type="unknown"/>  (could not be evaluated)
 *         <system-out>one line per waived finding</system-out>
 *       </testcase>  (one per check, registry order)
 *       <system-out>the verdict line</system-out>
 *     </testsuite>
 *   </testsuites>
 *
 * A testcase fails on any unwaived finding, whatever its severity: the
 * gate (fail_on) is the exit code's business, and is given as properties.
 * Every string is XML-escaped; characters XML 1.0 forbids (C0 controls
 * other than tab, newline and carriage return, U+FFFE, U+FFFF) are
 * dropped and invalid UTF-8 replaced by U+FFFD.
 */
#ifndef PRIVAUDIT_JUNIT_H
#define PRIVAUDIT_JUNIT_H

#include <stdio.h>

struct audit;
struct error;

/*
 * Write the JUnit XML of a finished audit to path ("-" is stdout),
 * atomically (auditor/outfile.h). On error: -1 and err EXIT_REPORT, the
 * previous file untouched.
 */
int report_junit_write(const struct audit *a, const char *path, struct error *err);

/* The same to an open stream (no atomicity; the caller checks ferror). */
void report_junit_stream(FILE *out, const struct audit *a);

#endif
