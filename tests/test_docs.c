/*
 * The documents cannot drift from the code: the options of --help (the
 * option table of auditor/cli.c) against privaudit(1) and the README's
 * "Command line" section, the registry against docs/checks.md, and the
 * check catalogue's text against the Japanese translation (po/ja.po).
 * tests/docs/run does the byte-exact comparisons that need the binary
 * (`make docs-check`).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auditor/cli.h"
#include "../auditor/sbuf.h"
#include "../auditor/xalloc.h"
#include "../checks/registry.h"

#define MAX_OPTS 64

struct opt {
	char name[40];
	char shortopt;  /* 0: none */
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	cr_assert(f, "cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(f);
	return sbuf_detach(&sb);
}

/* The options as --help prints them, from its "Options:" section. */
static size_t help_options(struct opt *o)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&text, &len);
	bool in = false;

	cli_usage(f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p;

		if (strncmp(line, "Options:", 8) == 0) {
			in = true;
			continue;
		}
		if (strncmp(line, "Exit codes:", 11) == 0)
			break;
		if (!in || strncmp(line, "  ", 2) != 0 || !(p = strstr(line, "--")) ||
		    p > line + 8)
			continue;
		cr_assert(n < MAX_OPTS);
		memset(&o[n], 0, sizeof(o[n]));
		if (line[2] == '-' && line[3] != '-')
			o[n].shortopt = line[3];
		p += 2;
		for (size_t k = 0; p[k] && p[k] != ' ' && k < sizeof(o[n].name) - 1; k++)
			o[n].name[k] = p[k];
		n++;
	}
	free(text);
	return n;
}

/* "--page-size" written the roff way, "\-\-page\-size". */
static void roff_option(char *out, size_t size, const char *name)
{
	size_t k = 0;

	for (const char *p = "--"; *p && k + 3 < size; p++) {
		out[k++] = '\\';
		out[k++] = '-';
	}
	for (const char *p = name; *p && k + 3 < size; p++) {
		if (*p == '-')
			out[k++] = '\\';
		out[k++] = *p;
	}
	out[k] = '\0';
}

static bool known(const struct opt *o, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(o[i].name) == len && strncmp(o[i].name, name, len) == 0)
			return true;
	return false;
}

Test(docs, help_lists_the_whole_option_table)
{
	struct opt o[MAX_OPTS];
	size_t n = help_options(o);

	cr_assert_geq(n, 30, "only %zu options parsed from --help", n);
	cr_assert(known(o, n, "lang", 4));
	cr_assert(known(o, n, "uri", 3));
}

Test(docs, man_page_documents_every_option_and_no_other)
{
	struct opt o[MAX_OPTS];
	size_t n = help_options(o);
	char *man = slurp("../docs/privaudit.1");
	char *sect = strstr(man, "\n.SH OPTIONS");
	char *end;

	cr_assert(sect, "privaudit.1 has no OPTIONS section");
	end = strstr(sect + 1, "\n.SH ");
	cr_assert(end);
	*end = '\0';
	for (size_t i = 0; i < n; i++) {
		char want[96], line[128];

		roff_option(want, sizeof(want), o[i].name);
		/* an item heading: ".TP" then ".B \-\-x" or ".BR \-x ", " \-\-x ..." */
		snprintf(line, sizeof(line), "%s", want);
		cr_expect(strstr(sect, line), "privaudit.1 does not document --%s", o[i].name);
		if (o[i].shortopt) {
			snprintf(line, sizeof(line), ".BR \\-%c \", \" %s", o[i].shortopt, want);
			cr_expect(strstr(sect, line), "privaudit.1 lacks -%c for --%s", o[i].shortopt,
				  o[i].name);
		}
	}
	/* every item heading names a real option */
	for (char *p = strstr(sect, "\n.TP\n"); p; p = strstr(p + 1, "\n.TP\n")) {
		char *h = p + 5, *opt = strstr(h, "\\-\\-"), *nl = strchr(h, '\n');
		char name[48];
		size_t k = 0;

		if (!opt || (nl && opt > nl))
			continue;
		for (opt += 4; *opt && *opt != ' ' && *opt != '"' && *opt != '\n' &&
			       k < sizeof(name) - 1; opt++)
			if (*opt != '\\')
				name[k++] = *opt;
		name[k] = '\0';
		cr_expect(known(o, n, name, k), "privaudit.1 documents --%s, which --help lacks",
			  name);
	}
	free(man);
}

