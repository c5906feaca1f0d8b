/*
 * Unit tests of the dates (um_date.h): ISO 8601 parsing with range checks,
 * formatting, split/join over the whole range, start of day and month,
 * adding months.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um_date.h"


static int  um_t_run, um_t_failed;


#define UM_T(cond)                                                           \
    do {                                                                     \
        um_t_run++;                                                          \
        if (!(cond)) {                                                       \
            um_t_failed++;                                                   \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__,       \
                    #cond);                                                  \
        }                                                                    \
    } while (0)


static int
um_t_parse(const char *s, int64_t expect, int expect_time)
{
    int      has_time;
    int64_t  ms;

    has_time = -1;

    if (um_date_parse(s, strlen(s), &ms, &has_time) != 0) {
        fprintf(stderr, "  %s: not parsed\n", s);
        return 0;
    }

    if (ms != expect || has_time != expect_time) {
        fprintf(stderr, "  %s: %lld (time %d), expected %lld (time %d)\n", s,
                (long long) ms, has_time, (long long) expect, expect_time);
        return 0;
    }

    return 1;
}


static int
um_t_bad(const char *s)
{
    int      has_time;
    int64_t  ms;

    if (um_date_parse(s, strlen(s), &ms, &has_time) == 0) {
        fprintf(stderr, "  %s: parsed as %lld\n", s, (long long) ms);
        return 0;
    }

    return 1;
}


static int
um_t_iso(int64_t ms, const char *expect)
{
    char    buf[UM_DATE_BUF];
    size_t  len;

    len = um_date_format_iso(ms, buf);

    if (len != strlen(expect) || strcmp(buf, expect) != 0) {
        fprintf(stderr, "  %lld: %s, expected %s\n", (long long) ms, buf,
                expect);
        return 0;
    }

    return 1;
}


int
main(void)
{
    int      i, has_time, bad;
    char     buf[UM_DATE_BUF];
    int64_t  ms, back, day;
    um_tm_t  tm;

    /* valid forms */
    UM_T(um_t_parse("1970-01-01", 0, 0));
    UM_T(um_t_parse("2024-03-01", 1709251200000LL, 0));
    UM_T(um_t_parse("2024-02-29", 1709164800000LL, 0));
    UM_T(um_t_parse("2000-02-29", 951782400000LL, 0));
    UM_T(um_t_parse("2024-03-01T10:20:30Z", 1709288430000LL, 1));
    UM_T(um_t_parse("2024-03-01t10:20:30z", 1709288430000LL, 1));
    UM_T(um_t_parse("2024-03-01 10:20:30", 1709288430000LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20:30", 1709288430000LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20", 1709288400000LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20Z", 1709288400000LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20:30.123Z", 1709288430123LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20:30.1Z", 1709288430100LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20:30.123999Z", 1709288430123LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20:30,5Z", 1709288430500LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20:30.123+05:30", 1709268630123LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20:30+0530", 1709268630000LL, 1));
    UM_T(um_t_parse("2024-03-01T10:20:30-05", 1709306430000LL, 1));
    UM_T(um_t_parse("2024-03-01T00:00:00-00:00", 1709251200000LL, 1));
    UM_T(um_t_parse("0000-01-01T00:00:00Z", -62167219200000LL, 1));
    UM_T(um_t_parse("9999-12-31T23:59:59.999Z", 253402300799999LL, 1));
    UM_T(um_t_parse("1969-12-31T23:59:59.999Z", -1, 1));
    UM_T(um_t_parse("2024-01-01T00:30:00+01:00", 1704065400000LL, 1));

    /* invalid: ranges, shapes, trailing garbage */
    UM_T(um_t_bad(""));
    UM_T(um_t_bad("2024"));
    UM_T(um_t_bad("2024-03"));
    UM_T(um_t_bad("2024-3-01"));
    UM_T(um_t_bad("24-03-01"));
    UM_T(um_t_bad("2024-00-10"));
    UM_T(um_t_bad("2024-13-10"));
    UM_T(um_t_bad("2024-02-30"));
    UM_T(um_t_bad("2023-02-29"));
    UM_T(um_t_bad("1900-02-29"));
    UM_T(um_t_bad("2024-04-31"));
    UM_T(um_t_bad("2024-01-00"));
    UM_T(um_t_bad("2024-01-32"));
    UM_T(um_t_bad("2024-03-01T24:00:00Z"));
    UM_T(um_t_bad("2024-03-01T23:60:00Z"));
    UM_T(um_t_bad("2024-03-01T23:59:60Z"));
    UM_T(um_t_bad("2024-03-01T10"));
    UM_T(um_t_bad("2024-03-01T10:2"));
    UM_T(um_t_bad("2024-03-01T10:20:3"));
    UM_T(um_t_bad("2024-03-01T10:20:30."));
    UM_T(um_t_bad("2024-03-01T10:20:30.Z"));
    UM_T(um_t_bad("2024-03-01T10:20:30+24:00"));
    UM_T(um_t_bad("2024-03-01T10:20:30+05:60"));
    UM_T(um_t_bad("2024-03-01T10:20:30+5"));
    UM_T(um_t_bad("2024-03-01T10:20:30+05:3"));
    UM_T(um_t_bad("2024-03-01T10:20:30Zx"));
    UM_T(um_t_bad("2024-03-01T10:20:30 "));
    UM_T(um_t_bad("2024-03-01X10:20:30"));
    UM_T(um_t_bad("2024-03-01T"));
    UM_T(um_t_bad("2024-03-01 "));
    UM_T(um_t_bad("+2024-03-01"));
    UM_T(um_t_bad("2024-03-01T10:20:30.123+05:30:00"));

    /* the length is honoured: no NUL needed, nothing read beyond */
    UM_T(um_date_parse("2024-03-01T10:20:30Zjunk", 20, &ms, &has_time) == 0
         && ms == 1709288430000LL);
    UM_T(um_date_parse("2024-03-01", 9, &ms, &has_time) != 0);

    /* formatting */
    UM_T(um_t_iso(0, "1970-01-01T00:00:00.000Z"));
    UM_T(um_t_iso(-1, "1969-12-31T23:59:59.999Z"));
    UM_T(um_t_iso(1700000000123LL, "2023-11-14T22:13:20.123Z"));
    UM_T(um_t_iso(951782400000LL, "2000-02-29T00:00:00.000Z"));
    UM_T(um_t_iso(253402300799999LL, "9999-12-31T23:59:59.999Z"));
    UM_T(um_t_iso(-62167219200000LL, "0000-01-01T00:00:00.000Z"));
    UM_T(um_t_iso(253402300800000LL, "+010000-01-01T00:00:00.000Z"));
    UM_T(um_t_iso(-62167219200001LL, "-000001-12-31T23:59:59.999Z"));
    UM_T(um_t_iso(8640000000000000LL, "+275760-09-13T00:00:00.000Z"));
    UM_T(um_t_iso(-8640000000000000LL, "-271821-04-20T00:00:00.000Z"));

    /* split and join agree over the whole range, day by day near the
     * epoch and in big steps elsewhere; parse reads what format writes */
    bad = 0;

    for (day = -800000; day <= 800000 && !bad; day += 7) {
        ms = day * 86400000LL + (day % 86400000 + 86400000) % 86400000;
        um_date_split(ms, &tm);

        bad = tm.month < 1 || tm.month > 12 || tm.day < 1 || tm.day > 31
              || tm.wday != (int) (((day % 7) + 7 + 4) % 7)
              || um_date_join(&tm) != ms;

        if (!bad && tm.year >= 0 && tm.year <= 9999) {
            um_date_format_iso(ms, buf);

            bad = um_date_parse(buf, strlen(buf), &back, &has_time) != 0
                  || back != ms;
        }
    }

    UM_T(!bad);

    for (i = 0; i < 1000 && !bad; i++) {
        ms = ((int64_t) rand() << 20 ^ rand()) % 8640000000000000LL;
        if (i & 1) {
            ms = -ms;
        }

        um_date_split(ms, &tm);
        bad = um_date_join(&tm) != ms;
    }

    UM_T(!bad);

    /* join normalises */
    memset(&tm, 0, sizeof(tm));
    tm.year = 2024;
    tm.month = 14;
    tm.day = 1;
    UM_T(um_date_join(&tm) == 1738368000000LL);     /* 2025-02-01 */
    tm.month = 0;
    UM_T(um_date_join(&tm) == 1701388800000LL);     /* 2023-12-01 */
    tm.month = 1;
    tm.day = 32;
    UM_T(um_date_join(&tm) == 1706745600000LL);     /* 2024-02-01 */
    tm.day = 0;
    UM_T(um_date_join(&tm) == 1703980800000LL);     /* 2023-12-31 */
    tm.day = 1;
    tm.hour = 25;
    tm.min = -1;
    UM_T(um_date_join(&tm) == 1704157140000LL);     /* 2024-01-02 00:59 */

    /* start of day and month, before and after the epoch */
    UM_T(um_date_start_of_day(1709288430123LL) == 1709251200000LL);
    UM_T(um_date_start_of_day(0) == 0);
    UM_T(um_date_start_of_day(-1) == -86400000LL);
    UM_T(um_date_start_of_day(-86400000LL) == -86400000LL);
    UM_T(um_date_start_of_month(1709288430123LL) == 1709251200000LL);
    UM_T(um_date_start_of_month(1706659200000LL) == 1704067200000LL);
    UM_T(um_date_start_of_month(-1) == -2678400000LL);

    /* adding months clamps the day, keeps the time */
    UM_T(um_date_add_months(1706659200000LL, 1) == 1709164800000LL);
    UM_T(um_date_add_months(1706704496000LL, 1) == 1709210096000LL);
    UM_T(um_date_add_months(1675123200000LL, 1) == 1677542400000LL);
    UM_T(um_date_add_months(1711843200000LL, -1) == 1709164800000LL);
    UM_T(um_date_add_months(1705276800000LL, 12) == 1736899200000LL);
    UM_T(um_date_add_months(1705276800000LL, -13) == 1671062400000LL);
    UM_T(um_date_add_months(1705276800000LL, 0) == 1705276800000LL);
    UM_T(um_date_add_months(0, -1) == -2678400000LL);

    /*
     * um_date_iso_of ($toIso of a date string, the executor's fast path):
     * a "YYYY-MM-DD" read directly, the rest through um_date_parse; both
     * the same as parsing and formatting, for every day of years around
     * the leap rules, and 0 for what it does not take
     */

    bad = 0;

    for (ms = -62167219200000LL; ms < 253402300800000LL;
         ms += 86400000LL * 37)
    {
        um_tm_t  t;
        char     s[16], want[UM_DATE_BUF];
        size_t   n, m;

        um_date_split(ms, &t);
        snprintf(s, sizeof(s), "%04d-%02d-%02d", t.year, t.month, t.day);
        n = um_date_iso_of(s, 10, buf);
        m = um_date_format_iso(ms, want);

        if (n != m || memcmp(buf, want, n) != 0) {
            bad++;
        }
    }

    UM_T(bad == 0);

    for (i = 0; i < 366 * 4; i++) {
        um_tm_t  t;
        char     s[16];

        /* every (month, day) of four years, valid or not */
        t.year = 2023 + i / 366;
        t.month = 1 + (i % 366) / 31;
        t.day = 1 + (i % 366) % 31;

        if (t.month > 12) {
            continue;
        }

        snprintf(s, sizeof(s), "%04d-%02d-%02d", t.year, t.month, t.day);

        UM_T((um_date_iso_of(s, 10, buf) != 0)
             == (um_date_parse(s, 10, &ms, &has_time) == 0));
    }

    UM_T(um_date_iso_of("2024-03-01T10:20:30+01:00", 25, buf) == 24
         && memcmp(buf, "2024-03-01T09:20:30.000Z", 24) == 0);
    UM_T(um_date_iso_of("2024-02-30", 10, buf) == 0);
    UM_T(um_date_iso_of("2024-13-01", 10, buf) == 0);
    UM_T(um_date_iso_of("2024-00-10", 10, buf) == 0);
    UM_T(um_date_iso_of("2024/03/01", 10, buf) == 0);
    UM_T(um_date_iso_of("2024-03", 7, buf) == 0);
    UM_T(um_date_iso_of("", 0, buf) == 0);

    printf("test_date: %d checks, %d failed\n", um_t_run, um_t_failed);

    return um_t_failed ? 1 : 0;
}
