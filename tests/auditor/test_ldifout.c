/*
 * Tests for the LDIF writer in auditor/ldif.c (privaudit collect): what it
 * writes reads back to the same entries.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../auditor/error.h"
#include "../../auditor/ldif.h"
#include "../../auditor/sbuf.h"

struct seen {
	struct sbuf text;
	size_t entries;
};

static int record(void *data, const struct raw_entry *e, struct error *err)
{
	struct seen *s = data;

	(void)err;
	s->entries++;
	sbuf_addf(&s->text, "dn=%s\n", e->dn);
	for (size_t i = 0; i < e->nattrs; i++)
		for (size_t k = 0; k < e->attrs[i].nvals; k++) {
			sbuf_addf(&s->text, "%s=", e->attrs[i].name);
			sbuf_add(&s->text, e->attrs[i].vals[k].val, e->attrs[i].vals[k].len);
			sbuf_addch(&s->text, '\n');
		}
	return 0;
}

static char *write_entry(const struct raw_entry *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	cr_assert_eq(ldif_write_entry(fp, e, NULL), 0);
	fclose(fp);
	return buf;
}

Test(ldifout, round_trips_binary_unicode_and_long_values)
{
	static const char sid[] = "\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00"
				  "\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\xf4\x01\x00\x00";
	char longv[300];
	struct raw_value v_sid = { sid, sizeof(sid) - 1 };
	struct raw_value v_desc = { "初期パスワード：Sakura#2026", strlen("初期パスワード：Sakura#2026") };
	struct raw_value v_long, v_lead = { " leading space", 14 };
	struct raw_value v_members[2] = { { "CN=a,DC=x", 9 }, { "CN=b,DC=x", 9 } };
	struct raw_attr attrs[] = {
		{ .name = "objectSid", .vals = &v_sid, .nvals = 1 },
		{ .name = "description", .vals = &v_desc, .nvals = 1 },
		{ .name = "info", .vals = &v_long, .nvals = 1 },
		{ .name = "cn", .vals = &v_lead, .nvals = 1 },
		{ .name = "member;range=0-1", .vals = v_members, .nvals = 2 },
	};
	struct raw_entry e = { "CN=Administrator,CN=Users,DC=corp,DC=example,DC=test", attrs, 5, "t", 0, NULL, NULL };
	struct seen got = { SBUF_INIT, 0 }, want = { SBUF_INIT, 0 };
	struct error err = ERROR_INIT;
	char *text;
	FILE *fp;

	memset(longv, 'x', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	v_long.val = longv;
	v_long.len = strlen(longv);
	text = write_entry(&e);
	cr_assert_not_null(strstr(text, "objectSid:: AQUAAAAAAAUVAAAAAQAAAAIAAAADAAAA9AEAAA==\n"));
	cr_assert_not_null(strstr(text, "\nmember: CN=a,DC=x\n"), "range options are dropped");
	for (char *line = text; *line; line = strchr(line, '\n') + 1)
		cr_assert_leq(strcspn(line, "\n"), 76, "lines are folded at 76 columns");

	fp = fmemopen(text, strlen(text), "r");
	cr_assert_eq(ldif_read(fp, "w.ldif", record, &got, &err), 0, "%s", err.msg);
	fclose(fp);
	record(&want, &e, NULL);
	/* the writer drops ";range=0-1": compare against the base name */
	{
		char *p = strstr(want.text.buf, "member;range=0-1=");

		while (p) {
			memmove(p + 6, p + 16, strlen(p + 16) + 1);
			p = strstr(p, "member;range=0-1=");
		}
	}
	cr_assert_eq(got.entries, 1);
	cr_assert_str_eq(got.text.buf, want.text.buf);
	sbuf_release(&got.text);
	sbuf_release(&want.text);
	free(text);
}

Test(ldifout, byte_order_marks)
{
	static const char bom[] = "\xef\xbb\xbf" "dn: CN=a,DC=x\ncn: a\n";
	static const char utf16[] = "\xff\xfe" "d\0n\0";
	struct seen got = { SBUF_INIT, 0 };
	struct error err = ERROR_INIT;
	FILE *fp = fmemopen((void *)bom, sizeof(bom) - 1, "r");

	cr_assert_eq(ldif_read(fp, "bom.ldif", record, &got, &err), 0, "%s", err.msg);
	fclose(fp);
	cr_assert_eq(got.entries, 1);
	fp = fmemopen((void *)utf16, sizeof(utf16) - 1, "r");
	cr_assert_eq(ldif_read(fp, "u16.ldif", record, &got, &err), -1);
	fclose(fp);
	cr_assert_not_null(strstr(err.msg, "u16.ldif:1:1: UTF-16"), "%s", err.msg);
	sbuf_release(&got.text);
}
