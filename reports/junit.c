/*
 * JUnit XML (see junit.h): one testcase per check of the registry, its
 * unwaived findings as the failure, written one testcase at a time so
 * that a large audit never sits in memory as one document.
 */
#include "junit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../auditor/dir.h"
#include "../auditor/engine.h"
#include "../auditor/error.h"
#include "../auditor/outfile.h"
#include "../auditor/policy.h"
#include "../auditor/sbuf.h"
#include "../auditor/timeutil.h"
#include "../auditor/utf8.h"
#include "../auditor/xalloc.h"
#include "../checks/registry.h"

/*
 * Append s escaped for XML 1.0: markup characters as entities, invalid
 * UTF-8 as U+FFFD, and the characters XML 1.0 forbids dropped (C0
 * controls but tab, newline and carriage return; U+FFFE and U+FFFF;
 * surrogates cannot occur in valid UTF-8). In an attribute, tab and
 * newline are written as character references, since a parser would
 * otherwise normalise them to spaces; carriage return always is, since a
 * parser would otherwise drop it.
 */
static void xml_add(struct sbuf *sb, const char *s, bool attr)
{
	char *clean = NULL;

	if (!s)
		s = "";
	if (!utf8_valid(s, strlen(s)))
		s = clean = utf8_clean(s);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': sbuf_adds(sb, "&amp;"); break;
		case '<': sbuf_adds(sb, "&lt;"); break;
		case '>': sbuf_adds(sb, "&gt;"); break;
		case '"': sbuf_adds(sb, "&quot;"); break;
		case '\'': sbuf_adds(sb, "&apos;"); break;
		case '\t': sbuf_adds(sb, attr ? "&#9;" : "\t"); break;
		case '\n': sbuf_adds(sb, attr ? "&#10;" : "\n"); break;
		case '\r': sbuf_adds(sb, "&#13;"); break;
		default:
			if (*p < 0x20)
				break;
			if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
				p += 2;
				break;
			}
			sbuf_addch(sb, (char)*p);
		}
	}
	free(clean);
}

/* name="VALUE" with a leading space */
static void xml_attr(struct sbuf *sb, const char *name, const char *value)
{
	sbuf_addf(sb, " %s=\"", name);
	xml_add(sb, value, true);
	sbuf_addch(sb, '"');
}

static void xml_attr_size(struct sbuf *sb, const char *name, size_t n)
{
	sbuf_addf(sb, " %s=\"%zu\"", name, n);
}

static void xml_attr_seconds(struct sbuf *sb, const char *name, double s)
{
	sbuf_addf(sb, " %s=\"%.3f\"", name, s >= 0 ? s : 0.0);
}

/* The registry index of f's check, or (size_t)-1 for a check not in it. */
static size_t check_index(const struct finding *f)
{
	size_t i = f->check_index;

	if (i < registry_count() && registry_get(i) == f->check)
		return i;
	if (!registry_find(f->check->id, &i))
		return (size_t)-1;
	return i;
}

/*
 * The findings grouped by check, each group in report order: byidx[first[i]
 * .. first[i + 1]) are check i's findings (a counting sort, new arrays).
 */
