/*
 * session_set.c - a session's settings: SET [LOCAL], RESET [ALL], SHOW
 * [ALL], the startup parameters, current_setting()/set_config() for the
 * catalog's functions, the ParameterStatus messages of the welcome and of
 * a change, and SET LOCAL's undo at the end of a transaction.
 *
 * Settings are only remembered and reported: SQLite has no use for them,
 * except client_encoding (UTF8 only) and the isolation level (always
 * serializable, as SQLite's transactions are).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build-config.h"
#include "sqlite/session_int.h"
#include "sqlite/types.h"

#define PG_SERVER_VERSION "15.0"

struct known_setting {
	const char *name; /* canonical spelling */
	const char *def;  /* NULL: computed */
	bool report;	  /* sent as ParameterStatus */
	bool fixed;	  /* cannot be changed */
};

static const struct known_setting known[] = {
	{"application_name", "", true, false},
	{"client_encoding", "UTF8", true, false},
	{"DateStyle", "ISO, MDY", true, false},
	{"default_transaction_read_only", "off", true, false},
	{"in_hot_standby", "off", true, true},
	{"integer_datetimes", "on", true, true},
	{"IntervalStyle", "postgres", true, false},
	{"is_superuser", "on", true, true},
	{"server_encoding", "UTF8", true, true},
	{"server_version", NULL, true, true},
	{"session_authorization", NULL, true, true},
	{"standard_conforming_strings", "on", true, false},
	{"TimeZone", "UTC", true, false},
	{"server_version_num", "150000", false, true},
	{"search_path", "\"$user\", public", false, false},
	{"transaction_isolation", "serializable", false, false},
	{"default_transaction_isolation", "serializable", false, false},
	{"transaction_read_only", "off", false, false},
	{"transaction_deferrable", "off", false, false},
	{"default_transaction_deferrable", "off", false, false},
	{"extra_float_digits", "1", false, false},
	{"statement_timeout", "0", false, false},
	{"lock_timeout", "0", false, false},
	{"idle_in_transaction_session_timeout", "0", false, false},
	{"client_min_messages", "notice", false, false},
	{"max_identifier_length", "63", false, true},
	{"lc_collate", "C", false, true},
	{"lc_ctype", "C", false, true},
	{"lc_messages", "C", false, false},
	{"lc_monetary", "C", false, false},
	{"lc_numeric", "C", false, false},
	{"lc_time", "C", false, false},
	{"block_size", "8192", false, true},
	{"max_connections", "100", false, true},
	{"synchronous_commit", "on", false, false},
	{"bytea_output", "hex", false, false},
	{"timezone_abbreviations", "Default", false, false},
	{"row_security", "on", false, false},
	{"jit", "off", false, false},
	{"check_function_bodies", "on", false, false},
	{"escape_string_warning", "on", false, false},
	{"backslash_quote", "safe_encoding", false, false},
	{"work_mem", "4MB", false, false},
	{"maintenance_work_mem", "64MB", false, false},
	{"xmloption", "content", false, false},
	{"default_with_oids", "off", false, false},
	{"enable_seqscan", "on", false, false},
	{"geqo", "on", false, false},
	{"join_collapse_limit", "8", false, false},
	{"server_version_string", NULL, false, true},
};

static const struct known_setting *known_find(const char *name)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(known[i].name, name) == 0)
			return &known[i];
	return NULL;
}

static const char *server_version_string(void)
{
	static char v[96];
	if (!v[0])
		snprintf(v, sizeof(v), "%s (pgpin %s, SQLite %s)", PG_SERVER_VERSION,
			 PACKAGE_VERSION, sqlite3_libversion());
	return v;
}

