/*
 * Dates in UTC.  Civil dates are converted with the days-from-civil and
 * civil-from-days algorithms (proleptic Gregorian calendar, exact for any
 * year), so nothing depends on the C library's time zone or locale.
 */

#include <stdio.h>
#include <string.h>

#include "um_date.h"


#define UM_MS_DAY  86400000LL


static int64_t um_floor_div(int64_t a, int64_t b);
static int64_t um_days_from_civil(int64_t y, int m, int d);
static void um_civil_from_days(int64_t z, int64_t *y, int *m, int *d);
static int um_days_in_month(int64_t y, int m);
static int um_digits(const char *p, const char *end, int n, int *v);


static int64_t
um_floor_div(int64_t a, int64_t b)
{
    int64_t  q;

    q = a / b;

    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        q--;
    }

    return q;
}


static int64_t
um_days_from_civil(int64_t y, int m, int d)
{
    int64_t   era, yoe, doy, doe;

    y -= m <= 2;
    era = um_floor_div(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


static void
um_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t  era, doe, yoe, doy, mp;

    z += 719468;
    era = um_floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;

    *d = (int) (doy - (153 * mp + 2) / 5 + 1);
    *m = (int) (mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}


static int
um_days_in_month(int64_t y, int m)
{
    static const int  days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                 31 };

    if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) {
        return 29;
    }

    return days[m - 1];
}


static int
um_digits(const char *p, const char *end, int n, int *v)
{
    int  i;

    if (end - p < n) {
        return -1;
    }

    *v = 0;

    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return -1;
        }

        *v = *v * 10 + (p[i] - '0');
    }

    return 0;
}


int
um_date_parse(const char *s, size_t len, int64_t *ms, int *has_time)
{
    int          year, mon, day, hour, min, sec, frac, oh, om, sign, scale;
    int64_t      t;
    const char  *p, *end;

    p = s;
    end = s + len;

    hour = 0;
    min = 0;
    sec = 0;
    frac = 0;
    oh = 0;
    om = 0;
    sign = 1;

    if (um_digits(p, end, 4, &year) != 0
        || end - p < 10 || p[4] != '-' || p[7] != '-'
        || um_digits(p + 5, end, 2, &mon) != 0
        || um_digits(p + 8, end, 2, &day) != 0)
    {
        return -1;
    }

    p += 10;

    if (mon < 1 || mon > 12 || day < 1 || day > um_days_in_month(year, mon)) {
        return -1;
    }

    *has_time = 0;

    if (p == end) {
        goto done;
    }

    if (*p != 'T' && *p != 't' && *p != ' ') {
        return -1;
    }

    p++;

    if (um_digits(p, end, 2, &hour) != 0
        || end - p < 5 || p[2] != ':'
        || um_digits(p + 3, end, 2, &min) != 0)
    {
        return -1;
    }

    p += 5;

    if (p < end && *p == ':') {
        if (um_digits(p + 1, end, 2, &sec) != 0) {
            return -1;
        }

        p += 3;

        /* fractional seconds: any number of digits, truncated to ms */

        if (p < end && (*p == '.' || *p == ',')) {
            p++;

            if (p == end || *p < '0' || *p > '9') {
                return -1;
            }

            for (scale = 100; p < end && *p >= '0' && *p <= '9'; p++) {
                frac += (*p - '0') * scale;
                scale /= 10;
            }
        }
    }

    if (hour > 23 || min > 59 || sec > 59) {
        return -1;
    }

    *has_time = 1;

    if (p == end) {
        goto done;
    }

    if ((*p == 'Z' || *p == 'z') && p + 1 == end) {
        goto done;
    }

    if (*p != '+' && *p != '-') {
        return -1;
    }

    sign = *p == '-' ? -1 : 1;
    p++;

    if (um_digits(p, end, 2, &oh) != 0) {
        return -1;
    }

    p += 2;

    if (p < end) {
        if (*p == ':') {
            p++;
        }

        if (um_digits(p, end, 2, &om) != 0) {
            return -1;
        }

        p += 2;
    }

    if (p != end || oh > 23 || om > 59) {
        return -1;
    }

done:

    t = um_days_from_civil(year, mon, day) * UM_MS_DAY
        + (int64_t) hour * 3600000 + (int64_t) min * 60000
        + (int64_t) sec * 1000 + frac;

    t -= sign * ((int64_t) oh * 3600000 + (int64_t) om * 60000);

    *ms = t;

    return 0;
}


/* v (0 <= v < 10^n) in n digits, zero-padded */

static void
um_date_digits(char *p, int v, int n)
{
    while (n--) {
        p[n] = (char) ('0' + v % 10);
        v /= 10;
    }
}


