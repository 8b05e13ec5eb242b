/*
 * config.h - pgpin's configuration: one struct, resolved once.
 *
 * Every setting has a name in the INI file ([pgpin] section), a command-line
 * flag (--name-with-dashes) and an environment variable (PGPIN_NAME_UPPER).
 * Precedence: flag > environment > file > built-in default.  The [databases]
 * section maps client database names to backend connection strings, and the
 * [users] section carries per-user overrides.
 *
 * This module parses and validates; it never opens sockets.  The endpoint
 * (the backend "datastore") is parsed with libpq's PQconninfoParse(), so
 * every URI and keyword form that libpq accepts is accepted here too.
 */
#ifndef PGPIN_CONFIG_H
#define PGPIN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

enum pool_mode { POOL_SESSION = 0, POOL_TRANSACTION, POOL_STATEMENT };
enum auth_type { AUTH_TRUST = 0, AUTH_MD5, AUTH_SCRAM };
enum endpoint_kind { ENDPOINT_POSTGRES = 0, ENDPOINT_SQLITE };
enum pin_mode { PIN_MODE_YES = 0, PIN_MODE_NO, PIN_MODE_ERROR };
/* libpq's sslmode values, in libpq's order of strength. */
enum ssl_mode {
	SSLMODE_DISABLE = 0,
	SSLMODE_ALLOW,
	SSLMODE_PREFER,
	SSLMODE_REQUIRE,
	SSLMODE_VERIFY_CA,
	SSLMODE_VERIFY_FULL,
};
/* libpq's target_session_attrs values. */
enum tsa_mode {
	TSA_ANY = 0,
	TSA_READ_WRITE,
	TSA_READ_ONLY,
	TSA_PRIMARY,
	TSA_STANDBY,
	TSA_PREFER_STANDBY,
};
/* TLS for clients: what a client must do. */
enum client_tls_mode {
	CTLS_DISABLE = 0, /* answer SSLRequest with N */
	CTLS_ALLOW,	  /* TLS if the client asks (and tls_cert is set) */
	CTLS_REQUIRE,	  /* plain-text logins refused (28000) */
	CTLS_VERIFY_CA,	  /* ... and a client certificate signed by tls_ca */
	CTLS_VERIFY_FULL, /* ... whose CN is the user name */
};

struct listen_addr {
	char *host; /* numeric address or name, as given */
	int port;
};

/*
 * A backend to connect to, after PQconninfoParse() and defaults.
 * NULL strings mean "not given".
 *
 * host, hostaddr and ports are libpq's comma-separated lists: several
 * hosts are tried in order for every new server connection, with one port
 * for all of them or one port per host (see endpoint_hosts()).
 */
struct endpoint {
	enum endpoint_kind kind;
	char *sqlite_path; /* ENDPOINT_SQLITE only */
	char *host;	   /* host names, addresses, or absolute Unix socket directories */
	char *hostaddr;
	int port;	   /* the first port given; default 5432 ([databases]: 0) */
	char *ports;	   /* the port list as given (validated); NULL: none given */
	char *dbname;	   /* NULL: the client's database is passed through.  A URI
			    * datastore endpoint always has one (k3s: "kubernetes") */
	char *user;	   /* NULL: the client's own user */
	char *password;	   /* secret: never printed */
	char *passfile;	   /* .pgpass-format file, default $PGPASSFILE or ~/.pgpass */
	char *application_name;
	char *options;	   /* sent in the startup packet */
	int connect_timeout; /* seconds, 0 = use server_connect_timeout */
	/* TLS to the backend (libpq's parameters and meanings) */
	int sslmode;	     /* enum ssl_mode; default prefer */
	bool sslmode_given;  /* the endpoint said sslmode= */
	char *sslrootcert;   /* CA file for verify-ca / verify-full */
	char *sslcert;	     /* client certificate file */
	char *sslkey;	     /* its private key file */
	bool sslsni;	     /* send the host name as SNI (default yes) */
	int target_session_attrs; /* enum tsa_mode */
	bool tsa_given;		  /* the endpoint said target_session_attrs= */
};

/* One host of a multi-host endpoint, as pgpin connects to it. */
struct host_port {
	char *host; /* hostaddr if given for it, else the host name or socket directory */
	int port;
};

/* One entry of the [databases] section. */
struct db_entry {
	char *name;	     /* the database name clients ask for ("*" = fallback) */
	struct endpoint ep;  /* fields given override the main endpoint;
			      * ep.port is 0 when the entry gives none */
	int pool_size;	     /* -1 = global */
	int pool_mode;	     /* -1 = global, else enum pool_mode */
};

/* One entry of the [users] section. */
struct user_entry {
	char *name;
	int pool_size; /* -1 = global */
	int pool_mode; /* -1 = global */
};

enum config_action { ACTION_RUN = 0, ACTION_HELP, ACTION_VERSION, ACTION_CHECK };

struct config {
	enum config_action action;
	char *config_file; /* --config / PGPIN_CONFIG; NULL = none */

