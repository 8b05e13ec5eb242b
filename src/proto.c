/*
 * proto.c - PostgreSQL protocol 3.0 framing, parsing and message building.
 *
 * Everything here works on plain byte buffers.  The reader never reads
 * past the end of its buffer: a short read returns zero/"" and latches
 * r->err, so a parser checks once at the end instead of after every field.
 * The builder grows its buffer; an allocation failure latches p->oom and
 * the caller drops the connection.
 */
#include "proto.h"
#include "hot.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>

/* ------------------------------------------------------------ reading */

PGPIN_HOT void pr_init(struct pkt_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->err = false;
}

size_t pr_remaining(const struct pkt_reader *r)
{
	return r->len - r->pos;
}

const uint8_t *pr_bytes(struct pkt_reader *r, size_t n)
{
	if (r->err || pr_remaining(r) < n) {
		r->err = true;
		return NULL;
	}
	if (n == 0) /* no pointer arithmetic on an empty (possibly NULL) buffer */
		return r->data ? r->data + r->pos : (const uint8_t *)"";
	const uint8_t *p = r->data + r->pos;
	r->pos += n;
	return p;
}

PGPIN_HOT uint8_t pr_byte(struct pkt_reader *r)
{
	const uint8_t *p = pr_bytes(r, 1);
	return p ? p[0] : 0;
}

int16_t pr_int16(struct pkt_reader *r)
{
	const uint8_t *p = pr_bytes(r, 2);
	return p ? (int16_t)(((uint16_t)p[0] << 8) | p[1]) : 0;
}

int32_t pr_int32(struct pkt_reader *r)
{
	const uint8_t *p = pr_bytes(r, 4);
	return p ? (int32_t)proto_get_u32(p) : 0;
}

PGPIN_HOT const char *pr_string(struct pkt_reader *r)
{
	if (r->err)
		return "";
	/* Nothing left (the buffer may then be NULL): unterminated. */
	if (pr_remaining(r) == 0) {
		r->err = true;
		return "";
	}
	const uint8_t *start = r->data + r->pos;
	const uint8_t *nul = memchr(start, 0, pr_remaining(r));
	if (!nul) {
		r->err = true;
		return "";
	}
	r->pos += (size_t)(nul - start) + 1;
	return (const char *)start;
}

int proto_peek_header(const uint8_t *buf, size_t avail, uint32_t max_len,
		      char *type, uint32_t *len)
{
	if (avail < 5)
		return 0;
	uint32_t l = proto_get_u32(buf + 1);
	if (l < 4 || l > max_len)
		return -1;
	*type = (char)buf[0];
	*len = l;
	return 1;
}

bool proto_is_frontend_type(char type)
{
	switch (type) {
	case 'Q': /* Query */
	case 'P': /* Parse */
	case 'B': /* Bind */
	case 'D': /* Describe */
	case 'E': /* Execute */
	case 'C': /* Close */
	case 'S': /* Sync */
	case 'H': /* Flush */
	case 'X': /* Terminate */
	case 'F': /* FunctionCall */
	case 'd': /* CopyData */
	case 'c': /* CopyDone */
	case 'f': /* CopyFail */
	case 'p': /* PasswordMessage / SASL responses */
		return true;
	default:
		return false;
	}
}

/* --------------------------------------------------------- startup */

/*
 * The startup packet is untyped: int32 code, then for a StartupMessage a
 * list of NUL-terminated name/value pairs ended by an empty name.
 */