size_t
um_date_format_iso(int64_t ms, char *buf)
{
    int      n;
    um_tm_t  tm;

    um_date_split(ms, &tm);

    if (tm.year >= 0 && tm.year <= 9999) {
        /* "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" without printf: it is
         * written for every date of every row */
        um_date_digits(buf, tm.year, 4);
        buf[4] = '-';
        um_date_digits(buf + 5, tm.month, 2);
        buf[7] = '-';
        um_date_digits(buf + 8, tm.day, 2);
        buf[10] = 'T';
        um_date_digits(buf + 11, tm.hour, 2);
        buf[13] = ':';
        um_date_digits(buf + 14, tm.min, 2);
        buf[16] = ':';
        um_date_digits(buf + 17, tm.sec, 2);
        buf[19] = '.';
        um_date_digits(buf + 20, tm.ms, 3);
        buf[23] = 'Z';
        buf[24] = '\0';
        n = 24;

    } else {
        /* expanded years, as JavaScript's toISOString writes them */
        n = snprintf(buf, UM_DATE_BUF,
                     "%c%06d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                     tm.year < 0 ? '-' : '+',
                     tm.year < 0 ? -tm.year : tm.year,
                     tm.month, tm.day, tm.hour, tm.min, tm.sec, tm.ms);
    }

    if (n < 0 || n >= UM_DATE_BUF) {
        buf[0] = '\0';
        return 0;
    }

    return (size_t) n;
}


void
um_date_split(int64_t ms, um_tm_t *tm)
{
    int64_t  days, rem, y;

    /*
     * The rows of a page mostly share their days: the last few days'
     * civil dates are kept (one worker is one thread), divisions saved
     */
    static struct {
        int64_t  days;
        int64_t  y;
        int      month;
        int      day;
        int      valid;
    }  cache[32];

    days = um_floor_div(ms, UM_MS_DAY);
    rem = ms - days * UM_MS_DAY;

    if (cache[days & 31].valid && cache[days & 31].days == days) {
        y = cache[days & 31].y;
        tm->month = cache[days & 31].month;
        tm->day = cache[days & 31].day;

    } else {
        um_civil_from_days(days, &y, &tm->month, &tm->day);

        cache[days & 31].days = days;
        cache[days & 31].y = y;
        cache[days & 31].month = tm->month;
        cache[days & 31].day = tm->day;
        cache[days & 31].valid = 1;
    }

    tm->year = (int) y;
    tm->hour = (int) (rem / 3600000);
    tm->min = (int) (rem / 60000 % 60);
    tm->sec = (int) (rem / 1000 % 60);
    tm->ms = (int) (rem % 1000);

    /* 1970-01-01 was a Thursday */
    tm->wday = (int) (days - um_floor_div(days + 4, 7) * 7 + 4);
}


int64_t
um_date_join(const um_tm_t *tm)
{
    int64_t  y, m;

    /* months out of 1..12 carry into the year; everything below the month
     * is linear and carries by itself */

    m = (int64_t) tm->month - 1;
    y = (int64_t) tm->year + um_floor_div(m, 12);
    m -= um_floor_div(m, 12) * 12;

    return um_days_from_civil(y, (int) m + 1, 1) * UM_MS_DAY
           + ((int64_t) tm->day - 1) * UM_MS_DAY
           + (int64_t) tm->hour * 3600000 + (int64_t) tm->min * 60000
           + (int64_t) tm->sec * 1000 + tm->ms;
}


int64_t
um_date_start_of_day(int64_t ms)
{
    return um_floor_div(ms, UM_MS_DAY) * UM_MS_DAY;
}


int64_t
um_date_start_of_month(int64_t ms)
{
    um_tm_t  tm;

    um_date_split(ms, &tm);

    return um_days_from_civil(tm.year, tm.month, 1) * UM_MS_DAY;
}


int64_t
um_date_add_months(int64_t ms, int months)
{
    int      dim;
    int64_t  m, y;
    um_tm_t  tm;

    um_date_split(ms, &tm);

    m = (int64_t) tm.month - 1 + months;
    y = tm.year + um_floor_div(m, 12);
    m -= um_floor_div(m, 12) * 12;

    tm.year = (int) y;
    tm.month = (int) m + 1;

    /* Jan 31 + 1 month is the last day of February */
    dim = um_days_in_month(y, tm.month);

    if (tm.day > dim) {
        tm.day = dim;
    }

    return um_date_join(&tm);
}


size_t
um_date_iso_of(const char *s, size_t len, char *buf)
{
    int      y, mo, d, has_time;
    size_t   i;
    int64_t  ms;
    um_tm_t  tm;

    if (len == 10) {
        /* "YYYY-MM-DD", valid: its own midnight, nothing to compute (it is
         * the date of most provider records) */

        for (i = 0; i < 10; i++) {
            if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) {
                return 0;
            }
        }

        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10
            + (s[3] - '0');
        mo = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');

        if (mo < 1 || mo > 12 || d < 1 || d > um_days_in_month(y, mo)) {
            return 0;
        }

        memcpy(buf, s, 10);
        memcpy(buf + 10, "T00:00:00.000Z", sizeof("T00:00:00.000Z"));

        return 24;
    }

    if (um_date_parse(s, len, &ms, &has_time) != 0) {
        return 0;
    }

    um_date_split(ms, &tm);

    if (tm.year < 0 || tm.year > 9999) {
        return 0;
    }

    return um_date_format_iso(ms, buf);
}
