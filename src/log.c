/*
 * log.c - leveled logging to stderr and optionally syslog.
 *
 * Lines on stderr carry a UTC timestamp, the pid and the level, so that the
 * output of a sidecar container reads well without a journal.
 */
#include "log.h"
#include "hot.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static enum log_level cur_level = LOG_LVL_INFO;
static bool to_syslog;
/* openlog() keeps the pointer it is given, not a copy: the ident lives
 * here, where a reload that frees the old configuration cannot reach it. */
static char syslog_ident[64];

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void log_setup(enum log_level level, bool use_syslog, const char *ident)
{
	cur_level = level;
	if (!ident || !*ident)
		ident = "pgpin";
	if (to_syslog && (!use_syslog || strncmp(ident, syslog_ident, sizeof(syslog_ident) - 1) != 0)) {
		closelog();
		to_syslog = false;
	}
	if (use_syslog && !to_syslog) {
		snprintf(syslog_ident, sizeof(syslog_ident), "%s", ident);
		openlog(syslog_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	to_syslog = use_syslog;
}

void log_set_level(enum log_level level)
{
	cur_level = level;
}

PGPIN_HOT bool log_enabled(enum log_level level)
{
	return level <= cur_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(s, "warn") == 0) {
		*out = LOG_LVL_WARNING;
		return 0;
	}
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return level_names[level];
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	struct timeval tv;
	struct tm tm;
	char ts[32];
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s.%03d UTC [%d] %s: %s\n", ts, (int)(tv.tv_usec / 1000),
		(int)getpid(), level_names[level], line);

	if (to_syslog) {
		static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
		syslog(prio[level], "%s", line);
	}
}
