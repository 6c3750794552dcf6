/*
 * Tests for auditor/ldif.c, the LDIF reader. Records are captured by a
 * callback that copies each raw entry, so the tests see exactly what the
 * reader hands to the directory. Error tests assert the whole message:
 * "NAME:LINE:COLUMN: text", for both entry points (ldif_read on a stream
 * and ldif_load_mem on a buffer), which must agree.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../auditor/dir.h"
#include "../../auditor/error.h"
#include "../../auditor/exitcode.h"
#include "../../auditor/ldif.h"
#include "../../auditor/sbuf.h"
#include "../../auditor/xalloc.h"

/* ---- a recorder: copies of the raw entries the reader delivers --------- */

#define MAX_ENTRIES 16
#define MAX_ATTRS 48

struct rec_attr {
	char *name;
	char *val;   /* NUL-terminated copy; len may include inner NULs */
	size_t len;
	size_t line, col;
};

struct rec_entry {
	char *dn;
	char *origin;
	size_t line;
	struct rec_attr attrs[MAX_ATTRS];
	size_t nattrs;
};

struct recorder {
	struct rec_entry e[MAX_ENTRIES];
	size_t n;
	int fail_at;  /* 1-based entry on which the callback fails; 0: never */
};

static int record(void *data, const struct raw_entry *e, struct error *err)
{
	struct recorder *r = data;
	struct rec_entry *re;

	if (r->fail_at && (size_t)r->fail_at == r->n + 1)
		return error_set(err, EXIT_INPUT, "callback refused \"%s\"", e->dn);
	cr_assert_lt(r->n, MAX_ENTRIES, "too many entries for the recorder");
	re = &r->e[r->n++];
	re->dn = xstrdup(e->dn);
	re->origin = xstrdup(e->origin);
	re->line = e->line;
	re->nattrs = 0;
	for (size_t i = 0; i < e->nattrs; i++) {
		/* every name comes with the length of its part before the options */
		cr_expect_eq(e->attrs[i].base_len, strcspn(e->attrs[i].name, ";"),
			     "base_len of \"%s\"", e->attrs[i].name);
		for (size_t j = 0; j < e->attrs[i].nvals; j++) {
			struct rec_attr *a = &re->attrs[re->nattrs++];

			cr_assert_leq(re->nattrs, MAX_ATTRS, "too many attributes for the recorder");
			a->name = xstrdup(e->attrs[i].name);
			a->len = e->attrs[i].vals[j].len;
			a->val = xmalloc(a->len + 1);
			memcpy(a->val, e->attrs[i].vals[j].val, a->len);
			a->val[a->len] = '\0';
			a->line = e->attrs[i].line;
			a->col = e->attrs[i].col;
		}
	}
	return 0;
}

static void recorder_free(struct recorder *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->e[i].dn);
		free(r->e[i].origin);
		for (size_t k = 0; k < r->e[i].nattrs; k++) {
			free(r->e[i].attrs[k].name);
			free(r->e[i].attrs[k].val);
		}
	}
	r->n = 0;
}

/* Read len bytes of text through ldif_read on a memory stream. */
static int read_buf(const char *text, size_t len, struct recorder *r, struct error *err)
{
	FILE *fp = fmemopen((void *)text, len, "r");
	int rc;

	cr_assert_not_null(fp, "fmemopen failed");
	rc = ldif_read(fp, "t.ldif", record, r, err);
	fclose(fp);
	return rc;
}

/* Read text that must be accepted; returns the recorder. */
static void read_ok_n(const char *text, size_t len, struct recorder *r)
{
	struct error err = ERROR_INIT;

	memset(r, 0, sizeof(*r));
	cr_assert_eq(read_buf(text, len, r, &err), 0, "rejected: %s", err.msg);
	cr_assert_eq(err.code, 0);
}

static void read_ok(const char *text, struct recorder *r)
{
	read_ok_n(text, strlen(text), r);
}

/* The nth attribute named name (0-based among those), or NULL. */
static const struct rec_attr *attr(const struct rec_entry *e, const char *name, size_t nth)
{
	for (size_t i = 0; i < e->nattrs; i++)
		if (strcmp(e->attrs[i].name, name) == 0 && nth-- == 0)
			return &e->attrs[i];
	return NULL;
}

static size_t count_attr(const struct rec_entry *e, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nattrs; i++)
		n += strcmp(e->attrs[i].name, name) == 0;
	return n;
}

static void expect_value(const struct rec_entry *e, const char *name, const char *val)
{
	const struct rec_attr *a = attr(e, name, 0);

	cr_assert_not_null(a, "no attribute %s in %s", name, e->dn);
	cr_expect_eq(a->len, strlen(val), "%s: length %zu, expected %zu (\"%s\")", name, a->len,
		     strlen(val), a->val);
	cr_expect_str_eq(a->val, val);
}

/*
 * text (len bytes) must be rejected with exactly msg, through both entry
 * points: a stream (ldif_read) and memory (ldif_load_mem into a directory).
 */
static void expect_error_n(const char *text, size_t len, const char *msg)
{
	struct recorder r = { 0 };
	struct error err = ERROR_INIT, err2 = ERROR_INIT;
	struct dir d;
	int rc;

	rc = read_buf(text, len, &r, &err);
	cr_expect_eq(rc, -1, "ldif_read accepted the input; expected \"%s\"", msg);
	cr_expect_eq(err.code, EXIT_INPUT, "ldif_read: code %d (%s)", err.code, err.msg);
	cr_expect_str_eq(err.msg, msg, "ldif_read");
	recorder_free(&r);

	dir_init(&d, NULL, 0);
	rc = ldif_load_mem(&d, text, len, "t.ldif", &err2);
	cr_expect_eq(rc, -1, "ldif_load_mem accepted the input; expected \"%s\"", msg);
	cr_expect_eq(err2.code, EXIT_INPUT, "ldif_load_mem: code %d (%s)", err2.code, err2.msg);
	cr_expect_str_eq(err2.msg, msg, "ldif_load_mem");
	dir_release(&d);
}

static void expect_error(const char *text, const char *msg)
{
	expect_error_n(text, strlen(text), msg);
}

/* ---- records, version line, comments ----------------------------------- */

Test(ldif, reads_records_in_order_with_dn_and_lines)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n"
		"cn: a\n"
		"\n"
		"dn: CN=b,DC=x\n"
		"cn: b\n"
		"sn: bee\n",
		&r);
	cr_assert_eq(r.n, 2);
	cr_expect_str_eq(r.e[0].dn, "CN=a,DC=x");
	cr_expect_str_eq(r.e[0].origin, "t.ldif");
	cr_expect_eq(r.e[0].line, 1);
	cr_expect_eq(r.e[0].nattrs, 1, "the dn line is not an attribute");
	expect_value(&r.e[0], "cn", "a");
	cr_expect_str_eq(r.e[1].dn, "CN=b,DC=x");
	cr_expect_eq(r.e[1].line, 4);
	cr_expect_eq(r.e[1].nattrs, 2);
	expect_value(&r.e[1], "sn", "bee");
	/* where each value starts: line 6, after "sn: " */
	cr_expect_eq(attr(&r.e[1], "sn", 0)->line, 6);
	cr_expect_eq(attr(&r.e[1], "sn", 0)->col, 5);
	recorder_free(&r);
}

Test(ldif, empty_input_gives_no_records)
{
	struct recorder r;

	read_ok("", &r);
	cr_expect_eq(r.n, 0);
	read_ok("\n\n# only a comment\n\n", &r);
	cr_expect_eq(r.n, 0);
}

