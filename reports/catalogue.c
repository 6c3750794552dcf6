/*
 * The check catalogue, `privaudit checks [--json]`: every check in registry
 * order, read from the checks' own metadata so that the listing cannot
 * drift from what runs. The JSON form carries the parameters with their
 * defaults, which is what a policy author overrides.
 */
#include "report.h"

#include <errno.h>
#include <string.h>

#include "../auditor/error.h"
#include "../auditor/exitcode.h"
#include "../checks/registry.h"

static const char *param_type_name(enum param_type t)
{
	switch (t) {
	case PARAM_INT: return "int";
	case PARAM_STRINGS: return "list";
	case PARAM_INT_MAP: return "object";
	}
	return "unknown";
}

static json_t *param_json(const struct check_param *p)
{
	json_t *o = json_object(), *def;

	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "type", json_string(param_type_name(p->type)));
	switch (p->type) {
	case PARAM_INT:
		def = json_integer(p->def);
		break;
	case PARAM_STRINGS:
		def = json_array();
		for (const char *const *s = p->def_strings; s && *s; s++)
			json_array_append_new(def, report_json_str(*s));
		break;
	case PARAM_INT_MAP:
		def = json_object();
		for (const struct param_map_entry *e = p->def_map; e && e->key; e++)
			json_object_set_new(def, e->key, json_integer(e->value));
		break;
	default:
		def = json_null();
		break;
	}
	json_object_set_new(o, "default", def);
	if (p->type == PARAM_INT || p->type == PARAM_INT_MAP) {
		json_object_set_new(o, "min", json_integer(p->min));
		json_object_set_new(o, "max", json_integer(p->max));
	}
	json_object_set_new(o, "doc", report_json_str(p->doc));
	return o;
}

/* "ANSSI vuln_x; MITRE ATT&CK T1078" as a list, one reference each. */
static json_t *references_json(const char *refs)
{
	json_t *a = json_array();
	const char *p = refs;

	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p = end ? end + 1 : NULL;
	}
	return a;
}

static json_t *check_entry(const struct check *c)
{
	json_t *o = json_object(), *params = json_array(), *sup = json_array();

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "family", json_string(c->family));
	json_object_set_new(o, "title", report_json_str(c->title));
	json_object_set_new(o, "severity", json_string(severity_name(c->severity)));
	for (const struct check_param *p = c->params; p && p->name; p++)
		json_array_append_new(params, param_json(p));
	json_object_set_new(o, "parameters", params);
	for (const char *const *s = c->supersedes; s && *s; s++)
		json_array_append_new(sup, json_string(*s));
	json_object_set_new(o, "supersedes", sup);
	json_object_set_new(o, "rationale", report_json_str(c->rationale));
	json_object_set_new(o, "remediation", report_json_str(c->remediation));
	json_object_set_new(o, "references", references_json(c->references));
	return o;
}

int report_catalogue(FILE *out, bool json, struct error *err)
{
	size_t n = registry_count();

	if (json) {
		json_t *all = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(all, check_entry(registry_get(i)));
		json_dumpf(all, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		json_decref(all);
	} else {
		fprintf(out, "%-30s %-9s %-7s %s\n", "ID", "SEVERITY", "FAMILY", "TITLE");
		for (size_t i = 0; i < n; i++) {
			const struct check *c = registry_get(i);

			fprintf(out, "%-30s %-9s %-7s %s\n", c->id, severity_name(c->severity),
				c->family, c->title ? c->title : "");
		}
	}
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		return error_set(err, EXIT_REPORT, "cannot write the check catalogue: %s",
				 strerror(errno ? errno : EIO));
	return 0;
}
