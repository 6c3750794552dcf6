/*
 * Tests for auditor/secret.c: where the bind password comes from, and
 * that it is gone from the environment once read.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/secret.h"

static char *temp_file(const char *content)
{
	char *path = strdup("/tmp/privaudit-secret-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

Test(secret, reads_the_first_line_of_a_file)
{
	char *path = temp_file("s3cret pass\nsecond line\n");
	struct secret s = SECRET_INIT;
	struct error err = ERROR_INIT;

	unsetenv("PRIVAUDIT_PASSWORD");
	cr_assert_eq(secret_read(&s, path, false, "password", &err), 0, "%s", err.msg);
	cr_assert_str_eq(s.buf, "s3cret pass");
	cr_assert_eq(s.len, 11);
	secret_wipe(&s);
	cr_assert_null(s.buf);
	unlink(path);
	free(path);
}

Test(secret, crlf_and_no_final_newline)
{
	char *a = temp_file("pw1\r\n"), *b = temp_file("pw2");
	struct secret s = SECRET_INIT;
	struct error err = ERROR_INIT;

	cr_assert_eq(secret_read(&s, a, false, "password", &err), 0);
	cr_assert_str_eq(s.buf, "pw1");
	secret_wipe(&s);
	cr_assert_eq(secret_read(&s, b, false, "password", &err), 0);
	cr_assert_str_eq(s.buf, "pw2");
	secret_wipe(&s);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

Test(secret, empty_and_missing_files_are_input_errors)
{
	char *path = temp_file("\n");
	struct secret s = SECRET_INIT;
	struct error err = ERROR_INIT;

	cr_assert_eq(secret_read(&s, path, false, "password", &err), -1);
	cr_assert_eq(err.code, EXIT_INPUT);
	cr_assert_not_null(strstr(err.msg, "empty password file"), "%s", err.msg);
	cr_assert_null(s.buf);
	err = (struct error)ERROR_INIT;
	cr_assert_eq(secret_read(&s, "/nonexistent/pw", false, "password", &err), -1);
	cr_assert_str_eq(err.msg, "/nonexistent/pw: cannot open: No such file or directory");
	unlink(path);
	free(path);
}

Test(secret, environment_is_read_then_removed)
{
	struct secret s = SECRET_INIT;
	struct error err = ERROR_INIT;

	setenv("PRIVAUDIT_PASSWORD", "from-env", 1);
	cr_assert_eq(secret_read(&s, NULL, false, "password", &err), 0);
	cr_assert_str_eq(s.buf, "from-env");
	cr_assert_null(getenv("PRIVAUDIT_PASSWORD"), "the variable must not outlive the read");
	secret_wipe(&s);
}

Test(secret, nothing_to_read_without_a_prompt)
{
	struct secret s = SECRET_INIT;
	struct error err = ERROR_INIT;

	unsetenv("PRIVAUDIT_PASSWORD");
	cr_assert_eq(secret_read(&s, NULL, false, "password", &err), 0);
	cr_assert_null(s.buf);
}