Test(ldif, version_line_is_accepted)
{
	struct recorder r;

	read_ok("version: 1\n"
		"\n"
		"dn: CN=a,DC=x\n"
		"cn: a\n",
		&r);
	cr_assert_eq(r.n, 1);
	cr_expect_eq(r.e[0].line, 3);
	cr_expect_null(attr(&r.e[0], "version", 0));
	recorder_free(&r);
}

Test(ldif, version_line_after_a_comment_is_accepted)
{
	struct recorder r;

	read_ok("# exported by ldapsearch\n"
		"version: 1\n"
		"\n"
		"dn: CN=a,DC=x\n"
		"cn: a\n",
		&r);
	cr_assert_eq(r.n, 1);
	recorder_free(&r);
}

Test(ldif, version_other_than_1_is_rejected)
{
	expect_error("version: 2\n\ndn: CN=a,DC=x\n", "t.ldif:1:10: unsupported LDIF version");
}

Test(ldif, version_after_the_first_record_is_not_a_version_line)
{
	expect_error("dn: CN=a,DC=x\ncn: a\n\nversion: 1\n",
		     "t.ldif:4:1: a record must start with \"dn:\"");
}

Test(ldif, comments_are_skipped_inside_and_between_records)
{
	struct recorder r;

	read_ok("# header comment\n"
		"dn: CN=a,DC=x\n"
		"# a comment inside the record\n"
		"cn: a\n"
		"#description: not an attribute\n"
		"\n"
		"# between records\n"
		"dn: CN=b,DC=x\n"
		"cn: b\n",
		&r);
	cr_assert_eq(r.n, 2);
	cr_expect_eq(r.e[0].nattrs, 1);
	cr_expect_null(attr(&r.e[0], "description", 0));
	cr_expect_eq(r.e[1].nattrs, 1);
	recorder_free(&r);
}

Test(ldif, folded_comment_is_skipped_whole)
{
	struct recorder r;

	read_ok("# a long comment that ldapsearch folded\n"
		" description: this continuation belongs to the comment\n"
		"dn: CN=a,DC=x\n"
		"# another folded comment\n"
		" cn: not-an-attribute\n"
		"cn: a\n",
		&r);
	cr_assert_eq(r.n, 1);
	cr_expect_eq(r.e[0].nattrs, 1);
	expect_value(&r.e[0], "cn", "a");
	recorder_free(&r);
}

/* ---- folding, base64, line ends ---------------------------------------- */

Test(ldif, folded_value_drops_exactly_one_leading_space)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n"
		"description: hello\n"
		"  world\n"
		" !\n",
		&r);
	cr_assert_eq(r.n, 1);
	expect_value(&r.e[0], "description", "hello world!");
	recorder_free(&r);
}

Test(ldif, folded_dn_is_joined)
{
	struct recorder r;

	read_ok("dn: CN=Alice Smith,OU=Us\n"
		" ers,DC=corp,DC=exam\n"
		" ple,DC=test\n"
		"cn: Alice Smith\n",
		&r);
	cr_assert_eq(r.n, 1);
	cr_expect_str_eq(r.e[0].dn, "CN=Alice Smith,OU=Users,DC=corp,DC=example,DC=test");
	cr_expect_eq(r.e[0].line, 1);
	recorder_free(&r);
}

Test(ldif, folded_attribute_name_is_joined)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n"
		"sAMAccount\n"
		" Name: alice\n",
		&r);
	cr_assert_eq(r.n, 1);
	expect_value(&r.e[0], "sAMAccountName", "alice");
	recorder_free(&r);
}

Test(ldif, base64_utf8_value_is_decoded)
{
	struct recorder r;

	/* "山田 太郎の説明" */
	read_ok("dn: CN=a,DC=x\n"
		"description:: 5bGx55SwIOWkqumDjuOBruiqrOaYjg==\n",
		&r);
	cr_assert_eq(r.n, 1);
	expect_value(&r.e[0], "description", "山田 太郎の説明");
	recorder_free(&r);
}

Test(ldif, base64_folded_value_is_decoded)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n"
		"description:: 5bGx55SwIOWkqumDjuOB\n"
		" ruiqrOaYjg==\n",
		&r);
	cr_assert_eq(r.n, 1);
	expect_value(&r.e[0], "description", "山田 太郎の説明");
	recorder_free(&r);
}

Test(ldif, base64_binary_sid_keeps_every_byte)
{
	static const unsigned char sid[] = {
		1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xf4, 1, 0, 0,
	};
	struct recorder r;
	const struct rec_attr *a;

	read_ok("dn: CN=Administrator,CN=Users,DC=x\n"
		"objectSid:: AQUAAAAAAAUVAAAAAQAAAAIAAAADAAAA9AEAAA==\n",
		&r);
	cr_assert_eq(r.n, 1);
	a = attr(&r.e[0], "objectSid", 0);
	cr_assert_not_null(a);
	cr_assert_eq(a->len, sizeof(sid));
	cr_expect_eq(memcmp(a->val, sid, sizeof(sid)), 0);
	recorder_free(&r);
}

Test(ldif, base64_dn_is_decoded)
{
	struct recorder r;

	read_ok("dn:: Q0495bGx55SwLENOPVVzZXJzLERDPWNvcnAsREM9ZXhhbXBsZSxEQz10ZXN0\n"
		"cn:: 5bGx55Sw\n",
		&r);
	cr_assert_eq(r.n, 1);
	cr_expect_str_eq(r.e[0].dn, "CN=山田,CN=Users,DC=corp,DC=example,DC=test");
	expect_value(&r.e[0], "cn", "山田");
	recorder_free(&r);
}

Test(ldif, base64_dn_with_a_nul_byte_is_rejected)
{
	/* "CN=a\0b,DC=x": cut at the NUL it would be another entry's DN */
	expect_error("dn:: Q049YQBiLERDPXg=\ncn: a\n", "t.ldif:1:6: NUL byte in the DN");
	expect_error("dn: CN=z,DC=x\n\ndn:: Q049YQBiLERDPXg=\n", "t.ldif:3:6: NUL byte in the DN");
}

Test(ldif, base64_without_padding_is_rejected)
{
	/* "QUJ" is 3 characters: not a multiple of 4 */
	expect_error("dn: CN=a,DC=x\ndescription:: QUJ\n",
		     "t.ldif:2:18: invalid base64 value");
}

Test(ldif, base64_bad_character_is_reported_at_its_column)
{
	/* '!' is the 4th character of the value, which starts at column 15 */
	expect_error("dn: CN=a,DC=x\ndescription:: abc!defg\n",
		     "t.ldif:2:18: invalid base64 value");
	/* data after padding */
	expect_error("dn: CN=a,DC=x\ndescription:: QQ=A\n",
		     "t.ldif:2:18: invalid base64 value");
}

/*
 * Every length of value (every remainder of three, and past the quanta
 * decoded four digits at a time) decodes to its bytes; a bad digit at any
 * place of a value is reported at its own column.
 */
