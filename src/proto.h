/*
 * proto.h - PostgreSQL protocol 3.0 message framing, parsing and building.
 *
 * Pure functions over byte buffers: nothing here touches a socket or an
 * event loop, so every function can be unit tested and fuzzed.  Reading
 * uses a bounds-checked cursor (struct pkt_reader) that latches an error
 * flag instead of reading past the end; building uses a growable buffer
 * (struct pkt) whose pkt_end() fills in the length word.
 */
#ifndef PGPIN_PROTO_H
#define PGPIN_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION_3_0 196608u /* 3 << 16 */
#define PROTO_SSL_REQUEST 80877103u
#define PROTO_GSSENC_REQUEST 80877104u
#define PROTO_CANCEL_REQUEST 80877102u
/* PostgreSQL's own bound on the startup packet (MAX_STARTUP_PACKET_LENGTH). */
#define PROTO_MAX_STARTUP_LEN 10000u
#define PROTO_MAX_PARAMS 64

/* Authentication request codes. */
enum {
	AUTH_REQ_OK = 0,
	AUTH_REQ_PASSWORD = 3,
	AUTH_REQ_MD5 = 5,
	AUTH_REQ_SASL = 10,
	AUTH_REQ_SASL_CONT = 11,
	AUTH_REQ_SASL_FIN = 12,
};

/* ------------------------------------------------------------ reading */

struct pkt_reader {
	const uint8_t *data;
	size_t len;
	size_t pos;
	bool err; /* set once any read ran past the end */
};

void pr_init(struct pkt_reader *r, const void *data, size_t len);
uint8_t pr_byte(struct pkt_reader *r);
int16_t pr_int16(struct pkt_reader *r);
int32_t pr_int32(struct pkt_reader *r);
/* A NUL-terminated string inside the buffer; "" and err set if unterminated. */
const char *pr_string(struct pkt_reader *r);
/* n raw bytes; NULL and err set if fewer remain. */
const uint8_t *pr_bytes(struct pkt_reader *r, size_t n);
size_t pr_remaining(const struct pkt_reader *r);

/*
 * A framed message header: one type byte and a big-endian length that
 * counts itself but not the type byte.  Returns 1 when a header is
 * available and valid, 0 when more bytes are needed, -1 when the length is
 * impossible (< 4 or > max_len).
 */
int proto_peek_header(const uint8_t *buf, size_t avail, uint32_t max_len,
		      char *type, uint32_t *len);

static inline uint32_t proto_get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void proto_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* --------------------------------------------------------- startup */

enum startup_kind {
	STARTUP_NORMAL,
	STARTUP_SSL,
	STARTUP_GSSENC,
	STARTUP_CANCEL,
};

struct startup_param {
	const char *name;
	const char *value;
};

/*
 * A parsed untyped startup-phase packet.  Strings point into the buffer
 * that was parsed; they live as long as it does.
 */
struct startup_msg {
	enum startup_kind kind;
	uint32_t version;   /* protocol code as sent */
	uint32_t cancel_pid; /* STARTUP_CANCEL only */
	uint32_t cancel_key;
	const char *user;
	const char *database; /* defaults to user, as PostgreSQL does */
	const char *options;
	struct startup_param params[PROTO_MAX_PARAMS];
	int nparams; /* every pair except user, database and options */
	/* Names starting with "_pq_." that we do not understand (NegotiateProtocolVersion). */
	const char *unknown_pq[PROTO_MAX_PARAMS];
	int n_unknown_pq;
};

/*
 * Parse the body of a startup packet (everything after its 4-byte length).
 * On failure returns -1 with *sqlstate and a message suitable for an
 * ErrorResponse ("08P01" malformed, "0A000" unsupported version, "28000"
 * missing user).
 */
int proto_parse_startup(const uint8_t *body, size_t len, struct startup_msg *out,
			const char **sqlstate, char *errmsg, size_t errlen);

/* --------------------------------------------------------- building */

struct pkt {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t start;  /* offset of the message being built */
	size_t lenpos; /* offset of its length word */
	bool oom;
};

void pkt_init(struct pkt *p);
void pkt_free(struct pkt *p);
void pkt_reset(struct pkt *p);
/* type 0 builds an untyped message (startup, cancel, SSLRequest). */
void pkt_begin(struct pkt *p, char type);
void pkt_byte(struct pkt *p, uint8_t v);
void pkt_int16(struct pkt *p, int16_t v);
void pkt_int32(struct pkt *p, int32_t v);
void pkt_string(struct pkt *p, const char *s);
void pkt_bytes(struct pkt *p, const void *data, size_t n);
void pkt_end(struct pkt *p);

/* Whole messages, appended to p. */
void proto_build_error(struct pkt *p, const char *severity, const char *sqlstate,
		       const char *message, const char *detail, const char *hint);
void proto_build_notice(struct pkt *p, const char *severity, const char *sqlstate,
			const char *message);
void proto_build_auth(struct pkt *p, int32_t code, const void *data, size_t n);
void proto_build_param_status(struct pkt *p, const char *name, const char *value);
void proto_build_backend_key(struct pkt *p, uint32_t pid, uint32_t key);
void proto_build_ready(struct pkt *p, char status);
void proto_build_query(struct pkt *p, const char *sql);
void proto_build_startup(struct pkt *p, const struct startup_param *params, int n);
void proto_build_cancel(struct pkt *p, uint32_t pid, uint32_t key);
void proto_build_password(struct pkt *p, const char *password);
void proto_build_sasl_initial(struct pkt *p, const char *mech, const void *data, size_t n);
void proto_build_sasl_response(struct pkt *p, const void *data, size_t n);
void proto_build_negotiate_version(struct pkt *p, uint32_t newest_minor,
				   const char *const *unknown, int n);

/* ------------------------------------------------------ ErrorResponse */

struct error_fields {
	const char *severity; /* 'S' (localized) or 'V' */
	const char *sqlstate; /* 'C' */
	const char *message;  /* 'M' */
	const char *detail;   /* 'D' */
	const char *hint;     /* 'H' */
};

/* Parse the body of an 'E' or 'N' message.  Returns -1 if malformed. */
int proto_parse_error(const uint8_t *body, size_t len, struct error_fields *out);

/* True for the message types a frontend may send after startup. */
bool proto_is_frontend_type(char type);

#endif
