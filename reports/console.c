/*
 * The console summary: what a person at a terminal needs after a run, in
 * about a screen. The verdict comes first; checks that could not be
 * evaluated are listed with their reasons, because silence must never
 * read as a pass. Everything taken from the directory is made safe for a
 * terminal (no control characters, valid UTF-8) before it is printed.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../auditor/dir.h"
#include "../auditor/i18n.h"
#include "../auditor/engine.h"
#include "../auditor/policy.h"
#include "../auditor/readiness.h"
#include "../auditor/sbuf.h"
#include "../auditor/timeutil.h"
#include "../auditor/utf8.h"
#include "../auditor/xalloc.h"
#include "../checks/registry.h"

#define TOP_FINDINGS 15
#define MESSAGE_MAX 100

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_PASS "\033[1;32m"
#define ANSI_FAIL "\033[1;31m"
#define ANSI_WARN "\033[33m"
#define ANSI_DIM "\033[2m"

struct con {
	FILE *out;
	bool color;
};

static const char *sev_color(enum severity s)
{
	switch (s) {
	case SEV_CRITICAL: return "\033[1;35m";
	case SEV_HIGH: return "\033[1;31m";
	case SEV_MEDIUM: return "\033[33m";
	case SEV_LOW: return "\033[36m";
	default: return ANSI_DIM;
	}
}

static void color_on(const struct con *c, const char *code)
{
	if (c->color)
		fputs(code, c->out);
}

static void color_off(const struct con *c)
{
	if (c->color)
		fputs(ANSI_RESET, c->out);
}

/*
 * Append s made safe for a terminal: valid UTF-8, C0 and C1 control
 * characters (ESC, CSI, newlines from a description) shown as '?', cut at
 * max bytes (0: no limit) on a character boundary with "...".
 */
static void add_text(struct sbuf *sb, const char *s, size_t max)
{
	char *clean = utf8_clean(s ? s : "-");
	const unsigned char *p = (const unsigned char *)clean;
	size_t start = sb->len;

	while (*p) {
		size_t n = utf8_char_len(*p);

		if (max && sb->len - start + n > max) {
			sbuf_adds(sb, "...");
			break;
		}
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			sbuf_addch(sb, '?');
		else
			sbuf_add(sb, p, n);
		p += n;
	}
	free(clean);
}

static void put_text(const struct con *c, const char *s, size_t max)
{
	struct sbuf sb = SBUF_INIT;

	add_text(&sb, s, max);
	fputs(sb.buf, c->out);
	sbuf_release(&sb);
}

static size_t unwaived_at_or_above(const struct summary *s)
{
	size_t n = 0;

	for (int i = 0; i < SEV_COUNT; i++)
		if (severity_rank((enum severity)i) >= severity_rank(s->fail_on))
			n += s->by_severity[i];
	return n;
}

static void print_verdict(const struct con *c, const struct audit *a)
{
	const struct summary *s = &a->summary;
	size_t n = unwaived_at_or_above(s);

	color_on(c, s->pass ? ANSI_PASS : ANSI_FAIL);
	fputs(s->pass ? "PASS" : "FAIL", c->out);
	color_off(c);
	fprintf(c->out, _("  gate fail_on %s: "), severity_name(s->fail_on));
	if (n)
		fprintf(c->out, ngettext("%zu unwaived finding at or above %s",
					 "%zu unwaived findings at or above %s", n),
			n, severity_name(s->fail_on));
	else
		fprintf(c->out, _("no unwaived finding at or above %s"), severity_name(s->fail_on));
	if (s->unknown_checks) {
		fprintf(c->out, ngettext("; %zu check unknown", "; %zu checks unknown",
					 s->unknown_checks), s->unknown_checks);
		if (!s->pass && !n)
			fputs(_(" (unknown checks fail the gate)"), c->out);
	}
	fputc('\n', c->out);
}