Test(ldif, base64_values_of_every_length_and_bad_digits_anywhere)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned seed = 7;

	for (size_t len = 1; len <= 40; len++) {
		unsigned char bytes[40];
		char text[160], b64[64], msg[64];
		size_t k = 0, n;
		struct recorder r;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			bytes[i] = (unsigned char)(seed >> 16);
		}
		for (size_t i = 0; i < len; i += 3) {
			unsigned w = (unsigned)bytes[i] << 16 |
				     (i + 1 < len ? (unsigned)bytes[i + 1] << 8 : 0) |
				     (i + 2 < len ? bytes[i + 2] : 0);

			b64[k++] = digits[w >> 18 & 63];
			b64[k++] = digits[w >> 12 & 63];
			b64[k++] = i + 1 < len ? digits[w >> 6 & 63] : '=';
			b64[k++] = i + 2 < len ? digits[w & 63] : '=';
		}
		b64[k] = '\0';
		n = (size_t)snprintf(text, sizeof(text), "dn: CN=a,DC=x\ndescription:: %s\n", b64);
		read_ok_n(text, n, &r);
		cr_assert_eq(r.e[0].attrs[0].len, len, "length %zu", len);
		cr_assert_eq(memcmp(r.e[0].attrs[0].val, bytes, len), 0, "length %zu", len);
		recorder_free(&r);
		/* a bad digit in place of each digit before the padding */
		for (size_t at = 0; at < k && b64[at] != '='; at++) {
			char saved = b64[at];

			b64[at] = '!';
			snprintf(text, sizeof(text), "dn: CN=a,DC=x\ndescription:: %s\n", b64);
			snprintf(msg, sizeof(msg), "t.ldif:2:%zu: invalid base64 value", at + 15);
			expect_error(text, msg);
			b64[at] = saved;
		}
	}
}

/*
 * The position of a bad character in a folded value must be where it is in
 * the file (line 3, column 6 here), not an offset into the unfolded line
 * (line 2, column 23, which does not exist on line 2).
 */
Test(ldif, base64_error_in_a_continuation_line_points_at_the_physical_position)
{
	expect_error("dn: CN=a,DC=x\n"
		     "description:: QUJD\n"
		     " REVG!\n",
		     "t.ldif:3:6: invalid base64 value");
}

Test(ldif, crlf_line_ends_are_accepted)
{
	struct recorder r;

	read_ok("version: 1\r\n"
		"\r\n"
		"dn: CN=Alice,OU=Us\r\n"
		" ers,DC=x\r\n"
		"description: one\r\n"
		"  two\r\n"
		"cn: Alice\r\n"
		"\r\n"
		"dn: CN=b,DC=x\r\n"
		"cn: b\r\n",
		&r);
	cr_assert_eq(r.n, 2);
	cr_expect_str_eq(r.e[0].dn, "CN=Alice,OU=Users,DC=x");
	expect_value(&r.e[0], "description", "one two");
	expect_value(&r.e[0], "cn", "Alice");
	expect_value(&r.e[1], "cn", "b");
	recorder_free(&r);
}

/* ---- changetype, values, names ----------------------------------------- */

Test(ldif, changetype_add_is_accepted_and_not_an_attribute)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n"
		"changetype: add\n"
		"cn: a\n",
		&r);
	cr_assert_eq(r.n, 1);
	cr_expect_eq(r.e[0].nattrs, 1);
	cr_expect_null(attr(&r.e[0], "changetype", 0));
	recorder_free(&r);
}

Test(ldif, changetype_modify_is_rejected)
{
	expect_error("dn: CN=a,DC=x\n"
		     "changetype: modify\n"
		     "replace: description\n"
		     "description: x\n"
		     "-\n",
		     "t.ldif:2:13: unsupported changetype \"modify\" (an export holds entries only)");
}

Test(ldif, changetype_delete_is_rejected)
{
	expect_error("dn: CN=a,DC=x\nchangetype: delete\n",
		     "t.ldif:2:13: unsupported changetype \"delete\" (an export holds entries only)");
}

Test(ldif, control_lines_are_rejected)
{
	expect_error("dn: CN=a,DC=x\ncontrol: 1.2.840.113556.1.4.417 true\nchangetype: delete\n",
		     "t.ldif:2:1: LDIF controls are not supported");
}

Test(ldif, multi_valued_attribute_gives_each_value_in_order)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n"
		"objectClass: top\n"
		"objectClass: person\n"
		"cn: a\n"
		"objectClass: user\n",
		&r);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(count_attr(&r.e[0], "objectClass"), 3);
	cr_expect_str_eq(attr(&r.e[0], "objectClass", 0)->val, "top");
	cr_expect_str_eq(attr(&r.e[0], "objectClass", 1)->val, "person");
	cr_expect_str_eq(attr(&r.e[0], "objectClass", 2)->val, "user");
	recorder_free(&r);
}

Test(ldif, attribute_options_are_kept_in_the_name)
{
	struct recorder r;

	read_ok("dn: CN=G,DC=x\n"
		"member;range=0-1499: CN=a,DC=x\n"
		"member;range=0-1499: CN=b,DC=x\n"
		"member;range=1500-*: CN=c,DC=x\n"
		"cn;lang-ja: ジー\n",
		&r);
	cr_assert_eq(r.n, 1);
	cr_expect_eq(count_attr(&r.e[0], "member;range=0-1499"), 2);
	/* the last range of a large group, as ldapsearch writes it */
	expect_value(&r.e[0], "member;range=1500-*", "CN=c,DC=x");
	cr_expect_str_eq(attr(&r.e[0], "member;range=0-1499", 1)->val, "CN=b,DC=x");
	expect_value(&r.e[0], "cn;lang-ja", "ジー");
	recorder_free(&r);
}

Test(ldif, ranges_split_over_lines_and_cases_make_a_whole_attribute)
{
	struct recorder r;

	read_ok("dn: CN=G,DC=x\n"
		"Member;Range=0-1: CN=a,DC=x\n"
		"Member;Range=0-1: CN=b,DC=x\n"
		"cn: G\n"
		"member;range=2-*: CN=c,DC=x\n"
		"\n"
		"dn: CN=H,DC=x\n"
		"member;range=0-*: CN=d,DC=x\n",
		&r);
	cr_assert_eq(r.n, 2);
	cr_expect_eq(count_attr(&r.e[0], "Member;Range=0-1"), 2);
	expect_value(&r.e[1], "member;range=0-*", "CN=d,DC=x");
	recorder_free(&r);
}

/* ldapsearch writes the first 1,500 members of a large group, and stops */
Test(ldif, first_range_alone_is_an_incomplete_export)
{
	expect_error("dn: CN=G,DC=x\n"
		     "cn: G\n"
		     "member;range=0-1499: CN=a,DC=x\n"
		     "member;range=0-1499: CN=b,DC=x\n",
		     "t.ldif:3:1: \"member\" of \"CN=G,DC=x\" is incomplete: the values from 1500 "
		     "on are missing (AD returns large attributes in ranges); export it whole, "
		     "as `privaudit collect` does");
}

Test(ldif, gap_between_ranges_is_an_incomplete_export)
{
	expect_error("dn: CN=G,DC=x\n"
		     "member;range=0-1499: CN=a,DC=x\n"
		     "member;range=3000-*: CN=b,DC=x\n",
		     "t.ldif:3:1: \"member\" of \"CN=G,DC=x\" is incomplete: values 1500-2999 are "
		     "missing (AD returns large attributes in ranges); export it whole, as "
		     "`privaudit collect` does");
}

Test(ldif, empty_values_are_kept)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n"
		"description:\n"
		"info: \n"
		"comment::\n",
		&r);
	cr_assert_eq(r.n, 1);
	expect_value(&r.e[0], "description", "");
	expect_value(&r.e[0], "info", "");
	expect_value(&r.e[0], "comment", "");
	recorder_free(&r);
}