int proto_parse_startup(const uint8_t *body, size_t len, struct startup_msg *out,
			const char **sqlstate, char *errmsg, size_t errlen)
{
	struct pkt_reader r;

	memset(out, 0, sizeof(*out));
	pr_init(&r, body, len);
	out->version = (uint32_t)pr_int32(&r);
	if (r.err) {
		*sqlstate = "08P01";
		snprintf(errmsg, errlen, "invalid length of startup packet");
		return -1;
	}
	switch (out->version) {
	case PROTO_SSL_REQUEST:
	case PROTO_GSSENC_REQUEST:
		if (len != 4) {
			*sqlstate = "08P01";
			snprintf(errmsg, errlen, "invalid length of startup packet");
			return -1;
		}
		out->kind = out->version == PROTO_SSL_REQUEST ? STARTUP_SSL : STARTUP_GSSENC;
		return 0;
	case PROTO_CANCEL_REQUEST:
		if (len != 12) {
			*sqlstate = "08P01";
			snprintf(errmsg, errlen, "invalid length of cancel request");
			return -1;
		}
		out->kind = STARTUP_CANCEL;
		out->cancel_pid = (uint32_t)pr_int32(&r);
		out->cancel_key = (uint32_t)pr_int32(&r);
		return 0;
	default:
		break;
	}

	if ((out->version >> 16) != 3) {
		*sqlstate = "0A000";
		snprintf(errmsg, errlen,
			 "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
			 out->version >> 16, out->version & 0xffff);
		return -1;
	}
	out->kind = STARTUP_NORMAL;

	for (;;) {
		const char *name = pr_string(&r);
		if (r.err)
			break;
		if (*name == '\0')
			break;
		const char *value = pr_string(&r);
		if (r.err)
			break;
		if (strcmp(name, "user") == 0) {
			out->user = value;
		} else if (strcmp(name, "database") == 0) {
			out->database = value;
		} else if (strcmp(name, "options") == 0) {
			out->options = value;
		} else if (strncmp(name, "_pq_.", 5) == 0) {
			if (out->n_unknown_pq < PROTO_MAX_PARAMS)
				out->unknown_pq[out->n_unknown_pq++] = name;
		} else {
			if (out->nparams >= PROTO_MAX_PARAMS) {
				*sqlstate = "08P01";
				snprintf(errmsg, errlen, "too many parameters in startup packet");
				return -1;
			}
			out->params[out->nparams].name = name;
			out->params[out->nparams].value = value;
			out->nparams++;
		}
	}
	/* The list must end with the terminating empty name, exactly at the end. */
	if (r.err || pr_remaining(&r) != 0) {
		*sqlstate = "08P01";
		snprintf(errmsg, errlen, "invalid startup packet layout: expected terminator as last byte");
		return -1;
	}
	if (!out->user || !*out->user) {
		*sqlstate = "28000";
		snprintf(errmsg, errlen, "no PostgreSQL user name specified in startup packet");
		return -1;
	}
	if (!out->database || !*out->database)
		out->database = out->user;
	return 0;
}

/* --------------------------------------------------------- building */

void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
}

void pkt_free(struct pkt *p)
{
	free(p->data);
	memset(p, 0, sizeof(*p));
}

void pkt_reset(struct pkt *p)
{
	p->len = 0;
	p->start = 0;
	p->oom = false;
}

static bool pkt_reserve(struct pkt *p, size_t n)
{
	if (p->oom)
		return false;
	if (n <= p->cap - p->len)
		return true;
	/* p->len + n must neither wrap nor make the doubling below overflow. */
	if (n > SIZE_MAX / 2 - p->len) {
		p->oom = true;
		return false;
	}
	size_t cap = p->cap ? p->cap : 256;
	while (cap < p->len + n)
		cap *= 2;
	uint8_t *d = realloc(p->data, cap);
	if (!d) {
		p->oom = true;
		return false;
	}
	p->data = d;
	p->cap = cap;
	return true;
}

void pkt_bytes(struct pkt *p, const void *data, size_t n)
{
	if (!pkt_reserve(p, n))
		return;
	if (n)
		memcpy(p->data + p->len, data, n);
	p->len += n;
}

void pkt_byte(struct pkt *p, uint8_t v)
{
	pkt_bytes(p, &v, 1);
}

void pkt_int16(struct pkt *p, int16_t v)
{
	uint8_t b[2] = {(uint8_t)((uint16_t)v >> 8), (uint8_t)v};
	pkt_bytes(p, b, 2);
}

void pkt_int32(struct pkt *p, int32_t v)
{
	uint8_t b[4];
	proto_put_u32(b, (uint32_t)v);
	pkt_bytes(p, b, 4);
}

void pkt_string(struct pkt *p, const char *s)
{
	pkt_bytes(p, s, strlen(s) + 1);
}

void pkt_begin(struct pkt *p, char type)
{
	p->start = p->len;
	if (type)
		pkt_byte(p, (uint8_t)type);
	p->lenpos = p->len;
	pkt_int32(p, 0); /* length, filled in by pkt_end */
}

void pkt_end(struct pkt *p)
{
	if (p->oom)
		return;
	proto_put_u32(p->data + p->lenpos, (uint32_t)(p->len - p->lenpos));
}