static void group_by_check(const struct audit *a, size_t **byidx, size_t **first)
{
	size_t n = registry_count(), *f = xcalloc(n + 2, sizeof(*f)), *v, *fill;

	v = xcalloc(a->nfindings ? a->nfindings : 1, sizeof(*v));
	fill = xcalloc(n + 1, sizeof(*fill));
	for (size_t k = 0; k < a->nfindings; k++) {
		size_t i = check_index(a->findings[k]);

		if (i != (size_t)-1)
			f[i + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		f[i + 1] += f[i];
	memcpy(fill, f, (n + 1) * sizeof(*fill));
	for (size_t k = 0; k < a->nfindings; k++) {
		size_t i = check_index(a->findings[k]);

		if (i != (size_t)-1)
			v[fill[i]++] = k;
	}
	free(fill);
	*byidx = v;
	*first = f;
}

/* "SEVERITY SUBJECT: MESSAGE [KEY]" */
static void finding_line(struct sbuf *sb, const struct finding *f)
{
	struct sbuf line = SBUF_INIT, key = SBUF_INIT, msg = SBUF_INIT;
	const char *sam = finding_sam(f), *dn = finding_dn(f), *text = finding_message(f, &msg);

	sbuf_addf(&line, "%s %s: %s [%s]", severity_name(f->severity), sam ? sam : dn ? dn : "-",
		  text ? text : "", finding_key(f, &key));
	sbuf_release(&key);
	sbuf_release(&msg);
	if (f->waiver)
		sbuf_addf(&line, " (waived by waiver %zu, owner %s, reason %s, expires %s)",
			  f->waiver->index, f->waiver->owner ? f->waiver->owner : "-",
			  f->waiver->reason ? f->waiver->reason : "-",
			  f->waiver->expires_text ? f->waiver->expires_text : "never");
	xml_add(sb, line.buf, false);
	sbuf_addch(sb, '\n');
	sbuf_release(&line);
}

/* Write out what sb holds once it is large: a check may have a million findings. */
static void flush_big(FILE *out, struct sbuf *sb)
{
	if (sb->len < 65536)
		return;
	fwrite(sb->buf, 1, sb->len, out);
	sbuf_reset(sb);
}

struct totals {
	size_t failures, errors, skipped;
	double seconds;
};

static void totals_count(const struct audit *a, const size_t *byidx, const size_t *first,
			 struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check_state *st = &a->states[i];

		t->seconds += st->seconds > 0 ? st->seconds : 0;
		if (st->status == STATUS_UNKNOWN) {
			t->errors++;
		} else if (st->status == STATUS_DISABLED) {
			t->skipped++;
		} else {
			for (size_t k = first[i]; k < first[i + 1]; k++) {
				if (!a->findings[byidx[k]]->waiver) {
					t->failures++;
					break;
				}
			}
		}
	}
}

static void write_testcase(FILE *out, struct sbuf *sb, const struct audit *a, size_t i,
			   const size_t *byidx, size_t from, size_t to)
{
	const struct check *c = registry_get(i);
	const struct check_state *st = &a->states[i];
	size_t unwaived = 0, waived = 0;
	enum severity worst = SEV_INFO;

	for (size_t k = from; k < to; k++) {
		const struct finding *f = a->findings[byidx[k]];

		if (f->waiver) {
			waived++;
		} else {
			if (!unwaived++ || severity_rank(f->severity) > severity_rank(worst))
				worst = f->severity;
		}
	}
	sbuf_reset(sb);
	sbuf_adds(sb, "    <testcase");
	xml_attr(sb, "classname", c->family);
	xml_attr(sb, "name", c->id);
	xml_attr_seconds(sb, "time", st->seconds);
	sbuf_adds(sb, ">\n");
	if (st->status == STATUS_UNKNOWN) {
		sbuf_adds(sb, "      <error");
		xml_attr(sb, "message", st->reason ? st->reason : "could not be evaluated");
		xml_attr(sb, "type", "unknown");
		sbuf_adds(sb, "/>\n");
	} else if (st->status == STATUS_DISABLED) {
		sbuf_adds(sb, "      <skipped message=\"disabled by the policy\"/>\n");
	} else if (unwaived) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%zu unwaived finding%s", unwaived,
			 unwaived == 1 ? "" : "s");
		sbuf_adds(sb, "      <failure");
		xml_attr(sb, "message", msg);
		xml_attr(sb, "type", severity_name(worst));
		sbuf_adds(sb, ">");
		for (size_t k = from; k < to; k++) {
			if (!a->findings[byidx[k]]->waiver) {
				finding_line(sb, a->findings[byidx[k]]);
				flush_big(out, sb);
			}
		}
		sbuf_adds(sb, "</failure>\n");
	}
	if (waived) {
		sbuf_adds(sb, "      <system-out>");
		for (size_t k = from; k < to; k++) {
			if (a->findings[byidx[k]]->waiver) {
				finding_line(sb, a->findings[byidx[k]]);
				flush_big(out, sb);
			}
		}
		sbuf_adds(sb, "</system-out>\n");
	}
	sbuf_adds(sb, "    </testcase>\n");
	fwrite(sb->buf, 1, sb->len, out);
}