Test(ldif, leading_spaces_of_a_value_are_dropped_inner_ones_kept)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n"
		"description:    two  spaces\n"
		"info:no-space\n",
		&r);
	cr_assert_eq(r.n, 1);
	expect_value(&r.e[0], "description", "two  spaces");
	expect_value(&r.e[0], "info", "no-space");
	recorder_free(&r);
}

Test(ldif, missing_final_newline_keeps_the_last_value)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\ncn: a\n\ndn: CN=b,DC=x\ndescription: last", &r);
	cr_assert_eq(r.n, 2);
	expect_value(&r.e[1], "description", "last");
	recorder_free(&r);
}

Test(ldif, missing_final_newline_after_a_fold_keeps_the_value)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\ndescription: la\n st", &r);
	cr_assert_eq(r.n, 1);
	expect_value(&r.e[0], "description", "last");
	recorder_free(&r);
}

Test(ldif, several_blank_lines_between_records)
{
	struct recorder r;

	read_ok("\n\n"
		"dn: CN=a,DC=x\n"
		"cn: a\n"
		"\n\n\n\n"
		"dn: CN=b,DC=x\n"
		"cn: b\n"
		"\n\n",
		&r);
	cr_assert_eq(r.n, 2);
	cr_expect_eq(r.e[0].line, 3);
	cr_expect_eq(r.e[1].line, 9);
	recorder_free(&r);
}

Test(ldif, record_with_only_a_dn)
{
	struct recorder r;

	read_ok("dn: CN=a,DC=x\n\ndn: CN=b,DC=x\n", &r);
	cr_assert_eq(r.n, 2);
	cr_expect_eq(r.e[0].nattrs, 0);
	cr_expect_eq(r.e[1].nattrs, 0);
	recorder_free(&r);
}

Test(ldif, attribute_names_are_case_insensitive_for_dn_and_changetype)
{
	struct recorder r;

	read_ok("DN: CN=a,DC=x\nChangeType: ADD\ncn: a\n", &r);
	cr_assert_eq(r.n, 1);
	cr_expect_str_eq(r.e[0].dn, "CN=a,DC=x");
	cr_expect_eq(r.e[0].nattrs, 1);
	recorder_free(&r);
}

/* ---- ldifde ------------------------------------------------------------- */

Test(ldif, ldifde_export_is_read)
{
	struct recorder r;

	/* no version line, changetype after dn, 80-column folding */
	read_ok("\r\n"
		"dn: CN=Alice Smith,OU=Sales Department,OU=Head Office,DC=corp,DC=example,DC=te\r\n"
		" st\r\n"
		"changetype: add\r\n"
		"objectClass: top\r\n"
		"objectClass: person\r\n"
		"objectClass: organizationalPerson\r\n"
		"objectClass: user\r\n"
		"cn: Alice Smith\r\n"
		"sAMAccountName: alice\r\n"
		"objectSid:: AQUAAAAAAAUVAAAAAQAAAAIAAAADAAAA9AEAAA==\r\n"
		"userAccountControl: 512\r\n"
		"\r\n"
		"dn: CN=IT-Admins,OU=Groups,DC=corp,DC=example,DC=test\r\n"
		"changetype: add\r\n"
		"objectClass: group\r\n"
		"member: CN=Alice Smith,OU=Sales Department,OU=Head Office,DC=corp,DC=example\r\n"
		" ,DC=test\r\n"
		"\r\n",
		&r);
	cr_assert_eq(r.n, 2);
	cr_expect_str_eq(r.e[0].dn,
			 "CN=Alice Smith,OU=Sales Department,OU=Head Office,DC=corp,DC=example,DC=test");
	cr_expect_eq(r.e[0].line, 2);
	cr_expect_null(attr(&r.e[0], "changetype", 0));
	cr_expect_eq(count_attr(&r.e[0], "objectClass"), 4);
	expect_value(&r.e[0], "userAccountControl", "512");
	cr_expect_eq(attr(&r.e[0], "objectSid", 0)->len, 28);
	expect_value(&r.e[1], "member",
		     "CN=Alice Smith,OU=Sales Department,OU=Head Office,DC=corp,DC=example,DC=test");
	recorder_free(&r);
}

/* ---- errors ------------------------------------------------------------- */

Test(ldif, continuation_as_the_first_line_is_an_error)
{
	expect_error(" dn: CN=a,DC=x\n",
		     "t.ldif:1:1: continuation line without a line to continue");
}

Test(ldif, continuation_after_a_blank_line_is_an_error)
{
	expect_error("dn: CN=a,DC=x\ncn: a\n\n cn: b\n",
		     "t.ldif:4:1: continuation line without a line to continue");
}

Test(ldif, line_without_a_colon_is_an_error)
{
	expect_error("dn: CN=a,DC=x\ncn: a\nthis line has no colon\n",
		     "t.ldif:3:1: expected \"attribute: value\"");
}

Test(ldif, modify_separator_is_an_error)
{
	expect_error("dn: CN=a,DC=x\n-\n", "t.ldif:2:1: expected \"attribute: value\"");
}

Test(ldif, invalid_attribute_name_is_an_error)
{
	expect_error("dn: CN=a,DC=x\nbad name: x\n", "t.ldif:2:1: invalid attribute name");
	expect_error("dn: CN=a,DC=x\n: x\n", "t.ldif:2:1: invalid attribute name");
}

/*
 * A spelling the directory has classified is not checked again, but only
 * that spelling: after two records of valid names, the same names spelt
 * with a bad byte, a space before the colon or a bad option are still
 * errors, and good options, another case and a name of 100 bytes are not.
 */
Test(ldif, a_name_seen_before_is_checked_again_when_spelt_otherwise)
{
	static const char seen[] = "dn: CN=a,DC=x\nobjectClass: user\nsAMAccountName: a\n"
				   "userAccountControl: 512\ncn: a\nmember: CN=b,DC=x\n\n"
				   "dn: CN=b,DC=x\nobjectClass: user\nsAMAccountName: b\ncn: b\n";
	static const char *const bad[] = {
		"cn : x", "c n: x", "cn;@: x", "sAMAccount\x01Name: x", "sAMAccountName : x",
		"member;range=0-*\x7f: x",
	};
	static const char *const good[] = {
		"CN: x", "cn;x-1: y", "member;range=0-*: CN=c,DC=x", "SAMACCOUNTNAME: b",
	};
	struct sbuf sb = SBUF_INIT;
	struct error err = ERROR_INIT;
	struct dir d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		sbuf_reset(&sb);
		sbuf_addf(&sb, "%s%s\n", seen, bad[i]);
		expect_error(sb.buf, "t.ldif:12:1: invalid attribute name");
	}
	sbuf_reset(&sb);
	sbuf_adds(&sb, seen);
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		sbuf_addf(&sb, "%s\n", good[i]);
	/* past the name cache's 95 bytes: looked up every time, and checked */
	sbuf_addf(&sb, "%0100d: long\n", 7);
	dir_init(&d, NULL, 0);
	cr_assert_eq(ldif_load_mem(&d, sb.buf, sb.len, "t.ldif", &err), 0, "%s", err.msg);
	dir_release(&d);
	sbuf_addf(&sb, "%099d;: long\n", 7);
	sbuf_adds(&sb, "x@y: bad\n");
	expect_error(sb.buf, "t.ldif:18:1: invalid attribute name");
	sbuf_release(&sb);
}

