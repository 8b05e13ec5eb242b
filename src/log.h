/*
 * log.h - leveled logging to stderr and, if configured, syslog.
 *
 * One line per event.  Callers never pass secrets: log lines are for
 * operators and end up in journals and bug reports.
 */
#ifndef PGPIN_LOG_H
#define PGPIN_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_setup(enum log_level level, bool use_syslog, const char *ident);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(...)                                                          \
	do {                                                                   \
		if (log_enabled(LOG_LVL_INFO))                                 \
			log_msg(LOG_LVL_INFO, __VA_ARGS__);                    \
	} while (0)
#define log_debug(...)                                                         \
	do {                                                                   \
		if (log_enabled(LOG_LVL_DEBUG))                                \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__);                   \
	} while (0)

#endif