static void xml_property(struct sbuf *sb, const char *name, const char *value)
{
	sbuf_adds(sb, "      <property");
	xml_attr(sb, "name", name);
	xml_attr(sb, "value", value ? value : "");
	sbuf_adds(sb, "/>\n");
}

/* The counts <testsuites> and <testsuite> both carry. */
static void count_attrs(struct sbuf *sb, size_t tests, const struct totals *t)
{
	xml_attr_size(sb, "tests", tests);
	xml_attr_size(sb, "failures", t->failures);
	xml_attr_size(sb, "errors", t->errors);
	xml_attr_size(sb, "skipped", t->skipped);
	xml_attr_seconds(sb, "time", t->seconds);
}

static void write_header(struct sbuf *sb, const struct audit *a, const struct totals *t)
{
	const struct summary *s = &a->summary;
	const struct policy *p = a->policy;
	size_t n = registry_count();
	char when[40];

	time_format(a->now, when, sizeof(when));
	sbuf_adds(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"privaudit\"");
	count_attrs(sb, n, t);
	sbuf_adds(sb, ">\n  <testsuite name=\"privaudit\"");
	count_attrs(sb, n, t);
	/* JUnit timestamps carry no zone (the Ant schema's pattern): this one is UTC */
	sbuf_addf(sb, " timestamp=\"%.19s\">\n", when);
	sbuf_adds(sb, "    <properties>\n");
	xml_property(sb, "domain", a->dir ? a->dir->domain.dns : NULL);
	xml_property(sb, "domain_sid", a->dir ? a->dir->domain_sid : NULL);
	xml_property(sb, "evaluated_at", when);
	xml_property(sb, "fail_on", severity_name(s->fail_on));
	xml_property(sb, "verdict", s->pass ? "pass" : "fail");
	xml_property(sb, "policy", p && p->path ? p->path : "built-in defaults");
	xml_property(sb, "policy_sha256", p ? p->sha256 : NULL);
	sbuf_adds(sb, "    </properties>\n");
}

static void write_footer(struct sbuf *sb, const struct audit *a)
{
	const struct summary *s = &a->summary;
	size_t n = 0;

	for (int i = 0; i < SEV_COUNT; i++)
		if (severity_rank((enum severity)i) >= severity_rank(s->fail_on))
			n += s->by_severity[i];
	sbuf_addf(sb, "    <system-out>gate %s: %zu unwaived finding%s at or above %s, "
		      "%zu check%s unknown%s, %zu waived</system-out>\n",
		  s->pass ? "PASS" : "FAIL", n, n == 1 ? "" : "s", severity_name(s->fail_on),
		  s->unknown_checks, s->unknown_checks == 1 ? "" : "s",
		  s->unknown_checks && a->policy && a->policy->unknown_fails
			  ? " (unknown checks fail the gate)" : "",
		  s->waived);
	sbuf_adds(sb, "  </testsuite>\n</testsuites>\n");
}

void report_junit_stream(FILE *out, const struct audit *a)
{
	struct sbuf sb = SBUF_INIT;
	struct totals t;
	size_t *byidx, *first;

	group_by_check(a, &byidx, &first);
	totals_count(a, byidx, first, &t);
	write_header(&sb, a, &t);
	fwrite(sb.buf, 1, sb.len, out);
	for (size_t i = 0; i < registry_count() && !ferror(out); i++)
		write_testcase(out, &sb, a, i, byidx, first[i], first[i + 1]);
	sbuf_reset(&sb);
	write_footer(&sb, a);
	fwrite(sb.buf, 1, sb.len, out);
	sbuf_release(&sb);
	free(byidx);
	free(first);
}

int report_junit_write(const struct audit *a, const char *path, struct error *err)
{
	struct outfile o;

	if (outfile_open(&o, path, err) < 0)
		return -1;
	report_junit_stream(o.fp, a);
	return outfile_commit(&o, err);
}