/*
 * Names are checked sixteen bytes at a time: a bad byte or an option is
 * found wherever it falls, before, on or after a sixteen-byte step, and
 * the colon too.
 */
Test(ldif, long_attribute_names_and_options)
{
	static const char *const good[] = {
		"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOP", "abcdefghijklmno",
		"abcdefghijklmnopq", "msDS-AllowedToDelegateTo;x-1", "userAccountControl;range=0-*",
		"a;b", "abcdefghijklmno;", "abcdefghijklmnop;q", "x.1_2-3*4=5",
		"a1234567890123456789012345678901234567890123456789",
	};
	struct sbuf sb = SBUF_INIT;
	struct recorder r;

	sbuf_adds(&sb, "dn: CN=a,DC=x\n");
	/* values long enough for the line to hold sixteen bytes past the colon */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		sbuf_addf(&sb, "%s: v%zu-0123456789012345678901234567890123456789\n", good[i], i);
	read_ok(sb.buf, &r);
	cr_assert_eq(r.e[0].nattrs, sizeof(good) / sizeof(good[0]));
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_expect_str_eq(r.e[0].attrs[i].name, good[i]);
	recorder_free(&r);
	sbuf_release(&sb);

	/* names of every length to 40, a bad byte at every place, long values */
	for (size_t len = 1; len <= 40; len++) {
		for (size_t at = 0; at < len; at++) {
			char name[41], text[160];

			memset(name, 'a', len);
			name[len] = '\0';
			name[at] = at % 2 ? ' ' : '\xc3';
			snprintf(text, sizeof(text), "dn: CN=a,DC=x\n%s: %s\n", name,
				 "0123456789012345678901234567890123456789");
			expect_error(text, "t.ldif:2:1: invalid attribute name");
			/* no colon at all: that is the error, bad byte or not */
			snprintf(text, sizeof(text), "dn: CN=a,DC=x\n%s %s\n", name,
				 "0123456789012345678901234567890123456789");
			expect_error(text, "t.ldif:2:1: expected \"attribute: value\"");
		}
	}
}

Test(ldif, record_not_starting_with_dn_is_an_error)
{
	expect_error("cn: a\ndn: CN=a,DC=x\n", "t.ldif:1:1: a record must start with \"dn:\"");
	expect_error("dn: CN=a,DC=x\n\nobjectClass: user\n",
		     "t.ldif:3:1: a record must start with \"dn:\"");
}

Test(ldif, url_values_are_rejected)
{
	expect_error("dn: CN=a,DC=x\njpegPhoto:< file:///x\n",
		     "t.ldif:2:11: URL values are not supported");
}

Test(ldif, two_dn_lines_in_one_record_are_an_error)
{
	expect_error("dn: CN=a,DC=x\ncn: a\ndn: CN=b,DC=x\n",
		     "t.ldif:3:1: second \"dn:\" in one record");
}

Test(ldif, empty_dn_is_an_error)
{
	expect_error("dn:\ncn: a\n", "t.ldif:1:4: empty DN");
}

Test(ldif, nul_byte_is_an_error_in_a_stream)
{
	static const char text[] = "dn: CN=a,DC=x\ndescription: a\0b\n";
	struct recorder r = { 0 };
	struct error err = ERROR_INIT;

	cr_expect_eq(read_buf(text, sizeof(text) - 1, &r, &err), -1);
	cr_expect_eq(err.code, EXIT_INPUT);
	cr_expect_str_eq(err.msg, "t.ldif:2:15: NUL byte in the file (not LDIF text)");
	cr_expect_eq(r.n, 0);
	recorder_free(&r);
}

/*
 * ldif_load_mem (used by the fuzz target and the tests) must reject NUL
 * bytes as ldif_read does: a value "a\0b" would otherwise be cut to "a"
 * silently, and the two entry points would disagree on the same bytes.
 */
Test(ldif, nul_byte_is_an_error_in_memory_too)
{
	static const char text[] = "dn: CN=a,DC=x\nobjectClass: user\ndescription: a\0b\n";
	struct dir d;
	struct error err = ERROR_INIT;
	int rc;

	dir_init(&d, NULL, 0);
	rc = ldif_load_mem(&d, text, sizeof(text) - 1, "t.ldif", &err);
	cr_expect_eq(rc, -1, "ldif_load_mem accepted a NUL byte");
	cr_expect_str_eq(err.msg, "t.ldif:3:15: NUL byte in the file (not LDIF text)");
	dir_release(&d);
}

Test(ldif, callback_error_stops_the_read_and_keeps_its_message)
{
	struct recorder r = { 0 };
	struct error err = ERROR_INIT;

	r.fail_at = 2;
	cr_expect_eq(read_buf("dn: CN=a,DC=x\n\ndn: CN=b,DC=x\n\ndn: CN=c,DC=x\n",
			      strlen("dn: CN=a,DC=x\n\ndn: CN=b,DC=x\n\ndn: CN=c,DC=x\n"), &r, &err),
		     -1);
	cr_expect_str_eq(err.msg, "callback refused \"CN=b,DC=x\"");
	cr_expect_eq(r.n, 1, "no record after the refused one");
	recorder_free(&r);
}

Test(ldif, error_after_a_good_record_reports_the_right_line)
{
	struct recorder r = { 0 };
	struct error err = ERROR_INIT;
	const char *text = "dn: CN=a,DC=x\ncn: a\n\ndn: CN=b,DC=x\ncn: b\nbroken\n";

	cr_expect_eq(read_buf(text, strlen(text), &r, &err), -1);
	cr_expect_str_eq(err.msg, "t.ldif:6:1: expected \"attribute: value\"");
	cr_expect_eq(r.n, 1);
	recorder_free(&r);
}

/* ---- inputs larger than one block (the parser runs on its own thread) --- */

/*
 * A tally of what the reader delivers: counts, and a running checksum of
 * every DN, name and value, so that a stream and memory can be compared.
 */
struct tally {
	size_t entries, attrs, last_line, fail_at;
	uint64_t sum;
	char last_dn[128];
	size_t biggest;          /* longest value */
};

static uint64_t mix(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h * 31 + n;
}

static int tally_cb(void *data, const struct raw_entry *e, struct error *err)
{
	struct tally *t = data;

	if (t->fail_at && t->entries + 1 == t->fail_at)
		return error_set(err, EXIT_INPUT, "callback refused \"%s\"", e->dn);
	t->entries++;
	t->last_line = e->line;
	t->sum = mix(t->sum, e->dn, strlen(e->dn));
	snprintf(t->last_dn, sizeof(t->last_dn), "%s", e->dn);
	for (size_t i = 0; i < e->nattrs; i++) {
		t->sum = mix(t->sum, e->attrs[i].name, strlen(e->attrs[i].name));
		t->sum = t->sum * 7 + e->attrs[i].line * 131 + e->attrs[i].col;
		for (size_t k = 0; k < e->attrs[i].nvals; k++) {
			t->attrs++;
			t->sum = mix(t->sum, e->attrs[i].vals[k].val, e->attrs[i].vals[k].len);
			if (e->attrs[i].vals[k].len > t->biggest)
				t->biggest = e->attrs[i].vals[k].len;
		}
	}
	return 0;
}

/*
 * n records of 8 lines each (a folded value, a base64 one, a comment, the
 * blank line),
 * about 4 MB for 16,000: three blocks and more.
 */
