/*
 * Helpers shared by the check families' tests (see helpers.h).
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../auditor/timeutil.h"
#include "../../checks/registry.h"

int64_t now_t(void)
{
	return time_from_civil(2026, 1, 1, 0, 0, 0);
}

const char *ft_ago(long long days, long long secs)
{
	char iso[32];

	time_format(now_t() - days * DAY - secs, iso, sizeof(iso));
	return fixture_filetime(iso);
}

const char *gt_ago(long long days, long long secs)
{
	char iso[32];

	time_format(now_t() - days * DAY - secs, iso, sizeof(iso));
	return fixture_gentime(iso);
}

/* A VPN user nobody should report: recent logon, old, reset, owned. */
struct u good(const char *sam, unsigned rid)
{
	return (struct u){
		.sam = sam, .rid = rid, .uac = 512,
		.logon = ft_ago(1, 0), .created = gt_ago(400, 0), .pwd = ft_ago(10, 0),
		.lines = "employeeID: E100\n",
	};
}

void add_user(struct sbuf *sb, const struct u *u)
{
	sbuf_addf(sb,
		  "\ndn: CN=%s," BASE "\n"
		  "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
		  "objectClass: user\n"
		  "cn: %s\nsAMAccountName: %s\nobjectSid: S-1-5-21-1-2-3-%u\n"
		  "userAccountControl: %u\n",
		  u->sam, u->sam, u->sam, u->rid, u->uac);
	if (u->logon)
		sbuf_addf(sb, "lastLogonTimestamp: %s\n", u->logon);
	if (u->created)
		sbuf_addf(sb, "whenCreated: %s\n", u->created);
	if (u->pwd)
		sbuf_addf(sb, "pwdLastSet: %s\n", u->pwd);
	if (u->lines)
		sbuf_adds(sb, u->lines);
}

/*
 * The fixture domain, with lines added after the objectSid line of some
 * well-known groups: adds holds pairs (SID, lines), NULL-terminated.
 */
void domain(struct sbuf *sb, const char *const *adds)
{
	const char *p = fixture_domain_ldif;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

		sbuf_add(sb, p, len);
		for (size_t i = 0; adds && adds[i]; i += 2)
			if (len == 11 + strlen(adds[i]) + 1 && strncmp(p, "objectSid: ", 11) == 0 &&
			    strncmp(p + 11, adds[i], strlen(adds[i])) == 0)
				sbuf_adds(sb, adds[i + 1]);
		p += len;
	}
}

/* A group in CN=Users whose members (users or groups, by cn) follow; NULL ends. */
void group(struct sbuf *sb, const char *sam, unsigned rid, ...)
{
	va_list ap;
	const char *m;

	sbuf_addf(sb,
		  "\ndn: CN=%s," BASE "\n"
		  "objectClass: top\nobjectClass: group\n"
		  "sAMAccountName: %s\nobjectSid: S-1-5-21-1-2-3-%u\n",
		  sam, sam, rid);
	va_start(ap, rid);
	while ((m = va_arg(ap, const char *)))
		sbuf_addf(sb, "member: CN=%s," BASE "\n", m);
	va_end(ap);
}

struct fixture *run_ldif(struct sbuf *sb, const char *policy)
{
	struct fixture *fx = fixture_run(sb->buf, policy, NOW);

	sbuf_release(sb);
	return fx;
}

const char *ev_str(const struct finding *f, const char *key)
{
	return json_string_value(json_object_get(finding_evidence(f), key));
}

long long ev_int(const struct finding *f, const char *key)
{
	json_t *v = json_object_get(finding_evidence(f), key);

	cr_assert(json_is_integer(v), "evidence %s is not an integer", key);
	return (long long)json_integer_value(v);
}

struct sbuf ldif_start(void)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, fixture_domain_ldif);
	return sb;
}

const char *reason(const struct fixture *fx, const char *check)
{
	size_t idx;

	cr_assert_not_null(registry_find(check, &idx));
	return fx->audit.states[idx].reason ? fx->audit.states[idx].reason : "";
}
