/*
 * Dates: ISO 8601 parsing and formatting in UTC, as milliseconds since the
 * Unix epoch.  Used by the request parser (start_date, end_date, date) and
 * by the date functions of the expression language.
 */

#ifndef _UM_DATE_H_INCLUDED_
#define _UM_DATE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


typedef struct {
    int      year;       /* e.g. 2024 */
    int      month;      /* 1..12 */
    int      day;        /* 1..31 */
    int      hour;
    int      min;
    int      sec;
    int      ms;
    int      wday;       /* 0: Sunday */
} um_tm_t;


/*
 * Parses an ISO 8601 / RFC 3339 date ("2024-03-01") or date-time
 * ("2024-03-01T10:20:30Z", "...T10:20:30.123+05:30", "...T10:20",
 * "...+0530", "...-05"; 't', 'z' and a space for 'T' are accepted; no
 * offset means UTC).  Fields are range-checked (no February 30).  Returns 0
 * and sets *ms (UTC) and *has_time, or -1.
 */
int um_date_parse(const char *s, size_t len, int64_t *ms, int *has_time);

/* "YYYY-MM-DDTHH:MM:SS.sssZ"; buf must hold UM_DATE_BUF bytes */
#define UM_DATE_BUF  32
size_t um_date_format_iso(int64_t ms, char *buf);

/*
 * A date string as $toIso writes it: a "YYYY-MM-DD" is its own midnight,
 * another date-time that um_date_parse reads is formatted in UTC.  Returns
 * the length written to buf (UM_DATE_BUF bytes); 0 when s is not such a
 * date or its year is not in 0..9999 (the function then says why, or reads
 * it another way: "YYYY", "YYYY-MM").
 */
size_t um_date_iso_of(const char *s, size_t len, char *buf);

void um_date_split(int64_t ms, um_tm_t *tm);
int64_t um_date_join(const um_tm_t *tm);   /* ignores wday; normalises */

int64_t um_date_start_of_day(int64_t ms);
int64_t um_date_start_of_month(int64_t ms);
int64_t um_date_add_months(int64_t ms, int months);


#endif /* _UM_DATE_H_INCLUDED_ */
