/*
 * json.h: the little JSON output the commands need.
 */
#ifndef TB_JSON_H
#define TB_JSON_H

/* Print s as a JSON string (quoted, escaped) on stdout; NULL as "". */
void	json_str(const char *s);

#endif
