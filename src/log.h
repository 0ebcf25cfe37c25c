/*
 * log.h: diagnostics on stderr.
 *
 * Every message starts with "trustbuild: ".  The function that detects a
 * problem reports it once; callers only pass -1 up.  log_ssl() appends the
 * drained OpenSSL error queue so no message is a bare "SSL error".
 */
#ifndef TB_LOG_H
#define TB_LOG_H

enum log_level {
	LOG_QUIET = 0,		/* -q: errors only */
	LOG_NORMAL = 1,		/* warnings and summaries */
	LOG_VERBOSE = 2		/* -v: every decision */
};

extern int log_verbosity;
/* Nothing at all is printed while this is set (the fuzz targets). */
extern int log_silent;

/* An error: always printed. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error followed by the reasons OpenSSL queued; drains the queue. */
void log_ssl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A problem the run worked around (a failed download replaced by the cached
 * copy): always printed, even with -q, so cron mails it.
 */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning: something was skipped but the run goes on (not with -q). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A decision worth knowing about with -v. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The OpenSSL error queue as one short string in buf; drains the queue. */
const char *log_ssl_reason(char *buf, unsigned long size);

#endif