static char *many_records(size_t n, size_t *len)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, "version: 1\n");
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(&sb, "dn: CN=user%06zu,OU=People,DC=example,DC=test\n", i);
		sbuf_adds(&sb, "objectClass: user\n");
		sbuf_addf(&sb, "# record %zu\n", i);
		sbuf_addf(&sb, "description: a long description of user %06zu that is folded he\n"
			       " re and continues on a second line\n", i);
		sbuf_adds(&sb, "objectSid:: AQUAAAAAAAUVAAAAAcqaOwGUNXcBXtCypAYAAA==\n");
		sbuf_addf(&sb, "sAMAccountName: user%06zu\r\n", i);
		sbuf_adds(&sb, "\n");
	}
	*len = sb.len;
	return sbuf_detach(&sb);
}

/* Read text through a stream and from memory (single-threaded): same result. */
static void read_both(const char *text, size_t len, struct tally *stream, struct tally *mem,
		      int *rc_stream, int *rc_mem, struct error *err_stream, struct error *err_mem)
{
	FILE *fp = fmemopen((void *)text, len, "r");

	cr_assert_not_null(fp);
	*rc_stream = ldif_read(fp, "t.ldif", tally_cb, stream, err_stream);
	fclose(fp);
	*rc_mem = ldif_read_mem(text, len, "t.ldif", tally_cb, mem, err_mem);
}

Test(ldif, records_across_many_blocks_arrive_whole_and_in_order)
{
	size_t len;
	char *text = many_records(16000, &len);
	struct tally s = { 0 }, m = { 0 };
	struct error es = ERROR_INIT, em = ERROR_INIT;
	int rs, rm;

	cr_assert_gt(len, 3u << 20, "the input must span several blocks (%zu bytes)", len);
	read_both(text, len, &s, &m, &rs, &rm, &es, &em);
	cr_expect_eq(rs, 0, "%s", es.msg);
	cr_expect_eq(rm, 0, "%s", em.msg);
	cr_expect_eq(s.entries, 16000);
	cr_expect_eq(s.attrs, 16000 * 4);
	cr_expect_str_eq(s.last_dn, "CN=user015999,OU=People,DC=example,DC=test");
	/* line 1 is the version, each record takes 8 lines */
	cr_expect_eq(s.last_line, 2 + 15999 * 8);
	cr_expect_eq(s.entries, m.entries);
	cr_expect_eq(s.sum, m.sum, "a stream and memory must deliver the same records");
	free(text);
}

/*
 * tally_cb(), slow at first (a millisecond every 200 entries of the first
 * 8,000): the parser gets ahead and finishes the batches it queues; then
 * the consumer catches up and finishes the batches itself, the same ones
 * again as they are reused.
 */
static int slow_tally_cb(void *data, const struct raw_entry *e, struct error *err)
{
	struct tally *t = data;

	if (t->entries < 8000 && t->entries % 200 == 0)
		usleep(1000);
	/* a finished batch gives each entry its DN's hash: these DNs are kept as written */
	cr_assert_not_null(e->ndn, "entry %zu: its batch was not finished", t->entries);
	cr_assert(e->ndn->any_case && e->ndn->ndn == e->dn && e->ndn->len == strlen(e->dn),
		  "entry %zu", t->entries);
	cr_assert_eq(e->ndn->hash, hmap_hash_folded(e->dn, strlen(e->dn)), "entry %zu", t->entries);
	return tally_cb(data, e, err);
}

Test(ldif, records_arrive_whole_whichever_thread_finishes_their_batch)
{
	size_t len;
	char *text = many_records(60000, &len);
	struct tally s = { 0 }, m = { 0 };
	struct error es = ERROR_INIT, em = ERROR_INIT;
	FILE *fp = fmemopen(text, len, "r");

	cr_assert_not_null(fp);
	cr_assert_gt(len, 12u << 20, "more batches than the queue and its spares (%zu bytes)", len);
	cr_assert_eq(ldif_read(fp, "t.ldif", slow_tally_cb, &s, &es), 0, "%s", es.msg);
	fclose(fp);
	cr_assert_eq(ldif_read_mem(text, len, "t.ldif", tally_cb, &m, &em), 0, "%s", em.msg);
	cr_expect_eq(s.entries, 60000);
	cr_expect_eq(s.attrs, 60000 * 4);
	cr_expect_eq(s.sum, m.sum, "a stream and memory must deliver the same records");
	free(text);
}

Test(ldif, a_record_larger_than_a_block_is_read_whole)
{
	static const char first[] = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";
	static const char cont[] = "\n xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	struct sbuf sb = SBUF_INIT;
	struct tally s = { 0 }, m = { 0 };
	struct error es = ERROR_INIT, em = ERROR_INIT;
	int rs, rm;

	sbuf_adds(&sb, "dn: CN=small,DC=x\ncn: small\n\ndn: CN=big,DC=x\n");
	for (size_t i = 0; i < 60000; i++)
		sbuf_addf(&sb, "member: CN=member%06zu,OU=People,DC=example,DC=test\n", i);
	sbuf_adds(&sb, "description: ");
	sbuf_adds(&sb, first);
	for (size_t i = 1; i < 40000; i++)
		sbuf_adds(&sb, cont);
	sbuf_adds(&sb, "\n\ndn: CN=after,DC=x\ncn: after\n");
	cr_assert_gt(sb.len, 5u << 20);
	read_both(sb.buf, sb.len, &s, &m, &rs, &rm, &es, &em);
	cr_expect_eq(rs, 0, "%s", es.msg);
	cr_expect_eq(rm, 0, "%s", em.msg);
	cr_expect_eq(s.entries, 3);
	cr_expect_eq(s.attrs, 1 + 60000 + 1 + 1);
	cr_expect_eq(s.biggest, strlen(first) + 39999 * (strlen(cont) - 2),
		     "the folded value is joined whole");
	cr_expect_str_eq(s.last_dn, "CN=after,DC=x");
	cr_expect_eq(s.sum, m.sum);
	sbuf_release(&sb);
}

Test(ldif, parse_error_after_several_blocks_comes_after_every_record_before_it)
{
	size_t len;
	char *text = many_records(16000, &len);
	struct sbuf sb = SBUF_INIT;
	struct tally s = { 0 }, m = { 0 };
	struct error es = ERROR_INIT, em = ERROR_INIT;
	int rs, rm;

	sbuf_add(&sb, text, len);
	sbuf_adds(&sb, "dn: CN=bad,DC=x\ncn: bad\nno colon here\n\ndn: CN=never,DC=x\n");
	read_both(sb.buf, sb.len, &s, &m, &rs, &rm, &es, &em);
	cr_expect_eq(rs, -1);
	cr_expect_eq(rm, -1);
	cr_expect_str_eq(es.msg, "t.ldif:128004:1: expected \"attribute: value\"");
	cr_expect_str_eq(em.msg, es.msg);
	cr_expect_eq(s.entries, 16000, "every record before the error was delivered");
	cr_expect_eq(s.sum, m.sum);
	sbuf_release(&sb);
	free(text);
}

Test(ldif, callback_error_in_a_later_block_stops_the_parser)
{
	size_t len;
	char *text = many_records(16000, &len);
	struct tally s = { .fail_at = 9000 }, m = { .fail_at = 9000 };
	struct error es = ERROR_INIT, em = ERROR_INIT;
	int rs, rm;

	read_both(text, len, &s, &m, &rs, &rm, &es, &em);
	cr_expect_eq(rs, -1);
	cr_expect_eq(rm, -1);
	cr_expect_str_eq(es.msg, "callback refused \"CN=user008999,OU=People,DC=example,DC=test\"");
	cr_expect_str_eq(em.msg, es.msg);
	cr_expect_eq(s.entries, 8999);
	cr_expect_eq(s.sum, m.sum);
	free(text);
}