static void print_source(const struct con *c, const struct audit *a, const struct report_meta *m)
{
	const struct dir *d = a->dir;
	char when[40];

	fputs(_("domain    "), c->out);
	put_text(c, d->domain.dns ? d->domain.dns : _("(unknown)"), 0);
	if (d->domain_sid) {
		fputs(" (", c->out);
		put_text(c, d->domain_sid, 0);
		fputc(')', c->out);
	}
	if (m && m->source_kind) {
		fputs(", ", c->out);
		put_text(c, m->source_kind, 0);
		if (m->uri) {
			fputc(' ', c->out);
			put_text(c, m->uri, 0);
		}
	}
	fputc('\n', c->out);
	time_format(a->now, when, sizeof(when));
	fprintf(c->out, _("as of     %s\n"), when);
}

static void print_counts(const struct con *c, const struct audit *a)
{
	const struct summary *s = &a->summary;
	size_t n = registry_count();
	bool any = false;

	fprintf(c->out, _("accounts  %zu (enabled %zu, privileged %zu, VPN-capable %zu)\n"),
		s->accounts, s->enabled, s->privileged, s->vpn_capable);
	fputs(_("findings  "), c->out);
	for (int i = 0; i < SEV_COUNT; i++) {
		enum severity sev = severity_order_desc[i];

		if (i)
			fputs(", ", c->out);
		if (s->by_severity[sev])
			color_on(c, sev_color(sev));
		fprintf(c->out, "%zu %s", s->by_severity[sev], severity_name(sev));
		if (s->by_severity[sev])
			color_off(c);
	}
	fprintf(c->out, _(" (unwaived); %zu waived\n"), s->waived);

	/* families in registry order, each once */
	for (size_t i = 0; i < n; i++) {
		const char *fam = registry_get(i)->family;
		size_t count = 0;
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(registry_get(j)->family, fam) == 0;
		if (seen)
			continue;
		for (size_t j = i; j < n; j++)
			if (strcmp(registry_get(j)->family, fam) == 0)
				count += a->states[j].unwaived;
		if (!count)
			continue;
		fprintf(c->out, "%s%s %zu", any ? ", " : _("by family "), fam, count);
		any = true;
	}
	if (any)
		fputc('\n', c->out);
}

/*
 * The VPN reopening readiness, when VPN checks ran: the verdict first,
 * then the counts behind it, the krbtgt fact and every reason for a NO-GO
 * (there are few: one per blocking check, krbtgt, unknown checks).
 */
static void print_readiness(const struct con *c, const struct audit *a)
{
	struct readiness r;
	char when[32];

	readiness_compute(&r, a);
	if (!r.computed)
		return;
	fputs(_("readiness "), c->out);
	color_on(c, r.go ? ANSI_PASS : ANSI_FAIL);
	fputs(readiness_verdict(&r), c->out);
	color_off(c);
	fputs(r.go ? _("  the VPN may reopen") : _("  the VPN must stay closed"), c->out);
	if (r.has_incident) {
		time_format(r.incident, when, sizeof(when));
		fprintf(c->out, _(" (incident cut-off %s)"), when);
	}
	fputc('\n', c->out);
	fprintf(c->out, _("  %zu VPN-capable: %zu without MFA, %zu password not reset, %zu stale, "
			  "%zu never used, %zu privileged, %zu unowned"),
		r.vpn_capable, r.no_mfa, r.password_not_reset, r.stale, r.never_used,
		r.privileged, r.unowned);
	if (r.waived)
		fprintf(c->out, _(" (%zu waived)"), r.waived);
	fputc('\n', c->out);
	time_format(r.krbtgt_pwd_last_set, when, sizeof(when));
	if (r.krbtgt == KRBTGT_ROTATED)
		fprintf(c->out, _("  krbtgt rotated after the incident (password set %s)\n"), when);
	else if (r.krbtgt == KRBTGT_NOT_ROTATED)
		fprintf(c->out, _("  krbtgt NOT rotated after the incident (password set %s)\n"),
			when);
	else
		fputs(_("  krbtgt rotation unknown\n"), c->out);
	for (size_t i = 0; i < r.nreasons; i++) {
		fputs("  - ", c->out);
		put_text(c, r.reasons[i], 0);
		fputc('\n', c->out);
	}
	readiness_release(&r);
}

static const char *unknown_reason(const struct audit *a, size_t i)
{
	return a->states[i].reason ? a->states[i].reason : _("no reason given");
}