Test(docs, readme_command_line_section_matches_the_options)
{
	struct opt o[MAX_OPTS];
	size_t n = help_options(o);
	char *readme = slurp("../README.md");
	char *sect = strstr(readme, "\n## Command line");
	char *end;

	cr_assert(sect, "README.md has no \"Command line\" section");
	end = strstr(sect + 1, "\n## ");
	if (end)
		*end = '\0';
	for (size_t i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "--%.40s", o[i].name);
		cr_expect(strstr(sect, want), "README's Command line section lacks %s", want);
	}
	for (char *p = strstr(sect, "--"); p; p = strstr(p + 2, "--")) {
		size_t len = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");

		if (!len || p[2] < 'a' || p[2] > 'z' || p[-1] == '-' || (p > sect && p[-1] != ' ' && p[-1] != '(' &&
					      p[-1] != '`' && p[-1] != '\n' && p[-1] != '|' &&
					      p[-1] != '['))
			continue;
		cr_expect(known(o, n, p + 2, len), "README's Command line section names %.*s, "
			  "which --help lacks", (int)len + 2, p);
	}
	free(readme);
}

Test(docs, checks_md_describes_every_check_with_its_defaults)
{
	char *md = slurp("../docs/checks.md");

	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_get(i);
		char head[96], sev[64];
		char *sect, *end;

		snprintf(head, sizeof(head), "\n### %s\n", c->id);
		sect = strstr(md, head);
		cr_assert(sect, "docs/checks.md lacks %s: run make docs", c->id);
		end = strstr(sect + 1, "\n### ");
		if (end)
			*end = '\0';
		snprintf(sev, sizeof(sev), "Severity **%s**", severity_name(c->severity));
		cr_expect(strstr(sect, sev), "docs/checks.md: %s is not %s", c->id, sev);
		cr_expect(strstr(sect, c->title), "docs/checks.md: %s's title differs", c->id);
		cr_expect(strstr(sect, c->rationale), "docs/checks.md: %s's rationale differs", c->id);
		cr_expect(strstr(sect, c->remediation), "docs/checks.md: %s's remediation differs",
			  c->id);
		for (const struct check_param *p = c->params; p && p->name; p++) {
			char row[128];

			if (p->type == PARAM_INT)
				snprintf(row, sizeof(row), "| `%s` | `%lld` |", p->name, p->def);
			else
				snprintf(row, sizeof(row), "| `%s` |", p->name);
			cr_expect(strstr(sect, row), "docs/checks.md: %s parameter %s (default) differs",
				  c->id, p->name);
		}
		if (end)
			*end = '\n';
	}
	free(md);
}

/* Every msgid of po/ja.po with a translation, unescaped, in one buffer. */
static bool po_translated(const char *po, const char *msgid)
{
	struct sbuf id = SBUF_INIT, str = SBUF_INIT;
	const char *p = po;
	bool found = false;
	struct sbuf *cur = NULL;

	while (*p && !found) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *q = NULL;

		if (strncmp(p, "msgid ", 6) == 0) {
			if (cur == &str && strcmp(id.buf ? id.buf : "", msgid) == 0 && str.len)
				found = true;
			sbuf_reset(&id);
			sbuf_reset(&str);
			cur = &id;
			q = p + 6;
		} else if (strncmp(p, "msgstr ", 7) == 0 || strncmp(p, "msgstr[0] ", 10) == 0) {
			cur = &str;
			q = strchr(p, ' ') + 1;
		} else if (strncmp(p, "msgid_plural ", 13) == 0) {
			cur = NULL;
		} else if (*p == '"') {
			q = p;
		} else {
			if (cur == &str && strcmp(id.buf ? id.buf : "", msgid) == 0 && str.len)
				found = true;
			cur = NULL;
		}
		if (q && cur && *q == '"') {
			for (q++; q < p + len && *q != '"'; q++) {
				if (*q == '\\' && q + 1 < p + len) {
					q++;
					sbuf_addch(cur, *q == 'n' ? '\n' : *q);
				} else {
					sbuf_addch(cur, *q);
				}
			}
		}
		p += len + (eol ? 1 : 0);
	}
	if (!found && cur == &str && strcmp(id.buf ? id.buf : "", msgid) == 0 && str.len)
		found = true;
	sbuf_release(&id);
	sbuf_release(&str);
	return found;
}

Test(docs, japanese_translation_covers_the_catalogue)
{
	char *po = slurp("../po/ja.po");

	cr_assert(strstr(po, "\"Language: ja\\n\""));
	for (size_t i = 0; i < registry_count(); i++) {
		const struct check *c = registry_get(i);

		cr_expect(po_translated(po, c->title), "po/ja.po: %s title untranslated (make po)",
			  c->id);
		cr_expect(po_translated(po, c->rationale), "po/ja.po: %s rationale untranslated",
			  c->id);
		cr_expect(po_translated(po, c->remediation), "po/ja.po: %s remediation untranslated",
			  c->id);
	}
	free(po);
}