/* ---- loading into the directory ---------------------------------------- */

/* A new temporary file, its name in path ("/tmp/privaudit-ldif-XXXXXX"), open for writing. */
static FILE *temp_ldif(char *path)
{
	int fd = mkstemp(path);
	FILE *fp;

	cr_assert_geq(fd, 0);
	fp = fdopen(fd, "w");
	cr_assert_not_null(fp);
	return fp;
}

Test(ldif, load_reads_a_file_and_reports_a_missing_one)
{
	char path[] = "/tmp/privaudit-ldif-XXXXXX";
	FILE *fp = temp_ldif(path);
	struct dir d;
	struct error err = ERROR_INIT;
	const char *text = "dn: CN=alice,CN=Users,DC=x\nobjectClass: user\nsAMAccountName: alice\n";

	fputs(text, fp);
	fclose(fp);

	dir_init(&d, NULL, 0);
	cr_expect_eq(ldif_load(&d, path, &err), 0, "%s", err.msg);
	cr_expect_eq(d.naccounts, 1);
	dir_release(&d);
	unlink(path);

	dir_init(&d, NULL, 0);
	cr_expect_eq(ldif_load(&d, path, &err), -1);
	cr_expect_eq(err.code, EXIT_INPUT);
	cr_expect(strncmp(err.msg, path, strlen(path)) == 0 && strstr(err.msg, ": cannot open: "),
		  "message: %s", err.msg);
	dir_release(&d);
}

/*
 * A file's size tells about how many entries it may hold (a kilobyte an
 * entry): the DN map is sized for them before the first is read, here
 * for three times as many as the 300 large entries (which alone would
 * grow it to 512 slots), and every entry is still found.
 */
Test(ldif, load_sizes_the_dn_map_from_the_file)
{
	char path[] = "/tmp/privaudit-ldif-XXXXXX";
	FILE *fp = temp_ldif(path);
	struct dir d;
	struct error err = ERROR_INIT;
	long size;

	for (int i = 0; i < 300; i++)
		fprintf(fp, "dn: CN=u%d,CN=Users,DC=x\nobjectClass: user\nsAMAccountName: u%d\n"
			    "description: %02900d\n\n", i, i, 0);
	size = ftell(fp);
	fclose(fp);

	dir_init(&d, NULL, 0);
	cr_assert_eq(ldif_load(&d, path, &err), 0, "%s", err.msg);
	cr_expect_eq(d.naccounts, 300);
	cr_expect_lt(((size_t)size / 1024 + 1) * 10, d.by_dn.size * 7,
		     "sized for %ld bytes: %zu slots", size, d.by_dn.size);
	cr_expect_not_null(dir_find_by_dn(&d, "cn=u299,cn=users,dc=x"));
	cr_expect_not_null(dir_find_by_dn(&d, "CN=u0,CN=Users,DC=x"));
	dir_release(&d);
	unlink(path);
}

/* Blocks of a sixty-fourth of the file, 64 KB to 1 MB; 1 MB when its size is unknown. */
Test(ldif, blocks_sized_to_the_file)
{
	cr_expect_eq(ldif_block_size(0), 1u << 20);
	cr_expect_eq(ldif_block_size(1), 64u << 10);
	cr_expect_eq(ldif_block_size(700u << 10), 64u << 10);
	cr_expect_eq(ldif_block_size(14u << 20), 256u << 10, "10,000 accounts");
	cr_expect_eq(ldif_block_size(16u << 20), 256u << 10);
	cr_expect_eq(ldif_block_size((16u << 20) + 64), 512u << 10);
	cr_expect_eq(ldif_block_size(136u << 20), 1u << 20, "100,000 accounts");
	cr_expect_eq(ldif_block_size(UINTMAX_MAX), 1u << 20);
}

/*
 * A file of 700 KB is read in blocks of 64 KB: records across their ends,
 * and a group whose record is larger than several of them, come out as
 * they do from memory.
 */
Test(ldif, small_file_read_in_small_blocks_is_read_whole)
{
	char path[] = "/tmp/privaudit-ldif-XXXXXX";
	FILE *fp = temp_ldif(path);
	struct sbuf text = SBUF_INIT;
	struct dir d, m;
	struct error err = ERROR_INIT;
	const struct group *g;
	const struct account *a;

	for (int i = 0; i < 4000; i++)
		sbuf_addf(&text, "dn: CN=u%04d,CN=Users,DC=x\nobjectClass: user\nsAMAccountName: u%04d\n"
				 "description: user %04d of the bench of users\n\n", i, i, i);
	sbuf_adds(&text, "dn: CN=all,CN=Users,DC=x\nobjectClass: group\nsAMAccountName: all\n");
	for (int i = 0; i < 4000; i++)
		sbuf_addf(&text, "member: CN=u%04d,CN=Users,DC=x\n", i);
	sbuf_adds(&text, "description: ");
	for (int i = 0; i < 3000; i++)
		sbuf_adds(&text, "0123456789abcdefghijklmnopqrstuvwxyz");
	sbuf_adds(&text, "\n");
	cr_assert_gt(text.len, 512u << 10);
	cr_assert_eq(ldif_block_size(text.len), 64u << 10);
	cr_assert_eq(fwrite(text.buf, 1, text.len, fp), text.len);
	cr_assert_eq(fclose(fp), 0);

	dir_init(&d, NULL, 0);
	dir_init(&m, NULL, 0);
	cr_assert_eq(ldif_load(&d, path, &err), 0, "%s", err.msg);
	cr_assert_eq(ldif_load_mem(&m, text.buf, text.len, "t.ldif", &err), 0, "%s", err.msg);
	for (struct dir *x = &d; x; x = x == &d ? &m : NULL) {
		cr_assert_eq(x->naccounts, 4000);
		cr_assert_eq(x->ngroups, 1);
		g = x->groups[0];
		cr_expect_eq(g->nmember_objs, 4000, "%s", x == &d ? "file" : "memory");
		cr_expect_eq(strlen(g->description), 3000 * 36);
		a = x->accounts[3999];
		cr_expect_str_eq(a->h.sam, "u3999");
	}
	dir_release(&d);
	dir_release(&m);
	sbuf_release(&text);
	unlink(path);
}

Test(ldif, load_mem_feeds_the_directory)
{
	static const char text[] = "dn: CN=alice,CN=Users,DC=x\n"
				   "objectClass: user\n"
				   "sAMAccountName: alice\n"
				   "\n"
				   "dn: CN=contact,CN=Users,DC=x\n"
				   "objectClass: contact\n";
	struct dir d;
	struct error err = ERROR_INIT;

	dir_init(&d, NULL, 0);
	cr_assert_eq(ldif_load_mem(&d, text, sizeof(text) - 1, "t.ldif", &err), 0, "%s", err.msg);
	cr_expect_eq(d.nentries, 2);
	cr_expect_eq(d.naccounts, 1);
	cr_expect_str_eq(d.accounts[0]->h.sam, "alice");
	dir_release(&d);
}