static struct lite_setting *setting_slot(struct lite_setting *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* The value of a setting, or NULL for an unknown one. */
static const char *setting_get(struct lite_session *s, const char *name)
{
	struct lite_setting *slot = setting_slot(s->settings, s->n_settings, name);
	if (slot)
		return slot->value;
	const struct known_setting *k = known_find(name);
	const char *startup = params_get(&s->vars, name);
	if (startup && (k || strchr(name, '.')))
		return startup; /* after DISCARD ALL: the startup value */
	if (!k)
		return NULL;
	if (k->def)
		return k->def;
	if (strcasecmp(k->name, "session_authorization") == 0)
		return s->user;
	return server_version_string();
}

static int setting_store(struct lite_setting **v, int *n, const char *name, const char *value)
{
	struct lite_setting *slot = setting_slot(*v, *n, name);
	char *val = strdup(value ? value : "");
	if (!val)
		return -1;
	if (slot) {
		free(slot->value);
		slot->value = val;
		return 0;
	}
	struct lite_setting *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		free(val);
		return -1;
	}
	*v = nv;
	nv[*n].name = strdup(name);
	nv[*n].value = val;
	if (!nv[*n].name) {
		free(val);
		return -1;
	}
	(*n)++;
	return 0;
}

static void settings_free(struct lite_setting **v, int *n)
{
	for (int i = 0; i < *n; i++) {
		free((*v)[i].name);
		free((*v)[i].value);
	}
	free(*v);
	*v = NULL;
	*n = 0;
}

static bool encoding_ok(const char *v)
{
	return strcasecmp(v, "UTF8") == 0 || strcasecmp(v, "UTF-8") == 0 ||
	       strcasecmp(v, "UNICODE") == 0 || strcasecmp(v, "SQL_ASCII") == 0;
}

/*
 * SET name = value (value NULL: DEFAULT).  Sends ParameterStatus for the
 * reported settings.  Returns 0, or -1 with e set.
 */
int ses_set(struct lite_session *s, const char *name, const char *value, bool local,
		       struct lite_error *e)
{
	const struct known_setting *k = known_find(name);
	const char *canon = k ? k->name : name;

	if (!k && !strchr(name, '.')) {
		lite_error_set(e, "42704", "unrecognized configuration parameter \"%s\"", name);
		return -1;
	}
	if (k && k->fixed) {
		lite_error_set(e, "55P02", "parameter \"%s\" cannot be changed", canon);
		return -1;
	}
	if (!value) {
		/* RESET and DEFAULT go back to the session's default: the
		 * value the client gave at startup, else the built-in one. */
		value = params_get(&s->vars, canon);
		if (!value)
			value = k && k->def ? k->def : "";
	}
	if (strcasecmp(canon, "client_encoding") == 0) {
		if (!encoding_ok(value)) {
			lite_error_set(e, "0A000",
				       "pgpin's SQLite backend speaks only UTF8: client_encoding "
				       "\"%s\" is not supported",
				       value);
			return -1;
		}
		value = "UTF8";
	}
	if (strcasecmp(canon, "transaction_isolation") == 0 ||
	    strcasecmp(canon, "default_transaction_isolation") == 0)
		value = "serializable"; /* SQLite transactions are serializable */
	if (local && s->block) {
		const char *old = setting_get(s, canon);
		if (!setting_slot(s->local_undo, s->n_local_undo, canon) &&
		    setting_store(&s->local_undo, &s->n_local_undo, canon, old ? old : "") < 0)
			goto oom;
	}
	if (setting_store(&s->settings, &s->n_settings, canon, value) < 0)
		goto oom;
	if (k && k->report)
		proto_build_param_status(&s->out, canon, value);
	return 0;
oom:
	lite_error_set(e, "53200", "out of memory");
	return -1;
}

/* A transaction ended: SET LOCAL values go back. */
void ses_settings_end_txn(struct lite_session *s)
{
	for (int i = 0; i < s->n_local_undo; i++) {
		const struct known_setting *k = known_find(s->local_undo[i].name);
		setting_store(&s->settings, &s->n_settings, s->local_undo[i].name,
			      s->local_undo[i].value);
		if (k && k->report)
			proto_build_param_status(&s->out, k->name, s->local_undo[i].value);
	}
	settings_free(&s->local_undo, &s->n_local_undo);
}