void proto_build_error(struct pkt *p, const char *severity, const char *sqlstate,
		       const char *message, const char *detail, const char *hint)
{
	pkt_begin(p, 'E');
	pkt_byte(p, 'S');
	pkt_string(p, severity);
	pkt_byte(p, 'V');
	pkt_string(p, severity);
	pkt_byte(p, 'C');
	pkt_string(p, sqlstate);
	pkt_byte(p, 'M');
	pkt_string(p, message);
	if (detail) {
		pkt_byte(p, 'D');
		pkt_string(p, detail);
	}
	if (hint) {
		pkt_byte(p, 'H');
		pkt_string(p, hint);
	}
	pkt_byte(p, 0);
	pkt_end(p);
}

void proto_build_notice(struct pkt *p, const char *severity, const char *sqlstate,
			const char *message)
{
	pkt_begin(p, 'N');
	pkt_byte(p, 'S');
	pkt_string(p, severity);
	pkt_byte(p, 'V');
	pkt_string(p, severity);
	pkt_byte(p, 'C');
	pkt_string(p, sqlstate);
	pkt_byte(p, 'M');
	pkt_string(p, message);
	pkt_byte(p, 0);
	pkt_end(p);
}

void proto_build_auth(struct pkt *p, int32_t code, const void *data, size_t n)
{
	pkt_begin(p, 'R');
	pkt_int32(p, code);
	pkt_bytes(p, data, n);
	pkt_end(p);
}

void proto_build_param_status(struct pkt *p, const char *name, const char *value)
{
	pkt_begin(p, 'S');
	pkt_string(p, name);
	pkt_string(p, value);
	pkt_end(p);
}

void proto_build_backend_key(struct pkt *p, uint32_t pid, uint32_t key)
{
	pkt_begin(p, 'K');
	pkt_int32(p, (int32_t)pid);
	pkt_int32(p, (int32_t)key);
	pkt_end(p);
}

void proto_build_ready(struct pkt *p, char status)
{
	pkt_begin(p, 'Z');
	pkt_byte(p, (uint8_t)status);
	pkt_end(p);
}

void proto_build_query(struct pkt *p, const char *sql)
{
	pkt_begin(p, 'Q');
	pkt_string(p, sql);
	pkt_end(p);
}

void proto_build_startup(struct pkt *p, const struct startup_param *params, int n)
{
	pkt_begin(p, 0);
	pkt_int32(p, (int32_t)PROTO_VERSION_3_0);
	for (int i = 0; i < n; i++) {
		pkt_string(p, params[i].name);
		pkt_string(p, params[i].value);
	}
	pkt_byte(p, 0);
	pkt_end(p);
}

void proto_build_cancel(struct pkt *p, uint32_t pid, uint32_t key)
{
	pkt_begin(p, 0);
	pkt_int32(p, (int32_t)PROTO_CANCEL_REQUEST);
	pkt_int32(p, (int32_t)pid);
	pkt_int32(p, (int32_t)key);
	pkt_end(p);
}

void proto_build_password(struct pkt *p, const char *password)
{
	pkt_begin(p, 'p');
	pkt_string(p, password);
	pkt_end(p);
}

void proto_build_sasl_initial(struct pkt *p, const char *mech, const void *data, size_t n)
{
	pkt_begin(p, 'p');
	pkt_string(p, mech);
	pkt_int32(p, (int32_t)n);
	pkt_bytes(p, data, n);
	pkt_end(p);
}

void proto_build_sasl_response(struct pkt *p, const void *data, size_t n)
{
	pkt_begin(p, 'p');
	pkt_bytes(p, data, n);
	pkt_end(p);
}

void proto_build_negotiate_version(struct pkt *p, uint32_t newest_minor,
				   const char *const *unknown, int n)
{
	pkt_begin(p, 'v');
	pkt_int32(p, (int32_t)((3u << 16) | newest_minor));
	pkt_int32(p, n);
	for (int i = 0; i < n; i++)
		pkt_string(p, unknown[i]);
	pkt_end(p);
}

/* ------------------------------------------------------ ErrorResponse */

int proto_parse_error(const uint8_t *body, size_t len, struct error_fields *out)
{
	struct pkt_reader r;

	memset(out, 0, sizeof(*out));
	pr_init(&r, body, len);
	for (;;) {
		uint8_t code = pr_byte(&r);
		if (r.err)
			return -1;
		if (code == 0)
			return 0;
		const char *v = pr_string(&r);
		if (r.err)
			return -1;
		switch (code) {
		case 'S':
			if (!out->severity)
				out->severity = v;
			break;
		case 'V':
			out->severity = v;
			break;
		case 'C':
			out->sqlstate = v;
			break;
		case 'M':
			out->message = v;
			break;
		case 'D':
			out->detail = v;
			break;
		case 'H':
			out->hint = v;
			break;
		default:
			break;
		}
	}
}