	/* listening */
	struct listen_addr *listen;
	int n_listen;
	char *unix_socket_dir; /* NULL = no Unix socket */
	int unix_socket_mode;  /* octal, default 0777 */

	/* backend */
	char *datastore_endpoint; /* raw, as given (secret: masked when printed) */
	char *datastore_cafile;	  /* k3s's --datastore-cafile: sslrootcert if the endpoint has none */
	char *datastore_certfile; /* ... sslcert */
	char *datastore_keyfile;  /* ... sslkey */
	bool create_database;	  /* create the endpoint's database if missing */

	/* TLS for clients */
	char *tls_cert;		  /* certificate chain file (PEM); NULL = no TLS */
	char *tls_key;		  /* its private key */
	char *tls_ca;		  /* CA for client certificates */
	int client_tls_mode;	  /* enum client_tls_mode */
	char *tls_ciphers;	  /* OpenSSL cipher list for TLS 1.2 */
	struct endpoint endpoint;
	struct db_entry *dbs;
	int n_dbs;
	struct user_entry *users;
	int n_users;

	/* client authentication */
	enum auth_type auth_type;
	char *auth_file; /* NULL = none */

	/* pooling */
	enum pool_mode pool_mode;
	int pool_size;
	int min_pool_size;
	int max_client_conn;
	char *server_reset_query; /* "" = none */
	char *server_check_query; /* "" = empty query */
	int max_prepared_statements; /* per server; 0 = no statement tracking */
	bool backend_is_pooler;	     /* the backend may swap sessions between batches */
	enum pin_mode pin_session_state; /* what to do with session state */
	int sqlite_synchronous;		 /* 0 off, 1 normal, 2 full */
	double sqlite_busy_timeout;
	double sqlite_lock_timeout;	 /* 0 = no bound */

	/* timeouts, in seconds (0 = disabled where that makes sense) */
	double server_idle_timeout;
	double server_lifetime;
	double server_connect_timeout;
	double server_check_delay;
	double query_wait_timeout;
	double client_login_timeout;
	double shutdown_timeout; /* SIGINT: how long to wait for transactions */

	/* limits */
	uint32_t max_packet_size;

	/* logging and stats */
	enum log_level log_level;
	bool syslog;
	char *syslog_ident;
	double stats_period;
};

/*
 * Resolve a configuration from defaults, the file named by --config or
 * PGPIN_CONFIG, the environment (envp, NULL-terminated "NAME=value"
 * strings) and argv.  Returns 0, or -1 with a message in err.
 * --help, --version and --check set cfg->action; they are not errors.
 */
int config_load(struct config *cfg, int argc, char *const argv[],
		char *const envp[], char *err, size_t errlen);

void config_free(struct config *cfg);

/* Print the resolved configuration as an INI file, secrets masked. */
void config_print(const struct config *cfg, FILE *out);

/* --help text, generated from the same table the parser uses. */
void config_usage(FILE *out);

/*
 * Parse a datastore endpoint (URI, keywords or sqlite:) into ep.  URIs
 * follow k3s/kine: a bare "postgres://" is postgres:postgres@localhost, an
 * empty path or "/" is the database "kubernetes", and the database name is
 * lower-cased.  Keyword strings keep libpq's meaning (no dbname: the
 * client's database passes through).
 */
int endpoint_parse(const char *conninfo, struct endpoint *ep, char *err, size_t errlen);
void endpoint_free(struct endpoint *ep);

/*
 * Pair libpq's host, hostaddr and port lists with libpq's rules: as many
 * hosts as names in host (or in hostaddr; both given: the same number),
 * an element of hostaddr wins over the name, an empty host is "localhost";
 * ports: one for all hosts or one per host, an empty one is default_port.
 * Returns the number of hosts (at least 1, *out malloc'd, free with
 * host_list_free()) or -1 with a message.
 */
int endpoint_hosts(const char *host, const char *hostaddr, const char *ports, int default_port,
		   struct host_port **out, char *err, size_t errlen);
void host_list_free(struct host_port *list, int n);

/*
 * Overwrite in place every password that a --datastore-endpoint flag of
 * argv carries (URI user:password@, ?password=, keyword password=), so that
 * the process list no longer shows it.  Reads argv as config_load() does.
 * Returns how many passwords were wiped.
 */
int config_wipe_argv_secrets(int argc, char *argv[]);

/* [databases] entry for a client database name, or the "*" entry, or NULL. */
const struct db_entry *config_find_db(const struct config *cfg, const char *name);
const struct user_entry *config_find_user(const struct config *cfg, const char *name);

const char *pool_mode_name(enum pool_mode m);
const char *auth_type_name(enum auth_type t);
const char *tsa_mode_name(int m); /* enum tsa_mode: "read-write"... */

/* True if a listen host is a loopback address (127.0.0.0/8, ::1, localhost). */
bool config_host_is_loopback(const char *host);

#endif