/* current_setting() and set_config() (catalog.c) read and write these. */
static const char *env_get_setting(void *arg, const char *name)
{
	return setting_get(arg, name);
}

static int env_set_setting(void *arg, const char *name, const char *value, bool local)
{
	struct lite_error e;
	return ses_set(arg, name, value, local, &e);
}

/* SHOW's DataRows; e set for an unknown parameter. */
void ses_show(struct lite_session *s, const struct sqlt_stmt *t, const int16_t *formats,
	      uint64_t *rows, struct lite_error *e)
{
	struct pgt_error pe;
	if (strcmp(t->name, "all") == 0) {
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			pkt_begin(&s->out, 'D');
			pkt_int16(&s->out, 3);
			pgt_encode_text(&s->out, known[i].name, OID_TEXT, formats ? formats[0] : 0, &pe);
			pgt_encode_text(&s->out, setting_get(s, known[i].name), OID_TEXT,
					formats ? formats[1] : 0, &pe);
			pgt_encode_text(&s->out, "", OID_TEXT, formats ? formats[2] : 0, &pe);
			pkt_end(&s->out);
			(*rows)++;
		}
		return;
	}
	const char *v = setting_get(s, t->name);
	if (!v) {
		lite_error_set(e, "42704", "unrecognized configuration parameter \"%s\"", t->name);
		return;
	}
	pkt_begin(&s->out, 'D');
	pkt_int16(&s->out, 1);
	pgt_encode_text(&s->out, v, OID_TEXT, formats ? formats[0] : 0, &pe);
	pkt_end(&s->out);
	(*rows)++;
}

void session_welcome(struct lite_session *s, struct pkt *p)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!known[i].report)
			continue;
		proto_build_param_status(p, known[i].name, setting_get(s, known[i].name));
	}
}

int ses_settings_open(struct lite_session *s, struct lite_error *e)
{
	for (int i = 0; i < s->vars.n; i++) {
		struct lite_error se;
		const char *n = s->vars.items[i].name;
		if (!known_find(n) && !strchr(n, '.'))
			continue; /* PostgreSQL would refuse; drivers send odd ones */
		if (ses_set(s, n, s->vars.items[i].value, false, &se) < 0 &&
		    strcmp(se.sqlstate, "0A000") == 0) {
			*e = se;
			return -1;
		}
	}
	pkt_reset(&s->out); /* no ParameterStatus yet: the welcome sends them */
	s->env.arg = s;
	s->env.get_setting = env_get_setting;
	s->env.set_setting = env_set_setting;
	return 0;
}

int ses_reset(struct lite_session *s, const char *name, struct lite_error *e)
{
	if (strcmp(name, "all") != 0)
		return ses_set(s, name, NULL, false, e);
	for (int i = 0; i < s->n_settings; i++) {
		const struct known_setting *k = known_find(s->settings[i].name);
		if (k && !k->fixed && k->def && strcmp(s->settings[i].value, k->def) != 0)
			ses_set(s, k->name, NULL, false, e);
	}
	return 0;
}

int ses_show_columns(const struct sqlt_stmt *t, struct desc_column *cols)
{
	if (strcmp(t->name, "all") == 0) {
		snprintf(cols[0].name, DESC_NAME_MAX, "name");
		snprintf(cols[1].name, DESC_NAME_MAX, "setting");
		snprintf(cols[2].name, DESC_NAME_MAX, "description");
		cols[0].oid = cols[1].oid = cols[2].oid = OID_TEXT;
		return 3;
	}
	const struct known_setting *k = known_find(t->name);
	snprintf(cols[0].name, DESC_NAME_MAX, "%s", k ? k->name : t->name);
	cols[0].oid = OID_TEXT;
	return 1;
}

void ses_settings_discard(struct lite_session *s)
{
	settings_free(&s->settings, &s->n_settings);
}

void ses_settings_close(struct lite_session *s)
{
	settings_free(&s->settings, &s->n_settings);
	settings_free(&s->local_undo, &s->n_local_undo);
}