/*
 * Member DNs are normalised and hashed with their batch when reading a
 * stream, by the directory when reading memory: both must resolve the
 * same members, whatever their case, spacing or escapes, and leave the
 * same DNs pending (members read after the group).
 */
Test(ldif, stream_and_memory_resolve_the_same_members)
{
	static const char text[] =
		"dn: CN=Smith\\, John,CN=Users,DC=x\n"
		"objectClass: user\nsAMAccountName: jsmith\n\n"
		"dn: CN=alice,CN=Users,DC=x\n"
		"objectClass: user\nsAMAccountName: alice\n\n"
		"dn: CN=Team,CN=Users,DC=x\n"
		"objectClass: group\nsAMAccountName: Team\n"
		"member: cn=smith\\, john, cn=users,dc=X\n"
		"MEMBER: CN=ALICE,CN=USERS,DC=X\n"
		"member;range=0-*: CN=late,CN=Users,DC=x\n"
		"member:: Q049bm9ib2R5LENOPVVzZXJzLERDPXg=\n\n"
		"dn: CN=late,CN=Users,DC=x\n"
		"objectClass: user\nsAMAccountName: late\n";
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct dir s, m;
	struct error es = ERROR_INIT, em = ERROR_INIT;

	cr_assert_not_null(fp);
	dir_init(&s, NULL, 0);
	dir_init(&m, NULL, 0);
	cr_assert_eq(ldif_read(fp, "t.ldif", dir_add_cb, &s, &es), 0, "%s", es.msg);
	fclose(fp);
	cr_assert_eq(ldif_load_mem(&m, text, sizeof(text) - 1, "t.ldif", &em), 0, "%s", em.msg);
	for (struct dir *d = &s; d; d = d == &s ? &m : NULL) {
		const struct group *g;

		cr_assert_eq(d->ngroups, 1);
		g = d->groups[0];
		cr_expect_eq(g->nmember_objs, 2, "%s", d == &s ? "stream" : "memory");
		cr_expect_str_eq(g->member_objs[0]->sam, "jsmith");
		cr_expect_str_eq(g->member_objs[1]->sam, "alice");
		cr_assert_eq(g->npending, 2);
		{
			const char *at = g->pending;
			struct sbuf sb = SBUF_INIT;
			size_t late = dir_pending_append(d, &at, &sb);
			size_t nobody = dir_pending_append(d, &at, &sb);

			cr_expect_str_eq(sb.buf + late, "cn=late,cn=users,dc=x");
			cr_expect_str_eq(sb.buf + nobody, "cn=nobody,cn=users,dc=x");
			sbuf_release(&sb);
		}
		cr_expect_eq(dir_find_by_dn(d, "cn=late,cn=users,dc=x")->kind, OBJ_USER);
	}
	dir_release(&s);
	dir_release(&m);
}

/* ---- writing (privaudit collect) ---------------------------------------- */

/* Write e with ldif_write_entry into a memory buffer (caller frees). */
static char *write_entry(const struct raw_entry *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct error err = ERROR_INIT;

	cr_assert_not_null(f);
	cr_expect_eq(ldif_write_entry(f, e, &err), 0, "%s", err.msg);
	fclose(f);
	return buf;
}

Test(ldif, write_safe_values_as_text)
{
	struct raw_value oc[] = { { "top", 3 }, { "user", 4 } };
	struct raw_value sam = { "alice", 5 };
	struct raw_attr attrs[] = {
		{ .name = "objectClass", .vals = oc, .nvals = 2 },
		{ .name = "sAMAccountName", .vals = &sam, .nvals = 1 },
	};
	struct raw_entry e = { "CN=alice,DC=x", attrs, 2, "ldap://dc1", 0, NULL, NULL };
	char *text = write_entry(&e);

	cr_expect_str_eq(text, "dn: CN=alice,DC=x\n"
			       "objectClass: top\n"
			       "objectClass: user\n"
			       "sAMAccountName: alice\n"
			       "\n");
	free(text);
}

Test(ldif, write_unsafe_values_in_base64_and_drops_options)
{
	static const char sid[] = { 1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0,
				    2, 0, 0, 0, 3, 0, 0, 0, (char)0xf4, 1, 0, 0 };
	struct raw_value vsid = { sid, sizeof(sid) };
	struct raw_value lead = { " lead", 5 }, trail = { "trail ", 6 }, colon = { ":x", 2 };
	struct raw_value lt = { "<x", 2 }, ja = { "山田", 6 }, empty = { "", 0 };
	struct raw_value mem = { "CN=a,DC=x", 9 };
	struct raw_attr attrs[] = {
		{ .name = "objectSid", .vals = &vsid, .nvals = 1 },  { .name = "description", .vals = &lead, .nvals = 1 },
		{ .name = "info", .vals = &trail, .nvals = 1 },      { .name = "cn", .vals = &colon, .nvals = 1 },
		{ .name = "sn", .vals = &lt, .nvals = 1 },           { .name = "givenName", .vals = &ja, .nvals = 1 },
		{ .name = "comment", .vals = &empty, .nvals = 1 },   { .name = "member;range=0-1499", .vals = &mem, .nvals = 1 },
	};
	struct raw_entry e = { "CN=山田,DC=x", attrs, 8, "ldap://dc1", 0, NULL, NULL };
	char *text = write_entry(&e);

	cr_expect_str_eq(text, "dn:: Q0495bGx55SwLERDPXg=\n"
			       "objectSid:: AQUAAAAAAAUVAAAAAQAAAAIAAAADAAAA9AEAAA==\n"
			       "description:: IGxlYWQ=\n"
			       "info:: dHJhaWwg\n"
			       "cn:: Ong=\n"
			       "sn:: PHg=\n"
			       "givenName:: 5bGx55Sw\n"
			       "comment: \n"
			       "member: CN=a,DC=x\n"
			       "\n");
	free(text);
}

Test(ldif, write_folds_long_lines_and_reads_back)
{
	char longv[300];
	struct raw_value desc = { longv, sizeof(longv) - 1 };
	static const char bin[] = { 0, 1, 2, (char)0xff, '\n', '\r', 'x' };
	struct raw_value vbin = { bin, sizeof(bin) };
	struct raw_attr attrs[] = {
		{ .name = "description", .vals = &desc, .nvals = 1 },
		{ .name = "objectGUID", .vals = &vbin, .nvals = 1 },
	};
	struct raw_entry e = { "CN=long,DC=x", attrs, 2, "ldap://dc1", 0, NULL, NULL };
	char *text, *line;
	struct recorder r;
	const struct rec_attr *a;

	for (size_t i = 0; i < sizeof(longv) - 1; i++)
		longv[i] = (char)('a' + i % 26);
	longv[sizeof(longv) - 1] = '\0';
	text = write_entry(&e);
	/* no physical line longer than 76 columns */
	for (line = text; *line;) {
		size_t n = strcspn(line, "\n");

		cr_expect_leq(n, 76, "line of %zu columns: %.*s", n, (int)n, line);
		line += n + (line[n] == '\n');
	}
	read_ok(text, &r);
	cr_assert_eq(r.n, 1);
	cr_expect_str_eq(r.e[0].dn, "CN=long,DC=x");
	expect_value(&r.e[0], "description", longv);
	a = attr(&r.e[0], "objectGUID", 0);
	cr_assert_not_null(a);
	cr_assert_eq(a->len, sizeof(bin));
	cr_expect_eq(memcmp(a->val, bin, sizeof(bin)), 0);
	recorder_free(&r);
	free(text);
}