static void print_checks(const struct con *c, const struct audit *a, bool verbose)
{
	size_t n = registry_count(), unknown = 0, disabled = 0;

	for (size_t i = 0; i < n; i++) {
		if (a->states[i].status == STATUS_UNKNOWN)
			unknown++;
		else if (a->states[i].status == STATUS_DISABLED)
			disabled++;
	}
	if (unknown) {
		color_on(c, ANSI_WARN);
		fprintf(c->out, ngettext("unknown   %zu check could not be evaluated (not passed):",
					 "unknown   %zu checks could not be evaluated (not passed):",
					 unknown), unknown);
		color_off(c);
		fputc('\n', c->out);
		/*
		 * One line per reason: a missing attribute or CSV usually makes a
		 * whole family unknown for the same reason.
		 */
		bool *done = xcalloc(n, sizeof(*done));

		for (size_t i = 0; i < n; i++) {
			const char *why = unknown_reason(a, i);

			if (a->states[i].status != STATUS_UNKNOWN || done[i])
				continue;
			fputs("  ", c->out);
			for (size_t j = i, k = 0; j < n; j++) {
				if (a->states[j].status != STATUS_UNKNOWN || done[j] ||
				    strcmp(unknown_reason(a, j), why) != 0)
					continue;
				fprintf(c->out, "%s%s", k++ ? ", " : "", registry_get(j)->id);
				done[j] = true;
			}
			fputs(": ", c->out);
			put_text(c, why, 0);
			fputc('\n', c->out);
		}
		free(done);
	}
	if (disabled) {
		fprintf(c->out, ngettext("disabled  %zu check by the policy",
					 "disabled  %zu checks by the policy", disabled), disabled);
		if (verbose)
			for (size_t i = 0, k = 0; i < n; i++)
				if (a->states[i].status == STATUS_DISABLED)
					fprintf(c->out, "%s%s", k++ ? ", " : ": ", registry_get(i)->id);
		fputc('\n', c->out);
	}
}

static void print_finding(const struct con *c, const struct finding *f, bool verbose)
{
	struct sbuf sb = SBUF_INIT;

	fputs("  ", c->out);
	color_on(c, sev_color(f->severity));
	fprintf(c->out, "%-8s", severity_name(f->severity));
	color_off(c);
	fprintf(c->out, "  %-28s  ", f->check->id);
	add_text(&sb, finding_sam(f) ? finding_sam(f) : finding_dn(f), verbose ? 0 : 40);
	fprintf(c->out, "%-20s  ", sb.buf);
	put_text(c, finding_message(f, &sb), verbose ? 0 : MESSAGE_MAX);
	if (f->waiver) {
		fputs(_(" [waived: "), c->out);
		put_text(c, f->waiver->owner, 0);
		fputs(", ", c->out);
		put_text(c, f->waiver->reason, 0);
		fputc(']', c->out);
	}
	fputc('\n', c->out);
	sbuf_release(&sb);
}

static void print_findings(const struct con *c, const struct audit *a, bool verbose)
{
	size_t unwaived = 0, shown = 0;

	for (size_t i = 0; i < a->nfindings; i++)
		if (!a->findings[i]->waiver)
			unwaived++;
	if (!unwaived && !(verbose && a->nfindings))
		return;
	color_on(c, ANSI_BOLD);
	fputs(verbose ? _("findings:") : _("most severe findings:"), c->out);
	color_off(c);
	fputc('\n', c->out);
	/* findings are sorted most severe first: the first unwaived ones are the top */
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct finding *f = a->findings[i];

		if (f->waiver)
			continue;
		if (!verbose && shown == TOP_FINDINGS)
			break;
		print_finding(c, f, verbose);
		shown++;
	}
	if (verbose) {
		for (size_t i = 0; i < a->nfindings; i++)
			if (a->findings[i]->waiver)
				print_finding(c, a->findings[i], verbose);
	} else if (unwaived > shown) {
		fprintf(c->out, _("  %zu more in the report\n"), unwaived - shown);
	}
}

void report_console(FILE *out, const struct audit *a, const struct report_meta *m,
		    bool color, bool verbose)
{
	struct con c = { out, color };

	print_verdict(&c, a);
	print_source(&c, a, m);
	print_counts(&c, a);
	print_readiness(&c, a);
	print_checks(&c, a, verbose);
	print_findings(&c, a, verbose);
}
